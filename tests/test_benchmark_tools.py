"""The benchmarks' own tools: the start-up profile's target answers `initialize` and exits, its summary
reads a pyinstrument tree correctly, and the hostile-documents benchmark measures every document.
(The benchmarks themselves run outside the test suite.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import profile_startup  # noqa: E402


def _node(function: str, path: str, time: float, *children: dict[str, object]) -> dict[str, object]:
    return {"function": function, "file_path": path, "time": time, "children": list(children)}


def test_summary_finds_the_lsprotocol_import_and_the_compiling_inside_it() -> None:
    tree = {
        "root_frame": _node(
            "<module>", "/x/startup_target.py", 0.5,
            _node("<module>", "/site/lsprotocol/types.py", 0.3,
                  _node("compile", "<built-in>", 0.1), _node("define", "/site/attr/_next_gen.py", 0.15,
                                                             _node("compile", "<built-in>", 0.05))),
            _node("compile", "<built-in>", 0.02),  # outside lsprotocol.types: not counted
        )
    }  # fmt: skip
    found = profile_startup.summarize(tree)
    assert found == pytest.approx({"total": 0.5, "lsprotocol_types": 0.3, "attrs_compile": 0.15, "rest": 0.2})


@pytest.mark.parametrize("name", ["agent-lsp", "bare-pygls"])
def test_the_start_up_target_answers_initialize_without_agent_lsps_warm_up(name: str) -> None:
    code = (
        "import runpy, sys; sys.argv = ['startup_target.py', sys.argv[1]]; "
        f"runpy.run_path({str(BENCHMARKS / 'startup_target.py')!r}, run_name='__main__'); "
        "print('agent_lsp.syntax.frontmatter' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "False"  # the profile ends at the answer, before the warm-up imports


def test_the_hostile_documents_benchmark_measures_every_document() -> None:
    from hostile_documents import CASES, CLI_CASES

    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "hostile.py"), "--repeats", "1"],
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith(("server ", "check "))]
    assert sorted((row[0], row[1]) for row in rows) == sorted(
        [("server", name) for name in CASES] + [("check", name) for name in CLI_CASES]
    )
    assert all(float(row[2]) >= 0 and row[-1] in ("yes", "NO") for row in rows)
    assert f"of {len(rows)} within the target" in done.stdout

"""The benchmark's start-up profile: the target process answers `initialize` and exits, and the
summary reads a pyinstrument tree correctly. (The benchmark itself runs outside the test suite.)"""

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

"""The scanning process (`project.scanner`): what it sends makes the same index as a scan in-process."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from agent_lsp.checks.crossfile import entry_findings
from agent_lsp.project import scanner
from agent_lsp.project.index import WorkspaceIndex, build_index


def _frames(data: bytes) -> list[tuple[str, object]]:
    frames, at = [], 0
    while at < len(data):
        (size,) = scanner.HEADER.unpack_from(data, at)
        at += scanner.HEADER.size
        frames.append(pickle.loads(data[at : at + size]))
        at += size
    return frames


def _summary(index: WorkspaceIndex) -> set[tuple[object, ...]]:
    """Every entry with its name, placement, references and cross-file findings."""
    return {
        (
            e.path,
            e.kind,
            e.qualified_name,
            e.placement,
            e.description,
            tuple(e.references),
            tuple((f.code, f.span) for f in entry_findings(e, index)),
        )
        for e in index.files()
    }


def _adopted(frames: list[tuple[str, object]], folders: list[Path], user: Path) -> WorkspaceIndex:
    index = WorkspaceIndex(folders, user)
    for kind, value in frames:
        if kind == "entries":
            assert isinstance(value, list)
            index.adopt(value)
    index.finish_scan()
    return index


def test_the_frames_make_the_index_a_scan_in_process_makes(sample: Path) -> None:
    folders, user = [sample / "project"], sample / "home" / ".claude"
    out = io.BytesIO()
    scanner.scan_to(out, [str(f) for f in folders], str(user))
    frames = _frames(out.getvalue())
    here = build_index(folders, user)
    assert frames[0] == ("total", len(here)) and frames[-1] == ("done", None)
    assert all(kind == "entries" for kind, _ in frames[1:-1])
    adopted = _adopted(frames, folders, user)
    assert _summary(adopted) == _summary(here) and len(adopted) == len(here) > 5
    # Names, placements and lookups work on the adopted entries as on the scanned ones.
    assert adopted.names(here.files()[0].kind) == here.names(here.files()[0].kind)


def test_the_child_process_runs_isolated_with_the_parents_module_path(sample: Path, tmp_path: Path) -> None:
    folders, user = [sample / "project"], sample / "home" / ".claude"
    # Started from an unrelated folder: `-I` reads neither it nor the environment's path; the module path
    # comes first on stdin.
    done = subprocess.run(
        scanner.command(),
        input=scanner.request([str(f) for f in folders], user),
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        check=True,
    )
    frames = _frames(done.stdout)
    assert frames[-1] == ("done", None)
    assert _summary(_adopted(frames, folders, user)) == _summary(build_index(folders, user))


def test_a_large_scan_is_sent_in_frames_of_a_few_dozen_files(tmp_path: Path) -> None:
    agents = tmp_path / "ws" / ".claude" / "agents"
    agents.mkdir(parents=True)
    for number in range(scanner.BATCH_FILES * 3 + 5):
        (agents / f"a{number}.md").write_text(f"---\nname: a{number}\ndescription: d\n---\n", encoding="utf-8")
    out = io.BytesIO()
    scanner.scan_to(out, [str(tmp_path / "ws")], None)
    sizes = [len(value) for kind, value in _frames(out.getvalue()) if kind == "entries"]  # type: ignore[arg-type]
    assert sizes == [scanner.BATCH_FILES] * 3 + [5]


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process niceness on this system")
def test_the_child_lowers_its_own_scheduling_priority() -> None:
    # The scan takes only the CPU time the server leaves it (`lower_priority`, called first by `main`).
    code = "import os; from agent_lsp.project import scanner; scanner.lower_priority(); print(os.nice(0))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True, env=env)
    assert int(done.stdout) == min(19, os.nice(0) + scanner.NICENESS)

"""`agent-lsp check`'s cross-file pass on many files: read by worker processes, reports that keep little text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_lsp import check as cli
from agent_lsp.checks.findings import Finding
from agent_lsp.checks.rules import Severity
from agent_lsp.syntax.text import LineIndex, Span

BODY = "\n\nReviews code. Ask @agent-a3 when in doubt.\n" + "Lots of prose here.\n" * 100


def _tree(root: Path, count: int) -> Path:
    agents = root / ".claude" / "agents"
    agents.mkdir(parents=True)
    for i in range(count):
        (agents / f"a{i}.md").write_text(
            f"---\nname: a{i}\ndescription: Agent {i}.\ntools: Read, Agent(a{(i + 1) % count})\n---{BODY}",
            encoding="utf-8",
        )
    # A duplicate name and a name that resolves to nothing, far from the start of its file.
    (agents / "twin.md").write_text(f"---\nname: a1\ndescription: The same name.\n---{BODY}", encoding="utf-8")
    padding = "".join(f"# note {n}\n" for n in range(40))
    (agents / "far.md").write_text(
        f"---\nname: far\ndescription: Far.\n{padding}tools: Agent(ghostly)\n---{BODY}", encoding="utf-8"
    )
    return root


def _json(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], jobs: str) -> list[str]:
    monkeypatch.setenv("AGENT_LSP_JOBS", jobs)
    monkeypatch.chdir(root)
    cli.run_check([".claude/agents", "--format", "json", "--user-dir", str(root / "no-user")])
    found = json.loads(capsys.readouterr().out)["diagnostics"]
    return sorted(
        f"{d['path']}:{d['range']['start']['line']}:{d['range']['start']['character']}:{d['code']}" for d in found
    )


def test_worker_processes_find_what_one_process_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tree(tmp_path, 120)  # past PARALLEL_MIN_FILES: the cross-file index is read by workers
    alone = _json(root, monkeypatch, capsys, "1")
    shared = _json(root, monkeypatch, capsys, "2")
    assert alone == shared
    assert ".claude/agents/a1.md:1:6:duplicate-agent-name" in shared
    assert ".claude/agents/twin.md:1:6:duplicate-agent-name" in shared
    # Line 43 of far.md: the report had kept its text only up to its own findings (line 1).
    assert ".claude/agents/far.md:43:13:unknown-agent-type" in shared


def test_a_report_keeps_its_text_only_up_to_its_last_finding() -> None:
    text = "---\nname: x\ndescription: y\n---\n" + "body line\n" * 10_000
    hint = Finding("name-file-mismatch", Span(9, 10), "m", Severity.HINT, {})
    report = cli.FileReport(Path("x.md"), "x.md", LineIndex(text), [hint])
    assert report.text == "---\nname: x\n"
    assert report.index.line_col(10) == (1, 6)
    later = Finding("unknown-agent-type", Span(len(text) - 5, len(text) - 1), "m", Severity.WARNING, {})
    report.add_findings([later], text)
    assert report.text == text
    assert report.index.line_col(len(text) - 5) == (10_003, 5)

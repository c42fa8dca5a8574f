"""`agent-lsp check --fix` and `--diff` (issue 16): the editor's Fix all from the command line, written atomically."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from lsprotocol import types

from agent_lsp import check as cli
from agent_lsp.check import run_check
from agent_lsp.checks.findings import AgentContext
from agent_lsp.checks.validate import find_problems
from agent_lsp.features.actions import code_actions
from agent_lsp.syntax.frontmatter import parse_agent
from agent_lsp.syntax.text import PositionMapper

BROKEN = "---\nname: reviewer\ndescription: Reviews code.\nmodel: sonet\ncolor: Blue\ntools: Read, Wrte\n---\nBody.\n"
FIXED = "---\nname: reviewer\ndescription: Reviews code.\nmodel: sonnet\ncolor: blue\ntools: Read, Write\n---\nBody.\n"
ISSUE_TOOLS = "tools: Read, Grep, Bash(git:*), Grpe, webfetch"


def _write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _run(
    args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = run_check([*args, "--user-dir", str(cwd / "no-user")])
    out, err = capsys.readouterr()
    return code, out, err


def _editor_fix_all(text: str, path: str, kind: str = "agent") -> str:
    """What the editor's `source.fixAll` action does to the text."""
    context = AgentContext(path, False, kind=kind)
    parsed = parse_agent(text)
    mapper = PositionMapper(parsed.index, "utf-16")
    everything = types.Range(types.Position(0, 0), types.Position(parsed.index.line_count, 0))
    actions = code_actions(
        parsed, find_problems(parsed, context), context, uri="u", mapper=mapper, request=everything,
        only=["source.fixAll"],
    )  # fmt: skip
    if not actions:
        return text
    (action,) = actions
    assert action.edit is not None and action.edit.changes is not None
    (edit,) = action.edit.changes["u"]
    start = mapper.offset(edit.range.start.line, edit.range.start.character)
    end = mapper.offset(edit.range.end.line, edit.range.end.character)
    return text[:start] + edit.new_text + text[end:]


def test_fix_writes_what_the_editors_fix_all_writes_and_reports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, ".claude/agents/reviewer.md", BROKEN)
    code, out, err = _run(["--fix"], tmp_path, monkeypatch, capsys)
    assert path.read_text(encoding="utf-8") == FIXED == _editor_fix_all(BROKEN, str(path))
    assert out.splitlines() == [
        ".claude/agents/reviewer.md: fixed 3 problems (invalid-color, unknown-model, unknown-tool)",
        "Fixed 3 problems in 1 file; 0 findings left.",
        "Checked 1 file: no problems.",
    ]
    assert (code, err) == (0, "")


def test_fix_keeps_crlf_and_the_byte_order_mark_and_reports_what_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "\ufeff" + BROKEN.replace("tools: Read, Wrte\n", "tools: Read, Wrte\nhooks: 3\n").replace("\n", "\r\n")
    path = _write(tmp_path, ".claude/agents/reviewer.md", text)
    code, out, _ = _run(["--fix"], tmp_path, monkeypatch, capsys)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf---\r\n")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert raw.decode("utf-8") == _editor_fix_all(text, str(path))
    assert "model: sonnet\r\n" in raw.decode("utf-8")
    lines = out.splitlines()
    assert lines[0].startswith(".claude/agents/reviewer.md: fixed 3 problems")
    assert lines[1] == "Fixed 3 problems in 1 file; 1 finding left."
    assert "invalid-hooks" in lines[2]  # left: no fix knows what was meant
    assert code == 1


def test_fix_writes_atomically_in_the_files_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, ".claude/agents/reviewer.md", BROKEN)
    path.chmod(0o640)
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        replaced.append((str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(cli.os, "replace", spy)
    _run(["--fix"], tmp_path, monkeypatch, capsys)
    [(src, dst)] = replaced
    assert Path(dst) == path.resolve() and Path(src).parent == path.resolve().parent
    assert sorted(p.name for p in path.parent.iterdir()) == ["reviewer.md"]  # no temporary file left
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text(encoding="utf-8") == FIXED


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.md", "new text by someone else\n")
    assert not cli._replace_text(path, BROKEN, FIXED)
    assert path.read_text(encoding="utf-8") == "new text by someone else\n"


def test_a_linked_file_is_fixed_through_its_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = _write(tmp_path, ".claude/agents/shared/reviewer.md", BROKEN)
    link = tmp_path / ".claude" / "agents" / "reviewer.md"
    link.symlink_to(target)
    _run(["--fix", ".claude/agents/reviewer.md"], tmp_path, monkeypatch, capsys)
    assert link.is_symlink() and target.read_text(encoding="utf-8") == FIXED


def test_diff_prints_the_change_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, ".claude/agents/reviewer.md", BROKEN)
    before = path.stat()
    code, out, _ = _run(["--diff"], tmp_path, monkeypatch, capsys)
    assert path.read_text(encoding="utf-8") == BROKEN and path.stat().st_mtime_ns == before.st_mtime_ns
    assert code == 1
    assert out == (
        "--- a/.claude/agents/reviewer.md\n"
        "+++ b/.claude/agents/reviewer.md\n"
        "@@ -1,8 +1,8 @@\n"
        " ---\n name: reviewer\n description: Reviews code.\n"
        "-model: sonet\n-color: Blue\n-tools: Read, Wrte\n"
        "+model: sonnet\n+color: blue\n+tools: Read, Write\n"
        " ---\n Body.\n"
    )
    path.write_text(FIXED, encoding="utf-8")
    assert _run(["--diff"], tmp_path, monkeypatch, capsys)[:2] == (0, "")


@pytest.mark.parametrize(
    ("rel", "kind", "key"),
    [
        (".claude/agents/reviewer.md", "agent", "tools"),
        (".claude/skills/review/SKILL.md", "skill", "allowed-tools"),
        (".claude/commands/review.md", "command", "allowed-tools"),
    ],
)
def test_fix_never_writes_a_tool_twice(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    rel: str,
    kind: str,
    key: str,
) -> None:
    """The issue's line: Fix all used to give `Read, Grep, Bash(git *), Edit, Grep, WebFetch`."""
    head = "---\nname: review\n" if kind != "command" else "---\n"
    text = f"{head}description: Reviews code.\n{ISSUE_TOOLS.replace('tools', key)}\n---\nBody.\n"
    path = _write(tmp_path, rel, text)
    _run(["--fix", ".claude"], tmp_path, monkeypatch, capsys)
    fixed = path.read_text(encoding="utf-8")
    assert f"{key}: Read, Grep, Bash(git *), WebFetch\n" in fixed
    assert fixed == _editor_fix_all(text, str(path), kind)


def test_a_fixed_file_keeps_its_cross_file_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cross-file findings of a fixed file come from its text after the fixes, not the entry its first
    check made."""
    _write(tmp_path, ".claude/agents/reviewer.md", BROKEN)
    _write(tmp_path, ".claude/agents/other.md", FIXED)
    code, out, _ = _run(["--fix"], tmp_path, monkeypatch, capsys)
    duplicates = sorted(line.split(":")[0] for line in out.splitlines() if "duplicate-agent-name" in line)
    assert duplicates == [".claude/agents/other.md", ".claude/agents/reviewer.md"]
    assert "Fixed 3 problems in 1 file;" in out and code == 0

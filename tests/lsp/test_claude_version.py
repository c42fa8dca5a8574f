"""The newer-`claude` notice: which binary is asked, how its answer is read, when a notice is due."""

from __future__ import annotations

import os
from pathlib import Path

from agent_lsp.lsp.claude_version import find_claude, installed_version, notice, parse_version


def make_claude(folder: Path, output: str = "2.1.400 (Claude Code)") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "claude"
    script.write_text(f'#!/bin/sh\necho "{output}"\n', encoding="utf-8")
    script.chmod(0o755)
    return script


def test_the_version_is_read_from_what_claude_prints() -> None:
    assert parse_version("2.1.328 (Claude Code)\n") == (2, 1, 328)
    assert parse_version("claude 10.0.1") == (10, 0, 1)
    assert parse_version("no version here") is None


def test_a_notice_only_for_a_newer_version() -> None:
    message = notice("2.1.400", "2.1.328")
    assert message is not None and "2.1.400" in message and "2.1.328" in message
    assert notice("2.1.328", "2.1.328") is None
    assert notice("2.1.99", "2.1.328") is None  # compared as numbers, not text
    assert notice("2.10.0", "2.9.999") is not None
    assert notice("garbage", "2.1.328") is None


def test_the_first_claude_on_path_is_asked(tmp_path: Path) -> None:
    first = make_claude(tmp_path / "a", "2.1.500 (Claude Code)")
    make_claude(tmp_path / "b", "2.1.1 (Claude Code)")
    path = os.pathsep.join([str(tmp_path / "empty"), str(tmp_path / "a"), str(tmp_path / "b")])
    found = find_claude(path, [str(tmp_path / "project")])
    assert found == first
    assert installed_version(first) == "2.1.500"


def test_a_claude_inside_the_workspace_or_on_a_relative_entry_is_never_run(tmp_path: Path, monkeypatch) -> None:
    project = tmp_path / "project"
    make_claude(project / "bin")
    assert find_claude(str(project / "bin"), [str(project)]) is None
    monkeypatch.chdir(project)
    assert find_claude("bin", []) is None  # relative: it would be the opened folder's own program
    assert find_claude(".", []) is None


def test_a_claude_that_fails_gives_no_version(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    script = folder / "claude"
    script.write_text("#!/bin/sh\necho 2.1.999\nexit 3\n", encoding="utf-8")
    script.chmod(0o755)
    assert installed_version(script) is None

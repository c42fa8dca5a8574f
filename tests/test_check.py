"""`agent-lsp check`: output formats, exit codes, file discovery and defensive file reading."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from agent_lsp import check as cli
from agent_lsp.check import run_check
from agent_lsp.checks.rules import RULES
from agent_lsp.project import disk

GOOD = "---\nname: reviewer\ndescription: Reviews code when asked\ntools: Read, Grep\n---\nYou review code.\n"
WARN = "---\nname: reviewer\ndescription: Reviews code\ntools: Read, Grpe, Glob\ncolor: gold\n---\nBody.\n"
ERROR = "---\nname: reviewer\n---\nBody.\n"
HINT_ONLY = "---\nname: reviewer\ndescription: Reviews code\ntools: Bash(git:*)\n---\nBody.\n"
# `😀` is two UTF-16 units, `日本` two: `Grpe` starts at UTF-16 column 7 + 6 = 13 on line 3.
WIDE = "---\nname: reviewer\ndescription: d\ntools: 😀日本, Grpe, Read\n---\nBody.\n"


def _write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def _run(
    args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = run_check(args)
    out, err = capsys.readouterr()
    return code, out, err


def _subprocess(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "agent_lsp", "check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


# ---- text format and exit codes ----------------------------------------------


def test_text_format_is_path_line_col_severity_code_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, ".claude/agents/reviewer.md", WARN)
    code, out, err = _run([], tmp_path, monkeypatch, capsys)
    lines = out.splitlines()
    assert code == 0
    assert err == ""
    assert lines[0].startswith(".claude/agents/reviewer.md:4:14: warning unknown-tool `Grpe` is not a Claude Code tool")
    assert lines[1].startswith(".claude/agents/reviewer.md:5:8: warning invalid-color `color: gold` is not valid")
    assert lines[2] == "Checked 1 file: 2 warnings."
    assert len(lines) == 3
    pattern = re.compile(r"^[^:]+:\d+:\d+: (error|warning|information|hint) [a-z-]+ \S.*$")
    assert all(pattern.match(line) for line in lines[:2])


def test_exit_1_on_any_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, ".claude/agents/reviewer.md", ERROR)
    _write(tmp_path, ".claude/agents/good.md", GOOD.replace("reviewer", "good"))
    code, out, _ = _run([], tmp_path, monkeypatch, capsys)
    assert code == 1
    assert ".claude/agents/reviewer.md:1:1: error missing-description" in out
    assert out.splitlines()[-1] == "Checked 2 files: 1 error."


def test_clean_files_exit_0_with_no_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, ".claude/agents/reviewer.md", GOOD)
    code, out, _ = _run([], tmp_path, monkeypatch, capsys)
    assert (code, out) == (0, "Checked 1 file: no problems.\n")


def test_strict_fails_on_warnings_but_not_on_hints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    warn = _write(tmp_path, "a/agents/reviewer.md", WARN)
    hint = _write(tmp_path, "b/agents/reviewer.md", HINT_ONLY)
    assert _run([str(warn)], tmp_path, monkeypatch, capsys)[0] == 0
    assert _run(["--strict", str(warn)], tmp_path, monkeypatch, capsys)[0] == 1
    code, out, _ = _run(["--strict", str(hint)], tmp_path, monkeypatch, capsys)
    assert code == 0
    assert "hint legacy-tool-rule" in out


def test_quiet_omits_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, ".claude/agents/reviewer.md", GOOD)
    assert _run(["--quiet"], tmp_path, monkeypatch, capsys)[1] == ""


def test_missing_path_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["nowhere"], tmp_path, monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert "no such file or folder: nowhere" in err


# ---- discovery ---------------------------------------------------------------


def test_default_path_is_claude_agents_recursively_and_readme_gives_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, ".claude/agents/README.md", "# Our agents\n\nNotes for humans.\n")
    _write(tmp_path, ".claude/agents/team/deep.md", ERROR.replace("reviewer", "deep"))
    _write(tmp_path, "docs/other.md", "# Not an agent\n")
    _write(tmp_path, "README.md", "# Project\n")
    code, out, _ = _run(["--format", "json"], tmp_path, monkeypatch, capsys)
    report = json.loads(out)
    assert code == 1
    assert report["files"] == 2
    assert [(d["path"], d["code"]) for d in report["diagnostics"]] == [
        (os.path.join(".claude", "agents", "team", "deep.md"), "missing-description")
    ]


def test_a_folder_without_agents_folders_has_every_markdown_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, "collection/reviewer.md", GOOD)
    _write(tmp_path, "collection/broken.md", ERROR.replace("reviewer", "broken"))
    code, out, _ = _run(["collection"], tmp_path, monkeypatch, capsys)
    assert code == 1
    assert out.splitlines()[-1] == "Checked 2 files: 1 error."


def test_discovery_ignores_agents_folders_above_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "agents" / "project"  # a checkout that lives under some `agents/` folder
    _write(project, ".claude/agents/reviewer.md", GOOD)
    _write(project, "docs/notes.md", "# Notes\n")
    _write(project, "README.md", "# Project\n")
    code, out, _ = _run(["."], project, monkeypatch, capsys)
    skipped = "2 other Markdown files skipped: not agents, skills or commands; --all-markdown checks them"
    assert (code, out) == (0, f"Checked 1 file ({skipped}): no problems.\n")


def test_a_target_folder_named_agents_holds_agents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, "agents/reviewer.md", GOOD)
    _write(tmp_path, "agents/notes/other.md", ERROR.replace("reviewer", "other"))
    code, out, _ = _run(["agents", "--quiet"], tmp_path, monkeypatch, capsys)
    assert code == 1
    assert out.startswith(os.path.join("agents", "notes", "other.md") + ":1:1: error missing-description")


def test_plugin_agents_are_recognised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, "plug/.claude-plugin/plugin.json", '{"name": "plug"}')
    _write(tmp_path, "plug/agents/helper.md", "---\ndescription: Helps\npermissionMode: plan\n---\nBody\n")
    code, out, _ = _run(["plug", "--quiet"], tmp_path, monkeypatch, capsys)
    assert code == 0  # a plugin agent without `name` loads under its file name
    assert [line.split()[1:3] for line in out.splitlines()] == [
        ["information", "missing-name"],
        ["warning", "plugin-ignored-field"],
    ]


# ---- json --------------------------------------------------------------------


def test_json_shape_utf16_ranges_and_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = _write(tmp_path, "proj/.claude/agents/reviewer.md", WIDE)
    code, out, _ = _run(["--format", "json", str(target)], tmp_path / "proj", monkeypatch, capsys)
    report = json.loads(out)
    assert code == 0
    grpe = next(d for d in report["diagnostics"] if "Grpe" in d["message"])
    assert grpe == {
        "path": os.path.join(".claude", "agents", "reviewer.md"),
        "range": {"start": {"line": 3, "character": 13}, "end": {"line": 3, "character": 17}},
        "severity": "warning",
        "code": "unknown-tool",
        "message": grpe["message"],
    }
    assert list(report) == ["files", "skipped", "skippedFiles", "diagnostics"]
    assert report["files"] == 1
    for d in report["diagnostics"]:
        assert list(d) == ["path", "range", "severity", "code", "message"]
        assert d["severity"] in ("error", "warning", "information", "hint")
        assert d["code"] in RULES


def test_json_with_no_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".claude" / "agents").mkdir(parents=True)
    code, out, _ = _run(["--format", "json"], tmp_path, monkeypatch, capsys)
    assert (code, json.loads(out)) == (0, {"files": 0, "skipped": 0, "skippedFiles": [], "diagnostics": []})


# ---- github ------------------------------------------------------------------


def test_github_annotations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, ".claude/agents/a,b.md", WARN.replace("reviewer", "a-b"))
    _write(tmp_path, ".claude/agents/bad.md", ERROR.replace("reviewer", "bad"))
    code, out, _ = _run(["--format", "github"], tmp_path, monkeypatch, capsys)
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith(
        "::notice file=.claude/agents/a%2Cb.md,line=2,col=7,endLine=2,endColumn=10,"
        "title=agent-lsp name-file-mismatch::The agent is called `a-b` but its file is `a,b.md`"
    )
    assert lines[1].startswith(
        "::warning file=.claude/agents/a%2Cb.md,line=4,col=14,endLine=4,endColumn=18,"
        "title=agent-lsp unknown-tool::`Grpe` is not a Claude Code tool"
    )
    assert lines[2].startswith("::warning file=.claude/agents/a%2Cb.md,line=5,col=8,endLine=5,endColumn=12,")
    assert lines[3].startswith("::error file=.claude/agents/bad.md,line=1,col=1,endLine=1,endColumn=4,")
    assert len(lines) == 4
    annotation = re.compile(r"^::(error|warning|notice) file=[^:]*,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=")
    assert all(annotation.match(line) for line in lines)


def test_github_uses_notice_for_information_and_hints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, ".claude/agents/reviewer.md", HINT_ONLY)
    out = _run(["--format", "github"], tmp_path, monkeypatch, capsys)[1]
    assert out.startswith("::notice file=.claude/agents/reviewer.md,line=4,col=8,")
    assert "title=agent-lsp legacy-tool-rule::" in out


# ---- sarif -------------------------------------------------------------------


def test_sarif_2_1_0_structure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, ".claude/agents/reviewer.md", WIDE)
    _write(tmp_path, ".claude/agents/bad.md", ERROR.replace("reviewer", "bad"))
    code, out, _ = _run(["--format", "sarif"], tmp_path, monkeypatch, capsys)
    sarif = json.loads(out)
    assert code == 1
    assert sarif["version"] == "2.1.0"
    assert "sarif" in sarif["$schema"] and "2.1.0" in sarif["$schema"]
    [run] = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "agent-lsp"
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["helpUri"].endswith(f"#{rule['id']}")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert run["columnKind"] == "utf16CodeUnits"
    results = run["results"]
    assert {r["ruleId"] for r in results} >= {"missing-description", "unknown-tool"}
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        [location] = result["locations"]
        region = location["physicalLocation"]["region"]
        assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert all(v >= 1 for v in region.values())
    grpe = next(r for r in results if "Grpe" in r["message"]["text"])
    assert grpe["level"] == "warning"
    assert grpe["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".claude/agents/reviewer.md"
    assert grpe["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 4,
        "startColumn": 14,
        "endLine": 4,
        "endColumn": 18,
    }
    missing = next(r for r in results if r["ruleId"] == "missing-description")
    assert missing["level"] == "error"


# ---- files that cannot be read -------------------------------------------------


def test_binary_non_utf8_and_huge_files_get_a_clear_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, ".claude/agents/binary.md", b"---\nname: x\x00\n")
    _write(tmp_path, ".claude/agents/latin1.md", "---\nname: x\ndescription: café\n---\n".encode("latin-1"))
    _write(tmp_path, ".claude/agents/huge.md", b"---\nname: huge\ndescription: d\n---\n" + b"x" * (5 * 1024 * 1024))
    code, out, err = _run(["--format", "json"], tmp_path, monkeypatch, capsys)
    report = json.loads(out)
    assert code == 1
    assert err == ""
    by_file = {Path(d["path"]).name: d for d in report["diagnostics"]}
    assert set(by_file) == {"binary.md", "latin1.md", "huge.md"}
    assert all(d["code"] == "unreadable-file" and d["severity"] == "error" for d in by_file.values())
    assert "NUL" in by_file["binary.md"]["message"]
    assert "larger than 5 MB" in by_file["huge.md"]["message"]
    latin = by_file["latin1.md"]
    assert "not valid UTF-8" in latin["message"] and "0xe9" in latin["message"] and "line 3" in latin["message"]
    assert latin["range"]["start"] == {"line": 2, "character": 16}


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    target = _write(tmp_path, ".claude/agents/locked.md", GOOD)
    real_open = os.open

    def refuse(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if Path(path).name == "locked.md":  # (root reads files whatever their mode: refuse it here)
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(disk.os, "open", refuse)
    code, out, err = _run([str(target)], tmp_path, monkeypatch, capsys)
    assert code == 1
    assert err == ""
    assert out.startswith(
        ".claude/agents/locked.md:1:1: error unreadable-file Cannot read the file: Permission denied."
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """Opening a FIFO for reading waits for a writer, and reading it may never end: the one bounded
    reader refuses anything but a regular file before reading a byte."""
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    report = cli.check_file(fifo, "pipe.md", plugin=False)
    assert [(f.code, f.message) for f in report.findings] == [
        ("unreadable-file", "Cannot read the file: not a regular file.")
    ]


def test_the_reader_stops_one_byte_past_the_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, "big.md", b"x" * 10_000)
    raw, status = disk.read_bytes(path, 100)
    assert len(raw) == 101 and status.st_size == 10_000  # one byte more than the limit says "larger"
    assert disk.read_text(path, 100) is None and disk.read_text(path, 10_000) is not None


def test_file_at_the_size_limit_is_still_checked(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.md", GOOD + "x" * (cli.MAX_FILE_BYTES - len(GOOD)))
    assert path.stat().st_size == cli.MAX_FILE_BYTES
    report = cli.check_file(path, "a.md", plugin=False)
    assert [f.code for f in report.findings] == ["name-file-mismatch"]


# ---- as a subprocess -----------------------------------------------------------


def test_subprocess_text_output_and_exit_code(tmp_path: Path) -> None:
    _write(tmp_path, ".claude/agents/reviewer.md", WARN)
    _write(tmp_path, ".claude/agents/bad.md", ERROR.replace("reviewer", "bad"))
    result = _subprocess([], tmp_path)
    assert result.returncode == 1
    assert result.stderr == ""
    assert ".claude/agents/reviewer.md:4:14: warning unknown-tool" in result.stdout
    assert ".claude/agents/bad.md:1:1: error missing-description" in result.stdout
    assert result.stdout.splitlines()[-1] == "Checked 2 files: 1 error, 2 warnings."
    assert _subprocess(["--strict", ".claude/agents/reviewer.md"], tmp_path).returncode == 1


def test_subprocess_json_with_wide_characters(tmp_path: Path) -> None:
    _write(tmp_path, ".claude/agents/reviewer.md", WIDE)
    result = _subprocess(["--format", "json"], tmp_path)
    assert result.returncode == 0
    grpe = next(d for d in json.loads(result.stdout)["diagnostics"] if "Grpe" in d["message"])
    assert grpe["range"] == {"start": {"line": 3, "character": 13}, "end": {"line": 3, "character": 17}}


def test_subprocess_never_prints_a_traceback_on_bad_files(tmp_path: Path) -> None:
    _write(tmp_path, ".claude/agents/binary.md", bytes(range(256)))
    _write(tmp_path, ".claude/agents/bad-utf8.md", b"---\nname: \xff\xfe\n---\n")
    _write(
        tmp_path,
        ".claude/agents/surrogate.md",
        "---\nname: x\ndescription: \ud800\n---\n".encode("utf-8", "surrogatepass"),
    )
    _write(tmp_path, ".claude/agents/empty.md", b"")
    unreadable = _write(tmp_path, ".claude/agents/locked.md", GOOD)
    unreadable.chmod(0)
    try:
        results = [_subprocess(["--format", fmt], tmp_path) for fmt in ("text", "sarif")]
    finally:
        unreadable.chmod(0o644)
    for result in results:
        assert result.returncode == 1, result.stdout
        assert "Traceback" not in result.stderr + result.stdout
        assert result.stderr == ""
    text = results[0].stdout
    readable_by_root = os.geteuid() == 0
    assert text.count("unreadable-file") == 3 + (0 if readable_by_root else 1)  # binary, 2 bad UTF-8, locked
    assert ".claude/agents/surrogate.md:3:14: error unreadable-file" in text  # an encoded surrogate is not UTF-8
    assert ".claude/agents/empty.md:1:1: error no-frontmatter" in text
    assert json.loads(results[1].stdout)["version"] == "2.1.0"


def test_subprocess_usage_error(tmp_path: Path) -> None:
    result = _subprocess(["--format", "xml"], tmp_path)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_check_reads_skills_and_commands_with_their_own_schemas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json as _json

    from agent_lsp.check import run_check

    claude = tmp_path / ".claude"
    (claude / "skills" / "deploy").mkdir(parents=True)
    (claude / "commands").mkdir()
    (claude / "agents").mkdir()
    (claude / "skills" / "deploy" / "SKILL.md").write_text(
        "---\nname: deploy\ndescription: Deploys\ndisable-model-invocation: maybe\n---\nSteps\n", encoding="utf-8"
    )
    (claude / "commands" / "review.md").write_text("---\ndescription: Review\nname: x\n---\nDo it\n", encoding="utf-8")
    (claude / "agents" / "a.md").write_text("---\nname: a\ndescription: d\n---\nx\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# not checked\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = run_check([".claude", "--format", "json"])
    report = _json.loads(out.getvalue())
    assert status == 0 and report["files"] == 3
    found = {(Path(d["path"]).as_posix(), d["code"]) for d in report["diagnostics"]}
    # A skill's true/false field and a command's ignored `name` are judged by their own schemas,
    # which an agent check would have called unknown keys.
    assert found == {
        (".claude/skills/deploy/SKILL.md", "invalid-value"),
        (".claude/commands/review.md", "ignored-field"),
    }


# ---- hostile trees (issue 15, finding 10) -------------------------------------

FORGED = "x.md:1:1: error fake-code All good"


def test_a_file_name_with_a_newline_cannot_forge_a_text_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, f".claude/agents/a\n{FORGED}\r\x1b[2Kb.md", ERROR)
    code, out, _ = _run([".claude/agents"], tmp_path, monkeypatch, capsys)
    assert code == 1
    lines = out.splitlines()
    assert not any(line.startswith(FORGED) for line in lines)
    escaped = ".claude/agents/a\\x0ax.md:1:1: error fake-code All good\\x0d\\x1b[2Kb.md:"
    assert all(line.startswith(escaped) for line in lines[:-1])
    assert lines[-1].startswith("Checked 1 file:") and "\x1b" not in out


def test_a_file_name_with_a_newline_cannot_forge_a_github_annotation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, ".claude/agents/a\n::error file=x.md::forged\x1b.md", ERROR)
    code, out, _ = _run(["--format", "github", ".claude/agents"], tmp_path, monkeypatch, capsys)
    assert code == 1
    lines = out.split("\n")[:-1]
    assert lines and all(line.startswith("::") and " file=.claude/agents/a%0A" in line for line in lines)
    assert "\x1b" not in out


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak RSS from /proc")
def test_a_sparse_2_gb_file_is_not_read_into_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    with big.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: no disk space used
    # VmHWM: this process's own peak (ru_maxrss would count the forking parent's, inherited through exec).
    script = (
        "import sys\n"
        "from agent_lsp.check import run_check\n"
        "code = run_check(['big.md'])\n"
        "peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1]\n"
        "print('peak-kb', peak)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1, done.stderr
    assert "larger than 5 MB" in done.stdout and "Traceback" not in done.stderr
    peak_kb = int(done.stdout.rsplit("peak-kb", 1)[1])
    assert peak_kb < 300_000  # the whole file would be 2,000,000 KB


def test_a_file_linking_outside_the_checked_folder_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = _write(tmp_path, "outside/secret.md", "---\nname: x\nSECRET-Wombat-2231: 1\n---\n")
    _write(tmp_path, "repo/.claude/agents/good.md", GOOD)
    os.symlink(secret, tmp_path / "repo" / ".claude" / "agents" / "leak.md")
    code, out, err = _run([".claude/agents"], tmp_path / "repo", monkeypatch, capsys)
    assert code == 0
    assert "SECRET-Wombat-2231" not in out and "leak.md" not in out
    assert "skipped .claude/agents/leak.md: it links outside .claude/agents" in err
    assert "Checked 1 file" in out


def test_check_names_every_claude_code_file_it_did_not_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    _write(repo, ".claude/agents/reviewer.md", GOOD)
    _write(repo, "sub/.mcp.json", '{"mcpServers": {}}')  # read when Claude Code starts in sub/: checked
    _write(repo, ".claude/.mcp.json", '{"mcpServers": {}}')  # never read there
    outside = _write(tmp_path, "outside/settings.json", '{"SECRET-Wombat-2231": 1}')
    os.symlink(outside, repo / ".claude" / "settings.json")
    os.symlink(repo / "missing.json", repo / ".claude" / "settings.local.json")
    os.symlink(repo / "missing.md", repo / ".claude" / "agents" / "gone.md")
    _write(repo, ".vscode/settings.json", "{}")  # another tool's file: not Claude Code's, not mentioned
    _write(repo, "docs/notes.md", "# Notes\n")
    code, out, err = _run(["."], repo, monkeypatch, capsys)
    assert code == 0
    assert out == (
        "Checked 2 files (1 other Markdown file skipped: not agents, skills or commands; --all-markdown checks "
        "them; 4 files not checked, named on stderr): no problems.\n"
    )
    reasons = {
        os.path.join(".claude", ".mcp.json"): "Claude Code does not read a `.mcp.json` in this place",
        os.path.join(".claude", "settings.json"): "it links outside .",
        os.path.join(".claude", "settings.local.json"): "it is a link to nothing",
        os.path.join(".claude", "agents", "gone.md"): "it is a link to nothing",
    }
    for path, reason in reasons.items():
        assert f"agent-lsp check: skipped {path}: {reason}\n" in err
    assert "vscode" not in err and "SECRET-Wombat-2231" not in out + err
    code, out, _err = _run([".", "--format", "json"], repo, monkeypatch, capsys)
    report = json.loads(out)
    assert (report["files"], report["skipped"]) == (2, 5)
    assert {(f["path"], f["reason"]) for f in report["skippedFiles"]} == set(reasons.items())


def test_a_plugins_default_folder_its_manifest_replaces_is_named_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, "plug/.claude-plugin/plugin.json", '{"name": "plug", "agents": ["./custom/reviewer.md"]}')
    _write(tmp_path, "plug/custom/reviewer.md", GOOD)
    _write(tmp_path, "plug/agents/old.md", GOOD)  # would be a duplicate `reviewer`; Claude Code never loads it
    code, out, err = _run(["plug"], tmp_path, monkeypatch, capsys)
    assert code == 0
    assert out == "Checked 2 files (1 file not checked, named on stderr): no problems.\n"  # the manifest too
    path = os.path.join("plug", "agents", "old.md")
    assert f"skipped {path}: the plugin's manifest lists `agents`, which replaces the default `agents/` folder" in err

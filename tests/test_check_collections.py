"""`agent-lsp check` on real trees (issue 16): a folder holding several collections, kinds outside `.claude/`
and plugins, cross-file checks in a collection, and a reader that closes the pipe.

The tree below mimics four public collections side by side (their layouts, not their text):
- `studio/`: agents sorted into folders by topic, no `agents/` folder (contains-studio/agents);
- `awesome/`: an `agents/` folder with sub-folders two deep, docs beside it (awesome-claude-agents);
- `volt/`: `categories/NN-topic/` folders, each with a README and its agents (awesome-claude-code-subagents);
- `market/`: a marketplace whose plugins have no `plugin.json`: `plugins/<p>/agents`, `commands`, `skills`.
Each is a clone (it holds `.git`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent_lsp.check import run_check
from agent_lsp.features.analysis import AnalysisCache
from agent_lsp.project.index import build_index
from agent_lsp.project.paths import FileKind, Scope, document_kind, locate
from helpers_core import REAL_WORLD


def agent(name: str, extra: str = "") -> str:
    return f"---\nname: {name}\ndescription: Use for {name} work.\n{extra}---\nYou do {name} work.\n"


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def four_collections(top: Path) -> tuple[int, int]:
    """The tree; (files that are agents, skills or commands, other Markdown files)."""
    components = other = 0
    for clone in ("studio", "awesome", "volt", "market"):
        (top / clone / ".git").mkdir(parents=True)
        _write(top, f"{clone}/README.md", f"# {clone}\n\nInstall by copying the agents.\n")
        other += 1
    for topic in ("design", "engineering", "marketing", "bonus"):
        for n in range(3):
            _write(top, f"studio/{topic}/{topic}-{n}.md", agent(f"{topic}-{n}"))
            components += 1
    for rel in ("core/reviewer", "core/archaeologist", "universal/api-architect", "specialized/python/django-expert"):
        _write(top, f"awesome/agents/{rel}.md", agent(rel.rsplit("/", 1)[1]))
        components += 1
    for rel in ("docs/dependencies.md", "docs/creating-agents.md", "CONTRIBUTING.md"):
        _write(top, f"awesome/{rel}", "# Notes\n\nFor people.\n")
        other += 1
    for category in ("01-core-development", "02-language-specialists"):
        _write(top, f"volt/categories/{category}/README.md", f"# {category}\n")
        other += 1
        for n in range(4):
            _write(top, f"volt/categories/{category}/{category[3:]}-{n}.md", agent(f"{category[3:]}-{n}"))
            components += 1
    _write(top, "market/.claude-plugin/marketplace.json", '{"name": "market", "owner": {"name": "M"}, "plugins": []}')
    components += 1  # the marketplace manifest is checked too
    _write(top, "market/docs/usage.md", "---\ntitle: Usage\nlayout: page\n---\n# Usage\n")  # a docs page
    other += 1
    for plugin in ("git-tools", "python-dev"):
        _write(top, f"market/plugins/{plugin}/agents/{plugin}-helper.md", agent(f"{plugin}-helper"))
        _write(
            top, f"market/plugins/{plugin}/commands/{plugin}-go.md", "---\ndescription: Go.\n---\nDo it: $ARGUMENTS\n"
        )
        _write(top, f"market/plugins/{plugin}/commands/sub/{plugin}-more.md", "Run the tests.\n")
        _write(top, f"market/plugins/{plugin}/skills/{plugin}-style/SKILL.md", "---\ndescription: Style.\n---\nB\n")
        components += 4
    return components, other


def _run(
    args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = run_check([*args, "--user-dir", str(cwd / "no-user")])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_folder_of_four_collections_is_checked_whole_and_says_what_it_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    components, other = four_collections(tmp_path / "top")
    code, out, err = _run(["top"], tmp_path, monkeypatch, capsys)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        f"Checked {components} files ({other} other Markdown files skipped: not agents, skills or commands; "
        "--all-markdown checks them): no problems."
    )
    # Collection by collection: the same files.
    each = 0
    for clone in ("studio", "awesome", "volt", "market"):
        _code, out, _ = _run(["--format", "json", f"top/{clone}"], tmp_path, monkeypatch, capsys)
        each += json.loads(out)["files"]
    assert each == components
    _code, out, _ = _run(["--format", "json", "top"], tmp_path, monkeypatch, capsys)
    assert json.loads(out) == {"files": components, "skipped": other, "skippedFiles": [], "diagnostics": []}


def test_all_markdown_checks_the_skipped_files_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    components, other = four_collections(tmp_path / "top")
    code, out, _ = _run(["--all-markdown", "--format", "json", "top"], tmp_path, monkeypatch, capsys)
    report = json.loads(out)
    assert (report["files"], report["skipped"]) == (components + other, 0)
    assert code == 1  # notes read as agents have no frontmatter (READMEs are let off by the agent check itself)
    notes = {"usage.md", "creating-agents.md", "dependencies.md"}
    assert {Path(d["path"]).name for d in report["diagnostics"]} == notes


def test_kinds_outside_claude_and_plugins_come_from_skill_md_and_commands_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    four_collections(tmp_path / "top")
    market = tmp_path / "top" / "market" / "plugins" / "git-tools"
    # A command's frontmatter that an agent check would reject (no `name`, `argument-hint`): no errors.
    review = "---\nargument-hint: '[file]'\ndescription: Review a file.\nallowed-tools: Read, Grpe\n---\nReview $1\n"
    _write(market, "commands/review.md", review)
    code, out, _ = _run(["--format", "json", "top/market"], tmp_path, monkeypatch, capsys)
    found = [(Path(d["path"]).name, d["code"]) for d in json.loads(out)["diagnostics"]]
    assert found == [("review.md", "unknown-tool")]
    assert code == 0
    # The one classifier: the editor serves these files as the same kinds.
    assert document_kind(str(market / "commands" / "review.md")) == (FileKind.COMMAND, False)
    assert document_kind(str(market / "skills" / "git-tools-style" / "SKILL.md")) == (FileKind.SKILL, False)
    assert document_kind(str(market / "agents" / "git-tools-helper.md")) == (FileKind.AGENT, False)
    assert document_kind(str(market / "README.md")) == (None, False)
    cache = AnalysisCache()
    uri = (market / "commands" / "review.md").as_uri()
    assert cache.get(uri, 1, "---\ndescription: d\n---\nx\n").kind is FileKind.COMMAND


def test_a_skill_md_outside_a_skills_folder_is_a_skill_and_readmes_are_not_agents() -> None:
    assert document_kind("/r/pdf/SKILL.md") == (FileKind.SKILL, False)
    assert document_kind("/r/agents/README.md") == (None, False)
    memory = locate("/r/agents/CLAUDE.md")  # still a memory file, never an agent
    assert memory is not None and memory.kind is FileKind.MEMORY
    placement = locate("/r/plugins/p/skills/lint/SKILL.md")
    assert placement is not None and (placement.root, placement.skill_dir) == ("/r/plugins/p", "lint")
    # `.claude/` keeps its own layout: a skill's supporting file is still nothing.
    assert document_kind("/p/.claude/skills/lint/reference.md") == (None, False)


def test_a_checkout_below_an_agents_folder_is_not_a_collection(tmp_path: Path) -> None:
    project = tmp_path / "agents" / "project"
    (project / ".git").mkdir(parents=True)
    assert document_kind(str(project / "docs" / "notes.md")) == (None, False)
    assert document_kind(str(tmp_path / "agents" / "loose.md")) == (FileKind.AGENT, False)


def test_cross_file_checks_in_a_collection_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    four_collections(tmp_path / "top")
    market = tmp_path / "top" / "market" / "plugins" / "python-dev"
    _write(
        market,
        "agents/linter.md",
        agent(
            "linter",
            "skills: [python-dev-style, pyhton-dev-style]\ntools: Read, Agent(python-dev-helper), Agent(ghost)\n",
        ),
    )
    studio = tmp_path / "top" / "studio"
    _write(studio, "bonus/design-0.md", agent("design-0"))  # the name of studio/design/design-0.md
    _write(studio, "bonus/caller.md", agent("caller", "tools: Agent(engineering-1), Agent(enginering-2)\n"))
    code, out, _ = _run(["--format", "json", "top"], tmp_path, monkeypatch, capsys)
    found = sorted((Path(d["path"]).as_posix(), d["code"], d["message"]) for d in json.loads(out)["diagnostics"])
    codes = [(path.split("top/", 1)[-1], c) for path, c, _ in found]
    assert codes == [
        ("market/plugins/python-dev/agents/linter.md", "unknown-agent-type"),
        ("market/plugins/python-dev/agents/linter.md", "unknown-skill"),
        ("studio/bonus/caller.md", "unknown-agent-type"),
        ("studio/bonus/design-0.md", "duplicate-agent-name"),
        ("studio/design/design-0.md", "duplicate-agent-name"),
    ]
    messages = " ".join(m for _p, _c, m in found)
    assert "`ghost`" in messages and "Did you mean `python-dev-style`?" in messages
    assert "Did you mean `engineering-2`?" in messages
    assert code == 0  # all warnings


def test_the_server_index_finds_a_collection_as_the_cli_does(tmp_path: Path) -> None:
    four_collections(tmp_path / "top")
    index = build_index([tmp_path / "top" / "market"], None)
    kinds = sorted((e.kind.value, Path(e.path).name) for e in index.files())
    assert kinds == [
        ("agent", "git-tools-helper.md"),
        ("agent", "python-dev-helper.md"),
        ("command", "git-tools-go.md"),
        ("command", "git-tools-more.md"),
        ("command", "python-dev-go.md"),
        ("command", "python-dev-more.md"),
        ("skill", "SKILL.md"),
        ("skill", "SKILL.md"),
    ]
    assert all(e.scope is Scope.PROJECT for e in index.files())


def test_a_reader_that_closes_the_pipe_gets_no_traceback(tmp_path: Path) -> None:
    """`agent-lsp check --format sarif … | head`: the output is far larger than a pipe holds."""
    for n in range(150):
        _write(tmp_path, f".claude/agents/a{n}.md", agent(f"a{n}", "tools: Grpe, Wrte, Bash(git:*)\ncolor: gold\n"))
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "AGENT_LSP_JOBS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent_lsp", "check", "--format", "sarif", ".claude/agents"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    head = [proc.stdout.readline() for _ in range(10)]
    proc.stdout.close()  # what `head` does after its lines
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert head[0].strip() == b"{"
    assert err == ""
    assert code == 141


@pytest.mark.skipif(not REAL_WORLD.is_dir(), reason="../shared/fixtures/real-world is not present")
def test_the_two_real_collections_side_by_side_are_checked_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One collection sorted by topic, one with `agents/`: main checked only the second (33 of 65 files)."""
    # Resolved: the shared folder may be reached through a link, and the report's paths are relative to the
    # working directory, which the system gives resolved.
    real_world = REAL_WORLD.resolve()
    agents = sorted(p for p in real_world.rglob("*.md") if p.name != "README.md")
    _code, out, _ = _run(["--format", "json", "--no-cross-file", str(real_world)], real_world, monkeypatch, capsys)
    report = json.loads(out)
    assert (report["files"], report["skipped"]) == (len(agents), 1)
    assert {Path(d["path"]).parts[0] for d in report["diagnostics"]} == {
        "awesome-claude-agents",
        "contains-studio-agents",
    }


@pytest.mark.parametrize("in_workers", [False, True])
def test_the_entries_the_checks_make_are_the_ones_the_index_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_workers: bool
) -> None:
    """`check_for_cli` makes each Markdown file's cross-file entry from the parse its checks used: the
    same entry, placement (a loose collection's included) and digest as the index's own read."""
    from agent_lsp import check as cli
    from agent_lsp.project.entry import IndexedFile
    from agent_lsp.project.index import read_entries

    four_collections(tmp_path / "top")
    _write(tmp_path, "top/proj/.claude/agents/helper.md", agent("helper", "skills: proj-style\n"))
    _write(tmp_path, "top/proj/.claude/skills/proj-style/SKILL.md", "---\ndescription: Style.\n---\nB\n")
    _write(tmp_path, "top/proj/CLAUDE.md", "See @docs/notes.md.\n")
    if in_workers:  # forked workers, which inherit the placements rather than receive them
        monkeypatch.setattr(cli, "PARALLEL_MIN_FILES", 2)
        monkeypatch.setattr(cli, "CHUNK_FILES", 3)
        monkeypatch.setenv("AGENT_LSP_JOBS", "2")
    found = cli.find_files([str(tmp_path / "top")])
    jobs = [(path, str(path), plugin, kind) for path, plugin, kind in found.files]
    user = tmp_path / "no-user"
    reports, premade = cli.check_for_cli(jobs, user, found.loose, entries=True)
    markdown = {os.path.realpath(path) for path, _plugin, kind in found.files if kind not in ("plugin", "marketplace")}
    assert [r.real for r in reports] == [os.path.realpath(path) for path, _, _ in found.files]
    assert set(premade) == markdown and any(path in found.loose for path in premade)
    slots = [s for s in IndexedFile.__slots__ if s not in ("_owner", "_text", "_lines")]
    for path, (entry, stamp, digest) in premade.items():
        placement = found.loose.get(path) or locate(path, user)
        assert entry.placement == placement
        ((fresh, fresh_stamp, fresh_digest),) = [read for read in read_entries([(path, placement)]) if read]
        assert (stamp, digest) == (fresh_stamp, fresh_digest)
        assert [getattr(entry, s) for s in slots] == [getattr(fresh, s) for s in slots], path
    # Without cross-file checks no entry is made.
    assert cli.check_for_cli(jobs, user, found.loose, entries=False)[1] == {}

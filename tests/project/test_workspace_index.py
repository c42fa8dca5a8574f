"""The workspace index and the cross-file findings, on the sample workspace (tests/workspace_sample)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent_lsp.check import run_check
from agent_lsp.checks.crossfile import crossfile_findings, entry_findings
from agent_lsp.checks.rules import RULES, Severity
from agent_lsp.project.index import WorkspaceIndex, build_index
from agent_lsp.project.paths import FileKind, Scope, locate
from agent_lsp.project.references import RefKind
from agent_lsp.syntax.frontmatter import parse_agent


def _rel(sample: Path, path: str) -> str:
    return Path(path).relative_to(sample).as_posix()


def _findings(index: WorkspaceIndex, sample: Path) -> set[tuple[str, str, str]]:
    """(file, code, the text the finding covers) for every indexed file."""
    found = set()
    for entry in index.files():
        for f in entry_findings(entry, index):
            found.add((_rel(sample, entry.path), f.code, entry.text[f.span.start : f.span.end]))
    return found


def test_every_agent_skill_command_and_memory_file_is_indexed(index: WorkspaceIndex, sample: Path) -> None:
    got = {(e.kind.value, e.scope.value, e.qualified_name, _rel(sample, e.path)) for e in index.files()}
    assert got == {
        ("agent", "project", "reviewer", "project/.claude/agents/reviewer.md"),
        ("agent", "project", "lead", "project/.claude/agents/lead.md"),
        ("agent", "project", "tester", "project/.claude/agents/tester.md"),
        ("agent", "project", "tester", "project/.claude/agents/review/tester.md"),
        ("agent", "project", "helper", "project/.claude/agents/helper.md"),
        ("skill", "project", "api-conventions", "project/.claude/skills/api-conventions/SKILL.md"),
        ("skill", "project", "deploy", "project/.claude/skills/deploy/SKILL.md"),
        ("command", "project", "release", "project/.claude/commands/release.md"),
        ("command", "project", "test", "project/.claude/commands/frontend/test.md"),
        ("agent", "plugin", "acme:security", "project/plugins/acme/agents/security.md"),
        ("skill", "plugin", "acme:audit", "project/plugins/acme/skills/audit/SKILL.md"),
        ("memory", "project", None, "project/CLAUDE.md"),
        ("agent", "user", "helper", "home/.claude/agents/helper.md"),
        ("agent", "user", "personal", "home/.claude/agents/personal.md"),
        ("skill", "user", "summarize", "home/.claude/skills/summarize/SKILL.md"),
        ("command", "user", "standup", "home/.claude/commands/standup.md"),
    }
    skill = index.named(FileKind.SKILL, "api-conventions")[0]
    assert skill.description == "The team's API conventions. Use when writing endpoints."


def test_references_carry_exact_spans(index: WorkspaceIndex, sample: Path) -> None:
    lead = index.get(str(sample / "project/.claude/agents/lead.md"))
    assert lead is not None
    refs = [(r.kind, r.name, r.how, lead.text[r.span.start : r.span.end]) for r in lead.references]
    assert refs == [
        (RefKind.AGENT, "reviewer", "tools", "reviewer"),
        (RefKind.AGENT, "ghost", "tools", "ghost"),
        (RefKind.AGENT, "Explore", "tools", "Explore"),
        (RefKind.SKILL, "deploy", "skills", "deploy"),
        (RefKind.AGENT, "reviewer", "mention", "reviewer"),
        (RefKind.AGENT, "Explore", "subagent_type", "Explore"),
        (RefKind.AGENT, "acme:security", "mention", "acme:security"),
    ]
    memory = index.get(str(sample / "project/CLAUDE.md"))
    assert memory is not None and [r.name for r in memory.references] == ["reviewer", "lead"]


def test_the_sample_workspace_findings(index: WorkspaceIndex, sample: Path) -> None:
    assert _findings(index, sample) == {
        ("project/.claude/agents/reviewer.md", "unknown-skill", "style-guide"),
        ("project/.claude/agents/reviewer.md", "unknown-mcp-server", "jira"),
        ("project/.claude/agents/reviewer.md", "unknown-mcp-server", "my_db"),  # the server is `my-db`
        ("project/.claude/agents/lead.md", "unknown-agent-type", "ghost"),
        ("project/.claude/agents/tester.md", "duplicate-agent-name", "tester"),
        ("project/.claude/agents/review/tester.md", "duplicate-agent-name", "tester"),
        ("project/.claude/agents/helper.md", "agent-shadowed", "helper"),
        ("home/.claude/agents/helper.md", "agent-shadowed", "helper"),
    }


def test_messages_say_which_file_and_severities_follow_the_rules(index: WorkspaceIndex, sample: Path) -> None:
    tester = index.get(str(sample / "project/.claude/agents/tester.md"))
    assert tester is not None
    (duplicate,) = entry_findings(tester, index)
    assert "`.claude/agents/review/tester.md`" in duplicate.message and "ambiguous" in duplicate.message
    assert duplicate.severity is Severity.WARNING
    helper = index.get(str(sample / "project/.claude/agents/helper.md"))
    assert helper is not None
    (shadow,) = entry_findings(helper, index)
    assert "`~/.claude/agents/helper.md`" in shadow.message and shadow.severity is Severity.INFORMATION
    reviewer = index.get(str(sample / "project/.claude/agents/reviewer.md"))
    assert reviewer is not None
    by_code = {f.code: f for f in entry_findings(reviewer, index)}
    assert by_code["unknown-mcp-server"].severity is Severity.INFORMATION
    for code in ("duplicate-agent-name", "agent-shadowed", "unknown-skill", "unknown-agent-type", "unknown-mcp-server"):
        assert code in RULES


def test_builtins_bundled_skills_inline_servers_and_foreign_plugins_are_known(sample: Path) -> None:
    path = sample / "project/.claude/agents/extra.md"
    text = (
        "---\nname: extra\ndescription: Uses built-ins.\n"
        "tools: Agent(Explore, Plan, general-purpose, claude-code-guide, other-plugin:agent), mcp__local__run\n"
        "skills: [code-review, other-plugin:skill, release, acme:audit]\n"
        "mcpServers:\n  - local:\n      command: run-local\n---\nBody.\n"
    )
    path.write_text(text, encoding="utf-8")
    index = build_index([sample / "project"], None)
    assert crossfile_findings(parse_agent(text), str(path), index) == []


def test_suggestions_for_typos(sample: Path) -> None:
    path = sample / "project/.claude/agents/typo.md"
    text = "---\nname: typo\ndescription: Typos.\ntools: Agent(reviewr), mcp__githb\nskills: [api-convention]\n---\n"
    path.write_text(text, encoding="utf-8")
    index = build_index([sample / "project"], None)
    found = {f.code: f.data.get("replacement") for f in crossfile_findings(parse_agent(text), str(path), index)}
    assert found == {
        "unknown-agent-type": "reviewer",
        "unknown-mcp-server": "github",
        "unknown-skill": "api-conventions",
    }


def test_overlays_follow_the_editor_and_changes_bump_the_generation(index: WorkspaceIndex, sample: Path) -> None:
    path = str(sample / "project/.claude/agents/review/tester.md")
    before = index.generation
    text = Path(path).read_text(encoding="utf-8").replace("name: tester", "name: old-tester")
    assert index.set_overlay(path, text) is True
    assert index.generation > before
    assert ("project/.claude/agents/tester.md", "duplicate-agent-name", "tester") not in _findings(index, sample)
    assert index.set_overlay(path, text) is False  # same text: nothing to do
    assert index.set_overlay(path, text + "More body.\n") is False  # the body changes nothing others see
    index.clear_overlay(path)  # closed unsaved: back to the disk text
    assert index.named(FileKind.AGENT, "tester")[1:]


def test_refresh_and_remove_follow_the_disk(index: WorkspaceIndex, sample: Path) -> None:
    skill = sample / "project/.claude/skills/style-guide/SKILL.md"
    skill.parent.mkdir()
    skill.write_text("---\ndescription: House style.\n---\nWrite well.\n", encoding="utf-8")
    assert index.refresh(skill) is True
    assert not any(code == "unknown-skill" for _, code, _ in _findings(index, sample))
    shutil.rmtree(skill.parent)
    assert index.remove(skill.parent) is True
    assert index.named(FileKind.SKILL, "style-guide") == []
    # A new folder of agents, reported as one created folder.
    extra = sample / "project/.claude/agents/more"
    extra.mkdir()
    (extra / "ghost.md").write_text("---\nname: ghost\ndescription: Boo.\n---\nBoo.\n", encoding="utf-8")
    assert index.refresh(extra) is True
    assert not any(code == "unknown-agent-type" for _, code, _ in _findings(index, sample))
    # .mcp.json edits are seen.
    (sample / "project/.mcp.json").write_text('{"mcpServers": {"jira": {}, "github": {}, "my_db": {}}}')
    index.refresh(sample / "project/.mcp.json")
    assert not any(code == "unknown-mcp-server" for _, code, _ in _findings(index, sample))


def test_locate_knows_each_layout(sample: Path) -> None:
    user = sample / "home" / ".claude"
    place = locate(sample / "project/plugins/acme/agents/security.md", user)
    assert place is not None and place.scope is Scope.PLUGIN and place.plugin == "acme"
    place = locate(user / "agents/helper.md", user)
    assert place is not None and place.scope is Scope.USER and place.kind is FileKind.AGENT
    assert locate(sample / "project/.claude/skills/deploy/reference.md", user) is None
    assert locate(sample / "project/README.md", user) is None


def test_walk_skips_dependency_folders(sample: Path) -> None:
    hidden = sample / "project/node_modules/pkg/.claude/agents"
    hidden.mkdir(parents=True)
    (hidden / "x.md").write_text("---\nname: x\ndescription: X.\n---\nX.\n", encoding="utf-8")
    index = build_index([sample / "project"], None)
    assert index.named(FileKind.AGENT, "x") == []


def test_crlf_files_keep_their_offsets(sample: Path) -> None:
    path = sample / "project/.claude/agents/crlf.md"
    path.write_bytes(b"---\r\nname: crlf\r\ndescription: CRLF.\r\nskills: [nope]\r\n---\r\nBody.\r\n")
    index = build_index([sample / "project"], None)
    entry = index.get(str(path))
    assert entry is not None
    (finding,) = entry_findings(entry, index)
    assert entry.text[finding.span.start : finding.span.end] == "nope"


def test_check_reports_cross_file_findings(
    sample: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(sample / "project")
    code = run_check(["--user-dir", str(sample / "home" / ".claude")])
    out = capsys.readouterr().out
    assert code == 0  # warnings and information only
    assert ".claude/agents/reviewer.md:7:5: warning unknown-skill No skill named `style-guide`" in out
    assert ".claude/agents/lead.md:4:24: warning unknown-agent-type" in out
    assert ".claude/agents/helper.md:2:7: information agent-shadowed" in out
    assert out.count("duplicate-agent-name") == 2
    assert run_check(["--strict", "--user-dir", str(sample / "home" / ".claude")]) == 1
    capsys.readouterr()
    run_check(["--no-cross-file"])
    assert capsys.readouterr().out == "Checked 5 files: no problems.\n"


def test_a_link_out_of_the_workspace_is_not_read(sample: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("---\nname: secret\ndescription: Not yours.\n---\nSecret.\n", encoding="utf-8")
    (sample / "project/.claude/agents/link.md").symlink_to(outside)
    index = build_index([sample / "project"], None)
    assert index.named(FileKind.AGENT, "secret") == []
    assert index.named(FileKind.AGENT, "reviewer")


def test_a_name_held_by_one_file_then_two_then_one_again_is_looked_up_right(tmp_path: Path) -> None:
    # The index keeps a name held by one file as that entry, and as a table only once two files hold it
    # (a table per name cost ~4 MB at 10,000 agents): every change of holders must read back the same.
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)

    def write(stem: str, name: str, mentions: str = "") -> str:
        path = agents / f"{stem}.md"
        path.write_text(f"---\nname: {name}\ndescription: d\nskills: [{mentions}]\n---\nbody\n", encoding="utf-8")
        return str(path)

    first = write("a", "twin", "helper")
    index = build_index([tmp_path])
    assert [e.path for e in index.named(FileKind.AGENT, "twin")] == [first]
    assert [e.path for e, _ in index.references_to(RefKind.SKILL, "helper")] == [first]
    second = write("b", "twin", "helper")
    index.refresh(second)
    assert sorted(e.path for e in index.named(FileKind.AGENT, "twin")) == sorted([first, second])
    assert [e.path for e, _ in index.references_to(RefKind.SKILL, "helper")] == sorted([first, second])
    index.refresh(second)  # the same file again: still two holders, not three
    assert len(index.named(FileKind.AGENT, "twin")) == 2
    Path(first).unlink()
    index.remove(first)
    assert [e.path for e in index.named(FileKind.AGENT, "twin")] == [second]
    assert [e.path for e, _ in index.references_to(RefKind.SKILL, "helper")] == [second]
    assert "twin" in index.names(FileKind.AGENT)
    write("b", "renamed")
    index.refresh(second)
    assert index.named(FileKind.AGENT, "twin") == []
    assert index.references_to(RefKind.SKILL, "helper") == []
    assert "twin" not in index.names(FileKind.AGENT) and "renamed" in index.names(FileKind.AGENT)

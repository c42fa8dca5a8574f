"""Definition, references, rename and workspace symbols over the sample workspace, without LSP."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_lsp.features import navigation
from agent_lsp.project.entry import IndexedFile
from agent_lsp.project.index import WorkspaceIndex
from agent_lsp.project.references import RefKind


def _entry(index: WorkspaceIndex, sample: Path, rel: str) -> IndexedFile:
    entry = index.get(str(sample / rel))
    assert entry is not None, rel
    return entry


def _at(entry: IndexedFile, needle: str, nth: int = 0) -> int:
    """The offset of the `nth` occurrence of `needle`, one character in."""
    start = -1
    for _ in range(nth + 1):
        start = entry.text.index(needle, start + 1)
    return start + 1


def _rel(sample: Path, entry: IndexedFile) -> str:
    return Path(entry.path).relative_to(sample).as_posix()


def _definition(index: WorkspaceIndex, sample: Path, entry: IndexedFile, offset: int) -> list[str]:
    symbol = navigation.symbol_at(entry, offset)
    assert symbol is not None
    return [_rel(sample, t) for t in navigation.definitions(index, entry, symbol)]


def test_definition_of_an_agent_tool_entry_a_skill_and_mentions(index: WorkspaceIndex, sample: Path) -> None:
    lead = _entry(index, sample, "project/.claude/agents/lead.md")
    assert _definition(index, sample, lead, _at(lead, "reviewer")) == ["project/.claude/agents/reviewer.md"]
    assert _definition(index, sample, lead, _at(lead, "deploy")) == ["project/.claude/skills/deploy/SKILL.md"]
    assert _definition(index, sample, lead, _at(lead, "@agent-reviewer") + 7) == ["project/.claude/agents/reviewer.md"]
    assert _definition(index, sample, lead, _at(lead, "acme:security")) == ["project/plugins/acme/agents/security.md"]
    assert _definition(index, sample, lead, _at(lead, "ghost")) == []  # unknown: nowhere to go
    memory = _entry(index, sample, "project/CLAUDE.md")
    assert _definition(index, sample, memory, _at(memory, "agent-lead") + 6) == ["project/.claude/agents/lead.md"]
    target = index.get(str(sample / "project/.claude/agents/reviewer.md"))
    assert target is not None and target.text[navigation.definition_span(target).start :].startswith("reviewer")


def test_definition_follows_precedence(index: WorkspaceIndex, sample: Path) -> None:
    # From the user's own agent, `helper` is the user's; from the project, the project's.
    personal = _entry(index, sample, "home/.claude/agents/personal.md")
    assert _definition(index, sample, personal, _at(personal, "helper")) == ["home/.claude/agents/helper.md"]
    assert _definition(index, sample, personal, _at(personal, "summarize")) == [
        "home/.claude/skills/summarize/SKILL.md"
    ]
    # A duplicate name gives both files: the ambiguity is the point.
    reviewer = _entry(index, sample, "project/.claude/agents/reviewer.md")
    assert _definition(index, sample, reviewer, _at(reviewer, "@agent-tester") + 7) == [
        "project/.claude/agents/review/tester.md",
        "project/.claude/agents/tester.md",
    ]


def test_nothing_under_the_cursor(index: WorkspaceIndex, sample: Path) -> None:
    lead = _entry(index, sample, "project/.claude/agents/lead.md")
    assert navigation.symbol_at(lead, _at(lead, "description")) is None
    assert navigation.symbol_at(lead, _at(lead, "Read")) is None


def test_references_of_an_agent_from_its_name_and_from_a_reference(index: WorkspaceIndex, sample: Path) -> None:
    reviewer = _entry(index, sample, "project/.claude/agents/reviewer.md")
    symbol = navigation.symbol_at(reviewer, _at(reviewer, "reviewer"))
    assert symbol is not None and symbol.declaration and symbol.kind is RefKind.AGENT
    found = [
        (_rel(sample, o.entry), o.entry.text[o.span.start : o.span.end], o.declaration)
        for o in navigation.references(index, reviewer, symbol)
    ]
    assert found == [
        ("project/.claude/agents/lead.md", "reviewer", False),  # Agent(reviewer, ...)
        ("project/.claude/agents/lead.md", "reviewer", False),  # @agent-reviewer
        ("project/.claude/agents/reviewer.md", "reviewer", True),
        ("project/.claude/commands/release.md", "reviewer", False),
        ("project/.claude/skills/deploy/SKILL.md", "reviewer", False),
        ("project/CLAUDE.md", "reviewer", False),
    ]
    memory = _entry(index, sample, "project/CLAUDE.md")
    from_mention = navigation.symbol_at(memory, _at(memory, "agent-reviewer") + 6)
    assert from_mention is not None
    without = navigation.references(index, memory, from_mention, include_declaration=False)
    assert len(without) == 5 and not any(o.declaration for o in without)


def test_references_respect_scopes(index: WorkspaceIndex, sample: Path) -> None:
    helper = _entry(index, sample, "home/.claude/agents/helper.md")
    symbol = navigation.symbol_at(helper, _at(helper, "helper"))
    assert symbol is not None
    found = {_rel(sample, o.entry) for o in navigation.references(index, helper, symbol)}
    assert found == {"home/.claude/agents/helper.md", "home/.claude/agents/personal.md"}
    project_helper = _entry(index, sample, "project/.claude/agents/helper.md")
    symbol = navigation.symbol_at(project_helper, _at(project_helper, "helper"))
    assert symbol is not None
    assert {_rel(sample, o.entry) for o in navigation.references(index, project_helper, symbol)} == {
        "project/.claude/agents/helper.md"
    }


def test_rename_an_agent_everywhere_and_its_file(index: WorkspaceIndex, sample: Path) -> None:
    lead = _entry(index, sample, "project/.claude/agents/lead.md")
    offset = _at(lead, "reviewer")
    prepared = navigation.prepare_rename(index, lead, offset)
    assert prepared is not None and prepared.name == "reviewer"
    plan = navigation.rename(index, lead, offset, "code-reviewer")
    edited = {}
    for path, edits in plan.edits.items():
        text = Path(path).read_text(encoding="utf-8")
        for span, new in sorted(edits, key=lambda e: -e[0].start):
            assert text[span.start : span.end] == "reviewer"
            text = text[: span.start] + new + text[span.end :]
        edited[Path(path).relative_to(sample).as_posix()] = text
    assert set(edited) == {
        "project/.claude/agents/lead.md",
        "project/.claude/agents/reviewer.md",
        "project/.claude/commands/release.md",
        "project/.claude/skills/deploy/SKILL.md",
        "project/CLAUDE.md",
    }
    assert "tools: Agent(code-reviewer, ghost)" in edited["project/.claude/agents/lead.md"]
    assert "@agent-code-reviewer" in edited["project/CLAUDE.md"]
    assert "name: code-reviewer\n" in edited["project/.claude/agents/reviewer.md"]
    assert [(Path(a).name, Path(b).name) for a, b in plan.file_renames] == [("reviewer.md", "code-reviewer.md")]
    assert navigation.rename(index, lead, offset, "code-reviewer", rename_files=False).file_renames == []


def test_rename_a_plugin_agent_keeps_its_prefix(index: WorkspaceIndex, sample: Path) -> None:
    lead = _entry(index, sample, "project/.claude/agents/lead.md")
    plan = navigation.rename(index, lead, _at(lead, "acme:security") + 6, "auditor")
    texts = {Path(p).name: [new for _, new in edits] for p, edits in plan.edits.items()}
    assert texts == {"lead.md": ["acme:auditor"], "security.md": ["auditor"]}


@pytest.mark.parametrize("bad", ["", "two words", "a:b", "-x", "true", "123", "naïve"])
def test_rename_refuses_bad_names(index: WorkspaceIndex, sample: Path, bad: str) -> None:
    lead = _entry(index, sample, "project/.claude/agents/lead.md")
    with pytest.raises(navigation.RenameError):
        navigation.rename(index, lead, _at(lead, "reviewer"), bad)


def test_rename_refuses_a_taken_name_and_built_in_types(index: WorkspaceIndex, sample: Path) -> None:
    lead = _entry(index, sample, "project/.claude/agents/lead.md")
    with pytest.raises(navigation.RenameError, match="already exists"):
        navigation.rename(index, lead, _at(lead, "reviewer"), "tester")
    assert navigation.prepare_rename(index, lead, _at(lead, "Explore")) is None
    assert navigation.prepare_rename(index, lead, _at(lead, "deploy")) is None  # skills are not renamed here


def test_workspace_symbols(index: WorkspaceIndex) -> None:
    every = [(e.kind.value, e.qualified_name) for e in navigation.workspace_symbols(index, "")]
    assert len(every) == 15 and every[0][0] == "agent" and every[-1][0] == "command"
    assert [e.qualified_name for e in navigation.workspace_symbols(index, "rvw")] == ["reviewer"]
    assert {e.qualified_name for e in navigation.workspace_symbols(index, "SEC")} == {"acme:security"}


def test_an_unindexed_markdown_file_still_navigates(index: WorkspaceIndex, sample: Path) -> None:
    path = str(sample / "project/docs/notes.md")
    entry = navigation.document_entry(index, path, "Ask @agent-lead.\n")
    assert entry is not None
    symbol = navigation.symbol_at(entry, 12)
    assert symbol is not None and symbol.name == "lead"
    assert [Path(t.path).name for t in navigation.definitions(index, entry, symbol)] == ["lead.md"]
    found = navigation.references(index, entry, symbol, include_declaration=False)
    assert path in {o.entry.path for o in found}

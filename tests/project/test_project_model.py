"""One project model: diagnostics, completion, hover, navigation and the architect's agent list all ask
the same workspace index, so they agree on which skills and agents exist (user-level ones included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from agent_lsp.architect.agents import discover_agents
from agent_lsp.checks.crossfile import crossfile_findings
from agent_lsp.features import navigation
from agent_lsp.features.complete import CompletionOptions, complete
from agent_lsp.features.hover import hover
from agent_lsp.project.index import ProjectView, WorkspaceIndex
from agent_lsp.project.paths import FileKind
from agent_lsp.project.references import RefKind
from agent_lsp.syntax.frontmatter import parse_agent
from agent_lsp.syntax.text import PositionMapper

AGENT = (
    "---\nname: lead\ndescription: Leads.\n"
    "tools: Read, Agent(user-agent)\n"
    "skills: [user-skill]\n"
    "---\nAsk @agent-user-agent.\n"
)


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[WorkspaceIndex, Path]:
    """A project with one agent, and a user folder holding one skill and one agent of its own."""
    user = tmp_path / "home" / ".claude"
    (user / "skills" / "user-skill").mkdir(parents=True)
    (user / "skills" / "user-skill" / "SKILL.md").write_text("---\ndescription: The user's own skill.\n---\nDo.\n")
    (user / "agents").mkdir()
    (user / "agents" / "user-agent.md").write_text("---\nname: user-agent\ndescription: The user's agent.\n---\nB\n")
    project = tmp_path / "project"
    (project / ".claude" / "agents").mkdir(parents=True)
    lead = project / ".claude" / "agents" / "lead.md"
    lead.write_text(AGENT)
    index = WorkspaceIndex([project], user)
    index.scan()
    return index, lead


def _complete(index: WorkspaceIndex, path: Path, marked: str) -> dict[str, types.CompletionItem]:
    offset = marked.index("|")
    parsed = parse_agent(marked[:offset] + marked[offset + 1 :])
    mapper = PositionMapper(parsed.index)
    result = complete(parsed, offset, mapper, CompletionOptions(), project=ProjectView(index, str(path)))
    return {item.label: item for item in result.items}


def _hover(index: WorkspaceIndex, path: Path, text: str, needle: str) -> str | None:
    parsed = parse_agent(text)
    offset = text.index(needle) + 2
    found = hover(parsed, offset, PositionMapper(parsed.index), project=ProjectView(index, str(path)))
    if found is None:
        return None
    assert isinstance(found.contents, types.MarkupContent)
    return found.contents.value


def test_a_user_skill_and_agent_are_not_flagged(workspace: tuple[WorkspaceIndex, Path]) -> None:
    index, lead = workspace
    codes = [f.code for f in crossfile_findings(parse_agent(AGENT), str(lead), index)]
    assert "unknown-skill" not in codes and "unknown-agent-type" not in codes
    ghost = AGENT.replace("skills: [user-skill]", "skills: [ghost-skill]")
    assert "unknown-skill" in [f.code for f in crossfile_findings(parse_agent(ghost), str(lead), index)]


def test_completion_offers_the_user_skill_and_agent_with_their_descriptions(
    workspace: tuple[WorkspaceIndex, Path],
) -> None:
    index, lead = workspace
    skills = _complete(index, lead, "---\nname: lead\nskills:\n  - |\n---\n")
    assert set(skills) == {"user-skill"}
    assert skills["user-skill"].detail == "The user's own skill."
    agents = _complete(index, lead, "---\nname: lead\ntools: Agent(|\n---\n")
    assert "user-agent" in agents and agents["user-agent"].detail == "The user's agent."


def test_hover_on_the_user_skill_and_agent_shows_their_descriptions(workspace: tuple[WorkspaceIndex, Path]) -> None:
    index, lead = workspace
    skill = _hover(index, lead, AGENT, "user-skill")
    assert skill is not None and "The user's own skill." in skill and "user skill" in skill
    agent = _hover(index, lead, AGENT, "user-agent)")
    assert agent is not None and "The user's agent." in agent
    assert _hover(index, lead, AGENT.replace("user-skill", "ghost-skill"), "ghost-skill") is None


def test_hover_names_what_go_to_definition_finds(workspace: tuple[WorkspaceIndex, Path]) -> None:
    """Hover and go-to-definition read the same name under the cursor and resolve it the same way."""
    index, lead = workspace
    entry = index.get(str(lead))
    assert entry is not None
    for needle in ("user-skill", "user-agent)"):
        offset = AGENT.index(needle) + 2
        symbol = navigation.symbol_at(entry, offset)
        assert symbol is not None
        (target,) = navigation.definitions(index, entry, symbol)
        shown = _hover(index, lead, AGENT, needle)
        assert shown is not None and target.description in shown and Path(target.path).name in shown


def test_the_architect_lists_the_index_agents(workspace: tuple[WorkspaceIndex, Path]) -> None:
    index, _lead = workspace
    assert [a.name for a in discover_agents(index)] == ["lead", "user-agent"]


def test_visible_names_follow_claude_codes_precedence(tmp_path: Path) -> None:
    """Seen from a project, its own agent wins over the user's of the same name, and the user's skill
    wins over the project's (personal overrides project); each name is offered once."""
    user = tmp_path / "home" / ".claude"
    project = tmp_path / "project"
    for base, who in ((user, "user"), (project / ".claude", "project")):
        (base / "agents").mkdir(parents=True)
        (base / "agents" / "helper.md").write_text(f"---\nname: helper\ndescription: The {who}'s helper.\n---\nB\n")
        (base / "skills" / "style").mkdir(parents=True)
        (base / "skills" / "style" / "SKILL.md").write_text(f"---\ndescription: The {who}'s style.\n---\nB\n")
    index = WorkspaceIndex([project], user)
    index.scan()
    view = ProjectView(index, str(project / ".claude" / "agents" / "doc.md"))
    agents, every_agent = view.named(FileKind.AGENT)
    skills, every_skill = view.named(FileKind.SKILL)
    assert [(a.qualified_name, a.description) for a in agents] == [("helper", "The project's helper.")]
    assert [(s.qualified_name, s.description) for s in skills] == [("style", "The user's style.")]
    assert every_agent and every_skill
    helper = view.definition(RefKind.AGENT, "helper")
    assert helper is not None and helper.scope.value == "project"


def test_name_lookups_follow_renames_and_removals(workspace: tuple[WorkspaceIndex, Path]) -> None:
    index, lead = workspace
    assert [e.path for e in index.named(FileKind.AGENT, "lead")] == [str(lead)]
    index.set_overlay(str(lead), AGENT.replace("name: lead", "name: chief"))
    assert index.named(FileKind.AGENT, "lead") == []
    assert [e.path for e in index.named(FileKind.AGENT, "chief")] == [str(lead)]
    assert {e.qualified_name for e in index.files(FileKind.AGENT)} == {"chief", "user-agent"}
    index.set_overlay(str(lead), AGENT)
    lead.unlink()
    index.clear_overlay(str(lead))
    assert index.named(FileKind.AGENT, "lead") == [] and index.named(FileKind.AGENT, "chief") == []
    assert [e.qualified_name for e in index.files(FileKind.AGENT)] == ["user-agent"]

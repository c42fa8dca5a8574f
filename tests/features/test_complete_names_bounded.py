"""A guard that completion's lists of agent and skill names do not grow with the workspace, by counting
the entries the index visits and every read of an entry's name or kind (not by timing).

With more names than `NAMES_LIMIT`, a list holds at most that many, starting with what is typed, and
says it is incomplete (the client asks again as the user types). The cost of answering must not depend
on how many agents the workspace holds: on four times the agents, the same count of visits and reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types

from agent_lsp.features.complete import NAMES_LIMIT, CompletionOptions, complete
from agent_lsp.project.index import ProjectView, build_index
from agent_lsp.project.paths import FileKind
from agent_lsp.syntax.frontmatter import parse_agent
from agent_lsp.syntax.text import PositionMapper
from entry_reads import EntryReads, count_entry_reads

SMALL, LARGE = NAMES_LIMIT * 2, NAMES_LIMIT * 8


def _workspace(root: Path, count: int) -> Path:
    project = root / "project"
    agents = project / ".claude" / "agents"
    agents.mkdir(parents=True)
    for i in range(count):
        (agents / f"a{i}.md").write_text(f"---\nname: helper-{i}\ndescription: Helper {i}.\n---\n", encoding="utf-8")
        skill = project / ".claude" / "skills" / f"style-{i}" / "SKILL.md"
        skill.parent.mkdir(parents=True)
        skill.write_text(f"---\ndescription: Style {i}.\n---\n", encoding="utf-8")
    return project


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[EntryReads]:
    yield count_entry_reads(monkeypatch)


def _list(view: ProjectView, marked: str, kind: str = "agent") -> types.CompletionList:
    offset = marked.index("|")
    text = marked[:offset] + marked[offset + 1 :]
    parsed = parse_agent(text)
    return complete(parsed, offset, PositionMapper(parsed.index), CompletionOptions(), kind=kind, project=view)


AT_AGENT = "---\nname: doc\ndescription: d\ntools: Read, Agent(|)\n---\n"
AT_AGENT_TYPED = "---\nname: doc\ndescription: d\ntools: Read, Agent(helper-12|)\n---\n"
AT_SKILLS = "---\nname: doc\ndescription: d\nskills: style-1|\n---\n"
AT_SKILL_AGENT = "---\ndescription: d\ncontext: fork\nagent: helper-|\n---\n"


def _cost(tmp_path: Path, count: int, reads: EntryReads, marked: str, kind: str = "agent") -> tuple[int, int]:
    """(entries visited, name/kind reads) for one completion, after one to make the index's sorted names."""
    project = _workspace(tmp_path / str(count), count)
    index = build_index([project], None)
    view = ProjectView(index, str(project / ".claude" / "agents" / "a0.md"))
    _list(view, marked, kind)
    index.visits = 0
    reads.count = 0
    _list(view, marked, kind)
    return index.visits, reads.count


CASES = [(AT_AGENT, "agent"), (AT_AGENT_TYPED, "agent"), (AT_SKILLS, "agent"), (AT_SKILL_AGENT, "skill")]


@pytest.mark.parametrize(("marked", "kind"), CASES)
def test_a_name_list_costs_the_same_in_a_workspace_four_times_larger(
    tmp_path: Path, reads: EntryReads, marked: str, kind: str
) -> None:
    visits_small, reads_small = _cost(tmp_path, SMALL, reads, marked, kind)
    visits_large, reads_large = _cost(tmp_path, LARGE, reads, marked, kind)
    # Walking the names would visit every entry of the kind: SMALL, then LARGE of them.
    assert visits_small <= NAMES_LIMIT * 2
    assert visits_large <= visits_small * 1.1, (visits_small, visits_large)
    assert reads_large <= reads_small * 1.1, (reads_small, reads_large)


def test_a_long_list_is_cut_to_the_names_typed_and_marked_incomplete(tmp_path: Path) -> None:
    project = _workspace(tmp_path, LARGE)
    view = ProjectView(build_index([project], None), str(project / ".claude" / "agents" / "a0.md"))
    everything = _list(view, AT_AGENT)
    assert everything.is_incomplete and len(everything.items) == NAMES_LIMIT
    typed = _list(view, AT_AGENT_TYPED)
    labels = [item.label for item in typed.items]
    # helper-12, and helper-120 to helper-129.
    assert sorted(labels) == sorted(["helper-12", *(f"helper-12{d}" for d in range(10))])
    assert not typed.is_incomplete
    skills = _list(view, AT_SKILLS)
    assert (
        sorted(item.label for item in skills.items)
        == sorted(
            ["style-1", *(f"style-1{d}" for d in range(10)), *(f"style-1{d}{e}" for d in range(10) for e in range(10))]
        )[:NAMES_LIMIT]
    )
    assert skills.is_incomplete


def test_a_short_list_is_never_cut_so_the_client_filters_it_as_it_likes(tmp_path: Path) -> None:
    project = _workspace(tmp_path, NAMES_LIMIT // 2)
    view = ProjectView(build_index([project], None), str(project / ".claude" / "agents" / "a0.md"))
    # "12" is no prefix of any name: a short list is not narrowed to the typed prefix (fuzzy filtering
    # is the client's), so every agent is offered.
    typed = _list(view, "---\nname: doc\ndescription: d\ntools: Read, Agent(12|)\n---\n")
    assert len(typed.items) == NAMES_LIMIT // 2 and not typed.is_incomplete


def test_the_sorted_names_follow_a_name_that_comes_and_goes(tmp_path: Path) -> None:
    project = _workspace(tmp_path, 3)
    index = build_index([project], None)
    assert index.names(FileKind.AGENT) == ["helper-0", "helper-1", "helper-2"]
    added = project / ".claude" / "agents" / "b.md"
    added.write_text("---\nname: helper-10\ndescription: d\n---\n", encoding="utf-8")
    index.refresh(str(added))
    assert index.names(FileKind.AGENT) == ["helper-0", "helper-1", "helper-10", "helper-2"]
    added.write_text("---\nname: aide\ndescription: d\n---\n", encoding="utf-8")
    index.refresh(str(added))
    assert index.names(FileKind.AGENT) == ["aide", "helper-0", "helper-1", "helper-2"]
    added.unlink()
    index.refresh(str(added))
    assert index.names(FileKind.AGENT) == ["helper-0", "helper-1", "helper-2"]

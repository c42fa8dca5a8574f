"""A guard against cross-file checks going quadratic again, by counting the entries lookups visit (not by timing).

Every agent of the generated workspace names another agent, a skill, a plugin's agent and (one in
ten) a name that exists nowhere, so every kind of question the checks ask the index is asked once
per file. Two counts are taken while the checks run on every file: the entries the index's queries
hand out (`WorkspaceIndex.visits`) and every read of an entry's name or kind (the reads a scan of
all entries makes, wherever it is written). Both must grow with the number of files, not with its
square: on four times the files, the count per file must stay the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_lsp.checks.crossfile import entry_findings
from agent_lsp.project.index import WorkspaceIndex, build_index
from agent_lsp.project.paths import FileKind
from agent_lsp.project.references import RefKind
from entry_reads import EntryReads, count_entry_reads


def _workspace(root: Path, count: int) -> Path:
    agents = root / "project" / ".claude" / "agents"
    agents.mkdir(parents=True)
    skill = root / "project" / ".claude" / "skills" / "style" / "SKILL.md"
    skill.parent.mkdir(parents=True)
    skill.write_text("---\ndescription: The house style.\n---\n", encoding="utf-8")
    plugin = root / "project" / "plugins" / "acme"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "acme"}', encoding="utf-8")
    (plugin / "agents").mkdir()
    (plugin / "agents" / "security.md").write_text("---\nname: security\ndescription: Audits.\n---\n", encoding="utf-8")
    for i in range(count):
        unknown = f", Agent(ghost-{i})" if i % 10 == 0 else ""
        missing_skill = f", nowhere-{i}" if i % 10 == 5 else ""
        (agents / f"a{i}.md").write_text(
            f"---\nname: a{i}\ndescription: Agent {i}.\n"
            f"tools: Read, Agent(a{(i + 1) % count}), Agent(acme:security), Agent(other:thing){unknown}\n"
            f"skills: style{missing_skill}\n---\n\nHand over to @agent-a{(i + 2) % count}.\n",
            encoding="utf-8",
        )
    (agents / "twin.md").write_text("---\nname: a1\ndescription: The same name again.\n---\n", encoding="utf-8")
    return root / "project"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[EntryReads]:
    yield count_entry_reads(monkeypatch)


def _cost(tmp_path: Path, count: int, reads: EntryReads) -> tuple[float, float, WorkspaceIndex]:
    """(entries visited per file, name/kind reads per file) for the checks of every file."""
    index = build_index([_workspace(tmp_path / str(count), count)], None)
    entries = index.files(FileKind.AGENT)
    index.visits = 0
    reads.count = 0
    found = {f.code for entry in entries for f in entry_findings(entry, index)}
    assert {"duplicate-agent-name", "unknown-agent-type", "unknown-skill"} <= found
    return index.visits / len(entries), reads.count / len(entries), index


def test_cross_file_checks_visit_a_constant_number_of_entries_per_file(tmp_path: Path, reads: EntryReads) -> None:
    visits_small, reads_small, _ = _cost(tmp_path, 100, reads)
    visits_large, reads_large, _ = _cost(tmp_path, 400, reads)
    # Each file asks a handful of names; a scan would visit every entry for each (100, then 400 per file).
    assert visits_small < 10
    assert visits_large <= visits_small * 1.1
    assert reads_large <= reads_small * 1.25, (reads_small, reads_large)


def test_references_to_a_name_visit_only_the_files_that_name_it(tmp_path: Path, reads: EntryReads) -> None:
    _, _, index = _cost(tmp_path, 200, reads)
    index.visits = 0
    holders = index.references_to(RefKind.AGENT, "a7")
    # a6 hands over to a7 in its tools, a5 mentions it in its body: two files, not two hundred.
    assert sorted(Path(entry.path).name for entry, _ in holders) == ["a5.md", "a6.md"]
    assert index.visits == 2
    assert index.references_to(RefKind.AGENT, "acme:security") and index.visits < 2 + 205


def test_a_removed_file_leaves_no_trace_in_the_lookup_tables(tmp_path: Path, reads: EntryReads) -> None:
    _, _, index = _cost(tmp_path, 20, reads)
    project = Path(index.folders[0])
    gone = project / ".claude" / "agents" / "a6.md"
    gone.unlink()
    assert index.refresh(str(gone))
    assert [Path(e.path).name for e, _ in index.references_to(RefKind.AGENT, "a7")] == ["a5.md"]
    assert "a6" not in index.names(FileKind.AGENT) and index.named(FileKind.AGENT, "a6") == []
    plugin_agent = project / "plugins" / "acme" / "agents" / "security.md"
    plugin_agent.unlink()
    index.refresh(str(plugin_agent))
    assert not index.has_plugin("acme") and index.known_plugins() == set()

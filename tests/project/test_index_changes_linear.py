"""A watched file's change touches the entries it changes, not all of them (counted, not timed).

Deleting one agent among thousands used to walk every entry (82-148 ms among 10,000). Here every
read of an entry's name, qualified name, kind or placement, and every entry a walk over the index's
tables yields, is counted while one file is deleted,
created again and a folder of a few files is removed: the counts must be the same among 200
files as among 1,600.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent_lsp.checks.crossfile import entry_findings
from agent_lsp.project.entry import IndexedFile
from agent_lsp.project.index import build_index
from agent_lsp.project.paths import FileKind
from entry_reads import EntryReads, count_entry_reads


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[EntryReads]:
    yield count_entry_reads(monkeypatch)


class _Walked(dict[str, IndexedFile]):
    """The index's table of entries, counting every entry a walk over it yields."""

    def __init__(self, table: dict[str, IndexedFile], reads: EntryReads) -> None:
        super().__init__(table)
        self.reads = reads

    def __iter__(self) -> Iterator[str]:
        for key in super().__iter__():
            self.reads.count += 1
            yield key

    def keys(self) -> Any:
        return list(iter(self))

    def values(self) -> Any:
        return [self[key] for key in self]

    def items(self) -> Any:
        return [(key, self[key]) for key in self]


def _agent(name: str) -> str:
    return f"---\nname: {name}\ndescription: {name}.\ntools: Read, Agent({name}-next)\n---\nBody.\n"


def _costs(root: Path, count: int, reads: EntryReads) -> list[int]:
    """Reads of entries for: a delete, the duplicate check after it, a create, a folder's removal."""
    agents = root / ".claude" / "agents"
    (agents / "team").mkdir(parents=True)
    for i in range(count):
        (agents / f"a{i}.md").write_text(_agent(f"a{i}"), encoding="utf-8")
    for i in range(3):
        (agents / "team" / f"t{i}.md").write_text(_agent(f"t{i}"), encoding="utf-8")
    (agents / "twin.md").write_text(_agent("a1"), encoding="utf-8")
    index = build_index([root], None)
    # Walks over all entries count too (a scan of their paths reads no attribute).
    index._files = _Walked(index._files, reads)
    index._by_kind = {kind: _Walked(table, reads) for kind, table in index._by_kind.items()}
    original = index.get(str(agents / "a1.md"))
    assert original is not None
    assert {f.code for f in entry_findings(original, index)} >= {"duplicate-agent-name"}
    costs = []

    reads.count = 0
    (agents / "twin.md").unlink()
    assert index.remove(str(agents / "twin.md"))  # what the server does with a watcher's `Deleted`
    costs.append(reads.count)

    reads.count = 0
    assert "duplicate-agent-name" not in {f.code for f in entry_findings(original, index)}
    costs.append(reads.count)

    reads.count = 0
    (agents / "twin.md").write_text(_agent("a1"), encoding="utf-8")
    assert index.refresh(str(agents / "twin.md"))
    costs.append(reads.count)
    assert "duplicate-agent-name" in {f.code for f in entry_findings(original, index)}

    reads.count = 0
    for i in range(3):
        (agents / "team" / f"t{i}.md").unlink()
    (agents / "team").rmdir()
    assert index.remove(str(agents / "team"))
    costs.append(reads.count)
    assert index.named(FileKind.AGENT, "t0") == []
    return costs


def test_a_watched_change_touches_only_the_entries_it_changes(tmp_path: Path, reads: EntryReads) -> None:
    small = _costs(tmp_path / "small", 200, reads)
    large = _costs(tmp_path / "large", 1_600, reads)
    assert large == small, (small, large)
    assert max(large) < 60

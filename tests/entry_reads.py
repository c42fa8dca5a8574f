"""Counting reads of an indexed entry's name, qualified name, kind and placement: what any scan of the index does."""

from __future__ import annotations

from typing import Any

import pytest

from agent_lsp.project.entry import IndexedFile


class EntryReads:
    """How many times an entry's name, qualified name, kind or placement was read while installed."""

    def __init__(self) -> None:
        self.count = 0


def count_entry_reads(monkeypatch: pytest.MonkeyPatch) -> EntryReads:
    """Wrap those four attributes of every IndexedFile (for the test's duration) so each read is counted."""
    counter = EntryReads()
    for attribute in ("qualified_name", "kind", "name", "placement"):
        original = IndexedFile.__dict__[attribute]  # a property, or a slot's descriptor

        def counted(self: IndexedFile, _original: Any = original) -> object:
            counter.count += 1
            return _original.__get__(self, IndexedFile)

        def store(self: IndexedFile, value: object, _original: Any = original) -> None:
            _original.__set__(self, value)

        monkeypatch.setattr(IndexedFile, attribute, property(counted, store))
    return counter

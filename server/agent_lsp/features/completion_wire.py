"""Completion items to JSON-ready dicts, without cattrs's generic walk for the fields we use.

A completion list is the largest answer the server sends on every keystroke (40 items at a
`tools:` value), and lsprotocol's cattrs hook visits all 19 optional fields of every item
through union dispatch: a third of a completion request's time on the server. Items as
`complete.py` builds them use a handful of plain fields; those are written out directly here,
in the generated hook's key order, and any item that sets another field goes through the
original hook. `tests/features/test_completion_wire.py` holds both to the same output.

Items that `complete.ItemMemo` reuses across lists are "shared": their JSON-ready form is
computed on their first answer and kept with them, so a list of reused items costs one
lookup per item.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lsprotocol import types

_Hook = Callable[[types.CompletionItem], dict[str, Any]]


class SharedItems:
    """Items reused across answers, with their JSON-ready form once it has been computed.

    Keyed by id(item); each entry holds its item, so the id cannot be taken by another object
    while the entry exists. A shared item must not change after `share`.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[types.CompletionItem, dict[str, Any] | None]] = {}

    def share(self, item: types.CompletionItem) -> None:
        self._entries.setdefault(id(item), (item, None))

    def forget(self, item: types.CompletionItem) -> None:
        entry = self._entries.get(id(item))
        if entry is not None and entry[0] is item:
            del self._entries[id(item)]

    def wire(self, item: types.CompletionItem, make: _Hook) -> dict[str, Any] | None:
        """`item`'s JSON-ready form when it is shared (made once with `make`); else None."""
        entry = self._entries.get(id(item))
        if entry is None or entry[0] is not item:
            return None
        wire = entry[1]
        if wire is None:
            wire = make(item)
            self._entries[id(item)] = (item, wire)
        return wire

    def __len__(self) -> int:
        return len(self._entries)


def _position(position: types.Position) -> dict[str, int]:
    return {"line": position.line, "character": position.character}


def fast_hook(original: _Hook, shared: SharedItems | None = None) -> _Hook:
    """An unstructure hook for CompletionItem that falls back to `original` for uncommon items
    and answers items of `shared` with the form made at their first answer."""

    def unstructure(item: types.CompletionItem) -> dict[str, Any]:
        if shared is not None:
            wire = shared.wire(item, plain)
            if wire is not None:
                return wire
        return plain(item)

    def plain(item: types.CompletionItem) -> dict[str, Any]:
        documentation = item.documentation
        text_edit = item.text_edit
        if (
            item.label_details is not None
            or item.tags is not None
            or item.deprecated is not None
            or item.preselect is not None
            or item.insert_text is not None
            or item.additional_text_edits is not None
            or item.commit_characters is not None
            or item.command is not None
            or not (item.data is None or isinstance(item.data, str))
            or not (documentation is None or type(documentation) is types.MarkupContent)
            or not (text_edit is None or type(text_edit) is types.TextEdit)
        ):
            return original(item)
        out: dict[str, Any] = {"label": item.label}
        if item.kind is not None:
            out["kind"] = int(item.kind)
        if item.detail is not None:
            out["detail"] = item.detail
        if documentation is not None:
            out["documentation"] = {"kind": documentation.kind, "value": documentation.value}
        if item.sort_text is not None:
            out["sortText"] = item.sort_text
        if item.filter_text is not None:
            out["filterText"] = item.filter_text
        if item.insert_text_format is not None:
            out["insertTextFormat"] = int(item.insert_text_format)
        if item.insert_text_mode is not None:
            out["insertTextMode"] = int(item.insert_text_mode)
        if text_edit is not None:
            rng = text_edit.range
            out["textEdit"] = {
                "range": {"start": _position(rng.start), "end": _position(rng.end)},
                "newText": text_edit.new_text,
            }
        if item.text_edit_text is not None:
            out["textEditText"] = item.text_edit_text
        if item.data is not None:
            out["data"] = item.data
        return out

    return unstructure


def install(converter: Any, shared: SharedItems | None = None) -> None:
    """Register the fast hook on a pygls server's converter (its lsprotocol hook as the fallback)."""
    original = converter.get_unstructure_hook(types.CompletionItem)
    converter.register_unstructure_hook(types.CompletionItem, fast_hook(original, shared))

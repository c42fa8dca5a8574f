"""Completion and hover in Claude Code's JSON files, driven by their JSON Schemas (schema/documents.py).

Hover on a key shows its field's description (a hook event's key: what the event is); on a
value of a closed set, what that value means. Completion offers the keys an object may still
take (required first) and the values a field accepts.

While the user types, the text is usually not JSON (`{"name": "x", "de|"}`). Completion then
tries a few small insertions at the cursor (a value after a key, a placeholder key) and reads
the first text that parses: the strict parser decides, no JSON grammar is written here.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass

from lsprotocol import types

from agent_lsp.features.markup import content, first_sentence, to_range
from agent_lsp.schema.documents import DocumentSchema, document_schema
from agent_lsp.schema.schemas import agent_schema
from agent_lsp.syntax.jsondoc import JsonDocument, JsonNode, parse_json
from agent_lsp.syntax.text import PositionMapper, Span

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Place:
    """Where the cursor is: on a key (`key` True) or a value of the object or array at `path`."""

    path: Path_  # the object holding the key, or the value's own path
    key: bool
    span: Span  # what a completion replaces (the key or value with its quotes; empty between tokens)
    node: JsonNode | None = None  # the value under the cursor
    quoted: bool = False  # the replaced text is a string in quotes


def locate(doc: JsonDocument, offset: int) -> Place | None:
    """The key or value at `offset` in a parsed document."""
    node = doc.root
    if node is None or not doc.exact or not (node.span.start <= offset <= node.span.end):
        return None
    path: Path_ = ()
    while True:
        if node.kind == "object":
            for member in node.members:
                if member.key_span.start < offset < member.key_span.end:
                    return Place(path, True, member.key_span, None, True)
                if member.value.span.start <= offset <= member.value.span.end and _inside(member.value, offset):
                    path, node = (*path, member.key), member.value
                    break
            else:
                return Place(path, True, Span(offset, offset)) if node.span.start < offset < node.span.end else None
            continue
        if node.kind == "array":
            for i, item in enumerate(node.items):
                if item.span.start <= offset <= item.span.end and _inside(item, offset):
                    path, node = (*path, i), item
                    break
            else:
                if node.span.start < offset < node.span.end:
                    return Place((*path, len(node.items)), False, Span(offset, offset))
                return None
            continue
        quoted = node.kind == "string"
        return Place(path, False, node.span, node, quoted)


def _inside(node: JsonNode, offset: int) -> bool:
    """Containers hold the cursor strictly between their brackets; scalars up to their ends."""
    if node.kind in ("object", "array"):
        return node.span.start < offset < node.span.end
    return True


# ---- hover -----------------------------------------------------------------------------------
def hover(doc: JsonDocument, kind: str, offset: int, mapper: PositionMapper, *, markdown: bool) -> types.Hover | None:
    place = locate(doc, offset)
    if place is None:
        return None
    schema = document_schema(kind)
    if place.key:
        key = doc.text[place.span.start : place.span.end]
        try:
            name = json.loads(key)
        except ValueError:
            return None
        text = _key_doc(schema, place.path, str(name))
        if text is None:
            return None
        return types.Hover(contents=content(f"**{name}**\n\n{text}", markdown), range=to_range(mapper, place.span))
    value = place.node.value if place.node is not None else None
    candidates = schema.candidates(place.path)
    for allowed, doc_text in schema.enum_values(candidates):
        if allowed == value and doc_text and not isinstance(value, bool):
            body = f"`{json.dumps(value)}`: {doc_text}"
            return types.Hover(contents=content(body, markdown), range=to_range(mapper, place.span))
    described = schema.description(place.path)
    if described is None:
        return None
    return types.Hover(contents=content(described, markdown), range=to_range(mapper, place.span))


def _key_doc(schema: DocumentSchema, path: Path_, key: str) -> str | None:
    described = schema.description((*path, key))
    events = _event_docs(schema, path)
    if key in events:
        return events[key]
    return described


def _event_docs(schema: DocumentSchema, path: Path_) -> dict[str, str]:
    """Hook events, when the object at `path` is keyed by them (its `propertyNames` is the event list)."""
    for cand in schema.key_schema(path):
        if "enum" in cand.schema:
            return agent_schema().hook_events
    return {}


# ---- completion ------------------------------------------------------------------------------
# Insertions tried at the cursor, in order, when the text does not parse as it is.
_AT_CURSOR = ('"":null', '"":null,', "null", "null,")


def complete(
    text: str,
    kind: str,
    offset: int,
    mapper: PositionMapper,
    *,
    markdown: bool = True,
    doc: JsonDocument | None = None,
) -> types.CompletionList | None:
    found = _parse_for_completion(text, offset, doc)
    if found is None:
        return None
    parsed, inserted_at, inserted = found
    place = locate(parsed, offset)
    if place is None:
        return None
    span = _back(place.span, inserted_at, len(inserted), len(text))
    schema = document_schema(kind)
    items = _keys(schema, parsed, place, span, markdown) if place.key else _values(schema, place, span, markdown)
    return types.CompletionList(is_incomplete=False, items=[_with_range(i, mapper, span) for i in items])


def _parse_for_completion(text: str, offset: int, doc: JsonDocument | None) -> tuple[JsonDocument, int, str] | None:
    parsed = doc if doc is not None else parse_json(text)
    if parsed.root is not None:
        return parsed, len(text), ""
    tries: list[tuple[int, str]] = [(offset, piece) for piece in _AT_CURSOR]
    # The cursor in a key that lacks its value (`"de|"`): the value goes after the closing quote.
    close = text.find('"', offset)
    if close >= 0 and text.rfind('"', 0, offset) >= 0:
        tries[:0] = [(close + 1, ": null"), (close + 1, ": null,")]
    for at, piece in tries:
        candidate = parse_json(text[:at] + piece + text[at:])
        if candidate.root is not None:
            return candidate, at, piece
    return None


def _back(span: Span, at: int, length: int, limit: int) -> Span:
    """A span of the repaired text as a span of the user's text (the insertion itself shrinks to its place)."""

    def one(offset: int) -> int:
        if offset <= at:
            return offset
        return max(at, offset - length)

    return Span(min(one(span.start), limit), min(one(span.end), limit))


def _keys(
    schema: DocumentSchema, doc: JsonDocument, place: Place, span: Span, markdown: bool
) -> list[types.CompletionItem]:
    holder, _member = doc.node_at(place.path)
    present = {m.key for m in holder.members} if holder is not None and holder.kind == "object" else set()
    if place.quoted:
        # The key being typed is present only as itself.
        typed = doc.text[place.span.start : place.span.end]
        with contextlib.suppress(ValueError):
            present.discard(str(json.loads(typed)))
    required = schema.required(place.path)
    items: list[types.CompletionItem] = []
    offered: dict[str, str] = {
        name: str(sub.get("markdownDescription", "")) for name, sub in schema.properties(place.path).items()
    }
    for name, text in _event_docs(schema, place.path).items():
        offered.setdefault(name, text)
    for name, text in offered.items():
        if name in present or name == "$schema":
            continue
        insert = json.dumps(name) if place.quoted else f"{json.dumps(name)}: "
        items.append(
            types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.Property,
                detail=first_sentence(text) if text else None,
                documentation=content(text, markdown) if text else None,
                sort_text=("0" if name in required else "1") + name,
                insert_text=insert,
            )
        )
    return items


def _values(schema: DocumentSchema, place: Place, span: Span, markdown: bool) -> list[types.CompletionItem]:
    items = []
    for value, text in schema.enum_values(schema.candidates(place.path)):
        written = json.dumps(value)
        items.append(
            types.CompletionItem(
                label=written if not isinstance(value, str) else value,
                kind=types.CompletionItemKind.EnumMember if isinstance(value, str) else types.CompletionItemKind.Value,
                detail=first_sentence(text) if text else None,
                documentation=content(text, markdown) if text else None,
                filter_text=written,
                insert_text=written,
            )
        )
    return items


def _with_range(item: types.CompletionItem, mapper: PositionMapper, span: Span) -> types.CompletionItem:
    item.text_edit = types.TextEdit(range=to_range(mapper, span), new_text=item.insert_text or item.label)
    item.insert_text = None
    return item

"""A JSON document with the position of every key and value: the stdlib reads it, PyYAML's composer places it.

Claude Code reads its JSON files (`plugin.json`, `marketplace.json`, `.mcp.json`, `hooks.json`,
settings) with JavaScript's `JSON.parse`: strict JSON, the last of duplicate keys wins. Python's
`json` module is the same language (once `NaN` and `Infinity` are refused), so it decides whether
a text is JSON, what it means, and where a broken one goes wrong. It gives no positions, so the
valid text is composed a second time by PyYAML (libyaml when present), the composer syntax/yaml12
already uses: JSON is a subset of YAML 1.2's flow style once three differences are taken out,
each without moving an offset:
- a tab between tokens is whitespace to JSON and an error to PyYAML: after strict JSON accepted
  the text, every tab lies between tokens (a string cannot hold a raw one), so each becomes a space;
- characters YAML will not read (C1 controls, DEL, U+FFFE/U+FFFF) may stand raw inside JSON strings:
  each becomes an `_` of the same length, and every value is read from the original text;
- YAML decodes escapes on its own terms (libyaml refuses the surrogate pair of an emoji): such an
  escape becomes `\u005f`, and a string's value is the stdlib's decoding of its own slice of the
  original text.
Where the two readings still disagree (a key whose `:` is on the next line, a document past the
composer's node budget) the document keeps its meaning and every node spans the whole text:
findings stay right, only their place is coarse. No JSON grammar is written here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from agent_lsp.syntax import yaml12
from agent_lsp.syntax.text import LineIndex, Span

# Characters YAML's reader refuses that JSON allows raw inside a string.
_UNREADABLE = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
# libyaml refuses `\uD83D`-style surrogate escapes that JSON pairs up (an emoji): each becomes `\u005f`.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_PRESCAN_FROM = 1_000_000  # characters: see `_positioned`
_MAX_DEPTH = 200  # deeper JSON is refused as too complex (Claude Code's files nest a few levels)


class JsonNode:
    """One value: `kind` is object, array, string, number, boolean or null.

    Its place is kept as two integers (`span` makes the Span): an edit moves every node after it, and
    moving integers in place is several times cheaper than making new spans."""

    __slots__ = ("end", "items", "kind", "members", "start", "value")

    def __init__(
        self,
        kind: str,
        span: Span,
        value: Any = None,
        items: list[JsonNode] | None = None,
        members: list[JsonMember] | None = None,
    ) -> None:
        self.kind = kind
        self.start, self.end = span.start, span.end
        self.value = value  # the Python value of a scalar (containers: see `to_python`)
        self.items: list[JsonNode] = items if items is not None else []  # an array's elements
        self.members: list[JsonMember] = members if members is not None else []  # duplicates included

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    def __repr__(self) -> str:
        return f"JsonNode({self.kind!r}, {self.start}-{self.end})"

    def get(self, key: str) -> JsonMember | None:
        """The member a JSON.parse reader keeps for `key` (the last of duplicates)."""
        found = None
        for member in self.members:
            if member.key == key:
                found = member
        return found

    def to_python(self) -> Any:
        if self.kind == "object":
            return {m.key: m.value.to_python() for m in self.members}
        if self.kind == "array":
            return [item.to_python() for item in self.items]
        return self.value


class JsonMember:
    """A key (its place with the quotes: `key_span`) and its value."""

    __slots__ = ("key", "key_end", "key_start", "value")

    def __init__(self, key: str, key_span: Span, value: JsonNode) -> None:
        self.key = key
        self.key_start, self.key_end = key_span.start, key_span.end
        self.value = value

    @property
    def key_span(self) -> Span:
        return Span(self.key_start, self.key_end)

    @property
    def span(self) -> Span:
        return Span(self.key_start, self.value.end)


@dataclass(slots=True)
class JsonError:
    message: str
    span: Span


@dataclass(slots=True)
class JsonDocument:
    text: str
    index: LineIndex
    root: JsonNode | None  # None when the text is not JSON
    error: JsonError | None = None
    exact: bool = True  # False: the meaning is right but every node spans the whole text
    duplicates: bool = True  # False: no object holds a key twice (the walk for them can be skipped)

    def node_at(self, path: tuple[str | int, ...]) -> tuple[JsonNode | None, JsonMember | None]:
        """The node at a path of keys and indexes, and the member holding it (None for array items)."""
        node, member = self.root, None
        for part in path:
            if node is None:
                return None, None
            if isinstance(part, int) and node.kind == "array" and 0 <= part < len(node.items):
                node, member = node.items[part], None
            elif isinstance(part, str) and node.kind == "object":
                member = node.get(part)
                node = member.value if member is not None else None
            else:
                return None, None
        return node, member


# Our words for the stdlib's messages (it names what it expected at the position).
_MESSAGES = {
    "Expecting value": "a value (string, number, object, array, true, false or null) is expected here",
    "Expecting property name enclosed in double quotes": "a key in double quotes is expected here",
    "Expecting ':' delimiter": "a `:` is expected after the key",
    "Expecting ',' delimiter": "a `,` is expected between two entries (or the object or array is not closed)",
    "Extra data": "the document goes on after its value has ended",
    "Unterminated string starting at": "this string is not closed",
    "Invalid control character at": "a string cannot hold a raw control character (write `\\n`, `\\t`...)",
    "Invalid \\escape": 'this is not a JSON escape (`\\n`, `\\t`, `\\"`, `\\\\`, `\\uXXXX`...)',
    "Invalid \\uXXXX escape": "`\\u` needs four hexadecimal digits",
}


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def parse_json(text: str, previous: JsonDocument | None = None) -> JsonDocument:
    """Parse a JSON text. Never raises: a text that is not JSON gets `error` at the first place it breaks.

    `previous`, the document's last version, lets an edit compose only the innermost object or array
    that holds it (see `_reuse`); the result is the same either way."""
    index = LineIndex(text)
    source = text[1:] if text.startswith("\ufeff") else text  # Node's readFile keeps a BOM: see `bom` below
    shift = len(text) - len(source)
    try:
        meaning = json.loads(source, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        message = next((ours for theirs, ours in _MESSAGES.items() if exc.msg.startswith(theirs)), None)
        start = min(exc.pos + shift, len(text))
        end = min(start + 1, len(text)) if start < len(text) and text[start] not in "\r\n" else start
        return JsonDocument(
            text, index, None, JsonError(message or f"not valid JSON here ({exc.msg})", Span(start, end))
        )
    except ValueError as exc:  # NaN, Infinity, -Infinity: Python reads them, JSON.parse does not
        where = text.find(str(exc))
        start = max(where, 0)
        return JsonDocument(
            text, index, None, JsonError(f"`{exc}` is not a JSON value", Span(start, start + len(str(exc))))
        )
    except RecursionError:
        return JsonDocument(text, index, None, JsonError("the document nests too deeply to read", Span(0, 0)))
    if previous is not None and previous.exact and previous.root is not None and not shift:
        flags: list[bool] = []
        reused = _reuse(previous, text, flags)  # checked against the stdlib's reading of the re-read piece
        if reused is not None:
            return JsonDocument(text, index, reused, duplicates=previous.duplicates or bool(flags))
    flags = []
    root = _positioned(text, shift, flags)
    if root is not None and root.to_python() == meaning:
        return JsonDocument(text, index, root, duplicates=bool(flags))
    return JsonDocument(text, index, _spread(meaning, Span(0, len(text))), exact=False)


# ---- reusing the previous version's tree ----------------------------------------------------------
_REUSE_FROM = 4096  # characters: shorter texts are composed whole (it costs less than finding the edit)


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix (slices compared in C, halving the range each time)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    while low < high:
        mid = (low + high + 1) // 2
        if a[len(a) - mid : len(a) - low] == b[len(b) - mid : len(b) - low]:
            low = mid
        else:
            high = mid - 1
    return low


def _reuse(previous: JsonDocument, text: str, flags: list[bool]) -> JsonNode | None:
    """The new tree made from the previous one: the innermost object or array whose brackets enclose the
    edit is composed again on its own (it is a JSON text by itself), the nodes after it are shifted, the
    ones before it kept. None when the edit reaches a bracket of the root (compose everything)."""
    old = previous.text
    root = previous.root
    if root is None or len(text) < _REUSE_FROM:
        return None
    start = _common_prefix(old, text)
    limit = min(len(old), len(text)) - start
    end_old = len(old) - _common_suffix(old, text, limit)
    delta = len(text) - len(old)
    # The innermost container whose brackets lie outside the edited stretch [start, end_old).
    chain: list[JsonNode] = []
    node = root
    while node.span.start < start and end_old < node.span.end and node.kind in ("object", "array"):
        chain.append(node)
        children = [m.value for m in node.members] if node.kind == "object" else node.items
        inner = next((c for c in children if c.span.start < start and end_old < c.span.end), None)
        if inner is None or inner.kind not in ("object", "array"):
            break
        node = inner
    if not chain:
        return None
    target = chain[-1]
    piece_end = target.span.end + delta
    piece = text[target.span.start : piece_end]
    # The whole text is JSON and everything before the piece is unchanged, so a value starts where the
    # piece starts; when the piece alone is one JSON value, it is that value (JSON parses one way only).
    try:
        piece_meaning = json.loads(piece, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return None
    fresh = _positioned(piece, 0, flags)
    if fresh is None or fresh.kind != target.kind or fresh.to_python() != piece_meaning:
        return None
    _move(fresh, target.span.start)
    # From here on the previous tree is taken apart (its nodes after the edit move): it is marked stale
    # so that nothing reads its positions again.
    previous.exact = False
    for parent in reversed(chain[:-1]):
        _splice(parent, target, fresh, delta)
        fresh = target = parent
    return fresh


def _move(node: JsonNode, by: int) -> None:
    """Move a subtree's positions by `by`, in place."""
    if by == 0:
        return
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        current = pop()
        current.start += by
        current.end += by
        if current.members:
            for member in current.members:
                member.key_start += by
                member.key_end += by
                push(member.value)
        elif current.items:
            extend(current.items)


def _splice(parent: JsonNode, old: JsonNode, new: JsonNode, delta: int) -> None:
    """Put `new` in `old`'s place in `parent`, moving what follows by `delta` (in place)."""
    parent.end += delta
    after = False
    if parent.kind == "object":
        for member in parent.members:
            if after:
                member.key_start += delta
                member.key_end += delta
                _move(member.value, delta)
            elif member.value is old:
                member.value = new
                after = True
        return
    for i, item in enumerate(parent.items):
        if after:
            _move(item, delta)
        elif item is old:
            parent.items[i] = new
            after = True


def _positioned(text: str, shift: int, flags: list[bool] | None = None) -> JsonNode | None:
    """The tree with positions from PyYAML's composer, or None where it cannot read the text."""
    masked = _UNREADABLE.sub("_", text.replace("\t", " "))
    if "\\u" in masked:
        masked = _SURROGATE_ESCAPE.sub(r"\\u005f", masked)
    if shift:
        masked = " " * shift + masked[shift:]
    try:
        # Strict JSON has no aliases, so its node count is bounded by its length: the composer's
        # prescan against alias bombs is only paid for texts too long to compose without a look.
        node = yaml12.compose(masked, prescan=len(masked) > _PRESCAN_FROM)
    except (yaml.YAMLError, yaml12.YamlTooComplex, RecursionError, ValueError):
        return None
    if node is None:
        return None
    try:
        return _convert(node, text, 0, flags if flags is not None else [])
    except (ValueError, _TooDeep):
        return None


class _TooDeep(Exception):
    pass


def _convert(node: Node, text: str, depth: int, flags: list[bool]) -> JsonNode:
    """PyYAML's node as a JsonNode; `flags` gets an entry when an object holds a key twice."""
    if depth > _MAX_DEPTH:
        raise _TooDeep
    span = Span(node.start_mark.index, node.end_mark.index)
    if isinstance(node, MappingNode):
        members = []
        for key, value in node.value:
            if not isinstance(key, ScalarNode) or key.style != '"':
                raise ValueError("not a JSON key")
            members.append(
                JsonMember(
                    _string(text, key.start_mark.index, key.end_mark.index),
                    Span(key.start_mark.index, key.end_mark.index),
                    _convert(value, text, depth + 1, flags),
                )
            )
        if len(members) > 1 and len({m.key for m in members}) < len(members):
            flags.append(True)
        return JsonNode("object", span, members=members)
    if isinstance(node, SequenceNode):
        return JsonNode("array", span, items=[_convert(item, text, depth + 1, flags) for item in node.value])
    if isinstance(node, ScalarNode):
        raw = text[span.start : span.end]
        if node.style == '"':
            return JsonNode("string", span, _string(text, span.start, span.end))
        value = _PLAIN[raw] if raw in _PLAIN else _number(raw)
        if value is None:
            return JsonNode("null", span, None)
        if isinstance(value, bool):
            return JsonNode("boolean", span, value)
        if isinstance(value, (int, float)):
            return JsonNode("number", span, value)
    raise ValueError("not a JSON value")


_PLAIN: dict[str, Any] = {"true": True, "false": False, "null": None}
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")


def _number(raw: str) -> int | float:
    """A JSON number's value (the stdlib already accepted the text, so it is one)."""
    if _INTEGER.fullmatch(raw):
        return int(raw)
    value = json.loads(raw)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ValueError("not a number")
    return value


def _string(text: str, start: int, end: int) -> str:
    raw = text[start:end]
    if "\\" not in raw:
        return raw[1:-1]
    value = json.loads(raw)
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _spread(value: Any, span: Span) -> JsonNode:
    """A tree of `value` whose every part spans `span` (the composer could not place them)."""
    if isinstance(value, dict):
        return JsonNode("object", span, members=[JsonMember(k, span, _spread(v, span)) for k, v in value.items()])
    if isinstance(value, list):
        return JsonNode("array", span, items=[_spread(v, span) for v in value])
    if value is None:
        return JsonNode("null", span)
    if isinstance(value, bool):
        return JsonNode("boolean", span, value)
    if isinstance(value, (int, float)):
        return JsonNode("number", span, value)
    return JsonNode("string", span, value)


def python_type(node: JsonNode) -> str:
    """How messages name a node's type."""
    return {"object": "an object", "array": "an array", "string": "a string", "number": "a number"}.get(
        node.kind, f"`{node.to_python()!s}`".lower() if node.kind == "boolean" else "`null`"
    )

"""Where in the frontmatter a cursor stands, read from the lines themselves.

While someone types, the frontmatter is often not valid YAML (`tools: Re`,
`  - `, `hooks:` with nothing under it yet), so completion and hover cannot rely
on the parse tree. This module reads the current line and the indentation above
it instead: which mapping the cursor is in (a path of keys such as
`("hooks", "PreToolUse", "hooks")`), whether a key, a value or a list item is
being typed, and the span of the word that a completion would replace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from agent_lsp.syntax.frontmatter import ParsedAgent
from agent_lsp.syntax.text import Span
from agent_lsp.syntax.tools import split_tool_string

_LINE = re.compile(r"(?P<indent> *)(?P<dashes>(?:-(?: +|$))*)(?P<rest>.*)")
# A mapping key: up to the first `:` that is followed by a space or the line end.
_KEY = re.compile(r"(?P<key>[^\s:#'\"\[\]{},&*!|>%@`-][^:#]*?|[\w-]+?)\s*:(?=\s|$)")
_WORD = re.compile(r"[\w.-]*")


class Slot(Enum):
    """What the cursor is typing."""

    KEY = "key"  # a mapping key is being typed
    VALUE = "value"  # the value after `key:` on the same line
    ITEM = "item"  # a list item (`- ...`) whose container is `path[-1]`


@dataclass(frozen=True, slots=True)
class Cursor:
    slot: Slot
    path: tuple[str, ...]  # keys of the enclosing mappings, outermost first
    key: str | None  # VALUE: the key whose value this is; KEY: the key already on the line, if any
    line: int
    value_start: int  # VALUE/ITEM: offset where the value text starts (after any opening quote)
    value_end: int  # VALUE/ITEM: offset where it ends (before a closing quote, comment or trailing space)
    quote: str | None  # the quote character when the value is quoted
    word_start: int  # the word under the cursor, which a completion replaces
    word_end: int
    has_colon: bool  # KEY: the line already holds `key:` (so only the name should be inserted)

    def in_value(self, offset: int) -> bool:
        return self.value_start <= offset <= self.value_end


def in_frontmatter(parsed: ParsedAgent, offset: int) -> bool:
    """Whether an offset lies on a line between the two `---` fences."""
    if parsed.open_span is None or parsed.yaml_span is None:
        return False
    index = parsed.index
    line = index.line_of(offset)
    if line < index.line_of(parsed.yaml_span.start) or line == 0:
        return False
    return parsed.close_span is None or line < index.line_of(parsed.close_span.start)


def cursor_at(parsed: ParsedAgent, offset: int) -> Cursor | None:
    """The cursor's place in the frontmatter, or None outside it (or in a comment or a continued scalar)."""
    if not in_frontmatter(parsed, offset):
        return None
    index = parsed.index
    line_no = index.line_of(offset)
    text = index.lines[line_no]
    base = index.line_start(line_no)
    col = offset - base
    match = _LINE.fullmatch(text)
    assert match is not None  # the pattern accepts any line
    indent = len(match.group("indent"))
    key_col = indent + len(match.group("dashes"))
    rest = match.group("rest")
    if not text.strip():
        # A blank line: the cursor's column says how deep the new entry goes.
        indent = key_col = col
        rest = ""
    elif (rest.startswith("#") and col > key_col) or col < indent:
        return None
    path = _enclosing_path(parsed, line_no, indent)
    if path is None:
        return None
    key_match = _KEY.match(rest)
    if key_match is not None:
        key = key_match.group("key").strip()
        key_end = key_col + key_match.end("key")
        colon = key_col + key_match.end()
        if col <= key_end:
            return _word_cursor(Slot.KEY, path, key, line_no, base, text, col, key_col, key_end, True)
        start, end, quote = _value_bounds(text, colon)
        end = _reach_cursor(text, end, col)
        word_start, word_end = _word_around(text, col, start, end)
        return Cursor(Slot.VALUE, path, key, line_no, base + start, base + end, quote, base + word_start,
                      base + word_end, True)  # fmt: skip
    if match.group("dashes"):
        start, end, quote = _value_bounds(text, key_col)
        end = _reach_cursor(text, end, col)
        word_start, word_end = _word_around(text, col, start, end)
        return Cursor(Slot.ITEM, path, None, line_no, base + start, base + end, quote, base + word_start,
                      base + word_end, False)  # fmt: skip
    end = key_col + len(rest.rstrip())
    return _word_cursor(Slot.KEY, path, None, line_no, base, text, col, key_col, max(end, col), False)


def _word_cursor(
    slot: Slot,
    path: tuple[str, ...],
    key: str | None,
    line_no: int,
    base: int,
    text: str,
    col: int,
    start: int,
    end: int,
    has_colon: bool,
) -> Cursor:
    word_start, word_end = _word_around(text, col, start, end)
    return Cursor(slot, path, key, line_no, base + start, base + end, None, base + word_start, base + word_end,
                  has_colon)  # fmt: skip


def _word_around(text: str, col: int, start: int, end: int) -> tuple[int, int]:
    """The identifier-like word touching the cursor, kept inside [start, end]."""
    col = max(start, min(col, end))
    left = col
    while left > start and (text[left - 1].isalnum() or text[left - 1] in "_-."):
        left -= 1
    right_match = _WORD.match(text, col)
    right = min(end, right_match.end()) if right_match else col
    return left, max(right, col)


def _reach_cursor(text: str, end: int, col: int) -> int:
    """Stretch a value's end over the spaces up to the cursor, so a completion range always holds the cursor."""
    return col if col > end and not text[end:col].strip() else end


def _value_bounds(text: str, start: int) -> tuple[int, int, str | None]:
    """Columns of a value's text on its line, without quotes, trailing comment and spaces."""
    while start < len(text) and text[start] == " ":
        start += 1
    quote = text[start] if start < len(text) and text[start] in "\"'" else None
    if quote is not None:
        close = text.find(quote, start + 1)
        return start + 1, close if close >= 0 else len(text.rstrip()), quote
    comment = re.search(r"\s#", text[start:])
    end = start + comment.start() if comment else len(text)
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, max(start, end), None


def _enclosing_path(parsed: ParsedAgent, line_no: int, level: int) -> tuple[str, ...] | None:
    """Keys of the mappings that enclose a line at indentation `level`, read upwards.

    A parent is the nearest line above whose key starts left of `level` and whose
    value is empty (`hooks:`); a non-empty value there means the line continues a
    scalar, where no completion makes sense.
    """
    assert parsed.yaml_span is not None
    index = parsed.index
    first = index.line_of(parsed.yaml_span.start)
    path: list[str] = []
    n = line_no - 1
    while level > 0 and n >= first:
        text = index.lines[n]
        n -= 1
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.fullmatch(text)
        assert match is not None
        key_col = len(match.group("indent")) + len(match.group("dashes"))
        if key_col >= level:
            continue
        key_match = _KEY.match(match.group("rest"))
        if key_match is None:
            if match.group("dashes") and len(match.group("indent")) < level:
                level = len(match.group("indent"))  # inside a list item that is not a mapping
                continue
            return None
        after = match.group("rest")[key_match.end() :].strip()
        if after and not after.startswith("#"):
            return None  # the line continues that key's scalar (or block scalar)
        path.append(key_match.group("key").strip())
        level = len(match.group("indent"))
    if level > 0:
        return None
    return tuple(reversed(path))


def value_lead(parsed: ParsedAgent, start: int) -> str:
    """A space to insert first when the value would otherwise touch the `:` or `-` just typed."""
    return " " if start > 0 and parsed.text[start - 1] in ":-" else ""


@dataclass(frozen=True, slots=True)
class Entry:
    span: Span  # the entry text being typed, which an item replaces
    lead: str  # inserted first (a space after a bare comma)
    owner: str | None  # inside `Tool( ... )`: the tool name
    listed: set[str]  # entries already present besides this one


def entry_at(parsed: ParsedAgent, cursor: Cursor, offset: int) -> Entry:
    """The entry under the cursor in a comma-separated value or a list item, and its neighbours."""
    start, end = cursor.value_start, cursor.value_end
    text = parsed.text
    if start < end and text[start] == "[":  # a flow list: `[Read, Gr`
        start += 1
        close = text.find("]", start, end)
        end = close if close >= 0 else end
    offset = max(start, min(offset, end))
    depth, token_start, owner_at = 0, start, -1
    for i in range(start, offset):
        ch = text[i]
        if ch == "(":
            depth += 1
            if depth == 1:
                owner_at, token_start = token_start, i + 1
        elif ch == ")":
            depth = max(0, depth - 1)
            if depth == 0:
                token_start = i + 1
        elif ch == "," or (ch.isspace() and depth == 0):
            token_start = i + 1
            while token_start < offset and text[token_start] == " ":
                token_start += 1
    token_end = offset
    while token_end < end and text[token_end] not in ",)" and not (depth == 0 and text[token_end].isspace()):
        token_end += 1
    owner = None
    if depth > 0:
        open_at = text.rfind("(", start, offset)
        owner = text[owner_at:open_at].strip() if owner_at >= 0 else None
    lead = " " if depth == 0 and token_start > start and text[token_start - 1] == "," else ""
    lead = lead or value_lead(parsed, token_start)
    region = text[start:end]
    listed = {
        entry.split("(", 1)[0].strip()
        for entry, at in split_tool_string(region)
        if not (start + at <= offset <= start + at + len(entry))
    }
    return Entry(Span(token_start, token_end), lead, owner, listed)

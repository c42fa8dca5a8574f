"""The `@path` imports of a memory file (CLAUDE.md, AGENTS.md), found as Claude Code finds them.

Claude Code 2.1.328 reads a memory file's Markdown, skips code blocks and code spans, drops
HTML comments, and in the remaining text takes every `@` at the start of a line or after white
space, up to the next blank (`\\ ` escapes one), as an import: a `#fragment` is cut off, and only
`./x`, `~/x`, `/x` or a name starting with a letter, digit, `.`, `_` or `-` counts. This module
finds those (and the ones inside code, which Claude Code ignores, so that they can be pointed out),
each with the span of the path as written. An indented code block (four spaces, after a blank line)
counts as code, as the pinned binary showed (tests/conformance/instructions_truth.json,
`import-indented-code`); inside a list the same indentation continues the item, so there it does not,
and a line right after a paragraph line continues the paragraph: a false "in code" would hide a real
import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_lsp.syntax.text import Span

_IMPORT = re.compile(r"(?:^|(?<=\s))@((?:[^\s\\]|\\ )+)", re.M)
# In code, `` `@docs/x.md` `` is the usual way to show an import: there the `@` may follow a backtick.
_IMPORT_IN_CODE = re.compile(r"(?<=`)@((?:[^\s\\`]|\\ )+)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_INDENTED_AFTER_BLANK = re.compile(r"\n[ \t\r]*\n(?: {0,3}\t| {4})")
_FIRST = re.compile(r"[a-zA-Z0-9._-]")
MAX_IMPORTS = 1_000  # imports of one file read: a file with more is hostile or generated
_SYMBOLS_ONLY = re.compile(r"[#%^&*()]+")


@dataclass(frozen=True, slots=True)
class Import:
    """One `@path`: `path` as Claude Code reads it, `span` the path as written (after the `@`)."""

    path: str
    span: Span
    in_code: bool = False  # in a code block or code span: Claude Code does not follow it


def import_path(raw: str) -> str | None:
    """What Claude Code makes of the text after an `@` (None when it is no import)."""
    cut = raw.find("#")
    if cut >= 0:
        raw = raw[:cut]
    path = raw.replace("\\ ", " ")
    if not path:
        return None
    if path.startswith(("./", "~/")) or (path.startswith("/") and path != "/"):
        return path
    if path.startswith("@") or _SYMBOLS_ONLY.match(path) or not _FIRST.match(path):
        return None
    return path


def _code_regions(text: str, start: int) -> list[tuple[int, int]]:
    """The fenced code blocks (an unclosed fence runs to the end) and code spans from `start` on."""
    regions: list[tuple[int, int]] = []
    pos = start
    fences: list[tuple[int, int]] = []
    while True:
        match = _FENCE.search(text, pos)
        if match is None:
            break
        marker = match.group(1)
        closing = re.compile(rf"^ {{0,3}}{marker[0]}{{{len(marker)},}}[ \t]*$", re.M)
        line_end = text.find("\n", match.end())
        if line_end < 0:
            fences.append((match.start(), len(text)))
            break
        close = closing.search(text, line_end + 1)
        end = len(text) if close is None else close.end()
        fences.append((match.start(), end))
        pos = end
    regions.extend(fences)
    regions.extend(_indented_blocks(text, start, fences))
    # Code spans: outside fences, a run of backticks up to the next run of the same length, within a paragraph.
    cursor = start
    for fence_start, fence_end in [*fences, (len(text), len(text))]:
        regions.extend(_spans_between(text, cursor, fence_start))
        cursor = fence_end
    return sorted(regions)


def _indent(line: str) -> int:
    """The columns of white space a line starts with (a tab to the next multiple of four)."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _indented_blocks(text: str, start: int, fences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The indented code blocks from `start` on, outside `fences`: lines indented four columns or more after
    a blank line (or the start), outside a list, up to the next line indented less."""
    blocks: list[tuple[int, int]] = []
    if _INDENTED_AFTER_BLANK.search(text, start) is None and not text.startswith(("    ", "\t"), start):
        return blocks  # no line indented four columns after a blank line: the usual memory file
    pos, previous_blank, in_list, block_start = start, True, False, -1
    fence_iter = iter(fences)
    fence = next(fence_iter, None)
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end + 1
        while fence is not None and fence[1] <= pos:
            fence = next(fence_iter, None)
        line = text[pos:end].rstrip("\r\n")
        if fence is not None and fence[0] <= pos < fence[1]:
            if block_start >= 0:
                blocks.append((block_start, pos))
                block_start = -1
            previous_blank, pos = False, end
            continue
        blank = not line.strip()
        indent = _indent(line)
        if block_start >= 0 and not blank and indent < 4:
            blocks.append((block_start, pos))
            block_start = -1
        if block_start < 0 and not blank:
            if indent >= 4 and previous_blank and not in_list:
                block_start = pos
            elif _LIST_ITEM.match(line):
                in_list = True
            elif indent == 0 and previous_blank:
                in_list = False  # a paragraph after a blank line: any list has ended
        previous_blank, pos = blank, end
    if block_start >= 0:
        blocks.append((block_start, len(text)))
    return blocks


def _spans_between(text: str, start: int, end: int) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        opening = _BACKTICKS.search(text, pos, end)
        if opening is None:
            break
        run = len(opening.group())
        blank = _BLANK_LINE.search(text, opening.end(), end)
        limit = blank.start() if blank else end
        closing = None
        for candidate in _BACKTICKS.finditer(text, opening.end(), limit):
            if len(candidate.group()) == run:
                closing = candidate
                break
        if closing is None:
            pos = opening.end()
            continue
        found.append((opening.start(), closing.end()))
        pos = closing.end()
    return found


def find_imports(text: str, start: int = 0, limit: int = MAX_IMPORTS) -> list[Import]:
    """The `@path` imports in `text` from `start` on (the body after any frontmatter), in text order, the
    first `limit` of them; those in code carry `in_code`. Imports inside HTML comments are left out:
    Claude Code drops comments."""
    if text.find("@", start) < 0:
        return []
    comments = [(m.start(), m.end()) for m in _COMMENT.finditer(text, start)] if "<!--" in text else []
    code = _code_regions(text, start)
    found: list[Import] = []
    for match in _IMPORT.finditer(text, start):
        at = match.start(1)
        if any(s <= at < e for s, e in comments):
            continue
        raw = match.group(1)
        path = import_path(raw)
        if path is None:
            continue
        cut = raw.find("#")
        written = raw if cut < 0 else raw[:cut]
        in_code = any(s <= at < e for s, e in code)
        found.append(Import(path, Span(at, at + len(written)), in_code))
        if len(found) >= limit:
            break
    for match in _IMPORT_IN_CODE.finditer(text, start) if code and len(found) < limit else ():
        at = match.start(1)
        path = import_path(match.group(1))
        if path is not None and any(s <= at < e for s, e in code) and not any(s <= at < e for s, e in comments):
            cut = match.group(1).find("#")
            written = match.group(1) if cut < 0 else match.group(1)[:cut]
            found.append(Import(path, Span(at, at + len(written)), True))
            if len(found) >= limit:
                break
    return sorted(found, key=lambda i: i.span.start)


def import_prefix_at(text: str, offset: int) -> tuple[int, str] | None:
    """The `@path` being typed just before `offset`: (where the path starts, what is typed so far)."""
    line_start = text.rfind("\n", 0, offset) + 1
    before = text[line_start:offset]
    match = re.search(r"(?:^|(?<=\s))@((?:[^\s\\]|\\ )*)$", before)
    if match is None:
        return None
    return line_start + match.start(1), match.group(1)

"""Offsets, lines and LSP positions for one document text.

Everything inside the language service works with code-point offsets into the
document string; positions are made only at the edge, in the unit the client
negotiated (UTF-16 unless told otherwise), counted here. Lines break on `\\n`,
`\\r\\n` and `\\r` only, as LSP defines them (str.splitlines would also split on form
feeds and Unicode separators, which would shift every line after them). This module
is the one place that rule is written: the server's text documents (lsp/textdocument)
find their lines with the same `LineIndex`.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

# LSP's line breaks, kept in what `split` returns: contents at even places, breaks at odd ones.
_SPLIT_KEEPING_BREAKS = re.compile(r"(\r\n|\r|\n)")
# The first stretch of text a LineIndex reads: a typical frontmatter and then some. Each later stretch
# is as long as all the text the index read before it (from its origin: the start of the text, or where
# an edit began), so reading up to offset N costs O(N - origin) in all.
_FIRST_STRETCH = 8192

# The position encodings LSP defines, by the names it gives them (lsprotocol's PositionEncodingKind
# values are these strings, so either may be passed).
ENCODINGS = ("utf-8", "utf-16", "utf-32")


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of code-point offsets into the document text."""

    start: int
    end: int


# ---- lines ----------------------------------------------------------------------------------
def _break_count(text: str) -> int:
    """How many line breaks `text` holds (a C scan, far cheaper than finding the lines)."""
    count = text.count("\n")
    if "\r" in text:
        count += text.count("\r") - text.count("\r\n")
    return count


def lines_with_breaks(text: str) -> list[str]:
    """The lines of `text` with their line breaks, like `text.splitlines(True)` but broken at
    `\\n`, `\\r\\n` and `\\r` only; a final line break starts no line of its own."""
    # `splitlines` is several times faster than the regex, and right unless the text has one of
    # the separators LSP ignores. Every LSP line break is also one of `splitlines`'s, so the two
    # cut the text at the same places exactly when they cut it as many times; counting LSP's
    # breaks costs far less than searching for the other separators.
    lines = text.splitlines(True)
    if not text or len(lines) == _break_count(text) + (not text.endswith(("\n", "\r"))):
        return lines
    parts = _SPLIT_KEEPING_BREAKS.split(text)
    lines = list(map(operator.add, parts[0:-1:2], parts[1::2]))
    if parts[-1]:
        lines.append(parts[-1])
    return lines


class LineIndex:
    """Maps offsets to (line, column) and back for one text.

    Lines are found lazily, from the start of the text up to the furthest line or offset
    asked about: parsing reads only the frontmatter, so an edit of a file with a megabyte
    of Markdown body does not split the whole body into lines on every keystroke. An
    edited text's index starts from the lines before the edit (`edited`), so typing far
    down a long document reads on from the edit, not from the start.
    """

    __slots__ = ("_count", "_done", "_lines", "_origin", "_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0]  # starts of the lines found so far, and of the line after them unless `_done`
        self._lines: list[str] = []  # the content of every line found so far (without its line break)
        self._done = False
        self._count: int | None = None
        self._origin = 0  # where this index began reading (after the lines an edit kept)

    def edited(self, text: str, offset: int) -> LineIndex:
        """The index of `text`, a text equal to this one before `offset` (an edit begins there).

        The lines found before `offset` are kept, the one holding it and all after are read again:
        a line starting at `offset` may start elsewhere now (a `\\r` just before the edit pairs with
        a `\\n` the edit begins with). The new index takes this one's lists over, which costs
        nothing however many lines were found; this index starts afresh (its answers stay right).
        """
        starts, lines = self._starts, self._lines
        kept = max(1, bisect.bisect_left(starts, offset))
        del starts[kept:]
        del lines[kept - 1 :]
        index = LineIndex(text)
        index._starts, index._lines, index._origin = starts, lines, starts[-1]
        self._starts, self._lines, self._done, self._origin = [0], [], False, 0
        return index

    # ---- finding lines ------------------------------------------------------------------
    def _read_on(self, reach: int = 0) -> None:
        """Find the lines of the next stretch of text: at least one more line, and up to offset `reach`."""
        text = self.text
        size = len(text)
        begin = self._starts[-1]
        stretch = max(_FIRST_STRETCH, begin - self._origin, reach + 1 - begin)
        while True:
            end = min(size, begin + stretch)
            if end < size and text[end - 1] == "\r":
                end -= 1  # a `\r` that may pair with the `\n` after it is read with the next stretch
            chunk = text[begin:end]
            if "\r" in chunk:
                parts = _SPLIT_KEEPING_BREAKS.split(chunk)
                contents, breaks = parts[0::2], parts[1::2]
            else:  # str.split finds the lines several times faster than the regex
                contents = chunk.split("\n")
                breaks = []
            if end == size or len(contents) > 1:
                break
            stretch *= 2  # one line longer than the stretch: read further
        # The last piece is a whole line only at the end of the text; otherwise it is read again next time.
        last = contents.pop()
        if breaks:
            lengths: Iterator[int] = map(operator.add, map(len, contents), map(len, breaks))
        else:
            lengths = map(operator.add, map(len, contents), itertools.repeat(1))
        starts = itertools.accumulate(lengths, initial=begin)
        next(starts)  # `begin`, the last start found before
        self._starts.extend(starts)
        self._lines.extend(contents)
        if end == size:
            self._lines.append(last)
            self._done = True

    def _read_to_line(self, line: int) -> bool:
        """Find lines up to `line`; False when the text has fewer lines."""
        while len(self._lines) <= line:
            if self._done:
                return False
            self._read_on()
        return True

    def _read_past(self, offset: int) -> None:
        """Find lines until the line holding `offset` is known whole."""
        while not self._done and self._starts[-1] <= offset:
            self._read_on(offset)

    def _read_all(self) -> list[str]:
        if not self._done:
            self._read_on(len(self.text))  # the rest in one stretch
        return self._lines

    # ---- the interface --------------------------------------------------------------------
    @property
    def lines(self) -> Sequence[str]:
        """The content of each line, without its line break: a list once the whole text is indexed,
        before that a sequence that finds each line when first asked for it."""
        if self._done:
            return self._lines
        # A fresh view each time, not one kept on the index: index -> view -> index would be a
        # reference cycle, and a cycle holding a megabyte of text waits for the cyclic collector
        # (which counts allocations, not bytes) instead of going with the document's version.
        return _LazyLines(self)

    @property
    def line_count(self) -> int:
        """How many lines the text has; after a final line break (and in an empty text) one more, empty, line."""
        if self._done:
            return len(self._lines)
        if self._count is None:
            self._count = _break_count(self.text) + 1
        return self._count

    def has_line(self, line: int) -> bool:
        """Whether the text has line `line` (of `line_count`'s lines), found by reading no further than that line."""
        return line >= 0 and self._read_to_line(line)

    def line_start(self, line: int) -> int:
        line = max(0, line)
        if not self._read_to_line(line):
            line = len(self._lines) - 1
        return self._starts[line]

    def line_end(self, line: int) -> int:
        """Offset of the end of the line's content (before its line break)."""
        line = max(0, line)
        if not self._read_to_line(line):
            line = len(self._lines) - 1
        return self._starts[line] + len(self._lines[line])

    def line_col(self, offset: int) -> tuple[int, int]:
        """The line and code-point column of an offset (clamped into the text)."""
        offset = max(0, min(offset, len(self.text)))
        self._read_past(offset)
        starts = self._starts
        line = bisect.bisect_right(starts, offset, 0, len(self._lines)) - 1
        col = offset - starts[line]
        # An offset inside a CRLF pair belongs to the end of the line's content.
        return line, min(col, len(self._lines[line]))

    def offset(self, line: int, col: int) -> int:
        line = max(line, 0)
        if not self._read_to_line(line):
            return len(self.text)
        return self._starts[line] + max(0, min(col, len(self._lines[line])))

    def line_of(self, offset: int) -> int:
        return self.line_col(offset)[0]


class _LazyLines(Sequence[str]):
    """`LineIndex.lines` before the whole text is indexed: each line is found when first asked for."""

    __slots__ = ("_index",)

    def __init__(self, index: LineIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return self._index.line_count

    @overload
    def __getitem__(self, item: int) -> str: ...

    @overload
    def __getitem__(self, item: slice) -> Sequence[str]: ...

    def __getitem__(self, item: int | slice) -> str | Sequence[str]:
        index = self._index
        if isinstance(item, slice):
            return index._read_all()[item]
        if 0 <= item < len(index._lines):
            return index._lines[item]
        if item < 0:
            return index._read_all()[item]
        if not index._read_to_line(item):
            raise IndexError("line index out of range")
        return index._lines[item]

    def __iter__(self) -> Iterator[str]:
        index = self._index
        n = 0
        while index._read_to_line(n):
            yield index._lines[n]
            n += 1

    def __repr__(self) -> str:
        return f"<lines of a {len(self._index.text)}-character text, {len(self._index._lines)} read>"


# ---- code units -------------------------------------------------------------------------------
# A client counts a position's character in code units of the negotiated encoding: UTF-8 bytes,
# UTF-16 units (two for a character above U+FFFF) or UTF-32 units (code points, as Python counts).
# Each code point is counted on its own, a lone surrogate too (one UTF-16 unit, three UTF-8 bytes),
# which is what "surrogatepass" encodes it as.
_UTF8, _UTF16, _UTF32 = ENCODINGS


def position_encoding(encoding: str) -> str:
    """The encoding's name as a plain string (lsprotocol's enum may be passed); ValueError if LSP has no such one."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown position encoding {encoding!r}: expected one of {', '.join(ENCODINGS)}")
    return ENCODINGS[ENCODINGS.index(encoding)]


def count_units(text: str, encoding: str) -> int:
    """How many code units of `encoding` the client counts in `text`."""
    if encoding == _UTF32 or text.isascii():
        return len(text)
    if encoding == _UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == _UTF16:
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    raise ValueError(f"unknown position encoding {encoding!r}")


def column_at(text: str, units: int, encoding: str) -> int:
    """The code-point column of the character `units` code units into `text` (one line's content).

    A count inside a character's units (half a surrogate pair) means the end of that character,
    and a count past the end of the line means its end, as LSP says.
    """
    if units <= 0:
        return 0
    if encoding == _UTF32 or text.isascii():
        return min(units, len(text))
    total = count_units(text, encoding)
    if units >= total:
        return len(text)
    if total == len(text):  # UTF-16 without a character above U+FFFF: one unit each
        return units
    utf8 = encoding == _UTF8
    counted = 0
    for column, char in enumerate(text):
        if counted >= units:
            return column
        point = ord(char)
        if utf8:
            counted += 1 if point < 0x80 else 2 if point < 0x800 else 3 if point < 0x10000 else 4
        else:
            counted += 1 if point < 0x10000 else 2
    return len(text)  # not reached: `units` is below the line's total


class PositionMapper:
    """Turns offsets into LSP positions and back, in the client's encoding.

    Reads only the lines the positions are on, which `LineIndex` answers without indexing
    the rest of the text; a character past the end of a line means the end of the line, and
    a line past the last one the end of the text.
    """

    __slots__ = ("encoding", "index")

    def __init__(self, index: LineIndex, encoding: str = "utf-16") -> None:
        self.index = index
        self.encoding = position_encoding(encoding)

    def position(self, offset: int) -> tuple[int, int]:
        line, col = self.index.line_col(offset)
        text = self.index.lines[line]
        if text.isascii():  # one unit per character in every encoding: nothing to count
            return line, col
        return line, count_units(text[:col], self.encoding)

    def offset(self, line: int, character: int) -> int:
        if line < 0:
            return 0
        index = self.index
        if not index.has_line(line):
            return len(index.text)
        return index.offset(line, column_at(index.lines[line], character, self.encoding))

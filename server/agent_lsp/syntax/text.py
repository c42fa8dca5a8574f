"""Offsets, lines and LSP positions for one document text.

Everything inside the language service works with code-point offsets into the
document string; positions are made only at the edge, in the unit the client
negotiated (UTF-16 unless told otherwise). Lines break on `\\n`, `\\r\\n` and `\\r`
only, as LSP defines them (str.splitlines would also split on form feeds and
Unicode separators, which would shift every line after them).
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from pygls.workspace.position_codec import PositionCodec

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPLIT_KEEPING_BREAKS = re.compile(r"(\r\n|\r|\n)")
# The first stretch of text a LineIndex reads: a typical frontmatter and then some. Each later stretch
# is as long as all the text read before it, so reading up to offset N costs O(N) in all.
_FIRST_STRETCH = 8192


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of code-point offsets into the document text."""

    start: int
    end: int


class LineIndex:
    """Maps offsets to (line, column) and back for one text.

    Lines are found lazily, from the start of the text up to the furthest line or offset
    asked about: parsing reads only the frontmatter, so an edit of a file with a megabyte
    of Markdown body does not split the whole body into lines on every keystroke.
    """

    __slots__ = ("_count", "_crlf", "_done", "_lines", "_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._crlf = "\r" in text  # without `\r`, str.split("\n") finds the lines, several times faster than a regex
        self._starts = [0]  # starts of the lines found so far, and of the line after them unless `_done`
        self._lines: list[str] = []  # the content of every line found so far (without its line break)
        self._done = False
        self._count: int | None = None

    # ---- finding lines ------------------------------------------------------------------
    def _read_on(self, reach: int = 0) -> None:
        """Find the lines of the next stretch of text: at least one more line, and up to offset `reach`."""
        text = self.text
        size = len(text)
        begin = self._starts[-1]
        stretch = max(_FIRST_STRETCH, begin, reach + 1 - begin)
        while True:
            end = min(size, begin + stretch)
            if end < size and text[end - 1] == "\r":
                end -= 1  # a `\r` that may pair with the `\n` after it is read with the next stretch
            chunk = text[begin:end]
            if self._crlf:
                parts = _SPLIT_KEEPING_BREAKS.split(chunk)
                contents, breaks = parts[0::2], parts[1::2]
            else:
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
        if self._done:
            return len(self._lines)
        if self._count is None:
            # Counting breaks is a C scan, far cheaper than finding every line.
            text = self.text
            count = text.count("\n") + 1
            if self._crlf:
                count += text.count("\r") - text.count("\r\n")
            self._count = count
        return self._count

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


class PositionMapper:
    """Turns offsets into LSP positions and back, in the client's encoding.

    The unit arithmetic is pygls's PositionCodec; this class only feeds it our
    LSP-correct lines and clamps what clients send past the end of a line.
    The codec reads only `len(lines)` and the one line a position is on, which
    `LineIndex.lines` answers without indexing the rest of the text.
    """

    __slots__ = ("_codec", "_types", "index")

    def __init__(self, index: LineIndex, encoding: str = "utf-16") -> None:
        # Imported here so that `agent-lsp check` does not pay for lsprotocol at start-up.
        from lsprotocol import types
        from pygls.workspace.position_codec import PositionCodec

        self._types: Any = types
        self.index = index
        self._codec: PositionCodec = PositionCodec(types.PositionEncodingKind(encoding))

    def position(self, offset: int) -> tuple[int, int]:
        line, col = self.index.line_col(offset)
        lines = self.index.lines
        if lines[line].isascii():  # one unit per character in every encoding: nothing to count
            return line, col
        pos = self._codec.position_to_client_units(lines, self._types.Position(line, col))
        return pos.line, pos.character

    def offset(self, line: int, character: int) -> int:
        if line < 0:
            return 0
        if line >= self.index.line_count:
            return len(self.index.text)
        text = self.index.lines[line]
        if text.isascii():
            return self.index.offset(line, max(0, min(character, len(text))))
        if character >= self._codec.client_num_units(text):
            return self.index.line_end(line)
        pos = self._codec.position_from_client_units(self.index.lines, self._types.Position(line, max(0, character)))
        return self.index.offset(pos.line, pos.character)

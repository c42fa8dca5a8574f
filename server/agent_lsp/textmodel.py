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
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pygls.workspace.position_codec import PositionCodec

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of code-point offsets into the document text."""

    start: int
    end: int


class LineIndex:
    """Maps offsets to (line, column) and back for one text."""

    __slots__ = ("_starts", "lines", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        if "\r" not in text:
            # The common case, and the hot path on every edit of a large file: str.split
            # and accumulate run in C, several times faster than a regex walk.
            lines = text.split("\n")
            starts = [0, *itertools.accumulate(len(line) + 1 for line in lines[:-1])]
        else:
            starts = [0]
            lines = []
            pos = 0
            for m in _LINE_BREAK.finditer(text):
                lines.append(text[pos : m.start()])
                pos = m.end()
                starts.append(pos)
            lines.append(text[pos:])
        self._starts = starts
        self.lines = lines

    @property
    def line_count(self) -> int:
        return len(self.lines)

    def line_start(self, line: int) -> int:
        return self._starts[max(0, min(line, len(self._starts) - 1))]

    def line_end(self, line: int) -> int:
        """Offset of the end of the line's content (before its line break)."""
        line = max(0, min(line, len(self.lines) - 1))
        return self._starts[line] + len(self.lines[line])

    def line_col(self, offset: int) -> tuple[int, int]:
        """The line and code-point column of an offset (clamped into the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        col = offset - self._starts[line]
        # An offset inside a CRLF pair belongs to the end of the line's content.
        return line, min(col, len(self.lines[line]))

    def offset(self, line: int, col: int) -> int:
        if line >= len(self.lines):
            return len(self.text)
        line = max(line, 0)
        return self._starts[line] + max(0, min(col, len(self.lines[line])))

    def line_of(self, offset: int) -> int:
        return self.line_col(offset)[0]


class PositionMapper:
    """Turns offsets into LSP positions and back, in the client's encoding.

    The unit arithmetic is pygls's PositionCodec; this class only feeds it our
    LSP-correct lines and clamps what clients send past the end of a line.
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
        pos = self._codec.position_to_client_units(self.index.lines, self._types.Position(line, col))
        return pos.line, pos.character

    def offset(self, line: int, character: int) -> int:
        if line < 0:
            return 0
        if line >= self.index.line_count:
            return len(self.index.text)
        text = self.index.lines[line]
        if character >= self._codec.client_num_units(text):
            return self.index.line_end(line)
        pos = self._codec.position_from_client_units(self.index.lines, self._types.Position(line, max(0, character)))
        return self.index.offset(pos.line, pos.character)

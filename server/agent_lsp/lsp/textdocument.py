"""pygls's text document, with LSP's line breaks, and an incremental change spliced into the text where it lands.

pygls cuts a document into lines with `str.splitlines`, which also breaks lines at form
feeds, vertical tabs, `\x1c`-`\x1e`, `\x85`, `\u2028` and `\u2029`. The LSP specification
ends lines at `\n`, `\r\n` and `\r` only, so in a text holding one of those (pasted prose
in an agent's body) a client's "line N, character C" lands elsewhere in pygls's copy than
in the editor's, and the server's text silently stops being the user's.
`SplicingTextDocument` counts lines as LSP does, in the changes it applies and in `lines`
(which every other position method of pygls's TextDocument reads, so `offset_at_position`,
`word_at_position` and the unit conversions follow too).

pygls also applies an incremental change by splitting the whole text into lines and writing
every line back out: O(document) Python work per keystroke, several milliseconds on a
file with a megabyte of Markdown body. `SplicingTextDocument` finds the offsets of the
change's two positions from the lines before them only, and joins the text around them.

Apart from the line breaks and the end of a line, the result is exactly pygls's: positions
go through the workspace's PositionCodec, and reversed ranges come out as pygls writes
them. A character past the end of a line is taken as the end of that line, as LSP says
(pygls's codec is one unit off there, see `_server_position`).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from typing import Any, overload

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

# The first stretch of text a line table reads; each later one is as long as all read before it.
_FIRST_STRETCH = 8192

# One line as LSP counts them, with its line break (the last line of a text may have none).
_LSP_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def lsp_lines(text: str) -> list[str]:
    """The lines of `text` with their line breaks, like `text.splitlines(True)` but broken at
    `\\n`, `\\r\\n` and `\\r` only, as LSP positions count lines."""
    # `splitlines` is several times faster than the regex, and right unless the text has one of
    # the separators LSP ignores. Every LSP line break is also one of `splitlines`'s, so the two
    # cut the text at the same places exactly when they cut it as many times; counting LSP's
    # breaks costs far less than searching for the other separators.
    lines = text.splitlines(True)
    breaks = text.count("\n")
    if "\r" in text:
        breaks += text.count("\r") - text.count("\r\n")
    if not text or len(lines) == breaks + (not text.endswith(("\n", "\r"))):
        return lines
    return _LSP_LINE.findall(text)


class _LineTable:
    """Where the lines of one text start, as `lsp_lines` cuts them, found from the start of
    the text as far as asked for."""

    __slots__ = ("_origin", "done", "starts", "text")

    def __init__(self, text: str, starts: list[int] | None = None) -> None:
        self.text = text
        # Starts of the lines found so far; unless `done`, the last one begins a line not read yet.
        self.starts = starts or [0]
        self._origin = self.starts[-1]
        self.done = not text  # an empty text has no lines at all

    def _read_on(self) -> None:
        text = self.text
        size = len(text)
        begin = self.starts[-1]
        stretch = max(_FIRST_STRETCH, begin - self._origin)
        while True:
            end = min(size, begin + stretch)
            pieces = lsp_lines(text[begin:end])
            if end == size:
                break
            # The last piece may be cut short, or be a `\r` whose `\n` is past the stretch: read it again next time.
            pieces.pop()
            if pieces:
                break
            stretch *= 2
        starts = itertools.accumulate(map(len, pieces), initial=begin)
        next(starts)  # `begin`, found before
        self.starts.extend(starts)
        if end == size:
            self.starts.pop()  # the end of the text, where no line starts
            self.done = True

    def line(self, n: int) -> str | None:
        """Line `n` with its line break, or None past the last line."""
        starts = self.starts
        while len(starts) <= n + 1 and not self.done:
            self._read_on()
        if n >= len(starts) or not self.text:
            return None
        return self.text[starts[n] : starts[n + 1] if n + 1 < len(starts) else len(self.text)]

    def line_count(self) -> int:
        while not self.done:
            self._read_on()
        return len(self.starts) if self.text else 0

    def edited(self, text: str, offset: int) -> _LineTable:
        """The table of `text`, the same text as this one before `offset`.

        A line starting at `offset` or later may start elsewhere now (a `\\r` just before
        the edit pairs with a `\\n` the edit begins with), so only earlier starts are kept.
        The new table takes this one's list over: this table is done with once its text is replaced."""
        starts = self.starts
        del starts[max(1, bisect.bisect_left(starts, offset)) :]
        return _LineTable(text, starts)


class _CodecLines(Sequence[str]):
    """What `PositionCodec.position_from_client_units` reads of a document's lines: how many there
    are (whether the position's line is past the last) and the one line the position ends up on."""

    __slots__ = ("_count", "_line", "_number")

    def __init__(self, count: int, number: int, line: str) -> None:
        self._count = count
        self._number = number
        self._line = line

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, item: int) -> str: ...

    @overload
    def __getitem__(self, item: slice) -> Sequence[str]: ...

    def __getitem__(self, item: int | slice) -> str | Sequence[str]:
        if isinstance(item, int) and (item if item >= 0 else item + self._count) == self._number:
            return self._line
        raise IndexError(item)


class SplicingTextDocument(TextDocument):
    """A TextDocument with LSP's lines, whose incremental changes cost O(lines before the change), not O(document)."""

    _table: _LineTable | None = None

    def _lines_of(self, source: str) -> _LineTable:
        table = self._table
        if table is None or table.text is not source:
            table = self._table = _LineTable(source)
        return table

    @property
    def lines(self) -> Sequence[str]:
        # pygls's own methods read positions against these lines: they must be the client's.
        return tuple(lsp_lines(self.source))

    def _server_position(self, table: _LineTable, position: types.Position) -> tuple[int, int]:
        """The offset of a client position in the text, and its line, as pygls's codec reads them on LSP's lines."""
        line = table.line(position.line)
        if line is None:  # past the last line: the codec clamps to the end of the last line
            count = table.line_count()
            lines = _CodecLines(count, count - 1, table.line(count - 1) or "")
        else:
            # LSP: a character past the end of a line means the end of the line. pygls's codec
            # clamps one unit short on a last line without a line break ("abc" + (0, 9) lands
            # before the "c") and lets the one unit past a line's content through to after its
            # break ("ab\n" + (0, 3) lands on the next line); either would put the client's text
            # elsewhere than the client did. So the position is clamped here, on a copy: the
            # client's change object stays as it was sent.
            content = line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith(("\n", "\r")) else line
            limit = len(content) if content.isascii() else self.position_codec.client_num_units(content)
            if position.character > limit:
                position = types.Position(position.line, limit)
            # The codec only asks whether the line is past the last, which it is not.
            lines = _CodecLines(position.line + 1, position.line, line)
        server = self.position_codec.position_from_client_units(lines, position)
        text = lines[server.line]
        return table.starts[server.line] + min(server.character, len(text)), server.line

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        start, end = change.range.start, change.range.end
        if min(start.line, start.character, end.line, end.character) < 0:
            # pygls would read a negative line from the end of the document; lsprotocol's types do
            # not let one through, but should one come, pygls's own code decides what it means
            # (on `self.lines`, so with LSP's lines too).
            super()._apply_incremental_change(change)
            return
        source = self.source
        if not source:
            self._source = change.text
            return
        table = self._lines_of(source)
        begin, first_line = self._server_position(table, start)
        stop, last_line = self._server_position(table, end)
        if first_line > last_line:
            self._source = source  # pygls copies every line and writes the new text nowhere
            return
        # With both ends on one line and the start after the end, pygls writes the text between
        # them twice (line[:start] + text + line[end:]); the slices below do the same.
        text = source[:begin] + change.text + source[stop:]
        self._source = text
        self._table = table.edited(text, begin)


class SplicingWorkspace(Workspace):
    """pygls's Workspace, making SplicingTextDocuments."""

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return SplicingTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )


def use_splicing_documents(workspace: Any) -> None:
    """Make a pygls Workspace (the one `initialize` creates) open documents as SplicingTextDocuments."""
    if isinstance(workspace, Workspace) and not isinstance(workspace, SplicingWorkspace):
        workspace.__class__ = SplicingWorkspace

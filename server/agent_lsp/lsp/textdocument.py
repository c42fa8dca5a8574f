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
Its lines are syntax/text's `LineIndex`, the package's one line table: the index of the
edited text keeps the lines found before the edit and reads on from there.

Apart from the line breaks and the end of a line, the result is exactly pygls's: positions
go through the workspace's PositionCodec, and reversed ranges come out as pygls writes
them. A character past the end of a line is taken as the end of that line, as LSP says
(pygls's codec is one unit off there, see `_server_position`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

from agent_lsp.syntax.text import LineIndex, lines_with_breaks


class SplicingTextDocument(TextDocument):
    """A TextDocument with LSP's lines, whose incremental changes cost O(lines before the change), not O(document)."""

    _table: LineIndex | None = None

    def _lines_of(self, source: str) -> LineIndex:
        table = self._table
        if table is None or table.text is not source:
            table = self._table = LineIndex(source)
        return table

    @property
    def lines(self) -> Sequence[str]:
        # pygls's own methods read positions against these lines: they must be the client's.
        return tuple(lines_with_breaks(self.source))

    def _server_position(self, table: LineIndex, position: types.Position) -> tuple[int, int]:
        """The offset of a client position in the text, and its line, as pygls's codec reads them on LSP's lines.

        pygls's lines are `lines_with_breaks`: after a final line break it sees no empty line, where
        the line index (like the client) has one; a position on that line or past it is the end of
        the text, on pygls's last line.
        """
        number = position.line
        text = table.text
        if not table.has_line(number + 1):  # the last line or past it: the whole text is read by now
            last = table.line_count - 1 - text.endswith(("\n", "\r"))
            if number > last:
                return len(text), last
        content = table.lines[number]
        # LSP: a character past the end of a line means the end of the line. pygls's codec
        # clamps one unit short on a last line without a line break ("abc" + (0, 9) lands
        # before the "c") and lets the one unit past a line's content through to after its
        # break ("ab\n" + (0, 3) lands on the next line); either would put the client's text
        # elsewhere than the client did. So the position is clamped here, on a copy: the
        # client's change object stays as it was sent.
        if content.isascii():
            column = min(position.character, len(content))
        else:
            codec = self.position_codec
            character = min(position.character, codec.client_num_units(content))
            # The codec reads the one line the position is on.
            column = codec.position_from_client_units((content,), types.Position(0, character)).character
        return table.line_start(number) + column, number

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

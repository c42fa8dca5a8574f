"""One indexed file: the name it registers, its description and its references, packed small.

`read_file` reads a file's text into an `IndexedFile`. A workspace may hold thousands of them for as
long as the server runs, so an entry read from disk keeps no text (it is read again, through
`disk.disk_text`, when navigation needs it) and its references are packed. `paths` says what the
file is (its `Placement`), `references` what it names; the index (`index.py`) holds the entries.
"""

from __future__ import annotations

import sys
import threading
import weakref
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from agent_lsp.project import disk
from agent_lsp.project.paths import FileKind, Placement, Scope, within
from agent_lsp.project.references import (
    TOOL_FIELDS,
    Reference,
    RefKind,
    inline_mcp_server_names,
    mention_references,
    name_field_span,
    references_in,
    text_value,
)
from agent_lsp.syntax.frontmatter import ParsedAgent, parse_agent
from agent_lsp.syntax.text import LineIndex, Span

if TYPE_CHECKING:
    from agent_lsp.project.index import WorkspaceIndex


class IndexedFile:
    """One indexed file: the name it registers, its description and its references, with their spans.

    A workspace may hold thousands of these for as long as the server runs, so a file read from
    disk keeps no text: its references are packed (interned names, one array of kind/start/end
    codes) and its text is read again when navigation needs it, checked against the size,
    mtime and inode it was indexed with (a file changed since is re-indexed first, through the
    index that read it). Open documents, and entries made from a given text, keep their text.
    """

    __slots__ = (
        "_lines",
        "_name_col",
        "_name_end",
        "_name_line",
        "_name_start",
        "_owner",
        "_ref_data",
        "_ref_names",
        "_stamp",
        "_text",
        "description",
        "inline_mcp",
        "name",
        "path",
        "placement",
    )

    def __init__(
        self,
        path: str,
        placement: Placement,
        text: str,
        name: str | None,
        description: str,
        name_span: Span | None,
        references: Iterable[Reference] = (),
        inline_mcp: tuple[str, ...] = (),
        name_at: tuple[int, int] | None = None,
    ) -> None:
        self.path = path
        self.placement = placement
        self.name = name  # the name the file registers (None when it registers nothing, or for CLAUDE.md)
        self.description = description
        # Two small ints rather than a Span object each (offsets below 256 are shared ints).
        self._name_start, self._name_end = (name_span.start, name_span.end) if name_span is not None else (-1, -1)
        self._name_line, self._name_col = name_at if name_at is not None else (-1, -1)
        self.inline_mcp = inline_mcp
        self._ref_names, self._ref_data = _pack(references)
        self._text: str | None = text
        self._lines: LineIndex | None = None
        self._stamp: int | None = None  # set when the text is dropped: what the file on disk must still match
        self._owner: weakref.ref[WorkspaceIndex] | None = None

    def __repr__(self) -> str:
        return f"IndexedFile({self.path!r}, {self.kind.value}, name={self.name!r})"

    @property
    def name_span(self) -> Span | None:
        """Where the name is written in the frontmatter, when it is."""
        return Span(self._name_start, self._name_end) if self._name_start >= 0 else None

    @property
    def name_position(self) -> tuple[int, int, int] | None:
        """(line, start column, end column) of the name, the same in every position encoding (its line
        is ASCII up to the name's end), when known: a location without reading the file again."""
        if self._name_line < 0:
            return None
        return self._name_line, self._name_col, self._name_col + self._name_end - self._name_start

    @property
    def kind(self) -> FileKind:
        return self.placement.kind

    @property
    def scope(self) -> Scope:
        return self.placement.scope

    @property
    def uri(self) -> str:
        return Path(self.path).as_uri()

    @property
    def qualified_name(self) -> str | None:
        """How Claude Code lists it: plugin entries are `plugin:name`."""
        if self.name is None:
            return None
        return f"{self.placement.plugin}:{self.name}" if self.placement.plugin else self.name

    @property
    def references(self) -> list[Reference]:
        """Every reference the file holds, in text order (made on demand from the packed form)."""
        return [self._reference(i) for i in range(len(self._ref_names))]

    @property
    def reference_names(self) -> tuple[str, ...]:
        """The names of `references`, without making them."""
        return self._ref_names

    def references_named(self, kind: RefKind, names: Iterable[str]) -> list[Reference]:
        """The references of a kind to any of `names` (only those are made)."""
        wanted = set(names)
        data = self._ref_data
        return [
            self._reference(i)
            for i, name in enumerate(self._ref_names)
            if name in wanted and data is not None and _REF_SHAPES[data[3 * i]][0] is kind
        ]

    def _reference(self, i: int) -> Reference:
        data = self._ref_data
        assert data is not None
        kind, how, field_name = _REF_SHAPES[data[3 * i]]
        return Reference(kind, self._ref_names[i], Span(data[3 * i + 1], data[3 * i + 2]), how, field_name)

    @property
    def stamp(self) -> int | None:
        """For an entry that keeps no text: what the file on disk must still match (size, mtime, inode)."""
        return self._stamp

    @property
    def held_text(self) -> str | None:
        """The text when the entry keeps it (an open document, or an entry made from a given text)."""
        return self._text

    @property
    def text(self) -> str:
        """The text the spans point into: kept, or read again from disk ("" once the file is gone)."""
        record = self._disk() if self._text is None else None
        if self._text is not None:  # (re-indexing may have made it an open document's)
            return self._text
        return record.text if record is not None else ""

    @property
    def lines(self) -> LineIndex:
        record = self._disk() if self._text is None else None
        if self._text is not None:
            if self._lines is None:
                self._lines = LineIndex(self._text)
            return self._lines
        if record is None:
            return LineIndex("")
        if record.lines is None:
            record.lines = LineIndex(record.text)
        return record.lines

    def share_names(self) -> None:
        """Make the reference names the process-wide interned strings (an entry read in another process
        arrives with copies of its own: `Read` or an agent's name, once per file)."""
        self._ref_names = tuple(sys.intern(name) for name in self._ref_names)

    def keep_no_text(self, stamp: int, owner: weakref.ref[WorkspaceIndex]) -> None:
        """Drop the text (the index read it from disk, at `stamp`): it is read again when needed, and
        `owner` re-indexes the file first when it changed since."""
        self.drop_text(stamp)
        self._owner = owner

    def drop_text(self, stamp: int) -> None:
        """Drop the text read from disk at `stamp`, before an index owns the entry (it may yet cross to
        another process: nothing here refers to an index)."""
        self._text = None
        self._lines = None
        self._stamp = stamp

    def _disk(self) -> disk.DiskText | None:
        """The file's text as indexed; when the file changed since, this entry is re-indexed from it first."""
        for _ in range(2):
            record = disk.disk_text(self.path)
            if record is not None and record.stamp == self._stamp:
                return record
            owner = self._owner() if self._owner is not None else None
            fresh = owner.current(self) if owner is not None else None
            if fresh is None or fresh is self:
                return None  # gone, no longer indexed, or its index is gone: nothing to read
            self._adopt(fresh)
            if self._text is not None:
                return None  # it is an open document now: the caller takes the kept text
        return None

    def _adopt(self, other: IndexedFile) -> None:
        """Become `other` (the same file indexed again), so that holders of this entry see text and spans agree."""
        for slot in IndexedFile.__slots__:
            setattr(self, slot, getattr(other, slot))


# ---- packed references ---------------------------------------------------------------------------

# (kind, how, field) of a reference, by the code its file stores; codes are handed out on first use.
_REF_SHAPES: list[tuple[RefKind, str, str | None]] = []
_REF_CODES: dict[tuple[RefKind, str, str | None], int] = {}
# Offsets fit 32 bits (files are at most MAX_FILE_BYTES; open documents far below 4 GB).
_OFFSET_TYPE = "I" if array("I").itemsize >= 4 else "L"


_REF_LOCK = threading.Lock()  # the server's index is built in a worker thread while the editor's files are read


def _shape_code(shape: tuple[RefKind, str, str | None]) -> int:
    code = _REF_CODES.get(shape)
    if code is None:
        with _REF_LOCK:
            code = _REF_CODES.get(shape)
            if code is None:
                code = len(_REF_SHAPES)
                _REF_SHAPES.append(shape)
                _REF_CODES[shape] = code
    return code


# Every shape `references` makes, coded in this order in every process: entries read by the worker
# processes of a large scan mean the same in the process that holds them.
for _shape in (
    (RefKind.SKILL, "skills", "skills"),
    *((kind, "tools", field) for field in TOOL_FIELDS for kind in (RefKind.AGENT, RefKind.MCP)),
    (RefKind.AGENT, "mention", None),
    (RefKind.AGENT, "subagent_type", None),
    (RefKind.MCP, "mcpServers", "mcpServers"),
):
    _shape_code(_shape)


def _pack(references: Iterable[Reference]) -> tuple[tuple[str, ...], array[int] | None]:
    """Interned names and one array of (shape code, start, end): a fraction of a Reference object each."""
    names: list[str] = []
    data: list[int] = []
    for ref in references:
        code = _shape_code((ref.kind, ref.how, ref.field))
        names.append(sys.intern(ref.name))
        data += (code, ref.span.start, ref.span.end)
    if not names:
        return (), None
    return tuple(names), array(_OFFSET_TYPE, data)


# ---- reading one file ----------------------------------------------------------------------------


def read_file(path: str, placement: Placement, text: str, parsed: ParsedAgent | None = None) -> IndexedFile:
    """Index one file's text (`parsed`: the text already parsed, to save parsing it again)."""
    if placement.kind is FileKind.MEMORY:
        return IndexedFile(path, placement, text, None, "", None, mention_references(text))
    if parsed is None or parsed.text != text:
        parsed = parse_agent(text)
    data = parsed.data if parsed.loads and isinstance(parsed.data, dict) else {}
    name: str | None = None
    name_span: Span | None = None
    stem = Path(path).stem
    if placement.kind is FileKind.AGENT:
        value = data.get("name")
        if isinstance(value, str) and value.strip():
            name, name_span = value.strip(), name_field_span(parsed)
        elif placement.scope is Scope.PLUGIN:
            name = stem  # a plugin agent without a name loads under its file name
        if name is not None and placement.scope is Scope.PLUGIN:
            # A plugin's subfolders are part of the scoped name: agents/review/security.md -> review:security.
            sub = Path(path).parent.relative_to(placement.group).parts if within(path, placement.group) else ()
            name = ":".join((*sub, name)) if sub else name
    elif placement.kind is FileKind.SKILL:
        value = data.get("name")
        if placement.scope is Scope.PLUGIN and isinstance(value, str) and value.strip():
            name, name_span = value.strip(), name_field_span(parsed)
        else:
            name = placement.skill_dir or Path(path).parent.name
    elif placement.kind is FileKind.COMMAND:
        name = stem
    elif placement.kind is FileKind.OUTPUT_STYLE:
        # Claude Code takes any value as text, and the file name when there is none.
        value = data.get("name")
        if value is not None and not isinstance(value, (dict, list)) and str(value).strip():
            name, name_span = str(value).strip(), name_field_span(parsed)
        else:
            name = stem
    inline = tuple(inline_mcp_server_names(data.get("mcpServers")))
    return IndexedFile(
        path,
        placement,
        text,
        name,
        text_value(data.get("description")),
        name_span,
        references_in(parsed, placement.kind),
        inline,
        _ascii_position(parsed, name_span),
    )


def _ascii_position(parsed: ParsedAgent, span: Span | None) -> tuple[int, int] | None:
    """The (line, column) of a span on a line that is ASCII up to its end: workspace symbols and
    definitions place it without reading the file again (a column counts the same in every encoding)."""
    if span is None:
        return None
    line, col = parsed.index.line_col(span.start)
    return (line, col) if parsed.text[span.start - col : span.end].isascii() else None

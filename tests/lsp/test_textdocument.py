"""`textdocument.SplicingTextDocument` applies every change where the client made it.

Client and server must agree on the text after each edit. LSP ends lines at `\\n`, `\\r\\n`
and `\\r` only; pygls's TextDocument also ends them at form feeds, `\\u2028` and the like
(`str.splitlines`), so three references check the document:

- pygls itself, on texts without those separators, where its lines are LSP's: random changes
  (positions inside and past lines and the text, reversed ranges, whole-text replacements,
  several changes in a row) in each position encoding must give pygls's text, quirks included;
- pygls's own algorithm reading lines cut by LSP's rule, on texts with the separators too:
  the same random changes must give its text, so nothing but the line breaks differs from pygls;
- a few lines written here from the specification (split on LSP's breaks, count each line's
  code units, splice), for the edits a client makes, on texts with every kind of line break.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace import TextDocument, Workspace
from pygls.workspace.position_codec import PositionCodec

from agent_lsp.lsp.textdocument import SplicingTextDocument, SplicingWorkspace, use_splicing_documents
from agent_lsp.syntax import text as textmodel
from agent_lsp.syntax.text import lines_with_breaks

BOUNDED = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
URI = "file:///project/.claude/agents/a.md"
ENCODINGS = [types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf32]
# Pieces of text pygls and LSP cut into the same lines.
PLAIN = ["a", "key: value", " ", "\n", "\r", "\r\n", "😀", "日本語", "é"]
# What `str.splitlines` also breaks lines at, and LSP does not.
SEPARATORS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
ANY = PLAIN + SEPARATORS

Change = types.TextDocumentContentChangePartial | types.TextDocumentContentChangeWholeDocument
SYNC_KINDS = st.sampled_from(list(types.TextDocumentSyncKind))


def texts(pieces: list[str], max_size: int = 30) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


def changes(pieces: list[str]) -> st.SearchStrategy[Change]:
    positions = st.builds(types.Position, line=st.integers(0, 12), character=st.integers(0, 16))
    return st.one_of(
        st.builds(
            types.TextDocumentContentChangePartial,
            range=st.builds(types.Range, start=positions, end=positions),
            text=texts(pieces),
        ),
        st.builds(types.TextDocumentContentChangeWholeDocument, text=texts(pieces)),
    )


# ---- the specification, written out ----------------------------------------------------------
def reference_lines(text: str) -> list[str]:
    """Each line with its line break: a line ends after `\\r\\n`, or after a `\\n` or `\\r` on its own."""
    lines, start, i = [], 0, 0
    while i < len(text):
        if text[i] in "\r\n":
            i += 2 if text.startswith("\r\n", i) else 1
            lines.append(text[start:i])
            start = i
        else:
            i += 1
    if start < len(text):
        lines.append(text[start:])
    return lines


def reference_grid(text: str) -> list[tuple[int, str]]:
    """Where each line the client sees starts, and its characters without the line break; after a
    final line break (or in an empty text) the client sees one more, empty, line."""
    grid, start = [], 0
    for line in reference_lines(text):
        grid.append((start, line.rstrip("\r\n")))
        start += len(line)
    if not text or text.endswith(("\n", "\r")):
        grid.append((len(text), ""))
    return grid


def units(text: str, encoding: str) -> int:
    """How many code units the client counts in `text`."""
    codec, size = {"utf-8": ("utf-8", 1), "utf-16": ("utf-16-le", 2), "utf-32": ("utf-32-le", 4)}[encoding]
    return len(text.encode(codec)) // size


def draw_point(data: st.DataObject, text: str, encoding: str) -> tuple[types.Position, int]:
    """A position a client may send (on a line, between two characters), and its offset in `text`."""
    grid = reference_grid(text)
    line = data.draw(st.integers(0, len(grid) - 1))
    start, content = grid[line]
    character = data.draw(st.integers(0, len(content)))
    return types.Position(line, units(content[:character], encoding)), start + character


class PyglsOnLspLines(TextDocument):
    """pygls's TextDocument, every method unchanged, reading lines cut by the reference."""

    @property
    def lines(self) -> Sequence[str]:
        return tuple(reference_lines(self.source))


# Each reference, with the pieces of text it is right about.
REFERENCES: list[tuple[Callable[..., TextDocument], list[str]]] = [(TextDocument, PLAIN), (PyglsOnLspLines, ANY)]
REFERENCE_IDS = ["pygls", "pygls-on-lsp-lines"]


@pytest.fixture(params=[textmodel._FIRST_STRETCH, 1, 4], ids=["stretch-default", "stretch-1", "stretch-4"])
def stretch(request: pytest.FixtureRequest) -> Iterator[int]:
    """Tiny stretches put CRLF pairs and long lines on the edges of what the line table reads at once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(textmodel, "_FIRST_STRETCH", request.param)
        yield request.param


def _pair(
    text: str,
    encoding: str,
    sync: types.TextDocumentSyncKind,
    reference: Callable[..., TextDocument] = PyglsOnLspLines,
) -> tuple[TextDocument, SplicingTextDocument]:
    codec = PositionCodec(encoding)
    return (
        reference(URI, text, 1, sync_kind=sync, position_codec=codec),
        SplicingTextDocument(URI, text, 1, sync_kind=sync, position_codec=codec),
    )


def spec_clamped(change: Change, text: str, codec: PositionCodec) -> Change:
    """`change` with every character past the end of its line set to the line's end, as LSP reads it.

    pygls's codec is one unit off there (see textdocument._server_position); handed positions
    inside their lines, pygls is right, so the references get the change in this form.
    """
    if not isinstance(change, types.TextDocumentContentChangePartial):
        return copy.deepcopy(change)
    lines = reference_lines(text)

    def clamp(position: types.Position) -> types.Position:
        if position.line >= len(lines):
            return types.Position(position.line, position.character)
        line = lines[position.line]
        content = line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith(("\n", "\r")) else line
        return types.Position(position.line, min(position.character, codec.client_num_units(content)))

    rng = change.range
    return types.TextDocumentContentChangePartial(
        range=types.Range(clamp(rng.start), clamp(rng.end)), text=change.text, range_length=change.range_length
    )


def _apply_both(reference: TextDocument, ours: SplicingTextDocument, change: Change) -> None:
    theirs = spec_clamped(change, reference.source, reference.position_codec)
    mine = copy.deepcopy(change)
    reference.apply_change(theirs)
    ours.apply_change(mine)
    assert ours.source == reference.source, change
    assert mine == change  # the client's change object is not rewritten


# ---- against pygls ---------------------------------------------------------------------------
@pytest.mark.usefixtures("stretch")
@pytest.mark.parametrize(("reference", "pieces"), REFERENCES, ids=REFERENCE_IDS)
@BOUNDED
@given(data=st.data(), encoding=st.sampled_from(ENCODINGS))
def test_random_edits_give_the_references_text(
    reference: Callable[..., TextDocument], pieces: list[str], data: st.DataObject, encoding: str
) -> None:
    text = data.draw(texts(pieces))
    theirs, ours = _pair(text, encoding, types.TextDocumentSyncKind.Incremental, reference)
    for change in data.draw(st.lists(changes(pieces), min_size=1, max_size=8)):
        _apply_both(theirs, ours, change)
    assert ours.lines == theirs.lines


@pytest.mark.parametrize(("reference", "pieces"), REFERENCES, ids=REFERENCE_IDS)
@BOUNDED
@given(data=st.data(), encoding=st.sampled_from(ENCODINGS), sync=SYNC_KINDS)
def test_every_sync_kind_as_the_reference(
    reference: Callable[..., TextDocument],
    pieces: list[str],
    data: st.DataObject,
    encoding: str,
    sync: types.TextDocumentSyncKind,
) -> None:
    theirs, ours = _pair(data.draw(texts(pieces)), encoding, sync, reference)
    for change in data.draw(st.lists(changes(pieces), max_size=4)):
        _apply_both(theirs, ours, change)


@pytest.mark.usefixtures("stretch")
@pytest.mark.parametrize(("reference", "pieces"), REFERENCES, ids=REFERENCE_IDS)
@BOUNDED
@given(data=st.data(), encoding=st.sampled_from(ENCODINGS))
def test_edits_far_down_a_long_text(
    reference: Callable[..., TextDocument], pieces: list[str], data: st.DataObject, encoding: str
) -> None:
    """Typing in a long body: the line table is kept up to each edit and read on from there."""
    lines = data.draw(st.lists(texts(pieces, max_size=4), min_size=5, max_size=60))
    theirs, ours = _pair("\n".join(lines), encoding, types.TextDocumentSyncKind.Incremental, reference)
    for _ in range(data.draw(st.integers(1, 6))):
        line = data.draw(st.integers(0, len(lines) + 1))
        start = types.Position(line, data.draw(st.integers(0, 6)))
        end = types.Position(line + data.draw(st.integers(0, 2)), data.draw(st.integers(0, 6)))
        text = data.draw(texts(pieces))
        _apply_both(theirs, ours, types.TextDocumentContentChangePartial(range=types.Range(start, end), text=text))


# ---- against the specification ---------------------------------------------------------------
@pytest.mark.usefixtures("stretch")
@BOUNDED
@given(data=st.data(), text=texts(ANY), encoding=st.sampled_from(ENCODINGS))
def test_edits_land_where_the_client_made_them(data: st.DataObject, text: str, encoding: str) -> None:
    ours = SplicingTextDocument(URI, text, 1, position_codec=PositionCodec(encoding))
    for _ in range(data.draw(st.integers(1, 6))):
        (start, begin), (end, stop) = sorted(
            (draw_point(data, text, encoding), draw_point(data, text, encoding)), key=lambda p: p[1]
        )
        new = data.draw(texts(ANY))
        ours.apply_change(types.TextDocumentContentChangePartial(range=types.Range(start, end), text=new))
        text = text[:begin] + new + text[stop:]
        assert ours.source == text
    assert ours.lines == tuple(reference_lines(text))
    # pygls's other position methods read `lines`, so they count lines as the client does too.
    position, offset = draw_point(data, text, encoding)
    if position.line < len(ours.lines):  # pygls's offset past the last line is in client units: its own matter
        assert ours.offset_at_position(position) == offset
    if offset < len(text):  # pygls puts the end of a text without a final break on a line of its own
        assert ours.client_position_at_offset(offset) == position


@given(texts(ANY, max_size=60))
def test_lines_with_breaks_cut_as_the_specification(text: str) -> None:
    assert lines_with_breaks(text) == reference_lines(text)
    assert lines_with_breaks(text * 50) == reference_lines(text * 50)


def test_an_edit_after_a_line_separator_lands_on_the_clients_line() -> None:
    """The client sees `a\\u2028b` as line 0 and `c` as line 1; pygls would see `b` as line 1."""
    ours = SplicingTextDocument(URI, "a\u2028b\nc", 1)
    change = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(1, 0), types.Position(1, 0)), text="X"
    )
    ours.apply_change(change)
    assert ours.source == "a\u2028b\nXc"
    assert ours.lines == ("a\u2028b\n", "Xc")
    assert ours.offset_at_position(types.Position(1, 1)) == 5
    assert ours.client_position_at_offset(5) == types.Position(1, 1)
    assert ours.word_at_position(types.Position(1, 1)) == "Xc"


@pytest.mark.parametrize(
    ("text", "start", "end", "new", "expected"),
    [
        ("a\nb\n", (2, 0), (2, 0), "c", "a\nb\nc"),  # after a final line break: the end of the last line
        ("a\nb", (9, 3), (9, 3), "!", "a\nb!"),  # far past the end: the same
        ("", (3, 1), (3, 1), "x", "x"),  # an empty document
        ("ab\r\ncd", (0, 9), (1, 0), "", "abcd"),  # past the end of a line: up to its break
        ("ab\r\ncd", (0, 2), (0, 2), "\n", "ab\n\r\ncd"),
        ("ab\r", (1, 0), (1, 0), "\n", "ab\r\n"),  # a `\r` gets its `\n`: still one line break afterwards
        ("ab\r", (0, 3), (0, 3), "\n", "ab\n\r"),  # past the end of "ab": before its break (pygls: "ab\r\n")
        ("abc", (0, 2), (0, 1), "X", "abXbc"),  # reversed on one line: pygls writes `b` twice
        ("a\nb", (1, 0), (0, 0), "X", "a\nb"),  # reversed across lines: pygls writes nothing
        ("x😀y", (0, 3), (0, 3), "|", "x😀|y"),  # UTF-16: the emoji is two units
        ("a\x0cb\nc", (1, 0), (1, 1), "", "a\x0cb\n"),  # a form feed does not end a line
        ("a\u2029b\x85c\nd", (0, 5), (1, 0), "", "a\u2029b\x85cd"),  # nor do Unicode's separators
        ("a\x0c\nb", (0, 9), (0, 9), "!", "a\x0c!\nb"),  # clamped before the line's real break
        ("a\u2028b", (4, 0), (4, 0), "!", "a\u2028b!"),  # past the last line: the end of the text
        # A character past the end of a line is its end (LSP); pygls's codec is one unit off on these:
        ("abc", (0, 9), (0, 9), "X", "abcX"),  # pygls: "abXc"
        ("abc", (0, 0), (0, 99), "xyz", "xyz"),  # pygls: "xyzc"
        ("abc\nd", (0, 4), (0, 4), "X", "abcX\nd"),  # pygls: "abc\nXd"
        ("ab\r\ncd", (0, 3), (0, 3), "X", "abX\r\ncd"),  # pygls: "ab\r\nXcd"
    ],
)
def test_known_cases(text: str, start: tuple[int, int], end: tuple[int, int], new: str, expected: str) -> None:
    theirs, ours = _pair(text, types.PositionEncodingKind.Utf16, types.TextDocumentSyncKind.Incremental)
    change = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(*start), types.Position(*end)), text=new
    )
    _apply_both(theirs, ours, change)
    assert ours.source == expected
    if not any(separator in text for separator in SEPARATORS):
        pygls_doc = TextDocument(URI, text, 1)
        pygls_doc.apply_change(spec_clamped(change, text, PositionCodec(types.PositionEncodingKind.Utf16)))
        assert pygls_doc.source == expected


def test_a_line_start_just_after_a_cr_moves_when_a_newline_is_typed_there() -> None:
    theirs, ours = _pair("ab\rcd", types.PositionEncodingKind.Utf16, types.TextDocumentSyncKind.Incremental)
    for line, character, new in ((1, 0, "\n"), (1, 1, "X")):
        position = types.Position(line, character)
        change = types.TextDocumentContentChangePartial(range=types.Range(position, position), text=new)
        _apply_both(theirs, ours, change)
    assert ours.source == "ab\r\ncXd"


@pytest.mark.parametrize(("start", "end"), [((0, 1), (1, 1)), ((1, 0), (0, 0))])
def test_a_document_without_text_reads_its_file_as_pygls_does(
    tmp_path: Path, start: tuple[int, int], end: tuple[int, int]
) -> None:
    path = tmp_path / "a.md"
    path.write_text("ab\ncd\n", encoding="utf-8")
    pygls_doc, ours = TextDocument(path.as_uri()), SplicingTextDocument(path.as_uri())
    change = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(*start), types.Position(*end)), text="X"
    )
    _apply_both(pygls_doc, ours, change)
    path.write_text("changed on disk\n", encoding="utf-8")
    assert ours.source == pygls_doc.source  # both hold the text now


def test_an_edit_near_the_start_reads_only_the_lines_before_it() -> None:
    body = "Some prose.\u2028More.\n" * 50_000
    ours = SplicingTextDocument(URI, "---\nname: a\ncolor: red\n---\n" + body, 1)
    change = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(2, 7), types.Position(2, 10)), text="blue"
    )
    ours.apply_change(change)
    assert ours.source == "---\nname: a\ncolor: blue\n---\n" + body
    assert ours._table is not None and len(ours._table._starts) < 10


def test_the_workspace_opens_and_updates_splicing_documents() -> None:
    workspace = Workspace(None, position_encoding=types.PositionEncodingKind.Utf8)
    use_splicing_documents(workspace)
    use_splicing_documents(workspace)  # twice is harmless
    assert isinstance(workspace, SplicingWorkspace)
    workspace.put_text_document(types.TextDocumentItem(URI, "markdown", 1, "é\u2028\nb\n"))
    document = workspace.get_text_document(URI)
    assert isinstance(document, SplicingTextDocument)
    assert document.position_codec is workspace.position_codec
    # Two changes in one notification, applied in order, then the version.
    for change in (
        types.TextDocumentContentChangePartial(range=types.Range(types.Position(0, 2), types.Position(0, 2)), text="!"),
        types.TextDocumentContentChangePartial(range=types.Range(types.Position(1, 0), types.Position(1, 1)), text="c"),
    ):
        workspace.update_text_document(types.VersionedTextDocumentIdentifier(version=7, uri=URI), change)
    assert (document.source, document.version) == ("é!\u2028\nc\n", 7)


def test_the_server_uses_splicing_documents_after_initialize() -> None:
    from agent_lsp.lsp.server import create_server

    server = create_server()
    server.protocol._workspace = Workspace(None)  # what pygls's `initialize` sets up before the handler runs
    handler = server.protocol.fm.features[types.INITIALIZE]
    handler(types.InitializeParams(capabilities=types.ClientCapabilities()))
    assert isinstance(server.workspace, SplicingWorkspace)


def test_the_reference_lines_are_the_specifications() -> None:
    """The reference itself, on the cases that tell the rules apart."""
    assert reference_lines("a\r\nb\rc\nd\x0ce\u2028f\r") == ["a\r\n", "b\r", "c\n", "d\x0ce\u2028f\r"]
    assert reference_grid("a\r\r\n") == [(0, "a"), (2, ""), (4, "")]
    assert reference_grid("") == [(0, "")]
    assert units("x😀日", "utf-16") == 4 and units("x😀日", "utf-8") == 8 and units("x😀日", "utf-32") == 3
    assert re.split(r"\r\n|\r|\n", "a\u2028b\nc") == [content for _, content in reference_grid("a\u2028b\nc")]

"""`textmodel.LineIndex` finds lines lazily; every answer equals that of an index of the whole text.

The reference below indexes the whole text at once with LSP's line breaks (`\\n`, `\\r\\n`, `\\r`),
the way LineIndex did before it became lazy. The lazy index is also run with a stretch of a
few characters, so that CRLF pairs, long lines and the end of the text fall on stretch edges.
An index made by `edited` (the server's documents keep one across incremental changes) must
answer as a fresh index of the edited text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from agent_lsp.syntax import text as textmodel
from agent_lsp.syntax.frontmatter import parse_agent
from agent_lsp.syntax.text import LineIndex, PositionMapper

BOUNDED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINE_BREAK = re.compile(r"\r\n|\r|\n")
ENCODINGS = ["utf-16", "utf-8", "utf-32"]
# Line breaks of every kind, and characters that are not line breaks in LSP but are to str.splitlines.
PIECES = ["a", "bc", "key: value", " ", "\n", "\r", "\r\n", "\n\r", "😀", "日本語", "é", "\x0c", "\u2028", "\x85", ""]


class EagerIndex:
    """The whole text indexed at once: the reference answers."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = LINE_BREAK.split(text)
        self.starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]

    def line_start(self, line: int) -> int:
        return self.starts[max(0, min(line, len(self.starts) - 1))]

    def line_end(self, line: int) -> int:
        line = max(0, min(line, len(self.lines) - 1))
        return self.starts[line] + len(self.lines[line])

    def line_col(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, min(offset - self.starts[line], len(self.lines[line]))

    def offset(self, line: int, col: int) -> int:
        if line >= len(self.lines):
            return len(self.text)
        line = max(line, 0)
        return self.starts[line] + max(0, min(col, len(self.lines[line])))


@pytest.fixture(params=[textmodel._FIRST_STRETCH, 1, 3], ids=["stretch-default", "stretch-1", "stretch-3"])
def stretch(request: pytest.FixtureRequest) -> Iterator[int]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(textmodel, "_FIRST_STRETCH", request.param)
        yield request.param


def _texts() -> st.SearchStrategy[str]:
    return st.one_of(st.lists(st.sampled_from(PIECES), max_size=30).map("".join), st.text(max_size=40))


Query = tuple[str, int, int]
QUERIES = st.lists(
    st.tuples(
        st.sampled_from(["line_start", "line_end", "line_col", "offset", "line_of", "line", "count", "last"]),
        st.integers(-3, 80),
        st.integers(-3, 12),
    ),
    max_size=12,
)


def _answer(index: LineIndex | EagerIndex, query: Query) -> object:
    what, a, b = query
    if what == "line_start":
        return index.line_start(a)
    if what == "line_end":
        return index.line_end(a)
    if what in ("line_col", "line_of"):
        return index.line_col(a)
    if what == "offset":
        return index.offset(a, b)
    if what == "count":
        return len(index.lines)
    if what == "last":
        return index.lines[-1]
    return index.lines[a] if 0 <= a < len(index.lines) else None


@pytest.mark.usefixtures("stretch")
@BOUNDED
@given(_texts(), QUERIES)
def test_lazy_answers_equal_eager_ones_in_any_order(text: str, queries: list[Query]) -> None:
    lazy, eager = LineIndex(text), EagerIndex(text)
    for query in queries:
        assert _answer(lazy, query) == _answer(eager, query), (text, query)
    assert lazy.line_count == len(eager.lines)
    assert list(lazy.lines) == eager.lines
    # Once everything is read, the same answers from the complete index.
    for query in queries:
        assert _answer(lazy, query) == _answer(eager, query), (text, query)
    assert [lazy.line_col(n) for n in range(len(text) + 1)] == [eager.line_col(n) for n in range(len(text) + 1)]


@pytest.mark.usefixtures("stretch")
@BOUNDED
@given(_texts(), st.sampled_from(ENCODINGS), st.lists(st.tuples(st.integers(-2, 20), st.integers(-2, 20)), max_size=8))
def test_position_mapper_matches_the_codec_on_all_lines(
    text: str, encoding: str, positions: list[tuple[int, int]]
) -> None:
    """PositionMapper used to hand the codec the list of every line; it must not matter that it no longer does."""
    mapper = PositionMapper(LineIndex(text), encoding)
    eager = EagerIndex(text)
    codec = PositionCodec(types.PositionEncodingKind(encoding))
    for offset in range(len(text) + 1):
        line, col = eager.line_col(offset)
        expected = codec.position_to_client_units(eager.lines, types.Position(line, col))
        assert mapper.position(offset) == (expected.line, expected.character)
    fresh = PositionMapper(LineIndex(text), encoding)  # positions into a text not indexed yet
    for line, character in positions:
        assert fresh.offset(line, character) == mapper.offset(line, character)


def test_a_crlf_pair_on_a_stretch_edge_is_one_break(stretch: int) -> None:
    text = "ab\r\ncd\r\r\nef\r"
    index = LineIndex(text)
    assert [index.line_start(n) for n in range(5)] == [0, 4, 7, 9, 12]
    assert list(index.lines) == ["ab", "cd", "", "ef", ""]
    assert index.line_col(3) == (0, 2)  # between `\r` and `\n`: the end of the line's content


def test_a_line_longer_than_a_stretch(stretch: int) -> None:
    long = "x" * 50
    index = LineIndex(f"{long}\n{long}😀\ny")
    assert index.line_end(1) == 102
    assert index.line_col(103) == (2, 0)
    assert index.lines[1] == long + "😀"


def test_lines_read_like_a_list_before_and_after_indexing() -> None:
    text = "a\nb\r\nc\rd"
    index = LineIndex(text)
    lines = index.lines
    assert len(lines) == 4 and index.line_count == 4
    assert lines[1] == "b" and lines[-1] == "d" and lines[1:3] == ["b", "c"]
    assert list(lines) == ["a", "b", "c", "d"] == list(index.lines)
    with pytest.raises(IndexError):
        lines[4]
    with pytest.raises(IndexError):
        lines[-5]


@pytest.mark.parametrize("text", ["", "\n", "\r\n", "\r", "x", "x\n", "\n\n", "a\r\rb"])
def test_edge_texts(text: str) -> None:
    lazy, eager = LineIndex(text), EagerIndex(text)
    assert lazy.line_count == len(eager.lines)
    assert [lazy.line_start(n) for n in range(-1, 4)] == [eager.line_start(n) for n in range(-1, 4)]
    assert [lazy.line_end(n) for n in range(-1, 4)] == [eager.line_end(n) for n in range(-1, 4)]
    assert [lazy.offset(n, 1) for n in range(-1, 4)] == [eager.offset(n, 1) for n in range(-1, 4)]
    assert list(lazy.lines) == eager.lines


def test_line_count_counts_without_indexing_the_text() -> None:
    text = "---\nname: x\n---\n" + "body line\r\n" * 5000 + "lone\rend"
    index = LineIndex(text)
    assert index.line_count == len(EagerIndex(text).lines)
    assert index.line_start(2) == 12
    assert len(index._lines) < 1000  # only the first stretch was read


def test_parsing_reads_the_frontmatter_lines_not_the_body() -> None:
    """An edit of a file with a large body must not split the body into lines (the point of laziness)."""
    text = "---\nname: big\ndescription: A big one\ncolor: blue\n---\n" + "Some prose, @agent-helper.\n" * 40_000
    parsed = parse_agent(text)
    assert parsed.body_start == text.index("Some")
    assert len(parsed.index._lines) < 2000
    # Asking about the body then reads as far as needed, with the same answers as before.
    end = len(text) - 1
    assert parsed.index.line_col(end) == EagerIndex(text).line_col(end)


@pytest.mark.usefixtures("stretch")
@BOUNDED
@given(_texts(), _texts(), st.data(), QUERIES)
def test_an_edited_index_answers_as_a_fresh_one(text: str, new: str, data: st.DataObject, queries: list[Query]) -> None:
    """`edited` keeps the lines found before the edit; the rest is read again, from there."""
    old = LineIndex(text)
    for query in data.draw(QUERIES):  # some of the old text indexed, in any order
        _answer(old, query)
    begin = data.draw(st.integers(0, len(text)))
    stop = data.draw(st.integers(begin, len(text)))
    edited_text = text[:begin] + new + text[stop:]
    edited = old.edited(edited_text, begin)
    assert all(start < begin for start in edited._starts[1:])  # nothing at or after the edit is kept
    eager = EagerIndex(edited_text)
    for query in queries:
        assert _answer(edited, query) == _answer(eager, query), (edited_text, query)
    assert list(edited.lines) == eager.lines and edited.line_count == len(eager.lines)
    # The old index gave its lines away and reads its own text afresh.
    assert list(old.lines) == EagerIndex(text).lines


def test_an_edit_far_down_reads_on_from_the_edit_not_the_whole_text() -> None:
    text = "line\n" * 100_000
    index = LineIndex(text)
    assert index.line_start(90_000) == 450_000
    edited = index.edited(text[:450_002] + "X" + text[450_002:], 450_002)
    assert edited.line_col(450_003) == (90_000, 3)
    # A stretch as long as all read *since the edit*: a few thousand lines, not the 10,000 after it.
    assert len(edited._lines) < 90_000 + 3000


def test_a_cr_before_the_edit_pairs_with_a_typed_newline() -> None:
    index = LineIndex("ab\rcd")
    assert index.line_start(1) == 3
    edited = index.edited("ab\r\ncd", 3)
    assert list(edited.lines) == ["ab", "cd"] and edited.line_start(1) == 4


@pytest.mark.parametrize(("text", "lines"), [("", 1), ("a", 1), ("a\n", 2), ("a\r\nb", 2), ("\r\r", 3)])
def test_has_line(text: str, lines: int) -> None:
    index = LineIndex(text)
    assert [index.has_line(n) for n in range(-1, 4)] == [False] + [n < lines for n in range(4)]

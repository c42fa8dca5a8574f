"""`text.count_units`, `text.column_at` and `PositionMapper` count code units as pygls's PositionCodec does.

The syntax layer counts a client's code units itself (it may not import pygls); pygls's codec,
which the server used before, is the reference: on every text (emoji, CJK, combining marks,
lone surrogates, the edges of each UTF-8 length) and every position inside a line the two
agree. Past the end of a line they differ on purpose: LSP says such a character is the end of
the line, pygls's codec puts it one unit short of it.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from agent_lsp.syntax.text import ENCODINGS, LineIndex, PositionMapper, column_at, count_units, position_encoding

BOUNDED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Characters on the edges of each UTF-8 and UTF-16 length, lone and paired surrogates (a pair as two
# code points: what a str holds after decoding with "surrogatepass"), emoji with modifiers, CJK.
PIECES = [
    "a", " ", "\x7f", "\x80", "é", "\u07ff", "\u0800", "中", "日本語", "\ufeff", "\uffff", "\U00010000", "😀",
    "👍🏽", "\U0010ffff", "e\u0301", "\ud800", "\udfff", "\ud83d\ude00", "\x0c", "\u2028",
]  # fmt: skip
# Any character of a line (surrogates included), but for the line breaks that would end it.
ANY_CHARACTER = st.characters(exclude_categories=(), exclude_characters="\r\n")
LINES = st.one_of(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), st.text(ANY_CHARACTER, max_size=20))
TEXTS = st.lists(st.one_of(LINES, st.sampled_from(["\n", "\r", "\r\n"])), max_size=8).map("".join)
KINDS = [types.PositionEncodingKind(name) for name in ENCODINGS]


@BOUNDED
@given(LINES, st.sampled_from(ENCODINGS))
def test_units_are_the_codecs(line: str, encoding: str) -> None:
    assert count_units(line, encoding) == PositionCodec(types.PositionEncodingKind(encoding)).client_num_units(line)


@BOUNDED
@given(LINES, st.sampled_from(ENCODINGS))
def test_columns_are_the_codecs_inside_a_line(line: str, encoding: str) -> None:
    codec = PositionCodec(types.PositionEncodingKind(encoding))
    total = codec.client_num_units(line)
    for units in range(total + 1):  # every unit, half a surrogate pair or a UTF-8 sequence included
        expected = codec.position_from_client_units([line], types.Position(0, units)).character
        assert column_at(line, units, encoding) == expected, (line, units)
    # Past the end: the end of the line (the codec says `total - 1` units there).
    assert column_at(line, total + 1, encoding) == column_at(line, total + 50, encoding) == len(line)
    assert column_at(line, -1, encoding) == 0


@BOUNDED
@given(LINES, st.sampled_from(ENCODINGS))
def test_every_character_boundary_round_trips(line: str, encoding: str) -> None:
    for column in range(len(line) + 1):
        assert column_at(line, count_units(line[:column], encoding), encoding) == column


@BOUNDED
@given(TEXTS, st.sampled_from(ENCODINGS), st.booleans())
def test_the_mapper_is_the_codec_on_the_texts_lines(text: str, encoding: str, as_enum: bool) -> None:
    """Positions of every offset, and offsets of every position on and past each line and the text."""
    mapper = PositionMapper(LineIndex(text), types.PositionEncodingKind(encoding) if as_enum else encoding)
    codec = PositionCodec(types.PositionEncodingKind(encoding))
    lines = LINE_BREAK.split(text)
    starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
    for offset in range(len(text) + 1):
        line = max(n for n, start in enumerate(starts) if start <= offset)
        column = min(offset - starts[line], len(lines[line]))
        expected = codec.position_to_client_units(lines, types.Position(line, column))
        assert mapper.position(offset) == (expected.line, expected.character)
    for number, line in enumerate(lines):
        total = codec.client_num_units(line)
        for character in range(total + 3):
            if character <= total:
                column = codec.position_from_client_units(lines, types.Position(number, character)).character
            else:
                column = len(line)  # LSP: the end of the line
            assert mapper.offset(number, character) == starts[number] + column, (number, character)
    assert mapper.offset(len(lines), 0) == mapper.offset(len(lines) + 5, 3) == len(text)
    assert mapper.offset(-1, 4) == 0


@pytest.mark.parametrize("encoding", [*ENCODINGS, *KINDS])
def test_encodings_by_name_or_by_lsprotocols_enum(encoding: str) -> None:
    name = position_encoding(encoding)
    assert type(name) is str and name == encoding
    assert PositionMapper(LineIndex("x😀y"), encoding).position(2) == (0, {"utf-8": 5, "utf-16": 3, "utf-32": 2}[name])


@pytest.mark.parametrize("encoding", ["utf-7", "UTF-16", "", "utf16"])
def test_an_unknown_encoding_is_refused(encoding: str) -> None:
    with pytest.raises(ValueError, match="position encoding"):
        position_encoding(encoding)
    with pytest.raises(ValueError, match="position encoding"):
        PositionMapper(LineIndex(""), encoding)
    with pytest.raises(ValueError, match="position encoding"):
        count_units("é", encoding)


def test_known_counts() -> None:
    assert [count_units("x😀日", e) for e in ENCODINGS] == [8, 4, 3]
    assert [count_units("\ud800", e) for e in ENCODINGS] == [3, 1, 1]  # a lone surrogate, as the codec counts it
    assert column_at("x😀y", 2, "utf-16") == 2  # half the pair: after the emoji
    assert column_at("é!", 1, "utf-8") == 1  # inside é's two bytes: after it

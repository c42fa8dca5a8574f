"""syntax/jsondoc: JSON read by the stdlib's strict parser, every key and value placed by PyYAML's composer."""

from __future__ import annotations

import json

import pytest

from agent_lsp.syntax.jsondoc import parse_json
from agent_lsp.syntax.text import Span


def where(text: str, needle: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Span(start, start + len(needle))


def test_keys_and_values_have_exact_spans() -> None:
    text = '{\n  "name": "deploy",\n  "keywords": ["a", 2, true, null],\n  "author": {"name": "x"}\n}\n'
    doc = parse_json(text)
    assert doc.error is None and doc.exact and doc.root is not None
    name = doc.root.get("name")
    assert name is not None and name.key_span == where(text, '"name"') and name.value.span == where(text, '"deploy"')
    keywords = doc.root.get("keywords")
    assert keywords is not None and [i.span for i in keywords.value.items] == [
        where(text, '"a"'),
        where(text, "2"),
        where(text, "true"),
        where(text, "null"),
    ]
    node, member = doc.node_at(("author", "name"))
    assert node is not None and member is not None and node.span == where(text, '"x"')
    assert member.key_span == where(text, '"name"', 1)
    assert doc.root.to_python() == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        '{\t"a":\t"b"}',  # tabs between tokens: whitespace to JSON, an error to YAML
        '{"a": "\x85\x7f\u009f"}',  # raw characters YAML will not read inside a string
        '{"a": "x\\ud83d\\ude00 \\/ \\u00e9 \\n"}',  # escapes, an emoji as a surrogate pair
        '{"a":1,"b":[1.5e3,-0,{}],"c":{"d":[]}}',  # no blanks at all
        '{"a": "\\\\ud83d"}',  # an escaped backslash before text that looks like an escape
    ],
)
def test_the_meaning_is_json_and_positions_stay_exact(text: str) -> None:
    doc = parse_json(text)
    assert doc.error is None and doc.root is not None
    assert doc.exact
    assert doc.root.to_python() == json.loads(text)
    member = doc.root.get("a")
    assert member is not None and text[member.key_span.start : member.key_span.end] == '"a"'


def test_duplicate_keys_keep_both_members_and_the_last_value_wins() -> None:
    doc = parse_json('{"a": 1, "a": 2}')
    assert doc.root is not None and [m.key for m in doc.root.members] == ["a", "a"]
    assert doc.root.to_python() == {"a": 2}
    member = doc.root.get("a")
    assert member is not None and member.value.value == 2


@pytest.mark.parametrize(
    ("text", "at", "fragment"),
    [
        ('{"name": "x",\n "a": }', 20, "a value"),
        ('{"name" "x"}', 8, "`:`"),
        ('{"a": 1,}', 8, "key in double quotes"),
        ('{"a": 1} x', 9, "goes on"),
        ('{"a": "b', 6, "not closed"),
        ('{"a": "\\q"}', 7, "escape"),
        ("", 0, "a value"),
    ],
)
def test_invalid_json_is_reported_where_it_breaks(text: str, at: int, fragment: str) -> None:
    doc = parse_json(text)
    assert doc.root is None and doc.error is not None
    assert doc.error.span.start == at and fragment in doc.error.message


def test_nan_and_infinity_are_not_json() -> None:
    doc = parse_json('{"a": NaN}')
    assert doc.root is None and doc.error is not None and doc.error.span == Span(6, 9)
    assert parse_json("[Infinity]").error is not None


def test_a_byte_order_mark_is_tolerated_and_offsets_count_it() -> None:
    text = '\ufeff{"a": 1}'
    doc = parse_json(text)
    assert doc.root is not None and doc.exact
    member = doc.root.get("a")
    assert member is not None and member.key_span == Span(2, 5)


def test_a_key_whose_colon_is_on_the_next_line_keeps_its_meaning_with_coarse_positions() -> None:
    text = '{"a"\n : 1}'
    doc = parse_json(text)
    assert doc.root is not None and doc.root.to_python() == {"a": 1}
    assert not doc.exact and doc.root.span == Span(0, len(text))


def test_hostile_nesting_is_an_error_not_a_crash() -> None:
    deep = parse_json("[" * 100_000 + "]" * 100_000)
    assert deep.root is None and deep.error is not None
    wide = parse_json("[" + ",".join(["0"] * 60_000) + "]")
    assert wide.root is not None and wide.root.to_python() == [0] * 60_000


def _shape(node: object) -> object:
    from agent_lsp.syntax.jsondoc import JsonNode

    assert isinstance(node, JsonNode)
    if node.kind == "object":
        return ("object", node.span, [(m.key, m.key_span, _shape(m.value)) for m in node.members])
    if node.kind == "array":
        return ("array", node.span, [_shape(i) for i in node.items])
    return (node.kind, node.span, node.value)


def test_reusing_the_previous_tree_gives_what_a_fresh_parse_gives() -> None:
    import random

    servers = {f"s{i}": {"type": "http", "url": f"https://s{i}.example.com", "args": [i, "x"]} for i in range(80)}
    current = parse_json(json.dumps({"name": "suite", "mcpServers": servers, "tail": [1, 2, 3]}, indent=2))
    assert len(current.text) > 4096  # long enough for the reuse to be tried
    rng = random.Random(7)
    compared = 0
    for _ in range(200):
        at = rng.randrange(len(current.text))
        cut = rng.choice([0, 0, 1, 4])
        text = current.text[:at] + rng.choice(["1", '"x"', " ", "\n", ', "k": 1', "", "{}"]) + current.text[at + cut :]
        reused, fresh = parse_json(text, current), parse_json(text)
        assert (reused.root is None) == (fresh.root is None)
        if fresh.root is not None:
            assert reused.exact == fresh.exact
            assert _shape(reused.root) == _shape(fresh.root)
            current = reused
            compared += 1
    assert compared > 50


def test_the_parse_says_whether_any_object_holds_a_key_twice() -> None:
    assert not parse_json('{"a": {"b": 1, "c": [{"d": 1}]}}').duplicates
    assert parse_json('{"a": {"b": 1, "b": 2}}').duplicates
    big = json.dumps({f"k{i}": {"v": i} for i in range(400)})
    clean = parse_json(big)
    edited = parse_json(big.replace('"k7": {"v": 7}', '"k7": {"v": 7, "v": 8}'), clean)
    assert not clean.duplicates and edited.duplicates and edited.exact

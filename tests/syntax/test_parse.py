"""`parse_agent`: frontmatter boundaries, YAML 1.2 values, and Claude Code's quoting retry."""

from __future__ import annotations

import math

import pytest

from agent_lsp.syntax.frontmatter import ParseMode, fallback_quote, needs_fallback_quoting, parse_agent
from agent_lsp.syntax.text import Span
from helpers_core import SEED, span_of

# ---- boundaries --------------------------------------------------------------


def test_frontmatter_fields_body_and_fences() -> None:
    text = "---\nname: reviewer\ndescription: Reviews code\n---\nYou review.\n"
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.STRICT
    assert parsed.data == {"name": "reviewer", "description": "Reviews code"}
    assert parsed.open_span == Span(0, 3)
    assert parsed.close_span == span_of(text, "---", 1)
    assert parsed.body == "You review.\n"
    assert list(parsed.fields) == ["name", "description"]
    name = parsed.fields["name"]
    assert text[name.key_span.start : name.key_span.end] == "name"
    assert text[name.value_span.start : name.value_span.end] == "reviewer"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# Title\n\nJust notes.\n",
        "\n---\nname: x\ndescription: d\n---\n",  # `---` must be on the very first line
        " ---\nname: x\ndescription: d\n---\n",
        "----\nname: x\n---\n",
    ],
)
def test_no_frontmatter_unless_the_first_line_is_a_fence(text: str) -> None:
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.NO_FRONTMATTER
    assert parsed.data is None
    assert parsed.body == text


@pytest.mark.parametrize("text", ["---", "---\n", "---\nname: x\ndescription: d\n", "---\nname: x\n--\n"])
def test_unclosed_frontmatter(text: str) -> None:
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.UNCLOSED
    assert parsed.open_span == Span(0, 3)
    assert parsed.close_span is None
    assert parsed.data is None
    assert parsed.body == ""


def test_frontmatter_ends_at_the_next_fence_even_without_a_final_newline() -> None:
    parsed = parse_agent("---\nname: x\ndescription: d\n---")
    assert parsed.mode is ParseMode.STRICT
    assert parsed.data == {"name": "x", "description": "d"}
    assert parsed.body == ""


def test_a_second_fence_in_the_body_stays_in_the_body() -> None:
    parsed = parse_agent("---\nname: x\ndescription: d\n---\nintro\n---\nmore\n")
    assert parsed.body == "intro\n---\nmore\n"


def test_empty_frontmatter_has_no_fields() -> None:
    parsed = parse_agent("---\n---\nBody\n")
    assert parsed.mode is ParseMode.STRICT
    assert parsed.data == {}
    assert parsed.fields == {}
    assert parsed.body == "Body\n"


@pytest.mark.parametrize("yaml_text", ["- a\n- b\n", "just some text\n", "42\n"])
def test_non_mapping_frontmatter(yaml_text: str) -> None:
    parsed = parse_agent(f"---\n{yaml_text}---\nBody\n")
    assert parsed.not_a_mapping
    assert parsed.data is None
    assert not parsed.loads


def test_utf8_bom_is_tolerated_and_offsets_count_it() -> None:
    text = "\ufeff---\nname: x\ndescription: d\n---\nBody\n"
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.STRICT
    assert parsed.content_start == 1
    assert parsed.open_span == Span(1, 4)
    assert parsed.data == {"name": "x", "description": "d"}
    assert parsed.fields["name"].value_span == span_of(text, "x")


def test_crlf_line_endings() -> None:
    text = "---\r\nname: x\r\ndescription: d\r\ncolor: red\r\n---\r\nBody\r\n"
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.STRICT
    assert parsed.data == {"name": "x", "description": "d", "color": "red"}
    assert parsed.fields["color"].value_span == span_of(text, "red")
    assert parsed.body == "Body\r\n"
    assert parsed.index.line_of(parsed.fields["color"].value_span.start) == 3


def test_trailing_spaces_after_a_fence_are_allowed() -> None:
    parsed = parse_agent("--- \nname: x\ndescription: d\n---\t\nBody\n")
    assert parsed.mode is ParseMode.STRICT
    assert parsed.body == "Body\n"


# ---- YAML 1.2 values ---------------------------------------------------------


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO"])
def test_yaml_1_1_booleans_are_strings(word: str) -> None:
    parsed = parse_agent(f"---\nname: x\ndescription: d\nbackground: {word}\n---\n")
    assert parsed.data is not None
    assert parsed.data["background"] == word


@pytest.mark.parametrize(("word", "value"), [("true", True), ("false", False), ("True", True), ("FALSE", False)])
def test_yaml_1_2_booleans(word: str, value: bool) -> None:
    parsed = parse_agent(f"---\nname: x\ndescription: d\nbackground: {word}\n---\n")
    assert parsed.data is not None
    assert parsed.data["background"] is value


def test_name_no_is_the_string_no() -> None:
    parsed = parse_agent("---\nname: no\ndescription: d\n---\n")
    assert parsed.data == {"name": "no", "description": "d"}


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("0777", 777),  # 1.2 has no leading-zero octal
        ("0o17", 15),
        ("0x1F", 31),
        ("12", 12),
        ("-3", -3),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("~", None),
        ("null", None),
        ("", None),
        ("1:30", "1:30"),  # no 1.1 sexagesimals
        ("2024-01-01", "2024-01-01"),  # no timestamps
        ("'5'", "5"),
    ],
)
def test_yaml_1_2_core_schema_scalars(literal: str, value: object) -> None:
    parsed = parse_agent(f"---\nname: x\ndescription: d\nv: {literal}\n---\n")
    assert parsed.data is not None
    got = parsed.data["v"]
    assert got == value
    assert type(got) is type(value)


def test_infinity_and_nan() -> None:
    parsed = parse_agent("---\na: .inf\nb: -.Inf\nc: .nan\n---\n")
    assert parsed.data is not None
    assert parsed.data["a"] == math.inf
    assert parsed.data["b"] == -math.inf
    assert math.isnan(parsed.data["c"])


def test_escaped_newline_in_a_plain_description_stays_literal_for_claude_code_to_convert() -> None:
    # YAML keeps `\n` in a plain scalar as two characters; Claude Code turns them into a newline itself.
    parsed = parse_agent("---\nname: x\ndescription: Line one\\nline two\n---\n")
    assert parsed.mode is ParseMode.STRICT
    assert parsed.data is not None
    assert parsed.data["description"] == "Line one\\nline two"
    quoted = parse_agent('---\nname: x\ndescription: "Line one\\nline two"\n---\n')
    assert quoted.data is not None
    assert quoted.data["description"] == "Line one\nline two"


# ---- duplicate keys, tabs, errors --------------------------------------------


def test_a_repeated_key_keeps_its_last_value_and_records_both_positions() -> None:
    # Claude Code 2.1.328 loads the agent with the last value (conformance case agents/dup-name-twice).
    text = "---\nname: x\nname: y\ndescription: d\n---\n"
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.STRICT
    assert parsed.data == {"name": "y", "description": "d"}
    assert parsed.syntax_error is None
    assert parsed.fields["name"].key_span == span_of(text, "name", 1)
    assert parsed.fields["name"].value == "y"
    assert [d.key_span for d in parsed.duplicates] == [span_of(text, "name", 0)]


def test_a_repeated_key_in_a_nested_mapping_keeps_its_last_value() -> None:
    # Conformance case agents/dup-nested-twice loads.
    text = "---\nname: x\ndescription: d\nhooks:\n  Stop: []\n  Stop: [1]\n---\n"
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.STRICT
    assert parsed.data is not None and parsed.data["hooks"] == {"Stop": [1]}


def test_tab_indentation_is_a_syntax_error_at_the_tab() -> None:
    text = "---\nname: x\ndescription: d\n\tcolor: red\n---\n"
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.FAILED
    assert parsed.syntax_error is not None
    assert parsed.syntax_error.offset == text.index("\t")
    assert "tab" in parsed.syntax_error.message


@pytest.mark.parametrize(
    ("line", "value"),
    [("description: a\tb", "a\tb"), ("description:\tseparated", "separated"), ("description: trailing\t", "trailing")],
)
def test_tabs_inside_a_line_are_valid_yaml_1_2(line: str, value: str) -> None:
    parsed = parse_agent(f"---\nname: x\n{line}\n---\n")
    assert parsed.mode is ParseMode.STRICT
    assert parsed.data == {"name": "x", "description": value}


def test_control_character_error_offset_counts_code_points() -> None:
    text = "---\nname: x\ndescription: 日本😀\x07\n---\n"
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.FAILED
    assert parsed.syntax_error is not None
    assert parsed.syntax_error.offset == text.index("\x07")


def test_lone_surrogate_is_a_syntax_error_not_a_crash() -> None:
    text = "---\nname: x\ndescription: a\ud800b\n---\n"
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.FAILED
    assert parsed.syntax_error is not None
    assert parsed.syntax_error.offset == text.index("\ud800")


def test_deep_nesting_is_a_syntax_error_not_a_crash() -> None:
    nested = "".join(" " * i + f"k{i}:\n" for i in range(1100))
    parsed = parse_agent("---\nname: x\ndescription: d\nhooks:\n" + nested + "---\n")
    assert parsed.mode is ParseMode.FAILED
    flow = parse_agent("---\nname: x\ndescription: " + "[" * 100_000 + "\n---\n")
    assert flow.mode is ParseMode.FALLBACK  # quoted by the retry, so it is just text


def test_alias_bomb_is_refused_without_expanding() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    parsed = parse_agent("---\n" + "\n".join(lines) + "\n---\n")
    assert parsed.mode is ParseMode.TOO_COMPLEX
    assert parsed.data is None


# ---- the quoting retry -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "needed"),
    [
        ("Use it: when asked", True),
        ("Examples: <example>", True),
        ("see #42", True),
        ("a {b}", True),
        ("a [b]", True),
        ("a * b", True),
        ("a & b", True),
        ("wow!", True),
        ("a | b", True),
        ("a > b", True),
        ("100%", True),
        ("user@example.com", True),
        ("run `ls`", True),
        ("plain words", False),
        ("time 10:30", False),  # a colon not followed by a space
        ('"already: quoted"', False),
        ("'already: quoted'", False),
    ],
)
def test_which_values_the_retry_quotes(value: str, needed: bool) -> None:
    assert needs_fallback_quoting(value) is needed


def test_fallback_quote_escapes_backslashes_then_quotes() -> None:
    assert fallback_quote('say "hi" \\ bye') == '"say \\"hi\\" \\\\ bye"'


def test_retry_rescues_a_colon_in_the_description() -> None:
    text = "---\nname: x\ndescription: Use it: when asked\ncolor: red\n---\nBody\n"
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.FALLBACK
    assert parsed.loads
    assert parsed.data == {"name": "x", "description": "Use it: when asked", "color": "red"}
    assert parsed.syntax_error is not None  # the strict failure is kept
    assert parsed.fallback_error is None
    [rewrite] = parsed.rewrites
    assert (rewrite.key, rewrite.line, rewrite.value) == ("description", 2, "Use it: when asked")
    assert rewrite.value_span == span_of(text, "Use it: when asked")
    assert rewrite.quoted == '"Use it: when asked"'
    # Positions of later fields still point into the original text.
    assert parsed.fields["color"].value_span == span_of(text, "red")
    assert parsed.fields["description"].value_span == span_of(text, "Use it: when asked")


def test_retry_keeps_backslashes_and_quotes_of_the_value() -> None:
    parsed = parse_agent('---\nname: x\ndescription: a: "b" \\n c\n---\n')
    assert parsed.mode is ParseMode.FALLBACK
    assert parsed.data is not None
    assert parsed.data["description"] == 'a: "b" \\n c'


def test_the_retry_does_nothing_on_crlf_lines() -> None:
    # Claude Code skips this file (conformance case agents/eol-crlf-colon-description): its retry's
    # pattern cannot match a line ending in `\r\n`. With LF endings the same file loads.
    text = "\ufeff---\r\nname: x\r\ndescription: a: b\r\ncolor: gold\r\n---\r\nBody\r\n"
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.FAILED
    assert parsed.rewrites == []
    lf = text.replace("\r\n", "\n")
    parsed = parse_agent(lf)
    assert parsed.mode is ParseMode.FALLBACK
    assert parsed.data == {"name": "x", "description": "a: b", "color": "gold"}
    assert parsed.rewrites[0].value_span == span_of(lf, "a: b")
    assert parsed.fields["color"].value_span == span_of(lf, "gold")


def test_retry_does_not_touch_indented_or_multi_line_values() -> None:
    text = "---\nname: x\ndescription: d\nhooks:\n  Stop: a: b\n---\n"
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.FAILED
    assert parsed.rewrites == []


def test_retry_failure_reports_the_retry_position() -> None:
    # Continuation lines at column 0: quoting the first line cannot save the rest.
    text = "---\nname: x\ndescription: Use it: when asked\n<example>\nuser: hi\n</example>\n---\nBody\n"
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.FAILED
    assert parsed.data is None
    assert parsed.syntax_error is not None
    assert parsed.fallback_error is not None
    assert parsed.syntax_error.offset == text.index(": when")  # strict parse stops at the first `: `
    assert parsed.fallback_error.offset == text.index("<example>")  # the retry breaks on the unindented line


def test_seed_file_loads_only_through_the_retry() -> None:
    if not SEED.is_file():
        pytest.skip("../shared/seed is not present")
    text = SEED.read_text(encoding="utf-8")
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.FALLBACK
    assert [r.key for r in parsed.rewrites] == ["description"]
    assert parsed.data is not None
    assert parsed.data["name"] == "backend-service-architect"
    assert parsed.data["model"] == "opus"
    assert parsed.data["color"] == "green"
    assert parsed.data["description"].startswith("Use this agent when building")

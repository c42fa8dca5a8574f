"""`diagnostics.validate`: LSP diagnostics with positions in the client's encoding (UTF-16 by default)."""

from __future__ import annotations

import pytest
from lsprotocol import types

from agent_lsp.checks.rules import RULES
from agent_lsp.features.diagnostics import RULES_URL, SOURCE, validate
from agent_lsp.syntax.frontmatter import parse_agent

# `日本語` is 3 UTF-16 units / 9 UTF-8 bytes; `😀` is 2 UTF-16 units / 4 UTF-8 bytes; both 1 code point each.
TEXT = '---\nname: helper\ndescription: Reviews 日本語 code 😀\ntools: 日本語😀, Grpe\ncolor: "😀"\n---\nBody\n'
PREFIX = "tools: 日本語😀, "  # what stands before `Grpe` on its line


def _diagnostic(text: str, code: str, **options: object) -> types.Diagnostic:
    found = [d for d in validate(parse_agent(text), None, **options) if d.code == code]  # type: ignore[arg-type]
    assert len(found) == 1, found
    return found[0]


def _range(d: types.Diagnostic) -> tuple[int, int, int, int]:
    return d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character


def test_utf16_columns_after_cjk_and_emoji() -> None:
    grpe = [d for d in validate(parse_agent(TEXT)) if d.code == "unknown-tool" and "Grpe" in d.message]
    assert [_range(d) for d in grpe] == [(3, 14, 3, 18)]  # 7 + 3 + 2 + 2 = 14 UTF-16 units before `Grpe`
    color = _diagnostic(TEXT, "invalid-color")
    assert _range(color) == (4, 7, 4, 11)  # `"😀"`: quote, two units, quote


@pytest.mark.parametrize(
    ("encoding", "start", "color_end"),
    [
        ("utf-16", len(PREFIX.encode("utf-16-le")) // 2, 11),
        ("utf-8", len(PREFIX.encode("utf-8")), 13),
        ("utf-32", len(PREFIX), 10),
    ],
)
def test_other_position_encodings(encoding: str, start: int, color_end: int) -> None:
    found = validate(parse_agent(TEXT), None, encoding=encoding)
    grpe = next(d for d in found if d.code == "unknown-tool" and "Grpe" in d.message)
    assert _range(grpe) == (3, start, 3, start + 4)
    color = next(d for d in found if d.code == "invalid-color")
    assert _range(color) == (4, 7, 4, color_end)


def test_expected_columns_are_what_the_encodings_say() -> None:
    # Guard the constants above against a typo: 14 UTF-16 units, 22 UTF-8 bytes, 13 code points.
    assert (len(PREFIX.encode("utf-16-le")) // 2, len(PREFIX.encode("utf-8")), len(PREFIX)) == (14, 22, 13)


def test_bom_is_one_utf16_unit_on_the_first_line() -> None:
    text = "\ufeff---\nname: x\n"
    assert _range(_diagnostic(text, "unclosed-frontmatter")) == (0, 1, 0, 4)


def test_crlf_positions_do_not_count_the_carriage_return() -> None:
    text = "---\r\nname: helper\r\ndescription: d 😀\r\ncolor: gold\r\n---\r\nBody\r\n"
    assert _range(_diagnostic(text, "invalid-color")) == (3, 7, 3, 11)


def test_missing_field_marks_the_opening_fence() -> None:
    assert _range(_diagnostic("---\nname: x\n---\nBody\n", "missing-description")) == (0, 0, 0, 3)


def test_multi_line_range() -> None:
    text = "---\nname: x\ndescription: d\ntools:\n  - Grpe\n  - Raed\n---\nBody\n"
    assert _range(_diagnostic(text, "no-tools-resolve")) == (4, 2, 5, 8)


def test_diagnostic_fields_for_a_quick_fix() -> None:
    text = "---\nname: helper\ndescription: d\ntools: Read, Grpe, Glob\n---\nBody\n"
    d = _diagnostic(text, "unknown-tool")
    assert _range(d) == (3, 13, 3, 17)
    assert d.severity == types.DiagnosticSeverity.Warning
    assert d.source == SOURCE == "agent-lsp"
    assert d.code_description is not None
    assert d.code_description.href == f"{RULES_URL}#unknown-tool"
    assert RULES_URL.endswith("docs/rules.md")
    assert d.data == {"code": "unknown-tool", "replacement": "Grep", "bareName": "Grpe"}


def test_every_severity_maps_to_the_lsp_severity() -> None:
    text = "---\nname: My Helper\ndescription: d\ntools: Bash(git:*), Task, Grpe\n---\n"
    by_code = {d.code: d.severity for d in validate(parse_agent(text), "/p/.claude/agents/other.md")}
    assert by_code == {
        "name-style": types.DiagnosticSeverity.Information,
        "name-file-mismatch": types.DiagnosticSeverity.Hint,
        "legacy-tool-rule": types.DiagnosticSeverity.Hint,
        "renamed-tool": types.DiagnosticSeverity.Information,
        "unknown-tool": types.DiagnosticSeverity.Warning,
        "empty-body": types.DiagnosticSeverity.Information,
    }
    for code, severity in by_code.items():
        assert int(RULES[str(code)].severity) == int(severity)

"""Colour swatches and presentations, the outline, and folding ranges."""

from __future__ import annotations

import pytest
from lsprotocol import types

from agent_lsp.features.colors import color_presentations, document_colors
from agent_lsp.features.symbols import document_symbols, flatten, folding_ranges
from agent_lsp.schema.schemas import agent_schema
from agent_lsp.syntax.frontmatter import parse_agent
from agent_lsp.syntax.text import PositionMapper

SCHEMA = agent_schema()
NAMES = SCHEMA.enum_values("color")


def colors(text: str, encoding: str = "utf-16") -> list[types.ColorInformation]:
    parsed = parse_agent(text)
    return document_colors(parsed, PositionMapper(parsed.index, encoding))


@pytest.mark.parametrize("name", NAMES)
def test_every_valid_colour_gets_its_schema_rgb(name: str) -> None:
    (found,) = colors(f"---\nname: x\ncolor: {name}\n---\n")
    assert (found.color.red, found.color.green, found.color.blue) == tuple(SCHEMA.ext("color")["rgb"][name])
    assert found.range == types.Range(types.Position(2, 7), types.Position(2, 7 + len(name)))


def test_quoted_colour_range_excludes_quotes_and_counts_utf8_units() -> None:
    (found,) = colors('---\ndescription: 日本\ncolor: "red"\n---\n', encoding="utf-8")
    assert found.range == types.Range(types.Position(2, 8), types.Position(2, 11))


@pytest.mark.parametrize("value", ["gold", "Blue", "", "[red]"])
def test_no_swatch_for_values_claude_code_drops(value: str) -> None:
    assert colors(f"---\ncolor: {value}\n---\n") == []


def test_no_swatch_in_the_body_or_without_frontmatter() -> None:
    assert colors("---\nname: x\n---\ncolor: red\n") == []
    assert colors("color: red\n") == []


def test_presentations_offer_exactly_the_eight_names_nearest_first() -> None:
    edit_range = types.Range(types.Position(2, 7), types.Position(2, 10))
    offered = color_presentations(types.Color(0.1, 0.7, 0.82, 1.0), edit_range)
    assert sorted(p.label for p in offered) == sorted(NAMES)
    assert offered[0].label == "cyan"
    assert offered[0].text_edit == types.TextEdit(range=edit_range, new_text="cyan")
    assert color_presentations(types.Color(0.94, 0.56, 0.16, 1.0), edit_range)[0].label == "orange"


AGENT = (
    "---\n"
    "name: reviewer\n"
    "description: Reviews code 😀\n"
    "hooks:\n"
    "  PreToolUse:\n"
    "    - hooks:\n"
    "        - type: command\n"
    "          command: x\n"
    "tools:\n"
    "  - Read\n"
    "---\n"
    "# Role\n"
    "You review.\n"
    "## Steps\n"
    "```md\n"
    "# not a heading\n"
    "```\n"
    "## Output\n"
    "Text.\n"
    "# Notes\n"
)


def test_outline_lists_fields_then_headings_as_a_tree() -> None:
    parsed = parse_agent(AGENT)
    outline = document_symbols(parsed, PositionMapper(parsed.index))
    assert [s.name for s in outline] == ["name", "description", "hooks", "tools", "Role", "Notes"]
    hooks = outline[2]
    assert [c.name for c in hooks.children or []] == ["PreToolUse"]
    assert hooks.range.start.line == 3 and hooks.range.end.line == 7
    assert outline[3].detail == "1 items"
    role = outline[4]
    assert [c.name for c in role.children or []] == ["Steps", "Output"]
    assert role.range.start.line == 11 and role.range.end.line == 18
    assert outline[1].detail == "Reviews code 😀"


def test_flat_symbols_for_clients_without_hierarchy() -> None:
    parsed = parse_agent(AGENT)
    flat = flatten(document_symbols(parsed, PositionMapper(parsed.index)), "file:///a.md")
    names = [(s.name, s.container_name) for s in flat]
    assert ("PreToolUse", "hooks") in names and ("Steps", "Role") in names


def test_folding_covers_the_frontmatter_blocks_and_sections() -> None:
    folds = {(f.start_line, f.end_line) for f in folding_ranges(parse_agent(AGENT))}
    assert (0, 10) in folds  # the frontmatter, fence to fence
    assert (3, 7) in folds and (8, 9) in folds  # multi-line fields
    assert (11, 18) in folds and (13, 16) in folds


def test_no_frontmatter_fold_when_it_is_unclosed() -> None:
    assert folding_ranges(parse_agent("---\nname: x\n")) == []

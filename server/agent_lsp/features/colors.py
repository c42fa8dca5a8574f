"""Colour swatches for `color:` and a picker that offers only the eight names Claude Code knows.

The RGB of each name lives in the schema (`x-agent-lsp.rgb` of `color`). A picked
colour is answered with every valid name, nearest first, because any other
spelling would be dropped by Claude Code.
"""

from __future__ import annotations

from lsprotocol import types

from agent_lsp.features.markup import to_range
from agent_lsp.schema.schemas import agent_schema
from agent_lsp.syntax.frontmatter import ParsedAgent
from agent_lsp.syntax.text import PositionMapper, Span


def _palette() -> dict[str, tuple[float, float, float]]:
    rgb = agent_schema().ext("color").get("rgb", {})
    return {name: (float(r), float(g), float(b)) for name, (r, g, b) in rgb.items()}


def document_colors(parsed: ParsedAgent, mapper: PositionMapper) -> list[types.ColorInformation]:
    """A swatch on the `color` value when it is one of the valid names."""
    item = parsed.fields.get("color")
    if item is None or not isinstance(item.value, str) or not parsed.loads:
        return []
    rgb = _palette().get(item.value)
    if rgb is None:
        return []
    span = _unquoted(parsed, item.value_span)
    return [types.ColorInformation(range=to_range(mapper, span), color=types.Color(*rgb, alpha=1.0))]


def _unquoted(parsed: ParsedAgent, span: Span) -> Span:
    text = parsed.text[span.start : span.end]
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return Span(span.start + 1, span.end - 1)
    return span


def color_presentations(color: types.Color, edit_range: types.Range) -> list[types.ColorPresentation]:
    """Every valid colour name, the one nearest to the picked colour first."""

    def distance(rgb: tuple[float, float, float]) -> float:
        return (rgb[0] - color.red) ** 2 + (rgb[1] - color.green) ** 2 + (rgb[2] - color.blue) ** 2

    ranked = sorted(_palette().items(), key=lambda item: distance(item[1]))
    return [
        types.ColorPresentation(label=name, text_edit=types.TextEdit(range=edit_range, new_text=name))
        for name, _ in ranked
    ]

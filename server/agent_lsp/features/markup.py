"""Docs for the client: Markdown when it renders Markdown, readable plain text otherwise."""

from __future__ import annotations

import re
from functools import lru_cache

from lsprotocol import types

from agent_lsp.syntax.text import PositionMapper, Span

_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def plain(markdown: str) -> str:
    """Markdown as plain text: links spelled out, code fences and emphasis markers dropped."""
    text = _LINK.sub(r"\1 (\2)", markdown)
    text = re.sub(r"^```\w*\n?", "", text, flags=re.M)
    return text.replace("**", "").replace("`", "")


def content(markdown: str, as_markdown: bool) -> types.MarkupContent:
    if as_markdown:
        return types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown)
    return types.MarkupContent(kind=types.MarkupKind.PlainText, value=plain(markdown))


def to_range(mapper: PositionMapper, span: Span) -> types.Range:
    return types.Range(types.Position(*mapper.position(span.start)), types.Position(*mapper.position(span.end)))


# The same docs are shortened for every completion list. Bounded: agent and skill descriptions
# from the workspace pass through here too, and each edit of one is a new string.
@lru_cache(maxsize=1024)
def first_sentence(text: str) -> str:
    """The opening sentence of a doc, for one-line details."""
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.S)
    return (match.group(1) if match else text.strip()).replace("\n", " ")

"""The outline of an agent file (frontmatter fields, then the body's headings) and its folding ranges."""

from __future__ import annotations

import re

from lsprotocol import types
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from agent_lsp.features.markup import to_range
from agent_lsp.syntax.frontmatter import ParsedAgent
from agent_lsp.syntax.text import PositionMapper, Span

_HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
DETAIL_LIMIT = 60  # characters of a value shown beside its key in the outline


def document_symbols(parsed: ParsedAgent, mapper: PositionMapper) -> list[types.DocumentSymbol]:
    """Each frontmatter field (with its hook events as children), then the headings as a tree."""
    symbols = [_field_symbol(parsed, mapper, key) for key in parsed.fields]
    symbols.extend(_headings(parsed, mapper))
    return symbols


def _field_symbol(parsed: ParsedAgent, mapper: PositionMapper, key: str) -> types.DocumentSymbol:
    item = parsed.fields[key]
    value = parsed.node_span(item.node)
    whole = Span(item.key_span.start, max(item.key_span.end, value.end))
    node = item.node
    if isinstance(node, ScalarNode):
        detail = node.value if len(node.value) <= DETAIL_LIMIT else node.value[: DETAIL_LIMIT - 3] + "..."
        detail = detail.replace("\n", " ")
    elif isinstance(node, SequenceNode):
        detail = f"{len(node.value)} items"
    else:
        detail = None
    children: list[types.DocumentSymbol] = []
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                key_span = parsed.node_span(key_node)
                end = max(key_span.end, parsed.node_span(value_node).end)
                children.append(
                    types.DocumentSymbol(
                        name=str(key_node.value),
                        kind=types.SymbolKind.Event if key == "hooks" else types.SymbolKind.Property,
                        range=to_range(mapper, Span(key_span.start, end)),
                        selection_range=to_range(mapper, key_span),
                    )
                )
    return types.DocumentSymbol(
        name=key,
        kind=types.SymbolKind.Property,
        detail=detail or None,
        range=to_range(mapper, whole),
        selection_range=to_range(mapper, item.key_span),
        children=children or None,
    )


def _heading_lines(parsed: ParsedAgent) -> list[tuple[int, int, str]]:
    """(line, level, title) of each ATX heading in the body, skipping fenced code."""
    index = parsed.index
    first = index.line_of(parsed.body_start) if parsed.body_start < len(parsed.text) else index.line_count
    fence: str | None = None
    found: list[tuple[int, int, str]] = []
    for n in range(first, index.line_count):
        line = index.lines[n]
        opener = _FENCE.match(line)
        if opener:
            mark = opener.group(1)
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence):
                fence = None
            continue
        if fence is not None:
            continue
        match = _HEADING.fullmatch(line)
        if match and match.group(2):
            found.append((n, len(match.group(1)), match.group(2)))
    return found


def _headings(parsed: ParsedAgent, mapper: PositionMapper) -> list[types.DocumentSymbol]:
    index = parsed.index
    heads = _heading_lines(parsed)
    roots: list[types.DocumentSymbol] = []
    stack: list[tuple[int, list[types.DocumentSymbol]]] = []  # (level, that heading's children)
    for i, (line, level, title) in enumerate(heads):
        # A section runs to the line before the next heading of the same or a higher level.
        end_line = next((ln for ln, lv, _ in heads[i + 1 :] if lv <= level), index.line_count) - 1
        while end_line > line and not index.lines[end_line].strip():
            end_line -= 1
        children: list[types.DocumentSymbol] = []
        symbol = types.DocumentSymbol(
            name=title,
            kind=types.SymbolKind.String,
            range=to_range(mapper, Span(index.line_start(line), index.line_end(end_line))),
            selection_range=to_range(mapper, Span(index.line_start(line), index.line_end(line))),
            children=children,
        )
        while stack and stack[-1][0] >= level:
            stack.pop()
        (stack[-1][1] if stack else roots).append(symbol)
        stack.append((level, children))
    return roots


def folding_ranges(parsed: ParsedAgent) -> list[types.FoldingRange]:
    """The frontmatter (fence to fence), multi-line fields, and each heading's section."""
    index = parsed.index
    ranges: list[types.FoldingRange] = []
    if parsed.open_span is not None and parsed.close_span is not None:
        ranges.append(
            types.FoldingRange(
                start_line=index.line_of(parsed.open_span.start),
                end_line=index.line_of(parsed.close_span.start),
                kind=types.FoldingRangeKind.Region,
                collapsed_text="--- frontmatter ---",
            )
        )
    for item in parsed.fields.values():
        first = index.line_of(item.key_span.start)
        last = index.line_of(parsed.node_span(item.node).end)
        if last > first:
            ranges.append(types.FoldingRange(start_line=first, end_line=last))
    heads = _heading_lines(parsed)
    for i, (line, level, _) in enumerate(heads):
        end_line = next((ln for ln, lv, _ in heads[i + 1 :] if lv <= level), index.line_count) - 1
        while end_line > line and not index.lines[end_line].strip():
            end_line -= 1
        if end_line > line:
            ranges.append(types.FoldingRange(start_line=line, end_line=end_line))
    return ranges


def flatten(tree: list[types.DocumentSymbol], uri: str, container: str | None = None) -> list[types.SymbolInformation]:
    """The outline as a flat list, for clients without hierarchical symbol support."""
    flat: list[types.SymbolInformation] = []
    for symbol in tree:
        flat.append(
            types.SymbolInformation(
                name=symbol.name,
                kind=symbol.kind,
                location=types.Location(uri=uri, range=symbol.range),
                container_name=container,
            )
        )
        flat.extend(flatten(list(symbol.children or []), uri, symbol.name))
    return flat

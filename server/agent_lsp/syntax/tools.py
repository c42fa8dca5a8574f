"""Reading `tools` / `disallowedTools` values into entries with their positions.

A string value is split on commas and whitespace outside parentheses, so
`Read, Bash(npm run *)` is two entries; a YAML list gives one entry per item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yaml.nodes import Node, ScalarNode, SequenceNode

from agent_lsp.syntax.frontmatter import ParsedAgent
from agent_lsp.syntax.text import Span

_MCP = re.compile(r"mcp__[^\s(),*]+?(?:__(?:[^\s(),*]+|\*))?")
_RULE = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9_]*)(?:\((?P<spec>.*)\))?", re.S)


@dataclass(slots=True)
class ToolEntry:
    text: str
    span: Span

    @property
    def name(self) -> str:
        """The tool name without any `( ... )` specifier."""
        return self.text.split("(", 1)[0].strip()

    @property
    def specifier(self) -> str | None:
        if "(" not in self.text:
            return None
        inner = self.text.split("(", 1)[1]
        return inner[:-1] if inner.endswith(")") else inner

    @property
    def is_mcp(self) -> bool:
        return self.text.startswith("mcp__")

    def is_well_formed(self) -> bool:
        if self.is_mcp:
            return self.text == "mcp__*" or _MCP.fullmatch(self.text) is not None
        match = _RULE.fullmatch(self.text)
        return match is not None and (match.group("spec") is None or match.group("spec").strip() != "")


def split_tool_string(value: str) -> list[tuple[str, int]]:
    """Entries of a tools string with their start index in `value`."""
    entries: list[tuple[str, int]] = []
    depth = 0
    start: int | None = None
    for i, ch in enumerate(value):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if depth == 0 and (ch == "," or ch.isspace()):
            if start is not None:
                entries.append((value[start:i], start))
                start = None
            continue
        if start is None:
            start = i
    if start is not None:
        entries.append((value[start:].rstrip(), start))
    return entries


def tool_entries(parsed: ParsedAgent, node: Node) -> list[ToolEntry] | None:
    """The entries of a tools value, or None when it is neither text nor a list of text.

    For a top-level field read from a block an earlier version had too, the entries found
    then are reused (positions kept from the block's start, see `ParsedAgent.block_memo`):
    the checks and the workspace index ask for them on every edit.
    """
    store = parsed.block_memo(node)
    if store is None:
        return _tool_entries(parsed, node)
    memo, origin = store
    if "tool-entries" not in memo:
        entries = _tool_entries(parsed, node)
        memo["tool-entries"] = (
            None if entries is None else [(e.text, e.span.start - origin, e.span.end - origin) for e in entries]
        )
        return entries
    found: list[tuple[str, int, int]] | None = memo["tool-entries"]
    if found is None:
        return None
    return [ToolEntry(text, Span(origin + start, origin + end)) for text, start, end in found]


def _tool_entries(parsed: ParsedAgent, node: Node) -> list[ToolEntry] | None:
    if isinstance(node, ScalarNode):
        if node.tag != "tag:yaml.org,2002:str":
            return None if node.tag != "tag:yaml.org,2002:null" else []
        return _locate(parsed, node, split_tool_string(node.value))
    if isinstance(node, SequenceNode):
        result: list[ToolEntry] = []
        for item in node.value:
            if not isinstance(item, ScalarNode) or item.tag != "tag:yaml.org,2002:str":
                return None
            span = parsed.node_span(item)
            text = item.value.strip()
            located = _locate(parsed, item, [(text, 0)]) if text else []
            result.extend(located or [ToolEntry(text, span)])
        return result
    return None


def _locate(parsed: ParsedAgent, node: ScalarNode, parts: list[tuple[str, int]]) -> list[ToolEntry]:
    """Give each entry its own range in the document.

    For a plain single-line scalar the value is the source text itself. Quoted or
    folded scalars may differ from their source (escapes, line folding), so each
    entry is searched in the source in order; one that cannot be found gets the
    whole value's range.
    """
    whole = parsed.node_span(node)
    source = parsed.text[whole.start : whole.end]
    entries: list[ToolEntry] = []
    # A plain scalar's style is None from PyYAML's Python parser and "" from libyaml.
    if not node.style and source == node.value:
        for text, start in parts:
            entries.append(ToolEntry(text, Span(whole.start + start, whole.start + start + len(text))))
        return entries
    cursor = 0
    for text, _ in parts:
        found = source.find(text, cursor)
        if found < 0:
            entries.append(ToolEntry(text, whole))
            continue
        entries.append(ToolEntry(text, Span(whole.start + found, whole.start + found + len(text))))
        cursor = found + len(text)
    return entries

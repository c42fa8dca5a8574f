"""What a file names: the skills, agents and MCP servers it refers to, each with the span of the name.

References are the `skills:` entries, the `Agent(x)` / `Task(x)` entries and `mcp__server`
entries of the tool fields, and the `@agent-x` / `subagent_type: x` mentions in the text.
Also here: the names Claude Code knows without any file (built-in agent types, bundled skills)
and the servers an agent's own `mcpServers` value declares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from yaml.nodes import ScalarNode, SequenceNode

from agent_lsp.project.paths import FileKind
from agent_lsp.syntax.frontmatter import ParsedAgent
from agent_lsp.syntax.text import Span
from agent_lsp.syntax.tools import split_tool_string, tool_entries

TOOL_FIELDS = ("tools", "disallowedTools", "allowed-tools")

# Agent types Claude Code always has, and skills it ships with (commands reference; aliases included).
BUILTIN_AGENT_TYPES = ("Explore", "Plan", "general-purpose", "claude", "statusline-setup", "claude-code-guide", "fork")
BUNDLED_SKILLS = (
    "batch",
    "checkup",
    "claude-api",
    "code-review",
    "dataviz",
    "debug",
    "design-sync",
    "doctor",
    "fewer-permission-prompts",
    "loop",
    "proactive",
    "review",
    "run",
    "run-skill-generator",
    "simplify",
    "verify",
)

_NAME = r"[A-Za-z0-9][A-Za-z0-9_.:-]*"
_MENTION = re.compile(rf"(?<![\w@/.-])@agent-(?P<name>{_NAME})")
_SUBAGENT_TYPE = re.compile(rf"\bsubagent_type[\"']?\s*[:=]\s*[\"']?(?P<name>{_NAME})")
_AGENT_TOOLS = ("Agent", "Task")


class RefKind(str, Enum):
    AGENT = "agent"
    SKILL = "skill"
    MCP = "mcp"


@dataclass(frozen=True, slots=True)
class Reference:
    """A name written in a file: `span` covers the name only (no quotes, no `Agent(`)."""

    kind: RefKind
    name: str
    span: Span
    how: str  # "skills", "tools", "mention" or "subagent_type"
    field: str | None = None  # the frontmatter field holding it, if any


def text_value(value: Any) -> str:
    """A frontmatter value as text (a description, say): stripped, or "" when it is not text."""
    return value.strip() if isinstance(value, str) else ""


def inline_mcp_server_names(value: Any) -> list[str]:
    """Server names an agent's own `mcpServers` value mentions (references and inline definitions)."""
    names: list[str] = []
    if not isinstance(value, list):
        return names
    for item in value:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            names.extend(str(k) for k in item)
    return names


def _scalar_inner_span(parsed: ParsedAgent, node: ScalarNode) -> Span:
    """The span of a scalar's value without its quotes (the whole node when the text differs)."""
    span = parsed.node_span(node)
    source = parsed.text[span.start : span.end]
    if node.style in ("'", '"') and len(source) >= 2:
        inner = Span(span.start + 1, span.end - 1)
        if parsed.text[inner.start : inner.end] == node.value:
            return inner
    found = source.find(node.value) if node.value else -1
    return Span(span.start + found, span.start + found + len(node.value)) if found >= 0 else span


def name_field_span(parsed: ParsedAgent) -> Span | None:
    """Where the `name` value is written, without quotes."""
    item = parsed.fields.get("name")
    if item is None or not isinstance(item.node, ScalarNode) or not isinstance(item.value, str):
        return None
    return _scalar_inner_span(parsed, item.node)


def skill_references(parsed: ParsedAgent) -> list[Reference]:
    """The entries of a `skills:` field: a list of names, or one comma-separated string."""
    item = parsed.fields.get("skills")
    if item is None or not parsed.loads:
        return []
    found: list[Reference] = []
    node = item.node
    if isinstance(node, SequenceNode):
        for child in node.value:
            if isinstance(child, ScalarNode) and child.tag == "tag:yaml.org,2002:str" and child.value.strip():
                span = _scalar_inner_span(parsed, child)
                name = child.value.strip()
                lead = len(child.value) - len(child.value.lstrip())
                if span.end - span.start == len(child.value):
                    span = Span(span.start + lead, span.start + lead + len(name))
                found.append(Reference(RefKind.SKILL, name, span, "skills", "skills"))
    elif isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        whole = _scalar_inner_span(parsed, node)
        exact = whole.end - whole.start == len(node.value)
        for text, start in _split_names(node.value):
            span = Span(whole.start + start, whole.start + start + len(text)) if exact else whole
            found.append(Reference(RefKind.SKILL, text, span, "skills", "skills"))
    return found


def _split_names(value: str) -> list[tuple[str, int]]:
    return [(m.group(), m.start()) for m in re.finditer(r"[^,\s]+", value)]


def tool_references(parsed: ParsedAgent) -> list[Reference]:
    """`Agent(x, y)` / `Task(x)` entries (each name) and `mcp__server...` entries (the server part)."""
    found: list[Reference] = []
    if not parsed.loads:
        return found
    for key in TOOL_FIELDS:
        item = parsed.fields.get(key)
        if item is None:
            continue
        entries = tool_entries(parsed, item.node) or []
        for entry in entries:
            exact = entry.span.end - entry.span.start == len(entry.text)
            if entry.is_mcp:
                server = entry.text[5:].split("__", 1)[0]
                if not server or server == "*":
                    continue
                start = entry.span.start + 5 if exact else entry.span.start
                end = start + len(server) if exact else entry.span.end
                found.append(Reference(RefKind.MCP, entry.text[5:], Span(start, end), "tools", key))
                continue
            if entry.name not in _AGENT_TOOLS or entry.specifier is None:
                continue
            offset = entry.text.index("(") + 1
            for name, start in split_tool_string(entry.specifier):
                name = name.strip()
                if not name or "*" in name:
                    continue
                if exact:
                    span = Span(entry.span.start + offset + start, entry.span.start + offset + start + len(name))
                else:
                    span = entry.span
                found.append(Reference(RefKind.AGENT, name, span, "tools", key))
    return found


def mcp_server_references(parsed: ParsedAgent) -> list[Reference]:
    """The plain names in an agent's `mcpServers` list: each refers to a server configured elsewhere
    (sub-agents: "a server name referencing an already-configured server"); inline definitions are not."""
    item = parsed.fields.get("mcpServers")
    if item is None or not parsed.loads or not isinstance(item.node, SequenceNode):
        return []
    found: list[Reference] = []
    for child in item.node.value:
        if isinstance(child, ScalarNode) and child.tag == "tag:yaml.org,2002:str" and child.value.strip():
            span = _scalar_inner_span(parsed, child)
            found.append(Reference(RefKind.MCP, child.value.strip(), span, "mcpServers", "mcpServers"))
    return found


def mention_references(text: str, start: int = 0) -> list[Reference]:
    """`@agent-name` mentions and `subagent_type: name` in prose, from `start` on."""
    found: list[Reference] = []
    for pattern, how, marker in ((_MENTION, "mention", "@agent-"), (_SUBAGENT_TYPE, "subagent_type", "subagent_type")):
        # str.find is a fast C scan; most bodies mention no agent, and a regex that starts with a
        # look-behind would otherwise be tried at every position of a long body.
        if text.find(marker, start) < 0:
            continue
        for match in pattern.finditer(text, start):
            name = match.group("name").rstrip(".:-")
            if name:
                begin = match.start("name")
                found.append(Reference(RefKind.AGENT, name, Span(begin, begin + len(name)), how))
    return sorted(found, key=lambda r: r.span.start)


def references_in(parsed: ParsedAgent, kind: FileKind) -> list[Reference]:
    """Every reference a file of a kind holds, in text order."""
    if kind is FileKind.MEMORY:
        return mention_references(parsed.text)
    refs = [*skill_references(parsed), *mcp_server_references(parsed)] if kind is FileKind.AGENT else []
    refs += tool_references(parsed)
    body_from = parsed.body_start if parsed.has_frontmatter else 0
    refs += mention_references(parsed.text, body_from)
    return sorted(refs, key=lambda r: r.span.start)

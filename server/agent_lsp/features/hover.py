"""Hover in the frontmatter: what a key does, and what a value means.

On a key: the field's docs, its type, the allowed values with a line each, the
default, an example and a link to the docs. On a value: the model alias, tool,
permission mode, colour, hook event or handler type it names; inside `Agent(x)`
or under `skills`, that agent's or skill's own description, from the workspace
index (`ProjectView`): the name under the cursor is found as go-to-definition
finds it (`navigation.symbol_at`) and resolved as Claude Code would. All text
comes from the schema of the document's kind (agent, skill or command) and the
index.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml
from lsprotocol import types

from agent_lsp.features.complete import type_words
from agent_lsp.features.markup import content, to_range
from agent_lsp.features.navigation import symbol_at
from agent_lsp.project.paths import FileKind
from agent_lsp.project.references import RefKind
from agent_lsp.schema import paths as schema_paths
from agent_lsp.schema.models import describe_model_id
from agent_lsp.schema.schemas import AgentSchema, schema_for
from agent_lsp.syntax.cursor import Cursor, Slot, cursor_at, entry_at
from agent_lsp.syntax.frontmatter import ParsedAgent
from agent_lsp.syntax.text import PositionMapper, Span

if TYPE_CHECKING:
    from agent_lsp.project.entry import IndexedFile
    from agent_lsp.project.index import ProjectView


def hover(
    parsed: ParsedAgent,
    offset: int,
    mapper: PositionMapper,
    *,
    markdown: bool = True,
    project: ProjectView | None = None,
    kind: str = "agent",
) -> types.Hover | None:
    """The hover for `offset`, or None where there is nothing to explain (the body, free text).

    `project`: the workspace index seen from the document; without it, skills, agents and MCP
    servers are not explained."""
    cursor = cursor_at(parsed, offset)
    if cursor is None:
        return None
    found = _explain(parsed, cursor, offset, schema_for(kind), _Project(project, FileKind(kind)))
    if found is None:
        return None
    text, span = found
    return types.Hover(contents=content(text, markdown), range=to_range(mapper, span))


class _Project(NamedTuple):
    view: ProjectView | None  # the project as the document sees it
    kind: FileKind  # what the document is served as


def _explain(
    parsed: ParsedAgent, cursor: Cursor, offset: int, schema: AgentSchema, project: _Project
) -> tuple[str, Span] | None:
    if cursor.slot is Slot.KEY:
        if cursor.key is None or not cursor.has_colon:
            return None
        span = Span(cursor.value_start, cursor.value_start + len(cursor.key))
        if not cursor.path:
            if cursor.key in schema.ignored_fields:
                return f"**`{cursor.key}`** · ignored here\n\n{schema.ignored_fields[cursor.key]}", span
            return (key_doc(schema, cursor.key), span) if cursor.key in schema.properties else None
        doc = _nested_key_doc(schema, cursor.path, cursor.key)
        return (doc, span) if doc else None
    if cursor.word_start == cursor.word_end and cursor.value_start == cursor.value_end:
        return None
    top = cursor.path[0] if cursor.path else cursor.key
    if (cursor.slot is Slot.VALUE and not cursor.path) or (cursor.slot is Slot.ITEM and len(cursor.path) == 1):
        if top is not None and top in schema.properties and (schema.tool_list_kind(top) or top == "skills"):
            return _entry_doc(parsed, cursor, offset, schema, project, top)
        if top == "mcpServers" and cursor.slot is Slot.ITEM:
            return _mcp_doc(parsed, cursor, project.view)
        if cursor.slot is Slot.VALUE and top in schema.properties:
            return _value_doc(parsed, cursor, schema, top, project.view)
        return None
    if cursor.slot is Slot.VALUE and cursor.key is not None:
        prop = schema_paths.key_schema(schema, cursor.path, cursor.key)
        value = parsed.text[cursor.value_start : cursor.value_end]
        docs = schema_paths.enum_with_docs(schema_paths.resolve(schema, prop)) if prop else {}
        if docs.get(value):
            return f"`{value}`: {docs[value]}", Span(cursor.value_start, cursor.value_end)
    return None


@cache  # schemas are loaded once per kind and never change: a key's text is built once
def key_doc(schema: AgentSchema, key: str) -> str:
    """The full hover for a top-level key."""
    prop = schema.field(key)
    kind = type_words(schema, prop)
    need = "required" if key in schema.required else "optional"
    parts = [f"**`{key}`** · {kind} · {need}", str(prop.get("markdownDescription", ""))]
    docs = schema.enum_docs(key)
    values = schema.enum_values(key)
    if values:
        lines = [f"- `{v}`" + (f": {docs[v]}" if docs.get(v) else "") for v in values]
        parts.append("Allowed values:\n\n" + "\n".join(lines))
    if "default" in prop:
        parts.append(f"Default: `{_yaml_scalar(prop['default'])}`")
    examples = prop.get("examples") or []
    if examples:
        sample = yaml.safe_dump({key: examples[0]}, sort_keys=False, allow_unicode=True, width=100).rstrip()
        parts.append(f"Example:\n\n```yaml\n{sample}\n```")
    url = schema.meta.get("docsUrl")
    if url:
        title = schema.meta.get("docsTitle", "Claude Code docs: subagent frontmatter")
        parts.append(f"[{title}]({url})")
    return "\n\n".join(p for p in parts if p)


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _nested_key_doc(schema: AgentSchema, path: tuple[str, ...], key: str) -> str | None:
    parent = schema_paths.at_path(schema, path)
    if parent is None:
        return None
    doc = schema_paths.key_names(schema, parent).get(key)
    if not doc:
        return None
    if "propertyNames" in parent:
        return f"**`{key}`** (hook event)\n\n{doc}"
    prop = schema_paths.key_schema(schema, path, key) or {}
    values = schema_paths.enum_with_docs(schema_paths.resolve(schema, prop))
    listed = "\n".join(f"- `{v}`" + (f": {d}" if d else "") for v, d in values.items())
    return "\n\n".join(p for p in (f"**`{key}`** · {type_words(schema, prop)}", doc, listed) if p)


def _value_doc(
    parsed: ParsedAgent, cursor: Cursor, schema: AgentSchema, key: str, project: ProjectView | None
) -> tuple[str, Span] | None:
    span = Span(cursor.value_start, cursor.value_end)
    value = parsed.text[span.start : span.end]
    docs = schema.enum_docs(key)
    if value in docs:
        what = {"model": "model alias", "permissionMode": "permission mode", "color": "colour"}.get(key, key)
        return f"**`{value}`** ({what})\n\n{docs[value]}", span
    if key == "model" and value.startswith("claude-"):
        return f"**`{value}`** (full model id)\n\n{describe_model_id(value)}", span
    if schema.ext(key).get("completeFrom") == "agents" and project is not None:
        # A skill's `agent` names an agent by itself: no reference to find, the value is the name.
        agent = project.definition(RefKind.AGENT, value)
        return (_named_doc(agent), span) if agent else None
    return None


def _entry_doc(
    parsed: ParsedAgent, cursor: Cursor, offset: int, schema: AgentSchema, project: _Project, key: str
) -> tuple[str, Span] | None:
    entry = entry_at(parsed, cursor, offset)
    if key == "skills":
        return _named_at(parsed, offset, project, RefKind.SKILL)
    if entry.owner == "Agent":
        return _named_at(parsed, offset, project, RefKind.AGENT)
    word = parsed.text[entry.span.start : entry.span.end].strip()
    if entry.owner is not None:
        name = entry.owner
        start = parsed.text.rfind(name, cursor.value_start, entry.span.start)
        span = Span(start, start + len(name)) if start >= 0 else entry.span
    else:
        name = word.split("(", 1)[0]
        span = Span(entry.span.start, entry.span.start + len(name))
    if name.startswith("mcp__"):
        server = name[len("mcp__") :].split("__", 1)[0]
        return f"**`{name}`**\n\nTools of the MCP server `{server}`.", span
    doc = schema.tool_doc(name)
    if doc is None:
        return None
    successor = schema.retired_tools.get(name) or schema.alias_tools.get(name)
    note = f"\n\nUse `{successor}` instead." if successor and name in schema.retired_tools else ""
    return f"**`{name}`** (tool)\n\n{doc}{note}", span


def _named_at(parsed: ParsedAgent, offset: int, project: _Project, wanted: RefKind) -> tuple[str, Span] | None:
    """The skill or agent named under the cursor, described: the name is the one go-to-definition finds
    there (the document's references, as the index reads them), resolved from the document."""
    if project.view is None:
        return None
    document = project.view.document(parsed, project.kind)
    symbol = symbol_at(document, offset) if document is not None else None
    if symbol is None or symbol.declaration or symbol.kind is not wanted:
        return None
    target = project.view.definition(symbol.kind, symbol.name)
    return (_named_doc(target), symbol.span) if target is not None else None


def _named_doc(item: IndexedFile) -> str:
    description = item.description or "(no description)"
    path = Path(item.path)
    what = f"{item.scope.value} {item.kind.value}"
    return f"**`{item.qualified_name}`** ({what} in `{path.parent.name}/{path.name}`)\n\n{description}"


def _mcp_doc(parsed: ParsedAgent, cursor: Cursor, project: ProjectView | None) -> tuple[str, Span] | None:
    span = Span(cursor.value_start, cursor.value_end)
    name = parsed.text[span.start : span.end]
    if project is None or name not in project.mcp_servers():
        return None
    return (
        f"**`{name}`** (MCP server)\n\nConfigured in the project's `.mcp.json`; this subagent shares its connection.",
        span,
    )

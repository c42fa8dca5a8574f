"""Walking the agent schema along a path of YAML keys (`hooks` > `PreToolUse` > `hooks`).

Completion and hover both ask "what may stand here?" for nested places such as a
hook handler or an inline MCP server; this answers from the schema's own
`properties`, `additionalProperties`, `items` and `$ref`s, so nested keys and
values need no list of their own either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agent_lsp.schema.schemas import AgentSchema


def resolve(schema: AgentSchema, node: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref`s (to `#/$defs/...`) and step through lists to their items.

    A `$ref` beside other keywords (a field's own docs next to `$ref: hooks`) keeps
    those keywords: the referenced schema only fills in what is missing.
    """
    seen = 0
    while seen < 16:  # refs in this schema are shallow; the bound only guards against cycles
        seen += 1
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = schema.defs.get(ref.removeprefix("#/$defs/"), {})
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            continue
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            node = node["items"]
            continue
        for alternative in node.get("anyOf", []):
            # A field written as a mapping or a list of mappings: the alternative with structure wins.
            if isinstance(alternative, dict) and ("properties" in alternative or "additionalProperties" in alternative):
                node = {**alternative, **{k: v for k, v in node.items() if k != "anyOf"}}
                break
        else:
            return node
    return node


def at_path(schema: AgentSchema, path: Sequence[str]) -> dict[str, Any] | None:
    """The schema of the mapping whose keys stand at `path` (() is the frontmatter itself)."""
    node: dict[str, Any] = schema.raw
    for step in path:
        node = resolve(schema, node)
        props = node.get("properties", {})
        if step in props:
            node = props[step]
            continue
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            node = extra
            continue
        return None
    return resolve(schema, node)


def key_names(schema: AgentSchema, node: dict[str, Any]) -> dict[str, str]:
    """Keys a mapping schema allows, with their docs (named properties, or an enum of names)."""
    props = node.get("properties")
    if isinstance(props, dict) and props:
        return {k: str(v.get("markdownDescription", "")) for k, v in props.items()}
    names = node.get("propertyNames")
    if isinstance(names, dict):
        return enum_with_docs(resolve(schema, names))
    return {}


def enum_with_docs(node: dict[str, Any]) -> dict[str, str]:
    values = node.get("enum")
    if not isinstance(values, list):
        if node.get("type") == "boolean":
            return {"true": "", "false": ""}
        return {}
    docs = node.get("markdownEnumDescriptions", [])
    return {str(v): (docs[i] if i < len(docs) else "") for i, v in enumerate(values)}


def key_schema(schema: AgentSchema, path: Sequence[str], key: str) -> dict[str, Any] | None:
    """The schema of the value of `key` inside the mapping at `path`."""
    parent = at_path(schema, path)
    if parent is None:
        return None
    props = parent.get("properties", {})
    if key in props:
        return dict(props[key])
    extra = parent.get("additionalProperties")
    return dict(extra) if isinstance(extra, dict) else None

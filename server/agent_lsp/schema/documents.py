"""The JSON Schemas of Claude Code's JSON files (manifests, `.mcp.json`, hooks, settings), and questions asked of them.

Each file kind has its schema in `schemas/<kind>.schema.json`; they refer to each other by
relative `$ref` (a plugin's inline `hooks` are `agent.schema.json#/$defs/hooks`, its inline
`mcpServers` are `mcp.schema.json#/$defs/mcpServers`), so hook events, handlers and MCP
server fields are written down once. Validation, completion and hover all read them here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from agent_lsp.schema.resources import schema_path

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

JSON_KINDS = ("plugin-manifest", "marketplace", "mcp", "hooks", "settings")
_BASE = "https://agent-lsp.dev/schemas/"
_REFERENCED = ("agent", "mcp")  # schemas others refer to


@cache
def _raw(name: str) -> dict[str, Any]:
    with schema_path(name).open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@dataclass(frozen=True)
class Candidate:
    """A schema that may describe a place in the document, with the key's own description (a `$ref` beside it)."""

    schema: dict[str, Any]
    base: str  # the schema file it was found in (to resolve its `$ref`s)


class DocumentSchema:
    """One JSON file kind's schema."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.raw = _raw(name)
        self.meta: dict[str, Any] = dict(self.raw.get("x-agent-lsp", {}))

    @property
    def noun(self) -> str:
        return str(self.meta.get("noun", self.name))

    @property
    def docs_url(self) -> str | None:
        url = self.meta.get("docsUrl")
        return str(url) if url else None

    @cached_property
    def validator(self) -> Draft202012Validator:
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource

        resources = [(_BASE + f"{n}.schema.json", Resource.from_contents(_raw(n))) for n in {*_REFERENCED, self.name}]
        return Draft202012Validator(self.raw, registry=Registry().with_resources(resources))

    def errors(self, value: Any) -> list[Any]:
        return list(self.validator.iter_errors(value))

    # ---- walking the schema along a document path ---------------------------------------------
    def _resolve(self, schema: dict[str, Any], base: str) -> tuple[dict[str, Any], str]:
        """Follow `$ref`s (within a file or to another schema file)."""
        seen = 0
        while "$ref" in schema and seen < 16:
            seen += 1
            ref = str(schema["$ref"])
            target, _, pointer = ref.partition("#")
            if target:
                base = target.removesuffix(".schema.json")
            node: Any = _raw(base)
            for part in (p for p in pointer.split("/") if p):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            schema = node if isinstance(node, dict) else {}
        return schema, base

    def _expand(self, schema: dict[str, Any], base: str) -> list[Candidate]:
        """A schema and the branches of its `anyOf`/`oneOf`/`allOf`, each resolved."""
        own = Candidate(schema, base)
        resolved, where = self._resolve(schema, base)
        found = [own] if resolved is not schema else []
        found.append(Candidate(resolved, where))
        for keyword in ("anyOf", "oneOf", "allOf"):
            for branch in resolved.get(keyword, []):
                if isinstance(branch, dict):
                    found.extend(self._expand(branch, where))
        return found

    def candidates(self, path: tuple[str | int, ...]) -> list[Candidate]:
        """Every schema that may describe the value at `path` (keys and array indexes from the root)."""
        current = self._expand(self.raw, self.name)
        for part in path:
            following: list[Candidate] = []
            for cand in current:
                schema = cand.schema
                if isinstance(part, int):
                    items = schema.get("items")
                    if isinstance(items, dict):
                        following.extend(self._expand(items, cand.base))
                    continue
                props = schema.get("properties", {})
                if isinstance(props, dict) and part in props:
                    following.extend(self._expand(props[part], cand.base))
                elif isinstance(schema.get("additionalProperties"), dict):
                    following.extend(self._expand(schema["additionalProperties"], cand.base))
            current = following
            if not current:
                break
        return current

    def key_schema(self, path: tuple[str | int, ...]) -> list[Candidate]:
        """The `propertyNames` schemas of the object at `path` (hook events name the keys of `hooks`)."""
        found: list[Candidate] = []
        for cand in self.candidates(path):
            names = cand.schema.get("propertyNames")
            if isinstance(names, dict):
                found.extend(self._expand(names, cand.base))
        return found

    def description(self, path: tuple[str | int, ...]) -> str | None:
        for cand in self.candidates(path):
            text = cand.schema.get("markdownDescription")
            if isinstance(text, str):
                return text
        return None

    def properties(self, path: tuple[str | int, ...]) -> dict[str, dict[str, Any]]:
        """The keys an object at `path` may hold, with their schemas (first description wins)."""
        found: dict[str, dict[str, Any]] = {}
        for cand in self.candidates(path):
            props = cand.schema.get("properties", {})
            if isinstance(props, dict):
                for key, sub in props.items():
                    if key not in found and isinstance(sub, dict):
                        found[key] = sub
        return found

    def required(self, path: tuple[str | int, ...]) -> set[str]:
        return {str(k) for cand in self.candidates(path) for k in cand.schema.get("required", [])}

    def enum_values(self, candidates: list[Candidate]) -> list[tuple[Any, str]]:
        """Allowed values with their descriptions (enums, consts and booleans)."""
        values: list[tuple[Any, str]] = []
        for cand in candidates:
            schema = cand.schema
            if "enum" in schema:
                docs = schema.get("markdownEnumDescriptions", [])
                for i, value in enumerate(schema["enum"]):
                    values.append((value, docs[i] if i < len(docs) else ""))
            elif "const" in schema:
                values.append((schema["const"], ""))
            elif schema.get("type") == "boolean":
                values.extend([(True, ""), (False, "")])
        unique: dict[str, tuple[Any, str]] = {}
        for value, doc in values:
            unique.setdefault(json.dumps(value), (value, doc))
        return list(unique.values())

    def ext(self, path: tuple[str | int, ...]) -> dict[str, Any]:
        """The `x-agent-lsp` block of the first schema at `path` that has one."""
        for cand in self.candidates(path):
            block = cand.schema.get("x-agent-lsp")
            if isinstance(block, dict):
                return dict(block)
        return {}


@cache
def document_schema(kind: str) -> DocumentSchema:
    if kind not in JSON_KINDS:
        raise ValueError(f"unknown JSON file kind {kind!r}")
    return DocumentSchema(kind)

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
from agent_lsp.syntax.jsondoc import JsonNode

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

JSON_KINDS = ("plugin-manifest", "marketplace", "mcp", "hooks", "settings")
_BASE = "https://agent-lsp.dev/schemas/"
_REFERENCED = ("agent", "mcp")  # schemas others refer to
_PIECE_CACHE = 4096  # validated pieces remembered (a large manifest has a few hundred)
_SPLIT_FROM = 8  # an object map with this many entries is validated entry by entry


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

    # ---- validation in pieces, remembered by their text ---------------------------------------
    def _validator_in(self, base: str) -> Draft202012Validator:
        """A validator whose `$ref`s resolve in schema file `base` (to validate a piece of it)."""
        found = self._by_base.get(base)
        if found is None:
            from jsonschema import Draft202012Validator

            found = self._by_base[base] = Draft202012Validator(_raw(base), registry=self.validator._registry)  # type: ignore[attr-defined]
        return found

    @cached_property
    def _by_base(self) -> dict[str, Draft202012Validator]:
        return {}

    @cached_property
    def _piece_errors(self) -> dict[tuple[int, str], list[Any]]:
        return {}

    def _errors_of_piece(self, schema: dict[str, Any], base: str, raw: str, value: Any) -> list[Any]:
        """The errors of one value (a JsonNode, or a Python value) against one (sub)schema, remembered by
        the value's source text."""
        key = (id(schema), raw)
        found = self._piece_errors.get(key)
        if found is None:
            data = value.to_python() if isinstance(value, JsonNode) else value
            found = list(self._validator_in(base).evolve(schema=schema).iter_errors(data))
            if len(self._piece_errors) >= _PIECE_CACHE:
                self._piece_errors.pop(next(iter(self._piece_errors)))
            self._piece_errors[key] = found
        return found

    def errors_in_pieces(self, root: JsonNode, text: str) -> list[tuple[tuple[str | int, ...], Any]]:
        """The same errors as `errors(root.to_python())`, each with the path its own path is relative to.

        Each top-level member is validated alone, and a large object map in it (MCP servers by name,
        hooks by event) entry by entry; every piece's errors are remembered by its text, so an edit
        re-validates only the pieces it changed (a 2,000-line manifest costs one server, not all)."""
        schema, base = self._resolve(self.raw, self.name)
        props = schema.get("properties", {})
        skeleton_schema = self._skeleton(schema)
        found: list[tuple[tuple[str | int, ...], Any]] = [
            ((), e)
            for e in self._errors_of_piece(skeleton_schema, base, _keys(root), {m.key: None for m in root.members})
        ]
        last = {m.key: m for m in root.members}
        for key, member in last.items():
            sub = props.get(key)
            if not isinstance(sub, dict):
                continue
            value = member.value
            raw = text[value.span.start : value.span.end]
            mapped = (
                self._map_branch(sub, base) if value.kind == "object" and len(value.members) >= _SPLIT_FROM else None
            )
            if mapped is None:
                found += [((key,), e) for e in self._errors_of_piece(sub, base, raw, value)]
                continue
            map_schema, map_base = mapped
            entries = {m.key: m for m in value.members}
            outline = self._skeleton(map_schema)
            found += [
                ((key,), e) for e in self._errors_of_piece(outline, map_base, _keys(value), dict.fromkeys(entries))
            ]
            entry_schema = map_schema["additionalProperties"]
            for name, entry in entries.items():
                piece = text[entry.value.span.start : entry.value.span.end]
                errors = self._errors_of_piece(entry_schema, map_base, piece, entry.value)
                found += [((key, name), e) for e in errors]
        return found

    def _skeleton(self, schema: dict[str, Any]) -> dict[str, Any]:
        """An object schema that checks only keys (required, unknown, names): its values are checked apart."""
        cached = self._skeletons.get(id(schema))
        if cached is None:
            cached = {k: v for k, v in schema.items() if k not in ("allOf", "anyOf", "oneOf", "if", "then", "else")}
            cached["properties"] = dict.fromkeys(schema.get("properties", {}), True)
            if isinstance(schema.get("additionalProperties"), dict):
                cached["additionalProperties"] = True
            self._skeletons[id(schema)] = cached
        return cached

    @cached_property
    def _skeletons(self) -> dict[int, dict[str, Any]]:
        return {}

    def _map_branch(self, schema: dict[str, Any], base: str) -> tuple[dict[str, Any], str] | None:
        """The one branch of a field's schema an object can match, when it is a plain map (values by name)."""
        objects = [
            c
            for c in self._expand(schema, base)
            if c.schema.get("type") == "object" or "additionalProperties" in c.schema or "properties" in c.schema
        ]
        if len(objects) != 1:
            return None
        only = objects[0].schema
        plain_map = isinstance(only.get("additionalProperties"), dict) and not only.get("properties")
        if plain_map and not any(k in only for k in ("allOf", "anyOf", "oneOf", "if")):
            return only, objects[0].base
        return None

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


def _keys(node: JsonNode) -> str:
    """What a key-only check reads of an object, as a cache key."""
    return "\x00keys\x00" + "\x00".join(m.key for m in node.members)


@cache
def document_schema(kind: str) -> DocumentSchema:
    if kind not in JSON_KINDS:
        raise ValueError(f"unknown JSON file kind {kind!r}")
    return DocumentSchema(kind)

"""The frontmatter JSON Schemas, loaded once, and the questions features ask of them.

There is one schema per document kind: `schemas/agent.schema.json` for
subagents, `schemas/skill.schema.json` for skills and
`schemas/command.schema.json` for custom slash commands. Each is the single
source of truth for its kind's fields, allowed values, defaults and docs:
validation, completion and hover all read it through this module, so no list of
fields, colours, modes or tools lives in Python.
"""

from __future__ import annotations

import json
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


from agent_lsp.schema.resources import schema_path

KINDS = ("agent", "skill", "command", "output-style", "rule", "memory")


_ERROR_CACHE_SIZE = 256


class FrontmatterSchema:
    """One kind's schema (`AgentSchema` is its historical name)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.properties: dict[str, dict[str, Any]] = raw["properties"]
        self.defs: dict[str, dict[str, Any]] = raw["$defs"]
        self.meta: dict[str, Any] = raw.get("x-agent-lsp", {})
        self._errors: dict[tuple[str, str], list[Any]] = {}

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind", "agent"))

    @property
    def noun(self) -> str:
        """How messages name a file of this kind (`agent`, `skill`, `command`)."""
        return str(self.meta.get("noun", self.kind))

    @property
    def ignored_fields(self) -> dict[str, str]:
        """Keys Claude Code knows but ignores in this kind of file, with the reason (`ignored_field_reason`
        fills in the file's own name)."""
        return {key: self.ignored_field_reason(key) for key in self.meta.get("ignoredFields", {})}

    def ignored_field_reason(self, key: str, path: str | None = None) -> str:
        """Why `key` is ignored, naming the file at `path` (`go.md` is `/go`), or an example without one."""
        from pathlib import PurePath

        reason = str(self.meta.get("ignoredFields", {}).get(key, ""))
        file = PurePath(path) if path else None
        named = f"`{file.name}` is `/{file.stem}`" if file else "for example, `deploy.md` is `/deploy`"
        return reason.replace("{file}", named)

    def tool_list_kind(self, name: str) -> str | None:
        """`tools`/`disallowedTools` (agents) or `allowed`/`disallowed` (skills, commands) for a tool list field."""
        if name not in self.properties:
            return None
        kind = self.ext(name).get("list")
        return str(kind) if kind else None

    @property
    def tool_list_fields(self) -> list[str]:
        return [name for name in self.properties if self.tool_list_kind(name)]

    # ---- fields -------------------------------------------------------------
    @property
    def field_names(self) -> list[str]:
        return list(self.properties)

    @property
    def required(self) -> list[str]:
        return list(self.raw.get("required", []))

    def field(self, name: str) -> dict[str, Any]:
        return self.properties[name]

    def ext(self, name: str) -> dict[str, Any]:
        """A field's `x-agent-lsp` block (our extension keywords)."""
        return dict(self.properties[name].get("x-agent-lsp", {}))

    def enum_values(self, name: str) -> list[str]:
        """The values offered and accepted for an enum-like field, as text."""
        prop = self.properties[name]
        if "enum" in prop:
            return [str(v) for v in prop["enum"]]
        return [str(v) for v in self.ext(name).get("enumValues", [])]

    def enum_docs(self, name: str) -> dict[str, str]:
        prop = self.properties[name]
        docs = prop.get("markdownEnumDescriptions") or self.ext(name).get("markdownEnumDescriptions", [])
        return dict(zip(self.enum_values(name), docs, strict=False))

    @cache  # noqa: B019 - one schema object lives for the whole process
    def validator(self, name: str) -> Draft202012Validator:
        """A compiled validator for one field's value (refs resolve against `$defs`)."""
        sub = {**self.properties[name], "$defs": self.defs}
        # jsonschema (and referencing, rpds) cost ~50 ms to import: pay it on the first
        # value check, not while the editor waits for `initialize`.
        from jsonschema import Draft202012Validator

        return Draft202012Validator(sub)

    def errors(self, name: str, value: Any) -> list[Any]:
        """The schema errors of a field's value, remembered per value.

        Editing one line re-validates every field; a long `hooks` or `mcpServers` block
        is the costly walk and rarely changes between keystrokes, so its errors (paths
        into the value, not positions) are reused while its content is the same.
        """
        try:
            key = (name, json.dumps(value, sort_keys=True, ensure_ascii=False))
        except (TypeError, ValueError):  # keys of mixed types, or values JSON cannot hold
            return list(self.validator(name).iter_errors(value))
        cached = self._errors.get(key)
        if cached is None:
            cached = list(self.validator(name).iter_errors(value))
            if len(self._errors) >= _ERROR_CACHE_SIZE:
                self._errors.pop(next(iter(self._errors)))
            self._errors[key] = cached
        return cached

    # ---- tools --------------------------------------------------------------
    @cached_property
    def builtin_tools(self) -> dict[str, str]:
        """Built-in tool name -> one-line doc."""
        return self._enum_with_docs("builtinTool")

    @cached_property
    def alias_tools(self) -> dict[str, str]:
        return dict(self.defs["aliasTool"]["x-agent-lsp"]["successors"])

    @cached_property
    def retired_tools(self) -> dict[str, str]:
        """Retired tool name -> its successor."""
        return dict(self.defs["retiredTool"]["x-agent-lsp"]["successors"])

    def tool_doc(self, name: str) -> str | None:
        for group in ("builtinTool", "aliasTool", "retiredTool"):
            docs = self._enum_with_docs(group)
            if name in docs:
                return docs[name]
        return None

    @cached_property
    def tools_removed_for_subagents(self) -> frozenset[str]:
        return frozenset(self.defs["builtinTool"]["x-agent-lsp"]["removedForSubagents"])

    @cached_property
    def tools_kept_when_plan(self) -> frozenset[str]:
        return frozenset(self.defs["builtinTool"]["x-agent-lsp"]["keptWhenPermissionModePlan"])

    @cached_property
    def tools_dropped_beside_bash(self) -> frozenset[str]:
        """Tools Claude Code removes from an agent that also gets `Bash`."""
        return frozenset(self.defs["builtinTool"]["x-agent-lsp"].get("droppedBesideBash", []))

    @cached_property
    def tools_kept_in_background(self) -> frozenset[str]:
        return frozenset(self.defs["builtinTool"]["x-agent-lsp"]["keptInBackground"])

    @cached_property
    def specifier_templates(self) -> list[str]:
        return list(self.defs["builtinTool"]["x-agent-lsp"]["specifierTemplates"])

    # ---- hooks --------------------------------------------------------------
    @cached_property
    def hook_events(self) -> dict[str, str]:
        return self._enum_with_docs("hookEvent")

    @cache  # noqa: B019 - one schema object lives for the whole process; callers only read the dict
    def _enum_with_docs(self, def_name: str) -> dict[str, str]:
        spec = self.defs[def_name]
        return dict(zip(spec["enum"], spec.get("markdownEnumDescriptions", [""] * len(spec["enum"])), strict=True))


AgentSchema = FrontmatterSchema


@cache
def schema_for(kind: str) -> FrontmatterSchema:
    """The schema of a document kind (`agent`, `skill` or `command`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    with schema_path(kind).open(encoding="utf-8") as handle:
        return FrontmatterSchema(json.load(handle))


def agent_schema() -> FrontmatterSchema:
    return schema_for("agent")

"""Find every problem in Claude Code's JSON files: plugin and marketplace manifests, `.mcp.json`, hooks, settings.

The kind's JSON Schema (schema/documents.py) says what each field may hold; its errors are
turned into findings on the exact key or value they concern. What a schema cannot say is
checked here: plugin and marketplace names, component paths (relative, inside the plugin,
existing, loading something), marketplace sources, `${VAR:-default}` in MCP servers, a
`matcher` on a hook event that ignores it. The consequence, and so the severity, depends on
where the problem stands, as `claude plugin validate` 2.1.328 reports it: a recognized
plugin field of the wrong type fails the whole plugin; a malformed hook entry is ignored.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.rules import Severity
from agent_lsp.checks.suggest import closest, did_you_mean
from agent_lsp.schema.documents import DocumentSchema, document_schema
from agent_lsp.schema.schemas import agent_schema
from agent_lsp.syntax.jsondoc import JsonDocument, JsonMember, JsonNode
from agent_lsp.syntax.text import Span

Path_ = tuple[str | int, ...]

# Names that pass as Anthropic's own (`claude plugin validate` 2.1.328 refuses them for a third party).
_RESERVED_PREFIXES = ("claude-", "anthropic-", "anthropics-", "cc-plugin-")
_RESERVED_NAMES = frozenset({"claude", "anthropic", "anthropics", "claude-code", "claude-mods"})
_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ID_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # one part of `plugin@marketplace`
_ENV_REFERENCE = re.compile(r"\$\{([^}]*)\}?")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# MCP server texts whose `${...}` references were all found well formed (bounded: cleared when full).
_CLEAN_SERVERS: set[str] = set()
# Component fields whose paths name files or folders inside the plugin.
_PATH_FIELDS = ("skills", "commands", "agents", "workflows", "outputStyles", "hooks", "mcpServers", "lspServers")


# The codes only these checks report (tests/checks/test_rules.py counts them apart from the agent rules).
MANIFEST_CODES = frozenset(
    {
        "json-syntax",
        "missing-field",
        "invalid-field-value",
        "invalid-plugin-name",
        "plugin-name-style",
        "invalid-component-path",
        "missing-component-path",
        "component-path-loads-nothing",
        "invalid-plugin-source",
        "mcp-url-without-type",
        "invalid-env-expansion",
        "unknown-hook-event",
        "invalid-hook",
        "matcher-ignored",
    }
)


def find_manifest_problems(doc: JsonDocument, context: AgentContext) -> list[Finding]:
    """Every problem of one JSON file, sorted by where it stands."""
    checker = ManifestChecker(doc, context)
    checker.run()
    return sorted(checker.findings, key=lambda f: (f.span.start, f.span.end, f.code))


class ManifestChecker:
    def __init__(self, doc: JsonDocument, context: AgentContext) -> None:
        self.doc = doc
        self.context = context
        self.kind = context.kind
        self.schema: DocumentSchema = document_schema(context.kind)
        self.findings: list[Finding] = []

    def add(self, code: str, span: Span, message: str, severity: Severity, **data: Any) -> None:
        self.findings.append(Finding(code, span, message, severity, {"code": code, **data}))

    # ---- the run --------------------------------------------------------------------------
    def run(self) -> None:
        doc = self.doc
        if doc.error is not None or doc.root is None:
            error = doc.error
            span = error.span if error else Span(0, 0)
            self.add(
                "json-syntax",
                span,
                f"Not valid JSON: {error.message if error else 'nothing to read'}. {self._unreadable_consequence()}",
                Severity.ERROR,
            )
            return
        root = doc.root
        self.duplicates(root)
        if root.kind != "object":
            self.add(
                "invalid-field-value",
                _head(root),
                f"A {self.schema.noun} is a JSON object (`{{...}}`).",
                Severity.ERROR,
            )
            return
        if self.doc.exact:
            for prefix, error in self.schema.errors_in_pieces(root, self.doc.text):
                self.schema_error(error, prefix)
        else:
            for error in self.schema.errors(root.to_python()):
                self.schema_error(error)
        if self.kind in ("plugin-manifest", "marketplace"):
            self.names(root, ())
        if self.kind == "plugin-manifest":
            self.component_paths(root)
        if self.kind == "marketplace":
            self.sources(root)
        for servers in self._mcp_server_blocks(root):
            self.env_expansions(servers)
        for hooks in self._hook_blocks(root):
            self.matchers(hooks)

    def _unreadable_consequence(self) -> str:
        return {
            "plugin-manifest": "Claude Code cannot load the plugin.",
            "marketplace": "Claude Code cannot read the marketplace.",
            "mcp": "Claude Code starts none of its servers.",
            "hooks": "None of its hooks run.",
            "settings": "Claude Code ignores the whole file.",
        }.get(self.kind, "Claude Code cannot read it.")

    # ---- duplicates ----------------------------------------------------------------------
    def duplicates(self, node: JsonNode) -> None:
        if not self.doc.exact or not self.doc.duplicates:
            return  # no positions to show them at, or the parse saw no object holding a key twice
        stack = [node]
        pop, extend = stack.pop, stack.extend
        while stack:
            current = pop()
            members = current.members
            if members:
                if len(members) > 1 and len({m.key for m in members}) < len(members):
                    last = {m.key: m for m in members}
                    for member in members:
                        if last[member.key] is not member:
                            self.add(
                                "duplicate-key",
                                member.key_span,
                                f"`{member.key}` appears again below; Claude Code keeps the last value.",
                                Severity.WARNING,
                            )
                extend([m.value for m in members])
            elif current.items:
                extend(current.items)

    # ---- schema errors -------------------------------------------------------------------
    def schema_error(self, error: Any, prefix: Path_ = ()) -> None:
        """One schema error as findings; `prefix` is the path of the piece it was found in."""
        path: Path_ = prefix + tuple(error.absolute_path)
        validator = error.validator
        if validator in ("anyOf", "oneOf") and error.context:
            for branch_error in _branch_errors(error):
                self.schema_error(branch_error, prefix)
            return
        node, member = self.doc.node_at(path)
        if node is None:
            return
        in_hooks = self._in_hooks(path)
        if validator == "additionalProperties":
            allowed = list(error.schema.get("properties", {}))
            for extra in _extra_keys(error):
                found = node.get(extra) if node.kind == "object" else None
                if found is None:
                    continue
                guess = closest(extra, allowed)
                hint = did_you_mean(guess)
                self.add(
                    "unknown-key",
                    found.key_span,
                    f"`{extra}` is not a field {self._where(path)}; Claude Code ignores it.{hint}",
                    Severity.WARNING,
                    replacement=guess,
                )
            return
        if validator == "propertyNames" or "propertyNames" in error.absolute_schema_path:
            # jsonschema reports a bad key as the key schema's own error (an `enum` one), at the object's path.
            key = str(error.instance)
            found = node.get(key) if node.kind == "object" else None
            span = found.key_span if found else _head(node)
            guess = closest(key, agent_schema().hook_events)
            hint = did_you_mean(guess)
            self.add(
                "unknown-hook-event",
                span,
                f"`{key}` is not a hook event; Claude Code ignores its hooks.{hint}",
                Severity.WARNING,
                replacement=guess,
            )
            return
        if validator == "required":
            missing = str(error.message).split("'")[1] if "'" in str(error.message) else "?"
            self.missing(path, node, member, missing, in_hooks)
            return
        # A value of the wrong type or form.
        span = node.span
        what = self._describe_expected(error)
        if in_hooks:
            self.add("invalid-hook", span, f"{what} This hook entry is ignored.", Severity.WARNING)
            return
        code, severity, consequence = "invalid-field-value", Severity.ERROR, self._wrong_value_consequence(path)
        if path and path[0] in ("metadata", "experimental") and len(path) == 1 and self.kind == "plugin-manifest":
            severity, consequence = Severity.WARNING, "Claude Code ignores the field."
        self.add(code, span, f"{what} {consequence}", severity)

    def missing(self, path: Path_, node: JsonNode, member: JsonMember | None, name: str, in_hooks: bool) -> None:
        # The key holding the object, else the whole object when it is an array's item, else its `{`.
        span = member.key_span if member is not None else (node.span if path else _head(node))
        if in_hooks:
            self.add("invalid-hook", span, f"This hook entry needs `{name}`; Claude Code ignores it.", Severity.WARNING)
            return
        if self._is_mcp_server(path) and name == "type" and node.get("url") is not None:
            self.add(
                "mcp-url-without-type",
                span,
                "A server with a `url` needs `type` (`http`, `sse` or `ws`); Claude Code cannot read "
                f"this server. {self._mcp_consequence()}",
                Severity.ERROR,
            )
            return
        where = self._where(path)
        consequence = self._wrong_value_consequence(path)
        self.add("missing-field", span, f"`{name}` is required {where}. {consequence}", Severity.ERROR)

    def _describe_expected(self, error: Any) -> str:
        schema = error.schema
        validator = error.validator
        if validator == "type":
            expected = error.validator_value
            names = expected if isinstance(expected, list) else [expected]
            return f"Expected {' or '.join(_TYPE_NAMES.get(str(n), str(n)) for n in names)} here."
        if validator == "enum":
            return "Expected one of " + ", ".join(f"`{_json(v)}`" for v in schema["enum"]) + "."
        if validator == "const":
            return f"Expected `{_json(schema['const'])}`."
        if validator == "minLength":
            return "This must not be empty."
        if validator in ("exclusiveMinimum", "minimum"):
            return f"Expected a number above {error.validator_value}."
        if validator == "format":
            return f"Expected a valid {error.validator_value} (such as `https://example.com`)."
        return "This value does not have the form Claude Code reads."

    def _wrong_value_consequence(self, path: Path_) -> str:
        if self.kind == "plugin-manifest":
            return "The plugin fails to load."
        if self.kind == "marketplace":
            return "Claude Code cannot read the marketplace."
        if self.kind == "mcp":
            return self._mcp_consequence(path)
        return "Claude Code ignores it."

    def _mcp_consequence(self, path: Path_ = ()) -> str:
        if self.kind == "plugin-manifest":
            return "The plugin fails to load."
        server = path[1] if len(path) > 1 and path[0] == "mcpServers" else None
        return f"Claude Code does not start `{server}`." if server else "Claude Code does not start this server."

    def _where(self, path: Path_) -> str:
        if not path:
            return f"of a {self.schema.noun}"
        if self._is_mcp_server(path):
            return "of an MCP server"
        if self._in_hooks(path):
            return "of a hook"
        last = next((p for p in reversed(path) if isinstance(p, str)), None)
        return f"in `{last}`" if last else f"of a {self.schema.noun}"

    def _in_hooks(self, path: Path_) -> bool:
        return bool(path) and path[0] == "hooks" and self.kind in ("hooks", "settings", "plugin-manifest")

    def _is_mcp_server(self, path: Path_) -> bool:
        return len(path) == 2 and path[0] == "mcpServers" and self.kind in ("mcp", "plugin-manifest")

    # ---- names ---------------------------------------------------------------------------
    def names(self, root: JsonNode, path: Path_) -> None:
        member = root.get("name")
        if member is not None and member.value.kind == "string":
            self.name_rules(member.value, "marketplace" if self.kind == "marketplace" else "plugin")
        if self.kind == "marketplace":
            plugins = root.get("plugins")
            if plugins is not None and plugins.value.kind == "array":
                for entry in plugins.value.items:
                    name = entry.get("name") if entry.kind == "object" else None
                    if name is not None and name.value.kind == "string":
                        self.name_rules(name.value, "plugin")

    def name_rules(self, node: JsonNode, what: str) -> None:
        name = str(node.value)
        span = node.span
        if not name:
            return
        if " " in name:
            self.add(
                "invalid-plugin-name",
                span,
                f"A {what} name cannot hold spaces; use kebab-case (`{_kebab(name)}`). "
                + ("The plugin fails to load." if what == "plugin" else "Claude Code cannot read the marketplace."),
                Severity.ERROR,
                replacement=_kebab(name),
            )
            return
        if what == "plugin" and self.kind == "plugin-manifest" and _reserved(name):
            self.add(
                "invalid-plugin-name",
                span,
                f"`{name}` is reserved: it passes as one of Anthropic's own plugins (names starting with "
                "`claude-`, `anthropic-`, `cc-plugin-`, or pairing `official` with `claude` or `anthropic`). "
                "Name the plugin for what it does.",
                Severity.ERROR,
            )
            return
        if what == "marketplace" and not _ID_PART.fullmatch(name):
            self.add(
                "invalid-plugin-name",
                span,
                f"Claude Code cannot install plugins from marketplace `{name}`: a marketplace name uses only "
                "letters, digits, `.`, `_` and `-`, and starts with a letter or digit.",
                Severity.ERROR,
            )
            return
        if not _KEBAB.fullmatch(name):
            consequence = (
                "Claude Code cannot install it from a marketplace that lists it under this name. "
                if not _ID_PART.fullmatch(name)
                else ""
            )
            self.add(
                "plugin-name-style",
                span,
                f"`{name}` is not kebab-case (lowercase letters, digits and hyphens: `{_kebab(name)}`). "
                f"{consequence}The Claude.ai marketplace sync requires kebab-case.",
                Severity.WARNING,
                replacement=_kebab(name),
            )

    # ---- component paths -----------------------------------------------------------------
    def component_paths(self, root: JsonNode) -> None:
        plugin_root = self._plugin_root()
        for field in _PATH_FIELDS:
            member = root.get(field)
            if member is None:
                continue
            for node in _path_values(member.value):
                self.component_path(field, node, plugin_root)

    def component_path(self, field: str, node: JsonNode, plugin_root: Path | None) -> None:
        text = str(node.value)
        span = node.span
        root_forms = ("./", ".")
        if ".." in Path(text).parts:
            self.add(
                "invalid-component-path",
                span,
                f"`{text}` leaves the plugin's folder: a plugin is copied on install, and nothing outside "
                "it comes along. The plugin fails to load.",
                Severity.ERROR,
            )
            return
        if not text.startswith("./") and not (field == "skills" and text == "."):
            self.add(
                "invalid-component-path",
                span,
                f"`{field}` paths are relative to the plugin's root and start with `./` "
                f"(`./{text.lstrip('./')}`). The plugin fails to load.",
                Severity.ERROR,
                replacement="./" + text.lstrip("./"),
            )
            return
        if field == "agents" and not text.endswith(".md"):
            self.add(
                "invalid-component-path",
                span,
                "`agents` lists agent files, each ending in `.md` (a folder is not read). The plugin fails to load.",
                Severity.ERROR,
            )
            return
        if plugin_root is None:
            return
        target = plugin_root / text
        if not (target.exists() or target.is_symlink()):
            consequence = (
                "Claude Code skips the missing file without a word, so none of its servers start."
                if field == "mcpServers"
                else "Claude Code reports the plugin as failing to load."
            )
            self.add(
                "missing-component-path", span, f"`{text}` does not exist in the plugin. {consequence}", Severity.ERROR
            )
            return
        if text in root_forms and field != "skills":
            return
        if target.is_dir() and field in ("skills", "commands", "outputStyles") and not _loads_something(field, target):
            wanted = "`SKILL.md` (in it or one level below)" if field == "skills" else "Markdown file"
            self.add(
                "component-path-loads-nothing",
                span,
                f"`{text}` holds no {wanted}: this path adds nothing to the plugin.",
                Severity.WARNING,
            )

    def _plugin_root(self) -> Path | None:
        if not self.context.path:
            return None
        here = Path(self.context.path).parent  # .claude-plugin/ or hooks/
        return here.parent if here.name in (".claude-plugin", "hooks") else here

    # ---- marketplace sources -------------------------------------------------------------
    def sources(self, root: JsonNode) -> None:
        plugins = root.get("plugins")
        if plugins is None or plugins.value.kind != "array":
            return
        metadata = root.get("metadata")
        plugin_root_member = metadata.value.get("pluginRoot") if metadata and metadata.value.kind == "object" else None
        plugin_root = str(plugin_root_member.value.value) if plugin_root_member else None
        market_root = self._plugin_root()
        for entry in plugins.value.items:
            source = entry.get("source") if entry.kind == "object" else None
            if source is None or source.value.kind != "string":
                continue
            node = source.value
            text = str(node.value)
            if ".." in Path(text).parts:
                self.add(
                    "invalid-plugin-source",
                    node.span,
                    f"`{text}` leaves the marketplace: sources resolve from the marketplace's root (the folder "
                    "holding `.claude-plugin/`). Claude Code cannot read the marketplace.",
                    Severity.ERROR,
                )
                continue
            if plugin_root is None and not text.startswith("./"):
                self.add(
                    "invalid-plugin-source",
                    node.span,
                    f"A path source starts with `./` (`./{text}`), or set `metadata.pluginRoot`. Claude Code "
                    "cannot read the marketplace.",
                    Severity.ERROR,
                    replacement=f"./{text}",
                )
                continue
            if market_root is not None:
                base = market_root / plugin_root if plugin_root and not text.startswith("./") else market_root
                if not (base / text).exists():
                    self.add(
                        "missing-component-path",
                        node.span,
                        f"`{text}` does not exist in the marketplace; the plugin cannot be installed.",
                        Severity.ERROR,
                    )

    # ---- MCP servers: ${VAR:-default} ----------------------------------------------------
    def _mcp_server_blocks(self, root: JsonNode) -> Iterator[JsonNode]:
        if self.kind in ("mcp", "plugin-manifest"):
            member = root.get("mcpServers")
            if member is not None and member.value.kind == "object":
                yield member.value

    def env_expansions(self, servers: JsonNode) -> None:
        text = self.doc.text
        for server in servers.members:
            if server.value.kind != "object":
                continue
            # A server whose text was found clean before is clean again (a large file has hundreds).
            raw = text[server.value.start : server.value.end] if self.doc.exact else None
            if raw is not None and raw in _CLEAN_SERVERS:
                continue
            before = len(self.findings)
            for field in ("command", "args", "env", "url", "headers"):
                member = server.value.get(field)
                if member is None:
                    continue
                for node in _strings(member.value):
                    self.env_expansion(node)
            if raw is not None and len(self.findings) == before:
                if len(_CLEAN_SERVERS) >= 4096:
                    _CLEAN_SERVERS.clear()
                _CLEAN_SERVERS.add(raw)

    def env_expansion(self, node: JsonNode) -> None:
        text = str(node.value)
        if "${" not in text:
            return
        for match in _ENV_REFERENCE.finditer(text):
            inner = match.group(1)
            closed = match.group(0).endswith("}")
            name = inner.split(":-", 1)[0]
            if closed and _ENV_NAME.fullmatch(name):
                continue
            span = self._inside_string(node, match.start(), match.end())
            if not closed:
                message = f"`{match.group(0)}` is not closed: write `${{NAME}}` or `${{NAME:-default}}`."
            elif ":" in name and not inner.startswith(name + ":-"):
                left = name.split(":", 1)[0]
                message = (
                    f"`{match.group(0)}` names the variable `{name}`, which cannot be set. A default is "
                    f"written `${{{left}:-default}}`."
                )
            else:
                message = f"`{name}` is not a variable name (letters, digits and `_`, not starting with a digit)."
            self.add(
                "invalid-env-expansion",
                span,
                message + " Claude Code reports it as a missing variable and does not start the server.",
                Severity.WARNING,
            )

    def _inside_string(self, node: JsonNode, start: int, end: int) -> Span:
        """A stretch of a string's value as a span of the text (the whole string when escapes shift it)."""
        raw = self.doc.text[node.span.start : node.span.end]
        if self.doc.exact and "\\" not in raw and raw.startswith('"'):
            return Span(node.span.start + 1 + start, node.span.start + 1 + end)
        return node.span

    # ---- hooks: matchers that do nothing -------------------------------------------------
    def _hook_blocks(self, root: JsonNode) -> Iterator[JsonNode]:
        if self.kind in ("hooks", "settings", "plugin-manifest"):
            member = root.get("hooks")
            if member is not None and member.value.kind == "object":
                yield member.value

    def matchers(self, hooks: JsonNode) -> None:
        without = set(agent_schema().defs["hookEvent"].get("x-agent-lsp", {}).get("withoutMatcher", []))
        for event in hooks.members:
            if event.key not in without or event.value.kind != "array":
                continue
            for group in event.value.items:
                matcher = group.get("matcher") if group.kind == "object" else None
                if matcher is None or matcher.value.value in ("", "*"):
                    continue
                self.add(
                    "matcher-ignored",
                    matcher.key_span,
                    f"`{event.key}` hooks take no matcher: they run on every occurrence and Claude Code "
                    "ignores `matcher`.",
                    Severity.INFORMATION,
                )


_TYPE_NAMES = {
    "string": "a string",
    "array": "an array",
    "object": "an object",
    "boolean": "`true` or `false`",
    "integer": "a whole number",
    "number": "a number",
    "null": "`null`",
}


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _head(node: JsonNode) -> Span:
    """The first character of a node (its `{` or `[`): where a finding about the whole object goes."""
    return Span(node.span.start, min(node.span.start + 1, node.span.end))


def _extra_keys(error: Any) -> list[str]:
    schema = error.schema
    props = schema.get("properties", {})
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [k for k in instance if k not in props]


def _branch_errors(error: Any) -> list[Any]:
    """The errors of the `anyOf` branch the value was meant for: the first branch that accepts the value's
    type (its own errors say what is wrong inside); when every branch refuses the type, the deepest error."""
    branches: dict[int, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0] if sub.relative_schema_path else 0, []).append(sub)
    depth = len(error.absolute_path)
    for errors in branches.values():
        if not any(_refuses_type(e, depth) for e in errors):
            return errors
    return [max(error.context, key=lambda e: (len(e.absolute_path), 0 if e.validator == "type" else 1))]


def _refuses_type(error: Any, depth: int) -> bool:
    """Whether an error only says "the value at `depth` is not of this branch's type"."""
    if error.validator == "type" and len(error.absolute_path) == depth:
        return True
    if error.validator in ("anyOf", "oneOf") and error.context:
        return all(_refuses_type(sub, depth) for sub in error.context)
    return False


def _path_values(node: JsonNode) -> list[JsonNode]:
    if node.kind == "string":
        return [node]
    if node.kind == "array":
        return [item for item in node.items if item.kind == "string"]
    return []


def _strings(node: JsonNode) -> Iterator[JsonNode]:
    if node.kind == "string":
        yield node
    elif node.kind == "array":
        yield from (i for i in node.items if i.kind == "string")
    elif node.kind == "object":
        yield from (m.value for m in node.members if m.value.kind == "string")


def _reserved(name: str) -> bool:
    lowered = name.lower()
    if lowered in _RESERVED_NAMES or lowered.startswith(_RESERVED_PREFIXES):
        return True
    words = set(re.split(r"[-_.]", lowered))
    return "official" in words and bool(words & {"claude", "anthropic"})


def _kebab(name: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name.strip())
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "my-plugin"


def _loads_something(field: str, folder: Path, limit: int = 2000) -> bool:
    """Whether a component folder holds what the field loads (a bounded look: at most `limit` entries)."""
    seen = 0
    if field == "skills":
        if (folder / "SKILL.md").is_file():
            return True
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    seen += 1
                    if seen > limit:
                        return True
                    if entry.is_dir(follow_symlinks=False) and os.path.isfile(os.path.join(entry.path, "SKILL.md")):
                        return True
        except OSError:
            return True
        return False
    for _dirpath, _dirnames, filenames in os.walk(folder):
        seen += 1 + len(filenames)
        if any(name.endswith(".md") for name in filenames) or seen > limit:
            return True
    return False

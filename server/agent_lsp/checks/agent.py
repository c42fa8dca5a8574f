"""The agent checker: every problem Claude Code would have loading one agent file, with what it does about it.

Agents are skipped whole when their frontmatter is broken, lack `name` or `description`, or hold
a name Claude Code refuses; a bad value of any other field is dropped. `skill.py` builds on this
checker for skills and commands, which load even when their frontmatter does not.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any, ClassVar

from yaml.nodes import MappingNode, Node, SequenceNode

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.rules import RULES, Severity
from agent_lsp.checks.schema_errors import describe_expectation, key_node, node_at
from agent_lsp.checks.suggest import closest, did_you_mean
from agent_lsp.project.paths import DOCUMENTATION_FILES
from agent_lsp.schema.schemas import AgentSchema
from agent_lsp.syntax import yaml12
from agent_lsp.syntax.frontmatter import Field, ParsedAgent, ParseMode, needs_fallback_quoting
from agent_lsp.syntax.text import Span
from agent_lsp.syntax.tools import ToolEntry, tool_entries

_LEGACY_PREFIX = re.compile(r".*\S:\*$")
_EXAMPLE_OPEN = re.compile(r"<example\b[^>]*>")
_RETRY_LINE = re.compile(r"^([a-zA-Z_-]+):\s+(.+)$")


def _retry_changes(key: str, value: str) -> bool:
    """Whether strict YAML rejects `key: value` on its own, or reads the value otherwise than the retry's quotes do."""
    try:
        node = yaml12.compose(f"{key}: {value}")
        data = yaml12.to_python(node) if node is not None else None
    except Exception:  # any refusal of the strict parser: this line needed the retry
        return True
    return not isinstance(data, dict) or data.get(key) != value


class AgentChecker:
    # What a broken frontmatter costs, in the words each message uses.
    LOST: ClassVar[dict[str, str]] = {
        "unclosed": "Claude Code finds no fields and skips this agent",
        "duplicate": "Claude Code uses the last one and ignores this value",
        "unparsed": "it skips the agent without telling you",
        "not_mapping": "Claude Code reads no fields from this and skips the agent",
        "empty_body": "the text after the frontmatter is this agent's whole system prompt, so it starts with no "
        "instructions of its own",
    }

    def __init__(self, parsed: ParsedAgent, context: AgentContext, schema: AgentSchema) -> None:
        self.parsed = parsed
        self.context = context
        self.schema = schema
        self.findings: list[Finding] = []
        self.lost = {k: v.format(noun=schema.noun) for k, v in self.LOST.items()}

    @property
    def skips_on_bad_hooks(self) -> bool:
        """Malformed hooks skip a project agent (verified); skills, commands and plugins are not verified."""
        return self.context.kind == "agent" and not self.context.plugin

    @property
    def softened(self) -> bool:
        """A plugin agent loads under its file name even when its frontmatter is broken."""
        return self.context.plugin and self.context.kind == "agent"

    # ---- reporting ----------------------------------------------------------
    def report(self, code: str, span: Span, message: str, severity: Severity | None = None, **data: Any) -> None:
        rule = RULES[code]
        self.findings.append(Finding(code, span, message, severity or rule.severity, {"code": code, **data}))

    def fence_span(self) -> Span:
        return self.parsed.open_span or Span(self.parsed.content_start, self.parsed.content_start)

    def line_span_from(self, offset: int) -> Span:
        """From an offset to the end of its line (at least one character when possible)."""
        index = self.parsed.index
        end = index.line_end(index.line_of(offset))
        if end <= offset:
            start = index.line_start(index.line_of(offset))
            return Span(start, end) if end > start else Span(offset, offset)
        return Span(offset, end)

    # ---- structure ----------------------------------------------------------
    def run(self) -> None:
        parsed = self.parsed
        plugin = self.softened
        mode = parsed.mode
        if mode is ParseMode.NO_FRONTMATTER:
            self.check_no_frontmatter()
            return
        if mode is ParseMode.UNCLOSED:
            self.report(
                "unclosed-frontmatter",
                self.fence_span(),
                f"The frontmatter opened here is never closed with a `---` line, so {self.lost['unclosed']}. "
                "Add a line holding only `---` after the last field.",
                Severity.WARNING if plugin else None,
            )
            return
        if mode is ParseMode.TOO_COMPLEX:
            assert parsed.syntax_error is not None
            self.report(
                "yaml-too-complex",
                self.fence_span(),
                f"The frontmatter is too large to check ({parsed.syntax_error.message}); alias-heavy "
                "YAML like this is a known way to exhaust parsers.",
            )
            return
        if mode is ParseMode.FAILED:
            self.check_failed()
            return
        if mode is ParseMode.FALLBACK:
            self.check_fallback()
        if parsed.not_a_mapping:
            assert parsed.root is not None
            self.report(
                "frontmatter-not-mapping",
                parsed.node_span(parsed.root),
                f"The frontmatter must be `key: value` lines; {self.lost['not_mapping']}.",
            )
            return
        self.check_fields()

    def check_no_frontmatter(self) -> None:
        name = PurePath(self.context.path).name.lower() if self.context.path else ""
        if name in DOCUMENTATION_FILES:
            return  # documentation kept beside agents is exactly what Claude Code ignores
        first = self.parsed.index.line_end(0)
        start = self.parsed.content_start
        span = Span(start, max(start, first))
        if self.context.plugin:
            self.report(
                "no-frontmatter",
                span,
                "No frontmatter: as a plugin agent this file loads under its file name, with no "
                "description for Claude to decide when to use it.",
                Severity.WARNING,
            )
            return
        self.report(
            "no-frontmatter",
            span,
            "No frontmatter: the file must start with a `---` line, then `name` and `description`. "
            "Claude Code treats this file as documentation and does not load it as an agent.",
        )

    def check_failed(self) -> None:
        parsed = self.parsed
        problem = parsed.syntax_error
        assert problem is not None
        # Quoting fixes some errors; where the retry fails is what really stops Claude Code.
        problem = parsed.fallback_error or problem
        where = parsed.index.line_of(problem.offset) + 1
        tab = self.indenting_tab(where - 1)
        if tab is not None:
            line = parsed.index.line_of(tab.start)
            self.report(
                "yaml-syntax",
                tab,
                f"Line {line + 1} is indented with a tab: YAML indents with spaces only, so Claude Code cannot "
                f"read this frontmatter, and {self.lost['unparsed']}. Indent with spaces.",
                Severity.WARNING if self.softened else None,
                tabLine=line,
            )
            return
        continuation = self.unindented_continuation_lines()
        hint = ""
        if parsed.rewrites == [] and "\r\n" in parsed.text[: parsed.body_start] and self.retry_would_quote():
            # Claude Code's retry never rewrites a CRLF line (agents/eol-crlf-colon-description).
            hint = (
                " The file has Windows (CRLF) line endings, and Claude Code's quoting retry, which rescues "
                "such a value in a file with LF endings, does nothing on CRLF lines: quote the value."
            )
        elif continuation:
            hint = (
                " Lines that continue a value must be indented, or the value must be a `|` block; "
                f"line {continuation[0] + 1} starts at column 1."
            )
        message = (
            f"Invalid YAML on line {where} (the parser says: {problem.message}). Claude Code cannot read this "
            f"frontmatter, even with its quoting retry, so {self.lost['unparsed']}." + hint
        )
        self.report(
            "yaml-syntax",
            self.line_span_from(problem.offset),
            message,
            Severity.WARNING if self.softened else None,
            continuationLines=continuation,
        )

    def indenting_tab(self, error_line: int) -> Span | None:
        """The tabs in the indentation of the first frontmatter line, up to the parser's error line, that
        has any (the parser often stumbles a line or more later, and without a word of tabs)."""
        parsed = self.parsed
        assert parsed.yaml_span is not None
        index = parsed.index
        first = index.line_of(parsed.yaml_span.start)
        for n in range(first, min(error_line, index.line_count - 1) + 1):
            line = index.lines[n]
            indent = len(line) - len(line.lstrip(" \t"))
            if "\t" in line[:indent] and line.strip():
                start = index.line_start(n) + line.index("\t")
                return Span(start, index.line_start(n) + indent)
        return None

    def retry_would_quote(self) -> bool:
        """Whether some top-level line is one the retry would quote, were its ending LF."""
        parsed = self.parsed
        assert parsed.yaml_span is not None
        source = parsed.text[parsed.yaml_span.start : parsed.yaml_span.end]
        for line in source.split("\n"):
            match = _RETRY_LINE.match(line.rstrip("\r"))
            if match and needs_fallback_quoting(match.group(2)):
                return True
        return False

    def unindented_continuation_lines(self) -> list[int]:
        """Frontmatter lines at column 0 that are not `key:` lines (a value's lost continuation)."""
        parsed = self.parsed
        assert parsed.yaml_span is not None
        index = parsed.index
        first = index.line_of(parsed.yaml_span.start)
        last = index.line_of(max(parsed.yaml_span.start, parsed.yaml_span.end - 1))
        found: list[int] = []
        examples = 0  # `<example>` blocks open: their `user:` and `assistant:` lines are text, not keys
        for n in range(first, last + 1):
            line = index.lines[n]
            inside = examples > 0
            examples = max(0, examples + len(_EXAMPLE_OPEN.findall(line)) - line.count("</example>"))
            if not line or line[0] in " \t#-":
                continue
            if not inside and re.match(r"^[A-Za-z_][\w-]*:(\s|$)", line):
                continue
            found.append(n)
        return found

    def check_fallback(self) -> None:
        # The retry quotes every line that holds `: ` or a YAML symbol, whether strict YAML minded or
        # not: only the lines strict YAML rejects, or reads differently, are to blame (`tools: Bash(npm *)`
        # beside the real culprit `args: [a] [b]` is read the same either way).
        rewrites = [r for r in self.parsed.rewrites if _retry_changes(r.key, r.value)] or self.parsed.rewrites
        for rewrite in rewrites:
            self.report(
                "yaml-fallback",
                rewrite.value_span,
                f"Strict YAML rejects this `{rewrite.key}` value (it holds `: ` or a YAML symbol). Claude "
                f"Code still loads the {self.schema.noun} by quoting the value itself, but other YAML tools, GitHub's "
                "preview and other agent runners reject the file. Quote the value.",
                line=rewrite.line,
                key=rewrite.key,
                quoted=rewrite.quoted,
            )

    def report_duplicate(self, dup: Field) -> None:
        """`dup` is an earlier occurrence of a repeated key: the later one wins (agents/dup-*)."""
        last = self.parsed.fields.get(dup.key)
        where = f" (set again on line {self.parsed.index.line_of(last.key_span.start) + 1})" if last else ""
        self.report(
            "duplicate-key",
            dup.key_span,
            f"`{dup.key}` is set twice{where}: {self.lost['duplicate']}. Strict YAML tools reject repeated "
            "keys; keep one.",
            key=dup.key,
        )

    # ---- fields -------------------------------------------------------------
    def check_fields(self) -> None:
        fields = self.parsed.fields
        for dup in self.parsed.duplicates:
            self.report_duplicate(dup)
        self.check_name(fields.get("name"))
        self.check_description(fields.get("description"), has_name="name" in fields)
        for key, item in fields.items():
            if key in ("name", "description"):
                continue
            self.check_field_once(item)
        self.check_empty_body()

    def check_field(self, item: Field) -> None:
        """The checks of one field that read nothing but the field, the context and `permissionMode`."""
        key = item.key
        if key not in self.schema.properties:
            self.check_unknown_key(item)
            return
        if self.context.plugin and key in self.schema.meta.get("pluginIgnoredFields", []):
            self.report(
                "plugin-ignored-field",
                item.key_span,
                f"Plugin agents ignore `{key}` for security reasons. Copy the agent into "
                "`.claude/agents/` if it needs this field.",
                key=key,
            )
            return
        if key in ("tools", "disallowedTools"):
            self.check_tools(item)
        elif key == "model":
            self.check_model(item)
        elif key == "hooks":
            self.check_hooks(item)
        elif key == "mcpServers":
            self.check_mcp_servers(item)
        else:
            self.check_by_schema(item)

    def check_field_once(self, item: Field) -> None:
        """`check_field`, its findings remembered with the field's block while the block is unchanged.

        An edit re-checks every field, though it changed one: a long `tools` list or `hooks`
        block costs most of an edit's work. A field read from a block that an earlier version
        had too (see `parse._read_blocks`) replays what was found then, positions moved to
        where the block stands now. The key holds all that `check_field` reads besides the
        block: the checker (agent or skill), the context and `permissionMode` (tools depend on it).
        """
        store = self.parsed.block_memo(item.node)
        if store is None:
            self.check_field(item)
            return
        memo, origin = store
        mode = self.parsed.data.get("permissionMode") if self.parsed.data else None
        key = (type(self), self.context, repr(mode))
        found = memo.get(key)
        if found is None:
            first = len(self.findings)
            self.check_field(item)
            memo[key] = [
                (f.code, f.span.start - origin, f.span.end - origin, f.message, f.severity, dict(f.data))
                for f in self.findings[first:]
            ]
            return
        for code, start, end, message, severity, data in found:
            self.findings.append(Finding(code, Span(origin + start, origin + end), message, severity, dict(data)))

    def check_empty_body(self) -> None:
        """The body is the system prompt (or the skill's instructions); report it when there is none."""
        if not self.parsed.body_is_blank:
            return
        index = self.parsed.index
        close = self.parsed.close_span or self.fence_span()
        self.report(
            "empty-body",
            Span(close.start, index.line_end(index.line_of(close.start))),
            f"The body is empty: {self.lost['empty_body']}.",
        )

    def check_name(self, item: Field | None) -> None:
        plugin = self.context.plugin
        if item is None or not isinstance(item.value, str) or not item.value.strip():
            what = "no `name`" if item is None or item.value is None else "a `name` that is not text"
            consequence = (
                "it loads under its file name"
                if plugin
                else "Claude Code treats the file as documentation and does not load the agent"
            )
            self.report(
                "missing-name",
                self.fence_span() if item is None else item.value_span,
                f"This frontmatter has {what}: {consequence}. Add `name: {self.suggested_name()}`.",
                Severity.INFORMATION if plugin else None,
                suggestedName=self.suggested_name(),
            )
            return
        name = item.value
        if name.startswith("-") or ":" in name:
            fixed = self.normalise_name(name)
            self.report(
                "invalid-name",
                item.value_span,
                f"A `name` may not start with `-` or contain `:` (reserved for plugin-scoped names). "
                f"Claude Code skips this agent and only says so in its debug log. Try `{fixed}`.",
                replacement=fixed,
            )
            return
        self.check_name_style(item, name)
        stem = self.context.file_stem
        if stem and stem != name and not self.context.plugin:
            self.report(
                "name-file-mismatch",
                item.value_span,
                f"The agent is called `{name}` but its file is `{stem}.md`; Claude Code goes by `name`, "
                "so matching them keeps the agent easy to find.",
                fileStem=stem,
            )

    def check_name_style(self, item: Field, name: str) -> None:
        style = self.schema.ext("name").get("styleRegex")
        if style and not re.fullmatch(style, name):
            fixed = self.normalise_name(name)
            self.report(
                "name-style",
                item.value_span,
                f"{self.schema.noun.capitalize()} names are lowercase words joined by hyphens; `{fixed}` would "
                "follow the convention.",
                replacement=fixed,
            )

    def suggested_name(self) -> str:
        return self.normalise_name(self.context.file_stem or "my-agent") or "my-agent"

    @staticmethod
    def normalise_name(name: str) -> str:
        spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name)
        return re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-")

    def check_description(self, item: Field | None, has_name: bool) -> None:
        # Only a missing, non-text or empty description skips the agent: blanks alone, or `"\n"`, load
        # (agents/structure-description-spaces-quoted, agents/structure-description-backslash-n).
        if item is not None and isinstance(item.value, str) and item.value != "":
            return
        what = "no `description`" if item is None or item.value is None else "a non-text `description`"
        if item is not None and isinstance(item.value, str):
            what = "an empty `description`"
        # The plugin exception in the docs covers a missing `name` or unparseable YAML only; a plugin
        # agent with a name and no description is skipped like any other.
        self.report(
            "missing-description",
            self.fence_span() if item is None else item.value_span,
            f"This agent has {what}: Claude Code skips it (the reason appears only in its debug log). "
            "Say what the agent does and when to use it.",
        )

    def check_unknown_key(self, item: Field) -> None:
        # The other kinds' names for a field (`tools` in a command is `allowed-tools`) come first.
        suggestion = self.schema.meta.get("keyAliases", {}).get(item.key) or closest(
            item.key, self.schema.field_names, cutoff=0.75
        )
        hint = did_you_mean(suggestion)
        self.report(
            "unknown-key",
            item.key_span,
            f"Claude Code does not know the key `{item.key}` and ignores it.{hint}",
            key=item.key,
            replacement=suggestion,
        )

    # ---- values -------------------------------------------------------------
    def check_by_schema(self, item: Field) -> None:
        errors = self.schema.errors(item.key, item.value)
        if not errors:
            return
        ext = self.schema.ext(item.key)
        code = ext.get("invalidCode", "unknown-key")
        values = self.schema.enum_values(item.key)
        shown = self.source_text(item)
        suggestion = closest(str(item.value), values) if values and item.value is not None else None
        if item.key == "background" and isinstance(item.value, str):
            suggestion = {"yes": "true", "on": "true", "y": "true", "no": "false", "off": "false", "n": "false"}.get(
                item.value.lower(), suggestion
            )
        if ext.get("expected"):
            expected = f"expected {ext['expected']}"
        elif values:
            allowed = ", ".join(f"`{v}`" for v in values)
            expected = f"expected one of {allowed}"
        else:
            expected = describe_expectation(errors[0])
        hint = did_you_mean(suggestion)
        extra = ""
        if item.key == "background" and isinstance(item.value, str):
            extra = " In YAML 1.2, which Claude Code reads, only `true` and `false` are booleans."
        self.report(
            code,
            item.value_span,
            f"`{item.key}: {shown}` is not valid ({expected}), so Claude Code drops the field.{extra}{hint}",
            key=item.key,
            replacement=suggestion,
        )

    def check_model(self, item: Field) -> None:
        value = item.value
        if self.schema.validator("model").is_valid(value):
            return
        aliases = self.schema.enum_values("model")
        suggestion = closest(str(value), aliases) if value is not None else None
        hint = did_you_mean(suggestion)
        if isinstance(value, str) and value.strip():
            # Claude Code sends any other text to the API as the model id, as written (agents/model-gpt-4):
            # nothing is dropped, but the Anthropic API answers an unknown id with an error.
            self.report(
                "unknown-model",
                item.value_span,
                f"`{self.show(value)}` is not a model alias ({', '.join(aliases)}) or a `claude-` model id. "
                f"Claude Code sends it to the API as written: the Anthropic API rejects it when the "
                f"{self.schema.noun} runs; only a gateway set with `ANTHROPIC_BASE_URL` may accept it.{hint}",
                Severity.INFORMATION,
                key="model",
                replacement=suggestion,
            )
            return
        if value is None or value == "":
            # Claude Code 2.1.328 runs it on the main conversation's model, as with `inherit` or no `model`
            # (agents/model-empty, agents/model-empty-quotes): nothing is lost, so no warning.
            self.report(
                "unknown-model",
                item.value_span if item.value_span.end > item.value_span.start else item.key_span,
                f"`model` is empty: Claude Code runs the {self.schema.noun} on the main conversation's model, as "
                f"with `model: inherit` or no `model` line. Write an alias ({', '.join(aliases)}) or a model id "
                "to choose one, or remove the line.",
                Severity.INFORMATION,
                key="model",
            )
            return
        # Not text: Claude Code drops it and the subagent runs on the session's model (agents/model-123).
        self.report(
            "unknown-model",
            item.value_span,
            f"`model: {self.source_text(item)}` is not a model name, so Claude Code drops the field and the "
            f"{self.schema.noun} runs on the session's model. Write an alias ({', '.join(aliases)}) or a model id.",
            key="model",
            replacement=suggestion,
        )

    def check_mcp_servers(self, item: Field) -> None:
        node = item.node
        if not isinstance(node, SequenceNode):
            if isinstance(item.value, dict):
                message = (
                    "`mcpServers` must be a list: write each server as a list item (`- name:` with its "
                    "settings indented below). Claude Code drops this field."
                )
            else:
                message = "`mcpServers` must be a list of server names or inline server definitions."
            self.report("invalid-mcp-server", item.value_span, message, key="mcpServers")
            return
        for position, child in enumerate(node.value):
            value = item.value[position]
            typeless = _url_without_type(value)
            if typeless is not None and isinstance(child, MappingNode) and child.value:
                # Claude Code drops this item and keeps the agent (the pinned binary's log: "has invalid
                # mcpServers item"; tests/conformance/instructions_truth.json, `mcp-url-without-type`).
                self.report(
                    "invalid-mcp-server",
                    self.parsed.node_span(child.value[0][0]),
                    f"`{typeless}` has a `url` but no `type` (`http`, `sse` or `ws`); Claude Code skips this "
                    "server (the agent still loads).",
                    key="mcpServers",
                )
                continue
            errors = self.schema.errors("mcpServers", [value])
            if not errors:
                continue
            error = min(errors, key=lambda e: -len(e.absolute_path))
            target = node_at(child, list(error.absolute_path)[1:]) or child
            self.report(
                "invalid-mcp-server",
                self.parsed.node_span(target),
                "This `mcpServers` entry is neither a configured server's name nor a valid inline "
                f"definition ({describe_expectation(error)}); Claude Code drops it.",
                key="mcpServers",
            )

    def check_hooks(self, item: Field) -> None:
        errors = self.schema.errors("hooks", item.value)
        if not errors:
            return
        events = list(self.schema.hook_events)
        if item.value is None:
            self.report(
                "invalid-hooks",
                item.value_span,
                "`hooks` has no value, so it does nothing. Remove it or add events below it.",
                key="hooks",
            )
            return
        # Report the most specific problems; one is enough per location.
        seen: set[tuple[int, int]] = set()
        for error in sorted(errors, key=lambda e: -len(e.absolute_path)):
            path = list(error.absolute_path)
            target: Node | None
            replacement = None
            hint = ""
            # jsonschema reports a bad key under `propertyNames` as the sub-schema's own
            # failure (`enum`), with the key as the instance and an empty path.
            # Claude Code 2.1.328 skips the whole agent when its hooks do not have the expected shape
            # (agents/hooks-handler-bad-type, hooks-event-not-list, ...); an unknown event name or an
            # unknown key in a group or handler still loads (agents/hooks-event-Bogus).
            lenient = "propertyNames" in error.relative_schema_path or error.validator == "additionalProperties"
            if "propertyNames" in error.relative_schema_path:
                bad = error.instance
                target = key_node(item.node, bad)
                replacement = closest(str(bad), events)
                hint = did_you_mean(replacement)
                detail = f"`{bad}` is not a hook event"
            else:
                target = node_at(item.node, path)
                detail = describe_expectation(error)
            span = self.parsed.node_span(target) if target is not None else item.key_span
            if (span.start, span.end) in seen:
                continue
            seen.add((span.start, span.end))
            if lenient:
                consequence = f"Claude Code ignores it, so these hooks will not run as written.{hint}"
            elif self.skips_on_bad_hooks:
                consequence = (
                    f"Claude Code cannot read hooks of this shape and skips the whole {self.schema.noun} "
                    "(it says so only in its debug log)."
                )
            else:
                consequence = (
                    f"Claude Code drops the whole `hooks` field when any part of it is malformed, so none of "
                    f"this {self.schema.noun}'s hooks will run."
                )
            self.report(
                "invalid-hooks",
                span,
                f"{detail[0].upper()}{detail[1:]}. {consequence}",
                Severity.ERROR if not lenient and self.skips_on_bad_hooks else Severity.WARNING,
                key="hooks",
                replacement=replacement,
            )

    def check_tools(self, item: Field) -> None:
        entries = tool_entries(self.parsed, item.node)
        if entries is None:
            self.report(
                "invalid-tools",
                item.value_span,
                f"`{item.key}` must be a comma-separated string or a list of tool names; Claude Code "
                "cannot use this value.",
                key=item.key,
            )
            return
        allow = item.key == "tools"
        if allow and not entries:
            self.report(
                "empty-tools",
                item.value_span,
                "`tools` is empty, so the agent launches with no tools at all. Remove the field to give it "
                "every tool available to subagents, or list the ones it needs.",
            )
            return
        resolving = 0
        foreground_only = 0
        for entry in entries:
            status = self.check_tool_entry(entry, allow)
            if status == "ok":
                resolving += 1
            elif status == "foreground":
                foreground_only += 1
        if allow:
            self.check_search_beside_bash(entries)
            if resolving and self.every_tool_denied(entries):
                self.report(
                    "empty-tools",
                    item.value_span,
                    "`disallowedTools` removes every tool listed here, so Claude Code launches the agent with no "
                    "tools at all (and does not refuse it). Remove the overlap.",
                )
                return
        if not allow or resolving:
            return
        if foreground_only:
            self.report(
                "no-tools-resolve",
                item.value_span,
                "Only foreground tools are listed: whenever this subagent runs in the background (Claude "
                "starts it there, or `background: true`), these tools are removed, and Claude Code then refuses "
                "to launch it with zero tools.",
                Severity.WARNING,
            )
            return
        self.report(
            "no-tools-resolve",
            item.value_span,
            "No entry in `tools` names a tool a subagent can use, so Claude Code refuses to launch this "
            'agent ("would be spawned with zero tools"). Fix the entries or remove `tools` to inherit '
            "every tool.",
        )

    def every_tool_denied(self, entries: list[ToolEntry]) -> bool:
        """Whether `disallowedTools` names every tool of `tools` (agents/tools-combo-disallowed-all-listed)."""
        denied = self.parsed.fields.get("disallowedTools")
        denied_entries = tool_entries(self.parsed, denied.node) if denied is not None else None
        if not denied_entries:
            return False
        names = {e.name for e in denied_entries if e.specifier is None}
        return all(e.name in names for e in entries if not e.is_mcp)

    def check_search_beside_bash(self, entries: list[ToolEntry]) -> None:
        """Claude Code drops `Grep` and `Glob` from an agent whose `tools` also grant `Bash`
        (agents/tools-combo-search-with-bash, agents/tools-combo-grep-with-bash-rule)."""
        dropped = self.schema.tools_dropped_beside_bash
        if not dropped or not any(e.name == "Bash" and e.is_well_formed() for e in entries):
            return
        denied = self.parsed.fields.get("disallowedTools")
        denied_entries = tool_entries(self.parsed, denied.node) if denied is not None else None
        if denied_entries and any(e.name == "Bash" for e in denied_entries):
            return  # Bash denied: Grep and Glob stay (agents/tools-combo-tools-and-disallowed)
        for entry in entries:
            if entry.name in dropped:
                self.report(
                    "tool-unavailable",
                    Span(entry.span.start, entry.span.start + len(entry.name)),
                    f"Claude Code drops `{entry.name}` from an agent that also has `Bash`: the agent searches "
                    "through Bash instead, so this entry has no effect.",
                )

    def check_tool_entry(self, entry: ToolEntry, allow: bool, field_name: str | None = None) -> str:
        """Report problems with one entry; say whether it resolves to a tool."""
        field_name = field_name or ("tools" if allow else "disallowedTools")
        if entry.is_mcp:
            if entry.text == "mcp__*":
                if allow:
                    self.report(
                        "mcp-wildcard-in-tools",
                        entry.span,
                        "`mcp__*` works only in `disallowedTools`; in `tools` Claude Code does not match it "
                        "to anything. Name the servers instead (`mcp__github`).",
                    )
                    return "bad"
                return "ok"
            if not entry.is_well_formed():
                self.report(
                    "invalid-tool-rule",
                    entry.span,
                    f"`{entry.text}` is not a valid MCP tool pattern (`mcp__server`, `mcp__server__tool` or "
                    "`mcp__server__*`); the entry is dropped.",
                )
                return "bad"
            return "ok"
        if allow and entry.text == "*":
            return "ok"  # every tool, as with no `tools` (agents/tools-star)
        if not entry.is_well_formed() and not entry.text.replace(" ", "").endswith("()"):
            # Empty parentheses name the bare tool (agents/tools-bash: `Bash()` gives Bash).
            if "(" not in entry.text and ")" not in entry.text:
                # `chrome-mcp`, `context-manager`: a name, but no tool's (those are letters and digits).
                self.report(
                    "invalid-tool-rule",
                    entry.span,
                    f"`{entry.text}` is not a tool: tool names are letters and digits (`Read`, `WebFetch`), MCP "
                    f"tools start with `mcp__`, and a subagent is granted as `Agent({entry.text})`. Claude Code "
                    "drops the entry.",
                    bareName=entry.text,
                )
                return "bad"
            self.report(
                "invalid-tool-rule",
                entry.span,
                f"`{entry.text}` is not a tool name or a rule like `Bash(npm test *)`: the parentheses are "
                "unbalanced. Claude Code drops the entry.",
            )
            return "bad"
        name = entry.name
        schema = self.schema
        if name in schema.alias_tools:
            successor = schema.alias_tools[name]
            self.report(
                "renamed-tool",
                Span(entry.span.start, entry.span.start + len(name)),
                f"`{name}` is the old name of `{successor}`; Claude Code still accepts it.",
                replacement=successor,
            )
            return "ok"
        if name in schema.retired_tools:
            successor = schema.retired_tools[name]
            self.report(
                "retired-tool",
                Span(entry.span.start, entry.span.start + len(name)),
                f"`{name}` is no longer a Claude Code tool, so this entry is dropped. Use `{successor}` instead.",
                replacement=successor,
            )
            return "bad"
        if name not in schema.builtin_tools:
            suggestion = closest(name, list(schema.builtin_tools), cutoff=0.7)
            hint = did_you_mean(suggestion)
            extra: dict[str, Any] = {"bareName": name} if entry.specifier is None else {}
            self.report(
                "unknown-tool",
                Span(entry.span.start, entry.span.start + len(name)),
                f"`{name}` is not a Claude Code tool, so this `{field_name}` entry is dropped.{hint}",
                replacement=suggestion,
                **extra,
            )
            return "bad"
        spec = entry.specifier
        if spec is not None and _LEGACY_PREFIX.fullmatch(spec):
            modern = spec[:-2] + " *"
            self.report(
                "legacy-tool-rule",
                entry.span,
                f"`{name}({spec})` uses the older `:*` prefix form; `{name}({modern})` means the same and "
                "is the form Claude Code writes itself.",
                replacement=f"{name}({modern})",
            )
        if not allow:
            return "ok"
        mode = self.parsed.data.get("permissionMode") if self.parsed.data else None
        if name in schema.tools_removed_for_subagents and not (name in schema.tools_kept_when_plan and mode == "plan"):
            self.report(
                "tool-unavailable",
                Span(entry.span.start, entry.span.start + len(name)),
                f"Claude Code removes `{name}` from every subagent, so this entry has no effect.",
            )
            return "bad"
        if name not in schema.tools_kept_in_background:
            self.report(
                "foreground-only-tool",
                Span(entry.span.start, entry.span.start + len(name)),
                f"`{name}` is available only when the subagent runs in the foreground; when it runs in the "
                "background (Claude starts it there, or `background: true`) Claude Code removes it.",
            )
            return "foreground"
        return "ok"

    def source_text(self, item: Field) -> str:
        """The value as the user wrote it (quotes included), shortened for a message."""
        text = self.parsed.text[item.value_span.start : item.value_span.end].strip()
        if item.value_span == item.key_span or not text:
            return "(empty)"
        text = " ".join(text.split())
        return text if len(text) <= 40 else text[:37] + "..."

    @staticmethod
    def show(value: Any) -> str:
        if value is None:
            return "(empty)"
        if isinstance(value, bool):
            return "true" if value else "false"
        text = str(value)
        return text if len(text) <= 40 else text[:37] + "..."


def effective_tools(parsed: ParsedAgent, schema: AgentSchema, context: AgentContext | None = None) -> list[str]:
    """The built-in tools Claude Code gives this agent as a subagent, in the schema's order (MCP tools aside).

    The same resolution the checks report, from the same rules: each `tools` entry goes through
    `check_tool_entry` (an entry it reports as dropped gives nothing, an old name gives its successor), no
    `tools` (or `*`) inherits every tool a background subagent keeps, `disallowedTools` removes a tool by name
    (recorded: `Bash(rm *)` there removes Bash), and a listed `Bash` that stays takes `Grep` and `Glob` away
    (`check_search_beside_bash`). Findings made on the way are discarded: this answers "which tools", not "what
    is wrong".
    """
    checker = AgentChecker(parsed, context or AgentContext(), schema)
    data = parsed.data if isinstance(parsed.data, dict) else {}
    mode = data.get("permissionMode")
    inherited = [
        name
        for name in schema.builtin_tools
        if name in schema.tools_kept_in_background
        and (name not in schema.tools_removed_for_subagents or (name in schema.tools_kept_when_plan and mode == "plan"))
    ]
    granted: list[str]
    listed = parsed.fields.get("tools")
    entries = tool_entries(parsed, listed.node) if listed is not None else None
    if listed is None or (entries is not None and any(e.text == "*" for e in entries)):
        # The inherited set holds Bash, so Grep and Glob are gone before `disallowedTools` applies (recorded:
        # denying Bash there does not bring them back).
        granted = [name for name in inherited if name not in schema.tools_dropped_beside_bash]
    elif entries is None:
        granted = []  # a value Claude Code cannot use (`invalid-tools`)
    else:
        names: set[str] = set()
        for entry in entries:
            if entry.is_mcp or checker.check_tool_entry(entry, allow=True) != "ok":
                continue
            names.add(schema.alias_tools.get(entry.name, entry.name))
        granted = [name for name in schema.builtin_tools if name in names]
    denied_field = parsed.fields.get("disallowedTools")
    denied = tool_entries(parsed, denied_field.node) if denied_field is not None else None
    if denied:
        gone = {
            schema.alias_tools.get(e.name, e.name)
            for e in denied
            if not e.is_mcp and (e.is_well_formed() or e.text.replace(" ", "").endswith("()"))
        }
        granted = [name for name in granted if name not in gone]
    if "Bash" in granted:
        granted = [name for name in granted if name not in schema.tools_dropped_beside_bash]
    return granted


def _url_without_type(value: Any) -> str | None:
    """The server's name when `value` is an inline `mcpServers` item with a `url` and no `type`."""
    if isinstance(value, dict) and len(value) == 1:
        ((name, config),) = value.items()
        if isinstance(config, dict) and "url" in config and "type" not in config and "command" not in config:
            return str(name)
    return None

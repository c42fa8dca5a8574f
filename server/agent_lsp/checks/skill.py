"""The skill and command checker: the agent checker's machinery with their own schema and consequences."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, ClassVar

from yaml.nodes import SequenceNode

from agent_lsp.checks.agent import AgentChecker
from agent_lsp.checks.rules import Severity
from agent_lsp.checks.schema_errors import describe_expectation
from agent_lsp.checks.suggest import closest, did_you_mean
from agent_lsp.syntax.frontmatter import Field
from agent_lsp.syntax.text import Span
from agent_lsp.syntax.tools import tool_entries

_TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
_FALSE_WORDS = frozenset({"false", "no", "off", "0"})


def flag_value(value: Any) -> bool | None:
    """How Claude Code reads a skill's true/false field (`yes`, `on`, `1` ... in any case), or None."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, (str, int)) else ""
    return True if word in _TRUE_WORDS else False if word in _FALSE_WORDS else None


class SkillChecker(AgentChecker):
    """Skills (`SKILL.md`) and custom commands: every field optional, broken frontmatter loads with no fields.

    The docs say a skill whose YAML is malformed still loads, "with empty metadata";
    they say nothing on commands, whose frontmatter skills.md calls the same, so
    commands are read the same way. Claude Code's quoting retry is not documented
    for any kind; the same reader serves all three, so it is assumed here too.
    """

    LOST: ClassVar[dict[str, str]] = {
        "unclosed": "Claude Code reads no fields: the whole file, these lines included, becomes the {noun}'s content",
        "duplicate": "Claude Code uses the last one and ignores this value",
        "unparsed": "it loads the {noun} with empty metadata: no `description` for Claude, and none of the other "
        "fields apply",
        "not_mapping": "Claude Code reads no fields from this, so none of them apply",
        "empty_body": "the body is what Claude receives when the {noun} runs, so it gives Claude no instructions",
    }

    def check_no_frontmatter(self) -> None:
        if self.context.kind != "skill":
            return  # a command with no frontmatter is the documented simplest form
        first = self.parsed.index.line_end(0)
        start = self.parsed.content_start
        self.report(
            "missing-description",
            Span(start, max(start, first)),
            "No frontmatter, so no `description`: Claude Code uses the first paragraph of the body to decide "
            "when Claude should run this skill. Start the file with a `---` block holding a `description` that "
            "says what the skill does and when to use it.",
            Severity.INFORMATION,
            noFrontmatter=True,
        )

    def check_fields(self) -> None:
        fields = self.parsed.fields
        for dup in self.parsed.duplicates:
            self.report_duplicate(dup)
        self.check_description(fields.get("description"), has_name="name" in fields)
        for key, item in fields.items():
            if key != "description" or key not in self.schema.properties:
                self.check_field_once(item)
        self.check_fork_only(fields)
        self.check_invocable(fields)
        self.check_listing_length(fields)
        self.check_empty_body()

    def check_field(self, item: Field) -> None:
        key = item.key
        if key not in self.schema.properties:
            if key in self.schema.ignored_fields:
                self.report(
                    "ignored-field",
                    item.key_span,
                    self.schema.ignored_field_reason(key, self.context.path),
                    key=key,
                )
            else:
                self.check_unknown_key(item)
            return
        if key == "name":
            self.check_name(item)  # reads the context's path too, which is part of the memo's key
        elif self.schema.tool_list_kind(key):
            self.check_tools(item)
        elif key == "model":
            self.check_model(item)
        elif key == "hooks":
            self.check_hooks(item)
        else:
            self.check_by_schema(item)

    def check_name(self, item: Field | None) -> None:
        if item is None:
            return  # optional: the folder name is used
        if not isinstance(item.value, str) or not item.value.strip():
            self.check_by_schema(item)
            return
        name = item.value
        if self.context.kind == "skill" and any(ch.isspace() for ch in name.strip()):
            # Claude Code 2.1.328 lists a skill named `my probe` under its folder name alone (skills/name-space),
            # while `Probe` and `123` are shown as written.
            self.report(
                "invalid-value",
                item.value_span,
                f"`name: {name}` holds a space, so Claude Code does not use it: the skill is listed under its "
                f"folder name. Write `{self.normalise_name(name)}`.",
                key="name",
                replacement=self.normalise_name(name),
            )
            return
        self.check_name_style(item, name)
        folder = self.context.folder_name
        if (
            folder
            and folder != name
            and not self.context.plugin
            and PurePath(self.context.path or "").name == "SKILL.md"
        ):
            self.report(
                "name-file-mismatch",
                item.value_span,
                f"The skill is listed as `{name}` but you run it as `/{folder}`: in `.claude/skills/` the command "
                "comes from the folder name, and `name` only sets the label. Matching them avoids the confusion.",
                fileStem=folder,
            )

    def check_description(self, item: Field | None, has_name: bool) -> None:
        if item is not None and isinstance(item.value, str) and item.value.strip():
            return
        if item is not None and item.value is not None and not isinstance(item.value, str):
            self.check_by_schema(item)
            return
        source = "first paragraph" if self.context.kind == "skill" else "first line"
        what = "no `description`" if item is None or item.value is None else "an empty `description`"
        self.report(
            "missing-description",
            self.fence_span() if item is None else item.value_span,
            f"This {self.schema.noun} has {what}: Claude Code falls back to the {source} of the body, which rarely "
            f"says when Claude should run it. Say what the {self.schema.noun} does and when to use it.",
            Severity.INFORMATION,
        )

    def check_tools(self, item: Field) -> None:
        entries = tool_entries(self.parsed, item.node)
        if entries is None:
            self.report(
                "invalid-tools",
                item.value_span,
                f"`{item.key}` must be a space- or comma-separated string or a list of tool names; Claude Code "
                "cannot use this value.",
                key=item.key,
            )
            return
        for entry in entries:
            self.check_tool_entry(entry, False, item.key)

    def check_by_schema(self, item: Field) -> None:
        errors = self.schema.errors(item.key, item.value)
        if not errors:
            return
        ext = self.schema.ext(item.key)
        code = ext.get("invalidCode", "invalid-value")
        prop = self.schema.field(item.key)
        shown = self.show(item.value)
        values = [] if ext.get("openEnum") else self.schema.enum_values(item.key)
        if isinstance(item.node, SequenceNode) and item.node.flow_style and prop.get("type") == "string":
            # `argument-hint: [issue]`: YAML reads a bracketed value as a list.
            source = self.parsed.text[item.value_span.start : item.value_span.end]
            quoted = "'" + source.replace("'", "''") + "'"
            self.report(
                code,
                item.value_span,
                f"Unquoted, `{source}` is a YAML list, not text, so `{item.key}` does not hold what you wrote "
                f"and Claude Code cannot use it. Quote it: `{quoted}`.",
                key=item.key,
                replacement=quoted,
            )
            return
        if ext.get("enumValues") == ["true", "false"]:
            default = AgentChecker.show(prop.get("default"))
            suggestion = closest(str(item.value), ["true", "false"]) if item.value is not None else None
            hint = did_you_mean(suggestion)
            self.report(
                code,
                item.value_span,
                f"`{item.key}: {shown}` is not true or false (Claude Code reads `true`/`false`, `yes`/`no`, "
                f"`on`/`off` and `1`/`0`), so the default, `{default}`, applies.{hint}",
                key=item.key,
                replacement=suggestion,
            )
            return
        suggestion = closest(str(item.value), values) if values and item.value is not None else None
        if values:
            expected = "expected one of " + ", ".join(f"`{v}`" for v in values)
        else:
            expected = describe_expectation(errors[0])
        hint = did_you_mean(suggestion)
        if item.key == "metadata":
            consequence = "Claude Code drops a `metadata` value that is not a mapping"
        else:
            consequence = "Claude Code cannot use it, so the field has no effect"
        self.report(
            code,
            item.value_span,
            f"`{item.key}: {shown}` is not valid ({expected}); {consequence}.{hint}",
            key=item.key,
            replacement=suggestion,
        )

    def check_fork_only(self, fields: dict[str, Field]) -> None:
        data = self.parsed.data or {}
        for key, item in fields.items():
            needs = self.schema.ext(key).get("needs") if key in self.schema.properties else None
            if not isinstance(needs, dict):
                continue
            missing = {k: v for k, v in needs.items() if data.get(k) != v}
            if not missing:
                continue
            setting = ", ".join(f"`{k}: {v}`" for k, v in missing.items())
            self.report(
                "fork-only-field",
                item.key_span,
                f"`{key}` applies only with {setting}; without it the {self.schema.noun} runs inline in your "
                f"conversation and Claude Code ignores `{key}`.",
                key=key,
                needs=missing,
            )

    def check_invocable(self, fields: dict[str, Field]) -> None:
        model_off = fields.get("disable-model-invocation")
        user_off = fields.get("user-invocable")
        if model_off is None or user_off is None:
            return
        if flag_value(model_off.value) is True and flag_value(user_off.value) is False:
            self.report(
                "never-invoked",
                user_off.value_span,
                f"With `disable-model-invocation: true` and `user-invocable: false`, nobody can run this "
                f"{self.schema.noun}: Claude may not invoke it and Claude Code hides it from the `/` menu. Drop one of "
                "the two.",
            )

    def check_listing_length(self, fields: dict[str, Field]) -> None:
        description = fields.get("description")
        if description is None or not isinstance(description.value, str):
            return
        limit = int(self.schema.ext("description").get("listingLimit", 0) or 0)
        extra = fields.get("when_to_use")
        total = len(description.value) + (len(extra.value) if extra and isinstance(extra.value, str) else 0)
        if not limit or total <= limit:
            return
        both = "`description` and `when_to_use` together are" if extra else "`description` is"
        self.report(
            "description-too-long",
            description.value_span,
            f"{both} {total:,} characters; the listing Claude reads cuts them at {limit:,}, so the rest cannot "
            f"help Claude decide to run this {self.schema.noun}. Put the main use case first and trim.",
            length=total,
            limit=limit,
        )

"""What Claude Code builds from one file: the effective definition behind the CodeLens and `agent-lsp explain`.

Read from the checks' findings rather than re-deciding anything: an error that skips the file, a warning
on a field or a tool entry that Claude Code drops, the model alias table (schema/models.py). The harness
(tests/conformance) recorded what the pinned Claude Code spawned for each case; the tests hold this view to
those records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.rules import RULES, Severity
from agent_lsp.schema.models import MAIN_MODEL_ID, resolve_model_id
from agent_lsp.schema.schemas import schema_for
from agent_lsp.syntax.frontmatter import Field, ParsedAgent
from agent_lsp.syntax.tools import ToolEntry, tool_entries

# Errors after which Claude Code does not load the file at all (an agent) or reads none of its fields.
SKIP_CODES = frozenset(
    {
        "no-frontmatter",
        "unclosed-frontmatter",
        "yaml-syntax",
        "yaml-too-complex",
        "frontmatter-not-mapping",
        "missing-name",
        "invalid-name",
        "missing-description",
        "unreadable-file",
        "invalid-hooks",
    }
)
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_LEVELS = ("low", "medium", "high", "xhigh", "max")
_NOT_DROPPED = frozenset({"yaml-fallback", "never-invoked", "description-too-long"})
# `memory` turns on the file tools the agent needs to keep its notes (combo-full-valid: `Edit` joins `tools`).
_MEMORY_TOOLS = ("Read", "Write", "Edit")
_DEFAULT_EFFORT = "the model's default (medium on claude-opus-5-5; it differs by model)"


@dataclass(frozen=True, slots=True)
class Ignored:
    """Something written in the file that Claude Code does not apply as written, and why."""

    line: int  # 0-based
    what: str  # the key or tool entry
    why: str


@dataclass(slots=True)
class EffectiveAgent:
    kind: str  # agent, skill or command
    outcome: str  # loads, skipped, refused
    reason: str | None = None  # why it is skipped or refused
    name: str | None = None
    model: str = MAIN_MODEL_ID  # the id the API receives
    model_how: str = "the session's model"
    tools: tuple[str, ...] | None = None  # None: every tool the session has
    denied: tuple[str, ...] = ()  # disallowedTools that apply
    effort: str | None = None  # the level sent; None with effort_how saying why
    effort_how: str = _DEFAULT_EFFORT
    ignored: list[Ignored] = field(default_factory=list)

    @property
    def tool_summary(self) -> str:
        if self.tools is None:
            return "all tools" + (f" except {', '.join(self.denied)}" if self.denied else "")
        count = len(self.tools)
        return f"{count} tool" + ("" if count == 1 else "s")


def _line(parsed: ParsedAgent, offset: int) -> int:
    return parsed.index.line_of(offset)


def _field_lines(parsed: ParsedAgent, item: Field) -> set[int]:
    return set(range(_line(parsed, item.key_span.start), _line(parsed, item.value_span.end) + 1))


def _dropped(parsed: ParsedAgent, item: Field | None, warnings: list[Finding]) -> bool:
    """A warning on the field's first line or its value says Claude Code does not apply it."""
    if item is None:
        return False
    lines = {_line(parsed, item.key_span.start), _line(parsed, item.value_span.start)}
    return any(_line(parsed, f.span.start) in lines for f in warnings)


def _entries(
    parsed: ParsedAgent, item: Field | None, findings: list[Finding], aliases: dict[str, str]
) -> list[str] | None:
    """The tool names of a `tools`-like field that Claude Code keeps (None: the field is absent or dropped)."""
    if item is None:
        return None
    entries: list[ToolEntry] | None = tool_entries(parsed, item.node)
    if entries is None:
        return None
    bad = [f for f in findings if f.severity <= Severity.WARNING and f.code not in _NOT_DROPPED | {"empty-tools"}]
    kept: list[str] = []
    for entry in entries:
        if any(f.span.start < entry.span.end and entry.span.start < f.span.end for f in bad):
            continue
        name = "*" if entry.text == "*" else aliases.get(entry.name, entry.name) if not entry.is_mcp else entry.text
        if name not in kept:
            kept.append(name)
    return kept


def effective_agent(parsed: ParsedAgent, findings: list[Finding], context: AgentContext) -> EffectiveAgent:
    """The definition Claude Code builds from this file, given the file's findings."""
    errors = [f for f in findings if f.severity == Severity.ERROR]
    # A portability warning (the value loads only through Claude Code's quoting retry) drops nothing.
    warnings = [f for f in findings if f.severity == Severity.WARNING and f.code not in _NOT_DROPPED]
    fields = parsed.fields
    kind = context.kind
    view = EffectiveAgent(kind=kind, outcome="loads")
    skip = next((f for f in errors if f.code in SKIP_CODES), None)
    if skip is not None and kind == "agent":
        view.outcome, view.reason = "skipped", _reason(skip)
        return view
    refused = next((f for f in errors if f.code == "no-tools-resolve"), None)
    if refused is not None:
        view.outcome, view.reason = "refused", _reason(refused)
    name = fields.get("name")
    if name is not None and not _dropped(parsed, name, warnings) and name.value not in (None, ""):
        view.name = str(name.value)
    elif kind == "skill":
        view.name = context.folder_name
    elif kind == "command":
        view.name = context.file_stem
    model = fields.get("model")
    if model is not None:  # a warning on it means dropped; text no alias names is sent as written (info)
        view.model, view.model_how = resolve_model_id(None if _dropped(parsed, model, warnings) else model.value)
    effort = fields.get("effort")
    if effort is not None and effort.value not in (None, "") and not _dropped(parsed, effort, warnings):
        written = effort.value[0] if isinstance(effort.value, list) and len(effort.value) == 1 else effort.value
        word = str(written).strip().lower()
        if word in _LEVELS:
            view.effort, view.effort_how = word, f"from `{effort.value}`"
        elif isinstance(written, (int, float)) or _NUMBER.fullmatch(word):
            view.effort, view.effort_how = None, "none sent (a number): the model's own default applies"
    aliases = schema_for(kind).alias_tools
    tools_key = "tools" if kind == "agent" else "allowed-tools"
    deny_key = "disallowedTools" if kind == "agent" else "disallowed-tools"
    denied = _entries(parsed, fields.get(deny_key), findings, aliases) or []
    view.denied = tuple(d for d in denied if d != "*")
    kept = _entries(parsed, fields.get(tools_key), findings, aliases)
    if kind == "agent" and kept is not None and "*" not in kept:
        memory = fields.get("memory")
        if memory is not None and memory.value not in (None, "") and not _dropped(parsed, memory, warnings):
            kept += [t for t in _MEMORY_TOOLS if t not in kept]
        view.tools = tuple(t for t in kept if t not in view.denied)
    for finding in warnings:
        data_key = finding.data.get("key")
        what = str(data_key) if data_key else parsed.text[finding.span.start : finding.span.end].strip() or "?"
        view.ignored.append(Ignored(_line(parsed, finding.span.start), what[:60], finding.message))
    if skip is not None:  # a skill or command whose frontmatter Claude Code cannot read: none of it applies
        view.ignored.insert(0, Ignored(_line(parsed, skip.span.start), "frontmatter", skip.message))
        view.model, view.model_how = MAIN_MODEL_ID, "the session's model"
        view.effort, view.effort_how, view.tools, view.denied = None, _DEFAULT_EFFORT, None, ()
    return view


def _reason(finding: Finding) -> str:
    """The rule's one-line summary (`No description (or not a string): the agent is skipped`)."""
    rule = RULES.get(finding.code)
    text = rule.summary if rule is not None else finding.message.split(". ", 1)[0]
    return text.rstrip(".").replace("`", "")


def lens_title(view: EffectiveAgent) -> str:
    """One line for the top of the frontmatter: `loads as code-reviewer · claude-sonnet-5-5 · 6 tools`."""
    if view.outcome == "skipped":
        return f"skipped: {view.reason}"
    parts = [f"loads as {view.name}" if view.name else "loads"]
    if view.outcome == "refused":
        parts = [f"refused: {view.reason}"]
    parts.append(view.model)
    if view.kind == "agent":
        parts.append(view.tool_summary)
    if view.effort:
        parts.append(f"effort {view.effort}")
    if view.ignored:
        parts.append(f"{len(view.ignored)} ignored")
    return " · ".join(parts)


def explain_text(view: EffectiveAgent, display: str) -> str:
    """The effective definition, for `agent-lsp explain FILE`."""
    lines = [f"{display}: {view.kind}"]
    if view.outcome == "skipped":
        lines.append(f"  skipped: {view.reason}")
        return "\n".join(lines) + "\n"
    if view.outcome == "refused":
        lines.append(f"  refused when spawned: {view.reason}")
    lines.append(f"  name:   {view.name or '(none)'}")
    lines.append(f"  model:  {view.model} ({view.model_how})")
    if view.kind == "agent":
        tools = "every tool of the session" if view.tools is None else ", ".join(view.tools) or "(none)"
        lines.append(f"  tools:  {tools}")
        if view.denied:
            lines.append(f"  denied: {', '.join(view.denied)}")
    effort = view.effort or view.effort_how
    lines.append(f"  effort: {effort}" + (f" ({view.effort_how})" if view.effort else ""))
    if view.ignored:
        lines.append("  ignored:")
        lines.extend(f"    line {item.line + 1}: {item.what}: {item.why}" for item in view.ignored)
    else:
        lines.append("  ignored: nothing; every field applies as written")
    return "\n".join(lines) + "\n"

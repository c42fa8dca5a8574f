"""Quick fixes for diagnostics with one clear remedy, and `source.fixAll`.

Each fix is a list of text edits built from the finding's own data (the closest
valid value, the fallback's quoted form, the lines to indent, the duplicate's
position). Before a fix is offered it is applied to a copy of the text and
checked: the file must read at least as well as before (strict YAML stays
strict), the fixed diagnostic must be gone and no new problem may appear. A fix
that fails the check is simply not offered, so a quick fix can never make a file
worse.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from lsprotocol import types
from yaml.nodes import Node

from agent_lsp.checks.configure import suppression_comment
from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.rules import Severity
from agent_lsp.checks.validate import find_problems
from agent_lsp.features.diagnostics import to_diagnostic
from agent_lsp.features.markup import to_range
from agent_lsp.syntax.frontmatter import Field, ParsedAgent, ParseMode, parse_agent
from agent_lsp.syntax.text import PositionMapper, Span
from agent_lsp.syntax.tools import tool_entries

DESCRIPTION_PLACEHOLDER = "Say what this agent does and when Claude should hand work to it."
DESCRIPTION_PLACEHOLDERS = {
    "skill": "Say what this skill does and when Claude should use it.",
    "command": "Say what this command does and when Claude should run it.",
}
FIX_ALL_TITLE = "Fix all agent-lsp problems that have a safe fix"
MAX_FIX_ALL_ROUNDS = 100  # each round removes at least one finding; real files need a handful
_MODE_RANK = {ParseMode.STRICT: 3, ParseMode.FALLBACK: 2}
_TOP_KEY_LINE = re.compile(r"(?P<key>[A-Za-z_][\w-]*):(?:[ \t]+(?P<value>.*))?$")


@dataclass(frozen=True, slots=True)
class Edit:
    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    preferred: bool = False
    in_fix_all: bool = False  # safe to apply without looking (no content is dropped, no guess is made)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """The text with non-overlapping edits applied (applied from the end so offsets stay valid)."""
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end), reverse=True):
        text = text[: edit.span.start] + edit.text + text[edit.span.end :]
    return text


# ---- checking a fix ------------------------------------------------------------------------
def _counted(findings: Iterable[Finding]) -> Counter[str]:
    # Hints (such as the name no longer matching the file) may follow from a fix; they are not problems.
    return Counter(f.code for f in findings if f.severity is not Severity.HINT)


def is_safe(
    parsed: ParsedAgent, finding: Finding, fix: Fix, context: AgentContext, before: Sequence[Finding] | None = None
) -> bool:
    """Whether applying `fix` removes `finding` without making the file read worse or adding a problem."""
    if before is None:
        before = find_problems(parsed, context)
    # `parsed` as the previous version: the fixed copy re-reads only the blocks the fix touched,
    # and their checks replay for the others (see `parse._read_blocks`, `validate.check_field_once`).
    after_parsed = parse_agent(apply_edits(_frontmatter_head(parsed), fix.edits), parsed)
    old_rank = _MODE_RANK.get(parsed.mode, 0)
    if _MODE_RANK.get(after_parsed.mode, 0) < old_rank:
        return False
    if _repeated_tools(after_parsed) > _repeated_tools(parsed):
        return False  # `Grpe` -> `Grep` beside a `Grep` already listed: a fix never adds a duplicate entry
    after = find_problems(after_parsed, context)
    if sum(f.code == finding.code for f in after) >= sum(f.code == finding.code for f in before):
        return False
    if not old_rank:
        # The file did not load before: checks of its fields run only now, so their findings are not new.
        return True
    old, new = _counted(before), _counted(after)
    return all(new[code] <= old[code] for code in new)


def _repeated_tools(parsed: ParsedAgent) -> int:
    """How many entries of the tool lists (`tools`, `disallowedTools`, `allowed-tools`) repeat an earlier one."""
    repeated = 0
    for key in TOOL_LIST_KEYS:
        item = parsed.fields.get(key)
        entries = tool_entries(parsed, item.node) if item is not None and item.node is not None else None
        if entries:
            texts = [" ".join(e.text.split()) for e in entries]
            repeated += len(texts) - len(set(texts))
    return repeated


TOOL_LIST_KEYS = ("tools", "disallowedTools", "allowed-tools")


# ---- building fixes --------------------------------------------------------------------------
def fixes_for(
    parsed: ParsedAgent, finding: Finding, context: AgentContext, before: Sequence[Finding] | None = None
) -> list[Fix]:
    """The checked fixes for one finding (possibly none); `before` is the file's findings when known."""
    return _checked_fixes(parsed, finding, context, before, _summary(before))


def _summary(findings: Sequence[Finding] | None) -> tuple[tuple[tuple[str, bool], int], ...] | None:
    """All that `is_safe` reads of the findings before a fix: how many of each code, hints apart."""
    if findings is None:
        return None
    return tuple(sorted(Counter((f.code, f.severity is Severity.HINT) for f in findings).items()))


def _checked_fixes(
    parsed: ParsedAgent,
    finding: Finding,
    context: AgentContext,
    before: Sequence[Finding] | None,
    summary: tuple[tuple[tuple[str, bool], int], ...] | None,
) -> list[Fix]:
    """`fixes_for`, remembered for the document version.

    Editors ask for code actions on every cursor move and every diagnostic change, and
    checking a fix means reading and checking the fixed copy: the answer is kept with the
    parsed version (`ParsedAgent.memo`), keyed by all it depends on: the finding (code,
    place, data), the context and the `before` summary (`None`: the version's own findings).
    """
    builder = _BUILDERS.get(finding.code)
    if builder is None:
        return []
    key = ("fixes", finding.code, finding.span, repr(finding.data), context, summary)
    cached: tuple[Fix, ...] | None = parsed.memo.get(key)
    if cached is not None:
        return list(cached)
    candidates = builder(parsed, finding, context)
    if candidates and before is None:
        before = find_problems(parsed, context)
    checked = [fix for fix in candidates if is_safe(parsed, finding, fix, context, before)]
    parsed.memo[key] = tuple(checked)
    return checked


def _newline(parsed: ParsedAgent) -> str:
    return "\r\n" if "\r\n" in parsed.text else "\n"


def _field_lines(parsed: ParsedAgent, key_span: Span, node: Node | None) -> Span:
    """The whole lines a top-level field occupies: its key line through the end of its value."""
    index = parsed.index
    first = index.line_of(key_span.start)
    last = first
    if node is not None:
        value = parsed.node_span(node)
        if value.end > value.start:
            last = max(first, index.line_of(value.end))
    end = index.line_start(last + 1) if last + 1 < index.line_count else len(parsed.text)
    return Span(index.line_start(first), end)


def _replace(finding: Finding, title: str) -> list[Fix]:
    replacement = finding.data.get("replacement")
    if not isinstance(replacement, str) or not replacement:
        return []
    return [Fix(title.format(new=replacement), (Edit(finding.span, replacement),), preferred=True, in_fix_all=True)]


def _value_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    return _replace(finding, "Change to `{new}`")


def _tool_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    titles = {
        "unknown-tool": "Change to `{new}`",
        "retired-tool": "Replace with its successor `{new}`",
        "renamed-tool": "Rename to `{new}`",
        "legacy-tool-rule": "Write it as `{new}`",
        "invalid-hooks": "Change to `{new}`",
    }
    fixes = _replace(finding, titles[finding.code])
    removal = _removal_if_listed(parsed, finding)
    return [removal] if removal is not None and fixes else fixes


def _removal_if_listed(parsed: ParsedAgent, finding: Finding) -> Fix | None:
    """When the entry, fixed, would repeat one already listed (`Grpe` beside `Grep`): its removal instead,
    which changes nothing Claude Code does (the entry is dropped, or means what the other one means)."""
    replacement = finding.data.get("replacement")
    for key in TOOL_LIST_KEYS:
        item = parsed.fields.get(key)
        if item is None or not (item.value_span.start <= finding.span.start < item.value_span.end):
            continue
        entries = tool_entries(parsed, item.node) or []
        at = next((k for k, e in enumerate(entries) if e.span.start <= finding.span.start < e.span.end), None)
        if at is None or not isinstance(replacement, str):
            return None
        entry = entries[at]
        offset = finding.span.start - entry.span.start
        fixed = entry.text[:offset] + replacement + entry.text[offset + finding.span.end - finding.span.start :]
        others = {" ".join(e.text.split()) for k, e in enumerate(entries) if k != at}
        if " ".join(fixed.split()) not in others or len(entries) < 2:
            return None
        spans = [e.span for e in entries]
        if any(a.end > b.start for a, b in pairwise(spans)):
            return None  # entries without their own places (an escaped quoted value): nothing to cut safely
        # With the separator that follows it (or, for the last entry, the one before it).
        cut = (
            Span(entry.span.start, spans[at + 1].start)
            if at + 1 < len(spans)
            else Span(spans[at - 1].end, entry.span.end)
        )
        return Fix(f"Remove `{entry.text}` (`{fixed}` is already listed)", (Edit(cut, ""),), True, True)
    return None


def _name_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    return _replace(finding, "Rename the agent to `{new}`")


def _quote_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    rewrite = next((r for r in parsed.rewrites if r.value_span == finding.span), None)
    if rewrite is None:
        return []
    fixes = [
        Fix(f"Quote the `{rewrite.key}` value", (Edit(rewrite.value_span, rewrite.quoted),), True, True),
    ]
    if "\\n" in rewrite.value:
        # Claude Code turns a literal `\n` into a line break; a block scalar writes those breaks out.
        lines = rewrite.value.split("\\n")
        header = f"{rewrite.key}: |{_indent_indicator(lines)}-"
        start = parsed.index.line_start(rewrite.line)
        block = _block(header, lines, _newline(parsed))
        fixes.append(
            Fix(
                f"Make `{rewrite.key}` a `|` block, one line per `\\n`",
                (Edit(Span(start, rewrite.value_span.end), block),),
            )
        )
    return fixes


def _indent_indicator(lines: Sequence[str]) -> str:
    """`2` when the first non-empty line starts with a space (YAML would read that as the indentation)."""
    first = next((line for line in lines if line.strip()), "")
    return "2" if first[:1] in (" ", "\t") else ""


def _block(header: str, lines: Sequence[str], newline: str) -> str:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    body = [("  " + line) if line.strip() else "" for line in lines]
    return newline.join([header, *body])


def _continuation_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    tab_line = finding.data.get("tabLine")
    if isinstance(tab_line, int):
        return _tab_fixes(parsed, tab_line)
    lines = finding.data.get("continuationLines")
    if not isinstance(lines, list) or not lines or parsed.yaml_span is None:
        return []
    index = parsed.index
    indent = Fix(
        "Indent the lines that continue the value",
        tuple(Edit(Span(index.line_start(n), index.line_start(n)), "  ") for n in lines),
    )
    fixes = [indent]
    block = _continuation_block(parsed, int(lines[0]), {int(n) for n in lines})
    if block is not None:
        fixes.insert(0, block)
    return fixes


def _tab_fixes(parsed: ParsedAgent, line: int) -> list[Fix]:
    """The tab indentation of `line` as two spaces a tab, or removed (each is checked: the one that reads wins)."""
    text = parsed.index.lines[line]
    indent = text[: len(text) - len(text.lstrip(" \t"))]
    span = Span(parsed.index.line_start(line), parsed.index.line_start(line) + len(indent))
    spaces = indent.replace("\t", "  ")
    return [
        Fix("Indent with spaces instead of the tab", (Edit(span, spaces),), True, True),
        Fix("Remove the tab indentation", (Edit(span, indent.replace("\t", "")),)),
    ]


def _continuation_block(parsed: ParsedAgent, first_continuation: int, continuation: set[int]) -> Fix | None:
    """The value with its continuation lines as one `|` block scalar, keeping every line break."""
    assert parsed.yaml_span is not None
    index = parsed.index
    first = index.line_of(parsed.yaml_span.start)
    last = index.line_of(max(parsed.yaml_span.start, parsed.yaml_span.end - 1))
    key_line = first_continuation - 1
    while key_line >= first and not _TOP_KEY_LINE.match(index.lines[key_line]):
        key_line -= 1
    if key_line < first:
        return None
    match = _TOP_KEY_LINE.match(index.lines[key_line])
    assert match is not None
    value = (match.group("value") or "").rstrip()
    if value[:1] in ("'", '"', "|", ">", "[", "{"):
        return None  # quoted, block and flow values need a person to decide
    end_line = key_line + 1
    # `user:` inside an `<example>` looks like a key but continues the value (the finding lists it).
    while end_line <= last and (end_line in continuation or not _TOP_KEY_LINE.match(index.lines[end_line])):
        end_line += 1
    lines = ([value] if value else []) + [index.lines[n] for n in range(key_line + 1, end_line)]
    block = _block(f"{match.group('key')}: |{_indent_indicator(lines)}-", lines, _newline(parsed))
    span = Span(index.line_start(key_line), index.line_end(end_line - 1))
    return Fix(f"Make `{match.group('key')}` a `|` block holding all its lines", (Edit(span, block),), True, True)


def _duplicate_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    dup = next((d for d in parsed.duplicates if d.key_span == finding.span), None)
    if dup is None:
        return []
    # `dup` is an earlier occurrence, which Claude Code ignores: the last one wins.
    last = parsed.fields.get(dup.key)
    line = parsed.index.line_of(last.key_span.start) + 1 if last is not None else None
    used = f" (Claude Code uses the one on line {line})" if line is not None else ""
    fixes = [
        Fix(f"Remove this ignored `{dup.key}`{used}", (Edit(_field_lines(parsed, dup.key_span, dup.node), ""),), True)
    ]
    if last is not None:
        span = _field_lines(parsed, last.key_span, last.node)
        fixes.append(Fix(f"Keep this `{dup.key}` and remove the one on line {line}", (Edit(span, ""),)))
    return fixes


def _key_field(parsed: ParsedAgent, finding: Finding) -> Field | None:
    key = finding.data.get("key")
    item = parsed.fields.get(key) if isinstance(key, str) else None
    return item if item is not None and item.key_span == finding.span else None


def _unknown_key_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    item = _key_field(parsed, finding)
    if item is None:
        return []
    fixes: list[Fix] = []
    replacement = finding.data.get("replacement")
    if isinstance(replacement, str) and replacement and replacement not in parsed.fields:
        fixes.append(Fix(f"Rename to `{replacement}`", (Edit(item.key_span, replacement),), True, True))
    removal = Edit(_field_lines(parsed, item.key_span, item.node), "")
    fixes.append(Fix(f"Remove `{item.key}`", (removal,), preferred=not fixes))
    return fixes


def _ignored_field_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    item = _key_field(parsed, finding)
    if item is None:
        return []
    return [
        Fix(
            f"Remove `{item.key}` (plugin agents ignore it)",
            (Edit(_field_lines(parsed, item.key_span, item.node), ""),),
        )
    ]


def _set_field(parsed: ParsedAgent, key: str, value: str, after: str | None) -> Edit | None:
    """Write `key: value`: over the existing field, or as a new line (after field `after` when present)."""
    newline = _newline(parsed)
    line = f"{key}: {value}{newline}"
    item = parsed.fields.get(key)
    if item is not None:
        return Edit(_field_lines(parsed, item.key_span, item.node), line)
    if parsed.yaml_span is None or parsed.close_span is None:
        return None
    anchor = parsed.fields.get(after) if after else None
    if anchor is not None:
        at = _field_lines(parsed, anchor.key_span, anchor.node).end
        if at == len(parsed.text) or not parsed.text[:at].endswith(("\n", "\r")):
            return None
    else:
        at = parsed.yaml_span.start
    return Edit(Span(at, at), line)


def _missing_name_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    name = finding.data.get("suggestedName")
    if not isinstance(name, str) or not name:
        return []
    edit = _set_field(parsed, "name", name, None)
    source = " (from the file name)" if context.file_stem else ""
    return [Fix(f"Add `name: {name}`{source}", (edit,), True, True)] if edit else []


def _missing_description_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    placeholder = DESCRIPTION_PLACEHOLDERS.get(context.kind, DESCRIPTION_PLACEHOLDER)
    if finding.data.get("noFrontmatter"):
        # A skill with no frontmatter: open one holding just the description.
        newline = _newline(parsed)
        at = parsed.content_start
        block = newline.join(["---", f"description: {placeholder}", "---", ""])
        return [Fix("Add frontmatter with a `description` to fill in", (Edit(Span(at, at), block),), True)]
    edit = _set_field(parsed, "description", placeholder, "name")
    return [Fix("Add a `description` to fill in", (edit,), True)] if edit else []


def _invalid_value_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    replacement = finding.data.get("replacement")
    if isinstance(replacement, str) and replacement[:1] == "'":
        return [Fix(f"Quote it: `{replacement}`", (Edit(finding.span, replacement),), True, True)]
    return _replace(finding, "Change to `{new}`")


def _remove_field_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    item = _key_field(parsed, finding)
    if item is None:
        return []
    return [Fix(f"Remove `{item.key}`", (Edit(_field_lines(parsed, item.key_span, item.node), ""),), True)]


def _foreign_key_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    """Another tool's rule key: `globs`/`applyTo` become `paths` (when there is none yet); any of them can go."""
    item = _key_field(parsed, finding)
    if item is None:
        return []
    fixes: list[Fix] = []
    if item.key in ("globs", "applyTo") and "paths" not in parsed.fields:
        fixes.append(Fix(f"Rename `{item.key}` to `paths`", (Edit(item.key_span, "paths"),), True))
    removal = _remove_field_fix(parsed, finding, context)
    return fixes + [Fix(f.title, f.edits, preferred=not fixes) for f in removal]


def _fork_only_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    item = _key_field(parsed, finding)
    needs = finding.data.get("needs")
    if item is None or not isinstance(needs, dict):
        return []
    fixes: list[Fix] = []
    if len(needs) == 1:
        ((key, value),) = needs.items()
        edit = _set_field(parsed, str(key), str(value), None)
        if edit is not None:
            fixes.append(Fix(f"Add `{key}: {value}` so `{item.key}` applies", (edit,), True))
    removal = _remove_field_fix(parsed, finding, context)
    fixes += [Fix(f.title, f.edits, preferred=not fixes) for f in removal]
    return fixes


def _no_frontmatter_fix(parsed: ParsedAgent, finding: Finding, context: AgentContext) -> list[Fix]:
    newline = _newline(parsed)
    name = slug(context.file_stem or "") or "my-agent"
    block = newline.join(["---", f"name: {name}", f"description: {DESCRIPTION_PLACEHOLDER}", "---", ""])
    at = parsed.content_start
    return [Fix("Add frontmatter with `name` and `description`", (Edit(Span(at, at), block),), True)]


def slug(text: str) -> str:
    """Lowercase words joined by hyphens, the convention for agent names (`CodeReviewer` -> `code-reviewer`)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text)
    return re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-")


_Builder = Callable[[ParsedAgent, Finding, AgentContext], list[Fix]]
_BUILDERS: dict[str, _Builder] = {
    "yaml-fallback": _quote_fix,
    "yaml-syntax": _continuation_fix,
    "duplicate-key": _duplicate_fix,
    "unknown-key": _unknown_key_fix,
    "plugin-ignored-field": _ignored_field_fix,
    "ignored-field": _remove_field_fix,
    "plugin-only-field": _remove_field_fix,
    "foreign-key": _foreign_key_fix,
    "invalid-value": _invalid_value_fix,
    "fork-only-field": _fork_only_fix,
    "missing-name": _missing_name_fix,
    "missing-description": _missing_description_fix,
    "no-frontmatter": _no_frontmatter_fix,
    "invalid-name": _name_fix,
    "name-style": _name_fix,
    "unknown-model": _value_fix,
    "invalid-permission-mode": _value_fix,
    "invalid-memory": _value_fix,
    "invalid-background": _value_fix,
    "invalid-effort": _value_fix,
    "invalid-isolation": _value_fix,
    "invalid-color": _value_fix,
    "unknown-tool": _tool_fix,
    "retired-tool": _tool_fix,
    "renamed-tool": _tool_fix,
    "legacy-tool-rule": _tool_fix,
    "invalid-hooks": _tool_fix,
}
FIXABLE_CODES = frozenset(_BUILDERS)


# ---- suppressing a finding -------------------------------------------------------------------
_IGNORE_LINE = re.compile(
    r"^(?P<indent>[ \t]*)#[ \t]*agent-lsp:[ \t]*(?P<verb>ignore-file|ignore)\b(?P<codes>[^#]*?)[ \t]*$"
)


def suppression_fixes(
    parsed: ParsedAgent, finding: Finding, context: AgentContext, before: Sequence[Finding] | None = None
) -> list[Fix]:
    """ "Ignore `code` on this line" and "… in this file": a YAML comment in the frontmatter, which Claude
    Code's parse drops (checks/configure.py reads it). Checked like every fix; never part of "Fix all"."""
    span = parsed.yaml_span
    if span is None or parsed.close_span is None:
        return []
    key = ("suppress", finding.code, finding.span, context)
    cached: tuple[Fix, ...] | None = parsed.memo.get(key)
    if cached is not None:
        return list(cached)
    index, newline = parsed.index, _newline(parsed)
    first, last = index.line_of(span.start), index.line_of(max(span.start, span.end - 1))
    line = index.line_of(finding.span.start)
    candidates: list[Fix] = []
    if span.start < span.end and first <= line <= last:
        above = _IGNORE_LINE.match(index.lines[line - 1]) if line > first else None
        if above is not None and above["verb"] == "ignore":
            at = index.line_start(line - 1) + above.end("codes")
            edit = Edit(Span(at, at), f", {finding.code}")
        else:
            indent = re.match(r"[ \t]*", index.lines[line])
            start = index.line_start(line)
            edit = Edit(
                Span(start, start), f"{indent[0] if indent else ''}{suppression_comment([finding.code])}{newline}"
            )
        candidates.append(Fix(f"Ignore `{finding.code}` on this line (agent-lsp only)", (edit,)))
    existing = next(
        (n for n in range(first, last + 1) if (m := _IGNORE_LINE.match(index.lines[n])) and m["verb"] == "ignore-file"),
        None,
    )
    if existing is not None:
        match = _IGNORE_LINE.match(index.lines[existing])
        assert match is not None
        at = index.line_start(existing) + match.end("codes")
        file_edit = Edit(Span(at, at), f", {finding.code}")
    else:
        start = index.line_start(first)
        file_edit = Edit(Span(start, start), f"{suppression_comment([finding.code], whole_file=True)}{newline}")
    candidates.append(Fix(f"Ignore `{finding.code}` in this file (agent-lsp only)", (file_edit,)))
    if before is None:
        before = find_problems(parsed, context)
    checked = tuple(fix for fix in candidates if is_safe(parsed, finding, fix, context, before))
    parsed.memo[key] = checked
    return list(checked)


# ---- the whole file ---------------------------------------------------------------------------
def fix_all(text: str, context: AgentContext, previous: ParsedAgent | None = None) -> str:
    """The text after applying, one at a time, every fix marked safe for `source.fixAll`.

    `previous` (a parsed earlier version) lets each round re-read only what the last fix changed.
    """
    parsed = previous
    for _ in range(MAX_FIX_ALL_ROUNDS):
        parsed = parse_agent(text, parsed)
        findings = find_problems(parsed, context)
        summary = _summary(findings)
        fix = next(
            (
                fix
                for finding in findings
                if finding.code in _BUILDERS
                for fix in _checked_fixes(parsed, finding, context, findings, summary)
                if fix.in_fix_all
            ),
            None,
        )
        if fix is None:
            break
        text = apply_edits(text, fix.edits)
    return text


# A stand-in body keeps `empty-body` quiet while fixes run on the frontmatter alone.
_BODY_STAND_IN = "\nBody.\n"


def _frontmatter_head(parsed: ParsedAgent) -> str:
    """The text with a non-empty body swapped for a short stand-in.

    Fixes only ever edit the frontmatter, and judging one means parsing the result:
    with a 1 MB body that would cost far more than the frontmatter itself.
    """
    if parsed.close_span is not None and not parsed.body_is_blank:
        return parsed.text[: parsed.body_start] + _BODY_STAND_IN
    return parsed.text


def _fix_all_edit(parsed: ParsedAgent, context: AgentContext) -> Edit | None:
    """The fix-all edit for one document version, computed once (kept in `parsed.memo`).

    Editors ask for code actions on every cursor move, and fixes only ever touch the
    frontmatter, so the (possibly huge) body is swapped for a stand-in while the fixes run.
    """
    key = ("fix-all", context)
    if key in parsed.memo:
        edit: Edit | None = parsed.memo[key]
        return edit
    head = _frontmatter_head(parsed)
    fixed = fix_all(head, context, parsed)
    edit = None
    if fixed != head:
        edit = minimal_edit(head, fixed)
        # The stand-in is a common suffix of both, so the edit never reaches into it.
        if edit.span.end > (parsed.body_start if head is not parsed.text else len(parsed.text)):
            edit = None
    parsed.memo[key] = edit
    return edit


def fix_all_text(parsed: ParsedAgent, context: AgentContext) -> str:
    """The whole text after `source.fixAll`: the editor's edit applied (what `agent-lsp check --fix` writes)."""
    edit = _fix_all_edit(parsed, context)
    return parsed.text if edit is None else apply_edits(parsed.text, (edit,))


def minimal_edit(old: str, new: str) -> Edit:
    """One edit turning `old` into `new`: the differing middle, so the cursor and folds stay put."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return Edit(Span(start, end_old), new[start:end_new])


# ---- LSP -------------------------------------------------------------------------------------
def _wants(only: Sequence[str] | None, kind: str) -> bool:
    return not only or any(kind == k or kind.startswith(k + ".") for k in only)


def _same(a: types.Diagnostic, b: types.Diagnostic) -> bool:
    return a.code == b.code and a.range == b.range and a.source == b.source


def code_actions(
    parsed: ParsedAgent,
    findings: Sequence[Finding],
    context: AgentContext,
    *,
    uri: str,
    mapper: PositionMapper,
    request: types.Range,
    sent: Sequence[types.Diagnostic] = (),
    only: Sequence[str] | None = None,
) -> list[types.CodeAction]:
    """Quick fixes for the findings in `request` (each attached to its diagnostic), then `source.fixAll`."""
    actions: list[types.CodeAction] = []
    if _wants(only, types.CodeActionKind.QuickFix.value):
        summary = _summary(findings)
        for finding in findings:
            diagnostic = to_diagnostic(finding, mapper)
            attached = next((d for d in sent if _same(d, diagnostic)), None)
            if attached is None and not _overlaps(diagnostic.range, request):
                continue
            fixes = _checked_fixes(parsed, finding, context, findings, summary)
            for fix in [*fixes, *suppression_fixes(parsed, finding, context, findings)]:
                actions.append(
                    types.CodeAction(
                        title=fix.title,
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[attached or diagnostic],
                        is_preferred=fix.preferred or None,
                        edit=_workspace_edit(uri, mapper, fix.edits),
                    )
                )
    if _wants(only, types.CodeActionKind.SourceFixAll.value) and any(f.code in _BUILDERS for f in findings):
        edit = _fix_all_edit(parsed, context)
        if edit is not None:
            actions.append(
                types.CodeAction(
                    title=FIX_ALL_TITLE,
                    kind=types.CodeActionKind.SourceFixAll,
                    edit=_workspace_edit(uri, mapper, (edit,)),
                )
            )
    return actions


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and (
        b.start.line,
        b.start.character,
    ) <= (a.end.line, a.end.character)


def _workspace_edit(uri: str, mapper: PositionMapper, edits: Iterable[Edit]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(
        changes={uri: [types.TextEdit(range=to_range(mapper, e.span), new_text=e.text) for e in edits]}
    )

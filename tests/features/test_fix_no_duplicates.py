"""Fixes never write a tool entry twice (issue 16): in the quick fixes, in Fix all, for every kind of file.

"Fix all" used to turn `tools: Read, Grep, Bash(git:*), Grpe, webfetch` into a list with `Grep` twice.
A fix whose result repeats an entry is refused by the check every fix passes (`is_safe`), and where the
fixed entry is already listed, the fix offered removes the entry instead (it changes nothing Claude Code does).
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.rules import Severity
from agent_lsp.checks.validate import find_problems
from agent_lsp.features.actions import apply_edits, code_actions, fix_all, fixes_for
from agent_lsp.syntax.frontmatter import ParseMode, parse_agent
from agent_lsp.syntax.text import PositionMapper
from agent_lsp.syntax.tools import tool_entries

CONTEXTS = {
    "agent": (AgentContext("/p/.claude/agents/review.md", False), "tools"),
    "skill": (AgentContext("/p/.claude/skills/review/SKILL.md", False, kind="skill"), "allowed-tools"),
    "command": (AgentContext("/p/.claude/commands/review.md", False, kind="command"), "allowed-tools"),
}


def _text(kind: str, tools: str) -> str:
    _context, key = CONTEXTS[kind]
    name = "name: review\n" if kind != "command" else ""
    return f"---\n{name}description: Reviews code.\n{key}: {tools}\n---\nBody.\n"


def _entries(text: str) -> list[str]:
    parsed = parse_agent(text)
    found: list[str] = []
    for key in ("tools", "disallowedTools", "allowed-tools"):
        item = parsed.fields.get(key)
        if item is not None:
            found += [" ".join(e.text.split()) for e in tool_entries(parsed, item.node) or []]
    return found


def _repeated(text: str) -> int:
    entries = _entries(text)
    return len(entries) - len(set(entries))


def test_fix_all_in_the_editor_writes_no_entry_twice() -> None:
    for kind, (context, key) in CONTEXTS.items():
        text = _text(kind, "Read, Grep, Bash(git:*), Grpe, webfetch")
        parsed = parse_agent(text)
        mapper = PositionMapper(parsed.index, "utf-16")
        whole = types.Range(types.Position(0, 0), types.Position(parsed.index.line_count, 0))
        findings = find_problems(parsed, context)
        (action,) = code_actions(
            parsed, findings, context, uri="u", mapper=mapper, request=whole, only=["source.fixAll"]
        )
        assert action.edit is not None and action.edit.changes is not None
        (edit,) = action.edit.changes["u"]
        start = mapper.offset(edit.range.start.line, edit.range.start.character)
        end = mapper.offset(edit.range.end.line, edit.range.end.character)
        fixed = text[:start] + edit.new_text + text[end:]
        assert f"{key}: Read, Grep, Bash(git *), WebFetch\n" in fixed, kind
        # The quick fix on `Grpe` removes it rather than writing a second `Grep`.
        grpe = next(f for f in findings if f.code == "unknown-tool" and "Grpe" in f.message)
        assert [f.title for f in fixes_for(parsed, grpe, context)] == ["Remove `Grpe` (`Grep` is already listed)"]


def test_a_retired_tool_beside_its_successor_and_a_rule_written_twice_are_removed() -> None:
    context, _key = CONTEXTS["agent"]
    text = _text("agent", "Read, MultiEdit, Edit, Bash(git:*), Bash(git *)")
    assert fix_all(text, context) == _text("agent", "Read, Edit, Bash(git *)")
    listed = _text("agent", "\n  - Read\n  - Grpe\n  - Grep")
    assert fix_all(listed, context) == _text("agent", "\n  - Read\n  - Grep")


# ---- the property over generated tool lists ---------------------------------------------------------
# Real names, the typos and old forms the fixes turn into them, and rules: whatever mix is drawn, the
# fixed list holds no entry twice unless the user wrote it twice, and every fix offered passes its check.
_WORDS = [
    "Read", "Grep", "Glob", "Edit", "Write", "WebFetch", "Bash", "Bash(git *)", "Bash(git:*)",
    "Grpe", "Wrte", "webfetch", "Reed", "MultiEdit", "Gerp", "Edti", "Bash(npm:*)", "Bash(npm *)",
]  # fmt: skip


def _counted(findings: list[Finding]) -> Counter[str]:
    return Counter(f.code for f in findings if f.severity is not Severity.HINT)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(CONTEXTS)),
    words=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=7),
    block=st.booleans(),
)
def test_fix_all_never_adds_a_repeated_entry_and_every_fix_is_rechecked(
    kind: str, words: list[str], block: bool
) -> None:
    context, _key = CONTEXTS[kind]
    tools = "".join(f"\n  - {w}" for w in words) if block else ", ".join(words)
    text = _text(kind, tools)
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.STRICT
    fixed = fix_all(text, context)
    assert _repeated(fixed) <= _repeated(text), (text, fixed)
    if len(set(words)) == len(words):
        assert _repeated(fixed) == 0, (text, fixed)
    before = find_problems(parsed, context)
    for finding in before:
        for fix in fixes_for(parsed, finding, context, before):
            after_text = apply_edits(text, fix.edits)
            after = find_problems(parse_agent(after_text), context)
            assert _repeated(after_text) <= _repeated(text), (fix.title, after_text)
            assert sum(f.code == finding.code for f in after) < sum(f.code == finding.code for f in before)
            new, old = _counted(after), _counted(before)
            assert all(new[code] <= old[code] for code in new), (fix.title, after_text)

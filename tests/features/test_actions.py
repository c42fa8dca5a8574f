"""Quick fixes and `source.fixAll`, and the property every fix must keep.

THE PROPERTY: after applying a fix, the frontmatter parses as strict YAML 1.2,
the fixed diagnostic is gone, and no new problem appears (hints, such as the
name no longer matching the file name, are consequences rather than problems).
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.rules import RULES, Severity
from agent_lsp.checks.validate import find_problems
from agent_lsp.features.actions import FIXABLE_CODES, Fix, apply_edits, code_actions, fix_all, fixes_for
from agent_lsp.schema.schemas import agent_schema
from agent_lsp.syntax.frontmatter import ParseMode, parse_agent
from agent_lsp.syntax.text import PositionMapper

SCHEMA = agent_schema()
CONTEXT = AgentContext(path="/project/.claude/agents/reviewer.md")
PLUGIN = AgentContext(path="/plugin/agents/reviewer.md", plugin=True)
HEAD = "---\nname: reviewer\ndescription: Reviews code.\n"

# One file per fixable code, each with that problem only (besides hints).
SAMPLES: dict[str, list[tuple[str, AgentContext]]] = {
    "yaml-fallback": [
        ("---\nname: reviewer\ndescription: Use it: after edits\n---\nBody\n", CONTEXT),
        ("---\nname: reviewer\ndescription: Use it: now\\n\\n<example>x</example>\n---\nBody\n", CONTEXT),
    ],
    "yaml-syntax": [
        ("---\nname: reviewer\ndescription: Use it: now\n<example>\nsee\n</example>\n---\nBody\n", CONTEXT),
        ("---\nname: reviewer\ndescription: Use it now\nand later\ncolor: blue\n---\nBody\n", CONTEXT),
    ],
    "duplicate-key": [(HEAD + "model: opus\nmodel: sonnet\n---\nBody\n", CONTEXT)],
    "unknown-key": [(HEAD + "Tools: Read\n---\nBody\n", CONTEXT), (HEAD + "extra:\n  - a\n---\nBody\n", CONTEXT)],
    "plugin-ignored-field": [(HEAD + "permissionMode: plan\n---\nBody\n", PLUGIN)],
    # Skills and commands (tests/checks/test_skills_commands.py has more).
    "ignored-field": [
        ("---\nname: go\ndescription: d\n---\nBody\n", AgentContext(path="/p/.claude/commands/go.md", kind="command"))
    ],
    "invalid-value": [
        ("---\nargument-hint: [n]\n---\nBody\n", AgentContext(path="/p/.claude/skills/go/SKILL.md", kind="skill"))
    ],
    # Output styles and rules (tests/features/test_memory.py has more).
    "plugin-only-field": [
        (
            "---\nname: Terse\nforce-for-plugin: true\n---\nB\n",
            AgentContext("/p/.claude/output-styles/t.md", kind="output-style"),
        )
    ],
    "foreign-key": [
        ("---\nglobs: src/**/*.ts\n---\nB\n", AgentContext("/p/.claude/rules/ts.md", kind="rule")),
        ("---\nalwaysApply: true\ndescription: d\n---\nB\n", AgentContext("/p/.claude/rules/ts.md", kind="rule")),
    ],
    "fork-only-field": [
        ("---\nagent: Plan\n---\nBody\n", AgentContext(path="/p/.claude/skills/go/SKILL.md", kind="skill"))
    ],
    "missing-name": [
        ("---\ndescription: Reviews code.\n---\nBody\n", CONTEXT),
        ("---\nname:\ndescription: d\n---\nB\n", CONTEXT),
    ],
    "missing-description": [("---\nname: reviewer\n---\nBody\n", CONTEXT)],
    "no-frontmatter": [("You review code.\n", CONTEXT)],
    "invalid-name": [
        ("---\nname: my:reviewer\ndescription: d\n---\nBody\n", AgentContext(path="/p/.claude/agents/my-reviewer.md"))
    ],
    "name-style": [("---\nname: Reviewer\ndescription: d\n---\nBody\n", CONTEXT)],
    "unknown-model": [(HEAD + "model: sonet\n---\nBody\n", CONTEXT)],
    "invalid-permission-mode": [(HEAD + "permissionMode: Plan\n---\nBody\n", CONTEXT)],
    "invalid-memory": [(HEAD + "memory: projet\n---\nBody\n", CONTEXT)],
    "invalid-background": [(HEAD + "background: yes\n---\nBody\n", CONTEXT)],
    "invalid-effort": [(HEAD + "effort: hihg\n---\nBody\n", CONTEXT)],
    "invalid-isolation": [(HEAD + "isolation: worktre\n---\nBody\n", CONTEXT)],
    "invalid-color": [(HEAD + "color: Blue\n---\nBody\n", CONTEXT), (HEAD + 'color: "gren"\n---\nBody\n', CONTEXT)],
    "unknown-tool": [
        (HEAD + "tools: Read, Grpe\n---\nBody\n", CONTEXT),
        (HEAD + "tools:\n  - Raed\n---\nB\n", CONTEXT),
    ],
    "retired-tool": [(HEAD + "tools: Read, MultiEdit\n---\nBody\n", CONTEXT)],
    "renamed-tool": [(HEAD + "tools: Read, Task\n---\nBody\n", CONTEXT)],
    "legacy-tool-rule": [(HEAD + "tools: Read, Bash(git:*)\n---\nBody\n", CONTEXT)],
    "invalid-hooks": [
        (HEAD + "hooks:\n  PreToolUs:\n    - hooks:\n        - type: command\n          command: x\n---\nB\n", CONTEXT)
    ],
}


def problems(text: str, context: AgentContext) -> list[Finding]:
    return find_problems(parse_agent(text), context)


def counted(findings: list[Finding]) -> Counter[str]:
    return Counter(f.code for f in findings if f.severity is not Severity.HINT)


def assert_property(text: str, finding: Finding, fix: Fix, context: AgentContext) -> str:
    before = problems(text, context)
    fixed = apply_edits(text, fix.edits)
    parsed = parse_agent(fixed)
    assert parsed.mode is ParseMode.STRICT, (fix.title, fixed)
    after = find_problems(parsed, context)
    assert sum(f.code == finding.code for f in after) < sum(f.code == finding.code for f in before)
    if parse_agent(text).loads:
        new, old = counted(after), counted(before)
        assert all(new[code] <= old[code] for code in new), (fix.title, fixed, new, old)
    else:  # the file did not load before; now it loads cleanly
        assert not [f for f in after if f.severity <= Severity.WARNING], (fix.title, fixed)
    return fixed


def test_every_fixable_code_has_samples_and_is_a_real_rule() -> None:
    assert set(SAMPLES) == set(FIXABLE_CODES)
    assert set(RULES) >= FIXABLE_CODES


@pytest.mark.parametrize(
    ("code", "text", "context"), [(code, t, c) for code, cases in SAMPLES.items() for t, c in cases]
)
def test_every_fix_keeps_the_property(code: str, text: str, context: AgentContext) -> None:
    parsed = parse_agent(text)
    targets = [f for f in find_problems(parsed, context) if f.code == code]
    assert targets, f"the sample for {code} does not produce it"
    for finding in targets:
        fixes = fixes_for(parsed, finding, context)
        assert fixes, f"no fix for {code}"
        assert sum(f.preferred for f in fixes) <= 1
        for fix in fixes:
            assert_property(text, finding, fix, context)


def test_fix_all_reaches_strict_yaml_with_nothing_left_to_fix() -> None:
    text = (
        "---\nname: Reviewer\ndescription: Use it: after edits\nmodel: sonet\ncolor: Blue\n"
        "tools: Read, Wrte, MultiEdit, Task, Bash(git:*)\nbackground: yes\nEffort: high\n---\nBody\n"
    )
    # Not `Grpe`: `Grep` beside `Bash` is dropped by Claude Code (conformance case
    # agents/tools-combo-search-with-bash), so that fix would leave a warning.
    fixed = fix_all(text, CONTEXT)
    parsed = parse_agent(fixed)
    assert parsed.mode is ParseMode.STRICT
    assert [f.code for f in find_problems(parsed, CONTEXT) if f.severity is not Severity.HINT] == []
    assert "tools: Read, Write, Edit, Agent, Bash(git *)" in fixed
    assert 'description: "Use it: after edits"' in fixed


def test_fix_all_leaves_choices_to_people() -> None:
    # Which duplicate to keep, and what to write as a description, are not guesses to make silently.
    text = HEAD.replace("description: Reviews code.\n", "") + "model: opus\nmodel: sonnet\n---\nBody\n"
    assert fix_all(text, CONTEXT) == text


def test_the_preferred_duplicate_fix_keeps_what_claude_code_loads() -> None:
    # Claude Code 2.1.328 loads a repeated key with its last value (conformance cases dup-*): the finding
    # sits on the ignored, earlier line, and the preferred fix removes that one, so nothing changes for it.
    text = HEAD + "model: opus\nmodel: sonnet\n---\nBody\n"
    parsed = parse_agent(text)
    (finding,) = [f for f in find_problems(parsed, CONTEXT) if f.code == "duplicate-key"]
    remove_ignored, keep_this = fixes_for(parsed, finding, CONTEXT)
    assert (
        remove_ignored.preferred
        and remove_ignored.title == "Remove this ignored `model` (Claude Code uses the one on line 5)"
    )
    assert parse_agent(apply_edits(text, remove_ignored.edits)).data == parse_agent(text).data
    assert keep_this.title == "Keep this `model` and remove the one on line 5"
    kept = parse_agent(apply_edits(text, keep_this.edits)).data
    assert kept is not None and kept["model"] == "opus"


def test_quote_keeps_the_value_claude_code_reads() -> None:
    text = SAMPLES["yaml-fallback"][1][0]
    loaded = parse_agent(text).data
    assert loaded is not None
    parsed = parse_agent(text)
    (finding,) = [f for f in find_problems(parsed, CONTEXT) if f.code == "yaml-fallback"]
    quote, block = fixes_for(parsed, finding, CONTEXT)
    assert parse_agent(apply_edits(text, quote.edits)).data == loaded
    # The block writes each `\n` out as the line break Claude Code would make of it.
    as_block = parse_agent(apply_edits(text, block.edits)).data
    assert as_block is not None
    assert as_block["description"] == loaded["description"].replace("\\n", "\n")
    assert "|-" in apply_edits(text, block.edits)


def test_continuation_block_keeps_every_line() -> None:
    text = SAMPLES["yaml-syntax"][0][0]
    parsed = parse_agent(text)
    (finding,) = find_problems(parsed, CONTEXT)
    block = fixes_for(parsed, finding, CONTEXT)[0]
    data = parse_agent(apply_edits(text, block.edits)).data
    assert data is not None and data["description"] == "Use it: now\n<example>\nsee\n</example>"


def test_crlf_files_keep_crlf() -> None:
    text = SAMPLES["yaml-syntax"][0][0].replace("\n", "\r\n")
    parsed = parse_agent(text)
    (finding,) = find_problems(parsed, CONTEXT)
    fixed = assert_property(text, finding, fixes_for(parsed, finding, CONTEXT)[0], CONTEXT)
    assert "\n" not in fixed.replace("\r\n", "")


def test_missing_name_comes_from_the_file_name() -> None:
    context = AgentContext(path="/p/.claude/agents/CodeReviewer.md")
    text = "---\ndescription: d\n---\nBody\n"
    parsed = parse_agent(text)
    (finding,) = [f for f in find_problems(parsed, context) if f.code == "missing-name"]
    (fix,) = fixes_for(parsed, finding, context)
    assert fix.title == "Add `name: code-reviewer` (from the file name)"
    assert apply_edits(text, fix.edits).startswith("---\nname: code-reviewer\ndescription: d\n")


def test_a_fix_that_would_add_a_problem_is_not_offered() -> None:
    # `AskUserQuestio` is closest to a tool Claude Code removes from subagents: replacing would trade one
    # warning for another, so no quick fix is offered.
    text = HEAD + "tools: Read, AskUserQuestio\n---\nBody\n"
    parsed = parse_agent(text)
    (finding,) = [f for f in find_problems(parsed, CONTEXT) if f.code == "unknown-tool"]
    assert finding.data.get("replacement") == "AskUserQuestion"
    assert fixes_for(parsed, finding, CONTEXT) == []


# ---- the property over generated files ----------------------------------------------------------
ENUM_FIELDS = [n for n in SCHEMA.field_names if SCHEMA.enum_values(n) and n != "background"]


def _typo(word: str, data: st.DataObject) -> str:
    kind = data.draw(st.sampled_from(["upper", "drop", "swap", "double"]))
    i = data.draw(st.integers(0, max(0, len(word) - 2)))
    if kind == "upper":
        return word.upper()
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "swap":
        return word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :]
    return word[:i] + word[i] + word[i:]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_over_generated_typos(data: st.DataObject) -> None:
    lines = ["name: reviewer", "description: Reviews code."]
    for field in data.draw(st.lists(st.sampled_from(ENUM_FIELDS), unique=True, max_size=3)):
        value = data.draw(st.sampled_from(SCHEMA.enum_values(field)))
        lines.append(f"{field}: {_typo(value, data) if data.draw(st.booleans()) else value}")
    tools = data.draw(st.lists(st.sampled_from(sorted(SCHEMA.tools_kept_in_background)), min_size=1, max_size=4))
    written = [_typo(t, data) if data.draw(st.booleans()) else t for t in tools]
    if data.draw(st.booleans()):
        lines.append("tools: " + ", ".join(written))
    else:
        lines.append("tools:\n" + "".join(f"  - {t}\n" for t in written).rstrip("\n"))
    text = "---\n" + "\n".join(lines) + "\n---\nBody\n"
    parsed = parse_agent(text)
    if parsed.mode is not ParseMode.STRICT:
        return  # a typo that happens to be YAML syntax is another test's business
    for finding in find_problems(parsed, CONTEXT):
        for fix in fixes_for(parsed, finding, CONTEXT):
            assert_property(text, finding, fix, CONTEXT)


_VALUE = st.text(alphabet=st.sampled_from(list("abc XY:#&*!|>%@`{}[]-,.'\\\"")), min_size=1, max_size=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_VALUE.map(str.strip).filter(bool))
def test_property_over_generated_fallback_values(value: str) -> None:
    text = f"---\nname: reviewer\ndescription: {value}\n---\nBody\n"
    parsed = parse_agent(text)
    for finding in find_problems(parsed, CONTEXT):
        if finding.code != "yaml-fallback":
            continue
        for fix in fixes_for(parsed, finding, CONTEXT):
            fixed = assert_property(text, finding, fix, CONTEXT)
            if fix.preferred:  # quoting keeps exactly what Claude Code's retry read
                assert parse_agent(fixed).data == parsed.data


# ---- LSP shape -----------------------------------------------------------------------------------
def _actions(
    text: str, request: types.Range, *, sent: list[types.Diagnostic] | None = None, only: list[str] | None = None
) -> list[types.CodeAction]:
    parsed = parse_agent(text)
    mapper = PositionMapper(parsed.index, "utf-16")
    return _without_suppressions(code_actions(
        parsed, find_problems(parsed, CONTEXT), CONTEXT, uri="file:///a.md", mapper=mapper, request=request,
        sent=sent or [], only=only,
    ))  # fmt: skip


def _without_suppressions(actions: list[types.CodeAction]) -> list[types.CodeAction]:
    """The actions that fix (every finding also gets "Ignore … (agent-lsp only)", tested in tests/checks)."""
    return [a for a in actions if not a.title.endswith("(agent-lsp only)")]


def _range(line: int, start: int, end: int) -> types.Range:
    return types.Range(types.Position(line, start), types.Position(line, end))


def test_quick_fixes_attach_to_the_sent_diagnostic_and_only_in_range() -> None:
    text = HEAD + "model: sonet\ncolor: Blue\n---\nBody\n"
    sent = types.Diagnostic(range=_range(3, 7, 12), message="m", code="unknown-model", source="agent-lsp")
    actions = _actions(text, _range(3, 8, 8), sent=[sent], only=["quickfix"])
    assert [a.title for a in actions] == ["Change to `sonnet`"]
    assert actions[0].diagnostics == [sent]
    assert actions[0].kind == types.CodeActionKind.QuickFix and actions[0].is_preferred
    assert actions[0].edit is not None and actions[0].edit.changes is not None
    (edit,) = actions[0].edit.changes["file:///a.md"]
    assert (edit.range, edit.new_text) == (_range(3, 7, 12), "sonnet")


def test_only_filters_kinds_and_fix_all_is_offered() -> None:
    text = HEAD + "model: sonet\n---\nBody\n"
    assert _actions(text, _range(0, 0, 0), only=["quickfix"]) == []  # nothing on line 0
    (fix_all_action,) = _actions(text, _range(0, 0, 0), only=["source.fixAll"])
    assert fix_all_action.kind == types.CodeActionKind.SourceFixAll
    assert {a.kind for a in _actions(text, _range(3, 0, 0), only=["source"])} == {types.CodeActionKind.SourceFixAll}
    assert _actions(HEAD + "---\nBody\n", _range(0, 0, 0)) == []


def test_fix_positions_after_emoji_in_utf16() -> None:
    text = HEAD + "color: Blue  # 😀\n---\nBody\n"
    text = text.replace("Reviews code.", "Reviews 😀 code.")
    parsed = parse_agent(text)
    findings = find_problems(parsed, CONTEXT)
    actions = code_actions(
        parsed,
        findings,
        CONTEXT,
        uri="u",
        mapper=PositionMapper(parsed.index, "utf-16"),
        request=_range(3, 0, 20),
        only=["quickfix"],
    )
    (action,) = _without_suppressions(actions)
    assert action.edit is not None and action.edit.changes is not None
    assert action.edit.changes["u"][0].range == _range(3, 7, 11)

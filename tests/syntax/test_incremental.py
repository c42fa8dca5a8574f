"""What an edit reuses from the version before, and that reusing never changes an answer.

- the YAML 1.2 resolver's fast path gives the tags PyYAML's generic resolver gives;
- `parse_agent(text, previous)` (block by block, reusing `previous`'s unchanged blocks)
  reads exactly what `parse_agent(text)` (the whole text at once) reads: mode, values,
  fields, errors, every node's position and every finding;
- the results kept with a block (a field's findings, a tools list's entries) and with a
  version (checked quick fixes, the fix-all edit) are replayed only while what they were
  computed from is unchanged.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from agent_lsp.checks.findings import AgentContext
from agent_lsp.checks.validate import find_problems
from agent_lsp.features.actions import _fix_all_edit, code_actions, fix_all, fixes_for
from agent_lsp.features.analysis import AnalysisCache
from agent_lsp.syntax import yaml12
from agent_lsp.syntax.frontmatter import MAX_BLOCKS, ParsedAgent, ParseMode, parse_agent
from agent_lsp.syntax.text import PositionMapper, Span
from agent_lsp.syntax.tools import tool_entries

BOUNDED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
AGENT = AgentContext(path="/p/.claude/agents/reviewer.md")
CONTEXTS = (
    AGENT,
    AgentContext(path="/p/plugin/agents/reviewer.md", plugin=True),
    AgentContext(path="/p/.claude/skills/go/SKILL.md", kind="skill"),
    AgentContext(path="/p/.claude/commands/go.md", kind="command"),
)
LONG = (
    "---\nname: reviewer\ndescription: Reviews code\nmodel: opus\ncolor: blue\npermissionMode: default\n"
    "tools:\n  - Read\n  - Grpe\n  - Bash(git diff *)\n  - mcp__github__*\n  - ExitPlanMode\n"
    "disallowedTools: Write, Edit\n"
    "hooks:\n  Stop:\n    - hooks:\n        - type: command\n          command: ./stop.sh\n"
    "mcpServers:\n  - github\n  - local:\n      command: ./server\n---\nYou review code.\n"
)


# ---- the resolver -------------------------------------------------------------------------------
_reference = yaml12._Composer("")  # any composer: only its resolver is used


def _reference_tag(value: str, plain: bool) -> str:
    return str(BaseResolver.resolve(_reference, ScalarNode, value, (plain, not plain)))


_NUMBERISH = st.from_regex(r"[-+]?(0[ox])?[0-9a-fA-F._eE+-]{0,6}(inf|Inf|INF|nan|NaN|NAN)?\n?", fullmatch=True)
_WORDS = st.sampled_from(
    ["", "~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRUE", "false", "yes", "no", "on", "off",
     ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "0o17", "0o8", "0x1F", "0xG", "1_000", "1:30", "1e3", "1.", ".5",
     "1.5e-3", "-", "+", ".", "0b101", "true\n", "1\n", "null\n"]
)  # fmt: skip


@BOUNDED
@given(st.one_of(_WORDS, _NUMBERISH, st.text(max_size=12)), st.booleans())
def test_fast_resolver_agrees_with_pyyamls_resolver(value: str, plain: bool) -> None:
    assert _reference.resolve(ScalarNode, value, (plain, not plain)) == _reference_tag(value, plain)


def test_fast_resolver_keeps_yaml_1_2_core_tags_and_collections() -> None:
    resolve = _reference.resolve
    assert [resolve(ScalarNode, v, (True, False)) for v in ("yes", "0777", "0o17", ".nan", "~")] == [
        yaml12.STR_TAG,
        yaml12.INT_TAG,
        yaml12.INT_TAG,
        yaml12.FLOAT_TAG,
        yaml12.NULL_TAG,
    ]
    assert resolve(ScalarNode, "true", (False, True)) == yaml12.STR_TAG  # quoted
    assert resolve(SequenceNode, None, True) == yaml12.SEQ_TAG
    assert resolve(MappingNode, None, True) == yaml12.MAP_TAG


# ---- expanded size ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [1, 2, {c: d}]\n",
        "a: &x [1, 2]\nb: *x\nc: *x\n",
        "a: &x [1, &y {k: v}]\nb: [*x, *y]\n",
        "&a [*a]\n",  # a cycle: too deep once expanded
        "x: " + "[" * 150 + "]" * 150 + "\n",
    ],
)
def test_tree_size_shortcut_agrees_with_the_memoised_walk(text: str) -> None:
    node = yaml12.compose(text)
    assert node is not None
    try:
        expected: int | str = yaml12._dag_size(node, yaml12.MAX_EXPANDED_NODES)
    except yaml12.YamlTooComplex as error:
        expected = str(error)
    try:
        got: int | str = yaml12.expanded_size(node)
    except yaml12.YamlTooComplex as error:
        got = str(error)
    assert got == expected


def test_tree_size_shortcut_respects_the_limit() -> None:
    node = yaml12.compose("[" + ", ".join(["a"] * 20) + "]")
    assert node is not None
    assert yaml12._tree_size(node, 21) == 21
    assert yaml12._tree_size(node, 20) is None
    with pytest.raises(yaml12.YamlTooComplex, match="more than 20 nodes"):
        yaml12.expanded_size(node, 20)


# ---- block by block reads what the whole text reads ------------------------------------------------
def _nodes(parsed: ParsedAgent, node: Node, out: list[Any]) -> list[Any]:
    style = getattr(node, "style", None) or None  # libyaml says "" for plain, PyYAML None
    value = node.value if isinstance(node, ScalarNode) else None
    out.append((type(node).__name__, node.tag, value, style, getattr(node, "flow_style", None), parsed.node_span(node)))
    if isinstance(node, SequenceNode):
        for child in node.value:
            _nodes(parsed, child, out)
    elif isinstance(node, MappingNode):
        for key, child in node.value:
            _nodes(parsed, key, out)
            _nodes(parsed, child, out)
    return out


def _findings(parsed: ParsedAgent, context: AgentContext) -> list[Any]:
    return [(f.code, f.span, f.message, f.severity, f.data) for f in find_problems(parsed, context)]


def assert_same_reading(whole: ParsedAgent, blocks: ParsedAgent) -> None:
    assert blocks.mode is whole.mode
    assert repr(blocks.data) == repr(whole.data)  # repr: NaN != NaN
    fields = [(f.key, f.key_span, f.value_span, repr(f.value)) for f in whole.fields.values()]
    assert [(f.key, f.key_span, f.value_span, repr(f.value)) for f in blocks.fields.values()] == fields
    assert [(f.key, f.key_span) for f in blocks.duplicates] == [(f.key, f.key_span) for f in whole.duplicates]
    assert (blocks.syntax_error, blocks.fallback_error) == (whole.syntax_error, whole.fallback_error)
    assert blocks.not_a_mapping == whole.not_a_mapping
    if whole.root is not None and blocks.root is not None:
        assert _nodes(blocks, blocks.root, []) == _nodes(whole, whole.root, [])
    for context in CONTEXTS:
        assert _findings(blocks, context) == _findings(whole, context)


LINES = [
    "name: reviewer", "description: d", "tools: Read, Grpe", "tools:", "- Read", "  - Bash(git *)", "  - Task",
    "model: opus", "color: blue", "color: blux", "permissionMode: plan", "hooks:", "  Stop:", "    - hooks:",
    "        - type: command", "          command: x", "  Stpo: []", "mcpServers:", "  - github", "  - s:",
    "      command: y", "      type: 3", "a: &x [1, 2]", "b: *x", "c: 'two", "  lines'", "d: [1,", "2]", "e: |",
    "  text", "", "# comment", "  # comment", "\t# tab", "\t", "f: >-", "   folded", "g: x: y", "h: a # c",
    "true: 1", "True: 2", "null: n", "i: 0o17", "j: .inf", "? complex", ": value", "k:", "  l: 1", "  l: 2",
    "- top", "m: \"q\\", "n: `t`", "o: a\rp: b", "...", "--- x", "%TAG ! x", "q: *undefined", "r: &y", " s: 1",
    "background: yes", "skills: [a]", "argument-hint: [x]", "agent: Plan", "context: fork", "\ufeffu: 1",
    "v: a\u2028w: b", "name: again",
]  # fmt: skip
_VARIABLE = ["k{}: v", "k{}:", "k{}: [a, b]", "k{}: {{a: 1}}", "k{}: |\n  t", "k{}:\n  - x\n  - y", "k{}:\n- z"]
_line = st.one_of(
    st.sampled_from(LINES),
    st.builds(lambda form, n: form.format(n), st.sampled_from(_VARIABLE), st.integers(0, 50)),
)


@st.composite
def _versions(draw: st.DrawFn) -> tuple[str, str]:
    """Two versions of one file: the second is the first after a few line edits."""
    lines = draw(st.lists(_line, max_size=14))
    edited = list(lines)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(edited)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "splice"]))
        if action == "insert" or not edited:
            edited.insert(at, draw(_line))
            continue
        at = min(at, len(edited) - 1)
        if action == "delete":
            del edited[at]
        elif action == "replace":
            edited[at] = draw(_line)
        else:
            col = draw(st.integers(0, len(edited[at])))
            piece = draw(st.sampled_from(["x", " ", ":", "'", "\t", "#", "-", "\r"]))
            edited[at] = edited[at][:col] + piece + edited[at][col:]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    body = draw(st.sampled_from(["Body", "", "  "]))

    def text(lines: list[str]) -> str:
        return newline.join(["---", *lines, "---", body, ""])

    return text(lines), text(edited)


@BOUNDED
@given(_versions())
def test_reading_block_by_block_reads_what_the_whole_text_reads(versions: tuple[str, str]) -> None:
    before, after = versions
    previous = parse_agent(before, parse_agent(before))
    for context in CONTEXTS:
        find_problems(previous, context)  # fills the blocks' memos at the old positions
    assert_same_reading(parse_agent(after), parse_agent(after, previous))
    # And from a version that was read whole (the first edit after opening a file).
    assert_same_reading(parse_agent(after), parse_agent(after, parse_agent(before)))


@pytest.mark.parametrize(
    "text",
    [
        "---\n# a\rb: 1\nc: 2\n---\n",  # a lone CR breaks the comment line: `b` is a key
        "---\n\t# c\nname: x\n---\n",  # a tab before a comment at the start is an error
        "---\nname: x\n...\nb: 2\n---\n",  # a second document
        "---\nname: x\r...\nb: 2\n---\n",
        "---\na: &x 1\nb: *x\n---\n",  # an alias to an earlier block
        "---\na: 'x\nb: y'\n---\n",  # a quoted value across a key-like line
        "---\ntrue: 1\nTrue: 2\n---\n",  # keys that read the same keep the first value
        "---\nname: x\nname: y\n---\n",
        '---\nname: x\ndescription: "a\u2028b: c"\n---\n',
        "---\n- a\nname: x\n---\n",
    ],
)
def test_tricky_block_boundaries(text: str) -> None:
    assert_same_reading(parse_agent(text), parse_agent(text, parse_agent(text)))
    assert_same_reading(parse_agent(text), parse_agent(text, parse_agent(text, parse_agent(text))))


def test_hostile_documents_read_the_same_from_a_previous_version() -> None:
    head = "---\nname: hostile\ndescription: d\n"
    bomb = "a0: &a0 [" + ", ".join(["lol"] * 9) + "]\n"
    bomb += "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9))
    texts = {
        "alias bomb": head + bomb + "---\n",
        "one block past the node limit": head + "tools: [" + "a," * 60_000 + "a]\n---\n",
        "blocks past the node limit together": head
        + "".join(f"k{i}: [{'a,' * 6_000}a]\n" for i in range(10))
        + "---\n",
        "too many blocks": head + "".join(f"k{i}: v\n" for i in range(MAX_BLOCKS + 5)) + "---\n",
    }
    for name, text in texts.items():
        whole = parse_agent(text)
        assert whole.mode is (ParseMode.STRICT if name == "too many blocks" else ParseMode.TOO_COMPLEX), name
        assert_same_reading(whole, parse_agent(text, parse_agent(head + "---\n")))


# ---- what is reused, and when it is not -----------------------------------------------------------
def test_an_edit_reuses_the_blocks_it_did_not_touch() -> None:
    first = parse_agent(LONG, parse_agent(LONG))
    edited = LONG.replace("color: blue", "color: bluey")
    second = parse_agent(edited, first)
    assert second.fields["tools"].node is first.fields["tools"].node
    assert second.fields["hooks"].value is first.fields["hooks"].value
    assert second.fields["color"].node is not first.fields["color"].node
    assert second.data is not None and second.data["color"] == "bluey"
    # The blocks after the edit moved by one character; their positions say so.
    tools = second.fields["tools"]
    assert tools.key_span.start == first.fields["tools"].key_span.start + 1
    assert edited[tools.value_span.start : tools.value_span.end].startswith("- Read")


def test_a_broken_version_keeps_the_blocks_for_the_next_one() -> None:
    first = parse_agent(LONG, parse_agent(LONG))
    broken = parse_agent(LONG.replace("color: blue", "color: 'blue"), first)
    assert broken.mode is ParseMode.FAILED
    fixed = parse_agent(LONG, broken)
    assert fixed.mode is ParseMode.STRICT
    assert fixed.fields["tools"].node is first.fields["tools"].node


def test_field_findings_are_replayed_at_the_blocks_new_place() -> None:
    first = parse_agent(LONG, parse_agent(LONG))
    before = find_problems(first, AGENT)
    moved = LONG.replace("description: Reviews code", "description: Reviews code and tests")
    second = parse_agent(moved, first)
    replayed = find_problems(second, AGENT)
    assert second.fields["tools"].node is first.fields["tools"].node
    assert _findings(second, AGENT) == _findings(parse_agent(moved), AGENT)
    typo = next(f for f in replayed if f.code == "unknown-tool")
    assert moved[typo.span.start : typo.span.end] == "Grpe"
    assert typo.span.start == next(f for f in before if f.code == "unknown-tool").span.start + len(" and tests")


def test_field_findings_follow_what_they_depend_on() -> None:
    first = parse_agent(LONG, parse_agent(LONG))
    assert "tool-unavailable" in [f.code for f in find_problems(first, AGENT)]  # ExitPlanMode
    # Another block (`permissionMode`) changes what the unchanged `tools` block means.
    plan = parse_agent(LONG.replace("permissionMode: default", "permissionMode: plan"), first)
    assert plan.fields["tools"].node is first.fields["tools"].node
    assert "tool-unavailable" not in [f.code for f in find_problems(plan, AGENT)]
    # So does the context: a plugin agent ignores `hooks` and `mcpServers`.
    plugin = CONTEXTS[1]
    assert _findings(first, plugin) == _findings(parse_agent(LONG), plugin)
    # And the block's own text.
    fixed = parse_agent(LONG.replace("Grpe", "Grep"), first)
    assert "unknown-tool" not in [f.code for f in find_problems(fixed, AGENT)]


def test_replayed_findings_are_fresh_objects() -> None:
    first = parse_agent(LONG, parse_agent(LONG))
    one = find_problems(first, AGENT)
    one[0].data["mutated"] = True
    two = find_problems(parse_agent(LONG, first), AGENT)
    assert "mutated" not in two[0].data


def test_tool_entries_of_a_moved_block_match_a_fresh_reading() -> None:
    first = parse_agent(LONG, parse_agent(LONG))
    tool_entries(first, first.fields["tools"].node)
    moved = "---\neffort: high\n" + LONG[4:]
    second = parse_agent(moved, first)
    fresh = parse_agent(moved)
    assert second.fields["tools"].node is first.fields["tools"].node
    for key in ("tools", "disallowedTools"):
        reused = tool_entries(second, second.fields[key].node)
        assert reused == tool_entries(fresh, fresh.fields[key].node)
        assert reused is not None and [moved[e.span.start : e.span.end] for e in reused] == [e.text for e in reused]


def test_the_analysis_cache_reads_a_new_version_from_the_last_one() -> None:
    cache = AnalysisCache()
    uri = "file:///p/.claude/agents/reviewer.md"
    first = cache.get(uri, 1, LONG)
    cache.get(uri, 2, LONG)  # read block by block from here on
    edited = LONG.replace("color: blue", "color: blux")
    third = cache.get(uri, 3, edited)
    assert third.parsed.fields["tools"].node is cache.get(uri, 3, edited).parsed.fields["tools"].node
    assert [f.code for f in third.findings] == [f.code for f in find_problems(parse_agent(edited), first.context)]
    assert "invalid-color" in [f.code for f in third.findings]
    assert "invalid-color" not in [f.code for f in cache.get(uri, 4, LONG).findings]


# ---- quick fixes kept per version --------------------------------------------------------------------
def _colour_fixes(text: str, previous: ParsedAgent | None = None) -> tuple[ParsedAgent, list[str]]:
    parsed = parse_agent(text, previous)
    findings = find_problems(parsed, AGENT)
    finding = next(f for f in findings if f.code == "invalid-color")
    return parsed, [fix.title for fix in fixes_for(parsed, finding, AGENT, findings)]


def test_checked_fixes_are_kept_per_version_and_follow_the_text() -> None:
    first, titles = _colour_fixes(LONG.replace("color: blue", "color: blux"))
    assert titles == ["Change to `blue`"]
    assert _colour_fixes(LONG.replace("color: blue", "color: blux"), first)[1] == titles
    assert _colour_fixes(LONG.replace("color: blue", "color: gren"), first)[1] == ["Change to `green`"]


def test_checked_fixes_depend_on_the_findings_they_are_judged_against() -> None:
    parsed = parse_agent(LONG.replace("color: blue", "color: blux"))
    finding = next(f for f in find_problems(parsed, AGENT) if f.code == "invalid-color")
    assert fixes_for(parsed, finding, AGENT)
    # With no finding of its code before, no fix can remove one: nothing is offered.
    assert fixes_for(parsed, finding, AGENT, []) == []
    assert fixes_for(parsed, finding, AGENT)


def test_code_actions_repeat_the_same_answer_for_a_version() -> None:
    text = LONG.replace("color: blue", "color: blux")
    parsed = parse_agent(text, parse_agent(LONG))
    findings = find_problems(parsed, AGENT)
    mapper = PositionMapper(parsed.index)
    line = text.split("\n").index("color: blux")
    request = types.Range(types.Position(line, 7), types.Position(line, 11))

    def ask() -> list[Any]:
        answer = code_actions(parsed, findings, AGENT, uri="file:///r.md", mapper=mapper, request=request)
        return [(a.title, a.kind, a.edit) for a in answer]

    first = ask()
    titles = [title for title, _, _ in first if not title.endswith("(agent-lsp only)")]  # suppressions: tests/checks
    assert titles == ["Change to `blue`", "Fix all agent-lsp problems that have a safe fix"]
    assert ask() == first


def test_fix_all_from_a_previous_version_matches_fix_all_from_scratch() -> None:
    text = LONG.replace("color: blue", "color: blux").replace("Grpe", "Grep").replace("Tools", "tools")
    text = text.replace("model: opus", "model: opsu\nTools: Read")
    parsed = parse_agent(text, parse_agent(LONG))
    assert fix_all(text, AGENT, parsed) == fix_all(text, AGENT)
    edit = _fix_all_edit(parsed, AGENT)
    assert edit is not None and edit is _fix_all_edit(parsed, AGENT)
    fixed = text[: edit.span.start] + edit.text + text[edit.span.end :]
    assert re.search(r"^color: blue$", fixed, re.M) and "model: opus" in fixed


# ---- smaller pieces -------------------------------------------------------------------------------------
_SPACES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028", "\u3000", "x", "\u200b"]


@BOUNDED
@given(st.text(alphabet=st.sampled_from(_SPACES)))
def test_body_is_blank_agrees_with_strip(body: str) -> None:
    parsed = parse_agent("---\nname: x\n---\n" + body)
    assert parsed.body_is_blank == (not parsed.body.strip())


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@BOUNDED
@given(st.lists(st.sampled_from(["---", "--- ", "---\t", "----", " ---", "a: 1", "", "-- -", "x---"]), max_size=8),
       st.sampled_from(["\n", "\r\n", "\r"]), st.sampled_from(["", "\n", "\r", "\r\n"]))  # fmt: skip
def test_the_closing_fence_is_the_first_later_line_starting_with_dashes(
    lines: list[str], newline: str, tail: str
) -> None:
    # Claude Code 2.1.328 closes at the first line after a `\n` that starts with `---` after optional
    # blanks, whatever follows (conformance cases agents/fence-close-*; agents/eol-cr-only never closes).
    text = newline.join(["---", *lines]) + tail
    first_end = _LINE_BREAK.search(text)
    expected: int | None = None
    if first_end is not None:
        for at in range(first_end.start(), len(text)):
            if text[at] != "\n":
                continue
            line = _LINE_BREAK.split(text[at + 1 :], maxsplit=1)[0]
            blanks = len(line) - len(line.lstrip(" \t"))
            if line[blanks:].startswith("---"):
                expected = at + 1 + blanks
                break
    parsed = parse_agent(text)
    if expected is None:
        assert parsed.close_span is None
    else:
        assert parsed.close_span == Span(expected, expected + 3)

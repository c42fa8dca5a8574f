"""Every rule in `agent_lsp.checks.rules`: produced on a plain string, at its exact range, with its severity,
suggestion and a message that says what Claude Code does."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from agent_lsp.checks.crossfile import CROSS_FILE_CODES
from agent_lsp.checks.manifest import MANIFEST_CODES
from agent_lsp.checks.rules import RULES, Severity
from agent_lsp.syntax.frontmatter import parse_agent
from agent_lsp.syntax.text import Span
from helpers_core import agent, codes, findings, marked, only, span_of

ALIAS_BOMB = "\n".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
)


@dataclass(frozen=True)
class Case:
    code: str
    text: str
    needle: str  # what the finding must mark (its `nth` occurrence in `text`)
    nth: int = 0
    replacement: str | None = None
    message: tuple[str, ...] = ()  # fragments the message must contain
    path: str | None = None
    plugin: bool = False
    kind: str = "agent"


SKILL_PATH = "/p/.claude/skills/deploy/SKILL.md"
CASES = [
    Case("no-frontmatter", "# Notes\nJust text.\n", "# Notes", message=("documentation",)),
    Case("unclosed-frontmatter", "---\nname: x\ndescription: d\n", "---", message=("never closed",)),
    Case(
        "yaml-syntax",
        "---\nname: x\ndescription: d\n\tcolor: red\n---\nBody\n",
        "\t",
        message=("Line 4 is indented with a tab", "skips the agent"),
    ),
    Case(
        "yaml-fallback",
        agent("model: sonnet").replace("Reviews code when asked", "Use it: when asked"),
        "Use it: when asked",
        message=("quoting the value itself", "Quote the value"),
    ),
    Case("yaml-too-complex", f"---\n{ALIAS_BOMB}\n---\nBody\n", "---", message=("too large",)),
    Case("frontmatter-not-mapping", "---\n- a\n- b\n---\nBody\n", "- a\n- b", message=("skips the agent",)),
    # The earlier value is the one Claude Code ignores (conformance case agents/dup-name-twice).
    Case("duplicate-key", agent("name: other"), "name", nth=0, message=("set twice", "set again on line 4")),
    Case("missing-name", "---\ndescription: d\n---\nBody\n", "---", message=("no `name`", "documentation")),
    Case("invalid-name", "---\nname: -helper\ndescription: d\n---\nBody\n", "-helper", replacement="helper"),
    Case("name-style", "---\nname: My Helper\ndescription: d\n---\nBody\n", "My Helper", replacement="my-helper"),
    Case(
        "name-file-mismatch",
        agent(),
        "helper",
        path="/p/.claude/agents/reviewer.md",
        message=("`helper`", "`reviewer.md`"),
    ),
    Case("missing-description", "---\nname: x\n---\nBody\n", "---", message=("no `description`", "skips")),
    Case("unknown-key", agent("colour: red"), "colour", replacement="color", message=("ignores it", "`color`")),
    Case("unknown-model", agent("model: 5"), "5", message=("not a model name", "session's model")),
    Case(
        "invalid-permission-mode",
        agent("permissionMode: acceptedits"),
        "acceptedits",
        replacement="acceptEdits",
        message=("drops the field",),
    ),
    Case("invalid-max-turns", agent("maxTurns: 0"), "0", message=("at least 1", "drops the field")),
    Case("invalid-skills", agent("skills: 5"), "5", message=("drops the field",)),
    Case("invalid-mcp-server", agent("mcpServers:\n  - github\n  - 5"), "5", message=("drops it",)),
    Case(
        "invalid-hooks",
        agent("hooks:\n  PreToolUs:\n    - matcher: Bash\n      hooks:\n        - type: command\n          command: x"),
        "PreToolUs",
        replacement="PreToolUse",
        message=("not a hook event", "ignores it", "Did you mean `PreToolUse`?"),
    ),
    Case("invalid-memory", agent("memory: projct"), "projct", replacement="project"),
    Case(
        "invalid-background",
        agent("background: yes"),
        "yes",
        replacement="true",
        message=("YAML 1.2", "drops the field"),
    ),
    Case("invalid-effort", agent("effort: hgh"), "hgh", replacement="high"),
    Case("invalid-isolation", agent("isolation: docker"), "docker", message=("`worktree`",)),
    Case("invalid-color", agent("color: Blue"), "Blue", replacement="blue", message=("drops the field",)),
    Case("invalid-initial-prompt", agent("initialPrompt: [a, b]"), "[a, b]", message=("expected text",)),
    Case("invalid-tools", agent("tools: 5"), "5", message=("comma-separated",)),
    Case("unknown-tool", agent("tools: Read, Grpe, Glob"), "Grpe", replacement="Grep", message=("dropped",)),
    Case("retired-tool", agent("tools: Read, MultiEdit"), "MultiEdit", replacement="Edit", message=("dropped",)),
    Case("renamed-tool", agent("tools: Task, Read"), "Task", replacement="Agent", message=("still accepts",)),
    Case("tool-unavailable", agent("tools: Read, AskUserQuestion"), "AskUserQuestion", message=("every subagent",)),
    # CronCreate is removed from every subagent (conformance case agents/tools-croncreate); CronList is not.
    Case("foreground-only-tool", agent("tools: Read, CronList"), "CronList", message=("foreground",)),
    Case("mcp-wildcard-in-tools", agent("tools: Read, mcp__*"), "mcp__*", message=("disallowedTools",)),
    Case("invalid-tool-rule", agent("tools: Read, Bash(git"), "Bash(git", message=("unbalanced",)),
    Case(
        "legacy-tool-rule",
        agent("tools: Read, Bash(git:*)"),
        "Bash(git:*)",
        replacement="Bash(git *)",
        message=("`:*`",),
    ),
    Case("no-tools-resolve", agent("tools: Grpe, Raed"), "Grpe, Raed", message=("refuses to launch",)),
    Case("empty-tools", agent("tools: []"), "[]", message=("no tools at all",)),
    Case(
        "plugin-ignored-field",
        agent("permissionMode: plan"),
        "permissionMode",
        plugin=True,
        path="/p/agents/helper.md",
        message=("Plugin agents ignore `permissionMode`",),
    ),
    # Skills and commands (tests/checks/test_skills_commands.py covers them in depth).
    Case(
        "ignored-field",
        "---\nname: go\ndescription: d\n---\nBody\n",
        "name",
        path="/p/.claude/commands/deploy.md",
        kind="command",
        message=("ignores `name`",),
    ),
    Case(
        "invalid-value",
        "---\ndescription: d\ncontext: forked\n---\nBody\n",
        "forked",
        path=SKILL_PATH,
        kind="skill",
        replacement="fork",
        message=("`context: forked`", "no effect"),
    ),
    Case(
        "fork-only-field",
        "---\ndescription: d\nagent: Plan\n---\nBody\n",
        "agent",
        path=SKILL_PATH,
        kind="skill",
        message=("`context: fork`", "ignores `agent`"),
    ),
    Case(
        "never-invoked",
        "---\ndescription: d\ndisable-model-invocation: on\nuser-invocable: 0\n---\nBody\n",
        "0",
        nth=0,
        path=SKILL_PATH,
        kind="skill",
        message=("nobody can run this skill",),
    ),
    Case(
        "description-too-long",
        "---\ndescription: " + "d" * 1537 + "\n---\nBody\n",
        "d" * 1537,
        path=SKILL_PATH,
        kind="skill",
        message=("1,537 characters", "1,536"),
    ),
    Case("empty-body", agent(body=""), "---", nth=1, message=("body is empty",)),
    # Output styles and rules.
    Case(
        "plugin-only-field",
        "---\nname: Terse\nforce-for-plugin: true\n---\nBe brief.\n",
        "force-for-plugin",
        message=("ignores it",),
        path="/p/.claude/output-styles/terse.md",
        kind="output-style",
    ),
    Case(
        "foreign-key",
        "---\nglobs: src/**/*.ts\n---\nUse strict types.\n",
        "globs",
        message=("Cursor", "`paths:`"),
        path="/p/.claude/rules/types.md",
        kind="rule",
    ),
    Case(
        "invalid-glob",
        "---\npaths:\n  - src/**/*.{ts,tsx\n---\nUse strict types.\n",
        "src/**/*.{ts,tsx",
        message=("never closed",),
        path="/p/.claude/rules/types.md",
        kind="rule",
    ),
]

# Read errors come from the CLI's file reading (tests/test_check.py), never from text; cross-file
# findings need other files (tests/project/test_workspace_index.py); the JSON files' codes have their
# cases in tests/checks/test_manifest.py.
# Memory files' imports, AGENTS.md and rules' glob matches read the disk (tests/checks/test_instructions.py).
DISK_CODES = {
    "import-not-found",
    "import-not-text",
    "import-outside-project",
    "import-too-deep",
    "import-in-code",
    "agents-md-hidden",
    "glob-matches-nothing",
}
NOT_FROM_TEXT = {"unreadable-file", *CROSS_FILE_CODES, *DISK_CODES, *MANIFEST_CODES}


def test_every_rule_has_a_case() -> None:
    assert {c.code for c in CASES} | NOT_FROM_TEXT == set(RULES)


def test_rule_codes_are_stable_kebab_case_with_a_summary() -> None:
    for code, rule in RULES.items():
        assert code == rule.code
        assert code.replace("-", "").isalpha() and code == code.lower()
        assert rule.summary.endswith(".")


@pytest.mark.parametrize("case", CASES, ids=[c.code for c in CASES])
def test_rule(case: Case) -> None:
    finding = only(case.text, case.code, case.path, case.plugin, case.kind)
    assert finding.span == span_of(case.text, case.needle, case.nth), marked(case.text, finding)
    expected_severity = RULES[case.code].severity
    assert finding.severity is expected_severity
    assert finding.data["code"] == case.code
    if case.replacement is not None or "replacement" in finding.data:
        assert finding.data.get("replacement") == case.replacement
    for fragment in case.message:
        assert fragment in finding.message


# ---- names and descriptions --------------------------------------------------


@pytest.mark.parametrize(("name", "fixed"), [("-x", "x"), ("a:b", "a-b"), ("plugin:reviewer", "plugin-reviewer")])
def test_invalid_name_is_an_error_with_a_fix(name: str, fixed: str) -> None:
    text = f"---\nname: {name}\ndescription: d\n---\nBody\n" if ":" not in name else f"---\nname: '{name}'\n"
    text += "" if ":" not in name else "description: d\n---\nBody\n"
    finding = only(text, "invalid-name")
    assert finding.severity is Severity.ERROR
    assert finding.data["replacement"] == fixed
    assert "debug log" in finding.message


def test_name_no_is_a_valid_name() -> None:
    assert codes("---\nname: no\ndescription: d\n---\nBody\n") == []


@pytest.mark.parametrize(
    ("value", "needle"),
    [("12", "12"), ("true", "true"), ("[a, b]", "[a, b]"), ("{a: b}", "{a: b}"), ("''", "''"), ('"  "', '"  "')],
)
def test_non_string_or_blank_name_counts_as_missing(value: str, needle: str) -> None:
    text = f"---\nname: {value}\ndescription: d\n---\nBody\n"
    finding = only(text, "missing-name")
    assert finding.span == span_of(text, needle)
    assert finding.severity is Severity.ERROR


def test_empty_name_value_marks_the_key() -> None:
    text = "---\nname:\ndescription: d\n---\nBody\n"
    assert only(text, "missing-name").span == span_of(text, "name")


@pytest.mark.parametrize(
    ("value", "needle", "what"),
    [("42", "42", "non-text"), ("[a]", "[a]", "non-text"), ('""', '""', "empty"), ("false", "false", "non-text")],
)
def test_non_string_or_empty_description_counts_as_missing(value: str, needle: str, what: str) -> None:
    text = f"---\nname: x\ndescription: {value}\n---\nBody\n"
    finding = only(text, "missing-description")
    assert finding.span == span_of(text, needle)
    assert what in finding.message
    assert finding.severity is Severity.ERROR


def test_empty_frontmatter_misses_both_fields_at_the_opening_fence() -> None:
    text = "---\n---\nBody\n"
    found = findings(text)
    assert sorted(f.code for f in found) == ["missing-description", "missing-name"]
    assert all(f.span == Span(0, 3) for f in found)


def test_missing_name_suggests_the_file_name() -> None:
    finding = only("---\ndescription: d\n---\nBody\n", "missing-name", path="/p/.claude/agents/CodeReviewer.md")
    assert finding.data["suggestedName"] == "code-reviewer"
    assert "`name: code-reviewer`" in finding.message


def test_escaped_newline_in_description_is_accepted() -> None:
    text = "---\nname: helper\ndescription: Reviews code.\\n\\nUse after edits.\n---\nBody\n"
    assert codes(text) == []


def test_name_matching_the_file_gives_no_hint() -> None:
    assert codes(agent(), path="/p/.claude/agents/helper.md") == []


# ---- YAML 1.2 ----------------------------------------------------------------


@pytest.mark.parametrize(("word", "fix"), [("yes", "true"), ("no", "false"), ("on", "true"), ("off", "false")])
def test_yaml_1_1_booleans_are_invalid_background(word: str, fix: str) -> None:
    text = agent(f"background: {word}")
    finding = only(text, "invalid-background")
    assert finding.span == span_of(text, word, 0 if word not in text[: text.index("background")] else 1)
    assert finding.data["replacement"] == fix


@pytest.mark.parametrize("word", ["true", "false"])
def test_real_booleans_are_valid_background(word: str) -> None:
    assert codes(agent(f"background: {word}")) == []


# ---- frontmatter structure ---------------------------------------------------


def test_bom_before_the_fence() -> None:
    text = "\ufeff" + agent("color: gold")
    finding = only(text, "invalid-color")
    assert finding.span == span_of(text, "gold")
    assert only("\ufeff# Notes\n", "no-frontmatter").span == Span(1, 8)
    assert only("\ufeff---\nname: x\n", "unclosed-frontmatter").span == Span(1, 4)


def test_crlf_ranges() -> None:
    text = agent("tools: Read, Grpe", "color: gold").replace("\n", "\r\n")
    assert [(f.code, marked(text, f)) for f in findings(text)] == [("unknown-tool", "Grpe"), ("invalid-color", "gold")]


def test_crlf_fallback_and_duplicate() -> None:
    # The quoting retry does nothing on CRLF lines: Claude Code skips the file
    # (conformance case agents/eol-crlf-colon-description); with LF endings it loads.
    text = "---\r\nname: x\r\ndescription: a: b\r\n---\r\nBody\r\n"
    finding = only(text, "yaml-syntax")
    assert finding.severity is Severity.ERROR and "CRLF" in finding.message
    lf = text.replace("\r\n", "\n")
    assert marked(lf, only(lf, "yaml-fallback")) == "a: b"
    dup = "---\r\nname: x\r\nname: y\r\ndescription: d\r\n---\r\nBody\r\n"
    assert only(dup, "duplicate-key").span == span_of(dup, "name", 0)


def test_tab_indented_key_is_a_syntax_error_on_its_line() -> None:
    text = "---\nname: x\ndescription: d\n\ttools: Read\n---\nBody\n"
    finding = only(text, "yaml-syntax")
    assert finding.span == span_of(text, "\t")  # the tab itself, named
    assert "Line 4 is indented with a tab" in finding.message


def test_tab_inside_a_value_is_not_a_problem() -> None:
    assert codes(agent("color: red").replace("Reviews code", "Reviews\tcode")) == []


def test_each_duplicate_is_marked_and_the_last_value_wins() -> None:
    # Claude Code loads the agent with the last value (conformance cases agents/dup-model-twice and
    # agents/dup-*): the earlier occurrence is the one marked, as a warning.
    text = agent("color: red", "color: blue", "model: opus", "model: haiku")
    found = findings(text)
    assert [(f.code, marked(text, f), f.severity) for f in found] == [
        ("duplicate-key", "color", Severity.WARNING),
        ("duplicate-key", "model", Severity.WARNING),
    ]
    assert found[0].span == span_of(text, "color", 0)
    assert found[1].span == span_of(text, "model", 0)
    assert found[0].data["key"] == "color"
    assert parse_agent(text).data["model"] == "haiku"


def test_unclosed_frontmatter_reports_nothing_else() -> None:
    assert codes("---\nname: x\ncolor: gold\ntools: Grpe\n") == ["unclosed-frontmatter"]


def test_non_mapping_frontmatter_scalar() -> None:
    text = "---\njust words\n---\nBody\n"
    assert only(text, "frontmatter-not-mapping").span == span_of(text, "just words")


def test_readme_without_frontmatter_is_silent() -> None:
    assert codes("# Agents\n\nThe agents of this project.\n", path="/p/.claude/agents/README.md") == []


# ---- the quoting retry -------------------------------------------------------


def test_fallback_is_a_warning_per_rewritten_line_with_the_quoted_form() -> None:
    text = "---\nname: x\ndescription: Use it: when asked\nmodel: sonnet # best\ncolor: red\n---\nBody\n"
    found = findings(text)
    assert [(f.code, marked(text, f)) for f in found] == [
        ("yaml-fallback", "Use it: when asked"),
        ("unknown-model", "sonnet # best"),  # the retry quotes the comment into the value
        ("yaml-fallback", "sonnet # best"),
    ]
    assert found[0].severity is Severity.WARNING
    assert found[0].data["quoted"] == '"Use it: when asked"'
    assert found[0].data["key"] == "description"
    assert found[0].data["line"] == 2


def test_fallback_then_rules_still_run_on_the_loaded_fields() -> None:
    text = "---\nname: x\ndescription: Use it: when asked\ncolor: gold\ntools: Read, Grpe\n---\nBody\n"
    assert [(f.code, marked(text, f)) for f in findings(text)] == [
        ("yaml-fallback", "Use it: when asked"),
        ("invalid-color", "gold"),
        ("unknown-tool", "Grpe"),
    ]


def test_retry_failure_is_an_error_at_the_retry_position_with_a_continuation_hint() -> None:
    text = (
        "---\nname: x\ndescription: Use this agent when asked. Examples: <example>\n"
        "Context: a user asks\nuser: please review\n</example>\n---\nBody\n"
    )
    finding = only(text, "yaml-syntax")
    assert finding.severity is Severity.ERROR
    # `Context:` and `user:` read as keys; `</example>` is where the retry's mapping breaks.
    assert finding.span == span_of(text, "</example>")
    assert "Invalid YAML on line 6" in finding.message
    assert "even with its quoting retry" in finding.message
    assert "line 4 starts at column 1" in finding.message  # `user:` inside the `<example>` continues the value
    assert finding.data["continuationLines"] == [3, 4, 5]
    assert [f.code for f in findings(text)] == ["yaml-syntax"]


def test_strict_failure_without_rewritable_lines_is_an_error_at_the_strict_position() -> None:
    text = "---\nname: x\ndescription: [unclosed\n---\nBody\n"
    # `[unclosed` holds `[`, so it is rewritten and loads:
    assert codes(text) == ["yaml-fallback"]
    broken = "---\nname: x\ndescription: d\ntools:\n  - Read\n - Grep\n---\nBody\n"
    finding = only(broken, "yaml-syntax")
    assert finding.severity is Severity.ERROR
    assert broken.count("\n", 0, finding.span.start) == 5


def test_retry_rescued_file_with_a_later_duplicate_loads() -> None:
    # Conformance case agents/retry-colon-and-dup: the retry's result may repeat a key; the last wins.
    text = "---\nname: x\ndescription: a: b\nuser: one\nuser: two\n---\nBody\n"
    found = findings(text)
    assert [f.code for f in found] == ["yaml-fallback", "duplicate-key", "unknown-key"]
    assert found[1].span == span_of(text, "user", 0)


# ---- tools -------------------------------------------------------------------


def test_one_bad_entry_among_good_ones_marks_only_that_entry() -> None:
    text = agent("tools: Read, Grpe, Glob")
    finding = only(text, "unknown-tool")
    assert finding.span == span_of(text, "Grpe")
    assert finding.data["replacement"] == "Grep"
    assert "Did you mean `Grep`?" in finding.message


@pytest.mark.parametrize(
    "value",
    ['"Read, Grpe, Glob"', "'Read, Grpe, Glob'", "Read,Grpe,Glob", "Read Grpe Glob", "[Read, Grpe, Glob]"],
)
def test_tool_entry_range_in_other_spellings(value: str) -> None:
    text = agent(f"tools: {value}")
    assert only(text, "unknown-tool").span == span_of(text, "Grpe")


def test_tool_entry_range_in_a_block_list() -> None:
    text = agent("tools:\n  - Read\n  - Grpe\n  - Glob")
    assert only(text, "unknown-tool").span == span_of(text, "Grpe")


def test_specifiers_with_spaces_and_commas_are_one_entry() -> None:
    assert codes(agent("tools: Read, Bash(npm run test *), WebFetch(domain:example.com), Edit(src/a,b.py)")) == []


def test_unknown_tool_inside_a_rule_marks_only_the_name() -> None:
    text = agent("tools: Read, Bsh(npm test)")
    finding = only(text, "unknown-tool")
    assert finding.span == span_of(text, "Bsh")
    assert finding.data["replacement"] == "Bash"


def test_unknown_tool_far_from_any_has_no_suggestion() -> None:
    finding = only(agent("tools: Read, Zzzzzzzz"), "unknown-tool")
    assert finding.data["replacement"] is None
    assert "Did you mean" not in finding.message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("MultiEdit", "Edit"),
        ("LS", "Glob"),
        ("NotebookRead", "Read"),
        ("BashOutput", "Read"),
    ],
)
def test_retired_tools(old: str, new: str) -> None:
    text = agent(f"tools: Read, {old}")
    finding = only(text, "retired-tool")
    assert finding.span == span_of(text, old)
    assert finding.data["replacement"] == new
    assert finding.severity is Severity.WARNING


def test_kill_shell_is_an_old_name_of_task_stop() -> None:
    # Conformance case agents/tools-killshell: the subagent gets TaskStop.
    text = agent("tools: KillShell")
    finding = only(text, "renamed-tool")
    assert finding.data["replacement"] == "TaskStop"
    assert "no-tools-resolve" not in codes(text)


def test_retired_tools_alone_resolve_to_nothing() -> None:
    text = agent("tools: MultiEdit, LS")
    assert codes(text) == ["retired-tool", "no-tools-resolve", "retired-tool"]
    assert only(text, "no-tools-resolve").severity is Severity.ERROR


def test_task_alone_still_resolves() -> None:
    assert codes(agent("tools: Task")) == ["renamed-tool"]


@pytest.mark.parametrize(
    "value",
    ["mcp__github", "mcp__github__create_issue", "mcp__github__*", "mcp__my-server__do_thing", "Read, mcp__db"],
)
def test_mcp_forms_are_valid_tools(value: str) -> None:
    assert codes(agent(f"tools: {value}")) == []


def test_mcp_wildcard_is_only_for_disallowed_tools() -> None:
    assert codes(agent("disallowedTools: mcp__*")) == []
    assert codes(agent("tools: Read, mcp__*")) == ["mcp-wildcard-in-tools"]
    alone = agent("tools: mcp__*")
    assert codes(alone) == ["mcp-wildcard-in-tools", "no-tools-resolve"]


@pytest.mark.parametrize("value", ["mcp__", "mcp__a(b)"])
def test_malformed_mcp_entries(value: str) -> None:
    text = agent(f"tools: Read, {value}")
    assert only(text, "invalid-tool-rule").span == span_of(text, value)


def test_disallowed_tools_are_checked_but_never_need_to_resolve() -> None:
    text = agent("disallowedTools: Grpe")
    finding = only(text, "unknown-tool")
    assert "`disallowedTools` entry" in finding.message
    assert codes(text) == ["unknown-tool"]
    # Foreground-only or subagent-removed tools may be denied without comment.
    assert codes(agent("disallowedTools: AskUserQuestion, CronCreate")) == []


def test_no_tools_resolve_marks_the_whole_value() -> None:
    text = agent("tools:\n  - Grpe\n  - Raed")
    finding = only(text, "no-tools-resolve")
    assert finding.span == span_of(text, "- Grpe\n  - Raed")
    assert finding.severity is Severity.ERROR


def test_only_foreground_tools_is_a_warning_not_an_error() -> None:
    finding = only(agent("tools: CronList"), "no-tools-resolve")
    assert finding.severity is Severity.WARNING
    assert "foreground" in finding.message


def test_one_resolving_entry_is_enough() -> None:
    assert "no-tools-resolve" not in codes(agent("tools: Grpe, Read"))


def test_exit_plan_mode_is_kept_in_plan_mode() -> None:
    assert codes(agent("tools: Read, ExitPlanMode")) == ["tool-unavailable"]
    assert codes(agent("tools: Read, ExitPlanMode", "permissionMode: plan")) == []


@pytest.mark.parametrize("value", ["5", "true", "{a: b}", "[Read, 5]", "[[Read]]"])
def test_tools_that_are_neither_text_nor_a_list_of_text(value: str) -> None:
    text = agent(f"tools: {value}")
    assert only(text, "invalid-tools").span == span_of(text, value)


@pytest.mark.parametrize("value", ["[]", "''", ""])
def test_empty_tools(value: str) -> None:
    text = agent(f"tools: {value}")
    assert codes(text) == ["empty-tools"]


def test_legacy_and_modern_rules() -> None:
    assert codes(agent("tools: Bash(git *)")) == []
    finding = only(agent("tools: Bash(git:*)"), "legacy-tool-rule")
    assert finding.severity is Severity.HINT
    assert finding.data["replacement"] == "Bash(git *)"


@pytest.mark.parametrize("entry", ["Bash(", "Bash(git", "Read)"])
def test_malformed_rules(entry: str) -> None:
    text = agent(f"tools: Read, {entry}")
    assert only(text, "invalid-tool-rule").span == span_of(text, entry)


# ---- other values ------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["sonnet", "opus", "haiku", "fable", "inherit", "claude-opus-4-5", "claude-sonnet-4.5"]
)
def test_valid_models(model: str) -> None:
    assert codes(agent(f"model: {model}")) == []


def test_empty_parentheses_name_the_bare_tool() -> None:
    # Conformance case agents/tools-bash: `Bash()` spawns with Bash.
    assert codes(agent("tools: Read, Bash()")) == []


def test_disallowing_every_listed_tool_leaves_none() -> None:
    # Conformance case agents/tools-combo-disallowed-all-listed: spawned with no tools, no refusal.
    text = agent("tools: Read, Grep", "disallowedTools: Grep, Read")
    assert only(text, "empty-tools").span == span_of(text, "Read, Grep")
    assert codes(agent("tools: Read, Grep", "disallowedTools: Grep")) == []


def test_star_is_every_tool() -> None:
    # Conformance case agents/tools-star: `tools: *` spawns with every tool.
    assert codes(agent("tools: '*'")) == []


def test_grep_and_glob_beside_bash_are_dropped() -> None:
    # Conformance cases agents/tools-combo-search-with-bash and agents/tools-combo-tools-and-disallowed.
    text = agent("tools: Read, Grep, Glob, Bash")
    assert [(f.code, marked(text, f)) for f in findings(text)] == [
        ("tool-unavailable", "Grep"),
        ("tool-unavailable", "Glob"),
    ]
    assert codes(agent("tools: Read, Grep, Bash", "disallowedTools: Bash")) == []


@pytest.mark.parametrize("model", ["Opus", "SONNET", "sonnet[1m]", "best", "opusplan", "claude-Opus-4-8"])
def test_aliases_in_any_case(model: str) -> None:
    # Conformance cases agents/model-opus-case, model-sonnet-list-1m, model-best, model-opusplan.
    assert codes(agent(f"model: {model}")) == []


@pytest.mark.parametrize(("model", "suggestion"), [("gpt-4o", None), ("sonnet-4", "sonnet")])
def test_unknown_model_text_is_information(model: str, suggestion: str | None) -> None:
    # Claude Code sends other text as written (conformance case agents/model-gpt-4): nothing is dropped.
    finding = only(agent(f"model: {model}"), "unknown-model")
    assert finding.severity is Severity.INFORMATION
    assert finding.data["replacement"] == suggestion


@pytest.mark.parametrize("model", ["5", "true", "[sonnet]"])
def test_a_model_that_is_not_text_is_dropped(model: str) -> None:
    # Conformance cases agents/model-123, model-true, model-list-sonnet: the session's model.
    assert only(agent(f"model: {model}"), "unknown-model").severity is Severity.WARNING


@pytest.mark.parametrize("color", ["red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan"])
def test_the_eight_colors(color: str) -> None:
    assert codes(agent(f"color: {color}")) == []


@pytest.mark.parametrize("color", ["gold", "magenta", "#ff0000", "indigo"])
def test_other_colors_are_dropped(color: str) -> None:
    text = agent(f"color: {color}" if not color.startswith("#") else f"color: '{color}'")
    finding = only(text, "invalid-color")
    assert finding.severity is Severity.WARNING
    assert "drops the field" in finding.message


@pytest.mark.parametrize("value", ["1", "50", "'5'"])  # quoted digits: agents/maxturns-quoted-5-quoted
def test_valid_max_turns(value: str) -> None:
    assert codes(agent(f"maxTurns: {value}")) == []


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "many"])
def test_invalid_max_turns(value: str) -> None:
    text = agent(f"maxTurns: {value}")
    assert only(text, "invalid-max-turns").span == span_of(text, value, text.count(value, 0, text.index("maxTurns")))


def test_valid_optional_fields_give_nothing() -> None:
    text = agent(
        "model: sonnet",
        "permissionMode: acceptEdits",
        "maxTurns: 20",
        "skills: [lint, test]",
        "memory: project",
        "background: true",
        "effort: high",
        "isolation: worktree",
        "color: cyan",
        "initialPrompt: Start by reading the diff.",
        "disallowedTools: Write",
        "tools: Read, Grep, Glob, Edit",
    )
    assert codes(text) == []


def test_mcp_servers_names_and_inline_definitions() -> None:
    good = agent("mcpServers:\n  - github\n  - playwright:\n      type: stdio\n      command: npx\n      args: [pw]")
    assert codes(good) == []
    not_list = agent("mcpServers:\n  github:\n    command: x")
    finding = only(not_list, "invalid-mcp-server")
    assert "must be a list" in finding.message


def test_unknown_key_marks_the_key_and_suggests() -> None:
    text = agent("max_turns: 3", "Tools: Read", "zzz: 1")
    found = [(f.code, marked(text, f), f.data["replacement"]) for f in findings(text)]
    assert found == [
        ("unknown-key", "max_turns", "maxTurns"),
        ("unknown-key", "Tools", "tools"),
        ("unknown-key", "zzz", None),
    ]


# ---- hooks -------------------------------------------------------------------

HOOK_OK = (
    "hooks:\n  PreToolUse:\n    - matcher: Bash\n      hooks:\n        - type: command\n          command: ./check.sh"
)


def test_valid_hooks() -> None:
    assert codes(agent(HOOK_OK)) == []


def test_hook_handler_missing_command() -> None:
    text = agent(HOOK_OK.replace("\n          command: ./check.sh", ""))
    finding = only(text, "invalid-hooks")
    assert finding.span == span_of(text, "type: command")
    assert "Missing `command`" in finding.message
    # Hooks of the wrong shape skip the whole agent (conformance case agents/hooks-handler-command-missing).
    assert finding.severity is Severity.ERROR
    assert "skips the whole agent" in finding.message


def test_hook_event_typo_marks_the_event_and_suggests() -> None:
    text = agent(HOOK_OK.replace("PreToolUse", "pretooluse"))
    finding = only(text, "invalid-hooks")
    assert finding.span == span_of(text, "pretooluse")
    assert finding.data["replacement"] == "PreToolUse"


def test_hooks_must_be_a_mapping() -> None:
    text = agent("hooks: [a]")
    assert only(text, "invalid-hooks").span == span_of(text, "[a]")


# ---- plugin agents -----------------------------------------------------------

PLUGIN_PATH = "/repo/my-plugin/agents/helper.md"


def test_plugin_agents_ignore_hooks_mcp_servers_and_permission_mode() -> None:
    text = agent("hooks: nonsense", "mcpServers: 5", "permissionMode: whatever", "color: red")
    found = findings(text, PLUGIN_PATH, plugin=True)
    assert [(f.code, marked(text, f)) for f in found] == [
        ("plugin-ignored-field", "hooks"),
        ("plugin-ignored-field", "mcpServers"),
        ("plugin-ignored-field", "permissionMode"),
    ]
    assert all(f.severity is Severity.WARNING for f in found)
    # Outside a plugin the same values are checked.
    assert codes(text) == ["invalid-hooks", "invalid-mcp-server", "invalid-permission-mode"]


def test_plugin_agent_without_name_loads_under_its_file_name() -> None:
    finding = only("---\ndescription: d\n---\nBody\n", "missing-name", PLUGIN_PATH, plugin=True)
    assert finding.severity is Severity.INFORMATION
    assert "file name" in finding.message


def test_plugin_agent_name_need_not_match_the_file() -> None:
    assert codes("---\nname: other\ndescription: d\n---\nBody\n", PLUGIN_PATH, plugin=True) == []


@pytest.mark.parametrize("name", ["README.md", "readme.md", "CHANGELOG.md", "CODE_OF_CONDUCT.md", "LICENSE.md"])
def test_documentation_beside_agents_gets_no_frontmatter_finding(name: str) -> None:
    # The same names the classifier treats as a collection's documentation (project/paths.py).
    assert "no-frontmatter" not in codes("# About these agents\n", f".claude/agents/{name}")
    assert "no-frontmatter" in codes("# About these agents\n", ".claude/agents/notes.md")

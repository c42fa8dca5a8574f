"""Skills (`SKILL.md`) and custom slash commands: kinds by path, their schemas, checks, completion, hover, fixes.

Everything runs on strings (plus a temporary folder where the layout on disk
matters: plugins are recognised by their `.claude-plugin/plugin.json`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.rules import RULES, Severity
from agent_lsp.checks.skill import flag_value
from agent_lsp.checks.validate import find_problems
from agent_lsp.features.actions import apply_edits, fix_all, fixes_for
from agent_lsp.features.analysis import AnalysisCache
from agent_lsp.features.complete import CompletionOptions, complete
from agent_lsp.features.hover import hover
from agent_lsp.project.index import ProjectView, WorkspaceIndex, build_index
from agent_lsp.project.paths import FileKind, document_kind, locate
from agent_lsp.schema.schemas import agent_schema, schema_for
from agent_lsp.syntax.frontmatter import ParseMode, parse_agent
from agent_lsp.syntax.text import PositionMapper

SKILL = AgentContext(path="/p/.claude/skills/deploy/SKILL.md", kind="skill")
COMMAND = AgentContext(path="/p/.claude/commands/deploy.md", kind="command")
REPO = Path(__file__).resolve().parents[2]


def check(text: str, context: AgentContext = SKILL) -> list[Finding]:
    return find_problems(parse_agent(text), context)


def found(text: str, context: AgentContext = SKILL) -> list[tuple[str, str, Severity]]:
    """(code, the text the finding covers, severity) for every finding."""
    return [(f.code, text[f.span.start : f.span.end], f.severity) for f in check(text, context)]


def skill(*lines: str, body: str = "Do the thing.\n") -> str:
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n" + body


# ---- kinds by path ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/p/.claude/skills/deploy/SKILL.md", FileKind.SKILL),
        ("/home/me/.claude/skills/deploy/SKILL.md", FileKind.SKILL),
        ("/p/apps/web/.claude/skills/deploy/SKILL.md", FileKind.SKILL),
        ("/p/.claude/commands/deploy.md", FileKind.COMMAND),
        ("/p/.claude/commands/frontend/component.md", FileKind.COMMAND),
        ("/p/.claude/agents/reviewer.md", FileKind.AGENT),
        ("C:\\p\\.claude\\skills\\deploy\\SKILL.md", FileKind.SKILL),
        # A skill's supporting files, and anything else, are not documents of ours.
        ("/p/.claude/skills/deploy/reference.md", None),
        ("/p/.claude/skills/deploy/README.md", None),
        ("/p/.claude/skills/deploy/docs/SKILL.md", None),
        ("/p/.claude/skills/SKILL.md", None),
        ("/p/.claude/CLAUDE.md", FileKind.MEMORY),
        ("/p/README.md", None),
        ("/p/.claude/commands/deploy.txt", None),
    ],
)
def test_kind_of_paths(path: str, kind: FileKind | None) -> None:
    assert document_kind(path) == (kind, False)


def test_plugin_layouts_are_recognised(tmp_path: Path) -> None:
    plugin = tmp_path / "my-plugin"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "my-plugin"}')
    assert document_kind(str(plugin / "skills" / "review" / "SKILL.md")) == (FileKind.SKILL, True)
    assert document_kind(str(plugin / "SKILL.md")) == (FileKind.SKILL, True)
    assert document_kind(str(plugin / "commands" / "deploy.md")) == (FileKind.COMMAND, True)
    assert document_kind(str(plugin / "commands" / "ops" / "deploy.md")) == (FileKind.COMMAND, True)
    assert document_kind(str(plugin / "agents" / "reviewer.md")) == (FileKind.AGENT, True)
    assert document_kind(str(plugin / "README.md")) == (None, False)
    assert document_kind(str(plugin / "skills" / "review" / "notes.md")) == (None, False)
    # Without a manifest (a collection, a marketplace's plugin without `plugin.json`), `SKILL.md` and a
    # `commands/` folder still say what a file is (issue 16); it just belongs to no plugin.
    assert document_kind(str(tmp_path / "other" / "skills" / "x" / "SKILL.md")) == (FileKind.SKILL, False)
    assert document_kind(str(tmp_path / "other" / "commands" / "x.md")) == (FileKind.COMMAND, False)


def test_skills_directory_plugin(tmp_path: Path) -> None:
    """A folder in `.claude/skills/` with a manifest is a plugin (`<name>@skills-dir`)."""
    root = tmp_path / ".claude" / "skills" / "my-tool"
    (root / ".claude-plugin").mkdir(parents=True)
    (root / ".claude-plugin" / "plugin.json").write_text("{}")
    assert document_kind(str(root / "SKILL.md")) == (FileKind.SKILL, False)
    assert document_kind(str(root / "skills" / "inner" / "SKILL.md")) == (FileKind.SKILL, True)
    assert document_kind(str(root / "agents" / "helper.md")) == (FileKind.AGENT, True)
    assert document_kind(str(root / "commands" / "go.md")) == (FileKind.COMMAND, True)


def test_the_one_classifier_tells_agents_from_skills() -> None:
    agent = locate("/p/.claude/agents/a.md")
    assert agent is not None and agent.kind is FileKind.AGENT
    skill = locate("/p/.claude/skills/deploy/SKILL.md")
    assert skill is not None and skill.kind is not FileKind.AGENT


def test_analysis_kind_and_is_agent() -> None:
    cache = AnalysisCache()
    text = skill("description: d", "shell: zsh")
    analysis = cache.get("file:///p/.claude/skills/deploy/SKILL.md", 1, text)
    assert analysis.kind is FileKind.SKILL and analysis.is_agent is False
    assert [f.code for f in analysis.findings] == ["invalid-value"]
    command = cache.get("file:///p/.claude/commands/go.md", 1, "Just do it.\n")
    assert command.kind is FileKind.COMMAND and command.findings == []
    agent = cache.get("file:///p/.claude/agents/a.md", 1, "---\nname: a\ndescription: d\n---\nB\n")
    assert agent.kind is FileKind.AGENT and agent.is_agent is True
    readme = cache.get("file:///p/.claude/skills/deploy/README.md", 1, "---\nnope: [\n")
    assert readme.kind is None and readme.is_agent is False and readme.findings == []


# ---- the schemas ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["skill", "command"])
def test_every_field_is_documented(kind: str) -> None:
    schema = schema_for(kind)
    assert schema.kind == kind and schema.required == []
    for name, prop in schema.properties.items():
        assert prop.get("markdownDescription"), name
        assert prop.get("examples"), name
        code = schema.ext(name).get("invalidCode")
        assert code in RULES, (name, code)
        for example in prop["examples"]:
            assert schema.validator(name).is_valid(example), (name, example)


@pytest.mark.parametrize("kind", ["skill", "command"])
def test_shared_definitions_match_the_agent_schema(kind: str) -> None:
    """Tools and hooks are defined once, in the agent schema; copies must not drift."""
    raw = json.loads((REPO / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
    agent = agent_schema().defs
    for name in ("builtinTool", "aliasTool", "retiredTool", "hooks", "hookEvent", "hookMatcherGroup", "hookHandler"):
        assert raw["$defs"][name] == agent[name], name


def test_command_schema_is_the_skill_schema_without_name_and_paths() -> None:
    skill_fields = set(schema_for("skill").field_names)
    command = schema_for("command")
    assert set(command.field_names) == skill_fields - {"name", "paths"}
    assert set(command.ignored_fields) == {"name", "paths"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("yes", True), ("ON", True), (1, True), ("1", True), ("No", False), (0, False), ("maybe", None)],
)
def test_flag_spellings(value: object, expected: bool | None) -> None:
    assert flag_value(value) is expected


# ---- parsing and findings -------------------------------------------------------------------
def test_clean_skill_and_command_have_no_findings() -> None:
    text = skill(
        "name: deploy",
        "description: Deploy the app to staging. Use when the user says ship it.",
        "argument-hint: '[environment]'",
        "disable-model-invocation: yes",
        "allowed-tools: Bash(git add *) Bash(git commit *), Read",
        "context: fork",
        "agent: Explore",
        "background: off",
        "model: opusplan",
        "effort: high",
        "shell: bash",
        "hooks:",
        "  PreToolUse:",
        "    - matcher: Bash",
        "      hooks:",
        "        - type: command",
        "          command: ./check.sh",
        "          once: true",
    )
    assert check(text) == []
    assert check(text.replace("name: deploy\n", ""), COMMAND) == []


def test_no_frontmatter() -> None:
    assert found("Deploy the app.\n") == [("missing-description", "Deploy the app.", Severity.INFORMATION)]
    assert check("Deploy the app.\n", COMMAND) == []  # the documented minimal command


def test_the_quoting_retry_applies_to_skills() -> None:
    text = skill("description: Deploys: to staging")
    parsed = parse_agent(text)
    assert parsed.mode is ParseMode.FALLBACK and parsed.data == {"description": "Deploys: to staging"}
    [finding] = check(text)
    assert (finding.code, text[finding.span.start : finding.span.end]) == ("yaml-fallback", "Deploys: to staging")
    assert "still loads the skill" in finding.message


def test_broken_yaml_loads_with_empty_metadata() -> None:
    text = skill('description: "unterminated', "allowed-tools: Read")
    [finding] = check(text)
    assert finding.code == "yaml-syntax" and finding.severity is Severity.ERROR
    assert "empty metadata" in finding.message and "skill" in finding.message
    [dup] = check(skill("description: a", "description: b"))
    # A repeated key keeps its last value (verified for agents: conformance case agents/dup-description-twice).
    assert dup.code == "duplicate-key" and "uses the last one" in dup.message


def test_skill_checks_do_not_apply_agent_rules() -> None:
    # No name needed, subagent-only tool rules do not apply, `AskUserQuestion` is fine in a skill.
    assert check(skill("description: d", "allowed-tools: AskUserQuestion Workflow")) == []
    assert found(skill("description: d", "permissionMode: plan")) == [
        ("unknown-key", "permissionMode", Severity.WARNING)
    ]


def test_missing_description_is_information() -> None:
    assert found(skill("name: deploy")) == [("missing-description", "---", Severity.INFORMATION)]
    assert found(skill("description: ''")) == [("missing-description", "''", Severity.INFORMATION)]


def test_ignored_field_in_a_command() -> None:
    text = skill("name: deploy", "description: d", "paths: src/**")
    assert found(text, COMMAND) == [
        ("ignored-field", "name", Severity.WARNING),
        ("ignored-field", "paths", Severity.WARNING),
    ]
    assert check(text) == []  # both are skill fields


def test_invalid_values() -> None:
    text = skill("description: d", "argument-hint: [issue]", "shell: zsh", "metadata: 3", "user-invocable: maybe")
    assert found(text) == [
        ("invalid-value", "[issue]", Severity.WARNING),
        ("invalid-value", "zsh", Severity.WARNING),
        ("invalid-value", "3", Severity.WARNING),
        ("invalid-value", "maybe", Severity.WARNING),
    ]
    messages = [f.message for f in check(text)]
    assert "is a YAML list" in messages[0] and "'[issue]'" in messages[0]
    assert "drops a `metadata` value" in messages[2]
    assert "the default, `true`, applies" in messages[3]
    long = "x" * 501
    assert found(skill("description: d", f"compatibility: {long}")) == [("invalid-value", long, Severity.WARNING)]


def test_tools_in_a_skill() -> None:
    text = skill("description: d", "allowed-tools: Bash(git add:*) Reed mcp__github")
    findings = check(text)
    assert [(f.code, text[f.span.start : f.span.end]) for f in findings] == [
        ("legacy-tool-rule", "Bash(git add:*)"),
        ("unknown-tool", "Reed"),
    ]
    assert "`allowed-tools` entry" in findings[1].message and findings[1].data["replacement"] == "Read"
    assert found(skill("description: d", "disallowed-tools: 3")) == [("invalid-tools", "3", Severity.WARNING)]


def test_fork_only_fields() -> None:
    text = skill("description: d", "agent: Explore", "background: false")
    assert found(text) == [
        ("fork-only-field", "agent", Severity.WARNING),
        ("fork-only-field", "background", Severity.WARNING),
    ]
    assert check(text.replace("agent: Explore", "context: fork\nagent: Explore")) == []


def test_never_invoked() -> None:
    text = skill("description: d", "disable-model-invocation: True", "user-invocable: no")
    assert found(text) == [("never-invoked", "no", Severity.WARNING)]
    assert check(text.replace("user-invocable: no", "user-invocable: yes")) == []


def test_description_too_long() -> None:
    text = skill("description: " + "a" * 1000, "when_to_use: " + "b" * 600)
    [finding] = check(text)
    assert (finding.code, finding.span.end - finding.span.start) == ("description-too-long", 1000)
    assert "1,600 characters" in finding.message
    assert check(skill("description: " + "a" * 1000, "when_to_use: " + "b" * 536)) == []


def test_name_of_a_skill() -> None:
    assert found(skill("name: Deploy", "description: d")) == [
        ("name-file-mismatch", "Deploy", Severity.HINT),
        ("name-style", "Deploy", Severity.INFORMATION),
    ]
    plugin = AgentContext(path="/pl/skills/review/SKILL.md", plugin=True, kind="skill")
    assert check(skill("name: fancy", "description: d"), plugin) == []  # in a plugin, `name` is the command


def test_empty_body() -> None:
    [finding] = check(skill("description: d", body=""))
    assert finding.code == "empty-body" and "gives Claude no instructions" in finding.message


# ---- completion and hover -------------------------------------------------------------------
def completions(
    marked: str, kind: str = "skill", index: WorkspaceIndex | None = None, path: str | None = None
) -> dict[str, types.CompletionItem]:
    offset = marked.index("|")
    text = marked[:offset] + marked[offset + 1 :]
    parsed = parse_agent(text)
    project = ProjectView(index, path) if index is not None else None
    mapper = PositionMapper(parsed.index, "utf-16")
    result = complete(parsed, offset, mapper, CompletionOptions(), kind, project=project)
    return {item.label: item for item in result.items}


def test_key_completion_reads_the_kind_schema() -> None:
    keys = completions("---\ndescription: d\n|\n---\nB\n")
    assert set(keys) == set(schema_for("skill").field_names) - {"description"}
    assert "permissionMode" not in keys
    item = keys["disable-model-invocation"]
    assert isinstance(item.text_edit, types.TextEdit) and item.text_edit.new_text.startswith(
        "disable-model-invocation: "
    )
    assert item.detail == "`true` or `false`"
    command_keys = completions("---\n|\n---\nB\n", "command")
    assert "name" not in command_keys and "paths" not in command_keys and "argument-hint" in command_keys


def test_value_completion(tmp_path: Path) -> None:
    assert set(completions("---\ncontext: |\n---\nB\n")) == {"fork"}
    assert set(completions("---\nshell: |\n---\nB\n")) == {"bash", "powershell"}
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "researcher.md").write_text("---\nname: researcher\ndescription: Digs deep.\n---\nB\n")
    skill_path = str(tmp_path / ".claude" / "skills" / "research" / "SKILL.md")
    items = completions("---\ncontext: fork\nagent: |\n---\nB\n", index=build_index([tmp_path]), path=skill_path)
    assert {"general-purpose", "Explore", "Plan", "researcher"} <= set(items)
    assert items["researcher"].detail == "Digs deep."
    models = completions("---\nmodel: |\n---\nB\n")
    assert {"opusplan", "sonnet[1m]", "inherit"} <= set(models)


def test_tool_completion_in_allowed_tools() -> None:
    items = completions("---\nallowed-tools: Read |\n---\nB\n")
    assert "AskUserQuestion" in items and "Grep" in items and "Read" not in items
    edit = items["Grep"].text_edit
    assert isinstance(edit, types.TextEdit)
    assert (edit.range.start.line, edit.range.start.character, edit.range.end.character) == (1, 20, 20)


def hover_text(marked: str, kind: str = "skill") -> str | None:
    offset = marked.index("|")
    text = marked[:offset] + marked[offset + 1 :]
    parsed = parse_agent(text)
    result = hover(parsed, offset, PositionMapper(parsed.index, "utf-16"), kind=kind)
    if result is None:
        return None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


def test_hover_reads_the_kind_schema() -> None:
    text = hover_text("---\ncon|text: fork\n---\nB\n")
    assert text is not None
    assert "**`context`**" in text and "subagent of its own" in text
    assert "Claude Code docs: skill frontmatter" in text
    flag = hover_text("---\nuser-invo|cable: false\n---\nB\n")
    assert flag is not None and "Default: `true`" in flag and "`true` or `false`" in flag
    value = hover_text("---\ncontext: fork\nagent: Expl|ore\n---\nB\n")
    assert value is not None and "Read-only and fast" in value
    ignored = hover_text("---\nna|me: x\n---\nB\n", "command")
    assert ignored is not None and "ignores `name`" in ignored
    assert hover_text("---\ndescription: d\n---\nB|ody\n") is None


# ---- quick fixes -----------------------------------------------------------------------------
FIX_SAMPLES: list[tuple[str, str, AgentContext]] = [
    ("invalid-value", skill("description: d", "argument-hint: [issue-number]"), SKILL),
    ("invalid-value", skill("description: d", "argument-hint: [a, 'b']"), COMMAND),
    ("invalid-value", skill("description: d", "shell: powershel"), SKILL),
    ("invalid-value", skill("description: d", "disable-model-invocation: treu"), SKILL),
    ("ignored-field", skill("name: deploy", "description: d"), COMMAND),
    ("fork-only-field", skill("description: d", "agent: Explore"), SKILL),
    ("missing-description", skill("name: deploy"), SKILL),
    ("missing-description", "Deploy the app.\n", SKILL),
    ("unknown-tool", skill("description: d", "allowed-tools: Reed Grep"), SKILL),
    ("yaml-fallback", skill("description: Deploys: now"), COMMAND),
]


@pytest.mark.parametrize(("code", "text", "context"), FIX_SAMPLES)
def test_every_fix_leaves_strict_yaml_and_removes_its_finding(code: str, text: str, context: AgentContext) -> None:
    parsed = parse_agent(text)
    before = find_problems(parsed, context)
    finding = next(f for f in before if f.code == code)
    fixes = fixes_for(parsed, finding, context, before)
    assert fixes, code
    for fix in fixes:
        fixed = apply_edits(text, fix.edits)
        after_parsed = parse_agent(fixed)
        assert after_parsed.mode is ParseMode.STRICT, (fix.title, fixed)
        after = find_problems(after_parsed, context)
        assert sum(f.code == code for f in after) < sum(f.code == code for f in before), fix.title
        assert not {f.code for f in after if f.severity is not Severity.HINT} - {f.code for f in before}


def test_quoting_an_argument_hint() -> None:
    text = skill("description: d", "argument-hint: [issue-number]")
    parsed = parse_agent(text)
    [finding] = find_problems(parsed, SKILL)
    [fix] = fixes_for(parsed, finding, SKILL)
    assert fix.title == "Quote it: `'[issue-number]'`" and fix.preferred
    fixed = apply_edits(text, fix.edits)
    assert "argument-hint: '[issue-number]'\n" in fixed
    assert parse_agent(fixed).data == {"description": "d", "argument-hint": "[issue-number]"}


def test_fork_only_fix_offers_context_fork_first() -> None:
    text = skill("description: d", "agent: Explore")
    parsed = parse_agent(text)
    [finding] = find_problems(parsed, SKILL)
    titles = [f.title for f in fixes_for(parsed, finding, SKILL)]
    assert titles == ["Add `context: fork` so `agent` applies", "Remove `agent`"]


def test_fix_all_on_a_command() -> None:
    text = skill("name: deploy", "description: d", "argument-hint: [env]", "shell: bsh")
    fixed = fix_all(text, COMMAND)
    assert parse_agent(fixed).mode is ParseMode.STRICT
    assert "argument-hint: '[env]'" in fixed and "shell: bash" in fixed
    # Removing a field is a judgement call, left to the quick fix.
    assert [f.code for f in find_problems(parse_agent(fixed), COMMAND)] == ["ignored-field"]


# ---- docs/rules.md --------------------------------------------------------------------------
RULE_EXAMPLES = {
    "ignored-field": AgentContext(path="/p/.claude/commands/deploy.md", kind="command"),
    "invalid-value": AgentContext(path="/p/.claude/skills/fix-issue/SKILL.md", kind="skill"),
    "fork-only-field": AgentContext(path="/p/.claude/skills/deep-research/SKILL.md", kind="skill"),
    "never-invoked": AgentContext(path="/p/.claude/skills/deploy/SKILL.md", kind="skill"),
    "description-too-long": AgentContext(path="/p/.claude/skills/summarize/SKILL.md", kind="skill"),
}


@pytest.mark.parametrize(("code", "context"), RULE_EXAMPLES.items())
def test_rules_page_examples_for_the_new_codes(code: str, context: AgentContext) -> None:
    import re

    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    section = page.split(f'<a id="{code}"></a>', 1)[1].split("<a id=", 1)[0]
    bad, good = re.findall(r"```markdown\n(.*?)```", section, re.S)
    bad = bad.replace("Summarizes changes ... (1,600 characters)", "x" * 1600)
    assert [f.code for f in find_problems(parse_agent(bad), context)] == [code]
    assert find_problems(parse_agent(good), context) == []

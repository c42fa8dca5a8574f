"""Messages seen wrong on real files (issue 16): each names the real cause, at the real place."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lsprotocol import types

from agent_lsp.checks.findings import AgentContext
from agent_lsp.checks.rules import RULES, Severity
from agent_lsp.checks.validate import find_problems
from agent_lsp.features.hover import hover
from agent_lsp.syntax.frontmatter import parse_agent
from agent_lsp.syntax.text import PositionMapper
from helpers_core import findings, marked


def test_yaml_fallback_blames_only_the_line_the_retry_had_to_rewrite() -> None:
    text = (
        "---\nname: runner\ndescription: Runs things\ntools: Read, Bash(npm *), Bash(git *)\n"
        "args: [--fast] [--safe]\nmodel: sonnet\n---\nBody\n"
    )
    fallback = [marked(text, f) for f in findings(text) if f.code == "yaml-fallback"]
    assert fallback == ["[--fast] [--safe]"]


def test_a_tab_in_the_indentation_is_named_pointed_at_and_fixed() -> None:
    from agent_lsp.features.actions import apply_edits, fixes_for

    text = "---\nname: x\ndescription: d\nmodel: sonnet\ntools:\n  - Read\n\t- Grep\n---\nBody\n"
    (finding,) = findings(text)
    assert finding.code == "yaml-syntax" and marked(text, finding) == "\t"
    assert "Line 7 is indented with a tab" in finding.message and "cannot token" not in finding.message
    (fix, *_) = fixes_for(parse_agent(text), finding, AgentContext())
    assert fix.title == "Indent with spaces instead of the tab"
    assert findings(apply_edits(text, fix.edits)) == []


# Texts that call the background the default place of an agent's subagent.
_BACKGROUND_DEFAULT = re.compile(
    r"background[^.;]{0,30}\(the default|background by default|by default[^.;]{0,40}in the background", re.I
)


def test_every_text_about_background_agrees_with_the_schema() -> None:
    root = Path(__file__).resolve().parents[2]
    for kind in ("agent", "skill", "command"):
        schema = json.loads((root / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        background = schema["properties"]["background"]
        ext = background["x-agent-lsp"]
        marked = [
            v for v, d in zip(ext["enumValues"], ext["markdownEnumDescriptions"], strict=True) if "the default" in d
        ]
        assert marked == [str(background["default"]).lower()], kind
    agent_schema = json.loads((root / "schemas" / "agent.schema.json").read_text(encoding="utf-8"))
    assert agent_schema["properties"]["background"]["default"] is False
    # So nothing said about agents may call the background their default.
    texts = [rule.summary for rule in RULES.values()]
    text = "---\nname: x\ndescription: d\ntools: LSP, TaskCreate\nbackground: false\n---\nBody\n"
    parsed = parse_agent(text)
    texts += [f.message for f in find_problems(parsed, AgentContext())]
    texts += [f.message for f in findings(text.replace("LSP, TaskCreate", "Read, LSP"))]
    mapper = PositionMapper(parsed.index)
    found = hover(parsed, text.index("background"), mapper)
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    texts.append(found.contents.value)
    texts.append((root / "docs" / "rules.md").read_text(encoding="utf-8"))
    texts.append((root / "README.md").read_text(encoding="utf-8"))
    texts.append(json.dumps(agent_schema))
    assert {"foreground-only-tool", "no-tools-resolve"} <= {f.code for f in find_problems(parsed, AgentContext())}
    wrong = [m.group(0) for t in texts for m in _BACKGROUND_DEFAULT.finditer(t)]
    assert wrong == []


def test_a_command_with_tools_is_pointed_at_allowed_tools_and_an_agent_the_other_way() -> None:
    command = "---\ndescription: Ship it\ntools: Read, Bash(git push *)\n---\nPush.\n"
    found = findings(command, path="/p/.claude/commands/ship.md", kind="command")
    (unknown,) = [f for f in found if f.code == "unknown-key"]
    assert "Did you mean `allowed-tools`?" in unknown.message and unknown.data["replacement"] == "allowed-tools"
    agent_text = "---\nname: x\ndescription: d\nallowed-tools: Read\n---\nBody\n"
    (unknown,) = [f for f in findings(agent_text) if f.code == "unknown-key"]
    assert "Did you mean `tools`?" in unknown.message


def test_ignored_field_names_the_file_it_is_in() -> None:
    text = "---\nname: go\ndescription: Go\n---\nGo.\n"
    (ignored,) = [
        f for f in findings(text, path="/p/.claude/commands/go.md", kind="command") if f.code == "ignored-field"
    ]
    assert "`go.md` is `/go`" in ignored.message and "deploy" not in ignored.message


def test_an_empty_model_is_called_empty_and_is_no_warning() -> None:
    # Conformance cases agents/model-empty (`model: ""`) and agents/model-empty-quotes (`model:`): Claude Code
    # 2.1.328 loads the agent and spawns it on the main model, as with `inherit`.
    truth = json.loads((Path(__file__).resolve().parents[1] / "conformance" / "truth.json").read_text("utf-8"))["cases"]
    inherit = truth["agents/model-inherit"]["spawn"]["model"]
    for case, line in (("agents/model-empty", 'model: ""'), ("agents/model-empty-quotes", "model:")):
        assert truth[case]["loaded"] and truth[case]["spawn"]["model"] == inherit and truth[case]["log"] == []
        text = f"---\nname: x\ndescription: d\n{line}\n---\nBody\n"
        (finding,) = findings(text)
        assert finding.code == "unknown-model" and finding.severity is Severity.INFORMATION
        assert finding.message.startswith("`model` is empty: Claude Code runs the agent on the main conversation's")
        assert "(empty)" not in finding.message and "drops" not in finding.message


def test_example_blocks_at_column_0_with_user_and_assistant_lines_get_the_block_fix() -> None:
    from agent_lsp.features.actions import apply_edits, fixes_for

    root = Path(__file__).resolve().parents[2]
    shipped = (root / "examples" / ".claude" / "agents" / "release-notes.md").read_text(encoding="utf-8")
    real = (
        "---\nname: planner\ndescription: Use this agent to plan work. Examples:\n\n<example>\n"
        'Context: the user wants a plan\nuser: "Plan the migration"\nassistant: "I\'ll use the planner agent."\n'
        "<commentary>\nPlanning is asked for.\n</commentary>\n</example>\n"
        "category: planning\nmodel: sonnet\n---\nPlan.\n"
    )
    for text in (shipped, real):
        parsed = parse_agent(text)
        (finding,) = [f for f in find_problems(parsed, AgentContext()) if f.code == "yaml-syntax"]
        fixes = fixes_for(parsed, finding, AgentContext())
        assert [f.title for f in fixes][:1] == ["Make `description` a `|` block holding all its lines"]
        fixed = apply_edits(text, fixes[0].edits)
        after = find_problems(parse_agent(fixed), AgentContext())
        assert [f.code for f in after] == (["unknown-key"] if "category" in text else [])
        assert "  user: " in fixed and "\nuser:" not in fixed
        value = parse_agent(fixed).data
        assert value is not None and "assistant: " in value["description"]

"""The effective agent from plain strings: what loads, on which model, with which tools, and what is ignored."""

from __future__ import annotations

from agent_lsp.checks.findings import AgentContext
from agent_lsp.checks.validate import find_problems
from agent_lsp.features.effective import effective_agent, explain_text, lens_title
from agent_lsp.schema.models import ALIAS_MODEL_IDS, MAIN_MODEL_ID, resolve_model_id
from agent_lsp.syntax.frontmatter import parse_agent


def view(text: str, kind: str = "agent", path: str = "/p/.claude/agents/reviewer.md"):  # type: ignore[no-untyped-def]
    parsed = parse_agent(text)
    context = AgentContext(path=path, kind=kind)
    return effective_agent(parsed, find_problems(parsed, context), context)


def test_the_lens_of_a_clean_agent() -> None:
    v = view("---\nname: reviewer\ndescription: Reviews\nmodel: haiku\ntools: Read, Grep, Glob\n---\nBody\n")
    assert lens_title(v) == "loads as reviewer · claude-haiku-5-5 · 3 tools"
    assert v.ignored == []


def test_dropped_entries_and_fields_are_listed_with_their_line() -> None:
    v = view("---\nname: reviewer\ndescription: Reviews\ntools: Read, Frob\neffort: ultra\nfoo: 1\n---\nBody\n")
    assert v.tools == ("Read",)
    assert v.effort is None
    assert sorted(item.line for item in v.ignored) == [3, 4, 5]
    text = explain_text(v, "reviewer.md")
    assert "line 4: Frob" in text and "line 6: foo" in text


def test_a_skipped_agent_says_why() -> None:
    v = view("---\nname: reviewer\n---\nBody\n")
    assert v.outcome == "skipped"
    assert lens_title(v).startswith("skipped: ")
    assert "description" in lens_title(v)


def test_numbers_renames_denials_and_memory() -> None:
    v = view(
        "---\nname: r\ndescription: d\ntools: Task, Read\ndisallowedTools: Read\neffort: 3\nmemory: project\n---\nB\n"
    )
    assert v.tools == ("Agent", "Write", "Edit")
    assert v.denied == ("Read",)
    assert v.effort is None and "number" in v.effort_how
    everything = view("---\nname: r\ndescription: d\ndisallowedTools: Write, Edit\n---\nB\n")
    assert everything.tools is None
    assert everything.tool_summary == "all tools except Write, Edit"


def test_the_model_table() -> None:
    assert resolve_model_id("inherit")[0] == MAIN_MODEL_ID
    assert resolve_model_id(None)[0] == MAIN_MODEL_ID
    assert resolve_model_id("Sonnet")[0] == ALIAS_MODEL_IDS["sonnet"] == "claude-sonnet-5-5"
    assert resolve_model_id("claude-Opus-4-8")[0] == "claude-opus-4-8"
    assert resolve_model_id("gpt-4")[0] == "gpt-4"


def test_a_skill_with_broken_frontmatter_loads_with_nothing_applied() -> None:
    v = view("---\nname: x\n\tmodel: haiku\n---\nBody\n", kind="skill", path="/p/.claude/skills/deploy/SKILL.md")
    assert v.outcome == "loads"
    assert v.name == "deploy"
    assert v.model == MAIN_MODEL_ID
    assert v.ignored[0].what == "frontmatter"

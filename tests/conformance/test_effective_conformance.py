"""The effective-agent view (CodeLens, `agent-lsp explain`) against what the pinned Claude Code built.

For every agent case the harness saw spawned, the view's model id, effort and tools must be what the
subagent's own request carried (tests/conformance/truth.json); a skipped case must read `skipped`, a refused
one `refused`; for a skill or command run as `/probe`, the model and effort of the expansion.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_conformance import KNOWN, TRUTH, read_case

from agent_lsp.checks.findings import AgentContext
from agent_lsp.features.effective import effective_agent, explain_text, lens_title

# Tools a `claude -p` session with an API key does not have (known_differences.json explains each), and
# the search tools the native build serves through Bash: when both are given, the subagent gets Bash alone.
SESSION_LACKS = {"Artifact", "LSP", "PowerShell", "TodoWrite", "TaskCreate", "TaskGet", "TaskList", "TaskUpdate"}
NOT_SENT = {"DeferredToolPlaceholder", "ToolSearch"}


def _view(case_id: str) -> Any:
    _, parsed, found = read_case(case_id)
    kind = case_id.split("/", 1)[0].rstrip("s")
    file = "probe/SKILL.md" if kind == "skill" else "probe.md"  # where the harness put it
    return effective_agent(parsed, found, AgentContext(path=f"/project/.claude/{kind}s/{file}", kind=kind))


def _expected_tools(view: Any, spawned: list[str]) -> tuple[set[str], set[str]]:
    ours = {t for t in view.tools if not t.startswith("mcp__")} - SESSION_LACKS
    theirs = set(spawned) - NOT_SENT
    if "Bash" in theirs:
        ours -= {"Grep", "Glob"}
        theirs -= {"Grep", "Glob"}
    return ours, theirs


AGENT_CASES = sorted(c for c in TRUTH["cases"] if c.startswith("agents/") and c not in KNOWN)


@pytest.mark.parametrize("case_id", AGENT_CASES)
def test_the_effective_agent_is_what_claude_code_spawned(case_id: str) -> None:
    record = TRUTH["cases"][case_id]
    view = _view(case_id)
    if not record.get("loaded"):
        assert view.outcome == "skipped", lens_title(view)
        assert lens_title(view).startswith("skipped: ")
        return
    spawn = record.get("spawn", {})
    if spawn.get("outcome") != "spawned":
        assert view.outcome == "refused", lens_title(view)
        return
    assert view.outcome == "loads", lens_title(view)
    assert view.model == spawn["model"], explain_text(view, case_id)
    if view.effort is not None or "number" in view.effort_how:
        assert view.effort == spawn["effort"], explain_text(view, case_id)  # a number: no effort is sent
    elif view.model == "claude-opus-5-5":
        assert spawn["effort"] == "medium", explain_text(view, case_id)  # the default the view names
    if view.tools is not None:
        ours, theirs = _expected_tools(view, spawn["tools"])
        assert ours == theirs, explain_text(view, case_id)
    else:
        denied = set(view.denied)
        assert not denied & set(spawn["tools"]), explain_text(view, case_id)


SKILL_CASES = sorted(
    c for c in TRUTH["cases"] if not c.startswith("agents/") and TRUTH["cases"][c]["invoked"]["outcome"] != "not-run"
)


@pytest.mark.parametrize("case_id", SKILL_CASES)
def test_a_skill_runs_on_the_model_and_effort_shown(case_id: str) -> None:
    invoked = TRUTH["cases"][case_id]["invoked"]
    view = _view(case_id)
    if case_id.endswith("context-fork-explore"):
        return  # the model of the Explore agent type, which the view does not model
    assert view.model == invoked["model"], explain_text(view, case_id)
    if view.effort is not None or "number" in view.effort_how:
        assert view.effort == invoked["effort"], explain_text(view, case_id)
    elif view.model == "claude-opus-5-5":
        assert invoked["effort"] == "medium", explain_text(view, case_id)


def test_the_lens_reads_like_the_issue_example() -> None:
    view = _view("agents/combo-full-valid")
    assert lens_title(view).startswith("loads as probe · claude-sonnet-5-5 · ")
    assert "effort high" in lens_title(view)

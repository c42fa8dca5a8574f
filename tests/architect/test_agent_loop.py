"""An agent run (the tool-use loop) against the fake Messages API, through the real SDK: requests as the pinned
Claude Code shapes them, tools run in the workspace, limits, failures, cancel, follow-ups; and the model table
against what the pinned Claude Code was recorded sending."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

import pytest

from agent_lsp.architect import tools as tools_module
from agent_lsp.architect.agents import agent_from_text
from agent_lsp.architect.failures import FailureKind
from agent_lsp.architect.prompt import AgentSpec, AskInput
from agent_lsp.architect.service import ArchitectService, RunHooks
from agent_lsp.architect.settings import (
    CLAUDE_CODE_VERSION,
    DEFAULT_MODELS,
    load_settings,
    resolve_effort,
    resolve_model,
)
from fake_anthropic import FakeAnthropic, Scenario, tool_turn

KEY = "sk-ant-test-SECRET-0123456789abcdef"
CONFORMANCE = Path(__file__).resolve().parents[1] / "conformance"
EDITING = ("Read", "Grep", "Glob", "Edit", "Write")


def agent(**extra: object) -> AgentSpec:
    fields = {
        "name": "backend-architect",
        "description": "Reviews backend designs.",
        "model": "sonnet",
        "body": "You are a careful backend architect.",
        "path": "/agents/backend-architect.md",
        "tools": EDITING,
    }
    fields.update(extra)
    return AgentSpec(**fields)  # type: ignore[arg-type]


def settings_for(fake: FakeAnthropic, **extra: object):  # type: ignore[no-untyped-def]
    config: dict[str, object] = {"apiKey": KEY, "baseUrl": fake.url, "maxRetries": 0, "timeoutSeconds": 5}
    config.update(extra)
    return load_settings(config, env={})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "server").mkdir(parents=True)
    (root / "server" / "models.py").write_text("class Payment:\n    amount: int\n")
    (root / "server" / "handler.py").write_text("from .models import Payment\nQUERY = 'SELECT 1'\n")
    return root


def ask_about(project: Path) -> AskInput:
    path = project / "server" / "handler.py"
    return AskInput(path=str(path), language_id="python", text=path.read_text())


async def run(service: ArchitectService, fake: FakeAnthropic, project: Path, spec: AgentSpec | None = None,
              hooks: RunHooks | None = None, **settings: object):  # type: ignore[no-untyped-def]  # fmt: skip
    return await service.run_agent(
        spec or agent(),
        ask_about(project),
        settings_for(fake, **settings),
        document="file:///handler.py",
        folders=[str(project)],
        hooks=hooks,
    )


def test_a_run_reads_greps_and_answers(fake_api: FakeAnthropic, project: Path) -> None:
    models = str(project / "server" / "models.py")
    fake_api.then(
        tool_turn(("Read", {"file_path": models}), text="Let me look at the model."),
        # Two calls in one turn (parallel tool use), answered in one user message.
        tool_turn(("Grep", {"pattern": "SELECT", "output_mode": "content"}), ("Glob", {"pattern": "**/*.py"})),
        Scenario(text="The handler builds SQL by hand; use the model."),
    )
    heard: list[str] = []
    result = asyncio.run(run(ArchitectService(), fake_api, project, hooks=RunHooks(on_tool=heard.append)))
    assert result.failure is None and result.complete, result.failure
    assert result.final_text == "The handler builds SQL by hand; use the model."
    assert result.text.startswith("Let me look at the model.")
    assert heard == [
        "Read server/models.py",
        "Grep 'SELECT' in the workspace: 1 match",
        "Glob '**/*.py': 2 files",
    ]
    assert result.api_calls == 3 and len(fake_api.requests) == 3
    first, second, third = fake_api.requests
    body = first.body
    # The request as the pinned Claude Code sends a subagent's.
    assert body["model"] == "claude-sonnet-5-5"
    assert body["max_tokens"] == 128_000
    assert body["thinking"] == {"type": "adaptive"}
    assert body["output_config"] == {"effort": "medium"}
    assert body["stream"] is True
    assert first.tool_names == list(EDITING)
    assert body["system"][1] == {
        "type": "text",
        "text": "You are a careful backend architect.",
        "cache_control": {"type": "ephemeral"},
    }
    task, env = body["messages"][0]["content"]
    assert "QUERY = 'SELECT 1'" in task["text"]
    assert f"Working directory: {project}" in env["text"] and "claude-sonnet-5-5" in env["text"]
    assert "Is a git repository: no" in env["text"]
    # Tool results go back in the next request, each for its call.
    (read,) = second.tool_results
    assert read["content"] == "     1\tclass Payment:\n     2\t    amount: int" and "is_error" not in read
    grep, glob = third.tool_results
    assert grep["content"] == f"{project / 'server' / 'handler.py'}:2:QUERY = 'SELECT 1'"
    assert glob["content"].splitlines() == [str(project / "server" / "handler.py"), models]
    assert [b["type"] for b in third.messages[-2]["content"]] == ["tool_use", "tool_use"]
    assert result.input_tokens == 30 and result.output_tokens > 0


def test_json_tool_answers_are_understood_by_the_fake(fake_api: FakeAnthropic) -> None:
    """The fake answers tool calls in JSON too (a non-streamed request), as the API does."""
    import anthropic

    fake_api.then(tool_turn(("Read", {"file_path": "/x"}), ("Grep", {"pattern": "y"}), text="Two calls."))
    client = anthropic.Anthropic(api_key=KEY, base_url=fake_api.url, max_retries=0)
    message = client.messages.create(model="m", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    assert message.stop_reason == "tool_use"
    assert [b.type for b in message.content] == ["text", "tool_use", "tool_use"]
    assert message.content[2].input == {"pattern": "y"}  # type: ignore[union-attr]


def test_outside_reads_and_links_never_reach_the_api(fake_api: FakeAnthropic, project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.env"
    secret.write_text("PASSWORD=hunter2-TOP-SECRET\n")
    (project / "config.env").symlink_to(secret)
    fake_api.then(
        tool_turn(
            ("Read", {"file_path": str(secret)}),
            ("Read", {"file_path": str(project / "config.env")}),
            ("Grep", {"pattern": "PASSWORD", "path": str(tmp_path)}),
            ("Grep", {"pattern": "PASSWORD", "output_mode": "content"}),
        ),
        Scenario(text="Done."),
    )
    result = asyncio.run(run(ArchitectService(), fake_api, project))
    assert result.complete
    sent = json.dumps([r.body for r in fake_api.requests])
    assert "hunter2" not in sent
    results = fake_api.requests[1].tool_results
    assert [r.get("is_error", False) for r in results] == [True, True, True, False]
    assert results[3]["content"] == "No matches found"


def test_bash_runs_nothing_and_is_listed(fake_api: FakeAnthropic, project: Path) -> None:
    marker = project / "pwned"
    fake_api.then(
        tool_turn(("Bash", {"command": f"touch {marker}"}), ("mcp__db__query", {"sql": "DROP TABLE x"})),
        Scenario(text="I could not run commands."),
    )
    spec = agent(tools=("Bash", "Read", "Edit", "Write", "Agent", "Skill"))
    result = asyncio.run(run(ArchitectService(), fake_api, project, spec))
    assert not marker.exists()
    # Bash is not offered (the editor does not run it); Grep and Glob are, as in Claude Code without Bash.
    assert fake_api.requests[0].tool_names == ["Read", "Grep", "Glob", "Edit", "Write"]
    bash, mcp = fake_api.requests[1].tool_results
    assert bash["is_error"] is True and "does not run the Bash tool" in bash["content"]
    assert mcp["is_error"] is True
    assert [(c.name, c.ran) for c in result.tool_calls] == [("Bash", False), ("mcp__db__query", False)]


def test_edits_are_proposals_that_later_reads_see(fake_api: FakeAnthropic, project: Path) -> None:
    models = project / "server" / "models.py"
    before = models.read_text()
    fake_api.then(
        tool_turn(("Read", {"file_path": str(models)})),
        tool_turn(("Edit", {"file_path": str(models), "old_string": "amount: int", "new_string": "cents: int"})),
        tool_turn(("Read", {"file_path": str(models)})),
        Scenario(text="Renamed."),
    )
    result = asyncio.run(run(ArchitectService(), fake_api, project))
    assert fake_api.requests[3].tool_results[0]["content"].splitlines()[1] == "     2\t    cents: int"
    assert models.read_text() == before
    (proposal,) = result.proposals
    assert (proposal.path, proposal.base, proposal.text) == (str(models), before, before.replace("amount", "cents"))


def test_max_turns_stops_the_run(fake_api: FakeAnthropic, project: Path) -> None:
    models = str(project / "server" / "models.py")
    fake_api.default = tool_turn(("Read", {"file_path": models}))
    result = asyncio.run(run(ArchitectService(), fake_api, project, agent(max_turns=2), maxTurns=9))
    assert result.api_calls == 2 and len(fake_api.requests) == 2
    assert result.limit == "maxTurns (2)" and result.status == "stopped at maxTurns (2)"
    assert result.failure is None and len(result.tool_calls) == 2
    # Without `maxTurns` in the agent, the setting applies.
    fake_api.reset()
    fake_api.default = tool_turn(("Read", {"file_path": models}))
    result = asyncio.run(run(ArchitectService(), fake_api, project, maxTurns=3))
    assert result.api_calls == 3 and result.limit == "maxTurns (3)"


def test_token_budget_stops_the_run(fake_api: FakeAnthropic, project: Path) -> None:
    fake_api.default = tool_turn(("Glob", {"pattern": "*"}))
    result = asyncio.run(run(ArchitectService(), fake_api, project, tokenBudget=30))
    # Each fake call costs 10 input and 7 output tokens: the third call would start over the budget.
    assert result.api_calls == 2 and result.limit == "the token budget (30 tokens)"


def test_overloaded_on_turn_three_keeps_turns_one_and_two(fake_api: FakeAnthropic, project: Path) -> None:
    models = project / "server" / "models.py"
    fake_api.then(
        tool_turn(("Read", {"file_path": str(models)}), text="First I read the model."),
        tool_turn(
            ("Edit", {"file_path": str(models), "old_string": "amount", "new_string": "cents"}),
            text="Now I fix it.",
        ),
        Scenario(kind="error", status=529),
    )
    result = asyncio.run(run(ArchitectService(), fake_api, project))
    assert result.failure is not None and result.failure.kind is FailureKind.OVERLOADED
    assert result.text == "First I read the model.\n\nNow I fix it."
    assert [c.summary for c in result.tool_calls] == ["Read server/models.py", "Edit server/models.py (proposed)"]
    assert len(result.proposals) == 1 and result.api_calls == 3


def test_breaker_and_rate_limit_count_api_calls(fake_api: FakeAnthropic, project: Path) -> None:
    service = ArchitectService()
    fake_api.then(tool_turn(("Glob", {"pattern": "*"})), Scenario(kind="error", status=500))
    result = asyncio.run(run(service, fake_api, project, breakerThreshold=1))
    assert result.failure is not None and result.failure.kind is FailureKind.SERVER_ERROR
    assert service.breaker.consecutive_failures == 1
    refused = asyncio.run(run(service, fake_api, project, breakerThreshold=1))
    assert refused.failure is not None and refused.failure.kind is FailureKind.BREAKER_OPEN and not refused.sent
    assert len(fake_api.requests) == 2
    # Two API calls of one run take two slots of the rate limit.
    service = ArchitectService()
    fake_api.reset()
    fake_api.then(tool_turn(("Glob", {"pattern": "*"})), Scenario(text="ok"))
    asyncio.run(run(service, fake_api, project, rateLimitPerMinute=3))
    assert service.limiter.try_acquire(3) is None and service.limiter.try_acquire(3) is not None


def test_cancel_during_a_tool_call_stops_at_once(
    fake_api: FakeAnthropic, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered = threading.Event()
    release = threading.Event()
    real_glob = tools_module.Workspace.glob

    def slow_glob(self: tools_module.Workspace, args: dict[str, object]) -> tuple[str, str]:
        entered.set()
        release.wait(10)  # a tool that takes long (a huge tree); the run must not wait for it
        return real_glob(self, args)

    monkeypatch.setattr(tools_module.Workspace, "glob", slow_glob)
    fake_api.then(tool_turn(("Glob", {"pattern": "**/*"}), text="Searching."))

    async def scenario() -> tuple[object, float]:
        task = asyncio.ensure_future(run(ArchitectService(), fake_api, project))
        while not entered.is_set():
            await asyncio.sleep(0.01)
        started = time.monotonic()
        task.cancel()
        result = await task
        seconds = time.monotonic() - started
        # Let the tool's thread end now: asyncio.run waits for its executor's threads before it returns.
        release.set()
        return result, seconds

    try:
        result, seconds = asyncio.run(scenario())
    finally:
        release.set()
    assert result.cancelled and result.text == "Searching."  # type: ignore[attr-defined]
    assert seconds < 5.0  # the tool would have held it 10 s (a margin for a loaded machine)
    assert len(fake_api.requests) == 1  # nothing more was sent after the cancel


def test_follow_up_continues_the_conversation(fake_api: FakeAnthropic, project: Path) -> None:
    service = ArchitectService()
    fake_api.then(Scenario(text="Use parameterised queries."), Scenario(text="Like cursor.execute(sql, args)."))
    first = asyncio.run(run(service, fake_api, project))
    assert first.conversation is not None
    spec = agent()
    second = asyncio.run(
        service.run_agent(
            spec,
            None,
            settings_for(fake_api),
            document="follow-up",
            folders=[str(project)],
            follow_up=(first.conversation, "Show me how."),
        )
    )
    assert second.final_text == "Like cursor.execute(sql, args)." and second.conversation == first.conversation
    messages = fake_api.requests[1].messages
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[1]["content"] == [{"type": "text", "text": "Use parameterised queries."}]
    assert messages[2]["content"] == [{"type": "text", "text": "Show me how."}]


def test_tools_off_sends_no_tools(fake_api: FakeAnthropic, project: Path) -> None:
    fake_api.then(Scenario(text="Fine."))
    result = asyncio.run(run(ArchitectService(), fake_api, project, agentTools=False))
    assert result.complete and "tools" not in fake_api.requests[0].body
    # An untrusted workspace (the client turns the API off) gets no run at all, so no tools either.
    assert load_settings({"apiEnabled": False}, env={}).tools_enabled is False


# ---- the model table against the pinned Claude Code's recorded requests -------------------------------


def _recorded() -> list[tuple[str, object, object, str, str | None]]:
    """(case, the agent's `model` value, its `effort` value, the recorded model id, the recorded effort)."""
    truth = json.loads((CONFORMANCE / "truth.json").read_text())
    found = []
    for case, entry in truth["cases"].items():
        spawn = entry.get("spawn")
        if not isinstance(spawn, dict) or spawn.get("outcome") != "spawned" or "model" not in spawn:
            continue
        text = (CONFORMANCE / "cases" / f"{case}.md").read_text()
        spec = agent_from_text(text, f"/cases/{case}.md")
        if spec is None:
            continue
        found.append((case, spec.model, spec.effort, spawn["model"], spawn.get("effort")))
    return found


def test_the_table_is_the_pinned_versions() -> None:
    assert (CONFORMANCE / "PINNED_VERSION").read_text().strip() == CLAUDE_CODE_VERSION


def test_model_ids_match_the_recorded_requests() -> None:
    settings = load_settings({}, env={})
    recorded = _recorded()
    aliases = {model.lower().removesuffix("[1m]") for _, model, _, _, _ in recorded if isinstance(model, str)}
    # Every alias of the table that the corpus records, and `inherit` / no model, are covered.
    assert {"opus", "sonnet", "haiku", "fable", "inherit"} <= aliases | {"inherit"}
    checked = 0
    for case, model, _, sent, _ in recorded:
        if case.startswith("agents/dup-") or (isinstance(model, str) and ":" in model and " " in model):
            continue  # a duplicate key or a retried value: which text is the model is the parser's business
        assert resolve_model(model if isinstance(model, str) else None, settings) == sent, case
        checked += 1
    assert checked > 400
    for alias in ("opus", "sonnet", "haiku", "fable"):
        assert any(m == alias for _, m, _, _, _ in recorded), alias
    assert resolve_model("opus[1m]", settings) == DEFAULT_MODELS["opus"] == "claude-opus-5-5"
    assert resolve_model("inherit", settings) == resolve_model(None, settings) == "claude-opus-5-5"


def test_effort_matches_the_recorded_requests() -> None:
    settings = load_settings({}, env={})
    checked = 0
    for case, _model, effort, sent_model, sent_effort in _recorded():
        if case.startswith("agents/dup-"):
            continue  # a duplicate key: which value counts is the parser's business
        assert resolve_effort(effort, sent_model, settings) == sent_effort, case
        checked += 1
    assert checked > 400


# Cases where the tools Claude Code gave differ from our resolution, each for a reason outside the tools fields.
KNOWN_TOOL_DIFFERENCES = {
    "agents/combo-full-valid": "`memory: project` gives the agent file tools (Edit) for its memory folder",
    "agents/eol-tab-list-indent": "a tab-indented list Claude Code's YAML reads and ours refuses",
    "agents/tools-list-read-1": "`tools: [Read, 1]`: Claude Code keeps the text items of a mixed list",
}


def test_offered_tools_follow_the_recorded_subagent_tools() -> None:
    """The editor's tools come from the checker's resolution (`effective_tools`); through `offered_tools` they must
    be what the pinned Claude Code was recorded giving the subagent, seen through the same filter."""
    from agent_lsp.architect.tools import offered_tools
    from agent_lsp.checks.agent import effective_tools
    from agent_lsp.schema.schemas import agent_schema
    from agent_lsp.syntax.frontmatter import parse_agent

    truth = json.loads((CONFORMANCE / "truth.json").read_text())
    checked = 0
    differing = set()
    for case, entry in truth["cases"].items():
        spawn = entry.get("spawn")
        if not isinstance(spawn, dict) or spawn.get("outcome") != "spawned" or "tools" not in spawn:
            continue
        parsed = parse_agent((CONFORMANCE / "cases" / f"{case}.md").read_text())
        ours = offered_tools(effective_tools(parsed, agent_schema()))
        if ours != offered_tools(spawn["tools"]):
            differing.add(case)
        checked += 1
    assert differing == set(KNOWN_TOOL_DIFFERENCES)
    assert checked > 400


def test_a_tool_call_cut_by_max_tokens_is_not_kept_for_the_follow_up(fake_api: FakeAnthropic, project: Path) -> None:
    service = ArchitectService()
    cut = tool_turn(("Read", {"file_path": str(project / "server" / "models.py")}), text="Let me read")
    cut.stop_reason = "max_tokens"
    fake_api.then(cut, Scenario(text="Shorter now."))
    first = asyncio.run(run(service, fake_api, project))
    assert first.api_calls == 1 and first.tool_calls == () and first.stop_reason == "max_tokens"
    assert first.conversation is not None
    asyncio.run(
        service.run_agent(
            agent(), None, settings_for(fake_api), document="f", folders=[str(project)],
            follow_up=(first.conversation, "Go on."),
        )
    )  # fmt: skip
    assert fake_api.requests[1].messages[1]["content"] == [{"type": "text", "text": "Let me read"}]

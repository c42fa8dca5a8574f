"""One ask from start to end: the guards, the stream, and the verdict.

`ArchitectService` has no idea of LSP: it takes an agent, a file and settings, and
returns an `AskResult` that always holds whatever text arrived. It never raises for an
API failure; every failure comes back as a `Failure` whose message says what to do.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from agent_lsp.architect.failures import Failure, FailureKind, classify, make_failure, redact
from agent_lsp.architect.guards import CircuitBreaker, Clock, RateLimiter, RunRegistry
from agent_lsp.architect.prompt import (
    AgentSpec,
    ApiRequest,
    AskInput,
    agent_system,
    agent_task,
    build_request,
    environment_block,
)
from agent_lsp.architect.settings import ArchitectSettings, older_model, resolve_effort, resolve_model
from agent_lsp.architect.stream import Transcript, Turn, load_sdk, make_client, stream_answer, stream_turn
from agent_lsp.architect.tools import RUNNABLE, Proposal, Workspace, offered_tools, tool_definitions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AskResult:
    agent: str
    model: str
    text: str
    failure: Failure | None = None
    cancelled: bool = False
    sent: bool = False  # False when a guard refused before anything left the machine
    stop_reason: str | None = None
    request_id: str | None = None
    truncated: bool = False
    # An agent run (tools on); empty for a single request.
    tool_calls: tuple[ToolCall, ...] = ()
    proposals: tuple[Proposal, ...] = ()
    input_tokens: int = 0
    output_tokens: int = 0
    api_calls: int = 0
    limit: str | None = None  # the limit that ended the run: "maxTurns (25)", "the token budget (…)"
    conversation: str | None = None  # the id a follow-up names
    final_text: str = ""  # the last turn's text: the answer proper
    workspace: Workspace | None = field(default=None, compare=False, repr=False)  # checks proposals at the end

    @property
    def complete(self) -> bool:
        return self.sent and self.failure is None and not self.cancelled

    @property
    def status(self) -> str:
        """A short phrase for the answer's header."""
        if self.cancelled:
            return "cancelled; the text below is what arrived before the cancel"
        if self.failure is not None:
            return f"incomplete ({self.failure.kind.value.replace('_', ' ')})"
        if self.limit is not None:
            return f"stopped at {self.limit}"
        if self.stop_reason == "max_tokens":
            return "complete, but cut at the `agentLsp.maxTokens` limit"
        return "complete"

    @property
    def notice(self) -> str | None:
        """Something worth telling the user about a run that did not fail."""
        if self.failure is None and self.limit is not None and not self.cancelled:
            return f"The agent run stopped at {self.limit} before the agent finished; what it did so far is kept."
        if self.failure is None and self.stop_reason == "max_tokens":
            return (
                "The answer reached the `agentLsp.maxTokens` limit and stops mid-way; raise the "
                "setting for longer answers."
            )
        return None


@dataclass(frozen=True)
class ToolCall:
    """One tool call of a run, for people."""

    name: str
    summary: str
    is_error: bool
    ran: bool  # False: a tool the editor does not run (Bash, WebFetch, MCP, ...)


@dataclass
class Conversation:
    """What a follow-up continues: the agent and every message so far."""

    id: str
    agent: AgentSpec
    model: str
    file: str  # what the first question was about
    messages: list[dict[str, Any]] = field(default_factory=list)


MAX_CONVERSATIONS = 32


@dataclass
class RunHooks:
    """What the caller hears during an agent run."""

    on_text: Callable[[str], None] | None = None
    on_start: Callable[[StreamStart], None] | None = None
    on_tool: Callable[[str], None] | None = None  # a tool call's one-line summary, as it happens
    open_text: Callable[[str], str | None] | None = None  # the editor's text of an open file, by real path


@dataclass(frozen=True)
class StreamStart:
    """What is known once the API accepted a request: enough for the answer's header."""

    model: str
    request_id: str | None
    truncated: bool


def _announcer(
    request: ApiRequest, on_start: Callable[[StreamStart], None] | None
) -> Callable[[str | None], None] | None:
    if on_start is None:
        return None
    hear = on_start
    return lambda request_id: hear(StreamStart(request.model, request_id, request.truncated))


class ArchitectService:
    """Holds the state that outlives a run: who is running, the rate window, the breaker."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.runs = RunRegistry()
        self.limiter = RateLimiter(clock)
        self.breaker = CircuitBreaker(clock)
        self.last_failure: Failure | None = None
        self.conversations: OrderedDict[str, Conversation] = OrderedDict()

    def _refuse(self, agent: AgentSpec, settings: ArchitectSettings, document: str) -> Failure | None:
        """The guards, cheapest first; a refusal spends no rate-limit slot."""
        if not settings.api_enabled:
            return make_failure(FailureKind.API_DISABLED, settings)
        if settings.api_key is None:
            return make_failure(FailureKind.NO_KEY, settings)
        if self.runs.is_running(document):
            return make_failure(FailureKind.BUSY, settings, detail=document)
        wait = self.breaker.before_call(settings.breaker_cooldown_seconds)
        if wait is not None:
            return make_failure(
                FailureKind.BREAKER_OPEN,
                settings,
                detail=str(max(self.breaker.consecutive_failures, settings.breaker_threshold)),
                retry_in=wait,
            )
        wait = self.limiter.try_acquire(settings.rate_limit_per_minute)
        if wait is not None:
            self.breaker.release()
            return make_failure(
                FailureKind.LOCAL_RATE_LIMIT,
                settings,
                detail=str(settings.rate_limit_per_minute),
                retry_in=wait,
            )
        return None

    async def ask(
        self,
        agent: AgentSpec,
        ask: AskInput,
        settings: ArchitectSettings,
        *,
        document: str,
        on_text: Callable[[str], None] | None = None,
        on_start: Callable[[StreamStart], None] | None = None,
    ) -> AskResult:
        """Run one ask. `on_start` hears when the API accepted the request (the answer is
        about to stream); `on_text` hears each piece of the answer as it arrives."""
        refusal = self._refuse(agent, settings, document)
        if refusal is not None:
            self.last_failure = refusal
            log.info("ask refused: agent=%s outcome=%s", agent.name, refusal.kind.value)
            return AskResult(agent=agent.name, model=resolve_model(agent.model, settings), text="", failure=refusal)

        request = build_request(agent, ask, settings)
        transcript = Transcript()
        self.runs.try_start(document)
        started = time.monotonic()
        failure: Failure | None = None
        cancelled = False
        try:
            await stream_answer(request, settings, transcript, on_text, _announcer(request, on_start))
            if not transcript.finished:
                failure = make_failure(
                    FailureKind.ENDED_EARLY,
                    settings,
                    partial=bool(transcript.parts),
                    request_id=transcript.request_id,
                )
        except asyncio.CancelledError:
            cancelled = True
            # The cancel was ours to handle: the partial answer is the result. Clearing the
            # task's cancel request keeps later awaits in this task (writing the answer) working.
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
        except ImportError:
            failure = make_failure(FailureKind.SDK_MISSING, settings)
        except Exception as exc:
            partial = bool(transcript.parts)
            started = partial or transcript.opened
            failure = classify(exc, settings, model=request.model, partial=partial, started=started)
            log.info("ask failed: %s", redact(f"{type(exc).__name__}: {exc}", settings)[:500])
        finally:
            self.runs.finish(document)

        self._judge(failure, cancelled, settings)
        if failure is not None:
            self.last_failure = failure
        self._log_outcome(agent, request, transcript, failure, cancelled, time.monotonic() - started)
        return AskResult(
            agent=agent.name,
            model=request.model,
            text=transcript.text,
            failure=failure,
            cancelled=cancelled,
            sent=True,
            stop_reason=transcript.stop_reason,
            request_id=transcript.request_id or (failure.request_id if failure else None),
            truncated=request.truncated,
        )

    # ---- an agent run: the tool-use loop ------------------------------------------------
    def conversation(self, conversation_id: str) -> Conversation | None:
        return self.conversations.get(conversation_id)

    async def run_agent(
        self,
        agent: AgentSpec,
        ask: AskInput | None,
        settings: ArchitectSettings,
        *,
        document: str,
        folders: Sequence[str],
        hooks: RunHooks | None = None,
        follow_up: tuple[str, str] | None = None,
    ) -> AskResult:
        """Run the agent as Claude Code runs a subagent: its tools, in a loop, until it ends its turn, `maxTurns`
        (the agent's, else `agentLsp.maxTurns`) or the token budget is reached, or the task is cancelled (at
        once, also in the middle of a tool call). `follow_up` is (conversation id, question): the run continues
        that conversation. Every API call goes through the breaker and the rate limit; a failure keeps what
        arrived and the edits proposed so far.

        The loop is ours rather than the SDK's tool runner: the runner owns the calls between tool rounds, and
        each call here must pass our guards, count against the budget, and stop at once on a cancel."""
        hooks = hooks or RunHooks()
        conversation = self.conversations.get(follow_up[0]) if follow_up else None
        model = conversation.model if conversation else resolve_model(agent.model, settings)
        refusal = self._refuse(agent, settings, document)
        if refusal is not None:
            self.last_failure = refusal
            log.info("agent run refused: agent=%s outcome=%s", agent.name, refusal.kind.value)
            return AskResult(agent=agent.name, model=model, text="", failure=refusal)

        tools = offered_tools(agent.tools) if settings.tools_enabled else []
        truncated = False
        if conversation is None:
            assert ask is not None
            conversation = Conversation(uuid.uuid4().hex[:12], agent, model, ask.path)
            request = agent_task(agent, ask, settings)
            truncated = request.truncated
            alias = (agent.model or "inherit").strip() or "inherit"
            env = environment_block(list(folders), alias, model, date.today().isoformat())
            first = [{"type": "text", "text": request.user_message}, {"type": "text", "text": env}]
            conversation.messages.append({"role": "user", "content": first})
        else:
            assert follow_up is not None
            conversation.messages.append({"role": "user", "content": [{"type": "text", "text": follow_up[1]}]})
        self.conversations[conversation.id] = conversation
        self.conversations.move_to_end(conversation.id)
        while len(self.conversations) > MAX_CONVERSATIONS:
            self.conversations.popitem(last=False)

        params: dict[str, Any] = {
            "model": model,
            "max_tokens": settings.max_tokens,
            "system": agent_system(agent),
        }
        if not older_model(model):
            params["thinking"] = {"type": "adaptive"}
        effort = resolve_effort(agent.effort, model, settings)
        if effort is not None:
            params["output_config"] = {"effort": effort}
        if tools:
            params["tools"] = tool_definitions(tools)
        max_turns = agent.max_turns or settings.max_turns
        workspace = Workspace(list(folders), open_text=hooks.open_text)
        calls: list[ToolCall] = []
        texts: list[str] = []
        final_text = ""
        spent_in = spent_out = api_calls = 0
        failure: Failure | None = None
        cancelled = False
        limit: str | None = None
        stop_reason: str | None = None
        request_id: str | None = None
        started = time.monotonic()
        self.runs.try_start(document)
        announced = False

        def on_text(piece: str) -> None:
            if hooks.on_text is not None:
                hooks.on_text(piece)

        try:
            await load_sdk()
            client = make_client(settings)
            async with client:
                while True:
                    if api_calls >= max_turns:
                        limit = f"maxTurns ({max_turns})"
                        break
                    if spent_in + spent_out >= settings.token_budget:
                        limit = f"the token budget ({settings.token_budget:,} tokens)"
                        break
                    if api_calls:
                        failure = await self._admit(settings)
                        if failure is not None:
                            break
                    turn = Turn()
                    if texts and texts[-1] and hooks.on_text is not None:
                        hooks.on_text("\n\n")  # one turn's text apart from the next
                    try:
                        await stream_turn(
                            client, {**params, "messages": conversation.messages}, settings, turn, on_text
                        )
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:
                        partial = bool(turn.parts)
                        failure = classify(exc, settings, model=model, partial=partial, started=turn.opened or partial)
                        log.info("agent run call failed: %s", redact(f"{type(exc).__name__}: {exc}", settings)[:500])
                        break
                    finally:
                        api_calls += 1
                        spent_in += turn.input_tokens
                        spent_out += turn.output_tokens
                        texts.append(turn.text)
                        request_id = turn.request_id or request_id
                        if turn.opened and not announced and hooks.on_start is not None:
                            announced = True
                            hooks.on_start(StreamStart(model, turn.request_id, truncated))
                    if turn.finished:
                        self._judge(None, False, settings)  # each call that completed is a success
                    stop_reason = turn.stop_reason
                    if not turn.finished:
                        failure = make_failure(
                            FailureKind.ENDED_EARLY, settings, partial=bool(turn.parts), request_id=turn.request_id
                        )
                        break
                    uses = [b for b in turn.blocks if b["type"] == "tool_use"]
                    if turn.stop_reason != "tool_use" or not uses:
                        # A call cut by max_tokens may end in a tool call that will not run: the conversation keeps
                        # none without its result, or a follow-up would be refused.
                        kept = [b for b in turn.blocks if b["type"] != "tool_use"] or [{"type": "text", "text": "…"}]
                        conversation.messages.append({"role": "assistant", "content": kept})
                        final_text = turn.text
                        break
                    conversation.messages.append({"role": "assistant", "content": turn.blocks})
                    results: list[dict[str, Any]] = []
                    try:
                        for use in uses:  # parallel calls run one after another: they may read each other's edits
                            outcome = await asyncio.to_thread(workspace.run, str(use["name"]), use["input"])
                            calls.append(
                                ToolCall(use["name"], outcome.summary, outcome.is_error, use["name"] in RUNNABLE)
                            )
                            if hooks.on_tool is not None:
                                hooks.on_tool(outcome.summary)
                            results.append(
                                {
                                    "type": "tool_result",
                                    "tool_use_id": use["id"],
                                    "content": outcome.text,
                                    **({"is_error": True} if outcome.is_error else {}),
                                }
                            )
                    finally:
                        if len(results) < len(uses):  # cancelled mid-way: every call still gets its answer
                            workspace.cancel.set()
                            answered = {r["tool_use_id"] for r in results}
                            cancel = {"type": "tool_result", "content": "Cancelled.", "is_error": True}
                            results += [{**cancel, "tool_use_id": u["id"]} for u in uses if u["id"] not in answered]
                        conversation.messages.append({"role": "user", "content": results})
        except asyncio.CancelledError:
            cancelled = True
            workspace.cancel.set()
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # the partial run is the result; later awaits (writing the answer) must work
        except ImportError:
            failure = make_failure(FailureKind.SDK_MISSING, settings)
        finally:
            self.runs.finish(document)

        if failure is not None:
            if failure.kind is not FailureKind.BREAKER_OPEN:
                self._judge(failure, False, settings)  # the failed call's verdict (a breaker refusal is none)
            self.last_failure = failure
        elif cancelled:
            self.breaker.release()
        text = "\n\n".join(t for t in texts if t)
        log.info(
            "agent run finished: agent=%s model=%s outcome=%s api_calls=%d tool_calls=%d input_tokens=%d "
            "output_tokens=%d seconds=%.2f",
            agent.name,
            model,
            "cancelled" if cancelled else failure.kind.value if failure else limit or "complete",
            api_calls,
            len(calls),
            spent_in,
            spent_out,
            time.monotonic() - started,
        )
        return AskResult(
            agent=agent.name,
            model=model,
            text=text,
            failure=failure,
            cancelled=cancelled,
            sent=api_calls > 0,
            stop_reason=stop_reason,
            request_id=request_id or (failure.request_id if failure else None),
            truncated=truncated,
            tool_calls=tuple(calls),
            proposals=tuple(workspace.proposals()),
            input_tokens=spent_in,
            output_tokens=spent_out,
            api_calls=api_calls,
            limit=limit,
            conversation=conversation.id,
            final_text=final_text if failure is None and not cancelled and limit is None else "",
            workspace=workspace,
        )

    async def _admit(self, settings: ArchitectSettings) -> Failure | None:
        """The guards before a later call of a run: an open breaker ends the run; the rate limit makes it wait."""
        wait = self.breaker.before_call(settings.breaker_cooldown_seconds)
        if wait is not None:
            return make_failure(
                FailureKind.BREAKER_OPEN,
                settings,
                detail=str(max(self.breaker.consecutive_failures, settings.breaker_threshold)),
                retry_in=wait,
            )
        while (wait := self.limiter.try_acquire(settings.rate_limit_per_minute)) is not None:
            await asyncio.sleep(wait)
        return None

    def _judge(self, failure: Failure | None, cancelled: bool, settings: ArchitectSettings) -> None:
        if failure is not None and failure.counts_against_service:
            self.breaker.record_failure(settings.breaker_threshold)
        elif cancelled or (failure is not None and failure.kind is FailureKind.UNEXPECTED):
            # No verdict on the API: neither a reason to open nor to close the breaker.
            self.breaker.release()
        else:
            # Success, or an answer that proves the API is up (a 401 comes from a live API).
            self.breaker.record_success()

    @staticmethod
    def _log_outcome(
        agent: AgentSpec,
        request: ApiRequest,
        transcript: Transcript,
        failure: Failure | None,
        cancelled: bool,
        seconds: float,
    ) -> None:
        outcome = "cancelled" if cancelled else failure.kind.value if failure else "complete"
        log.info(
            "ask finished: agent=%s model=%s outcome=%s request_id=%s input_bytes=%d sent_bytes=%d "
            "output_chars=%d stop_reason=%s seconds=%.2f",
            agent.name,
            request.model,
            outcome,
            transcript.request_id,
            request.input_bytes,
            len(request.user_message.encode("utf-8")),
            transcript.chars,
            transcript.stop_reason,
            seconds,
        )

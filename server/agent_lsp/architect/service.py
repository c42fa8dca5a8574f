"""One ask from start to end: the guards, the stream, and the verdict.

`ArchitectService` has no idea of LSP: it takes an agent, a file and settings, and
returns an `AskResult` that always holds whatever text arrived. It never raises for an
API failure; every failure comes back as a `Failure` whose message says what to do.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from agent_lsp.architect.failures import Failure, FailureKind, classify, make_failure, redact
from agent_lsp.architect.guards import CircuitBreaker, Clock, RateLimiter, RunRegistry
from agent_lsp.architect.prompt import AgentSpec, ApiRequest, AskInput, build_request
from agent_lsp.architect.settings import ArchitectSettings, resolve_model
from agent_lsp.architect.stream import Transcript, stream_answer

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
        if self.stop_reason == "max_tokens":
            return "complete, but cut at the `agentLsp.maxTokens` limit"
        return "complete"

    @property
    def notice(self) -> str | None:
        """Something worth telling the user about a run that did not fail."""
        if self.failure is None and self.stop_reason == "max_tokens":
            return (
                "The answer reached the `agentLsp.maxTokens` limit and stops mid-way; raise the "
                "setting for longer answers."
            )
        return None


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

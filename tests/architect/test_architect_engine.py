"""The architect engine without LSP: settings, request building, guards, and every
failure, against the fake API server on 127.0.0.1 (the SDK is real, nothing is mocked)."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from agent_lsp.architect.answer import (
    AnswerHeader,
    DocumentEnd,
    answer_file_name,
    incomplete_note,
    render_answer,
    render_header,
    write_answer,
)
from agent_lsp.architect.failures import FailureKind
from agent_lsp.architect.guards import BreakerState, CircuitBreaker, RateLimiter
from agent_lsp.architect.prompt import AgentSpec, AskInput, Selection, build_request
from agent_lsp.architect.service import ArchitectService, StreamStart
from agent_lsp.architect.settings import DEFAULT_MODELS, ArchitectSettings, answers_folder, load_settings, resolve_model
from agent_lsp.syntax.text import LineIndex, PositionMapper
from fake_anthropic import FakeAnthropic, Scenario

KEY = "sk-ant-test-SECRET-0123456789abcdef"
SERVER_DIR = Path(__file__).resolve().parents[2] / "server"

AGENT = AgentSpec(
    name="backend-architect",
    description="Reviews backend designs.",
    model="sonnet",
    body="You are a careful backend architect.\nAnswer briefly.\n",
    path="/agents/backend-architect.md",
)
FILE = AskInput(path="/work/app/service.py", language_id="python", text="def handler():\n    return 42\n")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def settings_for(fake: FakeAnthropic, **extra: object) -> ArchitectSettings:
    config: dict[str, object] = {"apiKey": KEY, "baseUrl": fake.url, "maxRetries": 0, "timeoutSeconds": 2}
    config.update(extra)
    return load_settings(config, env={})


# ---- settings and models -----------------------------------------------------------------


def test_client_key_wins_over_environment_and_is_never_shown() -> None:
    settings = load_settings({"apiKey": KEY}, env={"ANTHROPIC_API_KEY": "sk-env"})
    assert settings.api_key is not None and settings.api_key.reveal() == KEY
    assert settings.api_key_source == "client"
    assert KEY not in repr(settings) and KEY not in str(settings.api_key)


def test_environment_supplies_key_and_base_url_when_the_client_does_not() -> None:
    settings = load_settings({}, env={"ANTHROPIC_API_KEY": "sk-env", "ANTHROPIC_BASE_URL": "http://gw.local"})
    assert settings.api_key is not None and settings.api_key.reveal() == "sk-env"
    assert settings.api_key_source == "environment"
    assert settings.base_url == "http://gw.local"
    assert load_settings({"baseUrl": "http://mine"}, env={"ANTHROPIC_BASE_URL": "http://gw"}).base_url == "http://mine"
    assert load_settings({}, env={}).base_url is None
    assert load_settings({}, env={}).api_key is None


def test_wrongly_typed_settings_fall_back_to_defaults() -> None:
    settings = load_settings(
        {"timeoutSeconds": "fast", "maxTokens": True, "maxInputBytes": -5, "apiEnabled": "no", "models": 3},
        env={},
    )
    defaults = load_settings({}, env={})
    assert settings.timeout_seconds == defaults.timeout_seconds
    assert settings.max_tokens == defaults.max_tokens
    assert settings.max_input_bytes == defaults.max_input_bytes
    assert settings.api_enabled is True
    assert dict(settings.models) == dict(DEFAULT_MODELS)


@pytest.mark.parametrize(
    ("agent_model", "config", "expected"),
    [
        ("opus", {}, DEFAULT_MODELS["opus"]),
        ("sonnet", {}, DEFAULT_MODELS["sonnet"]),
        ("haiku", {}, DEFAULT_MODELS["haiku"]),
        ("fable", {}, DEFAULT_MODELS["fable"]),
        ("inherit", {"defaultModel": "haiku"}, DEFAULT_MODELS["haiku"]),
        (None, {"defaultModel": "claude-custom-1"}, "claude-custom-1"),
        ("claude-opus-4-8", {}, "claude-opus-4-8"),
        ("opus", {"models": {"opus": "claude-opus-9"}}, "claude-opus-9"),
        ("opus", {"modelOverride": "haiku"}, DEFAULT_MODELS["haiku"]),
    ],
)
def test_model_mapping(agent_model: str | None, config: dict[str, object], expected: str) -> None:
    assert resolve_model(agent_model, load_settings(config, env={})) == expected


def test_answers_go_to_a_per_workspace_cache_folder_unless_configured(tmp_path: Path) -> None:
    settings = load_settings({}, env={})
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    one = answers_folder(settings, "file:///work/one", env)
    two = answers_folder(settings, "file:///work/two", env)
    assert one.parent == tmp_path / "agent-lsp" / "answers"
    assert one != two
    configured = load_settings({"answersDir": str(tmp_path / "mine")}, env={})
    assert answers_folder(configured, "file:///work/one", env) == tmp_path / "mine"


# ---- the request -------------------------------------------------------------------------


def test_request_carries_agent_body_model_and_the_file() -> None:
    request = build_request(AGENT, FILE, load_settings({"maxTokens": 321}, env={}))
    assert request.system == AGENT.body.strip()
    assert request.model == DEFAULT_MODELS["sonnet"]
    assert request.max_tokens == 321
    assert "File: /work/app/service.py" in request.user_message
    assert "Language: python" in request.user_message
    assert "def handler():\n    return 42\n" in request.user_message
    assert not request.truncated and "agent-lsp:" not in request.user_message


def test_selection_is_sent_with_the_whole_file_as_context() -> None:
    text = "a = 1\nb = 2\nc = 3\n"
    ask = AskInput("/w/x.py", "python", text, Selection(start=6, end=12, first_line=2, last_line=2))
    message = build_request(AGENT, ask, load_settings({}, env={})).user_message
    selection_at = message.index("selection (lines 2-2)")
    context_at = message.index("The whole file, for context")
    assert selection_at < message.index("b = 2\n", selection_at) < context_at
    assert text in message[context_at:]


def test_large_file_is_cut_with_a_visible_note() -> None:
    text = "".join(f"line {i} é\n" for i in range(2000))
    request = build_request(
        AGENT, AskInput("/w/big.txt", "plaintext", text), load_settings({"maxInputBytes": 500}, env={})
    )
    assert request.truncated
    assert "was cut to its first" in request.user_message and "maxInputBytes" in request.user_message
    assert "line 0 é\n" in request.user_message and "line 1999" not in request.user_message
    # Whole characters only: the cut never splits the two bytes of "é".
    request.user_message.encode("utf-8").decode("utf-8", errors="strict")


def test_fence_cannot_be_closed_by_the_file() -> None:
    text = "```\nnot the end\n````\n"
    message = build_request(AGENT, AskInput("/w/README.md", "markdown", text), load_settings({}, env={})).user_message
    assert "`````markdown\n" + text + "`````" in message


# ---- guards ------------------------------------------------------------------------------


def test_rate_limiter_allows_n_per_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    assert limiter.try_acquire(2) is None
    clock.now += 10
    assert limiter.try_acquire(2) is None
    wait = limiter.try_acquire(2)
    assert wait == pytest.approx(50.0)
    clock.now += 50
    assert limiter.try_acquire(2) is None
    assert all(limiter.try_acquire(0) is None for _ in range(100))  # 0 means no limit


def test_breaker_opens_fails_fast_half_opens_and_recovers() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(clock)
    for _ in range(2):
        assert breaker.before_call(30) is None
        breaker.record_failure(threshold=3)
    assert breaker.state(30) is BreakerState.CLOSED
    assert breaker.before_call(30) is None
    breaker.record_failure(threshold=3)
    assert breaker.state(30) is BreakerState.OPEN
    assert breaker.before_call(30) == pytest.approx(30)
    clock.now += 30
    assert breaker.before_call(30) is None  # the one trial
    assert breaker.before_call(30) is not None  # others still fail fast during it
    breaker.record_failure(threshold=3)  # the trial failed: open again
    assert breaker.state(30) is BreakerState.OPEN
    clock.now += 30
    assert breaker.before_call(30) is None
    breaker.record_success()
    assert breaker.state(30) is BreakerState.CLOSED and breaker.consecutive_failures == 0


def test_breaker_says_when_it_will_let_a_trial_through_without_admitting_one() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(clock)
    assert breaker.retry_in(30) is None
    breaker.record_failure(threshold=1)
    clock.now += 10
    assert breaker.retry_in(30) == pytest.approx(20)
    clock.now += 25
    assert breaker.retry_in(30) == 0.0 and breaker.retry_in(30) == 0.0
    assert breaker.state(30) is BreakerState.HALF_OPEN  # still no trial taken: before_call admits one
    assert breaker.before_call(30) is None


# ---- runs against the fake API -----------------------------------------------------------


async def test_successful_run_streams_the_answer(fake_api: FakeAnthropic) -> None:
    fake_api.answer("Split the handler into two services.", chunks=5)
    seen: list[str] = []
    starts: list[StreamStart] = []

    def on_start(start: StreamStart) -> None:
        assert not seen  # heard before any text
        starts.append(start)

    result = await ArchitectService().ask(
        AGENT, FILE, settings_for(fake_api), document="a", on_text=seen.append, on_start=on_start
    )
    assert result.complete and result.failure is None
    assert result.text == "Split the handler into two services."
    assert len(seen) == 5 and "".join(seen) == result.text
    assert starts == [StreamStart(model=DEFAULT_MODELS["sonnet"], request_id="req_fake_0001", truncated=False)]
    assert result.request_id == "req_fake_0001"
    (request,) = fake_api.requests
    assert request.api_key == KEY
    assert request.headers["anthropic-version"]
    assert request.body["stream"] is True
    assert request.body["model"] == DEFAULT_MODELS["sonnet"]
    assert request.system == AGENT.body.strip()
    assert "return 42" in request.user_text


FAILURES = [
    (Scenario(kind="error", status=401), FailureKind.KEY_REJECTED, "rejected the API key (401)"),
    (Scenario(kind="error", status=403), FailureKind.FORBIDDEN, "(403)"),
    (
        Scenario(kind="error", status=404),
        FailureKind.UNKNOWN_MODEL,
        "does not know the model 'claude-sonnet-5-5' (404)",
    ),
    (Scenario(kind="error", status=413), FailureKind.TOO_LARGE, "too large for the Anthropic API (413)"),
    (Scenario(kind="error", status=429, retry_after="0.01"), FailureKind.RATE_LIMITED, "rate limiting"),
    (Scenario(kind="error", status=500), FailureKind.SERVER_ERROR, "internal error (500)"),
    (Scenario(kind="error", status=529), FailureKind.OVERLOADED, "overloaded (529)"),
    (Scenario(kind="stall"), FailureKind.TIMEOUT, "did not answer within 0.3 s"),
]


@pytest.mark.parametrize(("scenario", "kind", "words"), FAILURES, ids=[f[1].value for f in FAILURES])
async def test_each_api_failure_has_its_message(
    fake_api: FakeAnthropic, scenario: Scenario, kind: FailureKind, words: str
) -> None:
    fake_api.default = scenario
    result = await ArchitectService().ask(AGENT, FILE, settings_for(fake_api, timeoutSeconds=0.3), document="a")
    assert result.failure is not None and result.failure.kind is kind
    assert words in result.failure.message
    assert not result.complete and result.text == ""


@pytest.mark.parametrize(
    ("setup", "kind", "words"),
    [
        (
            lambda f: f.cut_mid_stream("first half|second half", chunks=2, after_chunks=1),
            FailureKind.CUT_MID_STREAM,
            "broke in the middle",
        ),
        (
            lambda f: f.end_without_stop("first half|second half", chunks=2, after_chunks=1),
            FailureKind.ENDED_EARLY,
            "without saying it was finished",
        ),
        (
            lambda f: f.error_mid_stream("first half|second half", chunks=2, after_chunks=1),
            FailureKind.OVERLOADED,
            "overloaded",
        ),
        (
            lambda f: f.stall_mid_stream("first half|second half", chunks=2, after_chunks=1),
            FailureKind.TIMEOUT,
            "did not answer",
        ),
    ],
    ids=["cut", "no-message-stop", "error-event", "stall-mid-stream"],
)
async def test_mid_stream_failures_keep_the_partial_answer(
    fake_api: FakeAnthropic, setup: Callable[[FakeAnthropic], None], kind: FailureKind, words: str
) -> None:
    setup(fake_api)
    result = await ArchitectService().ask(AGENT, FILE, settings_for(fake_api, timeoutSeconds=0.3), document="a")
    assert result.failure is not None and result.failure.kind is kind
    assert words in result.failure.message and "kept and marked incomplete" in result.failure.message
    assert result.text == "first half|"
    assert "incomplete" in result.status


async def test_sdk_retries_honour_retry_after(fake_api: FakeAnthropic) -> None:
    fake_api.then(
        Scenario(kind="error", status=429, retry_after="0.3"),
        Scenario(kind="error", status=529, retry_after="0.01"),
    )
    fake_api.answer("ok after retries")
    started = time.monotonic()
    result = await ArchitectService().ask(AGENT, FILE, settings_for(fake_api, maxRetries=2), document="a")
    assert result.complete and result.text == "ok after retries"
    assert len(fake_api.requests) == 3
    assert time.monotonic() - started >= 0.3


async def test_rate_limit_message_counts_the_retries(fake_api: FakeAnthropic) -> None:
    fake_api.fail(429, retry_after="0.01")
    result = await ArchitectService().ask(AGENT, FILE, settings_for(fake_api, maxRetries=2), document="a")
    assert result.failure is not None and result.failure.kind is FailureKind.RATE_LIMITED
    assert "after 2 retries" in result.failure.message
    assert len(fake_api.requests) == 3


async def test_refusals_send_nothing(fake_api: FakeAnthropic) -> None:
    service = ArchitectService()
    no_key = load_settings({"baseUrl": fake_api.url}, env={})
    result = await service.ask(AGENT, FILE, no_key, document="a")
    assert result.failure is not None and result.failure.kind is FailureKind.NO_KEY
    assert "ANTHROPIC_API_KEY" in result.failure.message and not result.sent
    disabled = settings_for(fake_api, apiEnabled=False)
    result = await service.ask(AGENT, FILE, disabled, document="a")
    assert result.failure is not None and result.failure.kind is FailureKind.API_DISABLED
    assert "not trusted" in result.failure.message
    assert fake_api.requests == []


async def test_one_run_per_document_and_local_rate_limit(fake_api: FakeAnthropic) -> None:
    fake_api.answer("slow answer", chunks=5, delay=0.1)
    service = ArchitectService()
    settings = settings_for(fake_api, rateLimitPerMinute=2)
    first = asyncio.ensure_future(service.ask(AGENT, FILE, settings, document="doc-1"))
    await asyncio.sleep(0.05)
    busy = await service.ask(AGENT, FILE, settings, document="doc-1")
    assert busy.failure is not None and busy.failure.kind is FailureKind.BUSY
    other = await service.ask(AGENT, FILE, settings, document="doc-2")  # another file may run
    assert other.complete
    assert (await first).complete
    limited = await service.ask(AGENT, FILE, settings, document="doc-3")
    assert limited.failure is not None and limited.failure.kind is FailureKind.LOCAL_RATE_LIMIT
    assert "2 per minute" in limited.failure.message
    assert len(fake_api.requests) == 2


async def test_breaker_opens_after_k_failures_and_recovers(fake_api: FakeAnthropic) -> None:
    clock = FakeClock()
    service = ArchitectService(clock)
    settings = settings_for(fake_api, breakerThreshold=2, breakerCooldownSeconds=30, rateLimitPerMinute=0)
    fake_api.fail(500)
    for _ in range(2):
        result = await service.ask(AGENT, FILE, settings, document="a")
        assert result.failure is not None and result.failure.kind is FailureKind.SERVER_ERROR
    fast = await service.ask(AGENT, FILE, settings, document="a")
    assert fast.failure is not None and fast.failure.kind is FailureKind.BREAKER_OPEN
    assert "failed 2 times in a row" in fast.failure.message and "30 seconds" in fast.failure.message
    assert len(fake_api.requests) == 2  # failing fast sent nothing
    clock.now += 30
    fake_api.answer("healthy again")
    recovered = await service.ask(AGENT, FILE, settings, document="a")
    assert recovered.complete and recovered.text == "healthy again"
    assert service.breaker.state(30) is BreakerState.CLOSED


async def test_a_rejected_key_does_not_open_the_breaker(fake_api: FakeAnthropic) -> None:
    service = ArchitectService(FakeClock())
    fake_api.fail(401)
    settings = settings_for(fake_api, breakerThreshold=1, rateLimitPerMinute=0)
    for _ in range(3):
        result = await service.ask(AGENT, FILE, settings, document="a")
        assert result.failure is not None and result.failure.kind is FailureKind.KEY_REJECTED


async def test_cancel_stops_the_stream_at_once_and_keeps_the_partial_text(fake_api: FakeAnthropic) -> None:
    fake_api.answer("".join(f"part{i} " for i in range(50)), chunks=50, delay=0.1)
    service = ArchitectService()
    task = asyncio.ensure_future(service.ask(AGENT, FILE, settings_for(fake_api), document="a"))
    while not fake_api.chunks_sent.is_set():
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.25)
    cancelled_at = time.monotonic()
    task.cancel()
    result = await task
    assert time.monotonic() - cancelled_at < 0.5
    assert result.cancelled and not result.complete and result.failure is None
    assert result.text.startswith("part0 ") and "part49" not in result.text
    assert not service.runs.is_running("a")


# ---- the key stays secret ----------------------------------------------------------------


async def test_key_is_absent_from_every_message_and_log_record(
    fake_api: FakeAnthropic, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    service = ArchitectService(FakeClock())
    messages: list[str] = []
    scenarios = [Scenario(kind="error", status=s, retry_after="0.01") for s in (400, 401, 403, 404, 413, 429, 500, 529)]
    scenarios += [Scenario(kind=k, text="abc", chunks=3, after_chunks=1) for k in ("cut", "no_stop", "stream_error")]
    fake_api.then(*scenarios)
    settings = settings_for(fake_api, rateLimitPerMinute=0, breakerThreshold=100, timeoutSeconds=0.3)
    for _ in scenarios:
        result = await service.ask(AGENT, FILE, settings, document="a")
        assert result.failure is not None
        messages.append(result.failure.message)
    fake_api.stall()
    messages.append((await service.ask(AGENT, FILE, settings, document="a")).failure.message)  # type: ignore[union-attr]
    assert len(messages) == len(scenarios) + 1
    assert all(KEY not in m for m in messages)
    records = [r.getMessage() + str(r.exc_info or "") for r in caplog.records]
    assert any("ask finished" in r for r in records)
    assert all(KEY not in r for r in records)


# ---- the answer document -----------------------------------------------------------------


def test_answer_document_has_a_header_and_unique_names(tmp_path: Path) -> None:
    when = datetime(2025, 5, 1, 12, 30, tzinfo=timezone.utc)
    header = AnswerHeader(agent="backend-architect", model="claude-opus-5", file="/w/app.py", time=when, lines="3-9")
    text = render_answer(header, "Use a queue.")
    for part in (
        "backend-architect",
        "claude-opus-5",
        "`/w/app.py` (lines 3-9)",
        "2025-05-01 12:30:00 UTC",
        "Use a queue.",
    ):
        assert part in text
    incomplete = render_answer(AnswerHeader("a", "m", "/w/app.py", when, status="incomplete (cut mid stream)"), "Use")
    assert "The answer is incomplete" in incomplete
    names = {answer_file_name("backend-architect", "/w/app.py", when) for _ in range(50)}
    assert len(names) == 50
    path = write_answer(tmp_path / "answers", next(iter(names)), text)
    assert path.read_text(encoding="utf-8") == text
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(FileExistsError):
        write_answer(tmp_path / "answers", path.name, "other")
    crlf = write_answer(tmp_path / "answers", "crlf.md", "a\r\nb\rc\n")
    assert crlf.read_bytes() == b"a\r\nb\rc\n"  # written as it arrived, on every platform


def test_streamed_header_leaves_the_status_to_the_end() -> None:
    when = datetime(2025, 5, 1, 12, 30, tzinfo=timezone.utc)
    header = AnswerHeader("a", "m", "/w/app.py", when, request_id="req_1", truncated=True)
    streamed = render_header(header, with_status=False)
    assert "- Status:" not in streamed and "- Request id: req_1" in streamed and "maxInputBytes" in streamed
    assert streamed.endswith("\n\n---\n\n") and render_answer(header, "x").startswith(render_header(header))
    assert incomplete_note("cut mid stream", "half a sen") == "\n\n---\n\n_Answer incomplete: cut mid stream._\n"
    assert incomplete_note("cancelled", "a line\n").startswith("\n---\n")
    assert incomplete_note("cancelled", "").startswith("\n---\n")


SAMPLES = ["", "abc", "a\nb", "😀中\r\n𝔘x", "\r", "\r\n", "\n\r", "é\r\r\n\n😀", "line 🎉\rnext 中文\r\nend 👍🏽"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
@pytest.mark.parametrize("text", SAMPLES)
def test_document_end_follows_appends_in_the_client_encoding(encoding: str, text: str) -> None:
    """Every way of cutting the text into appends ends where the whole text ends, CRLFs split or not."""
    expected = PositionMapper(LineIndex(text), encoding).position(len(text))
    for cut_a in range(len(text) + 1):
        for cut_b in range(cut_a, len(text) + 1):
            end = DocumentEnd(encoding)
            for piece in (text[:cut_a], text[cut_a:cut_b], text[cut_b:]):
                end.append(piece)
            assert (end.line, end.character) == expected, (text[:cut_a], text[cut_a:cut_b], text[cut_b:])


def test_document_end_counts_utf16_units_for_emoji_and_cjk() -> None:
    end = DocumentEnd()
    end.append("# header\n\n")
    end.append("😀中")
    assert (end.line, end.character) == (2, 3)  # the emoji is a surrogate pair, the CJK one unit
    end.append("\r")
    end.append("\n👍🏽")
    assert (end.line, end.character) == (3, 4)


# ---- start-up cost -----------------------------------------------------------------------


@pytest.mark.parametrize("module", ["agent_lsp.architect", "agent_lsp.lsp.handlers.architect"])
def test_importing_does_not_import_the_sdk(module: str) -> None:
    code = f"import sys, {module}; print('anthropic' in sys.modules, 'httpx2' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SERVER_DIR), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["False", "False"]

"""The key never surfaces from what the API sends back (issue 15, finding 8), through the fake Messages API:
an API or gateway echoing it in streamed text or in the `request-id` header, a base URL's password in a
message, and the HTTP layer's loggers, which log headers at debug level."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from agent_lsp import logsetup
from agent_lsp.architect.failures import MASK, FailureKind, KeyMask
from agent_lsp.architect.prompt import AgentSpec, AskInput
from agent_lsp.architect.service import ArchitectService, StreamStart
from agent_lsp.architect.settings import ArchitectSettings, load_settings
from agent_lsp.architect.stream import load_sdk
from fake_anthropic import FakeAnthropic, Scenario

KEY = "sk-ant-api03-ECHO-Pangolin-0123456789abcdefghijklmnopqrstuvwxyz"
AGENT = AgentSpec(name="a", description="d", model="sonnet", body="You help.", path="/agents/a.md")
FILE = AskInput(path="/work/app/service.py", language_id="python", text="x = 1\n")


def settings_for(fake: FakeAnthropic, **extra: object) -> ArchitectSettings:
    config: dict[str, object] = {"apiKey": KEY, "baseUrl": fake.url, "maxRetries": 0, "timeoutSeconds": 2}
    config.update(extra)
    return load_settings(config, env={})


@pytest.mark.parametrize("chunks", [1, 3, 7, 40])
async def test_a_key_echoed_in_the_streamed_text_is_masked_however_it_is_split(
    fake_api: FakeAnthropic, chunks: int
) -> None:
    fake_api.default = Scenario(text=f"Your key is {KEY}, and again:{KEY}. Done.", chunks=chunks, request_id=KEY)
    heard: list[str] = []
    starts: list[StreamStart] = []
    result = await ArchitectService().ask(
        AGENT, FILE, settings_for(fake_api), document="d", on_text=heard.append, on_start=starts.append
    )
    assert result.complete
    assert result.text == f"Your key is {MASK}, and again:{MASK}. Done."
    assert "".join(heard) == result.text  # what the answer document and `$/progress` are made of
    for piece in heard:
        assert KEY[:12] not in piece
    assert result.request_id == MASK and starts[0].request_id == MASK  # the answer's header


async def test_a_key_echoed_in_an_error_responses_request_id_is_masked(fake_api: FakeAnthropic) -> None:
    fake_api.default = Scenario(kind="error", status=500, request_id=f"gw-{KEY}")
    result = await ArchitectService().ask(AGENT, FILE, settings_for(fake_api), document="d")
    assert result.failure is not None and result.failure.kind is FailureKind.SERVER_ERROR
    assert KEY not in (result.request_id or "") and KEY not in result.failure.message
    assert result.failure.request_id == f"gw-{MASK}"


async def test_a_base_url_password_is_masked_in_the_unreachable_message(tmp_path: Path) -> None:
    settings = load_settings(
        {"apiKey": KEY, "baseUrl": "http://user:Hunter2-Secret@127.0.0.1:9", "maxRetries": 0, "timeoutSeconds": 2},
        env={},
    )
    result = await ArchitectService().ask(AGENT, FILE, settings, document="d")
    assert result.failure is not None and result.failure.kind is FailureKind.UNREACHABLE
    assert "Hunter2-Secret" not in result.failure.message
    assert "at http://user:***@127.0.0.1:9" in result.failure.message


def test_the_log_redactor_masks_url_passwords_too() -> None:
    line = logsetup.redact("connecting to https://me:Hunter2-Secret@gateway.example/v1")
    assert line == "connecting to https://me:***@gateway.example/v1"


def test_a_piece_that_only_looks_like_the_start_of_the_key_is_given_back() -> None:
    mask = KeyMask(KEY)
    assert mask.feed("plain text ") == "plain text "  # nothing held: it cannot begin the key
    assert mask.feed("see sk-ant-") == "see "  # could begin the key: held
    assert mask.feed("other") == "sk-ant-other"
    assert mask.feed("end sk") == "end "
    assert mask.flush() == "sk"


async def test_http_loggers_are_held_at_warning_even_at_debug_level(tmp_path: Path) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logsetup.configure("debug", str(tmp_path / "log.jsonl"))
        await load_sdk()
        for name in ("httpcore2", "httpx2", "httpcore", "httpx", "anthropic"):
            assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)

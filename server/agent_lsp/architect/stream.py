"""Streaming one request through the `anthropic` SDK.

The SDK is imported here, on the first run and in a worker thread: the import takes
about a second, which neither the editor's start nor the event loop should pay.
Retries (429, 5xx, 529, with `retry-after`) are the SDK's own, set by `max_retries`.
What arrived is kept in a `Transcript` the caller owns, so that a cancellation or a
broken stream still leaves the partial text in hand.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent_lsp.architect.failures import KeyMask, redact
from agent_lsp.architect.prompt import ApiRequest
from agent_lsp.architect.settings import ArchitectSettings

log = logging.getLogger(__name__)

# The SDK logs whole request options, file contents included, at DEBUG; our promise is
# that logs hold sizes and ids, never contents. INFO keeps its retry notices.
_QUIET_LOGGERS = ("anthropic", "httpx", "httpx2", "httpcore", "httpcore2")


@dataclass
class Transcript:
    """What a run has received so far."""

    parts: list[str] = field(default_factory=list)
    stop_reason: str | None = None
    finished: bool = False  # saw `message_stop`
    request_id: str | None = None
    opened: bool = False  # the response's headers arrived: the stream had begun
    model: str | None = None
    output_tokens: int | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def chars(self) -> int:
        return sum(len(p) for p in self.parts)


async def load_sdk() -> None:
    """Import `anthropic` off the event loop (Python's import lock makes a race harmless)."""
    await asyncio.to_thread(importlib.import_module, "anthropic")
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


async def stream_answer(
    request: ApiRequest,
    settings: ArchitectSettings,
    transcript: Transcript,
    on_text: Callable[[str], None] | None = None,
    on_start: Callable[[str | None], None] | None = None,
) -> None:
    """Send `request` and collect the streamed text into `transcript`.

    `on_start` hears the request id once the API accepted the request (after the SDK's
    retries); `on_text` hears each piece of text as it arrives.

    Raises whatever the SDK or its HTTP layer raises; a stream that ends without
    `message_stop` returns normally with `transcript.finished` false, and the caller
    decides what that means.
    """
    if settings.api_key is None:
        raise ValueError("stream_answer needs an API key")
    await load_sdk()
    # What the API (or a gateway before it) sends back is masked before anyone sees it: an echoed key
    # must not reach the answer document, the progress messages or the log.
    mask = KeyMask(settings.api_key.reveal())
    import anthropic  # already in sys.modules: instant, and typed for mypy

    client = anthropic.AsyncAnthropic(
        api_key=settings.api_key.reveal(),
        base_url=settings.base_url,
        timeout=settings.timeout_seconds,
        max_retries=settings.max_retries,
        # Tracing could export request contents; this action sends them only to the API.
        open_telemetry=False,
    )
    async with client:
        stream = await client.messages.create(
            model=request.model,
            max_tokens=request.max_tokens,
            # The API refuses an empty system prompt; an agent without a body sends none.
            system=request.system or anthropic.omit,
            messages=[{"role": "user", "content": request.user_message}],
            stream=True,
        )
        transcript.opened = True
        request_id = stream.response.headers.get("request-id")
        transcript.request_id = redact(request_id, settings) if request_id is not None else None
        if on_start is not None:
            on_start(transcript.request_id)
        # Leaving the block closes the HTTP response, which is what stops a cancelled stream.
        try:
            async with stream:
                async for event in stream:
                    if event.type == "message_start":
                        transcript.model = redact(event.message.model, settings)
                    elif event.type == "content_block_delta":
                        if event.delta.type == "text_delta":
                            _hear(transcript, mask.feed(event.delta.text), on_text)
                    elif event.type == "message_delta":
                        transcript.stop_reason = event.delta.stop_reason
                        transcript.output_tokens = event.usage.output_tokens
                    elif event.type == "message_stop":
                        transcript.finished = True
        finally:  # the text held back in case it began the key is part of the answer (or of what arrived)
            _hear(transcript, mask.flush(), on_text)


def _hear(transcript: Transcript, text: str, on_text: Callable[[str], None] | None) -> None:
    if text:
        transcript.parts.append(text)
        if on_text is not None:
            on_text(text)


@dataclass
class Turn:
    """One API call of an agent run: what arrived of it, kept whatever happens to the call."""

    parts: list[str] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)  # the assistant's content, to send back
    stop_reason: str | None = None
    finished: bool = False  # saw `message_stop`
    opened: bool = False
    request_id: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def text(self) -> str:
        return "".join(self.parts)


def make_client(settings: ArchitectSettings) -> Any:
    """An SDK client for one run (after `load_sdk`)."""
    import anthropic

    if settings.api_key is None:
        raise ValueError("an agent run needs an API key")
    return anthropic.AsyncAnthropic(
        api_key=settings.api_key.reveal(),
        base_url=settings.base_url,
        timeout=settings.timeout_seconds,
        max_retries=settings.max_retries,
        open_telemetry=False,  # tracing could export request contents; they go only to the API
    )


def _block(block: Any) -> dict[str, Any] | None:
    """An assistant content block as the next request must repeat it (thinking with its signature)."""
    kind = getattr(block, "type", None)
    if kind == "text":
        return {"type": "text", "text": block.text}
    if kind == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    if kind == "thinking":
        return {"type": "thinking", "thinking": block.thinking, "signature": block.signature}
    if kind == "redacted_thinking":
        return {"type": "redacted_thinking", "data": block.data}
    return None


async def stream_turn(
    client: Any,
    params: dict[str, Any],
    settings: ArchitectSettings,
    turn: Turn,
    on_text: Callable[[str], None] | None = None,
) -> None:
    """One streamed Messages call of an agent run, through the SDK's message stream (which assembles tool calls
    and thinking blocks). Text is masked and handed to `on_text` as it arrives; the usage and the content that
    arrived are in `turn` even when the call fails. Raises what the SDK raises."""
    assert settings.api_key is not None
    mask = KeyMask(settings.api_key.reveal())
    stream_manager = client.messages.stream(**params)
    stream = None
    try:
        async with stream_manager as stream:
            turn.opened = True
            request_id = stream.response.headers.get("request-id")
            turn.request_id = redact(request_id, settings) if request_id is not None else None
            async for event in stream:
                if event.type == "text":
                    _hear_turn(turn, mask.feed(event.text), on_text)
                elif event.type == "message_stop":
                    turn.finished = True
            message = await stream.get_final_message()
            turn.stop_reason = message.stop_reason
            turn.blocks = [b for b in (_block(block) for block in message.content) if b is not None]
    finally:
        _hear_turn(turn, mask.flush(), on_text)
        if stream is not None:
            snapshot = _snapshot(stream)
            usage = getattr(snapshot, "usage", None)
            if usage is not None:
                turn.input_tokens = (
                    (usage.input_tokens or 0)
                    + (getattr(usage, "cache_read_input_tokens", 0) or 0)
                    + (getattr(usage, "cache_creation_input_tokens", 0) or 0)
                )
                turn.output_tokens = usage.output_tokens or 0


def _snapshot(stream: Any) -> Any:
    try:
        return stream.current_message_snapshot
    except Exception:  # no message_start arrived: nothing to count
        return None


def _hear_turn(turn: Turn, text: str, on_text: Callable[[str], None] | None) -> None:
    if text:
        turn.parts.append(text)
        if on_text is not None:
            on_text(text)

"""A fake Anthropic Messages API: a real HTTP server on 127.0.0.1 for offline tests.

It answers `POST /v1/messages` the way the real API does, as one JSON message or as a
server-sent-event stream (`message_start`, `content_block_start`, `ping`,
`content_block_delta`, `content_block_stop`, `message_delta`, `message_stop`), and can
answer with `tool_use` blocks (one or several in parallel, with text before them; see `tool_turn`), or be told to
misbehave: error statuses with the API's error bodies, `retry-after`, a
stall, a connection cut mid-stream, a stream that ends without `message_stop`, or an
`error` event mid-stream. Every request is recorded (headers and JSON body).

Tests use the `fake_api` fixture (load this module as a pytest plugin) and point the
SDK at `fake_api.url`.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

ERROR_MESSAGES = {
    400: "Invalid request.",
    401: "invalid x-api-key",
    403: "Your API key does not have permission to use the specified resource.",
    404: "The requested resource could not be found.",
    413: "Request exceeds the maximum allowed number of bytes.",
    429: "Number of request tokens has exceeded your per-minute rate limit.",
    500: "An unexpected error has occurred internal to Anthropic's systems.",
    504: "Request timed out.",
    529: "Overloaded",
}


@dataclass
class Scenario:
    """How to answer one request.

    kind: "answer" (JSON or stream, as the request asks), "error" (an HTTP error status),
    "stall" (never answer), "cut" (close the socket mid-stream), "no_stop" (end the
    stream cleanly without `message_stop`), "stream_error" (an `error` event mid-stream),
    "stall_mid_stream" (send some chunks, then go silent).
    """

    kind: str = "answer"
    text: str = "The fake architect has looked at your file."
    chunks: int = 3
    delay: float = 0.0  # seconds between streamed chunks
    after_chunks: int = 1  # for the mid-stream failures: how many text chunks go out first
    status: int = 500
    retry_after: str | None = None
    error_type: str | None = None
    stop_reason: str = "end_turn"
    request_id: str | None = None  # the `request-id` header to send (a gateway may echo anything there)
    # Content blocks to answer with instead of `text` alone: {"type": "text", "text": ...} or
    # {"type": "tool_use", "id": ..., "name": ..., "input": {...}} (see `tool_turn`).
    blocks: list[dict[str, Any]] | None = None


def tool_turn(*calls: tuple[str, dict[str, Any]], text: str = "", delay: float = 0.0) -> Scenario:
    """A turn that calls tools: optional text, then one `tool_use` block per (name, input), ids `toolu_<n>`."""
    global _TOOL_IDS
    blocks: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    for name, arguments in calls:
        _TOOL_IDS += 1
        blocks.append({"type": "tool_use", "id": f"toolu_{_TOOL_IDS:04d}", "name": name, "input": arguments})
    return Scenario(text=text, blocks=blocks, stop_reason="tool_use", delay=delay)


_TOOL_IDS = 0


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: Any

    @property
    def api_key(self) -> str | None:
        """The key as sent: `x-api-key`, or the bearer token that newer SDKs send instead."""
        if "x-api-key" in self.headers:
            return self.headers["x-api-key"]
        auth = self.headers.get("authorization", "")
        return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None

    @property
    def system(self) -> Any:
        return self.body.get("system") if isinstance(self.body, dict) else None

    @property
    def user_text(self) -> str:
        messages = self.body.get("messages", []) if isinstance(self.body, dict) else []
        content = messages[0]["content"] if messages else ""
        if isinstance(content, list):
            return "".join(block.get("text", "") for block in content)
        return str(content)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []

    @property
    def tool_results(self) -> list[dict[str, Any]]:
        """The `tool_result` blocks of the last user message (what the previous turn's calls returned)."""
        users = [m for m in self.messages if m.get("role") == "user"]
        content = users[-1].get("content") if users else None
        return [b for b in content if b.get("type") == "tool_result"] if isinstance(content, list) else []

    @property
    def tool_names(self) -> list[str]:
        """The names of the tools the request offers."""
        tools = self.body.get("tools", []) if isinstance(self.body, dict) else []
        return [t.get("name") for t in tools]


def _split(text: str, chunks: int) -> list[str]:
    chunks = max(1, min(chunks, len(text) or 1))
    size = -(-len(text) // chunks)
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def error_body(status: int, message: str | None = None, error_type: str | None = None) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {
            "type": error_type or ERROR_TYPES.get(status, "api_error"),
            "message": message or ERROR_MESSAGES.get(status, "Error"),
        },
        "request_id": "req_fake_error",
    }


class FakeAnthropic:
    """The server and its knobs. Scenarios queued with `then` are used one per request,
    in order; when the queue is empty, the default scenario answers."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.default = Scenario()
        self._queue: deque[Scenario] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()  # ends every stall when the server stops
        self._counter = 0
        self.chunks_sent = threading.Event()  # set once any text chunk went out
        self.required_key: str | None = None  # when set, other keys get a 401 like the real API
        self.known_models: set[str] | None = None  # when set, other models get a 404
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval: `shutdown` waits up to one interval, once per test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="fake-anthropic", daemon=True
        )

    # ---- lifecycle ----------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    # ---- knobs --------------------------------------------------------------
    def answer(self, text: str, *, chunks: int = 3, delay: float = 0.0, stop_reason: str = "end_turn") -> None:
        """Answer every request with `text`, streamed in `chunks` pieces `delay` seconds apart."""
        self.default = Scenario(text=text, chunks=chunks, delay=delay, stop_reason=stop_reason)

    def fail(self, status: int, *, retry_after: str | None = None, error_type: str | None = None) -> None:
        """Answer every request with an HTTP error and the API's error body."""
        self.default = Scenario(kind="error", status=status, retry_after=retry_after, error_type=error_type)

    def stall(self) -> None:
        """Accept every request and never answer."""
        self.default = Scenario(kind="stall")

    def cut_mid_stream(self, text: str, *, chunks: int = 4, after_chunks: int = 2, delay: float = 0.0) -> None:
        self.default = Scenario(kind="cut", text=text, chunks=chunks, after_chunks=after_chunks, delay=delay)

    def end_without_stop(self, text: str, *, chunks: int = 4, after_chunks: int = 2) -> None:
        self.default = Scenario(kind="no_stop", text=text, chunks=chunks, after_chunks=after_chunks)

    def error_mid_stream(
        self, text: str, *, chunks: int = 4, after_chunks: int = 2, error_type: str = "overloaded_error"
    ) -> None:
        self.default = Scenario(
            kind="stream_error", text=text, chunks=chunks, after_chunks=after_chunks, error_type=error_type
        )

    def stall_mid_stream(self, text: str, *, chunks: int = 4, after_chunks: int = 2) -> None:
        self.default = Scenario(kind="stall_mid_stream", text=text, chunks=chunks, after_chunks=after_chunks)

    def then(self, *scenarios: Scenario) -> None:
        """Queue one-off scenarios for the next requests, e.g. a 429 before a success."""
        with self._lock:
            self._queue.extend(scenarios)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()
        self.default = Scenario()
        self.chunks_sent.clear()
        self.required_key = None
        self.known_models = None

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"expected {count} requests, got {len(self.requests)}")
            time.sleep(0.01)
        return self.requests

    # ---- internals ----------------------------------------------------------
    def _next(self, request: RecordedRequest) -> tuple[Scenario, int]:
        with self._lock:
            self.requests.append(request)
            self._counter += 1
            number = self._counter
            scenario = self._queue.popleft() if self._queue else self.default
        body = request.body if isinstance(request.body, dict) else {}
        if self.required_key is not None and request.api_key != self.required_key:
            scenario = Scenario(kind="error", status=401)
        elif self.known_models is not None and body.get("model") not in self.known_models:
            scenario = Scenario(kind="error", status=404)
        return scenario, number

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # chunked bodies, so a cut is visible as a cut

            def log_message(self, format: str, *args: Any) -> None:  # silence per-request stderr lines
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body: Any = json.loads(raw or b"null")
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = RecordedRequest("POST", self.path, headers, body)
                if self.path.split("?")[0] != "/v1/messages":
                    self._send_json(404, error_body(404), "req_fake_nope")
                    return
                scenario, number = fake._next(request)
                request_id = scenario.request_id or f"req_fake_{number:04d}"
                streaming = isinstance(body, dict) and body.get("stream") is True
                model = body.get("model", "claude-fake") if isinstance(body, dict) else "claude-fake"
                if scenario.kind == "error":
                    extra = {"retry-after": scenario.retry_after} if scenario.retry_after is not None else {}
                    body_out = error_body(scenario.status, error_type=scenario.error_type)
                    self._send_json(scenario.status, body_out, request_id, extra)
                elif scenario.kind == "stall":
                    fake._release.wait(120)
                    self.close_connection = True
                elif streaming:
                    self._stream(scenario, request_id, str(model))
                else:
                    message = _message(request_id, str(model), scenario.text, scenario.stop_reason)
                    if scenario.blocks is not None:
                        message["content"] = scenario.blocks
                    self._send_json(200, message, request_id)

            # ---- replies ----
            def _send_json(
                self, status: int, payload: Any, request_id: str, extra: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", request_id)
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()

            def _event(self, name: str, payload: dict[str, Any]) -> None:
                self._chunk(f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode())

            def _stream(self, scenario: Scenario, request_id: str, model: str) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream; charset=utf-8")
                self.send_header("cache-control", "no-cache")
                self.send_header("transfer-encoding", "chunked")
                self.send_header("request-id", request_id)
                self.end_headers()
                try:
                    self._stream_events(scenario, request_id, model)
                except (BrokenPipeError, ConnectionResetError):
                    # The client hung up (a cancel): what we test is that it did.
                    self.close_connection = True

            def _stream_events(self, scenario: Scenario, request_id: str, model: str) -> None:
                start = _message(request_id, model, "", None)
                self._event("message_start", {"type": "message_start", "message": start})
                if scenario.blocks is not None and scenario.kind == "answer":
                    self._stream_blocks(scenario)
                    return
                self._event(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "text", "text": ""},
                    },
                )
                self._event("ping", {"type": "ping"})
                pieces = _split(scenario.text, scenario.chunks)
                failing = scenario.kind in {"cut", "no_stop", "stream_error", "stall_mid_stream"}
                for i, piece in enumerate(pieces):
                    if failing and i >= scenario.after_chunks:
                        break
                    if i and scenario.delay:
                        time.sleep(scenario.delay)
                    self._event(
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": 0,
                            "delta": {"type": "text_delta", "text": piece},
                        },
                    )
                    fake.chunks_sent.set()
                if scenario.kind == "cut":
                    # No terminating zero-length chunk: the client sees a body that stops short.
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if scenario.kind == "stall_mid_stream":
                    fake._release.wait(120)
                    self.close_connection = True
                    return
                if scenario.kind == "stream_error":
                    self._event("error", error_body(529, error_type=scenario.error_type or "overloaded_error"))
                    self._chunk(b"")
                    return
                self._event("content_block_stop", {"type": "content_block_stop", "index": 0})
                self._event(
                    "message_delta",
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": scenario.stop_reason, "stop_sequence": None},
                        "usage": {"output_tokens": max(1, len(scenario.text) // 4)},
                    },
                )
                if scenario.kind != "no_stop":
                    self._event("message_stop", {"type": "message_stop"})
                self._chunk(b"")  # the zero-length chunk: a clean end of the body

            def _stream_blocks(self, scenario: Scenario) -> None:
                """Each block as the API streams it: text in deltas, a tool call's input as JSON in pieces."""
                assert scenario.blocks is not None
                for index, block in enumerate(scenario.blocks):
                    if index and scenario.delay:
                        time.sleep(scenario.delay)
                    if block["type"] == "text":
                        opening: dict[str, Any] = {"type": "text", "text": ""}
                        deltas = [{"type": "text_delta", "text": p} for p in _split(block["text"], scenario.chunks)]
                    else:
                        opening = {**block, "input": {}}
                        raw = json.dumps(block["input"])
                        deltas = [{"type": "input_json_delta", "partial_json": p} for p in _split(raw, 3)]
                    self._event(
                        "content_block_start", {"type": "content_block_start", "index": index, "content_block": opening}
                    )
                    for delta in deltas:
                        self._event(
                            "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
                        )
                        fake.chunks_sent.set()
                    self._event("content_block_stop", {"type": "content_block_stop", "index": index})
                self._event(
                    "message_delta",
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": scenario.stop_reason, "stop_sequence": None},
                        "usage": {"output_tokens": 7 * len(scenario.blocks)},
                    },
                )
                self._event("message_stop", {"type": "message_stop"})
                self._chunk(b"")

        return Handler


def _message(request_id: str, model: str, text: str, stop_reason: str | None) -> dict[str, Any]:
    return {
        "id": "msg_" + request_id.removeprefix("req_"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}] if text else [],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 10,
            "output_tokens": max(1, len(text) // 4) if text else 1,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }


@pytest.fixture
def fake_api() -> Iterator[FakeAnthropic]:
    """A fresh fake API server for one test."""
    server = FakeAnthropic().start()
    try:
        yield server
    finally:
        server.stop()

"""A Messages API server on 127.0.0.1 that records what Claude Code sends and steers it to spawn one agent.

Claude Code's first request on the main thread lists the agents it loaded; this server answers that request
with an `Agent` tool call for the agent under test, so the next request (the subagent's own) shows the
effective definition: model, tools, effort and system prompt. Every other request gets a short text answer.
Every request (path, JSON body) is kept; non-Messages paths are answered 404 and recorded too, so a run shows
whatever the binary tried to reach on our host.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

AGENT_LISTING = "Available agent types for the Agent tool"


def request_text(body: dict[str, Any]) -> str:
    """Every text block of the request's messages, joined: where Claude Code puts its listings."""
    parts: list[str] = []
    for message in body.get("messages", []) or []:
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            for block in content:
                if isinstance(block, dict):
                    if block.get("type") == "text":
                        parts.append(str(block.get("text", "")))
                    elif block.get("type") == "tool_result":
                        inner = block.get("content")
                        if isinstance(inner, str):
                            parts.append(inner)
                        elif isinstance(inner, list):
                            parts.extend(str(b.get("text", "")) for b in inner if isinstance(b, dict))
    return "\n".join(parts)


def listed_agents(text: str) -> list[str]:
    """The names in the "Available agent types" listing, in its order."""
    return [entry[0] for entry in listing_entries(text)]


def listing_entries(text: str) -> list[tuple[str, str]]:
    """(name, rest of the line) for each agent of the listing."""
    start = text.find(AGENT_LISTING)
    if start < 0:
        return []
    entries: list[tuple[str, str]] = []
    for line in text[start:].split("\n")[1:]:
        if not line.startswith("- "):
            if entries or line.strip():
                break
            continue
        name, _, rest = line[2:].partition(": ")
        entries.append((name, rest))
    return entries


def system_text(body: dict[str, Any]) -> str:
    system = body.get("system")
    if isinstance(system, str):
        return system
    if isinstance(system, list):
        return "\n".join(str(b.get("text", "")) for b in system if isinstance(b, dict))
    return ""


class RecordingApi:
    """The server. `spawn` names the agent to call through the `Agent` tool on the first listing request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []  # {"path": ..., "body": ...}
        self.spawn: str | None = None  # "*": the first agent of the listing that is not built in
        self.builtin_agents: set[str] = set()
        self.spawn_prompt = "conformance probe: reply with ok"
        self._spawned = False
        self._lock = threading.Lock()
        self._counter = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> RecordingApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self, spawn: str | None) -> None:
        with self._lock:
            self.requests = []
            self.spawn = spawn
            self._spawned = False

    def _decide(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """The content blocks of the answer to one request."""
        with self._lock:
            self._counter += 1
            tools = {t.get("name") for t in body.get("tools", []) or [] if isinstance(t, dict)}
            listing = AGENT_LISTING in request_text(body) or AGENT_LISTING in system_text(body)
            if self.spawn and not self._spawned and listing and "Agent" in tools:
                target = self.spawn
                if target == "*":
                    names = [n for n in listed_agents(request_text(body)) if n not in self.builtin_agents]
                    if not names:
                        return [{"type": "text", "text": "ok"}]
                    target = names[0]
                self._spawned = True
                return [
                    {
                        "type": "tool_use",
                        "id": f"toolu_conf_{self._counter:06d}",
                        "name": "Agent",
                        "input": {
                            "subagent_type": target,
                            "description": "conformance probe",
                            "prompt": self.spawn_prompt,
                        },
                    }
                ]
        return [{"type": "text", "text": "ok"}]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _record(self, body: Any) -> None:
                with api._lock:
                    api.requests.append({"method": self.command, "path": self.path, "body": body})

            def do_GET(self) -> None:
                self._record(None)
                self._send(404, {"type": "error", "error": {"type": "not_found_error", "message": "not here"}})

            def do_CONNECT(self) -> None:
                # A proxied HTTPS request to another host: recorded (the harness fails on it), never tunnelled.
                self._record(None)
                self._send(403, {"type": "error", "error": {"type": "permission_error", "message": "offline"}})

            def do_HEAD(self) -> None:
                self._record(None)
                self.send_response(404)
                self.send_header("content-length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = {"unparsed": raw.decode("utf-8", "replace")}
                self._record(body)
                if not self.path.startswith("/v1/messages") or not isinstance(body, dict):
                    self._send(404, {"type": "error", "error": {"type": "not_found_error", "message": "not here"}})
                    return
                if self.path.startswith("/v1/messages/count_tokens"):
                    self._send(200, {"input_tokens": 10})
                    return
                blocks = api._decide(body)
                model = str(body.get("model", "fake"))
                stop = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
                if body.get("stream"):
                    self._stream(blocks, model, stop)
                else:
                    message = {
                        "id": "msg_conf",
                        "type": "message",
                        "role": "assistant",
                        "model": model,
                        "content": blocks,
                        "stop_reason": stop,
                        "stop_sequence": None,
                        "usage": {"input_tokens": 10, "output_tokens": 2},
                    }
                    self._send(200, message)

            def _send(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("request-id", "req_conf")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _event(self, name: str, payload: dict[str, Any]) -> None:
                data = f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

            def _stream(self, blocks: list[dict[str, Any]], model: str, stop: str) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream; charset=utf-8")
                self.send_header("request-id", "req_conf")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                start = {
                    "id": "msg_conf",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": 10, "output_tokens": 1},
                }
                self._event("message_start", {"type": "message_start", "message": start})
                for index, block in enumerate(blocks):
                    if block["type"] == "text":
                        empty = {"type": "text", "text": ""}
                        start_block = {"type": "content_block_start", "index": index, "content_block": empty}
                        self._event("content_block_start", start_block)
                        delta = {"type": "text_delta", "text": block["text"]}
                    else:
                        head = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
                        start_block = {"type": "content_block_start", "index": index, "content_block": head}
                        self._event("content_block_start", start_block)
                        delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
                    self._event("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
                    self._event("content_block_stop", {"type": "content_block_stop", "index": index})
                self._event(
                    "message_delta",
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": stop, "stop_sequence": None},
                        "usage": {"output_tokens": 2},
                    },
                )
                self._event("message_stop", {"type": "message_stop"})
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

        return Handler

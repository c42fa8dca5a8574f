"""Serving LSP over TCP to one client that proves it holds the server's token.

`--tcp HOST:PORT` is for editors that connect to a running server (and for debugging). A port on
127.0.0.1 is open to every process of the machine, and to every web page its browser shows (a
no-cors `fetch` can POST to it), so the socket is guarded:

- The first message on a connection must be `initialize` with the token in
  `initializationOptions.token` (compared in constant time). The token is the AGENT_LSP_TOKEN
  environment variable of the server (at least 16 characters), else one made here and printed on
  stderr. A missing or wrong token gets an error response and the connection is closed.
- Only LSP framing is read: an HTTP request line, any header but Content-Length/Content-Type, a
  frame over the limit (64 KiB before the token, MAX_TCP_BODY after) closes the connection before
  its body is read.
- One client per server: once a client proved the token, the listener is closed and later
  connections are refused; the server ends when that client leaves, as over stdio.
- A connection that closes, stalls (AUTH_TIMEOUT) or sends nonsense before proving the token is
  dropped, and the server keeps listening: a port scan cannot shut it down.

The traffic itself is not encrypted: bind to a loopback address.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import secrets
import sys
import threading
from collections.abc import Callable
from typing import Any

from agent_lsp.lsp.stdio import MAX_HEADER_LINE, Dispatcher, FrameError, FrameReader, Served

log = logging.getLogger(__name__)

TOKEN_ENV = "AGENT_LSP_TOKEN"
MIN_TOKEN_CHARS = 16
AUTH_TIMEOUT = 10.0  # seconds a connection has to send its `initialize`
MAX_AUTH_BODY = 64 * 1024  # an `initialize` is a few KB
MAX_TCP_BODY = 64 * 1024 * 1024  # a 5 MiB document, JSON-escaped, with room to spare
_LOOPBACK = ("127.", "::1", "localhost")


class TokenError(ValueError):
    """AGENT_LSP_TOKEN is set but too short to be a secret."""


def server_token() -> tuple[str, bool]:
    """(the token, whether it was made here and must be shown to the user)."""
    given = os.environ.get(TOKEN_ENV, "").strip()
    if given:
        if len(given) < MIN_TOKEN_CHARS:
            raise TokenError(f"{TOKEN_ENV} must be at least {MIN_TOKEN_CHARS} characters long")
        return given, False
    return secrets.token_urlsafe(32), True


def _token_of(message: Any) -> str | None:
    """The token an `initialize` request carries, if the message is one."""
    if not isinstance(message, dict) or message.get("method") != "initialize" or "id" not in message:
        return None
    params = message.get("params")
    options = params.get("initializationOptions") if isinstance(params, dict) else None
    token = options.get("token") if isinstance(options, dict) else None
    return token if isinstance(token, str) else None


def _without_token(message: dict[str, Any]) -> bytes:
    """The `initialize` as handed on: the token goes no further than this module."""
    options = message["params"]["initializationOptions"]
    del options["token"]
    return json.dumps(message).encode("utf-8")


def _refusal(msg_id: Any) -> bytes:
    if not isinstance(msg_id, (int, str)) or isinstance(msg_id, bool):
        msg_id = None
    error = {
        "code": -32600,
        "message": "agent-lsp over TCP needs the server's token as `initializationOptions.token` in initialize.",
    }
    body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "error": error}).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class TcpService:
    """The listener and the one client it serves."""

    def __init__(self, server: Served, token: str, stop: threading.Event) -> None:
        self._server = server
        self._token = token.encode("utf-8")
        self._stop = stop
        self._claimed = False
        self._listener: asyncio.Server | None = None
        self._done: asyncio.Event | None = None
        self.refused = 0  # connections dropped before or after the client came: what tests look at

    async def run(self, host: str, port: int, announce: Callable[[str], None]) -> None:
        self._done = asyncio.Event()
        self._listener = await asyncio.start_server(self._connection, host, port, limit=MAX_HEADER_LINE)
        bound = self._listener.sockets[0].getsockname()
        announce(f"agent-lsp: listening on {bound[0]}:{bound[1]}")
        try:
            await self._done.wait()
        finally:
            self._listener.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self._claimed:
                self.refused += 1
                return
            body = await self._first_body(reader)
            message: Any = None
            if body is not None:
                try:
                    message = json.loads(body)
                except (ValueError, RecursionError):
                    message = None
            token = _token_of(message)
            if self._claimed or token is None or not hmac.compare_digest(token.encode("utf-8"), self._token):
                self.refused += 1
                if isinstance(message, dict) and not self._claimed:
                    writer.write(_refusal(message.get("id")))
                    await writer.drain()
                log.warning("refused a TCP connection without the token")
                return
            assert isinstance(message, dict)  # `_token_of` found one
            self._claimed = True
            if self._listener is not None:
                self._listener.close()  # one client per server: nobody else may connect now
            await self._serve(reader, writer, _without_token(message))
        except (OSError, asyncio.IncompleteReadError) as error:
            log.warning("a TCP connection failed: %s", type(error).__name__)
        finally:
            writer.close()

    async def _first_body(self, reader: asyncio.StreamReader) -> bytes | None:
        try:
            return await asyncio.wait_for(FrameReader(reader, MAX_AUTH_BODY, strict=True).next_body(), AUTH_TIMEOUT)
        except (FrameError, asyncio.TimeoutError) as error:
            log.warning("dropped a TCP connection before initialize: %s", error or type(error).__name__)
            return None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, first: bytes) -> None:
        self._server.protocol.set_writer(writer)  # type: ignore[arg-type]  # write() and close(), as pygls's own
        dispatcher = Dispatcher(self._server, writer)
        frames = FrameReader(reader, MAX_TCP_BODY, strict=True)
        try:
            dispatcher.handle(first)
            while not self._stop.is_set():
                body = await frames.next_body()
                if body is None:
                    break
                dispatcher.handle(body)
        except FrameError as error:
            log.warning("dropped the TCP client: %s", error)
        finally:
            if self._done is not None:
                self._done.set()  # the server ends with its client


def _announce(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def start(server: Served, host: str, port: int, token: str | None = None) -> None:
    """Serve one authenticated client on HOST:PORT until it leaves (or sends `exit`)."""
    generated = False
    if token is None:
        token, generated = server_token()
    if not host.startswith(_LOOPBACK):
        _announce(f"agent-lsp: warning: {host} is not a loopback address; LSP traffic over TCP is not encrypted")
    if generated:
        _announce(f"agent-lsp: token {token} (send it as initializationOptions.token; or set {TOKEN_ENV})")
    server._stop_event = stop = threading.Event()
    service = TcpService(server, token, stop)
    try:
        asyncio.run(service.run(host, port, _announce))
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()

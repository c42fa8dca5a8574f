"""Reading LSP frames from stdin on the event loop, without a thread hop per read.

pygls 2 reads stdin through `run_in_executor`: three thread hand-offs per message
(the Content-Length line, the blank line, the body). On the 2-core machine of the
benchmark that hand-off is ~0.3 ms of every request's p50 and ~0.5 ms of its p99,
more than our hover handler itself. Here stdin is a pipe registered with the event
loop (`connect_read_pipe`), so a frame is parsed as soon as its bytes arrive.

The loop also answers what pygls only logs: a body that is not JSON gets a
`-32700 Parse error` response with `id: null`, a JSON value that is not a JSON-RPC
message gets `-32600 Invalid Request`, as JSON-RPC 2.0 asks. Oversized header lines
and bodies are skipped, never buffered without bound.

When stdin cannot be registered (a regular file, or the same open file as stdout,
whose blocking mode the loop would change), pygls's threaded reader is used.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

if TYPE_CHECKING:
    from pygls.protocol import JsonRPCProtocol
    from pygls.server import ServerErrors

log = logging.getLogger(__name__)

MAX_HEADER_LINE = 64 * 1024
# Far above any document we analyse (limits.MAX_DOCUMENT_CHARS is 5 MiB): a larger frame is
# read past in chunks and dropped, so a client's mistake cannot make us hold gigabytes.
MAX_BODY_BYTES = 256 * 1024 * 1024
_CHUNK = 1 << 20
_JSON_TYPES = (dict, list, str, int, float, bool, type(None))


def can_use_event_loop(stdin: BinaryIO, stdout: BinaryIO) -> bool:
    """True when stdin is a pipe, socket or character device of its own (POSIX only)."""
    if os.name != "posix":
        return False
    try:
        fd_in, fd_out = stdin.fileno(), stdout.fileno()
        st_in, st_out = os.fstat(fd_in), os.fstat(fd_out)
    except (OSError, ValueError, AttributeError):
        return False
    if not (stat.S_ISFIFO(st_in.st_mode) or stat.S_ISSOCK(st_in.st_mode) or stat.S_ISCHR(st_in.st_mode)):
        return False
    # One open file behind both (a terminal, a single socket): making stdin non-blocking
    # would make our blocking writes to stdout fail with EAGAIN.
    return (st_in.st_dev, st_in.st_ino) != (st_out.st_dev, st_out.st_ino)


class FrameError(Exception):
    """A strict reader met bytes that are not LSP framing (an HTTP request, an oversized frame)."""


_LSP_HEADERS = (b"content-length", b"content-type")


class FrameReader:
    """Splits a byte stream into LSP message bodies (`Content-Length` framing).

    Lenient (stdio, the editor's own pipe): stray lines are ignored and an oversized body is skipped.
    `strict` (a socket anyone on the machine may open): any line but `Content-Length`/`Content-Type`
    headers (an HTTP request line, say), a header line beyond the limit or a body over `max_body`
    raises FrameError, so the connection is dropped before anything is buffered or handled."""

    def __init__(self, stream: asyncio.StreamReader, max_body: int | None = None, strict: bool = False) -> None:
        self._stream = stream
        self._max_body = MAX_BODY_BYTES if max_body is None else max_body
        self._strict = strict

    async def next_body(self) -> bytes | None:
        """The next message body; None at end of input."""
        while True:
            length = await self._read_headers()
            if length is None:
                return None
            if length <= self._max_body:
                try:
                    return await self._stream.readexactly(length)
                except asyncio.IncompleteReadError:
                    return None
            if self._strict:
                raise FrameError(f"a frame of {length} bytes (limit {self._max_body})")
            log.warning("skipped a message of %d bytes (limit %d)", length, self._max_body)
            if not await self._skip(length):
                return None

    async def _read_headers(self) -> int | None:
        length: int | None = None
        while True:
            try:
                line = await self._stream.readline()
            except ValueError:  # a header line beyond the stream's limit: the stream dropped it
                if self._strict:
                    raise FrameError("a header line too long") from None
                log.warning("skipped a header line longer than %d bytes", MAX_HEADER_LINE)
                length = None
                continue
            if not line:
                return None
            if line in (b"\r\n", b"\n"):
                if length is not None:
                    return length
                if self._strict:
                    raise FrameError("a blank line without a Content-Length")
                continue  # a blank line without a length: stray bytes between frames
            name, colon, value = line.partition(b":")
            name = name.strip().lower()
            if self._strict and (not colon or name not in _LSP_HEADERS):
                raise FrameError("a line that is not an LSP header")  # `POST / HTTP/1.1`, `Host: …`
            if name == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    length = None
                if length is not None and length < 0:
                    length = None
                if length is None and self._strict:
                    raise FrameError("a Content-Length that is not a number")

    async def _skip(self, length: int) -> bool:
        while length > 0:
            chunk = await self._stream.read(min(length, _CHUNK))
            if not chunk:
                return False
            length -= len(chunk)
        return True


class Served(Protocol):
    """What serving reads of the pygls server (pygls leaves `shutdown` unannotated)."""

    _stop_event: threading.Event | None

    @property
    def protocol(self) -> JsonRPCProtocol: ...

    def shutdown(self) -> None: ...

    def _report_server_error(self, error: Exception, source: ServerErrors) -> None: ...


def _error_response(code: int, message: str, msg_id: Any = None) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})
    data = body.encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


class Dispatcher:
    """Hands each message body to pygls's protocol; answers what is not a JSON-RPC message itself."""

    def __init__(self, server: Served, writer: Any) -> None:
        self._server = server
        self._writer = writer
        self._protocol = server.protocol

    def handle(self, body: bytes) -> None:
        from pygls.exceptions import JsonRpcInternalError

        protocol, writer = self._protocol, self._writer
        try:
            message = json.loads(body, object_hook=protocol.structure_message)
        except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
            log.warning("a message that is not JSON: %s", type(error).__name__)
            writer.write(_error_response(-32700, "Parse error: the message body is not UTF-8 JSON."))
            return
        except RecursionError:  # `[[[[…]]]]` a thousand deep: a 2 KB frame must not end the server
            log.warning("a message nested too deeply")
            writer.write(_error_response(-32700, "Parse error: the message is nested too deeply."))
            return
        if isinstance(message, _JSON_TYPES):  # JSON, but not a JSON-RPC 2.0 message
            msg_id = message.get("id") if isinstance(message, dict) else None
            if not isinstance(msg_id, (int, str)) or isinstance(msg_id, bool):
                msg_id = None
            log.warning("a message that is not JSON-RPC 2.0")
            writer.write(_error_response(-32600, "Invalid Request: not a JSON-RPC 2.0 message.", msg_id))
            return
        try:
            protocol.handle_message(message)
        except Exception as error:  # a handler's failure (RecursionError too) must not end the loop
            log.exception("Unable to handle message")
            self._server._report_server_error(error, JsonRpcInternalError)


class _Arrivals(asyncio.StreamReaderProtocol):
    """The stdin pipe's protocol, telling `arrived` the moment bytes come in: the server's own work on
    the loop (the warm-up, adopting index entries) then stands aside before the message is even parsed."""

    def __init__(
        self, stream: asyncio.StreamReader, arrived: Callable[[], None] | None, loop: asyncio.AbstractEventLoop
    ) -> None:
        super().__init__(stream, loop=loop)
        self._arrived = arrived

    def data_received(self, data: bytes) -> None:
        if self._arrived is not None:
            self._arrived()
        super().data_received(data)


async def serve(server: Served, stdin: BinaryIO, stdout: BinaryIO, stop: threading.Event) -> None:
    """Read frames from `stdin` on the running loop and hand each message to pygls's protocol."""
    from pygls.io_ import StdoutWriter

    from agent_lsp.lsp.protocol import AgentProtocol

    loop = asyncio.get_running_loop()
    stream = asyncio.StreamReader(limit=MAX_HEADER_LINE, loop=loop)
    arrived = server.protocol.bytes_arrived if isinstance(server.protocol, AgentProtocol) else None
    transport, _ = await loop.connect_read_pipe(lambda: _Arrivals(stream, arrived, loop), stdin)
    writer = StdoutWriter(stdout)
    server.protocol.set_writer(writer)
    frames = FrameReader(stream)
    dispatcher = Dispatcher(server, writer)
    try:
        while not stop.is_set():
            body = await frames.next_body()
            if body is None:
                break
            dispatcher.handle(body)
    finally:
        transport.close()


def start(server: Served, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> bool:
    """Serve over stdio on the event loop; False (nothing done) when stdin does not allow it."""
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    if not can_use_event_loop(stdin, stdout):
        return False
    server._stop_event = stop = threading.Event()  # pygls's `shutdown` and `exit` set it
    try:
        asyncio.run(serve(server, stdin, stdout, stop))
    except BrokenPipeError:
        log.error("the client closed the connection; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
    return True

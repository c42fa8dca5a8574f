"""The event-loop stdio reader: LSP framing, bounds, and when it steps aside for pygls's reader."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import pytest

from agent_lsp.lsp import stdio


def _frames(data: bytes, chunk: int = 7) -> list[bytes | None]:
    """Every body the reader yields for `data`, fed in small pieces, then None at the end."""

    async def run() -> list[bytes | None]:
        stream = asyncio.StreamReader(limit=stdio.MAX_HEADER_LINE)

        async def feed() -> None:
            for i in range(0, len(data), chunk):
                stream.feed_data(data[i : i + chunk])
                await asyncio.sleep(0)
            stream.feed_eof()

        feeder = asyncio.ensure_future(feed())
        reader = stdio.FrameReader(stream)
        out: list[bytes | None] = []
        while True:
            body = await reader.next_body()
            out.append(body)
            if body is None:
                break
        await feeder
        return out

    return asyncio.run(run())


def frame(body: bytes, headers: bytes = b"") -> bytes:
    return b"Content-Length: %d\r\n" % len(body) + headers + b"\r\n" + body


def test_frames_split_across_reads_come_out_whole() -> None:
    bodies = [b'{"a":1}', b"{}", '{"t":"😀 漢字"}'.encode()]
    assert _frames(b"".join(frame(b) for b in bodies), chunk=3) == [*bodies, None]


def test_header_names_are_case_insensitive_and_other_headers_are_ignored() -> None:
    data = b"content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}"
    assert _frames(data) == [b"{}", None]


def test_stray_lines_and_bad_lengths_are_skipped_until_a_good_frame() -> None:
    data = b"\r\n" + b"Content-Length: abc\r\n\r\n" + b"Content-Length: -5\r\n\r\n" + frame(b"[1]")
    assert _frames(data) == [b"[1]", None]


def test_an_overlong_header_line_is_dropped_and_reading_goes_on() -> None:
    data = b"X-Junk: " + b"y" * (stdio.MAX_HEADER_LINE * 2) + b"\r\n" + frame(b"{}")
    assert _frames(data, chunk=4096) == [b"{}", None]


def test_a_body_over_the_limit_is_skipped_without_being_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stdio, "MAX_BODY_BYTES", 10)
    data = frame(b"x" * 50) + frame(b"{}")
    assert _frames(data) == [b"{}", None]


def test_a_body_cut_short_by_the_end_of_input_ends_reading() -> None:
    assert _frames(b"Content-Length: 10\r\n\r\n{}") == [None]


def test_error_responses_are_framed_json_rpc() -> None:
    raw = stdio._error_response(-32700, "Parse error", None)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head == b"Content-Length: %d" % len(body)
    assert body == b'{"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error"}}'


def test_pipes_and_sockets_use_the_event_loop_regular_files_and_shared_files_do_not(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    out_read, out_write = os.pipe()
    left, right = socket.socketpair()
    plain = tmp_path / "input.txt"
    plain.write_bytes(b"")
    with (
        os.fdopen(read_end, "rb") as pipe_in,
        os.fdopen(write_end, "wb") as pipe_w,
        os.fdopen(out_write, "wb") as pipe_out,
        os.fdopen(out_read, "rb") as out_r,
        plain.open("rb") as file_in,
    ):
        assert stdio.can_use_event_loop(pipe_in, pipe_out)
        sock_in = left.makefile("rb")
        sock_out = right.makefile("wb")
        assert stdio.can_use_event_loop(sock_in, sock_out)
        # One socket behind both ends: non-blocking reads would break blocking writes.
        same_out = left.makefile("wb")
        assert not stdio.can_use_event_loop(sock_in, same_out)
        assert not stdio.can_use_event_loop(file_in, pipe_out)
        for handle in (sock_in, sock_out, same_out):
            handle.close()
        del pipe_w, out_r
    left.close()
    right.close()


# ---- strict framing (the TCP socket, issue 15) ---------------------------------------------------


def _strict(data: bytes, max_body: int = 1000) -> list[bytes | None] | str:
    """What a strict reader yields for `data`, or the FrameError's text when it gives up."""

    async def run() -> list[bytes | None] | str:
        stream = asyncio.StreamReader(limit=stdio.MAX_HEADER_LINE)
        stream.feed_data(data)
        stream.feed_eof()
        reader = stdio.FrameReader(stream, max_body, strict=True)
        out: list[bytes | None] = []
        try:
            while True:
                body = await reader.next_body()
                out.append(body)
                if body is None:
                    return out
        except stdio.FrameError as error:
            return str(error)

    return asyncio.run(run())


def test_strict_framing_reads_lsp_frames() -> None:
    data = frame(b"{}", b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n") + frame(b"[1]")
    assert _strict(data) == [b"{}", b"[1]", None]


@pytest.mark.parametrize(
    "data",
    [
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}",  # a web page's no-cors fetch
        b"Content-Length: 2\r\nOrigin: https://evil.example\r\n\r\n{}",
        b"\r\n" + frame(b"{}"),
        b"Content-Length: abc\r\n\r\n{}",
        b"Content-Length: 5000\r\n\r\n" + b"x" * 5000,  # over max_body: refused before it is read
        b"Content-Length: " + b"9" * (stdio.MAX_HEADER_LINE * 2) + b"\r\n\r\n",
    ],
)
def test_strict_framing_gives_up_on_anything_else(data: bytes) -> None:
    assert isinstance(_strict(data), str)


def test_bytes_arriving_on_stdin_tell_the_server_the_client_is_busy_before_a_message_is_whole() -> None:
    # The warm-up and the index's adoption stand aside while the client is busy (`until_quiet`): stdin's
    # reader says so the moment bytes come in, before the message they start is complete or handled.
    import threading

    from agent_lsp.lsp.protocol import AgentProtocol
    from agent_lsp.lsp.server import create_server

    server = create_server()
    protocol = server.protocol
    assert isinstance(protocol, AgentProtocol)
    protocol.last_message = 0.0
    handled: list[object] = []
    protocol.handle_message = handled.append  # type: ignore[method-assign]
    read_fd, write_fd = os.pipe()
    out_read, out_write = os.pipe()
    stop = threading.Event()

    async def run() -> float:
        with open(read_fd, "rb", buffering=0) as stdin, open(out_write, "wb", buffering=0) as stdout:
            serving = asyncio.ensure_future(stdio.serve(server, stdin, stdout, stop))  # type: ignore[arg-type]
            os.write(write_fd, b"Content-Length: 40\r\n\r\n{")  # a frame begun, not finished
            for _ in range(500):
                if protocol.last_message:
                    break
                await asyncio.sleep(0.01)
            seen = protocol.last_message
            assert handled == []  # nothing whole to hand over yet
            os.close(write_fd)  # the end of input ends serving
            await serving
            return seen

    try:
        assert asyncio.run(run()) > 0.0
    finally:
        os.close(out_read)

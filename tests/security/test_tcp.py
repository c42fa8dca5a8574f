"""`agent-lsp --tcp` against local attackers (issue 15, finding 2), with real sockets on 127.0.0.1: a client
without the token, a web page's no-cors POST, a port scan, a second client and an oversized frame each get
nothing of the session, and the editor's client is served throughout."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

TOKEN = "tcp-test-token-Kestrel-5521-abcdef"
AGENT = "---\nname: tester\ndescription: Reviews code.\nmodel: haiku\n---\nYou review code.\n"


class TcpServer:
    """`python -m agent_lsp --tcp 127.0.0.1:0`, with the port and stderr lines it printed."""

    def __init__(self, tmp_path: Path, token: str | None = TOKEN) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "AGENT_LSP_"))}
        env["HOME"] = str(tmp_path / "home")
        if token is not None:
            env["AGENT_LSP_TOKEN"] = token
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agent_lsp", "--tcp", "127.0.0.1:0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.port = 0
        deadline = time.monotonic() + 30
        while not self.port:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith("agent-lsp: listening on "):
                self.port = int(line.rsplit(":", 1)[1])

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.stderr.append(line)
            self.lines.put(line)

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.proc.kill()
        self.proc.wait(timeout=10)


class Client:
    """A JSON-RPC client over one socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.file = sock.makefile("rb")
        self.next_id = 0

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def receive(self) -> dict[str, Any] | None:
        length = None
        while True:
            line = self.file.readline()
            if not line:
                return None
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            if line in (b"\r\n", b"\n") and length is not None:
                break
        value: dict[str, Any] = json.loads(self.file.read(length))
        return value

    def request(self, method: str, params: Any) -> dict[str, Any] | None:
        self.next_id += 1
        msg_id = self.next_id
        self.send({"id": msg_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message is None or (message.get("id") == msg_id and "method" not in message):
                return message
            if "method" in message and "id" in message:  # a request to the client
                self.send({"id": message["id"], "result": None})

    def initialize(self, root: Path, token: str | None = TOKEN) -> dict[str, Any] | None:
        params: dict[str, Any] = {
            "processId": None,
            "capabilities": {},
            "rootUri": None,
            "workspaceFolders": [{"uri": root.as_uri(), "name": "project"}],
        }
        if token is not None:
            params["initializationOptions"] = {"token": token}
        reply = self.request("initialize", params)
        if reply is not None and "result" in reply:
            self.send({"method": "initialized", "params": {}})
        return reply

    def closed_by_server(self) -> bool:
        self.sock.settimeout(10)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".claude" / "agents").mkdir(parents=True)
    (root / ".claude" / "agents" / "tester.md").write_text(AGENT, encoding="utf-8")
    return root


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TcpServer]:
    running = TcpServer(tmp_path)
    yield running
    running.stop()


def _serves(client: Client, workspace: Path) -> None:
    uri = (workspace / ".claude" / "agents" / "tester.md").as_uri()
    reply = client.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
    assert reply is not None and reply["result"]["kind"] == "full"


def test_the_token_holder_is_served_and_the_token_goes_no_further(server: TcpServer, workspace: Path) -> None:
    client = Client(server.connect())
    reply = client.initialize(workspace)
    assert reply is not None and reply["result"]["serverInfo"]["name"] == "agent-lsp"
    _serves(client, workspace)
    assert not any(TOKEN in line for line in server.stderr)


@pytest.mark.parametrize("token", [None, "wrong-token-0000000000000000"])
def test_a_client_without_the_token_gets_an_error_and_nothing_else(
    server: TcpServer, workspace: Path, token: str | None
) -> None:
    intruder = Client(server.connect())
    reply = intruder.initialize(workspace, token=token)
    assert reply is not None and reply["error"]["code"] == -32600 and "token" in reply["error"]["message"]
    assert intruder.closed_by_server()
    client = Client(server.connect())
    assert client.initialize(workspace) is not None
    _serves(client, workspace)


def test_requests_before_initialize_are_not_served(server: TcpServer, workspace: Path) -> None:
    intruder = Client(server.connect())
    uri = (workspace / ".claude" / "agents" / "tester.md").as_uri()
    reply = intruder.request("workspace/executeCommand", {"command": "agentLsp.listAgents", "arguments": [{}]})
    assert reply is None or "result" not in reply
    assert intruder.closed_by_server()
    assert uri  # the server read nothing for it; the real client comes next
    client = Client(server.connect())
    assert client.initialize(workspace) is not None


def test_a_web_pages_no_cors_post_is_dropped_unanswered(server: TcpServer, workspace: Path) -> None:
    body = json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}}
    ).encode()
    post = (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\n"
        b"Origin: https://evil.example\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    )
    sock = server.connect()
    sock.sendall(post)
    sock.settimeout(10)
    assert sock.recv(65536) == b""  # closed without a byte of LSP
    client = Client(server.connect())
    assert client.initialize(workspace) is not None
    _serves(client, workspace)


def test_a_port_scan_does_not_shut_the_server_down(server: TcpServer, workspace: Path) -> None:
    for _ in range(5):
        server.connect().close()  # connect, then close at once
    half = server.connect()
    half.sendall(b"Content-Len")  # a partial header, then gone
    half.close()
    time.sleep(0.3)
    assert server.alive()
    client = Client(server.connect())
    assert client.initialize(workspace) is not None
    _serves(client, workspace)


def test_one_client_per_server(server: TcpServer, workspace: Path) -> None:
    client = Client(server.connect())
    assert client.initialize(workspace) is not None
    try:  # even with the token, a second client gets nothing: the listener is closed
        second = Client(server.connect())
        assert second.initialize(workspace) is None
    except OSError:
        pass
    _serves(client, workspace)


def test_an_oversized_frame_before_the_token_is_dropped_unread(server: TcpServer, workspace: Path) -> None:
    sock = server.connect()
    sock.sendall(b"Content-Length: 2000000000\r\n\r\n" + b"[" * 65536)
    sock.settimeout(10)
    with contextlib.suppress(ConnectionResetError):  # closed, or reset with our bytes unread
        assert sock.recv(1) == b""
    client = Client(server.connect())
    assert client.initialize(workspace) is not None


def test_the_server_ends_when_its_client_leaves(server: TcpServer, workspace: Path) -> None:
    client = Client(server.connect())
    assert client.initialize(workspace) is not None
    client.file.close()
    client.sock.close()
    assert server.proc.wait(timeout=15) is not None


def test_a_generated_token_is_printed_and_works(tmp_path: Path, workspace: Path) -> None:
    running = TcpServer(tmp_path, token=None)
    try:
        deadline = time.monotonic() + 10
        while not any(line.startswith("agent-lsp: token ") for line in running.stderr):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        token = next(line for line in running.stderr if line.startswith("agent-lsp: token ")).split()[2]
        assert len(token) >= 32
        client = Client(running.connect())
        reply = client.initialize(workspace, token=token)
        assert reply is not None and "result" in reply
    finally:
        running.stop()


def test_a_short_token_is_a_usage_error(tmp_path: Path) -> None:
    env = {**os.environ, "AGENT_LSP_TOKEN": "short"}
    done = subprocess.run(
        [sys.executable, "-m", "agent_lsp", "--tcp", "127.0.0.1:0"], env=env, capture_output=True, timeout=30
    )
    assert done.returncode == 2 and b"at least 16 characters" in done.stderr

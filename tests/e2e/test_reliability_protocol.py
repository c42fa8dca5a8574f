"""Nonsense over the wire, lifecycle, logging and status: the real server over stdio with a raw JSON-RPC client.

Every nonsense request gets an error response or an empty result, and the server keeps
answering afterwards; the server exits on stdin EOF and when its parent process dies;
with `--log-level debug --log-file F` every request is logged with method, duration and
outcome, and neither the API key nor the document's text appears in any log line,
message or file the server wrote.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent_lsp import __version__

pytestmark = pytest.mark.e2e

KEY = "sk-ant-test-RELIABILITY-0123456789abcdef"
SECRET_TEXT = "PAYLOAD-Zebra-Quokka-7781"  # appears only in the document's text
AGENT = f"---\nname: tester\ndescription: Reviews code. {SECRET_TEXT}\nmodel: haiku\n---\nYou review code.\n"


class RawServer:
    """`python -m agent_lsp` with a hand-written JSON-RPC client (no library smoothing over mistakes)."""

    def __init__(self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agent_lsp", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.raw: list[bytes] = []  # every message body the server sent
        self.stderr = b""
        self._next = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._err = threading.Thread(target=self._read_stderr, daemon=True)
        self._err.start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                if line in (b"\r\n", b"\n"):
                    break
            body = out.read(length)
            self.raw.append(body)
            message = json.loads(body)
            if isinstance(message, dict):
                message["_received"] = time.monotonic()
            self.inbox.put(message)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        self.stderr = self.proc.stderr.read()

    def send_bytes(self, body: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_bytes(json.dumps({"jsonrpc": "2.0", **message}).encode())

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any = None, timeout: float = 10.0) -> dict[str, Any]:
        self._next += 1
        msg_id = self._next
        self.send({"id": msg_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == msg_id and "method" not in m, timeout)

    def wait(self, match: Callable[[dict[str, Any]], bool], timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no matching message from the server")
            message = self.inbox.get(timeout=remaining)
            if message is None:
                raise EOFError("the server closed its output")
            if "method" in message and "id" in message:  # a request to the client: answer it
                self.send({"id": message["id"], "result": None})
            if "method" in message:
                self.notifications.append(message)
            if match(message):
                return message

    def initialize(self, root: Path | None = None, **extra: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"processId": None, "capabilities": {}, "rootUri": None, **extra}
        if root is not None:
            params["workspaceFolders"] = [{"uri": root.as_uri(), "name": "project"}]
        reply = self.request("initialize", params)
        self.notify("initialized", {})
        return reply

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "markdown", "version": version, "text": text}},
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> int:
        if self.alive():
            try:
                self.request("shutdown", timeout=5)
                self.notify("exit")
            except (TimeoutError, EOFError, BrokenPipeError, OSError):
                pass
        try:
            return self.proc.wait(timeout=10)
        finally:
            if self.alive():
                self.proc.kill()
                self.proc.wait()
            self._err.join(timeout=5)


def agent_workspace(tmp_path: Path) -> Path:
    """A project holding one agent, `tester` (AGENT)."""
    root = tmp_path / "project"
    (root / ".claude" / "agents").mkdir(parents=True)
    (root / ".claude" / "agents" / "tester.md").write_text(AGENT, encoding="utf-8")
    return root


def start_server(tmp_path: Path) -> RawServer:
    """The real server over stdio, with no Anthropic settings from the environment and HOME in `tmp_path`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["HOME"] = str(tmp_path / "home")
    return RawServer(env=env)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return agent_workspace(tmp_path)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RawServer]:
    raw = start_server(tmp_path)
    yield raw
    raw.close()


def _agent_uri(workspace: Path) -> str:
    return (workspace / ".claude" / "agents" / "tester.md").as_uri()


def _still_answers(server: RawServer, uri: str) -> None:
    reply = server.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
    assert "result" in reply and reply["result"]["kind"] == "full"


# ---- nonsense requests ----------------------------------------------------------------------


def test_requests_before_initialize_get_server_not_initialized(server: RawServer, workspace: Path) -> None:
    uri = _agent_uri(workspace)
    reply = server.request(
        "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
    )
    assert reply["error"]["code"] == -32002
    server.open(uri, AGENT)  # a notification before initialize is dropped, not a crash
    assert server.request("shutdown")["error"]["code"] == -32002
    assert server.initialize(workspace)["result"]["serverInfo"]["name"] == "agent-lsp"
    server.open(uri, AGENT)
    _still_answers(server, uri)


NONSENSE: list[tuple[str, Any]] = [
    ("textDocument/hover", {"textDocument": {"uri": "URI"}, "position": {"line": 10_000, "character": 10_000}}),
    ("textDocument/hover", {"textDocument": {"uri": "URI"}, "position": {"line": 0, "character": 2**31 - 1}}),
    ("textDocument/completion", {"textDocument": {"uri": "URI"}, "position": {"line": 99, "character": 0}}),
    (
        "textDocument/hover",
        {"textDocument": {"uri": "file:///nowhere/.claude/agents/x.md"}, "position": {"line": 0, "character": 0}},
    ),
    ("textDocument/hover", {"textDocument": {"uri": "not a uri"}, "position": {"line": 0, "character": 0}}),
    ("textDocument/diagnostic", {"textDocument": {"uri": "file:///etc/passwd"}}),
    (
        "textDocument/codeAction",
        {
            "textDocument": {"uri": "URI"},
            "range": {"start": {"line": 50, "character": 9}, "end": {"line": 2, "character": 0}},
            "context": {"diagnostics": []},
        },
    ),
    ("textDocument/documentSymbol", {"textDocument": {"uri": "untitled:Untitled-1"}}),
    ("textDocument/foldingRange", {"textDocument": {"uri": "URI"}}),
    ("textDocument/hover", {"textDocument": {"uri": "URI"}}),
    ("textDocument/hover", {"position": "here"}),
    ("textDocument/hover", None),
    ("textDocument/hover", [1, 2, 3]),
    ("textDocument/completion", {"textDocument": {"uri": 42}, "position": {"line": -1, "character": -1}}),
    ("textDocument/diagnostic", {"textDocument": {}}),
    ("workspace/executeCommand", {"command": "agentLsp.askAgent", "arguments": []}),
    ("workspace/executeCommand", {"command": "agentLsp.askAgent", "arguments": ["file:///x", 3]}),
    ("workspace/executeCommand", {"command": "agentLsp.askAgent", "arguments": [{"uri": 5}]}),
    ("workspace/executeCommand", {"command": "agentLsp.askAgent", "arguments": [{"uri": "URI", "range": "all"}]}),
    ("workspace/executeCommand", {"command": "agentLsp.askAgent", "arguments": [{"uri": "file:///etc/passwd"}]}),
    ("workspace/executeCommand", {"command": "agentLsp.setApiKey", "arguments": [{"apiKey": 12}]}),
    ("workspace/executeCommand", {"command": "agentLsp.noSuchCommand", "arguments": []}),
    ("workspace/executeCommand", {"command": 7}),
    ("workspace/executeCommand", {"command": "agentLsp.status", "arguments": [1, 2, {"x": None}]}),
    ("no/suchMethod", {"a": 1}),
    ("$/noSuchRequest", {}),
]


def test_nonsense_requests_get_errors_or_empty_results(server: RawServer, workspace: Path) -> None:
    server.initialize(workspace)
    uri = _agent_uri(workspace)
    server.open(uri, AGENT)
    outcomes = []
    for method, params in NONSENSE:
        params = json.loads(json.dumps(params).replace('"URI"', json.dumps(uri)))
        reply = server.request(method, params)
        assert ("error" in reply) != ("result" in reply), reply
        if "error" in reply:
            assert isinstance(reply["error"]["code"], int) and reply["error"]["message"]
            assert "Traceback" not in reply["error"]["message"]
        outcomes.append((method, reply.get("error", {}).get("code")))
        _still_answers(server, uri)
    codes = dict.fromkeys(code for _, code in outcomes)
    assert -32602 in codes and -32601 in codes  # invalid params and unknown methods are told apart
    # An unopened file is never read from disk: no diagnostics for /etc/passwd or a file outside the workspace.
    passwd = server.request("textDocument/diagnostic", {"textDocument": {"uri": "file:///etc/passwd"}})
    assert passwd["result"]["items"] == []
    assert server.alive()


def test_malformed_frames_and_notifications_do_not_stop_the_server(server: RawServer, workspace: Path) -> None:
    server.initialize(workspace)
    uri = _agent_uri(workspace)
    server.open(uri, AGENT)
    # JSON-RPC 2.0: a body that is not JSON gets Parse error, a JSON value that is not a
    # request gets Invalid Request, both with `id: null` (or the id, when one can be read).
    server.send_bytes(b"{not json")
    parse_error = server.wait(lambda m: "error" in m and m.get("id") is None)
    assert parse_error["error"]["code"] == -32700
    server.send_bytes(b"\xff\xfe not utf-8")
    assert server.wait(lambda m: "error" in m and m.get("id") is None)["error"]["code"] == -32700
    server.send_bytes(b"[1, 2, 3]")
    assert server.wait(lambda m: "error" in m and m.get("id") is None)["error"]["code"] == -32600
    server.send_bytes(b'"just a string"')
    assert server.wait(lambda m: "error" in m and m.get("id") is None)["error"]["code"] == -32600
    server.send_bytes(b'{"id": 77, "method": "shutdown"}')  # no "jsonrpc" member
    assert server.wait(lambda m: m.get("id") == 77)["error"]["code"] == -32600
    assert server.proc.stdin is not None
    server.proc.stdin.write(b"X-Nonsense: 1\r\n" + b"Y" * 100_000 + b"\r\n\r\n")  # no length, an overlong line
    server.proc.stdin.flush()
    server.send_bytes(json.dumps({"jsonrpc": "1.0", "id": 99, "method": "shutdown"}).encode())
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri}})  # no version, no changes
    server.notify("textDocument/didChange", {"textDocument": {"uri": "file:///never/opened.md", "version": 2},
                                             "contentChanges": [{"text": "x"}]})  # fmt: skip
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 900, "character": 5}, "end": {"line": 1, "character": 0}},
                                "text": "zz"}],
        },
    )  # fmt: skip
    server.notify("textDocument/didClose", {"textDocument": {"uri": "file:///never/opened.md"}})
    server.notify("$/cancelRequest", {"id": 12345})
    server.notify("$/setTrace", {"value": "verbose"})
    server.notify("no/suchNotification", {})
    _still_answers(server, uri)
    assert server.alive()


# ---- lifecycle ------------------------------------------------------------------------------


def test_exits_on_stdin_eof(server: RawServer, workspace: Path) -> None:
    server.initialize(workspace)
    assert server.proc.stdin is not None
    server.proc.stdin.close()
    started = time.monotonic()
    assert server.proc.wait(timeout=10) is not None
    assert time.monotonic() - started < 10


def test_exits_when_its_parent_process_dies(tmp_path: Path, workspace: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    env = {**os.environ, "AGENT_LSP_PARENT_POLL": "0.1", "HOME": str(tmp_path / "home")}
    raw = RawServer(env=env)
    try:
        raw.initialize(workspace, processId=parent.pid)
        status = raw.request("workspace/executeCommand", {"command": "agentLsp.status", "arguments": []})
        assert status["result"]["watchingParent"] == parent.pid
        time.sleep(0.5)
        assert raw.alive()  # the parent is still there
        parent.kill()
        parent.wait()
        # stdin stays open: only the parent watch can end the server now.
        assert raw.proc.wait(timeout=10) == 0
    finally:
        parent.kill()
        raw.close()


def test_a_process_id_that_is_not_visible_is_not_watched(server: RawServer, workspace: Path) -> None:
    server.initialize(workspace, processId=2**22 + 12345)  # past any pid_max: another pid namespace
    time.sleep(0.3)
    status = server.request("workspace/executeCommand", {"command": "agentLsp.status", "arguments": []})
    assert status["result"]["watchingParent"] is None and server.alive()


def test_version_flag() -> None:
    done = subprocess.run([sys.executable, "-m", "agent_lsp", "--version"], capture_output=True, text=True, check=True)
    pinned = (Path(__file__).resolve().parents[1] / "conformance" / "PINNED_VERSION").read_text().strip()
    assert done.stdout.strip() == f"agent-lsp {__version__} (rules verified against Claude Code {pinned})"


# ---- status -------------------------------------------------------------------------------


def test_status_command(server: RawServer, workspace: Path) -> None:
    server.initialize(workspace)
    uri = _agent_uri(workspace)
    server.open(uri, AGENT)
    server.open((workspace / "notes.md").as_uri(), "# notes\n")
    server.request("textDocument/hover", {"position": "here"})
    time.sleep(0.05)
    reply = server.request("workspace/executeCommand", {"command": "agentLsp.status", "arguments": []})
    status = reply["result"]
    assert status["version"] == __version__
    assert status["openDocuments"] == 2
    assert 0 < status["uptimeSeconds"] < 60
    assert status["requests"] >= 2
    assert status["architect"]["breaker"] == "closed"
    assert status["architect"]["consecutiveFailures"] == 0
    assert "lastError" in status and "lastFailure" in status["architect"]


def test_status_reports_the_last_handler_error(server: RawServer, workspace: Path) -> None:
    server.initialize(workspace)
    status = server.request("workspace/executeCommand", {"command": "agentLsp.status", "arguments": []})["result"]
    assert status["lastError"] is None and status["errors"] == 0
    # A didChange for a document that was never opened fails inside pygls's workspace: a handler error.
    server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": "file:///never/opened.md", "version": 2}, "contentChanges": [{"text": "x"}]},
    )
    status = server.request("workspace/executeCommand", {"command": "agentLsp.status", "arguments": []})["result"]
    assert status["errors"] >= 1
    assert status["lastError"]["method"] == "textDocument/didChange"
    assert status["lastError"]["type"]


# ---- logging and the key ----------------------------------------------------------------------


def test_logs_every_request_and_never_the_key_or_the_text(tmp_path: Path, workspace: Path, fake_api: Any) -> None:
    log_file = tmp_path / "logs" / "server.jsonl"
    log_file.parent.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(tmp_path / "cache"))
    before = {p for p in tmp_path.rglob("*") if p.is_file()}
    raw = RawServer("--log-level", "debug", "--log-file", str(log_file), env=env)
    options = {"agentLsp": {"apiKey": KEY, "baseUrl": fake_api.url, "maxRetries": 0, "timeoutSeconds": 2,
                            "rateLimitPerMinute": 0}}  # fmt: skip
    try:
        raw.initialize(workspace, initializationOptions=options)
        uri = _agent_uri(workspace)
        raw.open(uri, AGENT)
        source = workspace / "app.py"
        source.write_text(f"print('{SECRET_TEXT}')\n", encoding="utf-8")
        raw.open(source.as_uri(), source.read_text())
        assert raw.request("workspace/executeCommand", {"command": "agentLsp.setApiKey",
                                                        "arguments": [{"apiKey": KEY}]})["result"]  # fmt: skip
        result = raw.request(
            "workspace/executeCommand",
            {"command": "agentLsp.askAgent", "arguments": [{"uri": source.as_uri(), "agent": "tester"}]},
            timeout=30,
        )["result"]
        assert result["complete"], result
        fake_api.required_key = "another-key"  # a 401 must not echo the key either
        failed = raw.request(
            "workspace/executeCommand",
            {"command": "agentLsp.askAgent", "arguments": [{"uri": source.as_uri(), "agent": "tester"}]},
            timeout=30,
        )["result"]
        assert failed["error"] == "key_rejected"
        raw.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 3}})
        raw.request("textDocument/hover", {"position": "broken"})
        raw.request("workspace/executeCommand", {"command": "agentLsp.status", "arguments": []})
    finally:
        raw.close()
    assert fake_api.requests and all(r.api_key == KEY for r in fake_api.requests)  # it went to the API only

    lines = log_file.read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    requests = [e for e in entries if e.get("logger") == "agent_lsp.requests" and e["message"] == "request"]
    methods = {e["method"] for e in requests}
    assert {"initialize", "workspace/executeCommand", "textDocument/hover", "shutdown"} <= methods
    assert all(isinstance(e["duration_ms"], (int, float)) and e["outcome"] in ("ok", "error") for e in requests)
    assert any(e["outcome"] == "error" and e.get("error_code") == -32602 for e in requests)
    assert any(e.get("method") == "textDocument/didOpen" for e in entries)  # notifications at debug level
    assert all(e["level"] in ("debug", "info", "warning", "error", "critical") for e in entries)
    third_party = [e for e in entries if e["logger"].startswith("pygls")]
    assert all("\n" not in e["message"] and "error" not in e for e in third_party)  # no params, no tracebacks

    written = [p for p in tmp_path.rglob("*") if p.is_file() and p not in before]
    haystacks = {str(p): p.read_bytes().decode("utf-8", "replace") for p in written}
    haystacks["stderr"] = raw.stderr.decode("utf-8", "replace")
    haystacks["messages"] = b"\n".join(raw.raw).decode("utf-8", "replace")
    for name, text in haystacks.items():
        assert KEY not in text, f"the API key is in {name}"
    for name in (str(log_file), "stderr"):
        assert SECRET_TEXT not in haystacks[name], f"document text is in {name}"
    assert any(p != log_file for p in written)  # the answer files were among what was searched


def test_command_paths_outside_the_workspace_are_refused(server: RawServer, workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "secret.py"
    outside.parent.mkdir()
    outside.write_text(f"TOKEN = '{SECRET_TEXT}'\n", encoding="utf-8")
    server.initialize(workspace, initializationOptions={"agentLsp": {"apiKey": KEY, "baseUrl": "http://127.0.0.1:9"}})
    for uri in (outside.as_uri(), (workspace / ".." / "elsewhere" / "secret.py").as_uri()):
        reply = server.request(
            "workspace/executeCommand",
            {"command": "agentLsp.askAgent", "arguments": [{"uri": uri, "agent": "tester"}]},
        )
        assert reply["result"]["status"] == "refused"
        assert "inside the workspace" in reply["result"]["message"]
    assert all(SECRET_TEXT.encode() not in body for body in server.raw)


def test_notifications_leave_no_futures_behind() -> None:
    """pygls files each generator-run notification's future and never drops it; we do."""
    from agent_lsp.lsp.server import create_server

    server = create_server()
    protocol = server.protocol

    class Sink:
        def write(self, data: bytes) -> None:
            pass

        def close(self) -> None:
            pass

    protocol.set_writer(Sink())

    def send(message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message})
        protocol.handle_message(json.loads(body, object_hook=protocol.structure_message))

    send({"id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}, "rootUri": None}})
    uri = "file:///w/.claude/agents/a.md"
    document = {"uri": uri, "languageId": "markdown", "version": 1, "text": "---\nname: a\n---\n"}
    send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
    for version in range(2, 502):
        change = {"text": f"---\nname: a\ndescription: {version}\n---\n"}
        send({"method": "textDocument/didChange",
              "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}})  # fmt: skip
    send({"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})
    assert protocol._request_futures == {}


def test_stdin_from_a_regular_file_is_served_by_the_threaded_reader(tmp_path: Path) -> None:
    """A file cannot be registered with the event loop; the server falls back to pygls's reader."""

    def framed(message: dict[str, Any]) -> bytes:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    script = tmp_path / "session.lsp"
    script.write_bytes(
        framed({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        + framed({"method": "initialized", "params": {}})
        + framed({"id": 2, "method": "shutdown"})
        + framed({"method": "exit"})
    )
    with script.open("rb") as stdin:
        done = subprocess.run(
            [sys.executable, "-m", "agent_lsp"], stdin=stdin, capture_output=True, timeout=60, check=False
        )
    assert done.returncode == 0
    assert b'"name": "agent-lsp"' in done.stdout or b'"name":"agent-lsp"' in done.stdout
    assert b'"id": 2' in done.stdout or b'"id":2' in done.stdout

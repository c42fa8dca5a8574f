"""Hostile messages over stdio (issue 15, findings 7 and 11): the server answers each with a JSON-RPC
error of our own words and keeps serving; no response carries a Python traceback."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.test_reliability_protocol import AGENT, RawServer, agent_workspace, start_server

pytestmark = pytest.mark.e2e


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return agent_workspace(tmp_path)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RawServer]:
    raw = start_server(tmp_path)
    yield raw
    raw.close()


def _still_answers(server: RawServer, uri: str) -> None:
    reply = server.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
    assert reply["result"]["kind"] == "full"


def _no_traceback(server: RawServer) -> None:
    for body in server.raw:
        assert b"Traceback" not in body and b"traceback" not in body and b'File \\"' not in body, body[:300]


def test_deeply_nested_json_gets_an_error_and_the_server_keeps_serving(server: RawServer, workspace: Path) -> None:
    server.initialize(workspace)
    uri = (workspace / ".claude" / "agents" / "tester.md").as_uri()
    server.open(uri, AGENT)
    nested = b"[" * 1000 + b"]" * 1000  # 2 KB, 1,000 deep: CPython's json recursion limit
    assert len(nested) == 2000
    server.send_bytes(nested)
    reply = server.wait(lambda m: "error" in m and m.get("id") is None)
    assert reply["error"]["code"] == -32700
    deep_request = b'{"jsonrpc":"2.0","id":77,"method":"textDocument/hover","params":' + nested + b"}"
    server.send_bytes(deep_request)
    reply = server.wait(lambda m: "error" in m and m.get("id") in (77, None) and m is not None)
    assert reply["error"]["code"] in (-32700, -32600, -32602)
    assert server.alive()
    _still_answers(server, uri)
    _no_traceback(server)


def test_a_second_initialize_is_refused_and_keeps_the_open_documents(server: RawServer, workspace: Path) -> None:
    server.initialize(workspace)
    uri = (workspace / ".claude" / "agents" / "tester.md").as_uri()
    server.open(uri, AGENT.replace("model: haiku", "model: nonsense-model"))
    again = server.request("initialize", {"processId": None, "capabilities": {}, "rootUri": None})
    assert again["error"]["code"] == -32600
    assert "already" in again["error"]["message"]
    # The document opened before is still the editor's text (a dropped document would be read from disk).
    reply = server.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
    assert any("nonsense-model" in json.dumps(d) for d in reply["result"]["items"])


def test_a_symlink_loop_asked_about_gets_our_message_without_a_traceback(server: RawServer, workspace: Path) -> None:
    loop = workspace / "loop.md"
    os.symlink(loop, loop)
    server.initialize(workspace)
    reply = server.request(
        "workspace/executeCommand",
        {"command": "agentLsp.askAgent", "arguments": [{"uri": loop.as_uri(), "agent": "tester"}]},
    )
    text = json.dumps(reply)
    assert "Traceback" not in text and "traceback" not in text
    assert "error" not in reply or reply["error"]["code"] != -32603
    _no_traceback(server)
    assert server.alive()


def test_a_fifo_asked_about_without_text_does_not_freeze_the_server(server: RawServer, workspace: Path) -> None:
    fifo = workspace / "pipe.md"
    os.mkfifo(fifo)
    server.initialize(workspace)
    uri = (workspace / ".claude" / "agents" / "tester.md").as_uri()
    server.open(uri, AGENT)
    server.request(
        "workspace/executeCommand",
        {"command": "agentLsp.askAgent", "arguments": [{"uri": fifo.as_uri(), "agent": "tester"}]},
        timeout=5,
    )
    _still_answers(server, uri)

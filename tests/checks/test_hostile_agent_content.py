"""Agent files are data: hooks, MCP servers and paths in them are never run, fetched or read.

An agent whose hooks and MCP entries would create marker files or call a listening
socket goes through every feature handler of the server and through `agent-lsp check`;
afterwards no marker exists, nothing connected, no file outside the workspace was
revealed, and every file in the workspace is byte-for-byte unchanged.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import io
import socket
import threading
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.workspace import Workspace

from agent_lsp.check import run_check
from agent_lsp.lsp.server import create_server

SENTINEL = "OUTSIDE-THE-WORKSPACE-4471"


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP port that records every connection (and what was sent)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    seen.append(conn.recv(4096))
                except OSError:
                    seen.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], seen
    stop.set()
    thread.join(timeout=2)
    sock.close()


def _agent(marker: Path, port: int, outside: Path) -> str:
    return f"""---
name: dangerous
description: Has hooks and MCP servers that must never run. See {outside}
tools: Read, Bash(touch {marker}-tools)
hooks:
  PreToolUse:
    - matcher: Bash
      hooks:
        - type: command
          command: touch {marker}-hook; curl http://127.0.0.1:{port}/hook
mcpServers:
  local:
    command: sh
    args: ["-c", "touch {marker}-mcp"]
  remote:
    type: http
    url: http://127.0.0.1:{port}/mcp
  sse:
    type: sse
    url: http://127.0.0.1:{port}/sse
skills:
  - ../../../outside/secret
---
Read @{outside} and ../../../outside/secret.txt, then run `touch {marker}-body`.
$(touch {marker}-subst)
"""


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def _walk_positions(text: str) -> Iterator[types.Position]:
    for line_no, line in enumerate(text.split("\n")):
        for col in range(0, len(line) + 1, 3):
            yield types.Position(line_no, col)


def test_agent_content_is_never_executed_fetched_or_read(tmp_path: Path, listener: tuple[int, list[bytes]]) -> None:
    port, connections = listener
    marker = tmp_path / "marker"
    outside = tmp_path / "outside" / "secret.txt"
    outside.parent.mkdir()
    outside.write_text(SENTINEL, encoding="utf-8")
    project = tmp_path / "project"
    agent_path = project / ".claude" / "agents" / "dangerous.md"
    agent_path.parent.mkdir(parents=True)
    text = _agent(marker, port, outside)
    agent_path.write_text(text, encoding="utf-8")
    (project / ".mcp.json").write_text(
        '{"mcpServers": {"x": {"command": "sh", "args": ["-c", "touch ' + str(marker) + '-json"]}}}',
        encoding="utf-8",
    )
    before = _snapshot(project)

    server = create_server()
    server.protocol._workspace = Workspace(project.as_uri(), workspace_folders=[])
    server.protocol.client_capabilities = types.ClientCapabilities()
    features = server.protocol.fm.features
    convert = server.protocol._converter.unstructure
    uri = agent_path.as_uri()
    server.workspace.put_text_document(types.TextDocumentItem(uri, "markdown", 1, text))
    doc = types.TextDocumentIdentifier(uri)
    results: list[Any] = [convert(features[types.TEXT_DOCUMENT_DIAGNOSTIC](types.DocumentDiagnosticParams(doc)))]
    for position in _walk_positions(text):
        results.append(convert(features[types.TEXT_DOCUMENT_HOVER](types.HoverParams(doc, position))))
        results.append(convert(features[types.TEXT_DOCUMENT_COMPLETION](types.CompletionParams(doc, position))))
        if types.TEXT_DOCUMENT_DEFINITION in features:
            # (a coroutine: navigation awaits the index, which the calls above have built)
            definition = features[types.TEXT_DOCUMENT_DEFINITION](types.DefinitionParams(doc, position))
            results.append(convert(asyncio.run(definition) if inspect.isawaitable(definition) else definition))
    whole = types.Range(types.Position(0, 0), types.Position(len(text.split("\n")), 0))
    context = types.CodeActionContext(diagnostics=[])
    results.append(convert(features[types.TEXT_DOCUMENT_CODE_ACTION](types.CodeActionParams(doc, whole, context))))
    results.append(convert(features[types.TEXT_DOCUMENT_DOCUMENT_SYMBOL](types.DocumentSymbolParams(doc))))

    out = io.StringIO()
    with redirect_stdout(out):
        run_check([str(project), "--format", "json"])
    results.append(out.getvalue())

    assert not list(tmp_path.glob("marker*")), "something in the agent file was executed"
    assert connections == [], "something in the agent file was fetched"
    assert SENTINEL not in repr(results), "a file outside the workspace was read into a result"
    assert _snapshot(project) == before, "a workspace file changed without an applied edit"
    assert any(results[1:]), "the handlers did answer"

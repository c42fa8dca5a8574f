"""Each edit's analysis is freed by reference counting alone.

The server raises the garbage collector's threshold (collections are counted in allocations,
not bytes), so a reference cycle that holds a document's text would keep every version of a
large file alive until a collection happens: 200 edits of a 1 MB file once held ~100 MB.
Here the collector is off while a document is opened, edited and queried through the real
server's handlers; afterwards it must find nothing to free.
"""

from __future__ import annotations

import asyncio
import gc
import json
from typing import Any

from agent_lsp.lsp.server import create_server
from agent_lsp.syntax.text import LineIndex

TEXT = (
    "---\nname: reviewer\ndescription: Reviews code 😀.\ntools: Read, Grep\nmodel: sonnet\ncolor: blue\n"
    "hooks:\n  PreToolUse:\n    - matcher: Bash\n      hooks:\n        - type: command\n          command: ./check.sh\n"
    "---\n" + "Body line with @agent-helper and 漢字.\n" * 5000
)


def test_a_lazy_line_index_is_not_a_cycle() -> None:
    gc.collect()
    gc.disable()
    try:
        index = LineIndex("a\n" * 10_000)
        assert index.lines[3] == "a" and len(index.lines) == 10_001
        del index
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_edits_and_requests_leave_no_cyclic_garbage(tmp_path: Any) -> None:
    path = tmp_path / ".claude" / "agents" / "reviewer.md"
    path.parent.mkdir(parents=True)
    path.write_text(TEXT, encoding="utf-8")
    uri = path.as_uri()

    class Sink:
        def write(self, data: bytes) -> None:
            pass

        def close(self) -> None:
            pass

    async def session() -> int:
        server = create_server()
        server.protocol.set_writer(Sink())
        protocol = server.protocol

        def send(message: dict[str, Any]) -> None:
            protocol.handle_message(json.loads(json.dumps(message), object_hook=protocol.structure_message))

        root = tmp_path.as_uri()
        send({"jsonrpc": "2.0", "id": 0, "method": "initialize",
              "params": {"processId": None, "rootUri": root, "capabilities": {}}})  # fmt: skip
        await asyncio.sleep(0.5)  # the warm-up
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        text_document = {"uri": uri, "languageId": "markdown", "version": 1, "text": TEXT}
        send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": text_document}})
        await asyncio.sleep(0.05)
        # Two warm rounds (first-use caches fill), then the measured ones.
        for round_ in range(4):
            if round_ == 2:
                gc.collect()
                gc.disable()
            for version in range(2 + 10 * round_, 12 + 10 * round_):
                value = "blux" if version % 2 else "blue"
                change = {"range": {"start": {"line": 5, "character": 7}, "end": {"line": 5, "character": 11}},
                          "text": value}  # fmt: skip
                versioned = {"uri": uri, "version": version}
                send({"jsonrpc": "2.0", "method": "textDocument/didChange",
                      "params": {"textDocument": versioned, "contentChanges": [change]}})  # fmt: skip
                position = {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 7}}
                send({"jsonrpc": "2.0", "id": version, "method": "textDocument/completion", "params": position})
                send({"jsonrpc": "2.0", "id": -version, "method": "textDocument/hover", "params": position})
                rng = {"start": {"line": 5, "character": 7}, "end": {"line": 5, "character": 11}}
                asked = {"textDocument": {"uri": uri}, "range": rng, "context": {"diagnostics": []}}
                send({"jsonrpc": "2.0", "id": 1000 + version, "method": "textDocument/codeAction", "params": asked})
                await asyncio.sleep(0)
        found = gc.collect()
        gc.enable()
        return found

    try:
        assert asyncio.run(session()) == 0
    finally:
        gc.enable()

"""One start of a server, from its first import to its `initialize` answer (profile_startup.py runs it).

    python benchmarks/startup_target.py agent-lsp | bare-pygls

The server is imported and built as its entry point does, gets an `initialize` request the way
the stdio reader hands one over, and the process exits once the answer is written.
"""

from __future__ import annotations

import json
import sys
from typing import Any

INITIALIZE = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"processId": None, "capabilities": {}}}


class _Capture:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        pass


def build(name: str) -> Any:
    if name == "agent-lsp":
        from agent_lsp.__main__ import hold_full_collections

        hold_full_collections()  # as `agent-lsp` does before it imports pygls
        from agent_lsp.logsetup import configure

        configure("warning", None)  # as `agent-lsp` does before it builds the server
        from agent_lsp.lsp.server import create_server

        return create_server()
    from pygls.lsp.server import LanguageServer

    return LanguageServer("bare", "0")


def answer(server: Any) -> bytes:
    """pygls answers `initialize` within `handle_message` (the handler's future calls back at
    once). No event loop runs here, so agent-lsp's warm-up, which the real server starts on the
    loop after this answer is written, is not scheduled and stays out of the profile."""
    capture = _Capture()
    protocol = server.protocol
    protocol.set_writer(capture)
    protocol.handle_message(json.loads(json.dumps(INITIALIZE), object_hook=protocol.structure_message))
    return capture.written[0] if capture.written else b""


def main() -> None:
    server = build(sys.argv[1] if len(sys.argv) > 1 else "agent-lsp")
    reply = answer(server)
    if b'"capabilities"' not in reply:
        raise SystemExit(f"no initialize result: {reply[:200]!r}")


if __name__ == "__main__":
    main()

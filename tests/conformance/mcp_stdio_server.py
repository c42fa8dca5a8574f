"""A minimal MCP server over stdio for the conformance probes: it answers `initialize` and `tools/list`.

Claude Code's debug log shows whether it started the server at all (what `instructions_probe.py` records);
the one tool's name carries the server's name. Standard library only; nothing else is done."""

from __future__ import annotations

import json
import sys


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "probe"
    for line in sys.stdin:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if not isinstance(message, dict) or "id" not in message:
            continue  # a notification
        method = message.get("method")
        result: dict[str, object] = {}
        if method == "initialize":
            params = message.get("params") or {}
            result = {
                "protocolVersion": params.get("protocolVersion", "2025-06-18"),
                "capabilities": {"tools": {}},
                "serverInfo": {"name": name, "version": "1"},
            }
        elif method == "tools/list":
            schema = {"type": "object", "properties": {}}
            result = {"tools": [{"name": f"mark_{name}", "description": f"MARK-{name}", "inputSchema": schema}]}
        sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

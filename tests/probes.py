"""Code for probes that run in a fresh interpreter (a test session has imported everything):
a server built as the entry point builds it, writing its answers nowhere, and the `initialize`
request each probe hands it, as `message` (call `initialize()` to hand it over)."""

SERVER = """
import asyncio, gc, json, sys
from agent_lsp.lsp.server import create_server

server = create_server()
class Sink:
    def write(self, data): pass
    def close(self): pass
server.protocol.set_writer(Sink())
message = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
           "params": {"processId": None, "rootUri": None, "capabilities": {}}}

def initialize():
    server.protocol.handle_message(json.loads(json.dumps(message), object_hook=server.protocol.structure_message))
"""

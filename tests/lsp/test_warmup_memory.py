"""The warm-up keeps the server's memory down: it drops the generated source text linecache
holds before the imports, writes the request converters before any feature module is
imported, and nothing loaded at start-up imports hashlib (its OpenSSL set-up costs ~0.6 MB).
The probes run in fresh interpreters, since this test session imports everything."""

from __future__ import annotations

import json
import linecache
import subprocess
import sys

from agent_lsp.lsp import warmup
from agent_lsp.lsp.server import create_server
from probes import SERVER

PROBE = (
    SERVER
    + """
from agent_lsp.lsp import warmup
from lsprotocol import types

initialize()
steps = warmup.steps(server.protocol)
first = 1 + len(warmup.request_steps(server.protocol))  # the linecache step, then the request converters
for step in steps[:first]:
    step()
converter = server.protocol._converter
dispatch = converter._structure_func.dispatch
misses = dispatch.cache_info().misses
params = {"textDocument": {"uri": "file:///a.md"}, "position": {"line": 0, "character": 0}}
converter.structure({"jsonrpc": "2.0", "id": 2, "method": "textDocument/completion", "params": params},
                    server.protocol.get_message_type(types.TEXT_DOCUMENT_COMPLETION))
after_requests = {"modules": sorted(sys.modules), "new_misses": dispatch.cache_info().misses - misses}
for step in steps[first:]:
    step()
print(json.dumps({"after_requests": after_requests, "after_all": sorted(sys.modules)}))
"""
)


def _probe() -> dict[str, dict[str, object] | list[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    result: dict[str, dict[str, object] | list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_first_warm_up_step_drops_the_generated_sources_linecache_holds() -> None:
    name = "<attrs generated init test.Sample>"
    linecache.cache[name] = (10, None, ["def __init__(self):\n", "    pass\n"], name)
    try:
        first = warmup.steps(create_server().protocol)[0]
        first()
        assert name not in linecache.cache
    finally:
        linecache.cache.pop(name, None)


def test_request_converters_are_written_before_any_feature_module_is_imported() -> None:
    result = _probe()
    after_requests = result["after_requests"]
    assert isinstance(after_requests, dict)
    modules = set(after_requests["modules"])  # type: ignore[call-overload]
    assert not modules & {"yaml", "jsonschema", "agent_lsp.features.analysis", "agent_lsp.features.complete"}
    assert after_requests["new_misses"] == 0  # the completion request's converter was already there


def test_nothing_the_server_loads_at_start_up_imports_hashlib() -> None:
    after_all = set(_probe()["after_all"])
    assert {"agent_lsp.project.index", "agent_lsp.architect", "agent_lsp.lsp.handlers.workspace"} <= after_all
    assert "hashlib" not in after_all

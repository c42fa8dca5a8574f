"""Start-up stays cheap: `initialize` is answered before parsing, validation and the feature
modules are imported, and the warm-up step imports them right after (then freezes them out
of the garbage collector). Run in fresh interpreters, since this test session imports everything."""

from __future__ import annotations

import json
import subprocess
import sys

from probes import SERVER

HEAVY = [
    "yaml",
    "jsonschema",
    "agent_lsp.syntax.frontmatter",
    "agent_lsp.checks.validate",
    "agent_lsp.features.analysis",
    "agent_lsp.features.complete",
    "agent_lsp.features.hover",
    "agent_lsp.features.actions",
    "agent_lsp.checks.crossfile",
    "agent_lsp.project.index",
    "agent_lsp.architect",
]

PROBE = (
    SERVER
    + """
async def main():
    initialize()
    at_initialize = sorted(sys.modules)
    frozen_before = gc.get_freeze_count()
    for _ in range(50):
        await asyncio.sleep(0.01)
    return at_initialize, frozen_before

at_initialize, frozen_before = asyncio.run(main())
print(json.dumps({"initialize": at_initialize, "after": sorted(sys.modules),
                  "frozen_before": frozen_before, "frozen_after": gc.get_freeze_count()}))
"""
)


def _probe() -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_initialize_is_answered_without_the_heavy_modules_which_the_warm_up_then_loads() -> None:
    result = _probe()
    at_initialize = set(result["initialize"])  # type: ignore[call-overload]
    after = set(result["after"])  # type: ignore[call-overload]
    assert not at_initialize & set(HEAVY), sorted(at_initialize & set(HEAVY))
    assert set(HEAVY) <= after, sorted(set(HEAVY) - after)
    assert "anthropic" not in after  # the SDK waits for the first ask
    assert result["frozen_before"] == 0
    assert isinstance(result["frozen_after"], int) and result["frozen_after"] > 0


def test_the_warm_up_leaves_cattrs_nothing_to_generate_for_the_first_answers() -> None:
    from lsprotocol import types
    from pygls.protocol.json_rpc import JsonRPCResponseMessage

    from agent_lsp.lsp import warmup
    from agent_lsp.lsp.server import create_server

    protocol = create_server().protocol  # a fresh converter
    warmup.warm_requests(protocol)  # the warm-up's two converter steps
    warmup.warm_answers(protocol)
    dispatch = protocol._converter._unstructure_func.dispatch
    position = types.Position(3, 4)
    rng = types.Range(position, position)
    answers = [
        JsonRPCResponseMessage(
            id=7,
            jsonrpc="2.0",
            result=types.CompletionList(
                is_incomplete=False,
                items=[
                    types.CompletionItem(label="opus", kind=types.CompletionItemKind.EnumMember, text_edit_text="o")
                ],
                item_defaults=types.CompletionItemDefaults(edit_range=rng),
            ),
        ),
        JsonRPCResponseMessage(
            id=8,
            jsonrpc="2.0",
            result=types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.PlainText, value="v")),
        ),
    ]
    for answer in answers:
        misses = dispatch.cache_info().misses
        protocol._converter.unstructure(answer)
        assert dispatch.cache_info().misses == misses, type(answer.result).__name__


def test_serving_with_no_options_does_not_import_argparse() -> None:
    """Editors start `agent-lsp` with no options (or only `--stdio`): nothing to parse, so the
    ~10 ms argparse import is skipped; any other option still goes through argparse."""
    code = (
        "import sys; from agent_lsp.__main__ import main; main(sys.argv[1:]); "
        "print('argparse' in sys.modules, file=sys.stderr)"
    )
    for argv, expected in (([], "False"), (["--stdio"], "False"), (["--log-level", "info"], "True")):
        done = subprocess.run(
            [sys.executable, "-c", code, *argv], input=b"", capture_output=True, timeout=120, check=True
        )
        assert done.stderr.decode().strip().splitlines()[-1] == expected, argv


def test_no_full_collection_runs_while_pygls_loads() -> None:
    """The entry point raises the full-pass threshold before it imports pygls (the objects it
    loads live for the whole session; the warm-up freezes them), keeping the young passes."""
    code = """
import gc, sys
from agent_lsp.__main__ import main
seen = {}
def audit(event, args):
    if event == "import" and args[0] == "lsprotocol.types" and "threshold" not in seen:
        seen["threshold"] = gc.get_threshold()
sys.addaudithook(audit)
full = []
gc.callbacks.append(lambda phase, info: phase == "start" and info["generation"] == 2 and full.append(1))
main([])
print(seen["threshold"], len(full), file=sys.stderr)
"""
    done = subprocess.run([sys.executable, "-c", code], input=b"", capture_output=True, timeout=120, check=True)
    threshold, full_passes = done.stderr.decode().strip().splitlines()[-1].rsplit(" ", 1)
    assert threshold == "(700, 10, 1000)"
    assert full_passes == "0"

"""Start-up stays cheap: `initialize` is answered before parsing, validation and the feature
modules are imported, and the warm-up step imports them right after (then freezes them out
of the garbage collector). Run in fresh interpreters, since this test session imports everything."""

from __future__ import annotations

import itertools
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


TURNS_PROBE = (
    SERVER
    + """
async def main():
    from agent_lsp.lsp import warmup
    warmup.tune_garbage_collector()  # as the entry point does
    initialize()
    young, frozen = [], []
    for _ in range(400):  # a turn of the event loop each: the warm-up runs one step per turn
        await asyncio.sleep(0)
        young.append(gc.get_count()[0])
        frozen.append(gc.get_freeze_count())
    return young, frozen

young, frozen = asyncio.run(main())
from agent_lsp.lsp import warmup
print(json.dumps({"young": young, "frozen": frozen, "steps": len(warmup.steps(server.protocol))}))
"""
)


def test_each_warm_up_step_leaves_what_it_loaded_out_of_the_young_generation() -> None:
    """The warm-up's imports and generated code stay for the session: left young, they piled up until a
    single collector pass walked ~20,000 objects (10-15 ms of the event loop, in the middle of the
    first keystrokes). After every step the young generation is emptied and the rest frozen, so that
    no pass has more than one step's objects to walk."""
    done = subprocess.run([sys.executable, "-c", TURNS_PROBE], capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    young, frozen, steps = result["young"], result["frozen"], result["steps"]
    assert steps >= 30  # the warm-up is many small steps, not a few large ones
    rises = sum(1 for before, after in itertools.pairwise(frozen) if after > before)
    assert rises >= steps // 2  # frozen step by step, not once at the end
    assert max(young) < 2_000, max(young)  # (one import step made up to ~20,000 young objects)


BUSY_PROBE = (
    SERVER
    + """
import time
from lsprotocol import types

async def main():
    initialize()
    server.protocol.last_message = time.perf_counter() + 3600  # a client that never stops typing
    for _ in range(20):
        await asyncio.sleep(0.01)
    converter = server.protocol._converter
    dispatch = converter._structure_func.dispatch
    misses = dispatch.cache_info().misses
    change = {"jsonrpc": "2.0", "method": "textDocument/didChange",
              "params": {"textDocument": {"uri": "file:///a.md", "version": 3},
                         "contentChanges": [{"text": "x"}]}}
    converter.structure(change, server.protocol.get_message_type(types.TEXT_DOCUMENT_DID_CHANGE))
    return dispatch.cache_info().misses - misses

new_misses = asyncio.run(main())
print(json.dumps({"modules": sorted(sys.modules), "new_misses": new_misses}))
"""
)


def test_while_the_client_keeps_sending_only_the_keystroke_converters_are_warmed() -> None:
    """The warm-up's steps wait for a quiet moment (a keystroke never queues behind one), except the
    first few, which write the converters of the messages every keystroke brings."""
    done = subprocess.run([sys.executable, "-c", BUSY_PROBE], capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["new_misses"] == 0  # didChange's converter was written at once
    loaded = set(result["modules"])
    assert not loaded & {"agent_lsp.features.analysis", "agent_lsp.features.complete", "agent_lsp.architect.tools"}

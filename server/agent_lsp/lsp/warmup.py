"""What the server does right after answering `initialize`, so that no first request pays for it.

`initialize` is answered before parsing, validation and the feature modules are imported
(about 80 ms here), and cattrs writes the code that (un)structures each LSP message type the
first time it meets one (the first completion took ~15 ms, the next ones under 1 ms). Both
happen here instead, in small steps (one module, one message type's converter, one feature's
sample answer: at most ~5-8 ms each here), a step per event-loop turn. The converters of the
messages each keystroke brings go first, at once; every later step waits until the client has
been quiet for a moment (`AgentProtocol.until_quiet`), so that a message never waits for more
than the one step already running. A request that needs something before its step simply
pays for it itself, as it would without the warm-up.

What each step loaded is frozen out of the garbage collector's generations right after it
(`out_of_collections`): those objects live for the whole session, and the collector would
otherwise walk them again on every pass.

The steps are ordered for memory as well (RSS after opening 50 agents: 48.9 MB before,
46.3 MB after): first the source text that attrs and cattrs keep in `linecache` for the code
they generate is dropped (see `drop_generated_sources`), so that the imports reuse that
memory; code generation, whose scratch memory is freed right away but stays with the
process, comes early, before the later imports rather than after them.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import json
import linecache
import logging
import os
from collections.abc import Callable
from typing import Any

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCResponseMessage

log = logging.getLogger(__name__)

# In the order the first requests need them: the first didOpen parses and validates (jsonschema
# builds its validator on first use), then come completion, hover, code actions (the sample
# answers need these), and the workspace and architect modules.
ANSWER_MODULES: tuple[tuple[str, ...], ...] = (
    ("features.analysis", "features.diagnostics", "jsonschema"),
    ("features.complete", "features.hover", "features.actions"),
)
LATER_MODULES: tuple[tuple[str, ...], ...] = (
    ("features.colors", "features.symbols", "checks.crossfile", "features.navigation", "project.index"),
    # architect.service's own imports first, each in a turn of its own (~40 ms together).
    ("architect.settings", "architect.failures", "architect.guards", "architect.prompt", "architect.stream"),
    ("architect.tools", "architect.service", "architect.agents", "architect.answer"),
)


def tune_garbage_collector() -> None:
    """Fewer, larger young-generation passes: one keystroke's parse allocates thousands of
    short-lived objects, and with CPython's default threshold (700) every edit ran dozens of
    collections. `AGENT_LSP_GC_THRESHOLD` overrides it for measuring (-1: CPython's defaults)."""
    try:
        young = int(os.environ.get("AGENT_LSP_GC_THRESHOLD", "0"))
    except ValueError:
        young = 0
    if young < 0:
        return
    gc.set_threshold(young or 20_000, 20, 20)


def out_of_collections() -> None:
    """After a turn that loaded what the session keeps (a warm-up step, a frame of index entries), take
    everything the collector tracks out of its generations (`gc.freeze`, which costs nothing). Left
    young, a step's imports or an index frame's entries piled up until one pass walked them all:
    10-15 ms of the event loop at start-up (up to 20,000 young objects, the threshold
    `tune_garbage_collector` sets), 3-10 ms per pass during indexing. A young pass first would free
    the turn's cyclic garbage (the RSS after opening 50 agents: 48.8 MB with it, 49.1 MB without), but
    the first one walked what the client's first messages had loaded (8-10 ms), and the first keystroke
    after opening a file took 11-18 ms instead of 2-8. An object frozen and dropped later is still
    freed by its reference count, unless it is in a cycle."""
    gc.freeze()


def drop_generated_sources() -> None:
    """Empty `linecache`, where attrs and cattrs store the source of every method and
    (un)structure function they generate, only for tracebacks to quote it: after importing
    pygls it holds ~16,000 lines (~1.6 MB) for lsprotocol's classes. A traceback through
    generated code then shows its file name and line number without the line's text; lines
    of real files are read again from disk when needed.

    Run first in the warm-up: freed at the end, this memory would mostly stay with the process
    unused (CPython keeps its partly used memory pools); freed first, the imports reuse it
    (-1.5 MB RSS after opening 50 agents; clearing at the end saved nothing measurable)."""
    linecache.clearcache()


def steps(protocol: LanguageServerProtocol) -> list[Callable[[], None]]:
    """The warm-up, one call per event-loop turn. Code generation leaves freed scratch memory
    behind (a few hundred KB for the first CompletionItem): done early, before the imports
    and the later modules, that memory is reused by them instead of adding to the total."""
    return [
        drop_generated_sources,
        *request_steps(protocol),  # needs only pygls
        *(_importer((name,)) for names in ANSWER_MODULES for name in names),
        *answer_steps(protocol),
        # One module per turn: a message arriving meanwhile waits for one import at most (a keystroke
        # met 50-100 ms pauses on a loaded machine when a turn imported the whole architect).
        *(_importer((name,)) for names in LATER_MODULES for name in names),
    ]  # (`schedule` freezes what each step loaded: nothing is left to freeze at the end)


def schedule(
    protocol: LanguageServerProtocol,
    loop: asyncio.AbstractEventLoop | None = None,
    until_quiet: Callable[[], float] | None = None,
) -> None:
    """Run the warm-up steps on `loop` (the running one by default), one per turn; with `until_quiet`
    (seconds until the client has been quiet long enough), a step waits for that."""
    try:
        loop = loop or asyncio.get_running_loop()
    except RuntimeError:  # no loop (a handler called directly, in a test): nothing to schedule
        return
    pending = steps(protocol)
    # The first steps (dropping the generated sources, then the converters of the messages that come
    # with every keystroke) go at once, interleaved with the client's first messages, not after them
    # (the first keystroke would write its own). The rest wait for quiet moments, the slower ones (a
    # code action's converter: 5-7 ms) included.
    gated_below = len(pending) - (1 + URGENT_REQUESTS)  # steps left when the waiting starts

    def run_next() -> None:
        wait = until_quiet() if until_quiet is not None and len(pending) <= gated_below else 0.0
        if wait > 0:  # a message is being handled: it goes first, whatever turns it takes
            loop.call_later(wait, run_next)
            return
        step = pending.pop(0)
        try:
            step()
        except Exception as error:  # a warm-up must never cost the session
            log.warning("warm-up step failed: %s", type(error).__name__)
        out_of_collections()
        if pending:
            # The next step a turn later: bytes the client sent meanwhile are read first (the transport's
            # read comes after this hop in the loop's queue), so the step sees that the client is busy.
            loop.call_soon(loop.call_soon, run_next)

    loop.call_soon(run_next)


def _importer(names: tuple[str, ...]) -> Callable[[], None]:
    def run() -> None:
        for name in names:
            try:
                importlib.import_module(name if name == "jsonschema" else f"agent_lsp.{name}")
            except ImportError as error:  # an optional module missing must not stop the server
                log.warning("warm-up could not import %s: %s", name, error)

    return run


# ---- cattrs -------------------------------------------------------------------------------


def _sample_requests() -> dict[str, dict[str, Any]]:
    """Params of the requests an editor sends first, shaped as clients send them: first those that
    come as the user types (`URGENT_REQUESTS` of them, written before anything else)."""
    doc = {"uri": "file:///warm-up.md"}
    position = {"line": 0, "character": 0}
    rng = {"start": position, "end": position}
    diagnostic = {"range": rng, "message": "m", "severity": 1, "code": "c", "source": "agent-lsp", "data": {}}
    return {
        types.TEXT_DOCUMENT_DID_CHANGE: {
            "textDocument": {"uri": doc["uri"], "version": 2},
            "contentChanges": [{"range": rng, "text": "x"}, {"text": "y"}],
        },
        types.TEXT_DOCUMENT_COMPLETION: {"textDocument": doc, "position": position},
        types.TEXT_DOCUMENT_HOVER: {"textDocument": doc, "position": position},
        types.TEXT_DOCUMENT_DID_OPEN: {
            "textDocument": {"uri": doc["uri"], "languageId": "markdown", "version": 1, "text": ""}
        },
        types.COMPLETION_ITEM_RESOLVE: {"label": "x", "kind": 12, "data": "agentLsp.doc:1:0"},
        types.TEXT_DOCUMENT_CODE_ACTION: {
            "textDocument": doc,
            "range": rng,
            "context": {"diagnostics": [diagnostic], "only": ["quickfix"], "triggerKind": 1},
        },
        types.TEXT_DOCUMENT_DIAGNOSTIC: {"textDocument": doc},
    }


URGENT_REQUESTS = 4  # didChange, completion, hover, didOpen: what comes first and then with every keystroke


# An agent with one problem per common kind, so that every path the first requests take
# (parsing, checks, a typo's suggestion, quick fixes, completion of values and keys) runs once.
_SAMPLE_AGENT = (
    "---\n"
    "name: warm-up\n"
    "description: Reviews code for the warm-up.\n"
    "tools: Read, Grep, LS\n"
    "model: sonet\n"
    "color: blux\n"
    "permissionMode: default\n"
    "---\n"
    "You review code.\n"
)


class _Samples:
    """Real answers of the features on `_SAMPLE_AGENT`, computed as the handlers compute them (their own
    first-use costs, such as building the schema validator or reading the SDK's model ids, are paid
    here too), a few at a time: each method is one warm-up step (see `answer_steps`)."""

    def __init__(self) -> None:
        self.results: dict[str, list[Any]] = {}

    def check(self) -> None:
        from agent_lsp.checks.findings import AgentContext
        from agent_lsp.checks.validate import find_problems
        from agent_lsp.features.diagnostics import to_diagnostic
        from agent_lsp.syntax.frontmatter import parse_agent
        from agent_lsp.syntax.text import PositionMapper

        self.parsed = parse_agent(_SAMPLE_AGENT)
        self.context = AgentContext(path=None, plugin=False, kind="agent")
        self.findings = find_problems(self.parsed, self.context)
        self.mapper = PositionMapper(self.parsed.index, "utf-16")
        self.diagnostics = [to_diagnostic(f, self.mapper) for f in self.findings]
        self.results[types.TEXT_DOCUMENT_DIAGNOSTIC] = [
            types.RelatedFullDocumentDiagnosticReport(items=self.diagnostics, result_id="1")
        ]
        self.results[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = [
            types.PublishDiagnosticsParams(uri="file:///warm-up.md", diagnostics=self.diagnostics, version=1)
        ]

    def complete(self, as_vscode: bool) -> None:
        """Value and key completion with the plain options, or with those VS Code's capabilities select."""
        from agent_lsp.features import complete

        if as_vscode:
            options = complete.CompletionOptions(defer_docs=True, defer_detail=True, item_defaults=True)
        else:
            options = complete.CompletionOptions()
            self.docs = complete.DocStore()
        text, parsed, mapper = _SAMPLE_AGENT, self.parsed, self.mapper
        lists = self.results.setdefault(types.TEXT_DOCUMENT_COMPLETION, [])
        for marker in ("model: ", "color: ", "tools: ", "permissionMode: "):
            offset = text.index(marker) + len(marker)
            lists.append(complete.complete(parsed, offset, mapper, options, docs=self.docs))
        lists.append(complete.complete(parsed, text.index("model:"), mapper, options, docs=self.docs))

    def hover(self) -> None:
        from agent_lsp.features import complete, hover

        last = self.results[types.TEXT_DOCUMENT_COMPLETION][-1]
        self.results[types.COMPLETION_ITEM_RESOLVE] = [complete.resolve(item, self.docs) for item in last.items[:1]]
        hovers = [
            hover.hover(self.parsed, _SAMPLE_AGENT.index(key) + 1, self.mapper)
            for key in ("name:", "tools:", "model:", "color:", "permissionMode:", "Grep")
        ]
        self.results[types.TEXT_DOCUMENT_HOVER] = [h for h in hovers if h is not None]

    def fix(self) -> None:
        from agent_lsp.features import actions

        parsed, mapper = self.parsed, self.mapper
        whole = mapper.offset(0, 0), mapper.offset(parsed.index.line_count, 0)
        everything = types.Range(types.Position(*mapper.position(whole[0])), types.Position(*mapper.position(whole[1])))
        fixes = actions.code_actions(
            parsed,
            self.findings,
            self.context,
            uri="file:///warm-up.md",
            mapper=mapper,
            request=everything,
            sent=self.diagnostics,
        )
        self.results[types.TEXT_DOCUMENT_CODE_ACTION] = [fixes]

    def steps(self) -> list[Callable[[], None]]:
        return [self.check, lambda: self.complete(False), lambda: self.complete(True), self.hover, self.fix]


def request_steps(protocol: LanguageServerProtocol) -> list[Callable[[], None]]:
    """Have cattrs generate the code that reads the first requests of a session (no feature
    module needed), one method per step. The samples go through the same calls pygls makes for
    a real message; nothing is sent, no file is read or written."""

    def structure(method: str, params: dict[str, Any]) -> None:
        message_type = protocol.get_message_type(method)
        if message_type is None:
            return
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if method not in (types.TEXT_DOCUMENT_DID_CHANGE, types.TEXT_DOCUMENT_DID_OPEN):  # notifications: no id
            message["id"] = 0
        protocol._converter.structure(message, message_type)

    return [functools.partial(structure, method, params) for method, params in _sample_requests().items()]


def answer_steps(protocol: LanguageServerProtocol) -> list[Callable[[], None]]:
    """Run the features once on a sample agent, and have cattrs generate the code that writes their
    answers: a feature or a method's answers per step (all at once held the event loop 20-30 ms, the
    longest pause a keystroke met at start-up)."""
    samples = _Samples()

    def write(method: str) -> None:
        notification_type = protocol.get_message_type(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        for result in samples.results.get(method, []):
            if method == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
                if notification_type is None:  # pygls always knows it; nothing to warm otherwise
                    continue
                answer: Any = notification_type(method=method, params=result, jsonrpc="2.0")
            else:
                # pygls answers every request with a JsonRPCResponseMessage (its `result` is
                # unstructured by the value's class), not with the method's own response type.
                answer = JsonRPCResponseMessage(id=0, result=result, jsonrpc="2.0")
            json.dumps(protocol._converter.unstructure(answer))

    # Every method twice: cattrs empties its whole dispatch cache whenever it registers a hook for a
    # new list or mapping type, which the first round does along the way; the second round fills the
    # cache again with nothing left to register.
    writes = [functools.partial(write, method) for method in _ANSWERED] * 2
    return [*samples.steps(), *writes]


_ANSWERED = (
    types.TEXT_DOCUMENT_COMPLETION,
    types.COMPLETION_ITEM_RESOLVE,
    types.TEXT_DOCUMENT_HOVER,
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
)


def warm_requests(protocol: LanguageServerProtocol) -> None:
    """Every request step at once (what the warm-up does a step per turn)."""
    for step in request_steps(protocol):
        step()


def warm_answers(protocol: LanguageServerProtocol) -> None:
    """Every answer step at once (what the warm-up does a step per turn)."""
    for step in answer_steps(protocol):
        step()

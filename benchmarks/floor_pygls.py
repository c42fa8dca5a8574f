"""The floor of the scaling scenario: a bare pygls 2.1 server that answers with agent-lsp's own answers.

    python benchmarks/floor_pygls.py ANSWERS.json

ANSWERS.json holds what agent-lsp answered for the scenario's document (benchmarks/scaling.py records
it): `hover` (a Hover), `completion` (a CompletionList) and `diagnostics` (the list it published).
This server computes nothing and reads no workspace: it returns those same values, of the same size
and shape, through pygls's own converter, and publishes the same diagnostics on every didOpen and
didChange. What it takes is what any pygls server pays to answer so, the floor agent-lsp is held to.
"""

import json
import sys

from lsprotocol import types
from pygls.lsp.server import LanguageServer

with open(sys.argv[1], encoding="utf-8") as handle:
    ANSWERS = json.load(handle)

server = LanguageServer("floor", "0")
converter = server.protocol._converter
HOVER = converter.structure(ANSWERS["hover"], types.Hover) if ANSWERS.get("hover") else None
COMPLETION = converter.structure(ANSWERS["completion"], types.CompletionList)
DIAGNOSTICS = converter.structure(ANSWERS["diagnostics"], list[types.Diagnostic])


def publish(ls: LanguageServer, uri: str, version: int) -> None:
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=DIAGNOSTICS, version=version)
    )


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    publish(ls, params.text_document.uri, params.text_document.version)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    text = ls.workspace.get_text_document(params.text_document.uri).source  # kept, as any server would
    assert text is not None
    publish(ls, params.text_document.uri, params.text_document.version)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: types.HoverParams) -> types.Hover | None:
    return HOVER


@server.feature(types.TEXT_DOCUMENT_COMPLETION)
def completion(ls: LanguageServer, params: types.CompletionParams) -> types.CompletionList:
    return COMPLETION


server.start_io()

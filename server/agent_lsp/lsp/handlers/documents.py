"""Documents over LSP: open, change, save and close; diagnostics, pushed or pulled; settings changes; status.

Every document is checked through the session's analysis cache (one parse per version);
the client gets the diagnostics pushed after each change, or asks for them with
textDocument/diagnostic when it says it will.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

# At run time, not only for mypy: pygls reads a command handler's annotations when it runs it.
from agent_lsp.lsp.server import AgentLanguageServer
from agent_lsp.lsp.session import Settings

STATUS_COMMAND = "agentLsp.status"
DIAGNOSTIC_OPTIONS = types.DiagnosticOptions(
    identifier="agent-lsp", inter_file_dependencies=True, workspace_diagnostics=False
)


def did_open(ls: AgentLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.session.publish(params.text_document.uri)


def did_change(ls: AgentLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.session.publish(params.text_document.uri)


def did_save(ls: AgentLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    from agent_lsp.project.config import is_config_file
    from agent_lsp.project.paths import uri_to_path

    path = uri_to_path(params.text_document.uri)
    if path is not None and is_config_file(path):  # an editor that sends the configuration's saves
        ls.session.config_changed()
        return
    ls.session.publish(params.text_document.uri)


def did_close(ls: AgentLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.session.analyses.forget(uri)
    if not ls.session.client_pulls_diagnostics:
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def pull_diagnostics(
    ls: AgentLanguageServer, params: types.DocumentDiagnosticParams
) -> types.RelatedFullDocumentDiagnosticReport:
    session = ls.session
    analysis = session.analysis(params.text_document.uri)
    return types.RelatedFullDocumentDiagnosticReport(
        items=session.diagnostics_for(analysis), result_id=f"{analysis.version}"
    )


def did_change_configuration(ls: AgentLanguageServer, params: types.DidChangeConfigurationParams) -> None:
    pushed = Settings.from_client(params.settings).raw
    if pushed:
        ls.session.update_settings(pushed)
    else:
        ls.session.pull_settings()  # a pull-model client only says "something changed"; its answer re-checks


def status(ls: AgentLanguageServer, *args: Any) -> dict[str, Any]:
    return ls.session.status()

"""The pygls wiring: thin handlers that hand documents to the language service."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from agent_lsp import __version__
from agent_lsp.features import limits
from agent_lsp.logsetup import add_secret
from agent_lsp.lsp import warmup
from agent_lsp.lsp.health import Health, ParentWatch, parent_poll_seconds
from agent_lsp.lsp.protocol import AgentProtocol, current_method
from agent_lsp.lsp.settings import Settings
from agent_lsp.syntax.text import PositionMapper

if TYPE_CHECKING:
    from agent_lsp.features.analysis import Analysis, AnalysisCache

# Parsing, validation and the feature modules are imported when the first document or
# request needs them (or by warmup.py, right after `initialize` is answered), so that
# `initialize` costs little more than pygls itself.

log = logging.getLogger(__name__)

STATUS_COMMAND = "agentLsp.status"


class AgentLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("agent-lsp", __version__, protocol_cls=AgentProtocol)
        self._analyses: AnalysisCache | None = None
        self.settings = Settings()
        self.initial_settings: dict[str, Any] = {}
        self.health = Health()
        self.architect: Any = None  # the architect feature, when its module is present
        self.parent_watch: ParentWatch | None = None

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio, reading on the event loop (see stdio.py) where stdin allows it."""
        from agent_lsp.lsp import stdio

        warmup.tune_garbage_collector()
        if not stdio.start(self, stdin, stdout):
            super().start_io(stdin, stdout)

    # ---- helpers for handlers ------------------------------------------------
    @property
    def analyses(self) -> AnalysisCache:
        """One parse per document version, shared by every feature (created on first use)."""
        if self._analyses is None:
            from agent_lsp.features.analysis import AnalysisCache

            self._analyses = AnalysisCache()
            self._analyses.agent_globs = self.settings.agent_globs
        return self._analyses

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        return encoding.value if isinstance(encoding, types.PositionEncodingKind) else str(encoding)

    def analysis(self, uri: str) -> Analysis:
        """The analysis of an open document. A document that is not open reads as empty:
        a request must not make the server read (or reveal) a file the client never opened."""
        document = self.workspace.text_documents.get(unquote(uri))
        if document is None:
            return limits.not_open(uri)
        source = document.source
        if len(source) > limits.MAX_DOCUMENT_CHARS:
            return limits.oversized(uri, document.version, len(source), self.analyses.agent_globs)
        return self.analyses.get(uri, document.version, source)

    def diagnostics_for(self, analysis: Analysis) -> list[types.Diagnostic]:
        from agent_lsp.features.diagnostics import to_diagnostic

        mapper = PositionMapper(analysis.parsed.index, self.encoding)
        extra = [f for provider in getattr(self, "extra_findings", ()) for f in provider(analysis)]  # cross-file
        return [to_diagnostic(f, mapper) for f in [*analysis.findings, *extra]]

    @property
    def client_pulls_diagnostics(self) -> bool:
        caps = self.client_capabilities.text_document
        return caps is not None and caps.diagnostic is not None

    def publish(self, uri: str) -> None:
        if self.client_pulls_diagnostics:
            return  # the client asks with textDocument/diagnostic; pushing too would duplicate
        analysis = self.analysis(uri)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=self.diagnostics_for(analysis), version=analysis.version
            )
        )

    def apply_settings(self, value: Any) -> None:
        self.settings = Settings.from_client(value)
        add_secret(self.settings.raw.get("apiKey"))
        if self._analyses is not None:
            self._analyses.agent_globs = self.settings.agent_globs
            self._analyses.clear()

    def update_settings(self, changed: dict[str, Any]) -> None:
        """Settings the client sent after start-up, over initializationOptions key by key; re-check open files."""
        self.apply_settings({**self.initial_settings, **changed})
        for uri in list(self.workspace.text_documents):
            self.publish(uri)

    def pull_settings(self) -> None:
        """Ask the client for the `agentLsp` section with workspace/configuration, when it can answer.

        Values from the client win over initializationOptions, key by key. The answer
        arrives later; open documents are re-checked once it is applied.
        """
        workspace = self.client_capabilities.workspace
        if workspace is None or not workspace.configuration:
            return
        params = types.ConfigurationParams(items=[types.ConfigurationItem(section="agentLsp")])
        future = self.workspace_configuration(params)

        def applied(done: Any) -> None:
            if done.cancelled() or done.exception() is not None:
                return
            values = done.result()
            if values and isinstance(values[0], dict):
                self.update_settings(Settings.from_client(values[0]).raw)

        future.add_done_callback(applied)

    def report_server_error(self, error: Exception, source: Any) -> None:
        self.health.record_error(current_method.get() or "server", error)
        super().report_server_error(error, source)

    def watch_parent(self, pid: int | None) -> None:
        if pid is None or self.parent_watch is not None:
            return
        watch = ParentWatch(pid, interval=parent_poll_seconds())
        if watch.start():
            self.parent_watch = watch

    def status(self) -> dict[str, Any]:
        from agent_lsp.lsp.health import architect_status

        return {
            "version": __version__,
            "uptimeSeconds": round(self.health.uptime, 3),
            "openDocuments": len(self.workspace.text_documents),
            "requests": self.health.requests,
            "notifications": self.health.notifications,
            "errors": self.health.errors,
            "lastError": self.health.last_error.to_json() if self.health.last_error else None,
            "watchingParent": self.parent_watch.pid if self.parent_watch else None,
            "architect": architect_status(self.architect),
        }


def create_server() -> AgentLanguageServer:
    server = AgentLanguageServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: AgentLanguageServer, params: types.InitializeParams) -> None:
        from agent_lsp.lsp.textdocument import use_splicing_documents

        use_splicing_documents(ls.workspace)  # pygls rebuilds the whole text on each incremental change
        ls.apply_settings(params.initialization_options)
        ls.initial_settings = dict(ls.settings.raw)
        ls.watch_parent(params.process_id)
        warmup.schedule(ls.protocol)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AgentLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AgentLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: AgentLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AgentLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.analyses.forget(uri)
        if not ls.client_pulls_diagnostics:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier="agent-lsp", inter_file_dependencies=True, workspace_diagnostics=False),
    )
    def pull_diagnostics(
        ls: AgentLanguageServer, params: types.DocumentDiagnosticParams
    ) -> types.RelatedFullDocumentDiagnosticReport:
        analysis = ls.analysis(params.text_document.uri)
        return types.RelatedFullDocumentDiagnosticReport(
            items=ls.diagnostics_for(analysis), result_id=f"{analysis.version}"
        )

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: AgentLanguageServer, params: types.DidChangeConfigurationParams) -> None:
        pushed = Settings.from_client(params.settings).raw
        if pushed:
            ls.update_settings(pushed)
        else:
            ls.pull_settings()  # a pull-model client only says "something changed"; its answer re-checks

    @server.command(STATUS_COMMAND)
    def status(ls: AgentLanguageServer, *args: Any) -> dict[str, Any]:
        return ls.status()

    _register_optional_features(server)
    return server


def _register_optional_features(server: AgentLanguageServer) -> None:
    """The feature modules: editing assistance, then the architect action.

    Both offer code actions; LSP allows one handler, so the features module owns it
    and the architect contributes its actions through `extra_code_actions`.
    """
    from agent_lsp.lsp.handlers import architect as lsp_architect
    from agent_lsp.lsp.handlers import editing as lsp_features
    from agent_lsp.lsp.handlers import workspace as lsp_workspace

    lsp_features.register(server)
    server.architect = lsp_architect.register(server, provide_code_actions=False)
    getattr(server, lsp_features.EXTRA_CODE_ACTIONS).append(server.architect.code_actions)
    lsp_workspace.register(server)  # workspace index, cross-file diagnostics, navigation, rename

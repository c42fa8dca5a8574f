"""The session: everything the handlers share, typed, owned by the server (`server.session`).

One object per server holds the client's settings, the analysis cache, the project index kept
in step with the editor (`project`), the completion stores, the architect feature, health and
the parent watch. It is also the one place that answers what several handlers ask of the
client: the position encoding, the workspace roots and the `agentLsp` section of
workspace/configuration.

Parsing, validation, the features and the architect are imported where they are first used
(their objects are made then too): the session exists before `initialize` is answered.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from agent_lsp import __version__
from agent_lsp.features import limits
from agent_lsp.logsetup import add_secret
from agent_lsp.lsp.health import Health, ParentWatch, parent_poll_seconds
from agent_lsp.lsp.project_state import ProjectState
from agent_lsp.lsp.protocol import AgentProtocol
from agent_lsp.syntax.text import PositionMapper

if TYPE_CHECKING:
    from agent_lsp.features.analysis import Analysis, AnalysisCache
    from agent_lsp.features.complete import DocStore, ItemMemo
    from agent_lsp.features.completion_wire import SharedItems
    from agent_lsp.lsp.handlers.architect import ArchitectFeature
    from agent_lsp.project.index import ProjectView

log = logging.getLogger(__name__)

CONFIG_SECTION = "agentLsp"


@dataclass(slots=True)
class Settings:
    """The client's `agentLsp` section (initializationOptions and workspace/configuration)."""

    agent_globs: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_client(cls, value: object) -> Settings:
        """Read what the client sent; anything malformed falls back to the defaults."""
        raw: dict[str, Any] = {}
        if isinstance(value, dict):
            # Some clients nest the section under its name, others send it bare.
            inner = value.get(CONFIG_SECTION, value)
            raw = dict(inner) if isinstance(inner, dict) else {}
        globs = raw.get("agentGlobs", ())
        if not isinstance(globs, (list, tuple)):
            globs = ()
        return cls(agent_globs=tuple(str(g) for g in globs if isinstance(g, str)), raw=raw)

    @property
    def rename_files(self) -> bool:
        """Whether renaming an agent or skill also renames its file (`agentLsp.renameFiles`, on by default)."""
        return self.raw.get("renameFiles", True) is not False


class Session:
    """What one server's handlers share. Made with the server, before the client says anything."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.settings = Settings()
        # initializationOptions' section: settings pulled or pushed later override it key by key.
        self.initial_settings: dict[str, Any] = {}
        self.health = Health()
        self.parent_watch: ParentWatch | None = None
        self.project = ProjectState(self)  # the index: built when the client says `initialized`
        self._analyses: AnalysisCache | None = None
        self._architect: ArchitectFeature | None = None
        self._shared_items: SharedItems | None = None
        self._completion_docs: DocStore | None = None
        self._completion_items: ItemMemo | None = None
        self._pulls: set[asyncio.Task[None]] = set()  # settings pulls in flight (a task needs a reference)
        self._config_problems_told: set[str] = set()  # configuration files whose problems were shown
        self.config_generation = 0  # counts configuration changes (workspace diagnostics' result ids)

    def until_quiet(self) -> float:
        """Seconds until the client has been quiet long enough for the server's own work on the event
        loop to go on (`AgentProtocol.until_quiet`; at once with any other protocol)."""
        protocol = self.server.protocol
        return protocol.until_quiet() if isinstance(protocol, AgentProtocol) else 0.0

    # ---- what the client said at `initialize` ------------------------------------------------
    @property
    def encoding(self) -> str:
        """The position encoding agreed at `initialize`: "utf-16" unless the client offered another."""
        encoding = self.server.workspace.position_encoding or types.PositionEncodingKind.Utf16
        # str() of this str-Enum gives "PositionEncodingKind.Utf16", not the wire value.
        return encoding.value if isinstance(encoding, types.PositionEncodingKind) else str(encoding)

    @property
    def client_pulls_diagnostics(self) -> bool:
        """Whether the client asks for diagnostics (textDocument/diagnostic) rather than being sent them."""
        caps = self.server.client_capabilities.text_document
        return caps is not None and caps.diagnostic is not None

    def workspace_roots(self) -> tuple[str, ...]:
        """The paths of the workspace folders; a client that named none has its root (rootUri or rootPath)."""
        workspace = self.server.workspace
        found = tuple(p for f in workspace.folders.values() if (p := to_fs_path(f.uri)))
        if not found and workspace.root_path:
            return (workspace.root_path,)
        return found

    def project_view(self, analysis: Analysis) -> ProjectView:
        """The one project model (the workspace index) as a document sees it, the document's own text
        fed to it first: what completion and hover name and describe."""
        from agent_lsp.project.index import ProjectView

        return ProjectView(self.project.index_for(analysis), analysis.path)

    # ---- settings ----------------------------------------------------------------------------
    def apply_initial_settings(self, value: object) -> None:
        """initializationOptions: the settings until the client sends others, and the base they update."""
        self.apply_settings(value)
        self.initial_settings = dict(self.settings.raw)

    def apply_settings(self, value: object) -> None:
        self.settings = Settings.from_client(value)
        add_secret(self.settings.raw.get("apiKey"))
        if self._analyses is not None:
            self._analyses.agent_globs = self.settings.agent_globs
            self._analyses.clear()

    def update_settings(self, changed: dict[str, Any]) -> None:
        """Settings the client sent after start-up, over initializationOptions key by key; re-check open files."""
        self.apply_settings({**self.initial_settings, **changed})
        for uri in list(self.server.workspace.text_documents):
            self.publish(uri)

    @property
    def client_answers_configuration(self) -> bool:
        workspace = self.server.client_capabilities.workspace
        return workspace is not None and bool(workspace.configuration)

    async def pull_configuration(
        self, scope_uri: str | None = None, timeout: float | None = None
    ) -> dict[str, Any] | None:
        """The client's `agentLsp` section for `scope_uri` (workspace/configuration); None when the client
        cannot answer, does not answer within `timeout` seconds, or has no such section."""
        if not self.client_answers_configuration:
            return None
        params = types.ConfigurationParams(items=[types.ConfigurationItem(section=CONFIG_SECTION, scope_uri=scope_uri)])
        try:
            values = await asyncio.wait_for(self.server.workspace_configuration_async(params), timeout)
        except Exception:  # a client that cannot answer leaves the settings as they are
            log.info("workspace/configuration failed; keeping the settings already known")
            return None
        first = values[0] if values else None
        return Settings.from_client(first).raw if isinstance(first, dict) else None

    def pull_settings(self) -> None:
        """Ask the client for the `agentLsp` section, when it can answer; once it does, the answer is
        applied over initializationOptions key by key and open documents are re-checked."""
        if not self.client_answers_configuration:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a handler called directly, with no event loop: no answer could arrive
            return
        task = loop.create_task(self._pull_settings())
        self._pulls.add(task)
        task.add_done_callback(self._pulls.discard)

    async def _pull_settings(self) -> None:
        pulled = await self.pull_configuration()
        if pulled is not None:
            self.update_settings(pulled)

    # ---- analyses and diagnostics ------------------------------------------------------------
    @property
    def analyses(self) -> AnalysisCache:
        """One parse per document version, shared by every feature (created on first use)."""
        if self._analyses is None:
            from agent_lsp.features.analysis import AnalysisCache

            self._analyses = AnalysisCache()
            self._analyses.agent_globs = self.settings.agent_globs
        return self._analyses

    def analysis(self, uri: str) -> Analysis:
        """The analysis of an open document. A document that is not open reads as empty:
        a request must not make the server read (or reveal) a file the client never opened."""
        document = self.server.workspace.text_documents.get(unquote(uri))
        if document is None:
            return limits.not_open(uri)
        source = document.source
        if len(source) > limits.MAX_DOCUMENT_CHARS:
            return limits.oversized(uri, document.version, len(source), self.settings.agent_globs)
        return self.analyses.get(uri, document.version, source)

    def diagnostics_for(self, analysis: Analysis) -> list[types.Diagnostic]:
        """A document's own findings and its cross-file ones, in the client's encoding."""
        from agent_lsp.features.diagnostics import to_diagnostic

        self._tell_config_problems(analysis)

        mapper = PositionMapper(analysis.parsed.index, self.encoding)
        return [to_diagnostic(f, mapper) for f in [*analysis.findings, *self.project.findings(analysis)]]

    def publish(self, uri: str) -> None:
        """Send a document's diagnostics, unless the client pulls them (sending too would duplicate)."""
        if self.client_pulls_diagnostics:
            return
        analysis = self.analysis(uri)
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=self.diagnostics_for(analysis), version=analysis.version
            )
        )

    # ---- the project configuration (.agent-lsp.toml, [tool.agent-lsp]) -------------------------
    def config_changed(self) -> None:
        """A configuration file changed, appeared or went: read them again and re-check open documents."""
        self.config_generation += 1
        self.analyses.configs.invalidate()
        self.analyses.clear()
        self._config_problems_told.clear()
        if self.client_pulls_diagnostics:
            workspace = self.server.client_capabilities.workspace
            if workspace is not None and workspace.diagnostics is not None and workspace.diagnostics.refresh_support:
                self.server.workspace_diagnostic_refresh(None)
            return
        for uri in list(self.server.workspace.text_documents):
            self.publish(uri)

    def _tell_config_problems(self, analysis: Analysis) -> None:
        """Say once what is wrong with the configuration a document is checked with (it is not ignored in silence)."""
        from agent_lsp.checks.configure import config_problems

        config = analysis.config
        if config.source is None or config.source in self._config_problems_told:
            return
        self._config_problems_told.add(config.source)
        problems = config_problems(config)
        if problems:
            message = f"agent-lsp: {config.source}: " + "; ".join(problems) + " (these settings are not applied)"
            self.server.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))

    # ---- completion stores -------------------------------------------------------------------
    @property
    def shared_items(self) -> SharedItems:
        """Completion items written once for every list they appear in (the converter's hook reads it)."""
        if self._shared_items is None:
            from agent_lsp.features.completion_wire import SharedItems

            self._shared_items = SharedItems()
        return self._shared_items

    @property
    def completion_docs(self) -> DocStore:
        """The documentation completion items leave for completionItem/resolve."""
        if self._completion_docs is None:
            from agent_lsp.features.complete import DocStore

            self._completion_docs = DocStore()
        return self._completion_docs

    @property
    def completion_items(self) -> ItemMemo:
        """Completion items kept from one list to the next (the same item is not built twice)."""
        if self._completion_items is None:
            from agent_lsp.features.complete import ItemMemo

            self._completion_items = ItemMemo(shared=self.shared_items)
        return self._completion_items

    # ---- the architect -----------------------------------------------------------------------
    @property
    def architect(self) -> ArchitectFeature:
        """The architect action's side of the session: its service, breaker and the key the client handed over."""
        if self._architect is None:
            from agent_lsp.lsp.handlers.architect import ArchitectFeature

            self._architect = ArchitectFeature(self)
        return self._architect

    # ---- health ------------------------------------------------------------------------------
    def watch_parent(self, pid: int | None) -> None:
        """End the process when the client's process is gone (its id comes with `initialize`)."""
        if pid is None or self.parent_watch is not None:
            return
        watch = ParentWatch(pid, interval=parent_poll_seconds())
        if watch.start():
            self.parent_watch = watch

    def status(self) -> dict[str, Any]:
        """The `agentLsp.status` answer: JSON-ready, no secrets, no document text."""
        health = self.health
        return {
            "version": __version__,
            "uptimeSeconds": round(health.uptime, 3),
            "openDocuments": len(self.server.workspace.text_documents),
            "requests": health.requests,
            "notifications": health.notifications,
            "errors": health.errors,
            "lastError": health.last_error.to_json() if health.last_error else None,
            "watchingParent": self.parent_watch.pid if self.parent_watch else None,
            "architect": self._architect_status(),
        }

    def _architect_status(self) -> dict[str, Any]:
        """The architect's snapshot (breaker state, consecutive failures, last failure kind)."""
        try:
            return self.architect.status()
        except Exception as error:  # a status display must never fail the command
            log.warning("architect status failed: %s", type(error).__name__)
            return {"error": type(error).__name__}

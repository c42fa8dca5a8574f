"""The project index as the editor sees it: kept in step with open documents, and what the client was told.

The index is built on first use (the `initialized` handler asks for it), from the workspace
roots and `~/.claude/`. It follows the editor's text of open documents (synced before each
use) and the files the client's watchers report. When a change alters what other files
resolve to, the open documents concerned are re-diagnosed (pushed) or the client is asked
to pull again (`workspace/diagnostic/refresh`).

The index and the cross-file checks (and the parser and validator they bring) are imported
where they are first used: this module is loaded before the server answers `initialize`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from agent_lsp.project.paths import uri_to_path

if TYPE_CHECKING:
    from agent_lsp.checks.findings import Finding
    from agent_lsp.features.analysis import Analysis
    from agent_lsp.lsp.session import Session
    from agent_lsp.project.index import WorkspaceIndex

log = logging.getLogger(__name__)


class ProjectState:
    """The session's index and what it has told the client about it."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._index: WorkspaceIndex | None = None
        self._versions: dict[str, int | None] = {}  # open document path -> version fed to the index
        self._indexable: dict[str, bool] = {}
        self.announced = 0  # the index generation the open documents were last diagnosed with
        self._pending: set[str] = set()  # open documents to re-publish
        self._republish_scheduled = False
        self._refresh_pending = False

    # ---- the index -----------------------------------------------------------------------------
    @property
    def index(self) -> WorkspaceIndex:
        index = self._built()
        self.sync()
        return index

    def _built(self) -> WorkspaceIndex:
        if self._index is None:
            from agent_lsp.project.index import WorkspaceIndex
            from agent_lsp.project.paths import default_user_dir

            self._index = WorkspaceIndex(list(self._session.workspace_roots()), default_user_dir())
            self._index.scan()
            self._index.take_changes()  # nothing was diagnosed with an older index
            self.announced = self._index.generation
        return self._index

    def rescan(self) -> None:
        self._index = None
        self._versions.clear()
        _ = self.index

    def _is_indexable(self, path: str) -> bool:
        known = self._indexable.get(path)
        if known is None:
            from agent_lsp.project.paths import locate

            assert self._index is not None
            known = locate(path, self._index.user_dir) is not None
            self._indexable[path] = known
        return known

    def sync(self) -> None:
        """Feed the index the editor's text of open documents; closed ones go back to their disk text."""
        index = self._index
        if index is None:
            return
        open_paths: set[str] = set()
        for uri, document in list(self._session.server.workspace.text_documents.items()):
            path = uri_to_path(uri)
            if path is None:
                continue
            path = os.path.normpath(path)
            if not self._is_indexable(path):
                continue
            open_paths.add(path)
            if path in self._versions and self._versions[path] == document.version and path in index.overlays:
                continue
            index.set_overlay(path, document.source)
            self._versions[path] = document.version
        for path in [p for p in index.overlays if p not in open_paths]:
            index.clear_overlay(path)
            self._versions.pop(path, None)

    # ---- telling the client --------------------------------------------------------------------
    def announce(self, exclude: str | None = None) -> None:
        """After the index changed: re-diagnose the open documents concerned, or ask a pulling client to pull.

        Only documents that share a changed name or refer to one are re-published, once per burst of
        changes (coalesced until the event loop is free), so opening or editing many agents stays linear.
        """
        index = self._index
        if index is None:
            return
        from agent_lsp.project.index import entry_names

        everything, names = index.take_changes()
        if not everything and not names:
            return
        self.announced = index.generation
        session = self._session
        if session.client_pulls_diagnostics:
            workspace = session.server.client_capabilities.workspace
            diagnostics = workspace.diagnostics if workspace else None
            if diagnostics is not None and diagnostics.refresh_support and not self._refresh_pending:
                self._refresh_pending = True
                self._later(self._refresh)
            return
        for uri in list(session.server.workspace.text_documents):
            if uri == exclude or uri in self._pending:
                continue
            path = uri_to_path(uri)
            entry = index.get(path) if path else None
            if entry is None:
                continue
            if everything or entry_names(entry) & names or any(n in names for n in entry.reference_names):
                self._pending.add(uri)
        if self._pending and not self._republish_scheduled:
            self._republish_scheduled = True
            self._later(self._republish)

    def _later(self, action: Callable[[], None]) -> None:
        try:
            asyncio.get_running_loop().call_soon(action)
        except RuntimeError:  # no event loop (a direct call in tests): now
            action()

    def _refresh(self) -> None:
        self._refresh_pending = False
        self._session.server.workspace_diagnostic_refresh(None)

    def _republish(self) -> None:
        self._republish_scheduled = False
        pending, self._pending = self._pending, set()
        for uri in pending:
            if uri in self._session.server.workspace.text_documents:
                self._session.publish(uri)

    # ---- cross-file findings -------------------------------------------------------------------
    def findings(self, analysis: Analysis) -> list[Finding]:
        """The cross-file findings the session's diagnostics add to a document's own."""
        if analysis.kind is None and not analysis.is_agent:
            return []
        from agent_lsp.checks import crossfile

        try:
            index = self.index_for(analysis)
            result = crossfile.findings_for(analysis, index)
            self.announce(exclude=analysis.uri)
        except Exception:  # a cross-file problem must never cost the file its own diagnostics
            log.exception("cross-file checks failed for %s", analysis.uri)
            return []
        return result

    def index_for(self, analysis: Analysis) -> WorkspaceIndex:
        """The index, with this open document's text fed first from its analysis (no second parse)."""
        index = self._built()
        if analysis.version is not None and analysis.path:
            path = os.path.normpath(analysis.path)
            document = self._session.server.workspace.text_documents.get(analysis.uri)
            current = document is not None and document.version == analysis.version and self._is_indexable(path)
            if current and (self._versions.get(path) != analysis.version or path not in index.overlays):
                index.set_overlay(path, analysis.text, analysis.parsed)
                self._versions[path] = analysis.version
        return self.index

"""Workspace features over LSP: the index, cross-file diagnostics, navigation and rename.

The index is built when the client says `initialized` (or on first use), from the
workspace folders and `~/.claude/`. It follows the editor's text of open documents
(synced before each use) and the files the client's watchers report; the watchers
are registered dynamically when the client allows it. When a change alters what
other files resolve to, the open documents are re-diagnosed (pushed) or the client
is asked to pull again (`workspace/diagnostic/refresh`).

This module is imported while the server starts, before it can answer `initialize`;
the index, the cross-file checks and navigation (and the YAML parser and validator
they bring) are imported where they are first used instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from agent_lsp.features.markup import to_range
from agent_lsp.project.paths import uri_to_path
from agent_lsp.syntax.text import PositionMapper, Span

if TYPE_CHECKING:
    from agent_lsp.checks.validate import Finding
    from agent_lsp.features.navigation import RenamePlan
    from agent_lsp.project.entry import IndexedFile
    from agent_lsp.project.index import WorkspaceIndex
    from agent_lsp.project.paths import FileKind

log = logging.getLogger(__name__)

STATE_ATTR = "workspace_state"
EXTRA_FINDINGS = "extra_findings"  # the server's diagnostics path adds what these providers return
WATCHER_ID = "agent-lsp-watched-files"
REQUEST_FAILED = -32803
WATCH_GLOBS = (
    "**/.claude/**/*.md",
    "**/CLAUDE.md",
    "**/CLAUDE.local.md",
    "**/.mcp.json",
    "**/.claude-plugin/plugin.json",
    "**/agents/**/*.md",
    "**/skills/**/SKILL.md",
    "**/commands/**/*.md",
)
_KINDS: dict[FileKind, types.SymbolKind] = {}  # filled on first use


def _symbol_kind(kind: FileKind) -> types.SymbolKind:
    if not _KINDS:
        from agent_lsp.project.paths import FileKind

        _KINDS.update(
            {
                FileKind.AGENT: types.SymbolKind.Class,
                FileKind.SKILL: types.SymbolKind.Module,
                FileKind.COMMAND: types.SymbolKind.Function,
            }
        )
    return _KINDS.get(kind, types.SymbolKind.File)


class WorkspaceState:
    """The server's index and what it has told the client about it."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self._index: WorkspaceIndex | None = None
        self._versions: dict[str, int | None] = {}  # open document path -> version fed to the index
        self._indexable: dict[str, bool] = {}
        self.announced = 0  # the index generation the open documents were last diagnosed with
        self._pending: set[str] = set()  # open documents to re-publish
        self._republish_scheduled = False
        self._refresh_pending = False

    # ---- the index -----------------------------------------------------------------------------
    def folders(self) -> list[str]:
        workspace = self.server.workspace
        found = [p for f in workspace.folders.values() if (p := to_fs_path(f.uri))]
        if not found and workspace.root_path:
            found.append(workspace.root_path)
        return found

    @property
    def index(self) -> WorkspaceIndex:
        index = self._built()
        self.sync()
        return index

    def _built(self) -> WorkspaceIndex:
        if self._index is None:
            from agent_lsp.project.index import WorkspaceIndex
            from agent_lsp.project.paths import default_user_dir

            self._index = WorkspaceIndex(self.folders(), default_user_dir())
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
        for uri, document in list(self.server.workspace.text_documents.items()):
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
        server = self.server
        try:
            pulls = server.client_pulls_diagnostics
        except AttributeError:  # no client yet (the server driven directly, as in tests)
            return
        if pulls:
            workspace = server.client_capabilities.workspace
            diagnostics = workspace.diagnostics if workspace else None
            if diagnostics is not None and diagnostics.refresh_support and not self._refresh_pending:
                self._refresh_pending = True
                self._later(self._refresh)
            return
        for uri in list(server.workspace.text_documents):
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
        self.server.workspace_diagnostic_refresh(None)

    def _republish(self) -> None:
        self._republish_scheduled = False
        pending, self._pending = self._pending, set()
        for uri in pending:
            if uri in self.server.workspace.text_documents:
                self.server.publish(uri)

    def findings(self, analysis: Any) -> list[Finding]:
        """The cross-file findings the server's diagnostics path adds to a document's own."""
        if getattr(analysis, "kind", None) is None and not getattr(analysis, "is_agent", False):
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

    def index_for(self, analysis: Any) -> WorkspaceIndex:
        """The index, with this open document's text fed first from its analysis (no second parse)."""
        index = self._built()
        if analysis.version is not None and analysis.path:
            path = os.path.normpath(analysis.path)
            document = self.server.workspace.text_documents.get(analysis.uri)
            current = document is not None and document.version == analysis.version and self._is_indexable(path)
            if current and (self._versions.get(path) != analysis.version or path not in index.overlays):
                index.set_overlay(path, analysis.text, analysis.parsed)
                self._versions[path] = analysis.version
        return self.index


def state_of(server: Any) -> WorkspaceState:
    state: WorkspaceState | None = getattr(server, STATE_ATTR, None)
    if state is None:
        state = WorkspaceState(server)
        setattr(server, STATE_ATTR, state)
    return state


# ---- conversions -------------------------------------------------------------------------------------


def _mapper(server: Any, entry: IndexedFile) -> PositionMapper:
    return PositionMapper(entry.lines, server.encoding)


def _location(server: Any, entry: IndexedFile, span: Span, uris: dict[str, str] | None = None) -> types.Location:
    return types.Location(uri=_uri_for(server, entry.path, uris), range=to_range(_mapper(server, entry), span))


def _definition_location(server: Any, entry: IndexedFile, uris: dict[str, str] | None = None) -> types.Location:
    """Where a definition lands (`navigation.definition_span`): its name, else the file's start.
    The index knows most names' positions, so a list of symbols does not read every file again."""
    at = entry.name_position
    if at is not None:
        line, start, end = at
        where = types.Range(types.Position(line, start), types.Position(line, end))
    elif entry.name_span is None:
        where = types.Range(types.Position(0, 0), types.Position(0, 0))
    else:
        return _location(server, entry, entry.name_span, uris)
    return types.Location(uri=_uri_for(server, entry.path, uris), range=where)


def _open_uris(server: Any) -> dict[str, str]:
    """Open documents' paths -> the client's URIs for them: made once for a request with many locations."""
    found: dict[str, str] = {}
    for uri in server.workspace.text_documents:
        known = uri_to_path(uri)
        if known is not None:
            found.setdefault(os.path.normpath(known), str(uri))
    return found


def _uri_for(server: Any, path: str, uris: dict[str, str] | None = None) -> str:
    """The client's own URI for an open document (its spelling), else the file's URI."""
    uri = (uris if uris is not None else _open_uris(server)).get(path)
    return uri if uri is not None else Path(path).as_uri()


def _document(server: Any, params: Any) -> tuple[WorkspaceState, IndexedFile, int] | None:
    """The state, the document's entry and the cursor offset of a positional request on an open document."""
    uri = params.text_document.uri
    document = server.workspace.text_documents.get(uri)
    path = uri_to_path(uri)
    if document is None or path is None:
        return None
    from agent_lsp.features import navigation

    state = state_of(server)
    entry = navigation.document_entry(state.index, path, document.source)
    if entry is None:
        return None
    mapper = PositionMapper(entry.lines, server.encoding)
    return state, entry, mapper.offset(params.position.line, params.position.character)


def _symbol(server: Any, params: Any) -> tuple[WorkspaceState, IndexedFile, Any] | None:
    """The state, the document's entry and the agent/skill name under the cursor, if any."""
    found = _document(server, params)
    if found is None:
        return None
    state, entry, offset = found
    from agent_lsp.features import navigation

    symbol = navigation.symbol_at(entry, offset)
    return None if symbol is None else (state, entry, symbol)


def _rename_files_enabled(server: Any) -> bool:
    value = server.settings.raw.get("renameFiles", True) if hasattr(server, "settings") else True
    return value is not False


def _supports_file_renames(server: Any) -> bool:
    workspace = server.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    if edit is None or not edit.document_changes:
        return False
    return types.ResourceOperationKind.Rename in (edit.resource_operations or [])


def _workspace_edit(server: Any, state: WorkspaceState, plan: RenamePlan) -> types.WorkspaceEdit:
    index = state.index
    per_file: dict[str, list[types.TextEdit]] = {}
    for path, edits in plan.edits.items():
        entry = index.get(path)
        if entry is None:
            continue
        mapper = _mapper(server, entry)
        per_file[path] = [types.TextEdit(to_range(mapper, span), text) for span, text in edits]
    uris = _open_uris(server)
    workspace = server.client_capabilities.workspace
    if not (workspace and workspace.workspace_edit and workspace.workspace_edit.document_changes):
        return types.WorkspaceEdit(changes={_uri_for(server, p, uris): e for p, e in per_file.items()})
    changes: list[Any] = []
    for path, text_edits in per_file.items():
        uri = _uri_for(server, path, uris)
        document = server.workspace.text_documents.get(uri)
        identifier = types.OptionalVersionedTextDocumentIdentifier(
            uri=uri, version=document.version if document else None
        )
        changes.append(types.TextDocumentEdit(text_document=identifier, edits=text_edits))
    if _supports_file_renames(server):
        for old, new in plan.file_renames:
            changes.append(types.RenameFile(old_uri=_uri_for(server, old, uris), new_uri=Path(new).as_uri()))
    return types.WorkspaceEdit(document_changes=changes)


def _result_id(entry: IndexedFile, generation: int) -> str:
    """What a file's workspace diagnostics depend on: the index generation and the file's version.

    A file read from disk is known by the stamp it was indexed with (size, mtime, inode; the
    caller revalidates first), so an unchanged report costs no read; a kept text is hashed."""
    if entry.stamp is not None:
        return f"{generation}-s{entry.stamp & 0xFFFFFFFFFFFFFFFF:x}"
    import hashlib  # here, not at start-up: importing it initialises OpenSSL (~0.6 MB RSS)

    digest = hashlib.sha1(entry.text.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()[:16]
    return f"{generation}-{digest}"


# ---- registration --------------------------------------------------------------------------------------


def register(server: LanguageServer) -> None:
    state = state_of(server)
    providers: list[Callable[[Any], list[Finding]]] = getattr(server, EXTRA_FINDINGS, None) or []
    providers.append(state.findings)
    setattr(server, EXTRA_FINDINGS, providers)

    @server.feature(types.INITIALIZED)
    def on_initialized(ls: Any, params: types.InitializedParams) -> None:
        # pygls takes one handler per notification, so the settings pull starts here too.
        pull_settings = getattr(ls, "pull_settings", None)
        if callable(pull_settings):
            pull_settings()
        _ = state.index
        workspace = ls.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if watched is None or not watched.dynamic_registration:
            return
        watchers = [types.FileSystemWatcher(glob_pattern=g) for g in WATCH_GLOBS]
        user_dir = state.index.user_dir
        if watched.relative_pattern_support and user_dir is not None:
            base = user_dir.as_uri()
            watchers += [
                types.FileSystemWatcher(glob_pattern=types.RelativePattern(base_uri=base, pattern=p))
                for p in ("agents/**/*.md", "skills/*/SKILL.md", "commands/**/*.md", "CLAUDE.md")
            ]
        ls.client_register_capability(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id=WATCHER_ID,
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
                    )
                ]
            )
        )

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def on_watched_files(ls: Any, params: types.DidChangeWatchedFilesParams) -> None:
        index = state.index
        for change in params.changes:
            path = uri_to_path(change.uri)
            if path is None:
                continue
            if change.type == types.FileChangeType.Deleted:
                index.remove(path)
            else:
                index.refresh(path)
        state.sync()
        state.announce()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def on_folders(ls: Any, params: types.DidChangeWorkspaceFoldersParams) -> None:
        state.rescan()
        state.announce()

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: Any, params: types.DefinitionParams) -> list[types.Location] | None:
        found = _symbol(ls, params)
        if found is None:
            return None
        state, entry, symbol = found
        from agent_lsp.features import navigation

        targets = navigation.definitions(state.index, entry, symbol)
        uris = _open_uris(ls)
        return [_definition_location(ls, t, uris) for t in targets] or None

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def on_references(ls: Any, params: types.ReferenceParams) -> list[types.Location] | None:
        found = _symbol(ls, params)
        if found is None:
            return None
        state, entry, symbol = found
        from agent_lsp.features import navigation

        include = params.context.include_declaration
        occurrences = navigation.references(state.index, entry, symbol, include)
        uris = _open_uris(ls)
        return [_location(ls, o.entry, o.span, uris) for o in occurrences]

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    def on_prepare_rename(ls: Any, params: types.PrepareRenameParams) -> types.PrepareRenamePlaceholder | None:
        found = _document(ls, params)
        if found is None:
            return None
        state, entry, offset = found
        from agent_lsp.features import navigation

        symbol = navigation.prepare_rename(state.index, entry, offset)
        if symbol is None:
            return None
        placeholder = symbol.name.rsplit(":", 1)[-1]
        span = Span(symbol.span.end - len(placeholder), symbol.span.end)
        return types.PrepareRenamePlaceholder(range=to_range(_mapper(ls, entry), span), placeholder=placeholder)

    @server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    def on_rename(ls: Any, params: types.RenameParams) -> types.WorkspaceEdit | None:
        found = _document(ls, params)
        if found is None:
            return None
        state, entry, offset = found
        from agent_lsp.features import navigation

        try:
            plan = navigation.rename(state.index, entry, offset, params.new_name, _rename_files_enabled(ls))
        except navigation.RenameError as error:
            raise JsonRpcException(str(error), REQUEST_FAILED) from error
        return _workspace_edit(ls, state, plan)

    @server.feature(types.WORKSPACE_SYMBOL)
    def on_workspace_symbol(ls: Any, params: types.WorkspaceSymbolParams) -> list[types.WorkspaceSymbol]:
        from agent_lsp.features import navigation

        result: list[types.WorkspaceSymbol] = []
        uris = _open_uris(ls)
        for entry in navigation.workspace_symbols(state.index, params.query):
            label = f"{entry.scope.value} {entry.kind.value}"
            description = " ".join(entry.description.split())
            if len(description) > 100:
                description = description[:99] + "…"
            result.append(
                types.WorkspaceSymbol(
                    name=entry.qualified_name or "",
                    kind=_symbol_kind(entry.kind),
                    location=_definition_location(ls, entry, uris),
                    container_name=f"{label}: {description}" if description else label,
                )
            )
        return result

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    def on_workspace_diagnostic(ls: Any, params: types.WorkspaceDiagnosticParams) -> types.WorkspaceDiagnosticReport:
        from agent_lsp.features.analysis import AnalysisCache
        from agent_lsp.project.paths import FileKind

        index = state.index
        previous = {os.path.normpath(uri_to_path(p.uri) or p.uri): p.value for p in params.previous_result_ids}
        open_paths = {os.path.normpath(p) for u in ls.workspace.text_documents if (p := uri_to_path(u))}
        cache = AnalysisCache(capacity=1)
        cache.agent_globs = ls.analyses.agent_globs
        items: list[Any] = []
        # Files changed on disk without a watcher telling us are re-indexed first: their result ids
        # come from the stamp they were indexed with.
        index.revalidate(e for e in index.files() if e.path not in open_paths)
        for entry in sorted(index.files(), key=lambda e: e.path):
            if entry.kind is FileKind.MEMORY or entry.path in open_paths or not index.in_workspace(entry.path):
                continue
            uri = Path(entry.path).as_uri()
            result_id = _result_id(entry, index.generation)
            if previous.get(entry.path) == result_id:
                items.append(
                    types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=result_id, version=None)
                )
                continue
            diagnostics = ls.diagnostics_for(cache.get(uri, None, entry.text))
            items.append(
                types.WorkspaceFullDocumentDiagnosticReport(
                    uri=uri, items=diagnostics, version=None, result_id=result_id
                )
            )
        return types.WorkspaceDiagnosticReport(items=items)

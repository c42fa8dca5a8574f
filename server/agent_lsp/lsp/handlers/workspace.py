"""Workspace features over LSP: file watchers, navigation, rename, workspace symbols and diagnostics.

They all read the session's project index (`lsp/project_state.py`), which follows the editor's
open documents and the files the client's watchers report; the watchers are registered
dynamically when the client allows it, once it says `initialized`.

This module is imported while the server starts, before it can answer `initialize`; the
index and navigation (and the YAML parser and validator they bring) are imported where they
are first used instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from agent_lsp.features.markup import to_range
from agent_lsp.project.paths import uri_to_path
from agent_lsp.syntax.text import PositionMapper, Span

if TYPE_CHECKING:
    from agent_lsp.features.navigation import RenamePlan, Symbol
    from agent_lsp.lsp.project_state import ProjectState
    from agent_lsp.lsp.server import AgentLanguageServer
    from agent_lsp.lsp.session import Session
    from agent_lsp.project.entry import IndexedFile
    from agent_lsp.project.paths import FileKind

WATCHER_ID = "agent-lsp-watched-files"
REQUEST_FAILED = -32803
RENAME_OPTIONS = types.RenameOptions(prepare_provider=True)
WATCH_GLOBS = (
    "**/.claude/**/*.md",
    "**/CLAUDE.md",
    "**/CLAUDE.local.md",
    "**/AGENTS.md",
    "**/output-styles/*.md",
    "**/.mcp.json",
    "**/.claude-plugin/plugin.json",
    "**/agents/**/*.md",
    "**/SKILL.md",  # a skill of `.claude/skills/`, a plugin or a collection (paths.locate)
    "**/commands/**/*.md",
    "**/.agent-lsp.toml",  # the project configuration (project/config.py): re-read when it changes
    "**/pyproject.toml",
)
# The requests about a position in a document that this module answers.
_Positional = types.DefinitionParams | types.ReferenceParams | types.PrepareRenameParams | types.RenameParams
_KINDS: dict[FileKind, types.SymbolKind] = {}  # filled on first use (FileKind lives with the classifier)


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


# ---- conversions -------------------------------------------------------------------------------------


def _mapper(session: Session, entry: IndexedFile) -> PositionMapper:
    return PositionMapper(entry.lines, session.encoding)


def _location(session: Session, entry: IndexedFile, span: Span, uris: dict[str, str] | None = None) -> types.Location:
    return types.Location(uri=_uri_for(session, entry.path, uris), range=to_range(_mapper(session, entry), span))


def _definition_location(session: Session, entry: IndexedFile, uris: dict[str, str] | None = None) -> types.Location:
    """Where a definition lands (`navigation.definition_span`): its name, else the file's start.
    The index knows most names' positions, so a list of symbols does not read every file again."""
    at = entry.name_position
    if at is not None:
        line, start, end = at
        where = types.Range(types.Position(line, start), types.Position(line, end))
    elif entry.name_span is None:
        where = types.Range(types.Position(0, 0), types.Position(0, 0))
    else:
        return _location(session, entry, entry.name_span, uris)
    return types.Location(uri=_uri_for(session, entry.path, uris), range=where)


def _open_uris(session: Session) -> dict[str, str]:
    """Open documents' paths -> the client's URIs for them: made once for a request with many locations."""
    found: dict[str, str] = {}
    for uri in session.server.workspace.text_documents:
        known = uri_to_path(uri)
        if known is not None:
            found.setdefault(os.path.normpath(known), str(uri))
    return found


def _uri_for(session: Session, path: str, uris: dict[str, str] | None = None) -> str:
    """The client's own URI for an open document (its spelling), else the file's URI."""
    uri = (uris if uris is not None else _open_uris(session)).get(path)
    return uri if uri is not None else Path(path).as_uri()


async def _document(session: Session, params: _Positional) -> tuple[ProjectState, IndexedFile, int] | None:
    """The project, the document's entry and the cursor offset of a positional request on an open document
    (once the index is built: a cross-file answer from part of the workspace would be wrong)."""
    uri = params.text_document.uri
    document = session.server.workspace.text_documents.get(uri)
    path = uri_to_path(uri)
    if document is None or path is None:
        return None
    from agent_lsp.features import navigation

    project = session.project
    index = await project.built()
    document = session.server.workspace.text_documents.get(uri)  # (it may have changed meanwhile)
    if document is None:
        return None
    entry = navigation.document_entry(index, path, document.source)
    if entry is None:
        return None
    mapper = PositionMapper(entry.lines, session.encoding)
    return project, entry, mapper.offset(params.position.line, params.position.character)


async def _symbol(session: Session, params: _Positional) -> tuple[ProjectState, IndexedFile, Symbol] | None:
    """The project, the document's entry and the agent/skill name under the cursor, if any."""
    found = await _document(session, params)
    if found is None:
        return None
    project, entry, offset = found
    from agent_lsp.features import navigation

    symbol = navigation.symbol_at(entry, offset)
    return None if symbol is None else (project, entry, symbol)


def _supports_file_renames(ls: AgentLanguageServer) -> bool:
    workspace = ls.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    if edit is None or not edit.document_changes:
        return False
    return types.ResourceOperationKind.Rename in (edit.resource_operations or [])


def _workspace_edit(ls: AgentLanguageServer, project: ProjectState, plan: RenamePlan) -> types.WorkspaceEdit:
    session = ls.session
    index = project.index
    per_file: dict[str, list[types.TextEdit]] = {}
    for path, edits in plan.edits.items():
        entry = index.get(path)
        if entry is None:
            continue
        mapper = _mapper(session, entry)
        per_file[path] = [types.TextEdit(to_range(mapper, span), text) for span, text in edits]
    uris = _open_uris(session)
    workspace = ls.client_capabilities.workspace
    if not (workspace and workspace.workspace_edit and workspace.workspace_edit.document_changes):
        return types.WorkspaceEdit(changes={_uri_for(session, p, uris): e for p, e in per_file.items()})
    changes: list[types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile] = []
    for path, text_edits in per_file.items():
        uri = _uri_for(session, path, uris)
        document = ls.workspace.text_documents.get(uri)
        identifier = types.OptionalVersionedTextDocumentIdentifier(
            uri=uri, version=document.version if document else None
        )
        changes.append(types.TextDocumentEdit(text_document=identifier, edits=text_edits))
    if _supports_file_renames(ls):
        for old, new in plan.file_renames:
            changes.append(types.RenameFile(old_uri=_uri_for(session, old, uris), new_uri=Path(new).as_uri()))
    return types.WorkspaceEdit(document_changes=changes)


def _result_id(entry: IndexedFile, generation: int | str) -> str:
    """What a file's workspace diagnostics depend on: the index (and configuration) generation and the file's version.

    A file read from disk is known by the stamp it was indexed with (size, mtime, inode; the
    caller revalidates first), so an unchanged report costs no read; a kept text is hashed."""
    if entry.stamp is not None:
        return f"{generation}-s{entry.stamp & 0xFFFFFFFFFFFFFFFF:x}"
    import hashlib  # here, not at start-up: importing it initialises OpenSSL (~0.6 MB RSS)

    digest = hashlib.sha1(entry.text.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()[:16]
    return f"{generation}-{digest}"


# ---- handlers ------------------------------------------------------------------------------------------


def initialized(ls: AgentLanguageServer, params: types.InitializedParams) -> None:
    """Start building the index (off the event loop), and ask the client to report changes to the files it reads."""
    project = ls.session.project
    project.start()
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    if watched is None or not watched.dynamic_registration:
        return
    watchers = [types.FileSystemWatcher(glob_pattern=g) for g in WATCH_GLOBS]
    user_dir = project.user_dir
    if watched.relative_pattern_support and user_dir is not None:
        base = user_dir.as_uri()
        watchers += [
            types.FileSystemWatcher(glob_pattern=types.RelativePattern(base_uri=base, pattern=p))
            for p in (
                "agents/**/*.md",
                "skills/*/SKILL.md",
                "commands/**/*.md",
                "CLAUDE.md",
                "output-styles/*.md",
                "rules/**/*.md",
            )
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


def watched_files(ls: AgentLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    from agent_lsp.project.config import is_config_file

    project = ls.session.project
    config_changed = False
    for change in params.changes:
        path = uri_to_path(change.uri)
        if path is not None and is_config_file(path):
            config_changed = True
        elif path is not None:
            project.file_changed(path, change.type == types.FileChangeType.Deleted)
    if config_changed:
        ls.session.config_changed()
    project.sync()
    project.announce()


def workspace_folders(ls: AgentLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    project = ls.session.project
    project.rescan()
    project.announce()


def _import_definition(session: Session, params: types.DefinitionParams) -> list[types.Location] | None:
    """The file an `@path` import of a memory file names (None when the cursor is on no import)."""
    uri = params.text_document.uri
    path = uri_to_path(uri)
    if path is None or os.path.basename(path) not in ("CLAUDE.md", "CLAUDE.local.md", "AGENTS.md"):
        return None
    analysis = session.analysis(uri)
    if analysis.kind is None or analysis.kind.value != "memory":
        return None
    from agent_lsp.features import memory

    mapper = PositionMapper(analysis.parsed.index, session.encoding)
    link = memory.link_at(analysis.text, path, mapper.offset(params.position.line, params.position.character))
    if link is None:
        return None
    start = types.Position(0, 0)
    return [types.Location(uri=Path(link.target).as_uri(), range=types.Range(start, start))]


async def definition(ls: AgentLanguageServer, params: types.DefinitionParams) -> list[types.Location] | None:
    session = ls.session
    imported = _import_definition(session, params)
    if imported is not None:
        return imported
    found = await _symbol(session, params)
    if found is None:
        return None
    project, entry, symbol = found
    from agent_lsp.features import navigation

    targets = navigation.definitions(project.index, entry, symbol)
    uris = _open_uris(session)
    return [_definition_location(session, t, uris) for t in targets] or None


async def references(ls: AgentLanguageServer, params: types.ReferenceParams) -> list[types.Location] | None:
    session = ls.session
    found = await _symbol(session, params)
    if found is None:
        return None
    project, entry, symbol = found
    from agent_lsp.features import navigation

    include = params.context.include_declaration
    occurrences = navigation.references(project.index, entry, symbol, include)
    uris = _open_uris(session)
    return [_location(session, o.entry, o.span, uris) for o in occurrences]


async def prepare_rename(
    ls: AgentLanguageServer, params: types.PrepareRenameParams
) -> types.PrepareRenamePlaceholder | None:
    session = ls.session
    found = await _document(session, params)
    if found is None:
        return None
    project, entry, offset = found
    from agent_lsp.features import navigation

    symbol = navigation.prepare_rename(project.index, entry, offset)
    if symbol is None:
        return None
    placeholder = symbol.name.rsplit(":", 1)[-1]
    span = Span(symbol.span.end - len(placeholder), symbol.span.end)
    return types.PrepareRenamePlaceholder(range=to_range(_mapper(session, entry), span), placeholder=placeholder)


async def rename(ls: AgentLanguageServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    session = ls.session
    found = await _document(session, params)
    if found is None:
        return None
    project, entry, offset = found
    from agent_lsp.features import navigation

    try:
        plan = navigation.rename(project.index, entry, offset, params.new_name, session.settings.rename_files)
    except navigation.RenameError as error:
        raise JsonRpcException(str(error), REQUEST_FAILED) from error
    return _workspace_edit(ls, project, plan)


async def workspace_symbol(ls: AgentLanguageServer, params: types.WorkspaceSymbolParams) -> list[types.WorkspaceSymbol]:
    from agent_lsp.features import navigation

    session = ls.session
    result: list[types.WorkspaceSymbol] = []
    uris = _open_uris(session)
    index = await session.project.built()
    for entry in navigation.workspace_symbols(index, params.query):
        label = f"{entry.scope.value} {entry.kind.value}"
        description = " ".join(entry.description.split())
        if len(description) > 100:
            description = description[:99] + "…"
        result.append(
            types.WorkspaceSymbol(
                name=entry.qualified_name or "",
                kind=_symbol_kind(entry.kind),
                location=_definition_location(session, entry, uris),
                container_name=f"{label}: {description}" if description else label,
            )
        )
    return result


def workspace_diagnostic(
    ls: AgentLanguageServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    from agent_lsp.features.analysis import AnalysisCache
    from agent_lsp.project.paths import FileKind

    session = ls.session
    if not session.project.ready:
        # Nothing to report before the index is built: the client is asked to pull again once it is.
        session.project.start()
        return types.WorkspaceDiagnosticReport(items=[])
    index = session.project.index
    previous = {os.path.normpath(uri_to_path(p.uri) or p.uri): p.value for p in params.previous_result_ids}
    open_paths = {os.path.normpath(p) for u in ls.workspace.text_documents if (p := uri_to_path(u))}
    cache = AnalysisCache(capacity=1)
    cache.agent_globs = session.settings.agent_globs
    items: list[types.WorkspaceFullDocumentDiagnosticReport | types.WorkspaceUnchangedDocumentDiagnosticReport] = []
    # Files changed on disk without a watcher telling us are re-indexed first: their result ids
    # come from the stamp they were indexed with.
    index.revalidate(e for e in index.files() if e.path not in open_paths)
    for entry in sorted(index.files(), key=lambda e: e.path):
        if entry.kind is FileKind.MEMORY or entry.path in open_paths or not index.in_workspace(entry.path):
            continue
        uri = Path(entry.path).as_uri()
        result_id = _result_id(entry, f"{index.generation}.{session.config_generation}")
        if previous.get(entry.path) == result_id:
            items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=result_id, version=None))
            continue
        diagnostics = session.diagnostics_for(cache.get(uri, None, entry.text))
        items.append(
            types.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=diagnostics, version=None, result_id=result_id)
        )
    return types.WorkspaceDiagnosticReport(items=items)

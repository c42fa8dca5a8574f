"""The workspace features through the real server over stdio, on a copy of tests/workspace_sample.

The server's home is `tests/workspace_sample/home`, so `~/.claude/` is the sample's user folder.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[1] / "workspace_sample"
SERVER = [sys.executable, "-m", "agent_lsp"]
ENV = {**os.environ, "HOME": str(SAMPLE / "home"), "USERPROFILE": str(SAMPLE / "home")}


def _capabilities(pull: bool) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            workspace_folders=True,
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True, relative_pattern_support=True
            ),
            workspace_edit=types.WorkspaceEditClientCapabilities(
                document_changes=True, resource_operations=[types.ResourceOperationKind.Rename]
            ),
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True),
        ),
        text_document=types.TextDocumentClientCapabilities(
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
            rename=types.RenameClientCapabilities(prepare_support=True),
        ),
    )


class Session:
    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.lsp = client
        self.root = root
        self.registrations: list[types.Registration] = []

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def open(self, rel: str) -> str:
        uri = self.uri(rel)
        item = types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=self.text(rel))
        self.lsp.text_document_did_open(types.DidOpenTextDocumentParams(item))
        return uri

    def position(self, rel: str, needle: str, into: int = 1) -> types.Position:
        text = self.text(rel)
        offset = text.index(needle) + into
        line = text.count("\n", 0, offset)
        return types.Position(line, offset - (text.rfind("\n", 0, offset) + 1))

    async def until(self, check: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not check():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("timed out")
            await asyncio.sleep(0.05)

    def codes(self, uri: str) -> set[Any]:
        return {d.code for d in self.lsp.diagnostics.get(uri, [])}


async def _start(client: LanguageClient, tmp_path: Path, pull: bool) -> Session:
    shutil.copytree(SAMPLE / "project", tmp_path / "project")
    session = Session(client, tmp_path / "project")

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def on_register(params: types.RegistrationParams) -> None:
        session.registrations.extend(params.registrations)

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def on_apply(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        return types.ApplyWorkspaceEditResult(applied=False)

    folder = types.WorkspaceFolder(uri=session.root.as_uri(), name="project")
    await client.initialize_session(
        types.InitializeParams(capabilities=_capabilities(pull), workspace_folders=[folder], root_uri=folder.uri)
    )
    await session.until(lambda: bool(session.registrations))
    return session


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def client(lsp_client: LanguageClient):
    yield  # the session fixtures below initialize it, with their own capabilities


@pytest.fixture
async def push(client: LanguageClient, tmp_path: Path) -> AsyncIterator[Session]:
    yield await _start(client, tmp_path, pull=False)
    await client.shutdown_session()


@pytest.fixture
async def pull(client: LanguageClient, tmp_path: Path) -> AsyncIterator[Session]:
    yield await _start(client, tmp_path, pull=True)
    await client.shutdown_session()


async def test_watchers_are_registered_and_cross_file_diagnostics_follow_the_disk(push: Session) -> None:
    (registration,) = push.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = [w["globPattern"] for w in registration.register_options["watchers"]]  # type: ignore[index]
    assert "**/.claude/**/*.md" in globs and "**/.mcp.json" in globs
    assert any(isinstance(g, dict) and g["baseUri"].endswith("/home/.claude") for g in globs)

    lead = push.open(".claude/agents/lead.md")
    await push.until(lambda: "unknown-agent-type" in push.codes(lead))
    (ghost,) = [d for d in push.lsp.diagnostics[lead] if d.code == "unknown-agent-type"]
    assert ghost.range.start == push.position(".claude/agents/lead.md", "ghost", 0)
    assert ghost.severity == types.DiagnosticSeverity.Warning

    # A new agent file appears on disk: the watcher reports it and the open file is diagnosed again.
    new = push.root / ".claude/agents/ghost.md"
    new.write_text("---\nname: ghost\ndescription: Haunts.\n---\nBoo.\n", encoding="utf-8")
    push.lsp.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(new.as_uri(), types.FileChangeType.Created)])
    )
    await push.until(lambda: "unknown-agent-type" not in push.codes(lead))


async def test_an_edit_in_one_open_agent_rediagnoses_the_others(push: Session) -> None:
    tester = push.open(".claude/agents/tester.md")
    await push.until(lambda: "duplicate-agent-name" in push.codes(tester))
    copy = push.open(".claude/agents/review/tester.md")
    await push.until(lambda: "duplicate-agent-name" in push.codes(copy))
    start = push.position(".claude/agents/review/tester.md", "tester", 0)
    end = types.Position(start.line, start.character + len("tester"))
    push.lsp.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=copy, version=2),
            content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start, end), text="old-tester")],
        )
    )
    await push.until(lambda: "duplicate-agent-name" not in push.codes(copy))
    await push.until(lambda: "duplicate-agent-name" not in push.codes(tester))


async def test_pull_document_and_workspace_diagnostics(pull: Session) -> None:
    reviewer = pull.open(".claude/agents/reviewer.md")
    # The index is built in the background: until it is, a pull answers with the file's own findings,
    # and the client is asked to pull again (`workspace/diagnostic/refresh`) once it is built.
    for _attempt in range(200):
        report = await pull.lsp.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(reviewer))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        if report.items:
            break
        await pull.until(lambda: pull.lsp.diagnostic_refresh_count > 0)
        await asyncio.sleep(0.05)
    assert {d.code for d in report.items} == {"unknown-skill", "unknown-mcp-server"}
    refreshes = pull.lsp.diagnostic_refresh_count

    result = await pull.lsp.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    by_name = {Path(i.uri).relative_to(pull.root.as_uri()).as_posix(): i for i in result.items}
    assert ".claude/agents/reviewer.md" not in by_name  # open: the client pulls it per document
    assert "CLAUDE.md" not in by_name
    lead = by_name[".claude/agents/lead.md"]
    assert isinstance(lead, types.WorkspaceFullDocumentDiagnosticReport)
    assert [d.code for d in lead.items] == ["unknown-agent-type"]
    assert {d.code for d in by_name[".claude/agents/helper.md"].items} == {"agent-shadowed"}  # type: ignore[union-attr]
    assert by_name[".claude/skills/deploy/SKILL.md"] is not None

    # Unchanged files answer with their result id only.
    previous = [types.PreviousResultId(uri=i.uri, value=i.result_id or "") for i in result.items]
    again = await pull.lsp.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=previous))
    assert all(isinstance(i, types.WorkspaceUnchangedDocumentDiagnosticReport) for i in again.items)

    # A change others depend on asks the client to pull again.
    (pull.root / ".mcp.json").write_text('{"mcpServers": {"github": {}, "jira": {}}}', encoding="utf-8")
    pull.lsp.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent((pull.root / ".mcp.json").as_uri(), types.FileChangeType.Changed)]
        )
    )
    await pull.until(lambda: pull.lsp.diagnostic_refresh_count > refreshes)  # pytest-lsp counts them


async def test_definition_references_and_symbols(push: Session) -> None:
    memory = push.open("CLAUDE.md")
    found = await push.lsp.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(memory), push.position("CLAUDE.md", "agent-reviewer", 7))
    )
    assert isinstance(found, list) and len(found) == 1
    assert found[0].uri == push.uri(".claude/agents/reviewer.md")
    assert found[0].range == types.Range(types.Position(1, 6), types.Position(1, 14))

    lead = push.open(".claude/agents/lead.md")
    skill = await push.lsp.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(lead), push.position(".claude/agents/lead.md", "deploy"))
    )
    assert isinstance(skill, list) and skill[0].uri == push.uri(".claude/skills/deploy/SKILL.md")

    refs = await push.lsp.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(lead),
            position=push.position(".claude/agents/lead.md", "reviewer"),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None and len(refs) == 6
    assert {Path(r.uri).name for r in refs} == {"lead.md", "reviewer.md", "release.md", "SKILL.md", "CLAUDE.md"}

    symbols = await push.lsp.workspace_symbol_async(types.WorkspaceSymbolParams(query="review"))
    assert isinstance(symbols, list)
    named = {s.name: s for s in symbols}
    assert "reviewer" in named and named["reviewer"].kind == types.SymbolKind.Class
    assert named["reviewer"].container_name == (
        "project agent: Reviews code changes for correctness and style. Use after every change."
    )
    every = await push.lsp.workspace_symbol_async(types.WorkspaceSymbolParams(query=""))
    assert isinstance(every, list)
    assert {"personal", "summarize", "standup", "acme:security", "release", "api-conventions"} <= {
        s.name for s in every
    }


async def test_prepare_rename_and_rename_with_the_file(push: Session) -> None:
    lead = push.open(".claude/agents/lead.md")
    position = push.position(".claude/agents/lead.md", "reviewer")
    prepared = await push.lsp.text_document_prepare_rename_async(
        types.PrepareRenameParams(types.TextDocumentIdentifier(lead), position)
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder) and prepared.placeholder == "reviewer"
    nothing = await push.lsp.text_document_prepare_rename_async(
        types.PrepareRenameParams(types.TextDocumentIdentifier(lead), push.position(".claude/agents/lead.md", "Read"))
    )
    assert nothing is None

    edit = await push.lsp.text_document_rename_async(
        types.RenameParams(types.TextDocumentIdentifier(lead), position, "code-reviewer")
    )
    assert edit is not None and edit.document_changes is not None
    *texts, last = edit.document_changes
    assert isinstance(last, types.RenameFile)
    assert last.old_uri == push.uri(".claude/agents/reviewer.md")
    assert last.new_uri == push.uri(".claude/agents/code-reviewer.md")
    changed = {}
    for change in texts:
        assert isinstance(change, types.TextDocumentEdit)
        changed[Path(change.text_document.uri).name] = (change.text_document.version, len(change.edits))
    assert changed["lead.md"] == (1, 2)  # open: versioned; Agent(reviewer) and @agent-reviewer
    assert changed["reviewer.md"] == (None, 1)
    assert {"CLAUDE.md", "release.md", "SKILL.md"} <= set(changed)

    with pytest.raises(Exception, match="cannot be an agent name"):
        await push.lsp.text_document_rename_async(
            types.RenameParams(types.TextDocumentIdentifier(lead), position, "bad name")
        )

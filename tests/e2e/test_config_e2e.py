"""The project configuration and inline suppressions through the real server over stdio: the server reads
`.agent-lsp.toml`, re-reads it when a watcher reports a change (or the client saves it) and re-publishes,
and offers a checked quick fix that writes the suppression comment."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.e2e

SERVER = [sys.executable, "-m", "agent_lsp"]
AGENT = "---\nname: reviewer\ndescription: Reviews code when asked\ncategory: tooling\nmodel: sonnet\n---\nBody.\n"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env={**os.environ}))
async def lsp(lsp_client: LanguageClient) -> AsyncIterator[None]:
    yield  # `client` below initializes it


@pytest.fixture
async def client(lsp: LanguageClient) -> AsyncIterator[LanguageClient]:
    yield lsp
    await asyncio.wait_for(lsp.shutdown_session(), 10)  # also after a failed assertion


async def _until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def _start(client: LanguageClient, root: Path) -> list[types.Registration]:
    registrations: list[types.Registration] = []
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: registrations.extend(params.registrations))
    client.feature(types.WORKSPACE_APPLY_EDIT)(lambda params: types.ApplyWorkspaceEditResult(applied=False))
    folder = types.WorkspaceFolder(uri=root.as_uri(), name="project")
    capabilities = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)
        )
    )
    await client.initialize_session(
        types.InitializeParams(capabilities=capabilities, workspace_folders=[folder], root_uri=folder.uri)
    )
    await _until(lambda: bool(registrations))
    return registrations


def _codes(client: LanguageClient, uri: str) -> list[Any]:
    return sorted(str(d.code) for d in client.diagnostics.get(uri, []))


async def test_the_server_reads_and_reloads_the_configuration(client: LanguageClient, tmp_path: Path) -> None:
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    path = agents / "reviewer.md"
    path.write_text(AGENT, encoding="utf-8")
    config = tmp_path / ".agent-lsp.toml"
    config.write_text('[agent]\nallowed-keys = ["category"]\n', encoding="utf-8")
    (registration,) = await _start(client, tmp_path)
    globs = [w["globPattern"] for w in registration.register_options["watchers"]]  # type: ignore[index]
    assert "**/.agent-lsp.toml" in globs and "**/pyproject.toml" in globs

    uri = path.as_uri()
    item = types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=AGENT)
    client.text_document_did_open(types.DidOpenTextDocumentParams(item))
    await _until(lambda: uri in client.diagnostics)
    assert _codes(client, uri) == []

    # The configuration changes on disk: the watcher says so and the open file is diagnosed again.
    config.write_text('[rules]\nunknown-key = "error"\n', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(config.as_uri(), types.FileChangeType.Changed)])
    )
    await _until(lambda: _codes(client, uri) == ["unknown-key"])
    (diagnostic,) = client.diagnostics[uri]
    assert diagnostic.severity == types.DiagnosticSeverity.Error

    # An editor that has the configuration open and saves it: the same.
    config.write_text('[rules]\nunknown-key = "hint"\n', encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(config.as_uri())))
    await _until(lambda: [d.severity for d in client.diagnostics[uri]] == [types.DiagnosticSeverity.Hint])

    # It goes: the rule's own severity again.
    config.unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(config.as_uri(), types.FileChangeType.Deleted)])
    )
    await _until(lambda: [d.severity for d in client.diagnostics[uri]] == [types.DiagnosticSeverity.Warning])


async def test_a_quick_fix_writes_the_suppression_and_it_holds(client: LanguageClient, tmp_path: Path) -> None:
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    path = agents / "reviewer.md"
    path.write_text(AGENT, encoding="utf-8")
    await _start(client, tmp_path)
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=AGENT))
    )
    await _until(lambda: _codes(client, uri) == ["unknown-key"])
    (diagnostic,) = client.diagnostics[uri]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    by_title = {a.title: a for a in actions or [] if isinstance(a, types.CodeAction)}
    fix = by_title["Ignore `unknown-key` on this line (agent-lsp only)"]
    assert fix.edit is not None and fix.edit.changes is not None
    (edit,) = fix.edit.changes[uri]
    assert edit.new_text == "# agent-lsp: ignore unknown-key\n" and edit.range.start == types.Position(3, 0)
    assert "Ignore `unknown-key` in this file (agent-lsp only)" in by_title
    assert not any(a.kind == types.CodeActionKind.SourceFixAll and "ignore" in str(a.edit) for a in by_title.values())

    fixed = AGENT.replace("category:", "# agent-lsp: ignore unknown-key\ncategory:")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    await _until(lambda: _codes(client, uri) == [])

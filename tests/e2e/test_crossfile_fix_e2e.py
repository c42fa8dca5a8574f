"""A cross-file finding with a close match offers a quick fix that replaces just the name."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

LEAD = "---\nname: lead\ndescription: Leads the team\ntools: Agent(reviewr), Read\n---\nDelegate reviews.\n"
REVIEWER = "---\nname: reviewer\ndescription: Reviews code\n---\nReview.\n"


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "agent_lsp"],
        server_env={**os.environ, "HOME": "/nonexistent-agent-lsp-home"},
    )
)
async def client(lsp_client: LanguageClient, tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("ws")
    agents = root / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "lead.md").write_text(LEAD, encoding="utf-8")
    (agents / "reviewer.md").write_text(REVIEWER, encoding="utf-8")
    lsp_client.root = root  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_unknown_agent_type_offers_the_close_agent(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    uri = (root / ".claude" / "agents" / "lead.md").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=LEAD))
    )
    # The document's own findings come first; the cross-file ones once the workspace index is built.
    while not any(d.code == "unknown-agent-type" for d in client.diagnostics.get(uri, [])):
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    (diagnostic,) = [d for d in client.diagnostics[uri] if d.code == "unknown-agent-type"]
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (3, 13)
    assert diagnostic.range.end.character == 13 + len("reviewr")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]),
        )
    )
    fixes = [a for a in actions or [] if isinstance(a, types.CodeAction) and a.title == "Change to `reviewer`"]
    assert len(fixes) == 1
    assert fixes[0].edit is not None and fixes[0].edit.changes is not None
    (edit,) = fixes[0].edit.changes[uri]
    assert edit.new_text == "reviewer" and edit.range == diagnostic.range

"""A bare agent name in `tools` through the real server: the diagnostic says what the entry is not, and
when the name is an agent of the project the quick fix writes `Agent(name)`."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.e2e

SERVER = [sys.executable, "-m", "agent_lsp"]
LEAD = "---\nname: lead\ndescription: Leads the work\ntools: Read, context-manager, chrome-mcp\n---\nLead.\n"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env={**os.environ}))
async def lsp(lsp_client: LanguageClient) -> AsyncIterator[None]:
    yield


@pytest.fixture
async def client(lsp: LanguageClient) -> AsyncIterator[LanguageClient]:
    yield lsp
    await asyncio.wait_for(lsp.shutdown_session(), 10)


async def test_a_bare_agent_name_in_tools_gets_the_agent_fix(client: LanguageClient, tmp_path: Path) -> None:
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "context-manager.md").write_text(
        "---\nname: context-manager\ndescription: Keeps context\n---\nKeep it.\n", encoding="utf-8"
    )
    lead = agents / "lead.md"
    lead.write_text(LEAD, encoding="utf-8")
    folder = types.WorkspaceFolder(uri=tmp_path.as_uri(), name="p")
    await client.initialize_session(
        types.InitializeParams(capabilities=types.ClientCapabilities(), workspace_folders=[folder], root_uri=folder.uri)
    )
    uri = lead.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=LEAD))
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while len(client.diagnostics.get(uri, [])) < 2 and loop.time() < deadline:
        await asyncio.sleep(0.05)
    by_name = {LEAD.splitlines()[d.range.start.line][d.range.start.character : d.range.end.character]: d
               for d in client.diagnostics[uri]}  # fmt: skip
    assert set(by_name) == {"context-manager", "chrome-mcp"}
    for name, diagnostic in by_name.items():
        assert diagnostic.code == "invalid-tool-rule"
        assert f"`{name}` is not a tool" in diagnostic.message and "parenthes" not in diagnostic.message

    async def titles(diagnostic: types.Diagnostic) -> dict[str, types.CodeAction]:
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]),
            )
        )
        return {a.title: a for a in actions or [] if isinstance(a, types.CodeAction)}

    grant = "Grant the agent: `Agent(context-manager)`"
    found = await titles(by_name["context-manager"])
    while grant not in found and loop.time() < deadline:  # the index is built in the background
        await asyncio.sleep(0.1)
        found = await titles(by_name["context-manager"])
    edit = found[grant].edit
    assert edit is not None and edit.changes is not None
    assert [e.new_text for e in edit.changes[uri]] == ["Agent(context-manager)"]
    assert not any(t.startswith("Grant the agent") for t in await titles(by_name["chrome-mcp"]))

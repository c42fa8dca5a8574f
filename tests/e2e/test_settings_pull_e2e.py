"""Settings come from initializationOptions and from workspace/configuration (the pull model)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

BROKEN = "---\nname: writer\ndescription: Writes\ncolor: gold\n---\nBody\n"


def _caps() -> types.ClientCapabilities:
    return types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(configuration=True))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "agent_lsp"]))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    # pytest-lsp's client answers workspace/configuration from what is set here.
    lsp_client.set_configuration({"agentGlobs": ["**/prompts/*.md"]}, section="agentLsp")
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=_caps(), initialization_options={"agentLsp": {"agentGlobs": []}})
    )
    yield
    await lsp_client.shutdown_session()


async def _wait(check: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_pulled_agent_globs_make_a_file_an_agent(client: LanguageClient, tmp_path: Path) -> None:
    # initializationOptions say no extra globs; the pulled section adds prompts/*.md and wins.
    uri = (tmp_path / "prompts" / "writer.md").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=BROKEN))
    )
    # Applying the pulled answer re-checks open documents, whichever comes first.
    await _wait(lambda: [d.code for d in client.diagnostics.get(uri, ())] == ["invalid-color"])

    # A pull-model client says only "changed"; the server asks again and applies the new answer.
    client.set_configuration({"agentGlobs": []}, section="agentLsp")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await _wait(lambda: list(client.diagnostics.get(uri, ())) == [])

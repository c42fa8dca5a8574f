"""Claude Code's JSON files through the real server over stdio: a plugin manifest opened as `json` and a settings
file opened as `jsonc` get diagnostics on the exact key or value, hover and completion; other JSON stays silent."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from tests.e2e.folder_client import at, diagnostics, initialize_in, open_file

pytestmark = pytest.mark.e2e

SERVER = [sys.executable, "-m", "agent_lsp"]
MANIFEST = '{\n  "name": "Deploy Tools",\n  "agents": "./agents",\n  "keywords": ["deploy"]\n}\n'
SETTINGS = (
    '{\n  "hooks": {\n    "Stop": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "x"}]}]\n  }\n}\n'
)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[LanguageClient]:
    await initialize_in(lsp_client, tmp_path)
    yield lsp_client
    await lsp_client.shutdown_session()


async def test_plugin_manifest_diagnostics_hover_and_completion(client: LanguageClient, tmp_path: Path) -> None:
    plugin = tmp_path / "deploy-tools"
    (plugin / "agents").mkdir(parents=True)
    uri = open_file(client, plugin / ".claude-plugin" / "plugin.json", MANIFEST, "json")
    assert await diagnostics(client, uri) == [
        ("invalid-plugin-name", at(1, 10, 24)),
        ("invalid-component-path", at(2, 12, 22)),
    ]
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(3, 5))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "Discovery tags" in hover.contents.value and hover.range == at(3, 2, 12)

    # Typing a new key: the text is not JSON until the key gets its value.
    typed = MANIFEST.replace('["deploy"]\n', '["deploy"],\n  "ver"\n')
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=typed)],
        )
    )
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(4, 6))
    )
    assert isinstance(result, types.CompletionList)
    version = next(i for i in result.items if i.label == "version")
    assert isinstance(version.text_edit, types.TextEdit) and version.text_edit.range == at(4, 2, 7)
    assert "name" not in {i.label for i in result.items}
    assert [code for code, _ in await diagnostics(client, uri)] == ["json-syntax"]


async def test_settings_opened_as_jsonc_and_other_json_stays_silent(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_file(client, tmp_path / ".claude" / "settings.json", SETTINGS, "jsonc")
    assert await diagnostics(client, uri) == [("matcher-ignored", at(2, 14, 23))]
    other = open_file(client, tmp_path / "package.json", '{"name": "Not A Plugin"}', "json")
    assert await diagnostics(client, other) == []
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(other), types.Position(0, 3))
    )
    assert hover is None

"""Cross-file findings over stdio for what a project's other files name: `outputStyle` in settings, a
plain server name in an agent's `mcpServers`, and an agent a plugin's manifest lists elsewhere."""

from __future__ import annotations

import asyncio
import json
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
AGENT = "---\nname: triage\ndescription: Triages.\nmcpServers:\n  - githb\n---\nBody\n"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[LanguageClient]:
    styles = tmp_path / ".claude" / "output-styles"
    styles.mkdir(parents=True)
    (styles / "terse.md").write_text("---\ndescription: Short.\n---\nBrief.\n")
    (tmp_path / ".mcp.json").write_text(json.dumps({"mcpServers": {"github": {"command": "gh"}}}))
    plugin = tmp_path / "acme"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "acme", "agents": ["./custom/rev.md"]}')
    await initialize_in(lsp_client, tmp_path)
    yield lsp_client
    await lsp_client.shutdown_session()


async def _until(client: LanguageClient, uri: str, code: str, present: bool = True) -> list[tuple[str, types.Range]]:
    """The pulled diagnostics once `code` is among them (`present`) or gone from them: the index is built,
    and a watched change followed, in the background."""
    found: list[tuple[str, types.Range]] = []
    for _ in range(100):
        found = await diagnostics(client, uri)
        if any(c == code for c, _ in found) == present:
            break
        await asyncio.sleep(0.1)
    return found


async def test_output_style_setting_and_mcp_server_name(client: LanguageClient, tmp_path: Path) -> None:
    settings = open_file(client, tmp_path / ".claude" / "settings.json", '{\n  "outputStyle": "trese"\n}\n', "jsonc")
    assert await _until(client, settings, "unknown-output-style") == [("unknown-output-style", at(1, 18, 23))]
    agent = open_file(client, tmp_path / ".claude" / "agents" / "triage.md", AGENT)
    found = await _until(client, agent, "unknown-mcp-server")
    assert ("unknown-mcp-server", at(4, 4, 9)) in found


async def test_an_agent_the_manifest_lists_is_served_as_an_agent(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "acme" / "custom" / "rev.md"
    uri = open_file(client, path, "---\nname: rev\ndescription: Reviews.\ncolour: red\n---\nBody\n")
    assert [c for c, _ in await diagnostics(client, uri)] == ["unknown-key"]


async def test_a_changed_manifest_places_the_plugins_agents_again(client: LanguageClient, tmp_path: Path) -> None:
    # The manifest's `agents` replaces the default `agents/` folder: `helper` there is not loaded, so the
    # lead's `Agent(helper)` names nothing; once the manifest lists it too, the watcher's report of the
    # manifest makes the index place the plugin's files again and the finding goes.
    plugin = tmp_path / "acme"
    (plugin / "agents").mkdir()
    (plugin / "agents" / "helper.md").write_text("---\nname: helper\ndescription: Helps.\n---\nBody\n")
    manifest = plugin / ".claude-plugin" / "plugin.json"
    manifest.write_text('{"name": "acme", "agents": ["./custom/rev.md", "./custom/lead.md"]}')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(manifest.as_uri(), types.FileChangeType.Changed)])
    )
    lead = open_file(
        client, plugin / "custom" / "lead.md", "---\nname: lead\ndescription: Leads.\ntools: Agent(helper)\n---\nB\n"
    )
    assert ("unknown-agent-type", at(3, 13, 19)) in await _until(client, lead, "unknown-agent-type")
    manifest.write_text('{"name": "acme", "agents": ["./custom/rev.md", "./custom/lead.md", "./agents/helper.md"]}')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(manifest.as_uri(), types.FileChangeType.Changed)])
    )
    assert await _until(client, lead, "unknown-agent-type", present=False) == []

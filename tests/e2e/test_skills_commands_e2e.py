"""Skills and commands through the real server over stdio: diagnostics, completion and hover; a README gets nothing."""

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
SKILL = "---\ndescription: Deploys to staging.\nargument-hint: [env]\ncontext: fork\nagent: Explore\n---\nDeploy $0.\n"
COMMAND = "---\nname: go\ndescription: Ship it.\nshell: zsh\n---\nShip the branch.\n"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[LanguageClient]:
    await initialize_in(lsp_client, tmp_path)
    yield lsp_client
    await lsp_client.shutdown_session()


async def test_skill_gets_diagnostics_completion_and_hover(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_file(client, tmp_path / ".claude" / "skills" / "deploy" / "SKILL.md", SKILL)
    assert await diagnostics(client, uri) == [("invalid-value", at(2, 15, 20))]
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(3, len("context: ")))
    )
    assert isinstance(result, types.CompletionList)
    assert [i.label for i in result.items] == ["fork"]
    on_key = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(4, 2))
    )
    assert on_key is not None and isinstance(on_key.contents, types.MarkupContent)
    assert "**`agent`**" in on_key.contents.value and on_key.range == at(4, 0, 5)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            at(2, 15, 20),
            types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.QuickFix]),
        )
    )
    assert actions and actions[0].title == "Quote it: `'[env]'`"


async def test_command_gets_diagnostics_completion_and_hover(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_file(client, tmp_path / ".claude" / "commands" / "ops" / "go.md", COMMAND)
    assert await diagnostics(client, uri) == [("ignored-field", at(1, 0, 4)), ("invalid-value", at(3, 7, 10))]
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(3, len("shell: ")))
    )
    assert isinstance(result, types.CompletionList)
    assert {i.label for i in result.items} == {"bash", "powershell"}
    on_name = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(1, 1))
    )
    assert on_name is not None and isinstance(on_name.contents, types.MarkupContent)
    assert "ignores `name`" in on_name.contents.value


async def test_readme_beside_a_skill_gets_nothing(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_file(client, tmp_path / ".claude" / "skills" / "deploy" / "README.md", "---\nshell: zsh\n---\n# Hi\n")
    assert await diagnostics(client, uri) == []
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(1, len("shell: ")))
    )
    assert result is None or not (result.items if isinstance(result, types.CompletionList) else result)
    assert (
        await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(1, 1))
        )
        is None
    )

"""Output styles, rules and memory files through the real server over stdio: diagnostics, completion,
hover, document links and go to definition on `@path` imports."""

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


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[LanguageClient]:
    (tmp_path / ".git").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "style.md").write_text("# Style\n\nUse snake_case.\n", encoding="utf-8")
    await initialize_in(lsp_client, tmp_path)
    yield lsp_client
    await lsp_client.shutdown_session()


async def test_memory_file_imports(client: LanguageClient, tmp_path: Path) -> None:
    text = "# Project\n\nFollow @docs/style.md and @docs/missing.md.\nNot `@docs/style.md`.\nRead @docs/st"
    uri = open_file(client, tmp_path / "CLAUDE.md", text)
    assert await diagnostics(client, uri) == [
        ("import-not-found", at(2, 27, 43)),
        ("import-in-code", at(3, 6, 19)),
        ("import-not-found", at(4, 6, 13)),  # still being typed
    ]
    links = await client.text_document_document_link_async(types.DocumentLinkParams(types.TextDocumentIdentifier(uri)))
    style = (tmp_path / "docs" / "style.md").as_uri()
    assert [(link.range, link.target) for link in links or []] == [(at(2, 8, 21), style)]
    found = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), types.Position(2, 12))
    )
    assert isinstance(found, list) and [loc.uri for loc in found] == [style]
    shown = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(2, 12))
    )
    assert shown is not None and isinstance(shown.contents, types.MarkupContent)
    assert "Use snake_case." in shown.contents.value and shown.range == at(2, 8, 21)
    completion = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(4, len("Read @docs/st")))
    )
    assert isinstance(completion, types.CompletionList)
    assert [i.label for i in completion.items] == ["docs/style.md"]


async def test_output_style_and_rule(client: LanguageClient, tmp_path: Path) -> None:
    style = "---\nname: Terse\nkeep-coding-instructions: maybe\nforce-for-plugin: true\n---\nBe brief.\n"
    uri = open_file(client, tmp_path / ".claude" / "output-styles" / "terse.md", style)
    assert await diagnostics(client, uri) == [("invalid-value", at(2, 26, 31)), ("plugin-only-field", at(3, 0, 16))]
    keys = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(2, 0))
    )
    assert isinstance(keys, types.CompletionList)
    assert "description" in [i.label for i in keys.items]
    shown = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(2, 3))
    )
    assert shown is not None and isinstance(shown.contents, types.MarkupContent)
    assert "software-engineering instructions" in shown.contents.value
    rule = "---\nglobs: docs/**\npaths:\n  - docs/**/*.md\n  - nowhere/*.py\n---\nKeep docs short.\n"
    uri = open_file(client, tmp_path / ".claude" / "rules" / "docs.md", rule)
    assert await diagnostics(client, uri) == [("foreign-key", at(1, 0, 5)), ("glob-matches-nothing", at(4, 4, 16))]

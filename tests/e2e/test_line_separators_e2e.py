"""The real server over stdio keeps the client's text when the body holds characters that
`str.splitlines` (but not LSP) takes for line breaks: an edit on the line after one lands
where the client made it, and the outline shows the edited heading on the client's line."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.e2e

SERVER = [sys.executable, "-m", "agent_lsp"]
# Line 4 holds a line separator and a form feed: one line to the client, three to `str.splitlines`.
TEXT = "---\nname: reviewer\ndescription: Reviews code\n---\nIntro\u2028pasted\x0ctext.\n# Title\n\nBody.\n"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


async def test_an_edit_after_a_line_separator_lands_on_the_clients_line(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / ".claude/agents/reviewer.md").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=TEXT))
    )
    # Rename the heading: `Title` is characters 2 to 7 of line 5, as the client counts lines.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(5, 2), types.Position(5, 7)), text="Checks"
                )
            ],
        )
    )
    outline = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri))
    )
    assert outline is not None
    # Without hierarchical symbol support declared, the outline comes flat: headings are its strings.
    headings = [
        (s.name, s.location.range.start.line)
        for s in outline
        if isinstance(s, types.SymbolInformation) and s.kind == types.SymbolKind.String
    ]
    assert headings == [("Checks", 5)]

"""The real server over stdio: diagnostics pushed or pulled, per agent file, never for other Markdown."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "agent_lsp"]
BROKEN = "---\nname: reviewer\ndescription: Reviews code\ntools: Read, Grpe, Glob\ncolor: gold\n---\nBody.\n"


def _uri(tmp: Path, rel: str) -> str:
    return (tmp / rel).as_uri()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def push_client(lsp_client: LanguageClient):
    # A client without pull-diagnostic support gets publishDiagnostics.
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def pull_client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("neovim"))  # it declares textDocument.diagnostic
    )
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="markdown", version=version, text=text)
        )
    )


async def test_push_diagnostics_follow_edits_and_clear_on_close(push_client: LanguageClient, tmp_path: Path) -> None:
    uri = _uri(tmp_path, ".claude/agents/reviewer.md")
    _open(push_client, uri, BROKEN)
    await push_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    found = {
        (d.code, d.range.start.line, d.range.start.character, d.range.end.character)
        for d in push_client.diagnostics[uri]
    }
    assert ("unknown-tool", 3, 13, 17) in found  # only `Grpe`
    assert ("invalid-color", 4, 7, 11) in found
    assert all(d.source == "agent-lsp" for d in push_client.diagnostics[uri])

    # Incremental edit: replace `Grpe` with `Grep` and `gold` with `blue`.
    push_client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(3, 13), types.Position(3, 17)), text="Grep"
                ),
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(4, 7), types.Position(4, 11)), text="blue"
                ),
            ],
        )
    )
    await push_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(push_client.diagnostics[uri]) == []

    push_client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await push_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(push_client.diagnostics[uri]) == []


async def test_utf16_columns_after_emoji(push_client: LanguageClient, tmp_path: Path) -> None:
    uri = _uri(tmp_path, ".claude/agents/emoji.md")
    # 😀 is one code point but two UTF-16 units; 日本 is two of each.
    _open(push_client, uri, "---\nname: emoji\ndescription: d\ncolor: 😀日本 bleu\n---\nx\n")
    await push_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    (diag,) = [d for d in push_client.diagnostics[uri] if d.code == "invalid-color"]
    assert (diag.range.start.character, diag.range.end.character) == (7, 7 + 2 + 2 + 5)


async def test_readme_beside_agents_gets_nothing(push_client: LanguageClient, tmp_path: Path) -> None:
    readme = _uri(tmp_path, "README.md")
    _open(push_client, readme, "---\nnot: an agent\n---\n# Project\n")
    await push_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(push_client.diagnostics[readme]) == []


async def test_pull_diagnostics_without_push(pull_client: LanguageClient, tmp_path: Path) -> None:
    uri = _uri(tmp_path, ".claude/agents/reviewer.md")
    _open(pull_client, uri, BROKEN)
    report = await pull_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri))
    )
    codes = sorted(d.code for d in report.items)
    assert codes == ["invalid-color", "unknown-tool"]
    # A pulling client must not also receive pushed diagnostics (they would show twice).
    assert uri not in pull_client.diagnostics


async def test_skipped_agent_is_an_error_at_the_real_position(push_client: LanguageClient, tmp_path: Path) -> None:
    uri = _uri(tmp_path, ".claude/agents/skipped.md")
    text = "---\nname: skipped\ndescription: Use it: now\n<example>\nsee\n</example>\n---\nBody\n"
    _open(push_client, uri, text)
    await push_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    (diag,) = push_client.diagnostics[uri]
    assert diag.code == "yaml-syntax"
    assert diag.severity == types.DiagnosticSeverity.Error
    assert diag.range.start.line in (3, 4)


@pytest.mark.parametrize("argv", [["--version"]])
def test_version_flag(argv: list[str]) -> None:
    import subprocess

    out = subprocess.run([*SERVER, *argv], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    assert out.stdout.startswith("agent-lsp ")

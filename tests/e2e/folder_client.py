"""What the e2e suites of one kind of file share: a VS Code-like client opened on one project folder,
opening a file there, pulling its diagnostics as (code, range) pairs."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities


async def initialize_in(client: LanguageClient, folder: Path) -> None:
    """Initialize `client` as VS Code would, with `folder` as its one workspace folder."""

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        return None

    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=folder.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="project")],
        )
    )


def open_file(client: LanguageClient, path: Path, text: str, language: str = "markdown") -> str:
    """Write `text` to `path` and open it in the client; its URI."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language, 1, text)))
    return uri


async def diagnostics(client: LanguageClient, uri: str) -> list[tuple[str, types.Range]]:
    """The document's pulled diagnostics, as (code, range)."""
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    return [(str(d.code), d.range) for d in report.items]


def at(line: int, start: int, end: int) -> types.Range:
    return types.Range(types.Position(line, start), types.Position(line, end))

"""Completion, hover, quick fixes, colours and outline through the real server over stdio.

Each test runs under VS Code's capabilities (UTF-16 positions, pulled diagnostics)
and Neovim's (which negotiates UTF-8 positions), so every range below is checked
in both units.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

pytestmark = pytest.mark.e2e

SERVER = [sys.executable, "-m", "agent_lsp"]
# `😀` is 1 code point, 2 UTF-16 units and 4 UTF-8 bytes: it shifts columns differently per encoding.
TEXT = (
    "---\n"
    "name: reviewer\n"
    "description: Reviews code 😀\n"
    "model: sonet\n"
    "tools: Read, Gr\n"
    "color: blue\n"
    "---\n"
    "# Role\n\nYou review code.\n"
)


def applied_edit(result: types.CompletionList, item: types.CompletionItem) -> types.TextEdit:
    """The edit a client makes when the item is accepted: its own, or the list's default range
    with its `textEditText` (or label), for clients that take `itemDefaults` (Neovim's here)."""
    if isinstance(item.text_edit, types.TextEdit):
        return item.text_edit
    assert item.text_edit is None and result.item_defaults is not None
    default = result.item_defaults.edit_range
    assert isinstance(default, types.Range)
    return types.TextEdit(range=default, new_text=item.text_edit_text or item.label)


class Client:
    def __init__(self, client: LanguageClient, workspace: Path, encoding: str) -> None:
        self.lsp = client
        self.workspace = workspace
        self.encoding = encoding

    def open(self, rel: str, text: str) -> str:
        path = self.workspace / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        self.lsp.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "markdown", 1, text))
        )
        return uri

    def column(self, line: str, code_points: int) -> int:
        """A code-point column of `line` in the negotiated unit."""
        prefix = line[:code_points]
        if self.encoding == "utf-8":
            return len(prefix.encode("utf-8"))
        if self.encoding == "utf-16":
            return len(prefix.encode("utf-16-le")) // 2
        return len(prefix)


@pytest_lsp.fixture(
    params=["visual-studio-code", "neovim"],
    config=ClientServerConfig(server_command=SERVER),
)
async def lsp(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[None]:
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        return None

    capabilities = client_capabilities(request.param)
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="project")],
        )
    )
    # pytest-lsp hands the test the client itself, so the negotiated unit travels with it.
    lsp_client.negotiated_encoding = str(result.capabilities.position_encoding or "utf-16")  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def client(lsp: LanguageClient, tmp_path: Path) -> Client:
    return Client(lsp, tmp_path, lsp.negotiated_encoding)  # type: ignore[attr-defined]


async def test_neovim_negotiates_utf8_and_vscode_utf16(client: Client, request: pytest.FixtureRequest) -> None:
    expected = "utf-8" if request.node.name.endswith("[neovim]") else "utf-16"
    assert client.encoding == expected


async def test_completion_replaces_the_word_after_an_emoji(client: Client) -> None:
    text = TEXT.replace("color: blue", "color: 😀 gr")
    uri = client.open(".claude/agents/reviewer.md", text)
    line = "color: 😀 gr"
    end = client.column(line, len(line))
    result = await client.lsp.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(5, end))
    )
    assert isinstance(result, types.CompletionList)
    green = next(i for i in result.items if i.label == "green")
    # The whole value (emoji included) is replaced, measured in the client's unit.
    assert applied_edit(result, green) == types.TextEdit(
        types.Range(types.Position(5, 7), types.Position(5, end)), "green"
    )
    assert {i.label for i in result.items} == {
        "red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan"
    }  # fmt: skip


async def test_docs_come_with_the_item_or_on_resolve_as_the_client_asks(
    client: Client, request: pytest.FixtureRequest
) -> None:
    """VS Code resolves `documentation` and `detail` lazily (resolveSupport), so its lists carry a
    reference instead; Neovim's default capabilities do not, so its items carry both."""
    uri = client.open(".claude/agents/reviewer.md", TEXT)
    result = await client.lsp.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(5, len("color: ")))
    )
    assert isinstance(result, types.CompletionList)
    green = next(i for i in result.items if i.label == "green")
    resolved = await client.lsp.completion_item_resolve_async(green)
    assert isinstance(resolved.documentation, types.MarkupContent)
    assert resolved.documentation.value.strip()
    assert resolved.detail == "Green."
    if request.node.name.endswith("[visual-studio-code]"):
        # VS Code resolves `detail` too: the list carries neither, only the reference.
        assert green.documentation is None and green.detail is None and green.data is not None
        assert isinstance(green.text_edit, types.TextEdit)  # no itemDefaults in these capabilities
    else:
        assert green.documentation == resolved.documentation and green.detail == resolved.detail
        assert green.text_edit is None and result.item_defaults is not None  # Neovim takes itemDefaults
    assert resolved.text_edit == green.text_edit and resolved.label == "green"


async def test_tool_completion_after_a_comma_and_mcp_servers(client: Client) -> None:
    (client.workspace / ".mcp.json").write_text('{"mcpServers": {"github": {"command": "gh"}}}', encoding="utf-8")
    uri = client.open(".claude/agents/reviewer.md", TEXT)
    result = await client.lsp.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(4, len("tools: Read, Gr")))
    )
    assert isinstance(result, types.CompletionList)
    labels = {i.label for i in result.items}
    assert {"Grep", "Glob", "mcp__github__"} <= labels
    assert "Read" not in labels  # already listed
    grep = next(i for i in result.items if i.label == "Grep")
    assert applied_edit(result, grep) == types.TextEdit(
        types.Range(types.Position(4, 13), types.Position(4, 15)), "Grep"
    )


async def test_nothing_is_completed_in_the_body(client: Client) -> None:
    uri = client.open(".claude/agents/reviewer.md", TEXT)
    result = await client.lsp.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(9, 3))
    )
    assert result is None or not (result.items if isinstance(result, types.CompletionList) else result)


async def test_hover_on_a_key_and_on_a_tool(client: Client) -> None:
    uri = client.open(".claude/agents/reviewer.md", TEXT)
    on_key = await client.lsp.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(3, 2))
    )
    assert on_key is not None and isinstance(on_key.contents, types.MarkupContent)
    assert on_key.contents.kind == types.MarkupKind.Markdown
    assert "`sonnet`" in on_key.contents.value and "Default: `inherit`" in on_key.contents.value
    on_tool = await client.lsp.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(4, 8))
    )
    assert on_tool is not None and isinstance(on_tool.contents, types.MarkupContent)
    assert on_tool.contents.value.startswith("**`Read`**")
    assert on_tool.range == types.Range(types.Position(4, 7), types.Position(4, 11))


async def test_quick_fix_for_an_unknown_model(client: Client) -> None:
    uri = client.open(".claude/agents/reviewer.md", TEXT)
    diagnostic = types.Diagnostic(
        range=types.Range(types.Position(3, 7), types.Position(3, 12)),
        message="unknown model",
        code="unknown-model",
        source="agent-lsp",
    )
    actions = await client.lsp.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            types.Range(types.Position(3, 8), types.Position(3, 8)),
            types.CodeActionContext(diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]),
        )
    )
    assert actions
    (fix,) = [a for a in actions if isinstance(a, types.CodeAction) and a.title == "Change to `sonnet`"]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.diagnostics and fix.diagnostics[0].code == "unknown-model"
    assert fix.edit is not None and fix.edit.changes is not None
    (edit,) = fix.edit.changes[uri]
    assert edit.new_text == "sonnet"
    assert edit.range == types.Range(types.Position(3, 7), types.Position(3, 12))


async def test_fix_all_is_one_edit(client: Client) -> None:
    text = TEXT.replace("Read, Gr", "Read, Grpe, MultiEdit")
    uri = client.open(".claude/agents/reviewer.md", text)
    actions = await client.lsp.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            types.Range(types.Position(0, 0), types.Position(0, 0)),
            types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    assert actions
    (fix_all,) = actions
    assert isinstance(fix_all, types.CodeAction) and fix_all.kind == types.CodeActionKind.SourceFixAll
    assert fix_all.edit is not None and fix_all.edit.changes is not None
    (edit,) = fix_all.edit.changes[uri]
    assert edit.range.start.line == 3 and edit.range.end.line == 4  # only the changed middle
    lines = text.split("\n")
    start = edit.range.start.character
    end = edit.range.end.character
    fixed = "\n".join([*lines[:3], lines[3][:start] + edit.new_text + lines[4][end:], *lines[5:]])
    assert "model: sonnet\ntools: Read, Grep, Edit\n" in fixed


async def test_document_color_and_presentations(client: Client) -> None:
    uri = client.open(".claude/agents/reviewer.md", TEXT)
    found = await client.lsp.text_document_document_color_async(
        types.DocumentColorParams(types.TextDocumentIdentifier(uri))
    )
    (swatch,) = found
    assert swatch.range == types.Range(types.Position(5, 7), types.Position(5, 11))
    assert swatch.color.blue > swatch.color.red
    offered = await client.lsp.text_document_color_presentation_async(
        types.ColorPresentationParams(types.TextDocumentIdentifier(uri), types.Color(0.9, 0.1, 0.1, 1.0), swatch.range)
    )
    assert offered[0].label == "red"
    assert len(offered) == 8


async def test_outline_and_folding(client: Client) -> None:
    uri = client.open(".claude/agents/reviewer.md", TEXT)
    outline = await client.lsp.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri))
    )
    assert outline is not None
    assert [s.name for s in outline] == ["name", "description", "model", "tools", "color", "Role"]
    folds = await client.lsp.text_document_folding_range_async(
        types.FoldingRangeParams(types.TextDocumentIdentifier(uri))
    )
    assert folds is not None
    assert any(f.start_line == 0 and f.end_line == 6 for f in folds)


async def test_other_markdown_gets_nothing(client: Client) -> None:
    uri = client.open("README.md", TEXT)
    hover = await client.lsp.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(3, 2))
    )
    assert hover is None
    colors = await client.lsp.text_document_document_color_async(
        types.DocumentColorParams(types.TextDocumentIdentifier(uri))
    )
    assert not colors

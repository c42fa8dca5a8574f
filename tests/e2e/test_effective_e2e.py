"""Over stdio: the effective-agent CodeLens, and the one quiet notice when the `claude` on PATH is newer."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from tests.e2e.folder_client import initialize_in

from agent_lsp.schema.resources import verified_claude_code

pytestmark = pytest.mark.e2e

SERVER = [sys.executable, "-m", "agent_lsp"]
AGENT = "---\nname: code-reviewer\ndescription: Reviews code\nmodel: sonnet\ntools: Read, Grep, Frob\n---\nReview.\n"


def fake_claude(version: str) -> str:
    """A folder holding a `claude` that prints `version` as the real one does; its PATH for the server."""
    folder = Path(tempfile.mkdtemp(prefix="agent-lsp-fake-claude-"))
    atexit.register(shutil.rmtree, folder, True)  # made when the module is collected, gone when pytest ends
    script = folder / "claude"
    script.write_text(f'#!/bin/sh\necho "{version} (Claude Code)"\n', encoding="utf-8")
    script.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"


VERIFIED = verified_claude_code() or "0.0.0"
major, minor, patch = (int(p) for p in VERIFIED.split("."))
NEWER = f"{major}.{minor}.{patch + 72}"
OLDER = f"{major}.{minor}.{max(0, patch - 1)}"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, server_env={**os.environ, "PATH": fake_claude(NEWER)})
)
async def newer(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[LanguageClient]:
    await initialize_in(lsp_client, tmp_path)
    yield lsp_client
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, server_env={**os.environ, "PATH": fake_claude(OLDER)})
)
async def older(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[LanguageClient]:
    await initialize_in(lsp_client, tmp_path)
    yield lsp_client
    await lsp_client.shutdown_session()


async def notices(client: LanguageClient, seconds: float = 5.0) -> list[types.LogMessageParams]:
    """The version notices logged so far, waiting up to `seconds` for the first."""
    for _ in range(int(seconds / 0.05)):
        found = [m for m in client.log_messages if "verified against Claude Code" in m.message]
        if found:
            return found
        await asyncio.sleep(0.05)
    return []


async def test_a_newer_claude_is_mentioned_once_in_the_log_and_never_shown(newer: LanguageClient) -> None:
    found = await notices(newer)
    assert len(found) == 1
    assert found[0].type == types.MessageType.Info
    assert NEWER in found[0].message and VERIFIED in found[0].message
    await asyncio.sleep(0.5)
    assert len([m for m in newer.log_messages if "verified against Claude Code" in m.message]) == 1
    assert not [m for m in newer.messages if "Claude Code" in m.message]


async def test_an_older_claude_says_nothing(older: LanguageClient) -> None:
    assert await notices(older, seconds=2.0) == []


async def test_the_lens_shows_the_effective_agent(older: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "agents" / "code-reviewer.md"
    path.parent.mkdir(parents=True)
    path.write_text(AGENT, encoding="utf-8")
    uri = path.as_uri()
    older.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "markdown", 1, AGENT)))
    lenses = await older.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    assert lenses is not None and len(lenses) == 1
    assert lenses[0].range.start == types.Position(0, 0)
    assert lenses[0].command is not None
    assert lenses[0].command.title == "loads as code-reviewer · claude-sonnet-5-5 · 2 tools · 1 ignored"
    readme = tmp_path / "README.md"
    readme.write_text(AGENT, encoding="utf-8")
    older.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(readme.as_uri(), "markdown", 1, AGENT))
    )
    none = await older.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(readme.as_uri()))
    )
    assert not none

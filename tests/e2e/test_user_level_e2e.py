"""A user-level skill and agent through the real server over stdio: not flagged, completed, hovered and
askable, because diagnostics, completion, hover and the architect's list ask the same workspace index.

The server's HOME is a temporary folder, so `~/.claude/` is the one this test writes.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.e2e

SERVER = [sys.executable, "-m", "agent_lsp"]
LEAD = (
    "---\n"
    "name: lead\n"
    "description: Leads the work.\n"
    "tools: Read, Agent(user-agent)\n"
    "skills: [user-skill, ghost-skill]\n"
    "---\n"
    "Lead.\n"
)


def _position(text: str, needle: str, into: int = 2) -> types.Position:
    offset = text.index(needle) + into
    return types.Position(text.count("\n", 0, offset), offset - (text.rfind("\n", 0, offset) + 1))


def _hover_text(found: types.Hover | None) -> str:
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    return found.contents.value


async def test_a_user_skill_and_agent_are_known_to_every_feature(tmp_path: Path) -> None:
    user = tmp_path / "home" / ".claude"
    (user / "skills" / "user-skill").mkdir(parents=True)
    (user / "skills" / "user-skill" / "SKILL.md").write_text("---\ndescription: The user's own skill.\n---\nDo.\n")
    (user / "agents").mkdir()
    (user / "agents" / "user-agent.md").write_text(
        "---\nname: user-agent\ndescription: The user's own agent.\n---\nHelp.\n"
    )
    project = tmp_path / "project"
    lead = project / ".claude" / "agents" / "lead.md"
    lead.parent.mkdir(parents=True)
    lead.write_text(LEAD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(HOME=str(tmp_path / "home"), USERPROFILE=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "c"))
    client = await ClientServerConfig(server_command=SERVER, server_env=env).start()
    assert isinstance(client, LanguageClient)
    try:
        folder = types.WorkspaceFolder(uri=project.as_uri(), name="project")
        await client.initialize_session(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(), workspace_folders=[folder], root_uri=folder.uri
            )
        )
        uri = lead.as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "markdown", 1, LEAD)))
        # Diagnostics: the user's skill is known, the ghost is not (so the cross-file checks did run).
        deadline = asyncio.get_running_loop().time() + 20
        while not any(d.code == "unknown-skill" for d in client.diagnostics.get(uri, [])):
            assert asyncio.get_running_loop().time() < deadline, client.diagnostics.get(uri)
            await asyncio.sleep(0.05)
        flagged = [(d.code, d.range.start.character) for d in client.diagnostics[uri]]
        assert flagged == [("unknown-skill", LEAD.splitlines()[4].index("ghost-skill"))]

        # Completion after `skills:` offers the user's skill, described.
        edited = LEAD.replace("skills: [user-skill, ghost-skill]", "skills:\n  - ")
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=2, uri=uri),
                [types.TextDocumentContentChangeWholeDocument(edited)],
            )
        )
        listed = await client.text_document_completion_async(
            types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(5, 4))
        )
        items: list[types.CompletionItem] = listed.items if isinstance(listed, types.CompletionList) else []
        skill = next(i for i in items if i.label == "user-skill")
        assert skill.detail == "The user's own skill."
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=3, uri=uri),
                [types.TextDocumentContentChangeWholeDocument(LEAD)],
            )
        )

        # Hover on the skill and on `Agent(user-agent)` shows their descriptions.
        on_skill = await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), _position(LEAD, "user-skill"))
        )
        assert "The user's own skill." in _hover_text(on_skill)
        on_agent = await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), _position(LEAD, "user-agent"))
        )
        assert "The user's own agent." in _hover_text(on_agent)

        # The architect offers the same agents: the project's and the user's.
        agents: Any = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="agentLsp.listAgents", arguments=[{}])
        )
        assert {"lead", "user-agent"} <= {a["name"] for a in agents}
    finally:
        await client.shutdown_session()
        await client.stop()

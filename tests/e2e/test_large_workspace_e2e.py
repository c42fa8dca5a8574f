"""A large workspace through the real server over stdio: no first answer waits for the index.

4,000 generated agents (8 packages of 500) and one file that repeats another's name. The index is
built off the event loop, so the opened file's own findings and a hover come back before indexing
ends (asserted by the order the client saw things in, not by timing), while a workspace-symbol
request sent before the hover waits for the whole index; the client is shown the
indexing progress; the duplicate-name finding follows once the index is ready; and a watched-file
delete and create among the 4,000 update it.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.e2e

SERVER = [sys.executable, "-m", "agent_lsp"]
PACKAGES, PER_PACKAGE = 8, 500


def _agent(name: str, color: str = "blue") -> str:
    return (
        f"---\nname: {name}\ndescription: Reviews changes in its package.\ntools: Read, Grep\n"
        f"color: {color}\n---\n\nReview the change.\n"
    )


def _workspace(root: Path) -> Path:
    for package in range(PACKAGES):
        agents = root / f"pkg{package}" / ".claude" / "agents"
        agents.mkdir(parents=True)
        for number in range(PER_PACKAGE):
            (agents / f"a{number}.md").write_text(_agent(f"p{package}-a{number}"), encoding="utf-8")
    return root


class _Seen:
    """What the client received, in order: each diagnostics list (its codes) and each progress value."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def ended(self) -> bool:
        return any(kind == "progress" and isinstance(v, types.WorkDoneProgressEnd) for kind, v in self.events)


class _Diagnostics(dict[str, list[types.Diagnostic]]):
    def __init__(self, seen: _Seen) -> None:
        super().__init__()
        self.seen = seen

    def __setitem__(self, uri: str, value: list[types.Diagnostic]) -> None:
        self.seen.events.append(("diagnostics", (uri, {str(d.code) for d in value})))
        super().__setitem__(uri, value)


class _Progress(dict[Any, list[Any]]):
    def __init__(self, seen: _Seen) -> None:
        super().__init__()
        self.seen = seen

    def setdefault(self, key: Any, default: Any = None) -> Any:
        reports = super().setdefault(key, _Reports(self.seen))
        return reports


class _Reports(list[Any]):
    def __init__(self, seen: _Seen) -> None:
        super().__init__()
        self.seen = seen

    def append(self, value: Any) -> None:
        self.seen.events.append(("progress", value))
        super().append(value)


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=SERVER, server_env={**os.environ, "HOME": os.devnull, "USERPROFILE": os.devnull}
    )
)
async def client(lsp_client: LanguageClient):
    yield


async def _until(check: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)


async def test_first_answers_come_before_the_index_and_cross_file_findings_after(
    client: LanguageClient, tmp_path: Path
) -> None:
    root = _workspace(tmp_path / "ws")
    agents = root / "pkg0" / ".claude" / "agents"
    (agents / "twin.md").write_text(_agent("p0-a1"), encoding="utf-8")
    seen = _Seen()
    client.diagnostics = _Diagnostics(seen)  # type: ignore[assignment]
    client.progress_reports = _Progress(seen)  # type: ignore[assignment]
    registered: list[types.Registration] = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def on_register(params: types.RegistrationParams) -> None:
        registered.extend(params.registrations)

    capabilities = types.ClientCapabilities(
        window=types.WindowClientCapabilities(work_done_progress=True),
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)
        ),
    )
    folder = types.WorkspaceFolder(uri=root.as_uri(), name="ws")
    await client.initialize_session(
        types.InitializeParams(capabilities=capabilities, workspace_folders=[folder], root_uri=folder.uri)
    )
    opened = agents / "a1.md"
    uri = opened.as_uri()
    text = _agent("p0-a1", color="bleu")  # a finding of the file's own: `invalid-color`
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text))
    )
    # Workspace symbols need the whole index: the request waits for it, without holding up the hover
    # sent after it (an answer from part of the workspace would miss the last package's agents).
    symbols = asyncio.ensure_future(client.workspace_symbol_async(types.WorkspaceSymbolParams(query="a499")))
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(4, 2))
    )
    hover_answered_before_the_end = not seen.ended()
    symbols_waiting_at_the_hover = not symbols.done()
    assert hover is not None and "color" in str(hover.contents).lower()

    await _until(lambda: "duplicate-agent-name" in {str(d.code) for d in client.diagnostics.get(uri, [])})
    await _until(seen.ended)
    mine = [codes for kind, v in seen.events if kind == "diagnostics" for u, codes in [v] if u == uri]
    # The first diagnostics: the file's own findings, sent before the index was built.
    assert "invalid-color" in mine[0] and "duplicate-agent-name" not in mine[0]
    first = next(i for i, (kind, v) in enumerate(seen.events) if kind == "diagnostics" and v[0] == uri)
    end = next(i for i, (kind, v) in enumerate(seen.events) if isinstance(v, types.WorkDoneProgressEnd))
    assert first < end
    assert hover_answered_before_the_end and symbols_waiting_at_the_hover
    # Answered from the whole index: the agent of that name in every package. (Checked by the answer, not
    # by a done-callback on the request's task: that callback can run after this line, so the test saw no
    # record of the answer at all in about one run in five.)
    found = await symbols
    assert found is not None
    assert {f"p{package}-a499" for package in range(PACKAGES)} <= {s.name for s in found}
    # Progress: a begin, reports counting the files, an end; the duplicate-name finding after the end.
    progress = [v for kind, v in seen.events if kind == "progress"]
    assert isinstance(progress[0], types.WorkDoneProgressBegin) and progress[0].title == "Indexing"
    reports = [p.message for p in progress if isinstance(p, types.WorkDoneProgressReport)]
    # (the bar appears after a round trip to the client: the reports before it are not sent, and under load
    # the scanning process may have read most of the files by then)
    assert reports[-1] == "4,001/4,001" and all(r.endswith("/4,001") for r in reports)
    counts = [int(r.split("/")[0].replace(",", "")) for r in reports]
    assert counts == sorted(counts) and all(c % 500 == 0 for c in counts[:-1])
    assert progress[-1].message == "Indexed 4,001 files"
    with_duplicate = next(
        i
        for i, (kind, v) in enumerate(seen.events)
        if kind == "diagnostics" and v[0] == uri and "duplicate-agent-name" in v[1]
    )
    assert with_duplicate > end
    assert {"invalid-color", "duplicate-agent-name"} <= mine[-1]

    # A watched-file delete among the 4,000 clears the finding; creating the file again brings it back.
    assert registered
    (agents / "twin.md").unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent((agents / "twin.md").as_uri(), types.FileChangeType.Deleted)]
        )
    )
    await _until(lambda: "duplicate-agent-name" not in {str(d.code) for d in client.diagnostics.get(uri, [])})
    (agents / "twin.md").write_text(_agent("p0-a1"), encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent((agents / "twin.md").as_uri(), types.FileChangeType.Created)]
        )
    )
    await _until(lambda: "duplicate-agent-name" in {str(d.code) for d in client.diagnostics.get(uri, [])})
    await client.shutdown_session()

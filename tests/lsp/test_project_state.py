"""The project state of a real server in process: a large workspace is read by the scanning process, and
when that process fails a worker thread builds the same index; requests that need the index await it."""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from agent_lsp.lsp import project_state
from agent_lsp.lsp.server import create_server
from agent_lsp.project import index as index_module
from agent_lsp.project import scanner

AGENTS = project_state.PROCESS_MIN_FILES + 20


class Client:
    """Hands messages to a real server's protocol (on the test's event loop) and keeps what it writes."""

    def __init__(self) -> None:
        self.server = create_server()
        self.sent: list[dict[str, Any]] = []
        self.server.protocol.set_writer(self)
        self._next_id = 0

    def write(self, data: bytes) -> None:
        self.sent.append(json.loads(data.split(b"\r\n\r\n", 1)[1]))

    def close(self) -> None:
        pass

    def send(self, message: dict[str, Any]) -> None:
        protocol = self.server.protocol
        protocol.handle_message(json.loads(json.dumps(message), object_hook=protocol.structure_message))

    def request(self, method: str, params: Any) -> int:
        self._next_id += 1
        self.send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        return self._next_id

    def reply(self, rid: int) -> dict[str, Any] | None:
        found = [m for m in self.sent if m.get("id") == rid and "method" not in m]
        return found[0] if found else None


def _workspace(root: Path) -> Path:
    agents = root / ".claude" / "agents"
    agents.mkdir(parents=True)
    for number in range(AGENTS):
        (agents / f"a{number}.md").write_text(f"---\nname: a{number}\ndescription: d\n---\n", encoding="utf-8")
    (agents / "twin.md").write_text("---\nname: a7\ndescription: d\n---\n", encoding="utf-8")
    return root


async def _until_ready(client: Client, seconds: float = 120.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not client.server.session.project.ready:
        assert loop.time() < deadline, "the index was not built in time"
        await asyncio.sleep(0.02)


async def _start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Client:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = _workspace(tmp_path / "ws")
    client = Client()
    folders = [{"uri": root.as_uri(), "name": "ws"}]
    client.request(
        "initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}, "workspaceFolders": folders}
    )
    client.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    return client


async def test_a_large_workspace_is_read_by_the_scanning_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[str]] = []
    command = scanner.command

    def recorded() -> list[str]:
        started.append(command())
        return started[-1]

    monkeypatch.setattr(scanner, "command", recorded)
    client = await _start(tmp_path, monkeypatch)
    symbols = client.request("workspace/symbol", {"query": "a519"})  # answered from the whole index
    await asyncio.sleep(0.05)
    if not client.server.session.project.ready:  # (a process start and 520 files: it usually is not yet)
        assert client.reply(symbols) is None
    await _until_ready(client)
    for _ in range(500):
        if client.reply(symbols) is not None:
            break
        await asyncio.sleep(0.01)
    assert started and started[0][:2] == [sys.executable, "-I"]
    index = client.server.session.project.index
    assert len(index) == AGENTS + 1
    reply = client.reply(symbols)
    assert reply is not None and [s["name"] for s in reply["result"]] == ["a519"]


async def test_when_the_scanning_process_fails_a_thread_builds_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scanner, "command", lambda: [sys.executable, "-c", "import sys; sys.exit(3)"])
    client = await _start(tmp_path, monkeypatch)
    await _until_ready(client)
    index = client.server.session.project.index
    assert len(index) == AGENTS + 1
    assert len(index.resolve(index.files()[0].kind, "a7", None)) == 2  # the duplicate is there


async def test_the_loop_adopts_a_frame_per_turn_and_freezes_it_out_of_the_collectors_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What keeps a keystroke during indexing as fast as after, counted rather than timed: the event loop
    # adopts at most one frame of entries per turn, other callbacks run between two frames, and each
    # frame's entries are frozen (`gc.freeze`) before the next, so the collector never walks them again.
    turns = 0

    async def ticker() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    adopted: list[tuple[int, int, int]] = []  # (entries, loop turns so far, frozen objects so far)
    adopt = index_module.WorkspaceIndex.adopt

    def counted(self: index_module.WorkspaceIndex, reads: Any) -> None:
        reads = list(reads)
        adopted.append((len(reads), turns, gc.get_freeze_count()))
        adopt(self, reads)

    monkeypatch.setattr(index_module.WorkspaceIndex, "adopt", counted)
    tick = asyncio.get_running_loop().create_task(ticker())
    try:
        client = await _start(tmp_path, monkeypatch)
        await _until_ready(client)
    finally:
        tick.cancel()
    frames = [n for n, _, _ in adopted]
    assert sum(frames) == AGENTS + 1 and max(frames) <= scanner.BATCH_FILES and len(frames) >= 10
    for (_, turns_before, frozen_before), (_, turns_after, frozen_after) in itertools.pairwise(adopted):
        assert turns_after > turns_before  # the loop ran something else between two frames
        assert frozen_after > frozen_before  # the frame before was frozen


def _record_starting_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads that ask for the scanning process's command line (that start it)."""
    threads: list[str] = []
    command = scanner.command

    def recorded() -> list[str]:
        threads.append(threading.current_thread().name)
        return command()

    monkeypatch.setattr(scanner, "command", recorded)
    return threads


async def test_the_scanning_process_is_started_by_the_worker_thread_not_on_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Started on the event loop, the process held it several milliseconds (asyncio's child watcher starts
    # and waits for a thread per process): the first keystroke after opening a file waited for that.
    threads = _record_starting_threads(monkeypatch)
    client = await _start(tmp_path, monkeypatch)
    await _until_ready(client)
    assert threads == ["agent-lsp-index"]
    assert len(client.server.session.project.index) == AGENTS + 1


async def test_no_entries_are_adopted_while_the_client_is_being_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The event loop adopts the scanning process's entries only once the client has been quiet for a
    # moment (`until_quiet`): a keystroke never waits behind a frame queued after it. Counted: the client
    # is "busy" for the scan's first checks, and no frame may be adopted before it is quiet.
    from agent_lsp.lsp.session import Session

    checks = 0
    busy_checks = 25
    adopted_while_busy: list[int] = []

    def until_quiet(self: Session) -> float:
        nonlocal checks
        checks += 1
        return 0.002 if checks <= busy_checks else 0.0

    adopt = index_module.WorkspaceIndex.adopt

    def counted(self: index_module.WorkspaceIndex, reads: Any) -> None:
        if checks <= busy_checks:
            adopted_while_busy.append(checks)
        adopt(self, reads)

    monkeypatch.setattr(index_module.WorkspaceIndex, "adopt", counted)
    client = await _start(tmp_path, monkeypatch)
    # Set after `initialize` (the warm-up keeps the session's own), before the loop runs again: only
    # the scan asks this one.
    monkeypatch.setattr(Session, "until_quiet", until_quiet)
    await _until_ready(client)
    assert checks > busy_checks  # the scan asked before adopting, and waited while told to
    assert adopted_while_busy == []
    assert len(client.server.session.project.index) == AGENTS + 1


async def test_where_the_worker_cannot_start_the_process_the_event_loop_starts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not POSIX (the loop cannot read a plain pipe there), or the start failed in the thread: asyncio
    # starts the process on the loop, and the index is still the scanning process's.
    threads = _record_starting_threads(monkeypatch)
    monkeypatch.setattr(project_state, "_spawn_scanner", lambda build: None)
    client = await _start(tmp_path, monkeypatch)
    await _until_ready(client)
    assert threads == [threading.current_thread().name]  # the event loop's
    index = client.server.session.project.index
    assert len(index) == AGENTS + 1
    assert len(index.resolve(index.files()[0].kind, "a7", None)) == 2

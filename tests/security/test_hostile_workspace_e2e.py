"""A committed hostile workspace against the real server over stdio (issue 15, findings 3, 4 and 11):
agents and `.mcp.json` linked to /dev/zero, /dev/stdin, a FIFO and a file outside; the requests an editor
sends on every cursor move (code actions), `tools:` completion, the agent list and an ask about a FIFO
are all answered at once, in little memory, with nothing of the outside file. The peak RSS and the answer
times are printed (`pytest -s`); the bounds asserted are generous, the numbers go in the issue's note."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.test_reliability_protocol import RawServer, start_server

pytestmark = pytest.mark.e2e

SECRET = "SECRET-Okapi-4471"
GOOD = "---\nname: good\ndescription: Fine.\ntools: mcp_\n---\nYou help.\n"


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"---\nname: leak\ndescription: {SECRET}\n---\n{SECRET}\n")
    root = tmp_path / "project"
    agents = root / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "good.md").write_text(GOOD)
    os.mkfifo(root / "pipe")
    os.symlink("/dev/zero", agents / "zero.md")
    os.symlink("/dev/stdin", agents / "stdin.md")
    os.symlink(root / "pipe", agents / "fifo.md")
    os.symlink(outside / "secret.md", agents / "leak.md")
    os.symlink("/dev/zero", root / ".mcp.json")
    return root


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RawServer]:
    raw = start_server(tmp_path)
    yield raw
    raw.close()


def test_a_hostile_workspace_is_answered_at_once_in_little_memory(server: RawServer, hostile: Path) -> None:
    server.initialize(hostile)
    uri = (hostile / ".claude" / "agents" / "good.md").as_uri()
    server.open(uri, GOOD)
    timings: dict[str, float] = {}

    def timed(name: str, method: str, params: object) -> dict[str, object]:
        start = time.perf_counter()
        reply = server.request(method, params, timeout=20)
        timings[name] = (time.perf_counter() - start) * 1000
        assert "result" in reply, reply
        return reply

    position = {"line": 3, "character": 11}
    rng = {"start": position, "end": position}
    for turn in range(20):  # a cursor moving: VS Code asks for code actions each time
        timed(
            f"codeAction{turn}",
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": rng, "context": {"diagnostics": []}},
        )
    completion = timed("completion", "textDocument/completion", {"textDocument": {"uri": uri}, "position": position})
    listed = timed("listAgents", "workspace/executeCommand", {"command": "agentLsp.listAgents", "arguments": [{}]})
    fifo = timed(
        "askFifo",
        "workspace/executeCommand",
        {
            "command": "agentLsp.askAgent",
            "arguments": [{"uri": (hostile / "pipe").as_uri(), "agent": "backend-architect"}],
        },
    )
    peak = _peak_rss_mb(server.proc.pid)
    slowest = max(timings.values())
    print(
        f"\nhostile workspace: peak RSS {peak:.1f} MB; slowest answer {slowest:.1f} ms; "
        f"codeAction p50 {sorted(v for k, v in timings.items() if k.startswith('codeAction'))[10]:.1f} ms; "
        f"completion {timings['completion']:.1f} ms; listAgents {timings['listAgents']:.1f} ms; "
        f"ask about a FIFO {timings['askFifo']:.1f} ms"
    )
    names = {agent["name"] for agent in listed["result"]}  # type: ignore[union-attr]
    assert "leak" not in names and "backend-architect" in names
    everything = b"".join(server.raw)
    assert SECRET.encode() not in everything
    assert "not a regular file" in str(fifo) or b"not a regular file" in everything
    assert completion
    assert peak < 300  # reading /dev/zero whole grew the server to 3.1 GB in 2 s
    assert server.alive()

"""Load: rapid edits on one document, many documents edited at once, and a bounded soak.

The server must stay responsive (hover latency is measured while edits pour in; the
p50/p99 are printed, run with `-s` to see them) and the last diagnostics published for
each document must be for its final version, matching what the engine says about the
final text. The long versions run with AGENT_LSP_SLOW=1.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from test_reliability_protocol import RawServer

from agent_lsp.features.analysis import AnalysisCache

pytestmark = pytest.mark.e2e
SLOW = os.environ.get("AGENT_LSP_SLOW") == "1"
slow = pytest.mark.skipif(not SLOW, reason="long run: set AGENT_LSP_SLOW=1")

BASE = "---\nname: NAME\ndescription: An agent under load\nmodel: sonnet\ntools: Read, Grep\n---\nYou help.\n"
# Not a speed target (benchmarks/run.py measures latency): a hover stuck behind the queue of edits takes
# seconds, which this catches, while a loaded CI machine (installs run beside the tests) stays under it.
P99_LIMIT_SECONDS = 2.5
# Every few versions the frontmatter carries a warning, so diagnostics really change.
VARIANTS = ["", "colour: blue\n", "tools: Read, Nope\n", "maxTurns: -1\n"]
# ... and with these the YAML breaks now and then (as it does while typing), which hides the agent's name.
BREAKING = [*VARIANTS, "model: [\n"]


def _text(step: int, name: str = "loaded", variants: list[str] = VARIANTS) -> str:
    extra = variants[step % len(variants)]
    return BASE.replace("NAME", name).replace("---\nYou", f"{extra}---\nYou") + f"Edit number {step}.\n"


def _expected(uri: str, version: int, text: str) -> list[tuple[str, int, int]]:
    findings = AnalysisCache().get(uri, version, text).findings
    return sorted((f.code, f.span.start, f.span.end) for f in findings)


def _published(message: dict[str, Any]) -> list[tuple[str, int, int]]:
    return sorted(
        (d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"])
        for d in message["params"]["diagnostics"]
    )


def _start(tmp_path: Path) -> tuple[RawServer, Path]:
    root = tmp_path / "project"
    (root / ".claude" / "agents").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["HOME"] = str(tmp_path / "home")
    server = RawServer(env=env)
    server.initialize(root)
    return server, root


class Load:
    """Sends edits and hovers without waiting, then reads every reply."""

    def __init__(self, server: RawServer) -> None:
        self.server = server
        self.sent: dict[int, float] = {}
        self.next_id = 10_000

    def change(self, uri: str, version: int, text: str) -> None:
        self.server.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )

    def hover(self, uri: str) -> None:
        self.next_id += 1
        self.sent[self.next_id] = time.monotonic()
        position = {"line": 3, "character": 2}
        self.server.send(
            {
                "id": self.next_id,
                "method": "textDocument/hover",
                "params": {"textDocument": {"uri": uri}, "position": position},
            }
        )

    def drain(self, finals: dict[str, int], timeout: float = 120.0) -> tuple[list[float], dict[str, dict[str, Any]]]:
        """Hover latencies, and the last publishDiagnostics of each document once all are final."""
        latencies: list[float] = []
        last: dict[str, dict[str, Any]] = {}
        pending = set(self.sent)
        deadline = time.monotonic() + timeout

        def done() -> bool:
            final = all(last.get(u, {}).get("params", {}).get("version") == v for u, v in finals.items())
            return final and not pending

        while not done():
            message = self.server.wait(lambda m: True, timeout=max(0.1, deadline - time.monotonic()))
            if message.get("method") == "textDocument/publishDiagnostics":
                uri = message["params"]["uri"]
                if uri in finals:
                    last[uri] = message
            elif message.get("id") in pending:
                assert "result" in message, message
                pending.discard(message["id"])
                latencies.append(message["_received"] - self.sent[message["id"]])
        return latencies, last


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _report(name: str, latencies: list[float], seconds: float) -> None:
    p50, p99 = statistics.median(latencies), _percentile(latencies, 0.99)
    print(f"\n{name}: {len(latencies)} hovers, p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, {seconds:.1f} s total")
    assert p99 < P99_LIMIT_SECONDS


def _rapid(tmp_path: Path, edits: int, variants: list[str] = BREAKING) -> None:
    server, root = _start(tmp_path)
    try:
        uri = (root / ".claude" / "agents" / "loaded.md").as_uri()
        server.open(uri, _text(0, variants=variants))
        load = Load(server)
        started = time.monotonic()
        for version in range(2, edits + 2):
            load.change(uri, version, _text(version, variants=variants))
            if version % 20 == 0:
                load.hover(uri)
        final = edits + 1
        latencies, last = load.drain({uri: final})
        _report(f"{edits} rapid edits", latencies, time.monotonic() - started)
        assert last[uri]["params"]["version"] == final
        expected = _expected(uri, final, _text(final, variants=variants))
        assert [c for c, _, _ in _published(last[uri])] == [c for c, _, _ in expected]
        # Nothing stale arrives after the final version.
        time.sleep(0.3)
        while not server.inbox.empty():
            message = server.inbox.get_nowait()
            if message and message.get("method") == "textDocument/publishDiagnostics":
                assert message["params"]["version"] == final
    finally:
        server.close()


def test_rapid_changes_on_one_document(tmp_path: Path) -> None:
    _rapid(tmp_path, 2_000)


def _many(tmp_path: Path, documents: int, rounds: int, variants: list[str] = VARIANTS) -> None:
    server, root = _start(tmp_path)
    try:
        uris = [(root / ".claude" / "agents" / f"agent-{i}.md").as_uri() for i in range(documents)]
        opened = time.monotonic()
        for i, uri in enumerate(uris):
            server.open(uri, _text(0, f"agent-{i}", variants))
        settle = Load(server)
        settle.hover(uris[0])
        settle.drain(dict.fromkeys(uris, 1))
        print(f"\nopening {documents} documents: {time.monotonic() - opened:.1f} s until all were diagnosed")
        load = Load(server)
        started = time.monotonic()
        versions = dict.fromkeys(uris, 1)
        texts = {}
        for round_no in range(rounds):
            for i, uri in enumerate(uris):
                versions[uri] += 1
                texts[uri] = _text(round_no * documents + i, f"agent-{i}", variants)
                load.change(uri, versions[uri], texts[uri])
                if i % 25 == 0:
                    load.hover(uris[(i * 7 + round_no) % documents])
        latencies, last = load.drain(versions)
        _report(f"{documents} documents x {rounds} edits", latencies, time.monotonic() - started)
        for uri in uris:
            assert last[uri]["params"]["version"] == versions[uri]
            expected = _expected(uri, versions[uri], texts[uri])
            assert [c for c, _, _ in _published(last[uri])] == [c for c, _, _ in expected], uri
    finally:
        server.close()


def test_many_documents_edited_at_once(tmp_path: Path) -> None:
    _many(tmp_path, 50, 5)


@slow
def test_two_hundred_documents_edited_at_once(tmp_path: Path) -> None:
    # lsp_workspace re-publishes only the open documents a changed name concerns, once per burst.
    _many(tmp_path, 200, 5)


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _soak(tmp_path: Path, edits: int, documents: int = 20, warm_up: int = 2_000) -> None:
    server, root = _start(tmp_path)
    try:
        uris = [(root / ".claude" / "agents" / f"soak-{i}.md").as_uri() for i in range(documents)]
        for uri in uris:
            server.open(uri, _text(0))
        load = Load(server)
        versions = dict.fromkeys(uris, 1)

        def burst(count: int) -> None:
            for n in range(count):
                uri = uris[n % documents]
                versions[uri] += 1
                load.change(uri, versions[uri], _text(versions[uri]))
                if n % 50 == 0:
                    load.hover(uri)
            load.drain(dict(versions))
            load.sent.clear()

        burst(warm_up)  # caches, schema, imports
        before = _rss_kb(server.proc.pid)
        burst(edits)
        after = _rss_kb(server.proc.pid)
        print(f"\nsoak: {edits} edits, RSS {before / 1024:.1f} MB -> {after / 1024:.1f} MB")
        assert after - before < 10 * 1024
    finally:
        server.close()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_bounded_soak_small(tmp_path: Path) -> None:
    _soak(tmp_path, 1_500, warm_up=500)


@slow
def test_soak_twenty_thousand_edits(tmp_path: Path) -> None:
    _soak(tmp_path, 20_000)


@slow
def test_rapid_changes_long(tmp_path: Path) -> None:
    _rapid(tmp_path, 20_000)


@slow
def test_many_documents_long(tmp_path: Path) -> None:
    _many(tmp_path, 200, 50)


@slow
def test_many_documents_whose_yaml_breaks_while_typing(tmp_path: Path) -> None:
    # Each edit that hides or restores an agent's name makes the workspace index re-diagnose every
    # other open document; with 200 open this is what a busy editor does.
    _many(tmp_path, 200, 5, BREAKING)

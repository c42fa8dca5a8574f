#!/usr/bin/env python3
"""agent-lsp's scaling scenario: `check` and the server on 500 to 10,000 generated agents.

    python benchmarks/scaling.py                       # 500, 2,000, 5,000, 10,000 agents
    python benchmarks/scaling.py --counts 2000 10000   # chosen sizes
    AGNIX=/path/to/agnix python benchmarks/scaling.py  # agnix side by side (else benchmarks/.venv's, if installed)

For each size it generates `pkgN/.claude/agents/aI.md` (20 packages, plus one file repeating a name:
benchmarks/scaling_corpus.py) under benchmarks/work/scaling/, then measures:
- `agent-lsp check` (and agnix when installed): wall time and peak RSS (the process and its workers,
  from the kernel's accounting of the waited-for child), best of `--repeats`;
- the server over stdio: the first hover and the first diagnostics after opening one file, the time
  until the duplicate-name finding arrives (the index is built), a keystroke (a change to its
  diagnostics) while the index is built and after, the server's RSS then, and a watched file's delete
  and create (from the notification to the diagnostics that follow it);
- the same first answers in a two-file workspace, the baseline the large one is held to.
It prints a table, and writes a plot (benchmarks/work/scaling.png) when matplotlib is installed.
No network is used; every process it starts is ended.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import scaling_corpus  # noqa: E402
from lsp_client import LspClient  # noqa: E402

WORK = HERE / "work" / "scaling"
HOME = WORK / "home"  # an empty home folder: no `~/.claude` of the machine's user
DEFAULT_COUNTS = (500, 2_000, 5_000, 10_000)


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT / "server"), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "HOME": str(HOME), "USERPROFILE": str(HOME), "PYTHONPATH": path}


def run_measured(argv: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB of the process and the children it waited for, exit status)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode


def best_of(argv: list[str], cwd: Path, repeats: int) -> dict[str, float]:
    runs = [run_measured(argv, cwd) for _ in range(repeats)]
    return {"seconds": min(r[0] for r in runs), "rss_mb": max(r[1] for r in runs), "exit": runs[-1][2]}


def agnix_path() -> str | None:
    chosen = os.environ.get("AGNIX") or str(HERE / ".venv" / "bin" / "agnix")
    return chosen if Path(chosen).exists() else None


# ---- the server ----------------------------------------------------------------------------------
def _publish_for(uri: str) -> Any:
    return lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri


def _codes(message: dict[str, Any]) -> set[str]:
    return {str(d.get("code")) for d in message["params"]["diagnostics"]}


def measure_server(root: Path, opened: Path, duplicate: Path | None) -> dict[str, float | None]:
    """First hover and diagnostics after opening `opened`; with `duplicate`: the index, RSS, watched files."""
    client = LspClient([sys.executable, "-m", "agent_lsp"], cwd=str(WORK), env=_env())
    try:
        caps = {
            "window": {"workDoneProgress": True},
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}},
        }
        folder = {"uri": root.as_uri(), "name": root.name}
        client.request(
            "initialize",
            {"processId": None, "rootUri": root.as_uri(), "capabilities": caps, "workspaceFolders": [folder]},
        )
        client.notify("initialized", {})
        uri = opened.as_uri()
        document = {"uri": uri, "languageId": "markdown", "version": 1, "text": opened.read_text(encoding="utf-8")}
        sent = client.notify("textDocument/didOpen", {"textDocument": document})
        hover_at = {"textDocument": {"uri": uri}, "position": {"line": 7, "character": 2}}  # on `model:`
        _, hover = client.request("textDocument/hover", hover_at)
        hover += 0.0
        first_at, _ = client.wait_for(_publish_for(uri))
        result: dict[str, float | None] = {"hover_ms": hover * 1000, "diagnostics_ms": (first_at - sent) * 1000}
        if duplicate is None:
            time.sleep(1.0)
            result["rss_mb"] = client.rss_kb() / 1024
            return result
        # A keystroke while the index is being built (at 500 agents it may already be built).
        text = document["text"]
        result["keystroke_during_ms"] = _keystroke(client, uri, 2, text.replace("model: sonnet", "model: opus"))
        opened_at = sent
        ready_at, message = first_at, {}
        while "duplicate-agent-name" not in _codes(message) if message else True:
            ready_at, message = client.wait_for(_publish_for(uri), timeout=300)
        result["index_ms"] = (ready_at - opened_at) * 1000
        result["keystroke_after_ms"] = _keystroke(client, uri, 3, text)
        time.sleep(1.0)  # let the build's garbage go before reading RSS
        result["rss_mb"] = client.rss_kb() / 1024
        text = duplicate.read_text(encoding="utf-8")
        duplicate.unlink()
        change = {"changes": [{"uri": duplicate.as_uri(), "type": 3}]}
        sent = client.notify("workspace/didChangeWatchedFiles", change)
        at, message = client.wait_for(_publish_for(uri), timeout=60)
        assert "duplicate-agent-name" not in _codes(message)
        result["delete_ms"] = (at - sent) * 1000
        duplicate.write_text(text, encoding="utf-8")
        change = {"changes": [{"uri": duplicate.as_uri(), "type": 1}]}
        sent = client.notify("workspace/didChangeWatchedFiles", change)
        at, message = client.wait_for(_publish_for(uri), timeout=60)
        assert "duplicate-agent-name" in _codes(message)
        result["create_ms"] = (at - sent) * 1000
        return result
    finally:
        client.close()


def _keystroke(client: LspClient, uri: str, version: int, text: str) -> float:
    """Milliseconds from a change of the whole text to the diagnostics of that version."""
    change = {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}
    sent = client.notify("textDocument/didChange", change)
    at, _ = client.wait_for(lambda m: _publish_for(uri)(m) and m["params"].get("version") == version, timeout=60)
    return (at - sent) * 1000


def two_file_workspace() -> tuple[Path, Path]:
    root = WORK / "two-files"
    agents = root / ".claude" / "agents"
    agents.mkdir(parents=True, exist_ok=True)
    for number in range(2):
        (agents / f"a{number}.md").write_text(scaling_corpus.agent_text(0, number, 2), encoding="utf-8")
    return root, agents / "a1.md"


# ---- the report ----------------------------------------------------------------------------------
def fmt(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def table(results: dict[int, dict[str, Any]], baseline: dict[str, float | None], agnix: bool) -> str:
    head = ["agents", "check s", "check MB", "s per 1k"]
    if agnix:
        head += ["agnix s", "check/agnix"]
    head += ["hover ms", "diags ms", "index ms", "key during", "key after", "RSS MB", "delete ms", "create ms"]
    rows = [head, ["---"] * len(head)]
    rows.append(
        ["2 (baseline)", "", "", ""]
        + (["", ""] if agnix else [])
        + [fmt(baseline["hover_ms"], 1), fmt(baseline["diagnostics_ms"], 1), "", "", "", fmt(baseline["rss_mb"], 1)]
        + ["", ""]
    )
    for count, r in results.items():
        check, server = r["check"], r["server"]
        row = [f"{count:,}", fmt(check["seconds"], 2), fmt(check["rss_mb"]), fmt(check["seconds"] / count * 1000, 3)]
        if agnix:
            theirs = r.get("agnix")
            row += [fmt(theirs["seconds"], 2) if theirs else "–"]
            row += [fmt(check["seconds"] / theirs["seconds"], 2) if theirs else "–"]
        row += [
            fmt(server["hover_ms"], 1),
            fmt(server["diagnostics_ms"], 1),
            fmt(server.get("index_ms")),
            fmt(server.get("keystroke_during_ms"), 1),
            fmt(server.get("keystroke_after_ms"), 1),
            fmt(server.get("rss_mb"), 1),
            fmt(server.get("delete_ms"), 1),
            fmt(server.get("create_ms"), 1),
        ]
        rows.append(row)
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def plot(results: dict[int, dict[str, Any]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    counts = list(results)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(counts, [results[c]["check"]["seconds"] for c in counts], marker="o", label="agent-lsp check")
    if all(results[c].get("agnix") for c in counts):
        left.plot(counts, [results[c]["agnix"]["seconds"] for c in counts], marker="o", label="agnix")
    left.set_xlabel("agents")
    left.set_ylabel("seconds")
    left.legend()
    right.plot(counts, [results[c]["server"]["diagnostics_ms"] for c in counts], marker="o", label="first diagnostics")
    right.plot(counts, [results[c]["server"]["index_ms"] for c in counts], marker="o", label="index built")
    right.set_xlabel("agents")
    right.set_ylabel("ms after opening a file")
    right.legend()
    figure.tight_layout()
    figure.savefig(path)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--counts", type=int, nargs="+", default=list(DEFAULT_COUNTS))
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    HOME.mkdir(parents=True, exist_ok=True)
    agnix = agnix_path()
    results: dict[int, dict[str, Any]] = {}
    for count in options.counts:
        tree = scaling_corpus.scaling_tree(WORK / f"agents-{count}", count)
        print(f"[{count:,} agents] check ...", flush=True)
        entry: dict[str, Any] = {
            "check": best_of([sys.executable, "-m", "agent_lsp", "check", str(tree)], WORK, options.repeats)
        }
        if agnix:
            entry["agnix"] = best_of([agnix, str(tree)], WORK, options.repeats)
        print(f"[{count:,} agents] server ...", flush=True)
        agents = tree / "pkg0" / ".claude" / "agents"
        entry["server"] = measure_server(tree, agents / "a1.md", agents / "duplicate.md")
        results[count] = entry
        print("   ", entry, flush=True)
    baseline_root, baseline_file = two_file_workspace()
    baseline = measure_server(baseline_root, baseline_file, None)
    print()
    print(table(results, baseline, agnix is not None))
    if not agnix:
        print("\n(agnix is not installed: `python benchmarks/run.py` installs it in benchmarks/.venv, or set AGNIX.)")
    image = HERE / "work" / "scaling.png"
    print(f"\nplot: {image}" if plot(results, image) else "\n(no plot: matplotlib is not installed)")
    shutil.rmtree(WORK / "two-files", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

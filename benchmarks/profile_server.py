"""Profile agent-lsp's server under the benchmark's load with py-spy (benchmarks/.venv).

    python benchmarks/profile_server.py DOC [REQUESTS]   # DOC: typical | big-body | long-frontmatter

Writes benchmarks/work/profile-DOC.txt: collapsed stacks, and prints the functions that hold most samples.
"""

from __future__ import annotations

import collections
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402


def main() -> None:
    doc = sys.argv[1] if len(sys.argv) > 1 else "typical"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    python = "/tmp/venv/bin/python" if Path("/tmp/venv/bin/python").exists() else sys.executable
    docs = run.write_documents()
    out = run.WORK / f"profile-{doc}.txt"
    spy = str(HERE / ".venv" / "bin" / "py-spy")
    server = run.Server("agent-lsp", [python, "-m", "agent_lsp"], "agent")
    spawn = server.spawn
    spies = []

    def spawn_and_attach():  # py-spy attaches after spawn: the profile leaves out the imports
        client = spawn()
        spies.append(
            subprocess.Popen(
                [spy, "record", "-r", "1000", "--format", "raw", "-o", str(out), "--pid", str(client.pid)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        time.sleep(1.0)
        return client

    server.spawn = spawn_and_attach
    try:
        result = run.measure_document(server, docs[doc]["md"], n, n)
    finally:
        for p in spies:
            p.wait(timeout=30)
    for m in ("completion", "hover", "codeAction", "diagnostics"):
        print(m, result.get(m))
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if "agent_lsp/" not in stack and "pygls/" not in stack:
            continue  # threads blocked on stdin
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        total += int(count)
        for frame in set(frames):
            own[frame] += int(count)
    print(f"{total} samples in the server's work; functions by inclusive samples:")
    for frame, count in own.most_common(45):
        print(f"{count:7d} {100 * count / total:5.1f}%  {frame[:150]}")


if __name__ == "__main__":
    main()

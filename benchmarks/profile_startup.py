"""Where a server's start-up goes: pyinstrument from the first import to the `initialize` answer.

    python benchmarks/profile_startup.py        # agent-lsp and the bare pygls server, side by side

pyinstrument (benchmarks/.venv, put on the path) runs `startup_target.py NAME` in a fresh
interpreter: it imports and builds the server as its entry point does, hands it an `initialize`
request as the stdio reader would, and exits once the answer is written, so the profile ends
where the benchmark's cold start ends (agent-lsp's warm-up, which runs after the answer, is left
out). benchmarks/run.py calls `profile_server` for its report; the full trees are written to
benchmarks/work/profile-startup-NAME.txt.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
SITE = HERE / ".venv" / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def _walk(node: dict[str, Any]) -> Any:
    yield node
    for child in node.get("children", ()):
        yield from _walk(child)


def _first(root: dict[str, Any], function: str, path_end: str) -> dict[str, Any] | None:
    for node in _walk(root):
        if node["function"] == function and node["file_path"].replace("\\", "/").endswith(path_end):
            return node
    return None


def summarize(tree: dict[str, Any]) -> dict[str, float]:
    """Seconds: the whole run, importing lsprotocol.types, and attrs compiling its generated methods there."""
    root = tree["root_frame"]
    types_module = _first(root, "<module>", "lsprotocol/types.py")
    compiled = 0.0
    if types_module is not None:
        compiled = sum(n["time"] for n in _walk(types_module) if n["function"] == "compile")
    lsprotocol = types_module["time"] if types_module else 0.0
    return {"total": root["time"], "lsprotocol_types": lsprotocol, "attrs_compile": compiled,
            "rest": root["time"] - lsprotocol}  # fmt: skip


def profile_server(python: str, name: str) -> dict[str, float] | None:
    """Profile one start of `name` (agent-lsp or bare-pygls); None without pyinstrument.

    The start is profiled once and saved as a pyinstrument session; the JSON the summary reads
    and the text tree kept beside it are both rendered from that one session."""
    if not SITE.is_dir():
        return None
    WORK.mkdir(exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(SITE))
    env.pop("ANTHROPIC_API_KEY", None)
    session = WORK / f"profile-startup-{name}.pyisession"
    tree_json = WORK / f"profile-startup-{name}.json"
    pyinstrument = [python, "-m", "pyinstrument"]
    runs = [
        [*pyinstrument, "-i", "0.0005", "-r", "pyisession", "-o", str(session),
         str(HERE / "startup_target.py"), name],
        [*pyinstrument, "--load", str(session), "-r", "json", "-o", str(tree_json)],
        [*pyinstrument, "--load", str(session), "-r", "text", "--show-all",
         "-o", str(WORK / f"profile-startup-{name}.txt")],
    ]  # fmt: skip
    for argv in runs:
        done = subprocess.run(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, timeout=120,
            check=False,
        )  # fmt: skip
        if done.returncode != 0:
            print(f"pyinstrument failed for {name}: {done.stderr.decode(errors='replace')[-400:]}", file=sys.stderr)
            return None
    return summarize(json.loads(tree_json.read_text(encoding="utf-8")))


def main() -> None:
    python = "/tmp/venv/bin/python" if Path("/tmp/venv/bin/python").exists() else sys.executable
    for name in ("agent-lsp", "bare-pygls"):
        found = profile_server(python, name)
        if found is None:
            print(name, "no profile (run benchmarks/run.py once to install pyinstrument in benchmarks/.venv)")
            continue
        print(name, ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in found.items()))


if __name__ == "__main__":
    main()

"""A workspace scan in a process of its own: the walk, reading and parsing, with only the entries sent back.

The server builds a large workspace's index here (`lsp.project_state`), so that the thousands of
files are parsed by another interpreter and the server's own keeps answering at full speed. The
child is started as `python -I -c COMMAND` (`command()`): isolated from the environment, with the
parent's module path, read from its stdin. It then reads one JSON line saying what to scan
(`request()`), and writes frames to its stdout: a 4-byte big-endian length, then a pickle of
`("total", n)` once the walk is done, `("entries", [ReadEntry | None, ...])` for every
`BATCH_FILES` files read, and `("done", None)` last. The parent adopts the entries into an index
of its own (`WorkspaceIndex.plan`/`adopt`/`finish_scan` split a scan into the steps each side does).
Only the parent's own child writes those frames: the pipe is theirs alone. The child runs at a lower
scheduling priority than the server (`lower_priority`), so that it takes only the time the server leaves.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import struct
import sys
from pathlib import Path
from typing import Any, BinaryIO

BATCH_FILES = 48  # files per frame: adopting one frame keeps the server's event loop busy about a millisecond
HEADER = struct.Struct(">I")
MAX_FRAME = 256 * 1024 * 1024  # a frame larger than this is not one the child wrote


def command() -> list[str]:
    """The child's command line: this interpreter, isolated (no workspace or environment path is read:
    `-I`), importing from the parent's module path, which is sent first on its stdin."""
    code = (
        "import sys, json; sys.path[:] = json.loads(sys.stdin.readline()); "
        "from agent_lsp.project import scanner; scanner.main()"
    )
    return [sys.executable, "-I", "-c", code]


def request(folders: list[str], user_dir: Path | None, walk: bool = True) -> bytes:
    """What the parent writes to the child's stdin: its module path, then what to scan."""
    scan = {"folders": folders, "user_dir": str(user_dir) if user_dir is not None else None, "walk": walk}
    return (json.dumps(sys.path) + "\n" + json.dumps(scan) + "\n").encode("utf-8")


def frame(message: tuple[str, Any]) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(body)) + body


def scan_to(out: BinaryIO, folders: list[str], user_dir: str | None, walk: bool = True) -> None:
    """Walk, read and parse, writing the frames (see the module's doc) to `out`."""
    from agent_lsp.project.index import WorkspaceIndex, read_entries

    index = WorkspaceIndex(folders, Path(user_dir) if user_dir else None, walk)
    todo = index.plan()
    out.write(frame(("total", len(todo))))
    out.flush()
    for start in range(0, len(todo), BATCH_FILES):
        out.write(frame(("entries", read_entries(todo[start : start + BATCH_FILES]))))
        out.flush()
    out.write(frame(("done", None)))
    out.flush()


NICENESS = 10  # how much lower the child's scheduling priority is than the server's


def lower_priority() -> None:
    """Let the server's process run first when both want a core: the scan is background work, and a
    keystroke answered during indexing should wait for nothing the scan does (on a busy machine the
    kernel otherwise shares the cores evenly, and the server's event loop lost turns of 10-100 ms)."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(NICENESS)


def main() -> None:
    """The child: the scan named on stdin (after the module path `command` read), frames on stdout."""
    lower_priority()
    scan = json.loads(sys.stdin.readline())
    out = os.fdopen(sys.stdout.fileno(), "wb", closefd=False)
    with contextlib.suppress(BrokenPipeError):  # the server went away (or dropped this scan): nothing to tell
        scan_to(out, list(scan["folders"]), scan.get("user_dir"), bool(scan.get("walk", True)))

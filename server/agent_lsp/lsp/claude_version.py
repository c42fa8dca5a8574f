"""Once per session, quietly: the user's `claude` is newer than the version our rules were verified against.

Claude Code ships almost daily, so a newer `claude` on PATH is the common case, and nothing in the editor
can act on it; the notice is therefore one `window/logMessage` (Info) in the server's output channel, not a
pop-up on every start. It names both versions and the command that re-verifies the rules
(`scripts/conformance.py --version X`).

Only absolute PATH entries are searched, and a `claude` inside a workspace folder is never run: a cloned
repository must not get a program of its own started by opening it. The binary gets 10 seconds, no stdin,
and the switches that keep Claude Code from reaching the network.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import subprocess
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from agent_lsp.lsp.server import AgentLanguageServer

log = logging.getLogger(__name__)
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")
_QUIET_ENV = {
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
}


def parse_version(text: str) -> tuple[int, int, int] | None:
    """The first `X.Y.Z` in `claude --version`'s output (`2.1.328 (Claude Code)`)."""
    found = _VERSION.search(text)
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def find_claude(path_env: str, workspace_roots: Iterable[str]) -> Path | None:
    """The `claude` the user's shell would run, from absolute PATH entries, never one inside a workspace folder."""
    roots = [Path(r).resolve() for r in workspace_roots]
    for entry in path_env.split(os.pathsep):
        if not entry or not os.path.isabs(entry):
            continue  # `.` or a relative entry would find a program the opened repository ships
        candidate = Path(entry) / "claude"
        if not (candidate.is_file() and os.access(candidate, os.X_OK)):
            continue
        real = candidate.resolve()
        if any(real == root or root in real.parents for root in roots):
            return None
        return candidate
    return None


def installed_version(binary: Path) -> str | None:
    try:
        done = subprocess.run(
            [str(binary), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **_QUIET_ENV},
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = parse_version(done.stdout)
    return ".".join(map(str, found)) if found and done.returncode == 0 else None


def notice(installed: str, verified: str) -> str | None:
    """The message when `installed` is newer than `verified`; None otherwise."""
    mine, ours = parse_version(installed), parse_version(verified)
    if mine is None or ours is None or mine <= ours:
        return None
    return (
        f"Claude Code {installed} is installed; agent-lsp's rules were verified against Claude Code {verified}. "
        "Most checks still hold, but a field or value added since then may be reported as unknown. "
        f"To re-verify: scripts/conformance.py --version {installed} (in the agent-lsp repository)."
    )


def check_once(ls: AgentLanguageServer) -> None:
    """Look for a newer `claude` on a worker thread; log the notice on the event loop if there is one."""
    from agent_lsp.schema.resources import verified_claude_code

    verified = verified_claude_code()
    if verified is None:
        return
    roots = list(ls.session.workspace_roots())
    try:
        loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        loop = None

    def work() -> None:
        binary = find_claude(os.environ.get("PATH", ""), roots)
        installed = installed_version(binary) if binary is not None else None
        message = notice(installed, verified) if installed else None
        if message is None:
            return
        log.info("%s", message)
        params = types.LogMessageParams(type=types.MessageType.Info, message=message)
        if loop is not None:
            loop.call_soon_threadsafe(ls.window_log_message, params)
        else:
            ls.window_log_message(params)

    if loop is None:
        work()
        return
    threading.Thread(target=work, name="agent-lsp-claude-version", daemon=True).start()

"""What the server knows about its own health: uptime, errors, the parent process it serves.

`Health` keeps counters and the last error (type and a short, redacted message; never
a document's text). `ParentWatch` ends the process when the editor that started it is
gone, so a crashed editor never leaves a server running for days.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent_lsp.logsetup import redact

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 300
DEFAULT_PARENT_POLL_SECONDS = 2.0


def parent_poll_seconds() -> float:
    """How often the parent process is checked (`AGENT_LSP_PARENT_POLL` overrides, for tests)."""
    try:
        value = float(os.environ.get("AGENT_LSP_PARENT_POLL", DEFAULT_PARENT_POLL_SECONDS))
    except ValueError:
        return DEFAULT_PARENT_POLL_SECONDS
    return value if value > 0 else DEFAULT_PARENT_POLL_SECONDS


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    where: str  # the method (or "transport") that failed
    kind: str  # the exception's type name
    message: str
    at: float  # time.time()

    def to_json(self) -> dict[str, Any]:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.at))
        return {"method": self.where, "type": self.kind, "message": self.message, "time": stamp}


class Health:
    """Counters and the last error of one server process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.started = clock()
        self.requests = 0
        self.notifications = 0
        self.errors = 0
        self.last_error: ErrorRecord | None = None

    @property
    def uptime(self) -> float:
        return self._clock() - self.started

    def record_error(self, where: str, error: BaseException) -> None:
        self.errors += 1
        message = redact(str(error).splitlines()[0] if str(error) else "")[:MAX_ERROR_CHARS]
        self.last_error = ErrorRecord(where, type(error).__name__, message, time.time())


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 on POSIX; OpenProcess on Windows)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows CI only
        import ctypes

        synchronize, wait_timeout = 0x00100000, 0x00000102
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(synchronize, False, pid)
        if not handle:
            return False
        try:
            return bool(kernel32.WaitForSingleObject(handle, 0) == wait_timeout)
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def _exit_now() -> None:
    logging.shutdown()  # flush the log file before leaving
    os._exit(0)


class ParentWatch:
    """Polls the client's process id from a daemon thread; calls `on_gone` once it disappears.

    The default `on_gone` ends the process at once: the main thread may be blocked reading
    stdin from a pipe that stays open (the editor's child processes can hold it).
    """

    def __init__(self, pid: int, interval: float = 2.0, on_gone: Callable[[], None] = _exit_now) -> None:
        self.pid = pid
        self.interval = interval
        self._on_gone = on_gone
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start watching; False (and no thread) when the pid does not exist now.

        A client in another pid namespace (a container) can send an id we cannot see;
        exiting at once would make the server unusable there.
        """
        if not process_alive(self.pid):
            log.warning("the client's process id %d is not visible here; not watching it", self.pid)
            return False
        self._thread = threading.Thread(target=self._run, name="agent-lsp-parent-watch", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if not process_alive(self.pid):
                log.warning("the client process %d is gone; exiting", self.pid)
                self._on_gone()
                return

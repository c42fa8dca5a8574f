"""A minimal, synchronous LSP client over stdio: raw JSON-RPC, no server internals.

One thread writes a message and then reads the server's output until the answer
arrives, so a latency is: write of the request -> the whole answer parsed. Server
notifications seen meanwhile are kept with their arrival time; server-to-client
requests (workspace/configuration, registerCapability, progress) are answered at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any


class LspError(RuntimeError):
    pass


class LspClient:
    def __init__(
        self,
        argv: list[str],
        cwd: str,
        env: dict[str, str] | None = None,
        configuration: Callable[[dict[str, Any]], Any] | None = None,
        stderr_path: str | None = None,
    ) -> None:
        self._stderr = open(stderr_path or os.devnull, "wb")  # noqa: SIM115 - closed in close()
        self.spawned_at = time.perf_counter()
        self.proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            start_new_session=True,  # its own process group: close() can end all its children
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in = self.proc.stdin.fileno()
        self._out = self.proc.stdout.fileno()
        self._buf = bytearray()
        self._next_id = 0
        self.notifications: list[tuple[float, dict[str, Any]]] = []
        self._configuration = configuration or (lambda item: None)

    @property
    def pid(self) -> int:
        return self.proc.pid

    # ---- wire ----------------------------------------------------------------
    def _write(self, message: dict[str, Any]) -> None:
        body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        data = b"Content-Length: %d\r\n\r\n" % len(body) + body
        view = memoryview(data)
        while view:
            written = os.write(self._in, view)
            view = view[written:]

    def _read(self, deadline: float) -> tuple[float, dict[str, Any]]:
        while True:
            end = self._buf.find(b"\r\n\r\n")
            if end >= 0:
                length = None
                for line in bytes(self._buf[:end]).split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length is None:
                    raise LspError(f"bad header: {bytes(self._buf[:end])!r}")
                total = end + 4 + length
                if len(self._buf) >= total:
                    body = bytes(self._buf[end + 4 : total])
                    del self._buf[:total]
                    return time.perf_counter(), json.loads(body)
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError("no message from the server in time")
            ready, _, _ = select.select([self._out], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._out, 1 << 20)
            if not chunk:
                raise LspError(f"the server closed its output (exit code {self.proc.poll()})")
            self._buf += chunk

    def _dispatch(self, at: float, message: dict[str, Any]) -> None:
        if "method" in message and "id" in message:  # a request from the server
            method = message["method"]
            result: Any = None
            if method == "workspace/configuration":
                result = [self._configuration(item) for item in message["params"]["items"]]
            self._write({"jsonrpc": "2.0", "id": message["id"], "result": result})
        elif "method" in message:
            self.notifications.append((at, message))

    # ---- API -------------------------------------------------------------------
    def notify(self, method: str, params: Any) -> float:
        sent = time.perf_counter()
        self._write({"jsonrpc": "2.0", "method": method, "params": params})
        return sent

    def request(self, method: str, params: Any, timeout: float = 30.0) -> tuple[Any, float]:
        """(result, seconds from the write to the whole answer read)."""
        self._next_id += 1
        rid = self._next_id
        sent = time.perf_counter()
        self._write({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = sent + timeout
        while True:
            at, message = self._read(deadline)
            if message.get("id") == rid and "method" not in message:
                if "error" in message:
                    raise LspError(f"{method}: {message['error']}")
                return message.get("result"), at - sent
            self._dispatch(at, message)

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 30.0
    ) -> tuple[float, dict[str, Any]]:
        """The first kept or incoming notification that matches (removed from the kept list)."""
        for i, (at, message) in enumerate(self.notifications):
            if predicate(message):
                del self.notifications[i]
                return at, message
        deadline = time.perf_counter() + timeout
        while True:
            at, message = self._read(deadline)
            if "method" in message and "id" not in message and predicate(message):
                return at, message
            self._dispatch(at, message)

    def drain(self, seconds: float) -> None:
        """Read whatever arrives for a while (late notifications), keeping it."""
        deadline = time.perf_counter() + seconds
        try:
            while True:
                at, message = self._read(deadline)
                self._dispatch(at, message)
        except TimeoutError:
            pass

    def rss_kb(self) -> int:
        with open(f"/proc/{self.pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise LspError("no VmRSS")

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None, timeout=5)
                self.notify("exit", None)
                self.proc.wait(timeout=5)
        except Exception:
            pass
        finally:
            if self.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)  # children it left behind
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    if stream:
                        stream.close()
                except OSError:
                    pass
            self._stderr.close()

    def __enter__(self) -> LspClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""pygls's protocol with the edges a long-lived server needs.

- Every request is logged once, when its response goes out, with method, duration and
  outcome; notifications likewise at debug level. Only the method name, id, timing and
  error code are logged: never params, results or messages (they carry file text and keys).
- A request whose params do not fit the method's type gets an InvalidParams error
  response (pygls only logs it, and the client would wait forever); a malformed
  notification is dropped.
- Before `initialize`, requests get ServerNotInitialized and notifications are dropped,
  as the LSP specification asks; a second `initialize` gets InvalidRequest (pygls would
  run it again and drop the open documents).
- No error response carries a Python traceback or an exception's own text: pygls puts
  the traceback in an internal error's `data`; it is logged here, and the client gets
  our own message.
- The API key in `agentLsp.setApiKey` is remembered by the log redactor before any
  handler sees it.
- pygls keeps the future of every generator-run notification forever (a leak of one
  future per keystroke); they are dropped once done.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Generator
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcServerNotInitialized
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from agent_lsp.logsetup import add_secret
from agent_lsp.lsp.health import Health

log = logging.getLogger("agent_lsp.requests")

SET_KEY_COMMAND = "agentLsp.setApiKey"
_BEFORE_INIT_ALLOWED = frozenset({types.INITIALIZE, types.EXIT})

# The method being handled, for errors reported from inside pygls's callbacks.
current_method: contextvars.ContextVar[str | None] = contextvars.ContextVar("agent_lsp_method", default=None)


class _Rejected:
    """A message that could not be read; `handle_message` skips it."""

    jsonrpc = "rejected"

    def __repr__(self) -> str:
        return "<rejected message>"


QUIET = 0.02  # seconds without a message from the client before the server's own work goes on (`until_quiet`)


class AgentProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: dict[Any, tuple[str, float]] = {}
        self.initialize_seen = False
        self._notification_keys: set[Any] = set()
        self.health: Health | None = None  # the session's, handed over by the server that owns it
        # An empty client until `initialize` says what it supports (pygls sets it then).
        self.client_capabilities = types.ClientCapabilities()
        self.last_message = 0.0  # when the client last sent something, bytes or a message (`time.perf_counter`)

    def bytes_arrived(self) -> None:
        """The transport read bytes of the client's (stdio: before they make a message)."""
        self.last_message = time.perf_counter()

    def until_quiet(self) -> float:
        """Seconds until the client has been quiet for `QUIET`: the server's own work on the event loop
        (the warm-up's steps, adopting index entries) waits for that. A message is often handled in
        several turns of the loop (pygls runs a handler as a task, a reply is written later); with a
        piece of that work queued between every two turns, the first keystroke after opening a file in
        a large workspace waited for three or four of them (20-30 ms). Now it waits at most for the
        one piece already running."""
        return max(0.0, self.last_message + QUIET - time.perf_counter())

    # ---- shutting down ----------------------------------------------------------------
    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        """pygls's `shutdown`, cancelling the requests still running over a copy of their table: pygls
        walks the table itself, and cancelling a request whose reply is on its way (an "Ask" still
        streaming when the editor closes) removes it from the table mid-walk, so `shutdown` failed with
        "dictionary changed size during iteration" and the client was told the server had crashed."""
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current_id = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current_id and not future.done():
                future.cancel()
        self._shutdown = True
        return None

    # ---- reading messages ----------------------------------------------------------
    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except Exception:
            if "jsonrpc" not in data:
                raise
            method = data.get("method")
            msg_id = data.get("id")
            if method is not None and isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool):
                self._pending[msg_id] = (str(method)[:100], time.perf_counter())  # logged with the reply
                reply = JsonRpcInvalidParams(f"The params of {str(method)[:100]} do not fit its type.")
                self._send_response(msg_id, error=reply.to_response_error())
            else:
                log.warning("dropped a malformed message", extra={"method": str(method)[:100]})
            return _Rejected()

    def handle_message(self, message: Any) -> None:
        self.last_message = time.perf_counter()
        if isinstance(message, _Rejected):
            return
        method = getattr(message, "method", None)
        if method == types.INITIALIZE:
            if self.initialize_seen:
                msg_id = getattr(message, "id", None)
                if msg_id is not None:
                    reply = types.ResponseError(
                        types.ErrorCodes.InvalidRequest, "The server is already initialized; initialize is sent once."
                    )
                    self._send_response(msg_id, error=reply)
                log.warning("a second initialize", extra={"method": method, "outcome": "refused"})
                return
            self.initialize_seen = True
        elif not self.initialize_seen and method is not None and method not in _BEFORE_INIT_ALLOWED:
            msg_id = getattr(message, "id", None)
            if msg_id is not None:  # a request: answer it; a notification: drop it
                self._send_response(msg_id, error=JsonRpcServerNotInitialized().to_response_error())
            log.info("before initialize", extra={"method": method, "outcome": "not-initialized"})
            return
        if method == types.WORKSPACE_EXECUTE_COMMAND:
            self._remember_key(getattr(message, "params", None))
        super().handle_message(message)

    @staticmethod
    def _remember_key(params: Any) -> None:
        if getattr(params, "command", None) != SET_KEY_COMMAND:
            return
        for argument in getattr(params, "arguments", None) or []:
            if isinstance(argument, dict):
                add_secret(argument.get("apiKey"))

    # ---- timing and outcomes -------------------------------------------------------
    def _handle_request(self, msg_id: Any, method_name: str, params: Any) -> None:
        current_method.set(method_name)
        self._pending[msg_id] = (method_name, time.perf_counter())
        health = self.health
        if health is not None:
            health.requests += 1
        super()._handle_request(msg_id, method_name, params)

    def _send_response(self, msg_id: Any, result: Any | None = None, error: types.ResponseError | None = None) -> None:
        if error is not None and (error.data is not None or error.code == types.ErrorCodes.InternalError):
            error = _without_internals(error, self._pending.get(msg_id))
        super()._send_response(msg_id, result, error)
        pending = self._pending.pop(msg_id, None)
        if pending is None:
            return
        method, start = pending
        extra: dict[str, Any] = {
            "method": method,
            "request_id": msg_id,
            "duration_ms": round((time.perf_counter() - start) * 1000, 2),
            "outcome": "ok" if error is None else "error",
        }
        if error is not None:
            extra["error_code"] = error.code
        log.log(logging.INFO if error is None else logging.WARNING, "request", extra=extra)

    def _forget_notification_futures(self, known: set[Any]) -> None:
        """pygls files the future of a generator-run notification (didOpen, didChange, didClose ...)
        under a fresh id in `_request_futures` and never removes it: one future per keystroke.
        Those are dropped once done (swept here, not from a done-callback: pygls's `shutdown`
        cancels futures while iterating over that dict)."""
        self._notification_keys.update(k for k in self._request_futures if k not in known)
        for key in list(self._notification_keys):
            future = self._request_futures.get(key)
            if future is None or future.done():
                self._request_futures.pop(key, None)
                self._notification_keys.discard(key)

    def _handle_notification(self, method_name: str, params: Any) -> None:
        current_method.set(method_name)
        health = self.health
        errors_before = health.errors if health is not None else 0
        start = time.perf_counter()
        known = set(self._request_futures)
        super()._handle_notification(method_name, params)
        self._forget_notification_futures(known)
        if health is not None:
            health.notifications += 1
        failed = health is not None and health.errors > errors_before
        log.log(
            logging.WARNING if failed else logging.DEBUG,
            "notification",
            extra={
                "method": method_name,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                "outcome": "error" if failed else "ok",
            },
        )


def _without_internals(error: types.ResponseError, pending: tuple[str, float] | None) -> types.ResponseError:
    """The error without what pygls adds for an unexpected exception: the traceback (`data`) and the
    exception's own text, which quotes paths and code. The log has both (pygls logs the exception)."""
    if error.code != types.ErrorCodes.InternalError:
        return types.ResponseError(error.code, error.message)
    method = pending[0] if pending is not None else "the request"
    return types.ResponseError(
        error.code, f"agent-lsp failed to handle {method}; the server log (--log-file) has the details."
    )

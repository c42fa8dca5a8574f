"""Logging for the server: JSON lines on stderr (and optionally a file), never secrets or file contents.

pygls logs whole messages (initialize params, configuration replies, applyEdit
payloads) at INFO and DEBUG; those can carry the API key or the user's text, so
its loggers are held at WARNING whatever level the user asks for.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from typing import Any

_SECRET = re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}")
_QUIET = ("pygls", "anthropic", "httpx", "httpx2", "httpcore", "httpcore2")  # httpcore2 logs headers at debug
# `scheme://user:password@host`: a base URL's password is masked like a key.
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]*@")
_known: set[str] = set()  # API keys seen at run time, whatever their shape
_known_lock = threading.Lock()
MIN_SECRET_CHARS = 8  # shorter values would mask ordinary words


def add_secret(value: object) -> None:
    """Remember a secret (an API key the client sent) so that no log line can show it."""
    if isinstance(value, str) and len(value.strip()) >= MIN_SECRET_CHARS:
        with _known_lock:
            _known.add(value.strip())


def redact(text: str) -> str:
    """Mask anything shaped like an Anthropic key, every key we were handed, and URL passwords."""
    text = _URL_PASSWORD.sub(r"\1***@", _SECRET.sub("[redacted]", text))
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, "[redacted]")
    return text


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key in ("method", "duration_ms", "outcome", "request_id", "error_type", "error_code"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class ScrubThirdParty(logging.Filter):
    """pygls logs params and tracebacks of messages it cannot read (at ERROR, past the level we hold
    it at); those can hold the user's text. Keep only its format string and the exception's type."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".")[0] in _QUIET:
            message = str(record.msg).splitlines()[0] if str(record.msg) else ""
            if record.args:
                message = message.replace("%r", "…").replace("%s", "…")
            if record.exc_info and record.exc_info[0] is not None:
                message += f" ({record.exc_info[0].__name__})"
            record.msg, record.args, record.exc_info, record.exc_text = message, None, None, None
        return True


def configure(level: str = "warning", log_file: str | None = None) -> None:
    add_secret(os.environ.get("ANTHROPIC_API_KEY"))
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    formatter = JsonLineFormatter()
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(ScrubThirdParty())
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(getattr(logging, level.upper(), logging.WARNING))
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))

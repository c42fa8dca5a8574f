"""Logging for the server: JSON lines on stderr (and optionally a file), never secrets or file contents.

pygls logs whole messages (initialize params, configuration replies, applyEdit
payloads) at INFO and DEBUG; those can carry the API key or the user's text, so
its loggers are held at WARNING whatever level the user asks for.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

_SECRET = re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}")
_QUIET = ("pygls", "anthropic", "httpx", "httpx2", "httpcore")


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": _SECRET.sub("[redacted]", record.getMessage()),
        }
        for key in ("method", "duration_ms", "outcome", "request_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = _SECRET.sub("[redacted]", self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "warning", log_file: str | None = None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    formatter = JsonLineFormatter()
    for handler in handlers:
        handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(getattr(logging, level.upper(), logging.WARNING))
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))

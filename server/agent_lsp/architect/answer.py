"""The answer document: a Markdown file with a header saying who answered what, and when."""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


@dataclass(frozen=True)
class AnswerHeader:
    agent: str
    model: str
    file: str
    time: datetime
    lines: str | None = None  # "12-30" when the ask was about a selection
    status: str = "complete"
    truncated: bool = False
    request_id: str | None = None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:40] or "file"


def answer_file_name(agent: str, file_path: str, when: datetime) -> str:
    """A name that sorts by time and never repeats, even for two runs in one second."""
    stamp = when.astimezone(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{_slug(agent)}-{_slug(Path(file_path).name)}-{uuid.uuid4().hex[:8]}.md"


def render_answer(header: AnswerHeader, text: str) -> str:
    when = header.time.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    target = f"`{header.file}`" + (f" (lines {header.lines})" if header.lines else "")
    rows = [
        f"# {header.agent} on {Path(header.file).name}",
        "",
        f"- Agent: {header.agent}",
        f"- Model: {header.model}",
        f"- File: {target}",
        f"- Time: {when}",
        f"- Status: {header.status}",
    ]
    if header.request_id:
        rows.append(f"- Request id: {header.request_id}")
    if header.truncated:
        rows.append("- Note: the input was cut to fit `agentLsp.maxInputBytes`; the agent saw only its start.")
    body = text if text.endswith("\n") else text + "\n"
    if header.status != "complete":
        body += f"\n---\n\n*The answer is incomplete: {header.status}.*\n"
    return "\n".join(rows) + "\n\n---\n\n" + body


def write_answer(folder: Path, name: str, content: str) -> Path:
    """Write the answer as a new file (never over an existing one), private to the user."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    # O_EXCL: a name collision must fail loudly rather than replace another answer.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    return path

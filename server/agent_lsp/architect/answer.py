"""The answer document: a Markdown file with a header saying who answered what, and when."""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from agent_lsp.syntax.text import LineIndex, count_units, position_encoding


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


def render_header(header: AnswerHeader, *, with_status: bool = True) -> str:
    """The header block, up to and including the rule that separates it from the answer.

    A streamed answer is shown before its status is known, so its header leaves the
    status out; the end of the stream says how it went (see `incomplete_note`).
    """
    when = header.time.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    target = f"`{header.file}`" + (f" (lines {header.lines})" if header.lines else "")
    rows = [
        f"# {header.agent} on {Path(header.file).name}",
        "",
        f"- Agent: {header.agent}",
        f"- Model: {header.model}",
        f"- File: {target}",
        f"- Time: {when}",
    ]
    if with_status:
        rows.append(f"- Status: {header.status}")
    if header.request_id:
        rows.append(f"- Request id: {header.request_id}")
    if header.truncated:
        rows.append("- Note: the input was cut to fit `agentLsp.maxInputBytes`; the agent saw only its start.")
    return "\n".join(rows) + "\n\n---\n\n"


def render_answer(header: AnswerHeader, text: str) -> str:
    """The whole document at once, for an answer written after its run ended."""
    body = text if text.endswith("\n") else text + "\n"
    if header.status != "complete":
        body += f"\n---\n\n*The answer is incomplete: {header.status}.*\n"
    return render_header(header) + body


def incomplete_note(reason: str, text_so_far: str) -> str:
    """What a streamed answer ends with when it stopped short; the partial text stays above it."""
    lead = "" if not text_so_far or text_so_far.endswith(("\n", "\r")) else "\n"
    return f"{lead}\n---\n\n_Answer incomplete: {reason}._\n"


class DocumentEnd:
    """The end position of a document that only grows at its end, in the client's units.

    Lines break on `\\n`, `\\r\\n` and `\\r` as LSP defines them, including a CRLF pair
    split across two appends; columns are counted in code units of the negotiated
    encoding (UTF-16 unless the client chose otherwise).
    """

    __slots__ = ("_encoding", "_pending_cr", "character", "line")

    def __init__(self, encoding: str = "utf-16") -> None:
        self._encoding = position_encoding(encoding)
        self.line = 0
        self.character = 0  # in client units; they add up, since a str never splits a character
        self._pending_cr = False  # the text so far ends with a "\r" that a "\n" may complete

    def append(self, text: str) -> None:
        if not text:
            return
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]  # completes a CRLF whose "\r" already started a new line
        self._pending_cr = text.endswith("\r")
        if not text:
            return
        lines = LineIndex(text).lines
        if len(lines) > 1:
            self.line += len(lines) - 1
            self.character = 0
        self.character += count_units(lines[-1], self._encoding)


def write_answer(folder: Path, name: str, content: str) -> Path:
    """Write the answer as a new file (never over an existing one), private to the user."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    # O_EXCL: a name collision must fail loudly rather than replace another answer.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:  # the text exactly as it arrived
        handle.write(content)
    return path

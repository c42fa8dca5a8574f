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
    cost: str | None = None  # "1,234 input and 567 output tokens over 3 API calls" (an agent run)
    conversation: str | None = None  # the id "Ask a follow-up" continues


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
    if header.cost:
        rows.append(f"- Cost: {header.cost}")
    if header.request_id:
        rows.append(f"- Request id: {header.request_id}")
    if header.conversation:
        rows.append(f'- Conversation: {header.conversation} ("Ask a follow-up" on this document continues it)')
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


@dataclass(frozen=True)
class RunReport:
    """What an agent run did, for the answer document (plain data, filled by the caller)."""

    final_text: str  # the agent's last reply: the answer proper ("" when the run did not finish)
    text: str  # everything the agent wrote during the run
    calls: tuple[str, ...] = ()  # one line per tool call that ran
    not_run: tuple[str, ...] = ()  # one line per call the editor refused to run
    diffs: tuple[str, ...] = ()  # a unified diff per proposed file
    refused_edits: tuple[str, ...] = ()  # "path: why" for each proposal not offered
    end_note: str | None = None  # why the run stopped short, when it did


def cost_line(input_tokens: int, output_tokens: int, api_calls: int) -> str:
    calls = f"{api_calls} API call{'s' if api_calls != 1 else ''}"
    return f"{input_tokens:,} input and {output_tokens:,} output tokens over {calls}"


def unified_diff(shown_path: str, before: str | None, after: str) -> str:
    """A file's proposed change as a unified diff (a new file diffs against nothing)."""
    import difflib

    old = (before or "").splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    lines = difflib.unified_diff(
        old, new, "/dev/null" if before is None else f"a/{shown_path}", f"b/{shown_path}", lineterm="\n"
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def render_run(header: AnswerHeader, report: RunReport) -> str:
    """The answer document of an agent run: the answer first, then the tool calls, the proposed edits as a diff,
    what was not run or not offered, and the agent's notes along the way."""
    parts = [render_header(header)]
    answer = report.final_text or report.text
    parts.append((answer.rstrip() or "_The agent wrote no text._") + "\n")
    if report.end_note:
        parts.append(f"\n_{report.end_note}_\n")
    if report.calls:
        parts.append("\n## Tool calls\n\n" + "".join(f"{i}. {c}\n" for i, c in enumerate(report.calls, 1)))
    if report.diffs:
        body = "".join(report.diffs)
        fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", body)), default=0) + 1)
        parts.append(f"\n## Proposed edits\n\n{fence}diff\n{body}{fence}\n")
    if report.not_run or report.refused_edits:
        rows = [f"- {line}\n" for line in report.not_run]
        rows += [f"- Edit not offered: {line}\n" for line in report.refused_edits]
        parts.append("\n## Not run\n\n" + "".join(rows))
    if report.final_text and report.text.strip() != report.final_text.strip():
        earlier = report.text[: len(report.text) - len(report.final_text)].rstrip()
        if earlier:
            parts.append("\n## The agent's notes along the way\n\n" + earlier + "\n")
    return "".join(parts)

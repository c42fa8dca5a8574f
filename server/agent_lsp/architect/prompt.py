"""Turning an agent and a file into the Messages API request.

The agent's Markdown body is the system prompt, as when Claude Code runs the agent.
The user message carries the file's path, its language and its text, or a selection
with the whole file as context. Text beyond the configured size is cut, and the cut is
said in the message itself, so neither the model nor the reader is misled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_lsp.architect.settings import ArchitectSettings, resolve_model


@dataclass(frozen=True)
class AgentSpec:
    """The parts of an agent file that a run needs."""

    name: str
    description: str
    model: str | None
    body: str
    path: str


@dataclass(frozen=True)
class Selection:
    """A half-open range of code-point offsets into the file text, with 1-based lines for people."""

    start: int
    end: int
    first_line: int
    last_line: int


@dataclass(frozen=True)
class AskInput:
    path: str
    language_id: str
    text: str
    selection: Selection | None = None


@dataclass(frozen=True)
class ApiRequest:
    model: str
    system: str
    user_message: str
    max_tokens: int
    truncated: bool
    input_bytes: int  # of the file text we were given, before any cut


def cut_to_bytes(text: str, limit: int) -> str:
    """The longest prefix of `text` whose UTF-8 form fits in `limit` bytes, ending on a line
    break when one is close, so the model sees whole lines."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    # errors="ignore" drops a character split by the byte limit instead of inventing one.
    prefix = data[:limit].decode("utf-8", errors="ignore")
    newline = prefix.rfind("\n")
    if newline >= len(prefix) // 2:
        prefix = prefix[: newline + 1]
    return prefix


def fence_for(text: str) -> str:
    """A backtick fence longer than any backtick run in `text`, so the file cannot close it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _block(text: str, language_id: str) -> str:
    fence = fence_for(text)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{fence}{language_id}\n{body}{fence}"


def _cut_note(what: str, kept: int, total: int) -> str:
    return (
        f"[agent-lsp: {what} was cut to its first {kept:,} of {total:,} bytes to fit the "
        "`agentLsp.maxInputBytes` setting; the rest was not sent.]"
    )


def build_request(agent: AgentSpec, ask: AskInput, settings: ArchitectSettings) -> ApiRequest:
    budget = settings.max_input_bytes
    total = len(ask.text.encode("utf-8"))
    parts = [f"File: {ask.path}", f"Language: {ask.language_id}", ""]
    truncated = False

    if ask.selection is not None:
        chosen = ask.text[ask.selection.start : ask.selection.end]
        chosen_bytes = len(chosen.encode("utf-8"))
        kept_selection = cut_to_bytes(chosen, budget)
        budget -= len(kept_selection.encode("utf-8"))
        lines = f"lines {ask.selection.first_line}-{ask.selection.last_line}"
        parts += [
            f"The question is about this selection ({lines}):",
            "",
            _block(kept_selection, ask.language_id),
        ]
        if kept_selection != chosen:
            truncated = True
            parts.append(_cut_note("the selection", len(kept_selection.encode("utf-8")), chosen_bytes))
        parts += ["", "The whole file, for context:", ""]
    else:
        parts += ["The file:", ""]

    kept_file = cut_to_bytes(ask.text, max(budget, 0))
    parts.append(_block(kept_file, ask.language_id))
    if kept_file != ask.text:
        truncated = True
        parts.append(_cut_note("the file", len(kept_file.encode("utf-8")), total))

    return ApiRequest(
        model=resolve_model(agent.model, settings),
        system=agent.body.strip(),
        user_message="\n".join(parts) + "\n",
        max_tokens=settings.max_tokens,
        truncated=truncated,
        input_bytes=total,
    )

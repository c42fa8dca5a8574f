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
    # What Claude Code gives the agent, resolved as the checker reports it (`checks.agent.effective_tools`).
    tools: tuple[str, ...] = ()
    max_turns: int | None = None  # the agent's `maxTurns`
    effort: object = None  # the agent's `effort` as written (`settings.resolve_effort` reads it)


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


# An agent run (tools on): the request is shaped as the pinned Claude Code shapes a subagent's, in our words. The
# system prompt is a short identity line, then the agent's body, cached between the run's calls; the first user
# message is the task (the file, as above), then the environment.
IDENTITY = (
    "You are an agent that agent-lsp runs from the user's code editor, on the workspace described below, "
    "with the tools you are given."
)


def agent_system(agent: AgentSpec) -> list[dict[str, object]]:
    blocks: list[dict[str, object]] = [{"type": "text", "text": IDENTITY}]
    if agent.body.strip():
        blocks.append({"type": "text", "text": agent.body.strip(), "cache_control": {"type": "ephemeral"}})
    return blocks


def environment_block(folders: list[str], model_alias: str, model: str, today: str) -> str:
    """Where the agent runs, as Claude Code tells a subagent: folder, git or not, platform, shell, OS, model, date."""
    import os
    import platform

    cwd = folders[0] if folders else os.getcwd()
    git = os.path.isdir(os.path.join(cwd, ".git")) or os.path.isfile(os.path.join(cwd, ".git"))
    extra = "".join(f"\nAlso a workspace folder: {f}" for f in folders[1:])
    shell = os.path.basename(os.environ.get("SHELL", "")) or ("powershell" if os.name == "nt" else "sh")
    return (
        "<env>\n"
        f"Working directory: {cwd}{extra}\n"
        f"Is a git repository: {'yes' if git else 'no'}\n"
        f"Platform: {platform.system().lower()}\n"
        f"Shell: {shell}\n"
        f"OS version: {platform.system()} {platform.release()}\n"
        "</env>\n"
        f"The model is {model_alias} (model id {model}).\n"
        f"Today's date: {today}\n"
    )


def agent_task(agent: AgentSpec, ask: AskInput, settings: ArchitectSettings) -> ApiRequest:
    """The first request's parts: the file as the task (cut to the budget, as for a single request)."""
    return build_request(agent, ask, settings)

"""The architect action over LSP: code actions, commands, progress, and the answer document.

Everything about agents, requests and failures lives in `agent_lsp.architect`; this
module only speaks the protocol. A run is one `agentLsp.askAgent` command: it reports
work-done progress (cancellable) and streams the answer into the editor: when the first
text arrives, the answer document is created with `workspace/applyEdit` (`CreateFile` and
the header) and opened with `window/showDocument`, then the text is appended at the
document's end in batches as it arrives (see `AnswerStream`). A cancel, through the
progress or `$/cancelRequest`, stops the stream; the text stays, with a note saying the
answer is incomplete. A client that cannot create files, or refuses an edit, gets the
whole answer written by us as a new file when the run ends, and opened then.
With tools on (the default), an ask is an agent run (`_run_agent`): progress names each tool call, the answer
document is written whole when the run ends, and the edits the agent proposed are offered as one
`workspace/applyEdit` that the user confirms (a change annotation with `needsConfirmation`, or a question first).
The server's own edits only ever target the answer document in the answers folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Mapping
from concurrent.futures import Future
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import from_fs_path, to_fs_path

from agent_lsp.lsp.protocol import SET_KEY_COMMAND

# At run time, not only for mypy: pygls reads a command handler's annotations when it runs it.
from agent_lsp.lsp.server import AgentLanguageServer
from agent_lsp.syntax.text import LineIndex, PositionMapper

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from agent_lsp.architect.answer import AnswerHeader
    from agent_lsp.architect.prompt import AgentSpec, AskInput, Selection
    from agent_lsp.architect.service import ArchitectService, AskResult, StreamStart
    from agent_lsp.architect.settings import ArchitectSettings
    from agent_lsp.architect.tools import Proposal
    from agent_lsp.lsp.session import Session
    from agent_lsp.project.index import WorkspaceIndex

# The architect package (prompt building, settings, the SDK client's wrapper) is imported by
# the first ask, code action or status request, not at start-up.

log = logging.getLogger(__name__)
_T = TypeVar("_T")

ASK_COMMAND = "agentLsp.askAgent"
LIST_COMMAND = "agentLsp.listAgents"
FOLLOW_UP_COMMAND = "agentLsp.askFollowUp"  # the client's: it asks for the question, then calls ASK_COMMAND
CODE_ACTION_KINDS = [types.CodeActionKind.Source, types.CodeActionKind.Refactor]
CONFIGURATION_SECONDS = 5  # an ask waits this long for the client's settings, then runs with the known ones
MAX_READ_BYTES = 20_000_000  # a file this big is not source code worth an ask
PROGRESS_EVERY = 0.2  # seconds between progress reports while text streams in
FLUSH_SECONDS = 0.15  # streamed text waits at most this long before it is sent to the editor...
FLUSH_CHARS = 2048  # ...or until this much has gathered, whichever comes first
PREVIEW_CHARS = 60  # the tail of the answer shown in the progress report
EDIT_LABEL = "Agent answer"

_LANGUAGES = {
    ".py": "python", ".md": "markdown", ".ts": "typescript", ".tsx": "typescriptreact", ".js": "javascript",
    ".jsx": "javascriptreact", ".json": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml",
    ".go": "go", ".rs": "rust", ".java": "java", ".kt": "kotlin", ".rb": "ruby", ".php": "php",
    ".c": "c", ".h": "c", ".cpp": "cpp", ".cs": "csharp", ".sql": "sql", ".sh": "shellscript",
}  # fmt: skip


class AskArgumentError(JsonRpcInvalidParams):
    """Wrong arguments to one of our commands; the message never repeats their values."""


class AnswerStream:
    """One answer document that grows in the editor as the text arrives.

    `feed` is called for every piece of text; a writer task creates the document (with
    the header) on the first piece, opens it, and then appends what gathered in one
    `workspace/applyEdit` every `FLUSH_SECONDS` or `FLUSH_CHARS`, whichever comes first.
    One edit is in flight at a time, so a fast stream cannot flood the client: text that
    arrives meanwhile waits for the next batch. `finish` sends the rest and the closing
    note, and says whether the client holds the whole answer; when it does not (it
    refused an edit), the caller writes the answer to a file instead.
    """

    def __init__(self, feature: ArchitectFeature, uri: str, folder: Path, header: str, encoding: str) -> None:
        from agent_lsp.architect.answer import DocumentEnd

        self._feature = feature
        self.uri = uri
        self._folder = folder
        self._header = header
        self._end = DocumentEnd(encoding)
        self._pending: list[str] = []
        self._pending_chars = 0
        self._first_pending_at = 0.0
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self.created = False  # the client created the document and took the header
        self.broken = False  # the client refused an edit after that: its document is not the answer
        self.edits = 0  # appends the client accepted

    @property
    def end(self) -> types.Position:
        """Where the next append goes, in the client's position encoding."""
        return types.Position(line=self._end.line, character=self._end.character)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._write())

    def abandon(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def feed(self, piece: str) -> None:
        if not piece:
            return
        if not self._pending:
            self._first_pending_at = time.monotonic()
        self._pending.append(piece)
        self._pending_chars += len(piece)
        self._wake.set()
        self.start()

    async def finish(self, note: str | None) -> bool:
        """Send what is left and `note`; True when the client's document holds the whole answer."""
        self._closing = True
        self._wake.set()
        self.start()
        assert self._task is not None
        await self._task
        if self.created and not self.broken and note:
            self.broken = not await self._append(note)
        return self.created and not self.broken

    async def _write(self) -> None:
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return  # the fallback tries again and says what went wrong
        self.created = await self._feature._create_with_edit(self.uri, self._header)
        if not self.created:
            return
        self._end.append(self._header)
        await self._feature._show_document(self.uri)
        while (batch := await self._next_batch()) is not None:
            if not await self._append(batch):
                self.broken = True
                return

    async def _next_batch(self) -> str | None:
        """The text gathered since the last edit, once it is due; None when all is sent."""
        while not self._pending:
            if self._closing:
                return None
            self._wake.clear()
            await self._wake.wait()
        while not self._closing and self._pending_chars < FLUSH_CHARS:
            remaining = self._first_pending_at + FLUSH_SECONDS - time.monotonic()
            if remaining <= 0:
                break
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), remaining)
        batch = "".join(self._pending)
        self._pending.clear()
        self._pending_chars = 0
        return batch

    async def _append(self, text: str) -> bool:
        at = self.end
        edit = types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=self.uri, version=None),
                    edits=[types.TextEdit(range=types.Range(start=at, end=at), new_text=text)],
                )
            ]
        )
        if not await self._feature._apply_edit(edit):
            log.info("the client refused to append to the answer document; writing the answer file instead")
            return False
        self._end.append(text)
        self.edits += 1
        return True


class ArchitectFeature:
    """The LSP side of the architect action, bound to one session (`session.architect`)."""

    def __init__(self, session: Session, service: ArchitectService | None = None) -> None:
        self._session = session
        self.server: LanguageServer = session.server
        self._service = service  # built on first use: its module is not needed to answer `initialize`
        self._api_key: str | None = None  # handed over by agentLsp.setApiKey; lives in memory only
        self._breaker_cooldown: float | None = None  # from the settings of the last run
        self._answers: dict[str, str] = {}  # answer document uri -> the conversation "Ask a follow-up" continues

    @property
    def service(self) -> ArchitectService:
        if self._service is None:
            from agent_lsp.architect.service import ArchitectService

            self._service = ArchitectService()
        return self._service

    # ---- status ----------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        """A snapshot for status displays (e.g. an `agentLsp.status` command); JSON-ready, no secrets.

        `breaker` is "closed", "open" or "half_open"; `breakerRetryInSeconds` is the time
        until an open breaker lets a trial through (None when closed).
        """
        from agent_lsp.architect.settings import load_settings

        settings = load_settings(self._session.settings.raw)
        cooldown = self._breaker_cooldown if self._breaker_cooldown is not None else settings.breaker_cooldown_seconds
        breaker = self.service.breaker
        last = self.service.last_failure
        return {
            "breaker": breaker.state(cooldown).value,
            "consecutiveFailures": breaker.consecutive_failures,
            "breakerRetryInSeconds": breaker.retry_in(cooldown),
            "running": len(self.service.runs.active()),
            "lastFailure": last.kind.value if last is not None else None,
            "apiKeySource": "client" if self._api_key else settings.api_key_source,
        }

    # ---- settings --------------------------------------------------------------------
    def set_api_key(self, key: str | None) -> None:
        self._api_key = key or None

    async def _settings_dict(self, uri: str | None) -> dict[str, Any]:
        """The settings for a run on `uri`: the session's, then what the client says for that file now."""
        merged = dict(self._session.settings.raw)
        merged.update(await self._session.pull_configuration(uri, timeout=CONFIGURATION_SECONDS) or {})
        if self._api_key:
            merged["apiKey"] = self._api_key
        return merged

    # ---- agents ----------------------------------------------------------------------
    def workspace_roots(self) -> list[Path]:
        return [Path(root) for root in self._session.workspace_roots()]

    def _project_agents(self, index: WorkspaceIndex | None = None) -> list[AgentSpec]:
        """The valid project and user agents, from the one project model (the workspace index; `index`:
        the one to ask, else the built one)."""
        from agent_lsp.architect.agents import discover_agents

        return discover_agents(index if index is not None else self._session.project.index)

    def agents(self) -> list[AgentSpec]:
        """The shipped agent first, then the valid workspace and user agents."""
        from agent_lsp.architect.agents import shipped_agent

        found: list[AgentSpec] = []
        if (shipped := shipped_agent()) is not None:
            found.append(shipped)
        found.extend(self._project_agents())
        return found

    def find_agent(self, name: str | None) -> AgentSpec | None:
        """No name means the shipped agent; a name is looked up like Claude Code does, project first."""
        from agent_lsp.architect.agents import SHIPPED_AGENT, shipped_agent

        if not name:
            return shipped_agent()
        for agent in self._project_agents():
            if agent.name == name:
                return agent
        return shipped_agent() if name == SHIPPED_AGENT else None

    # ---- code actions ----------------------------------------------------------------
    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        if uri not in self.server.workspace.text_documents:
            return []
        has_selection = params.range.start != params.range.end
        kind = types.CodeActionKind.Refactor if has_selection else types.CodeActionKind.Source
        only = params.context.only
        wanted = [k.value if isinstance(k, types.CodeActionKind) else k for k in only or []]
        if wanted and not any(kind.value == k or kind.value.startswith(k + ".") for k in wanted):
            return []
        argument: dict[str, Any] = {"uri": uri}
        if has_selection:
            argument["range"] = self.server.protocol._converter.unstructure(params.range)
        about = " about the selection" if has_selection else ""
        actions = []
        if (conversation := self._answers.get(uri)) is not None:
            # The client asks for the question (an input box) and sends `agentLsp.askAgent` with the conversation.
            follow_up = {"uri": uri, "conversation": conversation}
            actions.append(
                types.CodeAction(
                    title="Ask a follow-up",
                    kind=types.CodeActionKind.Source,
                    command=types.Command(title="Ask a follow-up", command=FOLLOW_UP_COMMAND, arguments=[follow_up]),
                )
            )
        actions.append(self._action(f"Ask backend architect{about}", kind, argument))
        # While a large workspace is indexed this lists the agents known so far (the open documents'): a
        # code action must not wait for the workspace, and asking waits for the index (`ask`).
        for agent in self._project_agents(self._session.project.known):
            actions.append(self._action(f"Ask {agent.name}{about}", kind, {**argument, "agent": agent.name}))
        return actions

    @staticmethod
    def _action(title: str, kind: types.CodeActionKind, argument: dict[str, Any]) -> types.CodeAction:
        return types.CodeAction(
            title=title, kind=kind, command=types.Command(title=title, command=ASK_COMMAND, arguments=[argument])
        )

    # ---- the ask ---------------------------------------------------------------------
    async def ask(self, argument: Mapping[str, Any]) -> dict[str, Any]:
        from agent_lsp.architect.agents import SHIPPED_AGENT
        from agent_lsp.architect.settings import load_settings

        uri = argument.get("uri")
        if not isinstance(uri, str) or not uri:
            raise AskArgumentError("agentLsp.askAgent needs an argument {uri, range?, agent?, text?}")
        agent_name = argument.get("agent")
        if agent_name is not None and not isinstance(agent_name, str):
            raise AskArgumentError("agentLsp.askAgent: `agent` must be an agent name")
        text = argument.get("text")
        if text is not None and not isinstance(text, str):
            raise AskArgumentError("agentLsp.askAgent: `text` must be a string")

        conversation_id = argument.get("conversation")
        if conversation_id is not None:
            return await self._follow_up(conversation_id, argument.get("question"), uri)
        await self._session.project.built()  # an agent is looked up among all of them, not those known so far
        agent = self.find_agent(agent_name)
        if agent is None:
            return self._refused(f"No valid agent named '{agent_name or SHIPPED_AGENT}' was found.")
        ask = self._ask_input(uri, text, argument.get("range"))
        if isinstance(ask, str):
            return self._refused(ask)
        settings = load_settings(await self._settings_dict(uri))

        if settings.tools_enabled:
            task = asyncio.ensure_future(self._run_agent(agent, ask, settings, uri))
        else:
            task = asyncio.ensure_future(self._run(agent, ask, settings, uri))
        self._cancel_on_cancel_request(task)
        return await task

    async def _follow_up(self, conversation_id: Any, question: Any, uri: str) -> dict[str, Any]:
        from agent_lsp.architect.settings import load_settings

        if not isinstance(conversation_id, str) or not isinstance(question, str) or not question.strip():
            raise AskArgumentError("agentLsp.askAgent: a follow-up needs {uri, conversation, question}")
        conversation = self.service.conversation(conversation_id)
        if conversation is None:
            return self._refused("That conversation is no longer held by the server (it restarted, or many "
                                 "newer ones replaced it); ask the agent again.")  # fmt: skip
        settings = load_settings(await self._settings_dict(uri))
        task = asyncio.ensure_future(
            self._run_agent(conversation.agent, None, settings, uri, follow_up=(conversation_id, question.strip()))
        )
        self._cancel_on_cancel_request(task)
        return await task

    async def _run(self, agent: AgentSpec, ask: AskInput, settings: ArchitectSettings, uri: str) -> dict[str, Any]:
        from agent_lsp.architect.answer import AnswerHeader
        from agent_lsp.architect.settings import resolve_model

        progress = await self._begin_progress(f"Asking {agent.name}", Path(ask.path).name)
        task = asyncio.current_task()
        if progress is not None and task is not None:
            self._cancel_on_progress_cancel(progress, task)
        now = datetime.now(timezone.utc)
        header = AnswerHeader(
            agent=agent.name,
            model=resolve_model(agent.model, settings),
            file=ask.path,
            time=now,
            lines=f"{ask.selection.first_line}-{ask.selection.last_line}" if ask.selection else None,
        )
        stream: AnswerStream | None = None
        received = 0
        tail = ""
        last_report = 0.0

        def on_start(start: StreamStart) -> None:
            nonlocal header
            header = replace(header, model=start.model, request_id=start.request_id, truncated=start.truncated)

        def on_text(piece: str) -> None:
            nonlocal stream, received, tail, last_report
            if stream is None:
                stream = self._open_stream(header, settings)
            if stream is not None:
                stream.feed(piece)
            received += len(piece)
            tail = (tail + piece)[-4 * PREVIEW_CHARS :]
            now = time.monotonic()
            if progress is not None and now - last_report >= PROGRESS_EVERY:
                last_report = now
                self.server.work_done_progress.report(
                    progress, types.WorkDoneProgressReport(message=_preview(received, tail))
                )

        self._breaker_cooldown = settings.breaker_cooldown_seconds
        try:
            result = await self.service.ask(agent, ask, settings, document=uri, on_text=on_text, on_start=on_start)
            if stream is None and (result.complete or result.text):
                stream = self._open_stream(header, settings)  # an empty answer still gets its document
            answer_uri = await _unless_cancelled_again(self._deliver(result, header, settings, stream))
        except BaseException:
            if stream is not None:
                stream.abandon()  # no writer outlives its run
            raise
        finally:
            if progress is not None:
                self.server.work_done_progress.end(progress, types.WorkDoneProgressEnd(message="Done"))
        self._tell(result, answer_uri)
        return _outcome(result, answer_uri)

    async def _run_agent(
        self,
        agent: AgentSpec,
        ask: AskInput | None,
        settings: ArchitectSettings,
        uri: str,
        follow_up: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        """An agent run: its tools in a loop. Progress names each tool call; the answer document is written when
        the run ends (its header holds the cost); the proposed edits are then offered for review."""
        from agent_lsp.architect.answer import AnswerHeader
        from agent_lsp.architect.service import RunHooks
        from agent_lsp.architect.settings import resolve_model

        conversation = self.service.conversation(follow_up[0]) if follow_up else None
        about = ask.path if ask is not None else conversation.file if conversation is not None else uri
        progress = await self._begin_progress(f"Running {agent.name}", Path(about).name)
        task = asyncio.current_task()
        if progress is not None and task is not None:
            self._cancel_on_progress_cancel(progress, task)
        header = AnswerHeader(
            agent=agent.name,
            model=conversation.model if conversation else resolve_model(agent.model, settings),
            file=about,
            time=datetime.now(timezone.utc),
            lines=f"{ask.selection.first_line}-{ask.selection.last_line}" if ask and ask.selection else None,
        )
        received = 0
        tail = ""
        last_report = 0.0

        def report(message: str) -> None:
            if progress is not None:
                self.server.work_done_progress.report(progress, types.WorkDoneProgressReport(message=message))

        def on_text(piece: str) -> None:
            nonlocal received, tail, last_report
            received += len(piece)
            tail = (tail + piece)[-4 * PREVIEW_CHARS :]
            now = time.monotonic()
            if now - last_report >= PROGRESS_EVERY:
                last_report = now
                report(_preview(received, tail))

        hooks = RunHooks(on_text=on_text, on_tool=report, open_text=self._open_text)
        self._breaker_cooldown = settings.breaker_cooldown_seconds
        try:
            result = await self.service.run_agent(
                agent,
                ask,
                settings,
                document=uri if follow_up is None else f"conversation:{follow_up[0]}",
                folders=[str(root) for root in self.workspace_roots()],
                hooks=hooks,
                follow_up=follow_up,
            )
            offered, refused = self._sort_proposals(result)
            answer_uri = None
            if result.sent:  # a refusal before anything was sent has only its message to show
                content = self._run_document(result, header, offered, refused)
                answer_uri = await _unless_cancelled_again(self._deliver_whole(content, header, settings))
            if answer_uri is not None and result.conversation is not None:
                self._answers[answer_uri] = result.conversation
            edits = await _unless_cancelled_again(self._offer_edits(agent, result, offered))
        finally:
            if progress is not None:
                self.server.work_done_progress.end(progress, types.WorkDoneProgressEnd(message="Done"))
        self._tell(result, answer_uri)
        return {
            **_outcome(result, answer_uri),
            "conversation": result.conversation,
            "toolCalls": [{"name": c.name, "summary": c.summary, "ran": c.ran} for c in result.tool_calls],
            "edits": {"files": len(offered), "refused": [f"{p}: {why}" for p, why in refused], "applied": edits},
            "usage": {"inputTokens": result.input_tokens, "outputTokens": result.output_tokens,
                      "apiCalls": result.api_calls},
        }  # fmt: skip

    def _open_text(self, real: str) -> str | None:
        """The editor's text of an open document, by the file's real path (what an agent run reads first)."""
        for document in list(self.server.workspace.text_documents.values()):
            path = to_fs_path(document.uri)
            if path and os.path.realpath(path) == real:
                source: str = document.source
                return source
        return None

    @staticmethod
    def _sort_proposals(result: AskResult) -> tuple[list[Proposal], list[tuple[str, str]]]:
        """The proposals to offer, and (path, why) for those refused: outside the workspace, or changed since read."""
        offered: list[Proposal] = []
        refused: list[tuple[str, str]] = []
        workspace = result.workspace
        for proposal in result.proposals:
            why = workspace.refusal(proposal) if workspace is not None else "no workspace"
            if why is None:
                offered.append(proposal)
            else:
                refused.append((workspace.shown(proposal.path) if workspace else proposal.path, why))
        return offered, refused

    def _run_document(
        self,
        result: AskResult,
        header: AnswerHeader,
        offered: list[Proposal],
        refused: list[tuple[str, str]],
    ) -> str:
        from agent_lsp.architect.answer import RunReport, cost_line, render_run, unified_diff

        workspace = result.workspace
        shown = workspace.shown if workspace is not None else (lambda path: path)
        note = _closing_note(result)
        header = replace(
            header,
            model=result.model,
            status=result.status,
            request_id=result.request_id,
            truncated=result.truncated,
            cost=cost_line(result.input_tokens, result.output_tokens, result.api_calls),
            conversation=result.conversation,
        )
        if result.failure is not None:
            note = f"The run stopped: {result.failure.message}"
        report = RunReport(
            final_text=result.final_text,
            text=result.text,
            calls=tuple(c.summary for c in result.tool_calls if c.ran),
            not_run=tuple(c.summary for c in result.tool_calls if not c.ran),
            diffs=tuple(unified_diff(shown(p.path), p.base, p.text) for p in offered),
            refused_edits=tuple(f"{path}: {why}" for path, why in refused),
            end_note=note.strip().strip("-").strip().strip("_").strip() if note else None,
        )
        return render_run(header, report)

    async def _deliver_whole(self, content: str, header: AnswerHeader, settings: ArchitectSettings) -> str | None:
        """Create the answer document with its whole text through the client, else write it as a file and show it."""
        from agent_lsp.architect.answer import answer_file_name, write_answer
        from agent_lsp.architect.settings import answers_folder

        folder = answers_folder(settings, self._workspace_key())
        path = folder / answer_file_name(header.agent, header.file, header.time)
        uri = from_fs_path(str(path)) or path.as_uri()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self._show(types.MessageType.Error, f"Could not create the answers folder {folder}: {error.strerror}.")
            return None
        if await self._create_with_edit(uri, content):
            await self._show_document(uri)
            return uri
        try:
            write_answer(folder, path.name, content)
        except OSError as error:
            self._show(types.MessageType.Error, f"Could not write the answer to {path}: {error.strerror}.")
            return None
        await self._show_document(uri)
        return uri

    async def _offer_edits(self, agent: AgentSpec, result: AskResult, offered: list[Proposal]) -> bool | None:
        """Offer the proposed edits as one `workspace/applyEdit` the user confirms: each change carries an annotation
        with `needsConfirmation` (VS Code shows its refactor preview); a client without annotations is asked first.
        None when there was nothing to offer (or the run was cancelled); else whether the client applied it."""
        if not offered or result.cancelled:
            return None
        edits = sum(1 for c in result.tool_calls if c.ran and c.name in ("Edit", "Write") and not c.is_error)
        files = len(offered)
        plural = ("s" if edits != 1 else "", "s" if files != 1 else "")
        question = f"Apply {edits} edit{plural[0]} to {files} file{plural[1]} from {agent.name}?"
        annotated = self._supports_annotations()
        if not annotated:
            try:
                choice = await self.server.window_show_message_request_async(
                    types.ShowMessageRequestParams(
                        type=types.MessageType.Info,
                        message=question,
                        actions=[types.MessageActionItem(title="Apply"), types.MessageActionItem(title="Discard")],
                    )
                )
            except Exception:
                return False
            if choice is None or choice.title != "Apply":
                return False
        edit = self._proposal_edit(agent, offered, annotated, question)
        try:
            reply = await self.server.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=edit, label=f"Edits proposed by {agent.name}")
            )
        except Exception:
            log.info("workspace/applyEdit of the proposed edits failed")
            return False
        return bool(reply.applied)

    def _supports_annotations(self) -> bool:
        caps = self.server.client_capabilities.workspace
        workspace_edit = caps.workspace_edit if caps is not None else None
        return bool(
            workspace_edit is not None
            and workspace_edit.document_changes
            and workspace_edit.change_annotation_support is not None
        )

    def _proposal_edit(
        self, agent: AgentSpec, offered: list[Proposal], annotated: bool, question: str
    ) -> types.WorkspaceEdit:
        from agent_lsp.architect.answer import DocumentEnd

        annotation = "agent-lsp-proposal"
        changes: list[Any] = []
        start = types.Position(line=0, character=0)
        for proposal in offered:
            uri = from_fs_path(proposal.path) or Path(proposal.path).as_uri()
            open_document = self.server.workspace.text_documents.get(uri)
            version = open_document.version if open_document is not None else None
            if proposal.base is None:
                changes.append(
                    types.CreateFile(
                        uri=uri,
                        options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False),
                        annotation_id=annotation if annotated else None,
                    )
                )
                end = start
            else:
                tracker = DocumentEnd(self._session.encoding)
                tracker.append(proposal.base)
                end = types.Position(line=tracker.line, character=tracker.character)
            whole = types.Range(start=start, end=end)
            text_edit: types.TextEdit | types.AnnotatedTextEdit = (
                types.AnnotatedTextEdit(range=whole, new_text=proposal.text, annotation_id=annotation)
                if annotated
                else types.TextEdit(range=whole, new_text=proposal.text)
            )
            changes.append(
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=version if proposal.base is not None else None
                    ),
                    edits=[text_edit],
                )
            )
        annotations = (
            {
                annotation: types.ChangeAnnotation(
                    label=f"Proposed by {agent.name}", needs_confirmation=True, description=question
                )
            }
            if annotated
            else None
        )
        return types.WorkspaceEdit(document_changes=changes, change_annotations=annotations)

    def _ask_input(self, uri: str, text: str | None, range_value: Any) -> AskInput | str:
        """The file to send, or a message saying why there is none."""
        from agent_lsp.architect.prompt import AskInput

        document = self.server.workspace.text_documents.get(uri)
        path = to_fs_path(uri) or uri
        language = document.language_id if document is not None and document.language_id else None
        if text is None and document is not None:
            text = document.source
        if text is None:
            read = self._read_inside_workspace(path)
            if not isinstance(read, tuple):
                return read
            text = read[0]
        language = language or _LANGUAGES.get(Path(path).suffix.lower(), "plaintext")
        selection = None
        if range_value is not None:
            try:
                selection = self._selection(text, self.server.protocol._converter.structure(range_value, types.Range))
            except Exception as error:
                raise AskArgumentError("agentLsp.askAgent: `range` must be an LSP Range") from error
        return AskInput(path=path, language_id=language, text=text, selection=selection)

    def _read_inside_workspace(self, path: str) -> tuple[str] | str:
        # Only regular files whose real path lies in the open workspace, read by the one bounded reader:
        # a command argument must not read the rest of the disk, and a FIFO, a device or a link loop
        # must neither block the server nor fail with a traceback.
        from agent_lsp.project import disk

        name = Path(path).name
        roots = disk.real_roots(self.workspace_roots())
        if not disk.inside(path, roots):
            return "Only files inside the workspace folders can be sent to an agent."
        try:
            raw, _status = disk.read_bytes(path, MAX_READ_BYTES, roots)
        except OSError as error:
            if error.errno == errno.EINVAL:
                return f"{name} is not a regular file; only files can be sent to an agent."
            return f"Could not read {name}: {error.strerror or 'unreadable'}."
        if len(raw) > MAX_READ_BYTES:
            return f"{name} is too large to send to an agent."
        return (raw.decode("utf-8", errors="replace"),)

    def _selection(self, text: str, selected: types.Range) -> Selection | None:
        from agent_lsp.architect.prompt import Selection

        mapper = PositionMapper(LineIndex(text), self._session.encoding)
        start = mapper.offset(selected.start.line, selected.start.character)
        end = mapper.offset(selected.end.line, selected.end.character)
        if end <= start:
            return None
        last_line = selected.end.line if selected.end.character > 0 else max(selected.start.line, selected.end.line - 1)
        return Selection(start=start, end=end, first_line=selected.start.line + 1, last_line=last_line + 1)

    # ---- cancellation ----------------------------------------------------------------
    def _cancel_on_cancel_request(self, task: asyncio.Future[Any]) -> None:
        # pygls answers `$/cancelRequest` by cancelling the request's own future, which for a
        # command never reaches the coroutine running it; watching that future does.
        msg_id = self.server.protocol.msg_id
        request = self.server.protocol._request_futures.get(msg_id) if msg_id is not None else None
        if request is None:
            return
        loop = asyncio.get_running_loop()

        def on_done(future: Future[Any] | asyncio.Future[Any]) -> None:
            if future.cancelled():
                loop.call_soon_threadsafe(task.cancel)

        request.add_done_callback(on_done)

    def _cancel_on_progress_cancel(self, token: str, task: asyncio.Task[Any]) -> None:
        future = self.server.work_done_progress.tokens.get(token)
        if future is None:
            return
        loop = asyncio.get_running_loop()

        def on_done(done: Future[Any]) -> None:
            if done.cancelled():
                loop.call_soon_threadsafe(task.cancel)

        future.add_done_callback(on_done)

    # ---- progress, the answer and messages -------------------------------------------
    async def _begin_progress(self, title: str, file_name: str) -> str | None:
        window = self.server.client_capabilities.window
        if window is None or not window.work_done_progress:
            return None
        token = f"agent-lsp-ask-{uuid.uuid4().hex}"
        try:
            await self.server.work_done_progress.create_async(token)
        except Exception:  # the client refused a progress bar: run without one
            return None
        self.server.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title=title, message=f"Sending {file_name}", cancellable=True)
        )
        return token

    def _open_stream(self, header: AnswerHeader, settings: ArchitectSettings) -> AnswerStream | None:
        """A streamed answer document, or None when the client cannot create one (the fallback then writes it)."""
        from agent_lsp.architect.answer import answer_file_name, render_header
        from agent_lsp.architect.settings import answers_folder

        if not self._can_create_files():
            return None
        folder = answers_folder(settings, self._workspace_key())
        path = folder / answer_file_name(header.agent, header.file, header.time)
        uri = from_fs_path(str(path)) or path.as_uri()
        stream = AnswerStream(self, uri, folder, render_header(header, with_status=False), self._session.encoding)
        stream.start()  # the document is due now, even before the first batch is
        return stream

    async def _deliver(
        self, result: AskResult, header: AnswerHeader, settings: ArchitectSettings, stream: AnswerStream | None
    ) -> str | None:
        """Finish the streamed document, or write the answer (what arrived of it) to a file and show it."""
        from agent_lsp.architect.answer import answer_file_name, render_answer, write_answer
        from agent_lsp.architect.settings import answers_folder

        if stream is not None and await stream.finish(_closing_note(result)):
            return stream.uri
        if not (result.sent and (result.complete or result.text)):
            return None  # nothing arrived: the message says it all
        if stream is not None and stream.created:
            log.info("the answer document is incomplete in the editor; writing the whole answer to a new file")
        header = replace(header, status=result.status, request_id=result.request_id or header.request_id)
        content = render_answer(header, result.text)
        folder = answers_folder(settings, self._workspace_key())
        # A fresh name: the refused document may exist, and an answer is never written over anything.
        path = folder / answer_file_name(header.agent, header.file, header.time)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self._show(types.MessageType.Error, f"Could not create the answers folder {folder}: {error.strerror}.")
            return None
        try:
            write_answer(folder, path.name, content)
        except OSError as error:
            self._show(types.MessageType.Error, f"Could not write the answer to {path}: {error.strerror}.")
            return None
        answer_uri = from_fs_path(str(path)) or path.as_uri()
        await self._show_document(answer_uri)
        return answer_uri

    def _workspace_key(self) -> str:
        roots = self.workspace_roots()
        return str(roots[0]) if roots else os.getcwd()

    def _can_create_files(self) -> bool:
        edit_caps = self.server.client_capabilities.workspace
        workspace_edit = edit_caps.workspace_edit if edit_caps is not None else None
        operations = workspace_edit.resource_operations if workspace_edit is not None else None
        if not (workspace_edit and workspace_edit.document_changes and operations):
            return False
        return types.ResourceOperationKind.Create in operations

    async def _create_with_edit(self, uri: str, content: str) -> bool:
        """Create `uri` (never over an existing file) holding `content`, through the client."""
        if not self._can_create_files():
            return False
        start = types.Position(line=0, character=0)
        edit = types.WorkspaceEdit(
            document_changes=[
                types.CreateFile(uri=uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False)),
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                    edits=[types.TextEdit(range=types.Range(start=start, end=start), new_text=content)],
                ),
            ]
        )
        return await self._apply_edit(edit)

    async def _apply_edit(self, edit: types.WorkspaceEdit) -> bool:
        try:
            reply = await self.server.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=edit, label=EDIT_LABEL)
            )
        except Exception:
            log.info("workspace/applyEdit failed")
            return False
        return bool(reply.applied)

    async def _show_document(self, uri: str) -> None:
        window = self.server.client_capabilities.window
        if window is None or window.show_document is None or not window.show_document.support:
            self._show(types.MessageType.Info, f"The answer is in {to_fs_path(uri) or uri}")
            return
        try:
            await self.server.window_show_document_async(types.ShowDocumentParams(uri=uri, take_focus=True))
        except Exception:
            self._show(types.MessageType.Info, f"The answer is in {to_fs_path(uri) or uri}")

    def _tell(self, result: AskResult, answer_uri: str | None) -> None:
        from agent_lsp.architect.failures import PARTIAL_KINDS, FailureKind

        if result.cancelled:
            kept = " What arrived is in the answer document." if result.text else ""
            self._show(types.MessageType.Info, f"Cancelled the question to {result.agent}.{kept}")
        elif result.failure is not None:
            partial = result.failure.kind in PARTIAL_KINDS and result.text
            level = types.MessageType.Warning if partial else types.MessageType.Error
            if result.failure.kind is FailureKind.BUSY:
                level = types.MessageType.Warning
            self._show(level, result.failure.message)
        elif result.notice is not None:
            self._show(types.MessageType.Warning, result.notice)

    def _refused(self, message: str) -> dict[str, Any]:
        self._show(types.MessageType.Error, message)
        return {"uri": None, "complete": False, "cancelled": False, "status": "refused", "error": "refused",
                "message": message}  # fmt: skip

    def _show(self, level: types.MessageType, message: str) -> None:
        self.server.window_show_message(types.ShowMessageParams(type=level, message=message))

    # ---- listing -----------------------------------------------------------------------
    def list_agents(self) -> list[dict[str, Any]]:
        return [{"name": a.name, "description": a.description, "path": a.path, "model": a.model} for a in self.agents()]


def _preview(received: int, tail: str) -> str:
    """The progress message: how much arrived, and the last words of it on one line."""
    words = " ".join(tail.split())
    if len(words) > PREVIEW_CHARS:
        words = "…" + words[-PREVIEW_CHARS:]
    return f"Receiving ({received:,} characters): {words}" if words else f"Receiving: {received:,} characters"


def _closing_note(result: AskResult) -> str | None:
    """What a streamed answer ends with; None for an answer that simply ended."""
    from agent_lsp.architect.answer import incomplete_note

    if result.cancelled:
        reason = "cancelled; the text above is what arrived before the cancel"
    elif result.failure is not None:
        reason = result.failure.kind.value.replace("_", " ")
    elif result.stop_reason == "max_tokens":
        reason = "cut at the `agentLsp.maxTokens` limit"
    else:
        return None
    return incomplete_note(reason, result.text)


async def _unless_cancelled_again(work: Awaitable[_T]) -> _T:
    """Finish `work` even if a second cancel arrives: the first one already stopped the stream,
    and what arrived must still reach the user."""
    future = asyncio.ensure_future(work)
    while True:
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if future.done() or task is None:
                raise
            task.uncancel()


def _one_mapping(args: tuple[Any, ...], command: str) -> Mapping[str, Any]:
    if len(args) != 1 or not isinstance(args[0], Mapping):
        raise AskArgumentError(f"{command} takes one object argument")
    return args[0]


# ---- handlers ----------------------------------------------------------------------------


def code_actions(ls: AgentLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Ask an agent about the file, or about the selection (part of the server's code-action answer)."""
    return ls.session.architect.code_actions(params)


async def ask_agent(ls: AgentLanguageServer, *args: Any) -> dict[str, Any]:
    return await ls.session.architect.ask(_one_mapping(args, ASK_COMMAND))


async def list_agents(ls: AgentLanguageServer, *args: Any) -> list[dict[str, Any]]:
    await ls.session.project.built()  # every agent of the workspace, not those known so far
    return ls.session.architect.list_agents()


def set_api_key(ls: AgentLanguageServer, *args: Any) -> dict[str, bool]:
    argument = _one_mapping(args, SET_KEY_COMMAND)
    key = argument.get("apiKey")
    if key is not None and not isinstance(key, str):
        raise AskArgumentError("agentLsp.setApiKey: `apiKey` must be a string or null")
    ls.session.architect.set_api_key(key.strip() if key else None)
    return {"stored": bool(key and key.strip())}


def _outcome(result: AskResult, answer_uri: str | None) -> dict[str, Any]:
    """What every ask returns to the client: where the answer is, and how the run ended."""
    return {
        "uri": answer_uri,
        "complete": result.complete,
        "cancelled": result.cancelled,
        "status": result.status,
        "error": result.failure.kind.value if result.failure else None,
        "message": result.failure.message if result.failure else None,
    }

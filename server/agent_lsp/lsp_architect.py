"""The architect action over LSP: code actions, commands, progress, and the answer document.

Everything about agents, requests and failures lives in `agent_lsp.architect`; this
module only speaks the protocol. A run is one `agentLsp.askAgent` command: it reports
work-done progress (cancellable), streams the answer, then creates the answer file
with `workspace/applyEdit` and opens it with `window/showDocument`. A cancel, through
the progress or `$/cancelRequest`, stops the stream and still shows what arrived.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .architect import (
    SHIPPED_AGENT,
    AgentSpec,
    AnswerHeader,
    ArchitectService,
    AskInput,
    AskResult,
    FailureKind,
    Selection,
    answer_file_name,
    answers_folder,
    discover_agents,
    load_settings,
    render_answer,
    shipped_agent,
    write_answer,
)
from .architect.failures import PARTIAL_KINDS
from .textmodel import LineIndex, PositionMapper

log = logging.getLogger(__name__)

ASK_COMMAND = "agentLsp.askAgent"
LIST_COMMAND = "agentLsp.listAgents"
SET_KEY_COMMAND = "agentLsp.setApiKey"
CONFIG_SECTION = "agentLsp"
MAX_READ_BYTES = 20_000_000  # a file this big is not source code worth an ask
PROGRESS_EVERY = 0.2  # seconds between progress reports while text streams in

_LANGUAGES = {
    ".py": "python", ".md": "markdown", ".ts": "typescript", ".tsx": "typescriptreact", ".js": "javascript",
    ".jsx": "javascriptreact", ".json": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml",
    ".go": "go", ".rs": "rust", ".java": "java", ".kt": "kotlin", ".rb": "ruby", ".php": "php",
    ".c": "c", ".h": "c", ".cpp": "cpp", ".cs": "csharp", ".sql": "sql", ".sh": "shellscript",
}  # fmt: skip


class AskArgumentError(JsonRpcInvalidParams):
    """Wrong arguments to one of our commands; the message never repeats their values."""


def _server_settings(server: LanguageServer) -> Mapping[str, Any]:
    # The core server keeps the client's `agentLsp` section as `settings.raw`.
    raw = getattr(getattr(server, "settings", None), "raw", None)
    return raw if isinstance(raw, Mapping) else {}


class ArchitectFeature:
    """The LSP side of the architect action, bound to one server."""

    def __init__(
        self,
        server: LanguageServer,
        service: ArchitectService | None = None,
        client_settings: Callable[[], Mapping[str, Any]] | None = None,
        home: Path | None = None,
    ) -> None:
        self.server = server
        self.service = service or ArchitectService()
        self._client_settings = client_settings or (lambda: _server_settings(server))
        self._home = home if home is not None else Path.home()
        self._api_key: str | None = None  # handed over by agentLsp.setApiKey; lives in memory only

    # ---- settings --------------------------------------------------------------------
    def set_api_key(self, key: str | None) -> None:
        self._api_key = key or None

    async def _settings_dict(self, uri: str | None) -> dict[str, Any]:
        merged = dict(self._client_settings())
        merged.update(await self._pull_configuration(uri))
        if self._api_key:
            merged["apiKey"] = self._api_key
        return merged

    async def _pull_configuration(self, uri: str | None) -> Mapping[str, Any]:
        workspace = self.server.client_capabilities.workspace
        if workspace is None or not workspace.configuration:
            return {}
        params = types.ConfigurationParams(items=[types.ConfigurationItem(section=CONFIG_SECTION, scope_uri=uri)])
        try:
            result = await asyncio.wait_for(self.server.workspace_configuration_async(params), 5)
        except Exception:  # a client that cannot answer leaves us with the initial settings
            log.info("workspace/configuration failed; using the initial settings")
            return {}
        first = result[0] if result else None
        return first if isinstance(first, Mapping) else {}

    # ---- agents ----------------------------------------------------------------------
    def workspace_roots(self) -> list[Path]:
        roots: list[Path] = []
        for folder in self.server.workspace.folders.values():
            if (path := to_fs_path(folder.uri)) is not None:
                roots.append(Path(path))
        if not roots and self.server.workspace.root_path:
            roots.append(Path(self.server.workspace.root_path))
        return roots

    def agents(self) -> list[AgentSpec]:
        """The shipped agent first, then the valid workspace and user agents."""
        found: list[AgentSpec] = []
        if (shipped := shipped_agent()) is not None:
            found.append(shipped)
        found.extend(discover_agents(self.workspace_roots(), self._home))
        return found

    def find_agent(self, name: str | None) -> AgentSpec | None:
        """No name means the shipped agent; a name is looked up like Claude Code does, project first."""
        if not name:
            return shipped_agent()
        for agent in discover_agents(self.workspace_roots(), self._home):
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
        actions = [self._action(f"Ask backend architect{about}", kind, argument)]
        for agent in discover_agents(self.workspace_roots(), self._home):
            actions.append(self._action(f"Ask {agent.name}{about}", kind, {**argument, "agent": agent.name}))
        return actions

    @staticmethod
    def _action(title: str, kind: types.CodeActionKind, argument: dict[str, Any]) -> types.CodeAction:
        return types.CodeAction(
            title=title, kind=kind, command=types.Command(title=title, command=ASK_COMMAND, arguments=[argument])
        )

    # ---- the ask ---------------------------------------------------------------------
    async def ask(self, argument: Mapping[str, Any]) -> dict[str, Any]:
        uri = argument.get("uri")
        if not isinstance(uri, str) or not uri:
            raise AskArgumentError("agentLsp.askAgent needs an argument {uri, range?, agent?, text?}")
        agent_name = argument.get("agent")
        if agent_name is not None and not isinstance(agent_name, str):
            raise AskArgumentError("agentLsp.askAgent: `agent` must be an agent name")
        text = argument.get("text")
        if text is not None and not isinstance(text, str):
            raise AskArgumentError("agentLsp.askAgent: `text` must be a string")

        agent = self.find_agent(agent_name)
        if agent is None:
            return self._refused(f"No valid agent named '{agent_name or SHIPPED_AGENT}' was found.")
        ask = self._ask_input(uri, text, argument.get("range"))
        if isinstance(ask, str):
            return self._refused(ask)
        settings = load_settings(await self._settings_dict(uri))

        task = asyncio.ensure_future(self._run(agent, ask, settings, uri))
        self._cancel_on_cancel_request(task)
        return await task

    async def _run(self, agent: AgentSpec, ask: AskInput, settings: Any, uri: str) -> dict[str, Any]:
        progress = await self._begin_progress(f"Asking {agent.name}", Path(ask.path).name)
        task = asyncio.current_task()
        if progress is not None and task is not None:
            self._cancel_on_progress_cancel(progress, task)
        received = 0
        last_report = 0.0

        def on_text(piece: str) -> None:
            nonlocal received, last_report
            received += len(piece)
            now = time.monotonic()
            if progress is not None and now - last_report >= PROGRESS_EVERY:
                last_report = now
                self.server.work_done_progress.report(
                    progress, types.WorkDoneProgressReport(message=f"Receiving: {received:,} characters")
                )

        try:
            result = await self.service.ask(agent, ask, settings, document=uri, on_text=on_text)
            answer_uri = await self._deliver(result, ask, settings) if result.sent else None
        finally:
            if progress is not None:
                self.server.work_done_progress.end(progress, types.WorkDoneProgressEnd(message="Done"))
        self._tell(result, answer_uri)
        return {
            "uri": answer_uri,
            "complete": result.complete,
            "cancelled": result.cancelled,
            "status": result.status,
            "error": result.failure.kind.value if result.failure else None,
            "message": result.failure.message if result.failure else None,
        }

    def _ask_input(self, uri: str, text: str | None, range_value: Any) -> AskInput | str:
        """The file to send, or a message saying why there is none."""
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
        # Only files of the open workspace: a command argument must not read the rest of the disk.
        try:
            real = Path(path).resolve()
            roots = [root.resolve() for root in self.workspace_roots()]
            if not any(real.is_relative_to(root) for root in roots):
                return "Only files inside the workspace folders can be sent to an agent."
            if real.stat().st_size > MAX_READ_BYTES:
                return f"{real.name} is too large to send to an agent."
            return (real.read_text(encoding="utf-8", errors="replace"),)
        except OSError as error:
            return f"Could not read {Path(path).name}: {error.strerror or 'unreadable'}."

    def _selection(self, text: str, selected: types.Range) -> Selection | None:
        # str() of this str-Enum gives "PositionEncodingKind.Utf16", not the wire value.
        encoding = self.server.workspace.position_encoding or types.PositionEncodingKind.Utf16
        value = encoding.value if isinstance(encoding, types.PositionEncodingKind) else str(encoding)
        mapper = PositionMapper(LineIndex(text), value)
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

    async def _deliver(self, result: AskResult, ask: AskInput, settings: Any) -> str | None:
        """Put the answer (or what arrived of it) in a new document and show it."""
        now = datetime.now(timezone.utc)
        selection = ask.selection
        header = AnswerHeader(
            agent=result.agent,
            model=result.model,
            file=ask.path,
            time=now,
            lines=f"{selection.first_line}-{selection.last_line}" if selection else None,
            status=result.status,
            truncated=result.truncated,
            request_id=result.request_id,
        )
        content = render_answer(header, result.text)
        folder = answers_folder(settings, self._workspace_key())
        path = folder / answer_file_name(result.agent, ask.path, now)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self._show(types.MessageType.Error, f"Could not create the answers folder {folder}: {error.strerror}.")
            return None
        answer_uri = from_fs_path(str(path)) or path.as_uri()
        if not await self._create_with_edit(answer_uri, content):
            try:
                write_answer(folder, path.name, content)
            except OSError as error:
                self._show(types.MessageType.Error, f"Could not write the answer to {path}: {error.strerror}.")
                return None
        await self._show_document(answer_uri)
        return answer_uri

    def _workspace_key(self) -> str:
        roots = self.workspace_roots()
        return str(roots[0]) if roots else os.getcwd()

    async def _create_with_edit(self, uri: str, content: str) -> bool:
        edit_caps = self.server.client_capabilities.workspace
        workspace_edit = edit_caps.workspace_edit if edit_caps is not None else None
        operations = workspace_edit.resource_operations if workspace_edit is not None else None
        if not (workspace_edit and workspace_edit.document_changes and operations):
            return False
        if types.ResourceOperationKind.Create not in operations:
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
        try:
            reply = await self.server.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=edit, label="Agent answer")
            )
        except Exception:
            log.info("workspace/applyEdit failed; writing the answer file directly")
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


def _one_mapping(args: tuple[Any, ...], command: str) -> Mapping[str, Any]:
    if len(args) != 1 or not isinstance(args[0], Mapping):
        raise AskArgumentError(f"{command} takes one object argument")
    return args[0]


def register(
    server: LanguageServer,
    service: ArchitectService | None = None,
    *,
    client_settings: Callable[[], Mapping[str, Any]] | None = None,
    provide_code_actions: bool = True,
) -> ArchitectFeature:
    """Add the architect's commands (and, unless told not to, its code actions) to `server`.

    `client_settings` returns the client's `agentLsp` section as last received; by default
    it is read from `server.settings.raw`. Pass `provide_code_actions=False` when another
    module owns `textDocument/codeAction`, and merge `feature.code_actions(params)` there.
    """
    feature = ArchitectFeature(server, service, client_settings)

    @server.command(ASK_COMMAND)
    async def ask_agent(ls: LanguageServer, *args: Any) -> dict[str, Any]:
        return await feature.ask(_one_mapping(args, ASK_COMMAND))

    @server.command(LIST_COMMAND)
    def list_agents(ls: LanguageServer, *args: Any) -> list[dict[str, Any]]:
        return feature.list_agents()

    @server.command(SET_KEY_COMMAND)
    def set_api_key(ls: LanguageServer, *args: Any) -> dict[str, bool]:
        argument = _one_mapping(args, SET_KEY_COMMAND)
        key = argument.get("apiKey")
        if key is not None and not isinstance(key, str):
            raise AskArgumentError("agentLsp.setApiKey: `apiKey` must be a string or null")
        feature.set_api_key(key.strip() if key else None)
        return {"stored": bool(key and key.strip())}

    if provide_code_actions:
        if types.TEXT_DOCUMENT_CODE_ACTION in server.protocol.fm.features:
            log.warning("textDocument/codeAction is taken; merge ArchitectFeature.code_actions into it")
        else:
            server.feature(
                types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(
                    code_action_kinds=[types.CodeActionKind.Source, types.CodeActionKind.Refactor],
                    resolve_provider=False,
                ),
            )(lambda ls, params: feature.code_actions(params))
    return feature

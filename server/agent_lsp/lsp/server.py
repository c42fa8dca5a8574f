"""The pygls server: its class, its start, and which handler serves each LSP method.

The handlers live in `handlers/` by area (documents, editing, workspace, the architect) and
share what they know through the server's `Session`. pygls takes one handler per method:
where two areas answer the same one (`initialized`, `textDocument/codeAction`), the handler
here calls each area's part in turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from agent_lsp import __version__
from agent_lsp.lsp import warmup
from agent_lsp.lsp.protocol import SET_KEY_COMMAND, AgentProtocol, current_method
from agent_lsp.lsp.session import Session

if TYPE_CHECKING:
    from pygls.server import ServerErrors

# Parsing, validation and the feature modules are imported when the first document or
# request needs them (or by warmup.py, right after `initialize` is answered), so that
# `initialize` costs little more than pygls itself.


class AgentLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("agent-lsp", __version__, protocol_cls=AgentProtocol)
        self.session = Session(self)
        protocol = self.protocol
        assert isinstance(protocol, AgentProtocol)  # protocol_cls above
        protocol.health = self.session.health  # the protocol counts messages and errors into it

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio, reading on the event loop (see stdio.py) where stdin allows it."""
        from agent_lsp.lsp import stdio

        warmup.tune_garbage_collector()
        if not stdio.start(self, stdin, stdout):
            super().start_io(stdin, stdout)

    def start_tcp(self, host: str, port: int) -> None:
        """Serve one client over TCP that holds the token (see tcp.py): pygls's own TCP server takes anyone."""
        from agent_lsp.lsp import tcp

        warmup.tune_garbage_collector()
        tcp.start(self, host, port)

    def report_server_error(self, error: Exception, source: ServerErrors) -> None:
        """Count the error; tell the user of a notification's failure in our words. pygls would show
        `Error in server: <the exception's text>` (paths, code); a request's failure is its response."""
        from pygls.exceptions import FeatureRequestError

        method = current_method.get() or "server"
        self.session.health.record_error(method, error)
        if source is FeatureRequestError:
            return
        self.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Error,
                message=f"agent-lsp failed while handling {method}; the server log (--log-file) has the details.",
            )
        )


# ---- registration ------------------------------------------------------------------------------


def create_server() -> AgentLanguageServer:
    """The server with every handler registered."""
    # The handler modules import this one for the server's class (pygls reads a command
    # handler's annotations when it runs it), so they are imported once the class exists.
    from agent_lsp.features import completion_wire
    from agent_lsp.lsp import claude_version
    from agent_lsp.lsp.handlers import architect, documents, editing, lens, workspace

    server = AgentLanguageServer()
    # Completion items are written by a faster hook, once for all the lists they appear in.
    completion_wire.install(server.protocol._converter, server.session.shared_items)
    feature, command = server.feature, server.command

    # The session's start, and the methods two areas answer (pygls takes one handler per method).
    @feature(types.INITIALIZE)
    def initialize(ls: AgentLanguageServer, params: types.InitializeParams) -> None:
        from agent_lsp.lsp.textdocument import use_splicing_documents

        use_splicing_documents(ls.workspace)  # pygls rebuilds the whole text on each incremental change
        ls.session.apply_initial_settings(params.initialization_options)
        ls.session.watch_parent(params.process_id)
        warmup.schedule(ls.protocol, until_quiet=ls.session.until_quiet)

    @feature(types.INITIALIZED)
    def initialized(ls: AgentLanguageServer, params: types.InitializedParams) -> None:
        ls.session.pull_settings()  # the settings, then the index and its file watchers
        workspace.initialized(ls, params)
        claude_version.check_once(ls)  # a `claude` newer than the verified one: one quiet log line

    kinds = [*editing.CODE_ACTION_KINDS, *architect.CODE_ACTION_KINDS]

    @feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=kinds))
    def code_action(ls: AgentLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return [*editing.code_actions(ls, params), *architect.code_actions(ls, params)]  # the fixes, then the asks

    # Documents: sync, diagnostics, settings, status.
    feature(types.TEXT_DOCUMENT_DID_OPEN)(documents.did_open)
    feature(types.TEXT_DOCUMENT_DID_CHANGE)(documents.did_change)
    feature(types.TEXT_DOCUMENT_DID_SAVE)(documents.did_save)
    feature(types.TEXT_DOCUMENT_DID_CLOSE)(documents.did_close)
    feature(types.TEXT_DOCUMENT_DIAGNOSTIC, documents.DIAGNOSTIC_OPTIONS)(documents.pull_diagnostics)
    feature(types.TEXT_DOCUMENT_CODE_LENS, lens.CODE_LENS_OPTIONS)(lens.code_lens)  # the effective agent
    feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(documents.did_change_configuration)
    command(documents.STATUS_COMMAND)(documents.status)

    # Editing: completion, hover, colors, symbols, folding (and the fixes, in `code_action`).
    feature(types.TEXT_DOCUMENT_COMPLETION, editing.COMPLETION_OPTIONS)(editing.completion)
    feature(types.COMPLETION_ITEM_RESOLVE)(editing.completion_resolve)
    feature(types.TEXT_DOCUMENT_HOVER)(editing.hover)
    feature(types.TEXT_DOCUMENT_DOCUMENT_COLOR)(editing.document_color)
    feature(types.TEXT_DOCUMENT_COLOR_PRESENTATION)(editing.color_presentation)
    feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(editing.document_symbol)
    feature(types.TEXT_DOCUMENT_FOLDING_RANGE)(editing.folding_range)
    feature(types.TEXT_DOCUMENT_DOCUMENT_LINK, types.DocumentLinkOptions())(editing.document_link)

    # Workspace: the index's watchers, navigation, rename, workspace symbols and diagnostics.
    feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(workspace.watched_files)
    feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(workspace.workspace_folders)
    feature(types.TEXT_DOCUMENT_DEFINITION)(workspace.definition)
    feature(types.TEXT_DOCUMENT_REFERENCES)(workspace.references)
    feature(types.TEXT_DOCUMENT_PREPARE_RENAME)(workspace.prepare_rename)
    feature(types.TEXT_DOCUMENT_RENAME, workspace.RENAME_OPTIONS)(workspace.rename)
    feature(types.WORKSPACE_SYMBOL)(workspace.workspace_symbol)
    feature(types.WORKSPACE_DIAGNOSTIC)(workspace.workspace_diagnostic)

    # The architect: ask an agent (and its code actions, in `code_action`).
    command(architect.ASK_COMMAND)(architect.ask_agent)
    command(architect.LIST_COMMAND)(architect.list_agents)
    command(SET_KEY_COMMAND)(architect.set_api_key)
    return server

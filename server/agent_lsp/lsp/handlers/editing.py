"""The editing features over LSP: thin handlers around complete, hover, actions, colors and symbols.

Each handler turns the request's position into an offset in the client's
encoding, hands the cached analysis of the document to a plain function and
returns its result. Agent, skill and command files are served (each through its
own schema); every other document gets nothing.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from agent_lsp.syntax.text import PositionMapper

if TYPE_CHECKING:
    from agent_lsp.features import complete
    from agent_lsp.features.analysis import Analysis
    from agent_lsp.project.index import ProjectView

# The feature modules (complete, hover, actions, colors, symbols) are imported by the
# first request that needs them, not at start-up: `initialize` is answered without
# paying for them (warmup.py loads them right after).

# Typing any of these opens completion in the frontmatter (`model: `, `- `, `, `, `Bash(`, `mcp__`, `"`).
TRIGGER_CHARACTERS = [":", " ", ",", "-", "(", "_", '"']

# Other modules (the architect) add their own code actions here; one handler serves them all.
CodeActionProvider = Callable[[types.CodeActionParams], list[types.CodeAction]]
EXTRA_CODE_ACTIONS = "extra_code_actions"


def _analysis(ls: Any, uri: str) -> Analysis | None:
    """The analysis of an agent, skill or command file; None for any other document."""
    analysis: Analysis = ls.analysis(uri)
    return analysis if analysis.kind is not None else None


def _kind(analysis: Analysis) -> str:
    return analysis.kind.value if analysis.kind is not None else "agent"


def _mapper(ls: Any, analysis: Analysis) -> PositionMapper:
    return PositionMapper(analysis.parsed.index, ls.encoding)


def _at_cursor(ls: Any, params: Any) -> tuple[Analysis, PositionMapper, int] | None:
    """The agent, skill or command file a positional request is about, its position mapper and the cursor's offset."""
    analysis = _analysis(ls, params.text_document.uri)
    if analysis is None:
        return None
    mapper = _mapper(ls, analysis)
    return analysis, mapper, mapper.offset(params.position.line, params.position.character)


# Cross-file findings name a skill or agent that exists nowhere; their `data` carries the
# closest known name, and the finding's range is exactly the name to replace.
_RENAMABLE_CROSS_FILE = ("unknown-skill", "unknown-agent-type")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][\w.:-]*")


def _cross_file_fixes(params: types.CodeActionParams) -> list[types.CodeAction]:
    fixes: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        replacement = data.get("replacement")
        if diagnostic.source != "agent-lsp" or diagnostic.code not in _RENAMABLE_CROSS_FILE:
            continue
        if not isinstance(replacement, str) or not _PLAIN_NAME.fullmatch(replacement):
            continue
        edit = types.TextEdit(range=diagnostic.range, new_text=replacement)
        fixes.append(
            types.CodeAction(
                title=f"Change to `{replacement}`",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=types.WorkspaceEdit(changes={params.text_document.uri: [edit]}),
            )
        )
    return fixes


# ---- glue: the one project model (the workspace index) for completion and hover ----------------
def _project(ls: LanguageServer, analysis: Analysis) -> ProjectView:
    """The workspace index seen from the document, with the document's own text fed to it first."""
    from agent_lsp.lsp.handlers.workspace import state_of
    from agent_lsp.project.index import ProjectView

    return ProjectView(state_of(ls).index_for(analysis), analysis.path)


def _markdown(formats: Any) -> bool:
    """Whether the client lists Markdown among the formats it renders (most do; some terminals do not)."""
    return formats is None or types.MarkupKind.Markdown in formats


def _completion_item_caps(ls: LanguageServer) -> types.ClientCompletionItemOptions | None:
    caps = ls.client_capabilities.text_document
    return caps.completion.completion_item if caps and caps.completion else None


def _completion_options(ls: LanguageServer, analysis: Analysis) -> complete.CompletionOptions:
    from agent_lsp.features import complete

    item = _completion_item_caps(ls)
    resolvable = item.resolve_support.properties if item and item.resolve_support else []
    return complete.CompletionOptions(
        snippets=bool(item and item.snippet_support),
        markdown=_markdown(item.documentation_format if item else None),
        defer_docs="documentation" in resolvable,
        defer_detail="detail" in resolvable,
        item_defaults="editRange" in _list_defaults(ls),
    )


def _list_defaults(ls: LanguageServer) -> Sequence[str]:
    caps = ls.client_capabilities.text_document
    listed = caps.completion.completion_list if caps and caps.completion else None
    return (listed.item_defaults or ()) if listed else ()


_State = TypeVar("_State")


def _feature_state(ls: LanguageServer, name: str, make: Callable[[], _State]) -> _State:
    """A feature-private object kept on the server, made on first use (its module is imported then)."""
    state: _State | None = getattr(ls, name, None)
    if state is None:
        state = make()
        setattr(ls, name, state)
    return state


def _doc_store(ls: LanguageServer) -> complete.DocStore:
    from agent_lsp.features import complete

    return _feature_state(ls, "_completion_docs", complete.DocStore)


def _item_memo(ls: LanguageServer) -> complete.ItemMemo:
    from agent_lsp.features import complete

    return _feature_state(ls, "_completion_items", lambda: complete.ItemMemo(shared=getattr(ls, "_shared_items", None)))


def register(server: LanguageServer) -> None:
    if not hasattr(server, EXTRA_CODE_ACTIONS):
        setattr(server, EXTRA_CODE_ACTIONS, [])
    from agent_lsp.features import completion_wire

    shared = completion_wire.SharedItems()  # filled by the completion ItemMemo, made on first use
    setattr(server, "_shared_items", shared)  # noqa: B010 - a feature-private attribute on the server
    completion_wire.install(server.protocol._converter, shared)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS, resolve_provider=True),
    )
    def on_completion(ls: LanguageServer, params: types.CompletionParams) -> types.CompletionList | None:
        found = _at_cursor(ls, params)
        if found is None:
            return None
        from agent_lsp.features import complete

        analysis, mapper, offset = found
        options = _completion_options(ls, analysis)
        return complete.complete(
            analysis.parsed,
            offset,
            mapper,
            options,
            kind=_kind(analysis),
            docs=_doc_store(ls),
            memo=_item_memo(ls),
            project=_project(ls, analysis),
        )

    @server.feature(types.COMPLETION_ITEM_RESOLVE)
    def on_completion_resolve(ls: LanguageServer, item: types.CompletionItem) -> types.CompletionItem:
        from agent_lsp.features import complete

        client_item = _completion_item_caps(ls)
        formats = client_item.documentation_format if client_item else None
        return complete.resolve(item, _doc_store(ls), markdown=_markdown(formats))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: LanguageServer, params: types.HoverParams) -> types.Hover | None:
        found = _at_cursor(ls, params)
        if found is None:
            return None
        from agent_lsp.features import hover

        analysis, mapper, offset = found
        caps = ls.client_capabilities.text_document
        markdown = _markdown(caps.hover.content_format if caps and caps.hover else None)
        project = _project(ls, analysis)
        return hover.hover(analysis.parsed, offset, mapper, markdown=markdown, project=project, kind=_kind(analysis))

    kinds = [types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]
    if importlib.util.find_spec("agent_lsp.lsp.handlers.architect") is not None:
        kinds += [types.CodeActionKind.Source, types.CodeActionKind.Refactor]

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=kinds))
    def on_code_action(ls: LanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        from agent_lsp.features import actions

        result: list[types.CodeAction] = []
        analysis = _analysis(ls, params.text_document.uri)
        if analysis is not None:
            result += actions.code_actions(
                analysis.parsed,
                analysis.findings,
                analysis.context,
                uri=params.text_document.uri,
                mapper=_mapper(ls, analysis),
                request=params.range,
                sent=params.context.diagnostics,
                only=[str(k.value if isinstance(k, types.CodeActionKind) else k) for k in params.context.only or []],
            )
        if analysis is not None:
            result += _cross_file_fixes(params)
        for provider in getattr(ls, EXTRA_CODE_ACTIONS, []):
            result += provider(params)
        return result

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_COLOR)
    def on_document_color(ls: LanguageServer, params: types.DocumentColorParams) -> list[types.ColorInformation]:
        from agent_lsp.features import colors

        analysis = _analysis(ls, params.text_document.uri)
        if analysis is None or not analysis.is_agent:
            return []  # only agents have a `color`
        return colors.document_colors(analysis.parsed, _mapper(ls, analysis))

    @server.feature(types.TEXT_DOCUMENT_COLOR_PRESENTATION)
    def on_color_presentation(
        ls: LanguageServer, params: types.ColorPresentationParams
    ) -> list[types.ColorPresentation]:
        from agent_lsp.features import colors

        if _analysis(ls, params.text_document.uri) is None:
            return []
        return colors.color_presentations(params.color, params.range)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_document_symbol(
        ls: LanguageServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol] | list[types.SymbolInformation]:
        from agent_lsp.features import symbols

        analysis = _analysis(ls, params.text_document.uri)
        if analysis is None:
            return []
        tree = symbols.document_symbols(analysis.parsed, _mapper(ls, analysis))
        caps = ls.client_capabilities.text_document
        if caps and caps.document_symbol and caps.document_symbol.hierarchical_document_symbol_support:
            return tree
        return symbols.flatten(tree, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    def on_folding_range(ls: LanguageServer, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
        from agent_lsp.features import symbols

        analysis = _analysis(ls, params.text_document.uri)
        return symbols.folding_ranges(analysis.parsed) if analysis else []

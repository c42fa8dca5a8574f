"""The editing features over LSP: thin handlers around complete, hover, actions, colors and symbols.

Each handler turns the request's position into an offset in the client's
encoding, hands the cached analysis of the document to a plain function and
returns its result. Agent, skill, command, output style and rule files are served (each
through its own schema), memory files' `@path` imports, and Claude Code's JSON files through
features/json_assist; every other document gets nothing. The completion stores live in the
session; `code_actions` is one part of the server's code-action answer (the
architect's asks are the other).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types

from agent_lsp.syntax.text import PositionMapper

if TYPE_CHECKING:
    from agent_lsp.features import complete
    from agent_lsp.features.analysis import Analysis
    from agent_lsp.lsp.server import AgentLanguageServer

# The feature modules (complete, hover, actions, colors, symbols) are imported by the
# first request that needs them, not at start-up: `initialize` is answered without
# paying for them (warmup.py loads them right after).

# Typing any of these opens completion in the frontmatter (`model: `, `- `, `, `, `Bash(`, `mcp__`, `"`),
# and after `@` (or a folder's `/`) in a memory file.
TRIGGER_CHARACTERS = [":", " ", ",", "-", "(", "_", '"', "@", "/"]
COMPLETION_OPTIONS = types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS, resolve_provider=True)
CODE_ACTION_KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]


def _analysis(ls: AgentLanguageServer, uri: str) -> Analysis | None:
    """The analysis of an agent, skill or command file; None for any other document."""
    analysis = ls.session.analysis(uri)
    return analysis if analysis.kind is not None else None


def _kind(analysis: Analysis) -> str:
    return analysis.kind.value if analysis.kind is not None else "agent"


def _mapper(ls: AgentLanguageServer, analysis: Analysis) -> PositionMapper:
    return PositionMapper(analysis.parsed.index, ls.session.encoding)


def _at_cursor(
    ls: AgentLanguageServer, params: types.CompletionParams | types.HoverParams
) -> tuple[Analysis, PositionMapper, int] | None:
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


def _agent_grant_fixes(
    ls: AgentLanguageServer, analysis: Analysis, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """A `tools` entry that is no tool but the name of an agent of the project: `Agent(name)` grants it."""
    from agent_lsp.project.references import RefKind

    fixes: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        name = data.get("bareName")
        if diagnostic.source != "agent-lsp" or diagnostic.code not in ("invalid-tool-rule", "unknown-tool"):
            continue
        if not isinstance(name, str) or not _PLAIN_NAME.fullmatch(name):
            continue
        if ls.session.project_view(analysis).definition(RefKind.AGENT, name) is None:
            continue
        edit = types.TextEdit(range=diagnostic.range, new_text=f"Agent({name})")
        fixes.append(
            types.CodeAction(
                title=f"Grant the agent: `Agent({name})`",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=types.WorkspaceEdit(changes={params.text_document.uri: [edit]}),
            )
        )
    return fixes


def _markdown(formats: Sequence[types.MarkupKind] | None) -> bool:
    """Whether the client lists Markdown among the formats it renders (most do; some terminals do not)."""
    return formats is None or types.MarkupKind.Markdown in formats


def _completion_item_caps(ls: AgentLanguageServer) -> types.ClientCompletionItemOptions | None:
    caps = ls.client_capabilities.text_document
    return caps.completion.completion_item if caps and caps.completion else None


def _completion_options(ls: AgentLanguageServer, analysis: Analysis) -> complete.CompletionOptions:
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


def _list_defaults(ls: AgentLanguageServer) -> Sequence[str]:
    caps = ls.client_capabilities.text_document
    listed = caps.completion.completion_list if caps and caps.completion else None
    return (listed.item_defaults or ()) if listed else ()


# ---- handlers ------------------------------------------------------------------------------------


def completion(ls: AgentLanguageServer, params: types.CompletionParams) -> types.CompletionList | None:
    found = _at_cursor(ls, params)
    if found is None:
        return None
    from agent_lsp.features import complete

    analysis, mapper, offset = found
    if _is_memory(analysis):
        return _import_completion(analysis, mapper, offset)
    if analysis.json is not None:  # a manifest, `.mcp.json`, hooks or settings file
        from agent_lsp.features import json_assist

        item = _completion_item_caps(ls)
        return json_assist.complete(
            analysis.text,
            _kind(analysis),
            offset,
            mapper,
            markdown=_markdown(item.documentation_format if item else None),
            doc=analysis.json,
        )
    options = _completion_options(ls, analysis)
    session = ls.session
    return complete.complete(
        analysis.parsed,
        offset,
        mapper,
        options,
        kind=_kind(analysis),
        docs=session.completion_docs,
        memo=session.completion_items,
        project=session.project_view(analysis),
    )


def completion_resolve(ls: AgentLanguageServer, item: types.CompletionItem) -> types.CompletionItem:
    from agent_lsp.features import complete

    client_item = _completion_item_caps(ls)
    formats = client_item.documentation_format if client_item else None
    return complete.resolve(item, ls.session.completion_docs, markdown=_markdown(formats))


def hover(ls: AgentLanguageServer, params: types.HoverParams) -> types.Hover | None:
    found = _at_cursor(ls, params)
    if found is None:
        return None
    from agent_lsp.features import hover as hover_feature

    analysis, mapper, offset = found
    caps = ls.client_capabilities.text_document
    markdown = _markdown(caps.hover.content_format if caps and caps.hover else None)
    if _is_memory(analysis):
        from agent_lsp.features import memory
        from agent_lsp.features.markup import content, to_range

        shown = memory.hover(analysis.text, analysis.path, offset)
        if shown is None:
            return None
        return types.Hover(contents=content(shown[0], markdown), range=to_range(mapper, shown[1]))
    if analysis.json is not None:
        from agent_lsp.features import json_assist

        return json_assist.hover(analysis.json, _kind(analysis), offset, mapper, markdown=markdown)
    project = ls.session.project_view(analysis)
    return hover_feature.hover(
        analysis.parsed, offset, mapper, markdown=markdown, project=project, kind=_kind(analysis)
    )


def _is_memory(analysis: Analysis) -> bool:
    return analysis.kind is not None and analysis.kind.value == "memory"


def _import_completion(analysis: Analysis, mapper: PositionMapper, offset: int) -> types.CompletionList | None:
    """Files and folders after `@` in a memory file (no follow-up command: not every client has VS Code's)."""
    from agent_lsp.features import memory
    from agent_lsp.features.markup import to_range

    found = memory.complete(analysis.text, analysis.path, offset)
    if found is None:
        return None
    span, items = found
    where = to_range(mapper, span)
    return types.CompletionList(
        is_incomplete=False,
        items=[
            types.CompletionItem(
                label=item.label,
                kind=types.CompletionItemKind.Folder if item.is_dir else types.CompletionItemKind.File,
                text_edit=types.TextEdit(range=where, new_text=item.label),
                sort_text=("0" if item.is_dir else "1") + item.label,
            )
            for item in items
        ],
    )


def document_link(ls: AgentLanguageServer, params: types.DocumentLinkParams) -> list[types.DocumentLink]:
    """A link on each `@path` import of a memory file that Claude Code follows."""
    from pathlib import Path

    from agent_lsp.features import memory
    from agent_lsp.features.markup import to_range

    analysis = _analysis(ls, params.text_document.uri)
    if analysis is None or not _is_memory(analysis):
        return []
    mapper = _mapper(ls, analysis)
    return [
        types.DocumentLink(range=to_range(mapper, link.span), target=Path(link.target).as_uri(), tooltip=link.target)
        for link in memory.links(analysis.text, analysis.path)
    ]


def code_actions(ls: AgentLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """The quick fixes (a finding's own, and a cross-file name's closest match) and "fix all"."""
    from agent_lsp.features import actions

    analysis = _analysis(ls, params.text_document.uri)
    if analysis is None or analysis.json is not None:
        return []
    result = actions.code_actions(
        analysis.parsed,
        analysis.findings,
        analysis.context,
        uri=params.text_document.uri,
        mapper=_mapper(ls, analysis),
        request=params.range,
        sent=params.context.diagnostics,
        only=[str(k.value if isinstance(k, types.CodeActionKind) else k) for k in params.context.only or []],
    )
    return [*result, *_cross_file_fixes(params), *_agent_grant_fixes(ls, analysis, params)]


def document_color(ls: AgentLanguageServer, params: types.DocumentColorParams) -> list[types.ColorInformation]:
    from agent_lsp.features import colors

    analysis = _analysis(ls, params.text_document.uri)
    if analysis is None or not analysis.is_agent:
        return []  # only agents have a `color`
    return colors.document_colors(analysis.parsed, _mapper(ls, analysis))


def color_presentation(ls: AgentLanguageServer, params: types.ColorPresentationParams) -> list[types.ColorPresentation]:
    from agent_lsp.features import colors

    if _analysis(ls, params.text_document.uri) is None:
        return []
    return colors.color_presentations(params.color, params.range)


def document_symbol(
    ls: AgentLanguageServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol] | list[types.SymbolInformation]:
    from agent_lsp.features import symbols

    analysis = _analysis(ls, params.text_document.uri)
    if analysis is None or analysis.json is not None:
        return []
    tree = symbols.document_symbols(analysis.parsed, _mapper(ls, analysis))
    caps = ls.client_capabilities.text_document
    if caps and caps.document_symbol and caps.document_symbol.hierarchical_document_symbol_support:
        return tree
    return symbols.flatten(tree, params.text_document.uri)


def folding_range(ls: AgentLanguageServer, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
    from agent_lsp.features import symbols

    analysis = _analysis(ls, params.text_document.uri)
    return symbols.folding_ranges(analysis.parsed) if analysis and analysis.json is None else []

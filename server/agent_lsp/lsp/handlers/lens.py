"""The effective agent over LSP: one CodeLens on the frontmatter's first line (`loads as x · model · 6 tools`).

The line is features/effective.py's, computed from the document's cached findings; the lens carries no
command to run (an empty command id), so editors show it as a plain label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from agent_lsp.lsp.server import AgentLanguageServer

CODE_LENS_OPTIONS = types.CodeLensOptions(resolve_provider=False)


def code_lens(ls: AgentLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    analysis = ls.session.analysis(params.text_document.uri)
    if analysis.kind is None:
        return []  # a README, a CLAUDE.md: nothing Claude Code builds an agent from
    from agent_lsp.features.effective import effective_agent, explain_text, lens_title

    view = effective_agent(analysis.parsed, analysis.findings, analysis.context)
    top = types.Range(types.Position(0, 0), types.Position(0, 0))
    detail = explain_text(view, analysis.kind.value)
    return [types.CodeLens(range=top, command=types.Command(title=lens_title(view), command="", arguments=[detail]))]

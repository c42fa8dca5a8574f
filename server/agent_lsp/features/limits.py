"""Bounds that keep one hostile document from stalling the server.

Agent files are a few kilobytes; a document past `MAX_DOCUMENT_CHARS` is not parsed
at all and gets one diagnostic saying so (the same limit as `agent-lsp check`, so the
editor and CI agree). A document the client never opened reads as empty, so no request
makes the server read a file from disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_lsp.features.analysis import Analysis

# Parsing and validation are imported by the functions that build analyses: the server
# imports this module at start-up, before any document needs them.

MAX_DOCUMENT_CHARS = 5 * 1024 * 1024


def not_open(uri: str) -> Analysis:
    """An empty analysis that no feature serves."""
    from agent_lsp.features.analysis import Analysis
    from agent_lsp.syntax.frontmatter import parse_agent

    return Analysis(uri, None, "", False, False, parse_agent(""), None, _findings=[])


def oversized(uri: str, version: int | None, size: int, globs: tuple[str, ...] = ()) -> Analysis:
    """One diagnostic instead of an analysis; files that are not agent, skill or command files stay silent."""
    from agent_lsp.checks.findings import Finding
    from agent_lsp.checks.rules import Severity
    from agent_lsp.features.analysis import Analysis
    from agent_lsp.project.paths import document_kind, uri_to_path
    from agent_lsp.syntax.frontmatter import parse_agent
    from agent_lsp.syntax.text import Span

    kind, _plugin = document_kind(uri_to_path(uri), globs)
    if kind is None:
        return Analysis(uri, version, "", False, False, parse_agent(""), None, _findings=[])
    message = (
        f"The file is {size / (1024 * 1024):.1f} M characters long, past the "
        f"{MAX_DOCUMENT_CHARS // (1024 * 1024)} M that agent-lsp reads; it is not checked."
    )
    finding = Finding("unreadable-file", Span(0, 0), message, Severity.ERROR, {"code": "unreadable-file"})
    return Analysis(uri, version, "", False, False, parse_agent(""), None, _findings=[finding])

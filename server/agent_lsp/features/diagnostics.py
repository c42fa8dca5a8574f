"""Findings as LSP diagnostics, with positions in the client's encoding."""

from __future__ import annotations

from lsprotocol import types

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.validate import find_problems
from agent_lsp.features.markup import to_range
from agent_lsp.syntax.frontmatter import ParsedAgent
from agent_lsp.syntax.text import PositionMapper

SOURCE = "agent-lsp"
RULES_URL = "https://github.com/agent-lsp/agent-lsp/blob/main/docs/rules.md"


def to_diagnostic(finding: Finding, mapper: PositionMapper) -> types.Diagnostic:
    return types.Diagnostic(
        range=to_range(mapper, finding.span),
        message=finding.message,
        severity=types.DiagnosticSeverity(int(finding.severity)),
        code=finding.code,
        code_description=types.CodeDescription(href=f"{RULES_URL}#{finding.code}"),
        source=SOURCE,
        data=finding.data,
    )


def validate(
    parsed: ParsedAgent,
    path: str | None = None,
    *,
    plugin: bool = False,
    encoding: str = "utf-16",
) -> list[types.Diagnostic]:
    """All diagnostics for one parsed agent file."""
    mapper = PositionMapper(parsed.index, encoding)
    findings = find_problems(parsed, AgentContext(path=path, plugin=plugin))
    return [to_diagnostic(f, mapper) for f in findings]

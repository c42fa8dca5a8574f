"""Find every problem in a parsed agent, skill or command file and say what Claude Code will do with it.

`find_problems` is the engine: findings as plain data, for the CLI, the server and
the architect (features/diagnostics turns them into LSP diagnostics). The context's
`kind` picks the schema (`schemas/<kind>.schema.json`) and the checker: agents are
skipped by Claude Code when their frontmatter is broken, while skills and commands
still load, with empty metadata, so the same finding carries a different consequence.
Claude Code's JSON files (manifests, `.mcp.json`, hooks, settings) go to
`find_json_problems` and checks/manifest.py.
"""

from __future__ import annotations

from agent_lsp.checks.agent import AgentChecker
from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.skill import SkillChecker
from agent_lsp.schema.schemas import schema_for
from agent_lsp.syntax.frontmatter import ParsedAgent
from agent_lsp.syntax.jsondoc import JsonDocument


def find_problems(parsed: ParsedAgent, context: AgentContext | None = None) -> list[Finding]:
    """Every problem of one file, sorted by where it stands."""
    context = context or AgentContext()
    checker_class = AgentChecker if context.kind == "agent" else SkillChecker
    checker = checker_class(parsed, context, schema_for(context.kind))
    checker.run()
    return sorted(checker.findings, key=lambda f: (f.span.start, f.span.end, f.code))


def find_json_problems(doc: JsonDocument, context: AgentContext) -> list[Finding]:
    """Every problem of one JSON file (`context.kind` names its schema: plugin-manifest, mcp, ...)."""
    from agent_lsp.checks.manifest import find_manifest_problems

    return find_manifest_problems(doc, context)

"""Find every problem in a parsed file Claude Code reads and say what Claude Code will do with it.

`find_problems` is the engine: findings as plain data, for the CLI, the server and
the architect (features/diagnostics turns them into LSP diagnostics). The context's
`kind` picks the schema (`schemas/<kind>.schema.json`) and the checker: agents are
skipped by Claude Code when their frontmatter is broken, while skills and commands
still load, with empty metadata, so the same finding carries a different consequence.
Output styles and rules are skill-like (`checks/instructions.py`); a memory file's findings
are about its `@path` imports. Claude Code's JSON files (manifests, `.mcp.json`, hooks, settings)
go to `find_json_problems` and checks/manifest.py.
"""

from __future__ import annotations

from agent_lsp.checks import configure
from agent_lsp.checks.agent import AgentChecker
from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.instructions import OutputStyleChecker, RuleChecker, memory_findings
from agent_lsp.checks.skill import SkillChecker
from agent_lsp.schema.schemas import schema_for
from agent_lsp.syntax.frontmatter import ParsedAgent
from agent_lsp.syntax.jsondoc import JsonDocument

_CHECKERS: dict[str, type[AgentChecker]] = {
    "agent": AgentChecker,
    "skill": SkillChecker,
    "command": SkillChecker,
    "output-style": OutputStyleChecker,
    "rule": RuleChecker,
}


def find_problems(parsed: ParsedAgent, context: AgentContext | None = None) -> list[Finding]:
    """Every problem of one file, sorted by where it stands, as its inline comments and its project's
    configuration (the context's) want them."""
    context = context or AgentContext()
    if context.kind == "memory":
        return memory_findings(parsed, context)
    checker_class = _CHECKERS.get(context.kind, SkillChecker)
    checker = checker_class(parsed, context, schema_for(context.kind))
    checker.run()
    found = configure.apply(parsed, checker.findings, context)
    return sorted(found, key=lambda f: (f.span.start, f.span.end, f.code))


def find_json_problems(doc: JsonDocument, context: AgentContext) -> list[Finding]:
    """Every problem of one JSON file (`context.kind` names its schema: plugin-manifest, mcp, ...), as its
    project's configuration wants them (JSON has no comments, so no inline suppressions)."""
    from agent_lsp.checks.manifest import find_manifest_problems

    return configure.apply_json(find_manifest_problems(doc, context), context)

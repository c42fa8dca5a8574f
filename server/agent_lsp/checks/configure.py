"""The project's choices applied to a file's findings: inline suppressions, then the configuration.

An inline suppression is a YAML comment in the frontmatter, so Claude Code's parse drops it and loads
exactly what it loaded before:

    # agent-lsp: ignore unknown-key, name-style     (on its own line: the next line's findings)
    category: tooling  # agent-lsp: ignore unknown-key   (at the end of a line: that line's)
    # agent-lsp: ignore-file unknown-key             (anywhere in the frontmatter: the whole file)

A comment at the end of a `key: value` line that Claude Code's quoting retry rewrote is part of the
value then, not a comment, so it suppresses nothing (the quick fix writes the own-line form). The
project configuration (`project/config.py`) then turns rules off, changes their severity and allows
extra keys per kind of file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from yaml.nodes import ScalarNode

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.rules import RULES, Severity
from agent_lsp.project.config import ProjectConfig
from agent_lsp.syntax.frontmatter import ParsedAgent

DIRECTIVE = "agent-lsp:"
_COMMENT = re.compile(r"(?:^|[ \t])#[ \t]*agent-lsp:[ \t]*(?P<verb>ignore-file|ignore)\b(?P<codes>[^#]*)")
_CODES = re.compile(r"[a-z][a-z0-9-]*")
_SEVERITIES = {s.label: s for s in Severity}


@dataclass(frozen=True, slots=True)
class Suppressions:
    whole_file: frozenset[str]
    by_line: dict[int, frozenset[str]]  # line -> codes suppressed on it

    def covers(self, code: str, line: int) -> bool:
        return code in self.whole_file or code in self.by_line.get(line, frozenset())


def suppressions(parsed: ParsedAgent) -> Suppressions:
    """The `# agent-lsp: ignore …` comments of the frontmatter."""
    key = ("suppressions",)
    cached: Suppressions | None = parsed.memo.get(key)
    if cached is not None:
        return cached
    whole: set[str] = set()
    by_line: dict[int, set[str]] = {}
    span = parsed.yaml_span
    if span is not None and DIRECTIVE in parsed.text[span.start : span.end]:
        index = parsed.index
        rewritten = {r.line for r in parsed.rewrites}
        first, last = index.line_of(span.start), index.line_of(max(span.start, span.end - 1))
        for line in range(first, last + 1):
            text = index.lines[line]
            match = _COMMENT.search(text)
            if match is None or _inside_text_value(parsed, index.line_start(line)):
                continue
            codes = set(_CODES.findall(match["codes"]))
            own_line = not text[: match.start()].strip()
            if match["verb"] == "ignore-file":
                whole |= codes
            elif own_line:
                by_line.setdefault(line + 1, set()).update(codes)
            elif line not in rewritten:
                by_line.setdefault(line, set()).update(codes)
    found = Suppressions(frozenset(whole), {k: frozenset(v) for k, v in by_line.items()})
    parsed.memo[key] = found
    return found


def _inside_text_value(parsed: ParsedAgent, offset: int) -> bool:
    """Whether `offset` lies inside a multi-line text value (a `|` block's line is text, not a comment)."""
    for item in parsed.fields.values():
        if isinstance(item.node, ScalarNode) and item.value_span.start < offset < item.value_span.end:
            return True
    return False


def suppressed(parsed: ParsedAgent, findings: Iterable[Finding]) -> list[Finding]:
    """`findings` without those an inline comment suppresses."""
    found = suppressions(parsed)
    if not found.whole_file and not found.by_line:
        return list(findings)
    index = parsed.index
    return [f for f in findings if not found.covers(f.code, index.line_of(f.span.start))]


def configured(findings: Iterable[Finding], config: ProjectConfig, kind: str) -> list[Finding]:
    """`findings` as the project configuration wants them: rules off dropped, severities changed,
    `unknown-key` dropped for the keys the kind allows."""
    if config.source is None:
        return list(findings)
    result: list[Finding] = []
    for finding in findings:
        if finding.code == "unknown-key" and config.allows(kind, str(finding.data.get("key", ""))):
            continue
        wanted = config.severity(finding.code)
        if wanted == "off":
            continue
        if wanted is not None and _SEVERITIES[wanted] is not finding.severity:
            finding = replace(finding, severity=_SEVERITIES[wanted])
        result.append(finding)
    return result


def apply(parsed: ParsedAgent, findings: Iterable[Finding], context: AgentContext) -> list[Finding]:
    """A file's findings (its own or cross-file ones) after its inline suppressions and its project's
    configuration; an excluded file has none."""
    if context.config.excludes(context.path):
        return []
    return configured(suppressed(parsed, findings), context.config, context.kind)


def apply_json(findings: Iterable[Finding], context: AgentContext) -> list[Finding]:
    """`apply` for a JSON file (manifests, `.mcp.json`, hooks, settings): JSON has no comments, so there
    are no inline suppressions, only the project's configuration; an excluded file has none."""
    if context.config.excludes(context.path):
        return []
    return configured(findings, context.config, context.kind)


def config_problems(config: ProjectConfig) -> list[str]:
    """What is wrong with a configuration file, in words (the schema's findings and unknown rule codes)."""
    problems = list(config.problems)
    # The schema lists the codes; a rule it lists that this version lost is named too.
    problems += [f"rules.{code}: no such rule" for code, _ in config.severities if code not in RULES]
    return problems


def suppression_comment(codes: Iterable[str], whole_file: bool = False) -> str:
    """The comment that suppresses `codes` (the quick fix writes it)."""
    verb = "ignore-file" if whole_file else "ignore"
    return f"# agent-lsp: {verb} {', '.join(codes)}"

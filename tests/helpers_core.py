"""Small helpers shared by the engine tests (parse, rules, real-world, properties)."""

from __future__ import annotations

from pathlib import Path

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.validate import find_problems
from agent_lsp.syntax.frontmatter import ParsedAgent, parse_agent
from agent_lsp.syntax.text import Span

REAL_WORLD = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real-world"
SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "backend-service-architect.md"

# A valid header the rule tests extend with one more field.
HEAD = "---\nname: helper\ndescription: Reviews code when asked\n"


def agent(*fields: str, body: str = "You review code.\n") -> str:
    """An agent file with a valid name/description plus `fields` (each one line or block)."""
    return HEAD + "".join(f if f.endswith("\n") else f + "\n" for f in fields) + "---\n" + body


def findings(text: str, path: str | None = None, plugin: bool = False, kind: str = "agent") -> list[Finding]:
    return find_problems(parse_agent(text), AgentContext(path=path, plugin=plugin, kind=kind))


def codes(text: str, path: str | None = None, plugin: bool = False) -> list[str]:
    return [f.code for f in findings(text, path, plugin)]


def only(text: str, code: str, path: str | None = None, plugin: bool = False, kind: str = "agent") -> Finding:
    """The single finding with `code` (fails when there are none or several)."""
    found = [f for f in findings(text, path, plugin, kind) if f.code == code]
    assert len(found) == 1, f"expected one {code}, got {found!r}"
    return found[0]


def span_of(text: str, needle: str, nth: int = 0) -> Span:
    """The span of the `nth` occurrence of `needle` in `text`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Span(start, start + len(needle))


def marked(text: str, finding: Finding) -> str:
    return text[finding.span.start : finding.span.end]


def line_of(parsed: ParsedAgent, offset: int) -> int:
    return parsed.index.line_of(offset)

"""Every agent file of two public collections (../shared/fixtures/real-world), each with its own expectation.

`tests/checks/expectations/real_world.json` maps each file (relative path) to its sorted findings as
`[code, line]` with 1-based lines. It was generated once from the engine and then reviewed by hand
against the files; a change in any file's findings fails here and must be reviewed the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_lsp.checks.findings import AgentContext
from agent_lsp.checks.validate import find_problems
from agent_lsp.syntax.frontmatter import ParseMode, parse_agent
from helpers_core import REAL_WORLD

EXPECTATIONS = Path(__file__).parent / "expectations" / "real_world.json"
EXPECTED: dict[str, list[list[object]]] = json.loads(EXPECTATIONS.read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(not REAL_WORLD.is_dir(), reason="../shared/fixtures/real-world is not present")


def _files() -> list[str]:
    if not REAL_WORLD.is_dir():
        return []
    return sorted(p.relative_to(REAL_WORLD).as_posix() for p in REAL_WORLD.rglob("*") if p.is_file())


def _findings(rel: str) -> list[list[object]]:
    path = REAL_WORLD / rel
    parsed = parse_agent(path.read_text(encoding="utf-8"))
    found = find_problems(parsed, AgentContext(path=str(path)))
    return sorted([f.code, parsed.index.line_of(f.span.start) + 1] for f in found)


def test_every_fixture_has_an_expectation_and_no_expectation_is_stale() -> None:
    assert _files() == sorted(EXPECTED)
    assert len(EXPECTED) == 66


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_real_world_file(rel: str) -> None:
    assert _findings(rel) == EXPECTED[rel]


def test_the_collections_cover_each_way_claude_code_reads_a_file() -> None:
    modes = {rel: parse_agent((REAL_WORLD / rel).read_text(encoding="utf-8")).mode for rel in EXPECTED}
    counts = {mode: sum(1 for m in modes.values() if m is mode) for mode in ParseMode}
    # Claude Code 2.1.328 closes the frontmatter at a line of many dashes (conformance case
    # agents/fence-close-four-dashes) and keeps the last value of a repeated key (agents/dup-*,
    # agents/retry-colon-and-dup): the file once counted unclosed is strict now, and four files that
    # repeat `user:` load through the retry instead of failing.
    assert counts[ParseMode.STRICT] == 32
    assert counts[ParseMode.FALLBACK] == 22  # loads only through the quoting retry: a warning each
    assert counts[ParseMode.FAILED] == 11  # the retry fails too: skipped by Claude Code, an error each
    assert counts[ParseMode.UNCLOSED] == 0
    assert counts[ParseMode.NO_FRONTMATTER] == 1  # the collection's README


def test_a_skipped_file_is_an_error_and_a_rescued_file_is_only_a_warning() -> None:
    severities = {}
    for rel in EXPECTED:
        path = REAL_WORLD / rel
        parsed = parse_agent(path.read_text(encoding="utf-8"))
        severities[rel] = (parsed.mode, min((int(f.severity) for f in find_problems(parsed)), default=9))
    for rel, (mode, worst) in severities.items():
        if mode in (ParseMode.FAILED, ParseMode.UNCLOSED):
            assert worst == 1, rel
        elif mode is ParseMode.FALLBACK:
            assert worst == 2, rel


def test_unindented_example_lines_are_reported_where_the_mapping_breaks() -> None:
    path = REAL_WORLD / "contains-studio-agents/design/brand-guardian.md"
    text = path.read_text(encoding="utf-8")
    [finding] = find_problems(parse_agent(text))
    assert finding.code == "yaml-syntax"
    assert text[finding.span.start : finding.span.end] == "<commentary>"
    assert "line 4 starts at column 1" in finding.message  # `user:` inside the `<example>` continues the value


def test_one_unknown_tool_among_many_marks_only_that_entry() -> None:
    path = REAL_WORLD / "awesome-claude-agents/agents/orchestrators/team-configurator.md"
    text = path.read_text(encoding="utf-8")
    marked = [
        (f.code, text[f.span.start : f.span.end], f.data.get("replacement")) for f in find_problems(parse_agent(text))
    ]
    # `Glob` and `Grep` beside `Bash` are dropped too (conformance case agents/tools-combo-search-with-bash).
    assert marked == [
        ("retired-tool", "LS", "Glob"),
        ("unknown-tool", "WriteFile", "Write"),
        ("retired-tool", "LS", "Glob"),
        ("tool-unavailable", "Glob", None),
        ("tool-unavailable", "Grep", None),
    ]

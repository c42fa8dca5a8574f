"""agent-lsp's findings on memory files, rules and output styles agree with what the real Claude Code loaded.

`instructions_truth.json` is recorded by `instructions_probe.py` from the pinned binary (which markers its
first request carried); this test, offline, builds the same projects and checks each verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from instructions_probe import SCENARIOS

from agent_lsp.checks.findings import AgentContext
from agent_lsp.checks.validate import find_problems
from agent_lsp.project.paths import document_kind
from agent_lsp.syntax.frontmatter import parse_agent

TRUTH = json.loads((Path(__file__).parent / "instructions_truth.json").read_text(encoding="utf-8"))

# scenario -> (file checked, its codes, markers Claude Code loaded, markers it did not)
EXPECTED: dict[str, list[tuple[str, list[str], list[str], list[str]]]] = {
    "import-chain": [("CLAUDE.md", ["import-too-deep"], ["MARK-d"], ["MARK-e", "MARK-f"])],
    "import-in-code": [
        ("CLAUDE.md", ["import-in-code", "import-in-code"], ["MARK-plain"], ["MARK-span", "MARK-fence"])
    ],
    "import-full-stop": [("CLAUDE.md", ["import-not-found"], [], ["MARK-style"])],
    "import-not-text": [("CLAUDE.md", ["import-not-text"], [], ["MARK-png"])],
    "import-outside": [("CLAUDE.md", ["import-outside-project"], [], ["MARK-outside"])],
    "agents-md-alone": [("AGENTS.md", [], ["MARK-agents"], [])],
    "agents-md-hidden": [("AGENTS.md", ["agents-md-hidden"], ["MARK-root"], ["MARK-agents"])],
    "agents-md-imported": [("AGENTS.md", [], ["MARK-agents"], [])],
    "rules": [
        (".claude/rules/always.md", [], ["MARK-always"], []),
        (".claude/rules/scoped.md", [], [], ["MARK-scoped"]),  # loads when Claude reads src/app.ts
        (".claude/rules/cursor.md", ["foreign-key", "foreign-key"], ["MARK-cursor"], []),  # `globs` ignored
    ],
    "output-style": [(".claude/output-styles/terse.md", ["plugin-only-field"], ["MARK-style"], [])],
}


def test_every_scenario_is_recorded_and_checked() -> None:
    assert set(TRUTH) == set(SCENARIOS) == set(EXPECTED)


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_findings_agree_with_claude_code(scenario: str, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    for name, text in SCENARIOS[scenario].items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    loaded = set(TRUTH[scenario]["markers"])
    for name, codes, present, absent in EXPECTED[scenario]:
        path = str((project / name).resolve())
        kind, plugin = document_kind(path)
        assert kind is not None
        text = (project / name).read_text(encoding="utf-8")
        found = find_problems(parse_agent(text), AgentContext(path, plugin, kind=kind.value))
        assert [f.code for f in found] == codes, name
        assert set(present) <= loaded and not set(absent) & loaded, TRUTH[scenario]

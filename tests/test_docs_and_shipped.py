"""The rules page documents every code, and the shipped agents pass our own checks without a finding."""

from __future__ import annotations

import re
from pathlib import Path

from agent_lsp.checks.findings import AgentContext
from agent_lsp.checks.rules import RULES
from agent_lsp.checks.validate import find_problems
from agent_lsp.schema.resources import shipped_agent_path
from agent_lsp.syntax.frontmatter import ParseMode, parse_agent

REPO = Path(__file__).resolve().parents[1]


def test_rules_page_has_an_anchor_and_example_for_every_code() -> None:
    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    anchors = re.findall(r'<a id="([a-z0-9-]+)"></a>', page)
    assert anchors == list(RULES), "docs/rules.md must list every code once, in rules.py order"
    for code in RULES:
        section = page.split(f'<a id="{code}"></a>', 1)[1].split("<a id=", 1)[0]
        assert "```" in section, f"{code} has no example"


def test_shipped_backend_architect_is_clean_strict_yaml() -> None:
    path = shipped_agent_path("backend-architect")
    parsed = parse_agent(path.read_text(encoding="utf-8"))
    assert parsed.mode is ParseMode.STRICT
    assert find_problems(parsed, AgentContext(path=str(path))) == []
    assert parsed.data is not None and parsed.data["model"] == "opus" and parsed.data["name"] == "backend-architect"
    assert len(parsed.body.split()) > 300  # the whole system prompt, not a stub

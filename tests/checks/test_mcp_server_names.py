"""A plain name in an agent's `mcpServers` list refers to a configured server: one the project's `.mcp.json`
does not declare is reported on the name."""

from __future__ import annotations

import json
from pathlib import Path

from agent_lsp.checks.crossfile import entry_findings
from agent_lsp.project.index import build_index
from agent_lsp.project.references import RefKind


def _project(root: Path, agent: str, servers: tuple[str, ...] = ("github", "slack")) -> Path:
    (root / ".claude" / "agents").mkdir(parents=True)
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": {s: {"command": "x"} for s in servers}}))
    path = root / ".claude" / "agents" / "triage.md"
    path.write_text(agent)
    return path


def _findings(root: Path, path: Path) -> list[tuple[str, str]]:
    index = build_index([root], None)
    (entry,) = [e for e in index.files() if e.path == str(path)]
    text = path.read_text()
    return [(f.code, text[f.span.start : f.span.end]) for f in entry_findings(entry, index)]


AGENT = """---
name: triage
description: Triages issues.
mcpServers:
  - github
  - "slak"
  - local:
      command: ./server
  - local
---
Body
"""


def test_an_unknown_plain_name_is_reported_on_the_name(tmp_path: Path) -> None:
    path = _project(tmp_path, AGENT)
    assert _findings(tmp_path, path) == [("unknown-mcp-server", "slak")]
    index = build_index([tmp_path], None)
    (entry,) = index.files()
    (finding,) = entry_findings(entry, index)
    assert finding.data["replacement"] == "slack" and "`.mcp.json`" in finding.message


def test_plain_names_are_references_to_the_server(tmp_path: Path) -> None:
    _project(tmp_path, AGENT)
    index = build_index([tmp_path], None)
    assert [ref.name for _, ref in index.references_to(RefKind.MCP, "github")] == ["github"]


def test_plugin_agents_are_left_alone(tmp_path: Path) -> None:
    """Claude Code ignores `mcpServers` in a plugin's agents (sub-agents), so nothing is resolved there."""
    plugin = tmp_path / "plug"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "plug"}')
    (plugin / ".mcp.json").write_text('{"mcpServers": {}}')
    (plugin / "agents").mkdir()
    (plugin / "agents" / "triage.md").write_text(AGENT)
    assert [c for c, _ in _findings(plugin, plugin / "agents" / "triage.md") if c == "unknown-mcp-server"] == []

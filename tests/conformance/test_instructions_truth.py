"""agent-lsp's findings on memory files, rules and output styles agree with what the real Claude Code loaded.

`instructions_truth.json` is recorded by `instructions_probe.py` from the pinned binary (which markers its
first request carried); this test, offline, builds the same projects and checks each verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from instructions_probe import SCENARIOS

from agent_lsp.checks.findings import AgentContext
from agent_lsp.checks.validate import find_json_problems, find_problems
from agent_lsp.project.paths import FileKind, document_kind
from agent_lsp.syntax.frontmatter import parse_agent
from agent_lsp.syntax.jsondoc import parse_json

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
    "import-indented-code": [("CLAUDE.md", ["import-in-code"], ["MARK-continued", "MARK-plain"], ["MARK-indented"])],
}
# The scenarios about MCP servers: what `claude mcp list` listed, skipped, and which agent items it dropped.
MCP_SCENARIOS = ("mcp-locations", "mcp-working-folder", "mcp-url-without-type")


def test_every_scenario_is_recorded_and_checked() -> None:
    assert set(TRUTH) == set(SCENARIOS) == set(EXPECTED) | set(MCP_SCENARIOS)


def _project(scenario: str, tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    for name, text in SCENARIOS[scenario].items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return project


@pytest.mark.parametrize("scenario", ["mcp-locations", "mcp-working-folder"])
def test_a_mcp_json_is_classified_where_claude_code_reads_one(scenario: str, tmp_path: Path) -> None:
    # Each file holds one server; Claude Code lists it when it read the file (from the project's root, or
    # from `sub/` and the folders above it). The working folder cannot be known: a `.mcp.json` in any
    # folder Claude Code may start in is one, one inside `.claude/` is not.
    project = _project(scenario, tmp_path)
    listed = set(TRUTH[scenario]["mcp_listed"])
    for path in sorted(project.rglob(".mcp.json")):
        (server,) = json.loads(path.read_text(encoding="utf-8"))["mcpServers"]
        kind, _plugin = document_kind(str(path.resolve()))
        if server in listed:
            assert kind is FileKind.MCP_CONFIG, path
        elif ".claude" in path.parts:
            assert kind is None, path
        else:  # below the working folder: read when Claude Code starts there (as `sub/` in mcp-working-folder)
            assert kind is FileKind.MCP_CONFIG, path
    assert "subsrv" in TRUTH["mcp-working-folder"]["mcp_listed"]


def test_a_server_with_a_url_and_no_type_is_reported_as_claude_code_skips_it(tmp_path: Path) -> None:
    project = _project("mcp-url-without-type", tmp_path)
    truth = TRUTH["mcp-url-without-type"]
    mcp = project / ".mcp.json"
    servers = json.loads(mcp.read_text(encoding="utf-8"))["mcpServers"]
    skipped = set(servers) - set(truth["mcp_listed"])
    assert skipped == {"typeless"} and any("[typeless]" in w for w in truth["mcp_warnings"])
    text = mcp.read_text(encoding="utf-8")
    found = find_json_problems(parse_json(text), AgentContext(str(mcp), kind=FileKind.MCP_CONFIG.value))
    assert {text[f.span.start : f.span.end].strip('"') for f in found if f.code == "mcp-url-without-type"} == skipped
    assert [f.code for f in found if f.code != "mcp-url-without-type"] == []
    agent = project / ".claude" / "agents" / "probe.md"
    text = agent.read_text(encoding="utf-8")
    found = find_problems(parse_agent(text), AgentContext(str(agent), kind="agent"))
    dropped = {text[f.span.start : f.span.end] for f in found if f.code == "invalid-mcp-server"}
    assert dropped == set(truth["mcp_invalid_agent_items"]) == {"agtypeless"}


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_findings_agree_with_claude_code(scenario: str, tmp_path: Path) -> None:
    project = _project(scenario, tmp_path)
    loaded = set(TRUTH[scenario]["markers"])
    for name, codes, present, absent in EXPECTED[scenario]:
        path = str((project / name).resolve())
        kind, plugin = document_kind(path)
        assert kind is not None
        text = (project / name).read_text(encoding="utf-8")
        found = find_problems(parse_agent(text), AgentContext(path, plugin, kind=kind.value))
        assert [f.code for f in found] == codes, name
        assert set(present) <= loaded and not set(absent) & loaded, TRUTH[scenario]

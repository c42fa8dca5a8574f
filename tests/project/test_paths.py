"""The one classifier: the editor's documents, `agent-lsp check` and the index read a path the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_lsp.features.analysis import AnalysisCache
from agent_lsp.project.index import build_index
from agent_lsp.project.paths import FileKind, Scope, document_kind, locate


def _plugin(folder: Path, name: str = "") -> Path:
    (folder / ".claude-plugin").mkdir(parents=True)
    (folder / ".claude-plugin" / "plugin.json").write_text(f'{{"name": "{name}"}}' if name else "{}")
    return folder


def test_agent_globs_make_any_other_markdown_file_an_agent() -> None:
    assert document_kind("/p/prompts/reviewer.md") == (None, False)
    assert document_kind("/p/prompts/reviewer.md", ["**/prompts/*.md"]) == (FileKind.AGENT, False)
    placement = locate("/p/prompts/reviewer.md", agent_globs=["prompts/*.md"])
    assert placement is not None and placement.kind is FileKind.AGENT and placement.scope is Scope.PROJECT
    cache = AnalysisCache()
    cache.agent_globs = ("**/prompts/*.md",)
    assert cache.get("file:///p/prompts/reviewer.md", 1, "---\nname: reviewer\n---\n").is_agent


def test_globs_do_not_override_what_claude_code_loads(tmp_path: Path) -> None:
    """A glob that matches every Markdown file leaves skills skills and memory files memory files."""
    everything = ["**/*.md"]
    assert document_kind("/p/.claude/skills/deploy/SKILL.md", everything) == (FileKind.SKILL, False)
    assert document_kind("/p/CLAUDE.md", everything) == (FileKind.MEMORY, False)
    plugin = _plugin(tmp_path / "acme", "acme")
    assert document_kind(str(plugin / "commands" / "go.md"), everything) == (FileKind.COMMAND, True)


def test_memory_files_are_indexed_and_served() -> None:
    placement = locate("/p/.claude/CLAUDE.md")
    assert placement is not None and placement.kind is FileKind.MEMORY and placement.root == "/p"
    assert document_kind("/p/.claude/CLAUDE.md") == (FileKind.MEMORY, False)
    assert document_kind("/p/AGENTS.md") == (FileKind.MEMORY, False)
    user = locate("/home/me/.claude/CLAUDE.md", Path("/home/me/.claude"))
    assert user is not None and user.scope is Scope.USER


def test_a_skills_directory_plugins_own_skill_is_the_same_to_the_editor_and_the_index(tmp_path: Path) -> None:
    """The editor's classifier and the index's used to disagree here (a project skill to one, a plugin
    skill to the other); with one classifier the index lists it under its folder's name."""
    root = _plugin(tmp_path / "project" / ".claude" / "skills" / "my-tool", "tools")
    (root / "SKILL.md").write_text("---\ndescription: Tools.\n---\nB\n")
    (root / "agents").mkdir()
    (root / "agents" / "helper.md").write_text("---\nname: helper\ndescription: Helps.\n---\nB\n")
    assert document_kind(str(root / "SKILL.md")) == (FileKind.SKILL, False)
    index = build_index([tmp_path / "project"], None)
    names = {(e.kind, e.scope, e.qualified_name) for e in index.files()}
    assert names == {
        (FileKind.SKILL, Scope.PROJECT, "my-tool"),
        (FileKind.AGENT, Scope.PLUGIN, "tools:helper"),
    }


@pytest.mark.parametrize(
    "path",
    [
        "/p/.claude/agents/a.md",
        "/p/.claude/agents/team/a.md",
        "/p/.claude/commands/go.md",
        "/p/.claude/skills/s/SKILL.md",
        "/p/.claude/skills/s/reference.md",
        "/p/README.md",
        "/p/CLAUDE.md",
        "/p/AGENTS.md",
        "/p/.claude/output-styles/terse.md",
        "/p/.claude/rules/api/types.md",
        "/p/.claude/output-styles/nested/not-a-style.md",
    ],
)
def test_the_index_and_the_editor_agree_on_every_layout(path: str) -> None:
    index = build_index([], None)
    placement = index.locate(path)
    kind, plugin = document_kind(path)
    expected = placement.kind if placement is not None else None
    assert kind is expected and plugin is False


# ---- Claude Code's JSON files ------------------------------------------------------------------


def test_json_files_claude_code_reads_have_a_kind_each(tmp_path: Path) -> None:
    plugin = tmp_path / "tools"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "deploy-tools"}', encoding="utf-8")
    expected = {
        plugin / ".claude-plugin" / "plugin.json": (FileKind.PLUGIN_MANIFEST, True),
        tmp_path / ".claude-plugin" / "marketplace.json": (FileKind.MARKETPLACE, False),
        plugin / "hooks" / "hooks.json": (FileKind.HOOKS, True),
        plugin / ".mcp.json": (FileKind.MCP_CONFIG, True),
        tmp_path / ".mcp.json": (FileKind.MCP_CONFIG, False),
        tmp_path / ".claude" / "settings.json": (FileKind.SETTINGS, False),
        tmp_path / ".claude" / "settings.local.json": (FileKind.SETTINGS, False),
    }
    for path, (kind, in_plugin) in expected.items():
        assert document_kind(str(path)) == (kind, in_plugin), path
        assert kind.is_json
    placement = locate(plugin / ".claude-plugin" / "plugin.json", manifests=True)
    assert placement is not None and placement.plugin == "deploy-tools" and placement.root == str(plugin)


@pytest.mark.parametrize(
    "relative",
    ["hooks/hooks.json", "package.json", ".claude/other.json", "settings.json", "x/.claude-plugin/other.json"],
)
def test_other_json_files_are_nothing(tmp_path: Path, relative: str) -> None:
    # `hooks/hooks.json` outside a plugin is not read by Claude Code.
    assert document_kind(str(tmp_path / relative)) == (None, False)


def test_a_mcp_json_is_one_where_claude_code_can_start_or_at_a_plugins_root(tmp_path: Path) -> None:
    # Claude Code reads the `.mcp.json` of its working folder and of every folder above it; a plugin's
    # comes from the plugin's root (tests/conformance/instructions_truth.json, `mcp-*`).
    plugin = tmp_path / "tools"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "deploy-tools"}', encoding="utf-8")
    assert document_kind(str(tmp_path / "sub" / "deeper" / ".mcp.json")) == (FileKind.MCP_CONFIG, False)
    assert document_kind(str(plugin / ".mcp.json")) == (FileKind.MCP_CONFIG, True)
    for relative in (
        ".claude/.mcp.json",
        ".claude/agents/.mcp.json",
        "tools/skills/deploy/.mcp.json",
        "tools/.claude-plugin/.mcp.json",
        "node_modules/pkg/.mcp.json",
    ):
        assert document_kind(str(tmp_path / relative)) == (None, False), relative


def test_the_index_classifier_leaves_json_files_out(tmp_path: Path) -> None:
    # The workspace index holds Markdown entries: JSON files are classified only when asked for.
    assert locate(tmp_path / ".mcp.json") is None
    assert locate(tmp_path / ".claude" / "settings.json") is None
    assert not FileKind.AGENT.is_json

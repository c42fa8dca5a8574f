"""A plugin's manifest can list its components elsewhere (`"agents": ["./custom/x.md"]`, `"commands": "./cmds/"`):
those files are the plugin's agents, commands, skills and output styles to the classifier, the index and
the cross-file checks alike."""

from __future__ import annotations

import json
from pathlib import Path

from agent_lsp.checks.crossfile import entry_findings
from agent_lsp.project.index import build_index
from agent_lsp.project.paths import FileKind, Scope, document_kind, ignored_default, locate


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _agent(path: Path, name: str, tools: str = "") -> Path:
    extra = f"tools: {tools}\n" if tools else ""
    return _write(path, f"---\nname: {name}\ndescription: Does {name}.\n{extra}---\nBody\n")


def _plugin(root: Path, manifest: dict[str, object]) -> Path:
    _write(root / ".claude-plugin" / "plugin.json", json.dumps({"name": "acme", **manifest}))
    return root


def test_listed_files_and_folders_are_the_plugins_components(tmp_path: Path) -> None:
    root = _plugin(
        tmp_path / "acme",
        {
            "agents": ["./custom/reviewer.md"],
            "commands": "./cmds/",
            "skills": ["./extra/"],
            "outputStyles": "./styles/",
        },
    )
    reviewer = _agent(root / "custom" / "reviewer.md", "reviewer")
    unlisted = _agent(root / "custom" / "other.md", "other")
    deploy = _write(root / "cmds" / "ops" / "deploy.md", "---\ndescription: Deploy.\n---\nGo\n")
    skill = _write(root / "extra" / "lint" / "SKILL.md", "---\nname: lint\ndescription: Lints.\n---\nB\n")
    style = _write(root / "styles" / "terse.md", "---\nname: Terse\ndescription: Short.\n---\nB\n")
    nested_style = _write(root / "styles" / "deeper" / "no.md", "---\nname: No\n---\nB\n")

    placement = locate(reviewer)
    assert placement is not None
    assert (placement.kind, placement.scope, placement.plugin, placement.root) == (
        FileKind.AGENT,
        Scope.PLUGIN,
        "acme",
        str(root),
    )
    assert locate(unlisted) is None  # `agents` lists files: a neighbour is nothing Claude Code loads
    assert document_kind(str(deploy)) == (FileKind.COMMAND, True)
    assert document_kind(str(skill)) == (FileKind.SKILL, True)
    assert document_kind(str(style)) == (FileKind.OUTPUT_STYLE, True)
    assert document_kind(str(nested_style)) == (None, False)

    index = build_index([tmp_path], None)
    found = {(e.kind, e.qualified_name) for e in index.files() if e.scope is Scope.PLUGIN}
    assert (FileKind.AGENT, "acme:reviewer") in found
    assert (FileKind.SKILL, "acme:lint") in found
    assert {e.path for e in index.files()} == {str(reviewer), str(deploy), str(skill), str(style)}


def test_a_manifest_path_leaving_the_plugin_or_without_dot_slash_names_nothing(tmp_path: Path) -> None:
    root = _plugin(tmp_path / "acme", {"agents": ["../outside/x.md", "custom/y.md"]})
    outside = _agent(tmp_path / "outside" / "x.md", "x")
    bare = _agent(root / "custom" / "y.md", "y")
    assert locate(outside) is None
    assert locate(bare) is None
    assert build_index([tmp_path / "acme"], None).files() == []


def test_cross_file_checks_see_listed_agents(tmp_path: Path) -> None:
    """Two listed agents of one name are duplicates, and `Agent(x)` finds a listed agent."""
    root = _plugin(tmp_path / "acme", {"agents": ["./custom/a.md", "./custom/b.md", "./custom/lead.md"]})
    first = _agent(root / "custom" / "a.md", "twin")
    _agent(root / "custom" / "b.md", "twin")
    lead = _agent(root / "custom" / "lead.md", "lead", "Agent(twin), Agent(ghost)")
    index = build_index([tmp_path], None)
    by_path = {e.path: e for e in index.files()}
    assert [f.code for f in entry_findings(by_path[str(first)], index)] == ["duplicate-agent-name"]
    unknown = [f for f in entry_findings(by_path[str(lead)], index) if f.code == "unknown-agent-type"]
    assert [lead.read_text()[f.span.start : f.span.end] for f in unknown] == ["ghost"]


def test_an_edited_manifest_is_read_again(tmp_path: Path) -> None:
    root = _plugin(tmp_path / "acme", {"agents": ["./custom/a.md"]})
    agent = _agent(root / "custom" / "b.md", "b")
    assert locate(agent) is None
    manifest = root / ".claude-plugin" / "plugin.json"
    manifest.write_text(json.dumps({"name": "acme", "agents": ["./custom/b.md"], "description": "longer now"}))
    placement = locate(agent)
    assert placement is not None and placement.kind is FileKind.AGENT


def test_listed_agents_commands_and_styles_replace_the_default_folders_and_skills_add(tmp_path: Path) -> None:
    # plugins-reference, "Path behavior rules": `agents`, `commands` and `outputStyles` replace the default
    # folder (a default path listed explicitly still loads); `skills` adds to the default `skills/`.
    root = _plugin(
        tmp_path / "acme",
        {"agents": ["./custom/a.md", "./agents/kept.md"], "commands": "./cmds/", "skills": "./extra/"},
    )
    listed = _agent(root / "custom" / "a.md", "twin")
    kept = _agent(root / "agents" / "kept.md", "kept")
    ignored = _agent(root / "agents" / "old.md", "twin")  # same name: Claude Code never sees it
    old_command = _write(root / "commands" / "old.md", "---\ndescription: Old.\n---\nGo\n")
    style = _write(root / "output-styles" / "terse.md", "---\nname: Terse\ndescription: Short.\n---\nB\n")
    default_skill = _write(root / "skills" / "fmt" / "SKILL.md", "---\nname: fmt\ndescription: F.\n---\nB\n")
    extra_skill = _write(root / "extra" / "lint" / "SKILL.md", "---\nname: lint\ndescription: L.\n---\nB\n")
    assert locate(ignored) is None and locate(old_command) is None
    assert ignored_default(ignored) == (str(root), "agents")
    assert ignored_default(old_command) == (str(root), "commands")
    assert ignored_default(kept) is None and ignored_default(style) is None
    assert document_kind(str(kept)) == (FileKind.AGENT, True)
    assert document_kind(str(style)) == (FileKind.OUTPUT_STYLE, True)  # no `outputStyles`: the default loads
    assert document_kind(str(default_skill)) == document_kind(str(extra_skill)) == (FileKind.SKILL, True)
    index = build_index([tmp_path], None)
    paths = {e.path for e in index.files()}
    assert paths == {str(listed), str(kept), str(style), str(default_skill), str(extra_skill)}
    by_path = {e.path: e for e in index.files()}
    assert entry_findings(by_path[str(listed)], index) == []  # the default folder's twin is not loaded


def test_the_index_places_a_plugins_files_again_when_its_manifest_changes(tmp_path: Path) -> None:
    root = _plugin(tmp_path / "acme", {})
    default = _agent(root / "agents" / "old.md", "old")
    custom = _agent(root / "custom" / "new.md", "new")
    elsewhere = _agent(tmp_path / ".claude" / "agents" / "project.md", "project")
    index = build_index([tmp_path], None)
    assert {e.path for e in index.files()} == {str(default), str(elsewhere)}
    manifest = root / ".claude-plugin" / "plugin.json"
    manifest.write_text(json.dumps({"name": "renamed", "agents": ["./custom/new.md"]}))
    assert index.refresh(str(manifest))
    assert {e.path for e in index.files()} == {str(custom), str(elsewhere)}
    assert {e.qualified_name for e in index.files() if e.scope is Scope.PLUGIN} == {"renamed:new"}
    manifest.unlink()  # no plugin any more: `agents/` is a collection's folder again
    assert index.remove(str(manifest))
    assert str(custom) not in {e.path for e in index.files()}

"""The index knows output styles (by name), rules and AGENTS.md; cross-file findings cover output-style names."""

from __future__ import annotations

from pathlib import Path

from agent_lsp.checks.crossfile import entry_findings
from agent_lsp.project.index import build_index
from agent_lsp.project.paths import FileKind, Scope


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_output_styles_rules_and_memory_files_are_indexed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _write(project / ".claude" / "output-styles" / "terse.md", "---\nname: Terse\n---\nBrief.\n")
    _write(project / ".claude" / "output-styles" / "plain.md", "Plain.\n")
    _write(project / ".claude" / "rules" / "api" / "types.md", "---\npaths: src/**\n---\nTypes.\n")
    _write(project / "AGENTS.md", "# Agents\n")
    plugin = project / "tools"
    _write(plugin / ".claude-plugin" / "plugin.json", '{"name": "tools"}')
    _write(plugin / "output-styles" / "review.md", "---\ndescription: Reviews.\n---\nReview.\n")
    user = tmp_path / "home" / ".claude"
    _write(user / "output-styles" / "mine.md", "Mine.\n")
    index = build_index([project], user)
    found = {(e.kind, e.scope, e.qualified_name) for e in index.files() if e.kind is not FileKind.MEMORY}
    assert found == {
        (FileKind.OUTPUT_STYLE, Scope.PROJECT, "Terse"),
        (FileKind.OUTPUT_STYLE, Scope.PROJECT, "plain"),
        (FileKind.OUTPUT_STYLE, Scope.PLUGIN, "tools:review"),
        (FileKind.OUTPUT_STYLE, Scope.USER, "mine"),
        (FileKind.RULE, Scope.PROJECT, None),
    }
    assert [Path(e.path).name for e in index.files(FileKind.MEMORY)] == ["AGENTS.md"]


def test_two_styles_of_one_folder_with_one_name(tmp_path: Path) -> None:
    project = tmp_path / "project"
    styles = project / ".claude" / "output-styles"
    _write(styles / "terse.md", "---\nname: Terse\n---\nBrief.\n")
    _write(styles / "brief.md", "---\nname: Terse\n---\nBrief too.\n")
    user = tmp_path / "home" / ".claude"
    _write(user / "output-styles" / "terse.md", "Mine.\n")  # another scope: not a duplicate
    index = build_index([project], user)
    entry = index.get(str(styles / "brief.md"))
    assert entry is not None
    [finding] = entry_findings(entry, index)
    assert finding.code == "duplicate-output-style" and finding.data["others"] == [str(styles / "terse.md")]
    assert entry.text[finding.span.start : finding.span.end] == "Terse"
    (styles / "brief.md").write_text("---\nname: Brief\n---\nBrief too.\n", encoding="utf-8")
    index.refresh(str(styles / "brief.md"))
    fresh = index.get(str(styles / "brief.md"))
    assert fresh is not None and entry_findings(fresh, index) == []

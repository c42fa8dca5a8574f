"""Memory-file imports in the editor: links, the import under the cursor, hover and path completion."""

from __future__ import annotations

from pathlib import Path

from agent_lsp.features import memory


def _project(tmp_path: Path) -> Path:
    (tmp_path / "docs" / "api").mkdir(parents=True)
    (tmp_path / "docs" / "style.md").write_text("# Style\n" + "".join(f"line {i}\n" for i in range(30)))
    (tmp_path / "docs" / "diagram.png").write_bytes(b"\x89PNG")
    claude = tmp_path / "CLAUDE.md"
    claude.write_text("")
    return claude


def test_links_skip_code_and_missing_files(tmp_path: Path) -> None:
    path = str(_project(tmp_path))
    text = "@docs/style.md and `@docs/style.md` and @docs/gone.md\n"
    found = memory.links(text, path)
    assert [(text[link.span.start : link.span.end], link.target) for link in found] == [
        ("docs/style.md", str(tmp_path / "docs" / "style.md"))
    ]
    assert memory.link_at(text, path, len("@docs/style.md")) == found[0]  # just after it
    assert memory.link_at(text, path, len(text) - 3) is None


def test_hover_shows_the_first_lines(tmp_path: Path) -> None:
    path = str(_project(tmp_path))
    shown = memory.hover("See @docs/style.md\n", path, 8)
    assert shown is not None
    text, span = shown
    assert "# Style" in text and "line 10" in text and "line 11" not in text and text.rstrip().endswith("```")
    assert (span.start, span.end) == (5, 18)


def test_completion_lists_folders_and_text_files(tmp_path: Path) -> None:
    path = str(_project(tmp_path))
    text = "Read @docs/"
    found = memory.complete(text, path, len(text))
    assert found is not None
    span, items = found
    assert (span.start, span.end) == (6, len(text))
    assert [(i.label, i.is_dir) for i in items] == [("docs/api/", True), ("docs/style.md", False)]
    top = memory.complete("@", path, 1)
    assert top is not None and [i.label for i in top[1]] == ["docs/"]  # not the file itself
    assert memory.complete("mail me@", path, 8) is None


def _fixes(path: str, text: str, kind: str) -> list[tuple[str, str]]:
    from lsprotocol import types

    from agent_lsp.checks.findings import AgentContext
    from agent_lsp.checks.validate import find_problems
    from agent_lsp.features.actions import apply_edits, code_actions
    from agent_lsp.features.diagnostics import to_diagnostic
    from agent_lsp.syntax.frontmatter import parse_agent
    from agent_lsp.syntax.text import PositionMapper

    parsed = parse_agent(text)
    context = AgentContext(path, kind=kind)
    found = find_problems(parsed, context)
    mapper = PositionMapper(parsed.index)
    everything = types.Range(types.Position(0, 0), types.Position(parsed.index.line_count, 0))
    actions = code_actions(
        parsed,
        found,
        context,
        uri="file://" + path,
        mapper=mapper,
        request=everything,
        sent=[to_diagnostic(f, mapper) for f in found],
        only=[types.CodeActionKind.QuickFix.value],
    )
    out = []
    for action in actions:
        assert action.edit is not None and action.edit.changes is not None
        edits = next(iter(action.edit.changes.values()))
        start = [mapper.offset(e.range.start.line, e.range.start.character) for e in edits]
        end = [mapper.offset(e.range.end.line, e.range.end.character) for e in edits]
        from agent_lsp.features.actions import Edit
        from agent_lsp.syntax.text import Span

        fixed = apply_edits(text, [Edit(Span(s, e), x.new_text) for s, e, x in zip(start, end, edits, strict=True)])
        out.append((action.title, fixed))
    return out


def test_a_cursor_rule_key_becomes_paths_and_a_user_style_loses_force_for_plugin(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.ts").write_text("")
    rule = str(tmp_path / ".claude" / "rules" / "ts.md")
    fixes = _fixes(rule, "---\nglobs: src/**/*.ts\n---\nStrict types.\n", "rule")
    assert fixes[0] == ("Rename `globs` to `paths`", "---\npaths: src/**/*.ts\n---\nStrict types.\n")
    assert fixes[1] == ("Remove `globs`", "---\n---\nStrict types.\n")
    style = str(tmp_path / ".claude" / "output-styles" / "terse.md")
    style_fixes = _fixes(style, "---\nname: Terse\nforce-for-plugin: true\n---\nBrief.\n", "output-style")
    # The suppression actions ("Ignore … (agent-lsp only)") come with every finding; the fixes are the rest.
    assert [fix for fix in style_fixes if not fix[0].startswith("Ignore ")] == [
        ("Remove `force-for-plugin`", "---\nname: Terse\n---\nBrief.\n")
    ]

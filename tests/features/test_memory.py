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

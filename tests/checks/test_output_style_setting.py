"""`outputStyle` in a settings file names a built-in style, one of the workspace's or the user's, or a
plugin's: any other name is reported on the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_lsp import check as cli
from agent_lsp.checks.crossfile import settings_findings
from agent_lsp.project.index import build_index
from agent_lsp.syntax.jsondoc import parse_json


def _style(folder: Path, file: str, name: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    head = f"name: {name}\n" if name else ""
    (folder / file).write_text(f"---\n{head}description: A style.\n---\nAnswer.\n")


def _found(text: str, root: Path, user: Path | None = None) -> list[tuple[str, str, object]]:
    index = build_index([root], user)
    return [
        (f.code, text[f.span.start : f.span.end], f.data.get("replacement"))
        for f in settings_findings(parse_json(text), index)
    ]


def test_an_unknown_name_is_reported_on_the_value_with_the_closest_name(tmp_path: Path) -> None:
    _style(tmp_path / ".claude" / "output-styles", "terse.md")
    assert _found('{"outputStyle": "trese"}', tmp_path) == [("unknown-output-style", "trese", "terse")]


@pytest.mark.parametrize("name", ["terse", "Brief", "mine", "default", "Explanatory", "Learning", "other:thing"])
def test_known_names_pass(tmp_path: Path, name: str) -> None:
    """Project styles by file name or `name`, the user's, the built-ins, and a plugin outside the workspace."""
    _style(tmp_path / "p" / ".claude" / "output-styles", "terse.md")
    _style(tmp_path / "p" / ".claude" / "output-styles", "short.md", "Brief")
    _style(tmp_path / "home" / ".claude" / "output-styles", "mine.md")
    assert _found(f'{{"outputStyle": "{name}"}}', tmp_path / "p", tmp_path / "home" / ".claude") == []


def test_a_plugin_style_of_the_workspace_is_named_with_its_plugin(tmp_path: Path) -> None:
    plugin = tmp_path / "acme"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "acme"}')
    _style(plugin / "output-styles", "calm.md")
    assert _found('{"outputStyle": "acme:calm"}', tmp_path) == []
    assert [c for c, _, _ in _found('{"outputStyle": "acme:loud"}', tmp_path)] == ["unknown-output-style"]


def test_no_setting_or_not_text_is_left_alone(tmp_path: Path) -> None:
    assert _found('{"model": "opus"}', tmp_path) == []
    assert _found('{"outputStyle": 3}', tmp_path) == []
    assert _found("[1, 2", tmp_path) == []


def test_check_reports_it_on_a_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _style(tmp_path / ".claude" / "output-styles", "terse.md")
    (tmp_path / ".claude" / "settings.json").write_text('{\n  "outputStyle": "trese"\n}\n')
    cli.run_check([str(tmp_path / ".claude"), "--user-dir", str(tmp_path / "nouser")])
    out = capsys.readouterr().out
    assert "settings.json:2:19: warning unknown-output-style" in out

"""The README's editor snippets, exactly as written, for the editor tests that run them."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The agent file the editor tests open: one finding (`color: gold`, line 5, column 8).
AGENT = "---\nname: painter\ndescription: Paints things\ntools: Read, Glob\ncolor: gold\n---\nYou paint.\n"


def readme_snippet(heading: str, language: str) -> str:
    """The first ```language block after the README text `heading`, exactly as written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(heading)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(readme, start)
    assert match is not None, f"no {language} block after {heading!r}"
    return match.group(1)

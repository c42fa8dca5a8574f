"""Which files are Claude Code agent files, judged by path.

Helix, Emacs and Zed attach a Markdown language server to every `.md` file, so
the server must stay silent on a project's README: only files under an
`agents` folder of `.claude/` (project or user scope), of a plugin, or matching
the user's extra globs are agent files.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse


def uri_to_path(uri: str) -> str | None:
    parsed = urlparse(uri)
    if parsed.scheme not in ("file", ""):
        return None
    path = unquote(parsed.path)
    if len(path) > 2 and path[0] == "/" and path[2] == ":":  # file:///C:/...
        path = path[1:]
    return path


def _parts(path: str) -> tuple[str, ...]:
    return PurePosixPath(path.replace("\\", "/")).parts


def is_markdown(path: str) -> bool:
    return path.lower().endswith(".md")


def is_claude_agent_path(path: str) -> bool:
    """`.../.claude/agents/**/*.md` (project, user and managed scopes)."""
    parts = _parts(path)
    for i in range(len(parts) - 2):
        if parts[i] == ".claude" and parts[i + 1] == "agents":
            return is_markdown(path)
    return False


def plugin_root(path: str, exists: bool = True) -> Path | None:
    """The plugin folder when the file sits in a plugin's `agents/` directory.

    A plugin is a folder with `.claude-plugin/plugin.json`, or (when `exists` is
    False, for paths not on disk) any `agents/` folder outside `.claude/`.
    """
    parts = _parts(path)
    if ".claude" in parts:
        return None
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] != "agents":
            continue
        root = Path(*parts[:i]) if i else Path(".")
        if not exists or (root / ".claude-plugin" / "plugin.json").is_file():
            return root
    return None


def matches_globs(path: str, globs: Iterable[str]) -> bool:
    posix = path.replace("\\", "/")
    return any(fnmatch.fnmatch(posix, g) or fnmatch.fnmatch(posix, f"*/{g.lstrip('/')}") for g in globs)


def classify(path: str | None, extra_globs: Sequence[str] = ()) -> tuple[bool, bool]:
    """(is an agent file, is a plugin agent) for a path."""
    if path is None or not is_markdown(path):
        return False, False
    if is_claude_agent_path(path):
        return True, False
    if plugin_root(path) is not None:
        return True, True
    if extra_globs and matches_globs(path, extra_globs):
        return True, False
    return False, False

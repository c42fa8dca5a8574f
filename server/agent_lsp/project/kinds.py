"""Which files are Claude Code agent, skill and command files, judged by path.

Helix, Emacs and Zed attach a Markdown language server to every `.md` file, so
the server must stay silent on a project's README. Only these are analysed:
- agents: `.md` files under an `agents` folder of `.claude/` (project, user or
  managed scope), under a plugin's `agents/`, or matching the user's extra globs;
- skills: `SKILL.md` directly inside a skill folder of `.claude/skills/`, inside
  `<plugin>/skills/<name>/`, or at a plugin's root;
- commands: `.md` files anywhere under `.claude/commands/` or `<plugin>/commands/`.

A plugin is a folder holding `.claude-plugin/plugin.json` (plugins-reference);
a folder in `.claude/skills/` with that manifest is a plugin too
(`<name>@skills-dir`), so its `agents/`, `skills/` and `commands/` count as a
plugin's. A skill folder's other Markdown files (`reference.md`, a README) are
supporting files, not skills, and get nothing.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from enum import Enum
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


class DocumentKind(str, Enum):
    """The kinds of Markdown file agent-lsp understands; the value names the kind's schema."""

    AGENT = "agent"
    SKILL = "skill"
    COMMAND = "command"


SKILL_FILE = "SKILL.md"


def _is_plugin(root: Path) -> bool:
    return (root / ".claude-plugin" / "plugin.json").is_file()


def _claude_kind(parts: tuple[str, ...]) -> tuple[DocumentKind | None, bool]:
    """Kind of a path inside `.claude/` (the last `.claude` folder of the path counts)."""
    i = max(n for n, part in enumerate(parts) if part == ".claude")
    rest = parts[i + 1 :]
    if len(rest) >= 2 and rest[0] == "commands":
        return DocumentKind.COMMAND, False
    if len(rest) == 3 and rest[0] == "skills" and rest[2] == SKILL_FILE:
        return DocumentKind.SKILL, False
    if len(rest) >= 4 and rest[0] == "skills" and _is_plugin(Path(*parts[: i + 3])):
        # A skills-directory plugin: `.claude/skills/<plugin>/{agents,skills,commands}/...`.
        return _plugin_component(rest[2:])
    if len(rest) >= 2 and rest[0] == "agents":
        return DocumentKind.AGENT, False
    return None, False


def _plugin_component(rest: tuple[str, ...]) -> tuple[DocumentKind | None, bool]:
    """Kind of a path relative to a plugin's root."""
    if rest == (SKILL_FILE,):
        return DocumentKind.SKILL, True
    if len(rest) >= 2 and rest[0] == "agents":
        return DocumentKind.AGENT, True
    if len(rest) >= 2 and rest[0] == "commands":
        return DocumentKind.COMMAND, True
    if len(rest) == 3 and rest[0] == "skills" and rest[2] == SKILL_FILE:
        return DocumentKind.SKILL, True
    return None, False


def _plugin_kind(parts: tuple[str, ...]) -> tuple[DocumentKind | None, bool]:
    """Kind of a skill or command file in a plugin on disk (plugin agents are `plugin_root`'s)."""
    for i in range(len(parts) - 1, -1, -1):
        root = Path(*parts[:i]) if i else Path(".")
        if i and _is_plugin(root):
            kind, plugin = _plugin_component(parts[i:])
            if kind in (DocumentKind.SKILL, DocumentKind.COMMAND):
                return kind, plugin
            return None, False
    return None, False


def kind_of(path: str | None, extra_globs: Sequence[str] = ()) -> tuple[DocumentKind | None, bool]:
    """(the file's kind, or None for any other file; whether it belongs to a plugin)."""
    if path is None or not is_markdown(path):
        return None, False
    parts = _parts(path)
    if ".claude" in parts[:-1]:
        kind, plugin = _claude_kind(parts)
        if kind is not None:
            return kind, plugin
    is_agent, plugin = classify(path, extra_globs)
    if is_agent:
        return DocumentKind.AGENT, plugin
    if ".claude" not in parts[:-1]:
        return _plugin_kind(parts)
    return None, False

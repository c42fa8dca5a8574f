"""What a path is to Claude Code: the one classifier, plugin names, the user's folder, and the walk that finds them.

Helix, Emacs and Zed attach a Markdown language server to every `.md` file, so the server must
stay silent on a project's README. These are the files Claude Code loads, judged by path:
- agents: `.md` files under an `agents` folder of `.claude/` (project, user or managed scope) or
  of a plugin, and any Markdown file the user's `agentGlobs` name;
- skills: `SKILL.md` directly inside a skill folder of `.claude/skills/` or `<plugin>/skills/`,
  or at a plugin's root;
- commands: `.md` files anywhere under `.claude/commands/` or `<plugin>/commands/`;
- output styles: `.md` files under `.claude/output-styles/` or `<plugin>/output-styles/`;
- rules: `.md` files anywhere under `.claude/rules/`;
- memory files: `CLAUDE.md`, `CLAUDE.local.md` and `AGENTS.md` (in a folder or its `.claude/`), which
  register no name but import files (`@path`) and mention agents;
- outside `.claude/` and plugins (a collection of agents, a marketplace whose plugins have no
  `plugin.json`): any `SKILL.md` is a skill, and `.md` files under a folder called `commands` or
  `agents` are commands or agents (`_in_collection` says which, and what the collection's root is).

A plugin is a folder holding `.claude-plugin/plugin.json` (plugins-reference); a folder in
`.claude/skills/` with that manifest is a plugin too (`<name>@skills-dir`), so its `agents/`,
`skills/` and `commands/` count as a plugin's (its own `SKILL.md` stays the project skill of
that folder). A skill folder's other Markdown files (`reference.md`, a README) are supporting
files, not skills, and get nothing.

Every question "what is this file" (the editor's documents, `agent-lsp check`, the index) is
answered by `locate`; `document_kind` is its answer for a document the editor serves.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from agent_lsp.project import disk

MEMORY_FILES = ("CLAUDE.md", "CLAUDE.local.md", "AGENTS.md")
SKILL_FILE = "SKILL.md"
MAX_DIRECTORIES = 50_000  # a walk stops here: a workspace holding more folders is not worth scanning whole
MAX_FILES = 20_000  # files a walk yields at most (a 10,000-agent marketplace fits, with room)
# Folders never worth walking into for `.claude/` or plugin folders.
SKIP_DIRS = frozenset(
    {"node_modules", "__pycache__", "venv", "site-packages", "dist", "build", "target", "vendor", "worktrees"}
)
_COMPONENT_DIRS = ("agents", "skills", "commands", "output-styles")


class FileKind(str, Enum):
    """What a file is to Claude Code; the value names the kind's schema (`schemas/<value>.schema.json`)."""

    AGENT = "agent"
    SKILL = "skill"
    COMMAND = "command"
    MEMORY = "memory"  # a CLAUDE.md or AGENTS.md: it names no entry; it imports files and mentions agents
    OUTPUT_STYLE = "output-style"
    RULE = "rule"
    # Claude Code's JSON files (each value names the kind's schema, see schema/documents.py).
    PLUGIN_MANIFEST = "plugin-manifest"  # <plugin>/.claude-plugin/plugin.json
    MARKETPLACE = "marketplace"  # <marketplace>/.claude-plugin/marketplace.json
    MCP_CONFIG = "mcp"  # a project's or a plugin's .mcp.json
    HOOKS = "hooks"  # <plugin>/hooks/hooks.json
    SETTINGS = "settings"  # .claude/settings.json, .claude/settings.local.json, ~/.claude/settings.json

    @property
    def is_json(self) -> bool:
        return self in _JSON_KINDS


_JSON_KINDS = frozenset(
    {FileKind.PLUGIN_MANIFEST, FileKind.MARKETPLACE, FileKind.MCP_CONFIG, FileKind.HOOKS, FileKind.SETTINGS}
)
SETTINGS_FILES = ("settings.json", "settings.local.json")


class Scope(str, Enum):
    PROJECT = "project"
    USER = "user"
    PLUGIN = "plugin"


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a file stands for Claude Code: which kind of file, in which scope, grouped with what."""

    kind: FileKind
    scope: Scope
    root: str  # the project folder holding `.claude/`, the user's home, or the plugin folder
    group: str  # files loaded together: `.claude/agents`, `.claude/skills`..., or the plugin's component folder
    plugin: str | None = None  # the plugin's name, for plugin files
    skill_dir: str | None = None  # a skill's folder name


def uri_to_path(uri: str) -> str | None:
    parsed = urlparse(uri)
    if parsed.scheme not in ("file", ""):
        return None
    path = unquote(parsed.path)
    if len(path) > 2 and path[0] == "/" and path[2] == ":":  # file:///C:/...
        path = path[1:]
    return path


def default_user_dir() -> Path | None:
    """The user's `~/.claude` folder (None when there is no home to speak of)."""
    try:
        return Path.home() / ".claude"
    except (RuntimeError, KeyError):
        return None


def matches_globs(path: str, globs: Iterable[str]) -> bool:
    posix = path.replace("\\", "/")
    return any(fnmatch.fnmatch(posix, g) or fnmatch.fnmatch(posix, f"*/{g.lstrip('/')}") for g in globs)


def within(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or lies below it (by their text: no file system look-up)."""
    try:
        Path(path).relative_to(folder)
    except ValueError:
        return False
    return True


def is_plugin(folder: str | Path) -> bool:
    return os.path.isfile(os.path.join(folder, ".claude-plugin", "plugin.json"))


# What `locate` reads of a plugin's manifest, by the manifest's path with the stamp it was read at: its
# name, and the component paths it lists. `locate` asks for them for every plugin file it classifies,
# and the manifest is read again only when it changed.
_MANIFESTS: dict[str, tuple[int, str, tuple[tuple[FileKind, str], ...], frozenset[str]]] = {}

# Manifest fields that point at a plugin's Markdown components (plugins-reference: component path fields).
_CUSTOM_FIELDS = (
    ("agents", FileKind.AGENT),
    ("commands", FileKind.COMMAND),
    ("skills", FileKind.SKILL),
    ("outputStyles", FileKind.OUTPUT_STYLE),
)


# The default folders a manifest's field replaces when the field is there (plugins-reference, "Path
# behavior rules": `agents`, `commands` and `outputStyles` replace theirs; `skills` adds to `skills/`).
REPLACED_DEFAULTS = {"agents": "agents", "commands": "commands", "outputStyles": "output-styles"}


def _manifest(root: Path) -> tuple[str, tuple[tuple[FileKind, str], ...], frozenset[str]]:
    manifest = os.path.join(root, ".claude-plugin", "plugin.json")
    try:
        stamp = disk.stamp_of(os.stat(manifest))
    except OSError:
        return root.name, (), frozenset()
    known = _MANIFESTS.get(manifest)
    if known is not None and known[0] == stamp:
        return known[1], known[2], known[3]
    data = disk.read_json(manifest, disk.real_roots([root]))  # the plugin's own manifest, not a link out of it
    name = data.get("name") if isinstance(data, dict) else None
    found = name.strip() if isinstance(name, str) and name.strip() else root.name
    custom = _custom_paths(root, data) if isinstance(data, dict) else ()
    replaced = frozenset(
        folder
        for field, folder in REPLACED_DEFAULTS.items()
        if isinstance(data, dict) and isinstance(data.get(field), (str, list))
    )
    if len(_MANIFESTS) >= 256:
        _MANIFESTS.clear()
    _MANIFESTS[manifest] = (stamp, found, custom, replaced)
    return found, custom, replaced


def _custom_paths(root: Path, data: dict[str, Any]) -> tuple[tuple[FileKind, str], ...]:
    """The files and folders the manifest's component fields list, each with its kind: only paths
    Claude Code accepts (`./` relative, `.` for skills) that stay inside the plugin."""
    found: list[tuple[FileKind, str]] = []
    base = os.path.normpath(str(root))
    for field, kind in _CUSTOM_FIELDS:
        value = data.get(field)
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for item in items[:64]:  # a manifest listing thousands of paths gets the first ones
            if not isinstance(item, str):
                continue
            text = item.strip()
            if not (text.startswith("./") or (text == "." and kind is FileKind.SKILL)):
                continue
            target = os.path.normpath(os.path.join(base, text))
            if within(target, base) and (kind, target) not in found:
                found.append((kind, target))
    return tuple(found)


def plugin_name(root: Path) -> str:
    """The `name` in the plugin's manifest, else its folder's name."""
    return _manifest(root)[0]


def plugin_components(root: Path) -> tuple[tuple[FileKind, str], ...]:
    """The component files and folders a plugin's manifest lists (`"agents": ["./custom/x.md"]`,
    `"commands": "./cmds/"`), each with the kind of file it holds, as normalised paths."""
    return _manifest(root)[1]


def replaced_defaults(root: Path) -> frozenset[str]:
    """The default component folders (`agents`, `commands`, `output-styles`) the plugin's manifest
    replaces with paths of its own: Claude Code does not scan them."""
    return _manifest(root)[2]


def ignored_default(path: str | Path) -> tuple[str, str] | None:
    """For a Markdown file in a plugin's default component folder that the manifest replaces (and does not
    list itself): (the plugin's root, the manifest field). Claude Code does not load such a file."""
    parts = _parts(path)
    for i in range(len(parts) - 2, 0, -1):
        if parts[i] not in REPLACED_DEFAULTS.values():
            continue
        root = Path(*parts[:i])
        if is_plugin(root) and parts[i] in replaced_defaults(root) and locate(path) is None:
            field = next(f for f, folder in REPLACED_DEFAULTS.items() if folder == parts[i])
            return str(root), field
    return None


def _parts(path: str | Path) -> tuple[str, ...]:
    """The path's parts as `Path.parts` gives them. Backslashes count as separators on every platform:
    a Windows path handed over in a URI or a test reads the same."""
    text = str(path).replace("\\", "/")
    if os.sep != "/":
        return Path(text).parts
    # On POSIX, splitting the string is several times cheaper than making a Path: every new version
    # of an open document is classified again.
    text = os.path.normpath(text)
    if text == ".":
        return ()
    if text.startswith("/"):
        return ("/", *text.lstrip("/").split("/")) if text.strip("/") else ("/",)
    return tuple(text.split("/"))


def locate(
    path: str | Path,
    user_dir: Path | None = None,
    *,
    agent_globs: Sequence[str] = (),
    plugins: dict[tuple[str, ...], bool] | None = None,
    manifests: bool = False,
) -> Placement | None:
    """What a file is to Claude Code, judged by where it stands (None: nothing Claude Code loads).

    `user_dir` (the user's `~/.claude`) tells the user's files from a project's; `agent_globs` (the
    user's setting) make a Markdown file that is nothing else an agent; `plugins` remembers which
    folders hold a plugin manifest across the calls of one scan (each file would otherwise look for
    one in every folder above it). JSON files (manifests, `.mcp.json`, hooks, settings) are
    classified only with `manifests`: the workspace index holds Markdown entries alone."""
    parts = _parts(path)
    if not parts:
        return None
    name = parts[-1]
    if name.endswith(".json"):
        return _json_file(parts, user_dir, plugins) if manifests else None
    is_memory = name in MEMORY_FILES
    if not is_memory and not name.lower().endswith(".md"):
        return None
    found = _in_plugin(parts, plugins) or _in_claude(parts, user_dir) or _in_collection(parts)
    if found is _NOT_LOADED:
        return None
    if found is not None:
        return found
    parent = Path(*parts[:-1]) if len(parts) > 1 else Path(".")
    if is_memory:
        folder = parent.parent if parent.name == ".claude" else parent
        scope = Scope.USER if user_dir is not None and parent == user_dir else Scope.PROJECT
        return Placement(FileKind.MEMORY, scope, str(folder), str(parent))
    if agent_globs and matches_globs(str(path), agent_globs):
        return Placement(FileKind.AGENT, Scope.PROJECT, str(parent), str(parent))
    return None


def _json_file(
    parts: tuple[str, ...], user_dir: Path | None, plugins: dict[tuple[str, ...], bool] | None
) -> Placement | None:
    """A JSON file Claude Code reads: a plugin's or marketplace's manifest, `.mcp.json`, a plugin's
    `hooks/hooks.json`, or a settings file of a `.claude/` folder."""
    name, parent = parts[-1], parts[-2] if len(parts) > 1 else ""
    folder = os.path.join(*parts[:-2]) if len(parts) > 2 else "."
    if parent == ".claude-plugin" and name in ("plugin.json", "marketplace.json"):
        if name == "marketplace.json":
            return Placement(FileKind.MARKETPLACE, Scope.PROJECT, folder, os.path.join(*parts[:-1]))
        return Placement(
            FileKind.PLUGIN_MANIFEST, Scope.PLUGIN, folder, os.path.join(*parts[:-1]), plugin_name(Path(folder))
        )
    if parent == ".claude" and name in SETTINGS_FILES:
        claude_dir = os.path.join(*parts[:-1])
        scope = Scope.USER if user_dir is not None and claude_dir == str(user_dir) else Scope.PROJECT
        return Placement(FileKind.SETTINGS, scope, folder, claude_dir)
    if name == "hooks.json" and parent == "hooks":
        key = parts[:-2]
        found = plugins.get(key) if plugins is not None else None
        if found is None:
            found = bool(key) and is_plugin(os.path.join(*key))
        if found:
            return Placement(FileKind.HOOKS, Scope.PLUGIN, folder, os.path.join(*parts[:-1]), plugin_name(Path(folder)))
        return None
    if name == ".mcp.json":
        return _mcp_config(parts, plugins)
    return None


# Folders Claude Code never starts in, so never reads a `.mcp.json` of: its own configuration folders, a
# clone's history and installed packages.
_NO_MCP_CONFIG = frozenset({".claude", ".claude-plugin", ".git", "node_modules"})


def _mcp_config(parts: tuple[str, ...], plugins: dict[tuple[str, ...], bool] | None) -> Placement | None:
    """A `.mcp.json` Claude Code reads: a plugin's, at the plugin's root; a project's, in any folder it may
    start in (it reads the one of its working folder and of every folder above it; the pinned binary,
    tests/conformance/instructions_truth.json `mcp-locations`, `mcp-working-folder`), so not inside a
    `.claude/` folder, nor below a plugin's root (a plugin's subfolders are not where Claude Code runs)."""
    here = os.path.join(*parts[:-1]) if len(parts) > 1 else "."
    if is_plugin(here):
        return Placement(FileKind.MCP_CONFIG, Scope.PLUGIN, here, here, plugin_name(Path(here)))
    if any(part in _NO_MCP_CONFIG for part in parts[:-1]):
        return None
    for i in range(len(parts) - 2, 0, -1):  # a plugin above: the file lies in one of its subfolders
        if _is_plugin_folder(parts[:i], plugins):
            return None
    return Placement(FileKind.MCP_CONFIG, Scope.PROJECT, here, here)


def _is_plugin_folder(key: tuple[str, ...], plugins: dict[tuple[str, ...], bool] | None) -> bool:
    """`is_plugin` of the folder `key`, remembered in `plugins` (one walk asks the same folders again)."""
    found = plugins.get(key) if plugins is not None else None
    if found is None:
        found = is_plugin(os.path.join(*key))
        if plugins is not None:
            plugins[key] = found
    return found


# What `_in_plugin` answers for a file of a default folder the plugin's manifest replaces: not loaded, and
# not a collection's file either (`locate` answers None).
_NOT_LOADED = Placement(FileKind.AGENT, Scope.PLUGIN, "", "")


def _in_plugin(parts: tuple[str, ...], plugins: dict[tuple[str, ...], bool] | None) -> Placement | None:
    """A component of the nearest plugin above the file (skills-directory plugins live in `.claude/skills/`).

    A file in a `.claude/` folder belongs to that folder unless a plugin lives inside it, so the
    search for a manifest stops there (and a project agent costs no look-up at all)."""
    claude = [n for n, part in enumerate(parts[:-1]) if part == ".claude"]
    stop = claude[-1] + 1 if claude else 0
    for i in range(len(parts) - 1, stop, -1):
        if parts[i - 1] in _COMPONENT_DIRS:
            continue
        key = parts[:i]
        if not _is_plugin_folder(key, plugins):
            continue
        folder = Path(*key)
        rest = parts[i:]
        if rest[0] in REPLACED_DEFAULTS.values() and rest[0] in replaced_defaults(folder):
            rest = ()  # the manifest's own paths replace this default folder: only what they list loads
        if len(rest) >= 2 and rest[0] in ("agents", "commands"):
            kind, group, skill_dir = (
                (FileKind.AGENT if rest[0] == "agents" else FileKind.COMMAND),
                folder / rest[0],
                None,
            )
        elif len(rest) == 3 and rest[0] == "skills" and rest[2] == SKILL_FILE:
            kind, group, skill_dir = FileKind.SKILL, folder / "skills", rest[1]
        elif len(rest) == 2 and rest[0] == "output-styles" and rest[1].lower().endswith(".md"):
            kind, group, skill_dir = FileKind.OUTPUT_STYLE, folder / rest[0], None
        elif rest == (SKILL_FILE,) and key[-3:-1] != (".claude", "skills"):
            kind, group, skill_dir = FileKind.SKILL, folder, folder.name
        else:
            custom = _custom_component(folder, parts)
            if custom is None and not rest:
                return _NOT_LOADED
            if custom is None:
                return None  # inside a plugin but not one of its components: maybe its own `.claude/` folder
            kind, group, skill_dir = custom
        return Placement(kind, Scope.PLUGIN, str(folder), str(group), plugin_name(folder), skill_dir)
    return None


def _custom_component(folder: Path, parts: tuple[str, ...]) -> tuple[FileKind, Path, str | None] | None:
    """A file that a component path of the plugin's manifest names: a listed file, a Markdown file
    below a listed `commands` folder (directly in a listed `outputStyles` folder), or a `SKILL.md`
    in a listed skills folder or one level below it. Agents are listed as files only."""
    path = os.path.join(*parts)
    parent = os.path.dirname(path)
    for kind, target in plugin_components(folder):
        if kind is FileKind.SKILL:
            if parts[-1] != SKILL_FILE:
                continue
            if parent == target:
                return kind, Path(os.path.dirname(target)), os.path.basename(target)
            if os.path.dirname(parent) == target:
                return kind, Path(target), os.path.basename(parent)
        elif path == target:
            return kind, Path(parent), None
        elif (kind is FileKind.COMMAND and path != target and within(path, target)) or (
            kind is FileKind.OUTPUT_STYLE and parent == target
        ):
            return kind, Path(target), None
    return None


def _in_claude(parts: tuple[str, ...], user_dir: Path | None) -> Placement | None:
    """An agent, skill or command of a `.claude/` folder (the last one of the path counts)."""
    claude = [i for i, part in enumerate(parts[:-1]) if part == ".claude"]
    if not claude:
        return None
    i = claude[-1]
    rest = parts[i + 1 :]
    if len(rest) >= 2 and rest[0] in ("agents", "commands"):
        kind, skill_dir = (FileKind.AGENT if rest[0] == "agents" else FileKind.COMMAND), None
    elif len(rest) == 3 and rest[0] == "skills" and rest[2] == SKILL_FILE:
        kind, skill_dir = FileKind.SKILL, rest[1]
    elif len(rest) == 2 and rest[0] == "output-styles" and rest[1].lower().endswith(".md"):
        kind, skill_dir = FileKind.OUTPUT_STYLE, None
    elif len(rest) >= 2 and rest[0] == "rules" and rest[-1].lower().endswith(".md"):
        kind, skill_dir = FileKind.RULE, None
    else:
        return None
    # Strings rather than Path objects: every new version of an open document is classified again.
    claude_dir = os.path.join(*parts[: i + 1])
    scope = Scope.USER if user_dir is not None and claude_dir == str(user_dir) else Scope.PROJECT
    root = os.path.join(*parts[:i]) if i else "."
    return Placement(kind, scope, root, os.path.join(claude_dir, rest[0]), None, skill_dir)


# Files kept beside components that document them rather than define anything (a collection's README,
# a changelog in an agents folder): Claude Code ignores them, and so do the checks.
DOCUMENTATION_FILES = frozenset({"readme.md", "changelog.md", "contributing.md", "license.md", "code_of_conduct.md"})


def _in_collection(parts: tuple[str, ...]) -> Placement | None:
    """A component of a collection outside `.claude/` and plugins: a repository of agents, skills and
    commands meant to be copied or installed (a marketplace whose plugins have no `plugin.json`, say).

    The signals are the ones Claude Code's own layouts use: a `SKILL.md` is a skill, and a `.md` file
    under a folder called `commands` or `agents` (the nearest such folder counts) is a command or an
    agent. The collection's root, what its cross-file checks resolve names in, is the folder holding
    that `agents`/`commands`/`skills` folder (a skill outside a `skills` folder: the folder above its
    own). A `README.md` and the like is the collection's documentation, not a component; so is a file
    below a repository of its own (a `.git` between the component folder and the file: a checkout that
    happens to live in some `~/agents/` folder)."""
    claude = [i for i, part in enumerate(parts[:-1]) if part == ".claude"]
    low = claude[-1] + 1 if claude else 0
    if claude and parts[low] in _COMPONENT_DIRS:
        return None  # `.claude/` has its own layout (`_in_claude`): what it does not load is nothing
    name = parts[-1]
    if name == SKILL_FILE:
        if len(parts) - low < 3:
            return None
        folder = parts[:-1]
        holder = folder[:-1]
        root = holder[:-1] if holder[-1] == "skills" and len(holder) > 1 else holder
        return Placement(FileKind.SKILL, Scope.PROJECT, os.path.join(*root), os.path.join(*holder), None, folder[-1])
    if name.lower() in DOCUMENTATION_FILES or name in MEMORY_FILES:
        return None
    for i in range(len(parts) - 2, low - 1, -1):
        if parts[i] not in ("agents", "commands"):
            continue
        if any(os.path.exists(os.path.join(*parts[: j + 1], ".git")) for j in range(i + 1, len(parts) - 1)):
            return None
        kind = FileKind.AGENT if parts[i] == "agents" else FileKind.COMMAND
        base = os.path.join(*parts[:i]) if i else "."
        return Placement(kind, Scope.PROJECT, base, os.path.join(*parts[: i + 1]))
    return None


# A frontmatter block at the start of a file (after a byte order mark; unclosed, up to the end), and its top keys.
_FRONTMATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<yaml>.*?)(?:^---[ \t]*\r?$|\Z)", re.S | re.M)
_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z][\w-]*)[ \t]*:", re.M)
_COMMAND_ONLY_KEYS = frozenset({"allowed-tools", "argument-hint"})


def content_kind(head: str) -> FileKind | None:
    """What a Markdown file that Claude Code's layouts say nothing of (a loose collection of agents in
    folders by topic) is by its text: a file whose frontmatter names an agent (`name`, or only a
    `description`) is an agent, one with a command's own keys and no `name` a command; anything else
    (a README, notes, a docs page with `title:`) is nothing. `head` is the file's start (its first 64 KB)."""
    match = _FRONTMATTER.match(head)
    if match is None:
        return None
    keys = {m["key"] for m in _TOP_KEY.finditer(match["yaml"])}
    if "name" in keys:
        return FileKind.AGENT
    if keys & _COMMAND_ONLY_KEYS:
        return FileKind.COMMAND
    return FileKind.AGENT if "description" in keys else None


def document_kind(path: str | None, agent_globs: Sequence[str] = ()) -> tuple[FileKind | None, bool]:
    """What the editor serves a document as: (its kind, the JSON kinds included, or None for a file Claude
    Code does not read; whether it belongs to a plugin)."""
    placement = locate(path, agent_globs=agent_globs, manifests=True) if path is not None else None
    if placement is None:
        return None, False
    return placement.kind, placement.scope is Scope.PLUGIN


# ---- finding the files on disk -------------------------------------------------------------------


class WalkBudget:
    """What one walk may still visit: folders (each one listed counts) and files found.

    A repository can commit links and folders by the thousand (`pN/.claude/agents -> /proc`), so a
    walk follows no symlinked folder and stops after `directories` folders, wherever they are: in the
    search for `.claude/` folders and plugins, or below an `agents/`, `commands/` or `skills/` folder."""

    __slots__ = ("directories", "files", "visited")

    def __init__(self, directories: int | None = None, files: int | None = None) -> None:
        self.directories = MAX_DIRECTORIES if directories is None else directories
        self.files = MAX_FILES if files is None else files
        self.visited = 0  # folders listed so far (what the tests count)

    def enter(self) -> bool:
        """Count one more folder to list; False once the budget is spent."""
        if self.visited >= self.directories:
            return False
        self.visited += 1
        return True

    def take_file(self) -> bool:
        if self.files <= 0:
            return False
        self.files -= 1
        return True


def discover(
    folders: Sequence[Path], user_dir: Path | None, walk: bool = True, budget: WalkBudget | None = None
) -> Iterator[str]:
    """Every file worth indexing: the user directory's, and a bounded walk of each folder for `.claude/`
    folders, plugins, collections and memory files (`walk` False: only each folder's own `.claude/`, and
    the folder itself as a plugin or collection). Symlinked folders below the roots are not followed."""
    budget = budget if budget is not None else WalkBudget()
    if user_dir is not None and user_dir.is_dir():
        yield from claude_folder(user_dir, budget)
    for folder in folders:
        if not walk:
            if folder / ".claude" != user_dir:
                yield from claude_folder(folder / ".claude", budget)
            # The folder itself as a plugin, else as a collection (`_in_collection`): the same folders.
            yield from plugin_folder(folder, budget)
            for memory in MEMORY_FILES:
                if (folder / memory).is_file() and budget.take_file():
                    yield str(folder / memory)
            continue
        for dirpath, dirnames, filenames in os.walk(folder):
            if not budget.enter() or budget.files <= 0:
                return
            here = Path(dirpath)
            for memory in MEMORY_FILES:
                if memory in filenames and budget.take_file():
                    yield str(here / memory)
            if ".claude" in dirnames and here / ".claude" != user_dir and not _is_link(here / ".claude"):
                yield from claude_folder(here / ".claude", budget)
            if SKILL_FILE in filenames and budget.take_file():
                yield str(here / SKILL_FILE)  # a skill of a collection (a plugin's own is yielded below)
            if (".claude-plugin" in dirnames and is_plugin(here)) or any(d in dirnames for d in _COMPONENT_DIRS):
                # A plugin's components, or a collection's (`_in_collection`): listed here, not walked again.
                yield from plugin_folder(here, budget, with_root_skill=False)
                dirnames[:] = [d for d in dirnames if d not in _COMPONENT_DIRS]
            # os.walk lists a symlinked folder among `dirnames` but does not enter it (followlinks=False).
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS]


def claude_folder(claude: Path, budget: WalkBudget | None = None) -> Iterator[str]:
    """The files of one `.claude/` folder Claude Code loads (skills-directory plugins included)."""
    budget = budget if budget is not None else WalkBudget()
    for memory in MEMORY_FILES:
        if (claude / memory).is_file() and budget.take_file():
            yield str(claude / memory)
    yield from markdown_under(claude / "agents", budget)
    yield from markdown_under(claude / "commands", budget)
    yield from markdown_under(claude / "output-styles", budget)
    yield from markdown_under(claude / "rules", budget)
    for entry in _children(claude / "skills", budget):
        if (entry / SKILL_FILE).is_file() and budget.take_file():
            yield str(entry / SKILL_FILE)
        if is_plugin(entry):  # a skills-directory plugin
            yield from plugin_folder(entry, budget)


def plugin_folder(root: Path, budget: WalkBudget | None = None, with_root_skill: bool = True) -> Iterator[str]:
    """The agents, commands, skills and output styles of one plugin (or of a collection: the same folders)."""
    budget = budget if budget is not None else WalkBudget()
    yield from markdown_under(root / "agents", budget)
    yield from markdown_under(root / "commands", budget)
    yield from markdown_under(root / "output-styles", budget)
    if with_root_skill and (root / SKILL_FILE).is_file() and budget.take_file():
        yield str(root / SKILL_FILE)
    for entry in _children(root / "skills", budget):
        if (entry / SKILL_FILE).is_file() and budget.take_file():
            yield str(entry / SKILL_FILE)
    if is_plugin(root):
        yield from custom_components(root, budget)


def custom_components(root: Path, budget: WalkBudget | None = None) -> Iterator[str]:
    """The Markdown files the component paths of a plugin's manifest list (the same files
    `_custom_component` classifies), within the budget."""
    budget = budget if budget is not None else WalkBudget()
    for kind, target in plugin_components(root):
        where = Path(target)
        if _is_link(where):
            continue
        if kind is FileKind.SKILL:
            for entry in [where, *_children(where, budget)]:
                if (entry / SKILL_FILE).is_file() and budget.take_file():
                    yield str(entry / SKILL_FILE)
        elif where.is_file():
            if where.name.lower().endswith(".md") and budget.take_file():
                yield str(where)
        elif kind is FileKind.COMMAND:
            yield from markdown_under(where, budget)
        elif kind is FileKind.OUTPUT_STYLE and where.is_dir() and budget.enter():
            try:
                names = sorted(p.name for p in where.iterdir() if p.is_file() and p.name.lower().endswith(".md"))
            except OSError:
                names = []
            for name in names:
                if not budget.take_file():
                    return
                yield str(where / name)


def markdown_under(folder: Path, budget: WalkBudget | None = None) -> Iterator[str]:
    """Every `.md` file below a folder (hidden and symlinked folders skipped, the folder itself
    included), within the budget (by default MAX_FILES files in MAX_DIRECTORIES folders)."""
    budget = budget if budget is not None else WalkBudget()
    if _is_link(folder) or not folder.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(folder):
        if not budget.enter():
            return
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.lower().endswith(".md"):
                if not budget.take_file():
                    return
                yield str(Path(dirpath) / name)


def _is_link(path: Path) -> bool:
    return os.path.islink(path)


def _children(folder: Path, budget: WalkBudget) -> list[Path]:
    """The sub-folders of a folder that is no link (links among them skipped), listing it within the budget."""
    if _is_link(folder) or not folder.is_dir() or not budget.enter():
        return []
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return []

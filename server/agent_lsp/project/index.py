"""Every agent, skill and command of a workspace, and what each one names: the cross-file model.

The index knows the files Claude Code would load from the workspace folders (each
`.claude/` folder found in them, and every plugin: a folder holding
`.claude-plugin/plugin.json`) and from the user's `~/.claude/`, plus the
`CLAUDE.md` files, which only mention agents. For each file it keeps the name
the file registers, its description, and its references: the `skills:` entries,
`Agent(x)` entries and `mcp__server` entries of its tool fields, and the
`@agent-x` / `subagent_type: x` mentions in its text, each with its span.
It keeps the text only of open documents: a file read from disk is read again
when its text is needed (`IndexedFile.text`), after checking that it did not
change since it was indexed (re-indexing it when it did).

It is transport-free: the server feeds it the text of open documents
(`set_overlay`) and the files its watchers report (`refresh`, `remove`); the
CLI builds one for the files it checks. Nothing here raises on a missing,
unreadable or malformed file: such a file is simply not (or no longer) indexed.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import weakref
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from yaml.nodes import ScalarNode, SequenceNode

from agent_lsp.project.declared import inline_mcp_server_names, mcp_server_names
from agent_lsp.syntax.frontmatter import ParsedAgent, parse_agent
from agent_lsp.syntax.text import LineIndex, Span
from agent_lsp.syntax.tools import split_tool_string, tool_entries

MAX_FILE_BYTES = 1_000_000
MAX_DIRECTORIES = 50_000  # a walk stops here: a workspace holding more folders is not worth scanning whole
MAX_FILES = 10_000
# Folders never worth walking into for `.claude/` or plugin folders.
SKIP_DIRS = frozenset(
    {"node_modules", "__pycache__", "venv", "site-packages", "dist", "build", "target", "vendor", "worktrees"}
)
MEMORY_FILES = ("CLAUDE.md", "CLAUDE.local.md")
SKILL_FILE = "SKILL.md"
TOOL_FIELDS = ("tools", "disallowedTools", "allowed-tools")

# Agent types Claude Code always has, and skills it ships with (commands reference; aliases included).
BUILTIN_AGENT_TYPES = ("Explore", "Plan", "general-purpose", "claude", "statusline-setup", "claude-code-guide", "fork")
BUNDLED_SKILLS = (
    "batch",
    "checkup",
    "claude-api",
    "code-review",
    "dataviz",
    "debug",
    "design-sync",
    "doctor",
    "fewer-permission-prompts",
    "loop",
    "proactive",
    "review",
    "run",
    "run-skill-generator",
    "simplify",
    "verify",
)

_NAME = r"[A-Za-z0-9][A-Za-z0-9_.:-]*"
_MENTION = re.compile(rf"(?<![\w@/.-])@agent-(?P<name>{_NAME})")
_SUBAGENT_TYPE = re.compile(rf"\bsubagent_type[\"']?\s*[:=]\s*[\"']?(?P<name>{_NAME})")
_AGENT_TOOLS = ("Agent", "Task")


class EntryKind(str, Enum):
    AGENT = "agent"
    SKILL = "skill"
    COMMAND = "command"
    MEMORY = "memory"  # a CLAUDE.md: it names no entry, it only mentions agents


class Scope(str, Enum):
    PROJECT = "project"
    USER = "user"
    PLUGIN = "plugin"


class RefKind(str, Enum):
    AGENT = "agent"
    SKILL = "skill"
    MCP = "mcp"


@dataclass(frozen=True, slots=True)
class Reference:
    """A name written in a file: `span` covers the name only (no quotes, no `Agent(`)."""

    kind: RefKind
    name: str
    span: Span
    how: str  # "skills", "tools", "mention" or "subagent_type"
    field: str | None = None  # the frontmatter field holding it, if any


@dataclass(frozen=True, slots=True)
class Place:
    """What a path means to Claude Code: which kind of file, in which scope, grouped with what."""

    kind: EntryKind
    scope: Scope
    root: str  # the project folder holding `.claude/`, the user's home, or the plugin folder
    group: str  # files loaded together: `.claude/agents`, `.claude/skills`..., or the plugin's component folder
    plugin: str | None = None  # the plugin's name, for plugin files
    skill_dir: str | None = None  # a skill's folder name


class IndexedFile:
    """One indexed file: the name it registers, its description and its references, with their spans.

    A workspace may hold thousands of these for as long as the server runs, so a file read from
    disk keeps no text: its references are packed (interned names, one array of kind/start/end
    codes) and its text is read again when navigation needs it, checked against the size,
    mtime and inode it was indexed with (a file changed since is re-indexed first, through the
    index that read it). Open documents, and entries made from a given text, keep their text.
    """

    __slots__ = (
        "_lines",
        "_name_col",
        "_name_end",
        "_name_line",
        "_name_start",
        "_owner",
        "_ref_data",
        "_ref_names",
        "_stamp",
        "_text",
        "description",
        "inline_mcp",
        "name",
        "path",
        "place",
    )

    def __init__(
        self,
        path: str,
        place: Place,
        text: str,
        name: str | None,
        description: str,
        name_span: Span | None,
        references: Iterable[Reference] = (),
        inline_mcp: tuple[str, ...] = (),
        name_at: tuple[int, int] | None = None,
    ) -> None:
        self.path = path
        self.place = place
        self.name = name  # the name the file registers (None when it registers nothing, or for CLAUDE.md)
        self.description = description
        # Two small ints rather than a Span object each (offsets below 256 are shared ints).
        self._name_start, self._name_end = (name_span.start, name_span.end) if name_span is not None else (-1, -1)
        self._name_line, self._name_col = name_at if name_at is not None else (-1, -1)
        self.inline_mcp = inline_mcp
        self._ref_names, self._ref_data = _pack(references)
        self._text: str | None = text
        self._lines: LineIndex | None = None
        self._stamp: int | None = None  # set when the text is dropped: what the file on disk must still match
        self._owner: weakref.ref[WorkspaceIndex] | None = None

    def __repr__(self) -> str:
        return f"IndexedFile({self.path!r}, {self.kind.value}, name={self.name!r})"

    @property
    def name_span(self) -> Span | None:
        """Where the name is written in the frontmatter, when it is."""
        return Span(self._name_start, self._name_end) if self._name_start >= 0 else None

    @property
    def name_position(self) -> tuple[int, int, int] | None:
        """(line, start column, end column) of the name, the same in every position encoding (its line
        is ASCII up to the name's end), when known: a location without reading the file again."""
        if self._name_line < 0:
            return None
        return self._name_line, self._name_col, self._name_col + self._name_end - self._name_start

    @property
    def kind(self) -> EntryKind:
        return self.place.kind

    @property
    def scope(self) -> Scope:
        return self.place.scope

    @property
    def uri(self) -> str:
        return Path(self.path).as_uri()

    @property
    def qualified_name(self) -> str | None:
        """How Claude Code lists it: plugin entries are `plugin:name`."""
        if self.name is None:
            return None
        return f"{self.place.plugin}:{self.name}" if self.place.plugin else self.name

    @property
    def references(self) -> list[Reference]:
        """Every reference the file holds, in text order (made on demand from the packed form)."""
        return [self._reference(i) for i in range(len(self._ref_names))]

    @property
    def reference_names(self) -> tuple[str, ...]:
        """The names of `references`, without making them."""
        return self._ref_names

    def references_named(self, kind: RefKind, names: Iterable[str]) -> list[Reference]:
        """The references of a kind to any of `names` (only those are made)."""
        wanted = set(names)
        data = self._ref_data
        return [
            self._reference(i)
            for i, name in enumerate(self._ref_names)
            if name in wanted and data is not None and _REF_SHAPES[data[3 * i]][0] is kind
        ]

    def _reference(self, i: int) -> Reference:
        data = self._ref_data
        assert data is not None
        kind, how, field_name = _REF_SHAPES[data[3 * i]]
        return Reference(kind, self._ref_names[i], Span(data[3 * i + 1], data[3 * i + 2]), how, field_name)

    @property
    def stamp(self) -> int | None:
        """For an entry that keeps no text: what the file on disk must still match (size, mtime, inode)."""
        return self._stamp

    @property
    def held_text(self) -> str | None:
        """The text when the entry keeps it (an open document, or an entry made from a given text)."""
        return self._text

    @property
    def text(self) -> str:
        """The text the spans point into: kept, or read again from disk ("" once the file is gone)."""
        record = self._disk() if self._text is None else None
        if self._text is not None:  # (re-indexing may have made it an open document's)
            return self._text
        return record.text if record is not None else ""

    @property
    def lines(self) -> LineIndex:
        record = self._disk() if self._text is None else None
        if self._text is not None:
            if self._lines is None:
                self._lines = LineIndex(self._text)
            return self._lines
        if record is None:
            return LineIndex("")
        if record.lines is None:
            record.lines = LineIndex(record.text)
        return record.lines

    def _drop_text(self, stamp: int, owner: weakref.ref[WorkspaceIndex]) -> None:
        self._text = None
        self._lines = None
        self._stamp = stamp
        self._owner = owner

    def _disk(self) -> _DiskText | None:
        """The file's text as indexed; when the file changed since, this entry is re-indexed from it first."""
        for _ in range(2):
            record = _disk_text(self.path)
            if record is not None and record.stamp == self._stamp:
                return record
            owner = self._owner() if self._owner is not None else None
            fresh = owner.current(self) if owner is not None else None
            if fresh is None or fresh is self:
                return None  # gone, no longer indexed, or its index is gone: nothing to read
            self._adopt(fresh)
            if self._text is not None:
                return None  # it is an open document now: the caller takes the kept text
        return None

    def _adopt(self, other: IndexedFile) -> None:
        """Become `other` (the same file indexed again), so that holders of this entry see text and spans agree."""
        for slot in IndexedFile.__slots__:
            setattr(self, slot, getattr(other, slot))


# ---- packed references and texts read again ------------------------------------------------------

# (kind, how, field) of a reference, by the code its file stores; codes are handed out on first use.
_REF_SHAPES: list[tuple[RefKind, str, str | None]] = []
_REF_CODES: dict[tuple[RefKind, str, str | None], int] = {}
# Offsets fit 32 bits (files are at most MAX_FILE_BYTES; open documents far below 4 GB).
_OFFSET_TYPE = "I" if array("I").itemsize >= 4 else "L"


def _pack(references: Iterable[Reference]) -> tuple[tuple[str, ...], array[int] | None]:
    """Interned names and one array of (shape code, start, end): a fraction of a Reference object each."""
    names: list[str] = []
    data: list[int] = []
    for ref in references:
        shape = (ref.kind, ref.how, ref.field)
        code = _REF_CODES.get(shape)
        if code is None:
            code = _REF_CODES[shape] = len(_REF_SHAPES)
            _REF_SHAPES.append(shape)
        names.append(sys.intern(ref.name))
        data += (code, ref.span.start, ref.span.end)
    if not names:
        return (), None
    return tuple(names), array(_OFFSET_TYPE, data)


class _DiskText:
    __slots__ = ("lines", "stamp", "text")

    def __init__(self, stamp: int, text: str) -> None:
        self.stamp = stamp
        self.text = text
        self.lines: LineIndex | None = None


# The last few texts read again (a references result maps several spans per file, one file after another),
# within a budget of characters so that what is kept stays small; the latest is kept whatever its size.
_DISK_TEXTS: OrderedDict[str, _DiskText] = OrderedDict()
_DISK_TEXTS_KEPT = 8
_DISK_TEXTS_CHARS = 200_000


def _stamp_of(status: os.stat_result) -> int:
    """What tells a file's versions apart without keeping its text: size, mtime and inode."""
    return hash((status.st_size, status.st_mtime_ns, status.st_ino))


def _read_disk(path: str, status: os.stat_result | None = None) -> tuple[str, int] | None:
    """The file's text exactly as an editor holds it (line breaks kept, so offsets agree), and its stamp.

    The stamp is taken before reading (`status`, when the caller just took it): a write in between
    makes the next check see a change."""
    try:
        status = os.stat(path) if status is None else status
        if status.st_size > MAX_FILE_BYTES or not stat.S_ISREG(status.st_mode):
            return None
        with open(path, "rb") as handle:
            raw = handle.read()
        return None if b"\x00" in raw else (raw.decode("utf-8"), _stamp_of(status))
    except (OSError, UnicodeDecodeError):
        return None


def _disk_text(path: str) -> _DiskText | None:
    """The file's current text (from the small cache while its stamp holds)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    record = _DISK_TEXTS.pop(path, None)
    if record is None or record.stamp != _stamp_of(status):
        read = _read_disk(path, status)
        if read is None:
            return None
        record = _DiskText(read[1], read[0])
    _DISK_TEXTS[path] = record  # (last: the most recent)
    kept = sum(len(r.text) for r in _DISK_TEXTS.values())  # at most a few entries
    while len(_DISK_TEXTS) > 1 and (len(_DISK_TEXTS) > _DISK_TEXTS_KEPT or kept > _DISK_TEXTS_CHARS):
        kept -= len(_DISK_TEXTS.popitem(last=False)[1].text)
    return record


# ---- reading one file ----------------------------------------------------------------------------


def _text_value(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _scalar_inner_span(parsed: ParsedAgent, node: ScalarNode) -> Span:
    """The span of a scalar's value without its quotes (the whole node when the text differs)."""
    span = parsed.node_span(node)
    source = parsed.text[span.start : span.end]
    if node.style in ("'", '"') and len(source) >= 2:
        inner = Span(span.start + 1, span.end - 1)
        if parsed.text[inner.start : inner.end] == node.value:
            return inner
    found = source.find(node.value) if node.value else -1
    return Span(span.start + found, span.start + found + len(node.value)) if found >= 0 else span


def name_field_span(parsed: ParsedAgent) -> Span | None:
    """Where the `name` value is written, without quotes."""
    item = parsed.fields.get("name")
    if item is None or not isinstance(item.node, ScalarNode) or not isinstance(item.value, str):
        return None
    return _scalar_inner_span(parsed, item.node)


def skill_references(parsed: ParsedAgent) -> list[Reference]:
    """The entries of a `skills:` field: a list of names, or one comma-separated string."""
    item = parsed.fields.get("skills")
    if item is None or not parsed.loads:
        return []
    found: list[Reference] = []
    node = item.node
    if isinstance(node, SequenceNode):
        for child in node.value:
            if isinstance(child, ScalarNode) and child.tag == "tag:yaml.org,2002:str" and child.value.strip():
                span = _scalar_inner_span(parsed, child)
                name = child.value.strip()
                lead = len(child.value) - len(child.value.lstrip())
                if span.end - span.start == len(child.value):
                    span = Span(span.start + lead, span.start + lead + len(name))
                found.append(Reference(RefKind.SKILL, name, span, "skills", "skills"))
    elif isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        whole = _scalar_inner_span(parsed, node)
        exact = whole.end - whole.start == len(node.value)
        for text, start in _split_names(node.value):
            span = Span(whole.start + start, whole.start + start + len(text)) if exact else whole
            found.append(Reference(RefKind.SKILL, text, span, "skills", "skills"))
    return found


def _split_names(value: str) -> list[tuple[str, int]]:
    return [(m.group(), m.start()) for m in re.finditer(r"[^,\s]+", value)]


def tool_references(parsed: ParsedAgent) -> list[Reference]:
    """`Agent(x, y)` / `Task(x)` entries (each name) and `mcp__server...` entries (the server part)."""
    found: list[Reference] = []
    if not parsed.loads:
        return found
    for key in TOOL_FIELDS:
        item = parsed.fields.get(key)
        if item is None:
            continue
        entries = tool_entries(parsed, item.node) or []
        for entry in entries:
            exact = entry.span.end - entry.span.start == len(entry.text)
            if entry.is_mcp:
                server = entry.text[5:].split("__", 1)[0]
                if not server or server == "*":
                    continue
                start = entry.span.start + 5 if exact else entry.span.start
                end = start + len(server) if exact else entry.span.end
                found.append(Reference(RefKind.MCP, entry.text[5:], Span(start, end), "tools", key))
                continue
            if entry.name not in _AGENT_TOOLS or entry.specifier is None:
                continue
            offset = entry.text.index("(") + 1
            for name, start in split_tool_string(entry.specifier):
                name = name.strip()
                if not name or "*" in name:
                    continue
                if exact:
                    span = Span(entry.span.start + offset + start, entry.span.start + offset + start + len(name))
                else:
                    span = entry.span
                found.append(Reference(RefKind.AGENT, name, span, "tools", key))
    return found


def mention_references(text: str, start: int = 0) -> list[Reference]:
    """`@agent-name` mentions and `subagent_type: name` in prose, from `start` on."""
    found: list[Reference] = []
    for pattern, how, marker in ((_MENTION, "mention", "@agent-"), (_SUBAGENT_TYPE, "subagent_type", "subagent_type")):
        # str.find is a fast C scan; most bodies mention no agent, and a regex that starts with a
        # look-behind would otherwise be tried at every position of a long body.
        if text.find(marker, start) < 0:
            continue
        for match in pattern.finditer(text, start):
            name = match.group("name").rstrip(".:-")
            if name:
                begin = match.start("name")
                found.append(Reference(RefKind.AGENT, name, Span(begin, begin + len(name)), how))
    return sorted(found, key=lambda r: r.span.start)


def references_in(parsed: ParsedAgent, kind: EntryKind) -> list[Reference]:
    """Every reference a file holds, in text order."""
    if kind is EntryKind.MEMORY:
        return mention_references(parsed.text)
    refs = skill_references(parsed) if kind is EntryKind.AGENT else []
    refs += tool_references(parsed)
    body_from = parsed.body_start if parsed.has_frontmatter else 0
    refs += mention_references(parsed.text, body_from)
    return sorted(refs, key=lambda r: r.span.start)


def read_file(path: str, place: Place, text: str, parsed: ParsedAgent | None = None) -> IndexedFile:
    """Index one file's text (`parsed`: the text already parsed, to save parsing it again)."""
    if place.kind is EntryKind.MEMORY:
        return IndexedFile(path, place, text, None, "", None, mention_references(text))
    if parsed is None or parsed.text != text:
        parsed = parse_agent(text)
    data = parsed.data if parsed.loads and isinstance(parsed.data, dict) else {}
    name: str | None = None
    name_span: Span | None = None
    stem = Path(path).stem
    if place.kind is EntryKind.AGENT:
        value = data.get("name")
        if isinstance(value, str) and value.strip():
            name, name_span = value.strip(), name_field_span(parsed)
        elif place.scope is Scope.PLUGIN:
            name = stem  # a plugin agent without a name loads under its file name
        if name is not None and place.scope is Scope.PLUGIN:
            # A plugin's subfolders are part of the scoped name: agents/review/security.md -> review:security.
            sub = Path(path).parent.relative_to(place.group).parts if _within(path, place.group) else ()
            name = ":".join((*sub, name)) if sub else name
    elif place.kind is EntryKind.SKILL:
        value = data.get("name")
        if place.scope is Scope.PLUGIN and isinstance(value, str) and value.strip():
            name, name_span = value.strip(), name_field_span(parsed)
        else:
            name = place.skill_dir or Path(path).parent.name
    elif place.kind is EntryKind.COMMAND:
        name = stem
    inline = tuple(inline_mcp_server_names(data.get("mcpServers")))
    return IndexedFile(
        path,
        place,
        text,
        name,
        _text_value(data.get("description")),
        name_span,
        references_in(parsed, place.kind),
        inline,
        _ascii_position(parsed, name_span),
    )


def _ascii_position(parsed: ParsedAgent, span: Span | None) -> tuple[int, int] | None:
    """The (line, column) of a span on a line that is ASCII up to its end: workspace symbols and
    definitions place it without reading the file again (a column counts the same in every encoding)."""
    if span is None:
        return None
    line, col = parsed.index.line_col(span.start)
    return (line, col) if parsed.text[span.start - col : span.end].isascii() else None


def _within(path: str, folder: str) -> bool:
    try:
        Path(path).relative_to(folder)
    except ValueError:
        return False
    return True


def _read_json(path: Path) -> Any:
    read = _read_disk(str(path))
    if read is None:
        return None
    try:
        return json.loads(read[0])
    except ValueError:
        return None


def plugin_name(root: Path) -> str:
    data = _read_json(root / ".claude-plugin" / "plugin.json")
    name = data.get("name") if isinstance(data, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else root.name


def _is_plugin(folder: Path) -> bool:
    return (folder / ".claude-plugin" / "plugin.json").is_file()


def locate(
    path: str | Path, user_dir: Path | None = None, plugins: dict[tuple[str, ...], bool] | None = None
) -> Place | None:
    """What a file is to Claude Code, judged by where it stands (None: nothing Claude Code loads).

    `plugins` remembers which folders hold a plugin manifest, across the calls of one scan: each file
    would otherwise look for one in every folder above it."""
    p = Path(path)
    parts = p.parts
    if p.name in MEMORY_FILES:
        folder = p.parent.parent if p.parent.name == ".claude" else p.parent
        scope = Scope.USER if user_dir is not None and p.parent == user_dir else Scope.PROJECT
        return Place(EntryKind.MEMORY, scope, str(folder), str(p.parent))
    if p.suffix.lower() != ".md":
        return None
    # A plugin first: the nearest folder above with a manifest (skills-directory plugins live in .claude/skills/).
    for i in range(len(parts) - 1, 0, -1):
        if parts[i - 1] in ("agents", "skills", "commands"):
            continue
        key = parts[:i]
        found = plugins.get(key) if plugins is not None else None
        if found is None:
            found = os.path.isfile(os.path.join(*key, ".claude-plugin", "plugin.json"))
            if plugins is not None:
                plugins[key] = found
        if not found:
            continue
        folder = Path(*key)
        rest = parts[i:]
        name = plugin_name(folder)
        if len(rest) >= 2 and rest[0] in ("agents", "commands"):
            kind = EntryKind.AGENT if rest[0] == "agents" else EntryKind.COMMAND
            return Place(kind, Scope.PLUGIN, str(folder), str(folder / rest[0]), name)
        if len(rest) == 3 and rest[0] == "skills" and rest[2] == SKILL_FILE:
            return Place(EntryKind.SKILL, Scope.PLUGIN, str(folder), str(folder / "skills"), name, rest[1])
        if rest == (SKILL_FILE,):
            return Place(EntryKind.SKILL, Scope.PLUGIN, str(folder), str(folder), name, folder.name)
        break  # inside a plugin but not one of its components: maybe its own `.claude/` folder
    claude = [i for i, part in enumerate(parts[:-1]) if part == ".claude"]
    if not claude:
        return None
    i = claude[-1]
    claude_dir = Path(*parts[: i + 1])
    rest = parts[i + 1 :]
    scope = Scope.USER if user_dir is not None and claude_dir == user_dir else Scope.PROJECT
    root = str(claude_dir.parent)
    if len(rest) >= 2 and rest[0] == "agents":
        return Place(EntryKind.AGENT, scope, root, str(claude_dir / "agents"))
    if len(rest) >= 2 and rest[0] == "commands":
        return Place(EntryKind.COMMAND, scope, root, str(claude_dir / "commands"))
    if len(rest) == 3 and rest[0] == "skills" and rest[2] == SKILL_FILE:
        return Place(EntryKind.SKILL, scope, root, str(claude_dir / "skills"), None, rest[1])
    return None


# ---- the index -----------------------------------------------------------------------------------


def default_user_dir() -> Path | None:
    try:
        return Path.home() / ".claude"
    except (RuntimeError, KeyError):
        return None


class WorkspaceIndex:
    """The files of the workspace folders and the user directory, kept current by `refresh`/`set_overlay`."""

    def __init__(self, folders: Iterable[str | Path] = (), user_dir: Path | None = None, walk: bool = True) -> None:
        self.folders: list[Path] = [Path(os.path.normpath(f)) for f in folders]
        self.user_dir = Path(os.path.normpath(user_dir)) if user_dir is not None else None
        self.walk = walk  # False: only each folder's own `.claude/` (and the folder itself as a plugin)
        self._files: dict[str, IndexedFile] = {}
        self._overlays: dict[str, str] = {}
        self._mcp: dict[str, tuple[str, ...]] = {}
        self._places: dict[Place, Place] = {}
        self._plugin_dirs: dict[tuple[str, ...], bool] | None = None  # during a scan: see `locate`
        self._real_bases: tuple[tuple[Path, ...], list[str]] | None = None  # (bases, their real paths + sep)
        self._self_ref = weakref.ref(self)  # one for all entries: they re-index through it, without a cycle
        self.generation = 0  # bumps whenever a name or `.mcp.json` changes: what other files' findings use
        self._changed_names: set[str] = set()  # names registered or unregistered since `take_changes`
        self._changed_all = False  # a change that may concern every file (`.mcp.json`, a plugin, a rescan)

    # ---- building --------------------------------------------------------------------------------
    def scan(self) -> None:
        """(Re)read everything from disk; open documents keep their editor text."""
        self._files.clear()
        self._mcp.clear()
        self._places.clear()
        self._plugin_dirs = {}
        try:
            for path in self.discover():
                self._load(path)
            for path in list(self._overlays):
                self._load(path)
        finally:
            self._plugin_dirs = None  # after the scan, each file looks again: a plugin may appear
        self.generation += 1
        self._changed_all = True

    def take_changes(self) -> tuple[bool, set[str]]:
        """(whether everything may have changed, the names that did) since the last call."""
        result = self._changed_all, self._changed_names
        self._changed_all, self._changed_names = False, set()
        return result

    def discover(self) -> Iterator[str]:
        """Every file worth indexing, from the user directory and a bounded walk of each folder."""
        seen = 0
        if self.user_dir is not None and self.user_dir.is_dir():
            for path in self._claude_folder(self.user_dir):
                seen += 1
                yield path
        budget = MAX_DIRECTORIES
        for folder in self.folders:
            if not self.walk:
                if folder / ".claude" != self.user_dir:
                    yield from self._claude_folder(folder / ".claude")
                if _is_plugin(folder):
                    yield from self._plugin_folder(folder)
                for memory in MEMORY_FILES:
                    if (folder / memory).is_file():
                        yield str(folder / memory)
                continue
            for dirpath, dirnames, filenames in os.walk(folder):
                budget -= 1
                if budget < 0 or seen >= MAX_FILES:
                    return
                here = Path(dirpath)
                for memory in MEMORY_FILES:
                    if memory in filenames:
                        seen += 1
                        yield str(here / memory)
                if ".claude" in dirnames and here / ".claude" != self.user_dir:
                    for path in self._claude_folder(here / ".claude"):
                        seen += 1
                        yield path
                if ".claude-plugin" in dirnames and _is_plugin(here):
                    for path in self._plugin_folder(here):
                        seen += 1
                        yield path
                dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS]

    def _claude_folder(self, claude: Path) -> Iterator[str]:
        for memory in MEMORY_FILES:
            if (claude / memory).is_file():
                yield str(claude / memory)
        yield from _markdown_under(claude / "agents")
        yield from _markdown_under(claude / "commands")
        skills = claude / "skills"
        for entry in _children(skills):
            if (entry / SKILL_FILE).is_file():
                yield str(entry / SKILL_FILE)
            if _is_plugin(entry):  # a skills-directory plugin
                yield from self._plugin_folder(entry)

    def _plugin_folder(self, root: Path) -> Iterator[str]:
        yield from _markdown_under(root / "agents")
        yield from _markdown_under(root / "commands")
        if (root / SKILL_FILE).is_file():
            yield str(root / SKILL_FILE)
        for entry in _children(root / "skills"):
            if (entry / SKILL_FILE).is_file():
                yield str(entry / SKILL_FILE)

    def _load(self, path: str, parsed: ParsedAgent | None = None) -> bool:
        """Index one path (overlay text first, then disk); say whether anything others see changed."""
        path = _norm(path)
        before = self._files.get(path)
        place = locate(path, self.user_dir, self._plugin_dirs)
        text = self._overlays.get(path)
        stamp: int | None = None
        if text is None and place is not None and self._inside(path):
            read = _read_disk(path)
            if read is not None:
                text, stamp = read
        if place is None or text is None:
            self._files.pop(path, None)
            if before is not None:
                self._changed_names.update(entry_names(before))
            return before is not None
        # Files of one folder share one Place (and its strings).
        place = self._places.setdefault(place, place)
        after = read_file(path, place, text, parsed)
        if stamp is not None:
            after._drop_text(stamp, self._self_ref)  # read again from disk when navigation needs it
        self._files[path] = after
        if before is not None and _signature(before) == _signature(after):
            return False
        self._changed_names.update(entry_names(after))
        if before is not None:
            self._changed_names.update(entry_names(before))
        return True

    def _inside(self, path: str) -> bool:
        """Whether a file on disk really lies in a workspace folder or the user folder (symlinks resolved):
        a link in `.claude/agents/` to a file elsewhere must not make the server read it."""
        bases = (*self.folders, *([self.user_dir] if self.user_dir is not None else []))
        if not bases:
            return True  # no folders given (the CLI on loose files): the caller chose the files
        if self._real_bases is None or self._real_bases[0] != bases:
            # Once, not once per file: each base as a prefix (`/a/` holds `/a/b`, not `/ab`).
            reals = [os.path.normcase(os.path.realpath(base)) for base in bases]
            self._real_bases = bases, [os.path.join(real, "") for real in reals]
        real = os.path.join(os.path.normcase(os.path.realpath(path)), "")
        return real.startswith(tuple(self._real_bases[1]))

    # ---- keeping current -------------------------------------------------------------------------
    def refresh(self, path: str | Path) -> bool:
        """A file (or a folder) was created, changed or deleted on disk. True when names changed."""
        path = _norm(str(path))
        name = Path(path).name
        if name in (".mcp.json", "plugin.json"):
            self._mcp.clear()
            self._changed_all = True
            if name == "plugin.json":
                self.scan()
            self.generation += 1
            return True
        changed = False
        if Path(path).is_dir():
            inside = [p for p in self._files if _within(p, path)]
            for p in inside:
                changed |= self._load(p)
            # A new folder: inside `.claude/` or a plugin every Markdown file may count; elsewhere look for them.
            walker = WorkspaceIndex([path], None)
            walker.user_dir = self.user_dir
            candidates = [*_markdown_under(Path(path)), *walker.discover()]
            for p in dict.fromkeys(_norm(c) for c in candidates):
                if p not in self._files and locate(p, self.user_dir) is not None:
                    changed |= self._load(p)
        elif Path(path).exists() or path in self._files or path in self._overlays:
            changed = self._load(path)
        else:
            changed = self.remove(path)
        if changed:
            self.generation += 1
        return changed

    def remove(self, path: str | Path) -> bool:
        """A file or folder is gone (open documents stay, with their editor text)."""
        path = _norm(str(path))
        gone = [
            self._files.pop(p) for p in list(self._files) if (p == path or _within(p, path)) and p not in self._overlays
        ]
        if Path(path).name == ".mcp.json":
            self._mcp.clear()
            self._changed_all = True
            self.generation += 1
            return True
        self._changed_names.update(n for p in gone for n in entry_names(p))
        if gone:
            self.generation += 1
        return bool(gone)

    def set_overlay(self, path: str, text: str, parsed: ParsedAgent | None = None) -> bool:
        """An open document's text replaces the file's on disk (`parsed`: that text, already parsed).
        True when names changed."""
        path = _norm(path)
        if self._overlays.get(path) == text and path in self._files:
            return False
        self._overlays[path] = text
        changed = self._load(path, parsed)
        if changed:
            self.generation += 1
        return changed

    def clear_overlay(self, path: str) -> bool:
        path = _norm(path)
        if self._overlays.pop(path, None) is None:
            return False
        changed = self._load(path)
        if changed:
            self.generation += 1
        return changed

    @property
    def overlays(self) -> tuple[str, ...]:
        return tuple(self._overlays)

    # ---- files changed behind the index's back ---------------------------------------------------
    def current(self, entry: IndexedFile) -> IndexedFile | None:
        """The index's entry for `entry`'s file as the file is now: re-indexed when it changed on disk
        since it was read (no watcher told us), None when it is no longer indexed."""
        mine = self._files.get(entry.path)
        if mine is None or mine._stamp is None:
            return mine
        try:
            stamp = _stamp_of(os.stat(mine.path))
        except OSError:
            stamp = None
        if stamp != mine._stamp:
            self.refresh(mine.path)
        return self._files.get(entry.path)

    def revalidate(self, entries: Iterable[IndexedFile]) -> bool:
        """Re-index those of `entries` whose file changed on disk since it was read; True when any did
        (the caller then asks its question again, of the current entries)."""
        return any([self.current(e) is not e for e in entries if e._stamp is not None])

    # ---- queries ---------------------------------------------------------------------------------
    def files(self, kind: EntryKind | None = None) -> list[IndexedFile]:
        return [f for f in self._files.values() if kind is None or f.kind is kind]

    def get(self, path: str | None) -> IndexedFile | None:
        return self._files.get(_norm(path)) if path else None

    def named(self, kind: EntryKind, name: str) -> list[IndexedFile]:
        """Entries of a kind registering `name` (plain or `plugin:`-qualified)."""
        return [f for f in self._files.values() if f.kind is kind and name in (f.name, f.qualified_name)]

    def known_plugins(self) -> set[str]:
        return {f.place.plugin for f in self._files.values() if f.place.plugin}

    def in_workspace(self, path: str) -> bool:
        return any(_within(path, str(folder)) for folder in self.folders)

    def resolve(self, kind: EntryKind, name: str, from_path: str | None) -> list[IndexedFile]:
        """The entries Claude Code would use for `name` seen from a file, best group first.

        Agents: the nearest project (the file's own, then enclosing ones), then the user's, then other
        projects, then plugins. Skills: personal overrides project (skills.md), so the user's come first.
        """
        candidates = self.named(kind, name)
        if kind is EntryKind.SKILL:
            candidates += [f for f in self.named(EntryKind.COMMAND, name) if f not in candidates]
        if not candidates:
            return []
        ranked = sorted(candidates, key=lambda f: (self._rank(f, from_path), f.path))
        best = self._rank(ranked[0], from_path)
        return [f for f in ranked if self._rank(f, from_path) == best]

    def _rank(self, entry: IndexedFile, from_path: str | None) -> tuple[int, int]:
        """(group, distance): lower wins; a skill beats a command of the same name in its group."""
        tie = 1 if entry.kind is EntryKind.COMMAND else 0
        if entry.scope is Scope.PLUGIN:
            return 4, tie
        if entry.scope is Scope.USER:
            return (2 if entry.kind is EntryKind.AGENT else 0), tie
        here = self.project_root_of(from_path)
        if here is not None and _within(here, entry.place.root):
            # The file's own project, then enclosing ones: the nearest definition wins.
            return 1, 2 * (len(Path(here).parts) - len(Path(entry.place.root).parts)) + tie
        return 3, tie

    def project_root_of(self, path: str | None) -> str | None:
        """The project folder a file belongs to: its `.claude/` parent, else the workspace folder holding it."""
        if not path:
            return None
        entry = self.get(path)
        if entry is not None and entry.scope is Scope.PROJECT:
            return entry.place.root
        place = locate(path, self.user_dir)
        if place is not None and place.scope is Scope.PROJECT:
            return place.root
        for folder in self.folders:
            if _within(path, str(folder)):
                return _norm(str(folder))
        return None

    def mcp_servers(self, from_path: str | None) -> tuple[str, ...] | None:
        """Server names of the `.mcp.json` files that apply to a file; None when none can be known."""
        root = self.project_root_of(from_path)
        if root is None:
            return None
        if root not in self._mcp:
            roots = [Path(root)] + [p for p in Path(root).parents if any(_within(str(p), str(f)) for f in self.folders)]
            self._mcp[root] = tuple(mcp_server_names(roots))
        return self._mcp[root]

    def plugin_mcp_servers(self, entry_root: str, plugin: str) -> tuple[str, ...]:
        """A plugin's servers (`.mcp.json` or `mcpServers` in plugin.json), as tools name them."""
        names: list[str] = []
        for data in (
            _read_json(Path(entry_root) / ".mcp.json"),
            _read_json(Path(entry_root) / ".claude-plugin" / "plugin.json"),
        ):
            servers = data.get("mcpServers") if isinstance(data, dict) else None
            if isinstance(servers, dict):
                names.extend(str(n) for n in servers)
        return tuple(names) + tuple(f"plugin_{plugin}_{n}" for n in names)

    def references_to(self, kind: RefKind, name: str) -> list[tuple[IndexedFile, Reference]]:
        """Every reference to `name` in every indexed file."""
        found: list[tuple[IndexedFile, Reference]] = []
        for entry in sorted(self._files.values(), key=lambda f: f.path):
            if name in entry.reference_names:
                found.extend((entry, ref) for ref in entry.references_named(kind, (name,)))
        return found


def _signature(entry: IndexedFile) -> tuple[Any, ...]:
    """What other files' diagnostics and navigation depend on."""
    return entry.kind, entry.name, entry.place


def entry_names(entry: IndexedFile) -> set[str]:
    """The names an entry registers (plain and plugin-qualified)."""
    return {n for n in (entry.name, entry.qualified_name) if n}


def _norm(path: str) -> str:
    return os.path.normpath(path)


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError:
        return []


def _markdown_under(folder: Path) -> Iterator[str]:
    if not folder.is_dir():
        return
    count = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.lower().endswith(".md"):
                count += 1
                if count > MAX_FILES:
                    return
                yield str(Path(dirpath) / name)


def build_index(folders: Sequence[str | Path], user_dir: Path | None = None, walk: bool = True) -> WorkspaceIndex:
    index = WorkspaceIndex(folders, user_dir, walk)
    index.scan()
    return index

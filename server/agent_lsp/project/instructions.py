"""What memory files and rules reach on disk: `@path` imports, how deep they nest, and the files a rule's globs match.

Claude Code 2.1.328 (read from the binary, see docs/rules.md):
- an import is resolved against the folder of the file that holds it (`~/` is the home folder);
- the memory file is depth 0 and each import one hop deeper; no file at depth 5 or more is loaded,
  a file already loaded is not loaded again, a file with no text is not loaded (nor its imports),
  and a file whose extension is not a known text extension is skipped;
- an import outside the folder Claude Code runs in needs the user's approval, once per project;
- `AGENTS.md` (and `.claude/AGENTS.md`) is read only where no `CLAUDE.md`, `.claude/CLAUDE.md` or
  `CLAUDE.local.md` stands in its folder or above;
- a rule's `paths` are globs relative to the project folder; braces expand, a trailing `/**` is dropped.

Every read goes through `disk` (bounded, stamped); the imports of a file are remembered by its stamp,
so following fifty imports on each keystroke costs fifty `stat` calls.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from agent_lsp.project import disk
from agent_lsp.project.paths import SKIP_DIRS
from agent_lsp.schema.schemas import schema_for
from agent_lsp.syntax.imports import MAX_IMPORTS, Import, find_imports

CLAUDE_NAMES = ("CLAUDE.md", os.path.join(".claude", "CLAUDE.md"), "CLAUDE.local.md")
AGENTS_NAMES = ("AGENTS.md", os.path.join(".claude", "AGENTS.md"))
_FRONTMATTER = re.compile(r"^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(\r?\n|$)")


@cache
def import_facts() -> dict[str, object]:
    """The memory schema's `imports` block: depth limit, text extensions, hover lines."""
    return dict(schema_for("memory").meta["imports"])


@cache
def max_depth() -> int:
    value = import_facts()["maxDepth"]
    return value if isinstance(value, int) else 5


@cache
def text_extensions() -> frozenset[str]:
    value = import_facts()["textExtensions"]
    return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset()


def body_start(text: str) -> int:
    """Where a memory file's Markdown starts: after a frontmatter block, if any (Claude Code drops it)."""
    match = _FRONTMATTER.match(text.removeprefix("\ufeff"))
    if match is None:
        return 0
    return match.end() + (1 if text.startswith("\ufeff") else 0)


def home() -> str | None:
    try:
        return str(Path.home())
    except (RuntimeError, KeyError):
        return None


def resolve(path: str, base_dir: str) -> str:
    """The file an import names, seen from the folder of the file holding it."""
    if path.startswith("~/"):
        found = home()
        joined = os.path.join(found, path[2:]) if found else path
    else:
        joined = os.path.join(base_dir, path)
    return os.path.normpath(joined)


def is_text(path: str) -> bool:
    """Whether Claude Code reads an imported file of this name (no extension, or a known text one)."""
    ext = os.path.splitext(path)[1]
    known = text_extensions()
    return not ext or ext in known or ext.lower() in known


def exists(path: str) -> bool:
    return os.path.isfile(path)


# ---- following imports ----------------------------------------------------------------------------

_READS: dict[str, tuple[int, str, list[Import]]] = {}  # path -> (stamp, text, imports): the last reads


def imports_of(path: str) -> tuple[str, list[Import]] | None:
    """A file's text and imports (None when it cannot be read), remembered while its stamp holds."""
    try:
        stamp = disk.stamp_of(os.stat(path))
    except OSError:
        return None
    known = _READS.get(path)
    if known is not None and known[0] == stamp:
        return known[1], known[2]
    read = disk.read_text(path)
    if read is None:
        return None
    text, stamp = read
    found = find_imports(text, body_start(text))
    if len(_READS) >= 512:
        _READS.clear()
    _READS[path] = (stamp, text, found)
    return text, found


@dataclass(frozen=True, slots=True)
class TooDeep:
    """A file an import leads to that Claude Code does not load: `chain` runs from the import's target to it."""

    chain: tuple[str, ...]


MAX_FOLLOWED = 2_000  # imports followed in one walk below a memory file


def too_deep(root: str, imports: Sequence[Import]) -> dict[int, TooDeep]:
    """For the imports of the memory file `root` (by position in `imports`): the first file each leads to
    that lies deeper than Claude Code follows. Walked in Claude Code's order, depth first, each file once."""
    limit = max_depth()
    processed = {os.path.normpath(root)}
    found: dict[int, TooDeep] = {}
    base = os.path.dirname(root)
    budget = [MAX_FOLLOWED]
    for i, item in enumerate(imports[:MAX_IMPORTS]):
        if item.in_code:
            continue
        target = resolve(item.path, base)
        deep = _walk(target, 1, limit, processed, (target,), budget)
        if deep is not None:
            found[i] = deep
    return found


def _walk(
    path: str, depth: int, limit: int, processed: set[str], chain: tuple[str, ...], budget: list[int]
) -> TooDeep | None:
    if path in processed or not is_text(path) or budget[0] <= 0:
        return None
    budget[0] -= 1
    if depth >= limit:
        return TooDeep(chain) if exists(path) and _has_text(path) else None
    processed.add(path)
    read = imports_of(path)
    if read is None or not read[0].strip():
        return None
    first: TooDeep | None = None
    for item in read[1][:MAX_IMPORTS]:
        if item.in_code:
            continue
        target = resolve(item.path, os.path.dirname(path))
        deep = _walk(target, depth + 1, limit, processed, (*chain, target), budget)
        if first is None:
            first = deep
    return first


def _has_text(path: str) -> bool:
    read = imports_of(path)
    return read is not None and bool(read[0].strip())


def project_folder(path: str) -> str:
    """The folder Claude Code most likely runs in for a memory file: the enclosing git repository, else its folder
    (the parent of `.claude/` for `.claude/CLAUDE.md`)."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.basename(folder) == ".claude":
        folder = os.path.dirname(folder)
    here = folder
    for _ in range(64):
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    return folder


def within(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or lies below it (both normalised, by their text)."""
    path, folder = os.path.abspath(path), os.path.abspath(folder)
    return path == folder or path.startswith(os.path.join(folder, ""))


def claude_md_hiding(agents_md: str) -> str | None:
    """The CLAUDE.md that makes Claude Code pass over this AGENTS.md, if any: one in its folder or above,
    up to the project folder. None when there is none, or when that CLAUDE.md imports this AGENTS.md."""
    folder = os.path.dirname(os.path.abspath(agents_md))
    if os.path.basename(folder) == ".claude":
        folder = os.path.dirname(folder)
    top = project_folder(agents_md)
    here = folder
    for _ in range(64):
        for name in CLAUDE_NAMES:
            candidate = os.path.join(here, name)
            if exists(candidate):
                read = imports_of(candidate)
                base = os.path.dirname(candidate)
                imported = read is not None and any(
                    not i.in_code and resolve(i.path, base) == os.path.normpath(os.path.abspath(agents_md))
                    for i in read[1]
                )
                return None if imported else candidate
        if here == top:
            break
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    return None


# ---- rule globs ----------------------------------------------------------------------------------

MAX_BRACE_RESULTS = 1000
WALK_FILES = 20_000  # files a glob check lists at most; past it, "matches nothing" is not claimed
_MATCH_TTL = 5.0  # seconds a project's file list is reused (a keystroke must not walk the project)


def split_patterns(value: object) -> list[str]:
    """A `paths` value as Claude Code reads it: a list, or a string split at commas outside braces."""
    if isinstance(value, list):
        return [p for item in value for p in split_patterns(item)]
    if not isinstance(value, str):
        return []
    parts: list[str] = []
    depth, current = 0, ""
    for ch in value:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            if current.strip():
                parts.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def glob_problem(pattern: str) -> str | None:
    """Why a glob cannot match as written (None when it can)."""
    depth = 0
    for ch in pattern:
        depth += 1 if ch == "{" else -1 if ch == "}" else 0
        if depth < 0:
            return "a `}` closes no `{`"
    if depth > 0:
        return "a `{` is never closed"
    if pattern.count("[") != pattern.count("]"):
        return "a `[` is never closed"
    if pattern.startswith("/") or re.match(r"[A-Za-z]:[\\/]", pattern):
        return "it is absolute, while `paths` are relative to the project folder"
    if pattern.startswith("../") or "/../" in pattern:
        return "it climbs out of the project with `..`"
    return None


def expand_braces(pattern: str) -> list[str]:
    match = re.search(r"\{([^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    out: list[str] = []
    for option in match.group(1).split(","):
        out.extend(expand_braces(pattern[: match.start()] + option + pattern[match.end() :]))
        if len(out) >= MAX_BRACE_RESULTS:
            break
    return out[:MAX_BRACE_RESULTS]


@cache
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regular expression over `/`-separated relative paths (`**` crosses folders, `*` does not)."""
    out = ""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
            continue
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            continue
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out += re.escape(ch)
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                out += "[" + ("^" + body[1:] if body.startswith("!") else body) + "]"
                i = end
        else:
            out += re.escape(ch)
        i += 1
    # A pattern naming a folder covers what lies below it (`src/**` is read as `src`).
    return re.compile(f"(?:{out})(?:/.*)?")


_FILE_LISTS: dict[str, tuple[float, list[str] | None]] = {}


def project_files(root: str) -> list[str] | None:
    """The project's files as `/`-separated paths relative to `root` (None: more than WALK_FILES, or unreadable),
    listed again at most every few seconds."""
    if not os.path.isdir(root):
        return None
    now = time.monotonic()
    known = _FILE_LISTS.get(root)
    if known is not None and now - known[0] < _MATCH_TTL:
        return known[1]
    files: list[str] | None = []
    try:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and d != ".git"]
            rel = os.path.relpath(dirpath, root)
            prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            assert files is not None
            files.extend(prefix + name for name in filenames)
            if len(files) > WALK_FILES:
                files = None
                break
    except OSError:
        files = None
    if len(_FILE_LISTS) > 16:
        _FILE_LISTS.clear()
    _FILE_LISTS[root] = (now, files)
    return files


def matching(pattern: str, files: Iterable[str]) -> bool:
    """Whether any of `files` matches the glob (braces expanded, a trailing `/**` dropped)."""
    regexes = [glob_regex(p.removesuffix("/**") or "**") for p in expand_braces(pattern)]
    return any(r.fullmatch(f) for f in files for r in regexes)

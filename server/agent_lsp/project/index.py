"""Every agent, skill and command of a workspace, and what each one names: the one project model.

The index knows the files Claude Code would load from the workspace folders (each `.claude/`
folder found in them, and every plugin) and from the user's `~/.claude/`, plus the `CLAUDE.md`
files, which only mention agents (`paths` says which files those are and finds them). For each
file it keeps an `IndexedFile` (`entry`): the name the file registers, its description, and its
references (`references`), each with its span. It keeps the text only of open documents: a file
read from disk is read again when its text is needed, after checking that it did not change since
it was indexed (re-indexing it when it did).

Every feature asks it: cross-file diagnostics and navigation, and completion, hover and the
architect's agent list through the queries at the end (`visible_named`, `resolve`, `mcp_servers`,
`ProjectView`). Names are looked up in dictionaries kept beside the files.

It is transport-free: the server feeds it the text of open documents (`set_overlay`) and the
files its watchers report (`refresh`, `remove`); the CLI builds one for the files it checks.
Nothing here raises on a missing, unreadable or malformed file: such a file is simply not (or no
longer) indexed.
"""

from __future__ import annotations

import bisect
import os
import weakref
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_lsp.project import disk
from agent_lsp.project.entry import IndexedFile, read_file
from agent_lsp.project.paths import (
    FileKind,
    Placement,
    Scope,
    discover,
    locate,
    markdown_under,
    plugin_folder,
    within,
)
from agent_lsp.project.references import Reference, RefKind
from agent_lsp.syntax.frontmatter import ParsedAgent


def mcp_server_names(roots: Iterable[Path], inside: disk.Roots | None = None) -> list[str]:
    """Server names declared in each root's `.mcp.json`, in file order (with `inside`: only files that
    really lie there, so a committed `.mcp.json -> /elsewhere` reads nothing)."""
    names: list[str] = []
    for root in roots:
        data = disk.read_json(root / ".mcp.json", inside)
        servers = data.get("mcpServers") if isinstance(data, dict) else None
        if isinstance(servers, dict):
            names.extend(str(n) for n in servers if str(n) not in names)
    return names


# ---- the index -----------------------------------------------------------------------------------


# The files that hold a name (or refer to one): the entry itself when one file does, the common case, else a
# dict of them by path. A dict for every name cost ~100 bytes each: 4 MB of the 15 MB an index of 10,000
# agents holds (tracemalloc), for names that nearly all have a single holder.
_Held = IndexedFile | dict[str, IndexedFile]


def _hold(table: dict[Any, _Held], key: Any, entry: IndexedFile) -> None:
    """Add `entry` to the holders of `key` (in place of an entry of the same path)."""
    held = table.get(key)
    if held is None or (isinstance(held, IndexedFile) and held.path == entry.path):
        table[key] = entry
    elif isinstance(held, IndexedFile):
        table[key] = {held.path: held, entry.path: entry}
    else:
        held[entry.path] = entry


def _release(table: dict[Any, _Held], key: Any, path: str) -> None:
    """Take the entry of `path` out of the holders of `key`."""
    held = table.get(key)
    if held is None:
        return
    if isinstance(held, IndexedFile):
        if held.path == path:
            del table[key]
        return
    held.pop(path, None)
    if len(held) == 1:
        table[key] = next(iter(held.values()))
    elif not held:
        del table[key]


def _entries(held: _Held | None) -> list[IndexedFile]:
    if held is None:
        return []
    return [held] if isinstance(held, IndexedFile) else list(held.values())


class WorkspaceIndex:
    """The files of the workspace folders and the user directory, kept current by `refresh`/`set_overlay`."""

    def __init__(self, folders: Iterable[str | Path] = (), user_dir: Path | None = None, walk: bool = True) -> None:
        self.folders: list[Path] = [Path(os.path.normpath(f)) for f in folders]
        self.user_dir = Path(os.path.normpath(user_dir)) if user_dir is not None else None
        self.walk = walk  # False: only each folder's own `.claude/` (and the folder itself as a plugin)
        self._files: dict[str, IndexedFile] = {}
        # The same entries by kind and by (kind, name), plain and plugin-qualified: a name is a lookup.
        self._by_kind: dict[FileKind, dict[str, IndexedFile]] = {}
        self._by_name: dict[tuple[FileKind, str], _Held] = {}
        # Who refers to a name (`references_to`), the files of each folder (a folder's removal), the plugins
        # entries belong to (with how many entries each), and each kind's names sorted (suggestions): all
        # kept as entries come and go, so no question the checks ask walks every entry.
        self._by_ref: dict[str, _Held] = {}
        self._by_dir: dict[str, set[str]] = {}
        self._plugins: dict[str, int] = {}
        self._names: dict[FileKind, list[str]] = {}
        # Entries handed out by the queries since this was last reset: what the tests' guard against a
        # quadratic cross-file check counts (a lookup visits the entries it returns, a scan every entry).
        self.visits = 0
        self._overlays: dict[str, str] = {}
        self._mcp: dict[str, tuple[str, ...]] = {}
        self._placements: dict[Placement, Placement] = {}
        self._plugin_dirs: dict[tuple[str, ...], bool] | None = None  # during a scan: see `paths.locate`
        self._real_dirs: dict[str, str] | None = None  # during a scan: folders' real paths (`disk.real_path`)
        self._real_bases: dict[tuple[Path, ...], disk.Roots] = {}  # folders -> their real paths, found once
        self._self_ref = weakref.ref(self)  # one for all entries: they re-index through it, without a cycle
        self.generation = 0  # bumps whenever a name or `.mcp.json` changes: what other files' findings use
        self._changed_names: set[str] = set()  # names registered or unregistered since `take_changes`
        self._changed_all = False  # a change that may concern every file (`.mcp.json`, a plugin, a rescan)

    # ---- building --------------------------------------------------------------------------------
    def scan(self, read_many: ReadMany | None = None, progress: Progress | None = None) -> None:
        """(Re)read everything from disk; open documents keep their editor text.

        `read_many` reads batches of files into entries (`read_entries`, possibly in other processes);
        `progress(done, total)` hears how far the reading is, every `PROGRESS_STEP` files.
        A scan is `plan`, `adopt` of every entry read, then `finish_scan`: another process may do the
        first two (`project.scanner`) and hand the entries over."""
        try:
            todo = self.plan()
            total = len(todo)
            step = PROGRESS_STEP if progress is not None else max(1, total)  # one batch when nobody watches
            for start in range(0, total, step):
                if progress is not None:
                    progress(start, total)
                self.adopt((read_many or read_entries)(todo[start : start + step]))
            if progress is not None:
                progress(total, total)
        finally:
            self.finish_scan()

    def plan(self) -> list[tuple[str, Placement]]:
        """Forget every entry, and list the files a scan reads, each with its placement (the walk)."""
        self._files.clear()
        self._by_kind.clear()
        self._by_name.clear()
        self._by_ref.clear()
        self._by_dir.clear()
        self._plugins.clear()
        self._names.clear()
        self._mcp.clear()
        self._placements.clear()
        self._plugin_dirs = {}
        self._real_dirs = {}
        todo: list[tuple[str, Placement]] = []
        seen: set[str] = set()  # a manifest's component path can name a file the walk finds too
        for found in self.discover():
            path = _norm(found)
            if path in seen:
                continue
            seen.add(path)
            placement = self.locate(path)
            if placement is not None and path not in self._overlays and self._inside(path):
                todo.append((path, self._placements.setdefault(placement, placement)))
        return todo

    def adopt(self, reads: Iterable[ReadEntry | None]) -> None:
        """Hold the entries `read_entries` made of the planned files (None: a file that could not be read)."""
        for read in reads:
            if read is not None:
                self._adopt_read(read)

    def finish_scan(self) -> None:
        """After the planned files are adopted: open documents get their editor text, and everything counts
        as changed."""
        self._plugin_dirs = None  # after the scan, each file looks again: a plugin may appear
        self._real_dirs = None
        for path in list(self._overlays):
            self._load(path)
        self.generation += 1
        self._changed_all = True

    def _adopt_read(self, read: ReadEntry) -> None:
        """Hold an entry `read_entries` made (maybe in another process: its placement is shared again)."""
        entry, stamp, _digest = read
        entry.placement = self._placements.setdefault(entry.placement, entry.placement)
        entry.keep_no_text(stamp, self._self_ref)
        entry.share_names()
        self._put(entry)

    def take_changes(self) -> tuple[bool, set[str]]:
        """(whether everything may have changed, the names that did) since the last call."""
        result = self._changed_all, self._changed_names
        self._changed_all, self._changed_names = False, set()
        return result

    def discover(self) -> Iterable[str]:
        """Every file worth indexing, from the user directory and a bounded walk of each folder."""
        return discover(self.folders, self.user_dir, self.walk)

    def locate(self, path: str | Path) -> Placement | None:
        """Where a file stands, with this index's user directory (and, during a scan, its plugin memo)."""
        return locate(path, self.user_dir, plugins=self._plugin_dirs)

    def _load(self, path: str, parsed: ParsedAgent | None = None) -> bool:
        """Index one path (overlay text first, then disk); say whether anything others see changed."""
        path = _norm(path)
        before = self._files.get(path)
        placement = self.locate(path)
        text = self._overlays.get(path)
        stamp: int | None = None
        if text is None and placement is not None:
            read = disk.read_text(path, roots=self._roots_of(path))
            if read is not None:
                text, stamp = read
        if placement is None or text is None:
            self._drop(path)
            if before is not None:
                self._changed_names.update(entry_names(before))
            return before is not None
        # Files of one folder share one Placement (and its strings).
        placement = self._placements.setdefault(placement, placement)
        after = read_file(path, placement, text, parsed)
        if stamp is not None:
            after.keep_no_text(stamp, self._self_ref)  # read again from disk when navigation needs it
        self._put(after)
        if before is not None and _signature(before) == _signature(after):
            return False
        self._changed_names.update(entry_names(after))
        if before is not None:
            self._changed_names.update(entry_names(before))
        return True

    def _put(self, entry: IndexedFile) -> None:
        """Hold `entry` (in place of the same file's entry, whose position in each table it keeps)."""
        path = entry.path
        before = self._files.get(path)
        self._files[path] = entry
        if before is not None and before.kind is not entry.kind:
            self._by_kind[before.kind].pop(path, None)
        self._by_kind.setdefault(entry.kind, {})[path] = entry
        names = {(entry.kind, n) for n in entry_names(entry)}
        if before is not None:
            for key in {(before.kind, n) for n in entry_names(before)} - names:
                self._unname(key, path)
            self._unlist(before)
        else:
            self._by_dir.setdefault(os.path.dirname(path), set()).add(path)
        for key in names:
            _hold(self._by_name, key, entry)
            self._relist(key)
        for name in set(entry.reference_names):
            _hold(self._by_ref, name, entry)
        plugin = entry.placement.plugin
        if plugin:
            self._plugins[plugin] = self._plugins.get(plugin, 0) + 1

    def _drop(self, path: str) -> IndexedFile | None:
        entry = self._files.pop(path, None)
        if entry is not None:
            self._by_kind[entry.kind].pop(path, None)
            for name in entry_names(entry):
                self._unname((entry.kind, name), path)
            self._unlist(entry)
            folder = self._by_dir.get(os.path.dirname(path))
            if folder is not None:
                folder.discard(path)
                if not folder:
                    del self._by_dir[os.path.dirname(path)]
        return entry

    def _unlist(self, entry: IndexedFile) -> None:
        """Take an entry out of the reverse tables (references, plugins) before it goes or is replaced."""
        for name in set(entry.reference_names):
            _release(self._by_ref, name, entry.path)
        plugin = entry.placement.plugin
        if plugin:
            left = self._plugins.get(plugin, 0) - 1
            if left > 0:
                self._plugins[plugin] = left
            else:
                self._plugins.pop(plugin, None)

    def _unname(self, key: tuple[FileKind, str], path: str) -> None:
        if key in self._by_name:
            _release(self._by_name, key, path)
            self._relist(key)

    def _relist(self, key: tuple[FileKind, str]) -> None:
        """Keep the sorted names of a kind (`names`, once made) in step with one name's holders: a name
        that comes or goes costs a bisection, not a new sort of every name."""
        known = self._names.get(key[0])
        if known is None:
            return
        name = key[1]
        wanted = any(e.qualified_name == name for e in _entries(self._by_name.get(key)))
        at = bisect.bisect_left(known, name)
        present = at < len(known) and known[at] == name
        if wanted and not present:
            known.insert(at, name)
        elif present and not wanted:
            del known[at]

    def _inside(self, path: str) -> bool:
        """Whether a file found by the scan may be read, by the one containment rule (`_roots_of`); the
        batch readers (maybe other processes) then read it without checking again."""
        roots = self._roots_of(path)
        return roots is None or disk.inside(path, roots, self._real_dirs)

    def _roots_of(self, path: str) -> disk.Roots | None:
        """The folders a file on disk must really lie in (symlinks resolved), by the one containment rule
        (`disk.inside`): a file under the user folder in that folder, any other in a workspace folder. A
        link in `.claude/agents/` to a file elsewhere (or in `~/.claude/` to the workspace) is not read.
        None when no folder was given (the CLI on loose files: the caller chose the files)."""
        user = self.user_dir
        under_user = user is not None and within(path, str(user))
        bases = (user,) if under_user and user is not None else tuple(self.folders)
        if not bases:
            return None
        roots = self._real_bases.get(bases)
        if roots is None:  # once, not once per file
            if len(self._real_bases) > 8:  # folders added and removed over a session
                self._real_bases.clear()
            roots = self._real_bases[bases] = disk.real_roots(bases)
        return roots

    # ---- keeping current -------------------------------------------------------------------------
    def refresh(self, path: str | Path) -> bool:
        """A file (or a folder) was created, changed or deleted on disk. True when names changed."""
        path = _norm(str(path))
        name = Path(path).name
        if name in (".mcp.json", "plugin.json"):
            self._mcp.clear()
            self._changed_all = True
            if name == "plugin.json":
                self._rescan_plugin(path)
            self.generation += 1
            return True
        changed = False
        if Path(path).is_dir():
            inside = self._paths_under(path)
            for p in inside:
                changed |= self._load(p)
            # A new folder: inside `.claude/` or a plugin every Markdown file may count; elsewhere look for them.
            candidates = [*markdown_under(Path(path)), *discover([Path(path)], self.user_dir)]
            for p in dict.fromkeys(_norm(c) for c in candidates):
                if p not in self._files and self.locate(p) is not None:
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
        gone = [self._drop(p) for p in self._paths_under(path) if p not in self._overlays]
        if Path(path).name == "plugin.json":
            self._rescan_plugin(path)
        if Path(path).name in (".mcp.json", "plugin.json"):
            self._mcp.clear()
            self._changed_all = True
            self.generation += 1
            return True
        self._changed_names.update(n for p in gone if p is not None for n in entry_names(p))
        if gone:
            self.generation += 1
        return bool(gone)

    def _rescan_plugin(self, manifest: str) -> None:
        """A plugin's manifest was written, created or deleted: its name and component paths (which may
        replace the default folders) may have changed, so the plugin's files are placed and read again:
        those indexed below its root, those its folders and listed paths hold now, and open documents."""
        folder = os.path.dirname(manifest)
        if os.path.basename(folder) != ".claude-plugin":
            return
        root = os.path.dirname(folder)
        prefix = os.path.join(root, "")
        candidates = [
            *self._paths_under(root),
            *plugin_folder(Path(root)),
            *(p for p in self._overlays if p.startswith(prefix)),
        ]
        for p in dict.fromkeys(_norm(c) for c in candidates):
            self._load(p)

    def _paths_under(self, path: str) -> list[str]:
        """The indexed files that are `path` or lie below it: the file itself, or the files of the folders
        below it (by the folder table, so a file's change touches only its own entry)."""
        if path in self._files:
            return [path]
        prefix = os.path.join(path, "")
        return [
            p
            for folder in [d for d in self._by_dir if d == path or d.startswith(prefix)]
            for p in sorted(self._by_dir.get(folder, ()))
        ]

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
        if mine is None or mine.stamp is None:
            return mine
        try:
            stamp = disk.stamp_of(os.stat(mine.path))
        except OSError:
            stamp = None
        if stamp != mine.stamp:
            self.refresh(mine.path)
        return self._files.get(entry.path)

    def revalidate(self, entries: Iterable[IndexedFile]) -> bool:
        """Re-index those of `entries` whose file changed on disk since it was read; True when any did
        (the caller then asks its question again, of the current entries)."""
        return any([self.current(e) is not e for e in entries if e.stamp is not None])

    # ---- queries ---------------------------------------------------------------------------------
    def files(self, kind: FileKind | None = None) -> list[IndexedFile]:
        """Every entry (of a kind): a walk over all of them, for whole-workspace answers only."""
        found = list(self._files.values()) if kind is None else list(self._by_kind.get(kind, {}).values())
        self.visits += len(found)
        return found

    def __len__(self) -> int:
        return len(self._files)

    def get(self, path: str | None) -> IndexedFile | None:
        return self._files.get(_norm(path)) if path else None

    def named(self, kind: FileKind, name: str) -> list[IndexedFile]:
        """Entries of a kind registering `name` (plain or `plugin:`-qualified)."""
        found = _entries(self._by_name.get((kind, name)))
        self.visits += len(found)
        return found

    def names(self, kind: FileKind) -> list[str]:
        """Every name entries of a kind register (plain and qualified), sorted: what a suggestion picks
        from. Made once, then kept in step as names come and go (`_relist`), so that neither an unknown
        name nor a completion costs a walk."""
        known = self._names.get(kind)
        if known is None:
            known = self._names[kind] = sorted(
                {
                    name
                    for (k, name), held in self._by_name.items()
                    if k is kind and any(e.qualified_name == name for e in _entries(held))
                }
            )
        return known

    def known_plugins(self) -> set[str]:
        """The plugins the indexed entries belong to."""
        return set(self._plugins)

    def has_plugin(self, plugin: str) -> bool:
        return plugin in self._plugins

    def in_workspace(self, path: str) -> bool:
        return any(within(path, str(folder)) for folder in self.folders)

    def resolve(self, kind: FileKind, name: str, from_path: str | None) -> list[IndexedFile]:
        """The entries Claude Code would use for `name` seen from a file, best group first.

        Agents: the nearest project (the file's own, then enclosing ones), then the user's, then other
        projects, then plugins. Skills: personal overrides project (skills.md), so the user's come first.
        """
        candidates = self.named(kind, name)
        if kind is FileKind.SKILL:
            candidates += [f for f in self.named(FileKind.COMMAND, name) if f not in candidates]
        if not candidates:
            return []
        here = self.project_root_of(from_path)
        ranked = sorted(candidates, key=lambda f: self._precedence(f, here))
        best = self._rank(ranked[0], here)
        return [f for f in ranked if self._rank(f, here) == best]

    def visible_named(
        self,
        kind: FileKind,
        from_path: str | None,
        prefix: str = "",
        limit: int | None = None,
        skip: Collection[str] = (),
    ) -> tuple[list[IndexedFile], bool]:
        """The names of a kind starting with `prefix` (but none named in `skip`), each with the entry `resolve`
        would give first from `from_path`, at most `limit` of them, and whether that is all of them: what
        completion offers (and describes) in a file. `prefix` counts only when there are more than `limit`
        names (a client filters a short list itself, fuzzily). The names are found by bisecting the sorted
        names (`names`) and each one is looked up, so that the answer costs as much in a workspace of
        10,000 agents as in one of ten (walking every entry of the kind did not)."""
        names = self.names(kind)
        if limit is None or len(names) <= limit:
            prefix = ""
        here = self.project_root_of(from_path)
        found: list[IndexedFile] = []
        for position in range(bisect.bisect_left(names, prefix), len(names)):
            name = names[position]
            if not name.startswith(prefix):
                break
            if name in skip:
                continue
            if limit is not None and len(found) >= limit:
                return found, False
            holders = [entry for entry in self.named(kind, name) if entry.qualified_name == name]
            if holders:
                found.append(min(holders, key=lambda entry: self._precedence(entry, here)))
        return found, True

    def _precedence(self, entry: IndexedFile, here: str | None) -> tuple[tuple[int, int], str]:
        """Which of the entries of one name counts first seen from the project `here` (lower wins): by
        `_rank`, then by path, so that the choice never depends on the order the files were read in."""
        return self._rank(entry, here), entry.path

    def _rank(self, entry: IndexedFile, here: str | None) -> tuple[int, int]:
        """(group, distance) seen from the project `here`: lower wins; a skill beats a command of the same
        name in its group."""
        tie = 1 if entry.kind is FileKind.COMMAND else 0
        if entry.scope is Scope.PLUGIN:
            return 4, tie
        if entry.scope is Scope.USER:
            return (2 if entry.kind is FileKind.AGENT else 0), tie
        if here is not None and within(here, entry.placement.root):
            # The file's own project, then enclosing ones: the nearest definition wins.
            return 1, 2 * (len(Path(here).parts) - len(Path(entry.placement.root).parts)) + tie
        return 3, tie

    def project_root_of(self, path: str | None) -> str | None:
        """The project folder a file belongs to: its `.claude/` parent, else the workspace folder holding it."""
        if not path:
            return None
        entry = self.get(path)
        if entry is not None and entry.scope is Scope.PROJECT:
            return entry.placement.root
        placement = locate(path, self.user_dir)
        if placement is not None and placement.scope is Scope.PROJECT:
            return placement.root
        for folder in self.folders:
            if within(path, str(folder)):
                return _norm(str(folder))
        return None

    def mcp_servers(self, from_path: str | None) -> tuple[str, ...] | None:
        """Server names of the `.mcp.json` files that apply to a file; None when none can be known."""
        root = self.project_root_of(from_path)
        if root is None:
            return None
        if root not in self._mcp:
            roots = [Path(root)] + [p for p in Path(root).parents if any(within(str(p), str(f)) for f in self.folders)]
            self._mcp[root] = tuple(mcp_server_names(roots, self._roots_of(root)))
        return self._mcp[root]

    def plugin_mcp_servers(self, entry_root: str, plugin: str) -> tuple[str, ...]:
        """A plugin's servers (`.mcp.json` or `mcpServers` in plugin.json), as tools name them."""
        names: list[str] = []
        inside = self._roots_of(entry_root)
        for data in (
            disk.read_json(Path(entry_root) / ".mcp.json", inside),
            disk.read_json(Path(entry_root) / ".claude-plugin" / "plugin.json", inside),
        ):
            servers = data.get("mcpServers") if isinstance(data, dict) else None
            if isinstance(servers, dict):
                names.extend(str(n) for n in servers)
        return tuple(names) + tuple(f"plugin_{plugin}_{n}" for n in names)

    def references_to(self, kind: RefKind, name: str) -> list[tuple[IndexedFile, Reference]]:
        """Every reference to `name` in every indexed file (the files that name it, by path)."""
        found: list[tuple[IndexedFile, Reference]] = []
        holders = _entries(self._by_ref.get(name))
        self.visits += len(holders)
        for entry in sorted(holders, key=lambda e: e.path):
            found.extend((entry, ref) for ref in entry.references_named(kind, (name,)))
        return found

    def document_entry(
        self, path: str | None, text: str, parsed: ParsedAgent | None = None, kind: FileKind | None = None
    ) -> IndexedFile | None:
        """An open document as the index reads it: its own entry when it holds this very text, else one
        read from `text` (and not added). `kind`: what the editor serves the document as (an agent named
        by the user's globs, say), for a file Claude Code's layout says nothing of; any other Markdown
        file is read for its mentions, like a CLAUDE.md. None for a file that can mention nothing."""
        if path is None:  # a document with no file behind it (`untitled:`): read as what it is served as
            return read_file("", Placement(kind or FileKind.MEMORY, Scope.PROJECT, "", ""), text, parsed)
        path = _norm(path)
        entry = self._files.get(path)
        if entry is not None and (entry.held_text is text or entry.held_text == text):
            return entry
        placement = locate(path, self.user_dir)
        if placement is None:
            parent = str(Path(path).parent)
            if kind is not None and kind is not FileKind.MEMORY:
                placement = Placement(kind, Scope.PROJECT, self.project_root_of(path) or parent, parent)
            elif path.lower().endswith(".md"):
                placement = Placement(FileKind.MEMORY, Scope.PROJECT, parent, parent)
            else:
                return None
        return read_file(path, placement, text, parsed)


# An entry read from disk, the stamp it was read at, and a digest of the text it was read from.
ReadEntry = tuple[IndexedFile, int, bytes]
ReadMany = Callable[[list[tuple[str, Placement]]], Iterable[ReadEntry | None]]
Progress = Callable[[int, int], None]
PROGRESS_STEP = 500  # files read between two progress reports


def read_entries(batch: list[tuple[str, Placement]]) -> list[ReadEntry | None]:
    """Read and index each (path, placement): entries that keep no text (None for a file that cannot be
    read). Plain data in and out, so that a pool of processes can share the work of a large scan."""
    found: list[ReadEntry | None] = []
    for path, placement in batch:
        read = disk.read_text(path)
        if read is None:
            found.append(None)
            continue
        text, stamp = read
        entry = read_file(path, placement, text)
        entry.drop_text(stamp)
        found.append((entry, stamp, disk.text_digest(text)))
    return found


def _signature(entry: IndexedFile) -> tuple[Any, ...]:
    """What other files' diagnostics and navigation depend on."""
    return entry.kind, entry.name, entry.placement


def entry_names(entry: IndexedFile) -> set[str]:
    """The names an entry registers (plain and plugin-qualified)."""
    return {n for n in (entry.name, entry.qualified_name) if n}


def _norm(path: str) -> str:
    return os.path.normpath(path)


def build_index(folders: Sequence[str | Path], user_dir: Path | None = None, walk: bool = True) -> WorkspaceIndex:
    index = WorkspaceIndex(folders, user_dir, walk)
    index.scan()
    return index


# ---- what a document sees ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProjectView:
    """The project as one document sees it (`path`: the document's file): what completion and hover ask.

    Names and descriptions come from the index's entries, kept in memory, so no file is read to
    answer; `definition` checks that the file it names did not change on disk since it was indexed."""

    index: WorkspaceIndex
    path: str | None = None

    def named(
        self, kind: FileKind, prefix: str = "", limit: int | None = None, skip: Collection[str] = ()
    ) -> tuple[list[IndexedFile], bool]:
        """The skills or agents whose names start with `prefix`, at most `limit` (see `visible_named`), and
        whether that is all of them."""
        return self.index.visible_named(kind, self.path, prefix, limit, skip)

    def mcp_servers(self) -> tuple[str, ...]:
        """The servers of the `.mcp.json` files that apply to the document."""
        return self.index.mcp_servers(self.path) or ()

    def definition(self, kind: RefKind, name: str) -> IndexedFile | None:
        """The agent or skill (or command) a name resolves to from the document, if any."""
        wanted = FileKind.AGENT if kind is RefKind.AGENT else FileKind.SKILL
        found = self.index.resolve(wanted, name, self.path)
        if self.index.revalidate(found):
            found = self.index.resolve(wanted, name, self.path)
        return found[0] if found else None

    def document(self, parsed: ParsedAgent, kind: FileKind | None) -> IndexedFile | None:
        """The document itself as the index reads it (its references, with their spans)."""
        return self.index.document_entry(self.path, parsed.text, parsed, kind)

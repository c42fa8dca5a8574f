"""Finding the agents a user can ask: the shipped one, and the workspace's and the user's from the index.

The project and user agents come from the workspace index, the same model the editor's
diagnostics, completion and navigation use; no folder is walked here. An agent is offered only
when our own checker finds no error in it: an agent that Claude Code would refuse to load should
not be run from the editor either.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from agent_lsp.architect.prompt import AgentSpec
from agent_lsp.project import disk
from agent_lsp.project.paths import FileKind, Scope

if TYPE_CHECKING:
    from agent_lsp.project.entry import IndexedFile
    from agent_lsp.project.index import WorkspaceIndex

log = logging.getLogger(__name__)

SHIPPED_AGENT = "backend-architect"
MAX_AGENT_BYTES = disk.MAX_FILE_BYTES  # agent files are a few KB; a huge one is not worth reading on every ask


def agent_from_text(text: str, path: str) -> AgentSpec | None:
    """Parse and check one agent file; None when it has errors or no name."""
    # Imported here: the core parser is only needed once someone asks for agents.
    from agent_lsp.checks.agent import effective_tools
    from agent_lsp.checks.findings import AgentContext
    from agent_lsp.checks.rules import Severity
    from agent_lsp.checks.validate import find_problems
    from agent_lsp.schema.schemas import agent_schema
    from agent_lsp.syntax.frontmatter import parse_agent

    try:
        parsed = parse_agent(text)
        findings = find_problems(parsed, AgentContext(path=path))
        tools = tuple(effective_tools(parsed, agent_schema(), AgentContext(path=path)))
    except Exception:  # a checker bug must cost one agent, not the whole list
        log.exception("could not check agent file %s", path)
        return None
    if any(f.severity is Severity.ERROR for f in findings):
        return None
    data = parsed.data if isinstance(parsed.data, dict) else {}
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    description = data.get("description")
    model = data.get("model")
    turns = data.get("maxTurns")
    return AgentSpec(
        name=name.strip(),
        description=description.strip() if isinstance(description, str) else "",
        model=model.strip() if isinstance(model, str) and model.strip() else None,
        body=parsed.body,
        path=path,
        tools=tools,
        max_turns=turns if isinstance(turns, int) and not isinstance(turns, bool) and turns > 0 else None,
        effort=data.get("effort"),
    )


# Code actions list the askable agents on every request (each cursor move in VS Code), so a file
# is parsed and checked again only when it changed: path -> (its version, the agent it holds).
# `_LOADED` holds files read here (the shipped agent), by size and modification time; `_INDEXED`
# the index's agent files, by the stamp the index read them at or the editor's text.
_Cache = OrderedDict[str, tuple[Hashable, AgentSpec | None]]
_LOADED: _Cache = OrderedDict()
_INDEXED: _Cache = OrderedDict()
_LOADED_MAX = 1024


def _remember(cache: _Cache, path: str, version: Hashable, make: Callable[[], AgentSpec | None]) -> AgentSpec | None:
    known = cache.get(path)
    if known is not None and known[0] == version:
        cache.move_to_end(path)
        return known[1]
    agent = make()
    cache[path] = (version, agent)
    cache.move_to_end(path)
    while len(cache) > _LOADED_MAX:
        cache.popitem(last=False)
    return agent


def load_agent(path: Path) -> AgentSpec | None:
    """The agent in a file outside the workspace (the shipped one), read again when it changed."""
    key = str(path)
    try:
        info = path.stat()
    except OSError:
        _LOADED.pop(key, None)
        return None
    return _remember(_LOADED, key, (info.st_size, info.st_mtime_ns), lambda: _read_agent(path))


def _read_agent(path: Path) -> AgentSpec | None:
    try:
        raw, _status = disk.read_bytes(path, MAX_AGENT_BYTES)
    except OSError:
        return None
    if len(raw) > MAX_AGENT_BYTES:
        return None
    return agent_from_text(raw.decode("utf-8", errors="replace"), str(path))


def shipped_agent() -> AgentSpec | None:
    from agent_lsp.schema.resources import shipped_agent_path

    try:
        path = shipped_agent_path(SHIPPED_AGENT)
    except FileNotFoundError:
        return None
    return load_agent(path)


def agent_of(entry: IndexedFile) -> AgentSpec | None:
    """The agent an indexed agent file holds, as the index holds it (an open document's editor text)."""
    held = entry.held_text
    version: Hashable = ("text", held) if held is not None else ("stamp", entry.stamp)
    return _remember(_INDEXED, entry.path, version, lambda: agent_from_text(entry.text, entry.path))


def discover_agents(index: WorkspaceIndex) -> list[AgentSpec]:
    """The valid project and user agents, one per name: the workspace folders' projects first (as in
    Claude Code, a project agent wins over a user agent), each folder's files in walk order."""
    entries = _askable(index)
    if index.revalidate(entries):  # files changed on disk that no watcher reported
        entries = _askable(index)
    seen: dict[str, AgentSpec] = {}
    for entry in entries:
        agent = agent_of(entry)
        if agent is not None and agent.name not in seen:
            seen[agent.name] = agent
    listed = {entry.path for entry in entries}
    for path in [p for p in _INDEXED if p not in listed]:
        del _INDEXED[path]  # an agent file no longer indexed is forgotten
    return list(seen.values())


def _askable(index: WorkspaceIndex) -> list[IndexedFile]:
    found = [e for e in index.files(FileKind.AGENT) if e.scope in (Scope.PROJECT, Scope.USER)]
    return sorted(found, key=lambda e: _order(index, e))


def _order(index: WorkspaceIndex, entry: IndexedFile) -> tuple[int, int, int, tuple[tuple[int, str], ...]]:
    """Project agents of the workspace folders in folder order (nearest project first), then the user's;
    within a folder, as a walk lists them: a folder's own files before its subfolders', by name."""
    root = PurePath(entry.placement.root)
    folder = next((i for i, f in enumerate(index.folders) if root == f or f in root.parents), len(index.folders))
    group = PurePath(entry.placement.group)
    rel = PurePath(entry.path).relative_to(group).parts if group in PurePath(entry.path).parents else ()
    walk = tuple((1, part) for part in rel[:-1]) + tuple((0, part) for part in rel[-1:])
    if entry.scope is Scope.USER:
        return 1, 0, 0, walk
    return 0, folder, len(root.parts), walk

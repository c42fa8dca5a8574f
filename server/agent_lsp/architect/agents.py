"""Finding the agents a user can ask: the shipped one, the workspace's and the user's.

An agent is offered only when our own checker finds no error in it: an agent that
Claude Code would refuse to load should not be run from the editor either.
"""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from agent_lsp.architect.prompt import AgentSpec

log = logging.getLogger(__name__)

SHIPPED_AGENT = "backend-architect"
MAX_AGENT_BYTES = 1_000_000  # agent files are a few KB; a huge one is not worth reading on every ask


def agent_from_text(text: str, path: str) -> AgentSpec | None:
    """Parse and check one agent file; None when it has errors or no name."""
    # Imported here: the core parser is only needed once someone asks for agents.
    from agent_lsp.checks.rules import Severity
    from agent_lsp.checks.validate import AgentContext, find_problems
    from agent_lsp.syntax.frontmatter import parse_agent

    try:
        parsed = parse_agent(text)
        findings = find_problems(parsed, AgentContext(path=path))
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
    return AgentSpec(
        name=name.strip(),
        description=description.strip() if isinstance(description, str) else "",
        model=model.strip() if isinstance(model, str) and model.strip() else None,
        body=parsed.body,
        path=path,
    )


# Code actions list the askable agents on every request (each cursor move in VS Code), so a
# file is read, parsed and checked again only when its size or modification time changed.
_LOADED: OrderedDict[str, tuple[tuple[int, int], AgentSpec | None]] = OrderedDict()
_LOADED_MAX = 1024


def load_agent(path: Path) -> AgentSpec | None:
    key = str(path)
    try:
        info = path.stat()
    except OSError:
        _LOADED.pop(key, None)
        return None
    signature = (info.st_size, info.st_mtime_ns)
    known = _LOADED.get(key)
    if known is not None and known[0] == signature:
        _LOADED.move_to_end(key)
        return known[1]
    agent = _read_agent(path, info.st_size)
    _LOADED[key] = (signature, agent)
    while len(_LOADED) > _LOADED_MAX:
        _LOADED.popitem(last=False)
    return agent


def _read_agent(path: Path, size: int) -> AgentSpec | None:
    if size > MAX_AGENT_BYTES:
        return None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return agent_from_text(text, str(path))


def shipped_agent() -> AgentSpec | None:
    from agent_lsp.schema.resources import shipped_agent_path

    try:
        path = shipped_agent_path(SHIPPED_AGENT)
    except FileNotFoundError:
        return None
    return load_agent(path)


# The listing of each agents folder, kept while no directory of it has changed: a file added,
# removed or renamed changes the modification time of the directory that holds it. A listing
# is kept only when every directory's time is older than _SETTLED_NS when it is read, so a
# change within the same tick of a coarse file-system clock cannot hide behind it.
_LISTINGS: dict[Path, tuple[tuple[tuple[str, int], ...], list[Path]]] = {}
_LISTINGS_MAX = 64
_SETTLED_NS = 2_000_000_000


def _agent_files(folder: Path) -> list[Path]:
    known = _LISTINGS.get(folder)
    if known is not None:
        stamps, listed = known
        try:
            if all(os.stat(directory).st_mtime_ns == mtime for directory, mtime in stamps):
                return listed
        except OSError:
            pass
        del _LISTINGS[folder]
    if not folder.is_dir():
        return []
    found: list[Path] = []
    walked: list[tuple[str, int]] = []
    # followlinks=False: a symlink must not lead the walk out of the agents folder.
    for root, dirs, files in os.walk(folder, followlinks=False):
        walked.append((root, os.stat(root).st_mtime_ns))
        dirs.sort()
        found.extend(Path(root) / f for f in sorted(files) if f.endswith(".md"))
    settled = time.time_ns() - _SETTLED_NS
    if all(mtime < settled for _, mtime in walked):
        if len(_LISTINGS) >= _LISTINGS_MAX:
            _LISTINGS.pop(next(iter(_LISTINGS)))
        _LISTINGS[folder] = (tuple(walked), found)
    return found


def agent_folders(workspace_roots: Iterable[Path], home: Path | None) -> list[Path]:
    """Workspace folders first: as in Claude Code, a project agent wins over a user agent."""
    folders = [root / ".claude" / "agents" for root in workspace_roots]
    if home is not None:
        folders.append(home / ".claude" / "agents")
    return folders


def discover_agents(workspace_roots: Iterable[Path], home: Path | None) -> list[AgentSpec]:
    """The valid agents, one per name, in folder order."""
    seen: dict[str, AgentSpec] = {}
    for folder in agent_folders(workspace_roots, home):
        try:
            files = _agent_files(folder)
        except OSError:  # an unreadable ~/.claude is not our error to show
            continue
        for path in files:
            agent = load_agent(path)
            if agent is not None and agent.name not in seen:
                seen[agent.name] = agent
    return list(seen.values())

"""What the project around an agent file declares: MCP servers, skills and other agents.

Completion and hover name these; they come from files on disk, read on demand
(they are small, and reading them fresh means a new skill shows up without a
restart). Every reader tolerates missing or malformed files: a broken
`.mcp.json` must never break completion in an agent file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_lsp.syntax.frontmatter import parse_agent

MAX_FILE_BYTES = 1_000_000  # a skill or agent file larger than this is not worth reading for a description


@dataclass(frozen=True, slots=True)
class Named:
    """A skill or agent: its name, its description and where it was found."""

    name: str
    description: str
    path: Path


def project_roots(document_path: str | None, workspace_folders: Iterable[str] = ()) -> list[Path]:
    """The folders whose `.mcp.json` and `.claude/` apply to a document, nearest first.

    The folder holding a `.claude` directory above the document comes first (an
    agent in `.claude/agents/` belongs to that project), then the workspace folders
    that contain the document, then the other workspace folders.
    """
    roots: list[Path] = []
    folders = [Path(f) for f in workspace_folders]
    if document_path:
        doc = Path(document_path)
        for parent in doc.parents:
            if parent.name == ".claude":
                roots.append(parent.parent)
                break
        roots.extend(f for f in folders if f in doc.parents)
    roots.extend(folders)
    unique: list[Path] = []
    for root in roots:
        if root not in unique:
            unique.append(root)
    return unique


def mcp_server_names(roots: Iterable[Path]) -> list[str]:
    """Server names declared in each root's `.mcp.json`, in file order."""
    names: list[str] = []
    for root in roots:
        data = _read_json(root / ".mcp.json")
        servers = data.get("mcpServers") if isinstance(data, dict) else None
        if isinstance(servers, dict):
            names.extend(str(n) for n in servers if str(n) not in names)
    return names


def inline_mcp_server_names(value: Any) -> list[str]:
    """Server names an agent's own `mcpServers` value mentions (references and inline definitions)."""
    names: list[str] = []
    if not isinstance(value, list):
        return names
    for item in value:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            names.extend(str(k) for k in item)
    return names


def skills(roots: Iterable[Path]) -> list[Named]:
    """Project skills: `.claude/skills/<name>/SKILL.md`; the folder name is the skill's name."""
    found: dict[str, Named] = {}
    for root in roots:
        folder = root / ".claude" / "skills"
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            skill_file = entry / "SKILL.md"
            if entry.name in found or not skill_file.is_file():
                continue
            data = _frontmatter(skill_file)
            found[entry.name] = Named(entry.name, _text(data.get("description")), skill_file)
    return list(found.values())


def agents(roots: Iterable[Path]) -> list[Named]:
    """Project agents under `.claude/agents/`, by their `name` field."""
    found: dict[str, Named] = {}
    for root in roots:
        folder = root / ".claude" / "agents"
        try:
            files = sorted(folder.rglob("*.md"))
        except OSError:
            continue
        for path in files:
            data = _frontmatter(path)
            name = data.get("name")
            if isinstance(name, str) and name and name not in found:
                found[name] = Named(name, _text(data.get("description")), path)
    return list(found.values())


def find(items: Iterable[Named], name: str) -> Named | None:
    return next((item for item in items if item.name == name), None)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _read_json(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _frontmatter(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return {}
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    data = parse_agent(text).data
    return data if isinstance(data, dict) else {}

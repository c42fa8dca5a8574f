"""Editor features of memory files (CLAUDE.md, AGENTS.md): links, definition, hover and completion of `@path` imports.

Plain functions over a document's text and path; `lsp/handlers` turns their spans into ranges.
An import inside code is no link (Claude Code does not follow it); one that resolves to nothing
has none either (its diagnostic says so).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from agent_lsp.project import disk, instructions
from agent_lsp.syntax.imports import Import, find_imports, import_prefix_at
from agent_lsp.syntax.text import Span

MAX_LISTED = 200  # entries of one folder offered after `@`
HOVER_CHARS = 2_000


@dataclass(frozen=True, slots=True)
class Link:
    span: Span  # the path as written after `@`
    target: str  # the file it names


def links(text: str, path: str | None) -> list[Link]:
    """Every import Claude Code follows that names an existing file, in text order."""
    if not path:
        return []
    base = os.path.dirname(path)
    found: list[Link] = []
    for item in find_imports(text, instructions.body_start(text)):
        if item.in_code:
            continue
        target = instructions.resolve(item.path, base)
        if instructions.exists(target):
            found.append(Link(item.span, target))
    return found


def link_at(text: str, path: str | None, offset: int) -> Link | None:
    """The import under the cursor (the cursor may sit just after it)."""
    return next((link for link in links(text, path) if link.span.start <= offset <= link.span.end), None)


def hover(text: str, path: str | None, offset: int) -> tuple[str, Span] | None:
    """The first lines of the file an import names, as Markdown."""
    link = link_at(text, path, offset)
    if link is None:
        return None
    read = disk.read_text(link.target)
    if read is None:
        return f"**`{os.path.basename(link.target)}`** cannot be read as text.", link.span
    lines_wanted = instructions.import_facts().get("hoverLines", 12)
    count = lines_wanted if isinstance(lines_wanted, int) else 12
    lines = read[0][:HOVER_CHARS].splitlines()
    shown = "\n".join(lines[:count])
    more = "\n…" if len(lines) > count or len(read[0]) > HOVER_CHARS else ""
    fence = "````" if "```" in shown else "```"
    shown_path = os.path.relpath(link.target, os.path.dirname(path)) if path else link.target
    return f"**`{shown_path}`** · imported into Claude's context\n\n{fence}markdown\n{shown}{more}\n{fence}", link.span


@dataclass(frozen=True, slots=True)
class PathItem:
    label: str  # what is inserted (the typed folder part is kept)
    is_dir: bool


def complete(text: str, path: str | None, offset: int) -> tuple[Span, list[PathItem]] | None:
    """Files and folders for the `@path` being typed: the span to replace and the candidates."""
    if not path:
        return None
    found = import_prefix_at(text, offset)
    if found is None:
        return None
    start, typed = found
    folder_part, _, _name_part = typed.rpartition("/")
    prefix = folder_part + "/" if folder_part or typed.startswith("/") else ""
    folder = instructions.resolve(prefix or ".", os.path.dirname(path))
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)[: MAX_LISTED * 4]
    except OSError:
        return Span(start, offset), []
    items: list[PathItem] = []
    for entry in entries:
        if entry.name.startswith(".") and not _name_part.startswith("."):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if not is_dir and not instructions.is_text(entry.name):
            continue
        if os.path.normpath(entry.path) == os.path.normpath(path):
            continue  # the file itself
        items.append(PathItem(prefix + entry.name + ("/" if is_dir else ""), is_dir))
        if len(items) >= MAX_LISTED:
            break
    return Span(start, offset), items


def imports(text: str) -> list[Import]:
    return find_imports(text, instructions.body_start(text))

"""Go to definition, find references, rename and workspace symbols over the workspace index.

Everything here works in code-point offsets into file texts held by the index
(open documents' texts are the editor's, fed to the index before each request;
other files' texts are read again from disk). Before handing out a file whose
spans will be mapped with its disk text, each function checks that the file did
not change since it was indexed (`WorkspaceIndex.revalidate`) and asks again of
the re-indexed files when one did. `lsp.handlers.workspace` turns the results into LSP
locations and edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from agent_lsp.project.entry import IndexedFile
from agent_lsp.project.index import WorkspaceIndex
from agent_lsp.project.paths import FileKind
from agent_lsp.project.references import RefKind
from agent_lsp.syntax.text import Span

# A new agent name: a plain YAML scalar that stays a string, without what Claude Code rejects (`:`, a leading `-`).
_NEW_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_YAML_SPECIAL = re.compile(r"(?i)[-+]?[0-9][0-9_.e+-]*|true|false|null|yes|no|on|off|y|n|~|\.inf|\.nan")


@dataclass(frozen=True, slots=True)
class Symbol:
    """The name under the cursor: an agent or skill, declared here or referenced."""

    kind: RefKind  # AGENT or SKILL
    name: str  # as written (possibly `plugin:name`)
    span: Span  # in the document
    declaration: bool


@dataclass(slots=True)
class Occurrence:
    entry: IndexedFile
    span: Span
    declaration: bool = False


@dataclass(slots=True)
class RenamePlan:
    edits: dict[str, list[tuple[Span, str]]] = field(default_factory=dict)  # path -> (span, new text)
    file_renames: list[tuple[str, str]] = field(default_factory=list)  # (old path, new path)


class RenameError(ValueError):
    """The rename cannot be done; the message says why."""


def document_entry(index: WorkspaceIndex, path: str, text: str) -> IndexedFile | None:
    """The index's entry for a document, read from `text` (any Markdown file may mention agents)."""
    return index.document_entry(path, text)


def symbol_at(entry: IndexedFile, offset: int) -> Symbol | None:
    """The agent or skill name at an offset (the cursor may sit just after it)."""
    span = entry.name_span
    if span is not None and span.start <= offset <= span.end and entry.name is not None:
        kind = RefKind.AGENT if entry.kind is FileKind.AGENT else RefKind.SKILL
        if entry.kind in (FileKind.AGENT, FileKind.SKILL):
            return Symbol(kind, entry.qualified_name or entry.name, span, True)
    for ref in entry.references:
        exact = entry.text[ref.span.start : ref.span.end] == ref.name
        if ref.kind is not RefKind.MCP and exact and ref.span.start <= offset <= ref.span.end:
            return Symbol(ref.kind, ref.name, ref.span, False)
    return None


def _definition_kind(kind: RefKind) -> FileKind:
    return FileKind.AGENT if kind is RefKind.AGENT else FileKind.SKILL


def definitions(index: WorkspaceIndex, entry: IndexedFile, symbol: Symbol) -> list[IndexedFile]:
    """The files a name resolves to, seen from `entry` (several when they tie: a duplicate name)."""
    if symbol.declaration:
        return [entry]
    targets = index.resolve(_definition_kind(symbol.kind), symbol.name, entry.path)
    if index.revalidate(targets):
        targets = index.resolve(_definition_kind(symbol.kind), symbol.name, entry.path)
    return targets


def definition_span(target: IndexedFile) -> Span:
    """Where to land in a definition: its `name` value, else the file's start."""
    return target.name_span or Span(0, 0)


def references(
    index: WorkspaceIndex, entry: IndexedFile, symbol: Symbol, include_declaration: bool = True
) -> list[Occurrence]:
    """Every place naming the same agent or skill as `symbol`.

    A reference counts when, seen from its own file, it resolves to the same
    definition (a user agent's `Agent(helper)` is not the project's `helper`);
    a name that resolves to nothing is matched by its text.
    """
    targets = definitions(index, entry, symbol)
    names = {symbol.name}
    for target in targets:
        names.update(n for n in (target.name, target.qualified_name) if n)
    found: list[Occurrence] = []
    if include_declaration:
        found.extend(Occurrence(t, definition_span(t), True) for t in targets if t.name_span is not None)
    target_paths = {t.path for t in targets}
    kind = _definition_kind(symbol.kind)
    for name in sorted(names):
        holders = index.references_to(symbol.kind, name)
        if index.revalidate(dict.fromkeys(h for h, _ in holders)):
            holders = index.references_to(symbol.kind, name)
        for holder, ref in holders:
            if target_paths:
                seen = {t.path for t in index.resolve(kind, ref.name, holder.path)}
                if not seen & target_paths:
                    continue
            found.append(Occurrence(holder, ref.span))
    if index.get(entry.path) is not entry:  # a document the index does not hold with this text
        found = [o for o in found if o.entry.path != entry.path or o.declaration]
        found.extend(Occurrence(entry, r.span) for r in entry.references if r.kind is symbol.kind and r.name in names)
    unique: dict[tuple[str, int, int], Occurrence] = {}
    for occurrence in found:
        unique.setdefault((occurrence.entry.path, occurrence.span.start, occurrence.span.end), occurrence)
    return sorted(unique.values(), key=lambda o: (o.entry.path, o.span.start))


def prepare_rename(index: WorkspaceIndex, entry: IndexedFile, offset: int) -> Symbol | None:
    """The agent name that can be renamed at an offset, if any."""
    symbol = symbol_at(entry, offset)
    if symbol is None or symbol.kind is not RefKind.AGENT:
        return None
    targets = definitions(index, entry, symbol)
    if not targets or any(t.name_span is None for t in targets):
        return None  # a built-in type or an unknown name: nothing to rename
    return symbol


def check_new_name(new_name: str) -> str:
    name = new_name.strip()
    if not _NEW_NAME.fullmatch(name) or _YAML_SPECIAL.fullmatch(name):
        raise RenameError(
            f"`{new_name}` cannot be an agent name: use letters, digits and hyphens (for example `code-reviewer`)."
        )
    return name


def rename(
    index: WorkspaceIndex, entry: IndexedFile, offset: int, new_name: str, rename_files: bool = True
) -> RenamePlan:
    """Rename the agent at an offset: its `name`, every reference to it, and its file when named after it."""
    symbol = prepare_rename(index, entry, offset)
    if symbol is None:
        raise RenameError("There is no agent name here to rename.")
    new = check_new_name(new_name)
    targets = definitions(index, entry, symbol)
    clash = [
        f
        for f in index.named(FileKind.AGENT, new)
        if f.path not in {t.path for t in targets} and f.scope is targets[0].scope
    ]
    if clash:
        raise RenameError(f"An agent named `{new}` already exists ({clash[0].path}).")
    plan = RenamePlan()
    old_plain = {t.name.rsplit(":", 1)[-1] for t in targets if t.name}
    for occurrence in references(index, entry, symbol, include_declaration=True):
        text = occurrence.entry.text[occurrence.span.start : occurrence.span.end]
        if occurrence.declaration:
            replacement = new
        elif ":" in text:
            replacement = text.rsplit(":", 1)[0] + ":" + new  # keep a plugin's (and subfolder's) prefix
        elif text in old_plain:
            replacement = new
        else:
            continue
        plan.edits.setdefault(occurrence.entry.path, []).append((occurrence.span, replacement))
    if rename_files:
        for target in targets:
            path = Path(target.path)
            if path.stem in old_plain and path.stem == (target.name or "").rsplit(":", 1)[-1]:
                destination = path.with_name(new + path.suffix)
                if not destination.exists():
                    plan.file_renames.append((target.path, str(destination)))
    return plan


def workspace_symbols(index: WorkspaceIndex, query: str) -> list[IndexedFile]:
    """Agents, skills and commands whose name matches `query` (its letters in order, any case)."""
    wanted = query.lower().strip()
    found = _matching(index, wanted)
    if index.revalidate(found):
        found = _matching(index, wanted)
    order = {FileKind.AGENT: 0, FileKind.SKILL: 1, FileKind.COMMAND: 2}
    return sorted(found, key=lambda e: (order.get(e.kind, 3), e.qualified_name or "", e.path))


def _matching(index: WorkspaceIndex, wanted: str) -> list[IndexedFile]:
    found = []
    for entry in index.files():
        name = entry.qualified_name
        if entry.kind is FileKind.MEMORY or not name:
            continue
        if _subsequence(wanted, name.lower()):
            found.append(entry)
    return found


def _subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)

"""Findings that need the other files of the workspace: duplicate names and names that resolve to nothing.

`findings_for(analysis, index)` is what the server's diagnostics path adds to a
document's own findings; `crossfile_findings` is the same for the CLI, from a
parsed file and its path. Spans come from the text given (an open document's
current text), while the other files come from the index.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import Any, Protocol

from agent_lsp.checks.findings import Finding
from agent_lsp.checks.rules import RULES
from agent_lsp.checks.suggest import closest, did_you_mean
from agent_lsp.project.entry import IndexedFile
from agent_lsp.project.index import WorkspaceIndex
from agent_lsp.project.paths import FileKind, Scope
from agent_lsp.project.references import BUILTIN_AGENT_TYPES, BUNDLED_SKILLS, Reference, RefKind
from agent_lsp.syntax.frontmatter import ParsedAgent
from agent_lsp.syntax.jsondoc import JsonDocument
from agent_lsp.syntax.text import Span

CROSS_FILE_CODES = (
    "duplicate-agent-name",
    "agent-shadowed",
    "unknown-skill",
    "unknown-agent-type",
    "unknown-mcp-server",
    "duplicate-output-style",
    "unknown-output-style",
)
# The output styles Claude Code brings (2.1.328's own table; "default" is the one without a prompt).
BUILTIN_OUTPUT_STYLES = ("default", "Proactive", "Concise", "Explanatory", "Learning")
_MCP_NAME = re.compile(r"[^a-zA-Z0-9_-]")


class Analysed(Protocol):
    """What the cross-file checks read of an analysed document (`features.analysis.Analysis`)."""

    @property
    def path(self) -> str | None: ...

    @property
    def parsed(self) -> ParsedAgent: ...

    @property
    def kind(self) -> FileKind | None: ...


def findings_for(analysis: Analysed, index: WorkspaceIndex | None) -> list[Finding]:
    """Cross-file findings for an analysed document, or none without an index."""
    if index is None:
        return []
    path = analysis.path
    if path is None:
        return []
    return crossfile_findings(analysis.parsed, path, index, is_agent=analysis.kind is FileKind.AGENT)


def crossfile_findings(
    parsed: ParsedAgent, path: str, index: WorkspaceIndex, *, is_agent: bool = True
) -> list[Finding]:
    """Cross-file findings for a file's current text (`is_agent`: read as an agent where Claude Code's
    layout says nothing of the file, as for one the user's globs name)."""
    # The server has usually just indexed this very text as the file's overlay: that entry is reused
    # rather than scanning a possibly large body for mentions a second time.
    entry = index.document_entry(path, parsed.text, parsed, FileKind.AGENT if is_agent else None)
    if entry is None or entry.kind is FileKind.MEMORY:
        return []
    return entry_findings(entry, index)


def entry_findings(entry: IndexedFile, index: WorkspaceIndex) -> list[Finding]:
    """Cross-file findings for an indexed file, as indexed (the CLI: the text on disk)."""
    if entry.kind is FileKind.MEMORY:
        return []
    checker = _Checker(entry, index)
    if entry.kind is FileKind.AGENT:
        checker.check_duplicates()
    elif entry.kind is FileKind.OUTPUT_STYLE:
        checker.check_duplicate_style()
    checker.check_references(entry.references)
    return sorted(checker.findings, key=lambda f: (f.span.start, f.span.end, f.code))


def settings_findings(doc: JsonDocument, index: WorkspaceIndex) -> list[Finding]:
    """A settings file's `outputStyle` that names no output style: not a built-in one, none of the
    workspace's or the user's (`~/.claude/output-styles/`), and no style of a plugin in the workspace
    (`plugin:name` of a plugin elsewhere may be installed: not judged)."""
    root = doc.root
    member = root.get("outputStyle") if root is not None and root.kind == "object" else None
    if member is None or member.value.kind != "string" or not isinstance(member.value.value, str):
        return []
    name = member.value.value
    if not name.strip() or name in BUILTIN_OUTPUT_STYLES or name == "Default":
        return []
    if ":" in name and not index.has_plugin(name.split(":", 1)[0]):
        return []
    if index.named(FileKind.OUTPUT_STYLE, name):
        return []
    span = member.value.span
    if doc.exact and doc.text[span.start + 1 : span.end - 1] == name:
        span = Span(span.start + 1, span.end - 1)  # the name without its quotes
    known = [*BUILTIN_OUTPUT_STYLES, *index.names(FileKind.OUTPUT_STYLE)]
    suggestion = closest(name, known, cutoff=0.7)
    hint = did_you_mean(suggestion)
    message = (
        f"No output style named `{name}`: it is not a built-in style ({', '.join(BUILTIN_OUTPUT_STYLES)}) "
        "and no `.claude/output-styles/` or `~/.claude/output-styles/` file is named so, so Claude Code has "
        f"no such style to apply and the session keeps the default one.{hint}"
    )
    code = "unknown-output-style"
    return [Finding(code, span, message, RULES[code].severity, {"code": code, "replacement": suggestion})]


class _Checker:
    def __init__(self, me: IndexedFile, index: WorkspaceIndex) -> None:
        self.me = me
        self.path = me.path
        self.placement = me.placement
        self.index = index
        self.findings: list[Finding] = []

    def report(self, code: str, span: Span, message: str, **data: Any) -> None:
        self.findings.append(Finding(code, span, message, RULES[code].severity, {"code": code, **data}))

    def show(self, entry: IndexedFile) -> str:
        """A path for messages: relative to the file's project, or under `~/.claude/` for the user's."""
        user = self.index.user_dir
        if user is not None and entry.path.startswith(str(user) + os.sep):
            return "~/.claude/" + Path(os.path.relpath(entry.path, user)).as_posix()
        for base in (self.placement.root, *(str(f) for f in self.index.folders)):
            if entry.path.startswith(base + os.sep):
                return Path(os.path.relpath(entry.path, base)).as_posix()
        return entry.path

    # ---- names ---------------------------------------------------------------------------------
    def check_duplicates(self) -> None:
        name = self.me.qualified_name
        span = self.me.name_span
        if name is None or span is None:
            return
        others = [f for f in self.index.named(FileKind.AGENT, name) if f.path != self.path and f.name is not None]
        others = [f for f in others if f.qualified_name == name]
        same_group = [
            f for f in others if f.placement.group == self.placement.group and f.scope is self.placement.scope
        ]
        if same_group:
            listed = ", ".join(f"`{self.show(f)}`" for f in same_group)
            self.report(
                "duplicate-agent-name",
                span,
                f"Another agent in the same folder tree is also named `{name}` ({listed}). Claude Code loads "
                "only one of them, chosen by filesystem read order, so which one runs is ambiguous. Give each "
                "agent its own name.",
                others=[f.path for f in same_group],
            )
        if self.placement.scope is Scope.PROJECT:
            users = [f for f in others if f.scope is Scope.USER]
            if users:
                self.report(
                    "agent-shadowed",
                    span,
                    f"This project agent overrides your user agent `{name}` (`{self.show(users[0])}`): in this "
                    "project Claude Code uses this one.",
                    others=[f.path for f in users],
                )
        elif self.placement.scope is Scope.USER:
            projects = [f for f in others if f.scope is Scope.PROJECT]
            if projects:
                self.report(
                    "agent-shadowed",
                    span,
                    f"A project agent with the same name overrides this one (`{self.show(projects[0])}`): in that "
                    "project Claude Code uses the project's agent, never this one.",
                    others=[f.path for f in projects],
                )

    def check_duplicate_style(self) -> None:
        """Two output styles of one folder with one name: the picker and `outputStyle` reach only one."""
        name = self.me.qualified_name
        if name is None:
            return
        span = self.me.name_span or Span(0, 0)
        same = [
            f
            for f in self.index.named(FileKind.OUTPUT_STYLE, name)
            if f.path != self.path
            and f.qualified_name == name
            and f.placement.group == self.placement.group
            and f.scope is self.placement.scope
        ]
        if same:
            listed = ", ".join(f"`{self.show(f)}`" for f in same)
            self.report(
                "duplicate-output-style",
                span,
                f"Another output style here is also named `{name}` ({listed}): Claude Code lists one of them and "
                "hides the other. Give each style its own `name` (or file name).",
                others=[f.path for f in same],
            )

    # ---- references ----------------------------------------------------------------------------
    def check_references(self, refs: list[Reference]) -> None:
        for ref in refs:
            if ref.kind is RefKind.SKILL and ref.field == "skills":
                self.check_skill(ref)
            elif ref.kind is RefKind.AGENT and ref.how == "tools":
                self.check_agent_type(ref)
            elif ref.kind is RefKind.MCP:
                self.check_mcp(ref)

    def check_mcp_name(self, ref: Reference) -> None:
        """A plain name in an agent's `mcpServers` list: a server configured elsewhere, shared with the
        session. Plugin agents' `mcpServers` is ignored altogether, so only project agents are checked."""
        if self.placement.scope is not Scope.PROJECT:
            return
        project = self.index.mcp_servers(self.path)
        if project is None:
            return  # no project around the file: nothing to compare with
        # Inline definitions in the same list declare servers too (`- name: {command: ...}`).
        # `inline_mcp` holds the plain names too: a name counts as defined when it is there more often.
        plain = Counter(r.name for r in self.me.references if r.how == "mcpServers")
        defined = Counter(self.me.inline_mcp) - plain
        known = [*project, *defined]
        if ref.name in known:
            return
        suggestion = closest(ref.name, known, cutoff=0.7)
        hint = did_you_mean(suggestion)
        self.report(
            "unknown-mcp-server",
            ref.span,
            f"No MCP server named `{ref.name}` in the project's `.mcp.json`: this entry refers to a configured "
            "server by name, so unless it is configured elsewhere (your user settings in `~/.claude.json`, a "
            f"plugin, managed settings) the subagent gets no server from it.{hint}",
            replacement=suggestion,
        )

    def _foreign_plugin(self, name: str) -> bool:
        """`plugin:name` for a plugin that is not in the workspace: it may be installed, we cannot tell."""
        return ":" in name and not self.index.has_plugin(name.split(":", 1)[0])

    def check_skill(self, ref: Reference) -> None:
        name = ref.name
        if name in BUNDLED_SKILLS or self._foreign_plugin(name):
            return
        if self.index.named(FileKind.SKILL, name) or self.index.named(FileKind.COMMAND, name):
            return
        suggestion = closest(name, self.index.names(FileKind.SKILL), cutoff=0.7)
        hint = did_you_mean(suggestion)
        self.report(
            "unknown-skill",
            ref.span,
            f"No skill named `{name}` in this workspace (`.claude/skills/{name}/SKILL.md`) or in "
            f"`~/.claude/skills/`: Claude Code skips it with a warning in its debug log, so the agent starts "
            f"without it.{hint}",
            replacement=suggestion,
        )

    def check_agent_type(self, ref: Reference) -> None:
        name = ref.name
        if name in BUILTIN_AGENT_TYPES or self._foreign_plugin(name):
            return
        if self.index.named(FileKind.AGENT, name):
            return
        suggestion = closest(name, [*self.index.names(FileKind.AGENT), *BUILTIN_AGENT_TYPES], cutoff=0.7)
        hint = did_you_mean(suggestion)
        self.report(
            "unknown-agent-type",
            ref.span,
            f"No agent named `{name}` in this workspace or `~/.claude/agents/`, and it is not a built-in agent "
            f"type ({', '.join(BUILTIN_AGENT_TYPES[:-1])}): this entry allows nothing.{hint}",
            replacement=suggestion,
        )

    def check_mcp(self, ref: Reference) -> None:
        if self.placement.scope is Scope.USER:
            return  # the user's servers live in ~/.claude.json, which is not ours to read
        if ref.how == "mcpServers":
            self.check_mcp_name(ref)
            return
        known = list(self.me.inline_mcp)
        if self.placement.scope is Scope.PLUGIN and self.placement.plugin:
            known += self.index.plugin_mcp_servers(self.placement.root, self.placement.plugin)
        project = self.index.mcp_servers(self.path)
        if project is None and self.placement.scope is not Scope.PLUGIN:
            return  # no project around the file: nothing to compare with
        known += project or ()
        tail = ref.name  # what follows `mcp__`
        for server in known:
            normal = _MCP_NAME.sub("_", server)
            if tail in (server, normal) or tail.startswith((f"{server}__", f"{normal}__")):
                return
        server = tail.split("__", 1)[0]
        suggestion = closest(server, known, cutoff=0.7)
        hint = did_you_mean(suggestion)
        self.report(
            "unknown-mcp-server",
            ref.span,
            f"No MCP server named `{server}` in the project's `.mcp.json` or this file's `mcpServers`. Unless it "
            "is configured elsewhere (your user settings in `~/.claude.json`, a plugin, managed settings), "
            f"the entry matches no tool.{hint}",
            replacement=suggestion,
        )

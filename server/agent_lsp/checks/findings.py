"""What a check finds, as plain data: a code, a span of code points, a message and a severity.

`AgentContext` says what a file's location tells the checks (its kind, plugin or not); spans
become LSP ranges only in `features`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from agent_lsp.checks.rules import Severity
from agent_lsp.project.config import NO_CONFIG, ProjectConfig
from agent_lsp.syntax.text import Span


@dataclass(slots=True)
class Finding:
    code: str
    span: Span
    message: str
    severity: Severity
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AgentContext:
    """What the file's location tells about how Claude Code loads it."""

    path: str | None = None
    plugin: bool = False  # part of a plugin (its agents/, skills/ or commands/ folder, or its root SKILL.md)
    kind: str = "agent"  # agent, skill or command: which schema and checks apply
    config: ProjectConfig = NO_CONFIG  # the project's `.agent-lsp.toml` (rule severities, allowed keys)

    @property
    def file_stem(self) -> str | None:
        return PurePath(self.path).stem if self.path else None

    @property
    def folder_name(self) -> str | None:
        """The name of the folder holding the file (a skill's name comes from it)."""
        return PurePath(self.path).parent.name or None if self.path else None


DocumentContext = AgentContext

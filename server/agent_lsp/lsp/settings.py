"""Client settings for the `agentLsp` section (initializationOptions and workspace/configuration)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Settings:
    agent_globs: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_client(cls, value: Any) -> Settings:
        """Read what the client sent; anything malformed falls back to the defaults."""
        raw: dict[str, Any] = {}
        if isinstance(value, dict):
            # Some clients nest the section under its name, others send it bare.
            inner = value.get("agentLsp", value)
            raw = dict(inner) if isinstance(inner, dict) else {}
        globs = raw.get("agentGlobs", ())
        if not isinstance(globs, (list, tuple)):
            globs = ()
        return cls(agent_globs=tuple(str(g) for g in globs if isinstance(g, str)), raw=raw)

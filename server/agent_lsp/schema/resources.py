"""Where the files shipped with agent-lsp live, in a wheel and in a source checkout.

A wheel carries `schemas/` and `agents/` inside the package as `_data/`; a source
checkout (editable install, tests) has them at the repository root. Both are tried.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # agent_lsp/, where a wheel keeps _data/


@cache
def data_dir(kind: str) -> Path:
    """The folder holding the shipped `schemas` or `agents`."""
    for candidate in (_PACKAGE_DIR / "_data" / kind, _PACKAGE_DIR.parent.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"agent-lsp is installed without its {kind}/ folder")


def schema_path(name: str = "agent") -> Path:
    return data_dir("schemas") / f"{name}.schema.json"


def shipped_agent_path(name: str) -> Path:
    """The path of a shipped agent such as `backend-architect`."""
    return data_dir("agents") / f"{name}.md"


def verified_claude_code() -> str | None:
    """The Claude Code version the shipped rules were checked against (tests/conformance), if recorded."""
    import json

    with schema_path("agent").open(encoding="utf-8") as handle:
        meta = json.load(handle).get("x-agent-lsp", {})
    version = meta.get("verifiedClaudeCode")
    return version if isinstance(version, str) else None

"""`agent-lsp check` with a project configuration and inline suppressions (the real command, in a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CUSTOM = (
    "---\nname: reviewer\ndescription: Reviews code when asked\ncategory: tooling\ncomplexity: high\n"
    "tools: Read, Agent(ghost)\n---\nYou review code.\n"
)


def _check(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent_lsp", "check", "--format", "json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
        check=False,
    )


def _codes(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str, str]]:
    report = json.loads(result.stdout)
    return [(d["path"], d["code"], d["severity"]) for d in report["diagnostics"]]


def _project(tmp_path: Path) -> Path:
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "reviewer.md").write_text(CUSTOM, encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "agents").mkdir()
    (tmp_path / "drafts" / "agents" / "wip.md").write_text("---\nname: wip\n---\n", encoding="utf-8")
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "helper.md").write_text("---\nname: helper\ndescription: Helps.\nbogus: 1\n---\nHi.\n")
    return tmp_path


def test_check_reads_the_project_configuration(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = _codes(_check(root, "."))  # prompts/helper.md is an agent by its frontmatter (`name`)
    assert sorted(c for _, c, _ in before) == [
        "empty-body",
        "missing-description",
        "unknown-agent-type",
        "unknown-key",
        "unknown-key",
        "unknown-key",
    ]
    (root / ".agent-lsp.toml").write_text(
        'exclude = ["drafts/"]\ninclude = ["prompts/*.md"]\n'
        '[rules]\nunknown-agent-type = "off"\nunknown-key = "error"\n'
        '[agent]\nallowed-keys = ["category", "complexity"]\n',
        encoding="utf-8",
    )
    result = _check(root, ".")
    assert result.stderr == ""
    assert _codes(result) == [(os.path.join("prompts", "helper.md"), "unknown-key", "error")]
    assert json.loads(result.stdout)["files"] == 2 and result.returncode == 1


def test_check_reads_tool_agent_lsp_in_pyproject_and_names_mistakes(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.agent-lsp.rules]\nunknown-key = "off"\nunknown-agent-typo = "off"\n',
        encoding="utf-8",
    )
    result = _check(root, ".claude")
    assert [c for _, c, _ in _codes(result)] == ["unknown-agent-type"]
    assert "pyproject.toml: rules.unknown-agent-typo: no such rule" in result.stderr


def test_inline_suppressions_survive_in_check(tmp_path: Path) -> None:
    root = _project(tmp_path)
    text = CUSTOM.replace("category:", "# agent-lsp: ignore unknown-key\ncategory:").replace(
        "tools: Read, Agent(ghost)", "tools: Read, Agent(ghost)  # agent-lsp: ignore unknown-agent-type"
    )
    (root / ".claude" / "agents" / "reviewer.md").write_text(text, encoding="utf-8")
    assert [c for _, c, _ in _codes(_check(root, ".claude"))] == ["unknown-key"]  # `complexity` only

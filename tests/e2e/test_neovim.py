"""A real editor: headless Neovim attaches agent-lsp, shows diagnostics, answers hover, clears on edit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent / "neovim" / "agent_lsp_check.lua"
AGENT = "---\nname: painter\ndescription: Paints things\ntools: Read, Glob\ncolor: gold\n---\nYou paint.\n"

pytestmark = pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim is not installed")


def test_neovim_shows_diagnostics_hover_and_clears_them(tmp_path: Path) -> None:
    agent = tmp_path / ".claude" / "agents" / "painter.md"
    agent.parent.mkdir(parents=True)
    agent.write_text(AGENT, encoding="utf-8")
    result_file = tmp_path / "result.json"
    env = {
        **os.environ,
        "AGENT_LSP_PYTHON": sys.executable,
        "AGENT_FILE": str(agent),
        "RESULT_FILE": str(result_file),
        "HOME": str(tmp_path),  # no user config or shada leaks in
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    subprocess.run(
        ["nvim", "--headless", "-u", "NONE", "-i", "NONE", "-n", "-S", str(SCRIPT)],
        env=env,
        cwd=tmp_path,
        timeout=90,
        check=False,
        capture_output=True,
    )
    result = json.loads(result_file.read_text(encoding="utf-8"))
    assert result.get("error") is None, result["error"]
    assert [(d["lnum"], d["col"]) for d in result["diagnostics"]] == [(4, 7)]
    assert "gold" in result["diagnostics"][0]["message"]
    assert result["hover"] and "colour" in result["hover"].lower()
    assert result["after_edit"] == 0

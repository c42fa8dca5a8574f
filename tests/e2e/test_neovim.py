"""A real editor: headless Neovim configured with the README's own snippet (copied verbatim into its
init.lua) attaches agent-lsp, shows diagnostics, answers `K`, sets `omnifunc`, clears a fixed diagnostic,
and stays quiet when `agent-lsp` is not installed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from readme_snippets import AGENT, ROOT, readme_snippet

DRIVER = Path(__file__).parent / "neovim" / "drive.lua"

pytestmark = pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim is not installed")


def _neovim_minor() -> int:
    version = subprocess.run(["nvim", "--version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"NVIM v0\.(\d+)", version)
    return int(found.group(1)) if found else 0


def _run(tmp_path: Path, snippet: str, on_path: bool) -> dict[str, Any]:
    agent = tmp_path / ".claude" / "agents" / "painter.md"
    agent.parent.mkdir(parents=True)
    agent.write_text(AGENT, encoding="utf-8")
    config = tmp_path / "config" / "nvim"
    config.mkdir(parents=True)
    (config / "init.lua").write_text(snippet, encoding="utf-8")
    # What `pipx install .` leaves on PATH: an `agent-lsp` command (here running this checkout's code).
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if on_path:
        command = bin_dir / "agent-lsp"
        command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m agent_lsp "$@"\n', encoding="utf-8")
        command.chmod(0o755)
    system_path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if not (Path(p) / "agent-lsp").exists()]
    result_file = tmp_path / "result.json"
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(bin_dir), *system_path]),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "server"), os.environ.get("PYTHONPATH", "")]),
        "RESULT_FILE": str(result_file),
        "EXPECT_SERVER": "1" if on_path else "0",
        "HOME": str(tmp_path),  # no user config or shada leaks in
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    subprocess.run(
        ["nvim", "--headless", "-i", "NONE", "-n", str(agent), "-S", str(DRIVER)],
        env=env,
        cwd=tmp_path,
        timeout=90,
        check=False,
        capture_output=True,
    )
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    assert result.get("error") is None, result["error"]
    assert result["filetype"] == "markdown"
    return result


@pytest.mark.skipif(_neovim_minor() > 10, reason="this snippet is the README's for Neovim 0.7 to 0.10")
def test_the_readme_snippet_for_neovim_0_7_to_0_10_works_as_written(tmp_path: Path) -> None:
    result = _run(tmp_path, readme_snippet("**Neovim 0.7–0.10**", "lua"), on_path=True)
    assert [(d["lnum"], d["col"]) for d in result["diagnostics"]] == [(4, 7)]
    assert "gold" in result["diagnostics"][0]["message"]
    assert result["omnifunc"] == "v:lua.vim.lsp.omnifunc"
    assert result["k_mapped"] and result["hover"] and "colour" in result["hover"].lower()
    assert result["after_edit"] == 0
    assert result["errmsg"] == ""


@pytest.mark.skipif(_neovim_minor() > 10, reason="this snippet is the README's for Neovim 0.7 to 0.10")
def test_the_readme_snippet_is_quiet_without_the_command(tmp_path: Path) -> None:
    result = _run(tmp_path, readme_snippet("**Neovim 0.7–0.10**", "lua"), on_path=False)
    assert result["clients"] == 0
    assert result["errmsg"] == "" and "nil" not in result["messages"] and "Error" not in result["messages"]


@pytest.mark.skipif(_neovim_minor() < 11, reason="vim.lsp.config needs Neovim 0.11")
def test_the_readme_snippet_for_neovim_0_11_works_as_written(tmp_path: Path) -> None:
    result = _run(tmp_path, readme_snippet("**Neovim 0.11+**", "lua"), on_path=True)
    assert [(d["lnum"], d["col"]) for d in result["diagnostics"]] == [(4, 7)]
    assert result["hover"] and "colour" in result["hover"].lower()
    assert result["after_edit"] == 0

"""A real editor: batch Emacs with eglot, configured with the README's own snippet (loaded verbatim as the
init file), starts agent-lsp in a Markdown buffer, shows its diagnostics through Flymake, answers a hover
through eglot and clears a fixed diagnostic."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from readme_snippets import AGENT, ROOT, readme_snippet

DRIVER = Path(__file__).parent / "emacs" / "drive.el"


def _has_eglot() -> bool:
    if shutil.which("emacs") is None:
        return False
    probe = subprocess.run(
        ["emacs", "--batch", "--eval", "(progn (package-initialize) (require 'eglot) (require 'markdown-mode))"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _has_eglot(), reason="Emacs with eglot and markdown-mode is not installed")


def test_the_readme_snippet_for_eglot_works_as_written(tmp_path: Path) -> None:
    agent = tmp_path / ".claude" / "agents" / "painter.md"
    agent.parent.mkdir(parents=True)
    agent.write_text(AGENT, encoding="utf-8")
    (tmp_path / ".git").mkdir()  # a project root for eglot (project.el)
    init = tmp_path / "init.el"
    init.write_text(readme_snippet("**Emacs (eglot)**", "elisp"), encoding="utf-8")
    bin_dir = tmp_path / "bin"  # what `pipx install .` leaves on PATH
    bin_dir.mkdir()
    command = bin_dir / "agent-lsp"
    command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m agent_lsp "$@"\n', encoding="utf-8")
    command.chmod(0o755)
    result_file = tmp_path / "result.json"
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "server"), os.environ.get("PYTHONPATH", "")]),
        "HOME": str(tmp_path),
        "AGENT_FILE": str(agent),
        "RESULT_FILE": str(result_file),
    }
    run = subprocess.run(
        ["emacs", "--batch", "-l", str(init), "-l", str(DRIVER)],
        env=env,
        cwd=tmp_path,
        timeout=150,
        check=False,
        capture_output=True,
        text=True,
    )
    assert result_file.exists(), run.stderr[-2000:]
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    assert result["error"] is None, (result["error"], run.stderr[-2000:])
    assert result["mode"] == "markdown-mode" and result["managed"] is True
    assert [(d["line"], d["column"]) for d in result["diagnostics"]] == [(5, 7)]
    assert "gold" in result["diagnostics"][0]["text"]
    assert result["hover"] and "colour" in result["hover"].lower()
    assert result["after_edit"] == 0

"""The README's Helix and Zed snippets, which no editor here can run (tests/e2e runs the Neovim and Emacs
ones): each parses as its editor reads it and starts the command the install puts on PATH."""

from __future__ import annotations

import json

from agent_lsp.project.config import tomllib  # the standard library's, or tomli on Python 3.10
from readme_snippets import readme_snippet


def test_the_helix_snippet_is_valid_toml_naming_agent_lsp() -> None:
    config = tomllib.loads(readme_snippet("**Helix**", "toml"))
    assert config["language-server"]["agent-lsp"]["command"] == "agent-lsp"
    (markdown,) = [language for language in config["language"] if language["name"] == "markdown"]
    assert "agent-lsp" in markdown["language-servers"] and "marksman" in markdown["language-servers"]


def test_the_zed_snippet_is_valid_json_naming_agent_lsp() -> None:
    settings = json.loads(readme_snippet("**Zed**", "json"))
    assert settings["lsp"]["agent-lsp"]["binary"]["path"] == "agent-lsp"
    assert "agent-lsp" in settings["languages"]["Markdown"]["language_servers"]

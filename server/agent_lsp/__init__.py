"""agent-lsp: a language server and checker for Claude Code agent files."""

__version__ = "0.1.0"

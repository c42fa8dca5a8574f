"""Which files Claude Code loads and what they name: the project model.

One classifier says what a path is to Claude Code; the index holds every agent, skill, command
and memory file of the workspace folders and `~/.claude/`, with the names each one declares and
refers to, and answers every "which agents, skills and MCP servers exist" question.
Built on `syntax` and `schema`; knows nothing of checks or LSP.
"""

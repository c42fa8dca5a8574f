"""Which files Claude Code loads and what they name: the one project model.

`paths` is the one classifier (what a path is to Claude Code: `FileKind`, `Scope`, `Placement`)
and the walk that finds those files; `disk` the one bounded file reader; `references` what a file
names; `entry` one indexed file, packed small; `index` the workspace index of every agent, skill,
command and memory file of the workspace folders and `~/.claude/`, which answers every "which
agents, skills and MCP servers exist" question (`ProjectView`: as one document sees them).
Built on `syntax` and `schema`; knows nothing of checks or LSP.
"""

"""Findings as plain data: every problem Claude Code would have with a file, as spans.

`rules` (every code, its severity and meaning), `validate` (one file against its schema and
Claude Code's loader), `crossfile` (names that collide or resolve to nothing, over the project
index), `suggest` (closest-match suggestions). Positions stay code-point spans: they become LSP
ranges only in `features`.
"""

"""Findings as plain data: every problem Claude Code would have with a file, as spans.

`findings` (the data), `rules` (every code, its severity and meaning), `validate` (`find_problems`,
which picks the checker for a file's kind), `agent` and `skill` (one file against its schema and
Claude Code's loader), `schema_errors` (jsonschema's errors in our words), `crossfile` (names that
collide or resolve to nothing, over the project index), `suggest` (closest-match suggestions).
Positions stay code-point spans: they become LSP ranges only in `features`.
"""

"""One file's text, read as Claude Code reads it: no schema, no other files, no LSP.

`text` (spans, the one line table, offsets to positions in any encoding), `yaml12` (YAML 1.2
with node positions), `frontmatter` (the fences, the strict parse and Claude Code's retry),
`tools` (entries of a `tools` value) and `cursor` (what the cursor stands on while typing).
"""

"""The only package that knows pygls: the server, its typed session, and one handler module per area.

`server` (the pygls server class, its start, and the table of which handler serves each method),
`session` (everything handlers share, typed: the client's settings and the configuration pull,
the analyses, the project index as the editor sees it (`project_state`), the completion stores,
the architect feature, health and the parent watch; the one place for the position encoding and
the workspace roots), `handlers/` (documents: sync, diagnostics, settings, status; editing;
workspace; the architect), `protocol` and `stdio` (the transport's edges), `textdocument`
(pygls's document with LSP's line breaks), `warmup` and `health`.
"""

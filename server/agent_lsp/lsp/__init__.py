"""The only package that knows pygls: the server, its typed session, and one handler module per area.

`server` (the pygls server and its start), `session` (everything a handler may use: settings,
analyses, the project index, completion stores, the position encoding, workspace roots),
`handlers/` (document sync and diagnostics, editing features, workspace features, the architect),
`protocol` and `stdio` (the transport's edges), `textdocument` (pygls's document with LSP's line
breaks), `warmup` and `health`.
"""

"""Editor features as plain functions: analysis, diagnostics, completion, hover, actions, navigation.

Each takes an analysis (one parse per document version, `analysis`) or the project index and
returns lsprotocol values; the conversion from spans to LSP ranges happens here. Nothing here
imports pygls or knows about a server: `lsp` calls these functions.
"""

"""A bare pygls 2.1 server (no features): the floor for cold start in benchmarks/run.py."""

from pygls.lsp.server import LanguageServer

LanguageServer("bare", "0").start_io()

"""A bare pygls 2.1 server (no features): the floor for cold start and memory in benchmarks/run.py.

    python benchmarks/bare_pygls.py                  # pygls alone
    python benchmarks/bare_pygls.py jsonschema yaml  # pygls with these modules imported first

The second form is the memory floor of a server on agent-lsp's stack, before any code of its own.
"""

import importlib
import sys

for name in sys.argv[1:]:
    importlib.import_module(name)

from pygls.lsp.server import LanguageServer  # noqa: E402

LanguageServer("bare", "0").start_io()

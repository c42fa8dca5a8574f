"""Hostile documents through the whole path: the server's analysis and diagnostics, and `agent-lsp check`.

Each ends in a clear diagnostic within a second and under 100 MB of Python allocations
(tracemalloc, measured in a second run so the timing is not skewed by tracing), and no
RecursionError or MemoryError escapes.
"""

from __future__ import annotations

import io
import json
import time
import tracemalloc
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.workspace import Workspace

from agent_lsp.check import run_check
from agent_lsp.features import limits
from agent_lsp.lsp.server import AgentLanguageServer, create_server

SECONDS = 1.0
BYTES = 100 * 1024 * 1024
DEEP = 10_000
HEAD = "---\nname: hostile\ndescription: A hostile test agent\n"


def _bomb(levels: int = 9, fan: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * fan) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]")
    return "\n".join(lines) + "\n"


def _block_nesting(depth: int) -> str:
    # Block mappings need one more space per level: depth 3,000 is already ~4.5 M characters.
    return "".join(" " * i + f"k{i}:\n" for i in range(depth))


CASES: dict[str, tuple[str, set[str]]] = {
    "billion-laughs": (HEAD + _bomb() + "---\nBody.\n", {"yaml-too-complex"}),
    "flow-nesting-10000": (HEAD + "tools: " + "[" * DEEP + "]" * DEEP + "\n---\nBody.\n", {"yaml-fallback"}),
    "flow-nesting-unclosed": (HEAD + "x: " + "{a: " * DEEP + "\n---\nBody.\n", {"yaml-fallback", "unknown-key"}),
    "flow-nesting-bare": (HEAD + "[" * DEEP + "]" * DEEP + "\n---\nBody.\n", {"yaml-syntax"}),
    "block-sequence-10000": (HEAD + "x:\n" + "- " * DEEP + "leaf\n---\nBody.\n", {"yaml-syntax"}),
    "block-mapping-3000": (HEAD + _block_nesting(3000) + "---\nBody.\n", {"yaml-syntax"}),
    "one-megabyte-line": (HEAD.replace("A hostile", "x" * 1_000_000) + "---\nBody.\n", set()),
    "one-megabyte-flow-list": (HEAD + "tools: [" + "Read, " * 170_000 + "Read]\n---\nBody.\n", {"yaml-too-complex"}),
    "many-keys": (HEAD + "".join(f"k{i}: v\n" for i in range(120_000)) + "---\n", {"yaml-too-complex"}),
    "many-duplicates": (HEAD + "k: v\n" * 40_000 + "---\n", {"yaml-too-complex"}),
    "nul-byte": (HEAD + "model: so\x00net\n---\nBody.\n", {"yaml-syntax"}),
    "lone-surrogate": (HEAD + "model: \ud800\n---\nBody.\n", {"yaml-syntax"}),
    "replacement-chars": (HEAD.replace("hostile", "\ufffd\ufffd") + "---\nBody.\n", {"name-style"}),
    "a-million-carriage-returns": ("---\r" + "\r" * 1_000_000, {"unclosed-frontmatter"}),
    "fifty-megabytes": (HEAD + "---\n" + "All work and no play.\n" * 2_300_000, {"unreadable-file"}),
}


def _server_with(uri: str, text: str) -> AgentLanguageServer:
    server = create_server()
    server.protocol._workspace = Workspace(None)  # what `initialize` sets up
    server.protocol.client_capabilities = types.ClientCapabilities()
    server.workspace.put_text_document(types.TextDocumentItem(uri, "markdown", 1, text))
    return server


def _measure(run: Callable[[], Any]) -> tuple[Any, float, int]:
    """(result, seconds untraced, peak bytes traced)."""
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, seconds, peak


@pytest.mark.parametrize("name", list(CASES))
def test_server_path_ends_in_a_clear_diagnostic(name: str) -> None:
    text, expected = CASES[name]
    uri = "file:///work/project/.claude/agents/hostile.md"
    server = _server_with(uri, text)

    def run() -> list[types.Diagnostic]:
        server.session.analyses.clear()
        return server.session.diagnostics_for(server.session.analysis(uri))

    diagnostics, seconds, peak = _measure(run)
    codes = {str(d.code) for d in diagnostics}
    assert expected <= codes, codes
    assert seconds < SECONDS, f"{name}: {seconds:.2f} s"
    assert peak < BYTES, f"{name}: {peak / 1e6:.0f} MB"
    for diagnostic in diagnostics:
        assert diagnostic.message and diagnostic.range.start.line >= 0


def test_an_oversized_file_that_is_not_an_agent_gets_nothing() -> None:
    uri = "file:///work/project/README.md"
    server = _server_with(uri, "x" * (limits.MAX_DOCUMENT_CHARS + 1))
    assert server.session.diagnostics_for(server.session.analysis(uri)) == []


def test_block_nesting_past_libyaml_limit_is_a_syntax_error_not_a_crash() -> None:
    from agent_lsp.syntax.frontmatter import ParseMode, parse_agent

    parsed = parse_agent(HEAD + _block_nesting(1200) + "---\n")
    assert parsed.mode is ParseMode.FAILED
    assert parsed.syntax_error is not None and "nesting" in parsed.syntax_error.message


def _check(path: Path) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = run_check([str(path), "--format", "json"])
    return status, json.loads(out.getvalue())


CLI_CASES: dict[str, tuple[bytes, str]] = {
    "billion-laughs": ((HEAD + _bomb() + "---\nBody.\n").encode(), "yaml-too-complex"),
    "flow-nesting-bare": ((HEAD + "[" * DEEP + "]" * DEEP + "\n---\n").encode(), "yaml-syntax"),
    "nul-byte": (HEAD.encode() + b"model: a\x00b\n---\n", "unreadable-file"),
    "invalid-utf8": (HEAD.encode() + b"model: \xff\xfe\n---\n", "unreadable-file"),
    "encoded-surrogate": (HEAD.encode() + b"model: \xed\xa0\x80\n---\n", "unreadable-file"),
    "truncated-utf8": (HEAD.encode() + "model: é".encode()[:-1], "unreadable-file"),
    "fifty-megabytes": (HEAD.encode() + b"---\n" + b"All work and no play.\n" * 2_300_000, "unreadable-file"),
    "many-keys": ((HEAD + "".join(f"k{i}: v\n" for i in range(120_000)) + "---\n").encode(), "yaml-too-complex"),
}


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_check_cli_ends_in_a_clear_diagnostic(name: str, tmp_path: Path) -> None:
    data, code = CLI_CASES[name]
    path = tmp_path / ".claude" / "agents" / "hostile.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    (status, report), seconds, peak = _measure(lambda: _check(path))
    assert status == 1
    assert code in {d["code"] for d in report["diagnostics"]}
    assert seconds < SECONDS, f"{name}: {seconds:.2f} s"
    assert peak < BYTES, f"{name}: {peak / 1e6:.0f} MB"

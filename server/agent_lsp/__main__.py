"""Command line: `agent-lsp` serves LSP over stdio; `agent-lsp check` lints files."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

from agent_lsp import __version__


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "check":
        from agent_lsp.check import run_check

        return run_check(args[1:])
    if args and args[0] == "explain":
        from agent_lsp.explain import run_explain

        return run_explain(args[1:])
    if not args or args in (["--stdio"], ["serve"], ["serve", "--stdio"]):
        # How editors start us: no options to parse, so argparse (~10 ms to import) is skipped.
        return _serve(tcp=None, log_level="warning", log_file=None)
    import argparse

    parser = argparse.ArgumentParser(
        prog="agent-lsp",
        description="Language server for Claude Code agent files. Run `agent-lsp check --help` for the checker.",
    )
    parser.add_argument("--version", action="version", version=_version_text())
    parser.add_argument("--stdio", action="store_true", help="serve over stdin/stdout (the default)")
    parser.add_argument(
        "--tcp",
        metavar="HOST:PORT",
        help="serve one client over TCP instead of stdio; the client sends the token (AGENT_LSP_TOKEN, else "
        "printed on stderr) as initializationOptions.token",
    )
    parser.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    parser.add_argument("--log-file", metavar="PATH", help="also write the JSON-lines log to this file")
    options = parser.parse_args([a for a in args if a != "serve"])
    if options.tcp:
        _, _, port = options.tcp.rpartition(":")
        if not port.isdigit():
            parser.error("--tcp takes HOST:PORT, for example 127.0.0.1:2087")
        from agent_lsp.lsp.tcp import TokenError, server_token

        try:
            server_token()  # a token too short to be a secret is a usage error, before anything starts
        except TokenError as error:
            parser.error(str(error))
    return _serve(tcp=options.tcp, log_level=options.log_level, log_file=options.log_file)


def _version_text() -> str:
    """`agent-lsp X`, and the Claude Code version its rules were verified against when known."""
    from agent_lsp.schema.resources import verified_claude_code

    verified = verified_claude_code()
    suffix = f" (rules verified against Claude Code {verified})" if verified else ""
    return f"agent-lsp {__version__}{suffix}"


def hold_full_collections() -> None:
    """Called before pygls is imported. Loading pygls and lsprotocol leaves ~50,000 objects that
    live for the whole session, and CPython's collector would walk all of them in a full pass
    while they load (~16 ms of a ~350 ms start). The young passes stay (they free the classes
    attrs replaces); the full pass waits: `start_io` sets the session's thresholds, and the
    warm-up freezes these objects."""
    gc.set_threshold(700, 10, 1000)


def _serve(tcp: str | None, log_level: str, log_file: str | None) -> int:
    hold_full_collections()
    from agent_lsp.logsetup import configure

    configure(log_level, log_file)
    from agent_lsp.lsp.server import create_server

    server = create_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Mutation fuzzer: random edits of real agent files through every feature handler of the server.

For each mutated document it runs, in-process through the registered pygls handlers,
pull diagnostics, hover and completion at random positions (some past the end), code
actions over the whole document with its diagnostics, document symbols, folding ranges
and colors. Nothing may raise, and every range in every result must lie inside the
document (lines and UTF-16 columns of LSP's line breaks).

    python scripts/fuzz.py --count 100000 [--seed N] [--corpus DIR]

Exit status 1 with the first failing document saved under --out when something breaks.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.workspace import Workspace

from agent_lsp.lsp.server import AgentLanguageServer, create_server

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "fixtures" / "real-world"
URI = "file:///fuzz/project/.claude/agents/fuzzed.md"
LINE_BREAK = re.compile(r"\r\n|\r|\n")
FRAGMENTS = [
    "---\n", "---", "\n", "\r\n", "\r", "\t", "  ", "- ", ": ", ":", "#", "'", '"', "\\", "[", "]", "{", "}", ",",
    "&a ", "*a", "!!str ", "|", ">-", "name: ", "description: ", "tools: ", "model: ", "color: ", "hooks:\n",
    "mcpServers:\n", "Bash(git:*)", "mcp__", "Read, ", "\ufeff", "\x00", "\ud800", "é", "😀", "\u2028", "\x85",
    "inherit", "opus", "true", "0x1F", "~", "null", "- - -", "? ", "%YAML 1.2\n", "...\n",
]  # fmt: skip


def corpus(root: Path = CORPUS) -> list[str]:
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(root.rglob("*.md")) if p.is_file()]


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        n = len(text)
        a, b = sorted((rng.randint(0, n), rng.randint(0, n)))
        op = rng.randrange(7)
        if op == 0:
            text = text[:a] + text[b:]  # delete
        elif op == 1:
            text = text[:a] + rng.choice(FRAGMENTS) + text[a:]  # insert a fragment
        elif op == 2:
            text = text[:b] + text[a:b] + text[b:]  # duplicate a span
        elif op == 3:
            text = text[:a]  # truncate
        elif op == 4:
            lines = text.split("\n")
            rng.shuffle(lines[: rng.randint(1, len(lines))])
            text = "\n".join(lines)
        elif op == 5:
            noise = bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
            text = text[:a] + noise.decode("utf-8", "replace") + text[a:]
        else:
            text = text[:a] + "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(2, 8))) + text[b:]
    return text


def _utf16_lines(text: str) -> list[int]:
    return [len(line.encode("utf-16-le", "surrogatepass")) // 2 for line in LINE_BREAK.split(text)]


def _ranges(value: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        if isinstance(value.get("start"), dict) and isinstance(value.get("end"), dict) and "line" in value["start"]:
            yield path, value
        for key, item in value.items():
            yield from _ranges(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _ranges(item, f"{path}[{i}]")


def _check_ranges(result: Any, widths: list[int], what: str) -> None:
    for where, rng in _ranges(result):
        start, end = rng["start"], rng["end"]
        for pos in (start, end):
            line, col = pos["line"], pos["character"]
            if not (0 <= line < len(widths)) or not (0 <= col <= widths[line]):
                raise AssertionError(f"{what}{where}: {pos} outside the document")
        if (start["line"], start["character"]) > (end["line"], end["character"]):
            raise AssertionError(f"{what}{where}: start after end")


class Harness:
    """One server, fed document after document through its real handlers."""

    def __init__(self) -> None:
        self.server: AgentLanguageServer = create_server()
        self.server.protocol._workspace = Workspace("file:///fuzz/project")  # what `initialize` sets up
        self.server.protocol.client_capabilities = types.ClientCapabilities()
        self.features = self.server.protocol.fm.features
        self.converter = self.server.protocol._converter
        self.version = 0

    def call(self, method: str, params: Any) -> Any:
        handler = self.features.get(method)
        if handler is None:
            return None
        return self.converter.unstructure(handler(params))

    def run(self, text: str, rng: random.Random) -> None:
        self.version += 1
        workspace = self.server.workspace
        workspace.put_text_document(types.TextDocumentItem(URI, "markdown", self.version, text))
        try:
            widths = _utf16_lines(text)
            doc = types.TextDocumentIdentifier(URI)
            report = self.call(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DocumentDiagnosticParams(doc))
            _check_ranges(report, widths, "diagnostics")
            for _ in range(3):
                line = rng.randint(0, len(widths) + 1)
                col = rng.randint(0, (widths[line] if line < len(widths) else 3) + 2)
                position = types.Position(line, col)
                _check_ranges(self.call(types.TEXT_DOCUMENT_HOVER, types.HoverParams(doc, position)), widths, "hover")
                completion = self.call(types.TEXT_DOCUMENT_COMPLETION, types.CompletionParams(doc, position))
                _check_ranges(completion, widths, "completion")
            whole = types.Range(types.Position(0, 0), types.Position(len(widths) - 1, widths[-1]))
            diagnostics = self.converter.structure(report["items"] if report else [], list[types.Diagnostic])
            context = types.CodeActionContext(diagnostics=diagnostics)
            actions = self.call(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionParams(doc, whole, context))
            _check_ranges(actions, widths, "codeAction")
            for method, params in (
                (types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, types.DocumentSymbolParams(doc)),
                (types.TEXT_DOCUMENT_FOLDING_RANGE, types.FoldingRangeParams(doc)),
                (types.TEXT_DOCUMENT_DOCUMENT_COLOR, types.DocumentColorParams(doc)),
            ):
                result = self.call(method, params)
                if method == types.TEXT_DOCUMENT_FOLDING_RANGE:
                    for fold in result or []:
                        if not 0 <= fold["startLine"] <= fold["endLine"] < len(widths):
                            raise AssertionError(f"folding range {fold} outside the document")
                _check_ranges(result, widths, method)
        finally:
            workspace.remove_text_document(URI)
            self.server.session.analyses.forget(URI)


def fuzz(count: int, seed: int, root: Path = CORPUS, out: Path | None = None, quiet: bool = False) -> int:
    """Run `count` documents; return the number of failures (stops at the first)."""
    rng = random.Random(seed)
    texts = corpus(root)
    if not texts:
        raise SystemExit(f"no fixtures under {root}")
    harness = Harness()
    started = time.monotonic()
    for n in range(count):
        text = mutate(rng.choice(texts), rng)
        try:
            harness.run(text, rng)
        except Exception:
            report = traceback.format_exc()
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                (out / f"failure-{seed}-{n}.md").write_text(text, encoding="utf-8", errors="surrogatepass")
                (out / f"failure-{seed}-{n}.txt").write_text(report, encoding="utf-8")
            print(f"document {n} (seed {seed}) failed:\n{report}", file=sys.stderr)
            return 1
        if not quiet and n and n % 10_000 == 0:
            print(f"{n} documents, {time.monotonic() - started:.0f} s", file=sys.stderr)
    if not quiet:
        rate = count / max(time.monotonic() - started, 1e-9)
        print(f"{count} documents from {len(texts)} fixtures, seed {seed}: no failures ({rate:.0f}/s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    options = parser.parse_args(argv)
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**32)
    return fuzz(options.count, seed, options.corpus, options.out)


if __name__ == "__main__":
    sys.exit(main())

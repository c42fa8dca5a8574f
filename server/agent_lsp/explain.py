"""`agent-lsp explain FILE...`: print what Claude Code builds from each file (the effective definition)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from agent_lsp.checks.findings import AgentContext
from agent_lsp.checks.validate import find_problems
from agent_lsp.features.effective import effective_agent, explain_text
from agent_lsp.project import disk
from agent_lsp.project.paths import document_kind
from agent_lsp.syntax.frontmatter import parse_agent


def run_explain(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="agent-lsp explain",
        description="Print the definition Claude Code builds from each agent, skill or command file: the model "
        "id it runs on, the tools after every drop, the effort, and everything it ignores, with the reason.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument(
        "--kind",
        choices=["agent", "skill", "command"],
        help="read the files as this kind (default: from where each stands; an agent elsewhere)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    options = parser.parse_args(list(argv))
    status = 0
    for name in options.files:
        path = Path(name)
        read = disk.read_text(path)
        if read is None:
            print(f"{name}: cannot be read as UTF-8 text (missing, not a file, binary or too large)", file=sys.stderr)
            status = 2
            continue
        found_kind, plugin = document_kind(str(path.resolve()))
        kind = options.kind or (found_kind.value if found_kind is not None else "agent")
        context = AgentContext(path=str(path.resolve()), plugin=plugin, kind=kind)
        parsed = parse_agent(read[0])
        view = effective_agent(parsed, find_problems(parsed, context), context)
        if options.json:
            print(json.dumps({"file": name, **asdict(view)}, ensure_ascii=False))
        else:
            sys.stdout.write(explain_text(view, name))
    return status

"""What the real Claude Code puts in its first request from memory files, rules and output styles.

    python tests/conformance/instructions_probe.py            # run every scenario, compare with the record
    python tests/conformance/instructions_probe.py --record   # rewrite instructions_truth.json

Each scenario is a small project (a git repository) whose files hold markers (`MARK-name`); the pinned
Claude Code runs `claude -p probe` in it, offline against `recording_api.py` (the same set-up as
scripts/conformance.py), and the record says which markers its first request carried (system prompt and
messages). `test_instructions_truth.py` checks agent-lsp's findings on the same files against it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "scripts"))

from recording_api import RecordingApi, request_text, system_text  # noqa: E402

import conformance  # noqa: E402

TRUTH = HERE / "instructions_truth.json"

# scenario -> files of the project (paths relative to it; `../x` lies beside it)
CHAIN = {
    f"docs/{a}.md": f"MARK-{a}\n" + (f"@{b}.md\n" if b else "") for a, b in zip("abcdef", [*"bcdef", None], strict=True)
}
MCP_SERVER = HERE / "mcp_stdio_server.py"


def _stdio(name: str) -> dict[str, Any]:
    """A server Claude Code can start (mcp_stdio_server.py); the debug log shows whether it did."""
    return {"command": "python3", "args": [str(MCP_SERVER), name]}


def _mcp(servers: dict[str, Any]) -> str:
    return json.dumps({"mcpServers": servers}, indent=2) + "\n"


# The project's `.mcp.json` servers approved, as a user who accepted them would have (a scenario that holds
# this file also gets its folder trusted in the temporary home's `.claude.json`).
MCP_APPROVED = {".claude/settings.local.json": '{"enableAllProjectMcpServers": true}\n'}
LISTED = re.compile(r"^([\w.-]+): .* - ", re.M)
INVALID_ITEM = re.compile(r"has invalid mcpServers item: \{\\\"([^\\]+)\\\"")

SCENARIOS: dict[str, dict[str, str]] = {
    "import-chain": {"CLAUDE.md": "MARK-root\n@docs/a.md\n", **CHAIN},
    "import-in-code": {
        "CLAUDE.md": "MARK-root\nSee `@docs/span.md`.\n\n```\n@docs/fence.md\n```\n\n"
        "<!-- @docs/comment.md -->\n@docs/plain.md\n",
        "docs/span.md": "MARK-span\n",
        "docs/fence.md": "MARK-fence\n",
        "docs/comment.md": "MARK-comment\n",
        "docs/plain.md": "MARK-plain\n",
    },
    "import-full-stop": {"CLAUDE.md": "MARK-root\nRead @docs/style.md.\n", "docs/style.md": "MARK-style\n"},
    "import-not-text": {"CLAUDE.md": "MARK-root\n@docs/notes.png\n", "docs/notes.png": "MARK-png\n"},
    "import-outside": {"CLAUDE.md": "MARK-root\n@../outside.md\n", "../outside.md": "MARK-outside\n"},
    "agents-md-alone": {"AGENTS.md": "MARK-agents\n"},
    "agents-md-hidden": {"CLAUDE.md": "MARK-root\n", "AGENTS.md": "MARK-agents\n"},
    "agents-md-imported": {"CLAUDE.md": "MARK-root\n@AGENTS.md\n", "AGENTS.md": "MARK-agents\n"},
    "rules": {
        ".claude/rules/always.md": "MARK-always\n",
        ".claude/rules/scoped.md": "---\npaths:\n  - src/**/*.ts\n---\nMARK-scoped\n",
        ".claude/rules/cursor.md": "---\nglobs: src/**/*.ts\nalwaysApply: false\n---\nMARK-cursor\n",
        "src/app.ts": "export {}\n",
    },
    "import-indented-code": {
        # An indented code block needs a blank line before it; an indented line right after a paragraph
        # line continues the paragraph.
        "CLAUDE.md": "MARK-root\n\n    @docs/indented.md\n\nText\n    @docs/continued.md\n\n@docs/plain.md\n",
        "docs/indented.md": "MARK-indented\n",
        "docs/continued.md": "MARK-continued\n",
        "docs/plain.md": "MARK-plain\n",
    },
    "mcp-locations": {
        ".mcp.json": _mcp({"rootsrv": _stdio("rootsrv")}),
        "sub/.mcp.json": _mcp({"subsrv": _stdio("subsrv")}),
        ".claude/.mcp.json": _mcp({"claudesrv": _stdio("claudesrv")}),
        **MCP_APPROVED,
    },
    "mcp-working-folder": {  # run in `sub/` (WORKING_FOLDER)
        ".mcp.json": _mcp({"rootsrv": _stdio("rootsrv")}),
        "sub/.mcp.json": _mcp({"subsrv": _stdio("subsrv")}),
        "sub/deeper/.mcp.json": _mcp({"deepsrv": _stdio("deepsrv")}),
        **MCP_APPROVED,
    },
    "mcp-url-without-type": {
        ".mcp.json": _mcp(
            {
                "typeless": {"url": "http://127.0.0.1:9/typeless"},
                "typed": {"type": "http", "url": "http://127.0.0.1:9/typed"},
                "good": _stdio("good"),
            }
        ),
        ".claude/agents/probe.md": "---\nname: probe\ndescription: Probe agent\nmcpServers:\n"
        "  - agtypeless:\n      url: http://127.0.0.1:9/agtypeless\n"
        "  - agtyped:\n      type: http\n      url: http://127.0.0.1:9/agtyped\n---\nProbe agent body\n",
        **MCP_APPROVED,
    },
    "output-style": {
        ".claude/output-styles/terse.md": (
            "---\nname: Terse\ndescription: Short.\nforce-for-plugin: true\n---\nMARK-style\n"
        ),
        ".claude/settings.json": '{"outputStyle": "Terse"}\n',
    },
}

# Where Claude Code starts, when not at the project's root.
WORKING_FOLDER = {"mcp-working-folder": "sub"}


def run_scenario(binary: Path, api: RecordingApi, files: dict[str, str], working: str = "") -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="agent-lsp-instr-") as scratch:
        base = Path(scratch)
        home, project, tmp = base / "home", base / "project", base / "tmp"
        for folder in (home, project, tmp):
            folder.mkdir()
        for name, text in files.items():
            path = project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        git = ["git", "-C", str(project), "-c", "user.name=conformance", "-c", "user.email=conformance@invalid"]
        subprocess.run(["git", "init", "-q", str(project)], check=True)
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "start"], check=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "TMPDIR": str(tmp),
            "ANTHROPIC_BASE_URL": api.url,
            "ANTHROPIC_API_KEY": conformance.DUMMY_KEY,
            "HTTPS_PROXY": api.url,
            "HTTP_PROXY": api.url,
            **conformance.OFFLINE_ENV,
        }
        mcp = any(name.endswith(".mcp.json") for name in files)
        if mcp:
            trusted = {"projects": {str(project.resolve()): {"hasTrustDialogAccepted": True}}}
            (home / ".claude.json").write_text(json.dumps(trusted), encoding="utf-8")
        agents = any(name.startswith(".claude/agents/") for name in files)
        api.reset("*" if agents else None)  # an agent case: the server answers with a spawn of it
        api.builtin_agents = conformance.BUILTIN_AGENTS
        api.spawn_prompt = conformance.SPAWN_PROMPT
        log = base / "debug.log"
        command = [str(binary), "-p", "probe", "--debug-file", str(log)]
        if agents:
            command += ["--allowedTools", "Agent"]
        done = subprocess.run(command, cwd=project / working, env=env, capture_output=True, text=True, timeout=120)
        log_text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        bodies = [r["body"] for r in api.requests if isinstance(r.get("body"), dict) and r["body"].get("messages")]
        first = bodies[0] if bodies else {}
        text = system_text(first) + "\n" + request_text(first)
        markers = sorted({word for word in text.replace("`", " ").split() if word.startswith("MARK-")})
        record: dict[str, Any] = {"markers": markers, "exit": done.returncode}
        if mcp:
            # `claude mcp list` in the same folder: the servers it configured and what it skipped (the `-p`
            # run starts them in the background, so its log need not show them); and the inline servers
            # of an agent it dropped (the agent's loading logs them).
            listed = subprocess.run(
                [str(binary), "mcp", "list"],
                cwd=project / working,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            ).stdout
            record["mcp_listed"] = sorted(LISTED.findall(listed))
            record["mcp_warnings"] = [line.strip(" └") for line in listed.splitlines() if "[Warning]" in line]
            record["mcp_invalid_agent_items"] = sorted(set(INVALID_ITEM.findall(log_text)))
        return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--only", nargs="*", help="run these scenarios (with --record: update their records)")
    args = parser.parse_args(argv)
    chosen = {name: files for name, files in SCENARIOS.items() if not args.only or name in args.only}
    binary = conformance.install(conformance.pinned_version())
    api = RecordingApi().start()
    try:
        found = {name: run_scenario(binary, api, files, WORKING_FOLDER.get(name, "")) for name, files in chosen.items()}
    finally:
        api.stop()
    for name, record in found.items():
        print(f"{name}: {record}")
    known = json.loads(TRUTH.read_text(encoding="utf-8")) if TRUTH.exists() else {}
    if args.record:
        recorded = {name: found.get(name, known.get(name)) for name in SCENARIOS}
        TRUTH.write_text(json.dumps(recorded, indent=2) + "\n", encoding="utf-8")
        return 0
    return 0 if all(known.get(name) == record for name, record in found.items()) else 1


if __name__ == "__main__":
    sys.exit(main())

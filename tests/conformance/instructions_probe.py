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
    "output-style": {
        ".claude/output-styles/terse.md": (
            "---\nname: Terse\ndescription: Short.\nforce-for-plugin: true\n---\nMARK-style\n"
        ),
        ".claude/settings.json": '{"outputStyle": "Terse"}\n',
    },
}


def run_scenario(binary: Path, api: RecordingApi, files: dict[str, str]) -> dict[str, Any]:
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
        api.reset(None)
        done = subprocess.run(
            [str(binary), "-p", "probe"], cwd=project, env=env, capture_output=True, text=True, timeout=120
        )
        bodies = [r["body"] for r in api.requests if isinstance(r.get("body"), dict) and r["body"].get("messages")]
        first = bodies[0] if bodies else {}
        text = system_text(first) + "\n" + request_text(first)
        markers = sorted({word for word in text.replace("`", " ").split() if word.startswith("MARK-")})
        return {"markers": markers, "exit": done.returncode}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    binary = conformance.install(conformance.pinned_version())
    api = RecordingApi().start()
    try:
        found = {name: run_scenario(binary, api, files) for name, files in SCENARIOS.items()}
    finally:
        api.stop()
    for name, record in found.items():
        print(f"{name}: {record}")
    if args.record:
        TRUTH.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
        return 0
    known = json.loads(TRUTH.read_text(encoding="utf-8")) if TRUTH.exists() else {}
    return 0 if known == found else 1


if __name__ == "__main__":
    sys.exit(main())

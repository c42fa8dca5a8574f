#!/usr/bin/env python3
"""VS Code's built-in checks of agent files against agent-lsp's, both scored against the real Claude Code.

The e2e (vscode-client/scripts/e2e.sh, scenario `corpus`) lays the conformance cases out as one project
each (`cases/<case>/.claude/agents/<case>.md`, where VS Code gives them its `chatagent` language), shows
every file in a code-server editor and records `vscode.languages.getDiagnostics()` per file: VS Code's own
markers and agent-lsp's, told apart by their `source`. This script prepares that workspace and turns the
recording into docs/vscode-builtin-comparison.md, scoring both checkers with the one scorer of
tests/conformance/test_conformance.py (`score`, by severity and line, since VS Code's markers carry none of
agent-lsp's codes) against tests/conformance/truth.json.

  scripts/vscode_builtin_comparison.py prepare WORKSPACE OUTPUT   lay out the cases, write the probe's request
  scripts/vscode_builtin_comparison.py score RECORDING [--write]  print (or write) the doc from a recording
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT / "tests" / "conformance"
DOC = ROOT / "docs" / "vscode-builtin-comparison.md"
RECORDING = ROOT / "docs" / "vscode-builtin-comparison.json"
sys.path.insert(0, str(CONFORMANCE))
sys.path.insert(0, str(ROOT / "server"))

import test_conformance as conformance  # noqa: E402

from agent_lsp.checks.findings import Finding  # noqa: E402
from agent_lsp.checks.rules import Severity  # noqa: E402
from agent_lsp.syntax.frontmatter import ParsedAgent, parse_agent  # noqa: E402
from agent_lsp.syntax.text import Span  # noqa: E402

OURS = "agent-lsp"
SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFORMATION, "hint": Severity.HINT}
# How long the probe waits per file: agent-lsp publishes once per opened file, VS Code validates 200 ms after
# the editor appears (its `PromptValidatorContribution`), then both must hold still for 150 ms.
PUBLISH_TIMEOUT_MS = 4000
SETTLE_MS = 600
# VS Code's checker sends nothing for a clean file: a file without its markers is recorded only after this long.
BUILTIN_WAIT_MS = 2500


# Cases where agent-lsp in the editor differs from its own unit test (tests/conformance), and why.
EDITOR_ONLY = {
    "agents/eol-cr-only": "in the editor only: VS Code has no CR-only line end, so the text it hands the server is "
    "not the bytes on disk that Claude Code skips; `agent-lsp check` on the file reports the error",
    "agents/tools-agent-worker": "in the editor only: the cross-file check finds no agent named `worker` in the "
    "workspace (the unit test runs without a workspace index); Claude Code leaves no trace of such an entry",
    "agents/tools-task-worker": "in the editor only: the cross-file check finds no agent named `worker` in the "
    "workspace (the unit test runs without a workspace index); Claude Code leaves no trace of such an entry",
}


def case_ids() -> list[str]:
    """The agent cases: VS Code checks `.claude/agents/*.md` (the skill and command cases lie elsewhere)."""
    return sorted(case for case in conformance.TRUTH["cases"] if case.startswith("agents/"))


def workspace_path(case_id: str) -> str:
    """Each case is its own project, so that 532 agents all named `probe` do not collide."""
    stem = case_id.split("/", 1)[1]
    return f"cases/{stem}/.claude/agents/{stem}.md"


def prepare(workspace: Path, output: Path) -> None:
    ids = case_ids()
    for case_id in ids:
        target = workspace / workspace_path(case_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(conformance.CASES / f"{case_id}.md", target)
    probe = workspace / ".probe"
    probe.mkdir(parents=True, exist_ok=True)
    request = {
        "files": [workspace_path(c) for c in ids],
        "cases": ids,
        "output": str(output),
        "publishTimeoutMs": PUBLISH_TIMEOUT_MS,
        "settleMs": SETTLE_MS,
        "builtinWaitMs": BUILTIN_WAIT_MS,
    }
    (probe / "request.json").write_text(json.dumps(request, indent=1), encoding="utf-8")
    print(f"prepared {len(ids)} cases in {workspace}")


def as_findings(parsed: ParsedAgent, text: str, diagnostics: list[dict[str, Any]]) -> list[Finding]:
    """Editor diagnostics as findings the conformance scorer reads: severity, code, and the line they start on."""
    lines = text.splitlines()
    found = []
    for d in diagnostics:
        line = int(d["line"])
        start = parsed.index.line_start(line) if parsed.index.has_line(line) else len(text)
        data: dict[str, Any] = {}
        if d.get("code") == "duplicate-key" and line < len(lines):
            # The data field does not reach the extension API: read the key off its line.
            data["key"] = lines[line].split(":", 1)[0].strip().strip("\"'")
        found.append(
            Finding(
                code=d.get("code") or "",
                span=Span(start, start),
                message=d.get("message", ""),
                severity=SEVERITIES.get(d.get("severity", ""), Severity.HINT),
                data=data,
            )
        )
    return found


def score_recording(recording: dict[str, Any]) -> dict[str, Any]:
    by_file = {f["file"]: f for f in recording["files"]}
    rows = []
    for case_id in case_ids():
        entry = by_file.get(workspace_path(case_id))
        if entry is None:
            continue
        text = (conformance.CASES / f"{case_id}.md").read_bytes().decode("utf-8")
        parsed = parse_agent(text)
        record = conformance.TRUTH["cases"][case_id]
        verdict = conformance.truth_verdict(record)
        dropped = bool(conformance.dropped_keys(parsed, record, verdict) or verdict.dropped_tools)
        ours = [d for d in entry["diagnostics"] if d.get("source") == OURS]
        builtin = [d for d in entry["diagnostics"] if d.get("source") != OURS]
        row = {
            "case": case_id,
            "kind": case_id.split("/", 1)[1].split("-", 1)[0],
            "language": entry.get("languageId"),
            "outcome": verdict.outcome,
            "dropped": dropped,
            "clean": verdict.outcome == "loaded" and not dropped,
            "counts": {},
        }
        for name, diagnostics in (("builtin", builtin), ("ours", ours)):
            found = as_findings(parsed, text, diagnostics)
            row[name] = [kind for kind, _ in conformance.score(parsed, record, found, by_code=False)]
            row[f"{name}_messages"] = [
                f"{d['severity']} line {d['line'] + 1}: {d['message']}"
                for d in diagnostics
                if d["severity"] in ("error", "warning")
            ]
            row["counts"][name] = Counter(d["severity"] for d in diagnostics)
        # The strict test's rules (agent-lsp's codes): the editor's findings must score as the unit test does.
        row["ours_strict"] = [
            kind for kind, _ in conformance.score(parsed, record, as_findings(parsed, text, ours), by_code=True)
        ]
        rows.append(row)
    return {
        "rows": rows,
        "sources": sorted({d.get("source", "") for f in recording["files"] for d in f["diagnostics"]}),
    }


def pct(part: int, whole: int) -> str:
    return f"{part} / {whole} ({100 * part / whole:.0f}%)" if whole else "0 / 0"


def render(recording: dict[str, Any], scored: dict[str, Any]) -> str:
    rows = scored["rows"]
    n = len(rows)
    dropped = [r for r in rows if r["dropped"]]
    clean = [r for r in rows if r["clean"]]

    def tally(name: str) -> dict[str, int]:
        return {
            "verdict": sum("verdict" not in r[name] for r in rows),
            "dropped": sum("dropped" not in r[name] for r in dropped),
            "quiet": sum(not r[name] for r in clean),
            "full": sum(not r[name] for r in rows),
            "errors": sum(r["counts"][name].get("error", 0) for r in rows),
            "warnings": sum(r["counts"][name].get("warning", 0) for r in rows),
            "false_errors": sum(r["outcome"] == "loaded" and r["counts"][name].get("error", 0) > 0 for r in rows),
        }

    b, o = tally("builtin"), tally("ours")
    version = recording.get("vscodeVersion", "?")
    languages = Counter(r["language"] for r in rows)
    kinds = sorted({r["kind"] for r in rows})
    outcomes = Counter(r["outcome"] for r in rows)
    strict_agree = sum(not r["ours_strict"] for r in rows)
    known = sum(r["case"] in conformance.KNOWN for r in rows)
    out = [
        "# VS Code's built-in agent checks and agent-lsp, against Claude Code",
        "",
        "<!-- Generated by scripts/vscode_builtin_comparison.py from docs/vscode-builtin-comparison.json,",
        "     recorded by the `corpus` scenario of vscode-client/scripts/e2e.sh. Do not edit by hand. -->",
        "",
        f"VS Code {version} (run as code-server in headless Chromium) gives `.claude/agents/*.md` its own "
        "language `chatagent` and checks it with its built-in prompt-file validator "
        "(`prompts-diagnostics-provider`), with or without Copilot installed. Both checkers ran in the same "
        f"editor on the same {n} files: every case of the conformance corpus (tests/conformance/cases), each "
        f"in its own project, across all {len(kinds)} kinds of case ({', '.join(kinds)}). Truth is what the "
        f"real Claude Code {conformance.TRUTH['claude_code_version']} did with each file "
        f"(tests/conformance/truth.json: {outcomes.get('loaded', 0)} loaded and spawned, "
        f"{outcomes.get('skipped', 0)} skipped, {outcomes.get('refused', 0)} refused to spawn).",
        "",
        "Both are scored by the same rules, `score(..., by_code=False)` in "
        "tests/conformance/test_conformance.py: by severity and line only, since VS Code's markers carry "
        "none of agent-lsp's codes.",
        "",
        f"| Same {n} files | VS Code {version} built-in | agent-lsp |",
        "|---|---|---|",
        f"| Load verdict agrees (an error exactly when Claude Code skips the file or refuses to spawn it) "
        f"| {pct(b['verdict'], n)} | {pct(o['verdict'], n)} |",
        f"| Something Claude Code drops (key, value, tool) is reported on its line "
        f"| {pct(b['dropped'], len(dropped))} | {pct(o['dropped'], len(dropped))} |",
        f"| Files Claude Code applies as written are kept quiet (no error, no warning) "
        f"| {pct(b['quiet'], len(clean))} | {pct(o['quiet'], len(clean))} |",
        f"| Files where the checker agrees with Claude Code on everything above "
        f"| {pct(b['full'], n)} | {pct(o['full'], n)} |",
        f"| Files Claude Code loads that get an error anyway | {b['false_errors']} | {o['false_errors']} |",
        f"| Errors / warnings shown in all | {b['errors']} / {b['warnings']} | {o['errors']} / {o['warnings']} |",
        "",
        f"Languages VS Code gave the files: {', '.join(f'`{k}` {v}' for k, v in sorted(languages.items()))}. "
        f"Diagnostic sources seen: {', '.join(f'`{s}`' if s else '(none)' for s in scored['sources'])}; "
        "everything whose source is not `agent-lsp` is counted as VS Code's.",
        "",
        f"With agent-lsp's own codes (the strict rules of the unit test), its findings in the editor agree with "
        f"Claude Code on {pct(strict_agree, n)} files; {known} of the cases are listed in "
        "tests/conformance/known_differences.json.",
        "",
        "## By kind of case",
        "",
        "Files in full agreement with Claude Code.",
        "",
        "| Kind | Files | VS Code built-in | agent-lsp |",
        "|---|---|---|---|",
    ]
    per_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        per_kind[r["kind"]].append(r)
    for kind in kinds:
        group = per_kind[kind]
        out.append(
            f"| {kind} | {len(group)} | {sum(not r['builtin'] for r in group)} | {sum(not r['ours'] for r in group)} |"
        )
    out += ["", "## What VS Code says where Claude Code disagrees", ""]
    messages: Counter[str] = Counter()
    for r in rows:
        if r["builtin"]:
            for m in r["builtin_messages"]:
                messages[m.split(": ", 1)[0].split(" line")[0] + ": " + m.split(": ", 1)[1]] += 1
    out += ["| Times | VS Code's marker |", "|---|---|"]
    for message, count in messages.most_common(15):
        cell = message.replace("|", "\\|")
        out.append(f"| {count} | {cell} |")
    out += [
        "",
        "## Where agent-lsp disagrees",
        "",
        "Each case where agent-lsp's findings in the editor disagree with Claude Code, with the reason recorded in "
        "tests/conformance/known_differences.json, or else what agent-lsp showed.",
        "",
        "| Case | Disagreement | Why |",
        "|---|---|---|",
    ]
    for r in rows:
        if not r["ours"]:
            continue
        why = (
            conformance.KNOWN.get(r["case"])
            or EDITOR_ONLY.get(r["case"])
            or ("in the editor only: " + (r["ours_messages"][0] if r["ours_messages"] else "no error or warning"))
        )
        why = why.replace("|", "\\|").replace("\n", " ")
        out.append(f"| {r['case']} | {', '.join(sorted(set(r['ours'])))} | {why[:220]} |")
    out += [
        "",
        "Regenerate: `bash vscode-client/scripts/e2e.sh` with `E2E_ONLY=corpus` records "
        "`vscode-client/e2e-artifacts/corpus-diagnostics.json`; then "
        "`python scripts/vscode_builtin_comparison.py score vscode-client/e2e-artifacts/corpus-diagnostics.json "
        "--write` copies it to docs/vscode-builtin-comparison.json and rewrites this page.",
        "",
    ]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("workspace", type=Path)
    p.add_argument("output", type=Path)
    s = sub.add_parser("score")
    s.add_argument("recording", type=Path, nargs="?", default=RECORDING)
    s.add_argument("--write", action="store_true", help="write docs/vscode-builtin-comparison.{json,md}")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.workspace, args.output)
        return 0
    recording = json.loads(args.recording.read_text(encoding="utf-8"))
    doc = render(recording, score_recording(recording))
    if args.write:
        if args.recording.resolve() != RECORDING.resolve():
            RECORDING.write_text(json.dumps(recording, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        DOC.write_text(doc, encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
    else:
        print(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())

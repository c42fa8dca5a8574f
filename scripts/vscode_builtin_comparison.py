#!/usr/bin/env python3
"""VS Code's built-in checks of agent files against agent-lsp's, both scored against the real Claude Code.

The e2e (vscode-client/scripts/e2e.sh, scenario `corpus`) lays every conformance case out as a project of
its own, where Claude Code ran it: `cases/agents/<case>/.claude/agents/<case>.md` (VS Code's language
`chatagent`), `cases/skills/<case>/.claude/skills/probe/SKILL.md` (VS Code's `skill`) and
`cases/commands/<case>/.claude/commands/probe.md` (plain `markdown`: VS Code does not check commands, so it
scores as a silent checker there). It shows every file in a code-server editor and records
`vscode.languages.getDiagnostics()` per file: VS Code's own markers and agent-lsp's, told apart by their
`source`. This script prepares that workspace and turns the
recording into docs/vscode-builtin-comparison.md, scoring both checkers with the one scorer of
tests/conformance/test_conformance.py (`score`, by severity and line, since VS Code's markers carry none of
agent-lsp's codes) against tests/conformance/truth.json.

  scripts/vscode_builtin_comparison.py prepare WORKSPACE OUTPUT [--cases ID...]
                                                                  lay out the cases, write the probe's request
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
    "agents/model-true": "in this recording only: agent-lsp's diagnostics for the file had not reached the editor "
    "when the probe read it (the machine was under load; VS Code's marker arrived first); the unit test and "
    "`agent-lsp check` report the `unknown-model` warning on line 4",
}


FILE_KINDS = ("agents", "skills", "commands")


def case_ids() -> list[str]:
    """Every case of the corpus: agents, skills and commands."""
    return sorted(case for case in conformance.TRUTH["cases"] if case.split("/", 1)[0] in FILE_KINDS)


def file_kind(case_id: str) -> str:
    """`agents`, `skills` or `commands`."""
    return case_id.split("/", 1)[0]


def family(case_id: str) -> str:
    """The family of a case, from its name: `agents/model-empty` is of `agents/model`."""
    kind, stem = case_id.split("/", 1)
    return f"{kind}/{stem.split('-', 1)[0]}"


def workspace_path(case_id: str) -> str:
    """Each case is its own project, where scripts/conformance.py put it when Claude Code ran it (so that
    hundreds of files all named `probe` do not collide): an agent under its case name, a skill or command
    as `probe`."""
    kind, stem = case_id.split("/", 1)
    inside = {
        "agents": f".claude/agents/{stem}.md",
        "skills": ".claude/skills/probe/SKILL.md",
        "commands": ".claude/commands/probe.md",
    }[kind]
    return f"cases/{kind}/{stem}/{inside}"


def prepare(workspace: Path, output: Path, only: list[str] | None = None) -> None:
    ids = [c for c in case_ids() if not only or c in only]
    if only and len(ids) != len(set(only)):
        raise SystemExit(f"no such cases: {sorted(set(only) - set(ids))}")
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
        kind = file_kind(case_id)
        singular = kind.rstrip("s")
        if kind == "agents":
            verdict = conformance.truth_verdict(record)
            dropped = bool(conformance.dropped_keys(parsed, record, verdict) or verdict.dropped_tools)
        else:
            verdict = conformance.skill_verdict(parsed, record, singular)
            dropped = bool(verdict.dropped_keys)
        ours = [d for d in entry["diagnostics"] if d.get("source") == OURS]
        builtin = [d for d in entry["diagnostics"] if d.get("source") != OURS]
        row = {
            "case": case_id,
            "file_kind": kind,
            "family": family(case_id),
            "language": entry.get("languageId"),
            "outcome": verdict.outcome,
            "dropped": dropped,
            "clean": verdict.outcome == "loaded" and not dropped,
            "counts": {},
        }
        for name, diagnostics in (("builtin", builtin), ("ours", ours)):
            found = as_findings(parsed, text, diagnostics)
            row[name] = [k for k, _ in conformance.score(parsed, record, found, by_code=False, file_kind=singular)]
            row[f"{name}_messages"] = [
                f"{d['severity']} line {d['line'] + 1}: {d['message']}"
                for d in diagnostics
                if d["severity"] in ("error", "warning")
            ]
            row["counts"][name] = Counter(d["severity"] for d in diagnostics)
        # The strict test's rules (agent-lsp's codes): the editor's findings must score as the unit test does.
        strict = conformance.score(parsed, record, as_findings(parsed, text, ours), by_code=True, file_kind=singular)
        row["ours_strict"] = [k for k, _ in strict]
        rows.append(row)
    return {
        "rows": rows,
        "sources": sorted({d.get("source", "") for f in recording["files"] for d in f["diagnostics"]}),
    }


def pct(part: int, whole: int) -> str:
    return f"{part} / {whole} ({100 * part / whole:.0f}%)" if whole else "0 / 0"


def tally(rows: list[dict[str, Any]], name: str) -> dict[str, int]:
    """One checker's (`builtin` or `ours`) score over some rows."""
    return {
        "verdict": sum("verdict" not in r[name] for r in rows),
        "dropped": sum("dropped" not in r[name] for r in rows if r["dropped"]),
        "quiet": sum(not r[name] for r in rows if r["clean"]),
        "full": sum(not r[name] for r in rows),
        "errors": sum(r["counts"][name].get("error", 0) for r in rows),
        "warnings": sum(r["counts"][name].get("warning", 0) for r in rows),
        "false_errors": sum(r["outcome"] == "loaded" and r["counts"][name].get("error", 0) > 0 for r in rows),
    }


def render(recording: dict[str, Any], scored: dict[str, Any]) -> str:
    rows = scored["rows"]
    n = len(rows)
    version = recording.get("vscodeVersion", "?")
    by_file_kind = {kind: [r for r in rows if r["file_kind"] == kind] for kind in FILE_KINDS}
    groups = [(kind, group) for kind, group in by_file_kind.items() if group] + [("all", rows)]
    scores = {kind: (tally(group, "builtin"), tally(group, "ours")) for kind, group in groups}
    families = sorted({r["family"] for r in rows})
    strict_agree = sum(not r["ours_strict"] for r in rows)
    known = sum(r["case"] in conformance.KNOWN for r in rows)

    def languages(group: list[dict[str, Any]]) -> str:
        return ", ".join(f"`{k}` {v}" for k, v in sorted(Counter(r["language"] for r in group).items()))

    def outcomes(kind: str, group: list[dict[str, Any]]) -> str:
        counted = Counter(r["outcome"] for r in group)
        if kind == "agents":
            return (
                f"{counted.get('loaded', 0)} loaded and spawned, {counted.get('skipped', 0)} skipped, "
                f"{counted.get('refused', 0)} refused to spawn"
            )
        return f"{counted.get('loaded', 0)} read, {counted.get('ignored', 0)} with none of the frontmatter read"

    def line(label: str, cell: Any) -> str:
        cells = []
        for kind, group in groups:
            b, o = scores[kind]
            cells += [cell(b, group), cell(o, group)]
        return f"| {label} | " + " | ".join(cells) + " |"

    def fraction(key: str, whole: Any) -> Any:
        return lambda t, group: pct(t[key], whole(group))

    heading = " | ".join(f"{kind.capitalize()} ({len(group)}): VS Code | agent-lsp" for kind, group in groups)
    out = [
        "# VS Code's built-in agent checks and agent-lsp, against Claude Code",
        "",
        "<!-- Generated by scripts/vscode_builtin_comparison.py from docs/vscode-builtin-comparison.json,",
        "     recorded by the `corpus` scenario of vscode-client/scripts/e2e.sh. Do not edit by hand. -->",
        "",
        f"VS Code {version} (run as code-server in headless Chromium) gives `.claude/agents/*.md` its own "
        "language `chatagent` and `SKILL.md` its language `skill`, and checks both with its built-in prompt-file "
        "validator (`prompts-diagnostics-provider`), with or without Copilot installed; `.claude/commands/*.md` "
        "stay plain Markdown, which it does not check, so on commands it counts as a checker that says nothing. "
        f"Both checkers ran in the same editor on the same {n} files: every case of the conformance corpus "
        "(tests/conformance/cases), each in its own project where Claude Code ran it, across all "
        f"{len(families)} families of case. Truth is what the real Claude Code "
        f"{conformance.TRUTH['claude_code_version']} did with each file (tests/conformance/truth.json): "
        + "; ".join(f"{kind}: {outcomes(kind, group)}" for kind, group in groups if kind != "all")
        + ".",
        "",
        "Both are scored by the same rules, `score(..., by_code=False)` in "
        "tests/conformance/test_conformance.py: by severity and line only, since VS Code's markers carry "
        "none of agent-lsp's codes. For a skill or command the load verdict is whether Claude Code read its "
        "frontmatter at all (it never skips the file itself).",
        "",
        f"| Same files, VS Code {version} built-in and agent-lsp | {heading} |",
        "|---|" + "---|" * (2 * len(groups)),
        line(
            "Load verdict agrees (an error exactly when Claude Code skips the file, refuses to spawn it or reads "
            "none of its frontmatter)",
            fraction("verdict", len),
        ),
        line(
            "Something Claude Code drops (key, value, tool) is reported on its line",
            fraction("dropped", lambda g: sum(r["dropped"] for r in g)),
        ),
        line(
            "Files Claude Code applies as written are kept quiet (no error, no warning)",
            fraction("quiet", lambda g: sum(r["clean"] for r in g)),
        ),
        line("Files where the checker agrees with Claude Code on everything above", fraction("full", len)),
        line("Files Claude Code loads that get an error anyway", lambda t, g: str(t["false_errors"])),
        line("Errors / warnings shown in all", lambda t, g: f"{t['errors']} / {t['warnings']}"),
        "",
        "Languages VS Code gave the files: "
        + "; ".join(f"{kind} {languages(group)}" for kind, group in groups if kind != "all")
        + ". Diagnostic sources seen: "
        + ", ".join(f"`{s}`" if s else "(none)" for s in scored["sources"])
        + "; everything whose source is not `agent-lsp` is counted as VS Code's.",
        "",
        f"With agent-lsp's own codes (the strict rules of the unit test), its findings in the editor agree with "
        f"Claude Code on {pct(strict_agree, n)} files; {known} of the cases are listed in "
        "tests/conformance/known_differences.json.",
        "",
        "## By family of case",
        "",
        "Files in full agreement with Claude Code.",
        "",
        "| Family | Files | VS Code built-in | agent-lsp |",
        "|---|---|---|---|",
    ]
    per_family: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        per_family[r["family"]].append(r)
    for name in families:
        group = per_family[name]
        out.append(
            f"| {name} | {len(group)} | {sum(not r['builtin'] for r in group)} | {sum(not r['ours'] for r in group)} |"
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
    p.add_argument("--cases", nargs="*", help="only these cases (e.g. agents/basic skills/basic), to try the layout")
    s = sub.add_parser("score")
    s.add_argument("recording", type=Path, nargs="?", default=RECORDING)
    s.add_argument("--write", action="store_true", help="write docs/vscode-builtin-comparison.{json,md}")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.workspace, args.output, args.cases)
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

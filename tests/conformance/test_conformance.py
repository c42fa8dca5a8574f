"""agent-lsp against what the real Claude Code did with each case file (tests/conformance/truth.json).

Runs offline on every test run, from the checked-in truth that scripts/conformance.py recorded:
- a case Claude Code skipped, or refused to spawn, must get an error at the right place;
- a key it ignored, a value it dropped or a tool entry it removed must get a warning on that line;
- a case it applied as written must get no error and no warning (a `yaml-fallback` warning allowed when
  strict YAML rejects the frontmatter and the file loads only through the quoting retry).
Disagreements not fixed yet are listed, each with its reason, in known_differences.json; a listed case
that agrees again fails the test, so the list only shrinks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.rules import Severity
from agent_lsp.checks.validate import find_problems
from agent_lsp.syntax.frontmatter import ParsedAgent, parse_agent

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
TRUTH = json.loads((HERE / "truth.json").read_text(encoding="utf-8"))
KNOWN = json.loads((HERE / "known_differences.json").read_text(encoding="utf-8"))
PINNED = (HERE / "PINNED_VERSION").read_text(encoding="utf-8").strip()

# Codes that say "Claude Code does not load this file" (or loads nothing of its frontmatter).
SKIP_CODES = {
    "no-frontmatter",
    "unclosed-frontmatter",
    "yaml-syntax",
    "yaml-too-complex",
    "frontmatter-not-mapping",
    "duplicate-key",
    "missing-name",
    "invalid-name",
    "missing-description",
    "unreadable-file",
    "invalid-hooks",  # at error severity: hooks of the wrong shape skip a project agent
}
# The debug log's words for a skipped file, and which of our codes say the same.
SKIP_REASONS = [
    (re.compile(r"failed to parse and was ignored"), {"yaml-syntax", "yaml-too-complex"}),
    (re.compile(r"Unknown parsing error"), {"invalid-hooks"}),
    (re.compile(r'Invalid "name"|invalid name', re.I), {"invalid-name", "missing-name"}),
    (re.compile(r"description", re.I), {"missing-description"}),
    (re.compile(r"name", re.I), {"missing-name", "invalid-name"}),
]
IGNORED_KEY = re.compile(r'does not recognize or apply: "(?P<key>[^"]*)"')
INVALID_VALUE = re.compile(r"has invalid (?P<key>\w+)")
# Old names Claude Code still resolves (recorded: agents/tools-task, agents/tools-killshell).
RENAMED_TOOLS = {"Task": "Agent", "KillShell": "TaskStop"}
# The session's own model: what a subagent runs on when its `model` is dropped or `inherit`.
SESSION_MODEL = TRUTH["cases"]["agents/structure-basic"]["spawn"]["model"]
SESSION_MODEL_NAMES = {"inherit", "opus", "best", "opus[1m]", SESSION_MODEL}
# Fields whose value leaves no trace the harness can see when Claude Code drops it (no log line, nothing in
# the subagent's request): agent-lsp's warnings on them can be neither confirmed nor refuted, so the
# "applied as written" check leaves them out (an unknown key is always logged, so `unknown-key` stays in).
UNOBSERVED_FIELDS = {
    "color",
    "initialPrompt",
    "skills",
    "hooks",
    "mcpServers",
    "omitClaudeMd",
    "experimental",
    "disallowedTools",
}


@dataclass
class Verdict:
    """What Claude Code did, in the terms the comparison needs."""

    outcome: str  # skipped, refused, loaded
    dropped_keys: list[str] = field(default_factory=list)  # keys whose value it ignored or dropped
    dropped_tools: list[str] = field(default_factory=list)  # `tools` entries missing from the spawned agent
    log: list[str] = field(default_factory=list)


def truth_verdict(record: dict[str, Any]) -> Verdict:
    log = record.get("log", [])
    if not record.get("loaded"):
        return Verdict("skipped", log=log)
    if record.get("spawn", {}).get("outcome") != "spawned":
        return Verdict("refused", log=log)
    verdict = Verdict("loaded", log=log)
    for line in log:
        if (found := IGNORED_KEY.search(line)) or (found := INVALID_VALUE.search(line)):
            verdict.dropped_keys.append(found["key"])
    listed = record.get("listed_tools")
    effective = set(record["spawn"].get("tools", [])) - {"DeferredToolPlaceholder"}
    if listed and listed.startswith("All tools"):
        if not effective:
            verdict.dropped_tools.append("(every tool)")
    elif listed:
        for entry in (e.strip() for e in listed.split(", ")):
            base = entry.split("(", 1)[0].strip()
            if entry.startswith("mcp__"):
                continue  # no MCP server runs in the harness: their absence says nothing about the entry
            base = RENAMED_TOOLS.get(base, base)
            if base not in effective:
                verdict.dropped_tools.append(entry)
    return verdict


def read_case(case_id: str) -> tuple[str, ParsedAgent, list[Finding]]:
    path = CASES / f"{case_id}.md"
    text = path.read_bytes().decode("utf-8")
    parsed = parse_agent(text)
    kind = case_id.split("/", 1)[0].rstrip("s")
    context = AgentContext(path=f"/project/.claude/{case_id.split('/', 1)[0]}/{path.name}", kind=kind)
    return text, parsed, find_problems(parsed, context)


def line_of(parsed: ParsedAgent, offset: int) -> int:
    return parsed.index.line_of(offset)


def key_lines(parsed: ParsedAgent, key: str) -> set[int]:
    """The lines of the frontmatter where `key` (or its value) stands."""
    lines: set[int] = set()
    item = parsed.fields.get(key)
    if item is not None:
        lines.add(line_of(parsed, item.key_span.start))
        lines.add(line_of(parsed, item.value_span.start))
    for dup in parsed.duplicates:
        if dup.key == key:
            lines.add(line_of(parsed, dup.key_span.start))
    return lines


def strict_yaml_rejects(parsed: ParsedAgent) -> bool:
    return bool(parsed.rewrites)


def disagreements(case_id: str, record: dict[str, Any]) -> list[str]:
    """Each way agent-lsp's findings disagree with what Claude Code did; empty when they agree."""
    _, parsed, found = read_case(case_id)
    return [text for _, text in score(parsed, record, found)]


def score(
    parsed: ParsedAgent, record: dict[str, Any], found: list[Finding], *, by_code: bool = True
) -> list[tuple[str, str]]:
    """Each disagreement of `found` with Claude Code's record, as (kind, text).

    The kinds: `verdict` (an error where Claude Code loads and spawns the file, or none where it skips
    or refuses it), `dropped` (something it drops has no finding on its line), `quiet` (a warning on a
    file it applies as written). `by_code=False` judges findings by severity and line alone, for a
    checker whose codes are not agent-lsp's (scripts/vscode_builtin_comparison.py scores VS Code's own
    markers with it): any error says "not loaded", any warning or error on a line reports it.
    """
    verdict = truth_verdict(record)
    errors = [f for f in found if f.severity == Severity.ERROR]
    warnings = [f for f in found if f.severity == Severity.WARNING]
    problems: list[tuple[str, str]] = []
    if verdict.outcome == "skipped":
        if not errors:
            problems.append(("verdict", f"skipped by Claude Code ({verdict.log[:1]}) but agent-lsp reports no error"))
        elif not by_code:
            pass
        elif not any(f.code in SKIP_CODES for f in errors):
            problems.append(("verdict", f"skipped but the errors say otherwise: {[f.code for f in errors]}"))
        else:
            for pattern, allowed in SKIP_REASONS:
                if any(pattern.search(line) for line in verdict.log):
                    if not any(f.code in allowed for f in errors):
                        problems.append(
                            (
                                "verdict",
                                f"skipped for {pattern.pattern!r} but agent-lsp says {[f.code for f in errors]}",
                            )
                        )
                    break
        return problems
    skip_errors = [f for f in errors if f.code in SKIP_CODES]
    if skip_errors and by_code:
        problems.append(
            ("verdict", f"Claude Code loads it but agent-lsp says it is skipped: {[f.code for f in skip_errors]}")
        )
    if verdict.outcome == "refused":
        tools_lines = key_lines(parsed, "tools")
        if not any(
            (f.code == "no-tools-resolve" or not by_code) and line_of(parsed, f.span.start) in tools_lines
            for f in errors
        ):
            problems.append(
                ("verdict", "Claude Code refuses to spawn it but agent-lsp reports no `no-tools-resolve` error")
            )
        return problems
    other_errors = [f for f in errors if f.code not in SKIP_CODES or not by_code]
    if other_errors:
        problems.append(
            ("verdict", f"Claude Code spawns it but agent-lsp reports errors: {[f.code for f in other_errors]}")
        )
    reporting = warnings if by_code else warnings + errors
    explained: set[int] = set()
    for key in dropped_keys(parsed, record, verdict):
        lines = key_lines(parsed, key)
        hits = [f for f in reporting if line_of(parsed, f.span.start) in lines]
        if not hits:
            problems.append(("dropped", f"Claude Code drops `{key}` but agent-lsp has no warning on its line"))
        explained.update(id(f) for f in hits)
    if verdict.dropped_tools:
        lines = key_lines(parsed, "tools")
        item = parsed.fields.get("tools")
        if item is not None:
            lines.update(range(line_of(parsed, item.key_span.start), line_of(parsed, item.value_span.end) + 1))
        hits = [f for f in reporting if line_of(parsed, f.span.start) in lines]
        if not hits:
            problems.append(
                ("dropped", f"Claude Code drops the tools {verdict.dropped_tools} but agent-lsp has no warning")
            )
        explained.update(id(f) for f in hits)
    unobserved = set().union(*(key_lines(parsed, key) for key in UNOBSERVED_FIELDS))
    for key in UNOBSERVED_FIELDS & set(parsed.fields):
        item = parsed.fields[key]
        unobserved.update(range(line_of(parsed, item.key_span.start), line_of(parsed, item.value_span.end) + 1))
    for finding in warnings:
        if id(finding) in explained:
            continue
        if finding.code == "yaml-fallback" and strict_yaml_rejects(parsed):
            continue
        if finding.code == "duplicate-key" and finding.data.get("key") in parsed.fields:
            continue  # an earlier value of a repeated key: Claude Code keeps the last one (agents/dup-*)
        if finding.code != "unknown-key" and line_of(parsed, finding.span.start) in unobserved:
            continue  # Claude Code leaves no trace of what it does with this field
        problems.append(
            ("quiet", f"Claude Code applies this as written but agent-lsp warns `{finding.code}`: {finding.message}")
        )
    return problems


def dropped_keys(parsed: ParsedAgent, record: dict[str, Any], verdict: Verdict) -> list[str]:
    """The keys whose value Claude Code dropped in a file it loaded: its log's, and a `model` it did not apply."""
    keys = list(verdict.dropped_keys)
    model = parsed.fields.get("model")
    spawned_model = record.get("spawn", {}).get("model")
    if model is not None and spawned_model == SESSION_MODEL and str(model.value).lower() not in SESSION_MODEL_NAMES:
        keys.append("model")  # the subagent runs on the session's model: the value was dropped
    return keys


def test_truth_was_recorded_with_the_pinned_version() -> None:
    assert TRUTH["claude_code_version"] == PINNED


def test_the_schemas_state_the_version_they_were_verified_against() -> None:
    for kind in ("agent", "skill", "command"):
        schema = json.loads((HERE.parents[1] / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        assert schema["x-agent-lsp"]["verifiedClaudeCode"] == PINNED, kind


def test_every_case_file_has_a_recorded_truth() -> None:
    files = {p.relative_to(CASES).with_suffix("").as_posix() for p in CASES.rglob("*.md")}
    assert files == set(TRUTH["cases"])


def test_every_known_difference_names_a_case_and_gives_a_reason() -> None:
    for case_id, reason in KNOWN.items():
        assert case_id in TRUTH["cases"], case_id
        assert isinstance(reason, str) and len(reason) > 20, case_id


@pytest.mark.parametrize("case_id", sorted(TRUTH["cases"]))
def test_agent_lsp_agrees_with_claude_code(case_id: str) -> None:
    problems = disagreements(case_id, TRUTH["cases"][case_id])
    if case_id in KNOWN:
        assert problems, f"{case_id} agrees now: remove it from known_differences.json"
        return
    assert not problems, "\n".join(problems)

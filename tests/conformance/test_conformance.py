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
# `color` and `initialPrompt` never reach a spawned subagent's request (initialPrompt is for `--agent`);
# `mcpServers` of a project agent are skipped in a folder whose trust dialog was never accepted (the log
# says so for every case); `hooks` run only on tool events the probe does not cause.
UNOBSERVED_FIELDS = {"color", "initialPrompt", "hooks", "mcpServers"}
# Observed only in part, so the "applied as written" check leaves them out too, while `observed_drops`
# holds agent-lsp to what was seen: `skills` (only the project skill `helper` can be preloaded) and
# `disallowedTools` (a denied tool the session does not have leaves no trace).
PARTLY_OBSERVED_FIELDS = {"skills", "disallowedTools"}
TRUE_WORDS = {"true", "yes", "on", "1"}


def observed_drops(parsed: ParsedAgent, spawn: dict[str, Any]) -> list[str]:
    """Fields the subagent's request shows were not applied as written: the project CLAUDE.md still there under
    `omitClaudeMd`, `helper` not preloaded, a `cacheTtl` that did not set the cache's lifetime, a denied tool
    the subagent still has."""
    fields = parsed.fields
    dropped: list[str] = []
    omit = fields.get("omitClaudeMd")
    meant_to_omit = omit is not None and str(omit.value).strip().lower() != "false"
    if meant_to_omit and spawn.get("claude_md"):
        dropped.append("omitClaudeMd")  # anything but false meant to leave it out, and it stayed
    skills = fields.get("skills")
    if skills is not None and "helper" in str(skills.value) and "helper" not in spawn.get("skills_preloaded", []):
        dropped.append("skills")
    experimental = fields.get("experimental")
    if experimental is not None and "cache_ttl" in spawn:
        ttl = experimental.value.get("cacheTtl") if isinstance(experimental.value, dict) else None
        if ttl is not None and str(ttl) != "5m" and spawn["cache_ttl"] != str(ttl):
            dropped.append("experimental")
        elif not isinstance(experimental.value, dict):
            dropped.append("experimental")  # empty or not a mapping: nothing of it applies (as agents/model-empty)
    denied = fields.get("disallowedTools")
    if denied is not None:
        names = str(denied.value).replace("[", " ").replace("]", " ").replace(",", " ").split()
        kept = set(spawn.get("tools", []))
        if any(RENAMED_TOOLS.get(n, n) in kept for n in names if "(" not in n):
            dropped.append("disallowedTools")
    return dropped


@dataclass
class Verdict:
    """What Claude Code did, in the terms the comparison needs."""

    outcome: str  # skipped, refused, loaded; for a skill or command: ignored (no frontmatter read), loaded
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
    parsed: ParsedAgent, record: dict[str, Any], found: list[Finding], *, by_code: bool = True, file_kind: str = "agent"
) -> list[tuple[str, str]]:
    """Each disagreement of `found` with Claude Code's record, as (kind, text).

    The kinds: `verdict` (an error where Claude Code loads and spawns the file, or none where it skips
    or refuses it), `dropped` (something it drops has no finding on its line), `quiet` (a warning on a
    file it applies as written). `by_code=False` judges findings by severity and line alone, for a
    checker whose codes are not agent-lsp's (scripts/vscode_builtin_comparison.py scores VS Code's own
    markers with it): any error says "not loaded", any warning or error on a line reports it. A skill or
    command (`file_kind` "skill" or "command") is scored by `skill_score`.
    """
    if file_kind != "agent":
        return skill_score(parsed, record, found, file_kind, by_code=by_code)
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
    unobserved = set().union(*(key_lines(parsed, key) for key in UNOBSERVED_FIELDS | PARTLY_OBSERVED_FIELDS))
    for key in (UNOBSERVED_FIELDS | PARTLY_OBSERVED_FIELDS) & set(parsed.fields):
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
    spawn = record.get("spawn", {})
    # An empty `model` (`model: ""`, `model:`) is applied as the main model, as `inherit` is (agents/model-empty,
    # agents/model-empty-quotes): not dropped, so agent-lsp calls it empty without a warning.
    empty = model is not None and model.value in (None, "")
    if (
        model is not None
        and not empty
        and spawn.get("model") == SESSION_MODEL
        and str(model.value).lower() not in SESSION_MODEL_NAMES
    ):
        keys.append("model")  # the subagent runs on the session's model: the value was dropped
    keys += [k for k in observed_drops(parsed, spawn) if k not in keys]
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


@pytest.mark.parametrize("case_id", sorted(c for c in TRUTH["cases"] if c.startswith("agents/")))
def test_agent_lsp_agrees_with_claude_code(case_id: str) -> None:
    problems = disagreements(case_id, TRUTH["cases"][case_id])
    if case_id in KNOWN:
        assert problems, f"{case_id} agrees now: remove it from known_differences.json"
        return
    assert not problems, "\n".join(problems)


# ---- skills and commands ------------------------------------------------------------------------------
# A skill or command case ran as `/probe ARGX` (scripts/conformance.py): the listing shows what Claude sees
# (its description, or nothing when model invocation is off), the expansion what a user's `/probe` runs
# (model, effort, fork). Claude Code never skips one of these files: broken frontmatter loads with no
# fields, so an error from agent-lsp must mean "none of the frontmatter applies".
SKILL_LEVELS = {"low", "medium", "high", "xhigh", "max"}
SKILL_DEFAULT_EFFORT = TRUTH["cases"]["skills/basic"]["invoked"]["effort"]
FALSE_WORDS = {"false", "no", "off", "0"}
# Fields whose effect `claude -p "/probe ARGX"` cannot show: permissions (allowed-tools), the hint in the
# interactive menu, hooks, the shell of `!` commands, paths (the skill waits for a matching file), metadata,
# and the fork-only fields when the skill does not fork.
SKILL_UNOBSERVED = {
    "allowed-tools",
    "disallowed-tools",
    "argument-hint",
    "arguments",
    "hooks",
    "shell",
    "paths",
    "metadata",
    "license",
    "compatibility",
    "background",
    "agent",
}


def _flat(value: Any) -> str:
    return " ".join(str(value).split())


def skill_dropped(parsed: ParsedAgent, record: dict[str, Any], kind: str) -> list[str]:
    """The keys whose written value Claude Code did not apply, read from what it showed."""
    fields = parsed.fields
    invoked = record.get("invoked", {})
    ran = invoked.get("outcome") in {"expanded", "forked"}
    dropped: list[str] = []
    description = fields.get("description")
    if description is not None and _flat(description.value or "") and record.get("listed"):
        shown = str(record.get("listed_description", "")).split(" - ")[0]
        if not _flat(shown).startswith(_flat(description.value)[:200]):
            dropped.append("description")
    name = fields.get("name")
    shown_plain = record.get("listed_name") == "probe"
    label_dropped = kind == "command" or (str(name.value if name else "") != "probe" and shown_plain)
    if name is not None and record.get("listed") and label_dropped:
        dropped.append("name")  # an empty name counts: the written line does nothing (as agents/model-empty)
    model = fields.get("model")
    on_session = invoked.get("model") == SESSION_MODEL
    # An empty `model` runs on the session's model, as no `model` does: applied, not dropped (skills/model-empty).
    empty = model is not None and model.value in (None, "")
    if model is not None and not empty and ran and on_session and str(model.value).lower() not in SESSION_MODEL_NAMES:
        dropped.append("model")
    effort = fields.get("effort")
    if effort is not None and effort.value not in (None, "") and ran:
        written = str(effort.value).lower()
        number = re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", written) is not None
        applied = invoked.get("effort") is None if number else invoked.get("effort") == written
        if not applied:
            dropped.append("effort")
    for key, shown in (("disable-model-invocation", record.get("listed")), ("user-invocable", ran)):
        item = fields.get(key)
        if item is not None and shown and str(item.value).lower() not in FALSE_WORDS | {"none"}:
            if key == "user-invocable" and str(item.value).lower() in {"true", "yes", "on", "1"}:
                continue
            dropped.append(key)  # read as false although it does not say so
        refused = key == "user-invocable" and item is not None and not shown and record.get("invoked")
        if refused and item is not None and str(item.value).lower() not in FALSE_WORDS:
            dropped.append(key)  # a value that is not false still switched `/probe` off
    context = fields.get("context")
    if context is not None and context.value not in (None, "") and ran and invoked["outcome"] != "forked":
        dropped.append("context")  # only `fork` does anything: any other value runs inline, as no value does
    if "agent" in fields and invoked.get("outcome") != "forked":
        dropped.append("agent")  # only a forked skill runs as an agent type
    return dropped


def skill_verdict(parsed: ParsedAgent, record: dict[str, Any], kind: str) -> Verdict:
    """What Claude Code did with a skill or command: `ignored` when it read none of the frontmatter (it never
    skips the file itself), else `loaded` with the keys whose written value it did not apply."""
    log = record.get("log", [])
    ignored = any("failed to parse and was ignored" in line for line in log)
    if ignored or str(record.get("listed_description", "")).startswith("---"):
        return Verdict("ignored", log=log)
    schema_keys = set(_schema(kind)["properties"])
    dropped = skill_dropped(parsed, record, kind)
    dropped += [key for key in parsed.fields if key not in schema_keys and key not in dropped]
    return Verdict("loaded", dropped_keys=dropped, log=log)


def skill_disagreements(case_id: str, record: dict[str, Any]) -> list[str]:
    """Each way agent-lsp's findings disagree with what Claude Code did with a skill or command."""
    _, parsed, found = read_case(case_id)
    return [text for _, text in score(parsed, record, found, file_kind=case_id.split("/", 1)[0].rstrip("s"))]


def skill_score(
    parsed: ParsedAgent, record: dict[str, Any], found: list[Finding], kind: str, *, by_code: bool = True
) -> list[tuple[str, str]]:
    """`score` for a skill or command (`kind`): the same three kinds of disagreement, where the verdict is
    whether Claude Code read the frontmatter at all."""
    verdict = skill_verdict(parsed, record, kind)
    errors = [f for f in found if f.severity == Severity.ERROR]
    warnings = [f for f in found if f.severity == Severity.WARNING]
    problems: list[tuple[str, str]] = []
    if verdict.outcome == "ignored" and not errors:
        problems.append(("verdict", "Claude Code reads none of the frontmatter but agent-lsp reports no error"))
    if errors and verdict.outcome != "ignored" and parsed.fields:
        problems.append(
            ("verdict", f"Claude Code applies the frontmatter but agent-lsp reports errors: {[f.code for f in errors]}")
        )
    if verdict.outcome == "ignored" or (errors and by_code):
        return problems
    reporting = warnings if by_code else warnings + errors
    explained: set[int] = set()
    for key in verdict.dropped_keys:
        lines = key_lines(parsed, key)
        hits = [f for f in reporting if line_of(parsed, f.span.start) in lines]
        if not hits:
            problems.append(
                ("dropped", f"Claude Code does not apply `{key}` as written but agent-lsp has no warning on its line")
            )
        explained.update(id(f) for f in hits)
    unobserved: set[int] = set()
    for key in SKILL_UNOBSERVED & set(parsed.fields):
        item = parsed.fields[key]
        unobserved.update(range(line_of(parsed, item.key_span.start), line_of(parsed, item.value_span.end) + 1))
    for finding in warnings:
        if id(finding) in explained:
            continue
        if finding.code == "yaml-fallback" and strict_yaml_rejects(parsed):
            continue
        if finding.code == "duplicate-key" and finding.data.get("key") in parsed.fields:
            continue  # an earlier value of a repeated key: the last one is listed (skills/dup-description)
        if line_of(parsed, finding.span.start) in unobserved:
            continue
        if finding.code == "never-invoked" and not record.get("listed") and record["invoked"]["outcome"] == "not-run":
            continue  # true to the letter: Claude does not see it and `/probe` is refused (skills/dmi-and-ui-false)
        if finding.code == "description-too-long" and len(str(record.get("listed_description", ""))) < len(
            _flat(parsed.fields["description"].value)
        ):
            continue  # the listing shows it cut short
        problems.append(
            ("quiet", f"Claude Code applies this as written but agent-lsp warns `{finding.code}`: {finding.message}")
        )
    return problems


def _schema(kind: str) -> dict[str, Any]:
    path = HERE.parents[1] / "schemas" / f"{kind}.schema.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


SKILL_CASES = sorted(cid for cid in TRUTH["cases"] if not cid.startswith("agents/"))


def test_the_corpus_has_skill_and_command_cases() -> None:
    assert len([c for c in SKILL_CASES if c.startswith("skills/")]) >= 30
    assert len([c for c in SKILL_CASES if c.startswith("commands/")]) >= 30


@pytest.mark.parametrize("case_id", SKILL_CASES)
def test_agent_lsp_agrees_with_claude_code_on_skills_and_commands(case_id: str) -> None:
    problems = skill_disagreements(case_id, TRUTH["cases"][case_id])
    if case_id in KNOWN:
        assert problems, f"{case_id} agrees now: remove it from known_differences.json"
        return
    assert not problems, "\n".join(problems)

#!/usr/bin/env python3
"""Writes the skill and command cases (tests/conformance/cases/skills/*.md, cases/commands/*.md).

The harness installs a skill case as `.claude/skills/probe/SKILL.md` and a command case as
`.claude/commands/probe.md`, then runs `claude -p "/probe ARGX"`: the first request's "skills are available"
listing says whether Claude may run it (and with which description), and the expansion of `/probe` says
whether a user may, with which model, effort and arguments. Each body holds the marker `Probe body:` so the
expansion can be found. Re-run this after editing the lists, then `scripts/conformance.py --record`.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "cases"
BODY = "Probe body: $ARGUMENTS.\n"


def skill(extra: str = "", *, head: str = "name: probe\ndescription: Probes one skill rule\n", body: str = BODY) -> str:
    return f"---\n{head}{extra}---\n{body}"


def command(extra: str = "", *, head: str = "description: Probes one command rule\n", body: str = BODY) -> str:
    return f"---\n{head}{extra}---\n{body}"


# Fields both kinds share, each with valid, invalid and edge values: (slug, frontmatter lines).
SHARED: list[tuple[str, str]] = [
    ("dmi-true", "disable-model-invocation: true\n"),
    ("dmi-false", "disable-model-invocation: false\n"),
    ("dmi-yes", "disable-model-invocation: yes\n"),
    ("dmi-quoted-true", 'disable-model-invocation: "true"\n'),
    ("dmi-bogus", "disable-model-invocation: sometimes\n"),
    ("ui-false", "user-invocable: false\n"),
    ("ui-true", "user-invocable: true\n"),
    ("ui-no", "user-invocable: no\n"),
    ("ui-bogus", "user-invocable: maybe\n"),
    ("model-haiku", "model: haiku\n"),
    ("model-sonnet", "model: sonnet\n"),
    ("model-opus", "model: opus\n"),
    ("model-inherit", "model: inherit\n"),
    ("model-full-id", "model: claude-haiku-5-5\n"),
    ("model-case", "model: Haiku\n"),
    ("model-bogus", "model: gpt-4\n"),
    ("model-number", "model: 4\n"),
    ("model-empty", "model:\n"),
    ("effort-low", "effort: low\n"),
    ("effort-high", "effort: high\n"),
    ("effort-max", "effort: max\n"),
    ("effort-xhigh", "effort: xhigh\n"),
    ("effort-int", "effort: 3\n"),
    ("effort-bogus", "effort: extreme\n"),
    ("effort-case", "effort: High\n"),
    ("allowed-tools-csv", "allowed-tools: Read, Grep\n"),
    ("allowed-tools-list", "allowed-tools: [Read, Grep]\n"),
    ("allowed-tools-bash-pattern", "allowed-tools: Bash(git add:*), Bash(git status:*)\n"),
    ("allowed-tools-unknown", "allowed-tools: Frobnicate\n"),
    ("argument-hint", "argument-hint: [issue-number]\n"),
    ("argument-hint-quoted", 'argument-hint: "<file> [mode]"\n'),
    ("when-to-use", "when_to_use: When the user asks for a probe\n"),
    ("context-fork", "context: fork\n"),
    ("context-fork-explore", "context: fork\nagent: Explore\n"),
    ("context-fork-model", "context: fork\nmodel: sonnet\n"),
    ("context-bogus", "context: inline\n"),
    ("agent-without-fork", "agent: Explore\n"),
    ("unknown-key", "frobnicate: 1\n"),
    ("unknown-key-camel", "allowedTools: Read\n"),
    ("shell-bash", "shell: bash\n"),
    ("shell-bogus", "shell: fish\n"),
    (
        "hooks-valid",
        "hooks:\n  PreToolUse:\n    - matcher: Bash\n      hooks:\n"
        "        - type: command\n          command: 'true'\n",
    ),
    ("hooks-not-mapping", "hooks: yes\n"),
    ("background-true", "background: true\n"),
    ("metadata", "metadata:\n  owner: probe\n"),
    ("license", "license: MIT\n"),
    ("disallowed-tools", "disallowed-tools: Bash\n"),
]

SKILLS: dict[str, str] = {
    "basic": skill(),
    "no-name": skill(head="description: Probes one skill rule\n"),
    "name-other": skill(head="name: other\ndescription: Probes one skill rule\n"),
    "name-uppercase": skill(head="name: Probe\ndescription: Probes one skill rule\n"),
    "name-space": skill(head="name: my probe\ndescription: Probes one skill rule\n"),
    "name-number": skill(head="name: 123\ndescription: Probes one skill rule\n"),
    "name-empty": skill(head="name:\ndescription: Probes one skill rule\n"),
    "no-frontmatter": "Probe paragraph one.\n\nProbe body: $ARGUMENTS.\n",
    "no-description": skill(head="name: probe\n", body="Probe paragraph one.\n\n" + BODY),
    "description-empty": skill(head="name: probe\ndescription:\n"),
    "description-number": skill(head="name: probe\ndescription: 123\n"),
    "description-list": skill(head="name: probe\ndescription: [a, b]\n"),
    "description-block": skill(head="name: probe\ndescription: |\n  Line one\n  line two\n"),
    "description-long": skill(head=f"name: probe\ndescription: {'Probes a long description. ' * 70}\n"),
    "yaml-colon-retry": skill(head="name: probe\ndescription: Probes: one rule\n"),
    "yaml-broken": skill(head="name: probe\ndescription: Probes one skill rule\nfoo: [\n"),
    "yaml-tab": skill(head="name: probe\n\tdescription: Probes one skill rule\n"),
    "crlf": skill().replace("\n", "\r\n"),
    "bom": "\ufeff" + skill(),
    "unclosed": "---\nname: probe\ndescription: Probes one skill rule\nProbe body: $ARGUMENTS.\n",
    "dup-description": skill(head="name: probe\ndescription: First one\ndescription: Second one\n"),
    "not-mapping": "---\n- a\n- b\n---\n" + BODY,
    "empty-frontmatter": "---\n---\n" + BODY,
    "empty-body": skill(body=""),
    "arguments-named": skill("arguments: [first, second]\n", body="Probe body: $first then $second.\n"),
    "arguments-index": skill(body="Probe body: $0 and $ARGUMENTS[0].\n"),
    "paths": skill("paths: src/**\n"),
    "compatibility": skill("compatibility: Needs git\n"),
    "dmi-and-ui-false": skill("disable-model-invocation: true\nuser-invocable: false\n"),
}
COMMANDS: dict[str, str] = {
    "basic": command(),
    "no-frontmatter": "Probe paragraph one.\n\nProbe body: $ARGUMENTS.\n",
    "no-description": command(head="argument-hint: [x]\n", body="Probe paragraph one.\n\n" + BODY),
    "description-empty": command(head="description:\n"),
    "name-field": command(head="name: other\ndescription: Probes one command rule\n"),
    "yaml-colon-retry": command(head="description: Probes: one rule\n"),
    "yaml-broken": command("foo: [\n"),
    "crlf": command().replace("\n", "\r\n"),
    "unclosed": "---\ndescription: Probes one command rule\nProbe body: $ARGUMENTS.\n",
    "dup-description": command(head="description: First one\ndescription: Second one\n"),
    "description-number": command(head="description: 123\n"),
    "description-list": command(head="description: [a, b]\n"),
    "arguments-positional": command(body="Probe body: $1 and $2.\n"),
    "empty-body": command(body=""),
}
for slug, lines in SHARED:
    SKILLS.setdefault(slug, skill(lines))
    COMMANDS.setdefault(slug, command(lines))


def main() -> int:
    for kind, cases in (("skills", SKILLS), ("commands", COMMANDS)):
        folder = OUT / kind
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.md"):
            if stale.stem not in cases:
                stale.unlink()
        for cid, text in cases.items():
            (folder / f"{cid}.md").write_bytes(text.encode("utf-8"))
        print(f"{len(cases)} {kind} cases in {folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

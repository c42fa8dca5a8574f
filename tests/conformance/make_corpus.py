#!/usr/bin/env python3
"""Writes the conformance corpus (tests/conformance/cases/agents/*.md) from the case lists below.

Each case is one small agent file: a rule's trigger, its near misses, each field with valid, invalid and
edge values, and the YAML and fence corners. The files are checked in (their bytes matter: CRLF, BOM, tabs);
re-run this after editing the lists, then `scripts/conformance.py --record`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "cases" / "agents"
BODY = "You are the probe. Answer briefly.\n"
HEAD = "name: probe\ndescription: Probes one rule of the loader\n"


def agent(extra: str = "", *, head: str = HEAD, body: str = BODY) -> str:
    """A file with the usual name and description plus `extra` frontmatter lines."""
    return f"---\n{head}{extra}---\n{body}"


SYMBOLS = {'""': "empty-quotes", '"': "quoted", "[]": "empty-list", "[": "list", "*": "star", "\n": "block"}


def value_cases(key: str, values: list[str]) -> dict[str, str]:
    """One case per value of one field, written as given (`key: <value>`)."""
    cases: dict[str, str] = {}
    for value in values:
        slug = value.lower()
        for symbol, word in SYMBOLS.items():
            slug = slug.replace(symbol, f" {word} ")
        slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")[:40] or "empty"
        if value != value.lower() and value.lower() in values:
            slug += "-case"
        cid = f"{key.lower()}-{slug}"
        while cid in cases:
            cid += "-x"
        if "\n" in value:
            cases[cid] = agent(f"{key}:{value}\n")
        else:
            cases[cid] = agent(f"{key}: {value}\n" if value else f"{key}:\n")
    return cases


CASES: dict[str, str] = {}


def add(cases: dict[str, str], prefix: str = "") -> None:
    for cid, text in cases.items():
        full = f"{prefix}{cid}"
        if full in CASES:
            raise SystemExit(f"duplicate case id {full}")
        CASES[full] = text


# ---- structure: the fences, the mapping, name and description -----------------------------------------
add(
    {
        "basic": agent(),
        "basic-tools-model": agent("tools: Read, Grep\nmodel: haiku\n"),
        "no-frontmatter": "# Probe\nYou are the probe.\n",
        "unclosed": "---\nname: probe\ndescription: Probes\nYou are the probe.\n",
        "empty-frontmatter": "---\n---\nYou are the probe.\n",
        "blank-frontmatter": "---\n\n---\nYou are the probe.\n",
        "only-name": "---\nname: probe\n---\nYou are the probe.\n",
        "only-description": "---\ndescription: Probes\n---\nYou are the probe.\n",
        "description-empty": "---\nname: probe\ndescription:\n---\nBody.\n",
        "description-empty-quotes": '---\nname: probe\ndescription: ""\n---\nBody.\n',
        "description-spaces-quoted": '---\nname: probe\ndescription: "   "\n---\nBody.\n',
        "description-null": "---\nname: probe\ndescription: null\n---\nBody.\n",
        "description-tilde": "---\nname: probe\ndescription: ~\n---\nBody.\n",
        "description-number": "---\nname: probe\ndescription: 123\n---\nBody.\n",
        "description-float": "---\nname: probe\ndescription: 1.5\n---\nBody.\n",
        "description-true": "---\nname: probe\ndescription: true\n---\nBody.\n",
        "description-yes": "---\nname: probe\ndescription: yes\n---\nBody.\n",
        "description-on": "---\nname: probe\ndescription: on\n---\nBody.\n",
        "description-date": "---\nname: probe\ndescription: 2024-01-01\n---\nBody.\n",
        "description-list": "---\nname: probe\ndescription: [a, b]\n---\nBody.\n",
        "description-map": "---\nname: probe\ndescription:\n  a: b\n---\nBody.\n",
        "description-backslash-n": '---\nname: probe\ndescription: "\\n"\n---\nBody.\n',
        "description-literal-block": (
            "---\nname: probe\ndescription: |\n  Probes one rule.\n  Second line.\n---\nBody.\n"
        ),
        "description-folded-block": "---\nname: probe\ndescription: >\n  Probes one rule.\n  Same line.\n---\nBody.\n",
        "description-folded-strip": "---\nname: probe\ndescription: >-\n  Probes one rule.\n---\nBody.\n",
        "description-literal-keep": "---\nname: probe\ndescription: |+\n  Probes one rule.\n\n---\nBody.\n",
        "description-multiline-plain": "---\nname: probe\ndescription: Probes one\n  rule of the loader\n---\nBody.\n",
        "description-continuation-col0": "---\nname: probe\ndescription: Probes one\nrule of the loader\n---\nBody.\n",
        "description-single-quoted": "---\nname: probe\ndescription: 'Probes: one rule'\n---\nBody.\n",
        "description-double-quoted-colon": '---\nname: probe\ndescription: "Probes: one rule"\n---\nBody.\n',
        "description-unicode": "---\nname: probe\ndescription: Prüft eine Regel — schnell ✓\n---\nBody.\n",
        "description-long": "---\nname: probe\ndescription: " + "word " * 400 + "\n---\nBody.\n",
        "name-missing-empty": "---\nname:\ndescription: Probes\n---\nBody.\n",
        "name-empty-quotes": '---\nname: ""\ndescription: Probes\n---\nBody.\n',
        "name-number": "---\nname: 123\ndescription: Probes\n---\nBody.\n",
        "name-float": "---\nname: 1.5\ndescription: Probes\n---\nBody.\n",
        "name-true": "---\nname: true\ndescription: Probes\n---\nBody.\n",
        "name-yes": "---\nname: yes\ndescription: Probes\n---\nBody.\n",
        "name-null": "---\nname: null\ndescription: Probes\n---\nBody.\n",
        "name-list": "---\nname: [probe]\ndescription: Probes\n---\nBody.\n",
        "name-colon-quoted": '---\nname: "my:probe"\ndescription: Probes\n---\nBody.\n',
        "name-colon-plain": "---\nname: my:probe\ndescription: Probes\n---\nBody.\n",
        "name-colon-end": '---\nname: "probe:"\ndescription: Probes\n---\nBody.\n',
        "name-leading-dash": '---\nname: "-probe"\ndescription: Probes\n---\nBody.\n',
        "name-inner-dash": "---\nname: pro-be\ndescription: Probes\n---\nBody.\n",
        "name-trailing-dash": "---\nname: probe-\ndescription: Probes\n---\nBody.\n",
        "name-uppercase": "---\nname: Probe\ndescription: Probes\n---\nBody.\n",
        "name-camel": "---\nname: codeProbe\ndescription: Probes\n---\nBody.\n",
        "name-underscore": "---\nname: code_probe\ndescription: Probes\n---\nBody.\n",
        "name-space": "---\nname: code probe\ndescription: Probes\n---\nBody.\n",
        "name-dot": "---\nname: code.probe\ndescription: Probes\n---\nBody.\n",
        "name-slash": "---\nname: code/probe\ndescription: Probes\n---\nBody.\n",
        "name-unicode": "---\nname: prüfer\ndescription: Probes\n---\nBody.\n",
        "name-digits": "---\nname: probe2\ndescription: Probes\n---\nBody.\n",
        "name-leading-space-quoted": '---\nname: " probe"\ndescription: Probes\n---\nBody.\n',
        "name-long": "---\nname: " + "p" * 120 + "\ndescription: Probes\n---\nBody.\n",
        "name-at": "---\nname: probe@x\ndescription: Probes\n---\nBody.\n",
        "not-mapping-list": "---\n- name: probe\n- description: Probes\n---\nBody.\n",
        "not-mapping-scalar": "---\njust some text\n---\nBody.\n",
        "empty-body": "---\nname: probe\ndescription: Probes\n---\n",
        "blank-body": "---\nname: probe\ndescription: Probes\n---\n\n   \n",
        "body-with-fence": "---\nname: probe\ndescription: Probes\n---\nBody.\n---\nMore body.\n",
        "body-heading": "---\nname: probe\ndescription: Probes\n---\n# Role\nYou are the probe.\n",
    },
    "structure-",
)

# ---- fences: where the opening and closing `---` may stand ---------------------------------------------
add(
    {
        "open-trailing-space": "--- \nname: probe\ndescription: Probes\n---\nBody.\n",
        "open-trailing-tab": "---\t\nname: probe\ndescription: Probes\n---\nBody.\n",
        "open-four-dashes": "----\nname: probe\ndescription: Probes\n---\nBody.\n",
        "open-with-text": "--- yaml\nname: probe\ndescription: Probes\n---\nBody.\n",
        "open-indented": " ---\nname: probe\ndescription: Probes\n---\nBody.\n",
        "open-after-blank-line": "\n---\nname: probe\ndescription: Probes\n---\nBody.\n",
        "open-after-comment": "<!-- c -->\n---\nname: probe\ndescription: Probes\n---\nBody.\n",
        "close-trailing-space": "---\nname: probe\ndescription: Probes\n--- \nBody.\n",
        "close-trailing-tab": "---\nname: probe\ndescription: Probes\n---\t\nBody.\n",
        "close-four-dashes": "---\nname: probe\ndescription: Probes\n----\nBody.\n",
        "close-with-text": "---\nname: probe\ndescription: Probes\n--- end\nBody.\n",
        "close-indented": "---\nname: probe\ndescription: Probes\n ---\nBody.\n",
        "close-dots": "---\nname: probe\ndescription: Probes\n...\nBody.\n",
        "close-at-eof-no-newline": "---\nname: probe\ndescription: Probes\n---",
        "close-then-eof-newline": "---\nname: probe\ndescription: Probes\n---\n",
        "close-body-same-line": "---\nname: probe\ndescription: Probes\n---Body.\n",
        "blank-lines-inside": "---\n\nname: probe\n\ndescription: Probes\n\n---\nBody.\n",
        "comment-lines-inside": "---\n# a comment\nname: probe\n# another\ndescription: Probes\n---\nBody.\n",
        "trailing-comment": "---\nname: probe # the name\ndescription: Probes # what\n---\nBody.\n",
        "hash-without-space": "---\nname: probe\ndescription: Probes#1 rule\n---\nBody.\n",
        "document-start-inside": "---\n---\nname: probe\ndescription: Probes\n---\nBody.\n",
        "yaml-directive": "---\n%YAML 1.2\nname: probe\ndescription: Probes\n---\nBody.\n",
    },
    "fence-",
)

# ---- line endings, BOM, tabs --------------------------------------------------------------------------
CRLF_CLEAN = agent("tools: Read, Grep\n").replace("\n", "\r\n")
add(
    {
        "crlf-clean": CRLF_CLEAN,
        "crlf-colon-description": "---\r\nname: probe\r\ndescription: a: b\r\n---\r\nBody.\r\n",
        "lf-colon-description": "---\nname: probe\ndescription: a: b\n---\nBody.\n",
        "crlf-quoted-colon": '---\r\nname: probe\r\ndescription: "a: b"\r\n---\r\nBody.\r\n',
        "crlf-colon-tools": "---\r\nname: probe\r\ndescription: Probes\r\ntools: Read: Grep\r\n---\r\nBody.\r\n",
        "crlf-body-only": "---\nname: probe\ndescription: Probes\n---\r\nBody.\r\n",
        "crlf-mixed": "---\r\nname: probe\ndescription: Probes\r\n---\nBody.\n",
        "crlf-block-scalar": "---\r\nname: probe\r\ndescription: |\r\n  Probes\r\n  rules\r\n---\r\nBody.\r\n",
        "crlf-hash": "---\r\nname: probe\r\ndescription: Probes #1\r\n---\r\nBody.\r\n",
        "crlf-bracket": "---\r\nname: probe\r\ndescription: [x] marks\r\n---\r\nBody.\r\n",
        "lf-bracket": "---\nname: probe\ndescription: [x] marks\n---\nBody.\n",
        "cr-only": "---\rname: probe\rdescription: Probes\r---\rBody.\r",
        "bom-clean": "\ufeff" + agent(),
        "bom-colon-description": "\ufeff---\nname: probe\ndescription: a: b\n---\nBody.\n",
        "bom-crlf": "\ufeff" + agent().replace("\n", "\r\n"),
        "tab-indent-key": "---\nname: probe\ndescription: Probes\n\tcolor: red\n---\nBody.\n",
        "tab-after-colon": "---\nname: probe\ndescription:\tProbes\n---\nBody.\n",
        "tab-in-value": "---\nname: probe\ndescription: Probes\tone rule\n---\nBody.\n",
        "tab-list-indent": "---\nname: probe\ndescription: Probes\ntools:\n\t- Read\n---\nBody.\n",
        "space-before-colon": "---\nname : probe\ndescription : Probes\n---\nBody.\n",
        "indented-fields": "---\n  name: probe\n  description: Probes\n---\nBody.\n",
        "nbsp-value": "---\nname: probe\ndescription: Probes\u00a0one\n---\nBody.\n",
        "zero-width-name": "---\nname: pro\u200bbe\ndescription: Probes\n---\nBody.\n",
    },
    "eol-",
)

# ---- the quoting retry: values strict YAML rejects --------------------------------------------------------
add(
    {
        "colon-space": agent("", head="name: probe\ndescription: Use when: the code changed\n"),
        "colon-space-twice": agent("", head="name: probe\ndescription: a: b: c\n"),
        "colon-no-space": agent("", head="name: probe\ndescription: ratio 1:2 kept\n"),
        "colon-end": agent("", head="name: probe\ndescription: Use it for:\n"),
        "hash-comment-after-colon": agent("", head="name: probe\ndescription: a: b # c\n"),
        "leading-bracket": agent("", head="name: probe\ndescription: [draft] probes\n"),
        "leading-brace": agent("", head="name: probe\ndescription: {draft} probes\n"),
        "leading-at": agent("", head="name: probe\ndescription: @probe runs\n"),
        "leading-backtick": agent("", head="name: probe\ndescription: `probe` runs\n"),
        "leading-star": agent("", head="name: probe\ndescription: *probe runs\n"),
        "leading-ampersand": agent("", head="name: probe\ndescription: &probe runs\n"),
        "leading-bang": agent("", head="name: probe\ndescription: !probe runs\n"),
        "leading-percent": agent("", head="name: probe\ndescription: %probe runs\n"),
        "leading-pipe-text": agent("", head="name: probe\ndescription: | probe runs\n"),
        "leading-gt-text": agent("", head="name: probe\ndescription: > probe runs\n"),
        "leading-dash-space": agent("", head="name: probe\ndescription: - probe runs\n"),
        "leading-question": agent("", head="name: probe\ndescription: ? probe runs\n"),
        "leading-quote-unclosed": agent("", head='name: probe\ndescription: "probe runs\n'),
        "quote-then-text": agent("", head='name: probe\ndescription: "probe" runs\n'),
        "single-quote-then-text": agent("", head="name: probe\ndescription: 'probe' runs\n"),
        "name-colon-space": agent("", head="name: my: probe\ndescription: Probes\n"),
        "model-colon": agent("model: sonnet: fast\n"),
        "tools-colon": agent("tools: Read: Grep\n"),
        "color-colon": agent("color: red: dark\n"),
        "two-values": agent("model: sonnet: fast\n", head="name: probe\ndescription: a: b\n"),
        "colon-and-dup": "---\nname: probe\ndescription: a: b\ndescription: c\n---\nBody.\n",
        "colon-in-list-item": agent("tools:\n  - Read: x\n"),
        "colon-in-block-map": agent("hooks:\n  Stop: a: b\n"),
        "colon-description-then-bad-indent": "---\nname: probe\ndescription: a: b\n  more\n---\nBody.\n",
        "url-in-description": agent("", head="name: probe\ndescription: See https://example.com/x for details\n"),
        "colon-in-quoted-single": agent("", head="name: probe\ndescription: 'a: b'\n"),
        "colon-in-literal": agent("", head="name: probe\ndescription: |\n  a: b\n"),
    },
    "retry-",
)

# ---- repeated keys ------------------------------------------------------------------------------------
add(
    {
        "name-twice": "---\nname: first\ndescription: Probes\nname: probe\n---\nBody.\n",
        "description-twice": "---\nname: probe\ndescription: first\ndescription: Probes second\n---\nBody.\n",
        "tools-twice": agent("tools: Read\ntools: Grep\n"),
        "model-twice": agent("model: opus\nmodel: haiku\n"),
        "effort-twice": agent("effort: low\neffort: high\n"),
        "memory-twice-bad-last": agent("memory: user\nmemory: bogus\n"),
        "memory-twice-bad-first": agent("memory: bogus\nmemory: user\n"),
        "case-differs": agent("Model: opus\nmodel: haiku\n"),
        "nested-twice": agent(
            "hooks:\n  Stop:\n    - hooks:\n        - type: command\n          command: a\n          command: b\n"
        ),
        "quoted-twice": agent('"model": opus\nmodel: haiku\n'),
        "twice-crlf": "---\r\nname: probe\r\ndescription: Probes\r\nmodel: opus\r\nmodel: haiku\r\n---\r\nBody.\r\n",
        "unknown-twice": agent("foo: 1\nfoo: 2\n"),
    },
    "dup-",
)

# ---- fields, one value per case -------------------------------------------------------------------------
add(
    value_cases(
        "model",
        [
            "sonnet",
            "opus",
            "haiku",
            "fable",
            "inherit",
            "Sonnet",
            "OPUS",
            "default",
            "best",
            "opusplan",
            "sonnet[1m]",
            "opus[1m]",
            "claude-opus-4-8",
            "claude-sonnet-4-5",
            "claude-sonnet-4-5-20250929",
            "claude-haiku-4-5",
            "claude-3-5-sonnet-20241022",
            "claude-fake-model",
            "claude-opus-5-5",
            "gpt-4",
            "o3",
            "anthropic/claude-opus-4-8",
            "us.anthropic.claude-sonnet-4-5-v1:0",
            "123",
            "true",
            '""',
            "",
            "[sonnet]",
            "sonnet ",
            "haiku-4.5",
            "claude-Opus-4-8",
            "inherit-parent",
        ],
    )
)
add(
    value_cases(
        "permissionMode",
        [
            "default",
            "acceptEdits",
            "auto",
            "dontAsk",
            "bypassPermissions",
            "plan",
            "manual",
            "bogus",
            "accept-edits",
            "Plan",
            "acceptedits",
            "",
            "true",
            "[plan]",
        ],
    )
)
add(value_cases("maxTurns", ["1", "5", "100", "0", "-1", "5.5", '"5"', "five", "true", "1e3", "", "[5]", "5.0"]))
add(value_cases("memory", ["user", "project", "local", "bogus", "User", "none", "", "true", "[user]", "global"]))
add(value_cases("background", ["true", "false", "yes", "no", "on", '"true"', "1", "0", "True", "FALSE", ""]))
add(
    value_cases(
        "effort",
        [
            "low",
            "medium",
            "high",
            "xhigh",
            "max",
            "3",
            "0",
            "-1",
            "1.5",
            '"3"',
            "100",
            "31999",
            "ultra",
            "High",
            "auto",
            "minimal",
            "none",
            "",
            "true",
            "[high]",
            "x-high",
            "MAX",
        ],
    )
)
add(value_cases("isolation", ["worktree", "remote", "none", "Worktree", "local", "", "true", "[worktree]"]))
add(
    value_cases(
        "color",
        [
            "red",
            "blue",
            "green",
            "yellow",
            "purple",
            "orange",
            "pink",
            "cyan",
            "magenta",
            "Red",
            '"#ff0000"',
            "white",
            "black",
            "gray",
            "automatic",
            "",
            "1",
            "[red]",
        ],
    )
)
add(value_cases("initialPrompt", ["/review the staged changes", "Start here", '""', "123", "[a, b]", "", "true"]))
add(
    value_cases(
        "skills",
        [
            "[api-conventions]",
            "api-conventions",
            "helper",
            "[helper]",
            "[helper, nope]",
            "\n  - helper",
            "[a, b]",
            "123",
            "",
            "\n  a: b",
            "[1, 2]",
        ],
    )
)
add(value_cases("omitClaudeMd", ["true", "false", "yes", '"true"', "1", ""]))
add(value_cases("autoCompactWindow", ["100000", "200000", "0", "-5", "big", '"100000"', "1.5", ""]))
add(
    value_cases(
        "experimental",
        ["\n  cacheTtl: 1h", "\n  cacheTtl: 5m", "\n  cacheTtl: 300", "\n  cacheTtl: forever", "\n  other: 1", "1", ""],
    )
)

# ---- tools and disallowedTools --------------------------------------------------------------------------
TOOL_VALUES = [
    "Read",
    "Read, Grep, Glob",
    "Read,Grep",
    "Read Grep",
    "[Read, Grep]",
    "\n  - Read\n  - Grep",
    "*",
    '"*"',
    "",
    "[]",
    '""',
    "Foo",
    "Read, Foo",
    "read",
    "READ",
    "Bash(git *)",
    "Bash(git:*)",
    "Bash(git",
    "Bash()",
    "Bash(*)",
    "Read(src/**)",
    "Grep(x)",
    "Edit(docs/**)",
    "WebFetch(domain:example.com)",
    "WebFetch",
    "WebSearch",
    "Task",
    "Agent",
    "Agent(worker)",
    "Task(worker)",
    "mcp__github",
    "mcp__*",
    "mcp__github__*",
    "mcp__github__create_issue",
    "mcp__",
    "Read, mcp__github",
    "AskUserQuestion",
    "Read, AskUserQuestion",
    "EnterPlanMode",
    "ExitPlanMode",
    "TodoWrite",
    "Read, TodoWrite",
    "MultiEdit",
    "Read, MultiEdit",
    "LS",
    "NotebookRead",
    "KillShell",
    "BashOutput",
    "NotebookEdit",
    "Skill",
    "ToolSearch",
    "SendMessage",
    "TaskStop",
    "Monitor",
    "CronCreate",
    "LSP",
    "PowerShell",
    "Workflow",
    "ListAgents",
    "ReportFindings",
    "ScheduleWakeup",
    "Artifact",
    "EnterWorktree",
    "TaskCreate",
    "TaskOutput",
    "123",
    "true",
    "[Read, 1]",
    "\n  a: b",
    "Read, , Grep",
    "Read,",
    " Read ",
    "Read;Grep",
    "Bash(npm test *), Read",
    "Bash (git *)",
    "SlashCommand",
    "Explore",
    "Glob, Grep, LS, Read, NotebookRead, WebFetch, TodoWrite, WebSearch",
]
add(value_cases("tools", TOOL_VALUES))
add(
    value_cases(
        "disallowedTools",
        [
            "Write, Edit",
            "[Write]",
            "Foo",
            "mcp__*",
            "mcp__github",
            "Bash(rm *)",
            "Bash(",
            "",
            "[]",
            "*",
            "123",
            "Task",
            "MultiEdit",
            "read",
            "Agent",
        ],
    )
)
add(
    {
        "plan-exitplanmode": agent("permissionMode: plan\ntools: Read, ExitPlanMode\n"),
        "plan-only-exitplanmode": agent("permissionMode: plan\ntools: ExitPlanMode\n"),
        "background-true-askuser": agent("background: true\ntools: Read, AskUserQuestion\n"),
        "tools-and-disallowed": agent("tools: Read, Grep, Bash\ndisallowedTools: Bash\n"),
        "disallowed-all-listed": agent("tools: Read\ndisallowedTools: Read\n"),
        "tools-mcp-only": agent("tools: mcp__github\n"),
        "tools-dup-entry": agent("tools: Read, Read\n"),
        "search-with-bash": agent("tools: Read, Grep, Glob, Bash\n"),
        "search-without-bash": agent("tools: Read, Grep, Glob\n"),
        "grep-with-bash-rule": agent("tools: Grep, Bash(git *)\n"),
    },
    "tools-combo-",
)

# ---- mcpServers and hooks -----------------------------------------------------------------------------
add(
    value_cases(
        "mcpServers",
        [
            "[github]",
            "\n  - github",
            "\n  - playwright:\n      type: stdio\n      command: npx\n      args: [-y, '@playwright/mcp']",
            "\n  - remote:\n      type: http\n      url: https://example.com/mcp",
            "\n  github:\n    command: x",
            "github",
            "\n  - 123",
            '\n  - ""',
            "\n  - bad:\n      type: carrier-pigeon\n      command: x",
            "\n  - bad:\n      type: stdio",
            "\n  - a:\n      command: x\n    b:\n      command: y",
            "[]",
            "",
        ],
    )
)


def hook(event: str, handler: str = "type: command\n          command: echo hi", matcher: str | None = "Bash") -> str:
    group = f"    - matcher: {matcher}\n      hooks:\n" if matcher is not None else "    - hooks:\n"
    return f"hooks:\n  {event}:\n{group}        - {handler}\n"


HOOK_EVENTS = [
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "Stop",
    "SubagentStop",
    "SubagentStart",
    "SessionStart",
    "UserPromptSubmit",
    "Notification",
    "PreCompact",
    "SessionEnd",
    "PermissionRequest",
    "PreModelSwitch",
    "PostModelSwitch",
    "PostToolBatch",
    "StopFailure",
    "TaskCreated",
    "TaskCompleted",
    "ConfigChange",
    "FileChanged",
    "CwdChanged",
    "InstructionsLoaded",
    "Elicitation",
    "WorktreeCreate",
    "Setup",
    "MessageDisplay",
    "preToolUse",
    "PreTool",
    "Bogus",
    "pre_tool_use",
]
add({f"event-{e}": agent(hook(e)) for e in HOOK_EVENTS}, "hooks-")
add(
    {
        "handler-onfailure": agent(
            hook("PreToolUse", "type: command\n          command: x\n          onFailure: block")
        ),
        "handler-onfailure-bogus": agent(
            hook("PreToolUse", "type: command\n          command: x\n          onFailure: explode")
        ),
        "handler-timeout": agent(hook("PreToolUse", "type: command\n          command: x\n          timeout: 30")),
        "handler-timeout-zero": agent(hook("PreToolUse", "type: command\n          command: x\n          timeout: 0")),
        "handler-timeout-text": agent(
            hook("PreToolUse", "type: command\n          command: x\n          timeout: soon")
        ),
        "handler-if": agent(hook("PreToolUse", "type: command\n          command: x\n          if: Bash(git *)")),
        "handler-async": agent(hook("PostToolUse", "type: command\n          command: x\n          async: true")),
        "handler-once": agent(hook("PreToolUse", "type: command\n          command: x\n          once: true")),
        "handler-unknown-key": agent(hook("PreToolUse", "type: command\n          command: x\n          color: red")),
        "handler-http": agent(hook("PreToolUse", "type: http\n          url: http://127.0.0.1:9/hook")),
        "handler-prompt": agent(hook("Stop", "type: prompt\n          prompt: Is it done?", None)),
        "handler-agent": agent(hook("Stop", "type: agent\n          prompt: Check it", None)),
        "handler-mcp-tool": agent(hook("PreToolUse", "type: mcp_tool\n          server: s\n          tool: t")),
        "handler-bad-type": agent(hook("PreToolUse", "type: shell\n          command: x")),
        "handler-no-type": agent(hook("PreToolUse", "command: x")),
        "handler-command-missing": agent(hook("PreToolUse", "type: command")),
        "handler-command-number": agent(hook("PreToolUse", "type: command\n          command: 5")),
        "no-matcher": agent(hook("Stop", matcher=None)),
        "matcher-star": agent(hook("PreToolUse", matcher='"*"')),
        "matcher-number": agent(hook("PreToolUse", matcher="5")),
        "group-no-hooks": agent("hooks:\n  PreToolUse:\n    - matcher: Bash\n"),
        "group-unknown-key": agent(
            "hooks:\n  PreToolUse:\n    - matcher: Bash\n      when: now\n      hooks:\n"
            "        - type: command\n          command: x\n"
        ),
        "event-not-list": agent("hooks:\n  PreToolUse:\n    matcher: Bash\n"),
        "event-empty-list": agent("hooks:\n  PreToolUse: []\n"),
        "hooks-list": agent("hooks:\n  - PreToolUse\n"),
        "hooks-string": agent("hooks: echo hi\n"),
        "hooks-empty": agent("hooks:\n"),
        "hooks-empty-map": agent("hooks: {}\n"),
        "good-and-bad-event": agent(
            hook("PreToolUse") + "  Bogus:\n    - hooks:\n        - type: command\n          command: x\n"
        ),
    },
    "hooks-",
)

# ---- keys agent-lsp may or may not know ------------------------------------------------------------------
UNKNOWN_KEYS = [
    "foo: 1",
    "version: 1.0",
    "author: me",
    "tags: [a, b]",
    "Name: other",
    "Description: other",
    "permission_mode: plan",
    "max_turns: 5",
    "allowed-tools: Read",
    "allowedTools: Read",
    "argument-hint: x",
    "when_to_use: Use it",
    "context: fork",
    "agent: Explore",
    "user-invocable: true",
    "disable-model-invocation: true",
    "paths: src/**",
    "model-invocable: false",
    "tool: Read",
    "Tools: Read",
    "color_scheme: dark",
    "system_prompt: x",
    "prompt: x",
    "temperature: 0.2",
    "maxTokens: 100",
    "thinking: true",
    "shell: bash",
    "hide-from-slash-command-tool: true",
    "mcp_servers: [a]",
    "MaxTurns: 5",
    "isolate: worktree",
    "memories: user",
    "efforts: high",
    "colour: red",
    "initial_prompt: x",
    "requires: [x]",
    "x-custom: 1",
    "$schema: x",
    "'': empty",
    "model_name: x",
]
for line in UNKNOWN_KEYS:
    key = line.split(":", 1)[0].strip("'$")
    slug = re.sub(r"[^a-z0-9]+", "-", (key or "empty-key").lower()).strip("-")
    if line.startswith("Name") or line.startswith("Description") or line.startswith("Tools"):
        slug += "-cap"
    if line.startswith("MaxTurns"):
        slug += "-cap"
    add({f"key-{slug}": agent(line + "\n")})

# ---- the whole table of the issue, combined --------------------------------------------------------------
add(
    {
        "table-all-valid": agent(
            "effort: 3\nisolation: remote\nomitClaudeMd: true\nautoCompactWindow: 100000\n"
            "experimental:\n  cacheTtl: 1h\n" + hook("PreModelSwitch")
        ),
        "full-valid": agent(
            "tools: Read, Grep, Glob, Bash(git *)\ndisallowedTools: Write\nmodel: sonnet\npermissionMode: plan\n"
            "maxTurns: 10\nskills: [api-conventions]\nmemory: project\nbackground: false\neffort: high\n"
            "isolation: worktree\ncolor: blue\ninitialPrompt: Start\n"
        ),
    },
    "combo-",
)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    wanted = {f"{cid}.md" for cid in CASES}
    for stale in OUT.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for cid, text in CASES.items():
        (OUT / f"{cid}.md").write_bytes(text.encode("utf-8"))
    print(f"{len(CASES)} agent cases in {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

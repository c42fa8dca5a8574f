"""The documents the benchmark edits: generated, deterministic, no network."""

from __future__ import annotations

import random
from pathlib import Path

BODY = """You review code changes the way a careful senior colleague would.

## How to work

1. Run `git diff` to see what changed, and read enough of the surrounding code to understand it.
2. Look for defects first: wrong logic, unhandled errors, races, leaked resources, unsafe input handling.
3. Then check that every behaviour change comes with a test, and that names and comments say what the code does.
4. Read the tests themselves: a test that cannot fail is worse than none.

## What to report

Report your findings grouped as "must fix", "should fix" and "consider", each with the file, the line and a
suggested change. If the change is good, say so in one sentence. Keep the tone factual and short; quote the
code you mean instead of describing it, and never invent a problem to have something to say.

```bash
git diff --stat
git log --oneline -5
```

- Prefer small, concrete suggestions over rewrites.
- Point out security issues first, whatever their size.
- When unsure, ask a question instead of asserting.
"""


def typical(name: str = "code-reviewer", color: str = "blue") -> str:
    """A typical agent file, about 3 KB."""
    front = (
        "---\n"
        f"name: {name}\n"
        "description: >\n"
        "  Reviews a finished change for bugs, missing tests and unclear code before it\n"
        "  is committed. Use it proactively after writing or modifying code, and whenever\n"
        "  the user asks for a review of a diff, a branch or a pull request.\n"
        "tools: Read, Grep, Glob, Bash(git diff *), Bash(git log *)\n"
        "model: sonnet\n"
        f"color: {color}\n"
        "effort: high\n"
        "maxTurns: 30\n"
        "---\n\n"
    )
    text = front + BODY
    while len(text) < 3000:
        text += "\nAlways finish with a one-line summary of the verdict.\n"
    return text


def big_body(size: int = 1_000_000) -> str:
    """The typical frontmatter with a Markdown body of about 1 MB."""
    text = typical()
    parts = [text]
    n = len(text)
    i = 0
    while n < size:
        chunk = f"\n### Section {i}\n\n" + BODY
        parts.append(chunk)
        n += len(chunk)
        i += 1
    return "".join(parts)


def long_frontmatter() -> str:
    """A 300-line frontmatter: long tools lists, hooks and mcpServers."""
    rng = random.Random(7)
    builtin = ["Read", "Grep", "Glob", "Bash", "Edit", "Write", "WebFetch", "WebSearch", "TodoWrite", "NotebookEdit"]
    lines = [
        "---",
        "name: platform-operator",
        "description: >",
        "  Operates the platform: deploys, rolls back, reads dashboards and files incidents. Use it",
        "  when the user asks to ship, to investigate an alert, or to change infrastructure.",
        "model: opus",
        "color: purple",
        "permissionMode: acceptEdits",
        "memory: project",
        "effort: high",
        "maxTurns: 80",
        "tools:",
    ]
    for tool in builtin:
        lines.append(f"  - {tool}")
    for _ in range(40):
        program = rng.choice(["git", "kubectl", "helm", "terraform", "make"])
        lines.append(f"  - Bash({program} {rng.choice(['diff', 'get', 'plan', 'status', 'logs'])} *)")
    for i in range(30):
        lines.append(f"  - mcp__server{i % 6}__tool_{i}")
    lines.append("disallowedTools:")
    for i in range(10):
        lines.append(f"  - Bash(rm -rf /tmp/x{i} *)")
    lines.append("mcpServers:")
    lines.append("  - github")
    lines.append("  - sentry")
    for i in range(6):
        lines += [
            f"  - server{i}:",
            "      type: stdio",
            f"      command: /usr/local/bin/mcp-server-{i}",
            "      args:",
            "        - --port",
            f'        - "{9000 + i}"',
            "        - --verbose",
            "      env:",
            f'        TOKEN: "${{SERVER{i}_TOKEN}}"',
            "        LOG_LEVEL: debug",
        ]
    lines.append("hooks:")
    events = ["PreToolUse", "PostToolUse", "Stop", "UserPromptSubmit", "SessionStart"]
    for event in events:
        lines.append(f"  {event}:")
        for j in range(3):
            lines += [
                f'    - matcher: "{rng.choice(["Bash", "Edit|Write", "Read", "mcp__.*"])}"',
                "      hooks:",
                "        - type: command",
                f"          command: ./scripts/hooks/{event.lower()}-{j}.sh",
                "          timeout: 30",
                "        - type: command",
                f"          command: ./scripts/hooks/audit.sh {event} {j}",
            ]
    while len(lines) < 301:
        lines.append(f"# note {len(lines)}: keep this list in sync with the runbook")
    lines.append("---")
    return "\n".join(lines) + "\n\n" + BODY


def frontmatter_yaml(agent_text: str) -> str:
    """The frontmatter as a standalone YAML document (for yaml-language-server)."""
    lines = agent_text.split("\n")
    close = lines.index("---", 1)
    return "\n".join(lines[1:close]) + "\n"


def check_folder(root: Path, count: int = 2000) -> Path:
    """`count` agent files under root/.claude/agents: mostly clean, some with problems."""
    folder = root / ".claude" / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f".complete-{count}"
    if marker.exists():
        return root
    rng = random.Random(2000)
    for i in range(count):
        kind = i % 10
        name = f"agent-{i:04d}"
        if kind == 7:
            text = long_frontmatter().replace("name: platform-operator", f"name: {name}", 1)
        elif kind == 8:
            text = typical(name, color="blux").replace("Glob,", "Glob, Serch,", 1)  # invalid colour, unknown tool
        elif kind == 9:
            text = typical(name).replace("description: >\n  Reviews", "description: Reviews: a change\n  Reviews", 1)
        else:
            text = typical(name, color=rng.choice(["blue", "green", "red", "cyan"]))
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    marker.write_text("", encoding="utf-8")
    return root


def plugin_manifest(lines: int = 2000) -> str:
    """A plugin manifest of about `lines` lines: metadata, many inline MCP servers and hooks, as a large
    real plugin writes them (every value valid, so an edit's finding is the only one)."""
    import json

    servers: dict[str, object] = {}
    hooks: dict[str, list[object]] = {"PreToolUse": [], "PostToolUse": []}
    manifest: dict[str, object] = {
        "name": "platform-suite",
        "version": "1.0.0",
        "description": "Tools for the platform team: deploys, reviews, incident response.",
        "author": {"name": "Platform team", "email": "platform@example.com"},
        "keywords": ["deploy", "review", "incident"],
        "mcpServers": servers,
        "hooks": hooks,
    }
    i = 0
    while json.dumps(manifest, indent=2).count("\n") < lines:
        servers[f"service-{i:03d}"] = {
            "type": "http",
            "url": f"${{SERVICE_{i:03d}_URL:-https://svc{i}.example.com}}/mcp",
            "headers": {"Authorization": f"Bearer ${{SERVICE_{i:03d}_TOKEN}}"},
            "timeout": 30000,
        }
        hooks["PreToolUse" if i % 2 else "PostToolUse"].append(
            {"matcher": "Bash", "hooks": [{"type": "command", "command": f"./hooks/check-{i}.sh", "timeout": 30}]}
        )
        i += 1
    return json.dumps(manifest, indent=2) + "\n"

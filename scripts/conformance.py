#!/usr/bin/env python3
"""Ask the real Claude Code what it does with each case file of tests/conformance/cases and record it.

Installs the pinned `@anthropic-ai/claude-code` (tests/conformance/PINNED_VERSION) from npm into
~/.cache/agent-lsp/claude-code/<version> (never into the repository), then runs it once per case, offline:
`ANTHROPIC_BASE_URL` points at tests/conformance/recording_api.py on 127.0.0.1, `HOME` and `TMPDIR` are fresh
temporary folders, the key is a dummy, and every switch that turns off non-essential traffic is set. The
first request's agent listing says whether the case loaded; our answer to it spawns the agent, and the
subagent's own request shows its effective model, tools, effort and system prompt.

  scripts/conformance.py                 record and compare with the checked-in truth; exit 1 on a difference
  scripts/conformance.py --record        record and rewrite truth.json, printing every case whose verdict moved
  scripts/conformance.py --case ID ...   only these cases (prints their records)
  scripts/conformance.py --every 4       only every 4th case: the quicker comparison scripts/test.sh runs
  scripts/conformance.py --version V     another Claude Code version: prints the cases whose verdict moved
  scripts/conformance.py --record --version V   bump the pin to V (PINNED_VERSION, the schemas) and re-record
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT / "tests" / "conformance"
CASES = CONFORMANCE / "cases"
TRUTH = CONFORMANCE / "truth.json"
PINNED = CONFORMANCE / "PINNED_VERSION"
CACHE = Path(os.environ.get("AGENT_LSP_CACHE", Path.home() / ".cache" / "agent-lsp")) / "claude-code"
PACKAGE = "@anthropic-ai/claude-code"

sys.path.insert(0, str(CONFORMANCE))
from recording_api import RecordingApi, listing_entries, request_text, system_text  # noqa: E402

# Everything Claude Code could reach besides the API is switched off; the recording server also stands in
# as the HTTP(S) proxy, so a connection to any other host would show up as a recorded CONNECT.
OFFLINE_ENV = {
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_BUG_COMMAND": "1",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DO_NOT_TRACK": "1",
    "NO_PROXY": "127.0.0.1,localhost",
}
DUMMY_KEY = "sk-ant-conformance-dummy-key"  # never a real key: the server on 127.0.0.1 accepts anything
BUILTIN_AGENTS = {"claude", "Explore", "general-purpose", "Plan", "statusline-setup"}
SPAWN_PROMPT = "conformance probe: reply with ok"
# Lines that come and go with timing, not with the case: "transcript appends in …/subagents that waited for
# this answer are flushed" is written only when the transcript writer loses a race with the spawn.
NOISE = ("Watching for changes", "[Stall]", "[updateAgentMetadata]", "agentId=", "transcript appends")
PROMPT_TAIL = "\n\nMessages from the agent that launched you"
CLAUDE_MD_MARKER = "CONFORMANCE-CLAUDE-MD"
HELPER_MARKER = "CONFORMANCE-HELPER-SKILL"
# A skill or command case runs as `/probe ARGX`; every case body holds `Probe body: $ARGUMENTS.`, so the
# expansion (with the arguments put in) is the line that starts with the marker.
SKILL_PROMPT = "/probe ARGX"
SKILL_LISTING = "The following skills are available for use with the Skill tool:"
BODY_MARKER = re.compile(r"^Probe body:.*$", re.M)
COMMAND_TAG = "<command-name>/probe</command-name>"


def pinned_version() -> str:
    return PINNED.read_text(encoding="utf-8").strip()


def binary_path(version: str) -> Path:
    return CACHE / version / "node_modules" / "@anthropic-ai" / "claude-code-linux-x64" / "claude"


def install(version: str) -> Path:
    """The binary of `version`, installed from the npm registry into the cache on first use."""
    binary = binary_path(version)
    if binary.exists():
        return binary
    folder = CACHE / version
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(folder), f"{PACKAGE}@{version}"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    if not binary.exists():
        raise SystemExit(f"npm installed {PACKAGE}@{version} but {binary} is missing (not linux-x64?)")
    return binary


def case_files(only: list[str] | None = None) -> list[Path]:
    files = sorted(p for p in CASES.rglob("*.md"))
    if only:
        files = [p for p in files if case_id(p) in only]
    return files


def case_id(path: Path) -> str:
    """`agents/effort-int` for tests/conformance/cases/agents/effort-int.md."""
    return path.relative_to(CASES).with_suffix("").as_posix()


def project_path(path: Path) -> str:
    """Where a case file stands in the temporary project: a skill or command is always `/probe`."""
    kind = path.relative_to(CASES).parts[0]
    if kind == "skills":
        return ".claude/skills/probe/SKILL.md"
    if kind == "commands":
        return ".claude/commands/probe.md"
    return f".claude/{kind}/{path.name}"


def case_kind(path: Path) -> str:
    return path.relative_to(CASES).parts[0]


def run_case(
    binary: Path, api: RecordingApi, path: Path | None, baseline: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Run Claude Code once with this case file in a fresh project; what it did with the file.

    An agent case runs `claude -p probe` and spawns the agent; a skill or command case (or `path=None`, the
    empty project that gives the built-in skills' names) runs `claude -p "/probe ARGX"`.
    """
    kind = case_kind(path) if path is not None else "skills"
    with tempfile.TemporaryDirectory(prefix="agent-lsp-conf-") as scratch:
        base = Path(scratch)
        home, project, tmp = base / "home", base / "project", base / "tmp"
        for folder in (home, project, tmp):
            folder.mkdir()
        target = project / (project_path(path) if path is not None else ".claude/skills/probe/SKILL.md")
        if path is not None:
            target.parent.mkdir(parents=True)
            shutil.copyfile(path, target)  # bytes as checked in: CRLF and BOM cases stay as they are
        if kind == "agents":
            # A CLAUDE.md and one project skill, each with a marker, so the subagent's request shows whether
            # `omitClaudeMd` left the memory out and which `skills` it preloaded.
            (project / "CLAUDE.md").write_text(f"{CLAUDE_MD_MARKER} project memory\n", encoding="utf-8")
            helper = project / ".claude" / "skills" / "helper" / "SKILL.md"
            helper.parent.mkdir(parents=True)
            helper.write_text(f"---\ndescription: Helper skill\n---\n{HELPER_MARKER} body\n", encoding="utf-8")
        # A git repository, as most projects are: `isolation: worktree` needs one to spawn at all.
        git = ["git", "-C", str(project), "-c", "user.name=conformance", "-c", "user.email=conformance@invalid"]
        subprocess.run(["git", "init", "-q", str(project)], check=True)
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "start"], check=True)
        log = base / "debug.log"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "TMPDIR": str(tmp),
            "ANTHROPIC_BASE_URL": api.url,
            "ANTHROPIC_API_KEY": DUMMY_KEY,
            "HTTPS_PROXY": api.url,
            "HTTP_PROXY": api.url,
            **OFFLINE_ENV,
        }
        api.reset("*" if kind == "agents" else None)
        api.builtin_agents = BUILTIN_AGENTS
        api.spawn_prompt = SPAWN_PROMPT
        started = time.monotonic()
        prompt = "probe" if kind == "agents" else SKILL_PROMPT
        command = [str(binary), "-p", prompt, "--debug-file", str(log), "--allowedTools", "Agent"]
        done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
        log_text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        requests = api.requests
        if kind != "agents" and not any(SKILL_LISTING in request_text(r["body"] or {}) for r in requests):
            # `/probe` was refused before any request (user-invocable: false): a plain prompt shows the listing.
            api.reset(None)
            command[2] = "probe"
            subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
            requests = [*requests, *api.requests]
        seconds = time.monotonic() - started
        if kind == "agents":
            record = summarise(requests, log_text, str(target), str(base))
        else:
            record = summarise_skill(requests, log_text, target, str(base), done.stdout, baseline)
        record["exit"] = done.returncode
        record["_seconds"] = round(seconds, 2)
        return record


def _log_lines(log_text: str, target: str, base: str) -> list[str]:
    """The debug log's lines about the case file or the spawn, paths and timestamps taken out."""
    keep: list[str] = []
    for raw in log_text.splitlines():
        line = re.sub(r"^\S+Z ", "", raw)
        about_file = target in line
        about_spawn = (
            "Agent tool error" in line
            or "zero tools" in line
            or "[remote agent]" in line
            or ("subagent" in line.lower() and "attribution header" not in line)
        )
        if not (about_file or about_spawn) or any(noise in line for noise in NOISE):
            continue
        keep.append(line.replace(target, "<file>").replace(base, "<tmp>"))
    return keep


def summarise(requests: list[dict[str, Any]], log_text: str, target: str, base: str) -> dict[str, Any]:
    bodies = [r["body"] for r in requests if isinstance(r["body"], dict) and r["path"].startswith("/v1/messages")]
    foreign = [f"{r['method']} {r['path']}" for r in requests if not r["path"].startswith("/v1/messages")]
    main = next((b for b in bodies if "Available agent types" in request_text(b)), None)
    listed = {name: rest for name, rest in listing_entries(request_text(main))} if main else {}
    custom = {name: rest for name, rest in listed.items() if name not in BUILTIN_AGENTS}
    record: dict[str, Any] = {"loaded": bool(custom), "log": _log_lines(log_text, target, base)}
    if foreign:
        record["foreign_requests"] = foreign
    if not custom:
        return record
    name, rest = next(iter(custom.items()))
    match = re.fullmatch(r"(.*) \(Tools: (.*)\)", rest, re.S)
    record["name"] = name
    record["description"] = match.group(1) if match else rest
    record["listed_tools"] = match.group(2) if match else None
    sub = next((b for b in bodies if "cc_is_subagent=true" in system_text(b)), None)
    if sub is None:
        record["spawn"] = {"outcome": "refused", "reason": _refusal(bodies)}
        return record
    prompt = system_text(sub)
    intro = "You are a Claude agent, built on Anthropic's Claude Agent SDK.\n"
    if intro in prompt:
        prompt = prompt.split(intro, 1)[1]
    prompt = prompt.split(PROMPT_TAIL, 1)[0]
    # The temporary folders and worktree ids differ on every run.
    prompt = re.sub(r"agent-[0-9a-f]{12,}", "agent-<id>", prompt.replace(base, "<tmp>"))
    record["spawn"] = {
        "outcome": "spawned",
        "model": sub.get("model"),
        "tools": sorted(t.get("name") for t in sub.get("tools", []) or [] if isinstance(t, dict)),
        "effort": (sub.get("output_config") or {}).get("effort"),
        "thinking": (sub.get("thinking") or {}).get("type"),
        "prompt": prompt,
        # Seen nowhere else: the project's CLAUDE.md in the messages (`omitClaudeMd`), the project skill
        # `helper` preloaded (`skills`), the prompt cache's lifetime (`experimental.cacheTtl`).
        "claude_md": CLAUDE_MD_MARKER in request_text(sub),
        "skills_preloaded": ["helper"] if HELPER_MARKER in request_text(sub) else [],
        "cache_ttl": _cache_ttl(sub),
    }
    return record


def skill_listing(text: str) -> list[tuple[str, str]]:
    """(name, description) of each entry of the "skills are available" listing (a description may run on)."""
    start = text.find(SKILL_LISTING)
    if start < 0:
        return []
    entries: list[tuple[str, str]] = []
    for line in text[start + len(SKILL_LISTING) :].lstrip("\n").split("\n"):
        if not line.strip():
            break
        if line.startswith("- ") and ": " in line:
            name, _, rest = line[2:].partition(": ")
            entries.append((name, rest))
        elif line.startswith("- "):
            entries.append((line[2:], ""))
        elif entries:
            entries[-1] = (entries[-1][0], entries[-1][1] + "\n" + line)
    return entries


def summarise_skill(
    requests: list[dict[str, Any]], log_text: str, target: Path, base: str, stdout: str, baseline: frozenset[str]
) -> dict[str, Any]:
    """What `/probe ARGX` showed: the listing entry Claude sees, and whether and how the body was expanded."""
    bodies = [r["body"] for r in requests if isinstance(r["body"], dict) and r["path"].startswith("/v1/messages")]
    foreign = [f"{r['method']} {r['path']}" for r in requests if not r["path"].startswith("/v1/messages")]
    first = next((b for b in bodies if SKILL_LISTING in request_text(b)), None)
    entries = skill_listing(request_text(first)) if first else []
    ours = [(name, rest) for name, rest in entries if name not in baseline]
    # A skill's log lines may name its folder rather than SKILL.md: both are kept, as <file> and <folder>.
    folder = str(target.parent)
    marked = log_text.replace(str(target), "<file>")
    if target.name == "SKILL.md":
        marked = re.sub(re.escape(folder) + r"(?![\w.-])", "<folder>", marked)
    lines = [
        re.sub(r"^\S+Z ", "", raw).replace(base, "<tmp>")
        for raw in marked.splitlines()
        if ("<file>" in raw or "<folder>" in raw) and not any(noise in raw for noise in NOISE)
    ]
    record: dict[str, Any] = {"listed": bool(ours), "log": lines}
    if foreign:
        record["foreign_requests"] = foreign
    if ours:
        record["listed_name"], record["listed_description"] = ours[0]
        if len(ours) > 1:
            record["listed_more"] = [name for name, _ in ours[1:]]
    for body in bodies:
        text = request_text(body) + "\n" + system_text(body)
        found = BODY_MARKER.findall(text)
        if found or COMMAND_TAG in text:
            record["invoked"] = {
                "outcome": "expanded" if COMMAND_TAG in text else "forked",
                "body": found[-1] if found else None,
                "model": body.get("model"),
                "effort": (body.get("output_config") or {}).get("effort"),
                "tools": sorted(t.get("name") for t in body.get("tools", []) or [] if isinstance(t, dict)),
            }
            break
    else:
        record["invoked"] = {"outcome": "not-run", "said": stdout.strip()[:300]}
    return record


def baseline_skills(binary: Path, api: RecordingApi) -> frozenset[str]:
    """The names in the skill listing of a project with no skill or command: the built-in ones."""
    record = run_case(binary, api, None)
    return frozenset([record["listed_name"], *record.get("listed_more", [])]) if record.get("listed") else frozenset()


def _cache_ttl(body: dict[str, Any]) -> str | None:
    """The `ttl` of the request's prompt-cache breakpoints (None: the default five minutes)."""
    system = body.get("system")
    for block in system if isinstance(system, list) else []:
        control = block.get("cache_control") if isinstance(block, dict) else None
        if isinstance(control, dict) and control.get("ttl"):
            return str(control["ttl"])
    return None


def _refusal(bodies: list[dict[str, Any]]) -> str | None:
    """Why the spawn failed: the task notification's summary, or the `Agent` tool result when it errored."""
    for body in reversed(bodies):
        text = request_text(body)
        found = re.search(r"<status>failed</status>\s*<summary>(.*?)</summary>", text, re.S)
        if found:
            return found.group(1)
        for message in body.get("messages", []) or []:
            content = message.get("content")
            for block in content if isinstance(content, list) else []:
                if isinstance(block, dict) and block.get("type") == "tool_result" and block.get("is_error"):
                    inner = block.get("content")
                    if isinstance(inner, list):
                        inner = "".join(str(b.get("text", "")) for b in inner if isinstance(b, dict))
                    return str(inner)[:400]
    return None


def verdict(record: dict[str, Any]) -> str:
    """One word per case: skipped, refused, loaded (a skill or command: listed/unlisted + run/not-run)."""
    if "listed" in record:
        listed = "listed" if record["listed"] else "unlisted"
        return f"{listed}+{record.get('invoked', {}).get('outcome')}"
    if not record.get("loaded"):
        return "skipped"
    if record.get("spawn", {}).get("outcome") != "spawned":
        return "refused"
    return "loaded"


def record_all(version: str, only: list[str] | None, workers: int) -> dict[str, dict[str, Any]]:
    binary = install(version)
    files = case_files(only)
    local = threading.local()
    servers: list[RecordingApi] = []
    lock = threading.Lock()

    def one(path: Path) -> tuple[str, dict[str, Any]]:
        api = getattr(local, "api", None)
        if api is None:
            api = local.api = RecordingApi().start()
            with lock:
                servers.append(api)
        return case_id(path), run_case(binary, api, path, baseline)

    baseline: frozenset[str] = frozenset()
    if any(case_kind(p) != "agents" for p in files):
        first = RecordingApi().start()
        try:
            baseline = baseline_skills(binary, first)
        finally:
            first.stop()

    try:
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            results = dict(pool.map(one, files))
    finally:
        for api in servers:
            api.stop()
    return dict(sorted(results.items()))


def bump(version: str) -> None:
    """Pin `version`: PINNED_VERSION and the version the schemas say they were verified against."""
    PINNED.write_text(version + "\n", encoding="utf-8")
    for kind in ("agent", "skill", "command"):
        path = ROOT / "schemas" / f"{kind}.schema.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        schema.setdefault("x-agent-lsp", {})["verifiedClaudeCode"] = version
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"pinned Claude Code {version}", file=sys.stderr)


def strip_volatile(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true", help="rewrite truth.json and print moved verdicts")
    parser.add_argument("--case", nargs="*", help="only these case ids (e.g. agents/effort-int)")
    parser.add_argument("--version", default=None, help="Claude Code version (default: the pinned one)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--every", type=int, default=1, help="only every N-th case (a quicker check, as in CI)")
    parser.add_argument("--install-only", action="store_true", help="install the binary and exit (1 if npm fails)")
    args = parser.parse_args(argv)
    version = args.version or pinned_version()
    if args.install_only:
        try:
            print(install(version))
        except (OSError, subprocess.CalledProcessError, SystemExit) as error:
            print(f"cannot install {PACKAGE}@{version}: {error}", file=sys.stderr)
            return 1
        return 0
    only = args.case
    if args.every > 1 and not only:
        only = [case_id(p) for p in case_files()][:: args.every]
    started = time.monotonic()
    results = record_all(version, only, args.workers)
    elapsed = time.monotonic() - started
    foreign = {cid: r["foreign_requests"] for cid, r in results.items() if r.get("foreign_requests")}
    print(f"{len(results)} cases against Claude Code {version} in {elapsed:.1f} s", file=sys.stderr)
    if foreign:
        print(f"requests to anything but the Messages API: {foreign}", file=sys.stderr)
    if args.case and not args.record:
        print(json.dumps(results, indent=1, ensure_ascii=False))
        return 0
    old = json.loads(TRUTH.read_text(encoding="utf-8")) if TRUTH.exists() else {"cases": {}}
    old_cases: dict[str, dict[str, Any]] = old.get("cases", {})
    moved = [
        f"{cid}: {verdict(old_cases[cid]) if cid in old_cases else 'new'} -> {verdict(r)}"
        for cid, r in results.items()
        if cid not in old_cases or verdict(old_cases[cid]) != verdict(r)
    ]
    changed = [cid for cid, r in results.items() if strip_volatile(r) != old_cases.get(cid)]
    for line in moved:
        print(line)
    if args.record:
        if version != pinned_version() and not only:
            bump(version)
        merged = dict(old_cases) if only else {}
        merged.update({cid: strip_volatile(r) for cid, r in results.items()})
        truth = {"claude_code_version": version, "cases": dict(sorted(merged.items()))}
        TRUTH.write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {TRUTH.relative_to(ROOT)}: {len(changed)} case(s) changed", file=sys.stderr)
        return 0
    if old.get("claude_code_version") != version:
        print(f"truth.json was recorded with {old.get('claude_code_version')}, not {version}", file=sys.stderr)
    for cid in changed:
        now = json.dumps(strip_volatile(results[cid]))
        print(f"differs: {cid}\n  recorded: {json.dumps(old_cases.get(cid))}\n  now: {now}")
    return 1 if changed or foreign else 0


if __name__ == "__main__":
    sys.exit(main())

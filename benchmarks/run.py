#!/usr/bin/env python3
"""agent-lsp's benchmark: the server as an editor drives it, side by side with its peers.

    python benchmarks/run.py            # full run (a few minutes on 2 cores), writes docs/performance.md
    python benchmarks/run.py --quick    # fewer repetitions, for a smoke test (does not write the report)

It installs the peers on first use (`npm ci` in benchmarks/ for yaml-language-server 2.0.0, a venv in
benchmarks/.venv for agnix), generates its documents under benchmarks/work/, starts every server as a
separate process over stdio and speaks raw JSON-RPC to it (benchmarks/lsp_client.py). No network is used
except by those installs. Every process it starts is ended when it finishes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import profile_startup  # noqa: E402
from lsp_client import LspClient  # noqa: E402

WORK = HERE / "work"  # not a dot-folder: yaml-language-server's schema globs skip those
SCHEMA = ROOT / "schemas" / "agent.schema.json"
YAMLLS = HERE / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
AGNIX_VENV = HERE / ".venv"
HOME = WORK / "home"  # an empty home folder for every server
DOCS = ("typical", "big-body", "long-frontmatter")


# ---- setup -------------------------------------------------------------------------
def ensure_peers(python: str) -> dict[str, str]:
    if not YAMLLS.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=600)
    agnix = AGNIX_VENV / "bin" / "agnix"
    if not agnix.exists():
        subprocess.run([sys.executable, "-m", "venv", str(AGNIX_VENV)], check=True, timeout=300)
        subprocess.run(
            [str(AGNIX_VENV / "bin" / "pip"), "install", "-q", "-r", str(HERE / "requirements-peers.txt")],
            check=True,
            timeout=600,
        )
    return {"yamlls": str(YAMLLS), "agnix": str(agnix), "node": shutil.which("node") or "node"}


def write_documents() -> dict[str, dict[str, Path]]:
    agents = WORK / "project" / ".claude" / "agents"
    yamls = WORK / "yaml"
    many = WORK / "many" / ".claude" / "agents"
    for folder in (agents, yamls, many, HOME):
        folder.mkdir(parents=True, exist_ok=True)
    texts = {
        "typical": corpus.typical("typical"),
        "big-body": corpus.big_body().replace("name: code-reviewer", "name: big-body", 1),
        "long-frontmatter": corpus.long_frontmatter().replace("name: platform-operator", "name: long-frontmatter", 1),
    }
    out: dict[str, dict[str, Path]] = {}
    for name, text in texts.items():
        md = agents / f"{name}.md"
        md.write_text(text, encoding="utf-8")
        ym = yamls / f"{name}.yaml"
        ym.write_text(corpus.frontmatter_yaml(text), encoding="utf-8")
        out[name] = {"md": md, "yaml": ym}
    for i in range(50):
        (many / f"agent-{i:02d}.md").write_text(corpus.typical(f"agent-{i:02d}"), encoding="utf-8")
    corpus.check_folder(WORK / "check", 2000)
    return out


def compile_bytecode(python: str) -> None:
    """Write agent-lsp's bytecode, as pip does when it installs the wheel. An editable install
    under PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module from source at each
    start (~80 ms here), which no installed copy does."""
    code = "import agent_lsp, os; print(os.path.dirname(agent_lsp.__file__))"
    package = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", package], check=True, timeout=300)


# ---- statistics ----------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50": pct(ms, 0.5), "p99": pct(ms, 0.99), "max": max(ms) if ms else float("nan")}


# ---- one server session --------------------------------------------------------------
class Server:
    """How to start one language server and what its documents look like to it."""

    def __init__(self, name: str, argv: list[str], kind: str, settings: dict[str, Any] | None = None) -> None:
        self.name, self.argv, self.kind, self.settings = name, argv, kind, settings or {}
        # The workspace folder the client opens. yaml-language-server maps its schema by globs under
        # WORK; agent-lsp indexes the agents of its workspace, so it is given the project the
        # documents belong to (`root` is changed per measurement, see main()).
        self.root = WORK

    def spawn(self) -> LspClient:
        env = dict(os.environ)
        env.pop("ANTHROPIC_API_KEY", None)
        env["HOME"] = str(HOME)  # no ~/.claude of the machine's user in the index
        return LspClient(
            self.argv,
            cwd=str(WORK),
            env=env,
            configuration=lambda item: self.settings.get(item.get("section", ""), None),
            stderr_path=str(WORK / f"{self.name}.stderr.log"),
        )

    def initialize(self, client: LspClient) -> tuple[dict[str, Any], float]:
        params = {
            "processId": os.getpid(),
            "clientInfo": {"name": "agent-lsp-bench"},
            "rootUri": self.root.as_uri(),
            "workspaceFolders": [{"uri": self.root.as_uri(), "name": self.root.name}],
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {
                    "synchronization": {"didSave": True},
                    # What VS Code declares: docs may be fetched with completionItem/resolve.
                    "completion": {
                        "completionItem": {
                            "snippetSupport": True,
                            "documentationFormat": ["markdown"],
                            "resolveSupport": {"properties": ["documentation", "detail", "additionalTextEdits"]},
                        },
                        "completionList": {
                            "itemDefaults": [
                                "commitCharacters",
                                "editRange",
                                "insertTextFormat",
                                "insertTextMode",
                                "data",
                            ]
                        },
                    },
                    "hover": {"contentFormat": ["markdown", "plaintext"]},
                    "codeAction": {
                        "codeActionLiteralSupport": {
                            "codeActionKind": {"valueSet": ["quickfix", "source", "source.fixAll", "refactor"]}
                        }
                    },
                    "publishDiagnostics": {"versionSupport": True},
                },
                "workspace": {"workspaceFolders": True},
            },
            "initializationOptions": {},
        }
        result, _ = client.request("initialize", params, timeout=60)
        elapsed = time.perf_counter() - client.spawned_at
        client.notify("initialized", {})
        if self.kind == "yaml":
            client.notify("workspace/didChangeConfiguration", {"settings": self.settings})
        return result, elapsed


def yaml_settings() -> dict[str, Any]:
    return {
        "yaml": {
            "validate": True,
            "hover": True,
            "completion": True,
            "format": {"enable": False},
            "schemaStore": {"enable": False},  # no catalogue download
            "schemas": {SCHEMA.as_uri(): ["*.yaml"]},
        }
    }


def sync_kind(capabilities: dict[str, Any]) -> int:
    sync = capabilities.get("textDocumentSync", 1)
    return sync.get("change", 1) if isinstance(sync, dict) else int(sync)


def line_of(text: str, prefix: str) -> int:
    for n, line in enumerate(text.split("\n")):
        if line.startswith(prefix):
            return n
    raise KeyError(prefix)


def measure_document(server: Server, path: Path, iterations: int, diag_iterations: int) -> dict[str, Any]:
    """Open one document, then time completion, hover, codeAction and didChange -> diagnostics."""
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    language = "yaml" if server.kind == "yaml" else "markdown"
    out: dict[str, Any] = {}
    client = server.spawn()
    try:
        init, _ = server.initialize(client)
        caps = init.get("capabilities", {})
        if server.kind == "yaml":
            client.drain(0.5)  # let it take the configuration in
        rss_before = client.rss_kb()
        sent = client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}
        )
        at, first = client.wait_for(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri, timeout=60
        )
        out["open_ms"] = (at - sent) * 1000
        out["open_diagnostics"] = len(first["params"]["diagnostics"])
        out["rss_kb_open"] = client.rss_kb()
        out["rss_kb_before_open"] = rss_before

        color_line = line_of(text, "color:")
        model_line = line_of(text, "model:")
        tools_line = line_of(text, "tools:")
        key_lines = [n for n, line in enumerate(text.split("\n")[: color_line + 3]) if re.match(r"[a-zA-Z]+:", line)]
        lines = text.split("\n")

        # Diagnostics after an edit: the colour flips between a valid and an invalid value.
        version = 1
        full = sync_kind(caps) == 1
        col = len("color: ")
        states = ["blux", lines[color_line][col:]]
        current = lines[color_line][col:]
        diag: list[float] = []
        counts: set[int] = set()
        for i in range(diag_iterations):
            new = states[i % 2]
            version += 1
            if full:
                lines[color_line] = "color: " + new
                change: dict[str, Any] = {"text": "\n".join(lines)}
            else:
                change = {
                    "range": {
                        "start": {"line": color_line, "character": col},
                        "end": {"line": color_line, "character": col + len(current)},
                    },
                    "text": new,
                }
            current = new
            client.notifications.clear()
            sent = client.notify(
                "textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}
            )
            at, msg = client.wait_for(
                lambda m, v=version: (
                    m.get("method") == "textDocument/publishDiagnostics"
                    and m["params"]["uri"] == uri
                    and m["params"].get("version") in (None, v)
                ),
                timeout=30,
            )
            diag.append(at - sent)
            counts.add(len(msg["params"]["diagnostics"]))
        out["diagnostics"] = summary(diag)
        out["diagnostic_counts"] = sorted(counts)
        out["sync"] = "full" if full else "incremental"
        # Leave the document in its invalid state so code actions have something to fix.
        if current != "blux":
            version += 1
            change = (
                {"text": "\n".join([*lines[:color_line], "color: blux", *lines[color_line + 1 :]])}
                if full
                else {
                    "range": {
                        "start": {"line": color_line, "character": col},
                        "end": {"line": color_line, "character": col + len(current)},
                    },
                    "text": "blux",
                }
            )
            client.notifications.clear()
            client.notify(
                "textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}
            )
            _, msg = client.wait_for(
                lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri, timeout=30
            )
        diagnostics_now = msg["params"]["diagnostics"]

        doc = {"uri": uri}
        if caps.get("completionProvider"):
            positions = [
                (model_line, len("model: ")),
                (color_line, len("color: ")),
                (model_line, 0),
                (tools_line, len("tools: ")),
            ]
            times, nonempty = [], 0
            resolve_times: list[float] = []
            with_docs = 0
            for i in range(iterations):
                line, character = positions[i % len(positions)]
                result, t = client.request(
                    "textDocument/completion",
                    {"textDocument": doc, "position": {"line": line, "character": character}},
                )
                times.append(t)
                items = result.get("items", []) if isinstance(result, dict) else (result or [])
                nonempty += bool(items)
                if items and caps["completionProvider"].get("resolveProvider"):
                    # The editor resolves the focused (first) item: that is where deferred docs arrive.
                    resolved, rt = client.request("completionItem/resolve", items[0])
                    resolve_times.append(rt)
                    with_docs += bool(resolved.get("documentation"))
            out["completion"] = summary(times) | {"answered": nonempty}
            out["resolve"] = summary(resolve_times) | {"with_docs": with_docs} if resolve_times else None
        else:
            out["completion"] = None
        if caps.get("hoverProvider"):
            times, nonempty = [], 0
            for i in range(iterations):
                line = key_lines[i % len(key_lines)]
                result, t = client.request(
                    "textDocument/hover", {"textDocument": doc, "position": {"line": line, "character": 1}}
                )
                times.append(t)
                nonempty += bool(result)
            out["hover"] = summary(times) | {"answered": nonempty}
        else:
            out["hover"] = None
        if caps.get("codeActionProvider"):
            times, nonempty = [], 0
            for i in range(iterations):
                rng = (
                    {"start": {"line": color_line, "character": col}, "end": {"line": color_line, "character": col + 4}}
                    if i % 2 == 0
                    else {"start": {"line": model_line, "character": 0}, "end": {"line": model_line, "character": 0}}
                )
                result, t = client.request(
                    "textDocument/codeAction",
                    {"textDocument": doc, "range": rng, "context": {"diagnostics": diagnostics_now}},
                )
                times.append(t)
                nonempty += bool(result)
            out["codeAction"] = summary(times) | {"answered": nonempty}
        else:
            out["codeAction"] = None
        out["rss_kb_end"] = client.rss_kb()
    finally:
        client.close()
    return out


def write_plugin_manifest() -> Path:
    """The 2,000-line plugin manifest (benchmarks/corpus.py), in a plugin folder of the project."""
    path = WORK / "project" / "platform-suite" / ".claude-plugin" / "plugin.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(corpus.plugin_manifest(2000), encoding="utf-8")
    return path


def measure_json_document(server: Server, path: Path, diag_iterations: int, iterations: int) -> dict[str, Any]:
    """Open a JSON file (languageId `json`), then time didChange -> diagnostics while one value flips
    between valid and invalid (`"timeout": 30000` and `"timeout": "30000"`), and hover on keys."""
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    out: dict[str, Any] = {"lines": text.count("\n")}
    client = server.spawn()
    try:
        server.initialize(client)
        sent = client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}}
        )
        at, first = client.wait_for(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri, timeout=60
        )
        out["open_ms"] = (at - sent) * 1000
        out["open_diagnostics"] = len(first["params"]["diagnostics"])
        lines = text.split("\n")
        line = next(n for n, content in enumerate(lines) if content.strip().startswith('"timeout": 30000'))
        col = lines[line].index("30000")
        states, current = ['"30000"', "30000"], "30000"
        diag: list[float] = []
        counts: set[int] = set()
        for i in range(diag_iterations):
            new = states[i % 2]
            change = {
                "range": {
                    "start": {"line": line, "character": col},
                    "end": {"line": line, "character": col + len(current)},
                },
                "text": new,
            }
            current = new
            client.notifications.clear()
            sent = client.notify(
                "textDocument/didChange", {"textDocument": {"uri": uri, "version": i + 2}, "contentChanges": [change]}
            )
            at, msg = client.wait_for(
                lambda m, v=i + 2: (
                    m.get("method") == "textDocument/publishDiagnostics"
                    and m["params"]["uri"] == uri
                    and m["params"].get("version") in (None, v)
                ),
                timeout=30,
            )
            diag.append(at - sent)
            counts.add(len(msg["params"]["diagnostics"]))
        out["diagnostics"] = summary(diag)
        out["diagnostic_counts"] = sorted(counts)
        times, answered = [], 0
        key_lines = [n for n, content in enumerate(lines) if content.strip().startswith('"')][:200]
        for i in range(iterations):
            n = key_lines[i % len(key_lines)]
            character = len(lines[n]) - len(lines[n].lstrip()) + 2
            result, t = client.request(
                "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": n, "character": character}}
            )
            times.append(t)
            answered += bool(result)
        out["hover"] = summary(times) | {"answered": answered}
    finally:
        client.close()
    return out


def write_memory_project(imports: int = 50) -> Path:
    """A git project whose CLAUDE.md imports `imports` files (each importing one more, so chains are followed)."""
    root = WORK / "memory-project"
    (root / ".git").mkdir(parents=True, exist_ok=True)
    docs = root / "docs"
    docs.mkdir(exist_ok=True)
    lines = ["# Project", "", "Conventions, one file per topic:", ""]
    for i in range(imports):
        (docs / f"topic-{i:02d}.md").write_text(f"# Topic {i}\n\nSee @detail-{i:02d}.md.\n", encoding="utf-8")
        (docs / f"detail-{i:02d}.md").write_text(f"Details of topic {i}.\n", encoding="utf-8")
        lines.append(f"- topic {i}: @docs/topic-{i:02d}.md")
    lines += ["", "Keep `@docs/topic-00.md` short.", ""]
    path = root / "CLAUDE.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def measure_memory(server: Server, iterations: int) -> dict[str, Any]:
    """didChange -> diagnostics on a CLAUDE.md with 50 imports: one import flips between a file and no file,
    so every edit finds, resolves and follows all fifty imports again."""
    path = write_memory_project()
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    server.root = path.parent
    client = server.spawn()
    out: dict[str, Any] = {"imports": text.count("@docs/") - 1, "lines": text.count("\n")}
    try:
        server.initialize(client)
        sent = client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}
        )
        at, first = client.wait_for(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri, timeout=60
        )
        out["open_ms"] = (at - sent) * 1000
        out["open_diagnostics"] = len(first["params"]["diagnostics"])
        line = line_of(text, "- topic 25:")
        col = len("- topic 25: @docs/topic-")
        states = ["xx", "25"]
        times: list[float] = []
        counts: set[int] = set()
        for i in range(iterations):
            change = {
                "range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 2}},
                "text": states[i % 2],
            }
            client.notifications.clear()
            sent = client.notify(
                "textDocument/didChange", {"textDocument": {"uri": uri, "version": i + 2}, "contentChanges": [change]}
            )
            at, msg = client.wait_for(
                lambda m, v=i + 2: (
                    m.get("method") == "textDocument/publishDiagnostics"
                    and m["params"]["uri"] == uri
                    and m["params"].get("version") in (None, v)
                ),
                timeout=30,
            )
            times.append(at - sent)
            counts.add(len(msg["params"]["diagnostics"]))
        out["diagnostics"] = summary(times)
        out["diagnostic_counts"] = sorted(counts)
    finally:
        client.close()
    return out


def measure_cold_start(server: Server, repeats: int, first_doc: Path | None = None) -> dict[str, Any]:
    """spawn -> `initialize` result; with `first_doc`, also spawn -> the first diagnostics of that
    document, opened right after `initialized` (what a user waits for when opening a file)."""
    times, rss, first = [], [], []
    for _ in range(repeats):
        client = server.spawn()
        try:
            _, elapsed = server.initialize(client)
            times.append(elapsed)
            rss.append(client.rss_kb())
            if first_doc is not None:
                uri = first_doc.as_uri()
                language = "yaml" if server.kind == "yaml" else "markdown"
                client.notify(
                    "textDocument/didOpen",
                    {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": first_doc.read_text()}},
                )
                at, _ = client.wait_for(
                    lambda m, u=uri: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == u,
                    timeout=60,
                )
                first.append(at - client.spawned_at)
        finally:
            client.close()
    out = summary(times) | {"min": min(times) * 1000, "rss_kb_idle": statistics.median(rss)}
    if first:
        out["first_diagnostics"] = summary(first)
    return out


def measure_rss_50(server: Server, paths: list[Path]) -> dict[str, Any]:
    client = server.spawn()
    try:
        server.initialize(client)
        if server.kind == "yaml":
            client.drain(0.5)
        opened = set()
        for path in paths:
            uri = path.as_uri()
            opened.add(uri)
            client.notify(
                "textDocument/didOpen",
                {
                    "textDocument": {
                        "uri": uri,
                        "languageId": "yaml" if server.kind == "yaml" else "markdown",
                        "version": 1,
                        "text": path.read_text(encoding="utf-8"),
                    }
                },
            )
        seen: set[str] = set()
        while seen != opened:
            _, msg = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics", timeout=60)
            seen.add(msg["params"]["uri"])
        client.drain(0.3)
        return {"rss_kb": client.rss_kb(), "files": len(paths)}
    finally:
        client.close()


def measure_memory_stages(python: str, ours: Server, paths: list[Path]) -> dict[str, float]:
    """RSS (MB) of one fresh process per stage, from the bare pygls floor to agent-lsp with 50 files
    open: where the memory of the RSS row goes."""
    stages: dict[str, float] = {}

    def idle_rss(server: Server, settle: float) -> float:
        client = server.spawn()
        try:
            server.initialize(client)
            client.drain(settle)  # agent-lsp's warm-up runs right after `initialize`
            return client.rss_kb() / 1024
        finally:
            client.close()

    bare = Server("bare-pygls", [python, str(HERE / "bare_pygls.py")], "agent")
    stack = Server("bare-pygls-stack", [python, str(HERE / "bare_pygls.py"), "jsonschema", "yaml"], "agent")
    stages["bare pygls server, after `initialize`"] = idle_rss(bare, 1.0)
    stages["the same, with jsonschema and PyYAML imported (agent-lsp's validation stack)"] = idle_rss(stack, 1.0)
    client = ours.spawn()
    try:
        ours.initialize(client)
        stages["agent-lsp, right after `initialize` (before its warm-up)"] = client.rss_kb() / 1024
        client.drain(1.5)
        stages["agent-lsp, warm-up done (features imported, converters written), no document"] = client.rss_kb() / 1024
    finally:
        client.close()
    stages[f"agent-lsp, {len(paths)} agent files open (the RSS row)"] = measure_rss_50(ours, paths)["rss_kb"] / 1024
    return stages


# ---- the CLI -------------------------------------------------------------------------
def time_command(argv: list[str], repeats: int, cwd: Path) -> dict[str, Any]:
    times = []
    last = None
    for _ in range(repeats):
        start = time.perf_counter()
        last = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600)
        times.append(time.perf_counter() - start)
    assert last is not None
    tail = (last.stdout.strip().splitlines() or [""])[-1][:200]
    return summary(times) | {"min": min(times) * 1000, "exit": last.returncode, "tail": tail}


# ---- yaml-language-server's validation without its debounce ----------------------------
def yamlls_validation(node: str, iterations: int) -> dict[str, Any] | None:
    script = HERE / "yamlls_validate.mjs"
    out: dict[str, Any] = {}
    for name in DOCS:
        proc = subprocess.run(
            [node, str(script), str(SCHEMA), str(WORK / "yaml" / f"{name}.yaml"), str(iterations)],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if proc.returncode != 0:
            out[name] = {"error": proc.stderr.strip()[-500:]}
            continue
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        out[name] = summary([t / 1000 for t in data["ms"]]) | {"diagnostics": data["diagnostics"]}
    return out


# ---- versions and machine -------------------------------------------------------------
def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        ram = f"{int(mem) / 1024 / 1024:.1f} GiB"
    except OSError:
        ram = "unknown"
    load = os.getloadavg()
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "os": platform.platform(),
        "load": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    }


def versions(python: str, peers: dict[str, str]) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, sys, yaml;"
        "print(sys.version.split()[0]);"
        "[print(m.version(p)) for p in ('agent-lsp','pygls','lsprotocol','PyYAML','jsonschema')];"
        "print(getattr(yaml, '__with_libyaml__', False))"
    )
    lines = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60).stdout.split()
    node = subprocess.run([peers["node"], "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    yamlls = json.loads((HERE / "node_modules" / "yaml-language-server" / "package.json").read_text())["version"]
    agnix = subprocess.run([peers["agnix"], "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    names = ["python", "agent-lsp", "pygls", "lsprotocol", "PyYAML", "jsonschema", "libyaml"]
    result = dict(zip(names, lines, strict=False))
    result |= {"node": node, "yaml-language-server": yamlls, "agnix": agnix}
    return result


# ---- report ----------------------------------------------------------------------------
def fmt(value: float | None, unit: str = "ms") -> str:
    if value is None or value != value:
        return "n/a"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.0f} ms"
    return f"{value:.1f} {unit}"


def ratio(ours: float | None, theirs: float | None) -> str:
    if not ours or not theirs or ours != ours or theirs != theirs:
        return "n/a"
    return f"{ours / theirs:.3f}×"


def build_table(results: dict[str, Any]) -> tuple[list[list[str]], list[tuple[str, str, str, bool | None]]]:
    rows: list[list[str]] = []
    targets: list[tuple[str, str, str, bool | None]] = []
    ours, peer = results["ours"], results["yamlls"]
    for doc in DOCS:
        for metric in ("completion", "hover", "codeAction", "diagnostics"):
            o, p = ours["docs"][doc].get(metric), peer["docs"][doc].get(metric)
            for q in ("p50", "p99"):
                ov = o[q] if o else None
                pv = p[q] if p else None
                label = "didChange → diagnostics" if metric == "diagnostics" else metric
                rows.append(
                    [
                        f"{label} {q}",
                        doc,
                        fmt(ov) if o else "not available",
                        fmt(pv) if p else "not available",
                        ratio(ov, pv),
                    ]
                )
        rv = ours["docs"][doc].get("resolve")
        if rv:
            rows.append(
                ["completionItem/resolve p50 / p99", doc, f"{fmt(rv['p50'])} / {fmt(rv['p99'])}", "not offered", ""]
            )
        vo = results.get("yamlls_validation", {}).get(doc) or {}
        if "p50" in vo:
            rows.append(["yaml-ls validation only, p50 / p99", doc, "—", f"{fmt(vo['p50'])} / {fmt(vo['p99'])}", ""])
    co, cp, cb = ours["cold_start"], peer["cold_start"], results.get("bare_pygls", {})
    rows.append(["cold start → initialize, p50", "—", fmt(co["p50"]), fmt(cp["p50"]), ratio(co["p50"], cp["p50"])])
    rows.append(["cold start → initialize, max", "—", fmt(co["max"]), fmt(cp["max"]), ratio(co["max"], cp["max"])])
    if cb:
        rows.append(
            ["cold start, bare pygls 2.1 server, p50 / max", "—", f"{fmt(cb['p50'])} / {fmt(cb['max'])}", "", ""]
        )
    fo, fp = co.get("first_diagnostics"), cp.get("first_diagnostics")
    if fo and fp:
        rows.append(
            ["spawn → first diagnostics of an opened file, p50", "typical", fmt(fo["p50"]), fmt(fp["p50"]),
             ratio(fo["p50"], fp["p50"])]
        )  # fmt: skip
    ro, rp = ours["rss50"]["rss_kb"] / 1024, peer["rss50"]["rss_kb"] / 1024
    rows.append(["RSS after opening 50 agent files", "—", fmt(ro, "MB"), fmt(rp, "MB"), ratio(ro, rp)])
    big = ours.get("rss50_big_workspace")
    if big:
        rb = big["rss_kb"] / 1024
        rows.append(["RSS, same 50 files, workspace of 2,053 agents", "—", fmt(rb, "MB"), fmt(rp, "MB"), ratio(rb, rp)])
    for doc in DOCS:
        rows.append(
            [
                "RSS with the document open",
                doc,
                fmt(ours["docs"][doc]["rss_kb_end"] / 1024, "MB"),
                fmt(peer["docs"][doc]["rss_kb_end"] / 1024, "MB"),
                ratio(ours["docs"][doc]["rss_kb_end"], peer["docs"][doc]["rss_kb_end"]),
            ]
        )
    ch, ag = results["check"], results["agnix"]
    rows.append(
        [
            "`check`, 2,000 files, median wall",
            "—",
            fmt(ch["p50"]),
            fmt(ag["p50"]) + " (agnix)",
            ratio(ch["p50"], ag["p50"]),
        ]
    )
    rows.append(
        [
            "`check`, 2,000 files, best wall",
            "—",
            fmt(ch["min"]),
            fmt(ag["min"]) + " (agnix)",
            ratio(ch["min"], ag["min"]),
        ]
    )

    def target(name: str, measured: float | None, limit: float, text: str) -> None:
        ok = None if measured is None or measured != measured else measured <= limit
        targets.append((name, text, "n/a" if ok is None else f"{measured:.3g}", ok))

    t = ours["docs"]["typical"]
    for metric, limit in (("completion", 1.0), ("hover", 1.0), ("codeAction", 3.0)):
        for doc in DOCS:
            m = ours["docs"][doc].get(metric)
            target(f"{metric} p99 ({doc})", m["p99"] if m else None, limit, f"≤ {limit:g} ms")
    target("didChange → diagnostics p99 (typical)", t["diagnostics"]["p99"], 5.0, "≤ 5 ms")
    target("didChange → diagnostics p99 (big-body)", ours["docs"]["big-body"]["diagnostics"]["p99"], 10.0, "≤ 10 ms")
    target(
        "didChange → diagnostics p99 (long-frontmatter)",
        ours["docs"]["long-frontmatter"]["diagnostics"]["p99"],
        5.0,
        "≤ 5 ms (as typical)",
    )
    if results.get("memory"):
        target(
            "didChange → diagnostics p99 (CLAUDE.md, 50 imports)",
            results["memory"]["diagnostics"]["p99"],
            5.0,
            "≤ 5 ms (as typical)",
        )
    manifest = ours.get("plugin_manifest")
    target(
        "didChange → diagnostics p99 (2,000-line plugin manifest)",
        manifest["diagnostics"]["p99"] if manifest else None,
        10.0,
        "≤ 10 ms (as big-body)",
    )
    target("cold start (p50)", co["p50"], 300.0, "≤ 300 ms")
    target("RSS after 50 files", ro, 45.0, "≤ 45 MB")
    for metric in ("completion", "hover"):
        o, p = t.get(metric), peer["docs"]["typical"].get(metric)
        target(f"{metric} p99 / yaml-ls (typical)", o["p99"] / p["p99"] if o and p else None, 0.5, "≤ 0.5×")
    for doc in DOCS:
        target(
            f"diagnostics p99 / yaml-ls ({doc})",
            ours["docs"][doc]["diagnostics"]["p99"] / peer["docs"][doc]["diagnostics"]["p99"],
            0.05,
            "≤ 0.05×",
        )
    target("RSS / yaml-ls (50 files)", ro / rp, 0.66, "≤ 0.66×")
    target("check / agnix (median wall)", ch["p50"] / ag["p50"], 1.0, "≤ 1.0×")
    return rows, targets


def write_report(results: dict[str, Any], path: Path) -> None:
    rows, targets = build_table(results)
    m, v = results["machine"], results["versions"]
    out = [
        "# Performance",
        "",
        "Run it with one command from the repository root (a few minutes on 2 cores"
        + (f"; this report used `--requests {results['iterations']}`" if results["iterations"] != 500 else "")
        + (f", and the run took {results['wall_seconds'] / 60:.1f} minutes" if "wall_seconds" in results else "")
        + "):",
        "",
        "```bash",
        "python benchmarks/run.py          # uses /tmp/venv/bin/python if present, else this Python; --python to choose",
        "```",
        "",
        "It installs the peers on first use (`npm ci` in `benchmarks/` for yaml-language-server 2.0.0, a venv in",
        "`benchmarks/.venv` for agnix), generates its documents under `benchmarks/work/`, starts each server as a",
        "separate process over stdio and speaks raw JSON-RPC to it (`benchmarks/lsp_client.py`: one thread writes a",
        "request and reads until its answer is parsed, so client overhead is inside every number). It rewrites",
        "this file; the analysis at the end comes from `benchmarks/analysis.md`.",
        "",
        f"Generated {time.strftime('%Y-%m-%d %H:%M')} on {m['cores']} cores, {m['cpu']}, {m['ram']} RAM, {m['os']};"
        f" load average at the end {m['load']} (a shared VM: see the noise note).",
        "",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
        "## What is measured",
        "",
        f"- Documents: `typical` (a {results['sizes']['typical']:,}-byte agent), `big-body` (the same frontmatter, a"
        f" {results['sizes']['big-body']:,}-byte file), `long-frontmatter` ({results['sizes']['long_lines']} frontmatter"
        " lines: 80 tools, hooks on five events, eight mcpServers). yaml-language-server gets the same frontmatter"
        " as a standalone `.yaml` file with `schemas/agent.schema.json` associated (schema store off).",
        f"- completion, hover, codeAction: {results['iterations']} requests each per document (completion cycles"
        " through a value of `model`, `color`, `tools` and a key position; hover through every top-level key;"
        " codeAction over the invalid `color` and over an empty range, with the published diagnostics).",
        f"- didChange → publishDiagnostics: {results['iterations']} incremental edits per document for agent-lsp"
        f" (`color: blue` ↔ `color: blux`), {results['peer_diag_iterations']} for yaml-language-server (each waits"
        " for its fixed 200 ms debounce). The time runs from writing the didChange to reading the matching"
        " publishDiagnostics. yaml-language-server's validation alone is timed by calling its `doValidation` in"
        " Node (`benchmarks/yamlls_validate.mjs`), since no request skips the debounce.",
        f"- cold start: spawn → `initialize` result, {results['cold_repeats']} times each; a bare pygls 2.1 server"
        " (`benchmarks/bare_pygls.py`) for reference. agent-lsp's bytecode is compiled first, as pip does when it"
        " installs the wheel. Because agent-lsp imports its parser, checks and features right *after* answering"
        " `initialize`, the same sessions also time spawn → the first diagnostics of the typical file opened right"
        " after `initialized`: what a user waits for.",
        "- Workspace: agent-lsp's client opens the folder of the documents (`work/project`, three agents; for RSS"
        " `work/many`, the 50 files), with an empty home folder, since agent-lsp indexes every agent of its"
        " workspace; yaml-language-server opens `work/` (its schema globs). One more RSS row opens `work/` itself,"
        " whose 2,000-file `check` tree then lands in agent-lsp's index.",
        "- RSS: `VmRSS` of the server process after opening 50 typical agent files and receiving their diagnostics"
        " (MB here are MiB: `VmRSS` kB / 1024).",
        f"- `check`: `agent-lsp check` on 2,000 generated agent files (`benchmarks/work/check`), {results['cli_repeats']}"
        " runs; agnix on the same folder.",
        "",
        "## Results",
        "",
        "| metric | document | agent-lsp | yaml-language-server / agnix | ratio |",
        "| --- | --- | --- | --- | --- |",
    ]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    out += [
        "",
        f"`check` output: {results['check']['tail']!s} (exit {results['check']['exit']});"
        f" agnix: {results['agnix']['tail']!s} (exit {results['agnix']['exit']}).",
        "",
        "## Targets (issue 6)",
        "",
        "| target | limit | measured | met |",
        "| --- | --- | --- | --- |",
    ]
    for name, limit, measured, ok in targets:
        out.append(f"| {name} | {limit} | {measured} | {'yes' if ok else 'no' if ok is not None else 'n/a'} |")
    profiles = results.get("startup_profile") or {}
    if profiles:
        out += [
            "",
            "## Start-up profile",
            "",
            "pyinstrument (0.5 ms interval) over one start of each server, from the first import to the `initialize`"
            " answer (`benchmarks/profile_startup.py`; the trees are in `benchmarks/work/profile-startup-*.txt`)."
            " Profiled times run above the unprofiled ones.",
            "",
            "| server | total | importing `lsprotocol.types` | of which attrs compiling its generated methods"
            " | everything else |",
            "| --- | --- | --- | --- | --- |",
        ]
        for name, p in profiles.items():
            out.append(
                f"| {name} | {fmt(p['total'] * 1000)} | {fmt(p['lsprotocol_types'] * 1000)} |"
                f" {fmt(p['attrs_compile'] * 1000)} | {fmt(p['rest'] * 1000)} |"
            )
    stages = results["ours"].get("memory_stages") or {}
    if stages:
        out += [
            "",
            "## Memory by stage",
            "",
            "RSS of a fresh process at each stage (one process per row, same client), from the bare pygls floor to"
            " the RSS row above:",
            "",
            "| stage | RSS |",
            "| --- | --- |",
        ]
        out += [f"| {name} | {fmt(mb, 'MB')} |" for name, mb in stages.items()]
    out += ["", "Raw numbers: `benchmarks/work/results.json`.", ""]
    analysis = HERE / "analysis.md"
    if analysis.exists():
        out += [analysis.read_text(encoding="utf-8").rstrip(), ""]
    path.write_text("\n".join(out), encoding="utf-8")


# ---- main ------------------------------------------------------------------------------
def run_manifest_only(python: str, iterations: int) -> int:
    """`--only-manifest`: agent-lsp on the 2,000-line plugin manifest, without the peers."""
    ours = Server("agent-lsp", [python, "-m", "agent_lsp"], "agent")
    ours.root = WORK / "project"
    HOME.mkdir(parents=True, exist_ok=True)
    path = write_plugin_manifest()
    found = measure_json_document(ours, path, iterations, iterations)
    d, h = found["diagnostics"], found["hover"]
    print(f"plugin manifest, {found['lines']} lines: open {found['open_ms']:.1f} ms")
    print(f"  diagnostics per version: {found['diagnostic_counts']}")
    print(f"  didChange -> diagnostics n={d['n']} p50 {d['p50']:.2f} p99 {d['p99']:.2f} max {d['max']:.2f} ms")
    print(f"  hover n={h['n']} p50 {h['p50']:.2f} p99 {h['p99']:.2f} ms ({h['answered']} answered)")
    verdict = "MET " if d["p99"] <= 10.0 else "MISS"
    print(f"{verdict} didChange → diagnostics p99 (2,000-line plugin manifest): {d['p99']:.3g} ms (≤ 10 ms)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_python = "/tmp/venv/bin/python" if Path("/tmp/venv/bin/python").exists() else sys.executable
    parser.add_argument("--python", default=default_python, help="the Python with agent-lsp installed")
    parser.add_argument("--quick", action="store_true", help="few repetitions; does not write the report")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--report", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--only", choices=["memory"], help="run one part only (prints its numbers, writes nothing)")
    parser.add_argument(
        "--only-manifest", action="store_true", help="only the 2,000-line plugin manifest (prints, writes nothing)"
    )
    args = parser.parse_args()
    if args.only_manifest:
        return run_manifest_only(args.python, 100 if args.quick else max(500, args.requests))
    if args.only == "memory":
        # The memory file, and the typical agent as a baseline measured under the same load.
        HOME.mkdir(parents=True, exist_ok=True)
        server = Server("agent-lsp", [args.python, "-m", "agent_lsp"], "agent")
        found = measure_memory(server, args.requests)
        typical = WORK / "project" / ".claude" / "agents" / "typical.md"
        typical.parent.mkdir(parents=True, exist_ok=True)
        typical.write_text(corpus.typical("typical"), encoding="utf-8")
        server.root = WORK / "project"
        baseline = measure_document(server, typical, 20, args.requests)["diagnostics"]
        print(json.dumps({"memory": found, "typical_agent_diagnostics": baseline}, indent=2))
        for name, m in (("CLAUDE.md, 50 imports", found["diagnostics"]), ("typical agent", baseline)):
            ok = "MET " if m["p99"] <= 5.0 else "MISS"
            print(f"{ok} didChange → diagnostics ({name}): p50 {m['p50']:.3g} ms, p99 {m['p99']:.3g} ms (p99 ≤ 5 ms)")
        return 0
    iterations = 50 if args.quick else max(500, args.requests)
    peer_diag = 10 if args.quick else 100
    cold = 3 if args.quick else 12
    cli_repeats = 1 if args.quick else 5

    peers = ensure_peers(args.python)
    docs = write_documents()
    compile_bytecode(args.python)
    bin_dir = Path(args.python).parent
    ours = Server("agent-lsp", [args.python, "-m", "agent_lsp"], "agent")
    yamlls = Server("yaml-language-server", [peers["node"], peers["yamlls"], "--stdio"], "yaml", yaml_settings())
    bare = Server("bare-pygls", [args.python, str(HERE / "bare_pygls.py")], "agent")

    started = time.perf_counter()
    results: dict[str, Any] = {
        "iterations": iterations,
        "peer_diag_iterations": peer_diag,
        "cold_repeats": cold,
        "cli_repeats": cli_repeats,
        "sizes": {
            "typical": docs["typical"]["md"].stat().st_size,
            "big-body": docs["big-body"]["md"].stat().st_size,
            "long_lines": corpus.frontmatter_yaml(docs["long-frontmatter"]["md"].read_text()).count("\n"),
        },
    }

    def log(*parts: object) -> None:
        print(*parts, flush=True)

    for key, server, diag_n in (("ours", ours, iterations), ("yamlls", yamlls, peer_diag)):
        entry: dict[str, Any] = {"docs": {}}
        if server is ours:
            server.root = WORK / "project"
        for doc in DOCS:
            path = docs[doc]["yaml" if server.kind == "yaml" else "md"]
            log(f"[{server.name}] {doc} ...")
            entry["docs"][doc] = measure_document(server, path, iterations, diag_n)
            d = entry["docs"][doc]
            log(
                "   ",
                ", ".join(
                    f"{m} p50 {d[m]['p50']:.2f} p99 {d[m]['p99']:.2f}" if d.get(m) else f"{m} n/a"
                    for m in ("completion", "hover", "codeAction", "diagnostics")
                ),
                f"diag counts {d['diagnostic_counts']} ({d['sync']})",
            )
        if server is ours:
            log(f"[{server.name}] 2,000-line plugin manifest ...")
            entry["plugin_manifest"] = measure_json_document(server, write_plugin_manifest(), iterations, iterations)
            log("   ", entry["plugin_manifest"]["diagnostics"])
        log(f"[{server.name}] cold start x{cold} ...")
        first_doc = docs["typical"]["yaml" if server.kind == "yaml" else "md"]
        entry["cold_start"] = measure_cold_start(server, cold, first_doc)
        log("   ", entry["cold_start"])
        many = sorted((WORK / "many" / ".claude" / "agents").glob("*.md"))
        if server is ours:
            # Also with the 2,000-file `check` tree inside the workspace: the index holds every agent.
            server.root = WORK
            entry["rss50_big_workspace"] = measure_rss_50(server, many)
            log("    RSS after 50 files, 2,053-agent workspace:", entry["rss50_big_workspace"])
            server.root = WORK / "many"
        if server.kind == "yaml":
            yfolder = WORK / "yaml-many"
            yfolder.mkdir(exist_ok=True)
            for p in many:
                (yfolder / (p.stem + ".yaml")).write_text(corpus.frontmatter_yaml(p.read_text()), encoding="utf-8")
            many = sorted(yfolder.glob("*.yaml"))
        entry["rss50"] = measure_rss_50(server, many)
        log("    RSS after 50 files:", entry["rss50"])
        if server is ours:
            entry["memory_stages"] = measure_memory_stages(args.python, server, many)
            log("    memory by stage:", entry["memory_stages"])
        results[key] = entry
    log("[agent-lsp] CLAUDE.md with 50 imports ...")
    results["memory"] = measure_memory(ours, iterations)
    log("   ", results["memory"])
    log("[bare pygls] cold start ...")
    results["bare_pygls"] = measure_cold_start(bare, cold)
    log("   ", results["bare_pygls"])
    log("[start-up] pyinstrument profiles ...")
    results["startup_profile"] = {
        name: found
        for name in ("agent-lsp", "bare-pygls")
        if (found := profile_startup.profile_server(args.python, name)) is not None
    }
    log("   ", results["startup_profile"])
    log("[yaml-ls] validation without debounce ...")
    results["yamlls_validation"] = yamlls_validation(peers["node"], iterations)
    log("   ", results["yamlls_validation"])

    check_dir = WORK / "check"
    agent_lsp = str(bin_dir / "agent-lsp")
    log("[check] agent-lsp check on 2,000 files ...")
    results["check"] = time_command([agent_lsp, "check", str(check_dir / ".claude" / "agents")], cli_repeats, WORK)
    log("   ", results["check"])
    log("[check] agnix on 2,000 files ...")
    results["agnix"] = time_command([peers["agnix"], str(check_dir)], cli_repeats, WORK)
    log("   ", results["agnix"])

    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    results["machine"] = machine()
    results["versions"] = versions(args.python, peers)
    (WORK / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    rows, targets = build_table(results)
    width = max(len(r[0]) for r in rows)
    for r in rows:
        log(f"{r[0]:<{width}}  {r[1]:<17} {r[2]:>14} {r[3]:>22} {r[4]:>9}")
    for name, limit, measured, ok in targets:
        log(f"{'MET ' if ok else 'MISS' if ok is not None else 'N/A '} {name}: {measured} ({limit})")
    if not args.quick:
        write_report(results, Path(args.report))
        log(f"wrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

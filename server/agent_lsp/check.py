"""`agent-lsp check`: the language service's findings for CI and pre-commit.

Exit status: 1 when any error is found (or, with --strict, any warning), else 0;
2 for a usage problem.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeAlias

from agent_lsp import __version__
from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.rules import RULES, Severity
from agent_lsp.checks.validate import find_problems
from agent_lsp.project import disk
from agent_lsp.project.paths import FileKind, document_kind
from agent_lsp.syntax.frontmatter import ParsedAgent, parse_agent
from agent_lsp.syntax.text import LineIndex, PositionMapper, Span

if TYPE_CHECKING:
    from agent_lsp.project.index import ReadEntry
    from agent_lsp.project.paths import Placement

MAX_FILE_BYTES = 5 * 1024 * 1024
FORMATS = ("text", "json", "github", "sarif")
# Below this many files one process is faster than starting workers.
PARALLEL_MIN_FILES = 64
CHUNK_FILES = 32


class FileReport:
    """One file's findings, and as much of its text as they need (their spans point into it); `path` is
    the file's real path once `check_files` has checked it.

    Ten thousand reports are held until the output is written, so a report keeps its text only up to
    the end of the last line a finding touches (usually a part of the frontmatter) and a digest of the
    whole; its line table is made again when asked for (one at a time: the writers go report by report)."""

    __slots__ = ("digest", "display", "findings", "path", "text")

    def __init__(self, path: str | Path, display: str, index: LineIndex, findings: list[Finding]) -> None:
        self.path = str(path)
        self.display = display
        self.digest = disk.text_digest(index.text)
        self.findings = findings
        self.text = _needed(index.text, findings)

    def add_findings(self, extra: list[Finding], text: str) -> None:
        """Findings with spans into `text`, the file's whole text (the one `digest` was taken of)."""
        self.findings = sorted([*self.findings, *extra], key=lambda f: (f.span.start, f.span.end, f.code))
        self.text = _needed(text, self.findings)

    @property
    def index(self) -> LineIndex:
        last = _LAST_INDEX.get(id(self))
        if last is None or last.text is not self.text:
            _LAST_INDEX.clear()
            last = _LAST_INDEX[id(self)] = LineIndex(self.text)
        return last


_LAST_INDEX: dict[int, LineIndex] = {}  # the line table of the report last asked for


def _needed(text: str, findings: list[Finding]) -> str:
    """`text` up to the end of the last line a finding touches (with its line break)."""
    reach = max((f.span.end for f in findings), default=0)
    end = text.find("\n", reach)
    return text if end < 0 else text[: end + 1]


def check_file(path: Path, display: str, plugin: bool, kind: str = "agent") -> FileReport:
    """Read one file defensively and run the checks on it."""
    return _check(path, display, plugin, kind)[0]


def _check(path: Path, display: str, plugin: bool, kind: str) -> tuple[FileReport, ParsedAgent | None, int]:
    """The report, and the parsed text with the stamp it was read at (None for a file not checked)."""
    try:
        raw, status = disk.read_bytes(path, MAX_FILE_BYTES)
    except OSError as error:
        return _unreadable(path, display, f"Cannot read the file: {error.strerror or error}."), None, 0
    if len(raw) > MAX_FILE_BYTES:
        message = f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; not checked."
        return _unreadable(path, display, message), None, 0
    if b"\x00" in raw:
        message = "The file holds NUL bytes: it looks binary, not a Markdown agent file."
        return _unreadable(path, display, message), None, 0
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = raw[: error.start].decode("utf-8", "replace")
        index = LineIndex(prefix)
        line = index.line_count - 1
        report = _unreadable(
            path,
            display,
            f"The file is not valid UTF-8 (byte 0x{raw[error.start]:02x} on line {line + 1}); Claude Code "
            "cannot read it as an agent.",
            LineIndex(prefix),
            Span(len(prefix), len(prefix)),
        )
        return report, None, 0
    parsed = parse_agent(text)
    findings = find_problems(parsed, AgentContext(str(path), plugin, kind=kind))
    return FileReport(path, display, parsed.index, findings), parsed, disk.stamp_of(status)


# (the file as found, its name as shown, in a plugin, its kind, its real path: what the index knows it by)
Job = tuple[Path, str, bool, str, str]
Checked: TypeAlias = "tuple[FileReport, ReadEntry | None]"


def _check_chunk(jobs: list[Job], user: Path | None = None, entries: bool = False) -> list[Checked]:
    """Each job's report and (with `entries`) the file's entry for the cross-file index, read from the
    same parse: the checks and the index read every file once."""
    from agent_lsp.project.entry import read_file
    from agent_lsp.project.paths import locate

    done: list[Checked] = []
    shared = _Shared()
    for path, display, plugin, kind, real in jobs:
        report, parsed, stamp = _check(path, display, plugin, kind)
        report.path = real
        entry: ReadEntry | None = None
        placement = locate(report.path, user) if entries and parsed is not None else None
        if placement is not None and parsed is not None:
            indexed = read_file(report.path, placement, parsed.text, parsed)
            indexed.drop_text(stamp)
            entry = (indexed, stamp, report.digest)
        done.append(shared.checked((report, entry)))
    return done


_NO_DATA: dict[str, Any] = {}  # (never written to)


class _Shared:
    """One object for equal messages, codes and placements across many reports (the same warning in a
    thousand files is one string), and no code-action data (the CLI prints none): ten thousand reports
    are held until the output is written. Used in the workers (so a chunk's pickle shares them) and
    again where the chunks arrive."""

    def __init__(self) -> None:
        self._memo: dict[object, Any] = {}

    def checked(self, item: Checked) -> Checked:
        memo = self._memo
        report, read = item
        for finding in report.findings:
            finding.data = _NO_DATA
            finding.code = memo.setdefault(finding.code, finding.code)
            finding.message = memo.setdefault(finding.message, finding.message)
        if read is not None:
            read[0].placement = memo.setdefault(read[0].placement, read[0].placement)
        return item


def _worker_count(files: int) -> int:
    """Processes for `files` files: every core this process may use, on Linux (fork is cheap there)."""
    if files < PARALLEL_MIN_FILES or sys.platform != "linux":
        return 1
    env = os.environ.get("AGENT_LSP_JOBS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, files // CHUNK_FILES))


def check_files(jobs: list[Job], user: Path | None = None, entries: bool = False) -> list[Checked]:
    """`_check_chunk` on every job, in order; spread over forked worker processes when there are many."""
    workers = _worker_count(len(jobs))
    if workers <= 1:
        return _check_chunk(jobs, user, entries)
    import functools
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from agent_lsp.schema.schemas import agent_schema

    agent_schema()  # load the schema once, before forking: every worker inherits it
    chunks = [jobs[i : i + CHUNK_FILES] for i in range(0, len(jobs), CHUNK_FILES)]
    work = functools.partial(_check_chunk, user=user, entries=entries)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            shared = _Shared()
            return [shared.checked(done) for chunk in pool.map(work, chunks) for done in chunk]
    except (OSError, ImportError, RuntimeError):  # no fork, no semaphores, a broken pool: do it here
        return _check_chunk(jobs, user, entries)


def _unreadable(
    path: Path, display: str, message: str, index: LineIndex | None = None, span: Span | None = None
) -> FileReport:
    finding = Finding("unreadable-file", span or Span(0, 0), message, Severity.ERROR, {"code": "unreadable-file"})
    return FileReport(path, display, index or LineIndex(""), [finding])


def discover(targets: Sequence[str], all_markdown: bool = False) -> Iterator[tuple[Path, str, bool, str]]:
    """Files to check: each as found and its real path, whether it belongs to a plugin and its kind
    (agent, skill, command).

    A file named on the command line is always checked. A file in a folder that links outside
    the folder is skipped (with a note on stderr). A folder is walked for the
    files Claude Code itself would read there: `.md` files under a folder called
    `agents` (`.claude/agents/`, a plugin's `agents/`), skills (`SKILL.md`) and
    commands (`.claude/commands/`), so a project's README is left alone. A folder
    with none of these (a loose collection of agents), or `all_markdown`, has every
    `.md` checked as an agent.
    """
    seen: set[str] = set()
    folders: dict[str, str] = {}  # real paths of the folders walked, each resolved once
    for target in targets:
        root = Path(target)
        if root.is_file():
            chosen = [(root, os.path.realpath(root))]
        elif root.is_dir():
            # A file found in a folder is read only when it really lies there: a committed
            # `agents/x.md -> ~/.ssh/…` or `-> /proc/self/environ` must not end up quoted in a CI log.
            inside = disk.real_roots([root])
            candidates: list[tuple[Path, str]] = []
            for p in sorted(root.rglob("*.md")):
                real = disk.resolved(p, folders)  # once per file: the containment rule and the path checked
                if not os.path.join(os.path.normcase(real), "").startswith(inside):
                    print(f"agent-lsp check: skipped {_printable(str(p))}: it links outside {target}", file=sys.stderr)
                elif p.is_file():
                    candidates.append((p, real))
            # Only folders at or below the target count: a checkout that happens to live under
            # some `~/agents/` folder must not turn every Markdown file into an agent.
            named_agents = root.name == "agents"
            known = [
                (p, real)
                for p, real in candidates
                if named_agents or "agents" in p.relative_to(root).parts[:-1] or document_kind(real)[0] is not None
            ]
            chosen = candidates if all_markdown or not known else known
        else:
            raise FileNotFoundError(target)
        for path, real in chosen:
            if real in seen:
                continue
            seen.add(real)
            kind, plugin = document_kind(real)
            if kind is None:  # named on the command line, or in a loose collection: read as an agent
                kind, plugin = FileKind.AGENT, False
            yield path, real, plugin, kind.value


def run_check(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="agent-lsp check",
        description="Check Claude Code agent files and report what Claude Code would do with them.",
    )
    parser.add_argument("paths", nargs="*", help="files or folders (default: .claude/agents)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument("--all-markdown", action="store_true", help="in folders, check every .md file")
    parser.add_argument("--quiet", action="store_true", help="text format: omit the summary line")
    parser.add_argument(
        "--no-cross-file", action="store_true", help="skip the checks that read other files (names, skills, MCP)"
    )
    parser.add_argument("--user-dir", metavar="DIR", help="the user's Claude folder (default: ~/.claude)")
    parser.add_argument("--version", action="version", version=f"agent-lsp {__version__}")
    options = parser.parse_args(argv)
    targets = options.paths or [".claude/agents"]
    try:
        found = discover(targets, options.all_markdown)
        jobs = [(path, _display(path), plugin, kind, real) for path, real, plugin, kind in found]
    except FileNotFoundError as error:
        print(f"agent-lsp check: no such file or folder: {_printable(str(error.args[0]))}", file=sys.stderr)
        return 2
    user = _user_dir(options.user_dir)
    checked = check_files(jobs, user, entries=not options.no_cross_file)
    del jobs
    reports = [report for report, _ in checked]
    if not options.no_cross_file:
        premade = {read[0].path: read for _, read in checked if read is not None}
        del checked
        add_cross_file_findings(reports, user, premade)
    writer = {"text": _write_text, "json": _write_json, "github": _write_github, "sarif": _write_sarif}
    writer[options.format](reports, sys.stdout, options)
    worst = min((int(f.severity) for r in reports for f in r.findings), default=99)
    limit = int(Severity.WARNING) if options.strict else int(Severity.ERROR)
    return 1 if worst <= limit else 0


def _user_dir(option: str | None) -> Path | None:
    """The user's Claude folder (`--user-dir`, else `~/.claude`), its links resolved."""
    from agent_lsp.project.paths import default_user_dir

    user = Path(option).expanduser() if option else default_user_dir()
    return user.resolve() if user is not None else None


def add_cross_file_findings(
    reports: list[FileReport], user_dir: Path | None = None, premade: dict[str, ReadEntry] | None = None
) -> None:
    """Add the findings that need the other files: the projects of the checked files and `user_dir`
    (resolved; default `~/.claude`). `premade`: index entries the checks already read, by real path
    (`_check_chunk`), so that only the projects' other files are read here."""
    from agent_lsp.checks.crossfile import entry_findings
    from agent_lsp.project.index import WorkspaceIndex
    from agent_lsp.project.paths import Scope, locate

    user = user_dir if user_dir is not None else _user_dir(None)
    premade = premade or {}
    roots: list[str] = []
    for report in reports:
        placement = locate(report.path, user)
        if placement is not None and placement.scope is not Scope.USER and placement.root not in roots:
            roots.append(placement.root)
    digests: dict[str, bytes] = {}

    def read_many(batch: list[tuple[str, Placement]]) -> list[ReadEntry | None]:
        known = [premade.pop(path, None) for path, _ in batch]
        # An entry the checks made counts when it was placed as the index places the file.
        known = [k if k is not None and k[0].placement == p else None for k, (_, p) in zip(known, batch, strict=True)]
        rest = iter(_read_entries_parallel([job for job, k in zip(batch, known, strict=True) if k is None]))
        found = [k if k is not None else next(rest) for k in known]
        digests.update((read[0].path, read[2]) for read in found if read is not None)
        return found

    index = WorkspaceIndex(roots, user, walk=False)
    index.scan(read_many)
    for report in reports:
        entry = index.get(report.path)
        if entry is None or any(f.code == "unreadable-file" for f in report.findings):
            continue
        # The findings' spans must point into the text the report was checked with.
        if digests.get(entry.path, b"") != report.digest:
            continue
        extra = entry_findings(entry, index)
        if extra:
            # The entry's text, read again, is the indexed one (its stamp is checked) and so the report's.
            report.add_findings(extra, entry.text)


def _read_entries_parallel(batch: list[tuple[str, Placement]]) -> list[ReadEntry | None]:
    """The index's `read_entries` on a batch of files, spread over forked worker processes when there
    are many (the cross-file index of a large tree is read as fast as the tree is checked)."""
    from agent_lsp.project.index import read_entries

    workers = _worker_count(len(batch))
    if workers <= 1:
        return read_entries(batch)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [batch[i : i + CHUNK_FILES] for i in range(0, len(batch), CHUNK_FILES)]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return [read for chunk in pool.map(read_entries, chunks) for read in chunk]
    except (OSError, ImportError, RuntimeError):  # no fork, no semaphores, a broken pool: do it here
        return read_entries(batch)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _lsp_range(report: FileReport, finding: Finding) -> dict[str, Any]:
    mapper = PositionMapper(report.index)
    start, end = mapper.position(finding.span.start), mapper.position(finding.span.end)
    return {
        "start": {"line": start[0], "character": start[1]},
        "end": {"line": end[0], "character": end[1]},
    }


def _write_text(reports: list[FileReport], out: TextIO, options: argparse.Namespace) -> None:
    counts = {s: 0 for s in Severity}
    for report in reports:
        for f in report.findings:
            line, col = report.index.line_col(f.span.start)
            where = f"{_printable(report.display)}:{line + 1}:{col + 1}"
            out.write(f"{where}: {f.severity.label} {f.code} {_printable(f.message)}\n")
            counts[f.severity] += 1
    if not options.quiet:
        parts = [f"{n} {_plural(s.label, n)}" for s, n in counts.items() if n]
        summary = ", ".join(parts) if parts else "no problems"
        out.write(f"Checked {len(reports)} file{'s' if len(reports) != 1 else ''}: {summary}.\n")


# Characters that end a line or drive a terminal (C0, DEL, C1, the Unicode line and paragraph separators):
# a file name or a quoted value holding one must not forge an output line or rewrite the screen.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _printable(text: str) -> str:
    """`text` with each control character written as an escape (`\\n` as `\\x0a`, ...)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def _plural(label: str, count: int) -> str:
    return label if count == 1 or label == "information" else label + "s"


def _write_json(reports: list[FileReport], out: TextIO, options: argparse.Namespace) -> None:
    diagnostics = [
        {
            "path": r.display,
            "range": _lsp_range(r, f),
            "severity": f.severity.label,
            "code": f.code,
            "message": f.message,
        }
        for r in reports
        for f in r.findings
    ]
    json.dump({"files": len(reports), "diagnostics": diagnostics}, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _escape_github(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return _printable(text)


def _write_github(reports: list[FileReport], out: TextIO, options: argparse.Namespace) -> None:
    level = {
        Severity.ERROR: "error",
        Severity.WARNING: "warning",
        Severity.INFORMATION: "notice",
        Severity.HINT: "notice",
    }
    for r in reports:
        for f in r.findings:
            (line, col), (end_line, end_col) = r.index.line_col(f.span.start), r.index.line_col(f.span.end)
            props = (
                f"file={_escape_github(r.display, True)},line={line + 1},col={col + 1},"
                f"endLine={end_line + 1},endColumn={end_col + 1},title={_escape_github('agent-lsp ' + f.code, True)}"
            )
            out.write(f"::{level[f.severity]} {props}::{_escape_github(f.message)}\n")


def _write_sarif(reports: list[FileReport], out: TextIO, options: argparse.Namespace) -> None:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFORMATION: "note", Severity.HINT: "note"}
    from agent_lsp.features.diagnostics import RULES_URL

    rules = [
        {
            "id": rule.code,
            "shortDescription": {"text": rule.summary},
            "helpUri": f"{RULES_URL}#{rule.code}",
            "defaultConfiguration": {"level": level[rule.severity]},
        }
        for rule in RULES.values()
    ]
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for r in reports:
        for f in r.findings:
            rng = _lsp_range(r, f)
            results.append(
                {
                    "ruleId": f.code,
                    "ruleIndex": rule_index[f.code],
                    "level": level[f.severity],
                    "message": {"text": f.message},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": Path(r.display).as_posix()},
                                "region": {
                                    # SARIF is 1-based and counts UTF-16 code units by default, as LSP does.
                                    "startLine": rng["start"]["line"] + 1,
                                    "startColumn": rng["start"]["character"] + 1,
                                    "endLine": rng["end"]["line"] + 1,
                                    "endColumn": rng["end"]["character"] + 1,
                                },
                            }
                        }
                    ],
                }
            )
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "agent-lsp",
                        "version": __version__,
                        "informationUri": "https://github.com/agent-lsp/agent-lsp",
                        "rules": rules,
                    }
                },
                "columnKind": "utf16CodeUnits",
                "results": results,
            }
        ],
    }
    json.dump(sarif, out, indent=2, ensure_ascii=False)
    out.write("\n")

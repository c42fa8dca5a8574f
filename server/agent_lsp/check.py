"""`agent-lsp check`: the language service's findings for CI and pre-commit.

Exit status: 1 when any error is found (or, with --strict, any warning), else 0;
2 for a usage problem.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from agent_lsp import __version__
from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.rules import RULES, Severity
from agent_lsp.checks.validate import find_json_problems, find_problems
from agent_lsp.project import disk
from agent_lsp.project.config import ConfigCache
from agent_lsp.project.paths import (
    REPLACED_DEFAULTS,
    FileKind,
    Placement,
    Scope,
    content_kind,
    document_kind,
    ignored_default,
    locate,
)
from agent_lsp.schema.documents import JSON_KINDS
from agent_lsp.syntax.frontmatter import ParsedAgent, parse_agent
from agent_lsp.syntax.jsondoc import parse_json
from agent_lsp.syntax.text import LineIndex, PositionMapper, Span

if TYPE_CHECKING:
    from agent_lsp.project.index import ReadEntry, WorkspaceIndex

MAX_FILE_BYTES = 5 * 1024 * 1024
FORMATS = ("text", "json", "github", "sarif")
# Below this many files one process is faster than starting workers.
PARALLEL_MIN_FILES = 64
CHUNK_FILES = 32
CONFIGS = ConfigCache()  # each folder's `.agent-lsp.toml` / `[tool.agent-lsp]`, read once per run


class FileReport:
    """One file's findings, and as much of its text as they need (their spans point into it).

    Ten thousand reports are held until the output is written, so a report keeps its text only up to
    the end of the last line a finding touches (usually a part of the frontmatter) and a digest of the
    whole; its line table is made again when asked for (one at a time: the writers go report by report)."""

    __slots__ = ("digest", "display", "findings", "path", "real", "text")

    def __init__(self, path: Path, display: str, index: LineIndex, findings: list[Finding]) -> None:
        self.path = path
        self.real: str | None = None  # the file's real path, when the checks resolved it (`check_for_cli`)
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
    """The report, and the Markdown file's parsed text with its stamp (None for a file whose text the
    project index would not read either: unreadable, too large for it, binary, not UTF-8, or JSON)."""
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
    if kind in JSON_KINDS:  # a manifest, `.mcp.json`, hooks or settings file
        document = parse_json(text)
        context = AgentContext(str(path), plugin, kind, config=CONFIGS.for_file(str(path)))
        return FileReport(path, display, document.index, find_json_problems(document, context)), None, 0
    parsed = parse_agent(text)
    context = AgentContext(str(path), plugin, kind=kind, config=CONFIGS.for_file(str(path)))
    report = FileReport(path, display, parsed.index, find_problems(parsed, context))
    return report, (parsed if len(raw) <= disk.MAX_FILE_BYTES else None), disk.stamp_of(status)


def _check_chunk(jobs: list[tuple[Path, str, bool, str]]) -> list[FileReport]:
    return [check_file(*job) for job in jobs]


Checked = tuple[FileReport, "ReadEntry | None"]
# Where the files of this run stand for the cross-file index (the user folder, the loose collections'
# placements), set before the workers fork so that they inherit it rather than receive it with every chunk.
_PLACES: tuple[Path | None, dict[str, Placement]] | None = None


def _check_entries_chunk(jobs: list[tuple[Path, str, bool, str]]) -> list[Checked]:
    """Each job's report, its real path, and (when `_PLACES` is set) the file's entry for the cross-file
    index, made from the same parse: the checks and the index read and parse every file once."""
    from agent_lsp.project.entry import read_file

    done: list[Checked] = []
    shared = _Shared()
    folders: dict[str, str] = {}
    for path, display, plugin, kind in jobs:
        report, parsed, stamp = _check(path, display, plugin, kind)
        report.real = disk.resolved(path, folders)
        entry: ReadEntry | None = None
        if _PLACES is not None and parsed is not None:
            user, loose = _PLACES
            placement = loose.get(report.real) or locate(report.real, user)
            if placement is not None:
                indexed = read_file(report.real, placement, parsed.text, parsed)
                indexed.drop_text(stamp)
                entry = (indexed, stamp, report.digest)
        done.append(shared.checked((report, entry)))
    return done


_NO_DATA: dict[str, Any] = {}  # (never written to)


class _Shared:
    """One object for equal codes, messages and placements across many reports (the same warning in a
    thousand files is one string), and no code-action data (the CLI prints none; `--fix` checks the
    text again): ten thousand reports are held until the output is written. Used in the workers (so a
    chunk's pickle shares them) and again where the chunks arrive."""

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


def check_for_cli(
    jobs: list[tuple[Path, str, bool, str]], user: Path | None, loose: dict[str, Placement], entries: bool
) -> tuple[list[FileReport], dict[str, ReadEntry]]:
    """`check_files` for the command line: reports that know their real path and keep no code-action
    data, and (with `entries`) the checked files' cross-file index entries by real path, for
    `add_cross_file_findings`."""
    global _PLACES
    _PLACES = (user, loose) if entries else None
    try:
        checked = _in_workers(_check_entries_chunk, jobs)
    finally:
        _PLACES = None
    shared = _Shared()
    reports: list[FileReport] = []
    premade: dict[str, ReadEntry] = {}
    for report, read in map(shared.checked, checked):
        reports.append(report)
        if read is not None:
            premade[read[0].path] = read
    return reports, premade


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


def check_files(jobs: list[tuple[Path, str, bool, str]]) -> list[FileReport]:
    """`check_file` on every job, in order; spread over forked worker processes when there are many."""
    return _in_workers(_check_chunk, jobs)


_T = TypeVar("_T")
_R = TypeVar("_R")


def _in_workers(work: Callable[[list[_T]], list[_R]], jobs: list[_T]) -> list[_R]:
    """`work` on chunks of `jobs`, results in order: in forked worker processes when there are many."""
    workers = _worker_count(len(jobs))
    if workers <= 1:
        return work(jobs)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from agent_lsp.schema.schemas import agent_schema

    agent_schema()  # load the schema once, before forking: every worker inherits it
    chunks = [jobs[i : i + CHUNK_FILES] for i in range(0, len(jobs), CHUNK_FILES)]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return [result for chunk in pool.map(work, chunks) for result in chunk]
    except (OSError, ImportError, RuntimeError):  # no fork, no semaphores, a broken pool: do it here
        return work(jobs)


def _unreadable(
    path: Path, display: str, message: str, index: LineIndex | None = None, span: Span | None = None
) -> FileReport:
    finding = Finding("unreadable-file", span or Span(0, 0), message, Severity.ERROR, {"code": "unreadable-file"})
    return FileReport(path, display, index or LineIndex(""), [finding])


@dataclass
class Found:
    """What a walk of the targets chose: the files to check (path, in a plugin, kind), how many other
    Markdown files it left alone, the files that look like Claude Code's but were not checked (each with
    the reason), and where the files of loose collections belong (their cross-file project, which no
    path layout gives)."""

    files: list[tuple[Path, bool, str]] = field(default_factory=list)
    skipped: int = 0
    skipped_files: list[tuple[Path, str]] = field(default_factory=list)
    loose: dict[str, Placement] = field(default_factory=dict)


# Folders no walk of the checker enters: a clone's own history and installed packages hold no agents.
_NOT_WALKED = (".git", "node_modules")
_HEAD_BYTES = 64 * 1024  # what `content_kind` reads of a file no layout names


def find_files(targets: Sequence[str], all_markdown: bool = False) -> Found:
    """The files to check under `targets`, each with its kind, by the one classifier (`paths`).

    A file named on the command line is always checked. A file in a folder that links outside the
    folder is skipped (with a note on stderr). A folder is walked, however deep, for every file
    Claude Code's layouts make an agent, skill or command (`.claude/`, plugins, and collections:
    `agents/` and `commands/` folders and `SKILL.md` files, at or below the folder given), and for
    Markdown files that are agents or commands by their frontmatter (`paths.content_kind`: a loose
    collection sorted into folders by topic). Every other Markdown file is counted as skipped, or with
    `all_markdown` checked as an agent.
    """
    found = Found()
    seen: set[Path] = set()
    for target in targets:
        root = Path(target)
        if root.is_file():
            resolved = root.resolve()
            if resolved not in seen:
                seen.add(resolved)
                kind, plugin = document_kind(str(resolved))
                found.files.append((root, plugin, (kind or FileKind.AGENT).value))
            continue
        if not root.is_dir():
            raise FileNotFoundError(target)
        # A file found in a folder is read only when it really lies there: a committed
        # `agents/x.md -> ~/.ssh/…` or `-> /proc/self/environ` must not end up quoted in a CI log.
        inside = disk.real_roots([root])
        real_root = root.resolve()
        plugins: dict[tuple[str, ...], bool] = {}  # folders known to hold a plugin manifest, or not
        folders: dict[str, str] = {}  # the real paths of the folders walked, each resolved once
        for path in sorted(root.rglob("*.md")):
            if any(part in _NOT_WALKED for part in path.relative_to(root).parts[:-1]):
                continue
            if _passed_over(path, inside, found, target, folders):
                continue
            resolved = Path(disk.resolved(path, folders))
            if resolved in seen:
                continue
            seen.add(resolved)
            placement = locate(str(resolved), plugins=plugins)
            if placement is not None and _collection_above(placement, real_root):
                placement = None  # a checkout that lives under some `~/agents/` folder: not a collection
            if placement is not None:  # memory files too: their imports are checked
                found.files.append((path, placement.scope is Scope.PLUGIN, placement.kind.value))
                continue
            ignored = ignored_default(resolved)
            if ignored is not None:
                folder = REPLACED_DEFAULTS[ignored[1]]
                reason = f"the plugin's manifest lists `{ignored[1]}`, which replaces the default `{folder}/` folder"
                found.skipped_files.append((path, reason))
                continue
            kind = _kind_by_content(path)
            if kind is None and not all_markdown:
                found.skipped += 1
                continue
            kind = kind or FileKind.AGENT
            found.files.append((path, False, kind.value))
            base = str(_collection_root(resolved.parent, real_root))
            found.loose[str(resolved)] = Placement(kind, Scope.PROJECT, base, base)
        for path in _json_files(root, inside, found, target):  # manifests, `.mcp.json`, hooks and settings files
            resolved = Path(os.path.realpath(path))
            if resolved not in seen:
                seen.add(resolved)
                kind, plugin = document_kind(str(resolved))
                if kind is not None:
                    found.files.append((path, plugin, kind.value))
    return found


def _collection_above(placement: Placement, real_root: Path) -> bool:
    """Whether a collection's component folder (`agents/`, `commands/`) lies above the folder walked."""
    group = Path(placement.group)
    if placement.scope is not Scope.PROJECT or group.parent.name == ".claude" or placement.kind is FileKind.SKILL:
        return False
    return not (group == real_root or real_root in group.parents)


def _kind_by_content(path: Path) -> FileKind | None:
    try:
        head, _status = disk.read_bytes(path, _HEAD_BYTES)
    except OSError:
        return FileKind.AGENT  # unreadable: checked, so that the reason is reported
    if b"\x00" in head:
        return None
    return content_kind(head.decode("utf-8", "replace"))


_ROOT_MARKS = (".git", ".claude-plugin")


def _collection_root(folder: Path, real_root: Path) -> Path:
    """A loose collection's root, the project its cross-file checks resolve names in: the nearest folder
    at or above the file that is a repository or a marketplace (holds `.git` or `.claude-plugin/`),
    within the folder walked; else the folder walked."""
    for candidate in (folder, *folder.parents):
        if any((candidate / mark).exists() for mark in _ROOT_MARKS):
            return candidate
        if candidate == real_root or real_root not in candidate.parents:
            break
    return real_root


def _passed_over(path: Path, inside: Any, walk: Found, target: str, folders: dict[str, str] | None = None) -> bool:
    """Whether the walk leaves `path` alone as no regular file of the target: a link out of it or to
    nothing (named in `walk.skipped_files` with the reason), or not a file at all."""
    if not disk.inside(path, inside, folders):
        walk.skipped_files.append((path, f"it links outside {target}"))
        return True
    if not path.is_file():
        if path.is_symlink():
            walk.skipped_files.append((path, "it is a link to nothing"))
        return True
    return False


def _json_files(root: Path, inside: Any, walk: Found, target: str) -> list[Path]:
    """The JSON files Claude Code reads below a folder (manifests, `.mcp.json`, hooks, settings). Those
    that look like its files but are not checked go to `walk.skipped_files` with the reason: a link out
    of the folder or to nothing, and a `.mcp.json` or a file of a `.claude/` or `.claude-plugin/` folder
    that lies where Claude Code does not read it (other `settings.json` files belong to other tools)."""
    found = []
    for p in sorted(root.rglob("*.json")):
        if p.name not in _JSON_NAMES or any(part in _NOT_WALKED for part in p.relative_to(root).parts[:-1]):
            continue
        if _passed_over(p, inside, walk, target):
            continue
        kind, _plugin = document_kind(str(p.resolve()))
        if kind is not None and kind.is_json:
            found.append(p)
        elif p.name == ".mcp.json" or {".claude", ".claude-plugin"} & set(p.parent.parts):
            walk.skipped_files.append((p, f"Claude Code does not read a `{p.name}` in this place"))
    return found


_JSON_NAMES = frozenset(
    {"plugin.json", "marketplace.json", ".mcp.json", "hooks.json", "settings.json", "settings.local.json"}
)


def run_check(argv: Sequence[str]) -> int:
    try:
        code = _run(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`agent-lsp check … | head`): stop quietly, as command-line tools do. Python
        # flushes stdout again at exit, so it is pointed at /dev/null first (else a second error prints).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE
    return code


EXIT_BROKEN_PIPE = 141  # what a shell reports for a process ended by SIGPIPE (128 + 13)


def _run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="agent-lsp check",
        description="Check Claude Code agent files and report what Claude Code would do with them.",
    )
    parser.add_argument("paths", nargs="*", help="files or folders (default: .claude/agents)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument(
        "--all-markdown",
        action="store_true",
        help="in folders, also check every Markdown file that is not an agent, skill or command (as an agent)",
    )
    parser.add_argument("--quiet", action="store_true", help="text format: omit the summary line")
    parser.add_argument(
        "--no-cross-file", action="store_true", help="skip the checks that read other files (names, skills, MCP)"
    )
    parser.add_argument("--user-dir", metavar="DIR", help="the user's Claude folder (default: ~/.claude)")
    fixing = parser.add_mutually_exclusive_group()
    fixing.add_argument(
        "--fix", action="store_true", help="apply every fix the editor's Fix all applies, then report what is left"
    )
    fixing.add_argument("--diff", action="store_true", help="print what --fix would change as a diff; change nothing")
    parser.add_argument("--version", action="version", version=f"agent-lsp {__version__}")
    options = parser.parse_args(argv)
    targets = options.paths or [".claude/agents"]
    try:
        found = find_files(targets, options.all_markdown)
    except FileNotFoundError as error:
        print(f"agent-lsp check: no such file or folder: {_printable(str(error.args[0]))}", file=sys.stderr)
        return 2
    jobs = [(path, _display(path), plugin, kind) for path, plugin, kind in found.files]
    jobs = _configured_jobs(targets, jobs)
    user = _user_dir(Path(options.user_dir).expanduser() if options.user_dir else None)
    reports, premade = check_for_cli(jobs, user, found.loose, entries=not options.no_cross_file)
    if options.fix or options.diff:
        changes = fix_files(jobs, reports, write=options.fix)
        if options.diff:
            for change in changes:
                sys.stdout.write(change.diff())
            return 1 if changes else 0
        changed = {change.path for change in changes}
        for i, job in enumerate(jobs):
            if job[0] in changed:
                real = reports[i].real
                premade.pop(real or "", None)  # made from the text before the fixes
                reports[i] = check_file(*job)  # what is left, from the text now on disk
                reports[i].real = real
    if not options.no_cross_file:
        add_cross_file_findings(reports, user, found.loose, premade)
    if options.fix:
        _report_fixes(changes, reports, sys.stdout if options.format == "text" else sys.stderr)
    options.skipped = found.skipped
    options.skipped_files = found.skipped_files
    for path, reason in found.skipped_files:  # on stderr: a name or reason must not pass for a finding
        print(f"agent-lsp check: skipped {_printable(str(path))}: {_printable(reason)}", file=sys.stderr)
    note = _skipped_note(found.skipped, len(found.skipped_files))
    if note and options.format in ("github", "sarif"):
        print(f"agent-lsp check: {note}", file=sys.stderr)
    writer = {"text": _write_text, "json": _write_json, "github": _write_github, "sarif": _write_sarif}
    writer[options.format](reports, sys.stdout, options)
    worst = min((int(f.severity) for r in reports for f in r.findings), default=99)
    limit = int(Severity.WARNING) if options.strict else int(Severity.ERROR)
    return 1 if worst <= limit else 0


def _configured_jobs(
    targets: Sequence[str], jobs: list[tuple[Path, str, bool, str]]
) -> list[tuple[Path, str, bool, str]]:
    """The jobs as the projects' configurations want them: `exclude`d files dropped, the files a walked
    folder holds under an `include` pattern added (as agents); what is wrong with a configuration on stderr."""
    from agent_lsp.checks.configure import config_problems

    folders: dict[str, str] = {}  # each folder resolved once (`disk.resolved`), not each file's whole path
    reals: dict[Path, Path] = {}  # and each file once (asked up to three times below)

    def real(path: Path) -> Path:
        found = reals.get(path)
        if found is None:
            found = reals[path] = Path(disk.resolved(path, folders))
        return found

    named = {str(Path(t).resolve()) for t in targets if Path(t).is_file()}
    kept = [
        job for job in jobs if str(real(job[0])) in named or not CONFIGS.for_file(str(job[0])).excludes(str(job[0]))
    ]
    seen = {real(job[0]) for job in kept}
    for target in targets:
        root = Path(target)
        config = CONFIGS.for_folder(str(root.resolve())) if root.is_dir() else None
        if config is None or config.root is None:
            continue
        for pattern in config.include:
            for path in sorted(Path(config.root).glob(pattern.lstrip("/"))):
                resolved = path.resolve()
                wanted = path.suffix == ".md" and path.is_file() and not config.excludes(str(path))
                if wanted and resolved not in seen and disk.inside(path, disk.real_roots([root])):
                    seen.add(resolved)
                    kept.append((path, _display(path), False, FileKind.AGENT.value))
    told: set[str] = set()
    for path in [job[0] for job in kept] + [Path(t) for t in targets]:
        config = CONFIGS.for_file(str(real(path)))
        if config.source is not None and config.source not in told:
            told.add(config.source)
            for problem in config_problems(config):
                print(
                    f"agent-lsp check: {_printable(config.source)}: {_printable(problem)} (not applied)",
                    file=sys.stderr,
                )
    return kept


# ---- --fix and --diff ----------------------------------------------------------------------------


@dataclass
class FileChange:
    """One file's text before and after the fixes, and the findings the fixes removed (by code)."""

    path: Path
    display: str
    before: str
    after: str
    fixed: Counter[str]

    def diff(self) -> str:
        import difflib

        name = Path(self.display).as_posix()
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            f"a/{name}",
            f"b/{name}",
        )
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def fix_file(job: tuple[Path, str, bool, str]) -> FileChange | None:
    """The editor's Fix all (`features.actions.fix_all_text`, the same code path) on one file's text on
    disk; None when it changes nothing. Line breaks and a byte order mark are part of the text and stay:
    the fixes edit only what they fix, and write new lines with the file's own line break."""
    from agent_lsp.features.actions import FIXABLE_CODES, fix_all_text

    path, display, plugin, kind = job
    try:
        raw, _status = disk.read_bytes(path, MAX_FILE_BYTES)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if len(raw) > MAX_FILE_BYTES or "\x00" in text:
        return None
    context = AgentContext(str(path), plugin, kind=kind, config=CONFIGS.for_file(str(path)))
    parsed = parse_agent(text)
    before = find_problems(parsed, context)
    if not any(f.code in FIXABLE_CODES for f in before):
        return None
    fixed = fix_all_text(parsed, context)
    if fixed == text:
        return None
    after = find_problems(parse_agent(fixed), context)
    removed = Counter(f.code for f in before) - Counter(f.code for f in after)
    return FileChange(path, display, text, fixed, removed)


def _fix_chunk(jobs: list[tuple[Path, str, bool, str]]) -> list[FileChange | None]:
    return [fix_file(job) for job in jobs]


def fix_files(jobs: list[tuple[Path, str, bool, str]], reports: list[FileReport], *, write: bool) -> list[FileChange]:
    """Fix every file whose report has a finding with a fix (`write`: and write the result); the changes.

    A file is written atomically (a temporary file in its folder, then `os.replace`) and only when it
    still holds the text the fixes were made from; a file changed meanwhile is left alone, with a note."""
    from agent_lsp.features.actions import FIXABLE_CODES

    todo = [
        job
        for job, report in zip(jobs, reports, strict=True)
        if any(f.code in FIXABLE_CODES for f in report.findings)
        and not any(f.code == "unreadable-file" for f in report.findings)
    ]
    changes = [c for c in _in_workers(_fix_chunk, todo) if c is not None]
    if write:
        written = []
        for change in changes:
            if _replace_text(change.path, change.before, change.after):
                written.append(change)
            else:
                print(
                    f"agent-lsp check: not fixed {_printable(change.display)}: it changed while it was checked",
                    file=sys.stderr,
                )
        changes = written
    return changes


def _replace_text(path: Path, expected: str, text: str) -> bool:
    """Write `text` over the file (its real path: a link stays a link) if it still holds `expected`."""
    import tempfile

    real = path.resolve()
    try:
        raw, status = disk.read_bytes(real, MAX_FILE_BYTES)
        if raw.decode("utf-8") != expected:
            return False
    except (OSError, UnicodeDecodeError):
        return False
    handle, temporary = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".agent-lsp-fix", dir=real.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, status.st_mode & 0o7777)
        os.replace(temporary, real)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True


def _report_fixes(changes: list[FileChange], reports: list[FileReport], out: TextIO) -> None:
    """One line per fixed file (what was fixed), and how many findings are left."""
    total = 0
    for change in changes:
        count = sum(change.fixed.values())
        total += count
        codes = ", ".join(f"{code} ×{n}" if n > 1 else code for code, n in sorted(change.fixed.items()))
        out.write(f"{_printable(change.display)}: fixed {count} {'problem' if count == 1 else 'problems'} ({codes})\n")
    left = sum(1 for r in reports for f in r.findings)
    files = len(changes)
    out.write(
        f"Fixed {total} {'problem' if total == 1 else 'problems'} in {files} {'file' if files == 1 else 'files'}; "
        f"{left} {'finding' if left == 1 else 'findings'} left.\n"
    )


def _skipped_note(skipped: int, named: int = 0) -> str:
    """What the walk left alone, for the summary: other Markdown files (counted), and files that look like
    Claude Code's but were not checked (each named with its reason on stderr)."""
    parts = []
    if skipped:
        files = "file" if skipped == 1 else "files"
        parts.append(
            f"{skipped} other Markdown {files} skipped: not agents, skills or commands; --all-markdown checks them"
        )
    if named:
        parts.append(f"{named} {'file' if named == 1 else 'files'} not checked, named on stderr")
    return "; ".join(parts)


def _user_dir(user_dir: Path | None) -> Path | None:
    """The user's Claude folder (`user_dir`, else `~/.claude`), its links resolved."""
    from agent_lsp.project.paths import default_user_dir

    user = user_dir if user_dir is not None else default_user_dir()
    return user.resolve() if user is not None else None


def add_cross_file_findings(
    reports: list[FileReport],
    user_dir: Path | None = None,
    loose: dict[str, Placement] | None = None,
    premade: dict[str, ReadEntry] | None = None,
) -> None:
    """Add the findings that need the other files: the projects of the checked files and `user_dir`.

    A project is a `.claude/` folder's parent, a plugin, or a collection's root (`paths`); `loose`
    places the files of loose collections, which no layout does (`find_files`). `premade`: index
    entries the checks already made, by real path (`check_for_cli`), so only the projects' other
    files are read here."""
    from agent_lsp.checks import configure
    from agent_lsp.checks.crossfile import entry_findings

    loose = loose or {}
    premade = premade or {}
    user = _user_dir(user_dir)
    roots: list[str] = []
    settings: list[tuple[FileReport, str]] = []  # settings files: their `outputStyle` names a style
    for report in reports:
        resolved = report.real or str(report.path.resolve())
        placement = loose.get(resolved) or locate(resolved, user)
        if placement is None and report.path.name in ("settings.json", "settings.local.json"):
            placement = locate(resolved, user, manifests=True)
            if placement is None or placement.kind is not FileKind.SETTINGS:
                continue
            settings.append((report, resolved))
        if placement is not None and placement.scope is not Scope.USER and placement.root not in roots:
            roots.append(placement.root)
    digests: dict[str, bytes] = {}

    def read_many(batch: list[tuple[str, Placement]]) -> list[ReadEntry | None]:
        known = [premade.pop(path, None) for path, _ in batch]
        # An entry the checks made counts only when it was placed as the index places the file.
        known = [k if k is not None and k[0].placement == p else None for k, (_, p) in zip(known, batch, strict=True)]
        rest = iter(_read_entries_parallel([job for job, k in zip(batch, known, strict=True) if k is None]))
        found = [k if k is not None else next(rest) for k in known]
        digests.update((read[0].path, read[2]) for read in found if read is not None)
        return found

    index = _check_index(roots, user, loose)
    index.scan(read_many)
    for report, resolved in settings:
        _add_settings_findings(report, resolved, index)
    for report in reports:
        entry = index.get(report.real or str(report.path.resolve()))
        if entry is None or any(f.code == "unreadable-file" for f in report.findings):
            continue
        # The findings' spans must point into the text the report was checked with.
        if digests.get(entry.path, b"") != report.digest:
            continue
        extra = entry_findings(entry, index)
        if extra:
            # Inline suppressions and the project's configuration apply to these too.
            context = AgentContext(entry.path, kind=entry.kind.value, config=CONFIGS.for_file(entry.path))
            extra = configure.apply(parse_agent(entry.text), extra, context)
        if extra:
            # The entry's text, read again, is the indexed one (its stamp is checked) and so the report's.
            report.add_findings(extra, entry.text)


def _add_settings_findings(report: FileReport, path: str, index: WorkspaceIndex) -> None:
    """A settings file's cross-file findings (`outputStyle`), on the text the report was checked with."""
    from agent_lsp.checks.configure import apply_json
    from agent_lsp.checks.crossfile import settings_findings

    read = disk.read_text(path)
    if read is None or disk.text_digest(read[0]) != report.digest:
        return
    context = AgentContext(path, kind=FileKind.SETTINGS.value, config=CONFIGS.for_file(path))
    extra = apply_json(settings_findings(parse_json(read[0]), index), context)
    if extra:
        report.add_findings(extra, read[0])


def _check_index(roots: list[str], user: Path | None, loose: dict[str, Placement]) -> WorkspaceIndex:
    """The project index of `roots`, with the checked files of loose collections added."""
    from agent_lsp.project.index import WorkspaceIndex

    class CheckIndex(WorkspaceIndex):
        def discover(self) -> Iterable[str]:
            return [*super().discover(), *loose]

        def locate(self, path: str | Path) -> Placement | None:
            return loose.get(os.path.normpath(path)) or super().locate(path)

    return CheckIndex(roots, user, walk=False)


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
        told = _skipped_note(getattr(options, "skipped", 0), len(getattr(options, "skipped_files", [])))
        note = f" ({told})" if told else ""
        out.write(f"Checked {len(reports)} file{'s' if len(reports) != 1 else ''}{note}: {summary}.\n")


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
    named = [{"path": _display(path), "reason": reason} for path, reason in getattr(options, "skipped_files", [])]
    document = {
        "files": len(reports),
        "skipped": getattr(options, "skipped", 0) + len(named),
        "skippedFiles": named,
        "diagnostics": diagnostics,
    }
    json.dump(document, out, indent=2, ensure_ascii=False)
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

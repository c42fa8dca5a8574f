"""The tools an agent run uses in the editor: Read, Grep and Glob inside the workspace, Edit and Write as proposals.

Claude Code's names and input schemas, so an agent written for Claude Code calls them as it would there. Every
read goes through the one bounded reader (`project.disk`) with the workspace folders as roots: regular files
only, the real path (every link resolved) inside a folder, a size cap; a link out of the workspace reads
nothing. Edit and Write change an in-memory overlay that later Reads and Greps see; nothing here writes a file.
At the end of a run `proposals` lists the changed files, each with the text it had when the agent first read it,
so the caller can refuse one whose file changed meanwhile (`refusal`). Any other tool (Bash, WebFetch, Agent,
Skill, MCP tools, names we do not know) is answered with an error and not run.
This module knows nothing of LSP; it runs in a worker thread, and `cancel` stops a long walk between files.
"""

from __future__ import annotations

import fnmatch
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent_lsp.project import disk
from agent_lsp.project.paths import SKIP_DIRS

RUNNABLE = ("Read", "Grep", "Glob", "Edit", "Write")
EDITING = frozenset({"Edit", "Write"})
MAX_READ_BYTES = 5_000_000  # a file the bounded reader reads for a tool at all
MAX_WHOLE_READ_BYTES = 256_000  # a Read without offset/limit beyond this asks for a window instead
READ_LINES = 2000  # Claude Code's default window
LINE_CHARS = 2000  # longer lines are cut in Read's output
SEARCH_FILES = 20_000  # files one Grep or Glob looks at
SEARCH_FILE_BYTES = 1_000_000  # larger files are not searched
HEAD_LIMIT = 250  # Grep's default cap on output entries
GLOB_LIMIT = 100  # Glob's cap on paths
RESULT_CHARS = 100_000  # a tool result sent back is cut beyond this
VCS_DIRS = frozenset({".git", ".hg", ".svn", ".jj"})
_TYPES = {
    "py": (".py", ".pyi"), "js": (".js", ".mjs", ".cjs", ".jsx"), "ts": (".ts", ".tsx", ".mts", ".cts"),
    "go": (".go",), "rust": (".rs",), "java": (".java",), "kotlin": (".kt", ".kts"), "ruby": (".rb",),
    "php": (".php",), "c": (".c", ".h"), "cpp": (".cpp", ".cc", ".cxx", ".hpp", ".hh", ".h"), "cs": (".cs",),
    "sql": (".sql",), "sh": (".sh", ".bash"), "md": (".md", ".markdown"), "markdown": (".md", ".markdown"),
    "json": (".json",), "yaml": (".yaml", ".yml"), "toml": (".toml",), "html": (".html", ".htm"),
    "css": (".css", ".scss"), "swift": (".swift",), "scala": (".scala",),
}  # fmt: skip

# Input schemas as the pinned Claude Code declares them (its sdk-tools.d.ts); descriptions in our words.
_INT = {"type": "integer"}
TOOL_SCHEMAS: Mapping[str, Mapping[str, Any]] = {
    "Read": {
        "description": "Read a text file of the workspace. Lines come numbered from 1; use offset and limit "
        f"for a window of a large file (at most {READ_LINES} lines are returned at once).",
        "properties": {
            "file_path": {"type": "string", "description": "Absolute path of the file"},
            "offset": {**_INT, "description": "First line to read (1-based)"},
            "limit": {**_INT, "description": "How many lines to read"},
            "pages": {"type": "string", "description": "Page range of a PDF (not supported in the editor)"},
            "allow_large": {"type": "boolean", "description": "Read a file beyond the usual size limit"},
        },
        "required": ["file_path"],
    },
    "Grep": {
        "description": "Search file contents with a regular expression (Python `re` syntax, close to "
        "ripgrep's). Output modes: files_with_matches (default), content, count.",
        "properties": {
            "pattern": {"type": "string", "description": "The regular expression"},
            "path": {"type": "string", "description": "File or folder to search (default: the workspace)"},
            "glob": {"type": "string", "description": "Only files matching this glob, e.g. *.py or *.{ts,tsx}"},
            "output_mode": {"type": "string", "enum": ["content", "files_with_matches", "count"]},
            "-B": {**_INT, "description": "Lines before each match (content mode)"},
            "-A": {**_INT, "description": "Lines after each match (content mode)"},
            "-C": {**_INT, "description": "Lines before and after each match (content mode)"},
            "context": {**_INT, "description": "Same as -C"},
            "-n": {"type": "boolean", "description": "Line numbers in content mode (default true)"},
            "-i": {"type": "boolean", "description": "Ignore case"},
            "-o": {"type": "boolean", "description": "Only the matched parts (content mode)"},
            "type": {"type": "string", "description": "File type, e.g. py, js, ts, go, rust"},
            "head_limit": {**_INT, "description": f"At most this many entries (default {HEAD_LIMIT}, 0: all)"},
            "offset": {**_INT, "description": "Skip this many entries first"},
            "multiline": {"type": "boolean", "description": "Let patterns span lines; . matches newlines"},
        },
        "required": ["pattern"],
    },
    "Glob": {
        "description": f"Find files by glob pattern (e.g. **/*.py); at most {GLOB_LIMIT} paths, sorted.",
        "properties": {
            "pattern": {"type": "string", "description": "The glob pattern"},
            "path": {"type": "string", "description": "Folder to search in (default: the workspace)"},
        },
        "required": ["pattern"],
    },
    "Edit": {
        "description": "Replace text in a file you have read. The change is proposed to the user, who "
        "applies it or not when the run ends; later reads in this run see it.",
        "properties": {
            "file_path": {"type": "string", "description": "Absolute path of the file"},
            "old_string": {"type": "string", "description": "The exact text to replace"},
            "new_string": {"type": "string", "description": "The text to put instead (different from old_string)"},
            "replace_all": {"type": "boolean", "description": "Replace every occurrence (default false)"},
        },
        "required": ["file_path", "old_string", "new_string"],
    },
    "Write": {
        "description": "Write a whole file (a file that exists must have been read first). Proposed to the "
        "user like Edit.",
        "properties": {
            "file_path": {"type": "string", "description": "Absolute path of the file"},
            "content": {"type": "string", "description": "The file's new text"},
        },
        "required": ["file_path", "content"],
    },
}


def offered_tools(effective: Sequence[str]) -> list[str]:
    """The tools the editor offers from an agent's effective tools: the ones it runs. It does not run Bash, so,
    as Claude Code does for an agent without Bash, Grep and Glob are offered in its place."""
    wanted = set(effective)
    if "Bash" in wanted:
        wanted |= {"Grep", "Glob"}
    return [name for name in RUNNABLE if name in wanted]


def tool_definitions(names: Sequence[str]) -> list[dict[str, Any]]:
    """The `tools` of a Messages request for these tool names."""
    return [
        {
            "name": name,
            "description": TOOL_SCHEMAS[name]["description"],
            "input_schema": {
                "type": "object",
                "properties": TOOL_SCHEMAS[name]["properties"],
                "required": TOOL_SCHEMAS[name]["required"],
                "additionalProperties": False,
            },
        }
        for name in names
    ]


def not_run_message(name: str) -> str:
    return (
        f"The editor does not run the {name} tool: an agent run from agent-lsp can use only Read, Grep, Glob, "
        "Edit and Write (edits are proposed to the user). Continue without it."
    )


@dataclass(frozen=True)
class ToolOutcome:
    text: str  # the tool result sent back to the model
    is_error: bool
    summary: str  # one line for people: the progress report and the answer's list of calls


@dataclass(frozen=True)
class Proposal:
    """One file as the run would leave it."""

    path: str  # the real path
    base: str | None  # its text when the agent first read it; None: a new file
    text: str


class ToolError(Exception):
    """A tool call that cannot be carried out; the message goes back to the model."""


@dataclass
class Workspace:
    """The workspace folders as one run sees them: the disk (or the editor's text of open files) plus the
    run's proposed edits."""

    folders: Sequence[str]
    open_text: Callable[[str], str | None] | None = None  # the editor's text of an open file, by real path
    cancel: threading.Event = field(default_factory=threading.Event)
    roots: disk.Roots = ()
    _overlay: dict[str, str] = field(default_factory=dict)
    _base: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.roots = disk.real_roots(self.folders)

    @property
    def cwd(self) -> str:
        return str(self.folders[0]) if self.folders else os.getcwd()

    # ---- paths ----------------------------------------------------------------------------
    def _resolve(self, given: Any, what: str = "file_path") -> str:
        """The real path of a tool's path argument, if it lies inside the workspace folders."""
        if not isinstance(given, str) or not given.strip():
            raise ToolError(f"`{what}` must be a path.")
        path = os.path.normpath(os.path.join(self.cwd, os.path.expanduser(given.strip())))
        if not self.roots or not disk.inside(path, self.roots):
            raise ToolError(
                f"{given} is outside the workspace folders; the editor reads and edits only files inside them "
                "(a link that leads out of the workspace counts as outside)."
            )
        return disk.real_path(path)

    def shown(self, real: str) -> str:
        """A path for people: relative to the workspace folder that holds it."""
        for root in self.roots:
            if os.path.join(real, "").startswith(root):
                return os.path.relpath(real, root)
        return real

    # ---- reading ----------------------------------------------------------------------------
    def _disk_text(self, real: str, limit: int = MAX_READ_BYTES) -> str | None:
        """The current text outside the overlay (the editor's, else the disk's); None when the file is missing."""
        if self.open_text is not None:
            held = self.open_text(real)
            if held is not None:
                return held
        if not os.path.lexists(real):
            return None
        try:
            raw, _status = disk.read_bytes(real, limit, self.roots)
        except OSError as error:
            raise ToolError(f"{self.shown(real)} cannot be read: {error.strerror or 'not a regular file'}.") from None
        if len(raw) > limit:
            raise ToolError(f"{self.shown(real)} is larger than {limit:,} bytes; the editor does not read it.")
        if b"\x00" in raw:
            raise ToolError(f"{self.shown(real)} is a binary file.")
        return raw.decode("utf-8", errors="replace")

    def text_of(self, real: str) -> str | None:
        """The file as this run sees it (its proposed text first); remembers what it was when first seen."""
        if real in self._overlay:
            return self._overlay[real]
        text = self._disk_text(real)
        self._base.setdefault(real, text)
        return text

    # ---- running --------------------------------------------------------------------------
    def run(self, name: str, arguments: Any) -> ToolOutcome:
        tool = {"Read": self.read, "Grep": self.grep, "Glob": self.glob, "Edit": self.edit, "Write": self.write}
        if name not in tool:
            return ToolOutcome(not_run_message(name), True, f"{name}: not run in the editor")
        if not isinstance(arguments, dict):
            return ToolOutcome("The tool input must be an object.", True, f"{name}: bad input")
        try:
            text, summary = tool[name](arguments)
        except ToolError as error:
            return ToolOutcome(str(error), True, f"{name} refused: {error}")
        except re.error as error:
            return ToolOutcome(f"Invalid regular expression: {error}.", True, f"{name}: invalid pattern")
        if len(text) > RESULT_CHARS:
            text = text[:RESULT_CHARS] + f"\n[agent-lsp: the result was cut at {RESULT_CHARS:,} characters]"
        return ToolOutcome(text, False, summary)

    def read(self, args: Mapping[str, Any]) -> tuple[str, str]:
        real = self._resolve(args.get("file_path"))
        if os.path.isdir(real):
            raise ToolError(f"{args.get('file_path')} is a folder; use Glob to list it.")
        text = self.text_of(real)
        if text is None:
            raise ToolError(f"{args.get('file_path')} does not exist.")
        offset, limit = _whole(args.get("offset"), 1), _whole(args.get("limit"), 0)
        if offset == 1 and not limit and len(text.encode("utf-8")) > MAX_WHOLE_READ_BYTES:
            raise ToolError(
                f"{self.shown(real)} is larger than {MAX_WHOLE_READ_BYTES:,} bytes; read a window of it with "
                "offset and limit, or search it with Grep."
            )
        lines = text.splitlines()
        if not lines:
            return "(the file exists and is empty)", f"Read {self.shown(real)} (empty)"
        start = max(offset, 1)
        window = lines[start - 1 : start - 1 + (limit or READ_LINES)]
        numbered = [f"{start + i:>6}\t{_cut(line)}" for i, line in enumerate(window)]
        last = start + len(window) - 1
        note = "" if last >= len(lines) else f"\n[{len(lines) - last} more lines; read on with offset={last + 1}]"
        where = "" if start == 1 and last >= len(lines) else f" (lines {start}-{last})"
        return "\n".join(numbered) + note, f"Read {self.shown(real)}{where}"

    def _files(self, real: str) -> Iterator[str]:
        """The files under a folder (or the file itself), within the search budget, links to folders not followed."""
        if not os.path.isdir(real):
            yield real
            return
        budget = SEARCH_FILES
        for dirpath, dirnames, filenames in os.walk(real):
            dirnames[:] = sorted(d for d in dirnames if d not in VCS_DIRS and d not in SKIP_DIRS)
            for name in sorted(filenames):
                if self.cancel.is_set() or budget <= 0:
                    return
                budget -= 1
                yield os.path.join(dirpath, name)

    def _listing(self, real: str) -> list[str]:
        """The files a search sees: the disk's, plus the files this run proposes to create."""
        found = list(self._files(real))
        inside_dir = os.path.join(real, "")
        created = [p for p, base in self._base.items() if base is None and p in self._overlay]
        found += [p for p in created if p.startswith(inside_dir)]
        return sorted(dict.fromkeys(found))

    def _searchable(self, path: str) -> str | None:
        real = disk.real_path(path)
        if not disk.inside(real, self.roots):
            return None  # a link out of the workspace
        if real in self._overlay:
            return self._overlay[real]
        try:
            return self._disk_text(real, SEARCH_FILE_BYTES)
        except ToolError:
            return None

    def grep(self, args: Mapping[str, Any]) -> tuple[str, str]:
        pattern = args.get("pattern")
        if not isinstance(pattern, str) or not pattern:
            raise ToolError("`pattern` must be a regular expression.")
        base = self._resolve(args.get("path") or self.cwd, "path")
        flags = (re.IGNORECASE if args.get("-i") is True else 0) | re.MULTILINE
        multiline = args.get("multiline") is True
        regex = re.compile(pattern, flags | (re.DOTALL if multiline else 0))
        mode = args.get("output_mode") if args.get("output_mode") in ("content", "count") else "files_with_matches"
        glob_filter = _glob_filter(args.get("glob"))
        extensions = _TYPES.get(str(args.get("type") or "").lower())
        context = _whole(args.get("-C", args.get("context")), 0)
        before, after = _whole(args.get("-B"), context), _whole(args.get("-A"), context)
        numbers = args.get("-n") is not False
        only = args.get("-o") is True
        entries: list[str] = []
        files: list[str] = []
        total = 0
        for path in self._listing(base):
            rel = os.path.relpath(path, base) if path != base else os.path.basename(path)
            if glob_filter is not None and not glob_filter(rel):
                continue
            if extensions is not None and not path.endswith(extensions):
                continue
            text = self._searchable(path)
            if text is None:
                continue
            matches = list(regex.finditer(text))
            if not matches:
                continue
            files.append(path)
            total += len(matches)
            if mode == "count":
                entries.append(f"{path}:{len(matches)}")
            elif mode == "content":
                entries.extend(_content_lines(path, text, matches, before, after, numbers, only))
        limit, skip = _whole(args.get("head_limit"), HEAD_LIMIT), _whole(args.get("offset"), 0)
        if mode == "files_with_matches":
            entries = list(files)
        shown = entries[skip : skip + limit] if limit else entries[skip:]
        cut = (
            f"\n[showing {len(shown)} of {len(entries)}; use head_limit/offset for more]"
            if len(shown) < len(entries) - skip
            else ""
        )
        where = "the workspace" if os.path.join(base, "") in self.roots else self.shown(base)
        summary = f"Grep '{pattern}' in {where}: {total} match{'es' if total != 1 else ''}"
        if not files:
            return ("No files found" if mode == "files_with_matches" else "No matches found"), summary
        if mode == "files_with_matches":
            return f"Found {len(files)} file{'s' if len(files) != 1 else ''}\n" + "\n".join(shown) + cut, summary
        if mode == "count":
            tail = f"\n\nFound {total} total occurrences across {len(files)} files."
            return "\n".join(shown) + cut + tail, summary
        return "\n".join(shown) + cut, summary

    def glob(self, args: Mapping[str, Any]) -> tuple[str, str]:
        pattern = args.get("pattern")
        if not isinstance(pattern, str) or not pattern.strip():
            raise ToolError("`pattern` must be a glob pattern.")
        base = self._resolve(args.get("path") or self.cwd, "path")
        if os.path.isabs(pattern):
            base_part, pattern = _split_glob(pattern)
            base = self._resolve(base_part, "pattern")
        if not os.path.isdir(base):
            raise ToolError(f"{self.shown(base)} is not a folder.")
        matcher = _glob_regex(pattern)
        found = [p for p in self._listing(base) if matcher.fullmatch(os.path.relpath(p, base).replace(os.sep, "/"))]
        found = [p for p in found if disk.inside(p, self.roots)]
        summary = f"Glob '{pattern}': {len(found)} file{'s' if len(found) != 1 else ''}"
        if not found:
            return "No files found", summary
        text = "\n".join(found[:GLOB_LIMIT])
        if len(found) > GLOB_LIMIT:
            text += f"\n[{len(found) - GLOB_LIMIT} more paths not shown; use a narrower pattern or path]"
        return text, summary

    # ---- editing ----------------------------------------------------------------------------
    def edit(self, args: Mapping[str, Any]) -> tuple[str, str]:
        real = self._resolve(args.get("file_path"))
        old, new = args.get("old_string"), args.get("new_string")
        if not isinstance(old, str) or not isinstance(new, str):
            raise ToolError("`old_string` and `new_string` must be text.")
        if old == new:
            raise ToolError("`old_string` and `new_string` are the same; there is nothing to change.")
        if real not in self._base:
            raise ToolError("The file has not been read in this run; Read it before editing it.")
        text = self.text_of(real)
        if text is None:
            if old:
                raise ToolError(f"{args.get('file_path')} does not exist.")
            self._overlay[real] = new  # an empty old_string on a missing file creates it, as in Claude Code
            return f"Proposed a new file {real}.", f"Edit {self.shown(real)} (new file, proposed)"
        count = text.count(old) if old else 0
        if count == 0:
            raise ToolError("`old_string` was not found in the file.")
        if count > 1 and args.get("replace_all") is not True:
            raise ToolError(
                f"`old_string` occurs {count} times; give more context to make it unique, or set replace_all."
            )
        self._overlay[real] = text.replace(old, new) if args.get("replace_all") is True else text.replace(old, new, 1)
        done = f"{count} replacements" if args.get("replace_all") is True else "1 replacement"
        return (
            f"The edit to {real} is recorded ({done}) and will be proposed to the user when the run ends; "
            "reads in this run see it.",
            f"Edit {self.shown(real)} (proposed)",
        )

    def write(self, args: Mapping[str, Any]) -> tuple[str, str]:
        real = self._resolve(args.get("file_path"))
        content = args.get("content")
        if not isinstance(content, str):
            raise ToolError("`content` must be text.")
        if os.path.isdir(real):
            raise ToolError(f"{args.get('file_path')} is a folder.")
        if real not in self._base:
            if self._disk_text(real) is not None:
                raise ToolError("The file exists and has not been read in this run; Read it before writing it.")
            self._base[real] = None
        self._overlay[real] = content
        what = "new file" if self._base[real] is None else "whole file"
        return (
            f"The {what} {real} is recorded and will be proposed to the user when the run ends.",
            f"Write {self.shown(real)} ({what}, proposed)",
        )

    # ---- the end of a run -------------------------------------------------------------------
    def proposals(self) -> list[Proposal]:
        return [
            Proposal(path, self._base.get(path), text)
            for path, text in sorted(self._overlay.items())
            if text != self._base.get(path)
        ]

    def refusal(self, proposal: Proposal) -> str | None:
        """Why a proposal must not be offered now, or None: it lies outside the workspace, or its file changed
        since the agent read it (or, for a new file, appeared)."""
        if not disk.inside(proposal.path, self.roots):
            return "outside the workspace folders"
        try:
            current = self._disk_text(proposal.path)
        except ToolError:
            return "no longer readable"
        if proposal.base is None:
            return "the file was created meanwhile" if current is not None else None
        if current != proposal.base:
            return "the file changed since the agent read it"
        return None


def _whole(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def _cut(line: str) -> str:
    return line if len(line) <= LINE_CHARS else line[:LINE_CHARS] + "… [line cut]"


def _content_lines(
    path: str, text: str, matches: list[re.Match[str]], before: int, after: int, numbers: bool, only: bool
) -> list[str]:
    lines = text.splitlines()
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)  # close enough for \r\n: a match's line is what counts

    def line_of(offset: int) -> int:
        low, high = 0, len(lines) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if starts[mid] <= offset:
                low = mid
            else:
                high = mid - 1
        return low

    out: list[str] = []
    if only:
        for match in matches:
            if match.group(0):
                n = line_of(match.start())
                out.append(f"{path}:{n + 1}:{match.group(0)}" if numbers else f"{path}:{match.group(0)}")
        return out
    hit_lines = sorted({line_of(m.start()) for m in matches})
    hits = set(hit_lines)
    shown: list[int] = []
    for n in hit_lines:
        for k in range(max(0, n - before), min(len(lines), n + after + 1)):
            if not shown or k > shown[-1]:
                if shown and k > shown[-1] + 1 and (before or after):
                    out.append("--")
                shown.append(k)
                mark = ":" if k in hits else "-"
                out.append(f"{path}{mark}{k + 1}{mark}{_cut(lines[k])}" if numbers else f"{path}{mark}{_cut(lines[k])}")
    return out


def _braces(pattern: str) -> list[str]:
    """`*.{ts,tsx}` -> `*.ts`, `*.tsx` (one level of braces, as glob users write them)."""
    match = re.search(r"\{([^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    return [
        expanded
        for choice in match.group(1).split(",")
        for expanded in _braces(pattern[: match.start()] + choice + pattern[match.end() :])
    ]


def _glob_filter(value: Any) -> Callable[[str], bool] | None:
    if not isinstance(value, str) or not value.strip():
        return None
    patterns = _braces(value.strip())

    def accepts(rel: str) -> bool:
        rel = rel.replace(os.sep, "/")
        name = rel.rsplit("/", 1)[-1]
        return any(
            _glob_regex(p).fullmatch(rel) is not None if "/" in p else fnmatch.fnmatchcase(name, p) for p in patterns
        )

    return accepts


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob (`**` crosses folders, `*` and `?` do not, `{a,b}` and `[...]` as usual) as a regular expression."""
    alternatives = []
    for single in _braces(pattern.strip().removeprefix("./")):
        out, i = [], 0
        while i < len(single):
            if single.startswith("**/", i):
                out.append("(?:.*/)?")
                i += 3
            elif single.startswith("**", i):
                out.append(".*")
                i += 2
            elif single[i] == "*":
                out.append("[^/]*")
                i += 1
            elif single[i] == "?":
                out.append("[^/]")
                i += 1
            elif single[i] == "[" and "]" in single[i + 1 :]:
                end = single.index("]", i + 1)
                out.append("[" + single[i + 1 : end].replace("!", "^", 1) + "]")
                i = end + 1
            else:
                out.append(re.escape(single[i]))
                i += 1
        alternatives.append("".join(out))
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


def _split_glob(pattern: str) -> tuple[str, str]:
    """An absolute glob as (the folder before its first wildcard, the rest)."""
    parts = Path(pattern).parts
    for i, part in enumerate(parts):
        if any(c in part for c in "*?[{"):
            return str(Path(*parts[:i])), "/".join(parts[i:])
    return str(Path(*parts[:-1])), parts[-1]

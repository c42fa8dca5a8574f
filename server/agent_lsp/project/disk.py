"""The one bounded reader of project files: regular files only, never more than a limit's bytes.

Every file the project model reads (agents, skills, commands, `CLAUDE.md`, `.mcp.json`, plugin
manifests), and every file `agent-lsp check` checks, is read here. A FIFO, a device or a folder
is refused before a byte is read (opening one could block, reading one could never end), and a
file is read up to one byte past the limit, so a larger one is told apart without reading it all.
`inside` is the one containment rule: a path counts as inside a set of folders when its real
path (every link resolved) lies in one of theirs, so a link in `.claude/agents/` to `/etc/…` or
to `/` reads nothing. Readers given `roots` apply it before opening.
It also keeps the few texts read again for navigation (`disk_text`).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from agent_lsp.syntax.text import LineIndex

MAX_FILE_BYTES = 1_000_000  # an agent, skill or manifest larger than this is not worth indexing


def stamp_of(status: os.stat_result) -> int:
    """What tells a file's versions apart without keeping its text: size, mtime and inode."""
    return hash((status.st_size, status.st_mtime_ns, status.st_ino))


def text_digest(text: str) -> bytes:
    """What tells two texts apart, small enough to keep (or send between processes) instead of the texts."""
    import hashlib  # here, not at start-up: importing it initialises OpenSSL (~0.6 MB RSS)

    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


Roots = tuple[str, ...]


def real_roots(folders: Iterable[str | Path]) -> Roots:
    """Each folder's real path, as a prefix (`/a/` holds `/a/b`, not `/ab`): what `inside` compares with."""
    return tuple(os.path.join(os.path.normcase(os.path.realpath(folder)), "") for folder in folders)


def real_path(path: str | Path, folders: dict[str, str] | None = None) -> str:
    """The path with every link resolved (a link loop is left as it stands: opening it then fails),
    case-folded where the file system ignores case; `folders` as for `resolved`."""
    return os.path.normcase(resolved(path, folders))


def resolved(path: str | Path, folders: dict[str, str] | None = None) -> str:
    """`os.path.realpath`. `folders`: the real paths of folders found so far in one walk, by path, so
    that a walk over thousands of files resolves each folder once (and asks of each file only whether
    it is itself a link)."""
    if folders is None:
        return os.path.realpath(path)
    head, name = os.path.split(os.fspath(path))
    if not head or not name or name in (".", "..") or os.path.islink(path):
        return os.path.realpath(path)
    real = folders.get(head)
    if real is None:
        if len(folders) >= 100_000:
            folders.clear()
        real = folders[head] = os.path.realpath(head)
    return os.path.join(real, name)


def inside(path: str | Path, roots: Roots, folders: dict[str, str] | None = None) -> bool:
    """Whether the file's real path lies in one of `roots` (made by `real_roots`); `folders` as for `real_path`."""
    return os.path.join(real_path(path, folders), "").startswith(roots)


def read_bytes(path: str | Path, limit: int, roots: Roots | None = None) -> tuple[bytes, os.stat_result]:
    """At most `limit + 1` bytes of a regular file (more than `limit` says the file is larger), and its
    status, taken before reading: a write in between makes the next stamp check see a change.
    With `roots`, only a file whose real path lies inside them is read (`inside`).

    Raises OSError when the file is missing or unreadable, is not a regular file, or lies outside `roots`."""
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; regular files ignore it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if roots is not None:
        real = real_path(path)
        if not os.path.join(real, "").startswith(roots):
            raise OSError(errno.EACCES, "outside the workspace", str(path))
        # The real path itself, not followed again: a link swapped in after the check is refused.
        path, flags = real, flags | getattr(os, "O_NOFOLLOW", 0)
    with open(os.open(path, flags), "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if roots is not None and not _opened_inside(handle.fileno(), roots):
            # A folder on the way was swapped for a link between the check above and the open
            # (O_NOFOLLOW guards only the last part of the path): what was opened is outside.
            raise OSError(errno.EACCES, "outside the workspace", str(path))
        # Asking for `limit + 1` bytes at once would allocate that much for every small file (a 5 MB
        # buffer per agent in `check`): ask for the size it has, then for the rest when it grew since.
        wanted = min(limit + 1, status.st_size + 1)
        data = handle.read(wanted)
        if len(data) == wanted < limit + 1:
            data += handle.read(limit + 1 - wanted)
        return data, status


def _opened_inside(fd: int, roots: Roots) -> bool:
    """Whether the file open as `fd` lies inside `roots`, by the path the kernel opened (Linux's
    /proc/self/fd); where the system does not say, the check made before the open stands."""
    try:
        opened = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return True
    return os.path.join(os.path.normcase(opened), "").startswith(roots)


def read_text(path: str | Path, limit: int = MAX_FILE_BYTES, roots: Roots | None = None) -> tuple[str, int] | None:
    """The file's text exactly as an editor holds it (line breaks kept, so offsets agree) and its stamp;
    None for a file that is missing, unreadable, not regular, larger than `limit`, binary, not UTF-8,
    or (with `roots`) outside them."""
    try:
        raw, status = read_bytes(path, limit, roots)
        if len(raw) > limit or b"\x00" in raw:
            return None
        return raw.decode("utf-8"), stamp_of(status)
    except (OSError, UnicodeDecodeError):
        return None


def read_json(path: str | Path, roots: Roots | None = None) -> Any:
    """A small JSON file's value; None when it cannot be read or parsed, or (with `roots`) lies outside
    them (a broken `.mcp.json` must never break a feature)."""
    read = read_text(path, roots=roots)
    if read is None:
        return None
    try:
        return json.loads(read[0])
    except (ValueError, RecursionError):  # RecursionError: `[[[[…]]]]` nested past the parser's depth
        return None


class DiskText:
    """A text read again from disk, with the stamp it was read at and (on demand) its line table."""

    __slots__ = ("lines", "stamp", "text")

    def __init__(self, stamp: int, text: str) -> None:
        self.stamp = stamp
        self.text = text
        self.lines: LineIndex | None = None


# The last few texts read again (a references result maps several spans per file, one file after another),
# within a budget of characters so that what is kept stays small; the latest is kept whatever its size.
_DISK_TEXTS: OrderedDict[str, DiskText] = OrderedDict()
_DISK_TEXTS_KEPT = 8
_DISK_TEXTS_CHARS = 200_000


def disk_text(path: str) -> DiskText | None:
    """The file's current text (from the small cache while its stamp holds)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    record = _DISK_TEXTS.pop(path, None)
    if record is None or record.stamp != stamp_of(status):
        read = read_text(path)
        if read is None:
            return None
        record = DiskText(read[1], read[0])
    _DISK_TEXTS[path] = record  # (last: the most recent)
    kept = sum(len(r.text) for r in _DISK_TEXTS.values())  # at most a few entries
    while len(_DISK_TEXTS) > 1 and (len(_DISK_TEXTS) > _DISK_TEXTS_KEPT or kept > _DISK_TEXTS_CHARS):
        kept -= len(_DISK_TEXTS.popitem(last=False)[1].text)
    return record

"""The one bounded reader of project files: regular files only, never more than a limit's bytes.

Every file the project model reads (agents, skills, commands, `CLAUDE.md`, `.mcp.json`, plugin
manifests), and every file `agent-lsp check` checks, is read here. A FIFO, a device or a folder
is refused before a byte is read (opening one could block, reading one could never end), and a
file is read up to one byte past the limit, so a larger one is told apart without reading it all.
It also keeps the few texts read again for navigation (`disk_text`).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections import OrderedDict
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


def read_bytes(path: str | Path, limit: int) -> tuple[bytes, os.stat_result]:
    """At most `limit + 1` bytes of a regular file (more than `limit` says the file is larger), and its
    status, taken before reading: a write in between makes the next stamp check see a change.

    Raises OSError when the file is missing or unreadable, or is not a regular file."""
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; regular files ignore it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    with open(os.open(path, flags), "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return handle.read(limit + 1), status


def read_text(path: str | Path, limit: int = MAX_FILE_BYTES) -> tuple[str, int] | None:
    """The file's text exactly as an editor holds it (line breaks kept, so offsets agree) and its stamp;
    None for a file that is missing, unreadable, not regular, larger than `limit`, binary or not UTF-8."""
    try:
        raw, status = read_bytes(path, limit)
        if len(raw) > limit or b"\x00" in raw:
            return None
        return raw.decode("utf-8"), stamp_of(status)
    except (OSError, UnicodeDecodeError):
        return None


def read_json(path: str | Path) -> Any:
    """A small JSON file's value; None when it cannot be read or parsed (a broken `.mcp.json` must
    never break a feature)."""
    read = read_text(path)
    if read is None:
        return None
    try:
        return json.loads(read[0])
    except ValueError:
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

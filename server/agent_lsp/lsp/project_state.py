"""The project index as the editor sees it: built off the event loop, kept in step with open documents.

The index is built when the client says `initialized` (`start`), and the walk and the reading of
thousands of files never hold up an answer:
- a worker thread first looks at the workspace's size (`_large`: a bounded walk). A small one it
  indexes itself, in an index of its own that nothing else touches, handed over to the event loop
  when done (`_finish`);
- a large one is scanned by a separate process (`project.scanner`: its own interpreter walks, reads
  and parses, so the server's keeps answering at full speed), which the worker thread starts. The
  event loop adopts the entries it sends, a frame of a few dozen files at a time with a pause
  between frames, and only once the client has been quiet for a moment (`Session.until_quiet`: a
  keystroke goes first), into an index that only the loop touches and that is used once complete.
  If the process cannot start or fails, the worker thread builds the index instead.
From then on only the event loop reads or changes the index, so it is never used by two threads at once.
Meanwhile:
- a document's own findings are published at once, without cross-file ones; when the index is
  ready every open document is diagnosed again (pushed), or a pulling client is asked to pull;
- completion and hover ask a provisional index that holds the open
  documents only (`current`), so they answer at once, and so do the architect's code actions
  (listing the agents known so far);
- cross-file navigation (definition, references, rename, workspace symbols), asking an agent and
  the agent list await the index (`built`) without holding up other requests: an answer from part
  of the workspace would be wrong, a rename most of all;
- files the client's watchers report are kept and applied to the index when it arrives;
- the client sees the progress (`$/progress`, "Indexing 4,000/10,000") when it supports it and the
  workspace holds at least `PROGRESS_MIN_FILES` files.

With no event loop (a handler called directly, as the unit tests do) the index is built at once.
Once built, it follows the editor's text of open documents (synced before each use) and the files
the client's watchers report. When a change alters what other files resolve to, the open
documents concerned are re-diagnosed (pushed) or the client is asked to pull again
(`workspace/diagnostic/refresh`).

The index and the cross-file checks (and the parser and validator they bring) are imported
where they are first used: this module is loaded before the server answers `initialize`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from agent_lsp.project.paths import FileKind, uri_to_path

if TYPE_CHECKING:
    from agent_lsp.checks.findings import Finding
    from agent_lsp.features.analysis import Analysis
    from agent_lsp.lsp.session import Session
    from agent_lsp.project.index import WorkspaceIndex

log = logging.getLogger(__name__)

_TOKENS = itertools.count(1)
PROGRESS_MIN_FILES = 1_000  # files to index before the client is shown a progress bar


class _Build:
    """One build of the index, off the event loop: what it reads, and what it hands over."""

    def __init__(self, roots: list[str], user_dir: Path | None) -> None:
        self.roots = roots
        self.user_dir = user_dir
        self.finished = threading.Event()  # set once `result` holds the index
        self.result: WorkspaceIndex | None = None
        self.token: str | None = None  # the client's progress bar, once it agreed to show one
        self.ended = False  # the progress bar was ended (reports arriving later are dropped)
        self.done = 0
        self.total = 0
        self.waiters: list[asyncio.Future[None]] = []  # requests waiting for the index (`built`)
        # The scanning process, for a large workspace (asyncio's where the loop started it: not POSIX).
        self.child: subprocess.Popen[bytes] | asyncio.subprocess.Process | None = None
        self.large = False  # read by the scanning process (known once `decided` is set)
        self.decided = threading.Event()


class ProjectState:
    """The session's index and what it has told the client about it."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._index: WorkspaceIndex | None = None  # the built index: the event loop's alone
        self._provisional: WorkspaceIndex | None = None  # open documents only, until the index is built
        self._build: _Build | None = None  # the build under way
        self._missed: list[tuple[str, bool]] = []  # (path, deleted) the watchers reported during the build
        self._user_dir: Path | None = None
        self._user_dir_known = False
        self._versions: dict[str, int | None] = {}  # open document path -> version fed to the index
        self._indexable: dict[str, bool] = {}
        self.announced = 0  # the index generation the open documents were last diagnosed with
        self._pending: set[str] = set()  # open documents to re-publish
        self._shown: set[str] = set()  # open documents last diagnosed with some cross-file finding
        self._republish_scheduled = False
        self._refresh_pending = False
        self._tasks: set[asyncio.Task[None]] = set()  # progress set-ups and child scans in flight

    # ---- building the index --------------------------------------------------------------------
    @property
    def user_dir(self) -> Path | None:
        """The user's `~/.claude` the index reads (known without building the index)."""
        if not self._user_dir_known:
            from agent_lsp.project.paths import default_user_dir

            self._user_dir, self._user_dir_known = default_user_dir(), True
        return self._user_dir

    @property
    def ready(self) -> bool:
        """Whether the index is built (cross-file findings and navigation can be answered)."""
        return self._index is not None

    def start(self) -> None:
        """Start building the index off the event loop (at once when there is no event loop)."""
        if self._index is not None or self._build is not None:
            return
        build = _Build(list(self._session.workspace_roots()), self.user_dir)
        self._build = build
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a direct call in tests): build it now
            self._work(build, None)
            self._finish(build)
            return
        _share_the_interpreter(True)
        threading.Thread(target=self._work, args=(build, loop), name="agent-lsp-index", daemon=True).start()

    def _work(self, build: _Build, loop: asyncio.AbstractEventLoop | None, probe: bool = True) -> None:
        """The worker thread: build an index of its own, then hand it to the event loop. A large workspace
        is handed to a scanning process instead (`_scan_in_child`), whose entries the event loop adopts."""
        from agent_lsp.project.index import WorkspaceIndex

        index = WorkspaceIndex(build.roots, build.user_dir)
        if probe:  # (a build handed back by a failed scanning process stays large: nothing waits for it)
            try:
                build.large = loop is not None and _large(index)
            finally:
                build.decided.set()
        if probe and build.large and loop is not None:
            child = _spawn_scanner(build)  # here, not on the event loop (see `_spawn_scanner`)
            with contextlib.suppress(RuntimeError):  # the loop is closed: the server is shutting down
                loop.call_soon_threadsafe(self._start_child, build, loop, child)
                return
            if child is not None:
                child.kill()
                child.wait()
            return

        def progress(done: int, total: int) -> None:
            if loop is not None:
                loop.call_soon_threadsafe(self._progress, build, done, total)

        try:
            index.scan(progress=progress)
        except Exception:  # a failed walk leaves an index of what was read; the server carries on
            log.exception("building the workspace index failed")
        finally:  # whatever happened, whoever waits for the build is let go
            build.result = index
            build.finished.set()
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: the server is shutting down
                loop.call_soon_threadsafe(self._finish, build)

    def _start_child(
        self, build: _Build, loop: asyncio.AbstractEventLoop, child: subprocess.Popen[bytes] | None
    ) -> None:
        """On the event loop: read the scanning process the worker thread started (None: start it here)."""
        if build is not self._build:
            if child is not None:  # dropped meanwhile: the process is ended, out of the loop's way
                child.kill()
                threading.Thread(target=child.wait, name="agent-lsp-reap", daemon=True).start()
            return
        _share_the_interpreter(False)  # no thread competes for the interpreter now
        task = loop.create_task(self._scan_in_child(build, loop, child))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _scan_in_child(
        self, build: _Build, loop: asyncio.AbstractEventLoop, child: subprocess.Popen[bytes] | None
    ) -> None:
        """Read a scanning process's entries (`project.scanner`) into an index, a frame at a time, letting
        the event loop answer between two frames; when the process fails, a worker thread builds it."""
        import pickle

        from agent_lsp.lsp.warmup import out_of_collections
        from agent_lsp.project import scanner
        from agent_lsp.project.index import PROGRESS_STEP, WorkspaceIndex

        index = WorkspaceIndex(build.roots, build.user_dir)
        transport: asyncio.ReadTransport | None = None
        process: asyncio.subprocess.Process | None = None  # (started here: see `_spawn_scanner`)
        try:
            if child is not None and child.stdout is not None:
                build.child = child
                stream = asyncio.StreamReader(loop=loop)
                transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), child.stdout)
            else:
                process = build.child = await asyncio.create_subprocess_exec(
                    *scanner.command(),
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.DEVNULL,
                )
                assert process.stdin is not None and process.stdout is not None
                process.stdin.write(scanner.request(build.roots, build.user_dir))
                process.stdin.close()
                stream = process.stdout
            reported = 0
            while True:
                (size,) = scanner.HEADER.unpack(await stream.readexactly(scanner.HEADER.size))
                if size > scanner.MAX_FRAME:
                    raise ValueError(f"a frame of {size} bytes")
                body = await stream.readexactly(size)
                while (wait := self._session.until_quiet()) > 0:
                    await asyncio.sleep(wait)  # the client's message first (the process waits on its pipe)
                if build is not self._build:
                    return  # dropped (the folders changed): the process is ended below
                kind, value = pickle.loads(body)
                if kind == "total":
                    self._progress(build, 0, value)
                elif kind == "entries":
                    index.adopt(value)
                    out_of_collections()  # the entries live as long as the index
                    read = reported + len(value)
                    # Reported in steps of PROGRESS_STEP files, as a scan in the thread reports them.
                    if read // PROGRESS_STEP > reported // PROGRESS_STEP and read < build.total:
                        self._progress(build, read // PROGRESS_STEP * PROGRESS_STEP, build.total)
                    reported = read
                elif kind == "done":
                    self._progress(build, reported, build.total)
                    break
                await asyncio.sleep(0)  # a frame already read would otherwise be adopted without a pause
            index.finish_scan()
        except Exception:  # no process, or it failed: a worker thread builds the index instead
            log.warning("indexing in a separate process failed; indexing in a thread", exc_info=True)
            if build is self._build:
                build.done = 0
                _share_the_interpreter(True)
                thread = threading.Thread(target=self._work, args=(build, loop, False), name="agent-lsp-index")
                thread.daemon = True
                thread.start()
            return
        finally:
            if transport is not None:
                transport.close()
            elif child is not None and child.stdout is not None:
                child.stdout.close()
            if child is not None:
                if child.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        child.kill()
                await asyncio.to_thread(child.wait)  # (reaped off the loop)
            if process is not None:
                if process.returncode is None:
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
                await process.wait()
            build.child = None
        build.result = index
        build.finished.set()
        self._finish(build)

    def _finish(self, build: _Build) -> None:
        """On the event loop: adopt a finished build (unless a newer one replaced it, or it was adopted)."""
        if build is not self._build or build.result is None:
            return
        self._build = None
        _share_the_interpreter(False)
        index = self._index = build.result
        self._provisional = None
        self._versions.clear()
        missed, self._missed = self._missed, []
        for path, deleted in missed:
            if deleted:
                index.remove(path)
            else:
                index.refresh(path)
        self.sync()
        index.take_changes()
        self.announced = index.generation
        self._end_progress(build)
        for waiter in build.waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._announce_everything()

    def _wait(self) -> WorkspaceIndex:
        """The built index, waiting for the build under way (starting one when none is). On the event
        loop, which must not wait for a build it takes part in, the index is built here and now."""
        if self._index is None:
            self.start()
            build = self._build
            if build is not None:
                try:
                    asyncio.get_running_loop()
                except RuntimeError:  # not on the loop: the worker thread finishes without it
                    build.finished.wait()
                    self._finish(build)
                else:
                    self._build_now(build)
        assert self._index is not None
        return self._index

    def _build_now(self, build: _Build) -> None:
        """Replace the build under way by one made at once (the background one is dropped when it ends)."""
        from agent_lsp.project.index import WorkspaceIndex

        if build.child is not None:  # (a process that has ended already is not signalled)
            with contextlib.suppress(ProcessLookupError):
                build.child.kill()
        now = _Build(build.roots, build.user_dir)
        now.token, now.waiters = build.token, build.waiters
        self._build = now
        index = WorkspaceIndex(now.roots, now.user_dir)
        try:
            index.scan()
        except Exception:
            log.exception("building the workspace index failed")
        now.result = index
        now.finished.set()
        self._finish(now)

    async def built(self) -> WorkspaceIndex:
        """The built index, synced with the open documents: awaits the build under way without holding
        up anything else (what cross-file navigation and the architect's agent list ask)."""
        if self._index is None:
            self.start()
            build = self._build
            if build is not None and self._index is None:
                waiter = asyncio.get_running_loop().create_future()
                build.waiters.append(waiter)
                await waiter
        return self.index

    # ---- progress --------------------------------------------------------------------------------
    def _begin_progress(self, build: _Build) -> None:
        """Ask the client for a progress bar, when it can show one and the workspace is large enough that
        indexing takes a noticeable time (a small one is indexed before a bar could appear)."""
        window = self._session.server.client_capabilities.window
        if window is None or not window.work_done_progress or build.total < PROGRESS_MIN_FILES:
            return
        task = asyncio.get_running_loop().create_task(self._create_progress(build))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _create_progress(self, build: _Build) -> None:
        from lsprotocol import types

        token = f"agent-lsp-indexing-{next(_TOKENS)}"
        progress = self._session.server.work_done_progress
        try:
            await progress.create_async(token)
        except Exception:  # the client refused a progress bar: index without one
            return
        if build.ended or build is not self._build:
            return
        build.token = token
        progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="Indexing", message=_count(build.done, build.total), percentage=_percent(build)
            ),
        )

    def _progress(self, build: _Build, done: int, total: int) -> None:
        first = build.total == 0
        build.done, build.total = done, total
        if first and not build.ended:
            self._begin_progress(build)
        if build.token is None or build.ended:
            return
        from lsprotocol import types

        self._session.server.work_done_progress.report(
            build.token, types.WorkDoneProgressReport(message=_count(done, total), percentage=_percent(build))
        )

    def _end_progress(self, build: _Build) -> None:
        build.ended = True
        if build.token is None:
            return
        from lsprotocol import types

        self._session.server.work_done_progress.end(
            build.token, types.WorkDoneProgressEnd(message=f"Indexed {build.total:,} files")
        )

    # ---- the index ------------------------------------------------------------------------------
    @property
    def index(self) -> WorkspaceIndex:
        """The built index, synced with the open documents: waits for a build under way."""
        index = self._wait()
        self.sync()
        return index

    @property
    def known(self) -> WorkspaceIndex:
        """The built index; while a large workspace is read by the scanning process, what `current` holds.
        A small workspace's build (the worker thread's, a few milliseconds) is waited for."""
        if self._index is None:
            self.start()  # (at once when there is no event loop)
        build = self._build
        if self._index is None and build is not None:
            build.decided.wait()
            if not build.large:
                build.finished.wait()
                self._finish(build)
        return self.current

    @property
    def current(self) -> WorkspaceIndex:
        """The built index, or until it is built one that holds the open documents only: never waits."""
        index = self._current()
        self.sync()
        return index

    def _current(self) -> WorkspaceIndex:
        if self._index is not None:
            return self._index
        self.start()
        if self._index is not None:
            return self._index
        if self._provisional is None:
            from agent_lsp.project.index import WorkspaceIndex

            self._provisional = WorkspaceIndex(list(self._session.workspace_roots()), self.user_dir)
        return self._provisional

    def file_changed(self, path: str, deleted: bool) -> None:
        """A watcher reported a file: the index follows it (kept for the index while it is built)."""
        if self._index is None:
            self._missed.append((path, deleted))
            self.start()
            return
        if deleted:
            self._index.remove(path)
        else:
            self._index.refresh(path)

    def rescan(self) -> None:
        """The workspace folders changed: build the index again (a build under way is dropped, and whoever
        waited for it waits for the new one)."""
        dropped = self._build
        if dropped is not None:
            self._end_progress(dropped)
        self._index = None
        self._provisional = None
        self._build = None
        self._missed.clear()
        self._versions.clear()
        self.start()
        if dropped is not None:
            if self._build is not None:
                self._build.waiters.extend(dropped.waiters)
            else:
                for waiter in dropped.waiters:
                    if not waiter.done():
                        waiter.set_result(None)

    def _is_indexable(self, path: str) -> bool:
        known = self._indexable.get(path)
        if known is None:
            from agent_lsp.project.paths import locate

            known = locate(path, self.user_dir) is not None
            self._indexable[path] = known
        return known

    def sync(self) -> None:
        """Feed the index the editor's text of open documents; closed ones go back to their disk text."""
        index = self._index if self._index is not None else self._provisional
        if index is None:
            return
        open_paths: set[str] = set()
        for uri, document in list(self._session.server.workspace.text_documents.items()):
            path = uri_to_path(uri)
            if path is None:
                continue
            path = os.path.normpath(path)
            if not self._is_indexable(path):
                continue
            open_paths.add(path)
            if path in self._versions and self._versions[path] == document.version and path in index.overlays:
                continue
            index.set_overlay(path, document.source)
            self._versions[path] = document.version
        for path in [p for p in index.overlays if p not in open_paths]:
            index.clear_overlay(path)
            self._versions.pop(path, None)

    # ---- telling the client --------------------------------------------------------------------
    def announce(self, exclude: str | None = None) -> None:
        """After the index changed: re-diagnose the open documents concerned, or ask a pulling client to pull.

        Only documents that share a changed name or refer to one are re-published, once per burst of
        changes (coalesced until the event loop is free), so opening or editing many agents stays linear.
        """
        index = self._index
        if index is None:
            return
        from agent_lsp.project.index import entry_names

        everything, names = index.take_changes()
        if not everything and not names:
            return
        self.announced = index.generation
        session = self._session
        if session.client_pulls_diagnostics:
            self._ask_to_pull()
            return
        for uri in list(session.server.workspace.text_documents):
            if uri == exclude or uri in self._pending:
                continue
            path = uri_to_path(uri)
            entry = index.get(path) if path else None
            if entry is None:
                continue
            if everything or entry_names(entry) & names or any(n in names for n in entry.reference_names):
                self._pending.add(uri)
        self._schedule_republish()

    def _announce_everything(self) -> None:
        """The index was (re)built: every open document's cross-file findings may have changed."""
        session = self._session
        if session.client_pulls_diagnostics:
            self._ask_to_pull()
            return
        # A document diagnosed before the index was built got no cross-file finding: only those that
        # have some now, or showed some before a rebuild, are diagnosed again.
        for uri in list(session.server.workspace.text_documents):
            if uri in self._shown or self.findings(session.analysis(uri)):
                self._pending.add(uri)
        self._schedule_republish()

    def _ask_to_pull(self) -> None:
        """A client that pulls diagnostics is asked to pull again (once per burst), when it can be asked."""
        workspace = self._session.server.client_capabilities.workspace
        diagnostics = workspace.diagnostics if workspace else None
        if diagnostics is not None and diagnostics.refresh_support and not self._refresh_pending:
            self._refresh_pending = True
            self._later(self._refresh)

    def _schedule_republish(self) -> None:
        """Publish the pending documents once the event loop is free (coalescing a burst of changes)."""
        if self._pending and not self._republish_scheduled:
            self._republish_scheduled = True
            self._later(self._republish)

    def _later(self, action: Callable[[], None]) -> None:
        try:
            asyncio.get_running_loop().call_soon(action)
        except RuntimeError:  # no event loop (a direct call in tests): now
            action()

    def _refresh(self) -> None:
        self._refresh_pending = False
        self._session.server.workspace_diagnostic_refresh(None)

    def _republish(self) -> None:
        self._republish_scheduled = False
        pending, self._pending = self._pending, set()
        for uri in pending:
            if uri in self._session.server.workspace.text_documents:
                self._session.publish(uri)

    # ---- cross-file findings -------------------------------------------------------------------
    def findings(self, analysis: Analysis) -> list[Finding]:
        """The cross-file findings the session's diagnostics add to a document's own."""
        settings = analysis.kind is FileKind.SETTINGS and analysis.json is not None
        if (analysis.kind is None and not analysis.is_agent) or (
            analysis.kind is not None and analysis.kind.is_json and not settings
        ):
            return []  # the other JSON files (manifests, `.mcp.json`, hooks) have no cross-file findings yet
        from agent_lsp.checks import configure, crossfile

        if self._index is None:
            self.start()  # the document's own findings go out now; the cross-file ones when the index is built
            if self._index is None:
                return []
        try:
            index = self.index_for(analysis)
            if settings and analysis.json is not None:  # `outputStyle` names a style of the index
                result = configure.apply_json(crossfile.settings_findings(analysis.json, index), analysis.context)
            else:
                result = configure.apply(analysis.parsed, crossfile.findings_for(analysis, index), analysis.context)
            self.announce(exclude=analysis.uri)
        except Exception:  # a cross-file problem must never cost the file its own diagnostics
            log.exception("cross-file checks failed for %s", analysis.uri)
            return []
        if result:
            self._shown.add(analysis.uri)
        else:
            self._shown.discard(analysis.uri)
        return result

    def index_for(self, analysis: Analysis) -> WorkspaceIndex:
        """The index (`current`: never waits), with this open document's text fed first from its analysis
        (no second parse)."""
        index = self._current()
        if analysis.version is not None and analysis.path:
            path = os.path.normpath(analysis.path)
            document = self._session.server.workspace.text_documents.get(analysis.uri)
            current = document is not None and document.version == analysis.version and self._is_indexable(path)
            if current and (self._versions.get(path) != analysis.version or path not in index.overlays):
                index.set_overlay(path, analysis.text, analysis.parsed)
                self._versions[path] = analysis.version
        return self.current


def _spawn_scanner(build: _Build) -> subprocess.Popen[bytes] | None:
    """Start the scanning process and hand it what to scan, from the worker thread. Started on the event
    loop, the process's start held the loop several milliseconds (asyncio's child watcher starts a
    thread per process and waits for it), and the first keystroke after opening a file in a large
    workspace waited for it. None where the loop cannot read a plain pipe (not POSIX: asyncio's own
    process is started on the loop instead) or the process cannot start (the loop tries once more,
    then a thread indexes)."""
    if os.name != "posix":
        return None
    from agent_lsp.project import scanner

    try:
        child = subprocess.Popen(
            scanner.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
    except OSError:
        log.warning("the scanning process could not start", exc_info=True)
        return None
    try:
        assert child.stdin is not None
        child.stdin.write(scanner.request(build.roots, build.user_dir))
        child.stdin.close()
    except OSError:  # it ended already: reading its output finds out, and a thread indexes instead
        pass
    return child


PROCESS_MIN_FILES = 500  # files to index from which a scanning process reads them (a thread reads fewer)
PROBE_DIRECTORIES = 2_000  # folders the worker thread lists to tell a small workspace from a large one


def _large(index: WorkspaceIndex) -> bool:
    """Whether the workspace is large enough to be read by a scanning process: `PROCESS_MIN_FILES` files
    found within `PROBE_DIRECTORIES` folders (a small one is read in the thread, before a process
    could even start)."""
    from agent_lsp.project.paths import WalkBudget, discover

    budget = WalkBudget(directories=PROBE_DIRECTORIES, files=PROCESS_MIN_FILES)
    found = sum(1 for _ in discover(index.folders, index.user_dir, index.walk, budget))
    return found >= PROCESS_MIN_FILES or budget.visited >= PROBE_DIRECTORIES


_SWITCH_INTERVAL = sys.getswitchinterval()
BUILD_SWITCH_INTERVAL = 0.0005  # seconds: how long the event loop may wait for the worker to let it run


def _share_the_interpreter(building: bool) -> None:
    """While the worker builds the index, the event loop's thread waits at most `BUILD_SWITCH_INTERVAL`
    for the interpreter each time it asks for it (5 ms by default, several times per request): a
    keystroke during indexing is then answered about as fast as after it."""
    sys.setswitchinterval(BUILD_SWITCH_INTERVAL if building else _SWITCH_INTERVAL)


def _count(done: int, total: int) -> str:
    return f"{done:,}/{total:,}"


def _percent(build: _Build) -> int:
    return min(100, 100 * build.done // build.total) if build.total else 0

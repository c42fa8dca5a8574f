#!/usr/bin/env python3
"""agent-lsp's server with a probe on its event loop: how long the loop is held while the index is built.

    python benchmarks/loop_probe.py OUT.json     # serves LSP over stdio, like `python -m agent_lsp`

`benchmarks/scaling.py` starts it in place of the server (its `--probe` option). From the client's
`initialized` on, a task on the event loop wakes every millisecond and records how late it woke
(the loop was busy: a gap), and the pieces of index work that ran on the loop are timed (a frame's
unpickling and adoption, the end of the build, progress reports) together with the garbage
collector's passes. When the server exits, OUT.json gets the gaps and the pieces' durations, split
into during the build (from `initialized` until the index is handed over) and after.
The probe costs the loop a wake-up per millisecond; it measures, it is not how the server runs.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import gc
import json
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TICK = 0.001  # seconds between two wake-ups of the probe


class Probe:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.start: float | None = None
        self.built: float | None = None
        self.gaps: list[tuple[float, float]] = []  # (when, ms late)
        self.pieces: dict[str, list[tuple[float, float]]] = {}  # name -> (when, ms)
        # name -> (when, CPU ms of the loop's thread): what the piece itself cost, without the time the
        # process waited for a core (on a busy machine the wall times above include that wait)
        self.cpu: dict[str, list[tuple[float, float]]] = {}
        self._gc_started = (0.0, 0.0)

    def timed(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began, cpu = time.perf_counter(), time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.pieces.setdefault(name, []).append((began, (time.perf_counter() - began) * 1000))
                self.cpu.setdefault(name, []).append((began, (time.thread_time() - cpu) * 1000))

        return wrapper

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = (time.perf_counter(), time.thread_time())
        else:
            name = f"gc gen{info['generation']}"
            began, cpu = self._gc_started
            self.pieces.setdefault(name, []).append((began, (time.perf_counter() - began) * 1000))
            self.cpu.setdefault(name, []).append((began, (time.thread_time() - cpu) * 1000))

    async def tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            self.gaps.append((now, (now - last - TICK) * 1000))
            last = now

    def report(self) -> dict[str, Any]:
        built = self.built if self.built is not None else float("inf")
        start = self.start or 0.0

        def split(values: list[tuple[float, float]]) -> dict[str, Any]:
            during = sorted(ms for at, ms in values if start <= at < built)
            after = sorted(ms for at, ms in values if at >= built)
            return {"during": _stats(during), "after": _stats(after)}

        def longest(table: dict[str, list[tuple[float, float]]]) -> list[tuple[float, float, str]]:
            """The ten longest pieces during indexing: (ms, ms after `initialized` it ended, name)."""
            during = (
                (ms, (at - start) * 1000, name)
                for name, values in table.items()
                for at, ms in values
                if start <= at < built
            )
            return sorted(during, reverse=True)[:10]

        return {
            "index_ms": (built - start) * 1000 if self.built and self.start else None,
            "gaps": split(self.gaps),
            # (ms late, ms after `initialized` it ended)
            "longest_gaps_during": sorted(
                ((ms, (at - start) * 1000) for at, ms in self.gaps if start <= at < built), reverse=True
            )[:10],
            "longest_pieces_during": longest(self.pieces),
            "pieces": {name: split(values) for name, values in sorted(self.pieces.items())},
            "pieces_cpu": {name: split(values) for name, values in sorted(self.cpu.items())},
            "longest_pieces_cpu_during": longest(self.cpu),
        }

    def write(self) -> None:
        self.out.write_text(json.dumps(self.report(), indent=1), encoding="utf-8")


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "median": values[len(values) // 2],
        "p95": values[min(len(values) - 1, int(len(values) * 0.95))],
        "p99": values[min(len(values) - 1, int(len(values) * 0.99))],
        "max": values[-1],
        "total": sum(values),
    }


def install(probe: Probe) -> None:
    from agent_lsp.lsp import project_state, warmup

    original_steps = warmup.steps
    warmup.steps = lambda protocol: [  # type: ignore[assignment]
        probe.timed(f"warm-up step {n}", step) for n, step in enumerate(original_steps(protocol))
    ]
    state = project_state.ProjectState
    original_start = state.start

    def start(self: Any) -> None:
        if probe.start is None:
            with _suppress():
                loop = asyncio.get_running_loop()
                probe.start = time.perf_counter()
                task = loop.create_task(probe.tick())
                probe.task = task  # type: ignore[attr-defined]  # (kept alive)
        original_start(self)

    state.start = start  # type: ignore[method-assign]
    original_finish = state._finish

    def finish(self: Any, build: Any) -> None:
        original_finish(self, build)
        if self._index is not None and probe.built is None:
            probe.built = time.perf_counter()

    state._finish = probe.timed("_finish (handing the index over)", finish)  # type: ignore[method-assign]
    state._announce_everything = probe.timed("_announce_everything", state._announce_everything)  # type: ignore[method-assign]
    original_start_child = state._start_child

    def start_child(self: Any, build: Any, loop: Any, *rest: Any) -> None:
        # The index module is imported by now (by the worker thread): importing it earlier, for the probe,
        # would take its import out of the warm-up the probe measures.
        from agent_lsp.project import index

        for name in ("adopt", "finish_scan"):
            function = getattr(index.WorkspaceIndex, name)
            if not hasattr(function, "__wrapped__"):
                setattr(index.WorkspaceIndex, name, probe.timed(name, function))
        original_start_child(self, build, loop, *rest)

    state._start_child = probe.timed("_start_child", start_child)  # type: ignore[method-assign]
    state._progress = probe.timed("_progress (a report)", state._progress)  # type: ignore[method-assign]
    pickle.loads = probe.timed("pickle.loads (a frame)", pickle.loads)  # type: ignore[assignment]
    gc.callbacks.append(probe.on_gc)


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is RuntimeError


def main() -> int:
    probe = Probe(Path(sys.argv[1]))
    del sys.argv[1]
    atexit.register(probe.write)
    from agent_lsp.__main__ import hold_full_collections

    hold_full_collections()
    install(probe)
    from agent_lsp.__main__ import main as serve

    try:
        return serve([])
    finally:
        probe.write()


if __name__ == "__main__":
    sys.exit(main())

"""The askable-agent list is read from disk on every code-action request; unchanged files are
not parsed again, and a changed, removed or broken file is noticed at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent_lsp.architect import agents

GOOD = "---\nname: {name}\ndescription: Reviews {name}.\n---\nYou review.\n"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    agents._LOADED.clear()


def _write(path: Path, text: str, mtime_ns: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_an_unchanged_file_is_checked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.md"
    _write(path, GOOD.format(name="alpha"), 1_000_000_000)
    calls: list[str] = []
    real = agents.agent_from_text
    monkeypatch.setattr(agents, "agent_from_text", lambda text, p: calls.append(p) or real(text, p))
    first = agents.load_agent(path)
    second = agents.load_agent(path)
    assert first is not None and first.name == "alpha"
    assert second is first
    assert calls == [str(path)]


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    _write(path, GOOD.format(name="alpha"), 1_000_000_000)
    assert (found := agents.load_agent(path)) is not None and found.name == "alpha"
    _write(path, GOOD.format(name="beta"), 2_000_000_000)  # same size, newer time
    assert (found := agents.load_agent(path)) is not None and found.name == "beta"
    _write(path, "---\nname: beta\n---\n", 2_000_000_000)  # same time, other size; no description: an error
    assert agents.load_agent(path) is None


def test_a_removed_file_is_forgotten(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    _write(path, GOOD.format(name="alpha"), 1_000_000_000)
    assert agents.load_agent(path) is not None
    path.unlink()
    assert agents.load_agent(path) is None
    assert str(path) not in agents._LOADED


def test_the_cache_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agents, "_LOADED_MAX", 3)
    for i in range(5):
        path = tmp_path / f"a{i}.md"
        _write(path, GOOD.format(name=f"agent-{i}"), 1_000_000_000)
        agents.load_agent(path)
    assert list(agents._LOADED) == [str(tmp_path / f"a{i}.md") for i in (2, 3, 4)]

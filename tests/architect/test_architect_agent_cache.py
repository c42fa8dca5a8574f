"""The askable-agent list is read from disk on every code-action request; unchanged files are
not parsed again, unchanged folders not walked again, and a changed, added, removed or broken
file is noticed at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent_lsp.architect import agents

GOOD = "---\nname: {name}\ndescription: Reviews {name}.\n---\nYou review.\n"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    agents._LOADED.clear()
    agents._LISTINGS.clear()


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


OLD_NS = 1_000_000_000  # 1970: long settled


def _settle(*folders: Path) -> None:
    for folder in folders:
        os.utime(folder, ns=(OLD_NS, OLD_NS))


def _count_walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    walks: list[str] = []
    real = os.walk

    def walk(top: str | os.PathLike[str], **kwargs: bool) -> object:
        walks.append(str(top))
        return real(top, **kwargs)

    monkeypatch.setattr(agents.os, "walk", walk)
    return walks


def _names(root: Path) -> list[str]:
    return [a.name for a in agents.discover_agents([root], None)]


def test_a_settled_folder_is_walked_once_and_an_added_file_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / ".claude" / "agents"
    (folder / "team").mkdir(parents=True)
    _write(folder / "a.md", GOOD.format(name="alpha"), OLD_NS)
    _write(folder / "team" / "b.md", GOOD.format(name="beta"), OLD_NS)
    _settle(folder, folder / "team")
    walks = _count_walks(monkeypatch)
    assert _names(tmp_path) == ["alpha", "beta"]
    assert _names(tmp_path) == ["alpha", "beta"]
    assert walks == [str(folder)]  # the second request reused the listing
    _write(folder / "team" / "c.md", GOOD.format(name="gamma"), OLD_NS)  # in a subfolder: its time moves
    assert _names(tmp_path) == ["alpha", "beta", "gamma"]
    (folder / "a.md").unlink()
    assert _names(tmp_path) == ["beta", "gamma"]


def test_a_folder_changed_just_now_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder whose time is within the last two seconds may change again within the same tick of
    a coarse clock: its listing is not kept, and every request walks it."""
    folder = tmp_path / ".claude" / "agents"
    folder.mkdir(parents=True)
    _write(folder / "a.md", GOOD.format(name="alpha"), OLD_NS)
    walks = _count_walks(monkeypatch)
    assert _names(tmp_path) == ["alpha"]
    assert _names(tmp_path) == ["alpha"]
    assert len(walks) == 2 and not agents._LISTINGS


def test_a_removed_folder_lists_nothing(tmp_path: Path) -> None:
    folder = tmp_path / ".claude" / "agents"
    folder.mkdir(parents=True)
    _write(folder / "a.md", GOOD.format(name="alpha"), OLD_NS)
    _settle(folder)
    assert _names(tmp_path) == ["alpha"]
    (folder / "a.md").unlink()
    folder.rmdir()
    assert _names(tmp_path) == []
    assert not agents._LISTINGS

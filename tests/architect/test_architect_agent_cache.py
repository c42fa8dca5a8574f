"""The askable-agent list is asked for on every code-action request. It comes from the workspace
index, which walks no folder to answer; an unchanged file is not parsed and checked again, and a
changed, removed or broken file is noticed at once, an added one as soon as a watcher reports it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent_lsp.architect import agents
from agent_lsp.project import paths
from agent_lsp.project.index import WorkspaceIndex, build_index

GOOD = "---\nname: {name}\ndescription: Reviews {name}.\n---\nYou review.\n"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    agents._LOADED.clear()
    agents._INDEXED.clear()


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


OLD_NS = 1_000_000_000  # 1970


def _count_walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    walks: list[str] = []
    real = os.walk

    def walk(top: str | os.PathLike[str], **kwargs: bool) -> object:
        walks.append(str(top))
        return real(top, **kwargs)

    monkeypatch.setattr(paths.os, "walk", walk)
    return walks


def _names(index: WorkspaceIndex) -> list[str]:
    return [a.name for a in agents.discover_agents(index)]


def test_listing_walks_no_folder_and_checks_an_unchanged_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / ".claude" / "agents"
    (folder / "team").mkdir(parents=True)
    _write(folder / "z.md", GOOD.format(name="zeta"), OLD_NS)
    _write(folder / "team" / "b.md", GOOD.format(name="beta"), OLD_NS)
    index = build_index([tmp_path], None)
    walks = _count_walks(monkeypatch)
    calls: list[str] = []
    real = agents.agent_from_text
    monkeypatch.setattr(agents, "agent_from_text", lambda text, p: calls.append(p) or real(text, p))
    first = agents.discover_agents(index)
    second = agents.discover_agents(index)
    assert [a.name for a in first] == ["zeta", "beta"]  # a folder's own files before its subfolders'
    assert second[0] is first[0] and second[1] is first[1]
    assert walks == []  # the index answers; no request walks a folder
    assert sorted(calls) == sorted([str(folder / "z.md"), str(folder / "team" / "b.md")])


def test_changed_removed_and_added_files(tmp_path: Path) -> None:
    folder = tmp_path / ".claude" / "agents"
    folder.mkdir(parents=True)
    _write(folder / "a.md", GOOD.format(name="alpha"), OLD_NS)
    index = build_index([tmp_path], None)
    assert _names(index) == ["alpha"]
    _write(folder / "a.md", GOOD.format(name="beta"), 2 * OLD_NS)  # same size, newer time: no watcher told
    assert _names(index) == ["beta"]
    _write(folder / "a.md", "---\nname: beta\n---\n", 2 * OLD_NS)  # no description: an error
    assert _names(index) == []
    _write(folder / "a.md", GOOD.format(name="alpha"), 3 * OLD_NS)
    _write(folder / "c.md", GOOD.format(name="gamma"), OLD_NS)
    index.refresh(folder / "c.md")  # what the client's file watcher reports
    assert _names(index) == ["alpha", "gamma"]
    (folder / "a.md").unlink()  # noticed without a watcher
    assert _names(index) == ["gamma"]
    assert str(folder / "a.md") not in agents._INDEXED


def test_a_removed_folder_lists_nothing(tmp_path: Path) -> None:
    folder = tmp_path / ".claude" / "agents"
    folder.mkdir(parents=True)
    _write(folder / "a.md", GOOD.format(name="alpha"), OLD_NS)
    index = build_index([tmp_path], None)
    assert _names(index) == ["alpha"]
    (folder / "a.md").unlink()
    folder.rmdir()
    assert _names(index) == []
    assert not agents._INDEXED


def test_an_open_documents_text_is_what_is_checked(tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "agents" / "a.md"
    path.parent.mkdir(parents=True)
    _write(path, GOOD.format(name="alpha"), OLD_NS)
    index = build_index([tmp_path], None)
    index.set_overlay(str(path), GOOD.format(name="edited"))
    assert _names(index) == ["edited"]


def test_project_agents_come_first_then_the_users_and_plugin_agents_are_not_listed(tmp_path: Path) -> None:
    user = tmp_path / "home" / ".claude"
    project = tmp_path / "project"
    plugin = project / "plugins" / "acme"
    for folder, name in (
        (user / "agents", "shared"),
        (user / "agents", "mine"),
        (project / ".claude" / "agents", "shared"),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        _write(folder / f"{name}.md", GOOD.format(name=name), OLD_NS)
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "acme"}')
    (plugin / "agents").mkdir()
    _write(plugin / "agents" / "plug.md", GOOD.format(name="plug"), OLD_NS)
    index = build_index([project], user)
    found = agents.discover_agents(index)
    assert [a.name for a in found] == ["shared", "mine"]
    assert found[0].path == str(project / ".claude" / "agents" / "shared.md")  # the project's wins

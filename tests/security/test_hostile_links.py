"""Links a repository can commit (issue 15, findings 3 and 4): the project model reads only regular files
whose real path lies in their own root (a workspace folder, or the user's `~/.claude` by itself), without
blocking and never more than the limit's bytes."""

from __future__ import annotations

import json
import os
import time
import tracemalloc
from pathlib import Path

import pytest

from agent_lsp.architect.agents import discover_agents
from agent_lsp.project import disk
from agent_lsp.project.index import build_index
from agent_lsp.project.paths import FileKind, plugin_name

SECRET = "SECRET-Okapi-4471"
AGENT = "---\nname: {name}\ndescription: {description}\n---\nYou help.\n"


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(AGENT.format(name="leak", description=SECRET), encoding="utf-8")
    (outside / "mcp.json").write_text(json.dumps({"mcpServers": {SECRET: {"command": "x"}}}), encoding="utf-8")
    project = tmp_path / "project"
    agents = project / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "good.md").write_text(AGENT.format(name="good", description="Fine."), encoding="utf-8")
    home = tmp_path / "home" / ".claude"
    (home / "agents").mkdir(parents=True)
    return {"outside": outside, "project": project, "agents": agents, "home": home}


def _descriptions(index: object) -> str:
    from agent_lsp.project.index import WorkspaceIndex

    assert isinstance(index, WorkspaceIndex)
    return " ".join(f"{e.name} {e.description} {e.text}" for e in index.files())


def test_an_agent_linked_to_a_file_outside_is_not_read(tree: dict[str, Path]) -> None:
    os.symlink(tree["outside"] / "secret.md", tree["agents"] / "leak.md")
    index = build_index([tree["project"]], tree["home"])
    assert SECRET not in _descriptions(index)
    assert [a.name for a in discover_agents(index)] == ["good"]


def test_a_user_agent_linked_into_the_workspace_is_not_read(tree: dict[str, Path]) -> None:
    # `~/.claude` is contained by its own root, not by the workspace folders (nor they by it).
    (tree["project"] / "notes.md").write_text(AGENT.format(name="notes", description=SECRET), encoding="utf-8")
    os.symlink(tree["project"] / "notes.md", tree["home"] / "agents" / "notes.md")
    index = build_index([tree["project"]], tree["home"])
    assert SECRET not in _descriptions(index)


def test_an_agents_folder_linked_to_the_root_reads_nothing(tree: dict[str, Path]) -> None:
    os.symlink("/", tree["project"] / ".claude" / "agents" / "root")
    index = build_index([tree["project"]], tree["home"])
    assert {e.name for e in index.files(FileKind.AGENT)} == {"good"}


def test_mcp_json_linked_outside_names_no_server(tree: dict[str, Path]) -> None:
    os.symlink(tree["outside"] / "mcp.json", tree["project"] / ".mcp.json")
    index = build_index([tree["project"]], tree["home"])
    assert index.mcp_servers(str(tree["agents"] / "good.md")) == ()


def test_a_plugin_manifest_linked_outside_is_not_read(tree: dict[str, Path]) -> None:
    plugin = tree["project"] / "plug"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (tree["outside"] / "plugin.json").write_text(json.dumps({"name": SECRET}), encoding="utf-8")
    os.symlink(tree["outside"] / "plugin.json", plugin / ".claude-plugin" / "plugin.json")
    assert plugin_name(plugin) == "plug"


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/stdin", "fifo"])
def test_devices_and_fifos_behind_links_are_refused_at_once(tree: dict[str, Path], target: str) -> None:
    if target == "fifo":
        target = str(tree["outside"].parent / "project" / "pipe")
        os.mkfifo(target)
    os.symlink(target, tree["agents"] / "zero.md")
    os.symlink(target, tree["project"] / ".mcp.json")
    tracemalloc.start()  # what Python allocates here (ru_maxrss would hide it under the suite's own peak)
    start = time.perf_counter()
    index = build_index([tree["project"]], tree["home"])
    agents = [a.name for a in discover_agents(index)]
    servers = index.mcp_servers(str(tree["agents"] / "good.md"))
    elapsed = time.perf_counter() - start
    peak_bytes = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert agents == ["good"] and servers == ()
    # Generous bounds (the numbers are in the note): reading /dev/zero whole took 2 GB, a FIFO forever.
    assert elapsed < 5 and peak_bytes < 50_000_000


def test_the_reader_reads_at_most_limit_plus_one_bytes_of_a_huge_sparse_file(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    with big.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # 2 GB, sparse: no disk used
    raw, status = disk.read_bytes(big, 1000)
    assert len(raw) == 1001 and status.st_size == 2 * 1024**3


def test_the_reader_refuses_a_link_loop_and_paths_outside_its_roots(tmp_path: Path) -> None:
    loop = tmp_path / "loop.md"
    os.symlink(loop, loop)
    roots = disk.real_roots([tmp_path])
    with pytest.raises(OSError):
        disk.read_bytes(loop, 100, roots)
    assert disk.read_text(loop) is None
    assert not disk.inside("/etc/passwd", roots)
    with pytest.raises(OSError):
        disk.read_bytes("/etc/passwd", 100, roots)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="the opened path is checked where /proc says it")
def test_a_folder_swapped_for_a_link_after_the_check_is_refused(
    tree: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The race: the containment check saw a plain folder, then `sub` became a link to the outside
    # before the open. Played here by a check that does not resolve links (so it passes on the link).
    (tree["agents"] / "sub").symlink_to(tree["outside"], target_is_directory=True)
    monkeypatch.setattr(disk, "real_path", lambda path, folders=None: os.path.abspath(path))
    roots = disk.real_roots([tree["project"]])
    with pytest.raises(OSError, match="outside the workspace"):
        disk.read_bytes(tree["agents"] / "sub" / "secret.md", 1000, roots)
    assert disk.read_bytes(tree["agents"] / "good.md", 1000, roots)[0].startswith(b"---")


def test_the_reader_reads_a_file_whole_when_its_size_says_less_than_it_holds(tmp_path: Path) -> None:
    # /proc files are regular files that report a size of 0: the reader asks for the stated size first,
    # then for the rest, so a file that grew after its status was taken is neither cut short nor
    # read past the limit.
    status_file = Path("/proc/self/status")
    if not status_file.is_file() or status_file.stat().st_size != 0:
        pytest.skip("needs a /proc file that reports size 0")
    raw, status = disk.read_bytes(status_file, 100_000)
    assert status.st_size == 0 and b"VmRSS" in raw and len(raw) < 100_000
    cut, _ = disk.read_bytes(status_file, 10)
    assert len(cut) == 11
    small = tmp_path / "a.md"
    small.write_bytes(b"x" * 50)
    assert disk.read_bytes(small, 50)[0] == b"x" * 50
    assert disk.read_bytes(small, 49)[0] == b"x" * 50  # limit + 1: larger than the limit


def test_resolving_a_walk_folder_by_folder_gives_what_realpath_gives(tmp_path: Path) -> None:
    # One folder's real path serves all its files, but a file that is itself a link, and a folder that
    # is one, still resolve to where they point (the containment rule sees through them).
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("x", encoding="utf-8")
    agents = tmp_path / "w" / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "plain.md").write_text("x", encoding="utf-8")
    os.symlink(outside / "secret.md", agents / "link.md")
    os.symlink(outside, tmp_path / "w" / "linked")
    folders: dict[str, str] = {}
    for path in [agents / "plain.md", agents / "link.md", tmp_path / "w" / "linked" / "secret.md", agents / "none.md"]:
        for _ in range(2):  # the second time from the memo
            assert disk.resolved(path, folders) == os.path.realpath(path)
    roots = disk.real_roots([tmp_path / "w"])
    assert disk.inside(agents / "plain.md", roots, folders)
    assert not disk.inside(agents / "link.md", roots, folders)
    assert not disk.inside(tmp_path / "w" / "linked" / "secret.md", roots, folders)

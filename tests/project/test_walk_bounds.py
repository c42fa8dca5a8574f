"""The start-up walk against a hostile repository: symlinked folders are not followed, folders visited are bounded.

Issue 15, item 5: 1,000 committed `pN/.claude/agents -> /proc` links delayed the first answer by
101 s, because each link was walked whole. The walk now follows no symlinked folder and counts
every folder it lists against one budget (`WalkBudget`), so such a tree costs a few folders each.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent_lsp.project import paths
from agent_lsp.project.index import build_index
from agent_lsp.project.paths import WalkBudget, discover


def _outside(tmp_path: Path) -> Path:
    """A folder outside the workspace with many sub-folders, each holding an agent file."""
    outside = tmp_path / "outside"
    for i in range(50):
        folder = outside / f"d{i}" / "deeper"
        folder.mkdir(parents=True)
        (folder / f"secret{i}.md").write_text("---\nname: secret\ndescription: x\n---\n", encoding="utf-8")
    return outside


def test_symlinked_agents_folders_are_not_followed(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    workspace = tmp_path / "ws"
    for n in range(200):
        claude = workspace / f"p{n}" / ".claude"
        claude.mkdir(parents=True)
        (claude / "agents").symlink_to(outside, target_is_directory=True)
        (claude / "commands").symlink_to("/proc", target_is_directory=True)
        skills = claude / "skills"
        skills.mkdir()
        (skills / "linked").symlink_to(outside / "d0", target_is_directory=True)
    (workspace / "p0" / "linked-project").symlink_to(outside, target_is_directory=True)
    real = workspace / "real" / ".claude" / "agents"
    real.mkdir(parents=True)
    (real / "ok.md").write_text("---\nname: ok\ndescription: fine\n---\n", encoding="utf-8")

    budget = WalkBudget()
    found = list(discover([workspace], None, budget=budget))
    assert found == [str(real / "ok.md")]
    # Each project costs a handful of folders (itself, `.claude`, `skills`): none through a link.
    assert budget.visited < 5 * 202
    index = build_index([workspace], None)
    assert [e.qualified_name for e in index.files()] == ["ok"]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_links_to_proc_cost_nothing(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    for n in range(300):
        claude = workspace / f"p{n}" / ".claude"
        claude.mkdir(parents=True)
        (claude / "agents").symlink_to("/proc", target_is_directory=True)
    (workspace / "proc-link").symlink_to("/proc", target_is_directory=True)
    budget = WalkBudget()
    assert list(discover([workspace], None, budget=budget)) == []
    assert budget.visited <= 2 * 301


def test_the_walk_stops_after_its_folder_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = tmp_path / "ws"
    for n in range(40):
        agents = workspace / f"p{n}" / ".claude" / "agents"
        for depth in range(5):
            agents = agents / f"sub{depth}"
        agents.mkdir(parents=True)
        (agents / "a.md").write_text("---\nname: a\ndescription: x\n---\n", encoding="utf-8")
    budget = WalkBudget(directories=60)
    found = list(discover([workspace], None, budget=budget))
    assert budget.visited == 60
    assert 0 < len(found) < 40
    # The default budget bounds the index's own walk the same way.
    monkeypatch.setattr(paths, "MAX_DIRECTORIES", 60)
    assert 0 < len(build_index([workspace], None).files()) < 40

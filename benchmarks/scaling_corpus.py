"""The scaling scenario's workspace: `count` agents in 20 packages, generated and deterministic.

`pkgN/.claude/agents/aI.md` for N < 20, each a typical agent (about 3 KB) that hands work to the
next agent of its package (`Agent(pN-aI+1)`), plus one file that repeats another's name (the
duplicate-name finding the server must still publish once its index is ready) and one reference
to an agent that exists nowhere (an unknown-agent-type finding, with a suggestion to look up).
"""

from __future__ import annotations

from pathlib import Path

import corpus

PACKAGES = 20


def agent_text(package: int, number: int, per_package: int) -> str:
    name = f"p{package}-a{number}"
    following = f"p{package}-a{(number + 1) % per_package}"
    text = corpus.typical(name, color=("blue", "green", "red", "cyan")[number % 4])
    return text.replace("Bash(git log *)\n", f"Bash(git log *), Agent({following})\n", 1)


def scaling_tree(root: Path, count: int) -> Path:
    """`count` agents under `root` (made once: a marker file says the tree is complete)."""
    marker = root / f".complete-{count}"
    duplicate = root / "pkg0" / ".claude" / "agents" / "duplicate.md"
    if marker.exists():
        if not duplicate.exists():  # (a run stopped between deleting it and creating it again)
            duplicate.write_text(corpus.typical("p0-a1"), encoding="utf-8")
        return root
    per_package = count // PACKAGES
    for package in range(PACKAGES):
        folder = root / f"pkg{package}" / ".claude" / "agents"
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(per_package):
            (folder / f"a{number}.md").write_text(agent_text(package, number, per_package), encoding="utf-8")
    agents = root / "pkg0" / ".claude" / "agents"
    # The one duplicate: another file of pkg0 registers `p0-a1`.
    (agents / "duplicate.md").write_text(corpus.typical("p0-a1"), encoding="utf-8")
    # The one unknown reference (a near miss of an existing name).
    (agents / "a0.md").write_text(
        agent_text(0, 0, per_package).replace("Agent(p0-a1)", "Agent(p0-a1x)"), encoding="utf-8"
    )
    marker.write_text("", encoding="utf-8")
    return root

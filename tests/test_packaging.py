"""The wheel carries the schema and the shipped agents, so `pip install .` works without the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # hatchling is installed with the test extras, so no download is needed here.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("agent_lsp-*.whl")
    return built


def test_wheel_ships_schema_agents_and_entry_point(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    assert "agent_lsp/_data/schemas/agent.schema.json" in names
    assert "agent_lsp/_data/agents/backend-architect.md" in names
    assert "agent_lsp/lsp/server.py" in names
    assert "agent-lsp = agent_lsp.__main__:main" in scripts


def test_installed_wheel_finds_its_data_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    # Run from an unrelated folder with only the unpacked wheel (and the venv's dependencies) importable.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from agent_lsp.schema.resources import schema_path, shipped_agent_path; "
        "print(schema_path()); print(shipped_agent_path('backend-architect'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(target)], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True
    )
    schema, agent = result.stdout.split()
    assert schema.startswith(str(target)) and Path(schema).is_file()
    assert agent.startswith(str(target)) and Path(agent).is_file()

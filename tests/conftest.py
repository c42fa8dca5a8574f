"""Shared test configuration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent_lsp.project.index import WorkspaceIndex, build_index

pytest_plugins = ["fake_anthropic"]

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A writable copy of tests/workspace_sample (project/ and home/.claude/)."""
    shutil.copytree(REPO_ROOT / "tests" / "workspace_sample", tmp_path / "sample")
    return tmp_path / "sample"


@pytest.fixture
def index(sample: Path) -> WorkspaceIndex:
    """The workspace index of the sample's project, with its home as the user's ~/.claude."""
    return build_index([sample / "project"], sample / "home" / ".claude")

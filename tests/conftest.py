"""Shared test configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["fake_anthropic"]

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT

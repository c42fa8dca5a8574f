"""Shared test configuration."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from pathlib import Path

import pytest
from pytest_lsp.client import LanguageClient

from agent_lsp.project.index import WorkspaceIndex, build_index

pytest_plugins = ["fake_anthropic"]

_client_stop = LanguageClient.stop


async def _stop_even_after_a_failure(self: LanguageClient) -> None:
    # pytest-lsp's teardown waits for the server process to exit, but only `shutdown` + `exit` make it
    # exit: a test that failed before its shutdown_session() left the server running, and the whole run
    # waited on it forever (seen in CI). Shut it down here instead, and kill it if it will not go.
    server = self._server
    if server is not None and server.returncode is None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.shutdown_session(), 10)
        if server.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                server.kill()
    await _client_stop(self)


LanguageClient.stop = _stop_even_after_a_failure  # type: ignore[method-assign]

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

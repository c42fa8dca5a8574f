"""A bounded run of the mutation fuzzer (`scripts/fuzz.py`) in CI: random edits of the real-world
fixtures through every feature handler; nothing raises and every range lies inside the document.

The long run is `python scripts/fuzz.py --count 100000`; AGENT_LSP_SLOW=1 runs 20,000 here.
"""

from __future__ import annotations

import importlib.util
import os
import random
from pathlib import Path
from types import ModuleType

import pytest

REAL_WORLD = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "real-world"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fuzz.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("agent_lsp_fuzz", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fuzz = _load()
needs_corpus = pytest.mark.skipif(not REAL_WORLD.is_dir(), reason="the shared real-world fixtures are not here")


@needs_corpus
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bounded_mutation_fuzz(seed: int, tmp_path: Path) -> None:
    assert fuzz.fuzz(300, seed, REAL_WORLD, tmp_path, quiet=True) == 0


@needs_corpus
@pytest.mark.skipif(os.environ.get("AGENT_LSP_SLOW") != "1", reason="long run: set AGENT_LSP_SLOW=1")
def test_long_mutation_fuzz(tmp_path: Path) -> None:
    assert fuzz.fuzz(20_000, 4, REAL_WORLD, tmp_path, quiet=True) == 0


def test_the_range_check_catches_a_range_outside_the_document() -> None:
    widths = fuzz._utf16_lines("ab\ncd😀")
    assert widths == [2, 4]
    inside = {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 4}}}
    fuzz._check_ranges(inside, widths, "t")
    for bad in ({"line": 2, "character": 0}, {"line": 0, "character": 3}, {"line": -1, "character": 0}):
        with pytest.raises(AssertionError):
            fuzz._check_ranges({"range": {"start": {"line": 0, "character": 0}, "end": bad}}, widths, "t")


def test_mutations_reach_hostile_shapes() -> None:
    rng = random.Random(5)
    texts = [fuzz.mutate("---\nname: a\ndescription: b\n---\nBody\n", rng) for _ in range(500)]
    assert any("\x00" in t or "\ud800" in t for t in texts)
    assert any(not t.startswith("---") for t in texts) and any(t.startswith("---") for t in texts)

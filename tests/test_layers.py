"""The package's layers: every import points down, and only `lsp/` knows pygls.

    syntax → schema → project → checks → features | architect → lsp → entry points

A module may import its own package and any package below it; `features` and `architect` sit
side by side and do not import each other. Imports inside functions and under TYPE_CHECKING
count too: a lazy import still ties the layers together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "agent_lsp"

# The rank of each package (a module at the package's top is its own entry).
RANKS = {
    "agent_lsp": 0,  # __init__: the version only
    "agent_lsp.logsetup": 0,  # logging that every entry point shares; imports nothing of ours
    "agent_lsp.syntax": 1,
    "agent_lsp.schema": 2,
    "agent_lsp.project": 3,
    "agent_lsp.checks": 4,
    "agent_lsp.features": 5,
    "agent_lsp.architect": 5,
    "agent_lsp.lsp": 6,
    "agent_lsp.check": 7,
    "agent_lsp.explain": 7,
    "agent_lsp.__main__": 8,
}
SIDE_BY_SIDE = {("agent_lsp.features", "agent_lsp.architect"), ("agent_lsp.architect", "agent_lsp.features")}
# Third-party packages that only some layers may import.
ONLY_IN = {
    "pygls": {"agent_lsp.lsp"},
    "lsprotocol": {"agent_lsp.features", "agent_lsp.lsp"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    """The entry of RANKS a module belongs to (the longest matching prefix)."""
    found = [name for name in RANKS if module == name or module.startswith(name + ".")]
    if not found:
        raise AssertionError(f"{module} is in no layer: add its package to RANKS")
    return max(found, key=len)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in a file, relative ones resolved."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module is None or target == "agent_lsp":
                # `from . import x` may name submodules: each counts.
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}" if alias.name != "__version__" else target
            else:
                yield node.lineno, target


def _violations() -> list[str]:
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        layer = _layer(module)
        for line, imported in _imports(path):
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            top = imported.split(".")[0]
            if top in ONLY_IN and not any(layer == allowed for allowed in ONLY_IN[top]):
                found.append(f"{where}: {imported} is imported outside {sorted(ONLY_IN[top])}")
            if top != "agent_lsp":
                continue
            target = _layer(imported)
            if target == layer:
                continue
            if (layer, target) in SIDE_BY_SIDE or RANKS[target] > RANKS[layer]:
                found.append(f"{where}: {layer} imports {imported} ({target} is not below it)")
    return found


def test_every_import_points_down_and_pygls_stays_in_lsp() -> None:
    assert _violations() == []


def test_package_inits_are_empty() -> None:
    """Importing a light module must not pull a whole package in (start-up is guarded by tests)."""
    heavy = [
        str(p.relative_to(PACKAGE.parent))
        for p in PACKAGE.rglob("__init__.py")
        if p.parent != PACKAGE
        and any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(ast.parse(p.read_text())))
    ]
    assert heavy == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from agent_lsp.lsp.server import x\n", "syntax imports agent_lsp.lsp.server"),
        ("def f():\n    from agent_lsp.checks import rules\n", "syntax imports agent_lsp.checks"),
        ("import pygls.uris\n", "pygls.uris is imported outside"),
        ("from lsprotocol import types\n", "lsprotocol is imported outside"),
    ],
)
def test_the_check_catches_an_upward_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, expected: str
) -> None:
    # The same check on a copy of the package with one offending module added to syntax/.
    import shutil

    copy = tmp_path / "agent_lsp"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "syntax" / "offender.py").write_text(source, encoding="utf-8")
    monkeypatch.setitem(globals(), "PACKAGE", copy)
    assert any(expected in v for v in _violations())

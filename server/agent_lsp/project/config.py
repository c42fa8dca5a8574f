"""The project's own agent-lsp settings: `.agent-lsp.toml`, or `[tool.agent-lsp]` in `pyproject.toml`.

The nearest such file above a checked file holds the project's choices: the severity of each rule (or
`off`), keys a kind of file may carry on purpose (`[agent] allowed-keys = ["category"]`), and the paths
to include (read as agent files wherever they lie) or exclude. `check` and the server read it through
`ConfigCache`; `schemas/agent-lsp-config.schema.json` describes it (editors complete it from there)
and validates it, so a mistake in it is reported instead of silently ignored. A `.agent-lsp.toml`
wins over a `pyproject.toml` in the same folder. Plain data only: `checks/configure.py` applies it.
"""

from __future__ import annotations

import fnmatch
import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]

from agent_lsp.schema.resources import schema_path

CONFIG_NAME = ".agent-lsp.toml"
PYPROJECT = "pyproject.toml"
CONFIG_FILES = (CONFIG_NAME, PYPROJECT)
SEVERITY_NAMES = ("error", "warning", "information", "hint", "off")
MAX_CONFIG_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    """One configuration file's choices (hashable: it is part of a check's context)."""

    source: str | None = None  # the file it came from; None: no configuration
    root: str | None = None  # the folder paths are relative to
    severities: tuple[tuple[str, str], ...] = ()  # (rule code, severity name or "off")
    allowed_keys: tuple[tuple[str, frozenset[str]], ...] = ()  # (kind, keys)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default=(), compare=False)  # what is wrong with the file

    def severity(self, code: str) -> str | None:
        """The configured severity name of `code` ("off" included), or None to keep the rule's own."""
        return dict(self.severities).get(code)

    def allows(self, kind: str, key: str) -> bool:
        return key in dict(self.allowed_keys).get(kind, frozenset())

    def _relative(self, path: str) -> str | None:
        if self.root is None:
            return None
        try:
            relative = os.path.relpath(os.path.abspath(path), self.root)
        except ValueError:  # another drive
            return None
        return None if relative.startswith("..") else PurePosixPath(Path(relative).as_posix()).as_posix()

    def excludes(self, path: str | None) -> bool:
        """Whether `path` lies under an `exclude` pattern (relative to the configuration's folder)."""
        return path is not None and _matches(self._relative(path), self.exclude)

    def includes(self, path: str | None) -> bool:
        """Whether `path` matches an `include` pattern: an agent file wherever it lies."""
        return path is not None and _matches(self._relative(path), self.include)

    def include_globs(self) -> tuple[str, ...]:
        """`include` as absolute glob patterns (the server's agent globs)."""
        if self.root is None:
            return ()
        return tuple(Path(self.root).as_posix().rstrip("/") + "/" + p.lstrip("/") for p in self.include)


NO_CONFIG = ProjectConfig()


def _matches(relative: str | None, patterns: tuple[str, ...]) -> bool:
    """gitignore-like: `drafts/` or `drafts` covers everything below; `*` and `**` as fnmatch reads them."""
    if relative is None or not patterns:
        return False
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        pattern = pattern.strip()
        pattern = (pattern[2:] if pattern.startswith("./") else pattern).rstrip("/")
        if not pattern:
            continue
        if any(fnmatch.fnmatchcase(p, pattern) for p in prefixes):
            return True
        if fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(parts[-1], pattern):
            return True
    return False


@cache
def config_schema() -> dict[str, Any]:
    with schema_path("agent-lsp-config").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def parse_config(data: Any, source: str, root: str) -> ProjectConfig:
    """The choices in a loaded TOML table; whatever the schema rejects is named in `problems` and left out."""
    from jsonschema import Draft202012Validator

    problems: list[str] = []
    if not isinstance(data, dict):
        return ProjectConfig(source, root, problems=("the configuration is not a table",))
    validator = Draft202012Validator(config_schema())
    bad_paths: set[tuple[Any, ...]] = set()
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        where = ".".join(str(p) for p in error.absolute_path) or "the top level"
        if "propertyNames" in error.schema_path:  # one unknown rule, not the whole table
            problems.append(f"{where}.{error.instance}: no such rule (docs/rules.md lists them)")
            bad_paths.add((*error.absolute_path, error.instance))
        else:
            problems.append(f"{where}: {error.message}")
            bad_paths.add(tuple(error.absolute_path))

    def good(*path: Any) -> bool:
        return not any(path[: len(bad)] == bad or bad[: len(path)] == path for bad in bad_paths if bad)

    severities: list[tuple[str, str]] = []
    rules = data.get("rules", {})
    if isinstance(rules, dict):
        for code, value in rules.items():
            if good("rules", code) and isinstance(value, str) and value in SEVERITY_NAMES:
                severities.append((str(code), value))
    allowed: list[tuple[str, frozenset[str]]] = []
    for kind in ("agent", "skill", "command"):
        keys = data.get(kind, {}).get("allowed-keys", []) if isinstance(data.get(kind), dict) else []
        if good(kind, "allowed-keys") and isinstance(keys, list):
            allowed.append((kind, frozenset(k for k in keys if isinstance(k, str))))

    def patterns(name: str) -> tuple[str, ...]:
        value = data.get(name, [])
        return tuple(v for v in value if isinstance(v, str)) if good(name) and isinstance(value, list) else ()

    return ProjectConfig(
        source,
        root,
        tuple(sorted(severities)),
        tuple(allowed),
        patterns("include"),
        patterns("exclude"),
        tuple(problems),
    )


def read_config(path: Path) -> ProjectConfig | None:
    """The configuration in `path` (None: a pyproject.toml without a `[tool.agent-lsp]` table)."""
    root = str(path.parent)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        return ProjectConfig(str(path), root, problems=(f"cannot read it: {error.strerror or error}",))
    if len(raw) > MAX_CONFIG_BYTES:
        return ProjectConfig(str(path), root, problems=("it is larger than 256 KB; not read",))
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        if path.name == PYPROJECT:
            return None  # someone else's broken file: not ours to report
        return ProjectConfig(str(path), root, problems=(f"not valid TOML: {error}",))
    if path.name == PYPROJECT:
        tool = data.get("tool")
        if not isinstance(tool, dict) or "agent-lsp" not in tool:
            return None
        return parse_config(tool["agent-lsp"], str(path), root)
    return parse_config(data, str(path), root)


class ConfigCache:
    """The configuration that applies to each folder, found once and kept until `invalidate`."""

    def __init__(self) -> None:
        self._by_folder: dict[str, ProjectConfig] = {}

    def for_file(self, path: str | None) -> ProjectConfig:
        """The nearest configuration above `path` (NO_CONFIG when there is none, or no path)."""
        if not path:
            return NO_CONFIG
        return self.for_folder(os.path.dirname(os.path.abspath(path)))

    def for_folder(self, folder: str) -> ProjectConfig:
        found = self._by_folder.get(folder)
        if found is not None:
            return found
        config: ProjectConfig | None = None
        for name in CONFIG_FILES:
            candidate = Path(folder, name)
            if candidate.is_file():
                config = read_config(candidate)
                if config is not None:
                    break
        if config is None:
            parent = os.path.dirname(folder)
            config = self.for_folder(parent) if parent and parent != folder else NO_CONFIG
        self._by_folder[folder] = config
        return config

    def invalidate(self) -> None:
        """A configuration file changed (or appeared, or went): find them all again."""
        self._by_folder.clear()


def is_config_file(path: str) -> bool:
    return os.path.basename(path) in CONFIG_FILES

"""The transport-free entry points: one parse per document version, reused by every feature."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.validate import find_json_problems, find_problems
from agent_lsp.project.config import NO_CONFIG, ConfigCache, ProjectConfig
from agent_lsp.project.paths import FileKind, document_kind, uri_to_path
from agent_lsp.syntax.frontmatter import ParsedAgent, ParseMode, parse_agent
from agent_lsp.syntax.jsondoc import JsonDocument, parse_json


@dataclass(slots=True)
class Analysis:
    """Everything known about one version of one document."""

    uri: str
    version: int | None
    text: str
    is_agent: bool  # an agent file (skills and commands are not: see `kind`)
    plugin: bool
    parsed: ParsedAgent
    kind: FileKind | None = None  # agent, skill, command, another Markdown kind or a JSON kind; None for other files
    config: ProjectConfig = NO_CONFIG  # the project's `.agent-lsp.toml` or `[tool.agent-lsp]`
    _findings: list[Finding] | None = field(default=None, repr=False)
    json: JsonDocument | None = None  # the parse of a JSON file (manifest, `.mcp.json`, hooks, settings)

    def __post_init__(self) -> None:
        if self.kind is None and self.is_agent:
            self.kind = FileKind.AGENT

    @property
    def path(self) -> str | None:
        return uri_to_path(self.uri)

    @property
    def context(self) -> AgentContext:
        """What the document's location tells the checks (its kind, plugin or not)."""
        kind = (self.kind or FileKind.AGENT).value
        return AgentContext(path=self.path, plugin=self.plugin, kind=kind, config=self.config)

    @property
    def findings(self) -> list[Finding]:
        if self._findings is None:
            if self.kind is None:
                self._findings = []
            elif self.json is not None:
                self._findings = find_json_problems(self.json, self.context)
            else:
                self._findings = find_problems(self.parsed, self.context)
        return self._findings


class AnalysisCache:
    """Keeps the latest analysis of each open document (bounded, oldest dropped first)."""

    def __init__(self, capacity: int = 512) -> None:
        self._items: OrderedDict[str, Analysis] = OrderedDict()
        self._capacity = capacity
        self.agent_globs: tuple[str, ...] = ()
        self.configs = ConfigCache()  # the project configuration of each folder (cleared when one changes)

    def get(self, uri: str, version: int | None, text: str) -> Analysis:
        cached = self._items.get(uri)
        if cached is not None and cached.version == version and (version is not None or cached.text == text):
            self._items.move_to_end(uri)
            return cached
        path = uri_to_path(uri)
        config = self.configs.for_file(path)
        kind, plugin = document_kind(path, self.agent_globs + config.include_globs())
        is_agent = kind is FileKind.AGENT
        if kind is not None and kind.is_json:
            # A JSON file has no frontmatter: its "parsed" is only the line table positions are mapped with.
            before = cached.json if cached is not None else None
            document = parse_json(text, before)  # the previous version's tree is reused around the edit
            parsed = ParsedAgent(text=text, index=document.index, mode=ParseMode.NO_FRONTMATTER)
            analysis = Analysis(uri, version, text, False, plugin, parsed, kind, config, json=document)
        else:
            # The previous version's blocks are reused where the edit left them unchanged.
            previous = cached.parsed if cached is not None else None
            analysis = Analysis(uri, version, text, is_agent, plugin, parse_agent(text, previous), kind, config)
        self._items[uri] = analysis
        self._items.move_to_end(uri)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)
        return analysis

    def forget(self, uri: str) -> None:
        self._items.pop(uri, None)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

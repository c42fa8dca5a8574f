"""The transport-free entry points: one parse per document version, reused by every feature."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from .documents import classify, uri_to_path
from .parse import ParsedAgent, parse_agent
from .validate import AgentContext, Finding, find_problems


@dataclass(slots=True)
class Analysis:
    """Everything known about one version of one document."""

    uri: str
    version: int | None
    text: str
    is_agent: bool
    plugin: bool
    parsed: ParsedAgent
    _findings: list[Finding] | None = field(default=None, repr=False)

    @property
    def path(self) -> str | None:
        return uri_to_path(self.uri)

    @property
    def findings(self) -> list[Finding]:
        if self._findings is None:
            if not self.is_agent:
                self._findings = []
            else:
                self._findings = find_problems(self.parsed, AgentContext(path=self.path, plugin=self.plugin))
        return self._findings


class AnalysisCache:
    """Keeps the latest analysis of each open document (bounded, oldest dropped first)."""

    def __init__(self, capacity: int = 512) -> None:
        self._items: OrderedDict[str, Analysis] = OrderedDict()
        self._capacity = capacity
        self.agent_globs: tuple[str, ...] = ()

    def get(self, uri: str, version: int | None, text: str) -> Analysis:
        cached = self._items.get(uri)
        if cached is not None and cached.version == version and (version is not None or cached.text == text):
            self._items.move_to_end(uri)
            return cached
        is_agent, plugin = classify(uri_to_path(uri), self.agent_globs)
        analysis = Analysis(uri, version, text, is_agent, plugin, parse_agent(text))
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

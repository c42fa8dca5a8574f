"""Split an agent file into frontmatter and body, and read the frontmatter as Claude Code does.

Claude Code's reading, reproduced here:
- the frontmatter starts at the very first byte with a `---` line (a UTF-8 BOM
  before it is tolerated) and ends at the next `---` line;
- it is parsed as strict YAML 1.2, duplicate keys being an error;
- when that fails, Claude Code retries once after double-quoting the value of
  every single-line top-level `key: value` line whose value holds YAML syntax
  characters; if the retry parses, the agent loads from the rewritten text.

`parse_agent` does all of this once per document version; every feature reads
its result instead of parsing again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from . import yaml12
from .textmodel import LineIndex, Span

BOM = "\ufeff"
_FENCE = re.compile(r"---[ \t]*")
# Claude Code's fallback, line by line: a top-level `key: value` line ...
_FALLBACK_LINE = re.compile(r"^([a-zA-Z_-]+):\s+(.+)$")
# ... whose value holds one of these is re-emitted as a double-quoted string.
_FALLBACK_TRIGGER = re.compile(r": |[{}\[\]*&#!|>%@`]")


class ParseMode(Enum):
    NO_FRONTMATTER = "no-frontmatter"
    UNCLOSED = "unclosed"
    STRICT = "strict"  # strict YAML 1.2 parsed it
    FALLBACK = "fallback"  # only Claude Code's quoting retry parsed it
    FAILED = "failed"  # neither parsed: Claude Code skips the file
    TOO_COMPLEX = "too-complex"  # parsed, but expands past what we walk


@dataclass(slots=True)
class YamlProblem:
    message: str
    offset: int  # into the document text
    duplicate_end: int | None = None  # for a repeated key: where the key ends


@dataclass(slots=True)
class Rewrite:
    """One line the fallback retry quoted."""

    line: int
    key: str
    value: str
    value_span: Span
    quoted: str  # the value as the retry wrote it, quotes included


@dataclass(slots=True)
class Field:
    """One top-level key of the frontmatter and its value."""

    key: str
    key_span: Span
    node: Node
    value_span: Span
    value: Any


@dataclass(slots=True)
class ParsedAgent:
    text: str
    index: LineIndex
    mode: ParseMode
    content_start: int = 0  # offset just after the BOM, where `---` must stand
    open_span: Span | None = None  # the opening `---`
    close_span: Span | None = None  # the closing `---`
    yaml_span: Span | None = None  # the YAML between the fences
    body_start: int = 0
    root: Node | None = None
    data: dict[str, Any] | None = None
    fields: dict[str, Field] = field(default_factory=dict)
    duplicates: list[Field] = field(default_factory=list)
    syntax_error: YamlProblem | None = None
    fallback_error: YamlProblem | None = None
    rewrites: list[Rewrite] = field(default_factory=list)
    not_a_mapping: bool = False
    _offset_map: _OffsetMap | None = None

    @property
    def body(self) -> str:
        return self.text[self.body_start :]

    @property
    def has_frontmatter(self) -> bool:
        return self.open_span is not None

    @property
    def loads(self) -> bool:
        """Whether Claude Code reads fields from this frontmatter at all."""
        return self.mode in (ParseMode.STRICT, ParseMode.FALLBACK) and self.data is not None

    def node_span(self, node: Node) -> Span:
        """Where a node of the parsed tree stands in the document text."""
        assert self.yaml_span is not None
        base = self.yaml_span.start
        start, end = node.start_mark.index, node.end_mark.index
        if self._offset_map is not None:
            start, end = self._offset_map.map(start, True), self._offset_map.map(end, False)
        span = Span(base + start, base + end)
        # Block scalars and plain multi-line scalars end past trailing breaks.
        trimmed = self.text[span.start : span.end].rstrip()
        return Span(span.start, span.start + len(trimmed))


class _OffsetMap:
    """Maps offsets in the rewritten (fallback) YAML back to the original YAML."""

    def __init__(self) -> None:
        # (rewritten start, rewritten end, original start, original end), in order
        self.segments: list[tuple[int, int, int, int]] = []

    def map(self, index: int, is_start: bool) -> int:
        delta = 0
        for rs, re_, os_, oe in self.segments:
            if index < rs:
                break
            if index < re_ or (index == re_ and not is_start):
                return os_ if (is_start or index == rs) else oe
            delta = oe - re_
        return index + delta


def parse_agent(text: str) -> ParsedAgent:
    """Read an agent file's text the way Claude Code does."""
    index = LineIndex(text)
    start = 1 if text.startswith(BOM) else 0
    parsed = ParsedAgent(text=text, index=index, mode=ParseMode.NO_FRONTMATTER, content_start=start)
    first_line_end = index.line_end(0)
    if not _FENCE.fullmatch(text, start, first_line_end):
        parsed.body_start = start
        return parsed
    parsed.open_span = Span(start, start + 3)
    close_line = next(
        (n for n in range(1, index.line_count) if _FENCE.fullmatch(index.lines[n])),
        None,
    )
    yaml_start = index.line_start(1) if index.line_count > 1 else len(text)
    if close_line is None:
        parsed.mode = ParseMode.UNCLOSED
        parsed.yaml_span = Span(yaml_start, len(text))
        parsed.body_start = len(text)
        return parsed
    close_start = index.line_start(close_line)
    parsed.close_span = Span(close_start, close_start + 3)
    parsed.yaml_span = Span(yaml_start, max(yaml_start, close_start))
    parsed.body_start = index.line_start(close_line + 1) if close_line + 1 < index.line_count else len(text)
    _read_yaml(parsed)
    return parsed


def _read_yaml(parsed: ParsedAgent) -> None:
    assert parsed.yaml_span is not None
    span = parsed.yaml_span
    try:
        # Bounds checked before any per-line or per-node work: a huge frontmatter is refused in milliseconds.
        if parsed.index.line_of(span.end) - parsed.index.line_of(span.start) > yaml12.MAX_EXPANDED_NODES:
            raise yaml12.YamlTooComplex(f"more than {yaml12.MAX_EXPANDED_NODES} lines")
        _compose_and_read(parsed)
    except yaml12.YamlTooComplex as error:  # compose refused a huge document before building it
        parsed.mode = ParseMode.TOO_COMPLEX
        parsed.syntax_error = YamlProblem(str(error), parsed.yaml_span.start)


def _compose_and_read(parsed: ParsedAgent) -> None:
    assert parsed.yaml_span is not None
    source = parsed.text[parsed.yaml_span.start : parsed.yaml_span.end]
    try:
        root = yaml12.compose(source)
        duplicate = _first_duplicate(root)
        if duplicate is not None:
            parsed.root = root
            raise _DuplicateKey(duplicate)
        parsed.mode = ParseMode.STRICT
    except (yaml.YAMLError, _DuplicateKey, RecursionError) as strict_error:
        parsed.syntax_error = _problem(parsed, strict_error)
        rewritten, offset_map, rewrites = _fallback_rewrite(source, parsed)
        if not rewrites:
            parsed.mode = ParseMode.FAILED
            _collect_fields(parsed, parsed.root)  # duplicates still get positions
            return
        try:
            root = yaml12.compose(rewritten)
            duplicate = _first_duplicate(root)
            if duplicate is not None:
                raise _DuplicateKey(duplicate)
        except (yaml.YAMLError, _DuplicateKey, RecursionError) as retry_error:
            parsed.mode = ParseMode.FAILED
            parsed._offset_map = offset_map
            parsed.fallback_error = _problem(parsed, retry_error)
            parsed._offset_map = None
            _collect_fields(parsed, parsed.root)
            return
        parsed.mode = ParseMode.FALLBACK
        parsed.rewrites = rewrites
        parsed._offset_map = offset_map
    if root is None:
        # An empty frontmatter: no fields at all.
        parsed.data = {}
        return
    try:
        yaml12.expanded_size(root)
    except yaml12.YamlTooComplex as error:
        parsed.mode = ParseMode.TOO_COMPLEX
        parsed.syntax_error = YamlProblem(str(error), parsed.yaml_span.start)
        return
    parsed.root = root
    if not isinstance(root, MappingNode):
        parsed.not_a_mapping = True
        return
    parsed.data = yaml12.to_python(root)
    _collect_fields(parsed, root)


class _DuplicateKey(Exception):
    def __init__(self, key_node: ScalarNode) -> None:
        super().__init__(f"duplicate key `{key_node.value}`")
        self.key_node = key_node


def _first_duplicate(root: Node | None) -> ScalarNode | None:
    """The first repeated key in any mapping of the tree (YAML 1.2 forbids them)."""
    if root is None:
        return None
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    if key.value in keys:
                        return key
                    keys.add(key.value)
                stack.append(value)
        elif not isinstance(node, ScalarNode):
            stack.extend(node.value)
    return None


def _problem(parsed: ParsedAgent, error: BaseException) -> YamlProblem:
    assert parsed.yaml_span is not None
    base = parsed.yaml_span.start
    if isinstance(error, _DuplicateKey):
        index, end = error.key_node.start_mark.index, error.key_node.end_mark.index
        if parsed._offset_map is not None:
            index, end = parsed._offset_map.map(index, True), parsed._offset_map.map(end, False)
        return YamlProblem(str(error), base + index, base + end)
    if isinstance(error, RecursionError):
        return YamlProblem("the frontmatter nests too deeply to read", base)
    assert isinstance(error, yaml.YAMLError)
    offset = yaml12.problem_offset(error)
    if offset is not None and parsed._offset_map is not None:
        offset = parsed._offset_map.map(offset, True)
    return YamlProblem(yaml12.problem_message(error), base + (offset or 0))


def fallback_quote(value: str) -> str:
    """The double-quoted form Claude Code's retry gives a value."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def needs_fallback_quoting(value: str) -> bool:
    stripped = value.strip()
    already_quoted = len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in "\"'"
    return not already_quoted and _FALLBACK_TRIGGER.search(value) is not None


def _fallback_rewrite(source: str, parsed: ParsedAgent) -> tuple[str, _OffsetMap, list[Rewrite]]:
    """Claude Code's retry: quote risky single-line top-level values."""
    assert parsed.yaml_span is not None
    base = parsed.yaml_span.start
    first_line = parsed.index.line_of(base)
    offset_map = _OffsetMap()
    rewrites: list[Rewrite] = []
    out: list[str] = []
    pos = 0  # offset into source
    out_len = 0
    for line_no, line in enumerate(re.split(r"\r?\n", source)):
        match = _FALLBACK_LINE.match(line)
        if match and needs_fallback_quoting(match.group(2)):
            key, value = match.group(1), match.group(2)
            quoted = fallback_quote(value)
            new_line = f"{key}: {quoted}"
            value_start = pos + match.start(2)
            new_value_start = out_len + len(key) + 2
            offset_map.segments.append(
                (new_value_start, new_value_start + len(quoted), value_start, value_start + len(value))
            )
            rewrites.append(
                Rewrite(
                    line=first_line + line_no,
                    key=key,
                    value=value,
                    value_span=Span(base + value_start, base + value_start + len(value)),
                    quoted=quoted,
                )
            )
            line_out = new_line
        else:
            line_out = line
        out.append(line_out)
        # Keep the original break length so later offsets stay comparable.
        brk = 2 if source.startswith("\r\n", pos + len(line)) else 1
        pos += len(line) + brk
        out_len += len(line_out) + brk
    # Re-join with the original breaks (CRLF files keep theirs).
    joined = _rejoin(source, out)
    return joined, offset_map, rewrites


def _rejoin(source: str, lines: list[str]) -> str:
    breaks = re.findall(r"\r?\n", source)
    parts: list[str] = []
    for i, line in enumerate(lines):
        parts.append(line)
        if i < len(breaks):
            parts.append(breaks[i])
    return "".join(parts)


def _collect_fields(parsed: ParsedAgent, root: Node | None) -> None:
    if not isinstance(root, MappingNode):
        return
    for key_node, value_node in root.value:
        if not isinstance(key_node, ScalarNode):
            continue
        key_span = parsed.node_span(key_node)
        value_span = parsed.node_span(value_node)
        if value_span.start == value_span.end:
            value_span = key_span
        value = yaml12.to_python(value_node) if parsed.mode in (ParseMode.STRICT, ParseMode.FALLBACK) else None
        item = Field(str(key_node.value), key_span, value_node, value_span, value)
        if item.key in parsed.fields:
            parsed.duplicates.append(item)
        else:
            parsed.fields[item.key] = item

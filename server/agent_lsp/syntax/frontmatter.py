"""Split an agent file into frontmatter and body, and read the frontmatter as Claude Code does.

Claude Code's reading, reproduced here (checked against the binary: tests/conformance):
- the frontmatter starts at the very first byte with a `---` line (a UTF-8 BOM
  before it is tolerated) and ends at the next line that starts with `---` after
  optional blanks, that line starting after a `\n` (bare `\r` breaks never close it:
  agents/eol-cr-only is skipped); whatever follows those dashes on that line already
  belongs to the body;
- it is parsed as YAML 1.2; a repeated key is not an error: the last value wins;
- when that fails, Claude Code retries once after double-quoting the value of
  every single-line top-level `key: value` line whose value holds YAML syntax
  characters; if the retry parses, the agent loads from the rewritten text. A line
  ending in `\r\n` is never rewritten (the retry's pattern stops at `\r`), so a
  CRLF file gets nothing from the retry.

`parse_agent` does all of this once per document version; every feature reads
its result instead of parsing again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from itertools import repeat
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from agent_lsp.syntax import yaml12
from agent_lsp.syntax.text import LineIndex, Span

BOM = "\ufeff"
_FENCE = re.compile(r"---[ \t]*")
_NON_BLANK = re.compile(r"\S")
# The closing fence: a later line that starts with `---`, blanks allowed before it and anything after
# it (searched in the text: a scan in C, where a loop over the lines would make every keystroke split
# a long file's body into lines). Claude Code 2.1.328 closes at `----`, ` ---` and `--- end` alike
# (conformance cases agents/fence-close-*); the rest of that line starts the body.
_CLOSING_FENCE = re.compile(r"\n[ \t]*(---)[ \t]*")
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
    # The frontmatter's top-level blocks by source text, when it was read block by block
    # (see `_read_blocks`); the next version reuses the ones it still contains.
    _blocks: dict[str, _Block] | None = field(default=None, repr=False, compare=False)
    # Node id -> how far the node's marks are from where it stands in the frontmatter: a block
    # is composed alone, so its marks count from the block's start. Absent means 0.
    _shifts: dict[int, int] | None = field(default=None, repr=False, compare=False)
    # Id of a block's value node -> the block and where it starts in `text`.
    _placed: dict[int, tuple[_Block, int]] | None = field(default=None, repr=False, compare=False)
    # Results derived from this version, for features that ask repeatedly (see actions.py).
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def body(self) -> str:
        return self.text[self.body_start :]

    @property
    def body_is_blank(self) -> bool:
        """Whether the body holds only whitespace (found without copying a long body)."""
        return _NON_BLANK.search(self.text, self.body_start) is None

    def block_memo(self, value_node: Node) -> tuple[dict[Any, Any], int] | None:
        """A store kept with the top-level block whose value is `value_node`, and the block's offset.

        The store lives as long as some version holds the block unchanged (see `_read_blocks`),
        so it suits results derived from the block's text alone; positions kept in it must count
        from the block's start, which moves between versions. None when the node is not the
        value of a block read that way.
        """
        placed = self._placed.get(id(value_node)) if self._placed is not None else None
        if placed is None:
            return None
        return placed[0].memo, placed[1]

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
        if self._shifts is not None:
            base += self._shifts.get(id(node), 0)
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


def parse_agent(text: str, previous: ParsedAgent | None = None) -> ParsedAgent:
    """Read an agent file's text the way Claude Code does.

    `previous`, an earlier version of the same document, lets an edit re-read only the
    top-level blocks it changed (see `_read_blocks`); the result is the same either way.
    """
    index = LineIndex(text)
    start = 1 if text.startswith(BOM) else 0
    parsed = ParsedAgent(text=text, index=index, mode=ParseMode.NO_FRONTMATTER, content_start=start)
    first_line_end = index.line_end(0)
    if not _FENCE.fullmatch(text, start, first_line_end):
        parsed.body_start = start
        return parsed
    parsed.open_span = Span(start, start + 3)
    closing = _CLOSING_FENCE.search(text, first_line_end)
    yaml_start = index.line_start(1) if index.line_count > 1 else len(text)
    if closing is None:
        parsed.mode = ParseMode.UNCLOSED
        parsed.yaml_span = Span(yaml_start, len(text))
        parsed.body_start = len(text)
        return parsed
    close_start = closing.start(1)
    close_line = index.line_of(close_start)
    parsed.close_span = Span(close_start, close_start + 3)
    # The YAML ends with the line before the fence's line (blanks before the dashes are not YAML).
    parsed.yaml_span = Span(yaml_start, max(yaml_start, index.line_start(close_line)))
    if index.line_end(close_line) > closing.end():
        parsed.body_start = closing.end()  # text after the dashes on their line: the body starts there
    else:
        parsed.body_start = index.line_start(close_line + 1) if close_line + 1 < index.line_count else len(text)
    _read_yaml(parsed, previous)
    return parsed


def _read_yaml(parsed: ParsedAgent, previous: ParsedAgent | None = None) -> None:
    assert parsed.yaml_span is not None
    span = parsed.yaml_span
    try:
        # Bounds checked before any per-line or per-node work: a huge frontmatter is refused in milliseconds.
        if parsed.index.line_of(span.end) - parsed.index.line_of(span.start) > yaml12.MAX_EXPANDED_NODES:
            raise yaml12.YamlTooComplex(f"more than {yaml12.MAX_EXPANDED_NODES} lines")
        if previous is not None and _read_blocks(parsed, previous):
            return
        _compose_and_read(parsed)
    except yaml12.YamlTooComplex as error:  # compose refused a huge document before building it
        parsed.mode = ParseMode.TOO_COMPLEX
        parsed.syntax_error = YamlProblem(str(error), parsed.yaml_span.start)


def _compose_and_read(parsed: ParsedAgent) -> None:
    assert parsed.yaml_span is not None
    source = parsed.text[parsed.yaml_span.start : parsed.yaml_span.end]
    try:
        # A repeated key is no error for Claude Code: the last value wins (agents/dup-*).
        root = yaml12.compose(source)
        parsed.mode = ParseMode.STRICT
    except (yaml.YAMLError, RecursionError) as strict_error:
        parsed.syntax_error = _problem(parsed, strict_error)
        rewritten, offset_map, rewrites = _fallback_rewrite(source, parsed)
        if not rewrites:
            parsed.mode = ParseMode.FAILED
            _collect_fields(parsed, parsed.root)  # duplicates still get positions
            return
        try:
            root = yaml12.compose(rewritten)
        except (yaml.YAMLError, RecursionError) as retry_error:
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
    memo: dict[int, Any] = {}
    parsed.data = yaml12.to_python(root, memo)
    _collect_fields(parsed, root, memo)


def _first_duplicate(root: Node | None) -> ScalarNode | None:
    """The first repeated key in any mapping of the tree (a block holding one is composed whole)."""
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
        crlf = source.startswith("\r\n", pos + len(line))
        # Claude Code's pattern cannot match across the `\r` of a CRLF line (agents/eol-crlf-colon-*).
        match = None if crlf else _FALLBACK_LINE.match(line)
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


def _collect_fields(parsed: ParsedAgent, root: Node | None, memo: dict[int, Any] | None = None) -> None:
    """Fields in order; a repeated key's field is its last occurrence, the earlier ones (which
    Claude Code ignores) are in `duplicates`.

    `memo` holds the values `to_python` gave the root's nodes: a field's value is the one in
    `data` (the last of a repeated key's values, as there), not a copy.
    """
    if not isinstance(root, MappingNode):
        return
    loads = parsed.mode in (ParseMode.STRICT, ParseMode.FALLBACK)
    for key_node, value_node in root.value:
        if not isinstance(key_node, ScalarNode):
            continue
        key_span = parsed.node_span(key_node)
        value_span = parsed.node_span(value_node)
        if value_span.start == value_span.end:
            value_span = key_span
        value = None
        if loads:
            value = memo[id(value_node)] if memo is not None else yaml12.to_python(value_node)
        item = Field(str(key_node.value), key_span, value_node, value_span, value)
        earlier = parsed.fields.pop(item.key, None)
        if earlier is not None:
            parsed.duplicates.append(earlier)
        parsed.fields[item.key] = item


# ---- reading block by block ----------------------------------------------------------------
# A line starting a top-level block: a plain key at column 0, then `:` and a blank or the line's end.
# The patterns start with the break before the line: re then skips ahead to each `\n` in C.
_KEY_LINE = r"[A-Za-z_][A-Za-z0-9_-]*:(?=[ \t\r\n]|\Z)"
_FIRST_KEY = re.compile(_KEY_LINE)
_BLOCK_START = re.compile("\n" + _KEY_LINE)
# Lines that change what follows: document markers and directives. With one of them the
# blocks are not independent, so the frontmatter is composed whole.
_DOCUMENT_LINE = re.compile(r"\n(?:---|\.\.\.|%)")
_DOCUMENT_LINE_CR = re.compile(r"\r(?:---|\.\.\.|%)")
# Line breaks to libyaml besides `\n` and `\r`; rare enough that a frontmatter holding one is composed whole.
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")
# Real frontmatters have a few dozen keys. Past this many, composing block by block (a parser
# per block) could cost far more than composing the whole once, so the whole is composed.
MAX_BLOCKS = 1000


@dataclass(slots=True)
class _Block:
    """One top-level `key: value` block, composed as a document of its own.

    Its node marks count from the block's first character; `node_span` shifts them by
    where the block stands in the version at hand.
    """

    key_node: ScalarNode
    value_node: Node
    key: Any  # the key as `data` holds it (`true:` reads as True)
    value: Any
    size: int  # nodes, aliases expanded: the key, the value and all under it
    mapping_start: int  # where the block's one-pair mapping starts and ends, in the block
    mapping_end: int
    _node_ids: list[int] | None = None
    memo: dict[Any, Any] = field(default_factory=dict)  # see `ParsedAgent.block_memo`

    def node_ids(self) -> list[int]:
        """The ids of every node of the block (computed once: only a moved block needs them)."""
        if self._node_ids is None:
            ids: list[int] = []
            seen: set[int] = set()
            stack: list[Node] = [self.key_node, self.value_node]
            while stack:
                node = stack.pop()
                if id(node) in seen:
                    continue
                seen.add(id(node))
                ids.append(id(node))
                if isinstance(node, SequenceNode):
                    stack.extend(node.value)
                elif isinstance(node, MappingNode):
                    for pair in node.value:
                        stack.extend(pair)
            self._node_ids = ids
        return self._node_ids


def _compose_block(source: str, key: str) -> _Block | None:
    """The block composed alone, or None when it is not one plain `key:` pair read cleanly."""
    try:
        root = yaml12.compose(source)
        if not isinstance(root, MappingNode) or len(root.value) != 1:
            return None
        key_node, value_node = root.value[0]
        if not isinstance(key_node, ScalarNode) or key_node.style or key_node.value != key:
            return None
        if _first_duplicate(root) is not None:
            return None
        size = yaml12.expanded_size(root) - 1
    except (yaml.YAMLError, yaml12.YamlTooComplex, RecursionError):
        return None
    return _Block(
        key_node,
        value_node,
        yaml12.scalar_value(key_node),
        yaml12.to_python(value_node),
        size,
        root.start_mark.index,
        root.end_mark.index,
    )


def _read_blocks(parsed: ParsedAgent, previous: ParsedAgent) -> bool:
    """Read a strict frontmatter one top-level block at a time, reusing `previous`'s blocks.

    An edit usually changes one block; composing and converting only that one, and keeping
    every other block's nodes and values, makes a keystroke in a long frontmatter cost what
    the changed block costs. The result is what composing the whole text gives: at a
    column-0 plain key the YAML scanner and parser are in the same state as at the start
    of a document (a multi-line quoted or flow value crossing the line leaves the block
    before it unterminated, an alias to an earlier block's anchor leaves this one undefined:
    both fail alone), and what ties blocks together is checked here (repeated keys, the size
    limit). Anything else, and any block that does not read cleanly, returns False: the
    caller composes the whole text as before, which also gives the errors their wording.
    """
    assert parsed.yaml_span is not None
    start = parsed.yaml_span.start
    source = parsed.text[start : parsed.yaml_span.end]
    # (line start, key) of each key line; the first block also holds whatever precedes its key
    # (comments, blank lines), so libyaml, not a pattern here, judges that text.
    found = [(m.start() + 1, m.group()[1:-1]) for m in _BLOCK_START.finditer(source)]
    head = _FIRST_KEY.match(source)
    if head is not None:
        found.insert(0, (0, head.group()[:-1]))
    if (
        not found
        or len(found) > MAX_BLOCKS
        or _DOCUMENT_LINE.search(source)
        or source.startswith(("---", "...", "%"))
        or ("\r" in source and _DOCUMENT_LINE_CR.search(source))
        or any(brk in source for brk in _OTHER_BREAKS)
    ):
        return False
    starts = [0, *(at for at, _ in found[1:])]
    known = previous._blocks or {}
    blocks: dict[str, _Block] = {}
    placed: list[tuple[int, _Block]] = []
    keys: set[str] = set()
    total = 1  # the root mapping
    texts = [source[at:end] for at, end in zip(starts, [*starts[1:], len(source)], strict=True)]
    for at, text, (_, key) in zip(starts, texts, found, strict=True):
        block = known.get(text)
        if block is None:
            block = _compose_block(text, key)
        if block is None or block.key_node.value in keys or total + block.size > yaml12.MAX_EXPANDED_NODES:
            # The whole text decides (and words the error). The blocks read cleanly stay for
            # the next version: typing through a broken line re-reads only that line's block.
            blocks.update((t, known[t]) for t in texts if t in known)
            parsed._blocks = blocks
            return False
        keys.add(block.key_node.value)
        total += block.size
        blocks[text] = block
        placed.append((at, block))
    parsed.mode = ParseMode.STRICT
    parsed._blocks = blocks
    shifts: dict[int, int] = {}
    for at, block in placed:
        if at:
            shifts.update(zip(block.node_ids(), repeat(at)))
    parsed._shifts = shifts or None
    first_at, first = placed[0]
    last_at, last = placed[-1]
    parsed.root = MappingNode(
        yaml12.MAP_TAG,
        [(block.key_node, block.value_node) for _, block in placed],
        _mark(parsed, first_at + first.mapping_start),
        _mark(parsed, last_at + last.mapping_end),
        flow_style=False,
    )
    data: dict[Any, Any] = {}
    for _, block in placed:
        # Keys that read the same (`true:` and `True:`) keep the last value, as `to_python` does.
        data.pop(block.key, None)
        data[block.key] = block.value
    parsed.data = data
    for _, block in placed:
        key_span = parsed.node_span(block.key_node)
        value_span = parsed.node_span(block.value_node)
        if value_span.start == value_span.end:
            value_span = key_span
        name = str(block.key_node.value)
        parsed.fields[name] = Field(name, key_span, block.value_node, value_span, block.value)
    parsed._placed = {id(block.value_node): (block, start + at) for at, block in placed}
    return True


def _mark(parsed: ParsedAgent, index: int) -> Any:
    """A mark at `index` into the frontmatter, as the composer would have made it."""
    assert parsed.yaml_span is not None
    base = parsed.yaml_span.start
    line, column = parsed.index.line_col(base + index)
    return yaml12.make_mark(index, line - parsed.index.line_of(base), column)

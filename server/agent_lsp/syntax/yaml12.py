"""YAML 1.2 (core schema) on top of PyYAML, with node positions.

Claude Code reads frontmatter as YAML 1.2, where `yes`, `no`, `on` and `off` are
plain strings and `0777` is a decimal number. PyYAML implements 1.1, so this
module swaps in the 1.2 core-schema resolvers and converts composed nodes to
Python values itself. Composition uses libyaml (C) when present, else the pure
Python parser; both give code-point marks.

Aliases make the node graph a DAG: `expanded_size` measures what a consumer
would walk after expanding every alias, so "billion laughs" documents are
refused before anything walks them.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

try:  # libyaml is an optional part of PyYAML wheels
    from yaml._yaml import CParser as _Parser  # type: ignore[import-not-found]
    from yaml._yaml import Mark as _Mark

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import Mark as _Mark  # type: ignore[assignment]
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

    HAVE_LIBYAML = False

BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"

# What a consumer may walk after expanding aliases; generous for real files
# (a 300-line frontmatter has a few thousand nodes).
MAX_EXPANDED_NODES = 50_000
MAX_DEPTH = 200
# Composing costs a few microseconds per node; texts this long are first counted from
# parser events (cheap, and stopping at the limit) so a huge document is never composed.
PRESCAN_FROM = 20_000


class Yaml12Resolver(BaseResolver):
    """The YAML 1.2 core schema's implicit tags (no 1.1 booleans or sexagesimals)."""


Yaml12Resolver.add_implicit_resolver(BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Yaml12Resolver.add_implicit_resolver(
    INT_TAG, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
Yaml12Resolver.add_implicit_resolver(
    FLOAT_TAG,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
Yaml12Resolver.add_implicit_resolver(NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


# The same four resolvers as one pattern, in the order PyYAML tries them (int before float: both
# claim `-`, `+` and the digits; the other first characters belong to one resolver each).
# `$` is kept (not `\Z`) so a value matches exactly when PyYAML's `^...$` patterns would.
_IMPLICIT = re.compile(
    r"(?:(true|True|TRUE|false|False|FALSE)"
    r"|([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)"
    r"|((?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)))"
    r"|(~|null|Null|NULL|))$"
)
_IMPLICIT_TAGS = (None, BOOL_TAG, INT_TAG, FLOAT_TAG, NULL_TAG)
# First characters any implicit resolver claims; every other plain scalar is a string.
_IMPLICIT_FIRST = frozenset("tTfF-+0123456789.~nN")
SEQ_TAG = BaseResolver.DEFAULT_SEQUENCE_TAG
MAP_TAG = BaseResolver.DEFAULT_MAPPING_TAG


class _FastResolver(Yaml12Resolver):
    """`Yaml12Resolver` with one precompiled pattern and a first-character test.

    The composer asks for a tag once per node; PyYAML's generic `resolve` builds and walks
    a list of resolvers every time, which was the largest single cost of composing. No path
    resolvers are registered, so the result depends only on the kind, the value and whether
    the scalar was plain (the property test pins it to `BaseResolver.resolve`).
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if implicit[0] and (not value or value[0] in _IMPLICIT_FIRST):
                match = _IMPLICIT.match(value)
                if match is not None:
                    return _IMPLICIT_TAGS[match.lastindex or 0] or STR_TAG
            return STR_TAG
        return SEQ_TAG if kind is SequenceNode else MAP_TAG

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None  # only path resolvers need the walk; there are none

    def ascend_resolver(self) -> None:
        return None


class _Composer(_Parser, _FastResolver):  # type: ignore[misc, valid-type]
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _FastResolver.__init__(self)


def make_mark(index: int, line: int, column: int) -> Any:
    """A mark such as the composer makes (libyaml's own type when it composes)."""
    return _Mark("<unicode string>", index, line, column, None, None)


class YamlTooComplex(Exception):
    """The document expands to more nodes (or nests deeper) than we will walk."""


def compose(text: str, prescan: bool = True) -> Node | None:
    """Compose one YAML document into a node tree. Raises yaml.YAMLError, or YamlTooComplex for a huge one.

    `prescan` False skips counting nodes first, for a text known to hold no aliases (strict JSON)."""
    if prescan and len(text) > PRESCAN_FROM and _more_nodes_than(text, MAX_EXPANDED_NODES):
        raise YamlTooComplex(f"more than {MAX_EXPANDED_NODES} nodes")
    try:
        loader = _Composer(text)
    except UnicodeEncodeError as error:  # libyaml encodes str to UTF-8; lone surrogates cannot be
        raise yaml.reader.ReaderError(
            "<unicode string>", error.start, ord(text[error.start]), "unicode", "lone surrogates are not allowed"
        ) from None
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    except yaml.reader.ReaderError as error:
        if HAVE_LIBYAML and isinstance(error.position, int):
            # libyaml counts this position in UTF-8 bytes; everything else here counts code points.
            error.position = len(text.encode("utf-8")[: error.position].decode("utf-8", "ignore"))
        raise
    finally:
        loader.dispose()


_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def _more_nodes_than(text: str, limit: int) -> bool:
    """Whether the text's first document has more than `limit` nodes (a lower bound of its expanded size).

    Counts parser events without building nodes; a syntax error ends the count (compose reports it).
    """
    try:
        parser = _Parser(text)
    except UnicodeEncodeError:
        return False
    count = 0
    try:
        while (event := parser.get_event()) is not None and not isinstance(event, yaml.DocumentEndEvent):
            if isinstance(event, _NODE_EVENTS):
                count += 1
                if count > limit:
                    return True
    except yaml.YAMLError:
        return False
    finally:
        parser.dispose()
    return False


def expanded_size(node: Node, limit: int = MAX_EXPANDED_NODES) -> int:
    """Nodes a full walk would visit with aliases expanded, computed without expanding.

    Raises YamlTooComplex past `limit` nodes or `MAX_DEPTH` levels.
    """
    size = _tree_size(node, limit)
    return size if size is not None else _dag_size(node, limit)


def _tree_size(node: Node, limit: int) -> int | None:
    """The node count when no node is shared (no aliases) and within the limits; None otherwise.

    Almost every frontmatter is a plain tree, where the expanded size is just the number of
    nodes: one level at a time, in C-level list operations, is several times cheaper than
    the memoised walk. Anything unusual (a shared node, a cycle, too many nodes or levels)
    returns None, and `_dag_size` gives the exact answer and the exact error.
    """
    level = [node]
    seen: set[int] = set()
    count = 0
    depth = 0
    while level:
        if depth > MAX_DEPTH:
            return None
        count += len(level)
        if count > limit:
            return None
        seen.update(map(id, level))
        following: list[Node] = []
        for current in level:
            if isinstance(current, SequenceNode):
                following += current.value
            elif isinstance(current, MappingNode):
                for pair in current.value:
                    following += pair
        level = following
        depth += 1
    return count if len(seen) == count else None


def _dag_size(node: Node, limit: int) -> int:
    memo: dict[int, int] = {}
    # Iterative post-order walk: deep nesting must not hit Python's recursion limit.
    stack: list[tuple[Node, int, bool]] = [(node, 0, False)]
    while stack:
        current, depth, done = stack.pop()
        key = id(current)
        if key in memo and not done:
            continue
        if depth > MAX_DEPTH:
            raise YamlTooComplex(f"nesting deeper than {MAX_DEPTH} levels")
        children = _children(current)
        if done:
            total = 1 + sum(memo[id(c)] for c in children)
            if total > limit:
                raise YamlTooComplex(f"more than {limit} nodes once aliases are expanded")
            memo[key] = total
            continue
        stack.append((current, depth, True))
        for child in children:
            if id(child) not in memo:
                stack.append((child, depth + 1, False))
    return memo[id(node)]


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def scalar_value(node: ScalarNode) -> Any:
    """A scalar's YAML 1.2 core-schema value."""
    tag, text = node.tag, node.value
    if tag == BOOL_TAG:
        return text in ("true", "True", "TRUE")
    if tag == NULL_TAG:
        return None
    if tag == INT_TAG:
        try:
            if text.startswith("0o"):
                return int(text[2:], 8)
            if text.startswith("0x"):
                return int(text[2:], 16)
            return int(text, 10)
        except ValueError:
            return text
    if tag == FLOAT_TAG:
        lowered = text.lower()
        if lowered.endswith(".inf"):
            return -math.inf if lowered.startswith("-") else math.inf
        if lowered == ".nan":
            return math.nan
        try:
            return float(text)
        except ValueError:
            return text
    # `!!str`, quoted scalars and unknown local tags all read as text.
    return text


def to_python(node: Node, memo: dict[int, Any] | None = None) -> Any:
    """Convert a node tree to Python values. Shared (aliased) nodes convert once.

    Call `expanded_size` first: it bounds what the conversion and later walks cost.
    `memo` (node id -> value) may be passed in to read the value of any sub-node afterwards.
    """
    return _convert(node, {} if memo is None else memo)


def _convert(n: Node, memo: dict[int, Any]) -> Any:
    # A module-level function rather than a closure in `to_python`: a nested function that calls
    # itself is a reference cycle, which kept each parse's values alive until the cyclic collector ran.
    key = id(n)
    if key in memo:
        return memo[key]
    if isinstance(n, ScalarNode):
        # Most scalars are strings: skip the tag dispatch for them.
        value = n.value if n.tag == STR_TAG else scalar_value(n)
    elif isinstance(n, SequenceNode):
        value = []
        memo[key] = value
        value.extend(_convert(c, memo) for c in n.value)
    else:
        value = {}
        memo[key] = value
        for k, v in n.value:
            name = _convert(k, memo)
            try:
                hash(name)
            except TypeError:
                name = str(name)
            # A repeated key: the last value wins, as in Claude Code's reading; it keeps the first place.
            value[name] = _convert(v, memo)
    memo[key] = value
    return value


def problem_offset(error: yaml.YAMLError) -> int | None:
    """The code-point index where a YAML error was found, if it says."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if getattr(error, "context", None) == "while scanning a simple key" and getattr(error, "context_mark", None):
        # A line with no `:` (such as an unindented continuation): the parser notices only
        # on a later line, but the line that breaks the mapping is where the key started.
        mark = error.context_mark  # type: ignore[attr-defined]
    if mark is None:
        # ReaderError (a forbidden character) carries `position` instead of a mark.
        position = getattr(error, "position", None)
        return position if isinstance(position, int) else None
    return int(mark.index)


def problem_message(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem:
        text = f"{problem} {context}" if context else str(problem)
    else:
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text.strip()

"""Completion in the frontmatter: keys, enum values, tools, skills, MCP servers and hooks.

The document's kind (agent, skill or command) picks the schema that is read.
Every name offered comes from the schema (fields, values, tools, hook events and
handler keys), the installed anthropic SDK (full model ids) or the workspace
index seen from the document (`ProjectView`: its skills, agents and `.mcp.json`
servers, the same the cross-file checks know). Nothing is offered in the Markdown
body. Each item carries a `textEdit` whose range is the word being typed, so
accepting it mid-word, after `- `, after a comma or inside quotes replaces just
that word.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs
from lsprotocol import types

from agent_lsp.features import completion_wire
from agent_lsp.features.markup import content, first_sentence, to_range
from agent_lsp.project.paths import FileKind
from agent_lsp.project.references import inline_mcp_server_names
from agent_lsp.schema import paths as schema_paths
from agent_lsp.schema.models import describe_model_id, sdk_model_ids
from agent_lsp.schema.schemas import AgentSchema, schema_for
from agent_lsp.syntax.cursor import Cursor, Entry, Slot, cursor_at, entry_at, value_lead
from agent_lsp.syntax.frontmatter import ParsedAgent
from agent_lsp.syntax.text import PositionMapper, Span

if TYPE_CHECKING:
    from agent_lsp.project.entry import IndexedFile
    from agent_lsp.project.index import ProjectView

_TOP_KEY = re.compile(r"([^\s:#-][^:#]*?)\s*:(?=\s|$)")


@dataclass(frozen=True, slots=True)
class CompletionOptions:
    snippets: bool = True
    markdown: bool = True
    # The client fetches `documentation` with completionItem/resolve when an item is focused:
    # items then carry a `data` reference instead of their docs (most of a list's bytes).
    defer_docs: bool = False
    # The same for `detail` (the one-line summary the editor shows beside the focused item),
    # when the client resolves that too (VS Code does): lists shrink by another third.
    defer_detail: bool = False
    # The client applies a list-wide `itemDefaults.editRange` (LSP 3.17): items that replace
    # the same word then carry only their text, not a range each.
    item_defaults: bool = False


# An item's `data`: "agentLsp.doc:<n>", a short string the client echoes back on resolve. The
# same deferred fields always get the same reference (while kept), so an item built for one
# list is the very item of the next list at the same kind of place (see `ItemMemo`).
DOC_DATA_PREFIX = "agentLsp.doc:"


class Deferred(NamedTuple):
    """What an item leaves for completionItem/resolve (None: the item carries it, or has none)."""

    detail: str | None
    doc: str | None


class DocStore:
    """The deferred details and docs of offered items, kept until the client resolves an item.

    Entries are interned: the same detail and doc get one reference for as long as they are
    kept. The `keep` most recently offered entries are kept; a reference to an older one
    resolves to nothing (the editor shows the item without them), and references are never
    reused.
    """

    def __init__(self, keep: int = 4096) -> None:
        self._refs: dict[Deferred, str] = {}  # entry -> reference; insertion order is recency of use
        self._entries: dict[str, Deferred] = {}  # reference -> entry
        self._keep = keep
        self._next = 0

    def ref(self, doc: str | None, detail: str | None = None) -> str:
        """The reference that resolves to `doc` and `detail` (made the most recently used)."""
        entry = Deferred(detail, doc)
        refs = self._refs
        reference = refs.pop(entry, None)
        if reference is None:
            self._next += 1
            reference = f"{DOC_DATA_PREFIX}{self._next}"
            self._entries[reference] = entry
            if len(refs) >= self._keep:
                oldest = next(iter(refs))
                del self._entries[refs.pop(oldest)]
        refs[entry] = reference
        return reference

    def entry_for(self, data: Any) -> Deferred | None:
        return self._entries.get(data) if isinstance(data, str) else None


class ItemMemo:
    """Completion items built earlier, reused while they are identical.

    Typing in the frontmatter asks for the same lists again and again (every `tools:` value
    offers the same forty tools). An item that replaces the list's shared range carries no
    range of its own, so it is the same item at every such place: it is built, and turned into
    JSON-ready form (completion_wire), once. The `keep` most recently built items are kept.
    """

    def __init__(self, keep: int = 2048, shared: completion_wire.SharedItems | None = None) -> None:
        self._items: dict[tuple[Any, ...], types.CompletionItem] = {}
        self._keep = keep
        # Where the serializer finds the JSON-ready form of these items (completion_wire.install).
        self.shared = shared if shared is not None else completion_wire.SharedItems()

    def get(self, key: tuple[Any, ...]) -> types.CompletionItem | None:
        return self._items.get(key)

    def put(self, key: tuple[Any, ...], item: types.CompletionItem) -> None:
        items = self._items
        if len(items) >= self._keep:
            self.shared.forget(items.pop(next(iter(items))))
        items[key] = item
        self.shared.share(item)

    def __len__(self) -> int:
        return len(self._items)


def resolve(item: types.CompletionItem, store: DocStore, markdown: bool = True) -> types.CompletionItem:
    """completionItem/resolve: the item back with its deferred detail and documentation filled in
    (when we still have them)."""
    entry = store.entry_for(item.data)
    if entry is None:
        return item
    if item.documentation is None and entry.doc:
        item.documentation = content(entry.doc, markdown)
    if item.detail is None and entry.detail:
        item.detail = entry.detail
    return item


class _Pending(NamedTuple):
    label: str
    span: Span
    new_text: str
    kind: types.CompletionItemKind
    detail: str | None
    doc: str | None
    sort: str
    snippet: bool
    filter_text: str | None


@dataclass(slots=True)
class _Builder:
    parsed: ParsedAgent
    mapper: PositionMapper
    options: CompletionOptions
    project: ProjectView | None = None  # what the project declares, seen from the document
    # Items are gathered first and built at the end, once it is known which replace range
    # most of them share (it goes to `itemDefaults.editRange` when the client takes one).
    pending: list[_Pending] = field(default_factory=list)
    incomplete: bool = False  # a name list was cut at NAMES_LIMIT: the client asks again as the user types

    def add(
        self,
        label: str,
        span: Span,
        new_text: str,
        *,
        kind: types.CompletionItemKind,
        detail: str | None = None,
        doc: str | None = None,
        sort: str = "",
        snippet: bool = False,
        filter_text: str | None = None,
    ) -> None:
        self.pending.append(
            _Pending(label, span, new_text, kind, detail, doc, sort, snippet and self.options.snippets, filter_text)
        )

    def finish(self, docs: DocStore | None, memo: ItemMemo | None) -> types.CompletionList:
        shared: Span | None = None
        if self.options.item_defaults and self.pending:
            counts = Counter(p.span for p in self.pending)
            shared = max(counts, key=counts.__getitem__)
        ranges: dict[Span, types.Range] = {}  # one conversion to client units per distinct span
        items = []
        markdown = self.options.markdown
        defer_docs, defer_detail = self.options.defer_docs, self.options.defer_detail
        with attrs.validators.disabled():  # our own values, of the declared types: skip attrs' per-field checks
            for p in self.pending:
                doc, detail, data = p.doc, p.detail, None
                if docs is not None and ((defer_docs and doc) or (defer_detail and detail)):
                    data = docs.ref(doc if defer_docs else None, detail if defer_detail else None)
                    doc = None if defer_docs else doc
                    detail = None if defer_detail else detail
                if memo is None or p.span != shared:
                    items.append(self._item(p, shared, ranges, data, doc, detail, markdown))
                    continue
                # The item holds everything but the span (the list's default): that is its identity.
                key = (p.label, p.new_text, p.kind, detail, doc, data, p.sort, p.snippet, p.filter_text, markdown)
                item = memo.get(key)
                if item is None:
                    item = self._item(p, shared, ranges, data, doc, detail, markdown)
                    memo.put(key, item)
                items.append(item)
        if shared is not None and shared not in ranges:
            ranges[shared] = to_range(self.mapper, shared)
        defaults = types.CompletionItemDefaults(edit_range=ranges[shared]) if shared is not None else None
        return types.CompletionList(is_incomplete=self.incomplete, items=items, item_defaults=defaults)

    def _item(
        self,
        p: _Pending,
        shared: Span | None,
        ranges: dict[Span, types.Range],
        data: str | None,
        doc: str | None,
        detail: str | None,
        markdown: bool,
    ) -> types.CompletionItem:
        """The item for `p`, with the `doc` and `detail` it carries itself (the rest is behind `data`)."""
        on_default = p.span == shared
        text_edit = None
        if not on_default:
            rng = ranges.get(p.span)
            if rng is None:
                rng = ranges[p.span] = to_range(self.mapper, p.span)
            text_edit = types.TextEdit(range=rng, new_text=p.new_text)
        return types.CompletionItem(
            label=p.label,
            kind=p.kind,
            detail=detail,
            documentation=content(doc, markdown) if doc else None,
            data=data,
            sort_text=p.sort + p.label,
            filter_text=p.filter_text if p.filter_text != p.label else None,  # the label is the default
            text_edit=text_edit,
            text_edit_text=p.new_text if on_default and p.new_text != p.label else None,
            # Plain text is the protocol's default: only snippets say so.
            insert_text_format=types.InsertTextFormat.Snippet if p.snippet else None,
            # Nested blocks carry their own indentation; a client must not indent them again.
            insert_text_mode=types.InsertTextMode.AsIs if "\n" in p.new_text else None,
        )


def complete(
    parsed: ParsedAgent,
    offset: int,
    mapper: PositionMapper,
    options: CompletionOptions | None = None,
    kind: str = "agent",
    docs: DocStore | None = None,
    memo: ItemMemo | None = None,
    project: ProjectView | None = None,
) -> types.CompletionList:
    """Completion items for the cursor at `offset` (an empty list outside the frontmatter).

    With `docs`, a client that resolves items gets docs and details by reference
    (`options.defer_docs`, `options.defer_detail`);
    with `memo`, items are reused from earlier lists (see `ItemMemo`);
    with `project` (the workspace index, seen from the document), skills, agents and MCP servers are named.
    """
    options = options or CompletionOptions()
    builder = _Builder(parsed, mapper, options, project)
    cursor = cursor_at(parsed, offset)
    if cursor is not None:
        _dispatch(builder, cursor, offset, schema_for(kind))
    return builder.finish(docs, memo)


def _dispatch(b: _Builder, cursor: Cursor, offset: int, schema: AgentSchema) -> None:
    path = cursor.path
    if cursor.slot is Slot.KEY:
        if path == ():
            _top_keys(b, cursor, schema)
        else:
            _nested_keys(b, cursor, schema)
        return
    if cursor.slot is Slot.VALUE:
        assert cursor.key is not None
        if path == ():
            _top_value(b, cursor, offset, schema, cursor.key)
        else:
            _nested_value(b, cursor, schema)
        return
    container = path[-1] if path else None
    listed = (*schema.tool_list_fields, "skills", "mcpServers")
    if path == (container,) and container in listed and container in schema.properties:
        _listed(b, cursor, offset, schema, container)
        return
    # A list item that is a mapping (`- matcher: ...`, `- type: ...`): its keys.
    if path and schema_paths.key_names(schema, schema_paths.at_path(schema, path) or {}):
        _nested_keys(b, cursor, schema)


# ---- keys ------------------------------------------------------------------------------
def _present_top_keys(parsed: ParsedAgent) -> set[str]:
    """Keys already written at the top level, read from the lines so half-typed YAML counts too."""
    keys = set(parsed.fields)
    assert parsed.yaml_span is not None
    for line in parsed.text[parsed.yaml_span.start : parsed.yaml_span.end].splitlines():
        match = _TOP_KEY.match(line)
        if match:
            keys.add(match.group(1))
    return keys


def _top_keys(b: _Builder, cursor: Cursor, schema: AgentSchema) -> None:
    present = _present_top_keys(b.parsed) - {cursor.key or ""}
    span = Span(cursor.word_start, cursor.word_end)
    required = schema.required
    for position, name in enumerate(schema.field_names):
        if name in present:
            continue
        prop, values, words, doc = _top_key_facts(schema, name)
        rank = "0" if name in required else "1"
        new_text, snippet = _key_text(b, cursor, name, values, prop, schema)
        b.add(
            name,
            span,
            new_text,
            kind=types.CompletionItemKind.Property,
            detail=("required · " if name in required else "") + words,
            doc=doc,
            sort=f"{rank}{position:02d}",
            snippet=snippet,
            filter_text=name,
        )


@cache
def _top_key_facts(schema: AgentSchema, name: str) -> tuple[dict[str, Any], list[str], str, str]:
    """What a top-level key's item takes from the schema: its property, enum values, type in
    words and docs (the same on every request; schema objects live for the whole process)."""
    prop = schema.field(name)
    return prop, schema.enum_values(name), type_words(schema, prop), str(prop.get("markdownDescription", ""))


def _nested_keys(b: _Builder, cursor: Cursor, schema: AgentSchema) -> None:
    node = schema_paths.at_path(schema, cursor.path)
    if node is None:
        return
    span = Span(cursor.word_start, cursor.word_end)
    required = set(node.get("required", []))
    for position, (name, doc) in enumerate(schema_paths.key_names(schema, node).items()):
        prop = schema_paths.key_schema(schema, cursor.path, name) or {}
        values = list(schema_paths.enum_with_docs(schema_paths.resolve(schema, prop)))
        new_text, snippet = _key_text(b, cursor, name, values, prop, schema)
        b.add(
            name,
            span,
            new_text,
            kind=types.CompletionItemKind.EnumMember if "propertyNames" in node else types.CompletionItemKind.Property,
            detail=("required · " if name in required else "") + type_words(schema, prop),
            doc=doc,
            sort=f"{0 if name in required else 1}{position:02d}",
            snippet=snippet,
            filter_text=name,
        )


def _key_text(
    b: _Builder, cursor: Cursor, name: str, values: list[str], prop: dict[str, Any], schema: AgentSchema
) -> tuple[str, bool]:
    """What accepting a key inserts: the name alone when `:` is already there, else `name: ` and a slot."""
    if cursor.has_colon:
        return name, False
    resolved = schema_paths.resolve(schema, prop)
    if not b.options.snippets:
        return f"{name}: ", False
    # A nested block goes one level deeper than the key itself.
    column = cursor.word_start - b.parsed.index.line_start(cursor.line)
    inner = " " * (column + 2)
    items = prop.get("items")
    if prop.get("type") == "array" and isinstance(items, dict) and ("$ref" in items or "properties" in resolved):
        return f"{name}:\n{inner}- ${{1}}", True
    if resolved.get("type") == "object" or "propertyNames" in resolved:
        return f"{name}:\n{inner}${{1}}", True
    if values:
        return f"{name}: ${{1|{','.join(values)}|}}", True
    return f"{name}: ${{1}}", True


def type_words(schema: AgentSchema, prop: dict[str, Any]) -> str:
    node = schema_paths.resolve(schema, prop)
    # A shared definition may say its type in words (`true` or `false` for a skill's flags).
    referenced = schema_paths.resolve(schema, {"$ref": prop["$ref"]}) if "$ref" in prop else {}
    for source in (node, referenced):
        ext = source.get("x-agent-lsp")
        if isinstance(ext, dict) and isinstance(ext.get("typeWords"), str):
            return str(ext["typeWords"])
    kinds: list[str] = []
    for option in [node, *node.get("anyOf", [])]:
        kind = option.get("type")
        if kind == "array":
            kinds.append("list")
        elif kind == "object" or "propertyNames" in option:
            kinds.append("mapping")
        elif kind in ("string", "integer", "boolean", "number"):
            kinds.append({"string": "text", "integer": "whole number"}.get(kind, kind))
        elif "enum" in option:
            kinds.append("one of the listed values")
    return " or ".join(dict.fromkeys(kinds)) or "value"


# ---- values ----------------------------------------------------------------------------
def _value_span(cursor: Cursor) -> Span:
    return Span(cursor.value_start, cursor.value_end)


def _top_value(b: _Builder, cursor: Cursor, offset: int, schema: AgentSchema, key: str) -> None:
    if key not in schema.properties:
        return
    if schema.tool_list_kind(key) or key == "skills":
        _listed(b, cursor, offset, schema, key)
        return
    if key == "model":
        _models(b, cursor, schema)
        return
    _enum_items(b, cursor, schema.enum_docs(key) or dict.fromkeys(schema.enum_values(key), ""))
    if schema.ext(key).get("completeFrom") == "agents":
        # A skill's `agent`: besides the built-in types, the project's own agents.
        span = _value_span(cursor)
        lead = value_lead(b.parsed, span.start)
        known = set(schema.enum_values(key))
        for item in _project_named(b, FileKind.AGENT, b.parsed.text[span.start : max(span.start, offset)], known):
            name = item.qualified_name or ""
            b.add(name, span, lead + name, kind=types.CompletionItemKind.Class,
                  detail=first_sentence(item.description) if item.description else f"{item.scope.value} agent",
                  doc=item.description or None, sort="1", filter_text=name)  # fmt: skip


def _nested_value(b: _Builder, cursor: Cursor, schema: AgentSchema) -> None:
    assert cursor.key is not None
    if cursor.key == "matcher" and cursor.path[:1] == ("hooks",):
        # A tool event's matcher names tools; offer them as plain names.
        _tool_names(b, cursor, _value_span(cursor), schema, set(), lead=value_lead(b.parsed, cursor.value_start))
        return
    prop = schema_paths.key_schema(schema, cursor.path, cursor.key)
    if prop is not None:
        _enum_items(b, cursor, schema_paths.enum_with_docs(schema_paths.resolve(schema, prop)))


def _enum_items(b: _Builder, cursor: Cursor, values: dict[str, str], rank: str = "0") -> None:
    span = _value_span(cursor)
    lead = value_lead(b.parsed, span.start)
    for position, (value, doc) in enumerate(values.items()):
        b.add(
            value,
            span,
            lead + value,
            kind=types.CompletionItemKind.EnumMember,
            detail=first_sentence(doc) if doc else None,
            doc=doc or None,
            sort=f"{rank}{position:03d}",
            filter_text=value,
        )


def _models(b: _Builder, cursor: Cursor, schema: AgentSchema) -> None:
    _enum_items(b, cursor, schema.enum_docs("model"))
    span = _value_span(cursor)
    lead = value_lead(b.parsed, span.start)
    for position, model_id in enumerate(sdk_model_ids()):
        what = describe_model_id(model_id)
        b.add(
            model_id,
            span,
            lead + model_id,
            kind=types.CompletionItemKind.Value,
            detail=what,
            doc=f"`{model_id}`: {what}",
            sort=f"1{position:03d}",
            filter_text=model_id,
        )


# ---- lists: tools, skills, MCP servers ---------------------------------------------------
def _listed(b: _Builder, cursor: Cursor, offset: int, schema: AgentSchema, key: str) -> None:
    token = entry_at(b.parsed, cursor, offset)
    listed = token.listed | (_listed_items(b.parsed, key) if cursor.slot is Slot.ITEM else set())
    if key == "skills":
        _named(b, token, offset, FileKind.SKILL, listed, types.CompletionItemKind.Module)
        return
    if key == "mcpServers":
        names = [n for n in _mcp_servers(b) if n not in listed]
        for name in names:
            b.add(name, token.span, token.lead + name, kind=types.CompletionItemKind.Module,
                  detail="MCP server from .mcp.json", filter_text=name)  # fmt: skip
        return
    if token.owner is not None:
        _specifier(b, token, offset)
        return
    _tool_names(b, cursor, token.span, schema, listed, lead=token.lead, allow=schema.tool_list_kind(key) == "tools")
    _templates(b, token, schema)
    servers = [*_mcp_servers(b), *_own_mcp_servers(b.parsed)]
    for name in dict.fromkeys(servers):
        label = f"mcp__{name}__"
        b.add(label, token.span, token.lead + label, kind=types.CompletionItemKind.Module, sort="2",
              detail=f"tools of the MCP server `{name}`",
              doc=f"Tools of the `{name}` MCP server: add a tool name after `__`, or `*` for all of them.",
              filter_text=label)  # fmt: skip


def _listed_items(parsed: ParsedAgent, key: str) -> set[str]:
    value = parsed.data.get(key) if parsed.data else None
    if isinstance(value, list):
        return {str(v).split("(", 1)[0].strip() for v in value}
    return set()


def _own_mcp_servers(parsed: ParsedAgent) -> list[str]:
    return inline_mcp_server_names(parsed.data.get("mcpServers") if parsed.data else None)


def _mcp_servers(b: _Builder) -> tuple[str, ...]:
    return b.project.mcp_servers() if b.project else ()


NAMES_LIMIT = 100  # agents or skills offered at most in one list (a workspace may hold thousands)


def _project_named(b: _Builder, kind: FileKind, typed: str, skip: set[str]) -> list[IndexedFile]:
    """The project's agents or skills seen from the document, but those in `skip`. When there are more
    than NAMES_LIMIT, only names starting with what is `typed`, at most NAMES_LIMIT of them, and a list
    cut short is marked incomplete: each keystroke asks again, and no list grows with the workspace (a
    client filters a complete list itself, fuzzily, so a small workspace's list is never narrowed)."""
    if b.project is None:
        return []
    found, complete = b.project.named(kind, typed.strip(), NAMES_LIMIT, skip)
    if not complete:
        b.incomplete = True
    return found


def _tool_names(
    b: _Builder,
    cursor: Cursor,
    span: Span,
    schema: AgentSchema,
    listed: set[str],
    *,
    lead: str,
    allow: bool = False,
) -> None:
    removed = schema.tools_removed_for_subagents if allow else frozenset()
    for name, doc in schema.builtin_tools.items():
        if name in listed or name in removed:
            continue
        b.add(name, span, lead + name, kind=types.CompletionItemKind.Function, detail=first_sentence(doc),
              doc=doc, sort="0", filter_text=name)  # fmt: skip


@cache
def _template_parts(template: str) -> tuple[str, str]:
    """A snippet template's label (its placeholders' defaults in place) and the tool it limits."""
    return _PLACEHOLDER.sub(r"\1", template), template.split("(", 1)[0]


_PLACEHOLDER = re.compile(r"\$\{\d+:([^}]*)\}")


def _templates(b: _Builder, token: Entry, schema: AgentSchema) -> None:
    for template in schema.specifier_templates:
        label, tool = _template_parts(template)
        text = template if b.options.snippets else label
        b.add(label, token.span, token.lead + text, kind=types.CompletionItemKind.Snippet,
              detail=f"{tool} limited to matching uses", doc=schema.tool_doc(tool), sort="1",
              snippet=True, filter_text=f"{tool}(")  # fmt: skip


def _specifier(b: _Builder, token: Entry, offset: int) -> None:
    """Inside `Agent(` the project's agents; inside `WebFetch(` the `domain:` form."""
    if token.owner == "Agent":
        _named(b, token, offset, FileKind.AGENT, token.listed, types.CompletionItemKind.Class)
    elif token.owner == "WebFetch":
        text = "domain:${1:example.com}" if b.options.snippets else "domain:"
        b.add("domain:", token.span, text, kind=types.CompletionItemKind.Keyword,
              detail="limit WebFetch to one host", snippet=True, filter_text="domain:")  # fmt: skip


def _named(
    b: _Builder,
    token: Entry,
    offset: int,
    of: FileKind,
    listed: set[str],
    kind: types.CompletionItemKind,
) -> None:
    """Skills or agents by the name they are listed under (`plugin:name` for a plugin's), with their descriptions."""
    typed = b.parsed.text[token.span.start : max(token.span.start, offset)]
    for item in _project_named(b, of, typed, listed):
        name = item.qualified_name
        if not name:
            continue
        b.add(name, token.span, token.lead + name, kind=kind,
              detail=first_sentence(item.description) if item.description else None,
              doc=item.description or None, filter_text=name)  # fmt: skip

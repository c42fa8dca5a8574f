"""The fast completion-item serializer writes exactly what lsprotocol's cattrs hook writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.protocol import default_converter

from agent_lsp.features import completion_wire
from agent_lsp.features.complete import CompletionOptions, DocStore, complete
from agent_lsp.syntax.frontmatter import parse_agent
from agent_lsp.syntax.text import PositionMapper

AGENT = (
    "---\nname: 😀-reviewer\ndescription: Reviews 漢字 code.\ntools: Read, Gr\nmodel: so\ncolor: \n"
    "permissionMode: \nskills:\n  - \nhooks:\n  PreToolUse:\n    - matcher: Ba\n      hooks:\n        - type: \n"
    "mcpServers:\n  - \n\n---\nBody.\n"
)


def _items() -> list[types.CompletionItem]:
    parsed = parse_agent(AGENT)
    found: list[types.CompletionItem] = []
    for encoding in ("utf-16", "utf-8"):
        mapper = PositionMapper(parsed.index, encoding)
        for options in (
            CompletionOptions(),
            CompletionOptions(snippets=False, markdown=False),
            CompletionOptions(defer_docs=True, item_defaults=True),
            CompletionOptions(defer_docs=True, defer_detail=True, item_defaults=True),
        ):
            for offset in range(parsed.index.line_end(parsed.index.line_count - 4)):
                found += complete(parsed, offset, mapper, options, docs=DocStore()).items
    return found


def test_every_item_the_features_build_serializes_as_lsprotocol_would() -> None:
    original = default_converter()
    fast = default_converter()
    completion_wire.install(fast)
    items = _items()
    assert len(items) > 1000
    for item in items:
        expected = original.unstructure(item)
        got = fast.unstructure(item)
        assert got == expected
        assert json.dumps(got) == json.dumps(expected)  # the same keys in the same order


def test_shared_items_are_serialized_once_and_exactly() -> None:
    from agent_lsp.features.complete import ItemMemo

    memo = ItemMemo()
    fast = default_converter()
    completion_wire.install(fast, memo.shared)
    original = default_converter()
    parsed = parse_agent(AGENT)
    mapper = PositionMapper(parsed.index)
    options = CompletionOptions(defer_docs=True, item_defaults=True)
    docs = DocStore()
    reused = 0
    for _ in range(2):  # the second round answers from the memo
        for offset in range(parsed.index.line_end(parsed.index.line_count - 4)):
            result = complete(parsed, offset, mapper, options, docs=docs, memo=memo)
            got, expected = fast.unstructure(result), original.unstructure(result)
            assert json.dumps(got) == json.dumps(expected)
            for item, wire in zip(result.items, got["items"], strict=True):
                if completion_wire_form(memo, item) is not None:
                    reused += 1
                    assert fast.unstructure(result)["items"][result.items.index(item)] is wire  # made once
    assert reused > 1000


def completion_wire_form(memo: object, item: types.CompletionItem) -> object:
    shared = memo.shared  # type: ignore[attr-defined]
    return shared.wire(item, lambda _: None)  # None unless the item is shared and already made


@pytest.mark.parametrize(
    "item",
    [
        types.CompletionItem(label="a", tags=[types.CompletionItemTag.Deprecated]),
        types.CompletionItem(label="a", deprecated=True, preselect=False),
        types.CompletionItem(label="a", insert_text="b", commit_characters=[","]),
        types.CompletionItem(label="a", label_details=types.CompletionItemLabelDetails(detail="d")),
        types.CompletionItem(label="a", documentation="plain text"),
        types.CompletionItem(label="a", data={"k": [1, 2]}),
        types.CompletionItem(label="a", command=types.Command(title="t", command="c")),
        types.CompletionItem(
            label="a",
            text_edit=types.InsertReplaceEdit(
                new_text="x",
                insert=types.Range(types.Position(0, 0), types.Position(0, 1)),
                replace=types.Range(types.Position(0, 0), types.Position(0, 2)),
            ),
        ),
        types.CompletionItem(
            label="a",
            additional_text_edits=[types.TextEdit(types.Range(types.Position(0, 0), types.Position(0, 0)), "b")],
        ),
    ],
)
def test_items_with_other_fields_go_through_the_original_hook(item: types.CompletionItem) -> None:
    fast = default_converter()
    completion_wire.install(fast)
    assert fast.unstructure(item) == default_converter().unstructure(item)


def test_the_server_uses_it(tmp_path: Path) -> None:
    from agent_lsp.lsp.server import create_server

    converter = create_server().protocol._converter
    assert converter.get_unstructure_hook(types.CompletionItem).__qualname__.startswith("fast_hook")

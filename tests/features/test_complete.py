"""Completion on plain strings: `|` marks the cursor."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from agent_lsp.features.complete import CompletionOptions, complete
from agent_lsp.project.index import ProjectView, build_index
from agent_lsp.schema.models import sdk_model_ids
from agent_lsp.schema.schemas import agent_schema
from agent_lsp.syntax.frontmatter import parse_agent
from agent_lsp.syntax.text import PositionMapper

SCHEMA = agent_schema()


def view(folder: Path, user_dir: Path | None = None) -> ProjectView:
    """The workspace index of `folder`, seen from an agent of its own `.claude/agents/`."""
    return ProjectView(build_index([folder], user_dir), str(folder / ".claude" / "agents" / "doc.md"))


def items(
    marked: str, *, encoding: str = "utf-16", project: ProjectView | None = None, snippets: bool = True
) -> dict[str, types.CompletionItem]:
    offset = marked.index("|")
    text = marked[:offset] + marked[offset + 1 :]
    parsed = parse_agent(text)
    mapper = PositionMapper(parsed.index, encoding)
    result = complete(parsed, offset, mapper, CompletionOptions(snippets=snippets), project=project)
    return {item.label: item for item in result.items}


def edit_of(item: types.CompletionItem) -> tuple[tuple[int, int, int], str]:
    assert isinstance(item.text_edit, types.TextEdit)
    rng = item.text_edit.range
    assert rng.start.line == rng.end.line
    return (rng.start.line, rng.start.character, rng.end.character), item.text_edit.new_text


def doc_of(item: types.CompletionItem) -> str:
    assert isinstance(item.documentation, types.MarkupContent)
    return item.documentation.value


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".mcp.json").write_text('{"mcpServers": {"github": {"command": "gh"}, "db": {"url": "x"}}}')
    for name, description in [("api-conventions", "How our HTTP APIs are shaped."), ("testing", "Test rules.")]:
        folder = tmp_path / ".claude" / "skills" / name
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(f"---\ndescription: {description}\n---\nBody\n")
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "worker.md").write_text("---\nname: worker\ndescription: Does the heavy lifting.\n---\nBody\n")
    return tmp_path


# ---- keys -------------------------------------------------------------------------------------
def test_keys_not_present_with_required_first_and_snippets() -> None:
    found = items("---\nname: x\n|\n---\nBody\n")
    assert "name" not in found
    assert set(found) == set(SCHEMA.field_names) - {"name"}
    ordered = sorted(found.values(), key=lambda i: i.sort_text or "")
    assert ordered[0].label == "description"
    assert edit_of(found["tools"]) == ((2, 0, 0), "tools: ${1}")
    assert found["tools"].insert_text_format == types.InsertTextFormat.Snippet
    assert edit_of(found["color"])[1].startswith("color: ${1|red,blue,")
    assert doc_of(found["tools"]) == SCHEMA.field("tools")["markdownDescription"]


def test_key_typed_mid_word_replaces_the_whole_word() -> None:
    found = items("---\nname: x\nmo|de\n---\n")
    assert edit_of(found["model"])[0] == (2, 0, 4)


def test_key_before_an_existing_colon_inserts_only_the_name() -> None:
    found = items("---\nname: x\nmod|: sonnet\n---\n")
    assert edit_of(found["model"]) == ((2, 0, 3), "model")


def test_without_snippet_support_keys_are_plain_text() -> None:
    found = items("---\n|\n---\n", snippets=False)
    assert edit_of(found["tools"]) == ((1, 0, 0), "tools: ")
    assert found["tools"].insert_text_format in (None, types.InsertTextFormat.PlainText)  # None: plain by default


def test_block_fields_open_an_indented_block() -> None:
    found = items("---\nname: x\n|\n---\n")
    assert edit_of(found["hooks"])[1] == "hooks:\n  ${1}"
    assert edit_of(found["mcpServers"])[1] == "mcpServers:\n  - ${1}"
    assert found["hooks"].insert_text_mode == types.InsertTextMode.AsIs


@pytest.mark.parametrize(
    "marked",
    ["---\nname: x\n---\n|\n", "---\nname: x\n---\nSome |text\n", "|---\nname: x\n---\n", "---\nname: x\n|---\n"],
)
def test_nothing_outside_the_frontmatter(marked: str) -> None:
    assert items(marked) == {}


def test_nothing_in_a_comment_or_a_continued_scalar() -> None:
    assert items("---\nname: x\n# a co|mment\n---\n") == {}
    assert items("---\ndescription: first line\n  sec|ond\n---\n") == {}


# ---- values -----------------------------------------------------------------------------------
ENUM_FIELDS = [name for name in SCHEMA.field_names if SCHEMA.enum_values(name)]


def test_every_enum_field_of_the_issue_is_covered() -> None:
    assert {"model", "color", "permissionMode", "effort", "memory", "isolation", "background"} <= set(ENUM_FIELDS)


@pytest.mark.parametrize("field", ENUM_FIELDS)
def test_enum_values_with_their_docs(field: str) -> None:
    found = items(f"---\nname: x\n{field}: |\n---\n")
    values = SCHEMA.enum_values(field)
    assert set(values) <= set(found)
    for value, doc in SCHEMA.enum_docs(field).items():
        assert doc_of(found[value]) == doc
        assert edit_of(found[value]) == ((2, len(field) + 2, len(field) + 2), value)


def test_model_aliases_first_then_sdk_ids_each_described() -> None:
    found = items("---\nmodel: |\n---\n")
    ordered = [i.label for i in sorted(found.values(), key=lambda i: i.sort_text or "")]
    aliases = SCHEMA.enum_values("model")
    assert ordered[: len(aliases)] == aliases
    ids = sdk_model_ids()
    assert ids and set(ordered[len(aliases) :]) == set(ids)
    dated = next(i for i in ids if i[-8:].isdigit())
    assert "snapshot dated" in (found[dated].detail or "")


def test_value_mid_word_and_inside_quotes() -> None:
    assert edit_of(items("---\ncolor: bl|ue\n---\n")["green"]) == ((1, 7, 11), "green")
    assert edit_of(items('---\ncolor: "bl|"\n---\n')["blue"]) == ((1, 8, 10), "blue")
    assert edit_of(items("---\ncolor: 'bl|ue'  # note\n---\n")["blue"]) == ((1, 8, 12), "blue")


def test_value_right_after_the_colon_gets_a_space() -> None:
    assert edit_of(items("---\neffort:|\n---\n")["high"]) == ((1, 7, 7), " high")


def test_emoji_and_cjk_before_the_cursor_in_utf16_and_utf8() -> None:
    marked = "---\ncolor: 😀日本 bl|\n---\n"
    # The value starts at code point 7 whatever the unit; its end is after 😀 (2 / 4 units) and 日本 (2 / 6).
    assert edit_of(items(marked)["blue"])[0] == (1, 7, 7 + 2 + 2 + 3)
    assert edit_of(items(marked, encoding="utf-8")["blue"])[0] == (1, 7, 7 + 4 + 6 + 3)
    assert edit_of(items(marked, encoding="utf-32")["blue"])[0] == (1, 7, 7 + 1 + 2 + 3)


def test_key_after_cjk_line_in_utf8() -> None:
    found = items("---\ndescription: 日本語\nmo|\n---\n", encoding="utf-8")
    assert edit_of(found["model"])[0] == (2, 0, 2)


# ---- tools ------------------------------------------------------------------------------------
def test_tools_in_a_comma_string() -> None:
    found = items("---\ntools: Read, Gr|\n---\n")
    assert "Read" not in found
    assert edit_of(found["Grep"]) == ((1, 13, 15), "Grep")
    assert found["Grep"].detail == SCHEMA.builtin_tools["Grep"].split(". ")[0].rstrip(".") + "."


def test_tools_mid_word_in_a_string_replace_the_entry_only() -> None:
    assert edit_of(items("---\ntools: Read, Gr|ep, Glob\n---\n")["Grep"]) == ((1, 13, 17), "Grep")


def test_tools_after_a_bare_comma_get_a_space() -> None:
    assert edit_of(items("---\ntools: Read,|\n---\n")["Grep"]) == ((1, 12, 12), " Grep")


def test_tools_in_a_yaml_list_after_dash() -> None:
    found = items("---\ntools:\n  - Read\n  - |\n---\n")
    assert "Read" not in found
    assert edit_of(found["Glob"]) == ((3, 4, 4), "Glob")
    assert edit_of(items("---\ntools:\n  -|\n---\n")["Glob"]) == ((2, 3, 3), " Glob")


def test_tools_inside_quotes_and_flow_lists() -> None:
    assert edit_of(items('---\ntools: "Read, Gl|"\n---\n')["Glob"]) == ((1, 14, 16), "Glob")
    assert edit_of(items("---\ntools:\n  - 'Gl|'\n---\n")["Glob"]) == ((2, 5, 7), "Glob")
    assert edit_of(items("---\ntools: [Read, Gl|]\n---\n")["Glob"]) == ((1, 14, 16), "Glob")


def test_tools_removed_for_subagents_are_not_offered_in_tools_but_are_in_disallowed() -> None:
    removed = SCHEMA.tools_removed_for_subagents
    assert not removed & set(items("---\ntools: |\n---\n"))
    assert removed <= set(items("---\ndisallowedTools: |\n---\n"))


def test_specifier_templates() -> None:
    found = items("---\ntools: Read, |\n---\n")
    bash = found["Bash(command *)"]
    assert edit_of(bash)[1] == "Bash(${1:command} *)"
    assert bash.insert_text_format == types.InsertTextFormat.Snippet
    assert {"Read(path/**)", "Edit(path/**)", "WebFetch(domain:example.com)"} <= set(found)


def test_mcp_servers_from_the_project_and_the_file(project: Path) -> None:
    marked = "---\nmcpServers:\n  - own:\n      command: x\ntools: mcp_|\n---\n"
    found = items(marked, project=view(project))
    assert {"mcp__github__", "mcp__db__", "mcp__own__"} <= set(found)
    assert edit_of(found["mcp__github__"]) == ((4, 7, 11), "mcp__github__")


def test_agent_names_inside_agent_parentheses(project: Path) -> None:
    found = items("---\ntools: Agent(|\n---\n", project=view(project))
    assert set(found) == {"worker"}
    assert doc_of(found["worker"]) == "Does the heavy lifting."
    assert edit_of(found["worker"]) == ((1, 13, 13), "worker")


def test_webfetch_domain_form() -> None:
    found = items("---\ntools: WebFetch(|\n---\n")
    assert edit_of(found["domain:"])[1] == "domain:${1:example.com}"


# ---- skills and MCP server names --------------------------------------------------------------
def test_skills_from_the_project(project: Path) -> None:
    found = items("---\nskills:\n  - |\n---\n", project=view(project))
    assert set(found) == {"api-conventions", "testing"}
    assert doc_of(found["api-conventions"]) == "How our HTTP APIs are shaped."
    listed = items("---\nskills:\n  - testing\n  - |\n---\n", project=view(project))
    assert set(listed) == {"api-conventions"}


def test_mcp_server_names_in_mcp_servers(project: Path) -> None:
    found = items("---\nmcpServers:\n  - gi|\n---\n", project=view(project))
    assert edit_of(found["github"]) == ((2, 4, 6), "github")


def test_missing_project_files_give_no_error(tmp_path: Path) -> None:
    (tmp_path / ".mcp.json").write_text("{not json")
    assert items("---\nskills:\n  - |\n---\n", project=view(tmp_path)) == {}
    assert "Grep" in items("---\ntools: |\n---\n", project=view(tmp_path))


# ---- hooks ------------------------------------------------------------------------------------
def test_hook_event_names() -> None:
    found = items("---\nhooks:\n  Pre|\n---\n")
    assert set(found) == set(SCHEMA.hook_events)
    assert edit_of(found["PreToolUse"]) == ((2, 2, 5), "PreToolUse:\n    - ${1}")


def test_matcher_group_keys() -> None:
    found = items("---\nhooks:\n  PreToolUse:\n    - |\n---\n")
    assert set(found) == {"matcher", "hooks"}


def test_handler_keys_and_type_values() -> None:
    base = "---\nhooks:\n  PreToolUse:\n    - matcher: Bash\n      hooks:\n"
    keys = items(base + "        - type: command\n          |\n---\n")
    assert set(keys) == set(SCHEMA.defs["hookHandler"]["properties"])
    assert edit_of(keys["command"]) == ((6, 10, 10), "command: ${1}")
    types_ = items(base + "        - type: |\n---\n")
    assert set(types_) == set(SCHEMA.defs["hookHandler"]["properties"]["type"]["enum"])
    assert edit_of(types_["http"]) == ((5, 16, 16), "http")


def test_matcher_values_are_tool_names() -> None:
    found = items("---\nhooks:\n  PreToolUse:\n    - matcher: Ba|\n---\n")
    assert edit_of(found["Bash"]) == ((3, 15, 17), "Bash")


def test_model_ids_are_read_without_importing_the_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from agent_lsp.schema import models; ids = models.sdk_model_ids(); "
        "print(len(ids), 'anthropic' in sys.modules, all(i.startswith('claude') for i in ids))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    count, imported, well_formed = out.stdout.split()
    assert int(count) > 0 and imported == "False" and well_formed == "True"
    from agent_lsp.schema import models

    assert models._ids_from_source() == models._ids_from_import()


def test_deferred_docs_are_resolved_from_the_store_and_bounded() -> None:
    from agent_lsp.features.complete import DocStore, resolve

    text = "---\nname: a\ndescription: b\ncolor: \n---\n"
    parsed = parse_agent(text)
    offset = text.index("color: ") + 7
    eager = complete(parsed, offset, PositionMapper(parsed.index), CompletionOptions())
    store = DocStore()
    deferred = CompletionOptions(defer_docs=True)
    lists = [complete(parsed, offset, PositionMapper(parsed.index), deferred, docs=store) for _ in range(2)]
    first, again = lists[0].items[0], lists[1].items[0]
    assert first.documentation is None and first.data is not None
    assert again.data == first.data  # the same doc keeps its reference from list to list
    assert resolve(first, store).documentation == eager.items[0].documentation
    assert len({item.data for item in lists[1].items}) == len(lists[1].items)  # distinct docs, distinct refs
    # Only the 3 most recently offered docs are kept.
    small = DocStore(keep=3)
    listed = complete(parsed, offset, PositionMapper(parsed.index), deferred, docs=small).items
    assert len(listed) > 3
    assert [resolve(i, small).documentation is not None for i in listed] == [False] * (len(listed) - 3) + [True] * 3
    assert resolve(listed[-1], small).documentation == eager.items[-1].documentation
    # A doc offered again after it was dropped gets a new reference, never an old one.
    relisted = complete(parsed, offset, PositionMapper(parsed.index), deferred, docs=small).items
    assert relisted[0].data not in {item.data for item in listed}
    assert resolve(relisted[-1], small).documentation == eager.items[-1].documentation
    junk_data = (None, {}, [1], "agentLsp.doc:", "agentLsp.doc:x", "agentLsp.doc:999", "agentLsp.doc:-1", "x:3:0")
    for junk in junk_data:
        item = lists[-1].items[0]
        item.documentation, item.data = None, junk
        assert resolve(item, store).documentation is None


def test_details_are_deferred_with_the_docs_when_the_client_resolves_both() -> None:
    from agent_lsp.features.complete import DocStore, resolve

    text = "---\nname: a\ndescription: b\ntools: \nmodel: \n---\n"
    parsed = parse_agent(text)
    for marker in ("tools: ", "model: "):
        offset = text.index(marker) + len(marker)
        eager = complete(parsed, offset, PositionMapper(parsed.index), CompletionOptions())
        store = DocStore()
        for defer_docs in (True, False):
            options = CompletionOptions(defer_docs=defer_docs, defer_detail=True)
            lazy = complete(parsed, offset, PositionMapper(parsed.index), options, docs=store)
            assert [i.label for i in lazy.items] == [i.label for i in eager.items]
            assert all(i.detail is None for i in lazy.items)
            assert all((i.documentation is None) == defer_docs for i in lazy.items if i.data is not None)
            for lazy_item, eager_item in zip(lazy.items, eager.items, strict=True):
                resolved = resolve(lazy_item, store)
                assert resolved.detail == eager_item.detail
                assert resolved.documentation == eager_item.documentation


def _marked(marked: str) -> tuple[str, int]:
    return marked.replace("|", ""), marked.index("|")


def test_item_memo_reuses_items_that_do_not_carry_a_range() -> None:
    from agent_lsp.features.complete import DocStore, ItemMemo

    # The same tools list at two places: after `tools: ` and after `, ` further along the line.
    one, at_one = _marked("---\nname: a\ndescription: b\ntools: |\n---\n")
    two, at_two = _marked("---\nname: a\ndescription: b\ntools: Read, |\n---\n")
    options = CompletionOptions(defer_docs=True, item_defaults=True)
    memo, docs = ItemMemo(), DocStore()
    first = complete(parse_agent(one), at_one, PositionMapper(parse_agent(one).index), options, docs=docs, memo=memo)
    second = complete(parse_agent(two), at_two, PositionMapper(parse_agent(two).index), options, docs=docs, memo=memo)
    by_label = {item.label: item for item in first.items}
    shared = [item for item in second.items if item.label in by_label]
    assert len(shared) > 20
    assert all(item is by_label[item.label] for item in shared)  # the very same objects
    assert first.item_defaults and second.item_defaults
    assert first.item_defaults.edit_range != second.item_defaults.edit_range  # each list has its own range
    # Reused or not, the lists are what a fresh build gives.
    fresh = complete(parse_agent(two), at_two, PositionMapper(parse_agent(two).index), options, docs=docs)
    assert second == fresh
    assert "Read" not in {item.label for item in second.items}  # already listed


def test_item_memo_is_bounded_and_forgets_what_it_drops() -> None:
    from agent_lsp.features.complete import DocStore, ItemMemo

    text, at = _marked("---\nname: a\ndescription: b\ntools: |\n---\n")
    parsed = parse_agent(text)
    memo = ItemMemo(keep=5)
    options = CompletionOptions(item_defaults=True)
    items = complete(parsed, at, PositionMapper(parsed.index), options, docs=DocStore(), memo=memo).items
    assert len(items) > 5 and len(memo) == 5 and len(memo.shared) == 5
    # Items with their own range (not the list's default) are never kept.
    options = CompletionOptions()
    memo = ItemMemo()
    complete(parsed, at, PositionMapper(parsed.index), options, docs=DocStore(), memo=memo)
    assert len(memo) == 0


@pytest.mark.parametrize(
    "marked",
    [
        "---\nname: a\ndescription: b\ncolor: gr|\n---\n",
        "---\nname: a\ndescription: b\ntools: Read, Gr|\n---\n",
        "---\nname: a\ndescription: b\nmodel: 'so|'\n---\n",
        "---\nname: a\ndescription: b\ntools:\n  - Re|\n---\n",
        "---\nname: a\ndescription: b\n|\n---\n",
        "---\nname: 😀\ndescription: 漢字\nhooks:\n  PreToolUse:\n    - matcher: Ba|\n---\n",
    ],
)
def test_item_defaults_change_no_edit(marked: str) -> None:
    """With `itemDefaults.editRange`, every item still makes exactly the edit it made before."""
    offset = marked.index("|")
    text = marked[:offset] + marked[offset + 1 :]
    parsed = parse_agent(text)
    mapper = PositionMapper(parsed.index, "utf-16")
    plain = complete(parsed, offset, mapper, CompletionOptions())
    shared = complete(parsed, offset, mapper, CompletionOptions(item_defaults=True))
    assert plain.items and len(plain.items) == len(shared.items)
    moved = 0
    for before, after in zip(plain.items, shared.items, strict=True):
        assert isinstance(before.text_edit, types.TextEdit)
        if after.text_edit is None:
            moved += 1
            assert shared.item_defaults is not None and shared.item_defaults.edit_range == before.text_edit.range
            assert (after.text_edit_text or after.label) == before.text_edit.new_text
        else:
            assert after.text_edit == before.text_edit and after.text_edit_text is None
    assert moved >= len(shared.items) / 2  # the common range is the one moved

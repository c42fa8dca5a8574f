"""features/json_assist: hover and completion in Claude Code's JSON files, from their schemas, on plain strings."""

from __future__ import annotations

from lsprotocol import types

from agent_lsp.features import json_assist
from agent_lsp.syntax.jsondoc import parse_json
from agent_lsp.syntax.text import LineIndex, PositionMapper


def cursor(marked: str) -> tuple[str, int]:
    offset = marked.index("|")
    return marked.replace("|", "", 1), offset


def hover_text(marked: str, kind: str) -> tuple[str, types.Range] | None:
    text, offset = cursor(marked)
    result = json_assist.hover(parse_json(text), kind, offset, PositionMapper(LineIndex(text)), markdown=True)
    if result is None:
        return None
    assert isinstance(result.contents, types.MarkupContent) and result.range is not None
    return result.contents.value, result.range


def completion(marked: str, kind: str) -> list[types.CompletionItem]:
    text, offset = cursor(marked)
    result = json_assist.complete(text, kind, offset, PositionMapper(LineIndex(text)))
    return result.items if result is not None else []


def edit_of(item: types.CompletionItem) -> tuple[str, tuple[int, int]]:
    assert isinstance(item.text_edit, types.TextEdit)
    r = item.text_edit.range
    return item.text_edit.new_text, (r.start.character, r.end.character)


def test_hover_on_a_key_shows_the_fields_description_over_the_key() -> None:
    found = hover_text('{"na|me": "deploy-tools"}', "plugin-manifest")
    assert found is not None
    text, rng = found
    assert text.startswith("**name**") and "kebab-case" in text
    assert (rng.start.character, rng.end.character) == (1, 7)


def test_hover_on_an_mcp_field_reads_the_mcp_schema_through_the_reference() -> None:
    found = hover_text('{"name": "x", "mcpServers": {"s": {"always|Load": true}}}', "plugin-manifest")
    assert found is not None and "tool search" in found[0]


def test_hover_on_a_hook_event_key_and_a_handler_type_value() -> None:
    event = hover_text('{"hooks": {"PreTool|Use": []}}', "hooks")
    assert event is not None and "Before a tool runs" in event[0]
    value = hover_text('{"hooks": {"Stop": [{"hooks": [{"type": "com|mand"}]}]}}', "settings")
    assert value is not None and value[0].startswith('`"command"`') and "shell command" in value[0]


def test_hover_outside_anything_known_is_silent() -> None:
    assert hover_text('{"name": "x", "bo|gus": 1}', "plugin-manifest") is None
    assert hover_text('{"a": |', "mcp") is None  # not JSON: hover waits for a valid document


def test_key_completion_in_an_unfinished_key_offers_the_fields_not_yet_present() -> None:
    items = completion('{\n  "name": "x",\n  "de|"\n}', "plugin-manifest")
    labels = [i.label for i in items]
    assert "description" in labels and "defaultEnabled" in labels and "name" not in labels
    item = next(i for i in items if i.label == "description")
    assert edit_of(item) == ('"description"', (2, 6))  # replaces the key with its quotes


def test_key_completion_between_members_inserts_a_key_and_colon() -> None:
    items = completion('{"mcpServers": {"s": {"type": "http", |}}}', "mcp")
    labels = {i.label for i in items}
    assert {"url", "headersHelper", "timeout", "alwaysLoad"} <= labels and "type" not in labels
    assert edit_of(next(i for i in items if i.label == "url"))[0] == '"url": '


def test_required_keys_sort_first() -> None:
    items = completion("{|}", "marketplace")
    first = sorted(items, key=lambda i: i.sort_text or "")[:3]
    assert {i.label for i in first} == {"name", "owner", "plugins"}


def test_hook_events_are_offered_as_keys_of_hooks() -> None:
    labels = {i.label for i in completion('{"hooks": {"|"}}', "hooks")}
    assert {"PreToolUse", "SessionStart", "Stop"} <= labels


def test_value_completion_offers_enums_and_booleans() -> None:
    types_ = completion('{"mcpServers": {"s": {"type": "|"}}}', "mcp")
    assert [i.label for i in types_] == ["stdio", "http", "streamable-http", "sse", "ws"]
    assert edit_of(types_[1]) == ('"http"', (30, 32))  # the whole string, quotes included
    flags = completion('{"name": "x", "defaultEnabled": |}', "plugin-manifest")
    assert [i.label for i in flags] == ["true", "false"]


def test_random_damage_never_raises() -> None:
    """Bad input never kills the server: checks, hover and completion on damaged manifests answer or stay silent."""
    import random

    from agent_lsp.checks.findings import AgentContext
    from agent_lsp.checks.validate import find_json_problems

    base = (
        '{"name": "x", "agents": ["./a.md"], "mcpServers": {"s": {"type": "http", "url": "${U:-https://x}"}},\n'
        ' "hooks": {"Stop": [{"matcher": "m", "hooks": [{"type": "command", "command": "c"}]}]}}'
    )
    rng = random.Random(3)
    pieces = ['"', "{", "}", "[", "]", ",", ":", "\\", "\t", "\x85", "\ud83d", "${", "null", "1e999", "-", " "]
    for _ in range(300):
        text = base
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(pieces) + text[at + rng.choice([0, 1]) :]
        for kind in ("plugin-manifest", "marketplace", "mcp", "hooks", "settings"):
            doc = parse_json(text)
            find_json_problems(doc, AgentContext(path="/nowhere/p/.claude-plugin/plugin.json", kind=kind))
            offset = rng.randrange(len(text) + 1)
            mapper = PositionMapper(LineIndex(text))
            json_assist.hover(doc, kind, offset, mapper, markdown=False)
            json_assist.complete(text, kind, offset, mapper, doc=doc)

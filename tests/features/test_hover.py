"""Hover on plain strings: `|` marks the cursor."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from agent_lsp.features.hover import hover
from agent_lsp.project.index import ProjectView, build_index
from agent_lsp.schema.schemas import agent_schema
from agent_lsp.syntax.frontmatter import parse_agent
from agent_lsp.syntax.text import PositionMapper

SCHEMA = agent_schema()


def view(folder: Path, user_dir: Path | None = None) -> ProjectView:
    """The workspace index of `folder`, seen from an agent of its own `.claude/agents/`."""
    return ProjectView(build_index([folder], user_dir), str(folder / ".claude" / "agents" / "doc.md"))


def at(
    marked: str, *, markdown: bool = True, encoding: str = "utf-16", project: ProjectView | None = None
) -> types.Hover | None:
    offset = marked.index("|")
    text = marked[:offset] + marked[offset + 1 :]
    parsed = parse_agent(text)
    return hover(parsed, offset, PositionMapper(parsed.index, encoding), markdown=markdown, project=project)


def text_of(result: types.Hover | None) -> str:
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    return result.contents.value


def span_of(result: types.Hover | None) -> tuple[int, int, int]:
    assert result is not None and result.range is not None
    return result.range.start.line, result.range.start.character, result.range.end.character


@pytest.fixture
def project(tmp_path: Path) -> Path:
    skill = tmp_path / ".claude" / "skills" / "api-conventions"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text("---\ndescription: How our HTTP APIs are shaped.\n---\nBody\n")
    agents = tmp_path / ".claude" / "agents"
    (agents / "team").mkdir(parents=True)
    (agents / "team" / "worker.md").write_text("---\nname: worker\ndescription: Does the heavy lifting.\n---\nB\n")
    (tmp_path / ".mcp.json").write_text('{"mcpServers": {"github": {"command": "gh"}}}')
    return tmp_path


def test_key_hover_has_docs_type_values_default_example_and_link() -> None:
    result = at("---\nmo|del: sonnet\n---\n")
    body = text_of(result)
    assert body.startswith("**`model`**")
    assert SCHEMA.field("model")["markdownDescription"] in body
    for value, doc in SCHEMA.enum_docs("model").items():
        assert f"- `{value}`: {doc}" in body
    assert "Default: `inherit`" in body
    assert "```yaml\nmodel: sonnet\n```" in body
    assert f"]({SCHEMA.meta['docsUrl']})" in body
    assert span_of(result) == (1, 0, 5)


@pytest.mark.parametrize("field", agent_schema().field_names)
def test_every_key_has_a_hover(field: str) -> None:
    body = text_of(at(f"---\n{field}|: x\n---\n"))
    assert SCHEMA.field(field)["markdownDescription"] in body
    assert ("required" if field in SCHEMA.required else "optional") in body.splitlines()[0]


def test_plain_text_for_clients_without_markdown() -> None:
    result = at("---\nmo|del: sonnet\n---\n", markdown=False)
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    assert result.contents.kind == types.MarkupKind.PlainText
    assert "`" not in result.contents.value and "**" not in result.contents.value
    assert f"({SCHEMA.meta['docsUrl']})" in result.contents.value


@pytest.mark.parametrize(
    ("marked", "field"),
    [
        ("---\nmodel: son|net\n---\n", "model"),
        ("---\npermissionMode: pl|an\n---\n", "permissionMode"),
        ("---\ncolor: cy|an\n---\n", "color"),
        ("---\neffort: hi|gh\n---\n", "effort"),
        ("---\nmemory: pro|ject\n---\n", "memory"),
    ],
)
def test_enum_value_hover(marked: str, field: str) -> None:
    value = marked.split(": ", 1)[1].split("\n", 1)[0].replace("|", "")
    body = text_of(at(marked))
    assert SCHEMA.enum_docs(field)[value] in body
    line = marked.replace("|", "").split("\n")[1]
    assert span_of(at(marked)) == (1, line.index(value), line.index(value) + len(value))


def test_full_model_id_hover() -> None:
    body = text_of(at("---\nmodel: claude-opus-4-5-2025|1101\n---\n"))
    assert "Claude Opus 4.5" in body and "2025-11-01" in body


def test_tool_hover_in_a_string_and_in_a_list() -> None:
    result = at("---\ntools: Read, Gr|ep\n---\n")
    assert SCHEMA.builtin_tools["Grep"] in text_of(result)
    assert span_of(result) == (1, 13, 17)
    assert SCHEMA.builtin_tools["Bash"] in text_of(at("---\ntools:\n  - Bash(npm |run *)\n---\n"))


def test_retired_tool_hover_names_the_successor() -> None:
    body = text_of(at("---\ntools: Multi|Edit\n---\n"))
    assert "Use `Edit` instead." in body


def test_agent_and_skill_descriptions_from_the_project(project: Path) -> None:
    agent = at("---\ntools: Read, Agent(wor|ker)\n---\n", project=view(project))
    assert "Does the heavy lifting." in text_of(agent)
    assert span_of(agent) == (1, 19, 25)
    skill = at("---\nskills:\n  - api-con|ventions\n---\n", project=view(project))
    assert "How our HTTP APIs are shaped." in text_of(skill)
    assert text_of(at("---\nskills: api-con|ventions\n---\n", project=view(project)))
    assert at("---\nskills:\n  - unkn|own\n---\n", project=view(project)) is None


def test_mcp_server_hover(project: Path) -> None:
    assert "`github`" in text_of(at("---\nmcpServers:\n  - git|hub\n---\n", project=view(project)))


def test_hook_event_handler_key_and_type() -> None:
    base = "---\nhooks:\n  {event}:\n    - matcher: Bash\n      hooks:\n        - {handler}\n---\n"
    event = at(base.format(event="PreTo|olUse", handler="type: command"))
    assert SCHEMA.hook_events["PreToolUse"] in text_of(event)
    key = at(base.format(event="PreToolUse", handler="ty|pe: command"))
    assert "- `http`:" in text_of(key)
    value = at(base.format(event="PreToolUse", handler="type: comm|and"))
    handler_docs = SCHEMA.defs["hookHandler"]["properties"]["type"]["markdownEnumDescriptions"]
    assert handler_docs[0] in text_of(value)


def test_emoji_before_a_value_in_utf8() -> None:
    result = at("---\ndescription: 😀\ncolor: 日本|\n---\n", encoding="utf-8")
    assert result is None  # not a colour name: nothing to say
    found = at("---\ndescription: 😀 x\ntools: 日本, Gr|ep\n---\n", encoding="utf-8")
    assert span_of(found) == (2, 7 + 6 + 2, 7 + 6 + 2 + 4)


@pytest.mark.parametrize(
    "marked",
    ["---\nname: x\n---\nBo|dy\n", "---\nname: x\ndescription: free te|xt\n---\n", "|---\nname: x\n---\n"],
)
def test_nothing_to_say(marked: str) -> None:
    assert at(marked) is None

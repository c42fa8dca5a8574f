"""The project configuration (`.agent-lsp.toml`, `[tool.agent-lsp]`) and inline suppressions."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from agent_lsp.checks.configure import config_problems, suppressions
from agent_lsp.checks.findings import AgentContext
from agent_lsp.checks.rules import RULES, Severity
from agent_lsp.checks.validate import find_problems
from agent_lsp.features.actions import apply_edits, suppression_fixes
from agent_lsp.project.config import ConfigCache, ProjectConfig, parse_config, read_config
from agent_lsp.schema.resources import schema_path
from agent_lsp.syntax.frontmatter import parse_agent
from helpers_core import agent

CUSTOM = agent("category: tooling", "complexity: high", "model: sonnet")


def codes(text: str, config: ProjectConfig | None = None, kind: str = "agent", path: str | None = None) -> list[str]:
    context = AgentContext(path, kind=kind, config=config or ProjectConfig())
    return [f.code for f in find_problems(parse_agent(text), context)]


def test_the_schema_names_every_rule_and_only_rules() -> None:
    schema = json.loads(schema_path("agent-lsp-config").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]["rules"]["properties"]) == set(RULES)
    assert set(schema["properties"]["rules"]["propertyNames"]["enum"]) == set(RULES)
    # Each code's description is its rule's summary (scripts/sync_config_schema.py writes them).
    described = {code: rule["description"] for code, rule in schema["properties"]["rules"]["properties"].items()}
    assert described == {code: rule.summary for code, rule in RULES.items()}, "run scripts/sync_config_schema.py"


def test_severities_off_and_allowed_keys(tmp_path: Path) -> None:
    assert codes(CUSTOM).count("unknown-key") == 2
    (tmp_path / ".agent-lsp.toml").write_text(
        '[rules]\nname-style = "off"\nunknown-key = "error"\n[agent]\nallowed-keys = ["category"]\n', encoding="utf-8"
    )
    config = read_config(tmp_path / ".agent-lsp.toml")
    assert config is not None and config_problems(config) == []
    found = find_problems(parse_agent(CUSTOM), AgentContext(None, config=config))
    assert [(f.code, f.severity, f.data["key"]) for f in found] == [("unknown-key", Severity.ERROR, "complexity")]
    # Allowed keys belong to a kind: a command keeps its warning.
    assert codes("---\ndescription: Run.\ncategory: x\n---\nGo.\n", config, kind="command") == ["unknown-key"]
    other = parse_config({"command": {"allowed-keys": ["category"]}}, "x", str(tmp_path))
    assert codes(CUSTOM, other).count("unknown-key") == 2
    assert codes("---\ndescription: Run.\ncategory: x\n---\nGo.\n", other, kind="command") == []


def test_pyproject_table_and_nearest_file_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.agent-lsp.rules]\nunknown-key = "off"\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".agent-lsp.toml").write_text('[rules]\nunknown-key = "hint"\n')
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "pyproject.toml").write_text('[project]\nname = "y"\n')  # no table: look further up
    cache = ConfigCache()
    assert cache.for_file(str(tmp_path / "a.md")).severity("unknown-key") == "off"
    assert cache.for_file(str(tmp_path / "plain" / "a.md")).severity("unknown-key") == "off"
    assert cache.for_file(str(tmp_path / "sub" / "deep" / "a.md")).severity("unknown-key") == "hint"
    (tmp_path / "sub" / ".agent-lsp.toml").unlink()
    assert cache.for_file(str(tmp_path / "sub" / "a.md")).severity("unknown-key") == "hint"  # kept until told
    cache.invalidate()
    assert cache.for_file(str(tmp_path / "sub" / "a.md")).severity("unknown-key") == "off"


def test_mistakes_are_named_and_the_rest_still_applies(tmp_path: Path) -> None:
    path = tmp_path / ".agent-lsp.toml"
    path.write_text('colour = 1\n[rules]\nbogus = "off"\nname-style = "loud"\nunknown-key = "off"\n')
    config = read_config(path)
    assert config is not None
    problems = config_problems(config)
    assert any("bogus: no such rule" in p for p in problems)
    assert any("name-style" in p and "'loud'" in p for p in problems)
    assert any("colour" in p for p in problems)
    assert config.severities == (("unknown-key", "off"),)
    path.write_text("[rules\n")
    broken = read_config(path)
    assert broken is not None and "not valid TOML" in config_problems(broken)[0]


def test_exclude_and_include_patterns(tmp_path: Path) -> None:
    config = parse_config({"exclude": ["drafts/", "**/old-*.md"], "include": ["prompts/*.md"]}, "c", str(tmp_path))
    assert config.excludes(str(tmp_path / "drafts" / "x" / "a.md"))
    assert config.excludes(str(tmp_path / ".claude" / "agents" / "old-a.md"))
    assert not config.excludes(str(tmp_path / ".claude" / "agents" / "a.md"))
    assert config.includes(str(tmp_path / "prompts" / "a.md")) and not config.includes(str(tmp_path / "b.md"))
    assert codes(CUSTOM, config, path=str(tmp_path / "drafts" / "a.md")) == []


def test_inline_suppressions() -> None:
    own_line = agent("# agent-lsp: ignore unknown-key", "category: tooling", "complexity: high")
    assert codes(own_line) == ["unknown-key"]  # only the next line's
    trailing = agent("category: tooling  # agent-lsp: ignore unknown-key, name-style", "complexity: high")
    assert codes(trailing) == ["unknown-key"]
    whole = agent("complexity: high", "# agent-lsp: ignore-file unknown-key", "category: tooling")
    assert codes(whole) == []
    other_rule = agent("# agent-lsp: ignore name-style", "category: tooling")
    assert codes(other_rule) == ["unknown-key"]
    # In a `|` block the line is text of the description, not a comment.
    block = agent("category: x", body="B.\n").replace(
        "description: Reviews code when asked\n", "description: |\n  Reviews.\n  # agent-lsp: ignore-file unknown-key\n"
    )
    assert codes(block) == ["unknown-key"]
    assert suppressions(parse_agent(block)).whole_file == frozenset()


def test_a_trailing_comment_on_a_line_the_retry_rewrites_suppresses_nothing() -> None:
    # The retry quotes `Read, Grep # agent-lsp: …` whole: the comment is part of the value then.
    text = agent("summary: a: b  # agent-lsp: ignore unknown-key")
    assert "unknown-key" in codes(text)


def test_the_suppression_quick_fixes_are_checked_and_suppress() -> None:
    text = agent("category: tooling", "tools:", "  - Read", "  - Grpe")
    parsed = parse_agent(text)
    context = AgentContext()
    before = find_problems(parsed, context)
    for code in ("unknown-key", "unknown-tool"):
        finding = next(f for f in before if f.code == code)
        line_fix, file_fix = suppression_fixes(parsed, finding, context, before)
        assert "on this line" in line_fix.title and "in this file" in file_fix.title
        for fix in (line_fix, file_fix):
            fixed = apply_edits(text, fix.edits)
            after = [f.code for f in find_problems(parse_agent(fixed), context)]
            assert code not in after and len(after) == len(before) - 1, fixed
    # An own-line comment above is extended rather than doubled.
    first = agent("# agent-lsp: ignore name-style", "category: tooling")
    parsed = parse_agent(first)
    finding = next(f for f in find_problems(parsed, context) if f.code == "unknown-key")
    line_fix = suppression_fixes(parsed, finding, context)[0]
    assert "# agent-lsp: ignore name-style, unknown-key\ncategory: tooling" in apply_edits(first, line_fix.edits)


def test_no_suppression_fix_where_a_comment_cannot_go() -> None:
    text = agent(body="").replace("description: Reviews code when asked\n", "description: |\n  Reviews.\n  more\n")
    text = text.replace("name: helper", "name: Helper")
    parsed = parse_agent(text)
    (finding,) = [f for f in find_problems(parsed, AgentContext()) if f.code == "name-style"]
    titles = [f.title for f in suppression_fixes(parsed, finding, AgentContext())]
    assert titles == [
        "Ignore `name-style` on this line (agent-lsp only)",
        "Ignore `name-style` in this file (agent-lsp only)",
    ]
    no_frontmatter = parse_agent("Just text.\n")
    (nf,) = find_problems(no_frontmatter, AgentContext())
    assert suppression_fixes(no_frontmatter, nf, AgentContext()) == []

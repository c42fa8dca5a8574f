"""checks/manifest: plugin and marketplace manifests, `.mcp.json`, hooks files and settings hooks, on plain strings
(and a temporary plugin folder where paths must exist), each finding at its exact key or value."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.manifest import MANIFEST_CODES
from agent_lsp.checks.rules import RULES, Severity
from agent_lsp.checks.validate import find_json_problems
from agent_lsp.syntax.jsondoc import parse_json
from agent_lsp.syntax.text import Span


def problems(text: str, kind: str, path: str | None = None) -> list[Finding]:
    return find_json_problems(parse_json(text), AgentContext(path=path, kind=kind))


def marked(text: str, finding: Finding) -> str:
    return text[finding.span.start : finding.span.end]


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    root = tmp_path / "deploy-tools"
    (root / ".claude-plugin").mkdir(parents=True)
    (root / "agents").mkdir()
    (root / "agents" / "reviewer.md").write_text("---\nname: reviewer\ndescription: x\n---\n", encoding="utf-8")
    (root / "skills" / "ship").mkdir(parents=True)
    (root / "skills" / "ship" / "SKILL.md").write_text("---\ndescription: x\n---\n", encoding="utf-8")
    (root / "empty").mkdir()
    return root


def manifest(plugin: Path) -> str:
    return str(plugin / ".claude-plugin" / "plugin.json")


# (code, kind, text, the marked text, severity); paths are checked against the `plugin` fixture.
CASES = [
    ("json-syntax", "plugin-manifest", '{"name": "x",\n  "version": }', "}", Severity.ERROR),
    ("missing-field", "plugin-manifest", '{"version": "1.0.0"}', "{", Severity.ERROR),
    ("invalid-field-value", "plugin-manifest", '{"name": "x", "keywords": "deploy"}', '"deploy"', Severity.ERROR),
    ("invalid-plugin-name", "plugin-manifest", '{"name": "Deploy Tools"}', '"Deploy Tools"', Severity.ERROR),
    ("plugin-name-style", "plugin-manifest", '{"name": "DeployTools"}', '"DeployTools"', Severity.WARNING),
    (
        "invalid-component-path",
        "plugin-manifest",
        '{"name": "x", "agents": "agents/a.md"}',
        '"agents/a.md"',
        Severity.ERROR,
    ),
    ("missing-component-path", "plugin-manifest", '{"name": "x", "commands": ["./cmds"]}', '"./cmds"', Severity.ERROR),
    (
        "component-path-loads-nothing",
        "plugin-manifest",
        '{"name": "x", "skills": "./empty"}',
        '"./empty"',
        Severity.WARNING,
    ),
    (
        "invalid-plugin-source",
        "marketplace",
        '{"name": "m", "owner": {"name": "o"}, "plugins": [{"name": "a", "source": "../a"}]}',
        '"../a"',
        Severity.ERROR,
    ),
    ("mcp-url-without-type", "mcp", '{"mcpServers": {"jira": {"url": "https://x"}}}', '"jira"', Severity.ERROR),
    (
        "invalid-env-expansion",
        "mcp",
        '{"mcpServers": {"db": {"command": "run", "env": {"A": "${TOKEN:x}"}}}}',
        "${TOKEN:x}",
        Severity.WARNING,
    ),
    ("unknown-hook-event", "hooks", '{"hooks": {"PreToolUs": []}}', '"PreToolUs"', Severity.WARNING),
    (
        "invalid-hook",
        "settings",
        '{"hooks": {"Stop": [{"hooks": [{"type": "command"}]}]}}',
        '{"type": "command"}',
        Severity.WARNING,
    ),
    (
        "matcher-ignored",
        "hooks",
        '{"hooks": {"Stop": [{"matcher": "Bash", "hooks": []}]}}',
        '"matcher"',
        Severity.INFORMATION,
    ),
    ("unknown-key", "plugin-manifest", '{"name": "x", "descripton": "y"}', '"descripton"', Severity.WARNING),
    ("duplicate-key", "mcp", '{"mcpServers": {}, "mcpServers": {}}', '"mcpServers"', Severity.WARNING),
]


def test_every_manifest_code_has_a_case_and_a_rule() -> None:
    assert {c[0] for c in CASES} >= MANIFEST_CODES
    assert set(RULES) >= MANIFEST_CODES


@pytest.mark.parametrize(("code", "kind", "text", "needle", "severity"), CASES, ids=[c[0] for c in CASES])
def test_case(code: str, kind: str, text: str, needle: str, severity: Severity, plugin: Path) -> None:
    path = manifest(plugin) if kind == "plugin-manifest" else str(plugin / ".claude-plugin" / f"{kind}.json")
    found = [f for f in problems(text, kind, path) if f.code == code]
    assert len(found) == 1, [(f.code, f.message) for f in problems(text, kind, path)]
    assert marked(text, found[0]) == needle
    assert found[0].severity is severity
    if code in MANIFEST_CODES:
        assert found[0].severity is RULES[code].severity
    assert found[0].data["code"] == code


def test_a_clean_plugin_manifest_has_no_finding(plugin: Path) -> None:
    text = """{
  "name": "deploy-tools",
  "version": "1.2.0",
  "description": "Ships builds.",
  "author": {"name": "Ada", "email": "ada@example.com"},
  "homepage": "https://example.com/deploy",
  "keywords": ["deploy"],
  "agents": ["./agents/reviewer.md"],
  "skills": "./skills/",
  "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./check.sh"}]}]},
  "mcpServers": {"jira": {"type": "http", "url": "${JIRA_URL:-https://jira.example.com}/mcp", "timeout": 30000,
                          "headersHelper": "./token.sh", "alwaysLoad": true}}
}"""
    assert problems(text, "plugin-manifest", manifest(plugin)) == []


def test_the_root_folder_and_dot_are_valid_skill_paths(plugin: Path) -> None:
    (plugin / "SKILL.md").write_text("---\ndescription: x\n---\n", encoding="utf-8")
    assert problems('{"name": "x", "skills": ["./", "."]}', "plugin-manifest", manifest(plugin)) == []


def test_agents_must_name_files_so_the_root_validates_nothing(plugin: Path) -> None:
    text = '{"name": "x", "agents": "./"}'
    (finding,) = problems(text, "plugin-manifest", manifest(plugin))
    assert finding.code == "invalid-component-path" and marked(text, finding) == '"./"' and ".md" in finding.message


def test_a_path_leaving_the_plugin_is_an_error_before_anything_else(plugin: Path) -> None:
    text = '{"name": "x", "skills": "../shared"}'
    (finding,) = problems(text, "plugin-manifest", manifest(plugin))
    assert finding.code == "invalid-component-path" and "leaves the plugin" in finding.message


def test_a_missing_mcp_file_says_its_servers_never_start(plugin: Path) -> None:
    (finding,) = problems('{"name": "x", "mcpServers": "./mcp.json"}', "plugin-manifest", manifest(plugin))
    assert finding.code == "missing-component-path" and "none of its servers start" in finding.message


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("claude-code", "invalid-plugin-name"),
        ("anthropic-tools", "invalid-plugin-name"),
        ("official-claude-helpers", "invalid-plugin-name"),
        ("-foo", "plugin-name-style"),
        ("deploy-tools", None),
        ("claudette", None),
    ],
)
def test_reserved_and_style_names(name: str, code: str | None) -> None:
    found = [f.code for f in problems(f'{{"name": "{name}"}}', "plugin-manifest")]
    assert found == ([code] if code else [])


def test_marketplace_requires_its_fields_and_checks_entries() -> None:
    text = (
        '{"name": "My Market", "owner": {}, '
        '"plugins": [{"name": "a", "source": {"source": "github"}}, {"source": "./b"}]}'
    )
    found = {(f.code, marked(text, f)) for f in problems(text, "marketplace")}
    assert ("invalid-plugin-name", '"My Market"') in found
    assert ("missing-field", '"owner"') in found  # owner.name
    assert ("missing-field", '"source"') in found  # a github source needs `repo`
    assert ("missing-field", '{"source": "./b"}') in found  # an entry needs `name`


def test_marketplace_path_sources_resolve_from_its_root(tmp_path: Path) -> None:
    (tmp_path / ".claude-plugin").mkdir()
    (tmp_path / "plugins" / "a").mkdir(parents=True)
    path = str(tmp_path / ".claude-plugin" / "marketplace.json")
    ok = '{"name": "m", "owner": {"name": "o"}, "plugins": [{"name": "a", "source": "./plugins/a"}]}'
    assert problems(ok, "marketplace", path) == []
    rooted = (
        '{"name": "m", "owner": {"name": "o"}, "metadata": {"pluginRoot": "./plugins"}, '
        '"plugins": [{"name": "a", "source": "a"}]}'
    )
    assert problems(rooted, "marketplace", path) == []
    missing = ok.replace("./plugins/a", "./plugins/b")
    assert [f.code for f in problems(missing, "marketplace", path)] == ["missing-component-path"]


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        ('{"type": "stdio", "url": "x"}', ["missing-field"]),  # stdio needs a command
        ('{"type": "http", "command": "x"}', ["missing-field"]),  # http needs a url
        ('{"type": "http", "url": "https://x", "timeout": "5"}', ["invalid-field-value"]),
        ('{"type": "http", "url": "https://x", "alwaysLoad": "yes"}', ["invalid-field-value"]),
        ('{"type": "sse", "url": "https://x", "headersHelper": 3}', ["invalid-field-value"]),
        ('{"type": "ws", "url": "wss://x", "headers": {"A": "${TOKEN}"}}', []),
        ('{"command": "npx", "args": ["${DIR:-/tmp}"], "env": {"A": "${B}"}}', []),
        ('{"command": "npx", "args": ["${1DIR}"]}', ["invalid-env-expansion"]),
        ('{"command": "npx", "args": ["${DIR"]}', ["invalid-env-expansion"]),
    ],
)
def test_mcp_servers(server: str, expected: list[str]) -> None:
    assert [f.code for f in problems(f'{{"mcpServers": {{"s": {server}}}}}', "mcp")] == expected


def test_env_expansion_marks_only_the_reference() -> None:
    text = '{"mcpServers": {"s": {"command": "run", "args": ["--dir=${DIR:default}/x"]}}}'
    (finding,) = problems(text, "mcp")
    assert marked(text, finding) == "${DIR:default}" and "${DIR:-default}" in finding.message


def test_plugin_inline_hooks_are_warnings_but_inline_servers_fail_the_plugin(plugin: Path) -> None:
    text = '{"name": "x", "hooks": {"Stop": [{"hooks": [{"type": "http"}]}]}, "mcpServers": {"s": {"url": "u"}}}'
    found = {f.code: f for f in problems(text, "plugin-manifest", manifest(plugin))}
    assert found["invalid-hook"].severity is Severity.WARNING
    assert found["mcp-url-without-type"].severity is Severity.ERROR
    assert "plugin fails to load" in found["mcp-url-without-type"].message


def test_settings_check_hooks_and_leave_other_keys_alone() -> None:
    text = (
        '{"model": "opus", "permissions": {"allow": []}, '
        '"hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "x"}]}]}}'
    )
    assert problems(text, "settings") == []


def test_unknown_key_suggests_the_closest_field() -> None:
    text = '{"mcpServers": {}, "mcpServer": {}}'
    (finding,) = problems(text, "mcp")
    assert finding.code == "unknown-key" and finding.data["replacement"] == "mcpServers"


def test_a_document_that_is_not_an_object() -> None:
    (finding,) = problems("[1, 2]", "plugin-manifest")
    assert finding.code == "invalid-field-value" and finding.span == Span(0, 1)


# ---- docs/rules.md: every JSON code's example, run through `agent-lsp check` ---------------------
REPO = Path(__file__).resolve().parents[2]


def scaffold(root: Path) -> None:
    """The folder the rules page's JSON examples are saved in (its introduction says what it holds)."""
    plugin = root / "deploy-tools"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "deploy-tools"}', encoding="utf-8")
    (plugin / "agents").mkdir()
    (plugin / "agents" / "reviewer.md").write_text("---\nname: reviewer\ndescription: x\n---\nx\n", encoding="utf-8")
    (plugin / "skills" / "ship").mkdir(parents=True)
    (plugin / "skills" / "ship" / "SKILL.md").write_text("---\ndescription: x\n---\nx\n", encoding="utf-8")
    (plugin / "notes").mkdir()


def checked_codes(path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    import json

    from agent_lsp.check import run_check

    run_check([str(path), "--format", "json", "--no-cross-file"])
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == 1
    return [d["code"] for d in report["diagnostics"]]


@pytest.mark.parametrize("code", sorted(MANIFEST_CODES))
def test_rules_page_example(code: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import re

    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    section = page.split(f'<a id="{code}"></a>', 1)[1].split("<a id=", 1)[0]
    saved_as = re.search(r"Saved as `([^`]+)`", section)
    assert saved_as is not None, f"{code}: the example names no path"
    bad, good = re.findall(r"```json\n(.*?)```", section, re.S)
    scaffold(tmp_path)
    path = tmp_path / saved_as.group(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(bad, encoding="utf-8")
    assert checked_codes(path, capsys) == [code]
    path.write_text(good, encoding="utf-8")
    assert checked_codes(path, capsys) == []


# ---- validation in pieces gives the findings of validating the whole ---------------------------
def big_manifest(servers: int = 12) -> str:
    import json

    manifest: dict[str, object] = {
        "name": "suite",
        "keywords": "not-a-list",
        "bogus": 1,
        "mcpServers": {
            f"s{i}": {"type": "http", "url": f"https://s{i}.example.com", "timeout": 1000 + i} for i in range(servers)
        },
        "hooks": {
            "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "x"}]}],
            **{f"Ev{i}": [] for i in range(10)},
        },
    }
    servers_block = manifest["mcpServers"]
    assert isinstance(servers_block, dict)
    if servers > 7:
        del servers_block["s7"]["type"]  # a url without a type
    text = json.dumps(manifest, indent=2)
    text = text.replace('"timeout": 1002', '"timeout": "5"')
    return text.replace('"command": "x"', '"timeout": 3')


@pytest.mark.parametrize("servers", [3, 12])
def test_pieces_find_what_the_whole_finds(servers: int) -> None:
    from agent_lsp.checks.manifest import ManifestChecker

    text = big_manifest(servers)
    doc = parse_json(text)
    assert doc.root is not None and doc.exact
    context = AgentContext(path=None, kind="plugin-manifest")
    whole, pieces = ManifestChecker(doc, context), ManifestChecker(doc, context)
    for error in whole.schema.errors(doc.root.to_python()):
        whole.schema_error(error)
    for prefix, error in pieces.schema.errors_in_pieces(doc.root, text):
        pieces.schema_error(error, prefix)

    def seen(checker: ManifestChecker) -> list[tuple[str, str, str]]:
        return sorted((f.code, marked(text, f), f.message) for f in checker.findings)

    assert seen(pieces) == seen(whole)
    codes = {f.code for f in pieces.findings}
    assert {"invalid-field-value", "unknown-key", "unknown-hook-event", "invalid-hook"} <= codes
    assert ("mcp-url-without-type" in codes) is (servers > 7)
    # A second run over the same text is served from the remembered pieces, with the same result.
    again = ManifestChecker(doc, context)
    for prefix, error in again.schema.errors_in_pieces(doc.root, text):
        again.schema_error(error, prefix)
    assert seen(again) == seen(whole)

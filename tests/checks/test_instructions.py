"""Output styles, rules and memory files: imports found as Claude Code finds them, followed on disk, and
every example of their codes in docs/rules.md run through `agent-lsp check`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent_lsp.check import run_check
from agent_lsp.checks.findings import AgentContext
from agent_lsp.checks.validate import find_problems
from agent_lsp.project import instructions
from agent_lsp.syntax.frontmatter import parse_agent
from agent_lsp.syntax.imports import MAX_IMPORTS, find_imports, import_prefix_at

REPO = Path(__file__).resolve().parents[2]


# ---- finding imports -----------------------------------------------------------------------------


def test_imports_are_found_with_the_span_of_the_path() -> None:
    text = "See @docs/a.md and @./b.md#part, mail me@x.com, @~/c.md\n@/abs/d.md\n"
    found = find_imports(text)
    assert [(i.path, text[i.span.start : i.span.end], i.in_code) for i in found] == [
        ("docs/a.md", "docs/a.md", False),
        ("./b.md", "./b.md", False),
        ("~/c.md", "~/c.md", False),
        ("/abs/d.md", "/abs/d.md", False),
    ]


def test_code_and_comments_are_not_imports() -> None:
    text = "```\n@fenced.md\n```\nText `@span.md` and <!-- @comment.md --> and \\\n    @escaped\\ name.md\n"
    found = find_imports(text)
    assert [(i.path, i.in_code) for i in found] == [
        ("fenced.md", True),
        ("span.md", True),
        ("escaped name.md", False),
    ]


def test_an_indented_code_block_is_code_outside_lists_and_paragraphs() -> None:
    # As the pinned binary loads them (instructions_truth.json, `import-indented-code`).
    text = "Root\n\n    @docs/indented.md\n\nText\n    @docs/continued.md\n\n@docs/plain.md\n"
    assert [(i.path, i.in_code) for i in find_imports(text)] == [
        ("docs/indented.md", True),
        ("docs/continued.md", False),
        ("docs/plain.md", False),
    ]
    assert [i.in_code for i in find_imports("    @start.md\n\tcode\n  @para.md\n")] == [True, False]
    # In a list, four spaces continue the item; after a paragraph at the margin the list has ended.
    assert [i.in_code for i in find_imports("- item\n\n    @x.md\n")] == [False]
    assert [i.in_code for i in find_imports("- item\n\nPara\n\n    @y.md\n")] == [True]
    assert [i.in_code for i in find_imports("```\n    @f.md\n```\n\n    @i.md\n")] == [True, True]
    assert [i.in_code for i in find_imports("x\r\n\r\n    @crlf.md\r\n\r\n@u.md\r\n")] == [True, False]


def test_what_is_no_import_path() -> None:
    assert find_imports("@@x.md @#frag @(x) @ @/\n") == []


def test_the_prefix_being_typed() -> None:
    text = "Read @docs/st"
    assert import_prefix_at(text, len(text)) == (6, "docs/st")
    assert import_prefix_at("mail a@b", 8) is None


# ---- globs ---------------------------------------------------------------------------------------


def test_paths_split_at_commas_outside_braces_and_braces_expand() -> None:
    assert instructions.split_patterns("src/**/*.{ts,tsx}, lib/*.js") == ["src/**/*.{ts,tsx}", "lib/*.js"]
    assert instructions.expand_braces("a.{x,y}") == ["a.x", "a.y"]
    files = ["src/api/users.ts", "README.md"]
    assert instructions.matching("src/**/*.{ts,tsx}", files)
    assert instructions.matching("src/**", files)
    assert instructions.matching("**/*.md", files)
    assert not instructions.matching("src/*.ts", files)  # `*` does not cross a folder
    assert instructions.glob_problem("/abs/**") is not None
    assert instructions.glob_problem("src/{a,b") is not None
    assert instructions.glob_problem("src/**/*.ts") is None


# ---- memory files on disk ------------------------------------------------------------------------


def _memory(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    found = find_problems(parse_agent(text), AgentContext(str(path), kind="memory"))
    return [(f.code, text[f.span.start : f.span.end]) for f in found]


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


def test_a_chain_of_imports_is_followed_four_hops_deep(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "docs").mkdir()
    names = ["a", "b", "c", "d", "e"]
    for here, there in zip(names, [*names[1:], None], strict=True):
        (root / "docs" / f"{here}.md").write_text(f"{here}\n" + (f"@{there}.md\n" if there else ""))
    (root / "CLAUDE.md").write_text("@docs/a.md\n@docs/b.md\n")
    # a(1) b(2) c(3) d(4) e(5): e is not loaded; `@docs/b.md` reaches nothing new (b was loaded through a).
    assert _memory(root / "CLAUDE.md") == [("import-too-deep", "docs/a.md")]
    (root / "CLAUDE.md").write_text("@docs/b.md\n")
    assert _memory(root / "CLAUDE.md") == []  # b(1) ... e(4)


def test_cycles_and_empty_files_end_the_walk(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "a.md").write_text("@b.md\n")
    (root / "b.md").write_text("@a.md\n")
    (root / "CLAUDE.md").write_text("@a.md\n")
    assert _memory(root / "CLAUDE.md") == []


def test_an_agents_md_is_hidden_by_a_claude_md_unless_imported(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "AGENTS.md").write_text("# Agents\n")
    assert _memory(root / "AGENTS.md") == []
    (root / ".claude").mkdir()
    (root / ".claude" / "CLAUDE.md").write_text("# Notes\n")
    assert _memory(root / "AGENTS.md") == [("agents-md-hidden", "# Agents")]
    (root / ".claude" / "CLAUDE.md").write_text("@../AGENTS.md\n")
    assert _memory(root / "AGENTS.md") == []


def test_a_full_stop_after_an_import_is_named(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "style.md").write_text("x\n")
    (root / "CLAUDE.md").write_text("Read @style.md.\n")
    text = (root / "CLAUDE.md").read_text()
    [finding] = find_problems(parse_agent(text), AgentContext(str(root / "CLAUDE.md"), kind="memory"))
    assert finding.code == "import-not-found" and "the `.` after it" in finding.message


def test_a_plugin_style_may_force_itself_and_a_user_style_may_not() -> None:
    text = "---\nforce-for-plugin: true\n---\nBody\n"
    plugin = find_problems(parse_agent(text), AgentContext("/x/output-styles/s.md", True, kind="output-style"))
    user = find_problems(parse_agent(text), AgentContext("/p/.claude/output-styles/s.md", kind="output-style"))
    assert plugin == [] and [f.code for f in user] == ["plugin-only-field"]


def test_output_style_values_claude_code_turns_into_text_pass() -> None:
    text = "---\nname: 42\ndescription: true\nkeep-coding-instructions: yes\n---\nBody\n"
    assert find_problems(parse_agent(text), AgentContext("/p/.claude/output-styles/s.md", kind="output-style")) == []


# ---- docs/rules.md, through `agent-lsp check` ------------------------------------------------------

_SRC = {"src/api/users.ts": "export {}\n"}
_STYLE = {"docs/style.md": "# Style\n"}
_CHAIN = {
    "docs/a.md": "@b.md\n",
    "docs/b.md": "@c.md\n",
    "docs/c.md": "@d.md\n",
    "docs/d.md": "@e.md\n",
    "docs/e.md": "deep\n",
}
EXAMPLES: dict[str, tuple[str, dict[str, str]]] = {
    "plugin-only-field": (".claude/output-styles/terse.md", {}),
    "foreign-key": (".claude/rules/api.md", _SRC),
    "invalid-glob": (".claude/rules/api.md", _SRC),
    "glob-matches-nothing": (".claude/rules/api.md", _SRC),
    "import-not-found": ("CLAUDE.md", _STYLE),
    "import-not-text": ("CLAUDE.md", {"docs/architecture.png": "png\n", "docs/architecture.md": "# A\n"}),
    "import-outside-project": ("CLAUDE.md", {"../shared/conventions.md": "x\n", "docs/conventions.md": "x\n"}),
    "import-too-deep": ("CLAUDE.md", _CHAIN),
    "import-in-code": ("CLAUDE.md", _STYLE),
    "agents-md-hidden": ("AGENTS.md", {"CLAUDE.md": "# Project\n"}),
    "duplicate-output-style": (
        ".claude/output-styles/brief.md",
        {".claude/output-styles/terse.md": "---\nname: Terse\n---\nTerse.\n"},
    ),
}


def _check(path: Path, user: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    run_check([str(path), "--format", "json", "--user-dir", str(user)])
    return [d["code"] for d in json.loads(capsys.readouterr().out)["diagnostics"]]


@pytest.mark.parametrize("code", EXAMPLES)
def test_rules_page_examples_run_through_check(code: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    section = page.split(f'<a id="{code}"></a>', 1)[1].split("<a id=", 1)[0]
    bad, good = re.findall(r"```markdown\n(.*?)```", section, re.S)
    where, files = EXAMPLES[code]
    root = _project(tmp_path)
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    user = tmp_path / "home" / ".claude"
    user.mkdir(parents=True)
    target = root / where
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(bad)
    assert _check(target, user, capsys) == [code]
    if code == "agents-md-hidden":
        (root / "CLAUDE.md").write_text("# Project\n\n@AGENTS.md\n")
    target.write_text(good)
    assert _check(target, user, capsys) == []


def test_check_on_the_claude_folder_covers_the_new_kinds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    files = {
        ".claude/agents/reviewer.md": "---\nname: reviewer\ndescription: Reviews.\n---\nReview.\n",
        ".claude/output-styles/terse.md": "---\nforce-for-plugin: true\n---\nBrief.\n",
        ".claude/rules/api.md": "---\nalwaysApply: true\n---\nRule.\n",
        ".claude/CLAUDE.md": "@missing/notes.md\n",
        ".claude/README.md": "# Not read by Claude Code\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    user = tmp_path / "home" / ".claude"
    user.mkdir(parents=True)
    run_check([str(root / ".claude"), "--format", "json", "--user-dir", str(user)])
    out = json.loads(capsys.readouterr().out)
    assert out["files"] == 4
    found = sorted((Path(d["path"]).name, d["code"]) for d in out["diagnostics"])
    assert found == [("CLAUDE.md", "import-not-found"), ("api.md", "foreign-key"), ("terse.md", "plugin-only-field")]


def test_a_file_of_a_hundred_thousand_imports_is_checked_within_bounds(tmp_path: Path) -> None:
    """Only the first MAX_IMPORTS imports are resolved on disk (each costs a `stat`)."""
    root = _project(tmp_path)
    (root / "CLAUDE.md").write_text("".join(f"@f{i}.md\n" for i in range(100_000)))
    found = _memory(root / "CLAUDE.md")
    assert len(found) == MAX_IMPORTS and {code for code, _ in found} == {"import-not-found"}

"""The checkers of output styles, rules and memory files: what Claude Code does with each.

Output styles and rules have frontmatter read by the same reader as skills (a broken block loads
the file with no fields), so their checkers are the skill checker with their own schemas and
fields. Memory files (CLAUDE.md, AGENTS.md) have no fields Claude Code reads; what matters is
their `@path` imports, which are followed on disk (`project.instructions`).
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from yaml.nodes import ScalarNode, SequenceNode

from agent_lsp.checks.findings import AgentContext, Finding
from agent_lsp.checks.rules import RULES
from agent_lsp.checks.skill import SkillChecker
from agent_lsp.project import instructions
from agent_lsp.syntax.frontmatter import Field, ParsedAgent
from agent_lsp.syntax.imports import Import, find_imports
from agent_lsp.syntax.text import Span


class OutputStyleChecker(SkillChecker):
    """An output style: every field optional; `force-for-plugin` only counts in a plugin's style."""

    LOST: ClassVar[dict[str, str]] = {
        **SkillChecker.LOST,
        "unparsed": "it loads the style with no fields: the file name becomes its name, and "
        "`keep-coding-instructions` is off",
        "not_mapping": "Claude Code reads no fields from this: the file name becomes the style's name",
        "empty_body": "the body is the style's prompt, so this style changes nothing but the coding instructions",
    }

    def check_no_frontmatter(self) -> None:
        return  # a style without frontmatter is named after its file and described by its first line

    def check_fields(self) -> None:
        for dup in self.parsed.duplicates:
            self.report_duplicate(dup)
        for item in self.parsed.fields.values():
            self.check_field(item)
        self.check_empty_body()

    def check_field(self, item: Field) -> None:
        key = item.key
        if key not in self.schema.properties:
            self.check_unknown_key(item)
            return
        if key in ("name", "description") and isinstance(item.value, (int, float, bool)):
            return  # Claude Code turns a number or true/false into text
        if key == "name" and isinstance(item.value, str):
            self.check_name_style(item, item.value)
            return
        if self.schema.ext(key).get("pluginOnly") and not self.context.plugin:
            self.report(
                "plugin-only-field",
                item.key_span,
                f"`{key}` only applies to an output style shipped in a plugin; in this file Claude Code ignores it "
                "(with a warning in its debug log). Remove it, or pick the style with `/output-style` or the "
                "`outputStyle` setting.",
                key=key,
            )
            return
        self.check_by_schema(item)

    def check_name_style(self, item: Field, name: str) -> None:
        return  # style names are shown as written ("Explanatory", "Learning"): any text is fine


class RuleChecker(SkillChecker):
    """A rule of `.claude/rules/`: only `paths` counts; other agents' rule keys are named for what they are."""

    LOST: ClassVar[dict[str, str]] = {
        **SkillChecker.LOST,
        "unclosed": "Claude Code reads no `paths`: the rule loads in every session, these lines included",
        "unparsed": "it reads no `paths`, so the rule loads in every session",
        "not_mapping": "Claude Code reads no `paths` from this, so the rule loads in every session",
        "empty_body": "the body is what Claude receives, so this rule adds nothing",
    }

    def check_no_frontmatter(self) -> None:
        return  # a rule without frontmatter loads in every session, as documented

    def check_fields(self) -> None:
        for dup in self.parsed.duplicates:
            self.report_duplicate(dup)
        foreign: dict[str, str] = dict(self.schema.meta.get("foreignKeys", {}))
        for key, item in self.parsed.fields.items():
            if key == "paths":
                self.check_paths(item)
            elif key in foreign:
                message = foreign[key]
                if "paths" in self.parsed.fields:
                    message = (
                        f"`{key}` is another tool's rule key; Claude Code ignores it and reads only `paths`. "
                        "Move what it says into `paths`, or remove it."
                    )
                self.report("foreign-key", item.key_span, message, key=key)
            else:
                self.check_unknown_key(item)
        self.check_empty_body()

    def check_paths(self, item: Field) -> None:
        value = item.value
        if value is None or self.schema.errors("paths", value):
            self.report(
                "invalid-value",
                item.value_span if value is not None else item.key_span,
                '`paths` must be a glob pattern or a list of them (`- "src/**/*.ts"`); Claude Code reads no '
                "pattern from this value, so the rule loads in every session.",
                key="paths",
            )
            return
        entries = self._pattern_spans(item)
        root = self._project_root()
        files = instructions.project_files(root) if root is not None else None
        for pattern, span in entries:
            problem = instructions.glob_problem(pattern)
            if problem is not None:
                self.report(
                    "invalid-glob",
                    span,
                    f"`{pattern}` cannot match what you meant: {problem}. Claude Code matches `paths` against files "
                    "relative to the project folder.",
                    pattern=pattern,
                )
            elif files is not None and not instructions.matching(pattern, files):
                self.report(
                    "glob-matches-nothing",
                    span,
                    f"No file in this project matches `{pattern}`, so this rule never loads until such a file exists. "
                    "Check the folder names and extensions.",
                    pattern=pattern,
                )

    def _pattern_spans(self, item: Field) -> list[tuple[str, Span]]:
        """Each pattern with the span it is written at (a comma-separated string: the whole value)."""
        node = item.node
        found: list[tuple[str, Span]] = []
        if isinstance(node, SequenceNode):
            for child in node.value:
                if isinstance(child, ScalarNode):
                    span = self.parsed.node_span(child)
                    found.extend((p, span) for p in instructions.split_patterns(child.value))
            return found
        return [(p, item.value_span) for p in instructions.split_patterns(item.value)]

    def _project_root(self) -> str | None:
        """The folder holding the `.claude/` of this rule (None for a rule with no path, or the user's)."""
        path = self.context.path
        if not path:
            return None
        parts = os.path.abspath(path).split(os.sep)
        if ".claude" not in parts[:-1]:
            return None
        i = len(parts) - 1 - parts[::-1].index(".claude")
        root = os.sep.join(parts[:i]) or os.sep
        home = instructions.home()
        if home is not None and os.path.normpath(root) == os.path.normpath(home):
            return None  # `~/.claude/rules/`: its globs apply to whichever project is open
        return root


# ---- memory files ----------------------------------------------------------------------------------


def memory_findings(parsed: ParsedAgent, context: AgentContext) -> list[Finding]:
    """What Claude Code does with a memory file's imports (and whether it reads an AGENTS.md at all)."""
    text = parsed.text
    path = context.path
    findings: list[Finding] = []

    def report(code: str, span: Span, message: str, **data: Any) -> None:
        findings.append(Finding(code, span, message, RULES[code].severity, {"code": code, **data}))

    imports = find_imports(text, instructions.body_start(text))
    if path is None or not os.path.isabs(path):
        return findings
    base = os.path.dirname(path)
    name = os.path.basename(path)
    if name == "AGENTS.md":
        hiding = instructions.claude_md_hiding(path)
        if hiding is not None:
            shown = os.path.relpath(hiding, base)
            report(
                "agents-md-hidden",
                Span(0, len(text.split("\n", 1)[0].rstrip("\r"))),
                f"Claude Code does not read this AGENTS.md: `{shown}` exists, and AGENTS.md is read only where a "
                f"project has no CLAUDE.md. To use both, add a line `@{_relative(path, os.path.dirname(hiding))}` "
                f"to `{shown}`.",
                claudeMd=hiding,
            )
    user = _in_user_folder(path)
    project = instructions.project_folder(path)
    live: list[Import] = []
    for item in imports:
        target = instructions.resolve(item.path, base)
        found = instructions.exists(target)
        if item.in_code:
            if found:
                report(
                    "import-in-code",
                    item.span,
                    f"`@{item.path}` is inside code, where Claude Code does not follow imports: `{item.path}` is "
                    "not loaded. Move it out of the backticks or code block to import the file.",
                    target=target,
                )
            continue
        if not found:
            if _looks_like_a_file(item.path):
                what = "a folder" if os.path.isdir(target) else "no file"
                trimmed = item.path.rstrip(".,;:!?)]'\"")
                hint = (
                    f" Claude Code reads the `{item.path[len(trimmed) :]}` after it as part of the path: put a "
                    f"space before it, or end the sentence differently."
                    if trimmed != item.path and instructions.exists(instructions.resolve(trimmed, base))
                    else " Paths are relative to this file's folder."
                )
                report(
                    "import-not-found",
                    item.span,
                    f"`@{item.path}` names {what} (`{target}`): Claude Code imports nothing here and leaves the "
                    f"text as it is.{hint}",
                    target=target,
                )
            continue
        if not instructions.is_text(target):
            report(
                "import-not-text",
                item.span,
                f"Claude Code skips `@{item.path}`: it imports only text files (`.md`, `.txt`, source code, ...), "
                f"and `{os.path.splitext(target)[1]}` is not one of its text extensions.",
                target=target,
            )
            continue
        if not user and not instructions.within(target, project):
            report(
                "import-outside-project",
                item.span,
                f"`{item.path}` lies outside the project (`{project}`): Claude Code asks once per project whether "
                "to allow external imports, and loads nothing from them until you say yes (never, when the "
                "session runs without a prompt).",
                target=target,
            )
        live.append(item)
    for i, deep in instructions.too_deep(path, live).items():
        item = live[i]
        chain = " → ".join(f"`{os.path.relpath(p, base)}`" for p in deep.chain)
        report(
            "import-too-deep",
            item.span,
            f"Claude Code loads imported files at most {instructions.max_depth() - 1} imports away from the memory "
            f"file; this import leads to one nested deeper, which it does not load: {chain}. Import that file "
            "from a shallower one.",
            chain=list(deep.chain),
        )
    return sorted(findings, key=lambda f: (f.span.start, f.span.end, f.code))


def _looks_like_a_file(path: str) -> bool:
    """An import worth reporting when it resolves to nothing: a path or a file name, not a bare `@word`
    (`@agent-reviewer` and `@someone` are mentions to the reader, which Claude Code also fails to import)."""
    if path.startswith("agent-") and "/" not in path:
        return False  # `@agent-reviewer` mentions an agent
    return "/" in path or "." in path.lstrip(".").rstrip(".,;:!?")


def _relative(path: str, folder: str) -> str:
    return os.path.relpath(path, folder).replace(os.sep, "/")


def _in_user_folder(path: str) -> bool:
    home = instructions.home()
    return home is not None and instructions.within(path, os.path.join(home, ".claude"))

"""Every diagnostic agent-lsp reports: its stable code, severity and meaning.

Severity tells the consequence in Claude Code:
- ERROR: Claude Code will not load the agent, or refuses to launch it; for a
  skill or command, every frontmatter field is lost;
- WARNING: a value is dropped or ignored, or the file loads only through
  Claude Code's lenient retry (other YAML tools reject it);
- INFORMATION / HINT: style and conventions; nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Severity(IntEnum):
    # Same numbers as LSP's DiagnosticSeverity.
    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: Severity
    summary: str


_RULES = [
    Rule("no-frontmatter", Severity.ERROR, "The file has no frontmatter, so Claude Code treats it as documentation."),
    Rule("unclosed-frontmatter", Severity.ERROR, "The frontmatter has no closing `---` line."),
    Rule("yaml-syntax", Severity.ERROR, "The frontmatter is not valid YAML, even after Claude Code's quoting retry."),
    Rule("yaml-fallback", Severity.WARNING, "The frontmatter loads only through Claude Code's quoting retry."),
    Rule("yaml-too-complex", Severity.ERROR, "The frontmatter expands past what agent-lsp will read (alias bombs)."),
    Rule("frontmatter-not-mapping", Severity.ERROR, "The frontmatter is not a set of `key: value` fields."),
    Rule(
        "duplicate-key",
        Severity.WARNING,
        "A key appears twice: Claude Code keeps the last value.",
    ),
    Rule("missing-name", Severity.ERROR, "No `name` (or not a string): the file is treated as documentation."),
    Rule("invalid-name", Severity.ERROR, "A `name` starting with `-` or containing `:` is skipped."),
    Rule("name-style", Severity.INFORMATION, "`name` is not lowercase words joined by hyphens."),
    Rule("name-file-mismatch", Severity.HINT, "`name` differs from the file name."),
    Rule("missing-description", Severity.ERROR, "No `description` (or not a string): the agent is skipped."),
    Rule("unknown-key", Severity.WARNING, "A key Claude Code does not know; it is ignored."),
    Rule("unknown-model", Severity.WARNING, "A `model` that is not text (dropped), or text no alias or id names."),
    Rule("invalid-permission-mode", Severity.WARNING, "An invalid `permissionMode` is dropped."),
    Rule("invalid-max-turns", Severity.WARNING, "`maxTurns` must be a positive whole number; otherwise dropped."),
    Rule("invalid-skills", Severity.WARNING, "`skills` must be a list of skill names."),
    Rule("invalid-mcp-server", Severity.WARNING, "An invalid `mcpServers` entry is dropped."),
    Rule("invalid-hooks", Severity.WARNING, "Malformed `hooks`: a project agent is skipped."),
    Rule("invalid-memory", Severity.WARNING, "An invalid `memory` scope is dropped."),
    Rule("invalid-background", Severity.WARNING, "`background` must be `true` or `false`; otherwise dropped."),
    Rule("invalid-effort", Severity.WARNING, "An invalid `effort` level is dropped."),
    Rule("invalid-isolation", Severity.WARNING, "An invalid `isolation` is dropped."),
    Rule("invalid-color", Severity.WARNING, "A `color` outside the eight names is dropped."),
    Rule("invalid-initial-prompt", Severity.WARNING, "`initialPrompt` must be text."),
    Rule("invalid-tools", Severity.WARNING, "`tools`/`disallowedTools` must be a string or a list of strings."),
    Rule("unknown-tool", Severity.WARNING, "A tool name Claude Code does not know; the entry is dropped."),
    Rule("retired-tool", Severity.WARNING, "A tool that no longer exists; the entry is dropped."),
    Rule("renamed-tool", Severity.INFORMATION, "`Task` is the old name of `Agent`; still accepted."),
    Rule(
        "tool-unavailable",
        Severity.WARNING,
        "A tool Claude Code removes from this subagent.",
    ),
    Rule("foreground-only-tool", Severity.INFORMATION, "A tool a subagent gets only in the foreground."),
    Rule("mcp-wildcard-in-tools", Severity.WARNING, "`mcp__*` works only in `disallowedTools`."),
    Rule("invalid-tool-rule", Severity.WARNING, "A malformed tool rule such as `Bash(git` is dropped."),
    Rule("legacy-tool-rule", Severity.HINT, "The `:*` prefix form of a rule; the space form is preferred."),
    Rule("no-tools-resolve", Severity.ERROR, "No `tools` entry resolves: Claude Code refuses to launch the agent."),
    Rule("empty-tools", Severity.WARNING, "An empty `tools` list launches the agent with no tools at all."),
    Rule("plugin-ignored-field", Severity.WARNING, "Plugin agents ignore `hooks`, `mcpServers` and `permissionMode`."),
    Rule("ignored-field", Severity.WARNING, "A field Claude Code ignores in this kind of file (`name` in a command)."),
    Rule("invalid-value", Severity.WARNING, "A field with a value Claude Code cannot use; it is dropped."),
    Rule("fork-only-field", Severity.WARNING, "`agent`/`background` without `context: fork` are ignored."),
    Rule("never-invoked", Severity.WARNING, "Neither Claude nor you can run the skill or command."),
    Rule("description-too-long", Severity.WARNING, "`description` + `when_to_use` pass the 1,536-character cut."),
    Rule("empty-body", Severity.INFORMATION, "The body (the agent's system prompt) is empty."),
    Rule("unreadable-file", Severity.ERROR, "The file cannot be read as UTF-8 text."),
    # Output styles, rules and memory files.
    Rule("plugin-only-field", Severity.WARNING, "`force-for-plugin` outside a plugin's output style is ignored."),
    Rule("foreign-key", Severity.WARNING, "Another tool's rule key (`globs`, `alwaysApply`): Claude Code ignores it."),
    Rule("invalid-glob", Severity.WARNING, "A `paths` glob that cannot match as written (unclosed brace, absolute)."),
    Rule("glob-matches-nothing", Severity.INFORMATION, "No file of the project matches a rule's `paths` glob."),
    Rule("import-not-found", Severity.WARNING, "An `@path` import that names no file: nothing is imported."),
    Rule("import-not-text", Severity.WARNING, "An `@path` import of a file that is not text: Claude Code skips it."),
    Rule("import-outside-project", Severity.INFORMATION, "An import outside the project: it needs your approval."),
    Rule("import-too-deep", Severity.WARNING, "An import chain deeper than Claude Code follows (4 hops)."),
    Rule("import-in-code", Severity.INFORMATION, "An `@path` in code, which Claude Code does not import."),
    Rule("agents-md-hidden", Severity.WARNING, "An AGENTS.md that Claude Code passes over: a CLAUDE.md exists."),
    # Cross-file findings: they need the other agents, skills and `.mcp.json` of the workspace.
    Rule("duplicate-agent-name", Severity.WARNING, "Two agents of one folder share a `name`: only one loads."),
    Rule("agent-shadowed", Severity.INFORMATION, "A project agent and a user agent share a `name`: the project wins."),
    Rule("unknown-skill", Severity.WARNING, "A `skills` entry names no skill in the workspace or `~/.claude/skills/`."),
    Rule("unknown-agent-type", Severity.WARNING, "`Agent(x)` names no known agent and no built-in agent type."),
    Rule(
        "unknown-mcp-server",
        Severity.INFORMATION,
        "An `mcp__` entry, or a plain name in an agent's `mcpServers`, names a server `.mcp.json` does not declare.",
    ),
    Rule("duplicate-output-style", Severity.WARNING, "Two output styles of one folder share a name: one is hidden."),
    Rule("unknown-output-style", Severity.WARNING, "The `outputStyle` setting names no output style that exists."),
    # JSON files: plugin and marketplace manifests, `.mcp.json`, hook files, settings (checks/manifest.py).
    Rule("json-syntax", Severity.ERROR, "The file is not valid JSON: Claude Code cannot read it."),
    Rule("missing-field", Severity.ERROR, "A required field of a manifest or MCP server is missing."),
    Rule("invalid-field-value", Severity.ERROR, "A recognized field holds a value of the wrong type or form."),
    Rule("invalid-plugin-name", Severity.ERROR, "A plugin or marketplace name with spaces, or a reserved one."),
    Rule("plugin-name-style", Severity.WARNING, "A plugin name that is not kebab-case."),
    Rule(
        "invalid-component-path",
        Severity.ERROR,
        "A component path not starting with `./`, or leaving the plugin.",
    ),
    Rule("missing-component-path", Severity.ERROR, "A component path or plugin source that does not exist."),
    Rule("component-path-loads-nothing", Severity.WARNING, "A component folder that holds nothing its field loads."),
    Rule("invalid-plugin-source", Severity.ERROR, "A marketplace plugin source that is not a `./` path inside it."),
    Rule("mcp-url-without-type", Severity.ERROR, "An MCP server with a `url` and no `type`."),
    Rule("invalid-env-expansion", Severity.WARNING, "A malformed `${VAR}` or `${VAR:-default}` in an MCP server."),
    Rule("unknown-hook-event", Severity.WARNING, "A hook event name Claude Code does not know; its hooks never run."),
    Rule("invalid-hook", Severity.WARNING, "A malformed hook entry; Claude Code ignores it."),
    Rule("matcher-ignored", Severity.INFORMATION, "A `matcher` on a hook event that takes none."),
]

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}

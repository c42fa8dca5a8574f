"""Property tests: for any text, the engine never raises and every range lies inside the document."""

from __future__ import annotations

import re
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_lsp.checks.findings import AgentContext
from agent_lsp.checks.rules import RULES
from agent_lsp.checks.validate import find_problems
from agent_lsp.features.diagnostics import validate
from agent_lsp.syntax.frontmatter import parse_agent
from helpers_core import REAL_WORLD, SEED

BOUNDED = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # LSP's line breaks, independently of the engine's LineIndex

# Pieces agent files are made of, so random combinations reach deep into the checks.
FRAGMENTS = [
    "---",
    "--- ",
    "\ufeff",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "  ",
    "    - ",
    "- ",
    ": ",
    ":",
    "#",
    "'",
    '"',
    "\\",
    "\\n",
    "name: ",
    "description: ",
    "tools: ",
    "disallowedTools: ",
    "model: ",
    "color: ",
    "hooks:",
    "mcpServers:",
    "permissionMode: ",
    "maxTurns: ",
    "background: ",
    "memory: ",
    "effort: ",
    "isolation: ",
    "skills: ",
    "initialPrompt: ",
    "Read, Grpe, Glob",
    "Bash(git:*)",
    "Bash(npm run *",
    "mcp__github__*",
    "mcp__*",
    "Task",
    "MultiEdit",
    "yes",
    "no",
    "true",
    "-1",
    "0",
    "gold",
    "sonnet",
    "gpt-4",
    "  PreToolUse:",
    "  PreToolUs:",
    "      hooks:",
    "        - type: command",
    "<example>",
    'user: "hi"',
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "!!str ",
    "|",
    ">",
    "%",
    "@",
    "`",
    "😀",
    "日本語",
    "\u0301",
    "\u2028",
    "\x00",
    "\x07",
    "\ufffd",
    "é",
    "\ud800",
]


@cache
def _seed_texts() -> tuple[str, ...]:
    paths = sorted(REAL_WORLD.rglob("*.md")) if REAL_WORLD.is_dir() else []
    paths += [SEED] if SEED.is_file() else []
    texts = [p.read_text(encoding="utf-8") for p in paths]
    texts.append("---\nname: reviewer\ndescription: Reviews: code\ntools: Read, Grpe\ncolor: gold\n---\nBody\n")
    return tuple(texts)


def _lines(text: str) -> list[str]:
    return LINE_BREAK.split(text)


def _utf16_len(line: str) -> int:
    return len(line.encode("utf-16-le", "surrogatepass")) // 2


def _check(text: str, plugin: bool = False, encoding: str = "utf-16") -> None:
    """Run everything; assert every offset and every LSP position is inside `text`."""
    parsed = parse_agent(text)
    path = "/repo/plugin/agents/x.md" if plugin else "/repo/.claude/agents/x.md"
    for finding in find_problems(parsed, AgentContext(path=path, plugin=plugin)):
        assert 0 <= finding.span.start <= finding.span.end <= len(text), finding
        assert finding.code in RULES
        assert finding.message
    lines = _lines(text)
    for diagnostic in validate(parsed, path, plugin=plugin, encoding=encoding):
        start, end = diagnostic.range.start, diagnostic.range.end
        assert (start.line, start.character) <= (end.line, end.character), diagnostic
        for position in (start, end):
            assert 0 <= position.line < len(lines), diagnostic
            line = lines[position.line]
            width = {
                "utf-16": _utf16_len(line),
                "utf-8": len(line.encode("utf-8", "surrogatepass")),
                "utf-32": len(line),
            }
            assert 0 <= position.character <= width[encoding], (diagnostic, line)


def test_the_check_itself_catches_an_out_of_range_position() -> None:
    # `_check` must be able to fail: a range on a line past the end is rejected.
    assert _lines("a\nb") == ["a", "b"] and _lines("a\r\n") == ["a", ""]
    assert _utf16_len("😀") == 2


@BOUNDED
@given(st.text())
def test_arbitrary_unicode(text: str) -> None:
    _check(text)


@BOUNDED
@given(st.text(alphabet=st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF))))
def test_arbitrary_unicode_with_lone_surrogates(text: str) -> None:
    _check(text)


@BOUNDED
@given(st.binary(max_size=400))
def test_random_bytes_decoded_with_replacement(raw: bytes) -> None:
    _check(raw.decode("utf-8", "replace"))
    _check("---\n" + raw.decode("utf-8", "replace") + "\n---\n")


@BOUNDED
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=40),
    st.booleans(),
    st.sampled_from(["utf-16", "utf-8", "utf-32"]),
)
def test_frontmatter_shaped_text(pieces: list[str], plugin: bool, encoding: str) -> None:
    _check("---\n" + "".join(pieces) + "\n---\nBody\n", plugin, encoding)
    _check("".join(pieces), plugin, encoding)


@BOUNDED
@given(st.data())
def test_truncated_real_files(data: st.DataObject) -> None:
    text = data.draw(st.sampled_from(_seed_texts()))
    cut = data.draw(st.integers(0, len(text)))
    _check(text[:cut])
    _check(text[cut:])


@BOUNDED
@given(st.data(), st.booleans())
def test_real_files_with_random_line_edits(data: st.DataObject, plugin: bool) -> None:
    text = data.draw(st.sampled_from(_seed_texts()))
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        # Mostly edit the frontmatter, where the checks are.
        at = data.draw(st.integers(0, min(len(lines) - 1, 12)))
        action = data.draw(st.sampled_from(["delete", "duplicate", "insert", "splice", "indent", "crlf"]))
        if action == "delete" and len(lines) > 1:
            del lines[at]
        elif action == "duplicate":
            lines.insert(at, lines[at])
        elif action == "insert":
            lines.insert(at, "".join(data.draw(st.lists(st.sampled_from(FRAGMENTS), max_size=6))))
        elif action == "splice":
            col = data.draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:col] + data.draw(st.sampled_from(FRAGMENTS)) + lines[at][col:]
        elif action == "indent":
            lines[at] = data.draw(st.sampled_from([" ", "\t", "  - "])) + lines[at]
        else:
            lines[at] += "\r"
    _check("\n".join(lines), plugin, data.draw(st.sampled_from(["utf-16", "utf-8"])))

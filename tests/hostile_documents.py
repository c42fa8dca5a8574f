"""Hostile agent documents: YAML bombs, deep nesting, huge lines, bad bytes. Shared by
tests/syntax/test_hostile_yaml.py (each must end in a clear diagnostic) and benchmarks/hostile.py (how long)."""

from __future__ import annotations

DEEP = 10_000
HEAD = "---\nname: hostile\ndescription: A hostile test agent\n"


def bomb(levels: int = 9, fan: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * fan) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]")
    return "\n".join(lines) + "\n"


def block_nesting(depth: int) -> str:
    # Block mappings need one more space per level: depth 3,000 is already ~4.5 M characters.
    return "".join(" " * i + f"k{i}:\n" for i in range(depth))


CASES: dict[str, tuple[str, set[str]]] = {
    "billion-laughs": (HEAD + bomb() + "---\nBody.\n", {"yaml-too-complex"}),
    "flow-nesting-10000": (HEAD + "tools: " + "[" * DEEP + "]" * DEEP + "\n---\nBody.\n", {"yaml-fallback"}),
    "flow-nesting-unclosed": (HEAD + "x: " + "{a: " * DEEP + "\n---\nBody.\n", {"yaml-fallback", "unknown-key"}),
    "flow-nesting-bare": (HEAD + "[" * DEEP + "]" * DEEP + "\n---\nBody.\n", {"yaml-syntax"}),
    "block-sequence-10000": (HEAD + "x:\n" + "- " * DEEP + "leaf\n---\nBody.\n", {"yaml-syntax"}),
    "block-mapping-3000": (HEAD + block_nesting(3000) + "---\nBody.\n", {"yaml-syntax"}),
    "one-megabyte-line": (HEAD.replace("A hostile", "x" * 1_000_000) + "---\nBody.\n", set()),
    "one-megabyte-flow-list": (HEAD + "tools: [" + "Read, " * 170_000 + "Read]\n---\nBody.\n", {"yaml-too-complex"}),
    "many-keys": (HEAD + "".join(f"k{i}: v\n" for i in range(120_000)) + "---\n", {"yaml-too-complex"}),
    "many-duplicates": (HEAD + "k: v\n" * 40_000 + "---\n", {"yaml-too-complex"}),
    "nul-byte": (HEAD + "model: so\x00net\n---\nBody.\n", {"yaml-syntax"}),
    "lone-surrogate": (HEAD + "model: \ud800\n---\nBody.\n", {"yaml-syntax"}),
    "replacement-chars": (HEAD.replace("hostile", "\ufffd\ufffd") + "---\nBody.\n", {"name-style"}),
    "a-million-carriage-returns": ("---\r" + "\r" * 1_000_000, {"unclosed-frontmatter"}),
    "fifty-megabytes": (HEAD + "---\n" + "All work and no play.\n" * 2_300_000, {"unreadable-file"}),
}


CLI_CASES: dict[str, tuple[bytes, str]] = {
    "billion-laughs": ((HEAD + bomb() + "---\nBody.\n").encode(), "yaml-too-complex"),
    "flow-nesting-bare": ((HEAD + "[" * DEEP + "]" * DEEP + "\n---\n").encode(), "yaml-syntax"),
    "nul-byte": (HEAD.encode() + b"model: a\x00b\n---\n", "unreadable-file"),
    "invalid-utf8": (HEAD.encode() + b"model: \xff\xfe\n---\n", "unreadable-file"),
    "encoded-surrogate": (HEAD.encode() + b"model: \xed\xa0\x80\n---\n", "unreadable-file"),
    "truncated-utf8": (HEAD.encode() + "model: é".encode()[:-1], "unreadable-file"),
    "fifty-megabytes": (HEAD.encode() + b"---\n" + b"All work and no play.\n" * 2_300_000, "unreadable-file"),
    "many-keys": ((HEAD + "".join(f"k{i}: v\n" for i in range(120_000)) + "---\n").encode(), "yaml-too-complex"),
}

"""Full Claude model ids, as the installed anthropic SDK lists them, and what each one is.

The SDK's `Model` type is a `Literal` of the ids the API knows; reading it keeps
our list current with the SDK instead of copying it. Importing `anthropic.types`
takes about a second, so it happens on the first request that needs it, never at
start-up.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import typing
from functools import cache, lru_cache
from pathlib import Path

from agent_lsp.schema.schemas import agent_schema

_ID = re.compile(r"claude-(?P<family>[a-z]+)(?P<version>(?:-\d{1,2})*)(?:-(?P<date>\d{8}))?(?P<rest>-[a-z]+)?")


@cache
def sdk_model_ids() -> tuple[str, ...]:
    """Every literal model id in the SDK's `Model` type (empty when the SDK is missing or changed shape).

    The ids are read from the SDK's source with `ast` rather than by importing it:
    importing `anthropic.types` costs about a second and ~50 MB, which the first
    `model:` completion must not pay. Importing stays as the fallback.
    """
    return _ids_from_source() or _ids_from_import()


def _ids_from_source() -> tuple[str, ...]:
    # find_spec on the top-level package locates it without importing it (a submodule's
    # spec would import its parents, which is the cost we avoid).
    try:
        spec = importlib.util.find_spec("anthropic")
    except (ImportError, ValueError):
        return ()
    if spec is None or not spec.origin:
        return ()
    source = Path(spec.origin).parent / "types" / "model.py"
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return ()
    for node in tree.body:
        target: ast.expr | None = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(target, ast.Name) and target.id == "Model" and value is not None:
            found = [c.value for c in ast.walk(value) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
            return tuple(dict.fromkeys(v for v in found if v.startswith("claude")))
    return ()


def _ids_from_import() -> tuple[str, ...]:
    try:
        from anthropic.types import Model
    except ImportError:
        return ()
    found: list[str] = []
    stack: list[object] = [Model]
    while stack:
        current = stack.pop(0)
        for arg in typing.get_args(current):
            if isinstance(arg, str):
                found.append(arg)
            else:
                stack.append(arg)
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=1024)  # every `model:` completion describes the same ids; hover passes what was typed
def describe_model_id(model_id: str) -> str:
    """A one-line account of a full model id: family, version, and whether it is a pinned snapshot."""
    match = _ID.fullmatch(model_id)
    if match is None:
        return "A model id passed to the API as written."
    family = match.group("family")
    version = ".".join(part for part in match.group("version").split("-") if part)
    name = f"Claude {family.capitalize()}" + (f" {version}" if version else "")
    if match.group("rest"):
        name += f" ({match.group('rest').strip('-')})"
    if match.group("date"):
        date = match.group("date")
        return f"{name}, the snapshot dated {date[:4]}-{date[4:6]}-{date[6:]}; it never changes."
    alias = family if family in agent_schema().enum_values("model") else None
    follow = f"; unlike the `{alias}` alias it stays on this version" if alias else ""
    return f"{name}{follow}."


# What Claude Code 2.1.328 sends as `model` for each alias (tests/conformance: agents/model-*; the pinned
# version's main model is Opus). The one table of resolved ids: the effective-agent view and the architect
# read it here.
MAIN_MODEL_ID = "claude-opus-5-5"
ALIAS_MODEL_IDS: dict[str, str] = {
    "opus": "claude-opus-5-5",
    "best": "claude-opus-5-5",
    "opus[1m]": "claude-opus-5-5",
    "sonnet": "claude-sonnet-5-5",
    "sonnet[1m]": "claude-sonnet-5-5",
    "opusplan": "claude-sonnet-5-5",  # Opus in plan mode only; a subagent outside plan mode gets Sonnet
    "haiku": "claude-haiku-5-5",
    "fable": "claude-fable-5-2",
}


def resolve_model_id(value: object) -> tuple[str, str]:
    """The model id Claude Code sends for a `model:` value, and how it got there.

    `inherit` and anything that is not text (or is empty) run on the session's model; an alias is looked up
    in any case; a `claude-` id is sent lowercased; any other text is sent as written (agents/model-gpt-4).
    """
    if not isinstance(value, str) or not value.strip():
        return MAIN_MODEL_ID, "the session's model"
    word = value.strip()
    lowered = word.lower()
    if lowered == "inherit":
        return MAIN_MODEL_ID, "the session's model (`inherit`)"
    if lowered in ALIAS_MODEL_IDS:
        return ALIAS_MODEL_IDS[lowered], f"from `{word}`"
    if lowered.startswith("claude-"):
        return lowered, "as written"
    return word, "as written"

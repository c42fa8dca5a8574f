"""Closest-match suggestions for typos ("did you mean `sonnet`?")."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def _normal(text: str) -> str:
    return text.lower().replace("-", "").replace("_", "").replace(" ", "")


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate the user most likely meant, or None when nothing is close.

    Case, hyphens and underscores are ignored first (`Blue`, `max-turns`), then
    edit similarity decides.
    """
    options = list(candidates)
    if not word:
        return None
    by_normal = {_normal(c): c for c in options}
    if _normal(word) in by_normal:
        return by_normal[_normal(word)]
    matches = difflib.get_close_matches(_normal(word), list(by_normal), n=1, cutoff=cutoff)
    return by_normal[matches[0]] if matches else None


def did_you_mean(suggestion: str | None) -> str:
    """The sentence a message ends with when there is a suggestion (with its leading space), else nothing."""
    return f" Did you mean `{suggestion}`?" if suggestion else ""

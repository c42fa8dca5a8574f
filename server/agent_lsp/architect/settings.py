"""What the architect action needs to know, from the client's settings and the environment.

The client hands over a dict shaped like VS Code's `agentLsp` configuration section.
Values that are missing or of the wrong type fall back to defaults instead of failing:
a typo in a settings file must not take the action away. The API key is wrapped in
`Secret` so that printing the settings (repr, logs, f-strings) can never show it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

# Current full ids behind the aliases an agent's `model` field may use. The table is a
# setting (`agentLsp.models`) because these ids move faster than our releases.
DEFAULT_MODELS: Mapping[str, str] = {
    "opus": "claude-opus-5",
    "sonnet": "claude-sonnet-5",
    "haiku": "claude-haiku-4-5",
    "fable": "claude-fable-5",
}

# Claude Code runs `inherit` agents on the main conversation's model, which on the
# Anthropic API defaults to Opus; we have no conversation, so a setting stands in.
DEFAULT_MODEL_ALIAS = "opus"

DEFAULT_TIMEOUT_SECONDS = 120.0
DEFAULT_MAX_TOKENS = 8192
DEFAULT_MAX_INPUT_BYTES = 200_000
DEFAULT_RATE_LIMIT_PER_MINUTE = 6
DEFAULT_MAX_RETRIES = 2
DEFAULT_BREAKER_THRESHOLD = 3
DEFAULT_BREAKER_COOLDOWN_SECONDS = 60.0


class Secret:
    """A string that refuses to show itself: repr and str print a mask."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class ArchitectSettings:
    """Resolved settings for one run; build it with `load_settings`."""

    api_key: Secret | None = field(default=None, repr=False)
    api_key_source: str = "none"  # "client", "environment" or "none": for messages, never the key
    base_url: str | None = None  # None lets the SDK use its default endpoint
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_tokens: int = DEFAULT_MAX_TOKENS
    models: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MODELS))
    default_model: str = DEFAULT_MODEL_ALIAS
    model_override: str | None = None
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT_PER_MINUTE
    max_retries: int = DEFAULT_MAX_RETRIES
    breaker_threshold: int = DEFAULT_BREAKER_THRESHOLD
    breaker_cooldown_seconds: float = DEFAULT_BREAKER_COOLDOWN_SECONDS
    answers_dir: Path | None = None  # None: a per-workspace cache folder
    api_enabled: bool = True

    def with_api_key(self, key: str | None, source: str = "client") -> ArchitectSettings:
        if not key:
            return replace(self, api_key=None, api_key_source="none")
        return replace(self, api_key=Secret(key), api_key_source=source)


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _number(value: Any, default: float, *, minimum: float) -> float:
    # bool is an int subclass; `true` is not a number of seconds.
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= minimum:
        return float(value)
    return default


def _integer(value: Any, default: int, *, minimum: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    return default


def load_settings(
    client: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> ArchitectSettings:
    """Merge the client's `agentLsp` section over the environment and our defaults."""
    client = client if isinstance(client, Mapping) else {}
    env = os.environ if env is None else env

    key = _text(client.get("apiKey"))
    source = "client"
    if key is None:
        key = _text(env.get("ANTHROPIC_API_KEY"))
        source = "environment"

    models = dict(DEFAULT_MODELS)
    user_models = client.get("models")
    if isinstance(user_models, Mapping):
        models.update({str(k): v.strip() for k, v in user_models.items() if _text(v)})

    answers = _text(client.get("answersDir"))
    enabled = client.get("apiEnabled")

    settings = ArchitectSettings(
        base_url=_text(client.get("baseUrl")) or _text(env.get("ANTHROPIC_BASE_URL")),
        timeout_seconds=_number(client.get("timeoutSeconds"), DEFAULT_TIMEOUT_SECONDS, minimum=0.01),
        max_tokens=_integer(client.get("maxTokens"), DEFAULT_MAX_TOKENS, minimum=1),
        models=models,
        default_model=_text(client.get("defaultModel")) or DEFAULT_MODEL_ALIAS,
        model_override=_text(client.get("modelOverride")),
        max_input_bytes=_integer(client.get("maxInputBytes"), DEFAULT_MAX_INPUT_BYTES, minimum=1),
        rate_limit_per_minute=_integer(client.get("rateLimitPerMinute"), DEFAULT_RATE_LIMIT_PER_MINUTE, minimum=0),
        max_retries=_integer(client.get("maxRetries"), DEFAULT_MAX_RETRIES, minimum=0),
        breaker_threshold=_integer(client.get("breakerThreshold"), DEFAULT_BREAKER_THRESHOLD, minimum=1),
        breaker_cooldown_seconds=_number(
            client.get("breakerCooldownSeconds"), DEFAULT_BREAKER_COOLDOWN_SECONDS, minimum=0.0
        ),
        answers_dir=Path(answers).expanduser() if answers else None,
        api_enabled=enabled if isinstance(enabled, bool) else True,
    )
    return settings.with_api_key(key, source)


def resolve_model(agent_model: str | None, settings: ArchitectSettings) -> str:
    """The model id to send: the override, else the agent's model, through the alias table.

    A missing `model` means `inherit`, as in Claude Code; `inherit` takes the configured
    default. Anything that is not an alias is taken to be a full model id.
    """
    wanted = settings.model_override or _text(agent_model) or "inherit"
    if wanted == "inherit":
        wanted = settings.default_model
    return settings.models.get(wanted, wanted)


def _cache_home(env: Mapping[str, str]) -> Path:
    if xdg := _text(env.get("XDG_CACHE_HOME")):
        return Path(xdg)
    if sys.platform == "win32" and (local := _text(env.get("LOCALAPPDATA"))):
        return Path(local)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    return Path.home() / ".cache"


def answers_folder(
    settings: ArchitectSettings,
    workspace_key: str,
    env: Mapping[str, str] | None = None,
) -> Path:
    """Where answers go: the configured folder, else a per-workspace cache folder.

    The cache folder is outside the project so answers never show up in its VCS status;
    the workspace is named by a hash because a path inside a path is awkward to read back.
    """
    if settings.answers_dir is not None:
        return settings.answers_dir
    env = os.environ if env is None else env
    import hashlib  # here, not at start-up: importing it initialises OpenSSL (~0.6 MB RSS)

    digest = hashlib.sha256(workspace_key.encode("utf-8")).hexdigest()[:16]
    return _cache_home(env) / "agent-lsp" / "answers" / digest

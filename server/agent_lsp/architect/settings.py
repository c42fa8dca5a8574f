"""What the architect action needs to know, from the client's settings and the environment.

The client hands over a dict shaped like VS Code's `agentLsp` configuration section.
Values that are missing or of the wrong type fall back to defaults instead of failing:
a typo in a settings file must not take the action away. The API key is wrapped in
`Secret` so that printing the settings (repr, logs, f-strings) can never show it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agent_lsp.schema.models import ALIAS_MODEL_IDS
from agent_lsp.schema.resources import verified_claude_code

# The model ids come from the one table, `schema.models.ALIAS_MODEL_IDS`: what the pinned Claude Code sends
# for each alias an agent's `model` field may use, as recorded by the conformance oracle
# (tests/conformance/truth.json; tests/architect/test_agent_loop.py and the effective-agent conformance test
# check it, so a version bump that moves an id fails until the table follows). `agentLsp.models` can still
# override an entry. The `[1m]` variants are left to LONG_CONTEXT_SUFFIX below.
CLAUDE_CODE_VERSION = verified_claude_code() or "unknown"
DEFAULT_MODELS: Mapping[str, str] = {alias: mid for alias, mid in ALIAS_MODEL_IDS.items() if not alias.endswith("]")}
# `opus[1m]` names the same model with a longer context window; the id sent is the alias's.
LONG_CONTEXT_SUFFIX = "[1m]"

# Claude Code runs `inherit` agents on the main conversation's model, which on the
# Anthropic API defaults to Opus; we have no conversation, so a setting stands in.
DEFAULT_MODEL_ALIAS = "opus"

# `effort` values Claude Code passes on (case-insensitive); any other text falls back to the default,
# a number is sent as no effort at all (all recorded on the pinned version).
EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")
# The effort Claude Code sends for a model of the table when the agent sets none; an id outside the
# table (a full id the agent names) was recorded with "high".
TABLE_EFFORT = "medium"
OTHER_EFFORT = "high"
# Older models were recorded with no effort at all, and with extended thinking on a fixed budget (4.5 and
# earlier 4.x) or none (3.x) instead of adaptive thinking; we send them neither.
_OLDER_MODEL = re.compile(r"claude-(?:3[-.]|(?:sonnet|haiku|opus)-4(?:-[0-5])?(?=$|-\d{8}|-[a-z]|[^0-9-]))")
# Claude Code's per-request output limit for these models; `agentLsp.maxTokens` lowers it.
CLAUDE_CODE_MAX_TOKENS = 128_000
DEFAULT_MAX_TURNS = 25  # Claude Code's own limit when neither the agent nor the user sets one
DEFAULT_TOKEN_BUDGET = 2_000_000  # input + output tokens over one run, every API call counted

DEFAULT_TIMEOUT_SECONDS = 120.0
DEFAULT_MAX_TOKENS = CLAUDE_CODE_MAX_TOKENS
DEFAULT_MAX_INPUT_BYTES = 200_000
DEFAULT_RATE_LIMIT_PER_MINUTE = 30  # API calls, an agent run's counted one by one
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
    tools_enabled: bool = True  # `agentLsp.agentTools`: False sends one request with no tools, as before
    max_turns: int = DEFAULT_MAX_TURNS  # `agentLsp.maxTurns`, for agents without `maxTurns`
    token_budget: int = DEFAULT_TOKEN_BUDGET  # `agentLsp.tokenBudget`

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
        # An untrusted workspace has the API off altogether; the tools follow it.
        tools_enabled=client.get("agentTools") is not False and enabled is not False,
        max_turns=_integer(client.get("maxTurns"), DEFAULT_MAX_TURNS, minimum=1),
        token_budget=_integer(client.get("tokenBudget"), DEFAULT_TOKEN_BUDGET, minimum=1),
    )
    return settings.with_api_key(key, source)


def resolve_model(agent_model: str | None, settings: ArchitectSettings) -> str:
    """The model id to send: the override, else the agent's model, through the alias table.

    A missing `model` means `inherit`, as in Claude Code; `inherit` takes the configured
    default. Anything that is not an alias is taken to be a full model id.
    """
    wanted = settings.model_override or _text(agent_model) or "inherit"
    if wanted.lower() == "inherit":
        wanted = settings.default_model
    alias = wanted.lower().removesuffix(LONG_CONTEXT_SUFFIX)
    if alias in settings.models:
        return settings.models[alias]
    # A full id is sent as Claude Code sends it: lower-cased (recorded: `claude-Opus-4-8`).
    return settings.models.get(wanted, wanted.lower() if wanted.lower().startswith("claude-") else wanted)


def older_model(model: str) -> bool:
    """A model that takes neither `output_config.effort` nor adaptive thinking, as the pinned Claude Code sends."""
    return _OLDER_MODEL.search(model.lower()) is not None


def resolve_effort(agent_effort: object, model: str, settings: ArchitectSettings) -> str | None:
    """The `output_config.effort` to send: the agent's level, else the model's default; None sends none."""
    if (isinstance(agent_effort, (int, float)) and not isinstance(agent_effort, bool)) or older_model(model):
        return None
    if isinstance(agent_effort, list) and len(agent_effort) == 1:
        agent_effort = agent_effort[0]  # recorded: `effort: [high]` is high
    if isinstance(agent_effort, str):
        level = agent_effort.strip().lower()
        if level in EFFORT_LEVELS:
            return level
        if level.lstrip("-").replace(".", "", 1).isdigit():
            return None
    return TABLE_EFFORT if model in settings.models.values() else OTHER_EFFORT


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

"""Every way an ask can fail, each with a message that says what to do next.

Messages are built here and nowhere else, so the promise "the API key never appears in
a message" has one place to keep: `redact` runs over every text that leaves this module,
including texts that came back from the API.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from agent_lsp.architect.settings import ArchitectSettings

KEY_HELP = (
    "Set it with the 'Agent LSP: Set Anthropic API Key' command in VS Code, the `agentLsp.apiKey` "
    "setting of your editor, or the ANTHROPIC_API_KEY environment variable of the editor's process"
)


class FailureKind(enum.Enum):
    API_DISABLED = "api_disabled"
    NO_KEY = "no_key"
    SDK_MISSING = "sdk_missing"
    BUSY = "busy"
    LOCAL_RATE_LIMIT = "local_rate_limit"
    BREAKER_OPEN = "breaker_open"
    BAD_REQUEST = "bad_request"
    KEY_REJECTED = "key_rejected"
    FORBIDDEN = "forbidden"
    UNKNOWN_MODEL = "unknown_model"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    OVERLOADED = "overloaded"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    CUT_MID_STREAM = "cut_mid_stream"
    ENDED_EARLY = "ended_early"
    STREAM_ERROR = "stream_error"
    UNEXPECTED = "unexpected"


# Failures that say the service is unwell. Only these count towards the circuit breaker:
# a wrong key or model is fixed by the user, and must not lock them out for a cooldown.
SERVICE_FAILURES = frozenset(
    {
        FailureKind.RATE_LIMITED,
        FailureKind.OVERLOADED,
        FailureKind.SERVER_ERROR,
        FailureKind.TIMEOUT,
        FailureKind.UNREACHABLE,
        FailureKind.CUT_MID_STREAM,
        FailureKind.ENDED_EARLY,
        FailureKind.STREAM_ERROR,
    }
)

# Failures after which the text that arrived is still worth showing.
PARTIAL_KINDS = frozenset(
    {FailureKind.CUT_MID_STREAM, FailureKind.ENDED_EARLY, FailureKind.STREAM_ERROR, FailureKind.TIMEOUT}
)


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    message: str
    status: int | None = None
    request_id: str | None = None

    @property
    def counts_against_service(self) -> bool:
        return self.kind in SERVICE_FAILURES


MASK = "********"
# `scheme://user:password@host`: the password of a base URL (a proxy's, a gateway's) is a secret too.
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]*@")


def mask_url_passwords(text: str) -> str:
    """`http://user:secret@host` as `http://user:***@host`, wherever a URL holds a password."""
    return _URL_PASSWORD.sub(r"\1***@", text)


def redact(text: str, settings: ArchitectSettings | None) -> str:
    """Mask the API key wherever it occurs in `text`, and the password of any URL."""
    if settings is not None and settings.api_key is not None:
        key = settings.api_key.reveal()
        if key:
            text = text.replace(key, MASK)
    return mask_url_passwords(text)


class KeyMask:
    """Masks the key in text that arrives in pieces (an API or a gateway echoing it in its answer):
    the key may be split between two pieces, so the end of a piece that could begin the key is held
    back until the next piece (or `flush`) shows what it is. Other text passes as it came."""

    def __init__(self, key: str | None) -> None:
        self._key = key or ""
        self._held = ""

    def feed(self, piece: str) -> str:
        key = self._key
        if not key:
            return piece
        text = (self._held + piece).replace(key, MASK)
        hold = next((n for n in range(min(len(key) - 1, len(text)), 0, -1) if text.endswith(key[:n])), 0)
        self._held = text[len(text) - hold :] if hold else ""
        return text[: len(text) - hold]

    def flush(self) -> str:
        held, self._held = self._held, ""
        return held


def make_failure(
    kind: FailureKind,
    settings: ArchitectSettings | None,
    *,
    model: str = "",
    detail: str = "",
    status: int | None = None,
    request_id: str | None = None,
    partial: bool = False,
    retry_in: float | None = None,
) -> Failure:
    retries = settings.max_retries if settings is not None else 0
    timeout = settings.timeout_seconds if settings is not None else 0.0
    kept = " The part of the answer that arrived is kept and marked incomplete." if partial else ""
    texts: dict[FailureKind, str] = {
        FailureKind.API_DISABLED: (
            "Asking an agent is turned off here: the workspace is not trusted or `agentLsp.apiEnabled` is "
            "false. Trust the workspace (or enable the setting) to let agent-lsp send files to the "
            "Anthropic API."
        ),
        FailureKind.NO_KEY: f"No Anthropic API key is configured. {KEY_HELP}, then ask again.",
        FailureKind.SDK_MISSING: (
            "The `anthropic` Python package is missing from the environment that runs agent-lsp. "
            "Install it there (pip install anthropic) and restart the server."
        ),
        FailureKind.BUSY: f"An agent is already answering about {detail}. Wait for it or cancel it first.",
        FailureKind.LOCAL_RATE_LIMIT: (
            f"Too many asks: the limit is {detail} per minute (`agentLsp.rateLimitPerMinute`). "
            f"Try again in {_seconds(retry_in)}."
        ),
        FailureKind.BREAKER_OPEN: (
            f"The Anthropic API failed {detail} times in a row, so asks are paused for "
            f"{_seconds(retry_in)} to let it recover. Try again then."
        ),
        FailureKind.BAD_REQUEST: (
            f"The Anthropic API refused the request (400{': ' + detail if detail else ''}). Check the "
            "agent's `model` and the `agentLsp.maxTokens` setting."
        ),
        FailureKind.KEY_REJECTED: (
            f"The Anthropic API rejected the API key (401). The key is wrong, revoked or expired. {KEY_HELP} "
            "with a valid key, then ask again."
        ),
        FailureKind.FORBIDDEN: (
            f"The API key may not use {model or 'this model'} (403). Check the key's workspace and "
            "permissions in the Anthropic Console, or pick another model with `agentLsp.modelOverride`."
        ),
        FailureKind.UNKNOWN_MODEL: (
            f"The Anthropic API does not know the model '{model}' (404). Fix the agent's `model` field, "
            "or map it to a current model id with the `agentLsp.models` or `agentLsp.modelOverride` setting."
        ),
        FailureKind.TOO_LARGE: (
            "The request is too large for the Anthropic API (413). Lower `agentLsp.maxInputBytes` or ask "
            "about a selection instead of the whole file."
        ),
        FailureKind.RATE_LIMITED: (
            f"The Anthropic API is rate limiting this key (429) and still refused after {retries} "
            f"retries{_retry_after(retry_in)}. Wait a minute and ask again, or raise the key's limits."
        ),
        FailureKind.OVERLOADED: (
            f"The Anthropic API is overloaded (529){_after_retries(retries, partial)}. Try again in a few "
            f"minutes.{kept}"
        ),
        FailureKind.SERVER_ERROR: (
            f"The Anthropic API had an internal error ({status or 500}){_after_retries(retries, partial)}. "
            f"Try again later.{kept}"
        ),
        FailureKind.TIMEOUT: (
            f"The Anthropic API did not answer within {timeout:g} s (`agentLsp.timeoutSeconds`). "
            f"Ask again, or raise the timeout.{kept}"
        ),
        FailureKind.UNREACHABLE: (
            f"Could not connect to the Anthropic API{' at ' + detail if detail else ''}. Check the "
            "network, the proxy, or the `agentLsp.baseUrl` setting."
        ),
        FailureKind.CUT_MID_STREAM: (
            "The connection to the Anthropic API broke in the middle of the answer."
            f"{kept or ' Nothing had arrived yet.'} Ask again for a full answer."
        ),
        FailureKind.ENDED_EARLY: (
            "The Anthropic API ended the answer without saying it was finished."
            f"{kept or ' Nothing had arrived.'} Ask again for a full answer."
        ),
        FailureKind.STREAM_ERROR: (
            f"The Anthropic API reported an error in the middle of the answer ({detail or 'unknown'})."
            f"{kept} Ask again for a full answer."
        ),
        FailureKind.UNEXPECTED: (
            f"Asking the agent failed unexpectedly ({detail or 'unknown error'}). Ask again; if it keeps "
            "failing, the server log has the details."
        ),
    }
    request_id = redact(request_id, settings) if request_id is not None else None  # a gateway may echo the key
    return Failure(kind, redact(texts[kind], settings), status=status, request_id=request_id)


def _seconds(value: float | None) -> str:
    if value is None:
        return "a moment"
    whole = max(1, round(value))
    return f"{whole} second{'s' if whole != 1 else ''}"


def _retry_after(value: float | None) -> str:
    return f" (the API asked to wait {_seconds(value)})" if value else ""


def _after_retries(retries: int, partial: bool) -> str:
    # A failure in the middle of a stream is never retried by the SDK.
    return "" if partial or retries == 0 else f" and still failed after {retries} retries"


_STATUS_KINDS: dict[int, FailureKind] = {
    400: FailureKind.BAD_REQUEST,
    401: FailureKind.KEY_REJECTED,
    403: FailureKind.FORBIDDEN,
    404: FailureKind.UNKNOWN_MODEL,
    413: FailureKind.TOO_LARGE,
    429: FailureKind.RATE_LIMITED,
    529: FailureKind.OVERLOADED,
}

# The `error.type` of an `error` event inside a 200 stream, which carries no status.
_ERROR_TYPE_KINDS: dict[str, FailureKind] = {
    "overloaded_error": FailureKind.OVERLOADED,
    "api_error": FailureKind.SERVER_ERROR,
    "rate_limit_error": FailureKind.RATE_LIMITED,
    "timeout_error": FailureKind.TIMEOUT,
}


def classify(
    exc: BaseException,
    settings: ArchitectSettings,
    *,
    model: str,
    partial: bool,
    started: bool = False,
) -> Failure:
    """Map an exception from the SDK or its HTTP layer to a Failure.

    `started`: the response had begun (its headers arrived), so a lost connection is a cut
    stream, not an unreachable API, whichever way the SDK reports it.

    Only called after a run started, so the SDK is already imported; importing it here
    costs nothing then, and keeps it out of this module's import.
    """
    import anthropic
    import httpx2

    if isinstance(exc, anthropic.APIStatusError):
        request_id = exc.request_id
        if exc.status_code < 400:
            # An `error` event inside a successful stream.
            error_type = str(exc.type or "unknown")
            kind = _ERROR_TYPE_KINDS.get(error_type, FailureKind.STREAM_ERROR)
            if kind is FailureKind.RATE_LIMITED or kind is FailureKind.TIMEOUT:
                kind = FailureKind.STREAM_ERROR
            return make_failure(kind, settings, model=model, detail=error_type, partial=partial, request_id=request_id)
        status = exc.status_code
        kind = _STATUS_KINDS.get(status, FailureKind.SERVER_ERROR if status >= 500 else FailureKind.BAD_REQUEST)
        detail = _api_message(exc.body) if kind is FailureKind.BAD_REQUEST else ""
        retry_in = _retry_after_seconds(exc.response.headers) if kind is FailureKind.RATE_LIMITED else None
        return make_failure(
            kind,
            settings,
            model=model,
            detail=detail,
            status=status,
            request_id=request_id,
            partial=partial,
            retry_in=retry_in,
        )
    if isinstance(exc, (anthropic.APITimeoutError, httpx2.TimeoutException)):
        return make_failure(FailureKind.TIMEOUT, settings, partial=partial)
    # A connection lost while reading a stream that had started: anthropic up to 2.16 let the
    # transport's error through (RemoteProtocolError for a cut, ReadError for a reset); 2.17 wraps
    # it in APIConnectionError, which before the response means the API was never reached.
    if isinstance(exc, httpx2.TransportError) or (started and isinstance(exc, anthropic.APIConnectionError)):
        return make_failure(FailureKind.CUT_MID_STREAM, settings, partial=partial)
    if isinstance(exc, anthropic.APIConnectionError):
        return make_failure(FailureKind.UNREACHABLE, settings, detail=settings.base_url or "")
    return make_failure(FailureKind.UNEXPECTED, settings, detail=type(exc).__name__)


def _api_message(body: Any) -> str:
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])[:300]
    return ""


def _retry_after_seconds(headers: Any) -> float | None:
    try:
        value = headers.get("retry-after")
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None

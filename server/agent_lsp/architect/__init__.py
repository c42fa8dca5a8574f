"""Running an agent on a file through the Anthropic Messages API, without any LSP in sight.

Importing this package must stay cheap: the `anthropic` SDK is imported only when the
first run starts (see `stream.py`).
"""

from agent_lsp.architect.agents import SHIPPED_AGENT, agent_from_text, discover_agents, load_agent, shipped_agent
from agent_lsp.architect.answer import (
    AnswerHeader,
    DocumentEnd,
    answer_file_name,
    incomplete_note,
    render_answer,
    render_header,
    write_answer,
)
from agent_lsp.architect.failures import Failure, FailureKind, redact
from agent_lsp.architect.guards import BreakerState, CircuitBreaker, RateLimiter, RunRegistry
from agent_lsp.architect.prompt import AgentSpec, ApiRequest, AskInput, Selection, build_request
from agent_lsp.architect.service import ArchitectService, AskResult, StreamStart
from agent_lsp.architect.settings import ArchitectSettings, Secret, answers_folder, load_settings, resolve_model

__all__ = [
    "SHIPPED_AGENT",
    "AgentSpec",
    "AnswerHeader",
    "ApiRequest",
    "ArchitectService",
    "ArchitectSettings",
    "AskInput",
    "AskResult",
    "BreakerState",
    "CircuitBreaker",
    "DocumentEnd",
    "Failure",
    "FailureKind",
    "RateLimiter",
    "RunRegistry",
    "Secret",
    "Selection",
    "StreamStart",
    "agent_from_text",
    "answer_file_name",
    "answers_folder",
    "build_request",
    "discover_agents",
    "incomplete_note",
    "load_agent",
    "load_settings",
    "redact",
    "render_answer",
    "render_header",
    "resolve_model",
    "shipped_agent",
    "write_answer",
]

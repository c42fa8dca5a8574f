"""The architect action through the real server over stdio, against the fake API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.protocol import JsonRPCResponseMessage
from pygls.uris import to_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

from agent_lsp.architect.settings import DEFAULT_MODELS
from agent_lsp.syntax.text import LineIndex, PositionMapper
from fake_anthropic import FakeAnthropic, Scenario

pytestmark = pytest.mark.e2e

SERVER = [sys.executable, "-m", "agent_lsp"]
KEY = "sk-ant-e2e-SECRET-9876543210fedcba"
AGENT_BODY = "You are the test reviewer.\nAlways answer in one paragraph.\n"
AGENT = f"---\nname: tester\ndescription: Reviews code for tests\nmodel: haiku\n---\n{AGENT_BODY}"
BROKEN_AGENT = "---\nname: broken\n---\nNo description, so Claude Code would not load it.\n"
SOURCE = "def handler(event):\n    return {'status': 200}\n\n\ndef other():\n    pass\n"


class Session:
    """A started server, its client, and what the client received."""

    def __init__(self, client: LanguageClient, workspace: Path, fake: FakeAnthropic) -> None:
        self.client = client
        self.workspace = workspace
        self.fake = fake
        self.edits: list[types.ApplyWorkspaceEditParams] = []
        self.stopped = False
        # The client's view of the documents the server created, applied like an editor does
        # (UTF-16 positions); every text inserted, with when it arrived; what looked wrong.
        self.documents: dict[str, str] = {}
        self.inserts: list[tuple[str, str, float]] = []
        self.problems: list[str] = []
        self.accept_edits: int | None = None  # how many edits to accept before refusing; None: all
        self.proposals: list[types.ApplyWorkspaceEditParams] = []  # edits of workspace files an agent proposed
        self.accept_proposals = True  # what the user answers in the refactor preview

    def apply(self, params: types.ApplyWorkspaceEditParams) -> bool:
        """Apply an edit to our model of the client's documents; False refuses it."""
        if (params.label or "").startswith("Edits proposed by"):
            return self.review(params)
        self.edits.append(params)
        if self.accept_edits is not None and len(self.edits) > self.accept_edits:
            return False
        for change in params.edit.document_changes or []:
            if isinstance(change, types.CreateFile):
                if change.uri in self.documents or not (change.options and change.options.overwrite is False):
                    self.problems.append(f"create over an existing document: {change.uri}")
                self.documents[change.uri] = ""
            elif isinstance(change, types.TextDocumentEdit):
                uri = change.text_document.uri
                if uri not in self.documents:
                    self.problems.append(f"edit of a document the server did not create: {uri}")
                    continue
                for edit in change.edits:
                    assert isinstance(edit, types.TextEdit)
                    text = self.documents[uri]
                    end = PositionMapper(LineIndex(text), "utf-16").position(len(text))
                    if (edit.range.start.line, edit.range.start.character) != end or edit.range.start != edit.range.end:
                        self.problems.append(f"insert at {edit.range} but the document ends at {end}")
                    self.documents[uri] = text + edit.new_text
                    self.inserts.append((uri, edit.new_text, time.monotonic()))
            else:
                self.problems.append(f"unexpected change {change!r}")
        return True

    def review(self, params: types.ApplyWorkspaceEditParams) -> bool:
        """The user's answer to an agent's proposed edits: applied to the files on disk as VS Code would, or not."""
        self.proposals.append(params)
        if not self.accept_proposals:
            return False
        for change in params.edit.document_changes or []:
            if isinstance(change, types.CreateFile):
                path = Path(to_fs_path(change.uri) or "")
                assert not path.exists()
                path.write_text("", encoding="utf-8")
            elif isinstance(change, types.TextDocumentEdit):
                path = Path(to_fs_path(change.text_document.uri) or "")
                text = path.read_text(encoding="utf-8")
                mapper = PositionMapper(LineIndex(text), "utf-16")
                for edit in reversed(change.edits):
                    assert isinstance(edit, (types.TextEdit, types.AnnotatedTextEdit))
                    start = mapper.offset(edit.range.start.line, edit.range.start.character)
                    end = mapper.offset(edit.range.end.line, edit.range.end.character)
                    text = text[:start] + edit.new_text + text[end:]
                path.write_text(text, encoding="utf-8")
        return True

    def open(self, name: str, text: str = SOURCE, language: str = "python") -> str:
        path = self.workspace / name
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language, 1, text))
        )
        return uri

    async def command(self, name: str, argument: dict[str, Any]) -> Any:
        params = types.ExecuteCommandParams(command=name, arguments=[argument])
        return await self.client.workspace_execute_command_async(params)

    async def ask(self, uri: str, **extra: Any) -> dict[str, Any]:
        return await self.command("agentLsp.askAgent", {"uri": uri, "agent": "tester", **extra})  # type: ignore[no-any-return]

    def created_text(self, index: int = -1) -> tuple[str, str]:
        """The uri and text of an answer document the server created (the last by default)."""
        assert not self.problems, self.problems
        uri = list(self.documents)[index]
        return uri, self.documents[uri]

    def header_of(self, uri: str) -> str:
        """The first insert into a document: its header."""
        return next(text for target, text, _ in self.inserts if target == uri)

    def messages(self) -> list[str]:
        return [m.message for m in self.client.messages]


def _capabilities(create_files: bool = True, annotations: bool = True) -> types.ClientCapabilities:
    operations = [types.ResourceOperationKind.Create] if create_files else []
    support = types.ChangeAnnotationsSupportOptions(groups_on_label=True) if annotations else None
    return types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            workspace_edit=types.WorkspaceEditClientCapabilities(
                document_changes=True, resource_operations=operations, change_annotation_support=support
            ),
        ),
        window=types.WindowClientCapabilities(
            work_done_progress=True, show_document=types.ShowDocumentClientCapabilities(support=True)
        ),
    )


@pytest.fixture
async def session(fake_api: FakeAnthropic, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Session]:
    """A started session; parametrize indirectly with {"create_files": False} for a client that cannot create files,
    {"agent_tools": True} for agent runs with tools (the other tests here ask the one-request way, which streams),
    {"annotations": False} for a client without change annotations."""
    create_files = getattr(request, "param", {}).get("create_files", True)
    agent_tools = getattr(request, "param", {}).get("agent_tools", False)
    annotations = getattr(request, "param", {}).get("annotations", True)
    workspace = tmp_path / "project"
    agents = workspace / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "tester.md").write_text(AGENT, encoding="utf-8")
    (agents / "broken.md").write_text(BROKEN_AGENT, encoding="utf-8")
    (tmp_path / "home").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    client = await ClientServerConfig(server_command=SERVER, server_env=env).start()
    assert isinstance(client, LanguageClient)
    state = Session(client, workspace, fake_api)

    @client.feature(types.WORKSPACE_APPLY_EDIT)  # type: ignore[untyped-decorator]
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        applied = state.apply(params)
        return types.ApplyWorkspaceEditResult(applied=applied, failure_reason=None if applied else "refused")

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)  # type: ignore[untyped-decorator]
    def register_capability(params: types.RegistrationParams) -> None:
        return None

    options = {
        "agentLsp": {
            "baseUrl": fake_api.url,
            "maxRetries": 0,
            "timeoutSeconds": 1,
            "rateLimitPerMinute": 0,
            "breakerThreshold": 50,
            "agentTools": agent_tools,
        }
    }
    await client.initialize_session(
        types.InitializeParams(
            capabilities=_capabilities(create_files, annotations),
            initialization_options=options,
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="project")],
        )
    )
    yield state
    if not state.stopped:
        await client.shutdown_session()


async def _set_key(s: Session, key: str | None = KEY) -> None:
    assert await s.command("agentLsp.setApiKey", {"apiKey": key}) == {"stored": key is not None}


def _range(a: tuple[int, int], b: tuple[int, int]) -> types.Range:
    return types.Range(types.Position(*a), types.Position(*b))


async def _actions(s: Session, uri: str, selected: types.Range) -> list[dict[str, Any]]:
    """The code actions as sent on the wire: lsprotocol would decode a CodeAction that
    carries a `command` as a bare Command in this client, losing its `kind`."""
    params = types.CodeActionParams(
        types.TextDocumentIdentifier(uri), selected, types.CodeActionContext(diagnostics=[])
    )
    msg_id = f"actions-{time.monotonic_ns()}"
    future = s.client.protocol.send_request(types.TEXT_DOCUMENT_CODE_ACTION, params, msg_id=msg_id)
    s.client.protocol._result_types[msg_id] = JsonRPCResponseMessage  # keep the result raw
    return list(await asyncio.wrap_future(future) or [])


async def test_actions_are_offered_for_valid_agents_only(session: Session) -> None:
    uri = session.open("app.py")
    actions = await _actions(session, uri, _range((1, 0), (1, 0)))
    titles = {a["title"]: a for a in actions}
    assert {"Ask backend architect", "Ask tester"} <= titles.keys()
    assert "Ask broken" not in titles
    assert {a["kind"] for a in actions} == {"source"}
    ask = titles["Ask tester"]["command"]
    assert ask["command"] == "agentLsp.askAgent"
    assert ask["arguments"] == [{"uri": uri, "agent": "tester"}]

    selected = await _actions(session, uri, _range((0, 0), (1, 10)))
    assert {a["kind"] for a in selected} == {"refactor"}
    chosen = {a["title"]: a for a in selected}["Ask tester about the selection"]
    assert chosen["command"]["arguments"][0]["range"] == {
        "start": {"line": 0, "character": 0},
        "end": {"line": 1, "character": 10},
    }

    listed = await session.command("agentLsp.listAgents", {})
    tester = next(a for a in listed if a["name"] == "tester")
    assert tester["model"] == "haiku" and tester["description"] == "Reviews code for tests"
    assert tester["path"].endswith("tester.md")
    assert all(a["name"] != "broken" for a in listed)


# Astral-plane emoji (two UTF-16 units each), CJK (one unit, three UTF-8 bytes), CRLF and lone CR
# line breaks that the chunking splits in odd places: the server's end position must follow all of it.
WIDE_ANSWER = (
    "## Review 🚀\n\nMove the status code into a constant 👍🏽.\r\n"
    + "状态码应该是常量。🎉🎉 " * 12
    + "\r\nCR-only line\rnext 𝔘𝔫𝔦𝔠𝔬𝔡𝔢\n"
    + "- item 😀 中文 — done\n" * 20
)


async def test_success_streams_progress_and_opens_the_full_answer(session: Session, tmp_path: Path) -> None:
    session.fake.answer(WIDE_ANSWER, chunks=40, delay=0.03)
    await _set_key(session)
    uri = session.open("app.py")
    result = await session.ask(uri)
    assert result["complete"] and result["error"] is None

    (request,) = session.fake.requests
    assert request.api_key == KEY
    assert request.system == AGENT_BODY.strip()
    assert request.body["model"] == DEFAULT_MODELS["haiku"]
    assert str(session.workspace / "app.py") in request.user_text and SOURCE in request.user_text

    ((_token, reports),) = session.client.progress_reports.items()
    kinds = [type(r).__name__ for r in reports]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    begin = reports[0]
    assert isinstance(begin, types.WorkDoneProgressBegin) and begin.cancellable and "WorkDoneProgressReport" in kinds
    previews = [r.message or "" for r in reports if isinstance(r, types.WorkDoneProgressReport)]
    assert any(m.startswith("Receiving (") and "characters): " in m for m in previews)

    answer_uri, text = session.created_text()
    assert answer_uri == result["uri"]
    assert answer_uri.startswith((tmp_path / "cache" / "agent-lsp").as_uri())
    header = session.header_of(answer_uri)
    # Every insert landed at the document's end (checked in UTF-16 by Session.apply), and
    # together they are exactly the header and the answer: nothing lost, doubled or moved.
    assert "".join(t for u, t, _ in session.inserts if u == answer_uri) == text == header + WIDE_ANSWER
    assert len([u for u, _, _ in session.inserts if u == answer_uri]) > 2  # streamed in batches
    assert header.startswith("# tester on app.py\n") and header.endswith("\n---\n\n")
    assert "- Agent: tester" in header and f"- Model: {DEFAULT_MODELS['haiku']}" in header
    assert "- Request id: req_fake_0001" in header and "incomplete" not in text
    assert [d.uri for d in session.client.shown_documents] == [answer_uri]
    assert session.client.shown_documents[0].take_focus
    assert (session.workspace / "app.py").read_text(encoding="utf-8") == SOURCE  # never touched


async def test_the_document_opens_and_fills_while_the_answer_is_still_streaming(session: Session) -> None:
    session.client.set_configuration({"timeoutSeconds": 30}, section="agentLsp")
    first_half = "First half 🚀 中文. "
    held_back = ("Second half, held back. " * 2)[: len(first_half)]  # the fake splits into equal halves
    session.fake.stall_mid_stream(first_half + held_back, chunks=2, after_chunks=1)
    await _set_key(session)
    pending = asyncio.ensure_future(session.ask(session.open("app.py")))
    deadline = time.monotonic() + 60  # the fake holds the rest until the cancel: no hurry (a loaded CI took 10 s)
    while not any(first_half in t for _, t, _ in session.inserts):
        assert time.monotonic() < deadline and not pending.done()
        await asyncio.sleep(0.02)
    # The fake is still holding the rest of the answer: the run has not ended, yet the
    # document exists, is open, and shows what arrived.
    assert not pending.done()
    answer_uri, text = session.created_text()
    assert text == session.header_of(answer_uri) + first_half
    assert [d.uri for d in session.client.shown_documents] == [answer_uri]
    (token,) = session.client.progress_reports
    session.client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    result = await asyncio.wait_for(pending, 5)
    assert result["cancelled"] and result["uri"] == answer_uri
    _, text = session.created_text()
    note = "\n\n---\n\n_Answer incomplete: cancelled; the text above is what arrived before the cancel._\n"
    assert text == session.header_of(answer_uri) + first_half + note
    assert len(session.documents) == 1


async def test_shutdown_while_an_answer_is_streaming_is_answered(session: Session) -> None:
    # The editor closes mid-answer: `shutdown` must succeed (pygls's own walk over the running requests
    # failed with "dictionary changed size during iteration"), and the server then exits cleanly.
    session.fake.stall_mid_stream("First half. Second half!", chunks=2, after_chunks=1)
    await _set_key(session)
    pending = asyncio.ensure_future(session.ask(session.open("app.py")))
    while not any("First half" in t for _, t, _ in session.inserts):
        assert not pending.done()
        await asyncio.sleep(0.02)
    session.stopped = True
    assert await session.client.shutdown_async(None) is None
    session.client.exit(None)
    server = session.client._server
    assert server is not None and await asyncio.wait_for(server.wait(), 30) == 0
    with contextlib.suppress(Exception):
        await pending


async def test_a_client_that_refuses_the_edit_gets_the_answer_file(session: Session, tmp_path: Path) -> None:
    session.accept_edits = 0
    session.fake.answer(WIDE_ANSWER, chunks=5)
    await _set_key(session)
    result = await session.ask(session.open("app.py"))
    assert result["complete"]
    assert session.documents == {} and len(session.edits) == 1  # one refused create, then no more edits
    path = Path(to_fs_path(result["uri"]) or "")
    assert path.is_relative_to(tmp_path / "cache" / "agent-lsp") and oct(path.stat().st_mode & 0o777) == "0o600"
    text = path.read_bytes().decode()  # no newline translation: the CRs are part of the answer
    assert text.endswith("\n---\n\n" + WIDE_ANSWER) and "- Status: complete" in text
    assert [d.uri for d in session.client.shown_documents] == [result["uri"]]


async def test_a_refused_append_falls_back_to_a_new_answer_file(session: Session) -> None:
    session.accept_edits = 1  # the create goes through, the first append does not
    session.fake.answer(WIDE_ANSWER, chunks=20, delay=0.02)
    await _set_key(session)
    result = await session.ask(session.open("app.py"))
    assert result["complete"]
    (streamed,) = session.documents
    assert result["uri"] != streamed  # the half-filled document is left alone, never overwritten
    path = Path(to_fs_path(result["uri"]) or "")
    assert path.read_bytes().decode().endswith("\n---\n\n" + WIDE_ANSWER)
    assert [d.uri for d in session.client.shown_documents] == [streamed, result["uri"]]
    assert len(session.edits) == 2  # nothing more was sent after the refusal


@pytest.mark.parametrize("session", [{"create_files": False}], indirect=True)
async def test_a_client_that_cannot_create_files_gets_the_answer_file(session: Session) -> None:
    session.fake.answer("Short answer 👍", chunks=2)
    await _set_key(session)
    result = await session.ask(session.open("app.py"))
    assert result["complete"] and session.edits == []
    path = Path(to_fs_path(result["uri"]) or "")
    assert path.read_bytes().decode().endswith("\n---\n\nShort answer 👍\n")
    assert [d.uri for d in session.client.shown_documents] == [result["uri"]]


async def test_selection_is_asked_with_the_file_as_context(session: Session) -> None:
    await _set_key(session)
    uri = session.open("app.py")
    result = await session.ask(uri, range={"start": {"line": 4, "character": 0}, "end": {"line": 5, "character": 8}})
    assert result["complete"]
    text = session.fake.requests[0].user_text
    assert "selection (lines 5-6)" in text and "The whole file, for context" in text


async def test_unsaved_text_is_sent_and_files_outside_the_workspace_are_refused(
    session: Session, tmp_path: Path
) -> None:
    await _set_key(session)
    inside = session.workspace / "draft.py"
    inside.write_text("on disk\n", encoding="utf-8")
    result = await session.ask(inside.as_uri(), text="unsaved editor text\n")
    assert result["complete"] and "unsaved editor text" in session.fake.requests[0].user_text
    assert (await session.ask(inside.as_uri()))["complete"]
    assert "on disk" in session.fake.requests[1].user_text

    outside = tmp_path / "secret.txt"
    outside.write_text("not yours\n", encoding="utf-8")
    refused = await session.ask(outside.as_uri())
    assert not refused["complete"] and "inside the workspace" in refused["message"]
    assert len(session.fake.requests) == 2


async def test_cancel_from_the_progress_keeps_what_arrived(session: Session) -> None:
    full = "".join(f"chunk{i} " for i in range(100))
    session.fake.answer(full, chunks=100, delay=0.05)
    await _set_key(session)
    uri = session.open("app.py")
    pending = asyncio.ensure_future(session.ask(uri))
    while not session.fake.chunks_sent.is_set() or not session.client.progress_reports:
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    (token,) = session.client.progress_reports
    started = time.monotonic()
    session.client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    result = await pending
    assert time.monotonic() - started < 3.0  # the rest of the stream would take about 4.5 s
    assert result["cancelled"] and not result["complete"]
    answer_uri, text = session.created_text()
    assert result["uri"] == answer_uri
    partial, note = text.removeprefix(session.header_of(answer_uri)).split("\n\n---\n\n_Answer incomplete: ")
    assert partial.startswith("chunk0 ") and "chunk99" not in partial and full.startswith(partial)
    assert note == "cancelled; the text above is what arrived before the cancel._\n"
    assert any("Cancelled" in m for m in session.messages())


async def test_cancel_request_stops_the_stream(session: Session) -> None:
    session.fake.answer("".join(f"piece{i} " for i in range(100)), chunks=100, delay=0.05)
    await _set_key(session)
    uri = session.open("app.py")
    params = types.ExecuteCommandParams(command="agentLsp.askAgent", arguments=[{"uri": uri, "agent": "tester"}])
    future = session.client.protocol.send_request(types.WORKSPACE_EXECUTE_COMMAND, params, msg_id="ask-1")
    while not session.fake.chunks_sent.is_set():
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    session.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="ask-1"))
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wrap_future(future)
    for _ in range(100):  # the closing note may land after the cancelled reply
        if session.documents and "_Answer incomplete" in session.created_text()[1]:
            break
        await asyncio.sleep(0.05)
    _, text = session.created_text()
    assert "piece0 " in text and "piece99" not in text and "_Answer incomplete: cancelled" in text


FAILURES = [
    ("401", Scenario(kind="error", status=401), "rejected the API key (401)", False),
    ("403", Scenario(kind="error", status=403), "(403)", False),
    ("404", Scenario(kind="error", status=404), f"'{DEFAULT_MODELS['haiku']}' (404)", False),
    ("413", Scenario(kind="error", status=413), "too large for the Anthropic API (413)", False),
    ("429", Scenario(kind="error", status=429, retry_after="0.01"), "rate limiting this key (429)", False),
    ("500", Scenario(kind="error", status=500), "internal error (500)", False),
    ("529", Scenario(kind="error", status=529), "overloaded (529)", False),
    ("timeout", Scenario(kind="stall"), "did not answer within 1 s", False),
    ("cut", Scenario(kind="cut", text="part one|part two", chunks=2, after_chunks=1), "broke in the middle", True),
    ("no-stop", Scenario(kind="no_stop", text="part one|part two", chunks=2, after_chunks=1), "without saying", True),
    (
        "error-event",
        Scenario(kind="stream_error", text="part one|part two", chunks=2, after_chunks=1),
        "overloaded",
        True,
    ),
]


@pytest.mark.parametrize(("scenario", "words", "partial"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
async def test_each_failure_ends_in_a_message_and_the_server_keeps_working(
    session: Session, scenario: Scenario, words: str, partial: bool
) -> None:
    await _set_key(session)
    uri = session.open("app.py")
    session.fake.then(scenario)
    result = await session.ask(uri)
    assert not result["complete"] and words in result["message"]
    assert any(words in m for m in session.messages())
    if partial:
        answer_uri, text = session.created_text()
        kind = result["error"].replace("_", " ")
        note = f"\n\n---\n\n_Answer incomplete: {kind}._\n"
        assert text == session.header_of(answer_uri) + "part one|" + note
        assert "kept and marked incomplete" in result["message"]
    after = await session.ask(uri)  # the next ask works
    assert after["complete"]


async def test_no_key_says_how_to_set_one(session: Session) -> None:
    uri = session.open("app.py")
    result = await session.ask(uri)
    assert result["error"] == "no_key" and "ANTHROPIC_API_KEY" in result["message"]
    assert session.fake.requests == [] and session.edits == []


async def test_breaker_opens_and_recovers(session: Session) -> None:
    session.client.set_configuration({"breakerThreshold": 2, "breakerCooldownSeconds": 1}, section="agentLsp")
    await _set_key(session)
    uri = session.open("app.py")
    session.fake.fail(500)
    for _ in range(2):
        assert (await session.ask(uri))["error"] == "server_error"
    fast = await session.ask(uri)
    assert fast["error"] == "breaker_open" and "failed 2 times in a row" in fast["message"]
    assert len(session.fake.requests) == 2
    await asyncio.sleep(1.1)
    session.fake.answer("back to normal")
    assert (await session.ask(uri))["complete"]


async def test_key_never_appears_in_messages_results_answers_or_logs(
    session: Session, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    await _set_key(session)
    uri = session.open("app.py")
    session.fake.required_key = "another-key"  # so the real key is rejected with a 401
    results = [await session.ask(uri)]
    session.fake.required_key = None
    for scenario in (Scenario(kind="error", status=400), Scenario(kind="cut", text="ab", chunks=2)):
        session.fake.then(scenario)
        results.append(await session.ask(uri))
    results.append(await session.ask(uri))
    assert results[0]["error"] == "key_rejected" and results[-1]["complete"]
    await session.client.shutdown_session()  # the server's stderr is complete once it exits
    session.stopped = True
    captured = capfd.readouterr()
    texts = [str(r) for r in results] + session.messages()
    texts += [t for _, t, _ in session.inserts] + list(session.documents)
    texts += [p.read_text() for p in tmp_path.rglob("*") if p.is_file()]
    texts += [captured.out, captured.err]
    assert all(KEY not in t for t in texts)
    assert all(r.api_key == KEY for r in session.fake.requests)  # it was sent, to the API only


async def test_without_an_agent_the_shipped_backend_architect_answers(session: Session) -> None:
    from agent_lsp.architect.agents import shipped_agent

    shipped = shipped_agent()
    assert shipped is not None
    await _set_key(session)
    result = await session.command("agentLsp.askAgent", {"uri": session.open("app.py")})
    assert result["complete"]
    (request,) = session.fake.requests
    assert request.system == shipped.body.strip()
    assert request.body["model"] == DEFAULT_MODELS["opus"]


def test_status_reports_the_breaker_without_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from pygls.lsp.server import LanguageServer

    from agent_lsp.architect.service import ArchitectService
    from agent_lsp.lsp.handlers.architect import ArchitectFeature
    from agent_lsp.lsp.session import Session

    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    clock = [100.0]
    session = Session(LanguageServer("status-test", "0"))
    session.apply_initial_settings({"breakerCooldownSeconds": 30})
    feature = ArchitectFeature(session, ArchitectService(clock=lambda: clock[0]))
    assert feature.status() == {
        "breaker": "closed",
        "consecutiveFailures": 0,
        "breakerRetryInSeconds": None,
        "running": 0,
        "lastFailure": None,
        "apiKeySource": "none",
    }
    for _ in range(3):
        feature.service.breaker.record_failure(threshold=3)
    clock[0] += 10
    feature.set_api_key(KEY)
    status = feature.status()
    assert status["breaker"] == "open" and status["consecutiveFailures"] == 3
    assert status["breakerRetryInSeconds"] == pytest.approx(20) and status["apiKeySource"] == "client"
    assert KEY not in str(status)
    clock[0] += 20
    assert feature.status()["breaker"] == "half_open"


class _RecordingFeature:
    """Stands in for ArchitectFeature under an AnswerStream: records edits, accepts them all."""

    def __init__(self) -> None:
        self.appends: list[tuple[types.Position, str, float]] = []
        self.created: list[str] = []

    async def _create_with_edit(self, uri: str, content: str) -> bool:
        self.created.append(content)
        return True

    async def _show_document(self, uri: str) -> None:
        return None

    async def _apply_edit(self, edit: types.WorkspaceEdit) -> bool:
        (change,) = edit.document_changes or []
        assert isinstance(change, types.TextDocumentEdit)
        (text_edit,) = change.edits
        assert isinstance(text_edit, types.TextEdit)
        self.appends.append((text_edit.range.start, text_edit.new_text, time.monotonic()))
        await asyncio.sleep(0.005)  # a client round trip
        return True


def _stream(tmp_path: Path) -> tuple[Any, _RecordingFeature]:
    from agent_lsp.lsp.handlers.architect import AnswerStream

    feature = _RecordingFeature()
    return AnswerStream(feature, "file:///answers/a.md", tmp_path, "# h\n\n", "utf-16"), feature  # type: ignore[arg-type]


async def test_a_fast_stream_is_batched_by_size_and_a_slow_one_by_time(tmp_path: Path) -> None:
    from agent_lsp.lsp.handlers.architect import FLUSH_CHARS, FLUSH_SECONDS

    stream, feature = _stream(tmp_path)
    started = time.monotonic()
    for _ in range(300):  # 3,000 characters at once: over the size limit, so no waiting for the timer
        stream.feed("0123456789")
    await asyncio.sleep(0.05)
    assert feature.appends and feature.appends[0][2] - started < FLUSH_SECONDS
    assert len(feature.appends[0][1]) >= FLUSH_CHARS
    for _ in range(25):  # then a trickle: a piece every 20 ms
        stream.feed("ab😀\n")
        await asyncio.sleep(0.02)
    assert await stream.finish("\n_Answer incomplete: test._\n")
    texts = [t for _, t, _ in feature.appends]
    assert "".join(texts) == "0123456789" * 300 + "ab😀\n" * 25 + "\n_Answer incomplete: test._\n"
    assert 3 <= len(texts) <= 12  # ~0.5 s of trickle in 150 ms batches, not 25 edits
    assert feature.created == ["# h\n\n"]
    assert [start for start, _, _ in feature.appends][-1] == types.Position(line=27, character=0)


# ---- agent runs: the agent's tools in a loop --------------------------------------------------------------

AGENT_RUN = {"agent_tools": True}
MODELS_PY = "class Payment:\n    amount: int\n"


def _agent_run_files(s: Session) -> tuple[Path, str]:
    (s.workspace / "models.py").write_text(MODELS_PY, encoding="utf-8")
    return s.workspace / "models.py", s.open("app.py")


def _edit_turns(models: Path, new_file: Path) -> list[Scenario]:
    from fake_anthropic import tool_turn

    return [
        tool_turn(("Read", {"file_path": str(models)}), ("Grep", {"pattern": "status"}), text="Reading first."),
        tool_turn(
            ("Edit", {"file_path": str(models), "old_string": "amount: int", "new_string": "amount_cents: int"}),
            ("Write", {"file_path": str(new_file), "content": "STATUS_OK = 200\n"}),
            ("Bash", {"command": "pytest"}),
        ),
        Scenario(text="Store cents, and name the status code."),
    ]


@pytest.mark.parametrize("session", [AGENT_RUN], indirect=True)
async def test_an_agent_run_reports_tools_writes_the_answer_and_applies_accepted_edits(session: Session) -> None:
    models, uri = _agent_run_files(session)
    new_file = session.workspace / "constants.py"
    session.fake.then(*_edit_turns(models, new_file))
    await _set_key(session)
    result = await session.ask(uri)
    assert result["complete"] and result["error"] is None, result
    assert [c["summary"] for c in result["toolCalls"]] == [
        "Read models.py",
        "Grep 'status' in the workspace: 1 match",
        "Edit models.py (proposed)",
        "Write constants.py (new file, proposed)",
        "Bash: not run in the editor",
    ]
    # Progress named each tool call as it happened.
    ((_token, reports),) = session.client.progress_reports.items()
    messages = [r.message for r in reports if isinstance(r, types.WorkDoneProgressReport)]
    assert {"Read models.py", "Edit models.py (proposed)", "Bash: not run in the editor"} <= set(messages)
    # The answer document: the answer first, then the calls, the diff, what was not run; the cost in the header.
    _answer_uri, text = session.created_text()
    head, body = text.split("\n---\n\n", 1)
    assert "- Cost: 30 input and " in head and "over 3 API calls" in head
    assert f"- Conversation: {result['conversation']}" in head
    assert body.startswith("Store cents, and name the status code.\n")
    assert body.index("## Tool calls") < body.index("## Proposed edits") < body.index("## Not run")
    assert "-    amount: int\n+    amount_cents: int\n" in body and "+STATUS_OK = 200\n" in body
    assert "- Bash: not run in the editor" in body and "Reading first." in body
    # One workspace/applyEdit for all the proposals, each change annotated for confirmation; accepted, it writes
    # exactly the proposal.
    (proposal,) = session.proposals
    annotations = proposal.edit.change_annotations or {}
    assert [a.needs_confirmation for a in annotations.values()] == [True]
    assert models.read_text(encoding="utf-8") == "class Payment:\n    amount_cents: int\n"
    assert new_file.read_text(encoding="utf-8") == "STATUS_OK = 200\n"
    assert result["edits"] == {"files": 2, "refused": [], "applied": True}


@pytest.mark.parametrize("session", [AGENT_RUN], indirect=True)
async def test_declined_edits_leave_every_file_as_it_was(session: Session) -> None:
    models, uri = _agent_run_files(session)
    new_file = session.workspace / "constants.py"
    session.fake.then(*_edit_turns(models, new_file))
    session.accept_proposals = False
    await _set_key(session)
    result = await session.ask(uri)
    assert len(session.proposals) == 1 and result["edits"]["applied"] is False
    assert models.read_text(encoding="utf-8") == MODELS_PY and not new_file.exists()
    assert (session.workspace / "app.py").read_text(encoding="utf-8") == SOURCE


@pytest.mark.parametrize("session", [{**AGENT_RUN, "annotations": False}], indirect=True)
async def test_a_client_without_annotations_is_asked_first(session: Session) -> None:
    models, uri = _agent_run_files(session)
    new_file = session.workspace / "constants.py"
    session.fake.then(*_edit_turns(models, new_file))
    asked: list[str] = []

    @session.client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)  # type: ignore[untyped-decorator]
    def question(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
        asked.append(params.message)
        return next(a for a in params.actions or [] if a.title == "Discard")

    await _set_key(session)
    result = await session.ask(uri)
    assert asked == ["Apply 2 edits to 2 files from tester?"]
    assert session.proposals == [] and result["edits"]["applied"] is False  # declined: no edit was even sent
    assert models.read_text(encoding="utf-8") == MODELS_PY and not new_file.exists()


@pytest.mark.parametrize("session", [AGENT_RUN], indirect=True)
async def test_a_file_changed_since_the_agent_read_it_is_not_offered(session: Session) -> None:
    from fake_anthropic import tool_turn

    models, uri = _agent_run_files(session)
    session.fake.then(
        tool_turn(("Read", {"file_path": str(models)})),
        tool_turn(("Edit", {"file_path": str(models), "old_string": "amount", "new_string": "cents"})),
        Scenario(text="Done.", delay=0.0),
    )
    original_next = session.fake._next

    def change_on_third(request: Any) -> Any:  # the user edits the file while the agent works
        if len(session.fake.requests) == 2:
            models.write_text(MODELS_PY + "# mine\n", encoding="utf-8")
        return original_next(request)

    session.fake._next = change_on_third  # type: ignore[method-assign]
    await _set_key(session)
    result = await session.ask(uri)
    assert result["edits"] == {"files": 0, "refused": ["models.py: the file changed since the agent read it"],
                               "applied": None}  # fmt: skip
    assert session.proposals == [] and models.read_text(encoding="utf-8") == MODELS_PY + "# mine\n"
    _uri, text = session.created_text()
    assert "- Edit not offered: models.py: the file changed since the agent read it" in text


@pytest.mark.parametrize("session", [AGENT_RUN], indirect=True)
async def test_ask_a_follow_up_continues_the_conversation(session: Session) -> None:
    _models, uri = _agent_run_files(session)
    session.fake.then(Scenario(text="First answer."), Scenario(text="Second answer."))
    await _set_key(session)
    first = await session.ask(uri)
    answer_uri = first["uri"]
    session.client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(answer_uri, "markdown", 1, session.documents[answer_uri])
        )
    )
    actions = await _actions(session, answer_uri, _range((0, 0), (0, 0)))
    follow = next(a for a in actions if a["title"] == "Ask a follow-up")
    assert follow["command"] == {
        "title": "Ask a follow-up",
        "command": "agentLsp.askFollowUp",
        "arguments": [{"uri": answer_uri, "conversation": first["conversation"]}],
    }
    second = await session.command(
        "agentLsp.askAgent", {"uri": answer_uri, "conversation": first["conversation"], "question": "And then?"}
    )
    assert second["complete"] and second["conversation"] == first["conversation"]
    roles = [(m["role"], m["content"][-1].get("text")) for m in session.fake.requests[1].messages]
    assert roles[1:] == [("assistant", "First answer."), ("user", "And then?")]
    _uri, text = session.created_text()
    assert "\n---\n\nSecond answer.\n" in text


@pytest.mark.parametrize("session", [AGENT_RUN], indirect=True)
async def test_cancel_during_an_agent_run_keeps_what_arrived(session: Session) -> None:
    from fake_anthropic import tool_turn

    _models, uri = _agent_run_files(session)
    session.client.set_configuration({"timeoutSeconds": 30}, section="agentLsp")
    session.fake.then(
        tool_turn(("Glob", {"pattern": "*.py"}), text="Listing the files."),
        Scenario(text="A long answer that never finishes. " * 20, chunks=40, delay=0.2),
    )
    await _set_key(session)
    ask = asyncio.ensure_future(session.ask(uri))
    while len(session.fake.requests) < 2 or not session.client.progress_reports:
        await asyncio.sleep(0.02)
    (token,) = session.client.progress_reports
    session.client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    result = await asyncio.wait_for(ask, 10)
    assert result["cancelled"] and not result["complete"]
    assert [c["summary"] for c in result["toolCalls"]] == ["Glob '*.py': 2 files"]
    _uri, text = session.created_text()
    assert "Listing the files." in text and "1. Glob '*.py': 2 files" in text
    assert "cancelled" in text.split("\n---\n\n", 1)[0]
    assert len(session.fake.requests) == 2


@pytest.mark.parametrize("session", [AGENT_RUN], indirect=True)
async def test_an_agent_run_without_a_key_writes_no_document(session: Session) -> None:
    _models, uri = _agent_run_files(session)
    result = await session.ask(uri)
    assert result["error"] == "no_key" and result["uri"] is None
    assert session.documents == {} and session.fake.requests == []

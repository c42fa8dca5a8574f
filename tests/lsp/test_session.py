"""The typed session: the one place handlers share state through, and the one place for settings,
the position encoding, the workspace roots and the configuration pull.

The first tests read lsp/'s source: nothing reaches into the server with getattr/setattr/hasattr
outside session.py, and no handler or helper takes the server as `Any` (mypy could not check
the seam then). The others drive a real server, in process, through pygls's protocol.
"""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from agent_lsp.logsetup import redact
from agent_lsp.lsp import protocol as lsp_protocol
from agent_lsp.lsp.server import AgentLanguageServer, create_server

LSP = Path(__file__).resolve().parents[2] / "server" / "agent_lsp" / "lsp"
SERVER_NAMES = {"ls", "server", "_server"}  # how lsp/ names the server, bare or as an attribute
REFLECTION = {"getattr", "setattr", "hasattr"}


# ---- the source --------------------------------------------------------------------------------


def _is_server(node: ast.expr, in_server_class: bool) -> bool:
    """`ls`, `server`, `x.server`, `self._server`; `self` inside a class that is a server."""
    if isinstance(node, ast.Name):
        return node.id in SERVER_NAMES or (node.id == "self" and in_server_class)
    return isinstance(node, ast.Attribute) and node.attr in SERVER_NAMES


def _is_any(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return True  # unannotated is untyped too
    text = ast.unparse(annotation).strip("'\"")
    return text in {"Any", "typing.Any", "object"}


def _offences(source: str, where: str) -> list[str]:
    found: list[str] = []

    def visit(node: ast.AST, in_server_class: bool) -> None:
        if isinstance(node, ast.ClassDef):
            in_server_class = node.name.endswith("Server")
        call = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in REFLECTION
        if call and node.args and _is_server(node.args[0], in_server_class):
            found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                if arg.arg in {"ls", "server", "session"} and _is_any(arg.annotation):
                    found.append(f"{where}:{node.lineno}: {node.name}({arg.arg}: {ast.unparse(arg.annotation or arg)})")
        for child in ast.iter_child_nodes(node):
            visit(child, in_server_class)

    visit(ast.parse(source), False)
    return found


def _lsp_offences() -> list[str]:
    found: list[str] = []
    for path in sorted(LSP.rglob("*.py")):
        if path.name == "session.py" and path.parent == LSP:
            continue  # the session's own definition may look at its attributes
        found += _offences(path.read_text(encoding="utf-8"), str(path.relative_to(LSP)))
    return found


def test_nothing_in_lsp_reaches_into_the_server_by_name_or_takes_it_untyped() -> None:
    assert _lsp_offences() == []


@pytest.mark.parametrize(
    "source",
    [
        "def f(ls):\n    return getattr(ls, 'settings', None)\n",
        "def f(server):\n    setattr(server, 'extra_findings', [])\n",
        "def f(x):\n    return hasattr(x.server, 'settings')\n",
        "class P:\n    def f(self):\n        return getattr(self._server, 'health', None)\n",
        "class AgentLanguageServer:\n    def f(self):\n        return getattr(self, 'extra_findings', ())\n",
        "def f(x):\n    return getattr(getattr(x.server, 'settings', None), 'raw', None)\n",
        "from typing import Any\ndef f(ls: Any, params: int) -> None: ...\n",
        "from typing import Any\nasync def f(server: 'Any') -> None: ...\n",
        "def f(session) -> None: ...\n",
    ],
)
def test_the_source_check_catches(source: str) -> None:
    assert _offences(source, "sample.py")


def test_the_source_check_leaves_other_objects_alone() -> None:
    source = "def f(ls: Server, message: Any):\n    return getattr(message, 'method', None)\n"
    assert _offences(source, "sample.py") == []


def test_set_api_key_is_one_constant() -> None:
    names = [
        f"{path.relative_to(LSP)}:{node.lineno}"
        for path in sorted(LSP.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value == "agentLsp.setApiKey"
    ]
    assert len(names) == 1 and names[0].startswith("protocol.py:"), names


# ---- a server in process -------------------------------------------------------------------------


class Client:
    """Hands messages to a real server's protocol and reads what it writes back."""

    def __init__(self) -> None:
        self.server = create_server()
        self.sent: list[dict[str, Any]] = []
        self.server.protocol.set_writer(self)
        self._next_id = 0

    # the writer pygls writes to
    def write(self, data: bytes) -> None:
        self.sent.append(json.loads(data.split(b"\r\n\r\n", 1)[1]))

    def close(self) -> None:
        pass

    def send(self, message: dict[str, Any]) -> None:
        protocol = self.server.protocol
        protocol.handle_message(json.loads(json.dumps(message), object_hook=protocol.structure_message))

    def request(self, method: str, params: Any) -> Any:
        self._next_id += 1
        self.send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        (reply,) = [m for m in self.sent if m.get("id") == self._next_id and "method" not in m]
        assert "error" not in reply, reply
        return reply["result"]

    def initialize(self, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.request(
            "initialize", {"processId": None, "rootUri": None, "capabilities": {}, **params}
        )
        return result

    def requests_from_server(self, method: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m.get("method") == method and "id" in m]


async def _turns(condition: Any, limit: int = 200) -> None:
    for _ in range(limit):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("timed out")


def test_before_initialize_the_client_supports_nothing() -> None:
    session = AgentLanguageServer().session
    assert not session.client_pulls_diagnostics  # a typed answer, no AttributeError to catch
    assert not session.client_answers_configuration


async def test_settings_come_from_initialization_options_then_configuration_key_by_key() -> None:
    client = Client()
    session = client.server.session
    client.initialize(
        capabilities={"workspace": {"configuration": True}},
        initializationOptions={"agentLsp": {"agentGlobs": ["prompts/*.md"], "renameFiles": False}},
    )
    assert session.settings.agent_globs == ("prompts/*.md",)
    assert not session.settings.rename_files
    assert session.initial_settings == {"agentGlobs": ["prompts/*.md"], "renameFiles": False}

    session.pull_settings()
    await _turns(lambda: client.requests_from_server("workspace/configuration"))
    (asked,) = client.requests_from_server("workspace/configuration")
    assert asked["params"] == {"items": [{"section": "agentLsp"}]}
    client.send({"jsonrpc": "2.0", "id": asked["id"], "result": [{"agentGlobs": ["other/*.md"]}]})
    await _turns(lambda: session.settings.agent_globs == ("other/*.md",))
    assert not session.settings.rename_files  # a key the answer did not name keeps its first value
    assert session.initial_settings["agentGlobs"] == ["prompts/*.md"]  # the base later answers update


async def test_the_configuration_pull_takes_a_scope_and_gives_up_after_its_timeout() -> None:
    client = Client()
    client.initialize(capabilities={"workspace": {"configuration": True}})
    pulled = await client.server.session.pull_configuration("file:///p/a.md", timeout=0.05)
    assert pulled is None  # nobody answered
    (asked,) = client.requests_from_server("workspace/configuration")
    assert asked["params"] == {"items": [{"section": "agentLsp", "scopeUri": "file:///p/a.md"}]}


async def test_without_the_capability_nothing_is_pulled() -> None:
    client = Client()
    client.initialize()
    assert await client.server.session.pull_configuration() is None
    client.server.session.pull_settings()
    await asyncio.sleep(0.02)
    assert client.requests_from_server("workspace/configuration") == []


@pytest.mark.parametrize(
    ("offered", "expected"),
    [(None, "utf-16"), (["utf-16"], "utf-16"), (["utf-8", "utf-16"], "utf-8"), (["utf-32", "utf-16"], "utf-32")],
)
def test_the_encoding_is_the_one_agreed_at_initialize(offered: list[str] | None, expected: str) -> None:
    client = Client()
    general = {"general": {"positionEncodings": offered}} if offered is not None else {}
    result = client.initialize(capabilities=general)
    session = client.server.session
    assert session.encoding == expected
    assert result["capabilities"].get("positionEncoding", "utf-16") == expected  # what the client was told


def test_roots_come_from_the_workspace_folders(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    client = Client()
    client.initialize(
        rootUri=(tmp_path / "ignored").as_uri(),
        workspaceFolders=[{"uri": one.as_uri(), "name": "one"}, {"uri": two.as_uri(), "name": "two"}],
    )
    session = client.server.session
    assert session.workspace_roots() == (str(one), str(two))
    assert session.architect.workspace_roots() == [one, two]  # the architect asks the same place


def test_roots_come_from_the_root_uri_without_folders(tmp_path: Path) -> None:
    client = Client()
    client.initialize(rootUri=tmp_path.as_uri())
    assert client.server.session.workspace_roots() == (str(tmp_path),)
    empty = Client()
    empty.initialize()
    assert empty.server.session.workspace_roots() == ()


def test_set_api_key_is_served_and_redacted_under_one_name() -> None:
    key = "sk-ant-session-test-0123456789"
    client = Client()
    result = client.initialize()
    commands = result["capabilities"]["executeCommandProvider"]["commands"]
    assert commands.count(lsp_protocol.SET_KEY_COMMAND) == 1
    stored = client.request(
        "workspace/executeCommand", {"command": lsp_protocol.SET_KEY_COMMAND, "arguments": [{"apiKey": key}]}
    )
    assert stored == {"stored": True}
    assert client.server.session.architect.status()["apiKeySource"] == "client"
    assert key not in redact(f"the key is {key}")  # the protocol remembered it for the log redactor


def test_every_client_message_restarts_the_quiet_wait_of_the_servers_own_work() -> None:
    """The warm-up and the index's adoption wait until the client has been quiet for `QUIET`
    (`Session.until_quiet`): every message the client sends counts, a notification as much as a request."""
    import time

    server = create_server()
    protocol = server.protocol
    assert isinstance(protocol, lsp_protocol.AgentProtocol)
    protocol.last_message = time.perf_counter() - 10 * lsp_protocol.QUIET
    assert server.session.until_quiet() == 0.0  # quiet long enough
    before = time.perf_counter()
    message = {"jsonrpc": "2.0", "method": "$/setTrace", "params": {"value": "off"}}
    protocol.handle_message(json.loads(json.dumps(message), object_hook=protocol.structure_message))
    assert protocol.last_message >= before
    protocol.last_message = time.perf_counter() + 60  # (as if it had just arrived, on a clock that stood still)
    assert lsp_protocol.QUIET < server.session.until_quiet() <= 60 + lsp_protocol.QUIET

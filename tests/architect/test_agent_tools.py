"""The tools an agent run uses in the editor (`architect.tools`), on real files in a temporary workspace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent_lsp.architect.tools import GLOB_LIMIT, Workspace, offered_tools, tool_definitions


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "server" / "payments").mkdir(parents=True)
    (root / "server" / "payments" / "models.py").write_text(
        "class Payment:\n    amount: int\n\n\ndef total(items):\n    return sum(i.amount for i in items)\n"
    )
    (root / "server" / "payments" / "handler.py").write_text(
        "from .models import Payment\n\nQUERY = 'SELECT * FROM payments'\n\ndef pay(p: Payment):\n"
        "    run('SELECT id FROM payments WHERE id = 1')\n"
    )
    (root / "README.md").write_text("# Shop\nselect nothing here\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("SELECT in git metadata is never searched\n")
    return root


def run(ws: Workspace, name: str, **args: object) -> tuple[str, bool, str]:
    outcome = ws.run(name, dict(args))
    return outcome.text, outcome.is_error, outcome.summary


def test_read_numbers_lines_and_windows(project: Path) -> None:
    ws = Workspace([str(project)])
    path = project / "server" / "payments" / "models.py"
    text, error, summary = run(ws, "Read", file_path=str(path))
    assert not error
    assert text.splitlines()[0] == "     1\tclass Payment:"
    assert text.splitlines()[5] == "     6\t    return sum(i.amount for i in items)"
    assert summary == "Read server/payments/models.py"
    window, _, summary = run(ws, "Read", file_path=str(path), offset=5, limit=1)
    assert window.splitlines()[0] == "     5\tdef total(items):"
    assert "1 more lines; read on with offset=6" in window
    assert summary == "Read server/payments/models.py (lines 5-5)"
    # A relative path is taken from the first workspace folder, as from Claude Code's working directory.
    relative, error, _ = run(ws, "Read", file_path="README.md")
    assert not error and relative.splitlines() == ["     1\t# Shop", "     2\tselect nothing here"]


def test_read_refuses_missing_folders_and_big_files(project: Path) -> None:
    ws = Workspace([str(project)])
    text, error, _ = run(ws, "Read", file_path=str(project / "nope.py"))
    assert error and "does not exist" in text
    text, error, _ = run(ws, "Read", file_path=str(project / "server"))
    assert error and "folder" in text
    (project / "big.txt").write_text("x" * 100 + "\n" * 3000)
    big = "line\n" * 60_000
    (project / "big.txt").write_text(big)
    text, error, _ = run(ws, "Read", file_path=str(project / "big.txt"))
    assert error and "offset and limit" in text
    text, error, _ = run(ws, "Read", file_path=str(project / "big.txt"), offset=10, limit=2)
    assert not error and text.startswith("    10\tline\n    11\tline")


def test_grep_output_modes(project: Path) -> None:
    ws = Workspace([str(project)])
    handler = str(project / "server" / "payments" / "handler.py")
    text, error, summary = run(ws, "Grep", pattern="SELECT")
    assert not error
    assert text == f"Found 1 file\n{handler}"  # .git is not searched; README's lower-case select does not match
    assert summary == "Grep 'SELECT' in the workspace: 2 matches"
    text, _, _ = run(ws, "Grep", pattern="SELECT", output_mode="content")
    assert text.splitlines() == [
        f"{handler}:3:QUERY = 'SELECT * FROM payments'",
        f"{handler}:6:    run('SELECT id FROM payments WHERE id = 1')",
    ]
    text, _, _ = run(ws, "Grep", pattern="select", output_mode="count", **{"-i": True})
    readme = str(project / "README.md")
    assert text.splitlines()[:2] == [f"{readme}:1", f"{handler}:2"]
    assert text.endswith("Found 3 total occurrences across 2 files.")
    text, _, _ = run(ws, "Grep", pattern="def pay", output_mode="content", **{"-B": 1, "-n": True})
    assert text.splitlines() == [f"{handler}-4-", f"{handler}:5:def pay(p: Payment):"]
    text, _, summary = run(ws, "Grep", pattern="Payment", path="server", glob="*.{py,pyi}", head_limit=1)
    assert text.splitlines()[:2] == ["Found 2 files", handler] and "showing 1 of 2" in text
    assert summary == "Grep 'Payment' in server: 3 matches"
    text, _, _ = run(ws, "Grep", pattern="Payment", type="md")
    assert text == "No files found"
    text, error, _ = run(ws, "Grep", pattern="(unclosed")
    assert error and "Invalid regular expression" in text


def test_glob_sorted_and_capped(project: Path) -> None:
    ws = Workspace([str(project)])
    text, error, summary = run(ws, "Glob", pattern="**/*.py")
    payments = project / "server" / "payments"
    assert not error and text.splitlines() == [str(payments / "handler.py"), str(payments / "models.py")]
    assert summary == "Glob '**/*.py': 2 files"
    many = project / "many"
    many.mkdir()
    for i in range(GLOB_LIMIT + 5):
        (many / f"f{i:03d}.txt").write_text("")
    text, _, summary = run(ws, "Glob", pattern="*.txt", path="many")
    lines = text.splitlines()
    assert lines[:GLOB_LIMIT] == sorted(str(many / f"f{i:03d}.txt") for i in range(GLOB_LIMIT))
    assert lines[-1].startswith("[5 more paths not shown")
    assert summary == f"Glob '*.txt': {GLOB_LIMIT + 5} files"


def test_outside_the_workspace_and_links_out_read_nothing(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT\n")
    os.symlink(secret, project / "innocent.txt")
    os.symlink(tmp_path, project / "outside-folder")
    ws = Workspace([str(project)])
    for name, args in [
        ("Read", {"file_path": str(secret)}),
        ("Read", {"file_path": str(project / "innocent.txt")}),
        ("Read", {"file_path": str(project / ".." / "secret.txt")}),
        ("Grep", {"pattern": "TOP", "path": str(tmp_path)}),
        ("Grep", {"pattern": "TOP", "path": str(project / "innocent.txt")}),
        ("Glob", {"pattern": "*", "path": str(tmp_path)}),
        ("Edit", {"file_path": str(project / "innocent.txt"), "old_string": "TOP", "new_string": "x"}),
        ("Write", {"file_path": str(tmp_path / "new.txt"), "content": "x"}),
    ]:
        text, error, _ = run(ws, name, **args)
        assert error, (name, args)
        assert "outside the workspace" in text and "TOP-SECRET" not in text
    # A search of the whole workspace passes the link by (the folder link is not followed, the file link is out).
    text, error, _ = run(ws, "Grep", pattern="TOP-SECRET", output_mode="content")
    assert not error and text == "No matches found"
    assert ws.proposals() == []


def test_edit_then_read_sees_the_overlay_and_disk_is_untouched(project: Path) -> None:
    ws = Workspace([str(project)])
    models = project / "server" / "payments" / "models.py"
    before = models.read_text()
    text, error, _ = run(ws, "Edit", file_path=str(models), old_string="amount: int", new_string="amount_cents: int")
    assert error and "Read it before editing" in text
    run(ws, "Read", file_path=str(models))
    text, error, summary = run(
        ws, "Edit", file_path=str(models), old_string="amount: int", new_string="amount_cents: int"
    )
    assert not error and summary == "Edit server/payments/models.py (proposed)"
    text, _, _ = run(ws, "Read", file_path=str(models), limit=2)
    assert text.splitlines()[1] == "     2\t    amount_cents: int"
    text, _, _ = run(ws, "Grep", pattern="amount_cents", output_mode="count")
    assert text.startswith(f"{models}:1")
    text, error, _ = run(ws, "Edit", file_path=str(models), old_string="i", new_string="j")
    assert error and "occurs" in text
    text, error, _ = run(ws, "Edit", file_path=str(models), old_string="absent", new_string="j")
    assert error and "not found" in text
    new_file = project / "server" / "payments" / "refunds.py"
    text, error, summary = run(ws, "Write", file_path=str(new_file), content="def refund():\n    pass\n")
    assert not error and summary == "Write server/payments/refunds.py (new file, proposed)"
    text, _, _ = run(ws, "Glob", pattern="**/refunds.py")
    assert text == str(new_file)
    text, error, _ = run(ws, "Write", file_path=str(project / "README.md"), content="gone")
    assert error and "Read it before writing" in text
    assert models.read_text() == before and not new_file.exists()
    proposals = {p.path: p for p in ws.proposals()}
    assert set(proposals) == {str(models), str(new_file)}
    assert proposals[str(models)].base == before
    assert proposals[str(models)].text == before.replace("amount: int", "amount_cents: int")
    assert proposals[str(new_file)].base is None
    assert all(ws.refusal(p) is None for p in proposals.values())
    models.write_text(before + "# changed by someone else\n")
    assert ws.refusal(proposals[str(models)]) == "the file changed since the agent read it"
    new_file.write_text("")
    assert ws.refusal(proposals[str(new_file)]) == "the file was created meanwhile"


def test_other_tools_are_not_run(project: Path) -> None:
    ws = Workspace([str(project)])
    marker = project / "ran"
    for name in ("Bash", "WebFetch", "WebSearch", "Agent", "Skill", "mcp__github__create_issue", "Teleport"):
        text, error, summary = run(ws, name, command=f"touch {marker}", url="https://example.com")
        assert error and f"does not run the {name} tool" in text
        assert summary == f"{name}: not run in the editor"
    assert not marker.exists()


def test_offered_tools_and_schemas() -> None:
    # Without Bash the editor offers what it runs; with Bash (which it does not run), Grep and Glob in its place.
    assert offered_tools(["Read", "Edit", "Write", "WebFetch"]) == ["Read", "Edit", "Write"]
    assert offered_tools(["Bash", "Read", "Edit", "Write", "Agent", "Skill"]) == [
        "Read",
        "Grep",
        "Glob",
        "Edit",
        "Write",
    ]
    schemas = {t["name"]: t["input_schema"] for t in tool_definitions(["Read", "Grep", "Glob", "Edit", "Write"])}
    assert schemas["Read"]["required"] == ["file_path"]
    assert {"file_path", "offset", "limit"} <= set(schemas["Read"]["properties"])
    assert {"pattern", "path", "glob", "output_mode", "-A", "-B", "-C", "-i", "-n", "type", "head_limit",
            "multiline"} <= set(schemas["Grep"]["properties"])  # fmt: skip
    assert set(schemas["Glob"]["properties"]) == {"pattern", "path"}
    assert set(schemas["Edit"]["properties"]) == {"file_path", "old_string", "new_string", "replace_all"}
    assert set(schemas["Write"]["properties"]) == {"file_path", "content"}

"""docs/vscode-builtin-comparison.md is what scripts/vscode_builtin_comparison.py makes of the recorded e2e run.

The recording (docs/vscode-builtin-comparison.json) comes from the `corpus` scenario of vscode-client's e2e;
these tests keep the page in step with it and with truth.json, and check that the scorer it shares with
test_conformance.py reads editor diagnostics the way the unit test reads agent-lsp's own findings.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import test_conformance as conformance

ROOT = Path(__file__).resolve().parents[2]


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "vscode_builtin_comparison", ROOT / "scripts/vscode_builtin_comparison.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


script = load_script()
RECORDING = json.loads(script.RECORDING.read_text(encoding="utf-8"))


def test_the_page_is_generated_from_the_recording() -> None:
    assert script.DOC.read_text(encoding="utf-8") == script.render(RECORDING, script.score_recording(RECORDING))


def test_the_recording_covers_every_case_of_every_file_kind() -> None:
    files = {f["file"] for f in RECORDING["files"]}
    recorded = [c for c in script.case_ids() if script.workspace_path(c) in files]
    assert len(recorded) >= 200
    # Agents, skills and commands, and within them every family of case (`agents/model`, `skills/effort`, ...).
    assert {script.file_kind(c) for c in recorded} == {"agents", "skills", "commands"}
    assert {script.family(c) for c in recorded} == {script.family(c) for c in conformance.TRUTH["cases"]}
    assert RECORDING["vscodeVersion"].count(".") == 2


def test_each_case_stands_where_claude_code_ran_it() -> None:
    # A skill's folder is its command's name, and the truth was recorded as `/probe`.
    assert script.workspace_path("agents/model-empty") == "cases/agents/model-empty/.claude/agents/model-empty.md"
    assert script.workspace_path("skills/model-empty") == "cases/skills/model-empty/.claude/skills/probe/SKILL.md"
    assert script.workspace_path("commands/model-empty") == "cases/commands/model-empty/.claude/commands/probe.md"
    paths = [script.workspace_path(c) for c in script.case_ids()]
    assert len(paths) == len(set(paths)) == len(conformance.TRUTH["cases"])


def test_editor_diagnostics_score_like_the_findings_they_came_from() -> None:
    # The scorer sees only severity, code and line of an editor diagnostic: scoring agent-lsp's own findings
    # through that conversion gives the unit test's answer.
    for case_id in (
        "agents/model-fable",
        "agents/color-automatic",
        "agents/tools-foo",
        "agents/dup-quoted-twice",
        "agents/structure-basic",
        "agents/tools-empty",
        "skills/unknown-key",
        "skills/dup-description",
        "skills/yaml-broken",
        "commands/name-field",
        "commands/model-bogus",
    ):
        text, parsed, found = conformance.read_case(case_id)
        kind = script.file_kind(case_id).rstrip("s")
        diagnostics = [
            {
                "source": "agent-lsp",
                "code": f.code,
                "severity": f.severity.name.lower().replace("information", "info"),
                "line": parsed.index.line_of(f.span.start),
                "message": f.message,
            }
            for f in found
        ]
        record = conformance.TRUTH["cases"][case_id]
        converted = script.as_findings(parsed, text, diagnostics)
        assert conformance.score(parsed, record, converted, file_kind=kind) == conformance.score(
            parsed, record, found, file_kind=kind
        ), case_id


def test_a_silent_checker_misses_every_skipped_file() -> None:
    skipped = [c for c, r in conformance.TRUTH["cases"].items() if c.startswith("agents/") and not r.get("loaded")]
    assert skipped
    for case_id in skipped[:5]:
        _, parsed, _ = conformance.read_case(case_id)
        kinds = [k for k, _ in conformance.score(parsed, conformance.TRUTH["cases"][case_id], [], by_code=False)]
        assert kinds == ["verdict"], case_id


def test_a_silent_checker_on_commands_misses_what_claude_code_ignores_or_drops() -> None:
    # VS Code does not check `.claude/commands/*.md`: it scores as a checker that says nothing.
    for case_id, wanted in (("commands/unclosed", ["verdict"]), ("commands/unknown-key", ["dropped"])):
        _, parsed, _ = conformance.read_case(case_id)
        record = conformance.TRUTH["cases"][case_id]
        kinds = [k for k, _ in conformance.score(parsed, record, [], by_code=False, file_kind="command")]
        assert kinds == wanted, case_id
    _, parsed, _ = conformance.read_case("commands/basic")
    assert conformance.score(parsed, conformance.TRUTH["cases"]["commands/basic"], [], file_kind="command") == []

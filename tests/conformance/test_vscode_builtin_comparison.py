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


def test_the_recording_covers_at_least_200_cases_of_every_kind() -> None:
    files = {f["file"] for f in RECORDING["files"]}
    recorded = [c for c in script.case_ids() if script.workspace_path(c) in files]
    assert len(recorded) >= 200
    # Every kind of agent case (the skill and command cases are not laid out yet: see case_ids).
    kinds = {c.split("/", 1)[1].split("-", 1)[0] for c in conformance.TRUTH["cases"] if c.startswith("agents/")}
    assert kinds == {c.split("/", 1)[1].split("-", 1)[0] for c in recorded}
    assert RECORDING["vscodeVersion"].count(".") == 2


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
    ):
        text, parsed, found = conformance.read_case(case_id)
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
        assert conformance.score(parsed, record, converted) == conformance.score(parsed, record, found), case_id


def test_a_silent_checker_misses_every_skipped_file() -> None:
    skipped = [c for c, r in conformance.TRUTH["cases"].items() if not r.get("loaded")]
    assert skipped
    for case_id in skipped[:5]:
        _, parsed, _ = conformance.read_case(case_id)
        kinds = [k for k, _ in conformance.score(parsed, conformance.TRUTH["cases"][case_id], [], by_code=False)]
        assert kinds == ["verdict"], case_id

"""Writes the rule codes of `checks/rules.py` into schemas/agent-lsp-config.schema.json (its `rules` table).

A new rule is added to the rules module; this script then gives `.agent-lsp.toml` editors the code, its
summary and the severities it may take. tests/checks/test_configure.py fails while the two differ.
Run: PYTHONPATH=server python scripts/sync_config_schema.py
"""

from __future__ import annotations

import json
from pathlib import Path

from agent_lsp.checks.rules import RULES

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "agent-lsp-config.schema.json"
LEVELS = ["error", "warning", "information", "hint", "off"]


def main() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    rules = schema["properties"]["rules"]
    codes = sorted(RULES)
    rules["propertyNames"]["enum"] = codes
    rules["properties"] = {
        code: {"type": "string", "enum": LEVELS, "description": RULES[code].summary} for code in codes
    }
    SCHEMA.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{SCHEMA.name}: {len(codes)} rules")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# The Python suite against the newest releases of every dependency (no constraints.txt), in .venv-latest:
# a dependency's next move shows here before users see it. CI tests the pinned set (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-latest
.venv-latest/bin/python -m pip install --quiet --upgrade pip
.venv-latest/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e ".[test]"
.venv-latest/bin/python -m pip list --format=freeze | grep -iE '^(anthropic|pygls|lsprotocol|jsonschema|pyyaml|pytest-lsp)=='
.venv-latest/bin/python -m pytest -q

#!/usr/bin/env bash
# Installs everything into ./.venv (and vscode-client/node_modules) and runs every test suite.
# Used by the README's Quickstart and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "System packages"
# Neovim and Emacs + eglot (Debian's) run the README's editor snippets verbatim as real editors.
missing=""
command -v nvim >/dev/null 2>&1 || missing="neovim"
command -v emacs >/dev/null 2>&1 || missing="$missing emacs-nox elpa-eglot elpa-markdown-mode"
if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  # shellcheck disable=SC2086  # the list is meant to split
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

client_tools_pid=""
client_tools_log=$(mktemp)
# A failing suite ends the script; do not leave the background install running after it.
trap '[ -z "$client_tools_pid" ] || kill "$client_tools_pid" 2>/dev/null || true' EXIT
if [ -f vscode-client/package.json ] && [ "${AGENT_LSP_SKIP_CLIENT:-0}" != "1" ]; then
  step "VS Code end-to-end tools (installing in the background: Chromium, Node 24, code-server)"
  (cd vscode-client && E2E_INSTALL_ONLY=1 bash scripts/e2e.sh) >"$client_tools_log" 2>&1 &
  client_tools_pid=$!
fi

step "Python environment"
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test]"

step "Lint and types"
.venv/bin/ruff check server tests
.venv/bin/ruff format --check server tests
.venv/bin/mypy

step "Python tests (unit and end-to-end over stdio)"
.venv/bin/python -m pytest -q

step "Conformance: the pinned Claude Code re-recorded (every 4th case; AGENT_LSP_CONFORMANCE_EVERY=1 for all)"
# Installs @anthropic-ai/claude-code at tests/conformance/PINNED_VERSION from npm into ~/.cache/agent-lsp
# (linux-x64) and runs it offline against a local fake API; fails on any difference from truth.json.
# Without npm or the registry the step is skipped: the Python tests still compare with the checked-in truth.
if command -v npm >/dev/null 2>&1 && .venv/bin/python scripts/conformance.py --install-only >/dev/null; then
  time .venv/bin/python scripts/conformance.py --every "${AGENT_LSP_CONFORMANCE_EVERY:-4}" --workers 3
else
  echo "npm could not install the pinned Claude Code: re-recording skipped"
fi

if [ -f vscode-client/package.json ] && [ "${AGENT_LSP_SKIP_CLIENT:-0}" != "1" ]; then
  step "VS Code extension"
  (cd vscode-client && npm ci --no-audit --no-fund && npm run lint && npm run typecheck && npm test)

  step "VS Code extension end to end (code-server + headless Chromium)"
  if [ -n "$client_tools_pid" ] && ! wait "$client_tools_pid"; then
    cat "$client_tools_log"
    echo "installing the end-to-end tools failed" >&2
    exit 1
  fi
  # Installs code-server, Chromium and what they need on first use (cached in vscode-client/.e2e/).
  (cd vscode-client && AGENT_LSP_PYTHON="$PWD/../.venv/bin/python" npm run e2e)
fi

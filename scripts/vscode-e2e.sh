#!/usr/bin/env bash
# End-to-end test of the VS Code extension in a real VS Code: builds the binaries, packages the extension with them
# bundled, installs it into code-server (run on 127.0.0.1 only) and drives that through headless Chromium with
# playwright-core. Screenshots of each step go to tests/artifacts/vscode/.
#
# Usage: scripts/vscode-e2e.sh [--steps default|all|step,step,...] [--install-only] [--no-build]
#   Steps: install, diagnostics, completion, invoke, debug, deploy. `default` is the list known to pass with the
#   current binaries; `all` runs every step. --no-build bundles the binaries already in target/debug.
#   deploy runs against moto_server from the test virtualenv on 127.0.0.1 (started and stopped by run.mjs).
# Needs (installed by this script when missing, as root): Debian packages chromium, ripgrep, libkrb5-dev;
# node 20 with npm; the test virtualenv (scripts/test-env.sh, run from here). Everything from npm goes into
# tests/vscode-e2e/node_modules and editor-clients/vscode/node_modules.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E="$ROOT/tests/vscode-e2e"
EXT="$ROOT/editor-clients/vscode"
ARTIFACTS="$ROOT/tests/artifacts/vscode"
ALL_STEPS="install,diagnostics,completion,invoke,debug,deploy"
DEFAULT_STEPS="$ALL_STEPS"
STEPS="$DEFAULT_STEPS"
INSTALL_ONLY=0
BUILD=1

while [ $# -gt 0 ]; do
  case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    --steps=*) STEPS="${1#--steps=}"; shift ;;
    --install-only) INSTALL_ONLY=1; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    *) echo "vscode-e2e: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$STEPS" in
  default) STEPS="$DEFAULT_STEPS" ;;
  all) STEPS="$ALL_STEPS" ;;
esac

log() { echo "vscode-e2e: $*" >&2; }

# --- system packages -------------------------------------------------------------------------------------------
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
[ -e /usr/include/krb5.h ] || [ -e /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "$(node --version | cut -d. -f1)" != "v20" ]; then
  log "code-server 4.100.3 needs node 20; found $(node --version)"
  exit 1
fi

# --- npm packages ------------------------------------------------------------------------------------------------
# code-server's postinstall runs `npm install` in its bundled VS Code, where @vscode/ripgrep would download rg from
# the internet. That download is first looked up in a cache folder under $TMPDIR, so the Debian rg is put there first.
# The install is split (no scripts, seed the cache, then the scripts) because the cache's name depends on the
# @vscode/ripgrep version that code-server pins, which is only known once the package is unpacked.
install_e2e() {
  export npm_config_unsafe_perm=true npm_config_yes=true
  # Native modules (argon2, and VS Code's node-pty, kerberos, ...) are compiled here rather than fetched: their
  # prebuilt binaries live outside the package registry, which is all this machine may reach.
  export npm_config_build_from_source=true
  local tmp="$E2E/.tmp"
  mkdir -p "$tmp"
  (cd "$E2E" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  local rgver tag pack
  rgver="$(node -e 'console.log(require(process.argv[1]).packages["node_modules/@vscode/ripgrep"].version)' \
    "$E2E/node_modules/code-server/lib/vscode/npm-shrinkwrap.json")"
  pack="$(cd "$tmp" && npm pack --silent "@vscode/ripgrep@$rgver")"
  tag="$(tar xzf "$tmp/$pack" -O package/lib/postinstall.js | sed -n "s/^const VERSION = '\(.*\)';/\1/p")"
  rm -f "$tmp/$pack"
  local cache="$tmp/vscode-ripgrep-cache-$rgver"
  mkdir -p "$cache/rg"
  cp "$(command -v rg)" "$cache/rg/rg"
  tar czf "$cache/ripgrep-$tag-x86_64-unknown-linux-musl.tar.gz" -C "$cache/rg" rg
  log "seeded @vscode/ripgrep $rgver ($tag) with $(command -v rg)"
  (cd "$E2E" && TMPDIR="$tmp" npm rebuild argon2 code-server --loglevel=error)
}
lock_hash="$(sha256sum "$E2E/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$E2E/node_modules/.samwise-installed" 2>/dev/null)" != "$lock_hash" ]; then
  log "installing code-server and playwright-core into $E2E/node_modules"
  install_e2e
  echo "$lock_hash" > "$E2E/node_modules/.samwise-installed"
fi
# npm keeps its own record of an install in node_modules/.package-lock.json; one newer than the lockfile means
# `npm ci` already ran (scripts/test.sh runs it before this script).
if [ ! "$EXT/node_modules/.package-lock.json" -nt "$EXT/package-lock.json" ]; then
  log "installing the extension's npm packages"
  (cd "$EXT" && npm ci --no-audit --no-fund --loglevel=error)
fi
# The debug step needs debugpy in the interpreter that runs the function: the test virtualenv has it.
bash "$ROOT/scripts/test-env.sh"
[ "$INSTALL_ONLY" = 1 ] && exit 0

# --- binaries and the VSIX ---------------------------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  log "building samwise-lsp and samwise-dap"
  (cd "$ROOT" && cargo build --quiet --bin samwise-lsp --bin samwise-dap)
fi
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
rm -rf "$EXT/bin"
mkdir -p "$EXT/bin"
cp "$TARGET_DIR/debug/samwise-lsp" "$TARGET_DIR/debug/samwise-dap" "$EXT/bin/"
log "packaging the extension with the binaries bundled"
(cd "$EXT" && npm run --silent package >/dev/null)

# --- a fresh code-server state with the VSIX installed ------------------------------------------------------------
STATE="$(mktemp -d "${TMPDIR:-/tmp}/samwise-vscode-e2e.XXXXXX")"
# VS Code's own logs (the extension host's, and every output channel such as "samwise") are kept with the
# screenshots, since they explain a failing step.
cleanup() {
  # run.mjs stops code-server and moto itself (and removes their pid files); this covers run.mjs being killed outright.
  local pidfile
  for pidfile in "$STATE"/*.pid; do
    if [ -f "$pidfile" ]; then kill -- "-$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  rm -rf "$ARTIFACTS/logs"
  [ -d "$STATE/user-data/logs" ] && cp -r "$STATE/user-data/logs" "$ARTIFACTS/logs"
  rm -rf "$STATE"
}
trap cleanup EXIT
mkdir -p "$STATE/user-data/User" "$STATE/extensions" "$ARTIFACTS"
rm -rf "$ARTIFACTS"/*.png "$ARTIFACTS"/code-server.log "$ARTIFACTS"/moto.log "$ARTIFACTS/logs"

PYTHON="$ROOT/.venv/bin/python"
# User settings: nothing reaches out of the machine, nothing pops up over the editor the steps look at.
cat > "$STATE/user-data/User/settings.json" <<JSON
{
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "workbench.enableExperiments": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "security.workspace.trust.enabled": false,
  "chat.disableAIFeatures": true
}
JSON
# Paths on the machine that runs the extension are "machine-overridable" settings, which VS Code reads from the
# machine's settings when the UI runs elsewhere, as it does in code-server.
mkdir -p "$STATE/user-data/Machine"
cat > "$STATE/user-data/Machine/settings.json" <<JSON
{
  "samwise.pythonPath": "$PYTHON"
}
JSON
log "installing the VSIX into code-server"
XDG_CONFIG_HOME="$STATE/config" XDG_DATA_HOME="$STATE/data" \
  "$E2E/node_modules/.bin/code-server" --user-data-dir "$STATE/user-data" --extensions-dir "$STATE/extensions" \
  --install-extension "$EXT/samwise.vsix" >"$STATE/install.log" 2>&1 || { cat "$STATE/install.log" >&2; exit 1; }

# The workspace: a copy of the example project (so the test never edits the repository) plus the test's own
# fixtures under e2e/ (a broken template, a template to type into, a function that needs no AWS service).
WS="$STATE/workspace"
EXAMPLE="$ROOT/examples/parameter-store"
if [ -d "$EXAMPLE" ]; then
  cp -r "$EXAMPLE" "$WS"
else
  log "note: $EXAMPLE does not exist yet; the workspace holds only the test fixtures"
  mkdir -p "$WS"
fi
cp -r "$E2E/fixtures" "$WS/e2e"

log "running steps: $STEPS (screenshots in $ARTIFACTS)"
node "$E2E/run.mjs" --workspace "$WS" --state "$STATE" --artifacts "$ARTIFACTS" --steps "$STEPS" \
  --path-prepend "$ROOT/.venv/bin" --python "$PYTHON" --moto-server "$ROOT/.venv/bin/moto_server"

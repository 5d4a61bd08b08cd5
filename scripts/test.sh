#!/usr/bin/env bash
# The whole test suite, on a fresh machine or a used one: installs what the tests need (Debian
# packages, the Python virtualenv, npm packages), builds everything once in the dev profile and runs
# the Rust tests, the extension's unit tests and the real-VS-Code end-to-end test.
# Usage: scripts/test.sh            (everything; what .ci/run calls)
#        SAMWISE_SKIP_VSCODE=1 scripts/test.sh   (without the code-server/Chromium test)
#        SAMWISE_SKIP_FUZZ=1 scripts/test.sh     (without the bounded fuzzing runs; SAMWISE_FUZZ_SECONDS
#                                                 sets their length per target, default 30)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '\n==> %s\n' "$*"; }

step "disk space"
# A clean run writes about 6 GB (the dev build ~4 GB, the fuzz build, npm packages, code-server and
# the virtualenv); running out of space half an hour in fails in odd places, so say it up front.
need_gb=8
[ -d target/debug ] && need_gb=3
free_gb=$(df -Pk "$root" | awk 'NR == 2 { print int($4 / 1048576) }')
if [ "$free_gb" -lt "$need_gb" ]; then
  echo "test.sh: only ${free_gb} GB free on the file system of $root; the test suite needs about ${need_gb} GB." >&2
  echo "test.sh: free some space (e.g. cargo clean in other checkouts) and run it again." >&2
  exit 1
fi
echo "${free_gb} GB free (about ${need_gb} GB needed)"

step "system packages"
need=()
command -v nvim >/dev/null || need+=(neovim)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need[*]} (run as root, or install them: apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

step "Python test environment (.venv)"
scripts/test-env.sh

step "build (dev profile)"
cargo build --workspace --all-targets --quiet

step "Rust tests"
cargo test --workspace --quiet 2>&1 | tee target/rust-tests.log
grep -q "test result: FAILED" target/rust-tests.log && exit 1

step "debug adapter with VS Code's DebugClient (npm @vscode/debugadapter-testsupport)"
(cd tests/dap-js && npm ci --silent --no-audit --no-fund && npm test)

step "VS Code extension unit tests"
(cd editor-clients/vscode && npm ci --silent --no-audit --no-fund && npm test --silent)

if [ "${SAMWISE_SKIP_FUZZ:-0}" != 1 ]; then
  step "fuzzing: each cargo-fuzz target for ${SAMWISE_FUZZ_SECONDS:-30} s (nightly; installs cargo-fuzz into target/tools)"
  scripts/fuzz.sh "${SAMWISE_FUZZ_SECONDS:-30}"
fi

if [ "${SAMWISE_SKIP_VSCODE:-0}" != 1 ]; then
  step "VS Code end-to-end (code-server + headless Chromium)"
  scripts/vscode-e2e.sh --no-build
fi

step "all tests passed"

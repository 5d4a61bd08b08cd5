#!/usr/bin/env bash
# Creates (or refreshes) the Python virtualenv the test suite needs: debugpy for the debug adapter,
# moto's server as the local AWS endpoint, pytest-lsp as a strict LSP client, and boto3/botocore for
# the cross-checks against botocore's own validator. Versions are pinned so every machine tests the same.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
stamp="$venv/.samwise-requirements"
req="$root/scripts/test-requirements.txt"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! cmp -s "$req" "$stamp" 2>/dev/null; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
fi

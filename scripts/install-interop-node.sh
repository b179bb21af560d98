#!/usr/bin/env bash
# Installs the Node interop harness (interop/node: Digital Bazaar's VC / Data Integrity
# libraries, versions pinned in package-lock.json) with `npm ci`. Idempotent: when
# node_modules already matches the lock file it returns at once.
set -euo pipefail

cd "$(dirname "$0")/../interop/node"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "install-interop-node: node and npm are required (Node 20 or later)" >&2
    exit 1
fi

# npm writes node_modules/.package-lock.json on install; if it is newer than the lock file and
# package.json, the tree is current.
stamp=node_modules/.package-lock.json
if [[ -f $stamp && $stamp -nt package-lock.json && $stamp -nt package.json ]]; then
    exit 0
fi

npm ci --no-audit --no-fund --loglevel=error

#!/usr/bin/env bash
# Installs npm dependencies when node_modules is missing or older than the lockfile.
# `npm install` rather than `npm ci`: the committed lockfile can lack optional binaries of
# other platforms, which makes `npm ci` refuse on some registries; install keeps it valid.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# mongodb-memory-server must not try to download a mongod at install time (no internet here).
export MONGOMS_DISABLE_POSTINSTALL=1
if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[deps] installing npm dependencies"
  npm install --no-audit --no-fund --loglevel=error
else
  echo "[deps] npm dependencies up to date"
fi

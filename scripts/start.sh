#!/usr/bin/env bash
# Quick start: installs dependencies, provisions and starts Kafka and MongoDB on loopback
# (unless KAFKA_BROKERS / MONGODB_URI point elsewhere), then runs every role in one process.
# Ctrl-C / SIGTERM stops the stack gracefully, then the services this run started (services
# that were already running are left alone).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/lib/ensureDeps.sh
# The gateway's browser pages (explorer, board): built when missing or older than their sources.
node --import tsx scripts/buildUi.ts --if-stale
# shellcheck source=scripts/lib/servicesForThisRun.sh
source scripts/lib/servicesForThisRun.sh
services_for_this_run
export APOLLO_TELEMETRY_DISABLED="${APOLLO_TELEMETRY_DISABLED:-1}"
# `node --import tsx`, not the tsx CLI: the CLI relays signals to a child process and SIGKILLs it
# (exit 143) unless the child acknowledges within about 60 ms, which a loaded machine misses.
node --import tsx stack/src/main.ts &
STACK_PID=$!
forward() { kill -TERM "$STACK_PID" 2>/dev/null || true; }
trap forward INT TERM
# `wait` returns 128+signal as soon as a trapped signal arrives: wait until the stack has exited,
# then ask once more, for its own exit code (bash remembers it; the early 143 is not the stack's).
while kill -0 "$STACK_PID" 2>/dev/null; do wait "$STACK_PID" || true; done
status=0
wait "$STACK_PID" || status=$?
exit "$status"

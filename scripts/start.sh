#!/usr/bin/env bash
# Quick start: installs dependencies, provisions and starts Kafka and MongoDB on loopback
# (unless KAFKA_BROKERS / MONGODB_URI point elsewhere), then runs every role in one process.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/lib/ensureDeps.sh
bash scripts/services/up.sh
# shellcheck disable=SC1091
source .cache/run/services.env
export APOLLO_TELEMETRY_DISABLED="${APOLLO_TELEMETRY_DISABLED:-1}"
exec node_modules/.bin/tsx stack/src/main.ts

#!/usr/bin/env bash
# The one test command (README and CI): static checks, unit tests, then integration and
# end-to-end tests against real Kafka and a real MongoDB wire server started here.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/lib/ensureDeps.sh

step() { echo; echo "== $* =="; }
step "lint (eslint + prettier)"
npm run --silent lint
step "type check"
npm run --silent typecheck
step "schema drift check"
npm run --silent schema:check
step "event contracts check (asyncapi vs schema/events)"
npm run --silent events:check
step "unit tests"
npx jest --selectProjects unit --ci

step "real services"
# Stop, at the end, the services this run started; leave alone those that were already running.
STARTED="$(mktemp "${TMPDIR:-/tmp}/services-started.XXXXXX")"
stop_services() {
  bash scripts/services/down.sh --from "$STARTED" || true
  rm -f "$STARTED"
}
trap stop_services EXIT
UP_STARTED_FILE="$STARTED" bash scripts/services/up.sh
# shellcheck disable=SC1091
source .cache/run/services.env
step "integration and end-to-end tests (Kafka $KAFKA_BROKERS, MongoDB $MONGODB_URI)"
# --forceExit: a test that fails half-way may leave a broker connection open; the run must end
# with that failure rather than hang until the CI timeout (passing suites close everything).
npx jest --selectProjects integration --ci --runInBand --forceExit "$@"

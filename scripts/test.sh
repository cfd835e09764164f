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
# Stops, at the end, the services this run started; leaves alone those that were already running.
# shellcheck source=scripts/lib/servicesForThisRun.sh
source scripts/lib/servicesForThisRun.sh
services_for_this_run
step "integration and end-to-end tests (Kafka $KAFKA_BROKERS, MongoDB $MONGODB_URI)"
# --forceExit: a test that fails half-way may leave a broker connection open; the run must end
# with that failure rather than hang until the CI timeout (passing suites close everything).
npx jest --selectProjects integration --ci --runInBand --forceExit "$@"

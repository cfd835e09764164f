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
# Suites run in parallel: each has its own topic prefix, consumer groups and databases (random
# names, test/utils/servicesEnv.ts) and ports the OS picks. 3 workers although 2 cores: the suites
# mostly wait on Kafka (group joins, rebalances) and MongoDB, so a third worker fills that time;
# measured on this 2-core machine at load 2-4 (41 suites): 227-244 s with 3 workers, 329-359 s
# with 2, ~600 s in band; 44 suites with 3 workers: 285-298 s.
# No --forceExit: suites close what they open. --workerIdleMemoryLimit keeps even a run of one
# file in a worker (jest runs that in band otherwise), and jest kills a worker that does not exit
# after its suites (a leaked handle, reported as "failed to exit gracefully") where the main
# process would hang until the CI timeout; it also recycles a worker grown past 1 GB.
npx jest --selectProjects integration --ci --maxWorkers=3 --workerIdleMemoryLimit=1GB "$@"

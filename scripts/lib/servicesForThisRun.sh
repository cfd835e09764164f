# shellcheck shell=bash
# Sourced by scripts/start.sh and scripts/test.sh: starts Kafka and MongoDB (scripts/services/up.sh),
# exports their addresses, and at exit stops the services this run started, leaving alone those
# that were already running. Call it with the repository root as the working directory.

services_for_this_run() {
  SERVICES_STARTED_FILE="$(mktemp "${TMPDIR:-/tmp}/services-started.XXXXXX")"
  trap 'bash scripts/services/down.sh --from "$SERVICES_STARTED_FILE" || true; rm -f "$SERVICES_STARTED_FILE"' EXIT
  UP_STARTED_FILE="$SERVICES_STARTED_FILE" bash scripts/services/up.sh
  # shellcheck disable=SC1091
  source .cache/run/services.env
}

#!/usr/bin/env bash
# End-to-end check of the service scripts with real clients:
#   bash scripts/services/check.sh          up.sh twice + Kafka and Mongo round-trips
#   bash scripts/services/check.sh --full   also down/up on existing data, and a second
#                                           dedicated broker (19092/19093) killed and restarted
# Leaves the main services RUNNING (the point of up.sh); stops the extra broker.
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

FULL=""
[[ "${1:-}" == --full ]] && FULL=1
EXTRA_KAFKA_PORT="${EXTRA_KAFKA_PORT:-19092}"
EXTRA_KAFKA_CONTROLLER_PORT="${EXTRA_KAFKA_CONTROLLER_PORT:-19093}"

step() { log "check: ---- $* ----"; }

timed() { # timed LABEL CMD...: run, print how long it took
  local label="$1" start
  shift
  start="$(now_ms)"
  "$@"
  log "check: $label took $(elapsed_s "$start")"
}

kafka_smoke() { # kafka_smoke BROKERS
  java -cp "$CACHE_DIR/kafka/libs/*" -Dlog4j.configuration="file:$SERVICES_DIR/kafka-log4j.properties" \
    "$SERVICES_DIR/KafkaSmoke.java" "$1" | sed 's/^/[services] check: /'
}

mongo_smoke() { # mongo_smoke PORT
  require_cmd node "the Mongo round-trip uses scripts/services/probe.cjs"
  node "$SERVICES_DIR/probe.cjs" mongo-smoke "$SERVICES_HOST" "$1" | sed 's/^/[services] check: /'
}

smoke_main() ( # subshell: the sourced env must not leak into later up.sh runs
  # shellcheck disable=SC1091
  source "$RUN_DIR/services.env"
  kafka_smoke "$KAFKA_BROKERS"
  # Only our own Mongo can be reached by port; an external URI is not probed.
  if [[ "$MONGODB_URI" == "mongodb://$SERVICES_HOST:"* ]]; then
    local port="${MONGODB_URI#mongodb://"$SERVICES_HOST":}"
    mongo_smoke "${port%%/*}"
  fi
)

extra_broker() { # extra_broker CMD: kafka.sh on the dedicated fault-test ports
  env -u KAFKA_BROKERS KAFKA_PORT="$EXTRA_KAFKA_PORT" KAFKA_CONTROLLER_PORT="$EXTRA_KAFKA_CONTROLLER_PORT" \
    bash "$SERVICES_DIR/kafka.sh" "$1"
}

extra_broker_up() {
  extra_broker start
  extra_broker wait
}

main() {
  step "up.sh (first)"
  timed "up.sh" bash "$SERVICES_DIR/up.sh"
  step "up.sh (again: must be a fast no-op)"
  timed "second up.sh" bash "$SERVICES_DIR/up.sh"
  step "round-trips"
  smoke_main

  if [[ -n "$FULL" ]]; then
    step "down.sh + up.sh (restart on existing data)"
    timed "down.sh" bash "$SERVICES_DIR/down.sh"
    timed "up.sh after down" bash "$SERVICES_DIR/up.sh"
    smoke_main

    step "second broker on $EXTRA_KAFKA_PORT/$EXTRA_KAFKA_CONTROLLER_PORT"
    # Stop it on any exit: it must not outlive the check.
    trap 'extra_broker stop >/dev/null 2>&1 || true' EXIT
    timed "extra broker start+wait" extra_broker_up
    kafka_smoke "$SERVICES_HOST:$EXTRA_KAFKA_PORT"
    extra_broker kill
    if extra_broker status >/dev/null; then die "extra broker still running after kill"; fi
    timed "extra broker restart after SIGKILL" extra_broker_up
    kafka_smoke "$SERVICES_HOST:$EXTRA_KAFKA_PORT"
    timed "extra broker stop" extra_broker stop
    trap - EXIT
    # The main broker must not have been disturbed.
    bash "$SERVICES_DIR/kafka.sh" status
  fi
  log "check: OK"
}

main "$@"

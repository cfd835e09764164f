#!/usr/bin/env bash
# Stop the services that scripts/services/up.sh started (recorded in
# .cache/run/up.state) - never external ones (KAFKA_BROKERS / MONGODB_URI) nor
# extra brokers a test started itself with kafka.sh. Data stays in .cache/, so
# the next up.sh restarts on it; `rm -rf .cache/kafka/data-* .cache/ferretdb/data-*`
# (while stopped) resets it.
#
#   down.sh              stop everything up.sh has started (recorded in .cache/run/up.state)
#   down.sh --from FILE  stop only the services listed in FILE (what one up.sh call started,
#                        see UP_STARTED_FILE in up.sh): `npm start` and `npm test` use this
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

STATE_FILE="$RUN_DIR/up.state"
ENV_FILE="$RUN_DIR/services.env"

main() {
  local only=""
  if [[ "${1:-}" == --from ]]; then
    only="${2:?down.sh --from needs a file}"
    [[ -s "$only" ]] || return 0
  fi
  if [[ ! -s "$STATE_FILE" ]]; then
    log "nothing to stop: up.sh has not started anything (no $STATE_FILE)"
    rm -f "$ENV_FILE"
    return 0
  fi
  local kind port cport datadir failed=""
  # Reverse start order. The recorded ports win over whatever the caller
  # exported; KAFKA_BROKERS / MONGODB_URI are cleared, or the scripts would
  # treat the server as external. </dev/null: the loop's input is the state file.
  while read -r kind port cport datadir; do
    if [[ -n "$only" ]] && ! grep -qxF -- "$kind $port${cport:+ $cport}${datadir:+ $datadir}" "$only"; then continue; fi
    case "$kind" in
      kafka)
        env -u KAFKA_BROKERS KAFKA_PORT="$port" KAFKA_CONTROLLER_PORT="$cport" \
          ${datadir:+KAFKA_DATA_DIR="$datadir"} bash "$SERVICES_DIR/kafka.sh" stop </dev/null || failed+=" kafka:$port"
        ;;
      mongo)
        env -u MONGODB_URI MONGO_PORT="$port" bash "$SERVICES_DIR/mongo.sh" stop </dev/null || failed+=" mongo:$port"
        ;;
      *) warn "ignoring unknown line in $STATE_FILE: $kind $port" ;;
    esac
  done < <(tac "$STATE_FILE")
  [[ -z "$failed" ]] || die "could not stop:$failed"
  if [[ -n "$only" ]]; then
    # Keep the lines of services this call left running.
    grep -vxF -f "$only" "$STATE_FILE" >"$STATE_FILE.tmp" || true
    mv "$STATE_FILE.tmp" "$STATE_FILE"
    [[ -s "$STATE_FILE" ]] || rm -f "$STATE_FILE" "$ENV_FILE"
    # services.env named what this run started: stale now (up.sh writes it again).
    while read -r kind port _; do
      if [[ -f "$ENV_FILE" ]] && grep -q ":$port[/'?]" "$ENV_FILE"; then rm -f "$ENV_FILE"; fi
    done <"$only"
    log "down: stopped what this run had started ($(tr '\n' ' ' <"$only"| sed 's/ $//'))"
    return 0
  fi
  rm -f "$STATE_FILE" "$ENV_FILE"
  log "down: stopped everything up.sh had started"
}

main "$@"

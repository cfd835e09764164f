#!/usr/bin/env bash
# Provision and start Kafka + a MongoDB-compatible server on loopback, wait
# until both answer, and write .cache/run/services.env for other scripts:
#
#   bash scripts/services/up.sh && source .cache/run/services.env
#
# Idempotent: a second run finds both running and returns in about a second.
# KAFKA_BROKERS set -> no Kafka is started, that value is passed through.
# MONGODB_URI set   -> no Mongo is started, that value is passed through.
# (Values that came from sourcing services.env itself do not count as set.)
# Knobs of kafka.sh / mongo.sh (KAFKA_PORT, MONGO_PORT, MONGO_KIND...) apply.
# Stop what this started with scripts/services/down.sh.
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
MONGO_PORT="${MONGO_PORT:-27017}"
export KAFKA_PORT KAFKA_CONTROLLER_PORT MONGO_PORT
ENV_FILE="$RUN_DIR/services.env"
# One line per service this script manages, read by down.sh.
STATE_FILE="$RUN_DIR/up.state"

# Decided once: KAFKA_BROKERS / MONGODB_URI get set later when services.env is sourced.
WANT_KAFKA=1 WANT_MONGO=1
if external_kafka; then WANT_KAFKA=""; fi
if external_mongo; then WANT_MONGO=""; fi
# Values from an earlier services.env are ours, not overrides: drop them so
# the child scripts do not see them either.
if [[ -n "$WANT_KAFKA" ]]; then unset KAFKA_BROKERS; fi
if [[ -n "$WANT_MONGO" ]]; then unset MONGODB_URI; fi
want_kafka() { [[ -n "$WANT_KAFKA" ]]; }
want_mongo() { [[ -n "$WANT_MONGO" ]]; }

# Check every prerequisite up front so a missing tool fails in one second with
# a clear message rather than after a minutes-long build of the other service.
check_prereqs() {
  local missing=()
  if want_kafka; then
    command -v java >/dev/null 2>&1 || missing+=("java (JDK 17+, e.g. apt-get install openjdk-17-jdk-headless)")
    if ! compgen -G "$CACHE_DIR/kafka/libs/kafka_2.13-*.jar" >/dev/null; then
      command -v mvn >/dev/null 2>&1 || missing+=("mvn (Maven 3.8+, e.g. apt-get install maven; needed once to fetch the Kafka jars)")
    fi
  fi
  if want_mongo; then
    case "$(bash "$SERVICES_DIR/mongo.sh" kind)" in
      "ferretdb (not built yet)")
        command -v go >/dev/null 2>&1 || missing+=("go (Go 1.22+, needed once to build FerretDB; or unset MONGO_KIND, or set MONGODB_URI)")
        ;;
      mongo-java-server*)
        command -v javac >/dev/null 2>&1 || missing+=("javac (a JDK 17+, for the embedded MongoDB wire server; or put mongod on PATH, or set MONGODB_URI)")
        command -v mvn >/dev/null 2>&1 || missing+=("mvn (Maven 3.8+, needed once to fetch the MongoDB wire server's jars)")
        ;;
    esac
  fi
  if ((${#missing[@]})); then
    printf '[services] ERROR: missing prerequisite: %s\n' "${missing[@]}" >&2
    die "install the above (or set KAFKA_BROKERS / MONGODB_URI to use existing servers)"
  fi
}

# The slow first-run steps (Maven fetches of the Kafka and mongo-java-server jars, or FerretDB's
# Go build) are independent, so they run in parallel; all are no-ops when cached.
prepare_in_parallel() {
  local kafka_job="" mongo_job="" failed=""
  if want_kafka; then
    bash "$SERVICES_DIR/kafka.sh" fetch &
    kafka_job=$!
  fi
  if want_mongo; then
    bash "$SERVICES_DIR/mongo.sh" build &
    mongo_job=$!
  fi
  if [[ -n "$kafka_job" ]] && ! wait "$kafka_job"; then failed+=" kafka-jars"; fi
  if [[ -n "$mongo_job" ]] && ! wait "$mongo_job"; then failed+=" mongo-server"; fi
  [[ -z "$failed" ]] || die "provisioning failed:$failed (see messages above)"
}

record_state() { # record_state LINE: remember (once) that up.sh manages this
  touch "$STATE_FILE"
  grep -qxF -- "$1" "$STATE_FILE" || echo "$1" >>"$STATE_FILE"
}

# UP_STARTED_FILE (optional): where this call lists, in down.sh's format, the services it
# started itself, so `npm start` / `npm test` stop exactly those and leave alone what was
# already running.
note_started() { # note_started LINE
  if [[ -n "${UP_STARTED_FILE:-}" ]]; then echo "$1" >>"$UP_STARTED_FILE"; fi
}

# A server already answering on our port that this checkout did not start (another checkout's
# stack, say) is used as it is, not refused: it is treated like KAFKA_BROKERS / MONGODB_URI.
foreign_kafka_answers() {
  ! bash "$SERVICES_DIR/kafka.sh" status >/dev/null 2>&1 && probe kafka "$KAFKA_PORT" >/dev/null
}
foreign_mongo_answers() {
  ! bash "$SERVICES_DIR/mongo.sh" status >/dev/null 2>&1 && probe mongo-hello "$MONGO_PORT" >/dev/null
}
use_foreign_servers() {
  if want_kafka && foreign_kafka_answers; then
    log "kafka: a broker this checkout did not start answers on $SERVICES_HOST:$KAFKA_PORT: using it (it is not stopped by down.sh)"
    export KAFKA_BROKERS="$SERVICES_HOST:$KAFKA_PORT"
    WANT_KAFKA=""
  fi
  if want_mongo && foreign_mongo_answers; then
    log "mongo: a server this checkout did not start answers on $SERVICES_HOST:$MONGO_PORT: using it (it is not stopped by down.sh)"
    export MONGODB_URI="mongodb://$SERVICES_HOST:$MONGO_PORT/?directConnection=true"
    WANT_MONGO=""
  fi
}

# Single-quoted shell word: sourceable by bash and readable by dotenv-style
# parsers (printf %q would write mongodb://...\?directConnection=true).
squote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

write_env_file() {
  local kafka_brokers="${KAFKA_BROKERS:-$SERVICES_HOST:$KAFKA_PORT}" mongo_uri
  mongo_uri="$(bash "$SERVICES_DIR/mongo.sh" env | sed -n "s/^export MONGODB_URI='\(.*\)'$/\1/p")"
  {
    echo "# Written by scripts/services/up.sh; source it to reach the running services."
    echo "export KAFKA_BROKERS=$(squote "$kafka_brokers")"
    echo "export MONGODB_URI=$(squote "$mongo_uri")"
    echo "# Marks the values above as up.sh's own, so re-running up.sh in a shell"
    echo "# that sourced this file manages them instead of treating them as external."
    if want_kafka; then echo "export SERVICES_UP_KAFKA_BROKERS=$(squote "$kafka_brokers")"; fi
    if want_mongo; then echo "export SERVICES_UP_MONGODB_URI=$(squote "$mongo_uri")"; fi
    echo "# Which MongoDB wire server that is (the conformance suite names it in its output)."
    echo "export MONGO_SERVER_KIND=$(squote "$(bash "$SERVICES_DIR/mongo.sh" kind)")"
  } >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

main() {
  local start kafka_desc mongo_desc
  start="$(now_ms)"
  ensure_dirs
  use_foreign_servers
  check_prereqs
  prepare_in_parallel

  # Start both first (each returns right after launching), then wait: the
  # two JVMs boot concurrently.
  local was_running
  if want_kafka; then
    was_running="$(bash "$SERVICES_DIR/kafka.sh" status >/dev/null 2>&1 && echo 1 || true)"
    bash "$SERVICES_DIR/kafka.sh" start
    record_state "kafka $KAFKA_PORT $KAFKA_CONTROLLER_PORT${KAFKA_DATA_DIR:+ $KAFKA_DATA_DIR}"
    [[ -n "$was_running" ]] || note_started "kafka $KAFKA_PORT $KAFKA_CONTROLLER_PORT${KAFKA_DATA_DIR:+ $KAFKA_DATA_DIR}"
  else
    log "kafka: KAFKA_BROKERS is set ($KAFKA_BROKERS): not starting a broker"
  fi
  if want_mongo; then
    log "mongo: $(bash "$SERVICES_DIR/mongo.sh" kind), because $(bash "$SERVICES_DIR/mongo.sh" why)"
    was_running="$(bash "$SERVICES_DIR/mongo.sh" status >/dev/null 2>&1 && echo 1 || true)"
    bash "$SERVICES_DIR/mongo.sh" start
    record_state "mongo $MONGO_PORT"
    [[ -n "$was_running" ]] || note_started "mongo $MONGO_PORT"
  else
    log "mongo: MONGODB_URI is set ($MONGODB_URI): not starting a server"
  fi
  if want_kafka; then bash "$SERVICES_DIR/kafka.sh" wait; fi
  if want_mongo; then bash "$SERVICES_DIR/mongo.sh" wait; fi

  # Describe before sourcing services.env: with MONGODB_URI set, mongo.sh
  # would report the server as external.
  if want_mongo; then mongo_desc="($(bash "$SERVICES_DIR/mongo.sh" kind))"; else mongo_desc="(external)"; fi
  if want_kafka; then kafka_desc="(kafka $(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$SERVICES_DIR/kafka-pom.xml") KRaft)"; else kafka_desc="(external)"; fi
  write_env_file
  # shellcheck disable=SC1090
  source "$ENV_FILE"
  log "up in $(elapsed_s "$start"): kafka $KAFKA_BROKERS $kafka_desc | mongo $MONGODB_URI $mongo_desc | env: $ENV_FILE"
}

main "$@"

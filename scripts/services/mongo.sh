#!/usr/bin/env bash
# A MongoDB-compatible server on loopback without Docker.
#
# Usage: scripts/services/mongo.sh <start|stop|status|wait|restart|kill|build|kind|why|env>
#   start    launch in background (no-op if already running)
#   wait     block until the server answers a real OP_MSG {hello:1} (and, for a
#            mongod replica set, until it is the writable primary)
#   stop     SIGTERM, up to 30 s, then SIGKILL;  kill: SIGKILL at once
#   status   exit 0 if the process runs (prints whether it answers), 3 if not
#   build    only prepare the server (fetch/compile mongo-java-server, build FerretDB, locate
#            mongodb-memory-server's mongod)
#   kind     print what runs / would run, e.g. "mongo-java-server 1.47.0"
#   why      print why that server is the one chosen
#   env      print `export MONGODB_URI=...`
#
# Which server, in order (the provider chain; `kind` and `why` print the choice):
#   1. MONGODB_URI is set          -> an external server; this script does nothing but report it.
#   2. `mongod` is on PATH         -> mongod as single-node replica set rs0 (transactions, change streams).
#   3. MONGO_KIND=memory-server    -> the real mongod that mongodb-memory-server downloads (needs the
#                                     internet once; run as in 2).
#   4. otherwise, the default      -> mongo-java-server on its H2 file store (Maven Central jars, same
#                                     JVM as Kafka; scripts/services/MongoWireServer.java), chosen by
#                                     measurement: docs/mongodb.md.
# MONGO_KIND=mongod|memory-server|mongo-java-server|ferretdb forces one; FerretDB 1.24 (Go, built
# from source once, SQLite backend) stays selectable with its limits written down in docs/mongodb.md.
#
# Environment knobs:
#   MONGO_PORT           (default 27017)
#   MONGO_WAIT_TIMEOUT   seconds for `wait` (default 60)
#   MONGO_JAVA_HEAP_OPTS (default "-Xms64m -Xmx1g") for mongo-java-server
#   FERRETDB_VERSIONS    versions tried in order (default "v1.24.1 v1.24.0")
#   FERRETDB_LOG_LEVEL   DEBUG|INFO|WARN|ERROR (default INFO)
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

MONGO_PORT="${MONGO_PORT:-27017}"
MONGO_WAIT_TIMEOUT="${MONGO_WAIT_TIMEOUT:-60}"
MONGO_STOP_TIMEOUT="${MONGO_STOP_TIMEOUT:-30}"
MONGO_REPLSET="rs0"
FERRETDB_MODULE="github.com/FerretDB/FerretDB"
FERRETDB_VERSIONS="${FERRETDB_VERSIONS:-v1.24.1 v1.24.0}"
FERRETDB_LOG_LEVEL="${FERRETDB_LOG_LEVEL:-INFO}"
FERRETDB_BIN="$BIN_DIR/ferretdb"
MONGO_JAVA_HEAP_OPTS="${MONGO_JAVA_HEAP_OPTS:--Xms64m -Xmx1g}"
MONGO_JAVA_POM="$SERVICES_DIR/mongo-java-pom.xml"
MONGO_JAVA_SRC="$SERVICES_DIR/MongoWireServer.java"
MONGO_JAVA_DIR="$CACHE_DIR/mongo-java"
MONGO_JAVA_LIBS="$MONGO_JAVA_DIR/libs"
MONGO_JAVA_CLASSES="$MONGO_JAVA_DIR/classes"
# mongod from PATH, or the one mongodb-memory-server downloaded (MONGO_KIND=memory-server).
MONGOD_BIN="mongod"

PIDFILE="$RUN_DIR/mongo-$MONGO_PORT.pid"
LOGFILE="$RUN_DIR/mongo-$MONGO_PORT.log"
# What the running server is (kind, version, data dir, replset), written at
# start so stop/status/wait act on what was started even if PATH changed.
KINDFILE="$RUN_DIR/mongo-$MONGO_PORT.kind"
NAME="mongo:$MONGO_PORT"

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

external() { external_mongo; }

report_external() {
  log "mongo: MONGODB_URI is set ($MONGODB_URI): using that server, nothing to $1"
}

# ---------------------------------------------------------------- choice ----

chosen_kind() {
  case "${MONGO_KIND:-auto}" in
    mongod | memory-server | mongo-java-server | ferretdb) echo "$MONGO_KIND" ;;
    auto) if command -v mongod >/dev/null 2>&1; then echo mongod; else echo mongo-java-server; fi ;;
    *) die "MONGO_KIND must be auto, mongod, memory-server, mongo-java-server or ferretdb (got '$MONGO_KIND')" ;;
  esac
}

# One line: why chosen_kind picked what it did (printed by up.sh).
chosen_reason() {
  if external; then
    echo "MONGODB_URI is set"
  elif [[ -n "${MONGO_KIND:-}" && "$MONGO_KIND" != auto ]]; then
    echo "MONGO_KIND=$MONGO_KIND"
  elif command -v mongod >/dev/null 2>&1; then
    echo "a mongod is on PATH ($(command -v mongod))"
  else
    echo "no MONGODB_URI, no mongod on PATH: the embedded default (atomic updates, indexed lookups, durable before reply; docs/mongodb.md)"
  fi
}

data_dir_for() { # data_dir_for KIND
  case "$1" in
    mongod | memory-server) echo "$CACHE_DIR/mongo/data-$MONGO_PORT" ;;
    mongo-java-server) echo "$MONGO_JAVA_DIR/data-$MONGO_PORT" ;;
    *) echo "$CACHE_DIR/ferretdb/data-$MONGO_PORT" ;;
  esac
}

# Loads KIND, VERSION, DATA_DIR, REPLSET from the kind file (empty if none).
load_kindfile() {
  KIND="" VERSION="" DATA_DIR="" REPLSET=""
  if [[ -s "$KINDFILE" ]]; then
    # shellcheck disable=SC1090 # written by write_kindfile below
    source "$KINDFILE"
  fi
}

write_kindfile() {
  printf 'KIND=%q\nVERSION=%q\nDATA_DIR=%q\nREPLSET=%q\n' "$KIND" "$VERSION" "$DATA_DIR" "$REPLSET" >"$KINDFILE"
}

# The data dir is on both servers' command lines, so it identifies our process.
is_running() {
  load_kindfile
  [[ -n "$DATA_DIR" ]] && pid_alive "$PIDFILE" "$DATA_DIR"
}

# -------------------------------------------------------------- FerretDB ----

ferretdb_works() { [[ -x "$FERRETDB_BIN" ]] && "$FERRETDB_BIN" --version >/dev/null 2>&1; }
ferretdb_version() { "$FERRETDB_BIN" --version 2>/dev/null | sed -n 's/^version: //p'; }

# Prints the module's source dir in the Go module cache, or fails when the
# proxy does not serve that version (v1.24.1 answers 403 at the time of writing).
ferretdb_module_dir() {
  local version="$1" json
  # Outside any module, so a go.mod/go.work in a parent dir cannot interfere.
  json="$(cd / && GOWORK=off go mod download -json "$FERRETDB_MODULE@$version" 2>&1)" || {
    printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' | sed 's/\\n.*//; s/^/[services]   /' >&2
    return 1
  }
  printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

# The module zip lacks the generated build/version/version.txt, and a binary
# built as the main module panics at init without it ("Invalid
# build/version/version.txt file content"). So: copy the read-only module
# source, write version.txt, build from the copy.
ferretdb_build_from() {
  local version="$1" moddir="$2" src="$CACHE_DIR/ferretdb/src-$1"
  rm -rf "$src"
  mkdir -p "$(dirname "$src")"
  cp -R "$moddir" "$src"
  chmod -R u+w "$src"
  echo "$version" >"$src/build/version/version.txt"
  echo "source" >"$src/build/version/package.txt"
  # -buildvcs=false: the copy sits inside this repo's git tree, whose commit
  # is not FerretDB's. -mod=mod: let go fill go.sum gaps instead of failing.
  (cd "$src" && GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" \
    go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) || {
    rm -rf "$src" "$FERRETDB_BIN.tmp"
    return 1
  }
  rm -rf "$src"
  "$FERRETDB_BIN.tmp" --version >/dev/null 2>&1 || {
    rm -f "$FERRETDB_BIN.tmp"
    warn "ferretdb $version: the built binary does not run"
    return 1
  }
  mv -f "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
}

build_ferretdb() {
  ferretdb_works && return 0
  take_lock ferretdb-build 8
  if ferretdb_works; then
    release_lock 8
    return 0
  fi
  [[ -e "$FERRETDB_BIN" ]] && warn "$FERRETDB_BIN exists but does not run (\`ferretdb --version\` fails); rebuilding it"
  require_cmd go "install Go 1.22+ to build FerretDB once; or put mongod on PATH, or set MONGODB_URI"
  mkdir -p "$BIN_DIR"
  local version moddir start
  for version in $FERRETDB_VERSIONS; do
    start="$(now_ms)"
    log "ferretdb: downloading $FERRETDB_MODULE@$version source via the Go module proxy"
    if ! moddir="$(ferretdb_module_dir "$version")" || [[ -z "$moddir" ]]; then
      log "ferretdb: $version is not available from the Go module proxy, trying the next version"
      continue
    fi
    log "ferretdb: building $version (first run only: fetches Go deps and compiles, a few minutes cold on 2 cores)"
    if ferretdb_build_from "$version" "$moddir"; then
      log "ferretdb: built $(ferretdb_version) into $FERRETDB_BIN in $(elapsed_s "$start")"
      release_lock 8
      return 0
    fi
    warn "ferretdb: building $version failed, trying the next version"
  done
  die "ferretdb: could not build any of: $FERRETDB_VERSIONS"
}

start_ferretdb() {
  build_ferretdb
  KIND=ferretdb
  VERSION="$(ferretdb_version)"
  DATA_DIR="$(data_dir_for ferretdb)"
  REPLSET=""
  local state_dir="$CACHE_DIR/ferretdb/state-$MONGO_PORT"
  mkdir -p "$DATA_DIR" "$state_dir"
  write_kindfile
  rotate_log "$LOGFILE"
  # --debug-addr=- disables the HTTP metrics/pprof listener (default
  # 127.0.0.1:8088 would clash between two instances); telemetry off because
  # nothing here may call out; --state-dir keeps state.json out of the cwd.
  spawn_daemon "$PIDFILE" "$LOGFILE" "$FERRETDB_BIN" \
    --handler=sqlite --sqlite-url="file:$DATA_DIR/" \
    --listen-addr="$SERVICES_HOST:$MONGO_PORT" \
    --state-dir="$state_dir" --debug-addr=- --telemetry=disable \
    --log-level="$FERRETDB_LOG_LEVEL"
}

# ----------------------------------------------------- mongo-java-server ----

mongo_java_version() { sed -n 's:.*<mongo-java-server.version>\(.*\)</mongo-java-server.version>.*:\1:p' "$MONGO_JAVA_POM"; }
mongo_java_stamp() { cat "$MONGO_JAVA_POM" "$MONGO_JAVA_SRC" | sha256sum | cut -d' ' -f1; }
mongo_java_ready() { [[ "$(cat "$MONGO_JAVA_CLASSES/.stamp" 2>/dev/null)" == "$(mongo_java_stamp)" ]]; }

# Jars from Maven Central (keyed by the pom and source hash, like Kafka's) and the launcher
# compiled once, so a start is one JVM launch (no compile on the start path).
build_mongo_java() {
  mongo_java_ready && return 0
  take_lock mongo-java-build 8
  if mongo_java_ready; then
    release_lock 8
    return 0
  fi
  require_cmd java "install a JDK 17+, e.g. apt-get install openjdk-17-jdk-headless"
  require_cmd javac "install a JDK 17+ (not only a JRE), e.g. apt-get install openjdk-17-jdk-headless"
  require_cmd mvn "install Maven 3.8+, e.g. apt-get install maven"
  local start tmp
  start="$(now_ms)"
  tmp="$MONGO_JAVA_DIR/build.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp/classes"
  log "mongo-java-server: fetching $(mongo_java_version) jars from Maven Central into $MONGO_JAVA_LIBS"
  # shellcheck disable=SC2086 # SERVICES_MVN_ARGS is a list of words on purpose
  if ! mvn -q -B -Dstyle.color=never -f "$MONGO_JAVA_POM" ${SERVICES_MVN_ARGS:-} \
    dependency:copy-dependencies -DoutputDirectory="$tmp/libs" -DincludeScope=runtime 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g'; then
    rm -rf "$tmp"
    die "mongo-java-server: Maven could not fetch the jars (see the Maven output above)"
  fi
  javac -nowarn -cp "$tmp/libs/*" -d "$tmp/classes" "$MONGO_JAVA_SRC" ||
    die "mongo-java-server: could not compile $MONGO_JAVA_SRC"
  mongo_java_stamp >"$tmp/classes/.stamp"
  rm -rf "$MONGO_JAVA_LIBS" "$MONGO_JAVA_CLASSES"
  mv "$tmp/libs" "$MONGO_JAVA_LIBS"
  mv "$tmp/classes" "$MONGO_JAVA_CLASSES"
  rm -rf "$tmp"
  log "mongo-java-server: $(find "$MONGO_JAVA_LIBS" -name '*.jar' | wc -l) jars fetched and launcher compiled in $(elapsed_s "$start")"
  release_lock 8
}

start_mongo_java() {
  build_mongo_java
  KIND=mongo-java-server
  VERSION="$(mongo_java_version)"
  DATA_DIR="$(data_dir_for mongo-java-server)"
  REPLSET=""
  mkdir -p "$DATA_DIR"
  write_kindfile
  rotate_log "$LOGFILE"
  # The data dir is on the command line (the store file sits in it), which is how is_running
  # recognises this process. SIGTERM runs the shutdown hook that closes the store cleanly.
  # A failed command is answered to its caller with its code; the wire handler's logger is off
  # because it also logged each one (E11000, "collection exists"…) with a stack trace.
  # shellcheck disable=SC2086 # heap opts are a word list on purpose
  spawn_daemon "$PIDFILE" "$LOGFILE" java $MONGO_JAVA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.showDateTime=true \
    -Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoWireProtocolHandler=off \
    -cp "$MONGO_JAVA_CLASSES:$MONGO_JAVA_LIBS/*" MongoWireServer \
    --host "$SERVICES_HOST" --port "$MONGO_PORT" --file "$DATA_DIR/store.mv"
}

# --------------------------------------------------- mongodb-memory-server ----

# mongodb-memory-server (a dev dependency) finds or downloads a real mongod for this platform;
# where the download is refused (no internet) this fails with its message and a hint.
locate_memory_server_mongod() {
  require_cmd node "install Node.js 20+"
  local path
  path="$(cd "$REPO_ROOT" && node -e "
    require('mongodb-memory-server-core').MongoBinary.getPath()
      .then((p) => console.log(p), (e) => { console.error(e.message); process.exit(1); })" 2>&1)" ||
    die "memory-server: mongodb-memory-server could not provide a mongod (${path##*$'\n'}); unset MONGO_KIND for the embedded default, or set MONGODB_URI"
  MONGOD_BIN="${path##*$'\n'}"
  [[ -x "$MONGOD_BIN" ]] || die "memory-server: $MONGOD_BIN is not executable"
}

# ---------------------------------------------------------------- mongod ----

mongod_version() { "$MONGOD_BIN" --version 2>/dev/null | sed -n 's/^db version v//p' | head -n1; }

# The replica set is initiated over the wire: by our node probe, else mongosh.
# With neither, mongod runs standalone (no transactions / change streams).
can_initiate() { command -v node >/dev/null 2>&1 || command -v mongosh >/dev/null 2>&1; }

start_mongod() { # start_mongod [KIND]
  KIND="${1:-mongod}"
  VERSION="$(mongod_version)"
  DATA_DIR="$(data_dir_for "$KIND")"
  REPLSET=""
  if can_initiate; then REPLSET="$MONGO_REPLSET"; else warn "mongo: neither node nor mongosh found: starting mongod standalone (no replica set)"; fi
  mkdir -p "$DATA_DIR"
  write_kindfile
  rotate_log "$LOGFILE"
  local args=(--port "$MONGO_PORT" --bind_ip "$SERVICES_HOST" --dbpath "$DATA_DIR"
    --nounixsocket --wiredTigerCacheSizeGB 0.25)
  # Small oplog: it is preallocated, and tests never need a long history.
  [[ -n "$REPLSET" ]] && args+=(--replSet "$REPLSET" --oplogSize 128)
  spawn_daemon "$PIDFILE" "$LOGFILE" "$MONGOD_BIN" "${args[@]}"
}

mongod_is_primary() {
  if command -v node >/dev/null 2>&1; then
    probe mongo-primary "$MONGO_PORT" >/dev/null
  else
    [[ "$(mongosh --quiet --port "$MONGO_PORT" --eval 'db.hello().isWritablePrimary' 2>/dev/null)" == true ]]
  fi
}

# Idempotent: "already initialized" (after a restart) counts as success.
mongod_initiate() {
  if command -v node >/dev/null 2>&1; then
    node "$SERVICES_DIR/probe.cjs" mongo-initiate "$SERVICES_HOST" "$MONGO_PORT" "$REPLSET" | sed 's/^/[services]   /'
  else
    mongosh --quiet --port "$MONGO_PORT" --eval "
      try { rs.initiate({_id: '$REPLSET', members: [{_id: 0, host: '$SERVICES_HOST:$MONGO_PORT'}]}); print('replica set $REPLSET initiated') }
      catch (e) { if (e.codeName !== 'AlreadyInitialized') throw e; print('replica set $REPLSET already initiated') }" |
      sed 's/^/[services]   /'
  fi
}

# -------------------------------------------------------------- commands ----

cmd_start() {
  if external; then
    report_external start
    return 0
  fi
  [[ "$MONGO_PORT" =~ ^[0-9]+$ ]] || die "MONGO_PORT must be a number"
  local kind
  kind="$(chosen_kind)"
  # Prepare before taking the start lock: a cold FerretDB build takes minutes.
  prepare_kind "$kind"
  take_lock "mongo-$MONGO_PORT" 9
  if is_running; then
    if probe mongo-hello "$MONGO_PORT" >/dev/null; then
      log "$NAME: already running ($KIND $VERSION, pid $(cat "$PIDFILE")) and answering"
    else
      log "$NAME: already running ($KIND $VERSION, pid $(cat "$PIDFILE")), not answering yet (use: mongo.sh wait)"
    fi
    return 0
  fi
  rm -f "$PIDFILE"
  port_open "$MONGO_PORT" &&
    die "$NAME: port $MONGO_PORT is already in use by a process this script did not start (set MONGODB_URI to use it, or pick another MONGO_PORT)"
  case "$kind" in
    mongod | memory-server) start_mongod "$kind" ;;
    mongo-java-server) start_mongo_java ;;
    ferretdb) start_ferretdb ;;
  esac
  log "$NAME: started $KIND $VERSION pid $(cat "$PIDFILE") (data $DATA_DIR, log $LOGFILE)"
}

cmd_wait() {
  if external; then
    report_external "wait for"
    return 0
  fi
  local start deadline initiated=""
  start="$(now_ms)"
  deadline=$((SECONDS + MONGO_WAIT_TIMEOUT))
  log "$NAME: waiting for the server (up to ${MONGO_WAIT_TIMEOUT}s)"
  while :; do
    if ! is_running; then
      rm -f "$PIDFILE"
      print_log_tail "$LOGFILE"
      die "$NAME: server process is not running (see $LOGFILE)"
    fi
    if probe mongo-hello "$MONGO_PORT" >/dev/null; then
      if [[ -z "$REPLSET" ]]; then break; fi
      if mongod_is_primary; then break; fi
      # First hello that answers: initiate once (no-op after a restart),
      # then keep polling until the election made this node primary.
      if [[ -z "$initiated" ]]; then
        mongod_initiate || warn "$NAME: replSetInitiate failed, will keep polling"
        initiated=1
      fi
    fi
    if ((SECONDS >= deadline)); then
      print_log_tail "$LOGFILE"
      die "$NAME: not ready after ${MONGO_WAIT_TIMEOUT}s (see $LOGFILE)"
    fi
    sleep 0.3
  done
  log "$NAME: ready after $(elapsed_s "$start") ($KIND $VERSION${REPLSET:+, replica set $REPLSET}, MONGODB_URI=$(uri))"
}

cmd_status() {
  if external; then
    report_external report
    return 0
  fi
  if is_running; then
    if probe mongo-hello "$MONGO_PORT" >/dev/null; then
      log "$NAME: running $KIND $VERSION (pid $(cat "$PIDFILE")), answering on $SERVICES_HOST:$MONGO_PORT"
    else
      log "$NAME: running $KIND $VERSION (pid $(cat "$PIDFILE")), NOT answering on $SERVICES_HOST:$MONGO_PORT"
    fi
    return 0
  fi
  log "$NAME: not running"
  return 3
}

cmd_stop() { # cmd_stop stop|kill
  if external; then
    report_external stop
    return 0
  fi
  load_kindfile
  if [[ -z "$DATA_DIR" ]]; then
    log "$NAME: not running (never started here)"
    return 0
  fi
  if [[ "$1" == kill ]]; then
    kill_pid "$NAME" "$PIDFILE" "$DATA_DIR"
  else
    stop_pid "$NAME" "$PIDFILE" "$DATA_DIR" "$MONGO_STOP_TIMEOUT"
  fi
}

cmd_kind() {
  if external; then
    echo "external"
  elif is_running; then
    echo "$KIND $VERSION"
  else
    case "$(chosen_kind)" in
      mongod) echo "mongod $(mongod_version)" ;;
      memory-server) echo "memory-server (mongod downloaded by mongodb-memory-server)" ;;
      mongo-java-server) echo "mongo-java-server $(mongo_java_version)" ;;
      ferretdb) if ferretdb_works; then echo "ferretdb $(ferretdb_version)"; else echo "ferretdb (not built yet)"; fi ;;
    esac
  fi
}

# Everything a kind needs before it can start; a no-op when cached.
prepare_kind() { # prepare_kind KIND
  case "$1" in
    ferretdb) build_ferretdb ;;
    mongo-java-server) build_mongo_java ;;
    memory-server) locate_memory_server_mongod ;;
    mongod) ;;
  esac
}

# directConnection=true: talk to this one node without replica-set discovery
# (harmless for FerretDB, and for the single-node rs0 it is the primary anyway).
uri() {
  if external; then echo "$MONGODB_URI"; else echo "mongodb://$SERVICES_HOST:$MONGO_PORT/?directConnection=true"; fi
}

main() {
  [[ $# -eq 1 ]] || usage
  case "$1" in
    start) cmd_start ;;
    wait) cmd_wait ;;
    stop) cmd_stop stop ;;
    kill) cmd_stop kill ;;
    status) cmd_status ;;
    restart)
      cmd_stop stop
      cmd_start
      ;;
    build) if ! external; then prepare_kind "$(chosen_kind)"; fi ;;
    kind) cmd_kind ;;
    why) chosen_reason ;;
    env) echo "export MONGODB_URI='$(uri)'" ;;
    *) usage ;;
  esac
}

main "$@"

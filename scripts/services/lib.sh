# shellcheck shell=bash
# Shared helpers for scripts/services/*.sh. Sourced, never executed.
#
# Everything lives under $SERVICES_CACHE_DIR (default <repo>/.cache, git-ignored)
# so a fresh clone provisions itself and `rm -rf .cache` resets everything.
# SERVICES_CACHE_DIR can point elsewhere to measure a cold provisioning run
# without touching the warm cache.

SERVICES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SERVICES_DIR/../.." && pwd)"
CACHE_DIR="${SERVICES_CACHE_DIR:-$REPO_ROOT/.cache}"
RUN_DIR="$CACHE_DIR/run"
BIN_DIR="$CACHE_DIR/bin"
# Everything binds to loopback only: the workplace forbids other targets.
SERVICES_HOST=127.0.0.1

log() { printf '[services] %s\n' "$*"; }
warn() { printf '[services] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[services] ERROR: %s\n' "$*" >&2
  exit 1
}

# Fail early with a message that says what to install, instead of a
# "command not found" somewhere deep in a pipeline.
require_cmd() {
  local cmd="$1" hint="$2"
  command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is required but not on PATH ($hint)"
}

# Milliseconds since the epoch, for the timings printed in progress lines.
now_ms() { date +%s%3N; }
elapsed_s() { # elapsed_s START_MS -> "12.3s"
  local ms=$(($(now_ms) - $1))
  printf '%d.%01ds' $((ms / 1000)) $(((ms % 1000) / 100))
}

ensure_dirs() { mkdir -p "$RUN_DIR" "$BIN_DIR"; }

# Serialise concurrent callers (parallel test workers, up.sh's background
# jobs) on a named lock file. The caller picks the fd (distinct fds let one
# script hold two locks); it stays locked until release_lock or shell exit.
take_lock() { # take_lock NAME FD [TIMEOUT_S]
  local name="$1" fd="$2" timeout="${3:-900}"
  ensure_dirs
  command -v flock >/dev/null 2>&1 || return 0
  eval "exec $fd>\"\$RUN_DIR/\$name.lock\""
  flock -w "$timeout" "$fd" || die "timed out after ${timeout}s waiting for lock $RUN_DIR/$name.lock"
}
release_lock() { # release_lock FD
  command -v flock >/dev/null 2>&1 || return 0
  eval "exec $1>&-"
}

# KAFKA_BROKERS / MONGODB_URI name an external server that these scripts must
# leave alone - unless the value is the one up.sh itself wrote to
# services.env (SERVICES_UP_*): a shell that sourced services.env and then runs
# up.sh again after down.sh must get its services restarted, not "external".
external_kafka() { [[ -n "${KAFKA_BROKERS:-}" && "${KAFKA_BROKERS}" != "${SERVICES_UP_KAFKA_BROKERS:-}" ]]; }
external_mongo() { [[ -n "${MONGODB_URI:-}" && "${MONGODB_URI}" != "${SERVICES_UP_MONGODB_URI:-}" ]]; }

# pid_alive PIDFILE MATCH: true when the pid in PIDFILE runs and its command
# line contains MATCH (guards against a recycled pid after a reboot or crash).
pid_alive() {
  local pidfile="$1" match="$2" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(cat "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$match"
}

# pid_gone PID: exited - or a zombie, should nobody reap it (a container whose
# PID 1 is not an init): kill -0 still succeeds on zombies.
pid_gone() {
  ! kill -0 "$1" 2>/dev/null || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# port_open PORT: a plain TCP connect to loopback (bash's /dev/tcp, no nc needed).
port_open() {
  (exec 3<>"/dev/tcp/$SERVICES_HOST/$1") 2>/dev/null
}

# stop_pid NAME PIDFILE MATCH TIMEOUT_S: SIGTERM, wait, then SIGKILL.
stop_pid() {
  local name="$1" pidfile="$2" match="$3" timeout="${4:-30}" pid i
  if ! pid_alive "$pidfile" "$match"; then
    log "$name: not running"
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  log "$name: stopping pid $pid (SIGTERM, up to ${timeout}s)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    pid_gone "$pid" && break
    sleep 0.1
  done
  if ! pid_gone "$pid"; then
    warn "$name: still alive after ${timeout}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      pid_gone "$pid" && break
      sleep 0.1
    done
  fi
  rm -f "$pidfile"
  log "$name: stopped"
}

# kill_pid NAME PIDFILE MATCH: SIGKILL at once, for crash/fault tests.
kill_pid() {
  local name="$1" pidfile="$2" match="$3" pid i
  if ! pid_alive "$pidfile" "$match"; then
    log "$name: not running"
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  log "$name: killing pid $pid (SIGKILL)"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    pid_gone "$pid" && break
    sleep 0.1
  done
  rm -f "$pidfile"
}

# Start a detached daemon: setsid puts it in its own session so it outlives
# the calling shell, CI step or Ctrl-C of a test run. stdin is closed, stdout
# and stderr go to LOGFILE. Writes the pid (setsid execs, so $! is the pid of
# the daemon itself: a non-interactive shell's background child is never a
# process-group leader, so setsid does not fork). The lock fds (7-9) are
# closed in the child, or the daemon would hold the start lock forever.
spawn_daemon() {
  local pidfile="$1" logfile="$2"
  shift 2
  setsid "$@" </dev/null >>"$logfile" 2>&1 7>&- 8>&- 9>&- &
  echo $! >"$pidfile"
}

# Keep the previous run's log for post-mortems, start the new one empty so
# readiness checks that grep the log only see this run's lines.
rotate_log() {
  local logfile="$1"
  if [[ -e "$logfile" ]]; then mv -f "$logfile" "$logfile.prev"; fi
  : >"$logfile"
}

print_log_tail() {
  local logfile="$1" lines="${2:-40}"
  if [[ -s "$logfile" ]]; then
    printf '[services] ---- last %d lines of %s ----\n' "$lines" "$logfile" >&2
    tail -n "$lines" "$logfile" >&2
    printf '[services] ---- end of log ----\n' >&2
  fi
}

# probe KIND PORT...: a real protocol round-trip via scripts/services/probe.cjs
# (no npm packages needed). Without node, fall back to a TCP connect.
probe() {
  local kind="$1"
  shift
  if command -v node >/dev/null 2>&1; then
    node "$SERVICES_DIR/probe.cjs" "$kind" "$SERVICES_HOST" "$@" 2>/dev/null
  else
    port_open "$1"
  fi
}

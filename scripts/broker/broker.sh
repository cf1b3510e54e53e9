#!/usr/bin/env bash
# Local Apache RocketMQ 5 for junoevent tests: NameServer + Proxy in "local" mode
# (the Broker runs inside the Proxy JVM), built from Maven Central jars. Loopback only
# where RocketMQ lets us choose (see README.md beside this script for the listeners that cannot be).
#
#   scripts/broker/broker.sh fetch    download the jars once into the cache (marker file = complete)
#   scripts/broker/broker.sh start    fetch if needed, start NameServer + Proxy, create topics, wait for routes
#   scripts/broker/broker.sh stop     stop Proxy, then NameServer (pid files; TERM, then KILL after a bound)
#   scripts/broker/broker.sh status   print state; exit 0 when both are up, 3 otherwise
#   scripts/broker/broker.sh admin …  run mqadmin (e.g. admin topicList -n 127.0.0.1:9876)
#
# Environment (all optional):
#   JUNOEVENT_RMQ_VERSION        RocketMQ version                  (5.3.3)
#   JUNOEVENT_RMQ_CACHE          jar cache dir                     ($HOME/.cache/junoevent/rocketmq-<version>)
#   JUNOEVENT_RMQ_WORK           config, logs, store, pid files    (<repo>/.rocketmq)
#   JUNOEVENT_RMQ_TOPICS         topics, comma/space separated, each NAME or NAME:TYPE with TYPE in
#                                NORMAL|FIFO|DELAY|TRANSACTION     (juno_test_job)
#   JUNOEVENT_RMQ_QUEUES         read = write queues per topic     (4)
#   JUNOEVENT_RMQ_KEEP_DATA=1    keep the message store across start (default: wiped on each start)
#   JUNOEVENT_RMQ_START_TIMEOUT  seconds per process to become ready (120)
#   JUNOEVENT_RMQ_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (30; the proxy's
#                                graceful shutdown takes ~15s; 0 = kill at once, fine for throwaway data)
#   JUNOEVENT_RMQ_PROXY_HEAP     heap of the Proxy+Broker JVM      (512m)
#   JAVA_HOME / MVN              java and maven to use
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
readonly SCRIPT_DIR REPO_DIR

readonly RMQ_VERSION="${JUNOEVENT_RMQ_VERSION:-5.3.3}"
readonly CACHE_DIR="${JUNOEVENT_RMQ_CACHE:-${HOME:-/root}/.cache/junoevent/rocketmq-$RMQ_VERSION}"
readonly WORK_DIR="${JUNOEVENT_RMQ_WORK:-$REPO_DIR/.rocketmq}"
readonly TOPICS="${JUNOEVENT_RMQ_TOPICS:-juno_test_job}"
readonly QUEUES="${JUNOEVENT_RMQ_QUEUES:-4}"
readonly START_TIMEOUT="${JUNOEVENT_RMQ_START_TIMEOUT:-120}"
readonly STOP_TIMEOUT="${JUNOEVENT_RMQ_STOP_TIMEOUT:-30}"
readonly PROXY_HEAP="${JUNOEVENT_RMQ_PROXY_HEAP:-512m}"
readonly MVN_BIN="${MVN:-mvn}"

readonly HOST=127.0.0.1
readonly NAMESRV_PORT=9876
readonly BROKER_PORT=10911      # broker also opens BROKER_PORT-2 (fast) and BROKER_PORT+1 (HA)
readonly GRPC_PORT=8081         # what the Node client connects to
readonly PROXY_REMOTING_PORT=18080
readonly NAMESRV_ADDR="$HOST:$NAMESRV_PORT"

readonly MARKER="$CACHE_DIR/.junoevent-complete"
readonly LIB_DIR="$CACHE_DIR/lib"
readonly CONF_DIR="$WORK_DIR/conf"
readonly OUT_DIR="$WORK_DIR/out"
readonly HOME_DIR="$WORK_DIR/home"          # user.home and rocketmq.home.dir of every JVM
readonly LOG_DIR="$HOME_DIR/logs/rocketmqlogs"
readonly STORE_DIR="$WORK_DIR/store"

log() { printf '[broker.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "java not found (install a JDK >= 11 or set JAVA_HOME)"
  fi
}

# ---------------------------------------------------------------- fetch

cache_complete() {
  [[ -f "$MARKER" && -d "$LIB_DIR" ]] && [[ "$(cat "$MARKER" 2>/dev/null)" == "version=$RMQ_VERSION "* ]]
}

cmd_fetch() {
  if cache_complete; then
    log "jars already cached: $LIB_DIR ($(find "$LIB_DIR" -name '*.jar' | wc -l) jars)"
    return 0
  fi
  command -v "$MVN_BIN" >/dev/null 2>&1 || die "maven ($MVN_BIN) not found"
  mkdir -p "$(dirname "$CACHE_DIR")"
  # download into a private temp dir, then move into place: an interrupted run never looks complete
  local tmp="$CACHE_DIR.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  local t0=$SECONDS
  log "downloading RocketMQ $RMQ_VERSION runtime jars with maven (one time)..."
  if ! "$MVN_BIN" -B -q -f "$SCRIPT_DIR/pom.xml" \
      -Drocketmq.version="$RMQ_VERSION" \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp/lib" </dev/null >"$tmp/mvn.log" 2>&1; then
    tail -n 40 "$tmp/mvn.log" >&2 || true
    rm -rf "$tmp"
    die "maven copy-dependencies failed"
  fi
  local n
  n=$(find "$tmp/lib" -name '*.jar' | wc -l)
  for j in rocketmq-namesrv rocketmq-proxy rocketmq-broker rocketmq-tools; do
    [[ -f "$tmp/lib/$j-$RMQ_VERSION.jar" ]] || { rm -rf "$tmp"; die "missing $j-$RMQ_VERSION.jar after download"; }
  done
  printf 'version=%s jars=%s fetched=%s\n' "$RMQ_VERSION" "$n" "$(date -u +%FT%TZ)" >"$tmp/.junoevent-complete"
  rm -rf "$CACHE_DIR"
  mv "$tmp" "$CACHE_DIR"
  log "cached $n jars ($(du -sh "$LIB_DIR" | cut -f1)) in $((SECONDS - t0))s: $LIB_DIR"
}

# ---------------------------------------------------------------- JVM helpers

# Flags shared by every JVM. The --add-opens/--add-exports pairs are what the store and remoting
# code reach into on JDK 9+ (DirectBuffer cleaner, MappedByteBuffer reflection).
jvm_common() {
  local role="$1"
  JVM_ARGS=(
    -server -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-OmitStackTraceInFastThrow
    -Djava.net.preferIPv4Stack=true -Dfile.encoding=UTF-8
    -Duser.home="$HOME_DIR" -Drocketmq.home.dir="$HOME_DIR"
    -Drmq.logback.configurationFile="rmq.$role.logback.xml"
    --add-opens=java.base/java.lang=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
    --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
    --add-exports=java.base/sun.security.x509=ALL-UNNAMED
    -Djunoevent.rmq.role="$role" -Djunoevent.rmq.work="$WORK_DIR"
    -cp "$LIB_DIR/*"
  )
}

pid_file() { printf '%s/%s.pid\n' "$WORK_DIR" "$1"; }

# Prints the pid of a role when its pid file points at a live JVM started by this script for this
# work dir (guards against stale files and recycled pids). Returns 1 otherwise.
live_pid() {
  local role="$1" f pid
  f="$(pid_file "$role")"
  [[ -f "$f" ]] || return 1
  pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  local cmd
  cmd="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  grep -qxF -- "-Djunoevent.rmq.role=$role" <<<"$cmd" || return 1
  grep -qxF -- "-Djunoevent.rmq.work=$WORK_DIR" <<<"$cmd" || return 1
  printf '%s\n' "$pid"
}

# True while the process exists and is not a zombie (a JVM started by this very script stays a
# zombie after it dies until the script exits, and kill -0 still succeeds on zombies).
alive() {
  local pid="$1" state
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)"
  [[ -n "$state" && "$state" != Z ]]
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

dump_logs() {
  local role="$1"
  log "---- last lines of $OUT_DIR/$role.out ----"
  tail -n 40 "$OUT_DIR/$role.out" >&2 2>/dev/null || true
  local f
  for f in "$LOG_DIR/$role.log" "$LOG_DIR/broker.log" "$LOG_DIR/broker_default.log"; do
    [[ "$role" == namesrv && "$f" == *broker* ]] && continue
    if [[ -s "$f" ]]; then
      log "---- last lines of $f ----"
      tail -n 30 "$f" >&2 || true
    fi
  done
}

# Starts a JVM in its own session, detached from stdin, and records its pid.
launch() {
  local role="$1"; shift
  local java; java="$(java_bin)"
  jvm_common "$role"
  # ( exec setsid … ): the subshell is not a process-group leader, so setsid does not fork and
  # $! is the java pid. Its own session keeps Ctrl-C / hangups of the caller away from it.
  if command -v setsid >/dev/null 2>&1; then
    ( exec setsid "$java" "${JVM_ARGS[@]}" "$@" </dev/null >"$OUT_DIR/$role.out" 2>&1 ) &
  else
    ( exec nohup "$java" "${JVM_ARGS[@]}" "$@" </dev/null >"$OUT_DIR/$role.out" 2>&1 ) &
  fi
  echo $! >"$(pid_file "$role")"
}

# Waits until the role's stdout shows $2 and TCP $3 accepts; fails fast when the JVM exits.
wait_ready() {
  local role="$1" banner="$2" port="$3" t0=$SECONDS pid
  pid="$(tr -dc '0-9' <"$(pid_file "$role")")"
  while (( SECONDS - t0 < START_TIMEOUT )); do
    if ! alive "$pid"; then
      dump_logs "$role"
      die "$role (pid $pid) exited during start-up"
    fi
    if grep -qF -- "$banner" "$OUT_DIR/$role.out" 2>/dev/null && port_open "$HOST" "$port"; then
      log "$role ready on $HOST:$port after $((SECONDS - t0))s (pid $pid)"
      return 0
    fi
    sleep 0.5
  done
  dump_logs "$role"
  die "$role not ready within ${START_TIMEOUT}s"
}

# The embedded broker registers with the NameServer only on its first periodic registration,
# ~10s after "rocketmq-proxy startup successfully"; a topic created before that reaches the
# NameServer only then. Wait for the registration line in broker.log (cheaper than mqadmin).
wait_registered() {
  local t0=$SECONDS pid
  pid="$(tr -dc '0-9' <"$(pid_file proxy)")"
  while (( SECONDS - t0 < START_TIMEOUT )); do
    if ! alive "$pid"; then
      dump_logs proxy
      die "proxy (pid $pid) exited before the broker registered"
    fi
    if grep -qF "Registering current broker to name server completed" "$LOG_DIR/broker.log" 2>/dev/null; then
      log "broker registered with the NameServer after $((SECONDS - t0))s"
      return 0
    fi
    sleep 0.5
  done
  dump_logs proxy
  die "broker did not register with the NameServer within ${START_TIMEOUT}s"
}

mqadmin() {
  local java; java="$(java_bin)"
  jvm_common tools
  "$java" -Xms64m -Xmx192m "${JVM_ARGS[@]}" org.apache.rocketmq.tools.command.MQAdminStartup "$@" </dev/null 2>&1
}

# ---------------------------------------------------------------- config

write_configs() {
  mkdir -p "$CONF_DIR" "$OUT_DIR" "$HOME_DIR" "$STORE_DIR"
  cat >"$CONF_DIR/namesrv.conf" <<EOF
listenPort=$NAMESRV_PORT
bindAddress=$HOST
EOF
  cat >"$CONF_DIR/broker.conf" <<EOF
brokerClusterName=DefaultCluster
brokerName=broker-a
brokerId=0
brokerRole=ASYNC_MASTER
flushDiskType=ASYNC_FLUSH
namesrvAddr=$NAMESRV_ADDR
# the proxy tells gRPC clients to connect to brokerIP1:grpcServerPort
brokerIP1=$HOST
listenPort=$BROKER_PORT
bindAddress=$HOST
storePathRootDir=$STORE_DIR
storePathCommitLog=$STORE_DIR/commitlog
# topics are created explicitly, as in production
autoCreateTopicEnable=false
autoCreateSubscriptionGroup=true
# small store for tests
mappedFileSizeCommitLog=67108864
mappedFileSizeConsumeQueue=300000
maxHashSlotNum=50000
maxIndexNum=200000
# tolerate slow CI disks and CPUs
waitTimeMillsInSendQueue=3000
osPageCacheBusyTimeOutMills=5000
# the timer wheel (delay messages) is compared byte by byte and msync'ed every flush; at the
# default 1s that costs ~15-25% of a core while idle. Persisting it every 10s is plenty for tests.
timerFlushIntervalMs=10000
EOF
  cat >"$CONF_DIR/rmq-proxy.json" <<EOF
{
  "rocketMQClusterName": "DefaultCluster",
  "proxyMode": "local",
  "namesrvAddr": "$NAMESRV_ADDR",
  "grpcServerPort": $GRPC_PORT,
  "remotingListenPort": $PROXY_REMOTING_PORT,
  "localServeAddr": "$HOST",
  "remotingAccessAddr": "$HOST",
  "grpcShutdownTimeSeconds": 3,
  "enablePrintJstack": false
}
EOF
}

# ---------------------------------------------------------------- topics

# NAME or NAME:TYPE -> "NAME TYPE"; dies on a bad spec
parse_topic() {
  local spec="$1" name type="NORMAL"
  name="${spec%%:*}"
  if [[ "$spec" == *:* ]]; then type="${spec#*:}"; fi
  type="${type^^}"
  [[ "$name" =~ ^[A-Za-z0-9_%|-]{1,127}$ ]] || die "invalid topic name: '$name'"
  [[ "$type" =~ ^(NORMAL|FIFO|DELAY|TRANSACTION)$ ]] || die "invalid topic type for $name: '$type'"
  printf '%s %s\n' "$name" "$type"
}

validate_topics() {
  local t
  for t in ${TOPICS//,/ }; do parse_topic "$t" >/dev/null; done
}

create_topic() {
  local name type out i
  read -r name type < <(parse_topic "$1")
  # mqadmin exits 0 even on failure: judge by its output. Retry briefly in case the broker
  # is not yet accepting admin requests.
  for i in 1 2 3 4 5; do
    out="$(mqadmin updateTopic -n "$NAMESRV_ADDR" -b "$HOST:$BROKER_PORT" -t "$name" \
      -r "$QUEUES" -w "$QUEUES" -a "+message.type=$type" || true)"
    if grep -qF "create topic to $HOST:$BROKER_PORT success." <<<"$out"; then
      break
    fi
    (( i == 5 )) && { printf '%s\n' "$out" | tail -n 30 >&2; die "updateTopic $name failed"; }
    log "updateTopic $name not accepted yet (try $i), retrying"
    sleep 2
  done
  # the route reaches the NameServer asynchronously (next broker registration)
  for i in $(seq 1 30); do
    out="$(mqadmin topicRoute -n "$NAMESRV_ADDR" -t "$name" || true)"
    if grep -qF '"brokerName"' <<<"$out"; then
      log "topic $name ($type, $QUEUES queues) routable"
      return 0
    fi
    sleep 1
  done
  printf '%s\n' "$out" | tail -n 20 >&2
  die "no route for topic $name after 30 polls"
}

create_topics() {
  local t
  for t in ${TOPICS//,/ }; do
    create_topic "$t"
  done
}

# ---------------------------------------------------------------- start / stop / status

start_failed() {
  local rc=$?
  trap - EXIT INT TERM
  (( rc == 0 )) && return 0
  log "start failed (exit $rc); stopping what was started (work dir $WORK_DIR)"
  stop_role proxy 5 || true
  stop_role namesrv 5 || true
  exit "$rc"
}

cmd_start() {
  local t0=$SECONDS
  validate_topics
  if live_pid namesrv >/dev/null && live_pid proxy >/dev/null; then
    log "already running (work dir $WORK_DIR); ensuring topics"
    create_topics
    return 0
  fi
  # a half-running previous instance: stop it cleanly first
  if live_pid namesrv >/dev/null || live_pid proxy >/dev/null; then
    log "partial previous instance found; stopping it first"
    cmd_stop
  fi
  rm -f "$(pid_file namesrv)" "$(pid_file proxy)"

  # from here on, any failure (die, set -e, Ctrl-C, CI timeout) stops whatever was started
  trap 'start_failed' EXIT
  trap 'exit 130' INT TERM

  local p
  for p in $NAMESRV_PORT $GRPC_PORT $BROKER_PORT $((BROKER_PORT - 2)) $((BROKER_PORT + 1)) $PROXY_REMOTING_PORT; do
    port_open "$HOST" "$p" && die "port $p is already in use by another process"
  done

  cmd_fetch
  java_bin >/dev/null
  # keep one generation of logs for post-mortems; fresh ones make the log greps unambiguous
  rm -rf "$OUT_DIR" "$WORK_DIR/logs.prev"
  if [[ -d "$HOME_DIR/logs" ]]; then mv "$HOME_DIR/logs" "$WORK_DIR/logs.prev"; fi
  if [[ "${JUNOEVENT_RMQ_KEEP_DATA:-0}" != 1 ]]; then
    rm -rf "$STORE_DIR" "$HOME_DIR"
  fi
  write_configs
  # the proxy resolves the local host name at class load; an unresolvable name stalls it
  getent hosts "$(uname -n)" >/dev/null 2>&1 || log "warning: host name '$(uname -n)' does not resolve; start-up may stall"

  log "starting NameServer on $NAMESRV_ADDR"
  launch namesrv -Xms128m -Xmx256m \
    org.apache.rocketmq.namesrv.NamesrvStartup -c "$CONF_DIR/namesrv.conf"
  wait_ready namesrv "The Name Server boot success" "$NAMESRV_PORT"

  log "starting Proxy (local mode, embedded Broker) gRPC :$GRPC_PORT"
  launch proxy -Xms"$PROXY_HEAP" -Xmx"$PROXY_HEAP" -XX:MaxDirectMemorySize=512m \
    org.apache.rocketmq.proxy.ProxyStartup -pm local \
    -pc "$CONF_DIR/rmq-proxy.json" -bc "$CONF_DIR/broker.conf" -n "$NAMESRV_ADDR"
  wait_ready proxy "rocketmq-proxy startup successfully" "$GRPC_PORT"
  wait_registered
  create_topics
  trap - EXIT INT TERM
  log "RocketMQ $RMQ_VERSION up in $((SECONDS - t0))s: gRPC endpoint $HOST:$GRPC_PORT, NameServer $NAMESRV_ADDR"
}

stop_role() {
  local role="$1" timeout="${2:-$STOP_TIMEOUT}" pid i
  if ! pid="$(live_pid "$role")"; then
    rm -f "$(pid_file "$role")"
    log "$role not running"
    return 0
  fi
  local t0=$SECONDS
  kill -TERM "$pid" 2>/dev/null || true
  for (( i = 0; i < timeout * 4; i++ )); do
    alive "$pid" || break
    sleep 0.25
  done
  if alive "$pid"; then
    log "$role (pid $pid) still alive after ${timeout}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for (( i = 0; i < 40; i++ )); do
      alive "$pid" || break
      sleep 0.25
    done
  fi
  if alive "$pid"; then
    die "$role (pid $pid) did not exit"
  fi
  rm -f "$(pid_file "$role")"
  log "$role stopped (pid $pid) in $((SECONDS - t0))s"
}

cmd_stop() {
  # clients should have shut down before this; the proxy goes first so the broker unregisters
  stop_role proxy
  stop_role namesrv
}

cmd_status() {
  local up=0 role pid
  for role in namesrv proxy; do
    if pid="$(live_pid "$role")"; then
      printf '%-8s running  pid %s\n' "$role" "$pid"
      up=$((up + 1))
    else
      printf '%-8s stopped\n' "$role"
    fi
  done
  if (( up == 2 )) && port_open "$HOST" "$NAMESRV_PORT" && port_open "$HOST" "$GRPC_PORT"; then
    printf 'up: gRPC %s:%s, NameServer %s (work dir %s)\n' "$HOST" "$GRPC_PORT" "$NAMESRV_ADDR" "$WORK_DIR"
    return 0
  fi
  printf 'down\n'
  return 3
}

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    fetch) cmd_fetch ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    admin)
      cache_complete || die "jars not fetched; run: $0 fetch"
      mkdir -p "$HOME_DIR"
      mqadmin "$@" ;;
    -h|--help|help) usage ;;
    *) printf 'broker.sh: unknown command %s\n\n' "${cmd:-(none)}" >&2; usage >&2; exit 2 ;;
  esac
}

main "$@"

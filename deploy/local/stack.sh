# The local stack (sourced, not run): vela-broker, vela-kubesim, vela-scheduler and one
# vela-worker per region, all on loopback, state in one folder. Used by `make demo`,
# deploy/local/up.sh and the integration tests.
#
#   stack_start DIR CLUSTERS [kubesim options...]   CLUSTERS: name:region,... e.g.
#                                                   beijing-1:cn,beijing-2:cn,us-west-1:us
#   stack_join DIR CLUSTERS                         vela cluster join each simulated cluster
#   stack_stop DIR                                  stops everything started in DIR
#   stack_env DIR                                   prints the environment the CLI needs
#
# Environment: VELA_BIN (default build/bin), STACK_PORT (broker port, default: a free one),
# STACK_ADMIN_PORT (kubesim's fault-injection endpoint), STACK_READY_DELAY_MS (default 300),
# STACK_SCHEDULER_ARGS / STACK_WORKER_ARGS (extra options, e.g. "--concurrency 256").

STACK_BIN=${VELA_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin}

# Picks below the kernel's ephemeral range (ip_local_port_range), so that a port chosen here
# is not taken meanwhile by an outgoing connection or by kubesim's listeners on port 0.
stack_free_port() {
  local p lo=32768 span
  read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
  span=$((lo - 20000))
  [ "$span" -ge 1000 ] || span=12000
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % span))
    if ! (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# stack_wait SECONDS CMD...: retries CMD every 0.2 s until it succeeds.
stack_wait() {
  local deadline=$((SECONDS + $1))
  shift
  while [ $SECONDS -lt "$deadline" ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  "$@"
}

stack_env() {
  local dir=$1
  echo "export VELA_BOOTSTRAP_SERVERS=127.0.0.1:$(cat "$dir/broker.port")"
  echo "export VELA_SECRET_KEY_FILE=$dir/secret.key"
  echo "export VELA_KAFKA_PROFILE=embedded"
}

# stack_daemon DIR NAME CMD...: starts CMD in the background, logging to DIR/NAME.log.
stack_daemon() {
  local dir=$1 name=$2
  shift 2
  "$@" >>"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

stack_regions() {
  tr ',' '\n' <<<"$1" | awk -F: '{print ($2 == "" ? "default" : $2)}' | sort -u
}

stack_start() {
  local dir=$1 clusters=$2
  shift 2
  mkdir -p "$dir"
  local port=${STACK_PORT:-$(stack_free_port)}
  local admin=${STACK_ADMIN_PORT:-$(stack_free_port)}
  echo "$port" >"$dir/broker.port"
  echo "$admin" >"$dir/admin.port"
  eval "$(stack_env "$dir")"
  local names regions
  names=$(tr ',' '\n' <<<"$clusters" | cut -d: -f1 | paste -sd, -)
  regions=$(stack_regions "$clusters" | paste -sd, -)
  # shellcheck disable=SC2086 # STACK_BROKER_ARGS is a list of options
  stack_daemon "$dir" broker "$STACK_BIN/vela-broker" --listen "127.0.0.1:$port" --regions "$regions" \
    ${STACK_BROKER_ARGS:-}
  stack_daemon "$dir" kubesim "$STACK_BIN/vela-kubesim" --clusters "$names" --dir "$dir/sim" \
    --ready-delay-ms "${STACK_READY_DELAY_MS:-300}" --admin "127.0.0.1:$admin" "$@"
  stack_wait 20 bash -c "echo >/dev/tcp/127.0.0.1/$port" ||
    { echo "error: vela-broker did not start; see $dir/broker.log" >&2; return 1; }
  local name server
  for name in $(tr ',' ' ' <<<"$names"); do
    stack_wait 60 test -s "$dir/sim/$name.kubeconfig" ||
      { echo "error: vela-kubesim did not start; see $dir/kubesim.log" >&2; return 1; }
    server=$(awk '/server:/ {print $2; exit}' "$dir/sim/$name.kubeconfig")
    server=${server#https://}
    stack_wait 30 bash -c "echo >/dev/tcp/${server%:*}/${server##*:}" ||
      { echo "error: cluster $name does not listen on $server; see $dir/kubesim.log" >&2; return 1; }
  done
  # shellcheck disable=SC2086 # word-split on purpose: extra options
  stack_daemon "$dir" scheduler "$STACK_BIN/vela-scheduler" ${STACK_SCHEDULER_ARGS:-}
  local r
  for r in $(stack_regions "$clusters"); do
    # shellcheck disable=SC2086
    stack_daemon "$dir" "worker-$r" "$STACK_BIN/vela-worker" --region "$r" ${STACK_WORKER_ARGS:-}
  done
}

stack_join() {
  local dir=$1 clusters=$2 c name region
  eval "$(stack_env "$dir")"
  for c in $(tr ',' ' ' <<<"$clusters"); do
    name=${c%%:*}
    region=${c#*:}
    [ "$region" = "$c" ] && region=default
    "$STACK_BIN/vela" cluster join "$dir/sim/$name.kubeconfig" --name "$name" --region "$region" ||
      return 1
  done
}

stack_stop() {
  local dir=$1 f pid
  for f in "$dir"/worker-*.pid "$dir"/scheduler.pid "$dir"/kubesim.pid "$dir"/broker.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    rm -f "$f"
  done
}

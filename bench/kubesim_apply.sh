#!/usr/bin/env bash
# Server-side applies per second that vela-kubesim sustains: starts CLUSTERS simulated
# clusters (token auth), then curl --parallel sends PER_CLUSTER server-side applies to each
# over keep-alive connections, twice (first creates, second updates every deployment).
# Usage: bench/kubesim_apply.sh [BIN_DIR]   env: CLUSTERS (100), PER_CLUSTER (30), PARALLEL (64)
set -euo pipefail
BIN=${1:-${VELA_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}}
CLUSTERS=${CLUSTERS:-100}
PER_CLUSTER=${PER_CLUSTER:-30}
PARALLEL=${PARALLEL:-64}
work=$(mktemp -d /tmp/kubesim-bench.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$BIN/vela-kubesim" --count "$CLUSTERS" --dir "$work/sim" --auth token --ready-delay-ms 0 \
  >"$work/kubesim.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do grep -q 'msg="ready"' "$work/kubesim.log" && break; sleep 0.1; done
grep -q 'msg="ready"' "$work/kubesim.log" || { cat "$work/kubesim.log"; exit 1; }

# one curl config: per cluster its CA, token and PER_CLUSTER apply URLs
make_config() {
  local replicas=$1 cfg=$2
  cat >"$work/body-$replicas.json" <<JSON
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"bench"}},"spec":{"replicas":$replicas,"selector":{"matchLabels":{"app":"bench"}},"template":{"metadata":{"labels":{"app":"bench"}},"spec":{"containers":[{"name":"app","image":"nginx:1.25","ports":[{"containerPort":80}]}]}}}}
JSON
  : >"$cfg"
  local i d kc
  local -a servers tokens
  for i in $(seq 1 "$CLUSTERS"); do
    kc="$work/sim/cluster-$i.kubeconfig"
    servers[$i]=$(awk '/server:/ {print $2}' "$kc")
    tokens[$i]=$(awk '/token:/ {print $2}' "$kc")
    awk '/certificate-authority-data:/ {print $2}' "$kc" | base64 -d >"$work/ca-$i.pem"
  done
  # round-robin over the clusters, so that the requests in flight go to different clusters
  # and each cluster's keep-alive connection is reused by its next request
  for d in $(seq 1 "$PER_CLUSTER"); do
    for i in $(seq 1 "$CLUSTERS"); do
      [ "$d$i" != 11 ] && echo "next"
      echo "request = \"PATCH\""
      echo "header = \"Content-Type: application/apply-patch+yaml\""
      echo "header = \"Authorization: Bearer ${tokens[$i]}\""
      echo "cacert = \"$work/ca-$i.pem\""
      echo "data-binary = \"@$work/body-$replicas.json\""
      echo "write-out = \"%{stderr}%{http_code} %{num_connects}\\n\""
      echo "url = \"${servers[$i]}/apis/apps/v1/namespaces/default/deployments/bench-$d?fieldManager=bench&force=true\""
    done
  done >>"$cfg"
}

cpu_ticks() {
  awk '{print $14 + $15}' "/proc/$pid/stat"
}

run() {
  local label=$1 replicas=$2
  make_config "$replicas" "$work/curl-$replicas.cfg"
  local t0 t1 total ok c0 c1
  c0=$(cpu_ticks)
  t0=$(date +%s.%N)
  curl --silent --show-error --no-progress-meter --parallel --parallel-max "$PARALLEL" -K "$work/curl-$replicas.cfg" \
    >/dev/null 2>"$work/codes-$replicas.txt" || true
  t1=$(date +%s.%N)
  c1=$(cpu_ticks)
  total=$((CLUSTERS * PER_CLUSTER))
  ok=$(grep -cE '^20[01] ' "$work/codes-$replicas.txt" || true)
  if [ "$ok" -ne "$total" ]; then
    echo "responses other than 200/201:" >&2
    grep -vE '^20[01] ' "$work/codes-$replicas.txt" | sort | uniq -c | sort -rn | head -5 >&2
  fi
  echo "new TLS connections: $(awk "{n += \$2} END {print n}" "$work/codes-$replicas.txt")"
  awk -v l="$label" -v n="$total" -v ok="$ok" -v a="$t0" -v b="$t1" 'BEGIN {
    printf "%-7s %d applies (%d ok) to %s clusters in %.2f s: %.0f applies/s\n", l, n, ok, ENVIRON["CLUSTERS"], b - a, n / (b - a) }'
  # the server's own CPU time per apply (clock ticks from /proc): unlike the wall-clock rate
  # it does not count the client's time, though a busy machine still inflates it somewhat
  awk -v n="$total" -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    s = c / hz; if (s <= 0) s = 1 / hz
    printf "        kubesim CPU %.2f s = %.0f us per apply: capacity %.0f applies/s per core\n", s, s * 1e6 / n, n / s }'
}

export CLUSTERS
run create 2
run update 3
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
echo "kubesim RSS after the run: $((rss / 1024)) MiB"

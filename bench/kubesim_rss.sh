#!/usr/bin/env bash
# Start-up time and memory of vela-kubesim with many clusters: starts COUNT clusters (default
# 1,000), waits for its "ready" log line, checks one cluster answers, and prints the start-up
# time, the resident set size, and the RSS after one apply to every cluster.
# Usage: bench/kubesim_rss.sh [BIN_DIR]   env: COUNT (1000)
set -euo pipefail
BIN=${1:-${VELA_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}}
COUNT=${COUNT:-1000}
work=$(mktemp -d /tmp/kubesim-rss.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

t0=$(date +%s%N)
"$BIN/vela-kubesim" --count "$COUNT" --dir "$work/sim" --auth token --ready-delay-ms 0 \
  >"$work/kubesim.log" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do grep -q 'msg="ready"' "$work/kubesim.log" && break; sleep 0.05; done
t1=$(date +%s%N)
grep -q 'msg="ready"' "$work/kubesim.log" || { cat "$work/kubesim.log"; exit 1; }
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
n=$(ls "$work/sim" | grep -c '\.kubeconfig$')
printf 'clusters:        %d (%d kubeconfigs)\n' "$COUNT" "$n"
printf 'start-up:        %d ms (until every listener is up and every kubeconfig written)\n' $(((t1 - t0) / 1000000))
printf 'RSS idle:        %d MiB\n' $((rss / 1024))

# one server-side apply to every cluster (a new TLS connection each), then RSS again
echo '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"probe"},"data":{"k":"v"}}' >"$work/body.json"
: >"$work/curl.cfg"
# one awk pass over all kubeconfigs: cluster, server, token, CA (base64)
# (the token comes last in each file; plain POSIX awk)
awk '/certificate-authority-data:/ {ca = $2} /server:/ {s = $2}
     /token:/ { n = FILENAME; sub(/.*\//, "", n); sub(/\.kubeconfig$/, "", n); print n, s, $2, ca }' \
  "$work"/sim/*.kubeconfig >"$work/clusters.txt"
first=1
while read -r name server token ca; do
  base64 -d <<<"$ca" >"$work/ca-$name.pem"
  {
    [ "$first" = 1 ] || echo next
    first=0
    echo 'request = "PATCH"'
    echo 'header = "Content-Type: application/apply-patch+yaml"'
    echo "header = \"Authorization: Bearer $token\""
    echo "cacert = \"$work/ca-$name.pem\""
    echo "data-binary = \"@$work/body.json\""
    echo 'write-out = "%{stderr}%{http_code}\n"'
    echo "url = \"$server/api/v1/namespaces/default/configmaps/probe?fieldManager=bench\""
  } >>"$work/curl.cfg"
done <"$work/clusters.txt"
t2=$(date +%s%N)
curl -s --no-progress-meter --parallel --parallel-max 32 -K "$work/curl.cfg" >/dev/null 2>"$work/codes.txt" || true
t3=$(date +%s%N)
ok=$(grep -c '^201$' "$work/codes.txt" || true)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
printf 'applies:         %d of %d created in %d ms (new TLS connection each)\n' "$ok" "$COUNT" $(((t3 - t2) / 1000000))
printf 'RSS after:       %d MiB\n' $((rss / 1024))
[ "$ok" -eq "$COUNT" ]

#!/usr/bin/env bash
# Server-side applies per second through the Kubernetes client (common/kube.c) against 100
# simulated clusters, and the same requests through a plain libcurl multi loop, in one run.
# Usage: bench/kube_bench.sh BIN_DIR (run by bench/run.sh). Target: ratio ours/raw >= 0.80.
set -uo pipefail
bin=${1:-build/bin}
if [ ! -x "$bin/kube_bench" ] || [ ! -x "$bin/vela-kubesim" ]; then
  echo "kube_bench or vela-kubesim missing in $bin: build first" >&2
  exit 1
fi
exec "$bin/kube_bench" --kubesim "$bin/vela-kubesim" --clusters "${KUBE_BENCH_CLUSTERS:-100}" \
  --applies "${KUBE_BENCH_APPLIES:-6000}" --rounds "${KUBE_BENCH_ROUNDS:-3}" --inflight 4

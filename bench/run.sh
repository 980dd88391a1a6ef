#!/usr/bin/env bash
# make bench: every benchmark the project ships, each printing its own figures.
# Usage: bench/run.sh BIN_DIR. Not part of make test: figures, not pass/fail timings.
set -uo pipefail
bin=${1:-build/bin}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

echo "== render: parse + validate + render (bench/bench_render.c)"
"$bin/bench_render" examples/advanced.yaml 100000 1000 100

# Memory: the same loop under LeakSanitizer, when the sanitizer build exists.
san=${VELA_SAN_BIN:-$here/build-san/bin}
if [ -x "$san/bench_render" ]; then
  echo "== render under ASan/LSan (2,000 renders; any leak fails)"
  ASAN_OPTIONS=detect_leaks=1 "$san/bench_render" examples/advanced.yaml 2000 10 5 >/dev/null &&
    echo "LeakSanitizer: no leaks"
fi

for script in bench/kubesim_*.sh bench/kube_*.sh bench/pipeline_*.sh; do
  [ -f "$script" ] || continue
  echo
  echo "== $(basename "$script")"
  bash "$script" "$bin"
done

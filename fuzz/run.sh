#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (under ASan+UBSan), seeded with the examples,
# golden inputs and bad-input cases, plus fuzz/corpus/<target>/ when there is one and, for a
# message decoder, its tests/bad-records/<topic>/ cases. Prints libFuzzer's final stats.
# Usage: fuzz/run.sh BIN_DIR [SECONDS]
set -euo pipefail
bin=$1
secs=${2:-60}
here=$(cd "$(dirname "$0")/.." && pwd)
corpus="$here/fuzz/corpus-run"
mkdir -p "$corpus"
cp "$here"/examples/*.yaml "$corpus"/ 2>/dev/null || true
cp "$here"/tests/bad/* "$corpus"/ 2>/dev/null || true
find "$here/fuzz/corpus" -maxdepth 1 -type f -exec cp {} "$corpus"/ \;
status=0
for target in "$bin"/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  echo "== $name: ${secs}s"
  # a target's own seeds (fuzz/corpus/<target>/) and, for a message decoder, its bad records
  seeds=()
  [ -d "$here/fuzz/corpus/$name" ] && seeds+=("$here/fuzz/corpus/$name")
  case $name in
    fuzz_msg_task) bad=task ;;
    fuzz_msg_event) bad=event ;;
    fuzz_msg_app_status) bad=app-status ;;
    fuzz_msg_app_record) bad=applications ;;
    fuzz_cluster_record) bad=clusters ;;
    *) bad= ;;
  esac
  [ -n "$bad" ] && [ -d "$here/tests/bad-records/$bad" ] && seeds+=("$here/tests/bad-records/$bad")
  if ! "$target" "$corpus" "${seeds[@]}" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
      -timeout=10 -print_final_stats=1 -artifact_prefix="$here/fuzz/" 2>"$corpus/../$name.log"; then
    status=1
    echo "$name FAILED; see fuzz/$name.log and the crash-* file in fuzz/"
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb|new_units_added)' \
    "$corpus/../$name.log" || true
  grep -E 'cov: [0-9]+' "$corpus/../$name.log" | tail -1 || true
done
exit $status

#!/usr/bin/env bash
# The render benchmark, small, so that `make bench` cannot rot: bench_render renders the
# walkthrough's advanced.yaml and its large generated Application (every built-in trait form
# it uses must still be valid) and prints both figures. The full run is `make bench`.
source "$(dirname "$0")/lib.sh"

[ -x "$VELA_BIN/bench_render" ] || fail "no $VELA_BIN/bench_render"
out=$T_DIR/bench.out
"$VELA_BIN/bench_render" "$VELA_SOURCE_DIR/examples/advanced.yaml" 200 5 3 >"$out" 2>&1
rc=$?
cat "$out"
check "bench_render exits 0" test "$rc" -eq 0
check "no error printed" bash -c "! grep -q '^error' '$out'"
check "(a) figure printed" grep -Eq '^render \(a\) .*: 200 renders, [0-9.]+ us/render' "$out"
check "(b) figure printed" grep -Eq '^render \(b\) 3 components x 5 traits for 5 clusters: ' "$out"
finish

#!/usr/bin/env bash
# The Kubernetes client's benchmark, small: kube_bench starts vela-kubesim with 5 clusters,
# applies through our client and through a plain libcurl loop, and must report both rates,
# their ratio and no errors. The full run (100 clusters) is `make bench`.
source "$(dirname "$0")/lib.sh"

[ -x "$VELA_BIN/kube_bench" ] || fail "no $VELA_BIN/kube_bench"
[ -x "$VELA_BIN/vela-kubesim" ] || fail "no $VELA_BIN/vela-kubesim"

out=$T_DIR/bench.out
"$VELA_BIN/kube_bench" --kubesim "$VELA_BIN/vela-kubesim" --clusters 5 --applies 300 \
  --rounds 1 --objects 5 >"$out" 2>"$T_DIR/bench.err"
rc=$?
cat "$out"
check "kube_bench exits 0" test "$rc" -eq 0
check "ours rate printed, no errors" grep -Eq '^ours \(kube client, curl multi\): [0-9]+ applies/s \(errors 0\)$' "$out"
check "raw rate printed, no errors" grep -Eq '^raw \(plain libcurl multi\): +[0-9]+ applies/s \(errors 0\)$' "$out"
check "ratio printed" grep -Eq '^ratio ours/raw: [0-9]+\.[0-9]+' "$out"
check "usage error exits 2" bash -c "'$VELA_BIN/kube_bench' --clusters 3 >/dev/null 2>&1; test \$? -eq 2"
finish

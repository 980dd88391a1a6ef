#!/usr/bin/env bash
# Golden files for rendering (jq.test style): tests/golden/NAME.cmd holds the arguments of
# `vela dry-run`; NAME.out is the exact expected stdout, or NAME.err a line that stderr must
# contain (the command must then exit 1). UPDATE_GOLDEN=1 rewrites the .out files.
source "$(dirname "$0")/lib.sh"
cd "$VELA_SOURCE_DIR"

golden_case() {
  local cmd=$1 name out err rc
  name=$(basename "$cmd" .cmd)
  read -r -a args <"$cmd"
  out="$T_DIR/$name.stdout"
  err="$T_DIR/$name.stderr"
  vela dry-run "${args[@]}" >"$out" 2>"$err"
  rc=$?
  if [ -f "tests/golden/$name.err" ]; then
    [ $rc -eq 1 ] || { echo "$name: exit $rc, expected 1" >&2; return 1; }
    grep -qF -- "$(cat "tests/golden/$name.err")" "$err" ||
      { echo "$name: stderr lacks: $(cat "tests/golden/$name.err")"; cat "$err"; return 1; } >&2
    return 0
  fi
  [ $rc -eq 0 ] || { echo "$name: exit $rc" >&2; cat "$err" >&2; return 1; }
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$out" "tests/golden/$name.out"
  fi
  diff -u "tests/golden/$name.out" "$out" >&2
}

for cmd in tests/golden/*.cmd; do
  check "golden $(basename "$cmd" .cmd)" golden_case "$cmd"
done
finish

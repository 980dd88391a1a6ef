#!/usr/bin/env bash
# Every message the programs produce validates against schemas/: runs the whole stack
# (vela-broker, vela-kubesim, vela-scheduler, a worker), joins two clusters, deploys the
# walkthrough's basic.yaml, updates it, deletes it, then reads every topic with kcat and validates each
# non-null value with ajv against its topic's schema (applications, clusters, tasks, events,
# app-status). Skipped (passes with a note) while the scheduler or worker is not built.
source "$(dirname "$0")/lib.sh"

for p in vela-scheduler vela-worker vela-kubesim; do
  if [ ! -x "$VELA_BIN/$p" ]; then
    echo "skip: $p is not built"
    finish
  fi
done
source "$(dirname "$0")/pipeline_lib.bash"

p_start beijing-1:default,beijing-2:default
vela up -f "$VELA_SOURCE_DIR/examples/basic.yaml" >"$T_DIR/up.log" 2>&1 || fail "vela up: $(cat "$T_DIR/up.log")"
p_wait_phase 60 example-app default running
sed 's/replicas: 3/replicas: 2/' "$VELA_SOURCE_DIR/examples/basic.yaml" >"$T_DIR/basic2.yaml"
vela up -f "$T_DIR/basic2.yaml" >"$T_DIR/up2.log" 2>&1 || fail "vela up (2): $(cat "$T_DIR/up2.log")"
p_wait_revision 60 example-app default 2 running 2>/dev/null || sleep 5
vela delete example-app -y --wait --timeout 60s >"$T_DIR/delete.log" 2>&1 ||
  echo "note: vela delete: $(tail -n 2 "$T_DIR/delete.log")"

# Dump every topic: one file per non-null value, grouped by schema.
mkdir -p "$T_DIR/msgs"
schema_of() {
  case $1 in
    *.applications) echo application ;;
    *.clusters) echo cluster-record ;;
    *.tasks.*) echo task ;;
    *.events) echo event ;;
    *.app-status) echo app-status ;;
  esac
}
for t in $(kcat -L -b "$P_KAFKA" 2>/dev/null | sed -n 's/^  topic "\(vela\.[^"]*\)".*/\1/p'); do
  s=$(schema_of "$t")
  [ -n "$s" ] || continue
  mkdir -p "$T_DIR/msgs/$s"
  timeout 30 kcat -C -b "$P_KAFKA" -t "$t" -e -q -Z -f '%S\t%s\n' 2>/dev/null | {
    i=0
    while IFS=$'\t' read -r len value; do
      [ "$len" = -1 ] && continue
      i=$((i + 1))
      printf '%s' "$value" >"$T_DIR/msgs/$s/$t.$i.json"
    done
  }
done
for s in application cluster-record task event app-status; do
  n=$(find "$T_DIR/msgs/$s" -name '*.json' 2>/dev/null | wc -l)
  check "$s: messages produced ($n)" [ "$n" -ge 1 ]
  [ "$n" -ge 1 ] || continue
  "$VELA_SOURCE_DIR/tests/schema/validate.sh" "$s" "$T_DIR/msgs/$s"/*.json >"$T_DIR/ajv-$s.txt" 2>&1
  rc=$?
  check "$s: all $n messages validate" [ $rc = 0 ]
  [ $rc = 0 ] || grep -v ' valid$' "$T_DIR/ajv-$s.txt" | head -n 30 >&2
done
finish

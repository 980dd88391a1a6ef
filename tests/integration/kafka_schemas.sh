#!/usr/bin/env bash
# The message contracts in schemas/ with a real validator (ajv-cli, JSON Schema 2020-12, strict
# mode, formats): every schema compiles, every example message of tests/schema/examples is
# accepted when named *.valid-* and rejected (as data, not as a broken schema) when named
# *.invalid-*, and every schema requires schemaVersion. Cluster records produced by the CLI
# are validated in cluster_registry.sh.
source "$(dirname "$0")/lib.sh"

v="$VELA_SOURCE_DIR/tests/schema/validate.sh"
ex="$VELA_SOURCE_DIR/tests/schema/examples"
check "ajv is installed (deploy/install-deps.sh)" test -x "$VELA_SOURCE_DIR/tests/schema/node_modules/.bin/ajv"

for s in "$VELA_SOURCE_DIR"/schemas/*.schema.json; do
  name=$(basename "$s" .schema.json)
  check "$name: requires schemaVersion" bash -c "jq -e '.required | index(\"schemaVersion\")' '$s' >/dev/null"
  n_invalid=0
  valid=("$ex/$name".valid-*.json)
  n_valid=0
  [ -e "${valid[0]}" ] && n_valid=${#valid[@]}
  if [ $n_valid -gt 0 ]; then
    "$v" "$name" "${valid[@]}" >"$T_DIR/out.txt" 2>&1
    for f in "${valid[@]}"; do
      check "$(basename "$f") is accepted" grep -qx "$f valid" "$T_DIR/out.txt"
    done
  fi
  invalid=("$ex/$name".invalid-*.json)
  [ -e "${invalid[0]}" ] && n_invalid=${#invalid[@]}
  if [ $n_invalid -gt 0 ]; then
    "$v" "$name" "${invalid[@]}" >"$T_DIR/out.txt" 2>&1
    rc=$?
    check "$name: invalid examples make the validator fail" [ $rc = 1 ]
    check "$name: the schema itself compiles" bash -c "! grep -q 'schema .* is invalid' '$T_DIR/out.txt'"
    for f in "${invalid[@]}"; do
      check "$(basename "$f") is rejected as data" grep -qx "$f invalid" "$T_DIR/out.txt"
    done
  fi
  check "$name: has valid and invalid examples" [ $((n_valid * n_invalid)) -ge 1 ]
done
finish

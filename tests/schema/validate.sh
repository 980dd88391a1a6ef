#!/usr/bin/env bash
# validate.sh SCHEMA FILE...: validates JSON files against schemas/SCHEMA.schema.json with
# ajv-cli (JSON Schema 2020-12, strict, with formats), loading the schemas it refers to.
# Exit 0 when every file is valid, 1 otherwise; 2 when ajv is not installed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
schemas="$here/../../schemas"
ajv="$here/node_modules/.bin/ajv"
if [ ! -x "$ajv" ]; then
  echo "ajv not installed: run deploy/install-deps.sh (npm install in tests/schema)" >&2
  exit 2
fi
schema=$1
shift
refs=()
for s in "$schemas"/*.schema.json; do
  [ "$s" = "$schemas/$schema.schema.json" ] || refs+=(-r "$s")
done
data=()
for f in "$@"; do
  data+=(-d "$f")
done
# One ajv process for all the files (each prints "<file> valid" or "<file> invalid").
"$ajv" validate --spec=draft2020 --strict=true -c ajv-formats \
  -s "$schemas/$schema.schema.json" "${refs[@]}" "${data[@]}" || exit 1

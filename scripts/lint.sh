#!/usr/bin/env bash
# Static checks, all of them, for `make lint` and CI (docs/development.md):
#   1. format    clang-format --check against .clang-format (scripts/format.sh --check)
#   2. cppcheck  every compiled file, with scripts/cppcheck-suppressions.txt
#   3. tidy      clang-tidy (.clang-tidy: clang-analyzer-*, bugprone-*) over compile_commands.json
#   4. analyzer  gcc -fanalyzer on the common/ layer libraries (VELA_ANALYZER, build-analyzer/)
# Prints one line per finding and exits 1 when any is left. A false positive in a file that
# cannot carry an inline suppression is listed, with its reason, in scripts/lint-baseline.txt.
# Usage: scripts/lint.sh [format|cppcheck|tidy|analyzer]...   (default: all four)
# Environment: BUILD (default build), JOBS (default nproc).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
BUILD=${BUILD:-build}
JOBS=${JOBS:-$(nproc)}
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(format cppcheck tidy analyzer)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for tool in clang-format cppcheck clang-tidy gcc cmake; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "error: $tool not found; run deploy/install-deps.sh (as root)" >&2
    exit 2
  fi
done

# compile_commands.json comes from configuring; nothing needs to be built for cppcheck and
# clang-tidy.
configure() {
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
}

# Findings are normalised to "tool<TAB>check<TAB>path<TAB>line<TAB>message", path relative.
run_format() {
  scripts/format.sh --check | grep '^format: .*: [0-9]* lines differ' |
    sed -E 's/^format: ([^:]*): (.*)$/format\tclang-format\t\1\t1\t\2/'
}

run_cppcheck() {
  configure
  cppcheck --project="$BUILD/compile_commands.json" -j "$JOBS" --quiet \
    --enable=warning,portability --inline-suppr --suppress=missingIncludeSystem \
    --library=scripts/cppcheck-jansson.cfg \
    --suppressions-list=scripts/cppcheck-suppressions.txt \
    --template='cppcheck\t{id}\t{file}\t{line}\t{severity}: {message}' 2>&1 |
    grep -P '^cppcheck\t'
}

run_tidy() {
  configure
  python3 -c '
import json, sys
seen = set()
for e in json.load(open(sys.argv[1])):
    if e["file"] not in seen:
        seen.add(e["file"])
        print(e["file"])' "$BUILD/compile_commands.json" |
    xargs -r -P "$JOBS" -n 4 clang-tidy -p "$BUILD" --quiet \
      --extra-arg=-Wno-unknown-warning-option 2>/dev/null |
    grep -P '^/.*:\d+:\d+: (warning|error): .*\[[\w.,-]+\]$' |
    sed -E 's/^([^:]*):([0-9]+):[0-9]+: (warning|error): (.*) \[([^]]*)\]$/tidy\t\5\t\1\t\2\t\4/'
}

run_analyzer() {
  cmake -S . -B build-analyzer -DCMAKE_BUILD_TYPE=Debug -DVELA_ANALYZER=ON -DVELA_WERROR=OFF \
    >/dev/null || exit 2
  local targets=()
  for layer in base yaml model msg kafka kube registry; do
    targets+=(--target "vela_${layer}_obj")
  done
  # a full rebuild each time: a warning is only printed when its file is compiled
  cmake --build build-analyzer --clean-first -j "$JOBS" "${targets[@]}" 2>&1 |
    grep -P '^/.*:\d+:\d+: warning: .*\[-W[\w-]+\]$' |
    sed -E 's/^([^:]*):([0-9]+):[0-9]+: warning: (.*) \[(-W[^]]*)\]$/analyzer\t\4\t\1\t\2\t\3/'
}

for step in "${steps[@]}"; do
  case $step in
  format | cppcheck | tidy | analyzer) ;;
  *)
    echo "error: unknown step \"$step\" (format, cppcheck, tidy, analyzer)" >&2
    exit 2
    ;;
  esac
  t0=$(date +%s)
  "run_$step" | sed "s|$root/||" >"$out/$step.raw"
  # drop the baselined false positives: "tool check path  # reason"
  # and name the baseline entries of this step that matched nothing (fixed since: delete them)
  python3 - "$out/$step.raw" scripts/lint-baseline.txt "$step" >"$out/$step.left" <<'EOF'
import os, sys
base = set()
for line in open(sys.argv[2]):
    line = line.split("#", 1)[0].split()
    if len(line) == 3:
        base.add(tuple(line))
used = set()
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) != 5:
        continue
    f[2] = os.path.normpath(f[2])  # tests/unit/../../worker/task.c -> worker/task.c
    if (f[0], f[1], f[2]) in base:
        used.add((f[0], f[1], f[2]))
    else:
        print(f"{f[0]}: {f[2]}:{f[3]}: {f[4]} [{f[1]}]")
for b in sorted(base - used):
    if b[0] == sys.argv[3]:
        print(f"{b[0]}: {b[2]}:1: baseline entry matches nothing; delete it from "
              f"scripts/lint-baseline.txt [{b[1]}]")
EOF
  sort -u -o "$out/$step.left" "$out/$step.left"
  n=$(wc -l <"$out/$step.left")
  cat "$out/$step.left"
  echo "lint: $step: $n findings ($(($(date +%s) - t0)) s)"
done

total=$(cat "$out"/*.left | wc -l)
if [ "$total" -gt 0 ]; then
  echo "lint: $total findings; fix them, or if one is a false positive, suppress it with a reason"
  echo "      (docs/development.md)"
  exit 1
fi
echo "lint: clean"

#!/usr/bin/env bash
# Formats the C sources with clang-format and the repository's .clang-format.
#   scripts/format.sh [FILE...]          format in place (default: every tracked *.c and *.h)
#   scripts/format.sh --check [FILE...]  change nothing; list the files that are not formatted
#                                        and exit 1 if there is one (what `make lint` runs)
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
if [ "${1:-}" = --check ]; then
  check=1
  shift
fi
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
  echo "error: $CLANG_FORMAT not found; run deploy/install-deps.sh" >&2
  exit 2
fi

if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files -- '*.c' '*.h')
fi

if [ $check = 0 ]; then
  printf '%s\0' "${files[@]}" | xargs -0 -r "$CLANG_FORMAT" -i --style=file
  exit 0
fi

bad=0
lines=0
for f in "${files[@]}"; do
  n=$("$CLANG_FORMAT" --style=file "$f" | diff -U0 "$f" - | grep -c '^[-+][^-+]' || true)
  if [ "$n" -gt 0 ]; then
    echo "format: $f: $n lines differ (scripts/format.sh $f fixes it)"
    bad=$((bad + 1))
    lines=$((lines + n))
  fi
done
if [ $bad -gt 0 ]; then
  echo "format: $bad of ${#files[@]} files not formatted ($lines changed lines); run scripts/format.sh"
  exit 1
fi

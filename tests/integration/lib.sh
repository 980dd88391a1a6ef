# Shared helpers for integration tests (sourced, not run). Tests start real processes from
# $VELA_BIN, each in its own temporary folder, and everything they start is killed on exit.
# Conventions: `fail "why"` ends the test; `check NAME CMD...` counts a named assertion.
set -uo pipefail

VELA_BIN=${VELA_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin}
VELA_SOURCE_DIR=${VELA_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
export PATH="$VELA_BIN:$PATH"

T_DIR=$(mktemp -d /tmp/vela-test.XXXXXX)
T_PIDS=()
T_PASSED=0
T_FAILED=0

t_cleanup() {
  local pid
  for pid in "${T_PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for pid in "${T_PIDS[@]}"; do
    wait "$pid" 2>/dev/null
  done
  if [ "${T_KEEP:-0}" = 1 ] || [ "$T_FAILED" -gt 0 ]; then
    echo "test files kept in $T_DIR" >&2
  else
    rm -rf "$T_DIR"
  fi
}
trap t_cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  T_FAILED=$((T_FAILED + 1))
  exit 1
}

# check NAME CMD...: runs CMD; counts a pass or a failure (and goes on).
check() {
  local name=$1
  shift
  if "$@"; then
    T_PASSED=$((T_PASSED + 1))
    echo "ok - $name"
  else
    T_FAILED=$((T_FAILED + 1))
    echo "not ok - $name" >&2
  fi
}

# finish: prints the summary line and exits non-zero when anything failed.
finish() {
  echo "$T_PASSED passed, $T_FAILED failed"
  [ "$T_FAILED" -eq 0 ]
  exit $?
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now, below the kernel's
# ephemeral range (the stack's own picker, shared with deploy/local/stack.sh).
source "$VELA_SOURCE_DIR/deploy/local/stack.sh"
free_port() {
  stack_free_port
}

# start NAME CMD...: starts CMD in the background, logs to $T_DIR/NAME.log, records the pid.
start() {
  local name=$1
  shift
  "$@" >"$T_DIR/$name.log" 2>&1 &
  T_PIDS+=($!)
  eval "PID_${name//-/_}=$!"
}

# wait_for SECONDS CMD...: retries CMD every 0.2 s until it succeeds or time runs out.
wait_for() {
  local secs=$1
  shift
  local deadline=$((SECONDS + secs))
  while [ $SECONDS -lt $deadline ]; do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  "$@"
}

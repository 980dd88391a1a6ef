#!/usr/bin/env bash
# Command lines of every program, as a user types them: each command takes exactly the
# options docs/cli.md lists (an unknown one is a usage error with the same message shape
# everywhere, exit 2), -h/--help and --version exit 0 on stdout, and bad values name the
# option. No broker needed: every command here stops before talking to Kafka.
source "$(dirname "$0")/lib.sh"
cd "$VELA_SOURCE_DIR"

# run NAME CMD...: runs CMD, keeping stdout, stderr and the exit status.
run() {
  local name=$1
  shift
  "$@" >"$T_DIR/$name.out" 2>"$T_DIR/$name.err"
  echo $? >"$T_DIR/$name.rc"
}

# usage_err NAME LINE: NAME exited 2, printed nothing on stdout and exactly LINE on stderr.
usage_err() {
  [ "$(cat "$T_DIR/$1.rc")" = 2 ] || { echo "  $1: exit $(cat "$T_DIR/$1.rc"), want 2" >&2; return 1; }
  [ ! -s "$T_DIR/$1.out" ] || { echo "  $1: unexpected stdout" >&2; return 1; }
  [ "$(head -n 1 "$T_DIR/$1.err")" = "$2" ] ||
    { echo "  $1: stderr is: $(head -n 1 "$T_DIR/$1.err")" >&2; echo "  want: $2" >&2; return 1; }
}

# ok_out NAME REGEX: NAME exited 0, printed nothing on stderr, and stdout matches REGEX.
ok_out() {
  [ "$(cat "$T_DIR/$1.rc")" = 0 ] || { echo "  $1: exit $(cat "$T_DIR/$1.rc")" >&2; cat "$T_DIR/$1.err" >&2; return 1; }
  [ ! -s "$T_DIR/$1.err" ] || { echo "  $1: unexpected stderr" >&2; cat "$T_DIR/$1.err" >&2; return 1; }
  grep -qE -- "$2" "$T_DIR/$1.out" || { echo "  $1: stdout lacks /$2/" >&2; head "$T_DIR/$1.out" >&2; return 1; }
}

# ---- the two reported cases ----

run up-ns vela up -n prod -f x.yaml
check "vela up -n prod is refused (up takes no namespace: the file names it)" \
  usage_err up-ns "error: unknown option \"-n\" for \"vela up\"; see 'vela up --help'"
run ls-json vela ls -o json
check "vela ls -o json is refused (ls prints a table only)" \
  usage_err ls-json "error: unknown option \"-o\" for \"vela ls\"; see 'vela ls --help'"

# ---- every program: --version, --help, an unknown option ----

for prog in vela vela-scheduler vela-worker vela-broker; do
  run "$prog-version" "$prog" --version
  check "$prog --version" ok_out "$prog-version" "^$prog [0-9]+\.[0-9]+\.[0-9]+ \(.+\)$"
  run "$prog-help" "$prog" --help
  check "$prog --help" ok_out "$prog-help" "^Usage: $prog "
  check "$prog --help lists the common options" grep -q -- '--log-level' "$T_DIR/$prog-help.out"
  run "$prog-h" "$prog" -h
  check "$prog -h" ok_out "$prog-h" "^Usage: $prog "
  run "$prog-bogus" "$prog" --bogus
  check "$prog --bogus" \
    usage_err "$prog-bogus" "error: unknown option \"--bogus\" for \"$prog\"; see '$prog --help'"
done

# ---- every vela command: -h, an unknown option, the documented options in its help ----

for cmd in "up" "status" "ls" "delete" "workflow resume" "workflow restart" "dry-run" \
  "cluster join" "cluster list" "cluster labels add" "cluster labels del" "cluster detach" \
  "cluster rename"; do
  name=${cmd// /-}
  run "h-$name" vela $cmd -h
  check "vela $cmd -h" ok_out "h-$name" "^Usage: vela $cmd"
  run "bad-$name" vela $cmd --frobnicate
  check "vela $cmd --frobnicate" \
    usage_err "bad-$name" "error: unknown option \"--frobnicate\" for \"vela $cmd\"; see 'vela $cmd --help'"
done
check "vela up --help: -f, --wait, --timeout" \
  bash -c "grep -q -- '-f, --file FILE' '$T_DIR/h-up.out' && grep -q -- '--wait' '$T_DIR/h-up.out' && grep -q -- '--timeout DURATION' '$T_DIR/h-up.out'"
check "vela status --help: -n, -o table|json|yaml" \
  bash -c "grep -q -- '-n, --namespace NAMESPACE' '$T_DIR/h-status.out' && grep -q -- '-o, --output table|json|yaml' '$T_DIR/h-status.out'"
check "vela ls --help: -n, -A" \
  bash -c "grep -q -- '-n, --namespace' '$T_DIR/h-ls.out' && grep -q -- '-A, --all-namespaces' '$T_DIR/h-ls.out' && ! grep -q -- '--output' '$T_DIR/h-ls.out'"
check "vela delete --help: -n, --wait, --force, -y" \
  bash -c "grep -q -- '--force' '$T_DIR/h-delete.out' && grep -q -- '-y, --yes' '$T_DIR/h-delete.out'"
check "vela cluster list --help: -o table|json" grep -q -- '-o, --output table|json' "$T_DIR/h-cluster-list.out"

# ---- help wins; families; arguments ----

run help-wins vela up -n prod --help
check "--help wins over an unknown option" ok_out help-wins '^Usage: vela up'
run family vela cluster -h
check "vela cluster -h lists its commands" ok_out family 'cluster join'
run family-none vela cluster
check "vela cluster alone is a usage error" bash -c "[ \$(cat '$T_DIR/family-none.rc') = 2 ]"
run no-app vela status
check "vela status without APP" usage_err no-app "error: \"vela status\" expects APP; see 'vela status --help'"
run extra vela status a b
check "vela status a b" usage_err extra "error: unexpected argument \"b\" for \"vela status\"; see 'vela status --help'"
run no-file vela up
check "vela up without -f" usage_err no-file "error: -f FILE is required for \"vela up\"; see 'vela up --help'"
run no-region vela-worker
check "vela-worker without --region" \
  usage_err no-region "error: --region REGION is required for \"vela-worker\"; see 'vela-worker --help'"
run unknown-cmd vela frob
check "an unknown command" usage_err unknown-cmd "error: unknown command \"frob\" for \"vela\"; see 'vela --help'"
run ls-both vela ls -A -n prod
check "vela ls -A -n: one or the other" bash -c "[ \$(cat '$T_DIR/ls-both.rc') = 2 ]"

# ---- values: the message names the option ----

run dur vela up -f x.yaml --timeout abc
check "a bad duration names --timeout" usage_err dur 'error: --timeout: "abc" is not a duration (e.g. 30s, 10m)'
run dur-sched vela-scheduler --backoff 5x
check "a bad duration names --backoff" usage_err dur-sched 'error: --backoff: "5x" is not a duration (e.g. 30s, 10m)'
run int-broker vela-broker --partitions 0
check "an integer out of range names --partitions" \
  usage_err int-broker 'error: --partitions: "0" is not a whole number from 1 to 1000'
run enum-worker vela-worker --region r --health sometimes
check "an enum names --health and its values" \
  usage_err enum-worker 'error: --health: "sometimes" is not one of watch, poll'
run level vela --log-level loud ls
check "--log-level checks its value" \
  usage_err level 'error: --log-level: "loud" is not one of debug, info, warn, error'
run xbad vela up -X nokv -f x.yaml
check "-X needs key=value" usage_err xbad 'error: -X: expects key=value, got "nokv"'
run noval vela up -f
check "a missing value" usage_err noval "error: -f needs a value; see 'vela up --help'"

# ---- global options before the command, and after it ----

run global-before vela --topic-prefix t. -X client.id=x dry-run -f examples/basic.yaml -o json
check "global options before the command" ok_out global-before '"application"'
run global-after vela dry-run -f examples/basic.yaml --bootstrap-servers 127.0.0.1:1 -o json
check "global options after the command" ok_out global-after '"application"'

finish

# shellcheck shell=bash
# Helpers for the pipeline integration tests (tests/integration/pipeline_*.sh), sourced after
# lib.sh; named .bash so that ctest does not take it for a test. Each test starts the whole
# stack of deploy/local/stack.sh (broker, kubesim, scheduler, one worker per region) in
# $T_DIR/stack on free ports, and stops it at exit. Assertions go through
# `vela status -o json` (jq) and kubectl against the simulated clusters (kubectl 1.20..1.32:
# only `get -o json`, and `create -f --validate=false`, which both versions accept).

source "$VELA_SOURCE_DIR/deploy/local/stack.sh"

P_DIR=$T_DIR/stack

# On a failure the topics are dumped into $T_DIR/topics (kept) before the stack stops.
p_dump_topics() {
  [ "$T_FAILED" -gt 0 ] && [ -n "${P_KAFKA:-}" ] && [ ! -d "$T_DIR/topics" ] || return 0
  mkdir -p "$T_DIR/topics"
  local t
  for t in $(kcat -L -b "$P_KAFKA" 2>/dev/null | sed -n 's/^  topic "\([^"]*\)".*/\1/p'); do
    timeout 20 kcat -C -b "$P_KAFKA" -t "$t" -e -q -f '%p %o %T %k %s\n' >"$T_DIR/topics/$t" 2>&1
  done
}
p_cleanup() {
  p_dump_topics
  stack_stop "$P_DIR"
  t_cleanup
}
trap p_cleanup EXIT

# p_finish: stops the stack (SIGTERM: sanitizer builds report leaks at exit), counts any
# sanitizer report in the programs' logs as a failure, and prints the summary (lib.sh finish).
p_finish() {
  p_dump_topics
  stack_stop "$P_DIR"
  local reports
  reports=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$P_DIR"/*.log 2>/dev/null)
  check "no sanitizer report in the programs' logs${reports:+ (see $reports)}" test -z "$reports"
  finish
}

# p_start CLUSTERS [kubesim options...]: the stack, clusters joined (CLUSTERS as stack_start:
# name:region,...). Exports what the CLI needs.
p_start() {
  P_CLUSTERS=$1
  stack_start "$P_DIR" "$@" || fail "stack_start: $(tail -n 3 "$P_DIR"/*.log)"
  eval "$(stack_env "$P_DIR")"
  P_ADMIN="http://127.0.0.1:$(cat "$P_DIR/admin.port")"
  wait_for 20 grep -q 'msg="ready"' "$P_DIR/kubesim.log" || fail "kubesim did not start"
  stack_join "$P_DIR" "$P_CLUSTERS" >"$T_DIR/join.log" 2>&1 ||
    fail "stack_join: $(cat "$T_DIR/join.log")"
  P_KAFKA=$VELA_BOOTSTRAP_SERVERS
}

# p_jqe FILTER [jq options] < JSON: true when FILTER gives true (quiet, for check). Empty
# input is false (jq -e alone exits 0 on no input).
p_jqe() {
  local in
  in=$(cat)
  [ -n "$in" ] && jq -e "$@" >/dev/null 2>&1 <<<"$in"
}

# p_kc CLUSTER ARGS...: kubectl against a simulated cluster.
p_kc() {
  local c=$1
  shift
  kubectl --kubeconfig "$P_DIR/sim/$c.kubeconfig" "$@"
}

# p_json APP [NS]: the status record (vela status -o json); empty when none.
p_json() {
  vela status "$1" -n "${2:-default}" -o json 2>/dev/null
}

# p_phase APP [NS]: the application's phase ("" when no status).
p_phase() {
  p_json "$@" | jq -r '.phase // empty' 2>/dev/null
}

# p_is_phase APP NS PHASE: the phase is PHASE now.
p_is_phase() {
  [ "$(p_phase "$1" "$2")" = "$3" ]
}

# p_wait_phase SECONDS APP NS PHASE: waits until the phase is PHASE; fails the test if not.
p_wait_phase() {
  local secs=$1 app=$2 ns=$3 want=$4
  wait_for "$secs" p_is_phase "$app" "$ns" "$want" >/dev/null 2>&1 ||
    fail "$ns/$app is not $want after ${secs}s: $(p_json "$app" "$ns" |
      jq -c '[.revision, .phase, .message, [.workflow.steps[] | [.name, .phase, .message]]]')"
}

# p_revision_phase APP NS REVISION PHASE: the status is of REVISION and in PHASE.
p_revision_phase() {
  p_json "$1" "$2" | jq -e --argjson r "$3" --arg p "$4" '.revision == $r and .phase == $p' \
    >/dev/null 2>&1
}

# p_wait_revision SECONDS APP NS REVISION PHASE
p_wait_revision() {
  local secs=$1 app=$2 ns=$3 rev=$4 want=$5
  wait_for "$secs" p_revision_phase "$app" "$ns" "$rev" "$want" >/dev/null 2>&1 ||
    fail "$ns/$app is not revision $rev $want after ${secs}s: $(p_json "$app" "$ns" |
      jq -c '[.revision, .phase, .message, [.workflow.steps[] | [.name, .phase, .message]]]')"
}

# p_step APP NS STEP FIELD: one field of a step in the status.
p_step() {
  p_json "$1" "$2" | jq -r --arg s "$3" --arg f "$4" '.workflow.steps[] | select(.name == $s) | .[$f]'
}

# p_deploy CLUSTER NAME [NS]: the Deployment as JSON (empty when absent).
p_deploy() {
  p_kc "$1" get deploy "$2" -n "${3:-default}" -o json 2>/dev/null
}

# p_ready CLUSTER NAME NS REPLICAS: the Deployment has REPLICAS wanted and ready.
p_ready() {
  p_deploy "$1" "$2" "$3" |
    jq -e --argjson n "$4" '.spec.replicas == $n and .status.readyReplicas == $n' >/dev/null 2>&1
}

# p_absent CLUSTER KIND NAME [NS]: the object does not exist (and the cluster answered).
p_absent() {
  local out
  out=$(p_kc "$1" get "$2" "$3" -n "${4:-default}" -o name 2>&1)
  grep -q '(NotFound)\|not found' <<<"$out"
}

# p_count_objects CLUSTER APP: objects labelled app.oam.dev/name=APP in the cluster
# (Deployments, Services, Ingresses, Jobs, every namespace).
p_count_objects() {
  p_kc "$1" get deployments.apps,services,ingresses.networking.k8s.io,jobs.batch -A \
    -l "app.oam.dev/name=$2" -o json | jq '.items | length'
}

# p_tasks TOPIC_SUFFIX: every task so far on vela.tasks.<suffix>, one JSON a line.
p_tasks() {
  kcat -C -b "$P_KAFKA" -t "vela.tasks.$1" -e -q -f '%s\n' 2>/dev/null
}

# p_admin CLUSTER ACTION: kubesim's fault injection (down, up).
p_admin() {
  curl -sf -X POST "$P_ADMIN/clusters/$1/$2" >/dev/null
}

# p_create_ns CLUSTER NAMESPACE: creates a namespace with kubectl (kubesim takes JSON/YAML
# bodies, not kubectl 1.32's protobuf of `create namespace`, and serves no OpenAPI: hence
# create -f with --validate=false).
p_create_ns() {
  printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}\n' "$2" |
    p_kc "$1" create --validate=false -f - >/dev/null
}

# p_produce_apps < "ns/name|json" lines: produces Applications straight to vela.applications
# with the Java-compatible partitioner, as any producer may.
p_produce_apps() {
  kcat -P -b "$P_KAFKA" -t vela.applications -K '|' -X partitioner=murmur2_random
}

# Helpers for the vela-worker integration tests, sourced after lib.sh (named .bash so that
# ctest does not take it for a test). Starts a broker, simulated clusters joined
# to a region, and makes tasks like the scheduler's (docs/pipeline.md) with jq.

export VELA_SECRET_KEY_FILE=$T_DIR/secret.key
W_KAFKA_PORT=$(free_port)
export VELA_BOOTSTRAP_SERVERS=127.0.0.1:$W_KAFKA_PORT
W_ADMIN_PORT=$(free_port)

# w_stack REGION READY_DELAY_MS CLUSTER...: broker, kubesim, joins.
w_stack() {
  local region=$1 delay=$2
  shift 2
  local clusters
  clusters=$(IFS=,; echo "$*")
  start broker vela-broker --listen "$VELA_BOOTSTRAP_SERVERS" --regions "$region"
  start kubesim vela-kubesim --clusters "$clusters" --dir "$T_DIR/sim" \
    --ready-delay-ms "$delay" --admin "127.0.0.1:$W_ADMIN_PORT"
  wait_for 20 grep -q 'msg="ready"' "$T_DIR/kubesim.log" || fail "kubesim did not start"
  wait_for 20 grep -q 'topic_created topic=vela.tasks' "$T_DIR/broker.log" ||
    fail "the broker did not start"
  local c
  for c in "$@"; do
    vela cluster join "$T_DIR/sim/$c.kubeconfig" --name "$c" --region "$region" \
      >>"$T_DIR/join.log" 2>&1 || fail "vela cluster join $c: $(cat "$T_DIR/join.log")"
  done
}

# w_task KIND CLUSTER NAMESPACE ATTEMPT [DEADLINE_SECONDS] [APP]: one task as JSON on stdout.
# deploy: the hello-world-server of examples/basic.yaml (Deployment with 3 replicas, Service,
# Ingress); delete: its three objects.
w_task() {
  local kind=$1 c=$2 ns=$3 att=$4 secs=${5:-60} app=${6:-example-app}
  local dl
  dl=$(date -u -d "+$secs seconds" +%Y-%m-%dT%H:%M:%SZ)
  vela dry-run -f "$VELA_SOURCE_DIR/examples/basic.yaml" --cluster beijing-1 \
    --cluster beijing-2 -o json |
    jq -c --arg kind "$kind" --arg c "$c" --arg ns "$ns" --arg dl "$dl" --arg app "$app" \
      --argjson att "$att" '
    .workflow.steps[0] as $s | $s.placements[0] as $p |
    {schemaVersion: 1, kind: $kind,
     taskId: ("u1:1:" + $s.name + ":" + $c + ":" + $ns + ":" + ($att|tostring)),
     app: {name: $app, namespace: "default", uid: "u1", revision: 1},
     step: $s.name, stepId: "s1", attempt: $att, cluster: $c, namespace: $ns, deadline: $dl,
     createdAt: $dl}
    + if $kind == "deploy" then
        {components: [{name: "hello-world-server", type: "webservice",
           workload: {apiVersion: "apps/v1", kind: "Deployment", name: "hello-world-server"},
           traits: [{type: "scaler", properties: {replicas: 3}},
                    {type: "gateway",
                     properties: {domain: "testsvc-mc.example.com", http: {"/": 8000}},
                     object: {apiVersion: "networking.k8s.io/v1", kind: "Ingress",
                              name: "hello-world-server"}}]}],
         manifests: [$p.manifests[] | .metadata.namespace = $ns]}
      else
        {resources: [$p.manifests[] | {apiVersion, kind, namespace: $ns, name: .metadata.name}]}
      end'
}

# w_send CLUSTER < tasks: produces each line to vela.tasks.<region> keyed by the cluster.
w_send() {
  kcat -P -b "$VELA_BOOTSTRAP_SERVERS" -t "vela.tasks.$W_REGION" -k "$1" \
    -X partitioner=murmur2_random
}

# w_events: every event so far, one compact JSON a line.
w_events() {
  kcat -C -b "$VELA_BOOTSTRAP_SERVERS" -t vela.events -e -q -X fetch.wait.max.ms=10 \
    -f '%s\n' 2>/dev/null
}

# w_final TASK_ID: the final event of the task (empty when none yet).
w_final() {
  w_events | jq -c --arg t "$1" 'select(.taskId == $t and .final)' | tail -1
}
w_has_final() {
  [ -n "$(w_final "$1")" ]
}

# w_many N CLUSTERS...: N deploy tasks as "cluster|json" lines (for kcat -K'|'), each its own
# app (app-<i>, objects named after it), spread over the clusters in turn.
w_many() {
  local n=$1
  shift
  local clusters
  clusters=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
  w_task deploy beijing-1 default 1 300 | jq -r --argjson n "$n" --argjson cs "$clusters" '
    . as $t | range(0; $n) as $i | $cs[$i % ($cs|length)] as $c | ("app-" + ($i|tostring)) as $a |
    $c + "|" + ($t | .cluster = $c | .app.name = $a |
      .taskId = ("u" + ($i|tostring) + ":1:deploy:" + $c + ":default:1") |
      .manifests |= map(.metadata.name = $a) |
      .components[0].name = $a | .components[0].workload.name = $a |
      .components[0].traits[1].object.name = $a | tojson)'
}

# w_send_keyed < "key|value" lines
w_send_keyed() {
  kcat -P -b "$VELA_BOOTSTRAP_SERVERS" -t "vela.tasks.$W_REGION" -K '|' \
    -X partitioner=murmur2_random
}

# w_count_finals [PHASE]: how many final events (of that phase) there are.
w_count_finals() {
  w_events | jq -c --arg p "${1:-}" 'select(.final and ($p == "" or .phase == $p))' | wc -l
}
w_finals_at_least() {
  [ "$(w_count_finals)" -ge "$1" ]
}

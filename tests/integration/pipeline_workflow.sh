#!/usr/bin/env bash
# Workflow control on the real pipeline. The missing namespace: basic.yaml in namespace
# multi-cluster fails its step with the API's own message (`namespaces "multi-cluster" not
# found`), and once the namespace is created with kubectl the retry succeeds. A suspend step
# and a deploy step with auto: false, each resumed with `vela workflow resume`, and a suspend
# step with a duration that resumes by itself.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pipeline_lib.bash"

p_start beijing-1:cn,beijing-2:cn,us-west-1:us

# ---- the missing namespace
sed 's/namespace: default/namespace: multi-cluster/' "$VELA_SOURCE_DIR/examples/basic.yaml" >"$T_DIR/mc.yaml"
vela up -f "$T_DIR/mc.yaml" >"$T_DIR/up-mc.log" 2>&1 || fail "vela up: $(cat "$T_DIR/up-mc.log")"
# One snapshot with the step failed and its message, once both placements have failed (they
# fail one after the other; progress between two status records is coalesced for a second).
step_failed() {
  st=$(p_json example-app multi-cluster)
  p_jqe '(.workflow.steps[0] | .phase == "failed" and .message != "") and
         ([.services[] | select(.healthy == false and .message != "")] | length) == 2' <<<"$st"
}
wait_for 30 step_failed >/dev/null 2>&1 || fail "the step did not fail: $(p_json example-app multi-cluster)"
check "missing namespace: the step is failed with the API's message (got: $(jq -r '.workflow.steps[0].message' <<<"$st"))" \
  p_jqe '.workflow.steps[0].message | test("^cluster beijing-[12]: namespaces \"multi-cluster\" not found$")' <<<"$st"
check "missing namespace: the app is still runningWorkflow, not finished (got $(jq -c '[.phase, .workflow.finished]' <<<"$st"))" \
  test "$(jq -c '[.phase, .workflow.finished]' <<<"$st")" = '["runningWorkflow",false]'
check "missing namespace: each service says why (cluster and message)" \
  test "$(jq '[.services[] | select(. as $v | $v.healthy == false and ($v.message | test("^cluster " + $v.cluster + ": namespaces \"multi-cluster\" not found$")))] | length' <<<"$st")" = 2
text_failed() {
  text=$(vela status example-app -n multi-cluster)
  grep -qx "    phase:failed" <<<"$text" &&
    grep -qE '^    message:cluster beijing-[12]: namespaces "multi-cluster" not found$' <<<"$text" &&
    grep -qE '^    Unhealthy cluster beijing-[12]: namespaces "multi-cluster" not found$' <<<"$text"
}
wait_for 10 text_failed >/dev/null 2>&1
check "missing namespace: status text shows phase:failed, the message and the Unhealthy line" text_failed
step_id=$(jq -r '.workflow.steps[0].id' <<<"$st")
check "missing namespace: nothing in the clusters' namespace yet" \
  test "$(p_count_objects beijing-1 example-app)" = 0
for c in beijing-1 beijing-2; do
  p_create_ns $c multi-cluster || fail "cannot create namespace multi-cluster in $c"
done
check "kubectl: the namespace exists now" \
  bash -c "set -o pipefail; kubectl --kubeconfig '$P_DIR/sim/beijing-2.kubeconfig' get namespace multi-cluster -o json | jq -e '.status.phase == \"Active\"' >/dev/null"
p_wait_phase 60 example-app multi-cluster running
st=$(p_json example-app multi-cluster)
check "after the namespace: the step succeeded on a retry (failures $(jq '.workflow.steps[0].failures' <<<"$st"))" \
  test "$(jq -c '[.workflow.steps[0] | .phase, .message, (.failures > 0)]' <<<"$st")" = '["succeeded","",true]'
check "after the namespace: same step id ($step_id)" test "$(jq -r '.workflow.steps[0].id' <<<"$st")" = "$step_id"
check "after the namespace: Ready:3/3 on both clusters" \
  test "$(jq -c '[.services[] | [.cluster, .namespace, .healthy, .message]] | sort' <<<"$st")" = \
  '[["beijing-1","multi-cluster",true,"Ready:3/3"],["beijing-2","multi-cluster",true,"Ready:3/3"]]'
for c in beijing-1 beijing-2; do
  check "after the namespace: kubectl $c: 3 ready replicas in multi-cluster" \
    p_ready $c hello-world-server multi-cluster 3
done
check "the default namespace's Application is unaffected (none there)" \
  bash -c "! vela status example-app >/dev/null 2>&1"

# ---- a suspend step, then a deploy step with auto: false
cat >"$T_DIR/suspend.yaml" <<'EOF'
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: gated-app
  namespace: default
spec:
  components:
    - name: gated-web
      type: webservice
      properties:
        image: crccheck/hello-world
        port: 8000
      traits:
        - type: scaler
          properties:
            replicas: 2
  policies:
    - type: topology
      name: beijing
      properties:
        clusters: ["beijing-1"]
    - type: topology
      name: aws
      properties:
        clusters: ["us-west-1"]
    - type: topology
      name: beijing-2
      properties:
        clusters: ["beijing-2"]
  workflow:
    steps:
      - type: deploy
        name: deploy-beijing
        properties:
          policies: ["beijing"]
      - type: suspend
        name: approval
      - type: deploy
        name: deploy-aws
        properties:
          policies: ["aws"]
          auto: false
      - type: suspend
        name: pause
        properties:
          duration: 2s
      - type: deploy
        name: deploy-beijing-2
        properties:
          policies: ["beijing-2"]
EOF
steps() {
  p_json gated-app | jq -c '[.phase, .workflow.suspend, [.workflow.steps[] | .phase]]'
}
vela up -f "$T_DIR/suspend.yaml" >"$T_DIR/up-gated.log" 2>&1 || fail "vela up gated: $(cat "$T_DIR/up-gated.log")"
p_wait_phase 30 gated-app default workflowSuspending
sleep 1.5
check "suspend: deploy-beijing succeeded, approval suspending, the rest pending (got $(steps))" \
  test "$(steps)" = '["workflowSuspending",true,["succeeded","suspending","pending","pending","pending"]]'
check "suspend: kubectl beijing-1: 2 ready replicas" p_ready beijing-1 gated-web default 2
check "suspend: kubectl us-west-1: nothing yet" test "$(p_count_objects us-west-1 gated-app)" = 0
check "suspend: status text says Suspend: true" grep -qx '  Suspend: true' <<<"$(vela status gated-app)"
out=$(vela workflow resume gated-app 2>&1)
check "resume: prints the walkthrough-style line (got: $out)" grep -qx 'Successfully resume workflow: gated-app' <<<"$out"
auto_false() {
  test "$(steps)" = '["workflowSuspending",true,["succeeded","succeeded","suspending","pending","pending"]]'
}
wait_for 20 auto_false >/dev/null 2>&1
check "auto: false: deploy-aws waits, suspending (got $(steps))" auto_false
sleep 1
check "auto: false: kubectl us-west-1: still nothing" test "$(p_count_objects us-west-1 gated-app)" = 0
vela workflow resume gated-app >/dev/null 2>&1 || fail "second resume failed"
p_wait_phase 30 gated-app default running
check "after the second resume: all five steps succeeded (got $(steps))" \
  test "$(steps)" = '["running",false,["succeeded","succeeded","succeeded","succeeded","succeeded"]]'
check "after the second resume: kubectl us-west-1: 2 ready replicas" p_ready us-west-1 gated-web default 2
check "suspend with a duration resumed by itself: kubectl beijing-2: 2 ready replicas" \
  p_ready beijing-2 gated-web default 2
# The timed pause lasted about its duration: deploy-beijing-2 started >= 2 s after pause did.
st=$(p_json gated-app)
check "pause: the next step started at least 2 s after the pause ($(jq -c '[.workflow.steps[3:5][] | .startedAt]' <<<"$st"))" \
  p_jqe '(.workflow.steps[4].startedAt | fromdateiso8601) - (.workflow.steps[3].startedAt | fromdateiso8601) >= 2' <<<"$st"
check "resume of an unknown app: exit 1" bash -c '! vela workflow resume no-such-app >/dev/null 2>&1'

p_finish

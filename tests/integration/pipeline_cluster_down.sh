#!/usr/bin/env bash
# A cluster down for 20 s (kubesim's fault-injection endpoint closes its listener): the deploy
# step shows the error (connection refused / cannot connect) while the other cluster deploys,
# and succeeds once the cluster is back. Then deletion with a cluster down: `vela delete`
# keeps the Application `deleting` and retrying; `vela delete --force` gives up on the
# unreachable cluster and removes the rest and the status.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pipeline_lib.bash"

p_start beijing-1:cn,beijing-2:cn

p_admin beijing-2 down || fail "kubesim admin: cannot take beijing-2 down"
down_at=$SECONDS
check "kubectl: beijing-2 is unreachable" \
  bash -c "! kubectl --kubeconfig '$P_DIR/sim/beijing-2.kubeconfig' get ns --request-timeout=3s >/dev/null 2>&1"
vela up -f "$VELA_SOURCE_DIR/examples/basic.yaml" >"$T_DIR/up.log" 2>&1 || fail "vela up: $(cat "$T_DIR/up.log")"
# One snapshot with the step failed and its message (between retries the step is running).
step_failed() {
  st=$(p_json example-app)
  p_jqe '.workflow.steps[0] | .phase == "failed" and .message != ""' <<<"$st"
}
wait_for 20 step_failed >/dev/null 2>&1 || fail "the step did not fail: $(p_json example-app)"
msg=$(jq -r '.workflow.steps[0].message' <<<"$st")
check "cluster down: the step is failed with the reason (got: $msg)" \
  grep -qiE '^cluster beijing-2: .*(connection refused|cannot connect|connect)' <<<"$msg"
check "cluster down: the app is runningWorkflow (got $(jq -r .phase <<<"$st"))" \
  test "$(jq -r .phase <<<"$st")" = runningWorkflow
check "cluster down: beijing-2's service is unhealthy with the reason" \
  p_jqe '[.services[] | select(.cluster == "beijing-2")][0] | .healthy == false and (.message | startswith("cluster beijing-2: "))' <<<"$st"
wait_for 15 p_ready beijing-1 hello-world-server default 3 >/dev/null 2>&1
check "cluster down: beijing-1 is deployed meanwhile (3 ready replicas)" \
  p_ready beijing-1 hello-world-server default 3
text_failed() {
  local text
  text=$(vela status example-app)
  grep -qx "    phase:failed" <<<"$text" && grep -qE "^    message:cluster beijing-2: " <<<"$text"
}
wait_for 10 text_failed >/dev/null 2>&1
check "cluster down: status text shows phase:failed and the message" text_failed

# Still failing (and not given up) until the cluster comes back after 20 s.
sleep $((down_at + 20 - SECONDS > 0 ? down_at + 20 - SECONDS : 0))
st=$(p_json example-app)
check "after 20 s down: not given up (phase $(jq -r .phase <<<"$st"), failures $(jq '.workflow.steps[0].failures' <<<"$st"))" \
  test "$(jq -r .phase <<<"$st")" = runningWorkflow
p_admin beijing-2 up || fail "kubesim admin: cannot bring beijing-2 up"
up_at=$SECONDS
p_wait_phase 90 example-app default running
echo "# running $((SECONDS - up_at)) s after the cluster came back"
st=$(p_json example-app)
check "cluster back: the step succeeded" \
  test "$(jq -c '[.workflow.steps[0] | .phase, .message]' <<<"$st")" = '["succeeded",""]'
check "cluster back: both services Ready:3/3" \
  test "$(jq -c '[.services[] | [.cluster, .healthy, .message]] | sort' <<<"$st")" = \
  '[["beijing-1",true,"Ready:3/3"],["beijing-2",true,"Ready:3/3"]]'
check "cluster back: kubectl beijing-2: 3 ready replicas" p_ready beijing-2 hello-world-server default 3

# Deleting while beijing-2 is down: pending, then --force.
p_admin beijing-2 down || fail "kubesim admin: cannot take beijing-2 down again"
vela delete example-app -y >"$T_DIR/delete.log" 2>&1 || fail "vela delete: $(cat "$T_DIR/delete.log")"
wait_for 10 test "$(p_count_objects beijing-1 example-app)" = 0 >/dev/null 2>&1
check "delete, cluster down: beijing-1's objects are deleted" test "$(p_count_objects beijing-1 example-app)" = 0
sleep 2
check "delete, cluster down: the app stays deleting (got $(p_phase example-app))" \
  test "$(p_phase example-app)" = deleting
out=$(timeout 60 vela delete example-app --force --wait -y 2>&1)
rc=$?
check "delete --force --wait: exits 0 (got: $out)" test $rc = 0
check "delete --force: the status is gone" bash -c '! vela status example-app >/dev/null 2>&1'
p_admin beijing-2 up
check "delete --force: beijing-2's objects were given up on (still there)" \
  test "$(p_count_objects beijing-2 example-app)" = 3

p_finish

# vela-worker end to end: real broker, simulated clusters joined with `vela cluster join`,
# hand-made tasks. Checks the events (applying -> progressing -> healthy with Ready:3/3),
# the objects in the cluster, the API's own message for a missing namespace, unknown and
# unreachable clusters, delete tasks, and that committed tasks are not redone on restart.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/worker_lib.bash"

W_REGION=cn
w_stack cn 300 beijing-1 beijing-2
KC1="$T_DIR/sim/beijing-1.kubeconfig"

start worker vela-worker --region cn --concurrency 8
T1=u1:1:deploy-beijing-clusters:beijing-1:default:1
w_task deploy beijing-1 default 1 | w_send beijing-1
wait_for 40 w_has_final "$T1" || fail "no final event for the deploy task"

phases=$(w_events | jq -r --arg t "$T1" 'select(.taskId == $t) | .phase' | uniq | paste -sd,)
check "events go applying, progressing, healthy (got $phases)" \
  test "$phases" = "applying,progressing,healthy"
final=$(w_final "$T1")
check "the healthy event says Ready:3/3" \
  test "$(jq -r '.services[0].message' <<<"$final")" = "Ready:3/3"
check "the gateway trait reports its URL and IP" \
  grep -q '"message":"Visiting URL: testsvc-mc.example.com, IP: [0-9.]*"' <<<"$final"
check "the event carries the resources applied" \
  test "$(jq -c '[.resources[] | .kind + "/" + .namespace + "/" + .name]' <<<"$final")" = \
  '["Deployment/default/hello-world-server","Service/default/hello-world-server","Ingress/default/hello-world-server"]'
check "the event is keyed like the app and carries the task's identity" \
  test "$(jq -c '[.app.uid, .app.revision, .step, .stepId, .attempt, .cluster, .namespace, .kind, .final]' <<<"$final")" = \
  '["u1",1,"deploy-beijing-clusters","s1",1,"beijing-1","default","deploy",true]'
check "every event is keyed <namespace>/<name> of the app" \
  test "$(kcat -C -b "$VELA_BOOTSTRAP_SERVERS" -t vela.events -e -q -X fetch.wait.max.ms=10 \
    -f '%k\n' | sort -u)" = default/example-app
check "the Deployment is in the cluster with 3 ready replicas" \
  test "$(kubectl --kubeconfig "$KC1" get deploy hello-world-server -o jsonpath='{.status.readyReplicas}')" = 3
check "the Ingress is in the cluster" \
  bash -c "kubectl --kubeconfig '$KC1' get ingress hello-world-server -o name >/dev/null"

# A namespace that does not exist: the API's own message.
T2=u1:1:deploy-beijing-clusters:beijing-2:multi-cluster:1
w_task deploy beijing-2 multi-cluster 1 | w_send beijing-2
wait_for 20 w_has_final "$T2" || fail "no final event for the missing namespace"
final=$(w_final "$T2")
check "missing namespace: failed with the API's message" \
  test "$(jq -r '.phase + " | " + .message' <<<"$final")" = \
  'failed | cluster beijing-2: namespaces "multi-cluster" not found'

# A cluster nobody joined.
T3=u1:1:deploy-beijing-clusters:nowhere:default:1
w_task deploy nowhere default 1 | w_send nowhere
wait_for 20 w_has_final "$T3" || fail "no final event for the unknown cluster"
check "unknown cluster: failed, naming it" \
  grep -q '"phase":"failed".*"message":"cluster nowhere: not found in the cluster registry' \
  <<<"$(w_final "$T3")"

# An unreachable cluster (kubesim takes its listener down).
curl -sf -X POST "http://127.0.0.1:$W_ADMIN_PORT/clusters/beijing-2/down" >/dev/null ||
  fail "cannot take beijing-2 down"
T4=u1:1:deploy-beijing-clusters:beijing-2:default:1
w_task deploy beijing-2 default 1 | w_send beijing-2
wait_for 30 w_has_final "$T4" || fail "no final event for the unreachable cluster"
check "unreachable cluster: failed with the reason" \
  grep -q '"phase":"failed".*"message":"cluster beijing-2: cannot connect to https://127.0.0.1' \
  <<<"$(w_final "$T4")"
curl -sf -X POST "http://127.0.0.1:$W_ADMIN_PORT/clusters/beijing-2/up" >/dev/null

# Delete: the objects go; a second delete finds nothing and still succeeds.
T5=u1:1:deploy-beijing-clusters:beijing-1:default:2
w_task delete beijing-1 default 2 | w_send beijing-1
wait_for 20 w_has_final "$T5" || fail "no final event for the delete task"
check "delete task: deleted" test "$(jq -r .phase <<<"$(w_final "$T5")")" = deleted
check "the Deployment is gone" \
  bash -c "! kubectl --kubeconfig '$KC1' get deploy hello-world-server -o name 2>/dev/null"
check "the Ingress is gone" \
  bash -c "! kubectl --kubeconfig '$KC1' get ingress hello-world-server -o name 2>/dev/null"
T6=u1:1:deploy-beijing-clusters:beijing-1:default:3
w_task delete beijing-1 default 3 | w_send beijing-1
wait_for 20 w_has_final "$T6" || fail "no final event for the second delete task"
check "deleting what is gone: deleted" test "$(jq -r .phase <<<"$(w_final "$T6")")" = deleted

# Malformed tasks: one whose identity is complete is reported to its app; one without
# (no app uid) and one that is not JSON are logged, counted and skipped.
echo 'this is not JSON' | w_send beijing-1
echo '{"schemaVersion":1,"kind":"deploy","taskId":"bad-2","cluster":"beijing-1","namespace":"default","app":{"name":"example-app","namespace":"default"}}' |
  w_send beijing-1
w_task deploy beijing-1 default 1 | jq -c '.taskId = "bad-1" | del(.manifests)' | w_send beijing-1
wait_for 20 w_has_final bad-1 || fail "no final event for the malformed task"
check "a malformed task fails with the reason" \
  test "$(jq -r '.phase + " | " + .message' <<<"$(w_final bad-1)")" = \
  'failed | invalid task: manifests: missing (required array)'
check "a malformed task without its identity is logged with where it is and why" \
  grep -q 'msg="record refused" topic=vela.tasks.cn partition=[0-9]* offset=[0-9]* key=[^ ]* reason="app.uid: missing (required string); no Application to tell"' \
  "$T_DIR/worker.log"
check "a record that is not JSON is logged with the reason" \
  grep -q 'msg="record refused" topic=vela.tasks.cn .*reason="not valid JSON' "$T_DIR/worker.log"
check "no event is sent for a task without its identity" \
  test -z "$(w_events | jq -c 'select(.taskId == "bad-2")')"

# Two revisions of one app for one cluster, back to back: applied in their order.
{
  w_task deploy beijing-2 default 8 | jq -c '.manifests[0].spec.replicas = 2'
  w_task deploy beijing-2 default 9
} | w_send beijing-2
T9=u1:1:deploy-beijing-clusters:beijing-2:default:9
wait_for 30 w_has_final "$T9" || fail "no final event for the second revision"
check "back-to-back tasks of one app and cluster apply in order (3 replicas last)" \
  test "$(kubectl --kubeconfig "$T_DIR/sim/beijing-2.kubeconfig" get deploy hello-world-server \
    -o jsonpath='{.spec.replicas}')" = 3

# Clean stop, then a restart: finished tasks are committed and not redone.
sleep 0.5
before=$(w_events | wc -l)
kill -TERM "$PID_worker"
wait "$PID_worker"
check "SIGTERM: the worker exits 0" test $? = 0
check "SIGTERM: the worker says it stopped" \
  grep -q 'event=stopped taken=9 finished=9' "$T_DIR/worker.log"
check "SIGTERM: the three malformed tasks are counted" \
  grep -q 'event=stopped .* invalid=3' "$T_DIR/worker.log"
start worker2 vela-worker --region cn
T7=u1:1:deploy-beijing-clusters:beijing-2:default:7
w_task deploy beijing-2 default 7 | w_send beijing-2
wait_for 40 w_has_final "$T7" || fail "no final event after the restart"
check "after the restart the new task is healthy" \
  test "$(jq -r .phase <<<"$(w_final "$T7")")" = healthy
t7_events=$(w_events | jq -c --arg t "$T7" 'select(.taskId == $t)' | wc -l)
after=$(w_events | wc -l)
check "after the restart no finished task was redone ($before + $t7_events events = $after)" \
  test "$after" = $((before + t7_events))
sleep 0.3
kill -TERM "$PID_worker2"
wait "$PID_worker2"
check "the restarted worker stops cleanly too" test $? = 0
check "the restarted worker took exactly one task" \
  grep -q 'event=stopped taken=1 finished=1' "$T_DIR/worker2.log"
finish

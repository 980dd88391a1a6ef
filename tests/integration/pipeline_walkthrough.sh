#!/usr/bin/env bash
# The seed walkthrough on the real pipeline (broker, kubesim, scheduler, workers cn and us),
# every step checked through `vela status -o json`, the text of `vela status`, and kubectl
# against the simulated clusters: basic -> beijing-1/2 with 3 ready replicas and the gateway
# IP; labels add us-west-1 provider=AWS; intermediate -> us-west-1 too; advanced -> StepByStep,
# us-west-1 at 5 and Beijing at 3. Then garbage collection: back to intermediate (us-west-1 at
# 3), to basic (us-west-1 emptied), a revision without the gateway (its Service and Ingress
# deleted); and `vela delete --wait` removes everything from every cluster and the status.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pipeline_lib.bash"

EX=$VELA_SOURCE_DIR/examples
APP=example-app
p_start beijing-1:cn,beijing-2:cn,us-west-1:us

list=$(vela cluster list 2>&1)
check "cluster list: three clusters, accepted" \
  test "$(grep -cE '^(beijing-1|beijing-2|us-west-1) +	X509Certificate	https://127\.0\.0\.1:[0-9]+ *	true' <<<"$list")" = 3

# ---- basic.yaml
out=$(vela up -f "$EX/basic.yaml" 2>&1)
check "up basic: the walkthrough's banner" grep -qF '✅ App has been deployed 🚀🚀🚀' <<<"$out"
p_wait_revision 60 $APP default 1 running
st=$(p_json $APP)
check "basic: revision 1, DAG, finished, one step succeeded" \
  test "$(jq -c '[.revision, .workflow.mode, .workflow.finished, .workflow.suspend, .workflow.terminated,
    [.workflow.steps[] | [.name, .type, .phase, .message]]]' <<<"$st")" = \
  '[1,"DAG",true,false,false,[["deploy-beijing-clusters","deploy","succeeded",""]]]'
check "basic: step has a 10-character id" \
  test "$(jq -r '.workflow.steps[0].id | test("^[a-z0-9]{10}$")' <<<"$st")" = true
check "basic: services on beijing-1 and beijing-2, healthy, Ready:3/3" \
  test "$(jq -c '[.services[] | [.name, .cluster, .namespace, .type, .healthy, .message]] | sort' <<<"$st")" = \
  '[["hello-world-server","beijing-1","default","webservice",true,"Ready:3/3"],["hello-world-server","beijing-2","default","webservice",true,"Ready:3/3"]]'
check "basic: gateway trait gives the URL and an IP on both clusters" \
  test "$(jq '[.services[].traits[] | select(.type == "gateway" and .healthy and
    (.message | test("^Visiting URL: testsvc-mc\\.example\\.com, IP: [0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$")))] | length' <<<"$st")" = 2
check "basic: scaler trait healthy without message" \
  test "$(jq -c '[.services[].traits[] | select(.type == "scaler") | [.healthy, .message]] | unique' <<<"$st")" = '[[true,""]]'
for c in beijing-1 beijing-2; do
  check "basic: kubectl $c: Deployment with 3 ready replicas" p_ready $c hello-world-server default 3
  check "basic: kubectl $c: Ingress for testsvc-mc.example.com with an address" \
    bash -c "set -o pipefail; kubectl --kubeconfig '$P_DIR/sim/$c.kubeconfig' get ingress hello-world-server -o json |
      jq -e '.spec.rules[0].host == \"testsvc-mc.example.com\" and (.status.loadBalancer.ingress[0].ip | length > 0)' >/dev/null"
  check "basic: kubectl $c: labels app.oam.dev/name and component on the Deployment" \
    bash -c "set -o pipefail; kubectl --kubeconfig '$P_DIR/sim/$c.kubeconfig' get deploy hello-world-server -o json |
      jq -e '.metadata.labels[\"app.oam.dev/name\"] == \"example-app\" and .metadata.labels[\"app.oam.dev/component\"] == \"hello-world-server\"' >/dev/null"
done
check "basic: kubectl us-west-1: nothing deployed there" test "$(p_count_objects us-west-1 $APP)" = 0
ip1=$(p_kc beijing-1 get ingress hello-world-server -o json | jq -r '.status.loadBalancer.ingress[0].ip')
text=$(vela status $APP 2>&1)
check "basic: status text: About with Status running" grep -qF $'  Status:    \trunning' <<<"$text"
check "basic: status text: Workflow mode DAG, finished" \
  bash -c 'grep -qx "  mode: DAG" <<<"$1" && grep -qx "  finished: true" <<<"$1" && grep -qx "  Terminated: false" <<<"$1"' _ "$text"
check "basic: status text: step lines" \
  bash -c 'grep -qx "    name:deploy-beijing-clusters" <<<"$1" && grep -qx "    phase:succeeded" <<<"$1" && grep -qx "    message:" <<<"$1"' _ "$text"
check "basic: status text: Cluster lines" \
  test "$(grep -cE '^    Cluster: beijing-[12]  Namespace: default$' <<<"$text")" = 2
check "basic: status text: Healthy Ready:3/3 twice" test "$(grep -cx '    Healthy Ready:3/3' <<<"$text")" = 2
check "basic: status text: the walkthrough's trait line with beijing-1's Ingress IP" \
  grep -qx "      ✅ scaler      ✅ gateway: Visiting URL: testsvc-mc.example.com, IP: $ip1" <<<"$text"

# ---- labels
out=$(vela cluster labels add us-west-1 provider=AWS 2>&1)
check "labels add: the walkthrough's output" \
  test "$out" = $'Successfully update labels for cluster us-west-1 (type: X509Certificate).\nprovider=AWS'
check "cluster list: us-west-1 shows provider=AWS" \
  grep -qE '^us-west-1 .*	true +	provider=AWS$' <<<"$(vela cluster list 2>&1)"

# ---- intermediate.yaml
vela up -f "$EX/intermediate.yaml" >"$T_DIR/up2.log" 2>&1 || fail "vela up intermediate: $(cat "$T_DIR/up2.log")"
p_wait_revision 60 $APP default 2 running
st=$(p_json $APP)
check "intermediate: two DAG steps succeeded" \
  test "$(jq -c '[.workflow.mode, [.workflow.steps[] | [.name, .phase]]]' <<<"$st")" = \
  '["DAG",[["deploy-beijing-clusters","succeeded"],["deploy-topology-aws","succeeded"]]]'
check "intermediate: three healthy services, Ready:3/3 each" \
  test "$(jq -c '[.services[] | [.cluster, .healthy, .message]] | sort' <<<"$st")" = \
  '[["beijing-1",true,"Ready:3/3"],["beijing-2",true,"Ready:3/3"],["us-west-1",true,"Ready:3/3"]]'
check "intermediate: kubectl us-west-1: Deployment with 3 ready replicas" p_ready us-west-1 hello-world-server default 3
check "intermediate: status text: us-west-1 service" \
  bash -c 'grep -qx "    Cluster: us-west-1  Namespace: default" <<<"$1" && test "$(grep -c "^      ✅ scaler      ✅ gateway: Visiting URL: testsvc-mc.example.com, IP: " <<<"$1")" = 3' \
  _ "$(vela status $APP)"

# ---- advanced.yaml
vela up -f "$EX/advanced.yaml" >"$T_DIR/up3.log" 2>&1 || fail "vela up advanced: $(cat "$T_DIR/up3.log")"
p_wait_revision 60 $APP default 3 running
st=$(p_json $APP)
check "advanced: StepByStep, deploy-beijing then deploy-aws succeeded" \
  test "$(jq -c '[.workflow.mode, .workflow.finished, [.workflow.steps[] | [.name, .phase]]]' <<<"$st")" = \
  '["StepByStep",true,[["deploy-beijing","succeeded"],["deploy-aws","succeeded"]]]'
check "advanced: us-west-1 Ready:5/5, Beijing Ready:3/3" \
  test "$(jq -c '[.services[] | [.cluster, .healthy, .message]] | sort' <<<"$st")" = \
  '[["beijing-1",true,"Ready:3/3"],["beijing-2",true,"Ready:3/3"],["us-west-1",true,"Ready:5/5"]]'
check "advanced: kubectl us-west-1: 5 ready replicas" p_ready us-west-1 hello-world-server default 5
check "advanced: kubectl beijing-1: still 3 ready replicas" p_ready beijing-1 hello-world-server default 3
check "advanced: kubectl beijing-2: still 3 ready replicas" p_ready beijing-2 hello-world-server default 3
# StepByStep: the first deploy-aws task was produced after deploy-beijing's last healthy event.
aws_first=$(kcat -C -b "$P_KAFKA" -t vela.tasks.us -e -q -f '%T\t%s\n' 2>/dev/null |
  jq -R -r 'split("\t") | select((.[1] | fromjson | .app.revision == 3 and .step == "deploy-aws")) | .[0]' |
  sort -n | head -1)
bj_last=$(kcat -C -b "$P_KAFKA" -t vela.events -e -q -f '%T\t%s\n' 2>/dev/null |
  jq -R -r 'split("\t") | select((.[1] | fromjson | .app.revision == 3 and .step == "deploy-beijing" and .phase == "healthy")) | .[0]' |
  sort -n | tail -1)
check "advanced: deploy-aws was dispatched after deploy-beijing was healthy ($bj_last <= $aws_first)" \
  test -n "$aws_first" -a -n "$bj_last" -a "${aws_first:-0}" -ge "${bj_last:-1}"
text=$(vela status $APP)
check "advanced: status text: mode StepByStep, Healthy Ready:5/5" \
  bash -c 'grep -qx "  mode: StepByStep" <<<"$1" && grep -qx "    Healthy Ready:5/5" <<<"$1" && test "$(grep -cx "    Healthy Ready:3/3" <<<"$1")" = 2' _ "$text"

# ---- garbage collection: back to intermediate, then basic
vela up -f "$EX/intermediate.yaml" >/dev/null 2>&1
p_wait_revision 60 $APP default 4 running
check "back to intermediate: us-west-1 at 3 ready replicas again" p_ready us-west-1 hello-world-server default 3
vela up -f "$EX/basic.yaml" >/dev/null 2>&1
p_wait_revision 60 $APP default 5 running
wait_for 20 test "$(p_count_objects us-west-1 $APP)" = 0 >/dev/null 2>&1
check "gc: us-west-1 left the topology: its Deployment, Service and Ingress are deleted" \
  test "$(p_count_objects us-west-1 $APP)" = 0
beijing_at_3() {
  p_ready beijing-1 hello-world-server default 3 && p_ready beijing-2 hello-world-server default 3
}
check "gc: Beijing untouched (3 ready replicas each)" beijing_at_3
check "gc: the status lists only the Beijing services" \
  test "$(p_json $APP | jq -c '[.services[].cluster] | sort')" = '["beijing-1","beijing-2"]'

# A revision without the gateway trait: its Service and Ingress go, the Deployment stays.
sed '/- type: gateway/,/"\/": 8000/d' "$EX/basic.yaml" >"$T_DIR/no-gateway.yaml"
vela up -f "$T_DIR/no-gateway.yaml" >"$T_DIR/up6.log" 2>&1 || fail "vela up no-gateway: $(cat "$T_DIR/up6.log")"
p_wait_revision 60 $APP default 6 running
wait_for 20 p_absent beijing-1 ingress hello-world-server >/dev/null 2>&1
for c in beijing-1 beijing-2; do
  check "gc: $c: the removed gateway's Ingress is deleted" p_absent $c ingress hello-world-server
  check "gc: $c: the removed gateway's Service is deleted" p_absent $c service hello-world-server
  check "gc: $c: the Deployment stays with 3 ready replicas" p_ready $c hello-world-server default 3
done

# An identical resubmit is not a new revision.
vela up -f "$T_DIR/no-gateway.yaml" >/dev/null 2>&1
sleep 1
check "identical resubmit: still revision 6, running" p_revision_phase $APP default 6 running

# ---- delete --wait
vela up -f "$EX/advanced.yaml" >/dev/null 2>&1
p_wait_revision 60 $APP default 7 running
out=$(timeout 60 vela delete $APP --wait -y 2>&1)
rc=$?
check "delete --wait: exits 0 (got: $out)" test $rc = 0
for c in beijing-1 beijing-2 us-west-1; do
  check "delete: kubectl $c: no object of example-app left" test "$(p_count_objects $c $APP)" = 0
done
check "delete: vela status says not found, exit 1" \
  bash -c "! vela status $APP >/dev/null 2>&1 && vela status $APP 2>&1 | grep -q 'not found'"
not_listed() {
  local out
  out=$(vela ls -A) && ! grep -q "	$APP" <<<"$out"
}
check "delete: vela ls -A no longer lists it" not_listed
check "delete: the status record is a tombstone on vela.app-status" \
  test "$(kcat -C -b "$P_KAFKA" -t vela.app-status -e -q -f '%k %S\n' 2>/dev/null | grep '^default/example-app ' | tail -1)" = "default/example-app -1"

p_finish

#!/usr/bin/env bash
# kill -9 the scheduler mid-workflow and restart it. Ready delay 3 s, so steps take a while.
# "gated" (StepByStep: deploy-beijing, a suspend step, deploy-aws with the 5-replica override)
# waits at its suspend step; five advanced.yaml-like Applications are in their first step when
# the scheduler is killed (their events keep coming while it is dead). After the restart:
# every Application reaches `running`; finished steps are not redone (same step ids and uid,
# no new task for gated's deploy-beijing on vela.tasks.cn, the Beijing Deployments' generation
# and resourceVersion unchanged); the suspend step still waits for `vela workflow resume`.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pipeline_lib.bash"

STACK_READY_DELAY_MS=3000 p_start beijing-1:cn,beijing-2:cn,us-west-1:us
vela cluster labels add us-west-1 provider=AWS >/dev/null || fail "labels add failed"

# gated: advanced.yaml with a suspend step between the two deploy steps.
sed -e 's/name: example-app/name: gated/' \
  -e 's/^  workflow:$/  workflow:/' "$VELA_SOURCE_DIR/examples/advanced.yaml" |
  awk '{print} /policies: \["beijing-clusters"\]/ {print "      - type: suspend\n        name: approval"}' \
    >"$T_DIR/gated.yaml"
vela up -f "$T_DIR/gated.yaml" >"$T_DIR/up-gated.log" 2>&1 || fail "vela up gated: $(cat "$T_DIR/up-gated.log")"
p_wait_phase 40 gated default workflowSuspending
g_before=$(p_json gated)
check "gated: deploy-beijing succeeded, approval suspending (got $(jq -c '[.workflow.steps[] | .phase]' <<<"$g_before"))" \
  test "$(jq -c '[.workflow.steps[] | .phase]' <<<"$g_before")" = '["succeeded","suspending","pending"]'

# tasks of one app and step on a tasks topic
count_tasks() { # REGION APP STEP
  p_tasks "$1" | jq -r --arg a "$2" --arg s "$3" 'select(.app.name == $a and .step == $s) | .taskId' | wc -l
}
rv() { # CLUSTER NAME: generation/resourceVersion of the Deployment
  p_deploy "$1" "$2" | jq -r '"\(.metadata.generation)/\(.metadata.resourceVersion)"'
}
g_tasks_before=$(count_tasks cn gated deploy-beijing)
g_rv1=$(rv beijing-1 hello-world-server)
g_rv2=$(rv beijing-2 hello-world-server)

# Five slow ones like advanced.yaml, each with its own component (no shared objects), produced
# at once so that they are all in their first step together.
for i in 1 2 3 4 5; do
  jq -cn --arg n "slow-$i" '
    {apiVersion: "core.oam.dev/v1beta1", kind: "Application", metadata: {name: $n, namespace: "default"},
     spec: {components: [{name: ($n + "-server"), type: "webservice",
              properties: {image: "crccheck/hello-world", port: 8000},
              traits: [{type: "scaler", properties: {replicas: 3}},
                       {type: "gateway", properties: {domain: "testsvc-mc.example.com", http: {"/": 8000}}}]}],
            policies: [{type: "topology", name: "beijing-clusters", properties: {clusters: ["beijing-1", "beijing-2"]}},
                       {type: "topology", name: "topology-aws", properties: {clusterLabelSelector: {provider: "AWS"}}},
                       {type: "override", name: "override-high-availability",
                        properties: {components: [{type: "webservice", traits: [{type: "scaler", properties: {replicas: 5}}]}]}}],
            workflow: {steps: [{type: "deploy", name: "deploy-beijing", properties: {policies: ["beijing-clusters"]}},
                               {type: "deploy", name: "deploy-aws",
                                properties: {policies: ["override-high-availability", "topology-aws"]}}]}}}
    | "default/" + $n + "|" + tojson' -r
done | p_produce_apps || fail "kcat could not produce the slow apps"
# Kill as soon as every slow app has a status and some are in their first step (under a
# sanitizer build the five do not always overlap).
first_step_running() {
  local i ph n=0
  for i in 1 2 3 4 5; do
    ph=$(p_step slow-$i default deploy-beijing phase)
    [ -n "$ph" ] || return 1
    [ "$ph" = running ] && n=$((n + 1))
  done
  [ "$n" -ge 1 ]
}
wait_for 30 first_step_running >/dev/null 2>&1 || fail "the slow apps did not start: $(p_json slow-1 | jq -c .workflow)"
pid=$(cat "$P_DIR/scheduler.pid")
kill -9 "$pid"
wait "$pid" 2>/dev/null
killed_at=$SECONDS
# What the dead scheduler last published (vela status reads vela.app-status, not the scheduler).
declare -A slow_ids slow_uid
for i in 1 2 3 4 5; do
  slow_ids[$i]=$(p_json slow-$i | jq -r '[.workflow.steps[].id] | join(",")')
  slow_uid[$i]=$(p_json slow-$i | jq -r .uid)
done
echo "# scheduler killed; steps then: $(for i in 1 2 3 4 5; do p_json slow-$i | jq -r '[.workflow.steps[].phase] | join("/")'; done | sort | uniq -c | paste -sd' ')"
sleep 3 # the workers finish the first steps meanwhile; their events wait on vela.events
stack_daemon "$P_DIR" scheduler "$STACK_BIN/vela-scheduler"

all_slow_running() {
  local i
  for i in 1 2 3 4 5; do
    p_is_phase slow-$i default running || return 1
  done
}
wait_for 90 all_slow_running >/dev/null 2>&1
echo "# slow apps running $((SECONDS - killed_at)) s after the kill"
for i in 1 2 3 4 5; do
  st=$(p_json slow-$i)
  check "slow-$i: running after the restart (got $(jq -c '[.phase, [.workflow.steps[] | .phase]]' <<<"$st"))" \
    test "$(jq -r .phase <<<"$st")" = running
  check "slow-$i: same uid and step ids as before the kill" \
    test "$(jq -r '.uid + " " + ([.workflow.steps[].id] | join(","))' <<<"$st")" = "${slow_uid[$i]} ${slow_ids[$i]}"
  check "slow-$i: kubectl us-west-1: 5 ready replicas" p_ready us-west-1 slow-$i-server default 5
done
redone=0
for i in 1 2 3 4 5; do
  n=$(count_tasks cn slow-$i deploy-beijing)
  [ "$n" -gt 2 ] && redone=$((redone + 1))
done
echo "# slow apps whose in-flight first step was dispatched again after the restart: $redone of 5"

g_after=$(p_json gated)
check "gated: still suspended after the restart (got $(jq -c '[.phase, [.workflow.steps[] | .phase]]' <<<"$g_after"))" \
  test "$(jq -c '[.phase, [.workflow.steps[] | .phase]]' <<<"$g_after")" = \
  '["workflowSuspending",["succeeded","suspending","pending"]]'
check "gated: same uid, revision, createdAt and step ids" \
  test "$(jq -c '[.uid, .revision, .createdAt, [.workflow.steps[].id]]' <<<"$g_after")" = \
  "$(jq -c '[.uid, .revision, .createdAt, [.workflow.steps[].id]]' <<<"$g_before")"
check "gated: no new task for the finished deploy-beijing ($g_tasks_before before)" \
  test "$(count_tasks cn gated deploy-beijing)" = "$g_tasks_before"
check "gated: kubectl beijing-1: Deployment untouched ($g_rv1)" test "$(rv beijing-1 hello-world-server)" = "$g_rv1"
check "gated: kubectl beijing-2: Deployment untouched ($g_rv2)" test "$(rv beijing-2 hello-world-server)" = "$g_rv2"
check "gated: nothing on us-west-1 yet" test "$(p_count_objects us-west-1 gated)" = 0

vela workflow resume gated >/dev/null 2>&1 || fail "vela workflow resume gated failed"
p_wait_phase 40 gated default running
g_done=$(p_json gated)
check "gated: after resume, all steps succeeded with the same ids" \
  test "$(jq -c '[[.workflow.steps[] | .phase], [.workflow.steps[].id]]' <<<"$g_done")" = \
  "[[\"succeeded\",\"succeeded\",\"succeeded\"],$(jq -c '[.workflow.steps[].id]' <<<"$g_before")]"
check "gated: kubectl us-west-1: 5 ready replicas" p_ready us-west-1 hello-world-server default 5
check "gated: deploy-beijing still not redone" test "$(count_tasks cn gated deploy-beijing)" = "$g_tasks_before"
check "gated: kubectl beijing-1: still untouched" test "$(rv beijing-1 hello-world-server)" = "$g_rv1"

# A second kill, with nothing in flight: everything stays running, nothing is re-sent.
tasks_all=$(( $(p_tasks cn | wc -l) + $(p_tasks us | wc -l) ))
pid=$(cat "$P_DIR/scheduler.pid")
kill -9 "$pid"
wait "$pid" 2>/dev/null
stack_daemon "$P_DIR" scheduler "$STACK_BIN/vela-scheduler"
wait_for 30 bash -c "[ \$(grep -c 'event=assigned' '$P_DIR/scheduler.log') -ge 3 ]" >/dev/null 2>&1
sleep 2
check "second restart, nothing in flight: no task sent ($tasks_all before)" \
  test "$(( $(p_tasks cn | wc -l) + $(p_tasks us | wc -l) ))" = "$tasks_all"
check "second restart: every app still running" \
  test "$(vela ls -A | awk -F'\t' 'NR > 1 && $6 ~ /^running *$/ {print $2}' | sort -u | wc -l)" = 6

p_finish

#!/usr/bin/env bash
# kill -9 a worker while 50 Applications deploy. Region cn has three clusters and two workers
# sharing vela.tasks.cn; us-west-1 has its own. 50 generated Applications (each on three of the
# four clusters, 2 replicas, ready delay 2 s) are produced straight to vela.applications; when
# some are running, one cn worker is killed with SIGKILL. Its unfinished tasks must be
# re-delivered to the other worker (uncommitted offsets): all 50 reach `running`, every
# Deployment is ready in its clusters, and the killed worker, restarted, rejoins harmlessly.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pipeline_lib.bash"

N=50
CLUSTERS=(beijing-1 beijing-2 beijing-3 us-west-1)
# A small --concurrency spreads the cn tasks over several rounds of the 2 s ready delay, so
# the kill below lands mid-deployment however fast the workers are.
STACK_WORKER_ARGS="--concurrency 8" STACK_READY_DELAY_MS=2000 \
  p_start beijing-1:cn,beijing-2:cn,beijing-3:cn,us-west-1:us
stack_daemon "$P_DIR" worker-cn2 "$STACK_BIN/vela-worker" --region cn --concurrency 8
# Both cn workers in the group, sharing the partitions.
both_assigned() {
  grep -q 'event=assigned topic=vela.tasks.cn' "$P_DIR/worker-cn.log" &&
    grep -q 'event=assigned topic=vela.tasks.cn' "$P_DIR/worker-cn2.log" &&
    [ "$(grep -h 'event=assigned topic=vela.tasks.cn' "$P_DIR/worker-cn.log" "$P_DIR/worker-cn2.log" |
      tail -2 | sed 's/.*partitions=\([^ ]*\).*/\1/' | tr ',' '\n' | sort -u | wc -l)" = 12 ]
}
wait_for 30 both_assigned >/dev/null 2>&1 || fail "the two cn workers do not share the partitions"
for w in worker-cn worker-cn2; do
  echo "# $w: partitions $(grep 'event=assigned topic=vela.tasks.cn' "$P_DIR/$w.log" | tail -1 | sed 's/.*partitions=\([^ ]*\).*/\1/')"
done

# app-i goes to three clusters: all but CLUSTERS[i % 4].
gen_apps() {
  local i
  for i in $(seq 1 $N); do
    jq -cn --arg name "$(printf 'load-%02d' "$i")" --argjson skip $((i % 4)) \
      --argjson all "$(printf '%s\n' "${CLUSTERS[@]}" | jq -R . | jq -sc .)" '
      {apiVersion: "core.oam.dev/v1beta1", kind: "Application",
       metadata: {name: $name, namespace: "default"},
       spec: {components: [{name: ($name + "-web"), type: "webservice",
                properties: {image: "crccheck/hello-world", port: 8000},
                traits: [{type: "scaler", properties: {replicas: 2}}]}],
              policies: [{name: "spread", type: "topology",
                properties: {clusters: [$all | to_entries[] | select(.key != $skip) | .value]}}]}}
      | "default/" + $name + "|" + tojson' -r
  done
}
gen_apps >"$T_DIR/apps.txt"
t0=$SECONDS
p_produce_apps <"$T_DIR/apps.txt" || fail "kcat could not produce the Applications"

running_count() {
  vela ls -A 2>/dev/null | awk -F'\t' 'NR > 1 && $2 ~ /load-/ && $6 ~ /^running *$/ {print $2}' | sort -u | wc -l
}
# Kill as soon as the cn workers have finished a few tasks (log lines: no CLI in the loop, so
# the kill lands mid-deployment even under a sanitizer build).
cn_finished() {
  cat "$P_DIR/worker-cn.log" "$P_DIR/worker-cn2.log" | grep -c 'event=task_final'
}
some_finished() {
  [ "$(cn_finished)" -ge 3 ]
}
cn_tasks=0
for i in $(seq 1 $N); do [ $((i % 4)) = 3 ] && cn_tasks=$((cn_tasks + 3)) || cn_tasks=$((cn_tasks + 2)); done
wait_for 60 some_finished >/dev/null 2>&1 || fail "no cn task finished: $(tail -n 3 "$P_DIR/worker-cn.log")"
# Kill the busier of the two (the one that finished more tasks so far).
victim=worker-cn survivor=worker-cn2
if [ "$(grep -c 'event=task_final' "$P_DIR/worker-cn2.log")" -gt "$(grep -c 'event=task_final' "$P_DIR/worker-cn.log")" ]; then
  victim=worker-cn2 survivor=worker-cn
fi
victim_pid=$(cat "$P_DIR/$victim.pid")
kill -9 "$victim_pid"
wait "$victim_pid" 2>/dev/null
killed_at=$SECONDS
rm -f "$P_DIR/$victim.pid"
done_then=$(cn_finished)
echo "# killed $victim after $((killed_at - t0)) s, $done_then of $cn_tasks cn tasks finished"
check "the kill happened mid-deployment ($done_then of $cn_tasks cn tasks finished)" test "$done_then" -lt "$cn_tasks"
check "the killed worker had taken tasks" grep -q 'event=task_final' "$P_DIR/$victim.log"

all_running() {
  [ "$(running_count)" -eq $N ]
}
wait_for 120 all_running >/dev/null 2>&1
echo "# $(running_count) of $N running $((SECONDS - killed_at)) s after the kill"
check "all $N Applications reach running after the kill" all_running
bad=$(vela ls -A | awk -F'\t' 'NR > 1 && $2 ~ /load-/ && $6 !~ /^running *$/ {print $2 ":" $6}' | head -5)
[ -z "$bad" ] || echo "# not running: $bad" >&2

# In the clusters: every app's Deployment is ready on its three clusters and absent elsewhere.
for k in 0 1 2 3; do
  c=${CLUSTERS[$k]}
  want=$(for i in $(seq 1 $N); do [ $((i % 4)) != $k ] && printf 'load-%02d-web\n' "$i"; done | sort | paste -sd,)
  got=$(p_kc "$c" get deploy -n default -o json |
    jq -r '[.items[] | select(.metadata.name | startswith("load-")) |
      select(.status.readyReplicas == 2 and .spec.replicas == 2) | .metadata.name] | sort | join(",")')
  check "kubectl $c: exactly the expected $(tr ',' '\n' <<<"$want" | wc -l) Deployments, all ready" \
    test "$got" = "$want"
done

# A re-delivered task is harmless: nothing failed, and the services stayed Ready:2/2.
failed_events=$(kcat -C -b "$P_KAFKA" -t vela.events -e -q -f '%s\n' 2>/dev/null |
  jq -r 'select(.phase == "failed") | .message' | sort | uniq -c | head -3)
check "no failed event (got: $failed_events)" test -z "$failed_events"
check "every service of every app is healthy Ready:2/2" \
  test "$(vela ls -A | awk -F'\t' 'NR > 1 && $2 ~ /load-/ && $7 ~ /^healthy/ && $8 ~ /^Ready:2\/2/ {print $2}' | sort -u | wc -l)" = $N

# The killed worker comes back: it rejoins and nothing changes.
stack_daemon "$P_DIR" worker-cn3 "$STACK_BIN/vela-worker" --region cn
wait_for 30 grep -q 'event=assigned topic=vela.tasks.cn' "$P_DIR/worker-cn3.log" >/dev/null 2>&1
sleep 1
check "after the restart of the killed worker: still all $N running" all_running
check "the surviving worker did not crash" kill -0 "$(cat "$P_DIR/$survivor.pid")"

p_finish

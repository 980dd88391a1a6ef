#!/usr/bin/env bash
# Malformed records on every topic while Applications deploy (real processes, kcat as the
# hostile producer): garbage bytes, JSON of the wrong shape, a wrong schemaVersion, missing
# fields, on vela.applications, vela.clusters, vela.tasks.<region>, vela.events and
# vela.app-status. No process exits; the good Applications reach `running`; each bad record
# is refused with one log line (topic, partition, offset, key, reason) by each process that
# reads it (the CLI says it on stderr); an Application whose own record is bad shows why in
# `vela status`. Then the
# scheduler is killed and restarted, so that it reads the compacted tables with the bad
# records in them again at start: it stays up and carries on.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pipeline_lib.bash"

p_start east-1:east,west-1:west

app_yaml() { # NAME REPLICAS
  cat <<EOF
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata: {name: $1, namespace: default}
spec:
  components:
    - name: $1-web
      type: webservice
      properties: {image: nginx:1.25, port: 80}
      traits: [{type: scaler, properties: {replicas: $2}}]
  policies:
    - name: both
      type: topology
      properties: {clusters: [east-1, west-1]}
EOF
}

# victim: running before anything bad happens; its status record is overwritten with garbage
# below, which the restarted scheduler must survive.
app_yaml victim 1 >"$T_DIR/victim.yaml"
vela up -f "$T_DIR/victim.yaml" >/dev/null 2>&1 || fail "vela up victim failed"
p_wait_phase 60 victim default running

for i in 1 2 3; do
  app_yaml good-$i 2 >"$T_DIR/good-$i.yaml"
  vela up -f "$T_DIR/good-$i.yaml" >/dev/null 2>&1 || fail "vela up good-$i failed"
done

# produce TOPIC KEY FILE: one record with the Java-compatible partitioner, as vela's own
# producers use, so that it lands on its key's partition.
produce() {
  kcat -P -b "$P_KAFKA" -X topic.partitioner=murmur2_random -t "$1" -k "$2" "$3" ||
    fail "kcat could not produce to $1"
}
bad() { # NAME CONTENT: a file with the record's bytes
  printf '%s' "$2" >"$T_DIR/bad-$1"
  echo "$T_DIR/bad-$1"
}

# Each record carries a marker, so that its partition and offset can be found afterwards.
produce vela.applications default/bad-bytes "$(bad a1 $'\x01\x02 marker-a1 {{{')"
produce vela.applications default/bad-version \
  "$(bad a2 '{"schemaVersion":99,"application":{"apiVersion":"core.oam.dev/v1beta1","kind":"Application","metadata":{"name":"bad-version"},"spec":{"components":[]}},"source":"marker-a2"}')"
produce vela.applications default/bad-envelope \
  "$(bad a3 '{"schemaVersion":1,"application":"marker-a3","source":7}')"
produce vela.clusters ghost-1 "$(bad c1 'marker-c1 not json')"
produce vela.clusters ghost-2 "$(bad c2 '{"schemaVersion":99,"name":"ghost-2","marker":"marker-c2"}')"
produce vela.tasks.east east-1 "$(bad t1 'marker-t1 not json')"
produce vela.tasks.east east-1 \
  "$(bad t2 '{"schemaVersion":1,"kind":"deploy","taskId":"marker-t2","app":{"name":"ghost","namespace":"default"}}')"
produce vela.events default/good-1 "$(bad e1 'marker-e1 not json')"
produce vela.events default/good-1 "$(bad e2 '{"schemaVersion":1,"marker":"marker-e2"}')"
produce vela.events default/good-2 \
  "$(bad e3 '{"schemaVersion":7,"app":{"name":"good-2","namespace":"default"},"marker":"marker-e3"}')"
produce vela.app-status default/victim "$(bad s1 'marker-s1 not json')"
produce vela.app-status default/nobody \
  "$(bad s2 '{"schemaVersion":1,"name":"nobody","namespace":"default","marker":"marker-s2","workflow":{"steps":[{"phase":"running"}]},"placements":[{"namespace":"x"}]}')"

# where MARKER TOPIC: "PARTITION OFFSET" of the record holding MARKER.
where() {
  kcat -C -b "$P_KAFKA" -t "$2" -e -q -f '%p %o %s\n' 2>/dev/null | grep -a -- "$1" | head -n 1 |
    awk '{print $1, $2}'
}
# refused_once LOG TOPIC MARKER: LOG has exactly one refusal line for that record.
refused_once() {
  local pos p o n
  pos=$(where "$3" "$2")
  [ -n "$pos" ] || return 1
  p=${pos% *}
  o=${pos#* }
  n=$(grep -c "msg=\"record refused\" topic=$2 partition=$p offset=$o " "$1")
  [ "$n" = 1 ]
}

for i in 1 2 3; do
  p_wait_phase 90 good-$i default running
done
check "good apps: all three running on both clusters" \
  test "$(for i in 1 2 3; do p_ready east-1 good-$i-web default 2 && p_ready west-1 good-$i-web default 2 && echo ok; done | wc -l)" = 3

alive() { kill -0 "$(cat "$P_DIR/$1.pid")" 2>/dev/null; }
for d in broker kubesim scheduler worker-east worker-west; do
  check "$d: still running after the bad records" alive $d
done

S=$P_DIR/scheduler.log
wait_for 20 refused_once "$S" vela.events marker-e3 >/dev/null 2>&1
check "scheduler: bad event (not JSON) refused once" refused_once "$S" vela.events marker-e1
check "scheduler: bad event (missing fields) refused once" refused_once "$S" vela.events marker-e2
check "scheduler: bad event (schemaVersion 7) refused once" refused_once "$S" vela.events marker-e3
check "scheduler: garbage application record refused once" \
  refused_once "$S" vela.applications marker-a1
check "scheduler: application envelope schemaVersion 99 refused once" \
  refused_once "$S" vela.applications marker-a2
check "scheduler: application envelope of the wrong shape refused once" \
  refused_once "$S" vela.applications marker-a3
for w in scheduler worker-east worker-west; do
  check "$w: garbage cluster record refused once" refused_once "$P_DIR/$w.log" vela.clusters marker-c1
  check "$w: cluster record schemaVersion 99 refused once" \
    refused_once "$P_DIR/$w.log" vela.clusters marker-c2
done
check "worker-east: garbage task refused once" refused_once "$P_DIR/worker-east.log" vela.tasks.east marker-t1
check "worker-east: task without components refused once" \
  refused_once "$P_DIR/worker-east.log" vela.tasks.east marker-t2

st=$(p_json bad-version)
check "bad-version: its status says the envelope's schemaVersion is refused (got $(jq -c '[.phase, .message]' <<<"$st" 2>/dev/null))" \
  p_jqe '.phase == "rendering" and (.message | test("schemaVersion"))' <<<"$st"
st=$(p_json bad-envelope)
check "bad-envelope: its status names the bad field (got $(jq -c '[.phase, .message]' <<<"$st" 2>/dev/null))" \
  p_jqe '.phase == "rendering" and (.message | test("application"))' <<<"$st"
list=$(vela cluster list 2>"$T_DIR/list.err")
check "cluster list: both real clusters still listed" \
  test "$(grep -cE '^(east-1|west-1) ' <<<"$list")" = 2
check "cluster list: the garbage cluster record reported once on stderr" \
  refused_once "$T_DIR/list.err" vela.clusters marker-c1
ls_out=$(vela ls -A 2>"$T_DIR/ls.err")
check "ls: the good apps listed" test "$(grep -cE '^default[[:space:]]+good-[123][[:space:]]' <<<"$ls_out")" = 3
check "ls: victim's garbage status reported once on stderr" \
  refused_once "$T_DIR/ls.err" vela.app-status marker-s1
check "ls: the half-empty status of 'nobody' reported once on stderr" \
  refused_once "$T_DIR/ls.err" vela.app-status marker-s2

# The scheduler restarts on the tables that now hold bad records (victim's status is garbage).
kill -9 "$(cat "$P_DIR/scheduler.pid")"
mv "$S" "$P_DIR/scheduler-1.log"
stack_daemon "$P_DIR" scheduler "$STACK_BIN/vela-scheduler"
wait_for 30 grep -q 'event=partition-loaded' "$S" >/dev/null 2>&1
sleep 2
check "restarted scheduler: still running after loading the tables" alive scheduler
check "restarted scheduler: victim's garbage status refused once" \
  refused_once "$S" vela.app-status marker-s1
check "restarted scheduler: garbage cluster record refused once" refused_once "$S" vela.clusters marker-c1

app_yaml good-4 1 >"$T_DIR/good-4.yaml"
vela up -f "$T_DIR/good-4.yaml" >/dev/null 2>&1 || fail "vela up good-4 failed"
p_wait_phase 90 good-4 default running
p_wait_phase 90 victim default running
check "victim: running again after its status record was garbage" p_is_phase victim default running
for i in 1 2 3; do
  check "good-$i: still running after the restart" p_is_phase good-$i default running
done

p_finish

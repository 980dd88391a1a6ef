#!/usr/bin/env bash
# The delivery pipeline's benchmark (issue 5): 1,000 Applications x 10 simulated clusters
# (kubesim --ready-delay-ms 0), from submit to all `running`, on the local stack of
# deploy/local/stack.sh (vela-broker, vela-kubesim, vela-scheduler, workers for regions cn and
# us, five clusters each). Prints the wall time, tasks/s, events/s, the peak RSS (VmHWM) of
# the scheduler and the workers, and, in the same run and through the same broker, the floor:
# the same number and size of messages produced and consumed by kcat, with our rate as a
# ratio of it. Also times `vela up --wait` of examples/basic.yaml to `running`.
#
# Usage: bench/pipeline_bench.sh BIN_DIR
# Environment: BENCH_APPS (default 1000), BENCH_CLUSTERS (default 10, split over two regions),
# BENCH_TIMEOUT (seconds to wait for all running, default 600), BENCH_KEEP=1 keeps the folder,
# BENCH_WORKER_ARGS / BENCH_SCHEDULER_ARGS (extra options, e.g. "--concurrency 256").
# The Applications are produced straight to vela.applications with kcat (key ns/name, value
# JSON), as any producer may, rather than by 1,000 CLI processes.
set -uo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
export VELA_BIN=$bin PATH="$bin:$PATH"
source "$here/deploy/local/stack.sh"

APPS=${BENCH_APPS:-1000}
NCL=${BENCH_CLUSTERS:-10}
TIMEOUT=${BENCH_TIMEOUT:-600}
dir=$(mktemp -d /tmp/vela-bench.XXXXXX)
watch_pid='' awk_pid=''
cleanup() {
  [ -n "$watch_pid" ] && kill "$watch_pid" "$awk_pid" 2>/dev/null
  stack_stop "$dir"
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench files kept in $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() {
  echo "error: $*" >&2
  exit 1
}
ms_now() { date +%s%3N; }

# Clusters bench-01..bench-N, the first half in region cn, the rest in us; plus beijing-1 and
# beijing-2 (cn) for the `vela up --wait` of basic.yaml.
names=()
spec=beijing-1:cn,beijing-2:cn
for i in $(seq 1 "$NCL"); do
  n=$(printf 'bench-%02d' "$i")
  names+=("$n")
  if [ "$i" -le $(((NCL + 1) / 2)) ]; then spec+=",$n:cn"; else spec+=",$n:us"; fi
done

echo "== pipeline: $APPS Applications x $NCL simulated clusters (ready delay 0)"
STACK_WORKER_ARGS=${BENCH_WORKER_ARGS:-} STACK_SCHEDULER_ARGS=${BENCH_SCHEDULER_ARGS:-} \
  STACK_READY_DELAY_MS=0 stack_start "$dir" "$spec" || die "the stack did not start (see $dir)"
eval "$(stack_env "$dir")"
K=$VELA_BOOTSTRAP_SERVERS
stack_wait 30 grep -q 'msg="ready"' "$dir/kubesim.log" || die "kubesim did not start"
stack_join "$dir" "$spec" >"$dir/join.log" 2>&1 || die "join failed: $(cat "$dir/join.log")"
for p in scheduler worker-cn worker-us; do
  stack_wait 30 grep -q 'event=assigned' "$dir/$p.log" || die "$p got no partitions"
done

# ---- vela up --wait of basic.yaml (idle stack): three runs, distinct names
up_times=()
for i in 1 2 3; do
  sed "s/name: example-app/name: basic-$i/" "$here/examples/basic.yaml" >"$dir/basic-$i.yaml"
  t0=$(ms_now)
  vela up -f "$dir/basic-$i.yaml" --wait --timeout 30s >"$dir/up-$i.log" 2>&1 || die "vela up --wait: $(cat "$dir/up-$i.log")"
  up_times+=($(($(ms_now) - t0)))
done
printf 'vela up --wait basic.yaml -> running: %s ms (3 runs; target < 1000 ms)\n' "$(IFS=,; echo "${up_times[*]}" | sed 's/,/ ms, /g')"

# ---- the Applications: basic.yaml's shape (webservice, scaler 3, gateway) on every bench cluster
clusters_json=$(printf '%s\n' "${names[@]}" | jq -R . | jq -sc .)
seq 1 "$APPS" | jq -r --argjson cl "$clusters_json" '
  ("app-" + (tostring | ("0000" + .)[-4:])) as $n |
  {apiVersion: "core.oam.dev/v1beta1", kind: "Application",
   metadata: {name: $n, namespace: "bench"},
   spec: {components: [{name: ($n + "-web"), type: "webservice",
            properties: {image: "crccheck/hello-world", port: 8000},
            traits: [{type: "scaler", properties: {replicas: 3}},
                     {type: "gateway", properties: {domain: ($n + ".example.com"), http: {"/": 8000}}}]}],
          policies: [{name: "all", type: "topology", properties: {clusters: $cl, namespace: "default"}}]}}
  | "bench/" + $n + "|" + tojson' >"$dir/apps.txt"

# The watcher: follows vela.app-status and says when every app is running (top-level phase is
# the first "phase" of a record). mawk reads pipes in blocks unless told -W interactive.
stream_awk=(awk)
awk -W version 2>&1 | grep -q mawk && stream_awk=(awk -W interactive)
mkfifo "$dir/status.fifo" "$dir/raw.fifo"
# The top-level phase comes within the record's first few hundred bytes: cut keeps awk's
# regular expression off the rest (the watcher shares the machine with the pipeline);
# stdbuf: line-buffered, or the last records would wait in its buffer.
kcat -C -b "$K" -t vela.app-status -o beginning -q -u -f '%k\t%s\n' >"$dir/raw.fifo" 2>/dev/null &
watch_pid=$!
stdbuf -oL cut -c1-600 <"$dir/raw.fifo" >"$dir/status.fifo" &
"${stream_awk[@]}" -F'\t' -v want="$APPS" '
    $1 ~ /^bench\// {
      if (match($2, /"phase":"[A-Za-z]*"/)) {
        ph = substr($2, RSTART + 9, RLENGTH - 10)
        if (ph == "running" && st[$1] != "running") n++
        else if (ph != "running" && st[$1] == "running") n--
        st[$1] = ph
        if (n >= want) { print "DONE"; fflush(); exit }
      }
    }' <"$dir/status.fifo" >"$dir/watch.out" &
awk_pid=$!

# CPU seconds (user + system) each process spent, sampled at submit and when all are running.
clk=$(getconf CLK_TCK)
cpu_of() { # PROC: "user system" seconds so far
  awk -v clk="$clk" '{sub(/^.*\) /, ""); printf "%.2f %.2f", $12 / clk, $13 / clk}' "/proc/$(cat "$dir/$1.pid")/stat" 2>/dev/null || echo 0 0
}
procs=(scheduler worker-cn worker-us kubesim broker)
declare -A cpu0
for p in "${procs[@]}"; do cpu0[$p]=$(cpu_of "$p"); done
# HTTPS requests the simulated clusters answered (kubesim's admin endpoint counts them).
kube_requests() {
  curl -s "http://127.0.0.1:$(cat "$dir/admin.port")/clusters" | jq '[.[].requests] | add // 0' 2>/dev/null || echo 0
}
req0=$(kube_requests)
submit_ms=$(ms_now)
kcat -P -b "$K" -t vela.applications -K '|' -X partitioner=murmur2_random -l "$dir/apps.txt" ||
  die "kcat could not produce the Applications"
deadline=$((SECONDS + TIMEOUT))
while ! grep -q DONE "$dir/watch.out" 2>/dev/null; do
  [ $SECONDS -lt "$deadline" ] || die "not all running after ${TIMEOUT}s: $(vela ls -A | awk -F'\t' '$1 ~ /^bench/ {print $6}' | sort | uniq -c | tr '\n' ' ')"
  sleep 0.1
done
done_ms=$(ms_now)
wall_ms=$((done_ms - submit_ms))
req1=$(kube_requests)
n_req=$((req1 - req0))
cpu_line=''
for p in "${procs[@]}"; do
  cpu_line+="$p $(awk -v a="${cpu0[$p]}" -v b="$(cpu_of "$p")" 'BEGIN {split(a, x, " "); split(b, y, " "); u = y[1] - x[1]; s = y[2] - x[2]; printf "%.1f s (user %.1f, sys %.1f)", u + s, u, s}'), "
done
kill "$watch_pid" "$awk_pid" 2>/dev/null
wait "$watch_pid" "$awk_pid" 2>/dev/null
watch_pid=

# Peak RSS while everything is still up.
hwm() { awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$(cat "$dir/$1.pid")/status" 2>/dev/null; }
rss_sched=$(hwm scheduler) rss_cn=$(hwm worker-cn) rss_us=$(hwm worker-us)
rss_kubesim=$(hwm kubesim) rss_broker=$(hwm broker)

# ---- what went through the broker. Counts from the partitions' end offsets (the embedded
# broker keeps only about 5 MiB a partition, so older records may be gone); sizes from the
# records still there. The three basic-N apps add a few dozen messages: not subtracted.
topic_count() { # TOPIC: messages ever produced
  kcat -C -b "$K" -t "$1" -o -1 -e -q -f '%o\n' 2>/dev/null | awk '{n += $1 + 1} END {print n + 0}'
}
topic_avg() { # TOPIC: average size of the records still there
  kcat -C -b "$K" -t "$1" -e -q -f '%S\n' 2>/dev/null | awk '$1 > 0 {n++; b += $1} END {print (n ? int(b / n) : 0), n + 0}'
}
n_apps=$(topic_count vela.applications)
n_tcn=$(topic_count vela.tasks.cn)
n_tus=$(topic_count vela.tasks.us)
n_ev=$(topic_count vela.events)
n_st=$(topic_count vela.app-status)
n_tasks=$((n_tcn + n_tus))
read -r a_apps _ < <(topic_avg vela.applications)
read -r a_tcn _ < <(topic_avg vela.tasks.cn)
read -r a_tus _ < <(topic_avg vela.tasks.us)
read -r a_ev _ < <(topic_avg vela.events)
read -r a_st kept_st < <(topic_avg vela.app-status)
b_apps=$((n_apps * a_apps)) b_tasks=$((n_tcn * a_tcn + n_tus * a_tus)) b_ev=$((n_ev * a_ev)) b_st=$((n_st * a_st))
n_all=$((n_apps + n_tasks + n_ev + n_st)) b_all=$((b_apps + b_tasks + b_ev + b_st))
avg=$((b_all / (n_all > 0 ? n_all : 1)))
visible=$(vela ls -n bench 2>/dev/null | awk -F'\t' 'NR > 1 {print $1}' | sort -u | wc -l)

# ---- the floor: as many messages of the same size through the same broker with kcat,
# producer and consumer at once, keys spread like the apps', on the idle vela.tasks.default.
# In chunks of at most ~30 MB (2.5 MB a partition), so that the embedded broker's ~5 MiB a
# partition never trims a message before the consumer has read it.
head -c $((avg * 3 / 4 + 16)) /dev/urandom | base64 -w0 | head -c "$avg" >"$dir/payload"
chunk=$((30000000 / (avg > 0 ? avg : 1)))
[ "$chunk" -gt 0 ] || chunk=1
floor_ms=0 f_prod_ms=0 left=$n_all
while [ "$left" -gt 0 ]; do
  c=$((left < chunk ? left : chunk))
  awk -v n="$c" -v apps="$APPS" -v f="$dir/payload" 'BEGIN {getline p <f; for (i = 0; i < n; i++) printf "bench/app-%04d|%s\n", i % apps + 1, p}' >"$dir/floor.txt"
  timeout 180 kcat -C -b "$K" -t vela.tasks.default -o end -c "$c" -q -f '.' >/dev/null 2>&1 &
  floor_cons=$!
  sleep 1 # the consumer finds its partitions and their ends (not timed)
  f0=$(ms_now)
  kcat -P -b "$K" -t vela.tasks.default -K '|' -X partitioner=murmur2_random -l "$dir/floor.txt" ||
    die "kcat (floor) could not produce"
  f_prod_ms=$((f_prod_ms + $(ms_now) - f0))
  wait "$floor_cons" || die "kcat (floor) consumer did not get its $c messages"
  floor_ms=$((floor_ms + $(ms_now) - f0))
  left=$((left - c))
done

rate() { awk -v n="$1" -v ms="$2" 'BEGIN {printf "%.0f", (ms > 0 ? n * 1000 / ms : 0)}'; }
cat <<EOF
applications:       $APPS x $NCL clusters ($n_tasks tasks: cn $n_tcn, us $n_tus)
wall time:          $(awk -v ms="$wall_ms" 'BEGIN {printf "%.2f s", ms / 1000}') (submit -> all running)
tasks/s:            $(rate "$n_tasks" "$wall_ms")
events/s:           $(rate "$n_ev" "$wall_ms") ($n_ev events)
status records:     $n_st ($(rate "$n_st" "$wall_ms")/s; $kept_st still on the embedded broker; vela ls -n bench lists $visible of $APPS apps)
messages:           $n_all, $(awk -v b="$b_all" 'BEGIN {printf "%.1f MB", b / 1e6}'), avg $avg bytes (applications $n_apps x $a_apps, tasks $n_tasks x ~$a_tcn, events $n_ev x $a_ev, statuses $n_st x $a_st)
pipeline rate:      $(rate "$n_all" "$wall_ms") messages/s
cluster requests:   $n_req HTTPS requests answered by the simulated clusters ($(rate "$n_req" "$wall_ms")/s, $(awk -v r="$n_req" -v t="$n_tasks" 'BEGIN {printf "%.1f", (t ? r / t : 0)}') per task)
kcat floor:         $(rate "$n_all" "$floor_ms") messages/s ($n_all x $avg bytes produced and consumed in $floor_ms ms; produce alone $f_prod_ms ms)
ratio:              $(awk -v a="$floor_ms" -v b="$wall_ms" 'BEGIN {printf "%.2fx", (b > 0 ? a / b : 0)}') of the floor (target >= 0.30x)
CPU during the run: ${cpu_line%, } (of $(nproc) cores x wall = $(awk -v ms="$wall_ms" -v n="$(nproc)" 'BEGIN {printf "%.1f", n * ms / 1000}') s)
peak RSS (VmHWM):   scheduler $rss_sched (target < 256 MB), worker-cn $rss_cn, worker-us $rss_us (target < 64 MB); kubesim $rss_kubesim, broker $rss_broker
EOF

# vela-worker throughput: N deploy tasks (default 500; WORKER_TASKS) queued over 10 simulated
# clusters with ready delay 0, then one worker. All must end healthy; prints tasks/s and
# events/s from the events' own times (first `applying` to last final) and the worker's
# peak RSS.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/worker_lib.bash"

N=${WORKER_TASKS:-500}
W_REGION=perf
CLUSTERS=()
for i in $(seq 1 10); do CLUSTERS+=("cluster-$i"); done
w_stack perf 0 "${CLUSTERS[@]}"
w_many "$N" "${CLUSTERS[@]}" | w_send_keyed || fail "cannot produce the tasks"

admin_requests() { curl -s "http://127.0.0.1:$W_ADMIN_PORT/clusters" | jq '[.[].requests] | add'; }
req0=$(admin_requests)
start worker vela-worker --region perf --concurrency "${WORKER_CONCURRENCY:-256}"
wait_for 300 w_finals_at_least "$N" || fail "only $(w_count_finals) of $N tasks finished"
rss=$(awk '/VmHWM/ {print $2}' "/proc/$PID_worker/status")
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$PID_worker/stat")

check "all $N tasks healthy" test "$(w_count_finals healthy)" = "$N"
# Health by watch: 3 applies per task and no GETs (polling makes it 5 or more); the watches
# themselves and an occasional safety GET add a little.
per_task=$(awk -v a="$req0" -v b="$(admin_requests)" -v n="$N" 'BEGIN {printf "%.2f", (b - a) / n}')
check "health by watch: $per_task API requests per task (fewer than 4)" \
  awk -v x="$per_task" 'BEGIN {exit !(x >= 3 && x < 4)}' 
w_events | jq -s --argjson n "$N" --arg rss "$rss" --arg cpu "$cpu" -r '
  def t: .at as $x | ($x | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) +
         (($x | capture("\\.(?<ms>[0-9]+)Z$").ms | tonumber) / 1000);
  (map(select(.phase == "applying")) | map(t) | min) as $a |
  (map(select(.final)) | map(t) | max) as $b |
  "worker throughput: \($n) tasks in \(($b - $a) * 1000 | floor) ms: " +
  "\($n / ($b - $a) | floor) tasks/s, \(length / ($b - $a) | floor) events/s, " +
  "\(length) events, worker CPU \($cpu) s, peak RSS \($rss) kB"' | tee "$T_DIR/figures.txt"
# Sanitizer builds keep shadow memory and a quarantine: the RSS target is for normal builds.
if ldd "$VELA_BIN/vela-worker" | grep -q libasan; then
  echo "skip - peak RSS under 64 MB (sanitizer build: $rss kB)"
else
  check "peak RSS under 64 MB ($rss kB)" test "$rss" -lt 65536
fi
finish

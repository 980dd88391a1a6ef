# vela-worker scale-out: a second worker of a region takes half the partitions; stopping it
# (with tasks still in flight: --grace-period 0) hands them back to the first, and every task
# still ends healthy. Rebalances on the embedded broker take about session.timeout.ms.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/worker_lib.bash"

W_REGION=eu
CLUSTERS=(eu-1 eu-2 eu-3 eu-4)
w_stack eu 4000 "${CLUSTERS[@]}"

# The partitions of the last assignment in a worker's log, one a line.
assigned() {
  grep 'event=assigned ' "$T_DIR/$1.log" | tail -1 | sed 's/.*partitions=//; s/ .*//' | tr , '\n' |
    grep -v none
}
assigned_times() {
  [ "$(grep -c 'event=assigned ' "$T_DIR/$1.log")" -ge "$2" ]
}

start wa vela-worker --region eu
wait_for 30 assigned_times wa 1 || fail "the first worker got no partitions"
check "one worker holds all 12 partitions" test "$(assigned wa | wc -l)" = 12

start wb vela-worker --region eu --grace-period 0 --health poll # both health modes hand over
wait_for 40 assigned_times wb 1 || fail "the second worker got no partitions"
wait_for 40 assigned_times wa 2 || fail "the first worker was not rebalanced"
na=$(assigned wa | wc -l)
nb=$(assigned wb | wc -l)
check "two workers split the partitions ($na + $nb)" test "$na" -gt 0 -a "$nb" -gt 0
check "no partition is held twice, none is left out" \
  test "$( (assigned wa; assigned wb) | sort -n | uniq | wc -l)" = 12 -a $((na + nb)) = 12

N=40
w_many "$N" "${CLUSTERS[@]}" | w_send_keyed || fail "cannot produce the tasks"
# The worker id a worker's log announces, and the tasks it took (from the events).
wid() {
  grep -o 'worker_started id=[^ ]*' "$T_DIR/$1.log" | sed 's/.*id=//'
}
took() {
  w_events | jq -r --arg w "$(wid "$1")" 'select(.phase == "applying" and .worker == $w) | .taskId' |
    sort -u
}
b_took() {
  [ -n "$(took wb)" ]
}
wait_for 20 b_took || fail "the second worker took no task"
# Stop it while its tasks wait for their rollouts (4 s): they are handed back.
kill -TERM "$PID_wb"
wait "$PID_wb"
check "the second worker stops cleanly" test $? = 0
check "it handed running tasks back" \
  grep -q 'event=stopped .*abandoned=[1-9]' "$T_DIR/wb.log"

healthy_tasks() {
  w_events | jq -r 'select(.final and .phase == "healthy") | .taskId' | sort -u | wc -l
}
all_healthy() {
  [ "$(healthy_tasks)" -ge "$N" ]
}
wait_for 90 all_healthy || fail "only $(healthy_tasks) of $N tasks ended healthy"
check "every task ended healthy: none was lost" test "$(healthy_tasks)" = "$N"
check "the first worker took the partitions back" test "$(assigned wa | wc -l)" = 12
handed=$(comm -12 <(took wa) <(took wb) | wc -l)
check "tasks abandoned by the second worker were redone by the first ($handed)" test "$handed" -gt 0

# With the brokers gone, a stop must still end (commits and flushes are bounded).
kill "$PID_broker"
wait "$PID_broker"
t0=$SECONDS
kill -TERM "$PID_wa"
for _ in $(seq 1 400); do
  kill -0 "$PID_wa" 2>/dev/null || break
  sleep 0.1
done
kill -9 "$PID_wa" 2>/dev/null
wait "$PID_wa"
rc=$?
check "without brokers the worker stops within 30 s (took $((SECONDS - t0)) s, status $rc)" \
  test $((SECONDS - t0)) -le 30 -a "$rc" = 0
finish

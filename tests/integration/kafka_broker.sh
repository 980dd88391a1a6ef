#!/usr/bin/env bash
# vela-broker with kcat, a real Kafka client: it serves the fixed --listen address, lists every
# topic of docs/topics.md with its partition count, takes and gives back messages on each topic,
# routes keyed messages like the Java client (murmur2) when asked to, refuses a busy address,
# and stops cleanly on SIGTERM. Prints produce/consume rates through the embedded broker.
source "$(dirname "$0")/lib.sh"

# Starts vela-broker on a free port, again on another one when a parallel test took it first
# (free_port is only a guess); sets port. Extra arguments go to vela-broker.
start_broker() {
  local i
  for i in 1 2 3 4 5; do
    port=$(free_port) || fail "no free port"
    start broker vela-broker --listen 127.0.0.1:$port "$@"
    if wait_for 20 bash -c "grep -q -e 'bootstrap 127.0.0.1:$port' -e 'cannot listen' '$T_DIR/broker.log'" &&
       grep -q "bootstrap 127.0.0.1:$port" "$T_DIR/broker.log"; then
      return 0
    fi
    wait "$PID_broker" 2>/dev/null
  done
  fail "broker did not come up"
}
start_broker --brokers 3 --partitions 6 --regions eu-1,us
wait_for 20 kcat -b 127.0.0.1:$port -L -m 5 || fail "broker does not answer kcat"
B=127.0.0.1:$port

check "prints its bootstrap address" grep -q "bootstrap 127.0.0.1:$port" "$T_DIR/broker.log"

kcat -b $B -L -m 5 >"$T_DIR/meta.txt"
check "three brokers" grep -q " 3 brokers:" "$T_DIR/meta.txt"
topics="vela.applications vela.clusters vela.events vela.app-status vela.tasks.default vela.tasks.eu-1 vela.tasks.us"
for t in $topics; do
  check "topic $t with 6 partitions" grep -q "topic \"$t\" with 6 partitions" "$T_DIR/meta.txt"
done

# Every topic takes a keyed message and gives it back.
for t in $topics; do
  echo "k-$t:v-$t" | kcat -b $B -P -t "$t" -K: -X partitioner=murmur2_random
done
for t in $topics; do
  got=$(kcat -b $B -C -t "$t" -e -q -f '%k=%s\n' 2>/dev/null)
  check "kcat reads back $t" [ "$got" = "k-$t=v-$t" ]
done

# A tombstone (null value) goes through too: compacted topics use it for deletes.
kcat -b $B -P -t vela.clusters -K: -Z <<<"gone:"
check "tombstone stored as NULL" bash -c "kcat -b $B -C -t vela.clusters -e -q -Z -f '%k=%S\n' | grep -qx 'gone=-1'"

# Java-compatible partitioning: "21" -> murmur2 -973932308 -> 1173551340 % 6 = 0 ... check several
# keys against values computed with the Java formula (toPositive(murmur2(key)) % 6).
declare -A want=([21]=0 [foobar]=0 [abc]=3 [a-little-bit-long-string]=2)
for k in "${!want[@]}"; do
  echo "$k:x" | kcat -b $B -P -t vela.events -K: -X partitioner=murmur2_random
done
kcat -b $B -C -t vela.events -e -q -f '%k %p\n' >"$T_DIR/parts.txt"
for k in "${!want[@]}"; do
  check "key $k on partition ${want[$k]}" grep -qx "$k ${want[$k]}" "$T_DIR/parts.txt"
done

# Throughput through the embedded broker (figures for docs/broker.md; not asserted).
n=${KAFKA_BENCH_MESSAGES:-100000}
t0=$(date +%s%N)
seq 1 $n | sed 's/.*/key-&:payload-of-about-one-hundred-bytes-.................................................../' |
  kcat -b $B -P -t vela.tasks.us -K: -X linger.ms=5 -X queue.buffering.max.messages=200000
t1=$(date +%s%N)
got=$(kcat -b $B -C -t vela.tasks.us -e -q -o beginning -f '.\n' -X fetch.wait.max.ms=10 | wc -l)
t2=$(date +%s%N)
check "all $n benchmark messages consumed (got $got)" [ "$got" -ge "$n" ]
echo "figure: produce $n x ~100 B: $(( n * 1000 / ( (t1 - t0) / 1000000 + 1) )) msg/s;" \
     "consume: $(( got * 1000 / ( (t2 - t1) / 1000000 + 1) )) msg/s"

# A second broker on the same address is refused with a clear message.
vela-broker --listen 127.0.0.1:$port >"$T_DIR/second.log" 2>&1
rc=$?
check "busy address: exit 1" [ $rc = 1 ]
check "busy address: says why" grep -q "cannot listen on 127.0.0.1:$port" "$T_DIR/second.log"

# SIGTERM: exits 0 within 5 s.
kill -TERM "$PID_broker"
for _ in $(seq 1 50); do kill -0 "$PID_broker" 2>/dev/null || break; sleep 0.1; done
check "stops on SIGTERM" bash -c "! kill -0 $PID_broker 2>/dev/null"
wait "$PID_broker"
check "exit status 0 after SIGTERM" [ $? = 0 ]
finish

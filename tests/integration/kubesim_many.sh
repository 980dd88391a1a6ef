#!/usr/bin/env bash
# Many clusters in one vela-kubesim: every cluster has its own port, CA and credentials,
# answers on its own, and refuses the others' credentials; --base-port numbers the ports;
# bad command lines exit 2. (bench/kubesim_rss.sh measures 1,000 clusters.)
source "$(dirname "$0")/lib.sh"
# kubectl's discovery cache is keyed by host:port, and ports are reused between runs
export HOME=$T_DIR KUBECACHEDIR=$T_DIR/kube-cache

COUNT=${KUBESIM_TEST_COUNT:-100}
SIM=$T_DIR/sim
start kubesim vela-kubesim --count "$COUNT" --name-prefix edge- --dir "$SIM" --threads 2
wait_for 120 grep -q 'msg="ready"' "$T_DIR/kubesim.log" || fail "kubesim did not start: $(cat "$T_DIR/kubesim.log")"

check "$COUNT kubeconfigs, mode 0600" \
  bash -c "[ \$(ls '$SIM' | grep -c '^edge-[0-9]*\\.kubeconfig\$') = $COUNT ] && [ -z \"\$(find '$SIM' -name '*.kubeconfig' ! -perm 600)\" ]"
check "every cluster has its own port and CA" \
  bash -c "[ \$(grep -h 'server:' '$SIM'/*.kubeconfig | sort -u | wc -l) = $COUNT ] && [ \$(grep -h 'certificate-authority-data:' '$SIM'/*.kubeconfig | sort -u | wc -l) = $COUNT ]"

cred() { # cred N: extracts cluster N's CA, certificate and key into $T_DIR
  local kc=$SIM/edge-$1.kubeconfig
  awk '/certificate-authority-data:/ {print $2}' "$kc" | base64 -d >"$T_DIR/$1-ca.pem"
  awk '/client-certificate-data:/ {print $2}' "$kc" | base64 -d >"$T_DIR/$1-crt.pem"
  awk '/client-key-data:/ {print $2}' "$kc" | base64 -d >"$T_DIR/$1-key.pem"
  awk '/server:/ {print $2}' "$kc"
}
code() { # code SERVER-OF CREDS-OF: HTTP code of a namespaces list
  local server
  server=$(cred "$1")
  cred "$2" >/dev/null
  curl -s -o /dev/null -w '%{http_code}' --cacert "$T_DIR/$1-ca.pem" --cert "$T_DIR/$2-crt.pem" \
    --key "$T_DIR/$2-key.pem" "$server/api/v1/namespaces"
}
all_answer() {
  local i
  for i in 1 2 $((COUNT / 2)) $((COUNT - 1)) "$COUNT"; do
    [ "$(code "$i" "$i")" = 200 ] || return 1
  done
}
check "clusters on both threads answer with their own client certificate" all_answer
check "a neighbour's client certificate is refused (401)" bash -c "$(declare -f cred code); SIM='$SIM' T_DIR='$T_DIR'; [ \$(code 1 2) = 401 ] && [ \$(code $COUNT 1) = 401 ]"
check "kubectl works on the last cluster" \
  bash -c "kubectl --kubeconfig '$SIM/edge-$COUNT.kubeconfig' get ns default -o jsonpath='{.status.phase}' | grep -qx Active"
kill -TERM "$PID_kubesim"
check "SIGTERM shuts down cleanly (exit 0)" wait "$PID_kubesim"

# --base-port: cluster i listens on base+i. Ports below the ephemeral range (32768+), where no
# client connection holds one; a few tries in case another test took one meanwhile.
started=0
for _ in $(seq 1 5); do
  base=$((20000 + RANDOM % 12000))
  (echo >"/dev/tcp/127.0.0.1/$base") 2>/dev/null && continue
  (echo >"/dev/tcp/127.0.0.1/$((base + 1))") 2>/dev/null && continue
  (echo >"/dev/tcp/127.0.0.1/$((base + 2))") 2>/dev/null && continue
  rm -rf "$T_DIR/sim2"
  start kubesim2 vela-kubesim --clusters x,y,z --dir "$T_DIR/sim2" --base-port "$base" --auth token
  if wait_for 20 grep -q 'msg="ready"' "$T_DIR/kubesim2.log"; then
    started=1
    break
  fi
  wait "$PID_kubesim2"
done
[ "$started" = 1 ] || fail "kubesim did not start with --base-port: $(cat "$T_DIR/kubesim2.log")"
check "--base-port: z listens on base+2" grep -q "server: https://127.0.0.1:$((base + 2))\$" "$T_DIR/sim2/z.kubeconfig"
kill -TERM "$PID_kubesim2"
wait "$PID_kubesim2"

usage() { vela-kubesim "$@" >/dev/null 2>&1; [ $? = 2 ]; }
check "no --dir: usage error (2)" usage --count 3
check "both --clusters and --count: usage error (2)" usage --count 3 --clusters a --dir "$T_DIR/u"
check "a bad cluster name: usage error (2)" usage --clusters Bad_Name --dir "$T_DIR/u"
check "--auth other: usage error (2)" usage --clusters a --auth basic --dir "$T_DIR/u"
check "-h prints the usage on stdout" bash -c "vela-kubesim -h | grep -q -- '--ready-delay-ms'"
finish

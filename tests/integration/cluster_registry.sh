#!/usr/bin/env bash
# vela cluster join / list / labels / detach / rename against vela-broker and vela-kubesim
# (real processes): the walkthrough's exact output, ACCEPTED false with the reason for an unreachable
# API server, errors that name what exists, each CLI call a new process reading the registry
# from the topic, records that validate against schemas/cluster-record.schema.json, and raw
# bytes of vela.clusters free of PEM blocks, keys and tokens.
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
start_broker
export VELA_BOOTSTRAP_SERVERS=127.0.0.1:$port
export VELA_SECRET_KEY_FILE=$T_DIR/secret.key
wait_for 20 kcat -b 127.0.0.1:$port -L -m 5 || fail "broker does not answer kcat"

start kubesim vela-kubesim --clusters beijing-1,beijing-2,us-west-1 --dir "$T_DIR/kc"
wait_for 20 test -s "$T_DIR/kc/us-west-1.kubeconfig" || fail "kubesim did not write kubeconfigs"
endpoint() { sed -n 's/^ *server: *//p' "$T_DIR/kc/$1.kubeconfig" | head -1; }

# join: one new CLI process each
for c in beijing-1 beijing-2 us-west-1; do
  out=$(vela cluster join "$T_DIR/kc/$c.kubeconfig" --name $c 2>"$T_DIR/join-$c.err")
  check "join $c" [ "$out" = "Successfully add cluster $c, endpoint: $(endpoint $c)." ]
done
check "first join says it created the key" grep -q "created the secret key $VELA_SECRET_KEY_FILE" "$T_DIR/join-beijing-1.err"
check "later joins do not" bash -c "! grep -q 'created' '$T_DIR/join-beijing-2.err'"
check "secret key created with mode 600" [ "$(stat -c %a "$VELA_SECRET_KEY_FILE")" = 600 ]

row() { printf '%-15s\t%-15s\t%-23s\t%s\n' "$@"; }
header() { printf 'CLUSTER        \tTYPE           \tENDPOINT               \tACCEPTED\tLABELS\n'; }
expected=$( header
  row beijing-1 X509Certificate "$(endpoint beijing-1)" true
  row beijing-2 X509Certificate "$(endpoint beijing-2)" true
  row us-west-1 X509Certificate "$(endpoint us-west-1)" true )
check "list: the walkthrough's table" [ "$(vela cluster list)" = "$expected" ]

out=$(vela cluster labels add us-west-1 provider=AWS)
check "labels add: the walkthrough's output" [ "$out" = "Successfully update labels for cluster us-west-1 (type: X509Certificate).
provider=AWS" ]
expected=$( header
  row beijing-1 X509Certificate "$(endpoint beijing-1)" true
  row beijing-2 X509Certificate "$(endpoint beijing-2)" true
  printf '%-15s\t%-15s\t%-23s\t%-8s\t%s\n' us-west-1 X509Certificate "$(endpoint us-west-1)" true provider=AWS )
check "list after labels add: the walkthrough's table" [ "$(vela cluster list)" = "$expected" ]

out=$(vela cluster labels add us-west-1 tier=prod,zone=b)
check "labels add several: all labels, sorted" [ "$out" = "Successfully update labels for cluster us-west-1 (type: X509Certificate).
provider=AWS
tier=prod
zone=b" ]
vela cluster list >"$T_DIR/list3.txt"
check "list: one label per line, blank cells elsewhere" grep -qP '^ {15}\t {15}\t {23}\t {8}\ttier=prod$' "$T_DIR/list3.txt"
check "list: 6 lines" [ "$(wc -l <"$T_DIR/list3.txt")" = 6 ]

out=$(vela cluster labels del us-west-1 tier,zone)
check "labels del" [ "$out" = "Successfully update labels for cluster us-west-1 (type: X509Certificate).
provider=AWS" ]
vela cluster labels del us-west-1 nope 2>"$T_DIR/err.txt"
check "labels del of a missing label: exit 1" [ $? = 1 ]
check "labels del of a missing label: says so" grep -q 'cluster "us-west-1" has no label "nope"' "$T_DIR/err.txt"

# Unknown cluster: the error says so and lists what exists.
vela cluster labels add beijing-9 a=b 2>"$T_DIR/err.txt"
check "unknown cluster: exit 1" [ $? = 1 ]
check "unknown cluster: names it and what exists" grep -q 'cluster "beijing-9" not found; joined clusters: beijing-1, beijing-2, us-west-1' "$T_DIR/err.txt"
vela cluster detach beijing-9 2>/dev/null
check "detach unknown: exit 1" [ $? = 1 ]

# An unreachable API server (token auth): recorded, not accepted, and the output says why.
closed=$(free_port)
cat >"$T_DIR/down.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:$closed", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: vela-test-token-do-not-leak}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
KC
vela cluster join "$T_DIR/down.kubeconfig" --name edge-1 --region edge --labels site=far \
  >"$T_DIR/out.txt"
check "join unreachable: exit 0 (recorded)" [ $? = 0 ]
check "join unreachable: not accepted, with the reason" \
  grep -q "not accepted: .*127.0.0.1:$closed.*refused" "$T_DIR/out.txt"
check "list: edge-1 ServiceAccountToken false" bash -c "vela cluster list | grep -qP '^edge-1 {9}\tServiceAccountToken\thttps://127.0.0.1:$closed\tfalse   \tsite=far$'"
vela cluster join "$T_DIR/down.kubeconfig" --name edge-1 2>"$T_DIR/err.txt"
check "join an existing name: exit 1" [ $? = 1 ]
check "join an existing name: says so" grep -q 'cluster "edge-1" is already joined' "$T_DIR/err.txt"
vela cluster join "$T_DIR/nope.kubeconfig" --name x 2>"$T_DIR/err.txt"
check "join a missing kubeconfig: exit 1" [ $? = 1 ]

# Token authentication: accepted with the right token, refused (401) with a wrong one.
start kubesim_token vela-kubesim --clusters tok-1 --dir "$T_DIR/kt" --auth token
wait_for 20 test -s "$T_DIR/kt/tok-1.kubeconfig" || fail "kubesim (token) did not write a kubeconfig"
token=$(sed -n 's/^ *token: *//p' "$T_DIR/kt/tok-1.kubeconfig")
out=$(vela cluster join "$T_DIR/kt/tok-1.kubeconfig" --name tok-1)
check "join with a token" [ "$out" = "Successfully add cluster tok-1, endpoint: $(sed -n 's/^ *server: *//p' "$T_DIR/kt/tok-1.kubeconfig")." ]
check "list: tok-1 ServiceAccountToken true" bash -c "vela cluster list | grep -qP '^tok-1 {10}\tServiceAccountToken\thttps://127.0.0.1:[0-9]+\ttrue$'"
sed 's/^\( *token: *\).*/\1wrong-token-123/' "$T_DIR/kt/tok-1.kubeconfig" >"$T_DIR/wrong.kubeconfig"
vela cluster join "$T_DIR/wrong.kubeconfig" --name tok-2 >"$T_DIR/out.txt"
check "wrong token: recorded, not accepted, says 401" grep -q "not accepted: .*401" "$T_DIR/out.txt"
check "list: tok-2 false" bash -c "vela cluster list | grep -qP '^tok-2 {10}\tServiceAccountToken\t.*\tfalse$'"
vela cluster detach tok-1 >/dev/null
vela cluster detach tok-2 >/dev/null

# -o json: records without credentials.
vela cluster list -o json >"$T_DIR/list.json"
check "json: 4 clusters" [ "$(jq length "$T_DIR/list.json")" = 4 ]
check "json: region and labels" [ "$(jq -r '.[] | select(.name=="edge-1") | .region + " " + .labels.site' "$T_DIR/list.json")" = "edge far" ]
check "json: no credentials" [ "$(jq '[.[] | has("credentials")] | any' "$T_DIR/list.json")" = false ]

# detach and rename
out=$(vela cluster detach edge-1)
check "detach" [ "$out" = "Detach cluster edge-1 successfully." ]
check "detached cluster gone from list" bash -c "! vela cluster list | grep -q edge-1"
out=$(vela cluster rename beijing-2 beijing-3)
check "rename" [ "$out" = "Rename cluster beijing-2 to beijing-3 successfully." ]
check "renamed in list, still accepted" bash -c "vela cluster list | grep -qP '^beijing-3 {6}\tX509Certificate\t.*\ttrue$'"
check "old name gone" bash -c "! vela cluster list | grep -q beijing-2"
(umask 077 && openssl rand -hex 32 >"$T_DIR/other.key")
VELA_SECRET_KEY_FILE=$T_DIR/other.key vela cluster rename beijing-3 beijing-2 2>"$T_DIR/err.txt" </dev/null
check "rename with another key: exit 1" [ $? = 1 ]
check "rename with another key: says so" grep -q "sealed with another secret key" "$T_DIR/err.txt"
check "rename back with the right key (credentials still open)" \
  bash -c "vela cluster rename beijing-3 beijing-2 >/dev/null"

# The raw bytes of vela.clusters: no PEM block, no key material, no token.
kcat -b 127.0.0.1:$port -C -t vela.clusters -e -q -f '%k\t%s\n' >"$T_DIR/raw.txt" 2>/dev/null
check "raw topic read" [ -s "$T_DIR/raw.txt" ]
check "raw: no PEM block" bash -c "! grep -q 'BEGIN' '$T_DIR/raw.txt'"
check "raw: no token" bash -c "! grep -q -e 'vela-test-token-do-not-leak' -e '$token' '$T_DIR/raw.txt'"
check "token to look for" [ ${#token} -ge 16 ]
keyb64=$(sed -n 's/^ *client-key-data: *//p' "$T_DIR/kc/us-west-1.kubeconfig" | head -1)
keybody=$(base64 -d <<<"$keyb64" | grep -v -- '-----' | head -2 | tail -1)
check "kubeconfig has a client key to look for" [ ${#keybody} -ge 40 ]
check "raw: no private key material" bash -c "! grep -qF -- '${keybody:0:40}' '$T_DIR/raw.txt'"
check "raw: no base64 of the kubeconfig's key" bash -c "! grep -qF -- '${keyb64:0:60}' '$T_DIR/raw.txt'"
check "raw: credentials sealed" grep -q '"alg":"AES-256-GCM"' "$T_DIR/raw.txt"
check "no credential in the CLI's logs" bash -c "! VELA_LOG_LEVEL=debug vela cluster list 2>&1 >/dev/null | grep -q -e BEGIN -e vela-test-token"

# Every record on the topic validates against the schema; a tampered one does not.
mkdir -p "$T_DIR/records"
i=0
while IFS=$'\t' read -r key value; do
  [ -n "$value" ] || continue
  i=$((i + 1))
  printf '%s' "$value" >"$T_DIR/records/r$i.json"
done <"$T_DIR/raw.txt"
check "records to validate" [ $i -ge 5 ]
check "every cluster record validates" bash -c \
  "'$VELA_SOURCE_DIR/tests/schema/validate.sh' cluster-record '$T_DIR'/records/r*.json >/dev/null"
jq '.credentials = {"server": "https://x", "key": "-----BEGIN PRIVATE KEY-----"}' "$T_DIR/records/r1.json" >"$T_DIR/bad.json"
check "a record with plain credentials is rejected" bash -c "! '$VELA_SOURCE_DIR/tests/schema/validate.sh' cluster-record '$T_DIR/bad.json' >/dev/null 2>&1"

# -h on every subcommand prints usage on stdout; misuse exits 2.
for sub in "" join list labels detach rename; do
  check "vela cluster $sub -h" bash -c "vela cluster $sub -h | grep -q '^Usage: vela cluster'"
done
vela cluster join 2>/dev/null
check "join without arguments: exit 2" [ $? = 2 ]
vela cluster list -o yaml 2>/dev/null
check "list -o yaml: exit 2" [ $? = 2 ]
vela cluster frob 2>/dev/null
check "unknown subcommand: exit 2" [ $? = 2 ]
finish

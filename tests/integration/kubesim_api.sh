#!/usr/bin/env bash
# The API of vela-kubesim through curl with a kubeconfig's bearer token (--auth token):
# status codes, reasons and messages as kube-apiserver gives them, the patch types, list
# selectors and paging, watch from a resourceVersion, and the admin endpoint's faults.
source "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || fail "jq is not installed"
ADMIN_PORT=$(free_port) || fail "no free port"
SIM=$T_DIR/sim
start kubesim vela-kubesim --clusters east,west --dir "$SIM" --auth token --ready-delay-ms 0 \
  --admin "127.0.0.1:$ADMIN_PORT"
wait_for 20 grep -q 'msg="ready"' "$T_DIR/kubesim.log" || fail "kubesim did not start: $(cat "$T_DIR/kubesim.log")"

kc_field() { awk -v k="$2:" '$1 == k {print $2}' "$SIM/$1.kubeconfig"; }
for c in east west; do
  kc_field "$c" certificate-authority-data | base64 -d >"$T_DIR/$c-ca.pem"
done
EAST=$(kc_field east server)
WEST=$(kc_field west server)
TOKEN=$(kc_field east token)
WEST_TOKEN=$(kc_field west token)

# api METHOD PATH [BODY [CONTENT-TYPE]]: prints the body, then the status code on a last line
api() {
  local args=(-sS --cacert "$T_DIR/east-ca.pem" -H "Authorization: Bearer $TOKEN" -X "$1"
              -w '\n%{http_code}' "$EAST$2")
  [ $# -ge 3 ] && args+=(--data-binary "$3" -H "Content-Type: ${4:-application/json}")
  curl "${args[@]}"
}
# expect NAME CODE JQ-EXPR EXPECTED METHOD PATH [BODY [CT]]
expect() {
  local name=$1 code=$2 expr=$3 want=$4
  shift 4
  local out got_code body got
  out=$(api "$@")
  got_code=$(tail -n1 <<<"$out")
  body=$(sed '$d' <<<"$out")
  got=$(jq -r "$expr" <<<"$body" 2>/dev/null)
  if [ "$got_code" = "$code" ] && [ "$got" = "$want" ]; then
    T_PASSED=$((T_PASSED + 1))
    echo "ok - $name"
  else
    T_FAILED=$((T_FAILED + 1))
    echo "not ok - $name: got $got_code '$got', want $code '$want'" >&2
    echo "  body: $body" >&2
  fi
}

check "kubeconfig carries a token and no client key" \
  bash -c "grep -q '    token: ' '$SIM/east.kubeconfig' && ! grep -q client-key-data '$SIM/east.kubeconfig'"

DEP='{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","labels":{"app":"api","tier":"be"}},"spec":{"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"}},"spec":{"containers":[{"name":"api","image":"example/api:1"}]}}}}'
NS=/apis/apps/v1/namespaces/default/deployments

expect "/version answers" 200 .gitVersion v1.32.0-kubesim GET /version
expect "POST creates (201) with defaults: replicas 1" 201 '.spec.replicas' 1 POST "$NS" "$DEP"
expect "POST of an existing name: 409 AlreadyExists" 409 '"\(.reason) \(.message)"' \
  'AlreadyExists deployments.apps "api" already exists' POST "$NS" "$DEP"
expect "POST without a name: 422 Invalid" 422 '"\(.reason) \(.details.causes[0].field)"' \
  'Invalid metadata.name' POST "$NS" '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{}}'
expect "POST with a bad selector: 422 names the field" 422 '.message' \
  'Deployment.apps "bad" is invalid: [spec.selector: Required value, spec.template.spec.containers: Required value]' \
  POST "$NS" '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"bad"},"spec":{}}'
expect "POST into a missing namespace: 404 with the exact message" 404 '.message' \
  'namespaces "multi-cluster" not found' POST /apis/apps/v1/namespaces/multi-cluster/deployments "$DEP"
expect "GET of a missing object: 404 NotFound" 404 '"\(.reason) \(.message) \(.details.group) \(.details.kind)"' \
  'NotFound deployments.apps "nope" not found apps deployments' GET "$NS/nope"

RV=$(api GET "$NS/api" | sed '$d' | jq -r .metadata.resourceVersion)
expect "PUT with a stale resourceVersion: 409 Conflict" 409 .reason Conflict PUT "$NS/api" \
  "$(jq -c '.metadata.resourceVersion = "1"' <<<"$DEP")"
expect "PUT with the current resourceVersion: replicas 4, generation 2" 200 \
  '"\(.spec.replicas) \(.metadata.generation)"' '4 2' PUT "$NS/api" \
  "$(jq -c --arg rv "$RV" '.metadata.resourceVersion = $rv | .spec.replicas = 4' <<<"$DEP")"
expect "merge-patch of a label leaves generation alone" 200 '"\(.metadata.labels.extra) \(.metadata.generation)"' \
  'yes 2' PATCH "$NS/api" '{"metadata":{"labels":{"extra":"yes"}}}' application/merge-patch+json
expect "merge-patch of an annotation bumps a deployment's generation" 200 .metadata.generation 3 \
  PATCH "$NS/api" '{"metadata":{"annotations":{"note":"x"}}}' application/merge-patch+json
expect "apply-patch with a YAML body updates" 200 '.spec.replicas' 2 PATCH "$NS/api?fieldManager=test&force=true" \
  "$(printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n')" \
  application/apply-patch+yaml
expect "apply-patch without fieldManager: 422" 422 .reason Invalid PATCH "$NS/api" \
  '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api"}}' application/apply-patch+yaml
expect "json-patch is not supported: 415" 415 .reason UnsupportedMediaType PATCH "$NS/api" \
  '[{"op":"replace","path":"/spec/replicas","value":1}]' application/json-patch+json
expect "apply-patch creates a missing object (201)" 201 .metadata.name api2 PATCH "$NS/api2?fieldManager=test" \
  "$(jq -c '.metadata.name = "api2" | .metadata.labels.tier = "fe"' <<<"$DEP")" application/apply-patch+yaml
expect "status is set by the controller (ready 2/2, observedGeneration 4)" 200 \
  '"\(.status.readyReplicas)/\(.status.replicas) \(.status.observedGeneration)"' '2/2 4' GET "$NS/api"

expect "list by label selector (=)" 200 '[.items[].metadata.name] | join(",")' api2 GET "$NS?labelSelector=tier%3Dfe"
expect "list by label selector (in, !=)" 200 '[.items[].metadata.name] | join(",")' api \
  GET "$NS?labelSelector=tier%20in%20(be,x),tier!%3Dfe"
expect "list by label selector (exists, !exists)" 200 '[.items[].metadata.name] | join(",")' api2 \
  GET "$NS?labelSelector=app,!extra"
expect "list by fieldSelector metadata.name" 200 '[.items[].metadata.name] | join(",")' api2 \
  GET "$NS?fieldSelector=metadata.name%3Dapi2"
expect "list with limit gives a continue token" 200 '"\(.items | length) \(.metadata.continue | length > 0)"' '1 true' \
  GET "$NS?limit=1"
CONT=$(api GET "$NS?limit=1" | sed '$d' | jq -r .metadata.continue)
expect "continue returns the rest" 200 '[.items[].metadata.name] | join(",")' api2 GET "$NS?limit=1&continue=$CONT"
expect "all-namespaces list" 200 '.items | length' 2 GET /apis/apps/v1/deployments
expect "a bad label selector: 400" 400 .reason BadRequest GET "$NS?labelSelector=a%20in%20b"
expect "a limit that is not a number: 400" 400 '"\(.reason) \(.message)"' \
  'BadRequest strconv.ParseInt: parsing "abc": invalid syntax' GET "$NS?limit=abc"

# watch from a resourceVersion: replays what changed after it, then streams
RV=$(api GET "$NS" | sed '$d' | jq -r .metadata.resourceVersion)
curl -sS -N --cacert "$T_DIR/east-ca.pem" -H "Authorization: Bearer $TOKEN" --max-time 3 \
  "$EAST$NS?watch=1&resourceVersion=$RV&fieldSelector=metadata.name%3Dapi" >"$T_DIR/watch.jsonl" 2>/dev/null &
WPID=$!
sleep 0.5
api PATCH "$NS/api" '{"spec":{"replicas":5}}' application/merge-patch+json >/dev/null
wait "$WPID"
check "watch streams MODIFIED events of the watched object only" \
  bash -c "jq -r '\"\(.type) \(.object.metadata.name)\"' '$T_DIR/watch.jsonl' | sort -u | tr '\n' ' ' | grep -qx 'MODIFIED api '"
check "watch: a status update follows the spec change (replicas 5 ready)" \
  bash -c "jq -r 'select(.object.status.readyReplicas == 5) | .type' '$T_DIR/watch.jsonl' | grep -q MODIFIED"
OLD=$(curl -sS --max-time 3 --cacert "$T_DIR/east-ca.pem" -H "Authorization: Bearer $TOKEN" "$EAST$NS?watch=true&resourceVersion=1" 2>/dev/null | head -n1)
check "watch from a resourceVersion before the history: ERROR 410 Expired" \
  bash -c "jq -e '.type == \"ERROR\" and .object.code == 410 and .object.reason == \"Expired\"' <<<'$OLD' >/dev/null"

expect "DELETE returns Success" 200 '"\(.status) \(.details.name)"' 'Success api2' DELETE "$NS/api2"
expect "DELETE of a missing object: 404" 404 .reason NotFound DELETE "$NS/api2"
expect "the default namespace cannot be deleted: 403" 403 .reason Forbidden DELETE /api/v1/namespaces/default

expect "secret stringData is stored base64 in data" 201 .data.password cGFzcw== POST /api/v1/namespaces/default/secrets \
  '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"password":"pass"}}'
expect "service defaults: ClusterIP type and an IP" 201 '"\(.spec.type) \(.spec.clusterIP | startswith("10.96."))"' 'ClusterIP true' \
  POST /api/v1/namespaces/default/services '{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80}]}}'

# authentication
check "a wrong token: 401 Unauthorized Status" \
  bash -c "[ \$(curl -s -o '$T_DIR/401.json' -w '%{http_code}' --cacert '$T_DIR/east-ca.pem' -H 'Authorization: Bearer nope' '$EAST/api/v1/namespaces') = 401 ] && jq -e '.kind == \"Status\" and .reason == \"Unauthorized\" and .code == 401' '$T_DIR/401.json' >/dev/null"
check "west's token is refused by east (401)" \
  bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' --cacert '$T_DIR/east-ca.pem' -H 'Authorization: Bearer $WEST_TOKEN' '$EAST/api/v1/namespaces') = 401 ]"
check "west accepts its own token" \
  bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' --cacert '$T_DIR/west-ca.pem' -H 'Authorization: Bearer $WEST_TOKEN' '$WEST/api/v1/namespaces') = 200 ]"
check "no credentials: 401 on resources, /healthz still answers" \
  bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' --cacert '$T_DIR/east-ca.pem' '$EAST/api/v1/namespaces') = 401 ] && [ \"\$(curl -s --cacert '$T_DIR/east-ca.pem' '$EAST/healthz')\" = ok ]"
check "east's CA does not verify west's server certificate" \
  bash -c "! curl -s -o /dev/null --cacert '$T_DIR/east-ca.pem' '$WEST/version'"

# fault injection through the admin endpoint
ADMIN=http://127.0.0.1:$ADMIN_PORT
check "admin: down refuses connections" \
  bash -c "curl -sf -X POST '$ADMIN/clusters/east/down' >/dev/null && ! curl -s --max-time 3 --cacert '$T_DIR/east-ca.pem' '$EAST/healthz' >/dev/null"
check "admin: the other cluster stays up" \
  bash -c "[ \"\$(curl -s --cacert '$T_DIR/west-ca.pem' '$WEST/healthz')\" = ok ]"
check "admin: up serves again, with the objects kept" \
  bash -c "curl -sf -X POST '$ADMIN/clusters/east/up' >/dev/null && [ \$(curl -s -o /dev/null -w '%{http_code}' --cacert '$T_DIR/east-ca.pem' -H 'Authorization: Bearer $TOKEN' '$EAST$NS/api') = 200 ]"
check "admin: errors?rate=1 gives 500 InternalError" \
  bash -c "curl -sf -X POST '$ADMIN/clusters/east/errors?rate=1' >/dev/null && [ \$(curl -s -o '$T_DIR/500.json' -w '%{http_code}' --cacert '$T_DIR/east-ca.pem' -H 'Authorization: Bearer $TOKEN' '$EAST$NS') = 500 ] && jq -e '.reason == \"InternalError\"' '$T_DIR/500.json' >/dev/null && curl -sf -X POST '$ADMIN/clusters/east/errors?rate=0' >/dev/null"
latency_ok() {
  curl -sf -X POST "$ADMIN/clusters/east/latency?ms=700" >/dev/null || return 1
  local t
  t=$(curl -s -o /dev/null -w '%{time_total}' --cacert "$T_DIR/east-ca.pem" -H "Authorization: Bearer $TOKEN" "$EAST/version")
  curl -sf -X POST "$ADMIN/clusters/east/latency?ms=0" >/dev/null || return 1
  awk -v t="$t" 'BEGIN { exit !(t >= 0.7) }'
}
check "admin: latency?ms=700 delays a response by 700 ms or more" latency_ok
check "admin: a timeout client gives up against an injected delay" \
  bash -c "curl -sf -X POST '$ADMIN/clusters/east/latency?ms=3000' >/dev/null; ! curl -s --max-time 1 --cacert '$T_DIR/east-ca.pem' '$EAST/version' >/dev/null; curl -sf -X POST '$ADMIN/clusters/east/latency?ms=0' >/dev/null"
check "admin: GET /clusters lists both clusters with their settings" \
  bash -c "curl -sf '$ADMIN/clusters' | jq -e 'length == 2 and .[0].name == \"east\" and .[0].down == false' >/dev/null"
check "admin: an unknown cluster is 404" \
  bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -X POST '$ADMIN/clusters/nope/down') = 404 ]"

kill -TERM "$PID_kubesim"
check "SIGTERM shuts down cleanly (exit 0)" wait "$PID_kubesim"
finish

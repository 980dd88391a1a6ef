#!/usr/bin/env bash
# `vela dry-run` as a user runs it: the walkthrough's three Applications against the walkthrough's
# clusters (beijing-1, beijing-2, us-west-1 with provider=AWS), -o yaml read back by YAML
# tools and by kubectl (offline), and the exit statuses and messages of bad input and misuse.
source "$(dirname "$0")/lib.sh"
cd "$VELA_SOURCE_DIR"

REG=(--cluster beijing-1 --cluster beijing-2 --cluster us-west-1:provider=AWS)

# An independent YAML parser (PyYAML, from python3-yaml); Debian's python3 first.
PY=
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import yaml' 2>/dev/null; then PY=$p; break; fi
done

# dry NAME ARGS...: runs vela dry-run, keeping stdout, stderr and the exit status.
dry() {
  local name=$1
  shift
  vela dry-run "$@" >"$T_DIR/$name.out" 2>"$T_DIR/$name.err"
  echo $? >"$T_DIR/$name.rc"
}
rc_of() { cat "$T_DIR/$1.rc"; }
out_of() { cat "$T_DIR/$1.out"; }

# jq_is NAME FILTER EXPECTED: the filter over NAME's JSON output gives EXPECTED (compact).
jq_is() {
  local got
  got=$(jq -c "$2" "$T_DIR/$1.out" 2>&1)
  [ "$got" = "$3" ] || { echo "  $1: jq '$2' gave $got, want $3" >&2; return 1; }
}

# err_has NAME RC TEXT: NAME exited RC, printed nothing on stdout, and TEXT on stderr.
err_has() {
  [ "$(rc_of "$1")" = "$2" ] || { echo "  $1: exit $(rc_of "$1"), want $2" >&2; cat "$T_DIR/$1.err" >&2; return 1; }
  [ ! -s "$T_DIR/$1.out" ] || { echo "  $1: unexpected stdout" >&2; return 1; }
  grep -qF -- "$3" "$T_DIR/$1.err" || { echo "  $1: stderr lacks: $3" >&2; cat "$T_DIR/$1.err" >&2; return 1; }
}

# ---- the walkthrough's Applications ----

dry basic-json -f examples/basic.yaml "${REG[@]}" -o json
check "basic.yaml exits 0" test "$(rc_of basic-json)" = 0
check "basic.yaml deploys to beijing-1 and beijing-2" \
  jq_is basic-json '[.workflow.steps[].placements[].cluster]' '["beijing-1","beijing-2"]'
check "basic.yaml has the default DAG workflow" \
  jq_is basic-json '[.workflow.mode, [.workflow.steps[].name]]' '["DAG",["deploy-beijing-clusters"]]'
check "basic.yaml runs 3 replicas everywhere" \
  jq_is basic-json '[.workflow.steps[].placements[].manifests[] | select(.kind=="Deployment") | .spec.replicas]' '[3,3]'

dry intermediate-json -f examples/intermediate.yaml "${REG[@]}" -o json
check "intermediate.yaml adds us-west-1 through provider=AWS" \
  jq_is intermediate-json '[.workflow.steps[] | [.name, [.placements[].cluster]]]' \
  '[["deploy-beijing-clusters",["beijing-1","beijing-2"]],["deploy-topology-aws",["us-west-1"]]]'
check "intermediate.yaml is DAG" jq_is intermediate-json '.workflow.mode' '"DAG"'

dry advanced-json -f examples/advanced.yaml "${REG[@]}" -o json
check "advanced.yaml runs StepByStep" jq_is advanced-json '.workflow.mode' '"StepByStep"'
check "advanced.yaml: 3 replicas in Beijing, 5 in us-west-1" \
  jq_is advanced-json '[.workflow.steps[].placements[] | [.cluster, (.manifests[] | select(.kind=="Deployment") | .spec.replicas)]]' \
  '[["beijing-1",3],["beijing-2",3],["us-west-1",5]]'
check "advanced.yaml applies the override only in deploy-aws" \
  jq_is advanced-json '[.workflow.steps[] | [.name, .policies]]' \
  '[["deploy-beijing",["beijing-clusters"]],["deploy-aws",["override-high-availability","topology-aws"]]]'
check "advanced.yaml renders Deployment, Service and Ingress per cluster" \
  jq_is advanced-json '[.workflow.steps[].placements[] | [.manifests[].kind] | join(",")] | unique' \
  '["Deployment,Service,Ingress"]'
check "every manifest carries the app.oam.dev labels" \
  jq_is advanced-json '[.workflow.steps[].placements[].manifests[].metadata.labels | [."app.oam.dev/name", ."app.oam.dev/namespace", ."app.oam.dev/component"]] | unique' \
  '[["example-app","default","hello-world-server"]]'

# ---- -o yaml ----

dry advanced-yaml -f examples/advanced.yaml "${REG[@]}"
check "-o yaml is the default and exits 0" test "$(rc_of advanced-yaml)" = 0
check "-o yaml has a comment header per step and cluster" bash -c "
  grep -qx '# Application example-app (namespace default), workflow mode StepByStep' '$T_DIR/advanced-yaml.out' &&
  grep -qx '# step deploy-beijing (deploy): cluster beijing-1, namespace default' '$T_DIR/advanced-yaml.out' &&
  grep -qx '# step deploy-beijing (deploy): cluster beijing-2, namespace default' '$T_DIR/advanced-yaml.out' &&
  grep -qx '# step deploy-aws (deploy): cluster us-west-1, namespace default' '$T_DIR/advanced-yaml.out'"
check "-o yaml has one document per manifest" \
  test "$(grep -c '^---' "$T_DIR/advanced-yaml.out")" = "$(jq '[.workflow.steps[].placements[].manifests[]] | length' "$T_DIR/advanced-json.out")"

# The YAML documents must be exactly the JSON manifests, read by an independent parser.
yaml_matches_json() {
  "$PY" - "$T_DIR/$1.out" "$T_DIR/$2.out" <<'EOF'
import json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
plan = json.load(open(sys.argv[2]))
want = [m for s in plan["workflow"]["steps"] for p in s.get("placements", []) for m in p["manifests"]]
if docs != want:
    print("yaml documents differ from the json manifests", file=sys.stderr)
    sys.exit(1)
EOF
}
if [ -n "$PY" ]; then
  check "-o yaml parses (PyYAML) to exactly the -o json manifests" yaml_matches_json advanced-yaml advanced-json
else
  echo "skip - python3 yaml not available"
fi

# kubectl reads manifests offline with `label --local` (create/apply need a server): it must
# accept every document and read the same values (YAML 1.1: yes/on/off must stay strings).
kubectl_reads_yaml() {
  local yaml=$1 json=$2
  kubectl label --local -f "$T_DIR/$yaml.out" -o json vela.test/checked=yes >"$T_DIR/$yaml.kubectl" 2>"$T_DIR/$yaml.kerr" ||
    { cat "$T_DIR/$yaml.kerr" >&2; return 1; }
  # a stream of objects (or Lists), each with our label added: drop it, compare the sets
  jq -s -cS '[.[] | if .kind == "List" then .items[] else . end
              | del(.metadata.labels."vela.test/checked")] | unique' \
    "$T_DIR/$yaml.kubectl" >"$T_DIR/$yaml.k.json"
  jq -cS '[.workflow.steps[].placements[].manifests[]] | unique' "$T_DIR/$json.out" >"$T_DIR/$json.k.json"
  diff "$T_DIR/$json.k.json" "$T_DIR/$yaml.k.json" >&2
}

cat >"$T_DIR/tricky.yaml" <<'EOF'
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: tricky
spec:
  components:
    - name: api
      type: webservice
      properties:
        image: "registry.local:5000/api:1.0"
        port: 8080
        cmd: ["/bin/api", "--flag=yes"]
        args: ["on", "off", "8080", "true", "null", "1_000", "0x1F", "12:30", "~", "- x", "#c"]
        env:
          - name: ENABLED
            value: "yes"
          - name: PORT
            value: "8080"
          - name: RATIO
            value: "1e3"
          - name: MULTI
            value: |
              line one
              line two
        labels:
          version: "2"
          flag: "on"
      traits:
        - type: annotations
          properties:
            note: "key: value"
            empty: ""
        - type: gateway
          properties:
            domain: api.example.com
            http:
              "/": 8080
EOF
dry tricky-yaml -f "$T_DIR/tricky.yaml" --cluster local
dry tricky-json -f "$T_DIR/tricky.yaml" --cluster local -o json
check "tricky strings exit 0" test "$(rc_of tricky-yaml)$(rc_of tricky-json)" = 00
if [ -n "$PY" ]; then
  check "tricky strings: -o yaml parses (PyYAML) to the -o json manifests" yaml_matches_json tricky-yaml tricky-json
fi
if command -v kubectl >/dev/null; then
  check "kubectl reads the advanced.yaml manifests offline, same values" kubectl_reads_yaml advanced-yaml advanced-json
  check "kubectl reads tricky strings back as the same strings" kubectl_reads_yaml tricky-yaml tricky-json
else
  echo "skip - kubectl not available"
fi

cat >"$T_DIR/suspend.yaml" <<'EOF'
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata: {name: gated, namespace: team-a}
spec:
  components: [{name: job, type: task, properties: {image: busybox, count: 2}}]
  policies: [{name: here, type: topology, properties: {clusters: [local]}}]
  workflow:
    steps:
      - {name: approve, type: suspend}
      - {name: ship, type: deploy, properties: {policies: [here]}}
EOF
dry suspend-yaml -f "$T_DIR/suspend.yaml"
suspend_headers() {
  grep -qx "# Application gated (namespace team-a), workflow mode StepByStep" "$T_DIR/suspend-yaml.out" &&
    grep -qx "# step approve (suspend): waits for 'vela workflow resume'" "$T_DIR/suspend-yaml.out" &&
    grep -qx "# step ship (deploy): cluster local, namespace team-a" "$T_DIR/suspend-yaml.out" &&
    grep -qx "#   component job (task)" "$T_DIR/suspend-yaml.out" &&
    grep -qx "kind: Job" "$T_DIR/suspend-yaml.out"
}
check "-o yaml shows suspend steps and the Job of a task" suspend_headers

# ---- the registry ----

dry open-basic -f examples/basic.yaml -o json
check "without --cluster, listed cluster names are taken as joined" \
  jq_is open-basic '[.workflow.steps[].placements[].cluster]' '["beijing-1","beijing-2"]'
dry open-intermediate -f examples/intermediate.yaml
open_selector_hint() {
  err_has open-intermediate 1 'topology policy "topology-aws": no cluster matches labels provider=AWS' &&
    grep -qF 'hint: describe the registry with --cluster' "$T_DIR/open-intermediate.err"
}
check "without --cluster, a label selector matches nothing and says how to describe the registry" \
  open_selector_hint
dry missing-cluster -f examples/basic.yaml --cluster beijing-1 --cluster us-west-1:provider=AWS
check "an unknown cluster exits 1 naming FILE:LINE:COL and the cluster" \
  err_has missing-cluster 1 'error: examples/basic.yaml:27:32: spec.policies[0].properties.clusters[1]: step "deploy-beijing-clusters": cluster "beijing-2" not found'
dry no-aws -f examples/intermediate.yaml --cluster beijing-1 --cluster beijing-2 --cluster us-west-1
check "a relabelled registry drops us-west-1" \
  err_has no-aws 1 'no cluster matches labels provider=AWS'

# ---- invalid Applications: exit 1, FILE:LINE:COL: field: what is wrong ----

dry bad-field -f tests/bad/unknown-field-component.yaml
check "unknown field exits 1 with FILE:LINE:COL and the field path" \
  err_has bad-field 1 'error: tests/bad/unknown-field-component.yaml:9:7: spec.components[0].replicas: unknown field "replicas"; known fields: name, type, properties, traits, dependsOn'
dry bad-type -f tests/bad/unknown-trait-type.yaml
check "unknown trait type exits 1 listing the known types" \
  err_has bad-type 1 'tests/bad/unknown-trait-type.yaml:13:11: spec.components[0].traits[0].type: unknown trait type "autoscaler"; known types: '
dry bad-yaml -f tests/bad/tab-indentation.yaml
check "malformed YAML exits 1 with FILE:LINE:COL" \
  err_has bad-yaml 1 'error: tests/bad/tab-indentation.yaml:11:1: invalid YAML'
vela dry-run -f - <tests/bad/wrong-type-replicas.yaml >"$T_DIR/stdin.out" 2>"$T_DIR/stdin.err"
echo $? >"$T_DIR/stdin.rc"
check "stdin input reports <stdin>:LINE:COL" \
  err_has stdin 1 'error: <stdin>:15:13: spec.components[0].traits[0].properties.replicas: expected an integer, got string "two"'
dry missing-file -f "$T_DIR/does-not-exist.yaml"
check "a missing file exits 1" err_has missing-file 1 'cannot open'
head -c $((2 * 1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$T_DIR/big.yaml"
dry big -f "$T_DIR/big.yaml"
check "a file over 2 MiB exits 1" err_has big 1 'larger than the limit of 2097152 bytes'
dry bin -f tests/bad/garbage.bin
check "binary garbage exits 1 without crashing" err_has bin 1 'invalid input'

# ---- usage ----

dry no-file
check "no -f is a usage error (exit 2)" err_has no-file 2 '-f FILE is required'
dry bad-opt -f examples/basic.yaml --frobnicate
check "an unknown option is a usage error" err_has bad-opt 2 'unknown option "--frobnicate"'
dry bad-format -f examples/basic.yaml -o xml
check "-o xml is a usage error" err_has bad-format 2 '-o: "xml" is not one of yaml, json'
dry extra-arg -f examples/basic.yaml extra
check "an extra argument is a usage error" err_has extra-arg 2 'unexpected argument "extra"'
dry bad-label -f examples/basic.yaml --cluster 'us-west-1:provider'
check "a malformed --cluster label is a usage error" err_has bad-label 2 'label "provider" is not k=v'
dry dup-cluster -f examples/basic.yaml --cluster a --cluster a
check "a repeated --cluster is a usage error" err_has dup-cluster 2 '--cluster "a" is given twice'
dry no-value -f
check "-f without a value is a usage error" err_has no-value 2 'needs a value'
check "usage errors point at --help" grep -qF "see 'vela dry-run --help'" "$T_DIR/bad-opt.err"

dry help -h
check "-h exits 0 and prints usage on stdout only" bash -c "
  [ \$(cat '$T_DIR/help.rc') = 0 ] && [ ! -s '$T_DIR/help.err' ] &&
  grep -q '^Usage: vela dry-run -f FILE' '$T_DIR/help.out' && grep -q 'Exit status' '$T_DIR/help.out'"
dry help-long -f examples/basic.yaml --help
check "--help wins over other options" bash -c "[ \$(cat '$T_DIR/help-long.rc') = 0 ] && grep -q '^Usage:' '$T_DIR/help-long.out'"

finish

#!/usr/bin/env bash
# make demo: the walkthrough (docs/walkthrough.md) (KubeVela v1.3's multi-cluster tour) on the real pipeline.
# Starts vela-broker, vela-kubesim (beijing-1, beijing-2, us-west-1), vela-scheduler and
# workers for regions cn and us; joins the clusters; deploys basic, intermediate and
# advanced.yaml, showing each command and its output; shows the missing-namespace failure;
# then stops everything it started. Usage: deploy/demo.sh BIN_DIR
set -uo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
export VELA_BIN=$bin
source "$here/deploy/local/stack.sh"

dir=$(mktemp -d /tmp/vela-demo.XXXXXX)
clusters=beijing-1:cn,beijing-2:cn,us-west-1:us
cleanup() {
  stack_stop "$dir"
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { # shows and runs a vela command the way the walkthrough shows it
  echo "➜  vela $*"
  (cd "$dir/work" && "$bin/vela" "$@")
}
# wait_phase APP NS PHASE...: until the Application's phase is one of PHASE (30 s at most).
wait_phase() {
  local app=$1 ns=$2
  shift 2
  for _ in $(seq 1 150); do
    local phase
    phase=$("$bin/vela" status "$app" -n "$ns" -o json 2>/dev/null | jq -r .phase)
    for want in "$@"; do
      [ "$phase" = "$want" ] && return 0
    done
    sleep 0.2
  done
  echo "(still $phase after 30 s; see $dir/*.log)"
}
# wait_step_failed APP NS: until a step reports failed.
wait_step_failed() {
  for _ in $(seq 1 150); do
    "$bin/vela" status "$1" -n "$2" -o json 2>/dev/null |
      jq -e '.workflow.steps[] | select(.phase == "failed")' >/dev/null && return 0
    sleep 0.2
  done
}

say "Starting vela-broker, vela-kubesim (beijing-1, beijing-2, us-west-1), vela-scheduler, workers for regions cn and us"
stack_start "$dir" "$clusters" || exit 1
eval "$(stack_env "$dir")"
mkdir -p "$dir/work"
cp "$dir"/sim/*.kubeconfig "$here"/examples/*.yaml "$dir/work/"

say "Distribute to specified clusters: join the three clusters"
run cluster join beijing-1.kubeconfig --name beijing-1 --region cn
run cluster join beijing-2.kubeconfig --name beijing-2 --region cn
run cluster join us-west-1.kubeconfig --name us-west-1 --region us
run cluster list

say "basic.yaml: a webservice with scaler (3 replicas) and gateway, topology beijing-clusters"
run up -f basic.yaml
wait_phase example-app default running
run status example-app

say "Group clusters by labels: us-west-1 is an AWS cluster"
run cluster labels add us-west-1 provider=AWS
run cluster list
say "intermediate.yaml adds the topology policy topology-aws (clusterLabelSelector provider=AWS)"
run up -f intermediate.yaml
wait_phase example-app default running
run status example-app

say "advanced.yaml: override-high-availability (5 replicas) and a StepByStep workflow: Beijing first, then AWS"
run up -f advanced.yaml
wait_phase example-app default running
run status example-app

say "The namespace must exist in the clusters: basic.yaml in namespace multi-cluster"
sed 's/namespace: default/namespace: multi-cluster/' "$dir/work/basic.yaml" >"$dir/work/basic-multi-cluster.yaml"
run up -f basic-multi-cluster.yaml
wait_step_failed example-app multi-cluster
run status example-app -n multi-cluster

say "What landed in us-west-1 (kubectl against the simulated cluster)"
echo "➜  kubectl --kubeconfig us-west-1.kubeconfig get deploy,svc,ingress"
kubectl --kubeconfig "$dir/work/us-west-1.kubeconfig" get deploy,svc,ingress 2>&1

say "Done; stopping everything the demo started."

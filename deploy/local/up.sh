#!/usr/bin/env bash
# Starts the local stack and keeps it running for you to try commands by hand:
# vela-broker, vela-kubesim (beijing-1, beijing-2, us-west-1 unless CLUSTERS says otherwise),
# vela-scheduler and a worker per region; the clusters are joined. State and logs go to
# $VELA_LOCAL_DIR (default ~/.vela/local). Stop it with deploy/local/down.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/stack.sh"
dir=${VELA_LOCAL_DIR:-$HOME/.vela/local}
clusters=${CLUSTERS:-beijing-1:cn,beijing-2:cn,us-west-1:us}
if [ -f "$dir/broker.pid" ] && kill -0 "$(cat "$dir/broker.pid")" 2>/dev/null; then
  echo "the local stack is already running in $dir; deploy/local/down.sh stops it" >&2
  exit 1
fi
rm -rf "$dir/sim"
STACK_PORT=${STACK_PORT:-9092} stack_start "$dir" "$clusters"
stack_join "$dir" "$clusters"
stack_env "$dir" >"$dir/env"
cat <<TXT

The stack is running (logs in $dir/*.log). In your shell:

  source $dir/env
  export PATH=$STACK_BIN:\$PATH
  vela cluster list
  vela up -f examples/basic.yaml --wait
  vela status example-app
  kubectl --kubeconfig $dir/sim/beijing-1.kubeconfig get deploy

Fault injection: curl -X POST http://127.0.0.1:$(cat "$dir/admin.port")/clusters/beijing-2/down
Stop: deploy/local/down.sh
TXT

#!/usr/bin/env bash
# Stops the local stack started by deploy/local/up.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/stack.sh"
dir=${VELA_LOCAL_DIR:-$HOME/.vela/local}
stack_stop "$dir"
echo "stopped the local stack in $dir"

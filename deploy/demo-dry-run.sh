#!/usr/bin/env bash
# An offline preview (deploy/demo-dry-run.sh BIN_DIR): renders the walkthrough's (docs/walkthrough.md) three Applications with `vela dry-run` against
# the clusters beijing-1, beijing-2 and us-west-1 (provider=AWS), and shows per cluster what
# would be deployed. Usage: deploy/demo.sh BIN_DIR
set -euo pipefail
bin=${1:-build/bin}
here=$(cd "$(dirname "$0")/.." && pwd)
clusters=(--cluster beijing-1 --cluster beijing-2 --cluster us-west-1:provider=AWS)

show() {
  local file=$1
  echo
  echo "➜  vela dry-run -f examples/$file --cluster beijing-1 --cluster beijing-2 --cluster us-west-1:provider=AWS -o json"
  "$bin/vela" dry-run -f "$here/examples/$file" "${clusters[@]}" -o json |
    jq -r '"workflow mode: \(.workflow.mode)",
           (.workflow.steps[] | "  step \(.name) (\(.type))",
             (.placements[]? | "    cluster \(.cluster)  namespace \(.namespace)",
               (.manifests[] | "      \(.kind)/\(.metadata.name)" +
                 (if .spec.replicas then "  replicas: \(.spec.replicas)" else "" end) +
                 (if .kind == "Ingress" then "  host: \(.spec.rules[0].host)" else "" end))))'
}

echo "Clusters: beijing-1, beijing-2, us-west-1 (provider=AWS)"
show basic.yaml
show intermediate.yaml
show advanced.yaml
echo
echo "➜  vela dry-run -f examples/advanced.yaml (the full manifests for us-west-1)"
"$bin/vela" dry-run -f "$here/examples/advanced.yaml" "${clusters[@]}" |
  awk '/^# step deploy-aws/{p=1} p'
echo
echo "➜  an invalid Application is refused with the field, line and column:"
printf 'apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: broken}\nspec:\n  components:\n    - name: web\n      type: webservice\n      properties: {image: nginx, port: "eighty"}\n' |
  "$bin/vela" dry-run -f - || true

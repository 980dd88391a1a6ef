#!/usr/bin/env bash
# kubectl against vela-kubesim, as a user would run it: get (list, one object, -o json),
# apply --server-side (create, update: a replica change bumps generation), rollout status,
# the exact message for a missing namespace, jobs, services, ingresses, watch, delete, and
# another cluster's credentials refused. Works with kubectl 1.20 (Debian) up to 1.32.
source "$(dirname "$0")/lib.sh"
# kubectl's discovery cache is keyed by host:port, and ports are reused between runs
export HOME=$T_DIR KUBECACHEDIR=$T_DIR/kube-cache

command -v kubectl >/dev/null || fail "kubectl is not installed (deploy/install-deps.sh)"
command -v jq >/dev/null || fail "jq is not installed"

SIM=$T_DIR/sim
start kubesim vela-kubesim --clusters beijing-1,beijing-2 --dir "$SIM" --ready-delay-ms 2500
wait_for 20 grep -q 'msg="ready"' "$T_DIR/kubesim.log" || fail "kubesim did not start: $(cat "$T_DIR/kubesim.log")"

export KUBECONFIG=$SIM/beijing-1.kubeconfig
K() { kubectl --request-timeout=10s "$@"; }

cat >"$T_DIR/web.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
EOF
sed -e 's/replicas: 2/replicas: 3/' "$T_DIR/web.yaml" >"$T_DIR/web3.yaml"
sed -e 's/namespace: default/namespace: multi-cluster/' "$T_DIR/web.yaml" >"$T_DIR/web-missing-ns.yaml"

kubeconfig_ok() {
  local f=$SIM/beijing-2.kubeconfig
  [ "$(stat -c %a "$f")" = 600 ] && grep -q 'current-context: beijing-2' "$f" &&
    grep -q 'client-certificate-data:' "$f" && grep -q 'server: https://127.0.0.1:' "$f"
}
check "kubeconfig written with mode 0600, context and client certificate" kubeconfig_ok

check "kubectl get ns lists default and kube-system" \
  bash -c 'out=$(kubectl get ns) && grep -q "^default  *Active" <<<"$out" && grep -q "^kube-system " <<<"$out"'

check "apply --server-side creates the deployment" \
  bash -c "kubectl apply --server-side --validate=false -f '$T_DIR/web.yaml' | grep -q 'deployment.apps/web serverside-applied'"

json_field() { K get deploy web -o json | jq -r "$1"; }
check "get -o json: replicas 2, generation 1, uid, defaults" \
  bash -c "[ \"\$(kubectl get deploy web -o json | jq -r '[.spec.replicas, .metadata.generation, (.metadata.uid|length > 0), .spec.strategy.type, .spec.template.spec.containers[0].imagePullPolicy] | join(\" \")')\" = '2 1 true RollingUpdate IfNotPresent' ]"

check "rollout status reaches success" \
  bash -c "kubectl rollout status deploy/web --timeout=20s | grep -q 'successfully rolled out'"

check "status after rollout: ready 2/2, observedGeneration 1, Available" \
  bash -c "[ \"\$(kubectl get deploy web -o jsonpath='{.status.readyReplicas}/{.status.availableReplicas}/{.status.observedGeneration}/{.status.conditions[?(@.type==\"Available\")].status}')\" = '2/2/1/True' ]"

check "kubectl get deploy prints a table" \
  bash -c "kubectl get deploy | grep -Eq '^web +2/2 +2 +2 '"

check "apply --server-side update: replicas 3 bumps generation to 2, not yet observed" \
  bash -c "kubectl apply --server-side --validate=false -f '$T_DIR/web3.yaml' -o json | jq -e '[.spec.replicas, .metadata.generation, .status.observedGeneration] == [3, 2, 1]' >/dev/null"

check "the update is not ready at first, then rolls out" \
  bash -c "[ \"\$(kubectl get deploy web -o jsonpath='{.status.readyReplicas}')\" != 3 ] && kubectl rollout status deploy/web --timeout=20s | grep -q 'successfully rolled out' && [ \"\$(kubectl get deploy web -o jsonpath='{.status.readyReplicas}')\" = 3 ]"

check "kubectl scale goes through the scale subresource" \
  bash -c "kubectl scale deploy web --replicas=4 | grep -q scaled && [ \"\$(kubectl get deploy web -o jsonpath='{.spec.replicas} {.metadata.generation}')\" = '4 3' ] && kubectl scale deploy web --replicas=3 >/dev/null"

check "applying the same object again changes nothing (generation stays 4)" \
  bash -c "kubectl apply --server-side --validate=false -f '$T_DIR/web3.yaml' >/dev/null && [ \"\$(kubectl get deploy web -o jsonpath='{.metadata.generation}')\" = 4 ]"

missing_ns() {
  local out
  out=$(kubectl apply --server-side --validate=false -f "$T_DIR/web-missing-ns.yaml" 2>&1)
  [ $? -ne 0 ] && grep -q 'namespaces "multi-cluster" not found' <<<"$out"
}
check "a missing namespace gives the API server's exact message" missing_ns

check "kubectl get of a missing object: NotFound with the API's message" \
  bash -c "out=\$(kubectl get deploy nope 2>&1); [ \$? -ne 0 ] && grep -q 'deployments.apps \"nope\" not found' <<<\"\$out\""

cat >"$T_DIR/more.yaml" <<'EOF'
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: busybox
        command: ["true"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {number: 80}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data: {mode: fast}
EOF
check "apply --server-side of a job, service, ingress and configmap" \
  bash -c "kubectl apply --server-side --validate=false -f '$T_DIR/more.yaml' | grep -c serverside-applied | grep -qx 4"
check "kubectl apply with its default validation (client-side apply)" \
  bash -c "kubectl apply -f '$T_DIR/web3.yaml' 2>/dev/null | grep -Eq 'deployment.apps/web (configured|unchanged)' && kubectl apply --server-side -f '$T_DIR/web3.yaml' | grep -q serverside-applied"
check "the job completes" \
  bash -c "kubectl wait --for=condition=complete job/migrate --timeout=20s >/dev/null && [ \"\$(kubectl get job migrate -o jsonpath='{.status.succeeded}')\" = 1 ]"
check "the service has a clusterIP" \
  bash -c "kubectl get svc web -o jsonpath='{.spec.clusterIP}' | grep -Eq '^10\\.96\\.[0-9]+\\.[0-9]+$'"
ingress_ip() { kubectl get ingress web -o jsonpath='{.status.loadBalancer.ingress[0].ip}'; }
check "the ingress gets a load-balancer address" wait_for 10 bash -c "kubectl get ingress web -o jsonpath='{.status.loadBalancer.ingress[0].ip}' | grep -Eq '^172\\.'"
other_ip=$(KUBECONFIG=$SIM/beijing-2.kubeconfig kubectl apply --server-side --validate=false -f "$T_DIR/more.yaml" >/dev/null 2>&1;
  sleep 0.5; KUBECONFIG=$SIM/beijing-2.kubeconfig kubectl get ingress web -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
check "ingress addresses differ between clusters" bash -c "[ -n '$other_ip' ] && [ '$other_ip' != \"\$(kubectl get ingress web -o jsonpath='{.status.loadBalancer.ingress[0].ip}')\" ]"

check "label selector and field selector lists" \
  bash -c "[ \"\$(kubectl get deploy -l app=web -o name)\" = deployment.apps/web ] && [ -z \"\$(kubectl get deploy -l 'app notin (web)' -o name)\" ] && [ \"\$(kubectl get cm --field-selector metadata.name=settings -o name)\" = configmap/settings ]"

# watch: kubectl get -w sees a change made while it runs
(timeout 8 kubectl get deploy -w >"$T_DIR/watch.out" 2>&1 &)
sleep 2
kubectl apply --server-side --validate=false -f "$T_DIR/web.yaml" >/dev/null
sleep 6.5
check "kubectl get -w prints the deployment's changes" bash -c "[ \$(grep -c '^web ' '$T_DIR/watch.out') -ge 2 ]"

refused() {
  local port out
  port=$(awk '/server:/ {print $2}' "$SIM/beijing-2.kubeconfig")
  out=$(kubectl --server "$port" --insecure-skip-tls-verify get ns 2>&1)
  [ $? -ne 0 ] && grep -Eqi 'unauthorized|provide credentials|logged in' <<<"$out"
}
check "beijing-1's credentials are refused by beijing-2" refused

check "delete removes the deployment" \
  bash -c "kubectl delete deploy web | grep -q 'deployment.apps \"web\" deleted' && ! kubectl get deploy web >/dev/null 2>&1"

check "namespace create and delete" \
  bash -c "kubectl create ns team-a >/dev/null 2>&1 || kubectl apply --server-side --validate=false -f - <<<'{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team-a\"}}' >/dev/null; kubectl get ns team-a >/dev/null && kubectl delete ns team-a >/dev/null && ! kubectl get ns team-a >/dev/null 2>&1"

# kubectl's generators send protobuf for these kinds (kubectl 1.32; 1.20 sends JSON)
check "kubectl create namespace / configmap / secret (protobuf bodies)" \
  bash -c "kubectl create namespace gen-ns >/dev/null && kubectl create configmap gen-cm --from-literal=k=v -n gen-ns >/dev/null && kubectl create secret generic gen-s --from-literal=pw=x -n gen-ns >/dev/null && [ \"\$(kubectl get cm gen-cm -n gen-ns -o jsonpath='{.data.k}')\" = v ] && [ \"\$(kubectl get secret gen-s -n gen-ns -o jsonpath='{.data.pw}')\" = eA== ]"

kill -TERM "$PID_kubesim"
check "SIGTERM shuts down cleanly (exit 0)" wait "$PID_kubesim"
finish

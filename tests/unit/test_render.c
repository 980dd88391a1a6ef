/* Rendering and health of every component type and trait (docs/application.md): the manifests
 * `vela dry-run` prints and the scheduler applies, and how workers judge live objects. */
#include "coretest.h"

/* ---- webservice ---- */

static void webservice_renders_a_deployment_with_container_named_after_component(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB("", "") "]}"));
    assert_int_equal(json_array_size(m), 1);
    json_t *d = ct_find(m, "Deployment", "web");
    assert_non_null(d);
    assert_at(d, "apiVersion", "apps/v1");
    assert_at(d, "metadata.name", "web");
    assert_at(d, "spec.template.spec.containers", "[{name: web, image: nginx}]");
    json_decref(m);
}

static void
deployment_selector_is_the_component_label_and_pod_template_has_the_app_labels(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB("", "") "]}"));
    json_t *d = ct_find(m, "Deployment", "web");
    assert_at(d, "spec.selector", "{matchLabels: {app.oam.dev/component: web}}");
    assert_at(d, "spec.template.metadata.labels",
              "{app.oam.dev/name: app1, app.oam.dev/component: web}");
    json_decref(m);
}

/* KubeVela's labels: the app's, its revision's, and whether an object is the workload or
 * what a trait (or the type itself, "AuxiliaryWorkload") outputs. */
static void every_rendered_object_carries_kubevela_labels(void **state)
{
    (void)state;
    json_t *m = ct_manifests(
        APP("{components: [" WEB(", ports: [{port: 80, expose: true}]",
                                 "{type: gateway, properties: {domain: a.example.com, http: {/: "
                                 "80}}}") ", {name: job, type: task, properties: {image: busybox}}"
                                          ", {name: bg, type: worker, properties: {image: "
                                          "busybox}}]}"));
    size_t i;
    json_t *o;
    static const struct {
        const char *kind, *resource;
    } kinds[] = {
        {"resourceType: WORKLOAD, workload.oam.dev/type: webservice", ""},
        {"resourceType: TRAIT, trait.oam.dev/type: AuxiliaryWorkload",
         ", trait.oam.dev/resource: webserviceExpose"},
        {"resourceType: TRAIT, trait.oam.dev/type: gateway", ", trait.oam.dev/resource: ingress"},
        {"resourceType: WORKLOAD, workload.oam.dev/type: task", ""},
        {"resourceType: WORKLOAD, workload.oam.dev/type: worker", ""},
    };
    assert_int_equal(json_array_size(m), 5); /* Deployment, Service, Ingress, Job, Deployment */
    json_array_foreach(m, i, o) {
        const char *comp = json_string_value(ct_get(o, "metadata.name"));
        char want[512];
        snprintf(want, sizeof(want),
                 "{app.oam.dev/name: app1, app.oam.dev/namespace: ns1, app.oam.dev/component: %s,"
                 " app.oam.dev/appRevision: app1-v1, app.oam.dev/%s%s}",
                 comp, kinds[i].kind, kinds[i].resource);
        assert_at(o, "metadata.labels", want);
        assert_at(o, "metadata.namespace", "ns1");
    }
    json_decref(m);
}

/* The Application's labels and annotations go onto every object, under KubeVela's own labels
 * and minus the keys its filter annotations name. */
static void application_labels_and_annotations_go_onto_every_object(void **state)
{
    (void)state;
    json_t *m = ct_manifests(
        "{apiVersion: core.oam.dev/v1beta1, kind: Application, metadata: {name: app1, "
        "namespace: ns1, labels: {team: a, drop: x, app.oam.dev/name: other}, annotations: "
        "{owner: b, hide: y, filter.oam.dev/label-keys: \"drop, app.oam.dev/namespace\", "
        "filter.oam.dev/annotation-keys: \"hide,kubernetes.io/ingress.class\"}}, spec: "
        "{components: [" WEB("", "{type: gateway, properties: {http: {/: 80}}}") "]}}");
    size_t i;
    json_t *o;
    assert_int_equal(json_array_size(m), 3);
    json_array_foreach(m, i, o) {
        assert_at(o, "metadata.labels.team", "a");
        assert_at(o, "metadata.labels[\"app.oam.dev/name\"]", "app1");
        assert_null(ct_get(o, "metadata.labels.drop"));
        assert_null(ct_get(o, "metadata.labels[\"app.oam.dev/namespace\"]"));
        assert_at(o, "metadata.annotations", "{owner: b}");
    }
    /* the pod template keeps the definition's labels only */
    assert_at(m, "[0].spec.template.metadata.labels",
              "{app.oam.dev/name: app1, app.oam.dev/component: web}");
    json_decref(m);
}

/* app.oam.dev/appRevision names the revision being rendered. */
static void the_app_revision_label_follows_the_revision(void **state)
{
    (void)state;
    app *a = ct_parse(APP("{components: [" WEB("", "") "]}"));
    json_t *out = json_array();
    verr e;
    a->revision = 7;
    assert_int_equal(render_component(a, json_array_get(a->components, 0), "ns1", false, out, &e),
                     0);
    assert_at(out, "[0].metadata.labels[\"app.oam.dev/appRevision\"]", "app1-v7");
    json_decref(out);
    app_free(a);
}

static void objects_land_in_the_placement_namespace_but_keep_the_app_namespace_label(void **state)
{
    (void)state;
    json_t *plan =
        ct_plan(APP("{components: [" WEB(
                    "", "") "], policies: [{name: t, type: "
                            "topology, properties: {clusters: [beijing-1], namespace: prod}}]}"),
                CT_REG);
    json_t *d = ct_get(plan, "workflow.steps[0].placements[0].manifests[0]");
    assert_at(d, "metadata.namespace", "prod");
    assert_at(d, "metadata.labels[\"app.oam.dev/namespace\"]", "ns1");
    assert_at(plan, "workflow.steps[0].placements[0].namespace", "prod");
    json_decref(plan);
}

static void webservice_port_becomes_the_container_port_and_no_service(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB(", port: 8000", "") "]}"));
    assert_at(m, "[0].spec.template.spec.containers[0].ports", "[{containerPort: 8000}]");
    assert_int_equal(ct_count_kind(m, "Service"), 0);
    json_decref(m);
}

static void webservice_ports_without_expose_render_no_service(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB(
        ", ports: [{port: 80, name: http}, {port: 53, protocol: UDP, expose: false},"
        " {port: 8080, containerPort: 80, protocol: SCTP}]",
        "") "]}"));
    assert_at(m, "[0].spec.template.spec.containers[0].ports",
              "[{containerPort: 80, name: http, protocol: TCP},"
              " {containerPort: 53, name: port-53-udp, protocol: UDP},"
              " {containerPort: 80, name: port-80-sctp, protocol: SCTP}]");
    assert_int_equal(json_array_size(m), 1);
    json_decref(m);
}

static void webservice_exposed_ports_render_a_service_of_expose_type(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB(
        ", ports: [{port: 80, name: http, expose: true}, {port: 9090, name: metrics},"
        " {port: 443, expose: true}]",
        "") "]}"));
    json_t *svc = ct_find(m, "Service", "web");
    assert_non_null(svc);
    assert_at(svc, "apiVersion", "v1");
    assert_at(svc, "spec.type", "ClusterIP");
    assert_at(svc, "spec.selector", "{app.oam.dev/component: web}");
    assert_at(svc, "spec.ports",
              "[{name: http, port: 80, targetPort: 80, protocol: TCP},"
              " {name: port-443, port: 443, targetPort: 443, protocol: TCP}]");
    json_decref(m);

    m = ct_manifests(APP("{components: [" WEB(
        ", exposeType: NodePort, ports: [{port: 80, containerPort: 8080, nodePort: 30080,"
        " expose: true, protocol: UDP}]",
        "") "]}"));
    svc = ct_find(m, "Service", "web");
    assert_at(svc, "spec.type", "NodePort");
    assert_at(svc, "spec.ports",
              "[{name: port-8080-udp, port: 80, targetPort: 8080, nodePort: 30080,"
              " protocol: UDP}]");
    json_decref(m);
    /* nodePort only with exposeType NodePort */
    m = ct_manifests(
        APP("{components: [" WEB(", ports: [{port: 80, nodePort: 30080, expose: true}]", "") "]}"));
    assert_null(ct_get(ct_find(m, "Service", "web"), "spec.ports[0].nodePort"));
    json_decref(m);
}

static void webservice_container_fields_cmd_args_env_cpu_memory_pull_policy(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP(
        "{components: [" WEB(", cmd: [/bin/server, --serve], args: [--port, \"8080\"],"
                             " env: [{name: A, value: \"1\"}, {name: B}], cpu: 500m, memory: 256Mi,"
                             " imagePullPolicy: IfNotPresent",
                             "") "]}"));
    json_t *c = ct_get(m, "[0].spec.template.spec.containers[0]");
    assert_at(c, "command", "[/bin/server, --serve]");
    assert_at(c, "args", "[--port, \"8080\"]");
    assert_at(c, "env", "[{name: A, value: \"1\"}, {name: B}]");
    assert_at(c, "resources",
              "{requests: {cpu: 500m, memory: 256Mi}, "
              "limits: {cpu: 500m, memory: 256Mi}}");
    assert_at(c, "imagePullPolicy", "IfNotPresent");
    json_decref(m);

    /* numbers are quantities too; fractions become their shortest string, since
     * 0.10000000000000001 would be rounded up to 101m by Kubernetes */
    m = ct_manifests(APP("{components: [" WEB(", cpu: 0.1, memory: 1073741824", "") "]}"));
    assert_at(m, "[0].spec.template.spec.containers[0].resources",
              "{requests: {cpu: \"0.1\", memory: 1073741824}, "
              "limits: {cpu: \"0.1\", memory: 1073741824}}");
    json_decref(m);
    m = ct_manifests(APP("{components: [" WEB(", cpu: 2.5e-1", "") "]}"));
    assert_at(m, "[0].spec.template.spec.containers[0].resources.limits.cpu", "\"0.25\"");
    json_decref(m);
}

static void webservice_labels_and_annotations_go_to_the_pod_template_only(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP(
        "{components: [" WEB(", labels: {tier: front}, annotations: {owner: team-a}", "") "]}"));
    json_t *d = ct_get(m, "[0]");
    assert_null(ct_get(d, "metadata.labels.tier"));
    assert_at(d, "metadata.labels[\"app.oam.dev/component\"]", "web");
    assert_null(ct_get(d, "metadata.annotations"));
    assert_at(d, "spec.template.metadata.labels.tier", "front");
    assert_at(d, "spec.template.metadata.annotations", "{owner: team-a}");
    assert_at(d, "spec.selector", "{matchLabels: {app.oam.dev/component: web}}");
    json_decref(m);
}

/* Volumes, probes, pull secrets and host aliases as KubeVela's definitions render them. */
static void webservice_volumes_probes_and_pod_fields(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB(
        ", imagePullSecrets: [reg], hostAliases: [{ip: 10.0.0.1, hostnames: [a]}],"
        " addRevisionLabel: true,"
        " livenessProbe: {httpGet: {path: /healthz, port: 80}},"
        " volumeMounts: {configMap: [{name: cfg, mountPath: /etc/c, cmName: c,"
        " items: [{key: k, path: p}]}], emptyDir: [{name: tmp, mountPath: /tmp},"
        " {name: cfg, mountPath: /etc/d}]},"
        " volumes: [{name: ignored, mountPath: /x}]",
        "") "]}"));
    json_t *pod = ct_get(m, "[0].spec.template");
    assert_at(pod, "metadata.labels[\"app.oam.dev/revision\"]", "web-v1");
    assert_at(pod, "spec.imagePullSecrets", "[{name: reg}]");
    assert_at(pod, "spec.hostAliases", "[{ip: 10.0.0.1, hostnames: [a]}]");
    assert_at(pod, "spec.containers[0].livenessProbe",
              "{httpGet: {path: /healthz, port: 80, scheme: HTTP}, initialDelaySeconds: 0,"
              " periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3}");
    assert_at(pod, "spec.containers[0].volumeMounts",
              "[{mountPath: /etc/c, name: cfg}, {mountPath: /tmp, name: tmp},"
              " {mountPath: /etc/d, name: cfg}]");
    assert_at(pod, "spec.volumes",
              "[{name: cfg, configMap: {defaultMode: 420, name: c, items: [{key: k, path: p,"
              " mode: 511}]}}, {name: tmp, emptyDir: {medium: \"\"}}]");
    json_decref(m);

    /* the deprecated volumes, on a task; probes are accepted there but not rendered */
    m = ct_manifests(APP("{components: [{name: t, type: task, properties: {image: b,"
                         " volumes: [{name: d, mountPath: /d, type: pvc, claimName: c}],"
                         " livenessProbe: {tcpSocket: {port: 1}}}}]}"));
    assert_at(m, "[0].spec.template.spec.volumes",
              "[{name: d, persistentVolumeClaim: {claimName: c}}]");
    assert_at(m, "[0].spec.template.spec.containers[0].volumeMounts", "[{mountPath: /d, name: d}]");
    assert_null(ct_get(m, "[0].spec.template.spec.containers[0].livenessProbe"));
    json_decref(m);
    assert_contains(ct_plan_err(APP("{components: [{name: t, type: task, properties: {image: b,"
                                    " volumes: [{name: d, mountPath: /d, type: pvc}]}}]}"),
                                CT_REG),
                    "volumes[0] of type pvc needs \"claimName\"");
    /* env valueFrom passes through */
    m = ct_manifests(APP("{components: [{name: w, type: worker, properties: {image: b, env: "
                         "[{name: A, valueFrom: {secretKeyRef: {name: s, key: k}}}]}}]}"));
    assert_at(m, "[0].spec.template.spec.containers[0].env",
              "[{name: A, valueFrom: {secretKeyRef: {name: s, key: k}}}]");
    json_decref(m);
}

static void webservice_requires_an_image(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: [{name: web, type: webservice, properties: {port: 80}}]}"),
                       "spec.components[0].properties.image", "required field \"image\"");
    assert_parse_fails(APP("{components: [{name: web, type: webservice}]}"), "image");
}

/* ---- worker ---- */

static void worker_renders_a_deployment_without_ports_or_service(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [{name: bg, type: worker, properties: {image: "
                                 "busybox, cmd: [sleep, \"3600\"]}}]}"));
    assert_int_equal(json_array_size(m), 1);
    json_t *d = ct_find(m, "Deployment", "bg");
    assert_at(d, "spec.selector", "{matchLabels: {app.oam.dev/component: bg}}");
    assert_at(d, "spec.template.spec.containers",
              "[{name: bg, image: busybox, command: [sleep, \"3600\"]}]");
    json_decref(m);
    /* ports, args and labels are no worker properties: ignored, as KubeVela ignores them */
    m = ct_manifests(APP("{components: [{name: bg, type: worker, properties: {image: b, port: "
                         "80, args: [x], labels: {a: b}}}]}"));
    assert_at(m, "[0].spec.template.spec.containers", "[{name: bg, image: b}]");
    assert_at(m, "[0].spec.template.metadata.labels",
              "{app.oam.dev/name: app1, app.oam.dev/component: bg}");
    json_decref(m);
}

/* ---- task ---- */

static void task_renders_a_job_with_count_as_completions_and_parallelism(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [{name: migrate, type: task, properties: "
                                 "{image: busybox, count: 3, cmd: [echo, hi]}}]}"));
    json_t *j = ct_find(m, "Job", "migrate");
    assert_non_null(j);
    assert_at(j, "apiVersion", "batch/v1");
    assert_at(j, "spec.completions", "3");
    assert_at(j, "spec.parallelism", "3");
    assert_at(j, "spec.template.spec.restartPolicy", "Never");
    assert_at(j, "spec.template.spec.containers",
              "[{name: migrate, image: busybox, command: [echo, hi]}]");
    assert_at(j, "spec.template.metadata.labels[\"app.oam.dev/component\"]", "migrate");
    assert_int_equal(json_array_size(m), 1);
    json_decref(m);
}

static void task_count_defaults_to_one(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [{name: t, type: task, properties: {image: b}}]}"));
    assert_at(m, "[0].spec.completions", "1");
    assert_at(m, "[0].spec.parallelism", "1");
    json_decref(m);
}

static void task_restart_may_be_on_failure(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [{name: t, type: task, properties: {image: b, "
                                 "restart: OnFailure}}]}"));
    assert_at(m, "[0].spec.template.spec.restartPolicy", "OnFailure");
    json_decref(m);
    assert_parse_fails(APP("{components: [{name: t, type: task, properties: {image: b, restart: "
                           "Always}}]}"),
                       "restart", "\"Always\" is not one of: Never, OnFailure");
}

static void gateway_on_a_worker_exposes_its_pods(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [{name: bg, type: worker, properties: {image: b}, "
                                 "traits: [{type: gateway, properties: {http: {/: 9000}}}]}]}"));
    assert_int_equal(json_array_size(m), 3);
    assert_at(ct_find(m, "Service", "bg"), "spec.selector", "{app.oam.dev/component: bg}");
    assert_at(ct_find(m, "Ingress", "bg"), "spec.rules[0].http.paths[0].backend",
              "{service: {name: bg, port: {number: 9000}}}");
    json_decref(m);
}

/* ---- component health ---- */

struct health_case {
    const char *live; /* YAML, or NULL for "does not exist" */
    bool healthy;
    const char *msg;
};

static int run_health_cases(const char *type, const struct health_case *cases, size_t n)
{
    const component_def *def = component_def_find(type);
    int failures = 0;
    assert_non_null(def);
    for (size_t i = 0; i < n; i++) {
        json_t *live = cases[i].live ? ct_yaml(cases[i].live) : NULL;
        health h = {0};
        def->health(live, &h);
        if (h.healthy != cases[i].healthy || strcmp(h.msg, cases[i].msg) != 0) {
            print_error("%s case %zu (%s): got healthy=%d msg=\"%s\", want %d \"%s\"\n", type, i,
                        cases[i].live ? cases[i].live : "absent", h.healthy, h.msg,
                        cases[i].healthy, cases[i].msg);
            failures++;
        }
        json_decref(live);
    }
    return failures;
}

static void deployment_health_needs_four_equal_replica_counts_and_observed_generation(void **state)
{
    (void)state;
    static const struct health_case cases[] = {
        {"{metadata: {generation: 2}, spec: {replicas: 3}, status: {readyReplicas: 3, "
         "updatedReplicas: 3, replicas: 3, observedGeneration: 2}}",
         true, "Ready:3/3"},
        {"{metadata: {generation: 2}, spec: {replicas: 3}, status: {readyReplicas: 3, "
         "updatedReplicas: 3, replicas: 3, observedGeneration: 3}}",
         true, "Ready:3/3"},
        /* observedGeneration behind */
        {"{metadata: {generation: 3}, spec: {replicas: 3}, status: {readyReplicas: 3, "
         "updatedReplicas: 3, replicas: 3, observedGeneration: 2}}",
         false, "Ready:3/3"},
        /* not all ready */
        {"{metadata: {generation: 1}, spec: {replicas: 3}, status: {readyReplicas: 2, "
         "updatedReplicas: 3, replicas: 3, observedGeneration: 1}}",
         false, "Ready:2/3"},
        /* rolling update: not all updated */
        {"{metadata: {generation: 1}, spec: {replicas: 3}, status: {readyReplicas: 3, "
         "updatedReplicas: 1, replicas: 3, observedGeneration: 1}}",
         false, "Ready:3/3"},
        /* surge: more pods than wanted */
        {"{metadata: {generation: 1}, spec: {replicas: 3}, status: {readyReplicas: 3, "
         "updatedReplicas: 3, replicas: 4, observedGeneration: 1}}",
         false, "Ready:3/3"},
        /* scaled down, not yet done */
        {"{metadata: {generation: 1}, spec: {replicas: 1}, status: {readyReplicas: 2, "
         "updatedReplicas: 2, replicas: 2, observedGeneration: 1}}",
         false, "Ready:2/1"},
    };
    assert_int_equal(run_health_cases("webservice", cases, ARRAY_LEN(cases)), 0);
    assert_int_equal(run_health_cases("worker", cases, ARRAY_LEN(cases)), 0);
}

static void deployment_health_counts_missing_fields_as_zero(void **state)
{
    (void)state;
    static const struct health_case cases[] = {
        /* a fresh Deployment: no status at all */
        {"{metadata: {generation: 1}, spec: {replicas: 2}}", false, "Ready:0/2"},
        /* scaled to zero: the API server omits the zero counts */
        {"{metadata: {generation: 4}, spec: {replicas: 0}, status: {observedGeneration: 4}}", true,
         "Ready:0/0"},
        /* no generation, no observedGeneration, everything 0 */
        {"{spec: {}}", true, "Ready:0/0"},
        /* generation without observedGeneration */
        {"{metadata: {generation: 1}, spec: {replicas: 0}}", false, "Ready:0/0"},
        {NULL, false, "Deployment not found"},
    };
    assert_int_equal(run_health_cases("webservice", cases, ARRAY_LEN(cases)), 0);
}

static void job_health_is_succeeded_against_parallelism(void **state)
{
    (void)state;
    static const struct health_case cases[] = {
        {"{spec: {parallelism: 3}, status: {succeeded: 3}}", true, "Active/Failed/Succeeded:0/0/3"},
        {"{spec: {parallelism: 3}, status: {succeeded: 1, active: 2, failed: 1}}", false,
         "Active/Failed/Succeeded:2/1/1"},
        {"{spec: {parallelism: 3}}", false, "Active/Failed/Succeeded:0/0/0"},
        /* KubeVela's test is equality: more successes than parallelism is not healthy */
        {"{spec: {parallelism: 1}, status: {succeeded: 2}}", false,
         "Active/Failed/Succeeded:0/0/2"},
        /* Kubernetes defaults parallelism to 1 */
        {"{spec: {}, status: {succeeded: 1}}", true, "Active/Failed/Succeeded:0/0/1"},
        {NULL, false, "Job not found"},
    };
    assert_int_equal(run_health_cases("task", cases, ARRAY_LEN(cases)), 0);
}

/* ---- scaler ---- */

static void scaler_sets_replicas_and_defaults_to_one(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB("", "{type: scaler, properties: {replicas: "
                                                          "7}}") "]}"));
    assert_at(m, "[0].spec.replicas", "7");
    json_decref(m);
    m = ct_manifests(APP("{components: [" WEB("", "{type: scaler}") "]}"));
    assert_at(m, "[0].spec.replicas", "1");
    json_decref(m);
    m = ct_manifests(APP("{components: [" WEB("", "{type: scaler, properties: {}}") "]}"));
    assert_at(m, "[0].spec.replicas", "1");
    json_decref(m);
    m = ct_manifests(APP("{components: [{name: bg, type: worker, properties: {image: b}, traits: "
                         "[{type: scaler, properties: {replicas: 0}}]}]}"));
    assert_at(m, "[0].spec.replicas", "0");
    assert_at(m, "[0].spec.selector", "{matchLabels: {app.oam.dev/component: bg}}");
    json_decref(m);
    /* no scaler: replicas left to Kubernetes */
    m = ct_manifests(APP("{components: [" WEB("", "") "]}"));
    assert_at(m, "[0].spec.replicas", "ABSENT");
    json_decref(m);
}

static void scaler_replicas_must_be_a_non_negative_integer(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: [" WEB("", "{type: scaler, properties: {replicas: "
                                                    "\"3\"}}") "]}"),
                       "spec.components[0].traits[0].properties.replicas", "expected an integer");
    assert_parse_fails(APP("{components: [" WEB("", "{type: scaler, properties: {replicas: "
                                                    "-1}}") "]}"),
                       "traits[0].properties.replicas", "out of range");
}

static void scaler_does_not_apply_to_a_task(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: [{name: t, type: task, properties: {image: b}, traits: "
                           "[{type: scaler, properties: {replicas: 2}}]}]}"),
                       "spec.components[0].traits[0].type",
                       "trait \"scaler\" does not apply to component type \"task\"");
}

/* ---- gateway ---- */

static void gateway_renders_a_service_with_one_port_per_distinct_http_port(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP(
        "{components: [" WEB(", port: 8000", "{type: gateway, properties: {domain: a.example.com, "
                                             "http: {/: 8000, /api: 8080, /static: 8000}}}") "]}"));
    json_t *svc = ct_find(m, "Service", "web");
    assert_non_null(svc);
    assert_int_equal(ct_count_kind(m, "Service"), 1);
    assert_at(svc, "spec.selector", "{app.oam.dev/component: web}");
    assert_at(svc, "spec.ports",
              "[{name: port-8000, port: 8000, targetPort: 8000},"
              " {name: port-8080, port: 8080, targetPort: 8080}]");
    json_decref(m);
}

static void gateway_ingress_has_host_and_one_path_per_http_entry(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB(
        "",
        "{type: gateway, properties: {domain: a.example.com, http: {/: 8000, /api: 8080}}}") "]}"));
    json_t *ing = ct_find(m, "Ingress", "web");
    assert_non_null(ing);
    assert_at(ing, "apiVersion", "networking.k8s.io/v1");
    assert_at(ing, "metadata.labels[\"app.oam.dev/component\"]", "web");
    assert_at(ing, "spec.rules",
              "[{host: a.example.com, http: {paths: ["
              "{path: /, pathType: ImplementationSpecific, backend: {service: {name: web, port: "
              "{number: 8000}}}},"
              "{path: /api, pathType: ImplementationSpecific, backend: {service: {name: web, "
              "port: {number: 8080}}}}]}}]");
    assert_at(ing, "spec.tls", "ABSENT");
    json_decref(m);

    /* without a domain: a rule with no host */
    m = ct_manifests(
        APP("{components: [" WEB("", "{type: gateway, properties: {http: {/: 80}}}") "]}"));
    assert_at(ct_find(m, "Ingress", "web"), "spec.rules[0].host", "ABSENT");
    json_decref(m);
}

static void gateway_class_is_an_annotation_by_default_and_defaults_to_nginx(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB(
        "", "{type: gateway, properties: {domain: a.example.com, http: {/: 80}}}") "]}"));
    json_t *ing = ct_find(m, "Ingress", "web");
    assert_at(ing, "metadata.annotations", "{kubernetes.io/ingress.class: nginx}");
    assert_at(ing, "spec.ingressClassName", "ABSENT");
    json_decref(m);

    m = ct_manifests(APP("{components: [" WEB(
        "",
        "{type: gateway, properties: {http: {/: 80}, class: traefik, classInSpec: false}}") "]}"));
    ing = ct_find(m, "Ingress", "web");
    assert_at(ing, "metadata.annotations", "{kubernetes.io/ingress.class: traefik}");
    assert_at(ing, "spec.ingressClassName", "ABSENT");
    json_decref(m);
}

static void gateway_class_in_spec_sets_ingress_class_name(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB(
        "",
        "{type: gateway, properties: {http: {/: 80}, class: traefik, classInSpec: true}}") "]}"));
    json_t *ing = ct_find(m, "Ingress", "web");
    assert_at(ing, "spec.ingressClassName", "traefik");
    assert_at(ing, "metadata.annotations", "ABSENT");
    json_decref(m);
    m = ct_manifests(APP("{components: [" WEB(
        "", "{type: gateway, properties: {http: {/: 80}, classInSpec: true}}") "]}"));
    assert_at(ct_find(m, "Ingress", "web"), "spec.ingressClassName", "nginx");
    json_decref(m);
}

static void gateway_secret_name_adds_tls_for_the_domain(void **state)
{
    (void)state;
    json_t *m = ct_manifests(
        APP("{components: [" WEB("", "{type: gateway, properties: {domain: a.example.com, http: "
                                     "{/: 80}, secretName: a-tls}}") "]}"));
    assert_at(ct_find(m, "Ingress", "web"), "spec.tls",
              "[{secretName: a-tls, hosts: [a.example.com]}]");
    json_decref(m);
}

static void gateway_shares_the_service_of_exposed_ports(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP(
        "{components: [" WEB(", ports: [{port: 80, name: http, expose: "
                             "true}]",
                             "{type: gateway, properties: {http: {/: 80, /admin: 9000}}}") "]}"));
    assert_int_equal(ct_count_kind(m, "Service"), 1);
    assert_at(ct_find(m, "Service", "web"), "spec.ports",
              "[{name: http, port: 80, targetPort: 80, protocol: TCP},"
              " {name: port-9000, port: 9000, targetPort: 9000}]");
    json_decref(m);
}

static void gateway_http_is_required_and_maps_paths_to_ports(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: [" WEB("",
                                                "{type: gateway, properties: {domain: a}}") "]}"),
                       "spec.components[0].traits[0].properties.http", "required field \"http\"");
    assert_parse_fails(APP("{components: [" WEB("", "{type: gateway, properties: {http: {/: "
                                                    "web}}}") "]}"),
                       "traits[0].properties.http[\"/\"]", "expected an integer");
    assert_parse_fails(APP("{components: [" WEB("", "{type: gateway, properties: {http: {/: "
                                                    "70000}}}") "]}"),
                       "out of range");
}

static void gateway_health_shows_the_url_and_ip_once_assigned(void **state)
{
    (void)state;
    const trait_def *gw = trait_def_find("gateway");
    assert_non_null(gw);
    assert_string_equal(gw->health_kind, "Ingress");
    json_t *props = ct_yaml("{domain: testsvc-mc.example.com, http: {/: 8000}}");
    static const struct {
        const char *live, *msg;
    } cases[] = {
        {"{kind: Ingress, metadata: {labels: {app.oam.dev/name: app1}}, spec: {rules: [{host: "
         "testsvc-mc.example.com}]}, status: {loadBalancer: {ingress: [{ip: 47.88.31.118}]}}}",
         "Visiting URL: testsvc-mc.example.com, IP: 47.88.31.118"},
        {"{kind: Ingress, spec: {rules: [{host: a.example.com}]}, status: {loadBalancer: "
         "{ingress: [{hostname: lb.example.com}]}}}",
         "Visiting URL: a.example.com"},
        {"{kind: Ingress, spec: {rules: [{http: {}}]}, status: {loadBalancer: {ingress: [{ip: "
         "10.0.0.1}]}}}",
         "Host not specified, visit the cluster or load balancer in front of the cluster, IP: "
         "10.0.0.1"},
        {"{kind: Ingress, metadata: {labels: {app.oam.dev/name: app1}}, status: {loadBalancer: "
         "{}}}",
         "No loadBalancer found, visiting by using 'vela port-forward app1'"},
    };
    health h = {0};

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        json_t *live = ct_yaml(cases[i].live);
        memset(&h, 0, sizeof(h));
        gw->health(props, live, &h);
        assert_true(h.healthy);
        assert_string_equal(h.msg, cases[i].msg);
        json_decref(live);
    }
    memset(&h, 0, sizeof(h));
    gw->health(props, NULL, &h);
    assert_false(h.healthy);
    json_decref(props);
}

static void traits_other_than_gateway_are_always_healthy_without_message(void **state)
{
    (void)state;
    static const char *const types[] = {"scaler", "labels", "annotations", "env"};
    for (size_t i = 0; i < ARRAY_LEN(types); i++) {
        const trait_def *t = trait_def_find(types[i]);
        assert_non_null(t);
        assert_null(t->health_kind);
        assert_null(t->health);
    }
}

/* ---- labels and annotations ---- */

static void labels_trait_merges_into_workload_and_pod_template_labels(void **state)
{
    (void)state;
    json_t *m = ct_manifests(
        APP("{components: [" WEB(", labels: {tier: front, team: a}",
                                 "{type: labels, properties: {team: b, release: stable}}") "]}"));
    json_t *d = ct_get(m, "[0]");
    assert_at(d, "metadata.labels",
              "{app.oam.dev/name: app1, app.oam.dev/namespace: ns1, app.oam.dev/component: web,"
              " app.oam.dev/appRevision: app1-v1, app.oam.dev/resourceType: WORKLOAD,"
              " workload.oam.dev/type: webservice, team: b, release: stable}");
    assert_at(d, "spec.template.metadata.labels",
              "{app.oam.dev/name: app1, app.oam.dev/component: web,"
              " tier: front, team: b, release: stable}");
    assert_at(d, "spec.selector", "{matchLabels: {app.oam.dev/component: web}}");
    json_decref(m);

    /* on a task: the Job and its pod template */
    m = ct_manifests(APP("{components: [{name: t, type: task, properties: {image: b}, traits: "
                         "[{type: labels, properties: {release: canary}}]}]}"));
    assert_at(m, "[0].metadata.labels.release", "canary");
    assert_at(m, "[0].spec.template.metadata.labels.release", "canary");
    json_decref(m);

    /* a merge patch: null deletes a key; KubeVela's own labels are set after the traits */
    m = ct_manifests(APP("{components: [" WEB(", labels: {tier: front}",
                                              "{type: labels, properties: {tier: null, "
                                              "app.oam.dev/name: x}}") "]}"));
    assert_null(ct_get(m, "[0].spec.template.metadata.labels.tier"));
    assert_at(m, "[0].metadata.labels[\"app.oam.dev/name\"]", "app1");
    assert_at(m, "[0].spec.template.metadata.labels[\"app.oam.dev/name\"]", "x");
    json_decref(m);
}

static void annotations_trait_merges_into_workload_and_pod_template_annotations(void **state)
{
    (void)state;
    json_t *m = ct_manifests(
        APP("{components: [" WEB(", annotations: {a: \"1\", b: \"2\"}",
                                 "{type: annotations, properties: {b: \"3\", c: \"4\"}}") "]}"));
    json_t *d = ct_get(m, "[0]");
    assert_at(d, "metadata.annotations", "{b: \"3\", c: \"4\"}");
    assert_at(d, "spec.template.metadata.annotations", "{a: \"1\", b: \"3\", c: \"4\"}");
    json_decref(m);
    m = ct_manifests(APP("{components: [" WEB(", annotations: {a: \"1\"}",
                                              "{type: annotations, properties: {a: null}}") "]}"));
    assert_null(ct_get(m, "[0].spec.template.metadata.annotations.a"));
    json_decref(m);
    m = ct_manifests(APP("{components: [" WEB("", "{type: annotations, properties: {x: y}}") "]}"));
    assert_at(m, "[0].metadata.annotations", "{x: y}");
    assert_at(m, "[0].spec.template.metadata.annotations", "{x: y}");
    json_decref(m);
}

static void labels_and_annotations_values_must_be_strings(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: [" WEB("", "{type: labels, properties: {v: 1}}") "]}"),
                       "spec.components[0].traits[0].properties.v", "expected a string");
    assert_parse_fails(APP("{components: [" WEB("", "{type: annotations, properties: [a]}") "]}"),
                       "spec.components[0].traits[0].properties", "map");
}

/* ---- env ---- */

static void env_trait_sets_and_keeps_the_order_of_the_container_env(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB(
        ", env: [{name: A, value: a0}, {name: B, valueFrom: {secretKeyRef: {name: s, key: k}}},"
        " {name: C, value: c0}]",
        "{type: env, properties: {env: {B: b1, D: d1, E: e1}, unset: [C, E]}}") "]}"));
    assert_at(m, "[0].spec.template.spec.containers[0].env",
              "[{name: A, value: a0}, {name: B, value: b1}, {name: D, value: d1}]");
    json_decref(m);

    m = ct_manifests(APP("{components: [" WEB(
        ", env: [{name: A, value: a0}, {name: B, value: b0}]",
        "{type: env, properties: {env: {B: b1, X: \"1\"}, replace: true}}") "]}"));
    assert_at(m, "[0].spec.template.spec.containers[0].env",
              "[{name: B, value: b1}, {name: X, value: \"1\"}]");
    json_decref(m);
}

static void env_trait_container_name_picks_the_container(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB(
        "", "{type: env, properties: {containerName: web, env: {X: y}}}") "]}"));
    assert_at(m, "[0].spec.template.spec.containers[0].env", "[{name: X, value: y}]");
    json_decref(m);
    m = ct_manifests(APP("{components: [" WEB(
        "", "{type: env, properties: {containers: [{containerName: web, env: {X: y}}]}}") "]}"));
    assert_at(m, "[0].spec.template.spec.containers[0].env", "[{name: X, value: y}]");
    json_decref(m);
    const char *e =
        ct_plan_err(APP("{components: [" WEB(
                        "", "{type: env, properties: {containerName: sidecar, env: {X: y}}}") "]}"),
                    CT_REG);
    assert_contains(e, "container \"sidecar\" not found");
    assert_parse_fails(APP("{components: [" WEB("", "{type: env, properties: {containers: "
                                                    "[{env: {X: y}}]}}") "]}"),
                       "traits[0].properties.containers[0]", "containerName must be set");
    assert_parse_fails(APP("{components: [" WEB("", "{type: env, properties: {env: {X: y}, "
                                                    "containers: []}}") "]}"),
                       "traits[0].properties.containers", "cannot be combined");
}

static void env_trait_on_a_task_sets_the_job_container_env(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [{name: t, type: task, properties: {image: b}, "
                                 "traits: [{type: env, properties: {env: {K: v}}}]}]}"));
    assert_at(m, "[0].spec.template.spec.containers[0].env", "[{name: K, value: v}]");
    json_decref(m);
}

/* ---- types ---- */

static void unknown_component_type_lists_the_known_types(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: [{name: c, type: helm, properties: {}}]}"),
                       "spec.components[0].type", "unknown component type \"helm\"",
                       "task, webservice, worker");
}

static void unknown_trait_type_lists_the_known_types(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: [" WEB("", "{type: autoscaler}") "]}"),
                       "spec.components[0].traits[0].type", "unknown trait type \"autoscaler\"",
                       "known types: ");
}

static void definitions_declare_their_workload_kinds(void **state)
{
    (void)state;
    assert_string_equal(component_def_find("webservice")->workload_kind, "Deployment");
    assert_string_equal(component_def_find("worker")->workload_kind, "Deployment");
    assert_string_equal(component_def_find("task")->workload_kind, "Job");
    assert_string_equal(component_def_find("task")->workload_api_version, "batch/v1");
    assert_null(component_def_find("helm"));
    assert_null(trait_def_find("autoscaler"));
}

static void components_render_in_depends_on_order(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: ["
                                 "{name: a, type: worker, properties: {image: x}, dependsOn: [b]},"
                                 "{name: b, type: worker, properties: {image: x}, dependsOn: [c]},"
                                 "{name: c, type: worker, properties: {image: x}}]}"));
    assert_at(m, "[0].metadata.name", "c");
    assert_at(m, "[1].metadata.name", "b");
    assert_at(m, "[2].metadata.name", "a");
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(webservice_renders_a_deployment_with_container_named_after_component),
        cmocka_unit_test(
            deployment_selector_is_the_component_label_and_pod_template_has_the_app_labels),
        cmocka_unit_test(every_rendered_object_carries_kubevela_labels),
        cmocka_unit_test(application_labels_and_annotations_go_onto_every_object),
        cmocka_unit_test(the_app_revision_label_follows_the_revision),
        cmocka_unit_test(objects_land_in_the_placement_namespace_but_keep_the_app_namespace_label),
        cmocka_unit_test(webservice_port_becomes_the_container_port_and_no_service),
        cmocka_unit_test(webservice_ports_without_expose_render_no_service),
        cmocka_unit_test(webservice_exposed_ports_render_a_service_of_expose_type),
        cmocka_unit_test(webservice_container_fields_cmd_args_env_cpu_memory_pull_policy),
        cmocka_unit_test(webservice_labels_and_annotations_go_to_the_pod_template_only),
        cmocka_unit_test(webservice_volumes_probes_and_pod_fields),
        cmocka_unit_test(webservice_requires_an_image),
        cmocka_unit_test(worker_renders_a_deployment_without_ports_or_service),
        cmocka_unit_test(task_renders_a_job_with_count_as_completions_and_parallelism),
        cmocka_unit_test(task_count_defaults_to_one),
        cmocka_unit_test(task_restart_may_be_on_failure),
        cmocka_unit_test(gateway_on_a_worker_exposes_its_pods),
        cmocka_unit_test(deployment_health_needs_four_equal_replica_counts_and_observed_generation),
        cmocka_unit_test(deployment_health_counts_missing_fields_as_zero),
        cmocka_unit_test(job_health_is_succeeded_against_parallelism),
        cmocka_unit_test(scaler_sets_replicas_and_defaults_to_one),
        cmocka_unit_test(scaler_replicas_must_be_a_non_negative_integer),
        cmocka_unit_test(scaler_does_not_apply_to_a_task),
        cmocka_unit_test(gateway_renders_a_service_with_one_port_per_distinct_http_port),
        cmocka_unit_test(gateway_ingress_has_host_and_one_path_per_http_entry),
        cmocka_unit_test(gateway_class_is_an_annotation_by_default_and_defaults_to_nginx),
        cmocka_unit_test(gateway_class_in_spec_sets_ingress_class_name),
        cmocka_unit_test(gateway_secret_name_adds_tls_for_the_domain),
        cmocka_unit_test(gateway_shares_the_service_of_exposed_ports),
        cmocka_unit_test(gateway_http_is_required_and_maps_paths_to_ports),
        cmocka_unit_test(gateway_health_shows_the_url_and_ip_once_assigned),
        cmocka_unit_test(traits_other_than_gateway_are_always_healthy_without_message),
        cmocka_unit_test(labels_trait_merges_into_workload_and_pod_template_labels),
        cmocka_unit_test(annotations_trait_merges_into_workload_and_pod_template_annotations),
        cmocka_unit_test(labels_and_annotations_values_must_be_strings),
        cmocka_unit_test(env_trait_sets_and_keeps_the_order_of_the_container_env),
        cmocka_unit_test(env_trait_container_name_picks_the_container),
        cmocka_unit_test(env_trait_on_a_task_sets_the_job_container_env),
        cmocka_unit_test(unknown_component_type_lists_the_known_types),
        cmocka_unit_test(unknown_trait_type_lists_the_known_types),
        cmocka_unit_test(definitions_declare_their_workload_kinds),
        cmocka_unit_test(components_render_in_depends_on_order),
    };
    return cmocka_run_group_tests(tests, NULL, ct_teardown_registry);
}

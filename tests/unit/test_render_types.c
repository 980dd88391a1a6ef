/* The component types cron-task, daemon, statefulset, k8s-objects and raw
 * (docs/application.md): what they render, how workers judge their live workloads, and the
 * workload the scheduler tells workers to watch. */
#include "coretest.h"

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

/* ---- health ---- */

static void daemon_health_needs_desired_ready_updated_current_equal_and_generation(void **state)
{
    (void)state;
    static const struct health_case cases[] = {
        {"{metadata: {generation: 2}, status: {desiredNumberScheduled: 3, numberReady: 3, "
         "updatedNumberScheduled: 3, currentNumberScheduled: 3, observedGeneration: 2}}",
         true, "Ready:3/3"},
        /* not all ready */
        {"{metadata: {generation: 1}, status: {desiredNumberScheduled: 3, numberReady: 2, "
         "updatedNumberScheduled: 3, currentNumberScheduled: 3, observedGeneration: 1}}",
         false, "Ready:2/3"},
        /* rolling update */
        {"{metadata: {generation: 1}, status: {desiredNumberScheduled: 3, numberReady: 3, "
         "updatedNumberScheduled: 1, currentNumberScheduled: 3, observedGeneration: 1}}",
         false, "Ready:3/3"},
        /* a node still without its pod */
        {"{metadata: {generation: 1}, status: {desiredNumberScheduled: 3, numberReady: 3, "
         "updatedNumberScheduled: 3, currentNumberScheduled: 2, observedGeneration: 1}}",
         false, "Ready:3/3"},
        /* the controller has not seen the latest spec */
        {"{metadata: {generation: 3}, status: {desiredNumberScheduled: 3, numberReady: 3, "
         "updatedNumberScheduled: 3, currentNumberScheduled: 3, observedGeneration: 2}}",
         false, "Ready:3/3"},
        /* no node matches: zero of zero is healthy, as in KubeVela */
        {"{metadata: {generation: 1}, status: {observedGeneration: 1}}", true, "Ready:0/0"},
        /* no status yet: generation 1 not observed */
        {"{metadata: {generation: 1}}", false, "Ready:0/0"},
        {NULL, false, "DaemonSet not found"},
    };
    assert_int_equal(run_health_cases("daemon", cases, ARRAY_LEN(cases)), 0);
}

static void statefulset_health_is_replicas_against_spec_unless_disabled(void **state)
{
    (void)state;
    static const struct health_case cases[] = {
        {"{metadata: {generation: 2}, spec: {replicas: 3}, status: {readyReplicas: 3, "
         "updatedReplicas: 3, replicas: 3, observedGeneration: 2}}",
         true, "Ready:3/3"},
        {"{metadata: {generation: 1}, spec: {replicas: 3}, status: {readyReplicas: 1, "
         "updatedReplicas: 3, replicas: 3, observedGeneration: 1}}",
         false, "Ready:1/3"},
        {"{metadata: {generation: 1}, spec: {replicas: 3}, status: {readyReplicas: 3, "
         "updatedReplicas: 2, replicas: 3, observedGeneration: 1}}",
         false, "Ready:3/3"},
        {"{metadata: {generation: 2}, spec: {replicas: 3}, status: {readyReplicas: 3, "
         "updatedReplicas: 3, replicas: 3, observedGeneration: 1}}",
         false, "Ready:3/3"},
        /* spec.replicas absent: the API server's default, 1 */
        {"{metadata: {generation: 1}, status: {readyReplicas: 1, updatedReplicas: 1, "
         "replicas: 1, observedGeneration: 1}}",
         true, "Ready:1/1"},
        /* the opt-out annotation wins over the counts */
        {"{metadata: {generation: 1, annotations: {app.oam.dev/disable-health-check: \"true\"}},"
         " spec: {replicas: 3}, status: {readyReplicas: 0}}",
         true, "Ready:0/3"},
        {NULL, false, "StatefulSet not found"},
    };
    assert_int_equal(run_health_cases("statefulset", cases, ARRAY_LEN(cases)), 0);
}

static void types_without_health_policy_are_healthy_once_their_workload_exists(void **state)
{
    (void)state;
    static const struct health_case cron[] = {
        {"{spec: {schedule: \"* * * * *\"}, status: {}}", true, ""},
        {"{status: {active: [{name: x}]}}", true, ""},
        {NULL, false, "CronJob not found"},
    };
    static const struct health_case objects[] = {
        {"{kind: Deployment, status: {readyReplicas: 0}}", true, ""},
        {NULL, false, "workload object not found"},
    };
    assert_int_equal(run_health_cases("cron-task", cron, ARRAY_LEN(cron)), 0);
    assert_int_equal(run_health_cases("k8s-objects", objects, ARRAY_LEN(objects)), 0);
    assert_int_equal(run_health_cases("raw", objects, ARRAY_LEN(objects)), 0);
}

/* ---- rendering ---- */

static void cron_task_renders_a_cron_job_with_kubevela_defaults(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [{name: c, type: cron-task, properties: "
                                 "{image: busybox, schedule: \"*/5 * * * *\"}}]}"));
    json_t *cj = ct_find(m, "CronJob", "c");
    assert_non_null(cj);
    assert_at(cj, "apiVersion", "batch/v1");
    assert_at(cj, "metadata.labels[\"workload.oam.dev/type\"]", "cron-task");
    assert_at(cj, "spec.concurrencyPolicy", "Allow");
    assert_at(cj, "spec.suspend", "false");
    assert_at(cj, "spec.successfulJobsHistoryLimit", "3");
    assert_at(cj, "spec.failedJobsHistoryLimit", "1");
    assert_at(cj, "spec.jobTemplate.spec.backoffLimit", "6");
    assert_at(cj, "spec.jobTemplate.spec.completions", "1");
    assert_at(cj, "spec.jobTemplate.spec.template.spec.restartPolicy", "Never");
    assert_at(cj, "spec.jobTemplate.spec.template.spec.containers", "[{name: c, image: busybox}]");
    json_decref(m);
}

static void cron_task_schedule_is_required_and_must_have_five_fields(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: [{name: c, type: cron-task, properties: {image: b}}]}"),
                       "spec.components[0].properties.schedule", "required");
    assert_parse_fails(APP("{components: [{name: c, type: cron-task, properties: {image: b, "
                           "schedule: \"* * *\"}}]}"),
                       "has 3 fields");
    assert_parse_fails(APP("{components: [{name: c, type: cron-task, properties: {image: b, "
                           "schedule: \"@sometimes\"}}]}"),
                       "not a schedule macro");
    app_free(ct_parse(APP("{components: [{name: c, type: cron-task, properties: {image: b, "
                          "schedule: \"@hourly\"}}]}")));
}

static void daemon_and_statefulset_expose_ports_in_a_service(void **state)
{
    (void)state;
    json_t *m = ct_manifests(
        APP("{components: [{name: d, type: daemon, properties: {image: f, ports: [{port: 80, "
            "expose: true}]}}, {name: s, type: statefulset, properties: {image: p, ports: "
            "[{port: 53, containerPort: 5353, protocol: UDP, expose: true}]}}]}"));
    assert_int_equal(json_array_size(m), 4);
    assert_at(ct_find(m, "Service", "d"), "spec.ports",
              "[{name: port-80, port: 80, targetPort: 80}]");
    assert_at(ct_find(m, "Service", "d"), "metadata.labels[\"trait.oam.dev/resource\"]",
              "webserviceExpose");
    assert_at(ct_find(m, "Service", "s"), "spec.ports",
              "[{name: port-5353-udp, port: 53, targetPort: 5353, protocol: UDP}]");
    assert_at(ct_find(m, "StatefulSet", "s"), "spec.template.spec.containers[0].ports",
              "[{containerPort: 5353, name: port-5353-udp, protocol: UDP}]");
    assert_at(ct_find(m, "DaemonSet", "d"), "spec.selector",
              "{matchLabels: {app.oam.dev/component: d}}");
    json_decref(m);
}

static void k8s_objects_first_is_the_workload_the_rest_are_outputs(void **state)
{
    (void)state;
    json_t *m = ct_manifests(
        APP("{components: [{name: k, type: k8s-objects, properties: {objects: ["
            "{apiVersion: apps/v1, kind: Deployment, metadata: {labels: {app: k}}, spec: {}},"
            "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm, namespace: elsewhere}, "
            "data: {a: b}}]}}]}"));
    assert_int_equal(json_array_size(m), 2);
    json_t *d = ct_find(m, "Deployment", "k");
    assert_non_null(d);
    assert_at(d, "metadata.labels.app", "k");
    assert_at(d, "metadata.labels[\"app.oam.dev/resourceType\"]", "WORKLOAD");
    json_t *cm = ct_find(m, "ConfigMap", "cm");
    assert_at(cm, "metadata.namespace", "ns1");
    assert_at(cm, "metadata.labels[\"trait.oam.dev/resource\"]", "objects-1");
    assert_at(cm, "data", "{a: b}");
    json_decref(m);
}

static void k8s_objects_need_api_version_kind_and_names_after_the_first(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: [{name: k, type: k8s-objects, properties: {objects: "
                           "[{kind: ConfigMap}]}}]}"),
                       "objects[0].apiVersion", "required");
    assert_parse_fails(APP("{components: [{name: k, type: k8s-objects, properties: {objects: "
                           "[{apiVersion: v1, kind: A}, {apiVersion: v1, kind: B}]}}]}"),
                       "objects[1].metadata.name", "required");
    assert_parse_fails(APP("{components: [{name: k, type: k8s-objects, properties: {objects: "
                           "[{apiVersion: v1, kind: A, metadata: {name: x}}, {apiVersion: v1, "
                           "kind: A, metadata: {name: x}}]}}]}"),
                       "also objects[0]");
    assert_parse_fails(APP("{components: [{name: k, type: k8s-objects, properties: "
                           "{objects: []}}]}"),
                       "must not be empty");
}

static void raw_renders_its_properties_as_the_workload(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [{name: r, type: raw, properties: {apiVersion: "
                                 "v1, kind: Namespace, metadata: {name: team-a}}}]}"));
    json_t *ns = ct_find(m, "Namespace", "team-a");
    assert_non_null(ns);
    assert_null(ct_get(ns, "metadata.namespace"));
    assert_at(ns, "metadata.labels[\"workload.oam.dev/type\"]", "raw");
    json_decref(m);
    assert_parse_fails(APP("{components: [{name: r, type: raw, properties: {kind: X}}]}"),
                       "properties.apiVersion", "required");
}

static void object_types_name_their_workload_from_the_properties(void **state)
{
    (void)state;
    const char *av = "", *kind = "", *name = "comp";
    json_t *props = ct_yaml("{objects: [{apiVersion: apps/v1, kind: Deployment, metadata: "
                            "{name: d}}]}");
    const component_def *def = component_def_find("k8s-objects");
    assert_int_equal(def->workload_of(props, &av, &kind, &name), 0);
    assert_string_equal(av, "apps/v1");
    assert_string_equal(kind, "Deployment");
    assert_string_equal(name, "d");
    json_decref(props);
    props = ct_yaml("{apiVersion: v1, kind: ConfigMap}");
    name = "comp";
    assert_int_equal(component_def_find("raw")->workload_of(props, &av, &kind, &name), 0);
    assert_string_equal(kind, "ConfigMap");
    assert_string_equal(name, "comp");
    json_decref(props);
    assert_string_equal(component_def_find("daemon")->workload_kind, "DaemonSet");
    assert_string_equal(component_def_find("statefulset")->workload_kind, "StatefulSet");
    assert_string_equal(component_def_find("cron-task")->workload_kind, "CronJob");
}

static void new_definitions_describe_every_property(void **state)
{
    (void)state;
    static const char *const types[] = {"cron-task", "daemon", "k8s-objects", "raw", "statefulset"};
    for (size_t i = 0; i < ARRAY_LEN(types); i++) {
        const component_def *def = component_def_find(types[i]);
        assert_non_null(def->description);
        for (const prop_spec *f = def->props; f->name; f++)
            if (!f->description)
                fail_msg("%s: property \"%s\" has no description", types[i], f->name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(daemon_health_needs_desired_ready_updated_current_equal_and_generation),
        cmocka_unit_test(statefulset_health_is_replicas_against_spec_unless_disabled),
        cmocka_unit_test(types_without_health_policy_are_healthy_once_their_workload_exists),
        cmocka_unit_test(cron_task_renders_a_cron_job_with_kubevela_defaults),
        cmocka_unit_test(cron_task_schedule_is_required_and_must_have_five_fields),
        cmocka_unit_test(daemon_and_statefulset_expose_ports_in_a_service),
        cmocka_unit_test(k8s_objects_first_is_the_workload_the_rest_are_outputs),
        cmocka_unit_test(k8s_objects_need_api_version_kind_and_names_after_the_first),
        cmocka_unit_test(raw_renders_its_properties_as_the_workload),
        cmocka_unit_test(object_types_name_their_workload_from_the_properties),
        cmocka_unit_test(new_definitions_describe_every_property),
    };
    return cmocka_run_group_tests(tests, NULL, ct_teardown_registry);
}

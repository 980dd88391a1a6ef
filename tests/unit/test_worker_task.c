/* The worker's tasks and events (worker/task.c): parsing tasks of docs/pipeline.md, judging
 * live objects with the definitions, and the events' fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/jpool.h"
#include "../../worker/task.c"

#define TASK_HEAD                                                                             \
    "{\"schemaVersion\":1,\"taskId\":\"u1:2:deploy:c1:ns1:1\","                               \
    "\"app\":{\"name\":\"app\",\"namespace\":\"default\",\"uid\":\"u1\",\"revision\":2},"      \
    "\"step\":\"deploy\",\"stepId\":\"s1\",\"attempt\":1,\"cluster\":\"c1\",\"namespace\":\"ns1\","

static const char deploy_task[] =
    TASK_HEAD "\"kind\":\"deploy\",\"deadline\":\"2026-11-26T02:10:00Z\","
    "\"components\":[{\"name\":\"web\",\"type\":\"webservice\","
    "\"workload\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"},"
    "\"traits\":[{\"type\":\"scaler\",\"properties\":{\"replicas\":3}},"
    "{\"type\":\"gateway\",\"properties\":{\"domain\":\"a.example.com\",\"http\":{\"/\":80}},"
    "\"object\":{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\",\"name\":\"web\"}}]}],"
    "\"manifests\":["
    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"ns1\"}},"
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"}},"
    "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\","
    "\"metadata\":{\"name\":\"web\",\"namespace\":\"other\"}}]}";

static json_t *jparse(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (!j)
        fail_msg("bad JSON in test: %s", e.text);
    return j;
}

static void parse_deploy_task(void **state)
{
    (void)state;
    task t;
    char err[256] = "";
    assert_int_equal(task_parse(deploy_task, strlen(deploy_task), &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, TASK_DEPLOY);
    assert_string_equal(t.key, "default/app");
    assert_string_equal(t.cluster, "c1");
    assert_int_equal(t.deadline_ms, clock_parse_rfc3339("2026-11-26T02:10:00Z"));
    assert_int_equal(t.ncomps, 1);
    assert_string_equal(t.comps[0].workload.namespace, "ns1");
    assert_int_equal(t.comps[0].ntraits, 2);
    assert_false(t.comps[0].traits[0].has_object);
    assert_true(t.comps[0].traits[1].has_object);
    /* resources: the manifests in order; namespaced kinds default to the task's namespace,
     * cluster-scoped ones have none */
    char *res = vela_json_dumps(t.resources, JSON_COMPACT);
    assert_string_equal(res,
                        "[{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"name\":\"ns1\"},"
                        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"namespace\":"
                        "\"ns1\",\"name\":\"web\"},{\"apiVersion\":\"networking.k8s.io/v1\","
                        "\"kind\":\"Ingress\",\"namespace\":\"other\",\"name\":\"web\"}]");
    free(res);
    task_release(&t);
}

static void parse_delete_task(void **state)
{
    (void)state;
    static const char msg[] =
        TASK_HEAD "\"kind\":\"delete\",\"resources\":[{\"apiVersion\":\"apps/v1\","
        "\"kind\":\"Deployment\",\"namespace\":\"default\",\"name\":\"x\"},"
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"name\":\"x\"}]}";
    task t;
    char err[256] = "";
    assert_int_equal(task_parse(msg, strlen(msg), &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, TASK_DELETE);
    assert_int_equal(json_array_size(t.resources), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(t.resources, 1),
                                                          "namespace")),
                        "ns1");
    task_release(&t);
}

/* Table of malformed tasks: each fails with a message naming the field; the key is known
 * whenever the app is, so that the failure can be reported. */
static void malformed_tasks_name_the_field(void **state)
{
    (void)state;
    static const struct {
        const char *msg;
        const char *want;
        const char *key;
    } cases[] = {
        {"{", "not valid JSON", ""},
        {"[]", "expected a JSON object", ""},
        {"{\"schemaVersion\":1,\"kind\":\"deploy\"}", "app.name and app.namespace", ""},
        {TASK_HEAD "\"kind\":\"deploy\"}", "manifests: expected an array", "default/app"},
        {TASK_HEAD "\"kind\":\"explode\"}", "kind: expected", "default/app"},
        {TASK_HEAD "\"kind\":\"delete\"}", "resources: expected an array", "default/app"},
        {TASK_HEAD "\"kind\":\"delete\",\"resources\":[{\"kind\":\"Service\"}]}",
         "resources[0]: apiVersion, kind and name are required", "default/app"},
        {TASK_HEAD "\"kind\":\"deploy\",\"deadline\":\"tomorrow\",\"manifests\":[]}",
         "deadline: \"tomorrow\" is not an RFC 3339 time", "default/app"},
        {TASK_HEAD "\"kind\":\"deploy\",\"manifests\":[{\"kind\":\"Service\"}]}",
         "manifests[0]: apiVersion, kind and metadata.name are required", "default/app"},
        {TASK_HEAD "\"kind\":\"deploy\",\"manifests\":[],\"components\":[{\"name\":\"w\","
                   "\"type\":\"worker\"}]}",
         "components[0].workload: expected an object", "default/app"},
        {"{\"schemaVersion\":2,\"app\":{\"name\":\"a\",\"namespace\":\"n\"}}",
         "schemaVersion: expected 1", "n/a"},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        task t;
        char err[256] = "";
        int rc = task_parse(cases[i].msg, strlen(cases[i].msg), &t, err, sizeof(err));
        if (rc != -1 || !strstr(err, cases[i].want) || strcmp(t.key, cases[i].key) != 0) {
            fprintf(stderr, "case %zu: rc %d err \"%s\" key \"%s\"\n", i, rc, err, t.key);
            failures++;
        }
        task_release(&t);
    }
    assert_int_equal(failures, 0);
}

static void rfc3339_times(void **state)
{
    (void)state;
    assert_int_equal(clock_parse_rfc3339("1970-01-01T00:00:01Z"), 1000);
    assert_int_equal(clock_parse_rfc3339("1970-01-01T00:00:01.25Z"), 1250);
    assert_int_equal(clock_parse_rfc3339("1970-01-01T01:00:00+01:00"), 0);
    assert_int_equal(clock_parse_rfc3339("1970-01-01T00:00:00-00:30"), 1800000);
    assert_int_equal(clock_parse_rfc3339("1970-01-01 00:00:00Z"), -1);
    assert_int_equal(clock_parse_rfc3339("1970-01-01T00:00:00"), -1);
    char buf[40];
    clock_rfc3339(1250, 1, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01T00:00:01.250Z");
}

static void judge_reports_ready_counts_and_the_gateway(void **state)
{
    (void)state;
    task t;
    char err[256], summary[512];
    bool healthy;
    assert_int_equal(task_parse(deploy_task, strlen(deploy_task), &t, err, sizeof(err)), 0);

    /* Nothing read yet: not found. */
    json_t *s = task_judge(&t, &healthy, summary, sizeof(summary));
    assert_false(healthy);
    assert_non_null(strstr(summary, "web/gateway: Ingress not found"));
    json_decref(s);

    t.comps[0].live = jparse("{\"metadata\":{\"generation\":1},\"spec\":{\"replicas\":3},"
                             "\"status\":{\"observedGeneration\":1,\"replicas\":3,"
                             "\"updatedReplicas\":3,\"readyReplicas\":1}}");
    t.comps[0].traits[1].live = jparse("{\"status\":{}}");
    s = task_judge(&t, &healthy, summary, sizeof(summary));
    assert_false(healthy);
    assert_string_equal(summary, "web: Ready:1/3");
    char *js = vela_json_dumps(s, JSON_COMPACT);
    assert_string_equal(js, "[{\"name\":\"web\",\"type\":\"webservice\",\"healthy\":false,"
                            "\"message\":\"Ready:1/3\",\"traits\":[{\"type\":\"scaler\","
                            "\"healthy\":true,\"message\":\"\"},{\"type\":\"gateway\","
                            "\"healthy\":true,\"message\":\"Visiting URL: a.example.com\"}]}]");
    free(js);
    json_decref(s);

    json_decref(t.comps[0].live);
    t.comps[0].live = jparse("{\"metadata\":{\"generation\":2},\"spec\":{\"replicas\":3},"
                             "\"status\":{\"observedGeneration\":2,\"replicas\":3,"
                             "\"updatedReplicas\":3,\"readyReplicas\":3}}");
    json_decref(t.comps[0].traits[1].live);
    t.comps[0].traits[1].live =
        jparse("{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"10.0.0.7\"}]}}}");
    s = task_judge(&t, &healthy, summary, sizeof(summary));
    assert_true(healthy);
    assert_string_equal(summary, "");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(json_array_get(s, 0), "traits"), 1),
                            "message")),
                        "Visiting URL: a.example.com, IP: 10.0.0.7");

    /* The event around it. */
    json_t *ev = event_new(&t, "healthy", true, "", s, "w1", 1000);
    assert_string_equal(json_string_value(json_object_get(ev, "phase")), "healthy");
    assert_true(json_is_true(json_object_get(ev, "final")));
    assert_string_equal(json_string_value(json_object_get(ev, "taskId")), "u1:2:deploy:c1:ns1:1");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ev, "app"), "revision")),
                     2);
    assert_string_equal(json_string_value(json_object_get(ev, "stepId")), "s1");
    assert_string_equal(json_string_value(json_object_get(ev, "at")), "1970-01-01T00:00:01.000Z");
    assert_int_equal(json_array_size(json_object_get(ev, "resources")), 3);
    assert_string_equal(json_string_value(json_object_get(ev, "worker")), "w1");
    json_decref(ev);
    task_release(&t);
}

static void judge_unknown_types_and_jobs(void **state)
{
    (void)state;
    static const char msg[] =
        TASK_HEAD "\"kind\":\"deploy\",\"manifests\":[],\"components\":["
        "{\"name\":\"j\",\"type\":\"task\",\"workload\":{\"apiVersion\":\"batch/v1\","
        "\"kind\":\"Job\",\"name\":\"j\"}},"
        "{\"name\":\"x\",\"type\":\"gizmo\",\"workload\":{\"apiVersion\":\"v1\","
        "\"kind\":\"ConfigMap\",\"name\":\"x\"}}]}";
    task t;
    char err[256], summary[512];
    bool healthy;
    assert_int_equal(task_parse(msg, strlen(msg), &t, err, sizeof(err)), 0);
    t.comps[0].live = jparse("{\"spec\":{\"completions\":2},\"status\":{\"succeeded\":2}}");
    t.comps[1].live = jparse("{}");
    json_t *s = task_judge(&t, &healthy, summary, sizeof(summary));
    assert_false(healthy);
    assert_string_equal(summary, "x: unknown component type \"gizmo\"");
    assert_string_equal(json_string_value(json_object_get(json_array_get(s, 0), "message")),
                        "Succeeded:2/2");
    json_decref(s);
    task_release(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_deploy_task),
        cmocka_unit_test(parse_delete_task),
        cmocka_unit_test(malformed_tasks_name_the_field),
        cmocka_unit_test(rfc3339_times),
        cmocka_unit_test(judge_reports_ready_counts_and_the_gateway),
        cmocka_unit_test(judge_unknown_types_and_jobs),
    };
    return cmocka_run_group_tests_name("worker tasks", tests, NULL, NULL);
}

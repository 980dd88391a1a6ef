/* The worker's tasks and events (worker/task.c): its view of a task read through
 * msg_task_decode, which invalid tasks can still be reported, judging live objects with the
 * definitions, and events built with msg_event_encode (they decode again). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/jpool.h"
#include "../../worker/task.c"

#define TASK_HEAD                                                                                  \
    "{\"schemaVersion\":1,\"taskId\":\"u1:2:deploy:c1:ns1:1\","                                    \
    "\"app\":{\"name\":\"app\",\"namespace\":\"default\",\"uid\":\"u1\",\"revision\":2},"          \
    "\"step\":\"deploy\",\"stepId\":\"s1\",\"attempt\":1,\"cluster\":\"c1\","                      \
    "\"namespace\":\"ns1\",\"createdAt\":\"2026-11-26T02:00:00Z\","

static const char deploy_task[] = TASK_HEAD
    "\"kind\":\"deploy\",\"deadline\":\"2026-11-26T02:10:00Z\","
    "\"components\":[{\"name\":\"web\",\"type\":\"webservice\","
    "\"workload\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"},"
    "\"traits\":[{\"type\":\"scaler\",\"properties\":{\"replicas\":3}},"
    "{\"type\":\"gateway\",\"properties\":{\"domain\":\"a.example.com\",\"http\":{\"/\":80}},"
    "\"object\":{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\","
    "\"name\":\"web\"}}]}],"
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

/* "ns/name" or "-/name" for a cluster-scoped object */
static void expect_obj(const task_obj *o, const char *kind, const char *ns, const char *name)
{
    assert_string_equal(o->kind, kind);
    if (ns)
        assert_string_equal(o->namespace, ns);
    else
        assert_null(o->namespace);
    assert_string_equal(o->name, name);
}

static void parse_deploy_task(void **state)
{
    (void)state;
    task t;
    char err[256] = "";
    assert_int_equal(task_parse(deploy_task, strlen(deploy_task), &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, MSG_KIND_DEPLOY);
    assert_string_equal(t.key, "default/app");
    assert_string_equal(t.cluster, "c1");
    assert_int_equal(t.deadline_ms, clock_parse_rfc3339("2026-11-26T02:10:00Z"));
    assert_int_equal(t.ncomps, 1);
    assert_string_equal(t.comps[0].workload.namespace, "ns1");
    assert_int_equal(t.comps[0].ntraits, 2);
    assert_false(t.comps[0].traits[0].has_object);
    assert_true(t.comps[0].traits[1].has_object);
    expect_obj(&t.comps[0].traits[1].object, "Ingress", "ns1", "web");
    /* resources: the manifests in order; namespaced kinds default to the task's namespace,
     * cluster-scoped ones have none */
    assert_int_equal(t.nresources, 3);
    expect_obj(&t.resources[0], "Namespace", NULL, "ns1");
    expect_obj(&t.resources[1], "Deployment", "ns1", "web");
    expect_obj(&t.resources[2], "Ingress", "other", "web");
    task_release(&t);
}

static void parse_delete_task(void **state)
{
    (void)state;
    static const char msg[] = TASK_HEAD
        "\"kind\":\"delete\",\"resources\":[{\"apiVersion\":\"apps/v1\","
        "\"kind\":\"Deployment\",\"namespace\":\"default\",\"name\":\"x\"},"
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"name\":\"x\"}]}";
    task t;
    char err[256] = "";
    assert_int_equal(task_parse(msg, strlen(msg), &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, MSG_KIND_DELETE);
    assert_int_equal(t.nresources, 2);
    expect_obj(&t.resources[0], "Deployment", "default", "x");
    expect_obj(&t.resources[1], "Service", "ns1", "x");
    task_release(&t);
}

/* Table of malformed tasks: each fails with a message naming the field; a task whose
 * identity was read is reportable (its Application hears why), one without is not. */
static void malformed_tasks_name_the_field(void **state)
{
    (void)state;
    static const struct {
        const char *msg;
        const char *want;
        bool reportable;
    } cases[] = {
        {"{", "not valid JSON", false},
        {"[]", "expected a JSON object, got an array", false},
        {"{\"schemaVersion\":1,\"kind\":\"deploy\"}", "taskId: missing (required string)", false},
        {"{\"schemaVersion\":1,\"kind\":\"deploy\",\"taskId\":\"bad-1\",\"cluster\":\"c1\","
         "\"namespace\":\"default\",\"app\":{\"name\":\"a\",\"namespace\":\"n\"}}",
         "app.uid: missing (required string)", false},
        {TASK_HEAD "\"kind\":\"deploy\",\"components\":[]}", "manifests: missing (required array)",
         true},
        {TASK_HEAD "\"kind\":\"explode\"}", "kind: \"explode\" is not one of deploy, delete",
         false},
        {TASK_HEAD "\"kind\":\"delete\"}", "resources: missing (required array)", true},
        {TASK_HEAD "\"kind\":\"delete\",\"resources\":[{\"kind\":\"Service\"}]}",
         "resources[0].apiVersion: missing (required string)", true},
        {TASK_HEAD "\"kind\":\"deploy\",\"deadline\":\"tomorrow\",\"manifests\":[]}",
         "deadline: not an RFC 3339 time", true},
        {TASK_HEAD "\"kind\":\"deploy\",\"components\":[],\"manifests\":[{\"kind\":\"Service\"}]}",
         "manifests[0].apiVersion: missing (required string)", true},
        {TASK_HEAD "\"kind\":\"deploy\",\"manifests\":[],\"components\":[{\"name\":\"w\","
                   "\"type\":\"worker\",\"traits\":[]}]}",
         "components[0].workload: missing (required object)", true},
        /* the schema lets a workload's apiVersion be ""; the worker cannot GET it */
        {TASK_HEAD "\"kind\":\"deploy\",\"manifests\":[],\"components\":[{\"name\":\"w\","
                   "\"type\":\"worker\",\"traits\":[],\"workload\":{\"apiVersion\":\"\","
                   "\"kind\":\"\",\"name\":\"w\"}}]}",
         "components[0].workload: apiVersion and kind are required to judge health", true},
        {"{\"schemaVersion\":2,\"app\":{\"name\":\"a\",\"namespace\":\"n\"}}",
         "schemaVersion: expected 1, got 2", false},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        task t;
        char err[256] = "";
        int rc = task_parse(cases[i].msg, strlen(cases[i].msg), &t, err, sizeof(err));
        if (rc != -1 || !strstr(err, cases[i].want) || task_reportable(&t) != cases[i].reportable ||
            (cases[i].reportable && strcmp(t.key, "default/app") != 0)) {
            fprintf(stderr, "case %zu: rc %d err \"%s\" reportable %d key \"%s\"\n", i, rc, err,
                    task_reportable(&t), t.key);
            failures++;
        }
        task_release(&t);
    }
    assert_int_equal(failures, 0);
}

/* The failed event of a task that did not decode carries the identity read, passes the
 * event decoder, and names the reason. */
static void an_invalid_task_still_makes_a_valid_failed_event(void **state)
{
    (void)state;
    static const char msg[] = TASK_HEAD "\"kind\":\"deploy\",\"components\":[]}";
    task t;
    char err[256] = "", eerr[256] = "";
    assert_int_equal(task_parse(msg, strlen(msg), &t, err, sizeof(err)), -1);
    assert_true(task_reportable(&t));
    char reason[300];
    snprintf(reason, sizeof(reason), "invalid task: %s", err);
    char *json = task_event(&t, MSG_PHASE_FAILED, true, reason, false, "w1", 1000, eerr,
                            sizeof(eerr));
    assert_non_null(json);
    assert_string_equal(eerr, "");
    msg_event ev;
    assert_int_equal(msg_event_decode(json, strlen(json), &ev, eerr, sizeof(eerr)), 0);
    assert_string_equal(ev.id.task_id, "u1:2:deploy:c1:ns1:1");
    assert_int_equal(ev.phase, MSG_PHASE_FAILED);
    assert_true(ev.final);
    assert_string_equal(ev.message, "invalid task: manifests: missing (required array)");
    assert_int_equal(ev.nresources, 0);
    msg_event_release(&ev);
    free(json);
    task_release(&t);
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

/* The event's JSON as a tree (new reference). */
static json_t *event_of(task *t, msg_event_phase phase, bool final, bool with_services)
{
    char err[256] = "";
    char *s = task_event(t, phase, final, "", with_services, "w1", 1000, err, sizeof(err));
    assert_non_null(s);
    assert_string_equal(err, "");
    json_t *j = jparse(s);
    free(s);
    return j;
}

static void judge_reports_ready_counts_and_the_gateway(void **state)
{
    (void)state;
    task t;
    char err[256], summary[512];
    bool healthy;
    assert_int_equal(task_parse(deploy_task, strlen(deploy_task), &t, err, sizeof(err)), 0);

    /* Nothing read yet: not found; the first judgement is always a change. */
    assert_true(task_judge(&t, &healthy, summary, sizeof(summary)));
    assert_false(healthy);
    assert_non_null(strstr(summary, "web/gateway: Ingress not found"));
    assert_false(task_judge(&t, &healthy, summary, sizeof(summary)));

    t.comps[0].live = jparse("{\"metadata\":{\"generation\":1},\"spec\":{\"replicas\":3},"
                             "\"status\":{\"observedGeneration\":1,\"replicas\":3,"
                             "\"updatedReplicas\":3,\"readyReplicas\":1}}");
    t.comps[0].traits[1].live = jparse(
        "{\"metadata\":{\"labels\":{\"app.oam.dev/name\":\"app1\"}},"
        "\"spec\":{\"rules\":[{\"host\":\"a.example.com\"}]},\"status\":{}}");
    assert_true(task_judge(&t, &healthy, summary, sizeof(summary)));
    assert_false(healthy);
    assert_string_equal(summary, "web: Ready:1/3");
    json_t *ev = event_of(&t, MSG_PHASE_PROGRESSING, false, true);
    char *js = vela_json_dumps(json_object_get(ev, "services"), JSON_COMPACT);
    assert_string_equal(js, "[{\"name\":\"web\",\"type\":\"webservice\",\"healthy\":false,"
                            "\"message\":\"Ready:1/3\",\"traits\":[{\"type\":\"scaler\","
                            "\"healthy\":true,\"message\":\"\"},{\"type\":\"gateway\","
                            "\"healthy\":true,\"message\":\"No loadBalancer found, visiting by "
                            "using 'vela port-forward app1'\"}]}]");
    free(js);
    json_decref(ev);

    json_decref(t.comps[0].live);
    t.comps[0].live = jparse("{\"metadata\":{\"generation\":2},\"spec\":{\"replicas\":3},"
                             "\"status\":{\"observedGeneration\":2,\"replicas\":3,"
                             "\"updatedReplicas\":3,\"readyReplicas\":3}}");
    json_decref(t.comps[0].traits[1].live);
    t.comps[0].traits[1].live = jparse(
        "{\"spec\":{\"rules\":[{\"host\":\"a.example.com\"}]},"
        "\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"10.0.0.7\"}]}}}");
    assert_true(task_judge(&t, &healthy, summary, sizeof(summary)));
    assert_true(healthy);
    assert_string_equal(summary, "");

    /* The event around it. */
    ev = event_of(&t, MSG_PHASE_HEALTHY, true, true);
    json_t *s = json_object_get(ev, "services");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(json_array_get(s, 0), "traits"), 1),
                            "message")),
                        "Visiting URL: a.example.com, IP: 10.0.0.7");
    assert_string_equal(json_string_value(json_object_get(ev, "phase")), "healthy");
    assert_true(json_is_true(json_object_get(ev, "final")));
    assert_string_equal(json_string_value(json_object_get(ev, "taskId")), "u1:2:deploy:c1:ns1:1");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ev, "app"), "revision")),
                     2);
    assert_string_equal(json_string_value(json_object_get(ev, "stepId")), "s1");
    assert_int_equal(json_integer_value(json_object_get(ev, "attempt")), 1);
    assert_string_equal(json_string_value(json_object_get(ev, "at")), "1970-01-01T00:00:01.000Z");
    assert_int_equal(json_array_size(json_object_get(ev, "resources")), 3);
    assert_string_equal(json_string_value(json_object_get(ev, "worker")), "w1");
    json_decref(ev);

    /* without services: [] as before */
    ev = event_of(&t, MSG_PHASE_APPLYING, false, false);
    assert_int_equal(json_array_size(json_object_get(ev, "services")), 0);
    json_decref(ev);
    task_release(&t);
}

static void judge_unknown_types_and_jobs(void **state)
{
    (void)state;
    static const char msg[] = TASK_HEAD
        "\"kind\":\"deploy\",\"manifests\":[],\"components\":["
        "{\"name\":\"j\",\"type\":\"task\",\"traits\":[],\"workload\":{\"apiVersion\":"
        "\"batch/v1\",\"kind\":\"Job\",\"name\":\"j\"}},"
        "{\"name\":\"x\",\"type\":\"gizmo\",\"traits\":[],\"workload\":{\"apiVersion\":\"v1\","
        "\"kind\":\"ConfigMap\",\"name\":\"x\"}}]}";
    task t;
    char err[256], summary[512];
    bool healthy;
    assert_int_equal(task_parse(msg, strlen(msg), &t, err, sizeof(err)), 0);
    t.comps[0].live = jparse(
        "{\"spec\":{\"completions\":2,\"parallelism\":2},\"status\":{\"succeeded\":2}}");
    t.comps[1].live = jparse("{}");
    task_judge(&t, &healthy, summary, sizeof(summary));
    assert_false(healthy);
    assert_string_equal(summary, "x: unknown component type \"gizmo\"");
    assert_string_equal(t.comps[0].h.msg, "Active/Failed/Succeeded:0/0/2");
    task_release(&t);
}

/* A message that is not UTF-8 (an API's answer in another encoding, a cut text) cannot be
 * encoded; the event still goes out, saying so. */
static void an_event_that_cannot_be_encoded_goes_out_with_a_note(void **state)
{
    (void)state;
    task t;
    char err[256] = "";
    assert_int_equal(task_parse(deploy_task, strlen(deploy_task), &t, err, sizeof(err)), 0);
    char *s = task_event(&t, MSG_PHASE_FAILED, true, "caf\xc3", false, "w1", 1000, err,
                         sizeof(err));
    assert_non_null(s);
    assert_string_equal(err, "message: not valid UTF-8");
    json_t *ev = jparse(s);
    assert_string_equal(json_string_value(json_object_get(ev, "message")),
                        "(the event could not be encoded: message: not valid UTF-8)");
    json_decref(ev);
    free(s);
    task_release(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_deploy_task),
        cmocka_unit_test(parse_delete_task),
        cmocka_unit_test(malformed_tasks_name_the_field),
        cmocka_unit_test(an_invalid_task_still_makes_a_valid_failed_event),
        cmocka_unit_test(rfc3339_times),
        cmocka_unit_test(judge_reports_ready_counts_and_the_gateway),
        cmocka_unit_test(judge_unknown_types_and_jobs),
        cmocka_unit_test(an_event_that_cannot_be_encoded_goes_out_with_a_note),
    };
    return cmocka_run_group_tests_name("worker tasks", tests, NULL, NULL);
}

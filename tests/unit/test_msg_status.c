/* The typed Kafka message codecs of common/msg: vela.app-status records, vela.applications
 * records and cluster records. Records exactly as the scheduler and `vela up` write them
 * (tests/records/, captured from a pipeline run, and every record the engine sends in a few
 * scenarios) decode and re-encode byte for byte; bad records of every kind (the corpus in
 * tests/bad-records/<topic>/, and generated ones too big to commit) are refused with an
 * error naming the field, and never crash. */
#include "coretest.h"
#include "enginetest.h"
#include "msgtest.h"

#include "base/jpool.h"
#include "base/strbuf.h"
#include "engine.h"
#include "msg/app_record.h"
#include "msg/app_status.h"
#include "msg/cluster_record.h"
#include "msg/field.h"

/* A test file's bytes without the line end at its end (malloc'd). */
static char *slurp(const char *path, size_t *len)
{
    char *buf = msgtest_slurp(path, len);
    msgtest_trim(buf, len);
    return buf;
}

/* Decodes a status record and encodes it again; 0 when the encoding has every member of the
 * input with the same value and no other (jansson compares objects whatever their members'
 * order: the scheduler copies services from workers' events in the events' order), else -1
 * with why. */
static int status_round_trip(const char *buf, size_t len, char *why, size_t whylen)
{
    msg_app_status st;
    char err[1024];
    int rc = -1;
    if (msg_app_status_decode(buf, len, &st, err, sizeof(err)) < 0) {
        snprintf(why, whylen, "refused: %s", err);
        msg_app_status_release(&st);
        return -1;
    }
    json_t *in = json_loadb(buf, len, 0, NULL);
    json_t *j = msg_app_status_encode(&st);
    char *out = j ? vela_json_dumps(j, JSON_COMPACT) : NULL;
    if (!out)
        snprintf(why, whylen, "not encoded");
    else if (!json_equal(in, j))
        snprintf(why, whylen, "differs:\n  in:  %.*s\n  out: %s", (int)len, buf, out);
    else
        rc = 0;
    free(out);
    json_decref(j);
    json_decref(in);
    msg_app_status_release(&st);
    return rc;
}

/* ---- status records as the scheduler writes them ---- */

/* "app-status - records captured from a pipeline run decode and re-encode byte for byte" */
static void status_captured_records_round_trip(void **state)
{
    (void)state;
    char dir[512], *names[64], why[16384];
    snprintf(dir, sizeof(dir), "%s/tests/records/app-status", VELA_SOURCE_DIR);
    size_t n = msgtest_list(dir, names, 64);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        size_t len;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        char *buf = slurp(path, &len);
        if (status_round_trip(buf, len, why, sizeof(why)) < 0) {
            print_error("%s: %s\n", names[i], why);
            failures++;
        }
        free(buf);
        free(names[i]);
    }
    assert_true(n >= 3);
    assert_int_equal(failures, 0);
}

/* "app-status - the decoded record is typed: phases are enums, counts integers" */
static void status_decoded_fields_are_typed(void **state)
{
    (void)state;
    char path[512], err[1024];
    size_t len;
    msg_app_status st;
    snprintf(path, sizeof(path), "%s/tests/records/app-status/%s", VELA_SOURCE_DIR,
             "running-with-garbage-collection.json");
    char *buf = slurp(path, &len);
    assert_int_equal(msg_app_status_decode(buf, len, &st, err, sizeof(err)), 0);
    assert_string_equal(st.name, "example-app");
    assert_string_equal(st.ns, "default");
    assert_int_equal(st.phase, MSG_APP_PHASE_RUNNING);
    assert_int_equal(st.revision, 6);
    assert_int_equal(st.mode, MSG_WORKFLOW_MODE_DAG);
    assert_true(st.finished);
    assert_int_equal(st.nsteps, 1);
    assert_int_equal(st.steps[0].phase, MSG_STEP_PHASE_SUCCEEDED);
    assert_int_equal(st.steps[0].nplacements, 2);
    assert_int_equal(st.steps[0].placements[0].state, MSG_PLACEMENT_HEALTHY);
    assert_int_equal(st.nservices, 2);
    assert_true(st.services[0].has_traits);
    int deleting = 0;
    for (size_t i = 0; i < st.ninventory; i++)
        deleting += st.inventory[i].deleting && st.inventory[i].ndelete_resources > 0 &&
                    st.inventory[i].delete_task_id && st.inventory[i].has_delete_attempt;
    assert_true(deleting > 0);
    msg_app_status_release(&st);
    free(buf);
}

/* "app-status - each enum's names parse back to their values, and nothing else does" */
static void status_enum_names_parse_back(void **state)
{
    (void)state;
    for (int p = 0; p < MSG_APP_PHASE_COUNT; p++) {
        msg_app_status_phase back;
        assert_int_equal(msg_app_status_phase_parse(msg_app_status_phase_name(p), &back), 0);
        assert_int_equal(back, p);
    }
    for (int p = 0; p < MSG_STEP_PHASE_COUNT; p++) {
        msg_app_status_step_phase back;
        assert_int_equal(msg_app_status_step_phase_parse(msg_app_status_step_phase_name(p), &back),
                         0);
        assert_int_equal(back, p);
    }
    for (int p = 0; p < MSG_PLACEMENT_STATE_COUNT; p++) {
        msg_app_status_placement_state back;
        const char *name = msg_app_status_placement_state_name(p);
        assert_int_equal(msg_app_status_placement_state_parse(name, &back), 0);
        assert_int_equal(back, p);
    }
    msg_app_status_mode m;
    assert_int_equal(msg_app_status_mode_parse("StepByStep", &m), 0);
    assert_int_equal(m, MSG_WORKFLOW_MODE_STEP_BY_STEP);
    assert_int_equal(msg_app_status_mode_parse("dag", &m), -1);
    assert_int_equal(msg_app_status_phase_parse(NULL, &(msg_app_status_phase){0}), -1);
    assert_string_equal(msg_app_status_phase_name(MSG_APP_PHASE_COUNT), "?");
    assert_string_equal(msg_app_status_step_phase_name(MSG_STEP_PHASE_SUSPENDING), "suspending");
}

/* ---- every record the engine sends ---- */

struct sink {
    json_t *tasks;
    int records, failures;
    json_t *seen; /* application phases, and "resumed", "retryAt", "failures" once seen */
};

static int sink_task(void *ctx, const char *cluster, const char *region, const json_t *task)
{
    struct sink *s = ctx;
    (void)cluster;
    (void)region;
    json_array_append(s->tasks, (json_t *)task);
    return 0;
}

/* Every status the engine publishes goes through the codec, as the scheduler's bytes. */
static int sink_status(void *ctx, const char *key, const json_t *status)
{
    struct sink *s = ctx;
    char why[16384];
    if (!status)
        return 0;
    char *buf = vela_json_dumps(status, JSON_COMPACT);
    s->records++;
    json_object_set_new(s->seen, json_string_value(json_object_get(status, "phase")), json_true());
    if (strstr(buf, "\"resumed\":true"))
        json_object_set_new(s->seen, "resumed", json_true());
    if (strstr(buf, "\"retryAt\":") && strstr(buf, "\"deleteAttempt\":2"))
        json_object_set_new(s->seen, "retryAt", json_true());
    if (strstr(buf, "\"failures\":1"))
        json_object_set_new(s->seen, "failures", json_true());
    if (status_round_trip(buf, strlen(buf), why, sizeof(why)) < 0) {
        print_error("%s: %s\n", key, why);
        s->failures++;
    }
    free(buf);
    return 0;
}

/* Answers every task sent since *from with phase and ticks. */
static void reply_all(engine *e, struct sink *s, size_t *from, const char *phase, int64_t *now)
{
    size_t n = json_array_size(s->tasks);
    for (; *from < n; (*from)++)
        et_reply(e, json_array_get(s->tasks, *from), phase,
                 strcmp(phase, "failed") == 0 ? "quota exceeded" : "", "Ready:1/1", *now);
    *now += 2000;
    engine_tick(e, *now);
}

static void submit(engine *e, const char *key, const char *text, int64_t *now)
{
    engine_app_record(e, key, text, strlen(text), *now, NULL, 0);
    *now += 10;
    engine_tick(e, *now);
    *now += 10;
    engine_tick(e, *now);
}

static void submit_example(engine *e, const char *name, int64_t *now)
{
    char *y = et_read_example(name);
    submit(e, "default/example-app", y, now);
    free(y);
}

#define SUSPENDING_APP(ann)                                                                        \
    "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: s" ann "}\n"            \
    "spec:\n  components: [{name: web, type: webservice, properties: {image: nginx}}]\n"           \
    "  policies: [{name: bj, type: topology, properties: {clusters: [beijing-1]}}]\n"              \
    "  workflow:\n    steps:\n      - {name: hold, type: suspend}\n"                               \
    "      - {name: go, type: deploy, properties: {policies: [bj]}}\n"

#define GC_APP(component)                                                                          \
    "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: gc}\n"                  \
    "spec:\n  components: [{name: " component ", type: webservice, properties: {image: x}}]\n"     \
    "  policies: [{name: bj, type: topology, properties: {clusters: [beijing-1]}}]\n"

/* "app-status - every record the engine publishes, through revisions, failures, garbage
 * collection, suspension, an invalid spec and deletion, survives decode and encode" */
static void status_every_engine_record_round_trips(void **state)
{
    (void)state;
    struct sink s = {json_array(), 0, 0, json_object()};
    engine_opts o;
    engine_opts_init(&o);
    o.max_attempts = 2;
    o.backoff_ms = 1000;
    o.status_min_ms = 0;
    engine_io io = {sink_task, sink_status, &s};
    engine *e = engine_new(&io, &o);
    json_t *aws = json_pack("{s:s}", "provider", "AWS");
    int64_t now = 1764000000000LL;
    size_t from = 0;
    et_seed_clusters(e, aws, now);

    submit_example(e, "basic.yaml", &now);
    reply_all(e, &s, &from, "healthy", &now);
    submit_example(e, "intermediate.yaml", &now); /* a new revision: garbage collection */
    reply_all(e, &s, &from, "healthy", &now);
    submit(e, "default/gc", GC_APP("web1"), &now);
    reply_all(e, &s, &from, "healthy", &now);
    submit(e, "default/gc", GC_APP("web2"), &now); /* web1's objects are garbage */
    reply_all(e, &s, &from, "healthy", &now);
    reply_all(e, &s, &from, "failed", &now); /* the delete task fails: retryAt, message */
    now += 5000;
    engine_tick(e, now);
    reply_all(e, &s, &from, "deleted", &now);
    submit_example(e, "advanced.yaml", &now);
    reply_all(e, &s, &from, "failed", &now); /* placements fail, are retried, terminate */
    for (int i = 0; i < 4; i++) {
        now += 70000;
        engine_tick(e, now);
        reply_all(e, &s, &from, "failed", &now);
    }
    submit(e, "default/s", SUSPENDING_APP(""), &now);
    submit(e, "default/s", SUSPENDING_APP(", annotations: {app.oam.dev/resume: '1'}"), &now);
    reply_all(e, &s, &from, "healthy", &now);
    submit(e, "default/bad", "apiVersion: v1\nkind: Nope\n", &now); /* rendering */
    static const char force[] = "{\"schemaVersion\":1,\"deletion\":{\"force\":true}}";
    engine_app_record(e, "default/example-app", force, strlen(force), now, NULL, 0);
    engine_app_record(e, "default/example-app", NULL, 0, now, NULL, 0);
    now += 10;
    engine_tick(e, now);
    reply_all(e, &s, &from, "deleted", &now);

    char *seen = vela_json_dumps(s.seen, JSON_COMPACT);
    print_message("%d status records from the engine, %d failed; seen: %s\n", s.records, s.failures,
                  seen);
    free(seen);
    static const char *const want[] = {"runningWorkflow", "running",
                                       "workflowFailed",  "workflowSuspending",
                                       "rendering",       "deleting",
                                       "resumed",         "retryAt",
                                       "failures"};
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        if (!json_object_get(s.seen, want[i]))
            fail_msg("no record with %s", want[i]);
    json_decref(s.seen);
    engine_free(e);
    json_decref(s.tasks);
    json_decref(aws);
    assert_true(s.records >= 12);
    assert_int_equal(s.failures, 0);
}

/* ---- refusals ---- */

/* The captured record with the largest variety, parsed; the caller frees it. */
static json_t *full_record(void)
{
    char path[512];
    size_t len;
    json_error_t je;
    snprintf(path, sizeof(path), "%s/tests/records/app-status/%s", VELA_SOURCE_DIR,
             "running-with-garbage-collection.json");
    char *buf = slurp(path, &len);
    json_t *j = json_loadb(buf, len, 0, &je);
    free(buf);
    assert_non_null(j);
    /* a trait with a message and a resumed step, so that every member has a case */
    json_t *step = json_array_get(json_object_get(json_object_get(j, "workflow"), "steps"), 0);
    json_object_set_new(step, "resumed", json_true());
    return j;
}

/* Decodes the full record with the field at path replaced by value (JSON text; NULL:
 * removed). 0 when it is accepted, -1 with err when refused. */
static int decode_edited(const char *path, const char *value, char *err, size_t errlen)
{
    json_t *full = full_record();
    char *record = vela_json_dumps(full, JSON_COMPACT);
    json_t *v = value ? json_loads(value, JSON_DECODE_ANY, NULL) : NULL;
    if (value && !v)
        fail_msg("%s: the test's value %s is not JSON", path, value);
    char *buf = msgtest_edit(record, path, v);
    msg_app_status st;
    int rc = msg_app_status_decode(buf, strlen(buf), &st, err, errlen);
    msg_app_status_release(&st);
    free(buf);
    free(record);
    json_decref(full);
    return rc;
}

/* 0 when the edited record is refused with an error containing want; 1 (printed) otherwise. */
static int expect_refused(const char *path, const char *value, const char *want)
{
    char err[1024] = "";
    if (decode_edited(path, value, err, sizeof(err)) == 0) {
        print_error("%s: accepted, expected: %s\n", path, want);
        return 1;
    }
    if (!strstr(err, want)) {
        print_error("%s:\n  want: %s\n  got:  %s\n", path, want, err);
        return 1;
    }
    return 0;
}

/* "app-status - the records that crash today's restore are refused: a step without a name,
 * a placement without a cluster" */
static void status_crash_records_are_refused(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        const char *value; /* NULL: removed */
        const char *want;
    } cases[] = {
        {"workflow.steps[0].name", NULL, "workflow.steps[0].name: missing (required string)"},
        {"workflow.steps[0].name", "null", "workflow.steps[0].name: expected a string, got null"},
        {"workflow.steps[0].name", "7",
         "workflow.steps[0].name: expected a string, got an "
         "integer"},
        {"workflow.steps[0].placements[1].cluster", NULL,
         "workflow.steps[0].placements[1].cluster: missing (required string)"},
        {"workflow.steps[0].placements[0].cluster", "null",
         "workflow.steps[0].placements[0].cluster: expected a string, got null"},
        {"workflow.steps[0].placements[0].namespace", "[]",
         "workflow.steps[0].placements[0].namespace: expected a string, got an array"},
        {"workflow.steps[0].placements[0]", "\"beijing-1\"",
         "workflow.steps[0].placements[0]: expected an object, got a string"},
        {"workflow.steps[0]", "null", "workflow.steps[0]: expected an object, got null"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        failures += expect_refused(cases[i].path, cases[i].value, cases[i].want);
    assert_int_equal(failures, 0);
}

/* "app-status - every required field, when missing, is refused with its path" */
static void status_every_required_field_missing_is_refused(void **state)
{
    (void)state;
    static const char *const required[] = {
        "schemaVersion",
        "name",
        "namespace",
        "revision",
        "phase",
        "workflow",
        "workflow.mode",
        "workflow.finished",
        "workflow.suspend",
        "workflow.terminated",
        "workflow.steps",
        "workflow.steps[0].id",
        "workflow.steps[0].name",
        "workflow.steps[0].type",
        "workflow.steps[0].phase",
        "workflow.steps[0].placements[0].cluster",
        "workflow.steps[0].placements[0].namespace",
        "workflow.steps[0].placements[0].state",
        "services",
        "services[0].name",
        "services[0].cluster",
        "services[0].namespace",
        "services[0].type",
        "services[0].healthy",
        "services[0].message",
        "services[0].traits[0].type",
        "services[0].traits[0].healthy",
        "inventory[0].cluster",
        "inventory[0].namespace",
        "inventory[0].resources",
        "inventory[0].resources[0].apiVersion",
        "inventory[0].resources[0].kind",
        "inventory[0].resources[0].name",
        "inventory[0].deleteResources[0].name",
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(required); i++) {
        char want[600];
        snprintf(want, sizeof(want), "%s: missing (required ", required[i]);
        failures += expect_refused(required[i], NULL, want);
    }
    /* and the optional ones are optional */
    static const char *const optional[] = {
        "uid",
        "generation",
        "specHash",
        "createdAt",
        "updatedAt",
        "message",
        "inventory",
        "workflow.steps[0].message",
        "workflow.steps[0].failures",
        "workflow.steps[0].startedAt",
        "workflow.steps[0].resumed",
        "workflow.steps[0].placements",
        "workflow.steps[0].placements[0].attempt",
        "workflow.steps[0].placements[0].failures",
        "workflow.steps[0].placements[0].message",
        "services[0].traits",
        "services[0].traits[0].message",
        "inventory[0].generation",
        "inventory[0].resources[0].namespace",
        "inventory[0].deleteTaskId",
        "inventory[0].deleteAttempt",
        "inventory[0].deleteResources",
    };
    for (size_t i = 0; i < ARRAY_LEN(optional); i++) {
        char err[1024];
        if (decode_edited(optional[i], NULL, err, sizeof(err)) < 0) {
            print_error("%s removed: refused: %s\n", optional[i], err);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* "app-status - a field of the wrong type, out of range or too long is refused with its
 * path; an unknown phase names the field and the phases there are" */
static void status_wrong_values_are_refused(void **state)
{
    (void)state;
    static char long_name[400];
    memset(long_name, 'a', sizeof(long_name) - 1);
    char long_json[512];
    snprintf(long_json, sizeof(long_json), "\"%s\"", long_name);
    const struct {
        const char *path;
        const char *value;
        const char *want;
    } cases[] = {
        {"schemaVersion", "2",
         "schemaVersion: expected 1, got 2; this program reads only "
         "version 1"},
        {"schemaVersion", "\"1\"", "schemaVersion: expected an integer, got a string"},
        {"schemaVersion", "1.0", "schemaVersion: expected an integer, got a real number"},
        {"name", "\"\"", "name: expected a non-empty string"},
        {"name", long_json, "name: 399 bytes long, more than the limit of 253"},
        {"revision", "-1", "revision: -1 is out of range (0 to 2147483647)"},
        {"revision", "4294967296", "revision: 4294967296 is out of range"},
        {"revision", "\"6\"", "revision: expected an integer, got a string"},
        {"phase", "\"Running\"",
         "phase: \"Running\" is not one of rendering, runningWorkflow, "
         "workflowSuspending, workflowFailed, workflowTerminated, "
         "running, unhealthy, deleting"},
        {"phase", "1", "phase: expected a string, got an integer"},
        {"workflow", "[]", "workflow: expected an object, got an array"},
        {"workflow.mode", "\"Parallel\"",
         "workflow.mode: \"Parallel\" is not one of DAG, "
         "StepByStep"},
        {"workflow.finished", "\"true\"", "workflow.finished: expected a boolean, got a string"},
        {"workflow.steps", "{}", "workflow.steps: expected an array, got an object"},
        {"workflow.steps[0].phase", "\"done\"",
         "workflow.steps[0].phase: \"done\" is not one "
         "of pending, running, succeeded, failed, "
         "skipped, suspending"},
        {"workflow.steps[0].failures", "-3", "workflow.steps[0].failures: -3 is out of range"},
        {"workflow.steps[0].resumed", "1",
         "workflow.steps[0].resumed: expected a boolean, got "
         "an integer"},
        {"workflow.steps[0].startedAt", long_json,
         "workflow.steps[0].startedAt: 399 bytes long, more than the limit of 64"},
        {"workflow.steps[0].placements[1].state", "\"ready\"",
         "workflow.steps[0].placements[1].state: \"ready\" is not one of pending, dispatched, "
         "healthy, failed"},
        {"workflow.steps[0].placements[0].attempt", "1e3",
         "workflow.steps[0].placements[0].attempt: expected an integer, got a real number"},
        {"services[1].healthy", "null", "services[1].healthy: expected a boolean, got null"},
        {"services[0].traits", "\"scaler\"",
         "services[0].traits: expected an array, got a "
         "string"},
        {"services[0].traits[0]", "[]",
         "services[0].traits[0]: expected an object, got an "
         "array"},
        {"inventory", "{}", "inventory: expected an array, got an object"},
        {"inventory[1].generation", "true",
         "inventory[1].generation: expected an integer, got "
         "a boolean"},
        {"inventory[0].retryAt", "-5", "inventory[0].retryAt: -5 is out of range"},
        {"inventory[0].drop", "\"yes\"", "inventory[0].drop: expected a boolean, got a string"},
        {"inventory[0].resources[0].kind", "\"\"",
         "inventory[0].resources[0].kind: expected a non-empty string"},
        {"inventory[0].deleteTaskId", "null",
         "inventory[0].deleteTaskId: expected a string, "
         "got null"},
        {"resumeToken", "{}", "resumeToken: expected a string, got an object"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        failures += expect_refused(cases[i].path, cases[i].value, cases[i].want);
    assert_int_equal(failures, 0);
}

/* "app-status - unknown members are accepted (forward compatibility) and not re-encoded" */
static void status_unknown_members_are_accepted(void **state)
{
    (void)state;
    json_t *j = full_record();
    json_object_set_new(j, "futureField", json_pack("{s:i}", "x", 1));
    json_object_set_new(json_array_get(json_object_get(json_object_get(j, "workflow"), "steps"), 0),
                        "finishedAt", json_string("2026-01-01T00:00:00Z"));
    json_object_set_new(json_array_get(json_object_get(j, "services"), 0), "extra", json_true());
    char *buf = vela_json_dumps(j, JSON_COMPACT);
    msg_app_status st;
    char err[1024];
    assert_int_equal(msg_app_status_decode(buf, strlen(buf), &st, err, sizeof(err)), 0);
    assert_string_equal(st.steps[0].finished_at, "2026-01-01T00:00:00Z");
    json_t *out = msg_app_status_encode(&st);
    assert_null(json_object_get(out, "futureField"));
    assert_null(json_object_get(json_array_get(json_object_get(out, "services"), 0), "extra"));
    json_decref(out);
    msg_app_status_release(&st);
    free(buf);
    json_decref(j);
}

/* "app-status - every truncation and thousands of byte mutations of a record never crash;
 * every refusal says why" */
static void status_truncations_and_mutations_never_crash(void **state)
{
    (void)state;
    char path[512], err[1024];
    size_t len;
    msg_app_status st;
    snprintf(path, sizeof(path), "%s/tests/records/app-status/running-workflow-two-steps.json",
             VELA_SOURCE_DIR);
    char *orig = slurp(path, &len);
    for (size_t cut = 0; cut < len; cut++) {
        char *copy = malloc(cut ? cut : 1); /* exactly cut bytes, for ASan */
        memcpy(copy, orig, cut);
        err[0] = '\0';
        assert_int_equal(msg_app_status_decode(copy, cut, &st, err, sizeof(err)), -1);
        assert_true(err[0] != '\0');
        msg_app_status_release(&st);
        free(copy);
    }
    static const char alphabet[] = "{}[]\":,0-1aez\\ ntf";
    uint32_t x = 2463534242u;
    int refused = 0;
    if (len == 0)
        fail_msg("the captured record is empty");
    char *buf = malloc(len);
    for (int round = 0; round < 5000; round++) {
        memcpy(buf, orig, len);
        for (int k = 0; k < 1 + round % 3; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[x % len] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
        }
        err[0] = '\0';
        if (msg_app_status_decode(buf, len, &st, err, sizeof(err)) < 0) {
            refused++;
            assert_true(err[0] != '\0');
        } else {
            json_t *j = msg_app_status_encode(&st); /* what decodes encodes */
            assert_non_null(j);
            json_decref(j);
        }
        msg_app_status_release(&st);
    }
    print_message("%zu truncations refused; 5000 mutations, %d refused\n", len, refused);
    free(buf);
    free(orig);
}

/* ---- application records ---- */

/* "applications - the envelopes vela up wrote and the deletion request re-encode byte for
 * byte; the envelope is what cli/app.c builds" */
static void applications_records_round_trip(void **state)
{
    (void)state;
    static const char *const files[] = {"envelope-basic.json", "envelope-advanced.json",
                                        "deletion-force.json"};
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        char path[512], err[1024];
        size_t len;
        msg_app_record r;
        snprintf(path, sizeof(path), "%s/tests/records/applications/%s", VELA_SOURCE_DIR, files[i]);
        char *buf = slurp(path, &len);
        assert_int_equal(msg_app_record_decode(buf, len, &r, err, sizeof(err)), 0);
        json_t *j = msg_app_record_encode(&r);
        char *out = vela_json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        assert_string_equal(out, buf);
        if (r.kind == MSG_APP_RECORD_ENVELOPE) {
            /* cli/app.c's own construction, from the same pieces */
            json_t *cli = json_pack("{s:i,s:O,s:s%,s:s}", "schemaVersion", 1, "application",
                                    r.application, "source", r.source, r.source_len, "submittedAt",
                                    r.submitted_at);
            assert_true(json_equal(cli, j));
            json_decref(cli);
            assert_non_null(r.source);
            assert_null(r.doc);
        } else {
            assert_int_equal(r.kind, MSG_APP_RECORD_DELETION);
            assert_true(r.force);
        }
        free(out);
        json_decref(j);
        msg_app_record_release(&r);
        free(buf);
    }
    msg_app_record del = {.kind = MSG_APP_RECORD_DELETION, .force = false};
    json_t *j = msg_app_record_encode(&del);
    char *out = vela_json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(out, "{\"schemaVersion\":1,\"deletion\":{\"force\":false}}");
    free(out);
    json_decref(j);
}

/* "applications - a null value is a tombstone; YAML, bare JSON Applications and text that is
 * no JSON object are documents for model/, borrowed as they are" */
static void applications_records_are_classified(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        msg_app_record_kind kind;
    } cases[] = {
        {"apiVersion: core.oam.dev/v1beta1\nkind: Application\n", MSG_APP_RECORD_DOCUMENT},
        {"{\"apiVersion\":\"core.oam.dev/v1beta1\",\"kind\":\"Application\"}",
         MSG_APP_RECORD_DOCUMENT},
        {"{apiVersion: core.oam.dev/v1beta1, kind: Application}", MSG_APP_RECORD_DOCUMENT},
        {"[1,2]", MSG_APP_RECORD_DOCUMENT},
        {"{\"schemaVersion\":1,\"application\":{\"a\":1", MSG_APP_RECORD_DOCUMENT},
        {"  \n{\"schemaVersion\":1,\"deletion\":{\"force\":false}}", MSG_APP_RECORD_DELETION},
        {"{\"schemaVersion\":1,\"application\":{},\"later\":true}", MSG_APP_RECORD_ENVELOPE},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        msg_app_record r;
        char err[1024] = "";
        size_t len = strlen(cases[i].text);
        if (msg_app_record_decode(cases[i].text, len, &r, err, sizeof(err)) < 0)
            fail_msg("case %zu refused: %s", i, err);
        assert_int_equal(r.kind, cases[i].kind);
        if (r.kind == MSG_APP_RECORD_DOCUMENT) {
            assert_ptr_equal(r.doc, cases[i].text);
            assert_int_equal(r.doc_len, len);
        }
        msg_app_record_release(&r);
    }
    msg_app_record r;
    assert_int_equal(msg_app_record_decode(NULL, 5, &r, NULL, 0), 0);
    assert_int_equal(r.kind, MSG_APP_RECORD_TOMBSTONE);
    assert_null(msg_app_record_encode(&r));
}

/* ---- the corpora of bad records ---- */

/* The decoders as msgtest_corpus runs them: 0 accepted, -1 refused with err. */

static int run_status(const char *buf, size_t len, char *err, size_t errlen)
{
    msg_app_status st;
    int rc = msg_app_status_decode(buf, len, &st, err, errlen);
    msg_app_status_release(&st);
    return rc;
}

static int run_cluster(const char *buf, size_t len, char *err, size_t errlen)
{
    cluster_record r;
    int rc = cluster_record_parse(buf, len, &r, err, errlen);
    cluster_record_release(&r);
    return rc;
}

/* A record of vela.applications as the scheduler takes it: refused by the codec, or a
 * document or envelope that model/ refuses. */
static int run_application(const char *buf, size_t len, char *err, size_t errlen)
{
    msg_app_record r;
    app *a = NULL;
    verr ve;
    int rc = 0;
    if (msg_app_record_decode(buf, len, &r, err, errlen) < 0)
        rc = -1;
    else if (r.kind == MSG_APP_RECORD_DOCUMENT)
        rc = app_parse(r.doc, r.doc_len, &a, err, errlen) < 0 ? -1 : 0;
    else if (r.kind == MSG_APP_RECORD_ENVELOPE) {
        rc = app_from_json(json_deep_copy(r.application), &a, &ve) < 0 ? -1 : 0;
        if (rc < 0)
            verr_format(&ve, err, errlen);
    }
    app_free(a);
    msg_app_record_release(&r);
    return rc;
}

/* The topics' decoders. */
static const struct {
    const char *topic;
    msgtest_decode_fn run;
} decoders[] = {{"app-status", run_status},
                {"applications", run_application},
                {"clusters", run_cluster}};

/* "bad records - every case of tests/bad-records/<topic>/ is refused with its error" */
static void bad_records_are_refused_with_their_errors(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(decoders); i++) {
        size_t n;
        failures += msgtest_corpus(decoders[i].topic, decoders[i].run, &n);
        if (n < 10) {
            print_error("%s: only %zu cases\n", decoders[i].topic, n);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* {"schemaVersion":1,"deletion":[[...]]} with the arrays nested to depth levels in all. */
static char *nested_record(size_t depth, size_t *len)
{
    size_t inner;
    char *arrays = msgtest_nested(depth - 1, &inner);
    strbuf sb;
    strbuf_init(&sb, 0);
    if (strbuf_addf(&sb, "{\"schemaVersion\":1,\"deletion\":%s}", arrays) < 0)
        fail_msg("out of memory");
    free(arrays);
    *len = sb.len;
    return sb.data;
}

/* "bad records - generated: 9 MiB records, nesting 100000 deep and just too deep, 100001
 * steps" */
static void generated_bad_records_are_refused(void **state)
{
    (void)state;
    char err[4096];
    int failures = 0;
    /* a string of 9 MiB in an otherwise plausible record */
    size_t len;
    char *buf = msgtest_big_string_record("name", 9u << 20, &len);
    for (size_t i = 0; i < ARRAY_LEN(decoders); i++) {
        err[0] = '\0';
        if (decoders[i].run(buf, len, err, sizeof(err)) == 0 ||
            !strstr(err, "more than the limit of 8388608")) {
            print_error("%s 9 MiB: %s\n", decoders[i].topic, err);
            failures++;
        }
    }
    free(buf);
    /* nesting: deep enough for jansson's own limit, and just over ours; the same error */
    static const size_t depths[] = {100000, MSG_MAX_DEPTH + 1};
    for (size_t d = 0; d < ARRAY_LEN(depths); d++) {
        buf = nested_record(depths[d], &len);
        for (size_t i = 0; i < ARRAY_LEN(decoders); i++) {
            err[0] = '\0';
            int rc = decoders[i].run(buf, len, err, sizeof(err));
            /* past jansson's limit an Application record is no JSON: model/ judges it */
            const char *want = depths[d] > MSG_MAX_DEPTH + 1 && decoders[i].run == run_application
                                   ? ""
                                   : "record is nested deeper than 64 levels";
            if (rc == 0 || err[0] == '\0' || !strstr(err, want)) {
                print_error("%s depth %zu: %s\n", decoders[i].topic, depths[d], err);
                failures++;
            }
        }
        free(buf);
    }
    /* more steps than MSG_MAX_ITEMS */
    strbuf sb;
    strbuf_init(&sb, 0);
    int rc = strbuf_adds(&sb, "{\"schemaVersion\":1,\"name\":\"a\",\"namespace\":\"b\","
                              "\"revision\":1,\"phase\":\"running\",\"services\":[],"
                              "\"workflow\":{\"mode\":\"DAG\",\"finished\":true,"
                              "\"suspend\":false,\"terminated\":false,\"steps\":[");
    for (int k = 0; rc == 0 && k <= MSG_MAX_ITEMS; k++)
        rc = strbuf_adds(&sb, k ? ",{}" : "{}");
    if (rc < 0 || strbuf_adds(&sb, "]}}") < 0)
        fail_msg("out of memory");
    if (run_status(sb.data, sb.len, err, sizeof(err)) == 0 ||
        !strstr(err, "workflow.steps: 100001 items, more than the limit of 100000")) {
        print_error("100001 steps: %s\n", err);
        failures++;
    }
    strbuf_release(&sb);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_captured_records_round_trip),
        cmocka_unit_test(status_decoded_fields_are_typed),
        cmocka_unit_test(status_enum_names_parse_back),
        cmocka_unit_test(status_every_engine_record_round_trips),
        cmocka_unit_test(status_crash_records_are_refused),
        cmocka_unit_test(status_every_required_field_missing_is_refused),
        cmocka_unit_test(status_wrong_values_are_refused),
        cmocka_unit_test(status_unknown_members_are_accepted),
        cmocka_unit_test(status_truncations_and_mutations_never_crash),
        cmocka_unit_test(applications_records_round_trip),
        cmocka_unit_test(applications_records_are_classified),
        cmocka_unit_test(bad_records_are_refused_with_their_errors),
        cmocka_unit_test(generated_bad_records_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

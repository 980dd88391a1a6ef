/* The event codec (common/msg/event.c): round trips of what the worker sends, encoding from
 * typed services, every required field missing, wrong types, schema versions, huge and deep
 * records, unknown fields, truncations, and the bad-record corpus tests/bad-records/event. */
#include "msgtest.h"

#include "base/jpool.h"
#include "msg/event.h"

/* A final event as vela-worker writes it. */
static const char worker_event[] =
    "{\"schemaVersion\":1,\"taskId\":\"jnjhd5oqup:1.1:deploy-beijing-clusters:beijing-1:default:1"
    "\",\"kind\":\"deploy\",\"app\":{\"name\":\"example-app\",\"namespace\":\"default\",\"uid\":"
    "\"jnjhd5oqup\",\"revision\":1},\"step\":\"deploy-beijing-clusters\",\"stepId\":\"s2fh0ggeqh"
    "\",\"attempt\":1,\"cluster\":\"beijing-1\",\"namespace\":\"default\",\"phase\":\"healthy\","
    "\"final\":true,\"message\":\"\",\"services\":[{\"name\":\"hello-world-server\",\"type\":\"we"
    "bservice\",\"healthy\":true,\"message\":\"Ready:3/3\",\"traits\":[{\"type\":\"scaler\",\"hea"
    "lthy\":true,\"message\":\"\"},{\"type\":\"gateway\",\"healthy\":true,\"message\":\"Visiting "
    "URL: testsvc-mc.example.com, IP: 60.205.222.30\"}]}],\"resources\":[{\"apiVersion\":\"apps/v"
    "1\",\"kind\":\"Deployment\",\"namespace\":\"default\",\"name\":\"hello-world-server\"},{\"ap"
    "iVersion\":\"v1\",\"kind\":\"Service\",\"namespace\":\"default\",\"name\":\"hello-world-serv"
    "er\"}],\"worker\":\"vela-worker-cn@host:4242\",\"at\":\"2025-11-24T16:00:01.250Z\"}";

static int decode_event(const char *buf, size_t len, char *err, size_t errlen)
{
    msg_event ev;
    int rc = msg_event_decode(buf, len, &ev, err, errlen);
    if (rc == 0) { /* what decodes encodes again */
        json_t *j = msg_event_encode(&ev, err, errlen);
        if (!j)
            fail_msg("decoded but does not encode: %s", err);
        json_decref(j);
    }
    msg_event_release(&ev);
    return rc;
}

static int expect_refused(const char *what, const char *s, size_t len, const char *want)
{
    return msgtest_refused(decode_event, what, s, len, want);
}

static void round_trip_is_byte_for_byte(void **state)
{
    (void)state;
    msg_event ev;
    char err[512] = "";
    assert_int_equal(msg_event_decode(worker_event, strlen(worker_event), &ev, err, sizeof(err)),
                     0);
    assert_string_equal(ev.id.task_id,
                        "jnjhd5oqup:1.1:deploy-beijing-clusters:beijing-1:default:1");
    assert_int_equal(ev.id.kind, MSG_KIND_DEPLOY);
    assert_int_equal(ev.id.app.revision, 1);
    assert_true(ev.id.has_attempt);
    assert_int_equal(ev.phase, MSG_PHASE_HEALTHY);
    assert_true(ev.final);
    assert_string_equal(ev.message, "");
    assert_int_equal(ev.nservices, 1);
    assert_string_equal(ev.services[0].message, "Ready:3/3");
    assert_int_equal(ev.services[0].ntraits, 2);
    assert_string_equal(ev.services[0].traits[1].type, "gateway");
    assert_int_equal(ev.nresources, 2);
    assert_string_equal(ev.worker, "vela-worker-cn@host:4242");
    assert_int_equal(ev.at_ms, 1764000001250LL);
    char *out = msg_event_encode_bytes(&ev, NULL, err, sizeof(err));
    assert_non_null(out);
    assert_string_equal(out, worker_event);
    free(out);
    msg_event_release(&ev);
}

/* What the worker fills in (task_event) gives the same bytes; an event without attempt,
 * services, resources, message and worker is still an event (all optional). */
static void encode_from_typed_values(void **state)
{
    (void)state;
    msg_event_trait traits[] = {
        {"scaler", true, ""},
        {"gateway", true, "Visiting URL: testsvc-mc.example.com, IP: 60.205.222.30"},
    };
    msg_event_service svc[] = {
        {"hello-world-server", "webservice", true, "Ready:3/3", true, 2, traits}};
    msg_objref res[] = {{"apps/v1", "Deployment", "default", "hello-world-server"},
                        {"v1", "Service", "default", "hello-world-server"}};
    msg_event ev = {
        .id = {.task_id = "jnjhd5oqup:1.1:deploy-beijing-clusters:beijing-1:default:1",
               .kind = MSG_KIND_DEPLOY,
               .app = {"example-app", "default", "jnjhd5oqup", 1},
               .step = "deploy-beijing-clusters",
               .step_id = "s2fh0ggeqh",
               .attempt = 1,
               .has_attempt = true,
               .cluster = "beijing-1",
               .namespace = "default"},
        .phase = MSG_PHASE_HEALTHY,
        .final = true,
        .message = "",
        .has_services = true,
        .nservices = 1,
        .services = svc,
        .has_resources = true,
        .nresources = 2,
        .resources = res,
        .worker = "vela-worker-cn@host:4242",
        .at = "2025-11-24T16:00:01.250Z",
    };
    char err[512] = "";
    char *out = msg_event_encode_bytes(&ev, NULL, err, sizeof(err));
    assert_non_null(out);
    assert_string_equal(out, worker_event);
    free(out);

    msg_event bare = {.id = ev.id, .phase = MSG_PHASE_APPLYING, .at = ev.at};
    bare.id.has_attempt = false;
    out = msg_event_encode_bytes(&bare, NULL, err, sizeof(err));
    assert_non_null(out);
    msg_event back;
    assert_int_equal(msg_event_decode(out, strlen(out), &back, err, sizeof(err)), 0);
    assert_false(back.id.has_attempt);
    assert_false(back.has_services);
    assert_false(back.has_resources);
    assert_null(back.message);
    assert_null(back.worker);
    msg_event_release(&back);
    free(out);

    /* and the encoder refuses what the decoder would */
    ev.phase = MSG_PHASE_COUNT;
    assert_null(msg_event_encode(&ev, err, sizeof(err)));
    assert_string_equal(err, "phase: expected one of applying, progressing, healthy, failed, "
                             "deleted");
    ev.phase = MSG_PHASE_FAILED;
    traits[0].type = "";
    assert_null(msg_event_encode(&ev, err, sizeof(err)));
    assert_string_equal(err, "services[0].traits[0].type: expected a non-empty string");
}

static void phases_have_one_name_each(void **state)
{
    (void)state;
    static const char *const want[] = {"applying", "progressing", "healthy", "failed", "deleted"};
    assert_int_equal(MSG_PHASE_COUNT, ARRAY_LEN(want));
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        assert_string_equal(msg_event_phase_name((msg_event_phase)i), want[i]);
    assert_string_equal(msg_event_phase_name(MSG_PHASE_COUNT), "?");
}

static void every_required_field_missing_is_named(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        const char *type;
    } fields[] = {
        {"schemaVersion", "integer"},
        {"taskId", "string"},
        {"kind", "string"},
        {"app", "object"},
        {"app.name", "string"},
        {"app.namespace", "string"},
        {"app.uid", "string"},
        {"app.revision", "integer"},
        {"step", "string"},
        {"stepId", "string"},
        {"cluster", "string"},
        {"namespace", "string"},
        {"phase", "string"},
        {"final", "boolean"},
        {"at", "string"},
        {"services[0].name", "string"},
        {"services[0].type", "string"},
        {"services[0].healthy", "boolean"},
        {"services[0].message", "string"},
        {"services[0].traits[1].type", "string"},
        {"services[0].traits[1].healthy", "boolean"},
        {"resources[0].apiVersion", "string"},
        {"resources[0].kind", "string"},
        {"resources[0].name", "string"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(fields); i++)
        failures += msgtest_missing(decode_event, worker_event, fields[i].path, fields[i].type);
    static const char *const optional[] = {"attempt",
                                           "message",
                                           "services",
                                           "resources",
                                           "worker",
                                           "services[0].traits",
                                           "services[0].traits[0].message",
                                           "resources[0].namespace"};
    for (size_t i = 0; i < ARRAY_LEN(optional); i++)
        failures += msgtest_optional(decode_event, worker_event, optional[i]);
    assert_int_equal(failures, 0);
}

static void wrong_types_and_values_are_named(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        const char *value;
        const char *want;
    } cases[] = {
        {"schemaVersion", "2", "schemaVersion: expected 1, got 2"},
        {"schemaVersion", "\"1\"", "schemaVersion: expected an integer, got a string"},
        {"kind", "\"deployed\"", "kind: \"deployed\" is not one of deploy, delete"},
        {"app.namespace", "\"Default\"", "app.namespace: not a DNS-1123 label"},
        {"attempt", "-1", "attempt: -1 is out of range"},
        {"phase", "\"Healthy\"", "phase: \"Healthy\" is not one of applying, progressing"},
        {"final", "1", "final: expected a boolean, got an integer"},
        {"message", "[]", "message: expected a string, got an array"},
        {"services", "null", "services: expected an array, got null"},
        {"services[0].healthy", "\"yes\"", "services[0].healthy: expected a boolean"},
        {"services[0].traits", "{}", "services[0].traits: expected an array, got an object"},
        {"services[0].traits[0].message", "0",
         "services[0].traits[0].message: expected a string, got an integer"},
        {"resources[1].namespace", "false",
         "resources[1].namespace: expected a string, got a boolean"},
        {"worker", "{}", "worker: expected a string, got an object"},
        {"at", "\"2025-11-24\"", "at: not an RFC 3339 time"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        failures += msgtest_wrong(decode_event, worker_event, cases[i].path, cases[i].value,
                                  cases[i].want);
    assert_int_equal(failures, 0);
}

static void huge_records_and_values_are_refused(void **state)
{
    (void)state;
    int failures = 0;
    size_t len;
    char *rec = msgtest_big_string_record("message", 9u << 20, &len);
    failures += expect_refused("9 MiB string", rec, len, "more than the limit of 8388608");
    free(rec);
    char *big = malloc(70000);
    memset(big, 'm', 69999);
    big[69999] = '\0';
    rec = msgtest_edit(worker_event, "message", json_string(big));
    failures += expect_refused("long message", rec, strlen(rec),
                               "message: 69999 bytes long, more than the limit of 65536");
    free(rec);
    free(big);
    json_t *svcs = json_array();
    for (int i = 0; i <= MSG_EVENT_MAX_SERVICES; i++)
        json_array_append_new(svcs, json_pack("{s:s,s:s,s:b,s:s}", "name", "s", "type", "t",
                                              "healthy", 1, "message", ""));
    rec = msgtest_edit(worker_event, "services", svcs);
    failures += expect_refused("services", rec, strlen(rec),
                               "services: 1001 items, more than the limit of 1000");
    free(rec);
    char *deep = msgtest_nested(100000, &len);
    failures += expect_refused("deep", deep, len, "record is nested deeper than 64 levels");
    free(deep);
    assert_int_equal(failures, 0);
}

static void unknown_fields_are_accepted(void **state)
{
    (void)state;
    char *rec = msgtest_edit(worker_event, "region", json_string("cn"));
    char *rec2 = msgtest_edit(rec, "services[0].traits[0].since", json_integer(3));
    char err[512] = "";
    assert_int_equal(decode_event(rec2, strlen(rec2), err, sizeof(err)), 0);
    free(rec);
    free(rec2);
}

static void truncations_are_refused_with_a_reason(void **state)
{
    (void)state;
    assert_int_equal(msgtest_truncations(decode_event, worker_event), 0);
}

static void every_bad_record_fails_with_its_expected_error(void **state)
{
    (void)state;
    size_t n;
    int failures = msgtest_corpus("event", decode_event, &n);
    assert_true(n >= 12);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_is_byte_for_byte),
        cmocka_unit_test(encode_from_typed_values),
        cmocka_unit_test(phases_have_one_name_each),
        cmocka_unit_test(every_required_field_missing_is_named),
        cmocka_unit_test(wrong_types_and_values_are_named),
        cmocka_unit_test(huge_records_and_values_are_refused),
        cmocka_unit_test(unknown_fields_are_accepted),
        cmocka_unit_test(truncations_are_refused_with_a_reason),
        cmocka_unit_test(every_bad_record_fails_with_its_expected_error),
    };
    return cmocka_run_group_tests_name("msg event", tests, NULL, NULL);
}

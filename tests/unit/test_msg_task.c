/* The task codec (common/msg/task.c): round trips, the scheduler's tasks expressed through
 * msg_task_encode byte for byte, every required field missing, wrong types, schema versions,
 * huge and deep records, unknown fields, truncations, and the bad-record corpus
 * tests/bad-records/task. */
#include "msgtest.h"

#include "base/jpool.h"
#include "msg/field.h"
#include "msg/task.h"

/* What scheduler/engine.c (dispatch_deploy, dispatch_delete) sends for examples/basic.yaml,
 * captured from the engine (test_engine's harness) and kept here as it came out. */
static const char engine_deploy[] =
    "{\"schemaVersion\":1,\"kind\":\"deploy\",\"taskId\":\"jnjhd5oqup:1.1:deploy-beijing-clusters"
    ":beijing-1:default:1\",\"app\":{\"name\":\"example-app\",\"namespace\":\"default\",\"uid\":"
    "\"jnjhd5oqup\",\"revision\":1},\"step\":\"deploy-beijing-clusters\",\"stepId\":\"s2fh0ggeqh"
    "\",\"attempt\":1,\"cluster\":\"beijing-1\",\"namespace\":\"default\",\"deadline\":\"2025-11-"
    "24T16:10:00Z\",\"components\":[{\"name\":\"hello-world-server\",\"type\":\"webservice\",\"wo"
    "rkload\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"hello-world-server\""
    "},\"traits\":[{\"type\":\"scaler\",\"properties\":{\"replicas\":3}},{\"type\":\"gateway\",\""
    "properties\":{\"domain\":\"testsvc-mc.example.com\",\"http\":{\"/\":8000}},\"object\":{\"api"
    "Version\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\",\"name\":\"hello-world-server\"}}]}]"
    ",\"manifests\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":"
    "\"hello-world-server\",\"namespace\":\"default\",\"labels\":{\"app.oam.dev/name\":\"example-"
    "app\",\"app.oam.dev/namespace\":\"default\",\"app.oam.dev/component\":\"hello-world-server\""
    "}},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app.oam.dev/component\":\"hello"
    "-world-server\"}},\"template\":{\"metadata\":{\"labels\":{\"app.oam.dev/name\":\"example-app"
    "\",\"app.oam.dev/namespace\":\"default\",\"app.oam.dev/component\":\"hello-world-server\"}},"
    "\"spec\":{\"containers\":[{\"name\":\"hello-world-server\",\"image\":\"crccheck/hello-world"
    "\",\"ports\":[{\"containerPort\":8000,\"name\":\"port-8000\",\"protocol\":\"TCP\"}]}]}}}},{"
    "\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"hello-world-server\",\"n"
    "amespace\":\"default\",\"labels\":{\"app.oam.dev/name\":\"example-app\",\"app.oam.dev/namesp"
    "ace\":\"default\",\"app.oam.dev/component\":\"hello-world-server\"}},\"spec\":{\"selector\":"
    "{\"app.oam.dev/component\":\"hello-world-server\"},\"ports\":[{\"name\":\"port-8000\",\"port"
    "\":8000,\"targetPort\":8000,\"protocol\":\"TCP\"}],\"type\":\"ClusterIP\"}},{\"apiVersion\":"
    "\"networking.k8s.io/v1\",\"kind\":\"Ingress\",\"metadata\":{\"name\":\"hello-world-server\","
    "\"namespace\":\"default\",\"labels\":{\"app.oam.dev/name\":\"example-app\",\"app.oam.dev/nam"
    "espace\":\"default\",\"app.oam.dev/component\":\"hello-world-server\"},\"annotations\":{\"ku"
    "bernetes.io/ingress.class\":\"nginx\"}},\"spec\":{\"rules\":[{\"host\":\"testsvc-mc.example."
    "com\",\"http\":{\"paths\":[{\"path\":\"/\",\"pathType\":\"ImplementationSpecific\",\"backend"
    "\":{\"service\":{\"name\":\"hello-world-server\",\"port\":{\"number\":8000}}}}]}}]}}],\"crea"
    "tedAt\":\"2025-11-24T16:00:00Z\"}";

static const char engine_delete[] =
    "{\"schemaVersion\":1,\"kind\":\"delete\",\"taskId\":\"jnjhd5oqup:1.1:gc:beijing-1:default:1"
    "\",\"app\":{\"name\":\"example-app\",\"namespace\":\"default\",\"uid\":\"jnjhd5oqup\",\"revi"
    "sion\":1},\"step\":\"garbage-collect\",\"stepId\":\"gc\",\"attempt\":1,\"cluster\":\"beijing"
    "-1\",\"namespace\":\"default\",\"resources\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"Deploym"
    "ent\",\"namespace\":\"default\",\"name\":\"hello-world-server\"},{\"apiVersion\":\"v1\",\"ki"
    "nd\":\"Service\",\"namespace\":\"default\",\"name\":\"hello-world-server\"},{\"apiVersion\":"
    "\"networking.k8s.io/v1\",\"kind\":\"Ingress\",\"namespace\":\"default\",\"name\":\"hello-wor"
    "ld-server\"}],\"createdAt\":\"2025-11-24T16:00:00Z\"}";

static int decode_task(const char *buf, size_t len, char *err, size_t errlen)
{
    msg_task t;
    int rc = msg_task_decode(buf, len, &t, err, errlen);
    if (rc == 0) { /* what decodes encodes again */
        json_t *j = msg_task_encode(&t, err, errlen);
        if (!j)
            fail_msg("decoded but does not encode: %s", err);
        json_decref(j);
    }
    msg_task_release(&t);
    return rc;
}

/* Decoding s must fail with an error containing want. */
static int expect_refused(const char *what, const char *s, size_t len, const char *want)
{
    return msgtest_refused(decode_task, what, s, len, want);
}

static void round_trips_are_byte_for_byte(void **state)
{
    (void)state;
    const char *records[] = {engine_deploy, engine_delete};
    for (size_t i = 0; i < ARRAY_LEN(records); i++) {
        msg_task t;
        char err[512] = "";
        assert_int_equal(msg_task_decode(records[i], strlen(records[i]), &t, err, sizeof(err)), 0);
        size_t len;
        char *out = msg_task_encode_bytes(&t, &len, err, sizeof(err));
        assert_non_null(out);
        assert_string_equal(out, records[i]);
        assert_int_equal(len, strlen(records[i]));
        free(out);
        msg_task_release(&t);
    }
}

static void decode_gives_every_field(void **state)
{
    (void)state;
    msg_task t;
    char err[512] = "";
    assert_int_equal(msg_task_decode(engine_deploy, strlen(engine_deploy), &t, err, sizeof(err)),
                     0);
    assert_int_equal(t.id.kind, MSG_KIND_DEPLOY);
    assert_string_equal(t.id.task_id, "jnjhd5oqup:1.1:deploy-beijing-clusters:beijing-1:default:1");
    assert_string_equal(t.id.app.name, "example-app");
    assert_string_equal(t.id.app.namespace, "default");
    assert_string_equal(t.id.app.uid, "jnjhd5oqup");
    assert_int_equal(t.id.app.revision, 1);
    assert_string_equal(t.id.step, "deploy-beijing-clusters");
    assert_string_equal(t.id.step_id, "s2fh0ggeqh");
    assert_int_equal(t.id.attempt, 1);
    assert_string_equal(t.id.cluster, "beijing-1");
    assert_string_equal(t.id.namespace, "default");
    assert_string_equal(t.deadline, "2025-11-24T16:10:00Z");
    assert_int_equal(t.deadline_ms, 1764000600000LL);
    assert_int_equal(t.created_at_ms, 1764000000000LL);
    assert_true(t.identified);
    assert_int_equal(t.ncomps, 1);
    assert_string_equal(t.comps[0].workload.kind, "Deployment");
    assert_null(t.comps[0].workload.namespace);
    assert_int_equal(t.comps[0].ntraits, 2);
    assert_false(t.comps[0].traits[0].has_object);
    assert_int_equal(
        json_integer_value(json_object_get(t.comps[0].traits[0].properties, "replicas")), 3);
    assert_true(t.comps[0].traits[1].has_object);
    assert_string_equal(t.comps[0].traits[1].object.kind, "Ingress");
    assert_int_equal(json_array_size(t.manifests), 3);
    msg_task_release(&t);

    assert_int_equal(msg_task_decode(engine_delete, strlen(engine_delete), &t, err, sizeof(err)),
                     0);
    assert_int_equal(t.id.kind, MSG_KIND_DELETE);
    assert_null(t.deadline);
    assert_int_equal(t.nresources, 3);
    assert_string_equal(t.resources[2].api_version, "networking.k8s.io/v1");
    assert_string_equal(t.resources[2].namespace, "default");
    msg_task_release(&t);
}

/* The scheduler can build its tasks with msg_task_encode instead of json_pack: the same
 * values as dispatch_deploy and dispatch_delete, field for field and byte for byte. */
static void encode_expresses_what_the_scheduler_sends(void **state)
{
    (void)state;
    char err[512] = "";
    json_t *want = json_loads(engine_deploy, 0, NULL);
    /* the parts engine.c passes as JSON: the trait properties and the rendered manifests */
    json_t *props0 = json_pack("{s:i}", "replicas", 3);
    json_t *props1 = json_pack("{s:s,s:{s:i}}", "domain", "testsvc-mc.example.com", "http", "/",
                               8000);
    json_t *manifests = json_deep_copy(json_object_get(want, "manifests"));
    msg_task_trait traits[] = {
        {.type = "scaler", .properties = props0},
        {.type = "gateway",
         .properties = props1,
         .has_object = true,
         .object = {"networking.k8s.io/v1", "Ingress", NULL, "hello-world-server"}},
    };
    msg_task_comp comps[] = {{
        .name = "hello-world-server",
        .type = "webservice",
        .workload = {"apps/v1", "Deployment", NULL, "hello-world-server"},
        .ntraits = 2,
        .traits = traits,
    }};
    msg_task t = {
        .id = {.kind = MSG_KIND_DEPLOY,
               .task_id = "jnjhd5oqup:1.1:deploy-beijing-clusters:beijing-1:default:1",
               .app = {"example-app", "default", "jnjhd5oqup", 1},
               .step = "deploy-beijing-clusters",
               .step_id = "s2fh0ggeqh",
               .attempt = 1,
               .cluster = "beijing-1",
               .namespace = "default"},
        .deadline = "2025-11-24T16:10:00Z",
        .created_at = "2025-11-24T16:00:00Z",
        .ncomps = 1,
        .comps = comps,
        .manifests = manifests,
    };
    json_t *got = msg_task_encode(&t, err, sizeof(err));
    assert_non_null(got);
    assert_true(json_equal(got, want));
    char *bytes = msg_task_encode_bytes(&t, NULL, err, sizeof(err));
    assert_string_equal(bytes, engine_deploy);
    free(bytes);
    json_decref(got);
    json_decref(want);
    json_decref(props0);
    json_decref(props1);
    json_decref(manifests);

    msg_objref res[] = {
        {"apps/v1", "Deployment", "default", "hello-world-server"},
        {"v1", "Service", "default", "hello-world-server"},
        {"networking.k8s.io/v1", "Ingress", "default", "hello-world-server"},
    };
    msg_task d = {
        .id = {.kind = MSG_KIND_DELETE,
               .task_id = "jnjhd5oqup:1.1:gc:beijing-1:default:1",
               .app = {"example-app", "default", "jnjhd5oqup", 1},
               .step = "garbage-collect",
               .step_id = "gc",
               .attempt = 1,
               .cluster = "beijing-1",
               .namespace = "default"},
        .created_at = "2025-11-24T16:00:00Z",
        .nresources = 3,
        .resources = res,
    };
    bytes = msg_task_encode_bytes(&d, NULL, err, sizeof(err));
    assert_non_null(bytes);
    assert_string_equal(bytes, engine_delete);
    free(bytes);
}

/* What the decoder refuses, the encoder refuses too, naming the field. */
static void encode_refuses_what_decode_would(void **state)
{
    (void)state;
    msg_objref res[] = {{"v1", "Service", NULL, "x"}}, unnamed[] = {{"v1", "Service", NULL, ""}};
    msg_task d = {
        .id = {.kind = MSG_KIND_DELETE,
               .task_id = "t",
               .app = {"a", "n", "u", 1},
               .step = "s",
               .step_id = "i",
               .cluster = "c",
               .namespace = "n"},
        .created_at = "2025-11-24T16:00:00Z",
        .nresources = 1,
        .resources = res,
    };
    static const struct {
        const char *want;
    } cases[] = {
        {"resources[0].name: expected a non-empty string"},
        {"cluster: not a DNS-1123 label"},
        {"taskId: missing (required string)"},
        {"step: not valid UTF-8"},
        {"createdAt: not an RFC 3339 time"},
        {"app.revision: out of range"},
        {"manifests: missing (required array)"},
    };
    char err[512] = "";
    json_t *ok = msg_task_encode(&d, err, sizeof(err));
    assert_non_null(ok); /* the base case is fine */
    json_decref(ok);
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        msg_task t = d;
        err[0] = '\0';
        switch (i) {
        case 0: t.resources = unnamed; break;
        case 1: t.id.cluster = "Beijing_1"; break;
        case 2: t.id.task_id = NULL; break;
        case 3: t.id.step = "caf\xc3"; break;
        case 4: t.created_at = "yesterday"; break;
        case 5: t.id.app.revision = -1; break;
        case 6: t.id.kind = MSG_KIND_DEPLOY; break;
        default: break;
        }
        json_t *j = msg_task_encode(&t, err, sizeof(err));
        if (j || !strstr(err, cases[i].want)) {
            print_error("case %zu: want \"%s\", got \"%s\"\n", i, cases[i].want, err);
            failures++;
        }
        json_decref(j);
    }
    assert_int_equal(failures, 0);
}

/* Every required field of the schema, removed in turn. */
static void every_required_field_missing_is_named(void **state)
{
    (void)state;
    static const struct {
        const char *record; /* 'p': deploy, 'l': delete */
        const char *path;
        const char *type;
    } fields[] = {
        {"p", "schemaVersion", "integer"},
        {"p", "kind", "string"},
        {"p", "taskId", "string"},
        {"p", "app", "object"},
        {"p", "app.name", "string"},
        {"p", "app.namespace", "string"},
        {"p", "app.uid", "string"},
        {"p", "app.revision", "integer"},
        {"p", "step", "string"},
        {"p", "stepId", "string"},
        {"p", "attempt", "integer"},
        {"p", "cluster", "string"},
        {"p", "namespace", "string"},
        {"p", "createdAt", "string"},
        {"p", "components", "array"},
        {"p", "components[0].name", "string"},
        {"p", "components[0].type", "string"},
        {"p", "components[0].workload", "object"},
        {"p", "components[0].workload.apiVersion", "string"},
        {"p", "components[0].workload.kind", "string"},
        {"p", "components[0].workload.name", "string"},
        {"p", "components[0].traits", "array"},
        {"p", "components[0].traits[1].type", "string"},
        {"p", "components[0].traits[1].object.apiVersion", "string"},
        {"p", "components[0].traits[1].object.kind", "string"},
        {"p", "components[0].traits[1].object.name", "string"},
        {"p", "manifests", "array"},
        {"p", "manifests[1].apiVersion", "string"},
        {"p", "manifests[1].kind", "string"},
        {"p", "manifests[1].metadata", "object"},
        {"p", "manifests[1].metadata.name", "string"},
        {"l", "resources", "array"},
        {"l", "resources[2].apiVersion", "string"},
        {"l", "resources[2].kind", "string"},
        {"l", "resources[2].name", "string"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(fields); i++)
        failures += msgtest_missing(decode_task,
                                    fields[i].record[0] == 'p' ? engine_deploy : engine_delete,
                                    fields[i].path, fields[i].type);
    /* the optional ones are optional */
    static const char *const optional[] = {"deadline", "components[0].traits[0].properties",
                                           "components[0].traits[1].object"};
    for (size_t i = 0; i < ARRAY_LEN(optional); i++)
        failures += msgtest_optional(decode_task, engine_deploy, optional[i]);
    assert_int_equal(failures, 0);
}

/* A value of the wrong type in each place, and values out of their range. */
static void wrong_types_and_values_are_named(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        const char *value; /* JSON */
        const char *want;
    } cases[] = {
        {"kind", "1", "kind: expected a string, got an integer"},
        {"kind", "\"Deploy\"", "kind: \"Deploy\" is not one of deploy, delete"},
        {"taskId", "null", "taskId: expected a string, got null"},
        {"taskId", "\"\"", "taskId: expected a non-empty string"},
        {"app", "[]", "app: expected an object, got an array"},
        {"app.name", "\"Example_App\"", "app.name: not a DNS-1123 label"},
        {"app.revision", "\"1\"", "app.revision: expected an integer, got a string"},
        {"app.revision", "-1", "app.revision: -1 is out of range"},
        {"app.revision", "2147483648", "app.revision: 2147483648 is out of range"},
        {"attempt", "1.5", "attempt: expected an integer, got a real number"},
        {"attempt", "true", "attempt: expected an integer, got a boolean"},
        {"cluster", "\"-beijing\"", "cluster: not a DNS-1123 label"},
        {"namespace", "{}", "namespace: expected a string, got an object"},
        {"deadline", "\"2025-11-24 16:10:00\"", "deadline: not an RFC 3339 time"},
        {"createdAt", "1764000000", "createdAt: expected a string, got an integer"},
        {"components", "{}", "components: expected an array, got an object"},
        {"components[0].traits[0].type", "7",
         "components[0].traits[0].type: expected a string, got an integer"},
        {"components[0].traits[0].properties", "[]",
         "components[0].traits[0].properties: expected an object, got an array"},
        {"components[0].traits[1].object", "null",
         "components[0].traits[1].object: expected an object, got null"},
        {"components[0].traits[1].object.name", "\"\"",
         "components[0].traits[1].object.name: expected a non-empty string"},
        {"components[0].workload.apiVersion", "false",
         "components[0].workload.apiVersion: expected a string, got a boolean"},
        {"manifests", "\"all\"", "manifests: expected an array, got a string"},
        {"manifests[2].metadata", "\"x\"",
         "manifests[2].metadata: expected an object, got a string"},
        {"manifests[2].metadata.namespace", "3",
         "manifests[2].metadata.namespace: expected a string, got an integer"},
        {"manifests[0].kind", "\"\"", "manifests[0].kind: expected a non-empty string"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        failures += msgtest_wrong(decode_task, engine_deploy, cases[i].path, cases[i].value,
                                  cases[i].want);
    /* a deploy task's manifests must be objects, and a delete task's resources too */
    char *rec = msgtest_edit(engine_deploy, "manifests", json_pack("[{},i]", 1));
    failures += expect_refused("manifest", rec, strlen(rec),
                               "manifests[0].apiVersion: missing (required string)");
    free(rec);
    rec = msgtest_edit(engine_delete, "resources", json_pack("[s]", "x"));
    failures += expect_refused("resource", rec, strlen(rec),
                               "resources[0]: expected an object, got a string");
    free(rec);
    assert_int_equal(failures, 0);
}

static void other_schema_versions_are_refused(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        const char *want;
    } cases[] = {
        {"0", "schemaVersion: expected 1, got 0"},
        {"2", "schemaVersion: expected 1, got 2; this program reads only version 1 (upgrade it "
              "to read newer records)"},
        {"-1", "schemaVersion: expected 1, got -1"},
        {"\"1\"", "schemaVersion: expected an integer, got a string"},
        {"1.0", "schemaVersion: expected an integer, got a real number"},
        {"null", "schemaVersion: expected an integer, got null"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *rec = msgtest_edit(engine_deploy, "schemaVersion",
                                 json_loads(cases[i].value, JSON_DECODE_ANY, NULL));
        failures += expect_refused(cases[i].value, rec, strlen(rec), cases[i].want);
        /* nothing of a record of another version is taken as known */
        msg_task t;
        char err[256];
        msg_task_decode(rec, strlen(rec), &t, err, sizeof(err));
        if (t.identified) {
            print_error("%s: identified\n", cases[i].value);
            failures++;
        }
        msg_task_release(&t);
        free(rec);
    }
    assert_int_equal(failures, 0);
}

static void huge_and_deep_records_are_refused(void **state)
{
    (void)state;
    int failures = 0;
    size_t len;
    /* 9 MiB: over MSG_MAX_BYTES, refused before parsing */
    char *rec = msgtest_big_string_record("taskId", 9u << 20, &len);
    failures += expect_refused("9 MiB string", rec, len, "bytes, more than the limit of 8388608");
    free(rec);
    /* 7 MiB in one field: within the record limit, over the field's */
    char *big = malloc((7u << 20) + 1);
    memset(big, 'x', 7u << 20);
    big[7u << 20] = '\0';
    rec = msgtest_edit(engine_deploy, "step", json_string(big));
    failures += expect_refused("7 MiB step", rec, strlen(rec),
                               "step: 7340032 bytes long, more than the limit of 253");
    free(rec);
    free(big);
    /* a taskId of 513 bytes: the schema's maxLength is 512 */
    char id[514];
    memset(id, 'i', 513);
    id[513] = '\0';
    rec = msgtest_edit(engine_deploy, "taskId", json_string(id));
    failures += expect_refused("long taskId", rec, strlen(rec),
                               "taskId: 513 bytes long, more than the limit of 512");
    free(rec);
    /* counts over the caps */
    json_t *traits = json_array();
    for (int i = 0; i <= MSG_TASK_MAX_TRAITS; i++)
        json_array_append_new(traits, json_pack("{s:s}", "type", "scaler"));
    rec = msgtest_edit(engine_deploy, "components[0].traits", traits);
    failures += expect_refused("traits", rec, strlen(rec),
                               "components[0].traits: 101 items, more than the limit of 100");
    free(rec);
    json_t *res = json_array();
    for (int i = 0; i <= MSG_TASK_MAX_RESOURCES; i++)
        json_array_append_new(res, json_pack("{s:s,s:s,s:s}", "apiVersion", "v1", "kind", "Pod",
                                             "name", "p"));
    rec = msgtest_edit(engine_delete, "resources", res);
    failures += expect_refused("resources", rec, strlen(rec),
                               "resources: 10001 items, more than the limit of 10000");
    free(rec);
    /* nesting: past jansson's own depth limit and just past ours, the same error; at the
     * limit (the root and 63 arrays in an unknown field) the task is fine */
    char *deep = msgtest_nested(100000, &len);
    failures += expect_refused("deep", deep, len, "record is nested deeper than 64 levels");
    free(deep);
    for (size_t n = MSG_MAX_DEPTH - 1; n <= MSG_MAX_DEPTH; n++) {
        char err[256] = "";
        deep = msgtest_nested(n, &len);
        rec = msgtest_edit(engine_delete, "future", json_loads(deep, 0, NULL));
        int rc = decode_task(rec, strlen(rec), err, sizeof(err));
        if (n == MSG_MAX_DEPTH - 1 && rc != 0) {
            print_error("depth %d refused: %s\n", MSG_MAX_DEPTH, err);
            failures++;
        } else if (n == MSG_MAX_DEPTH) {
            failures += expect_refused("depth 65", rec, strlen(rec),
                                       "record is nested deeper than 64 levels");
        }
        free(rec);
        free(deep);
    }
    /* an integer no int64 holds */
    rec = strdup("{\"schemaVersion\":1,\"attempt\":99999999999999999999999}");
    failures += expect_refused("big integer", rec, strlen(rec), "too big integer");
    free(rec);
    assert_int_equal(failures, 0);
}

/* Forward compatibility: fields this reader does not know are ignored, wherever they are. */
static void unknown_fields_are_accepted(void **state)
{
    (void)state;
    static const char *const paths[] = {"priority", "app.labels", "components[0].future",
                                        "components[0].traits[1].object.uid",
                                        "components[0].workload.resourceVersion"};
    int failures = 0;
    char *rec = strdup(engine_deploy);
    for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
        char *next = msgtest_edit(rec, paths[i], json_pack("{s:i}", "x", 1));
        free(rec);
        rec = next;
    }
    char *del = msgtest_edit(engine_delete, "manifests", json_pack("[]"));
    char err[512] = "";
    if (decode_task(rec, strlen(rec), err, sizeof(err)) < 0 ||
        decode_task(del, strlen(del), err, sizeof(err)) < 0) {
        print_error("unknown fields refused: %s\n", err);
        failures++;
    }
    free(rec);
    free(del);
    assert_int_equal(failures, 0);
}

/* Every prefix of a valid task is refused with a reason, and nothing crashes (ASan build). */
static void truncations_are_refused_with_a_reason(void **state)
{
    (void)state;
    assert_int_equal(msgtest_truncations(decode_task, engine_deploy), 0);
}

static void every_bad_record_fails_with_its_expected_error(void **state)
{
    (void)state;
    size_t n;
    int failures = msgtest_corpus("task", decode_task, &n);
    assert_true(n >= 12);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips_are_byte_for_byte),
        cmocka_unit_test(decode_gives_every_field),
        cmocka_unit_test(encode_expresses_what_the_scheduler_sends),
        cmocka_unit_test(encode_refuses_what_decode_would),
        cmocka_unit_test(every_required_field_missing_is_named),
        cmocka_unit_test(wrong_types_and_values_are_named),
        cmocka_unit_test(other_schema_versions_are_refused),
        cmocka_unit_test(huge_and_deep_records_are_refused),
        cmocka_unit_test(unknown_fields_are_accepted),
        cmocka_unit_test(truncations_are_refused_with_a_reason),
        cmocka_unit_test(every_bad_record_fails_with_its_expected_error),
    };
    return cmocka_run_group_tests_name("msg task", tests, NULL, NULL);
}

/* The cluster registry: record JSON round trip and its refusals, sealed credentials bound to
 * the cluster name, label parsing and selectors, and the registry over an in-process
 * librdkafka mock cluster (put, get, tombstone, "not found" naming what exists, a second
 * reader seeing the same, change callbacks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/jpool.h"
#include "msg/cluster_record.h"
#include "registry/cluster_registry.h"
#include "base/log.h"
#include "base/util.h"
#include "base/clock.h"

static void fill(cluster_record *r, const char *name)
{
    cluster_record_init(r);
    r->name = strdup(name);
    r->type = strdup("ServiceAccountToken");
    r->endpoint = strdup("https://127.0.0.1:6443");
    r->region = strdup("default");
    r->message = strdup("");
    r->accepted = true;
    r->labels = json_pack("{s:s}", "provider", "AWS");
}

/* "cluster - a record survives JSON and back; malformed ones are refused with a reason" */
static void test_record_json(void **state)
{
    cluster_record a, b;
    char err[256];
    fill(&a, "us-west-1");
    a.version = strdup("v1.29.0");
    json_t *j = cluster_record_to_json(&a);
    assert_int_equal(json_integer_value(json_object_get(j, "schemaVersion")), 1);
    assert_int_equal(cluster_record_from_json(j, &b, err, sizeof(err)), 0);
    assert_string_equal(b.name, "us-west-1");
    assert_string_equal(b.type, "ServiceAccountToken");
    assert_true(b.accepted);
    assert_string_equal(b.version, "v1.29.0");
    assert_true(json_equal(a.labels, b.labels));
    cluster_record_release(&b);
    json_decref(j);
    cluster_record_release(&a);

    static const struct {
        const char *json;
        const char *expect;
    } bad[] = {
        {"[]", "expected a JSON object, got an array"},
        {"{\"schemaVersion\":2,\"name\":\"x\"}", "schemaVersion: expected 1, got 2"},
        {"{\"name\":\"x\"}", "schemaVersion: missing"},
        {"{\"schemaVersion\":1,\"name\":\"x\"}", "type: missing"},
        {"{\"schemaVersion\":1,\"name\":\"x\",\"type\":\"None\",\"endpoint\":\"e\",\"region\":"
         "\"r\",\"accepted\":true,\"labels\":{\"a\":1}}",
         "labels.a: expected a string, got an integer"},
        {"not json", "not valid JSON"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        int rc = cluster_record_parse(bad[i].json, strlen(bad[i].json), &b, err, sizeof(err));
        if (rc != -1 || !strstr(err, bad[i].expect)) {
            fprintf(stderr, "case %zu: rc=%d err=\"%s\"\n", i, rc, err);
            failures++;
        }
        cluster_record_release(&b);
    }
    assert_int_equal(failures, 0);
}

/* "cluster - sealed credentials open only under the same name and key" */
static void test_record_seal(void **state)
{
    char dir[] = "/tmp/vela-reg-XXXXXX", path[64], err[512];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/k", dir);
    seal_key k;
    assert_int_equal(seal_key_load(path, 1, &k, err, sizeof(err)), 0);

    kube_creds c;
    memset(&c, 0, sizeof(c));
    c.server = strdup("https://127.0.0.1:6443");
    c.token = strdup("tok-very-secret");
    c.insecure = 1;
    c.auth = KUBE_AUTH_TOKEN;
    cluster_record r;
    fill(&r, "edge-1");
    assert_int_equal(cluster_record_seal(&r, &k, &c, err, sizeof(err)), 0);
    json_t *j = cluster_record_to_json(&r);
    char *s = vela_json_dumps(j, JSON_COMPACT);
    assert_null(strstr(s, "tok-very-secret"));
    assert_non_null(strstr(s, "AES-256-GCM"));
    free(s);
    json_decref(j);

    kube_creds out;
    assert_int_equal(cluster_record_creds(&r, &k, &out, err, sizeof(err)), 0);
    assert_string_equal(out.token, "tok-very-secret");
    assert_string_equal(out.server, "https://127.0.0.1:6443");
    kube_creds_release(&out);

    /* the same sealed blob under another name does not open */
    free(r.name);
    r.name = strdup("edge-2");
    assert_int_equal(cluster_record_creds(&r, &k, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cluster \"edge-2\""));
    assert_non_null(strstr(err, "tampered"));
    /* no credentials at all */
    json_decref(r.credentials);
    r.credentials = NULL;
    assert_int_equal(cluster_record_creds(&r, &k, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "has no credentials"));
    cluster_record_release(&r);
    kube_creds_release(&c);
    unlink(path);
    rmdir(dir);
}

/* "cluster - labels parse as k=v pairs; a selector matches when all its pairs are present" */
static void test_labels(void **state)
{
    json_t *l;
    char err[256];
    assert_int_equal(cluster_parse_labels("provider=AWS,region=us", &l, err, sizeof(err)), 0);
    assert_int_equal(json_object_size(l), 2);
    assert_string_equal(json_string_value(json_object_get(l, "region")), "us");
    cluster_record r;
    fill(&r, "c");
    json_object_update(r.labels, l);
    json_t *sel = json_pack("{s:s}", "provider", "AWS");
    assert_true(cluster_labels_match(&r, sel));
    json_object_set_new(sel, "region", json_string("eu"));
    assert_false(cluster_labels_match(&r, sel));
    json_decref(sel);
    sel = json_object();
    assert_true(cluster_labels_match(&r, sel)); /* an empty selector matches all */
    json_decref(sel);
    cluster_record_release(&r);
    json_decref(l);

    static const char *const bad[] = {"novalue", "=v", "a=b,c", "a=b=c"};
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        l = NULL;
        if (cluster_parse_labels(bad[i], &l, err, sizeof(err)) != -1 || l ||
            !strstr(err, "is not key=value"))
            failures++;
    }
    assert_int_equal(failures, 0);
    /* an empty value is a label with an empty value */
    assert_int_equal(cluster_parse_labels("a=", &l, err, sizeof(err)), 0);
    assert_string_equal(json_string_value(json_object_get(l, "a")), "");
    json_decref(l);
}

struct seen {
    int added, deleted;
};

static void on_change(const char *key, const char *old, size_t old_len, const char *value,
                      size_t len, void *ctx)
{
    struct seen *s = ctx;
    if (!value)
        s->deleted++;
    else if (!old)
        s->added++;
}

/* "registry - put, get, detach and 'not found' against a Kafka (mock) cluster" */
static void test_registry(void **state)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, 1);
    assert_int_equal(rd_kafka_mock_topic_create(mc, "vela.clusters", 4, 1), 0);
    vela_opts o;
    opts_init(&o);
    o.bootstrap_servers = rd_kafka_mock_cluster_bootstraps(mc);
    o.topic_prefix = "vela.";

    registry *reg = registry_open(&o, NULL, NULL, 10000, err, sizeof(err));
    assert_non_null(reg);
    cluster_record r, got;
    assert_int_equal(registry_get(reg, "a", &got, err, sizeof(err)), 1);
    assert_non_null(strstr(err, "no cluster is joined yet"));
    cluster_record_release(&got);
    fill(&r, "beijing-1");
    assert_int_equal(registry_put(reg, &r, err, sizeof(err)), 0);
    assert_non_null(r.joined_at);
    assert_non_null(r.updated_at);
    cluster_record_release(&r);
    fill(&r, "us-west-1");
    assert_int_equal(registry_put(reg, &r, err, sizeof(err)), 0);
    cluster_record_release(&r);

    /* a new reader (as a new CLI process) sees both; a follower sees later changes */
    struct seen seen = {0, 0};
    registry *reg2 = registry_open(&o, on_change, &seen, 10000, err, sizeof(err));
    assert_non_null(reg2);
    assert_int_equal(registry_count(reg2), 2);
    assert_int_equal(seen.added, 2);
    assert_int_equal(registry_get(reg2, "us-west-1", &got, err, sizeof(err)), 0);
    assert_string_equal(json_string_value(json_object_get(got.labels, "provider")), "AWS");
    cluster_record_release(&got);
    assert_int_equal(registry_get(reg2, "beijing-9", &got, err, sizeof(err)), 1);
    assert_non_null(strstr(err, "cluster \"beijing-9\" not found; joined clusters: beijing-1, "
                                "us-west-1"));
    cluster_record_release(&got);

    assert_int_equal(registry_delete(reg, "beijing-1", err, sizeof(err)), 0);
    int64_t deadline = now_ms() + 5000;
    while (!seen.deleted && now_ms() < deadline)
        registry_poll(reg2, 100);
    assert_int_equal(seen.deleted, 1);
    size_t n;
    const char **names = registry_names(reg2, &n);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "us-west-1");
    free(names);

    registry_close(reg2);
    registry_close(reg);
    opts_release(&o);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
}

int main(void)
{
    setenv("VELA_KAFKA_PROFILE", "embedded", 1);
    log_threshold = LOG_WARN;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_json),
        cmocka_unit_test(test_record_seal),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

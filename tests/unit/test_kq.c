/* The Kafka layer: Java-compatible murmur2 and partitioning (Kafka's own test vectors), topic
 * names, configuration (every -X reaches librdkafka, bad ones are refused), and, against an
 * in-process librdkafka mock cluster, that produced keys land on kq_partition_for's partition,
 * the compacted-topic table (latest value per key, tombstones, change callbacks, a second
 * reader sees the same), and a consumer group member with manual commits. */
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

#include "kafka/kq.h"
#include "kafka/kq_table.h"
#include "base/log.h"
#include "base/util.h"
#include "base/clock.h"

/* ---- pure functions ---------------------------------------------------------------------- */

/* "kq - murmur2 matches the Java client's Utils.murmur2 (Kafka's UtilsTest vectors)" */
static void test_murmur2_java_values(void **state)
{
    static const struct {
        const char *key;
        int32_t java;
    } cases[] = {
        {"21", -973932308},
        {"foobar", -790332482},
        {"a-little-bit-long-string", -985981536},
        {"a-little-bit-longer-string", -1486304829},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
        {"abc", 479470107},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int32_t got = kq_murmur2(cases[i].key, strlen(cases[i].key));
        if (got != cases[i].java) {
            fprintf(stderr, "murmur2(\"%s\") = %d, Java says %d\n", cases[i].key, got,
                    cases[i].java);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* "kq - partition_for is (murmur2 & 0x7fffffff) % n and agrees with librdkafka's murmur2" */
static void test_partition_for(void **state)
{
    int failures = 0;
    /* Java: Utils.toPositive(-973932308) % 12 = 1173551340 % 12 = 0 */
    if (kq_partition_for("21", 2, 12) != (int32_t)((uint32_t)-973932308 & 0x7fffffff) % 12)
        failures++;
    if (kq_partition_for("foobar", 6, 1) != 0)
        failures++;
    for (int i = 0; i < 500; i++) {
        char key[32];
        int n = snprintf(key, sizeof(key), "default/app-%d", i);
        for (int32_t parts = 1; parts <= 16; parts += 5) {
            int32_t mine = kq_partition_for(key, (size_t)n, parts);
            int32_t lib = rd_kafka_msg_partitioner_murmur2(NULL, key, (size_t)n, parts, NULL, NULL);
            if (mine != lib || mine < 0 || mine >= parts) {
                fprintf(stderr, "key %s parts %d: mine %d librdkafka %d\n", key, parts, mine, lib);
                failures++;
            }
        }
    }
    assert_int_equal(failures, 0);
    assert_int_equal(kq_partition_for("x", 1, 0), -1);
}

/* "kq - topic names follow the prefix; only the three tables are compacted" */
static void test_topic_names(void **state)
{
    vela_opts o;
    char buf[64];
    opts_init(&o);
    o.topic_prefix = "vela.";
    assert_int_equal(kq_topic_name(&o, KQ_TOPIC_APP_STATUS, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "vela.app-status");
    assert_int_equal(kq_tasks_topic(&o, "eu-1", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "vela.tasks.eu-1");
    o.topic_prefix = "t1.";
    assert_int_equal(kq_topic_name(&o, KQ_TOPIC_CLUSTERS, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "t1.clusters");
    assert_int_equal(kq_tasks_topic(&o, "", buf, sizeof(buf)), -1);
    assert_int_equal(kq_topic_name(&o, "a-very-long-suffix-that-does-not-fit-in-this-buffer-at-all",
                                   buf, 16),
                     -1);
    assert_true(kq_suffix_is_compacted(KQ_TOPIC_APPLICATIONS));
    assert_true(kq_suffix_is_compacted(KQ_TOPIC_CLUSTERS));
    assert_true(kq_suffix_is_compacted(KQ_TOPIC_APP_STATUS));
    assert_false(kq_suffix_is_compacted(KQ_TOPIC_EVENTS));
    assert_false(kq_suffix_is_compacted(KQ_TOPIC_TASKS));
    opts_release(&o);
}

static const char *conf_get(rd_kafka_conf_t *conf, const char *key, char *buf, size_t len)
{
    size_t n = len;
    return rd_kafka_conf_get(conf, key, buf, &n) == RD_KAFKA_CONF_OK ? buf : NULL;
}

/* "kq - configuration: role settings, the embedded profile, -X last, bad -X refused" */
static void test_conf(void **state)
{
    vela_opts o;
    char err[256], buf[128];
    opts_init(&o);
    o.bootstrap_servers = "127.0.0.1:1";
    /* VELA_KAFKA_PROFILE=embedded was set in main before anything asked for the profile */
    assert_int_equal(kq_profile_get(&o), KQ_PROFILE_EMBEDDED);
    o.x_keys[0] = strdup("linger.ms");
    o.x_values[0] = strdup("7");
    o.x_keys[1] = strdup("fetch.wait.max.ms");
    o.x_values[1] = strdup("33");
    o.nx = 2;
    rd_kafka_conf_t *c = kq_conf_new(&o, KQ_ROLE_PRODUCER, err, sizeof(err));
    assert_non_null(c);
    assert_string_equal(conf_get(c, "enable.idempotence", buf, sizeof(buf)), "true");
    assert_string_equal(conf_get(c, "linger.ms", buf, sizeof(buf)), "7");
    assert_string_equal(conf_get(c, "bootstrap.servers", buf, sizeof(buf)), "127.0.0.1:1");
    rd_kafka_conf_destroy(c);
    c = kq_conf_new(&o, KQ_ROLE_CONSUMER, err, sizeof(err));
    assert_non_null(c);
    assert_string_equal(conf_get(c, "enable.auto.commit", buf, sizeof(buf)), "false");
    assert_string_equal(conf_get(c, "session.timeout.ms", buf, sizeof(buf)), "6000");
    assert_string_equal(conf_get(c, "fetch.wait.max.ms", buf, sizeof(buf)), "33"); /* -X wins */
    rd_kafka_conf_destroy(c);
    free((char *)o.x_keys[1]);
    o.x_keys[1] = strdup("no.such.property");
    assert_null(kq_conf_new(&o, KQ_ROLE_CONSUMER, err, sizeof(err)));
    assert_non_null(strstr(err, "no.such.property"));
    opts_release(&o);
}

/* ---- against an in-process mock cluster -------------------------------------------------- */

struct mock {
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;
    vela_opts o;
};

static int mock_setup(void **state)
{
    static struct mock m;
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
    m.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    assert_non_null(m.rk);
    m.mc = rd_kafka_mock_cluster_new(m.rk, 1);
    assert_non_null(m.mc);
    assert_int_equal(rd_kafka_mock_topic_create(m.mc, "t.events", 12, 1), 0);
    assert_int_equal(rd_kafka_mock_topic_create(m.mc, "t.clusters", 3, 1), 0);
    assert_int_equal(rd_kafka_mock_topic_create(m.mc, "t.tasks.eu", 4, 1), 0);
    assert_int_equal(rd_kafka_mock_topic_create(m.mc, "t.trim", 1, 1), 0);
    opts_init(&m.o);
    m.o.bootstrap_servers = rd_kafka_mock_cluster_bootstraps(m.mc);
    m.o.topic_prefix = "t.";
    *state = &m;
    return 0;
}

static int mock_teardown(void **state)
{
    struct mock *m = *state;
    opts_release(&m->o);
    rd_kafka_mock_cluster_destroy(m->mc);
    rd_kafka_destroy(m->rk);
    return 0;
}

struct dr_count {
    int ok, failed;
    int32_t partition_of[64];
};

static void on_delivery(const rd_kafka_message_t *m, void *msg_opaque, void *ctx)
{
    struct dr_count *d = ctx;
    intptr_t i = (intptr_t)msg_opaque;
    if (m->err)
        d->failed++;
    else
        d->ok++;
    if (i >= 0 && i < 64)
        d->partition_of[i] = m->partition;
}

/* "kq - produced keys land on kq_partition_for's partition (murmur2_random is in effect)" */
static void test_produce_partitioning(void **state)
{
    struct mock *m = *state;
    char err[256];
    struct dr_count d;
    memset(&d, 0, sizeof(d));
    kq_producer *p = kq_producer_new(&m->o, on_delivery, &d, err, sizeof(err));
    assert_non_null(p);
    for (intptr_t i = 0; i < 40; i++) {
        char key[32];
        snprintf(key, sizeof(key), "ns-%d/app-%d", (int)i % 3, (int)i);
        assert_int_equal(
            kq_produce(p, "t.events", key, strlen(key), "{}", 2, (void *)i, err, sizeof(err)), 0);
    }
    assert_int_equal(kq_producer_flush(p, 10000), 0);
    assert_int_equal(d.ok, 40);
    int failures = 0;
    for (int i = 0; i < 40; i++) {
        char key[32];
        snprintf(key, sizeof(key), "ns-%d/app-%d", i % 3, i);
        if (d.partition_of[i] != kq_partition_for(key, strlen(key), 12))
            failures++;
    }
    assert_int_equal(failures, 0);
    /* the synchronous form */
    assert_int_equal(kq_produce_sync(p, "t.events", "k", "v", 1, 5000, err, sizeof(err)), 0);
    assert_int_equal(kq_producer_fatal(p, err, sizeof(err)), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(kq_partition_count(kq_producer_handle(p), "t.events", 5000, err, sizeof(err)),
                     12);
    assert_int_equal(kq_partition_count(kq_producer_handle(p), "t.nope", 5000, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "t.nope"));
    kq_producer_free(p);
}

struct changes {
    int added, updated, deleted;
};

static void on_change(const char *key, const char *old, size_t old_len, const char *value,
                      size_t len, void *ctx)
{
    struct changes *c = ctx;
    if (!old)
        c->added++;
    else if (value)
        c->updated++;
    else
        c->deleted++;
}

/* "kq - a table holds the latest value per key, tombstones delete, and it stays up to date" */
static void test_table(void **state)
{
    struct mock *m = *state;
    char err[256];
    kq_producer *p = kq_producer_new(&m->o, NULL, NULL, err, sizeof(err));
    assert_non_null(p);
    assert_int_equal(kq_produce_sync(p, "t.clusters", "a", "1", 1, 5000, err, sizeof(err)), 0);
    assert_int_equal(kq_produce_sync(p, "t.clusters", "b", "2", 1, 5000, err, sizeof(err)), 0);
    assert_int_equal(kq_produce_sync(p, "t.clusters", "a", "3", 1, 5000, err, sizeof(err)), 0);
    assert_int_equal(kq_produce_sync(p, "t.clusters", "c", "4", 1, 5000, err, sizeof(err)), 0);
    assert_int_equal(kq_produce_sync(p, "t.clusters", "b", NULL, 0, 5000, err, sizeof(err)), 0);

    struct changes ch = {0, 0, 0};
    kq_table *t = kq_table_new(&m->o, "t.clusters", on_change, &ch, err, sizeof(err));
    assert_non_null(t);
    assert_int_equal(kq_table_sync(t, 10000, err, sizeof(err)), 0);
    assert_int_equal(kq_table_count(t), 2);
    assert_string_equal(kq_table_get(t, "a", NULL), "3");
    assert_null(kq_table_get(t, "b", NULL));
    assert_string_equal(kq_table_get(t, "c", NULL), "4");
    assert_int_equal(kq_table_applied(t), 5);
    size_t n;
    const char **keys = kq_table_keys(t, &n);
    assert_int_equal(n, 2);
    assert_string_equal(keys[0], "a");
    assert_string_equal(keys[1], "c");
    free(keys);

    /* later writes arrive through poll, with change callbacks */
    memset(&ch, 0, sizeof(ch));
    assert_int_equal(kq_produce_sync(p, "t.clusters", "d", "5", 1, 5000, err, sizeof(err)), 0);
    assert_int_equal(kq_produce_sync(p, "t.clusters", "a", "6", 1, 5000, err, sizeof(err)), 0);
    assert_int_equal(kq_produce_sync(p, "t.clusters", "c", NULL, 0, 5000, err, sizeof(err)), 0);
    int64_t deadline = now_ms() + 5000;
    while ((ch.added + ch.updated + ch.deleted) < 3 && now_ms() < deadline)
        kq_table_poll(t, 100);
    assert_int_equal(ch.added, 1);
    assert_int_equal(ch.updated, 1);
    assert_int_equal(ch.deleted, 1);
    assert_string_equal(kq_table_get(t, "a", NULL), "6");

    /* a second sync after more writes reads up to the new end */
    assert_int_equal(kq_produce_sync(p, "t.clusters", "e", "7", 1, 5000, err, sizeof(err)), 0);
    assert_int_equal(kq_table_sync(t, 10000, err, sizeof(err)), 0);
    assert_string_equal(kq_table_get(t, "e", NULL), "7");

    /* a fresh reader sees the same table */
    kq_table *t2 = kq_table_new(&m->o, "t.clusters", NULL, NULL, err, sizeof(err));
    assert_int_equal(kq_table_sync(t2, 10000, err, sizeof(err)), 0);
    assert_int_equal(kq_table_count(t2), kq_table_count(t));
    assert_string_equal(kq_table_get(t2, "d", NULL), "5");
    kq_table_free(t2);
    kq_table_free(t);

    /* an unknown topic is an error that names it */
    t = kq_table_new(&m->o, "t.absent", NULL, NULL, err, sizeof(err));
    assert_int_equal(kq_table_sync(t, 3000, err, sizeof(err)), -1);
    if (!strstr(err, "t.absent"))
        fprintf(stderr, "err=%s\n", err);
    assert_non_null(strstr(err, "t.absent"));
    kq_table_free(t);
    kq_producer_free(p);
}

struct member {
    int assigned, revoked;
};

static void on_rebalance(kq_consumer *c, int assigned, const rd_kafka_topic_partition_list_t *parts,
                         void *ctx)
{
    struct member *mb = ctx;
    if (assigned)
        mb->assigned += parts->cnt;
    else
        mb->revoked += parts->cnt;
}

/* Reads up to want messages within ms; commits each one's offset + 1. Returns how many. */
static int consume_commit(kq_consumer *c, int want, int ms)
{
    char err[256];
    int got = 0;
    int64_t deadline = now_ms() + ms;
    while (got < want && now_ms() < deadline) {
        rd_kafka_message_t *m = kq_consumer_poll(c, 100);
        if (!m)
            continue;
        got++;
        assert_int_equal(kq_consumer_commit_one(c, rd_kafka_topic_name(m->rkt), m->partition,
                                                m->offset + 1, err, sizeof(err)),
                         0);
        rd_kafka_message_destroy(m);
    }
    return got;
}

/* "kq - a group member gets its partitions through the callback and resumes after commits" */
static void test_group_commit(void **state)
{
    struct mock *m = *state;
    char err[256];
    kq_producer *p = kq_producer_new(&m->o, NULL, NULL, err, sizeof(err));
    for (int i = 0; i < 6; i++) {
        char key[16];
        snprintf(key, sizeof(key), "c%d", i);
        assert_int_equal(kq_produce_sync(p, "t.tasks.eu", key, "task", 4, 5000, err, sizeof(err)),
                         0);
    }
    static const char *const topics[] = {"t.tasks.eu"};
    struct member mb = {0, 0};
    kq_consumer *c = kq_consumer_new(&m->o, "vela-worker-eu", 0, on_rebalance, &mb, err,
                                     sizeof(err));
    assert_non_null(c);
    assert_int_equal(kq_consumer_subscribe(c, topics, 1, err, sizeof(err)), 0);
    assert_int_equal(consume_commit(c, 6, 20000), 6);
    assert_int_equal(mb.assigned, 4);
    kq_consumer_free(c); /* close: revokes through the callback */
    assert_int_equal(mb.revoked, 4);

    /* two more tasks; a new member of the group starts after the committed offsets */
    assert_int_equal(kq_produce_sync(p, "t.tasks.eu", "c1", "task", 4, 5000, err, sizeof(err)), 0);
    assert_int_equal(kq_produce_sync(p, "t.tasks.eu", "c2", "task", 4, 5000, err, sizeof(err)), 0);
    memset(&mb, 0, sizeof(mb));
    c = kq_consumer_new(&m->o, "vela-worker-eu", 0, on_rebalance, &mb, err, sizeof(err));
    assert_int_equal(kq_consumer_subscribe(c, topics, 1, err, sizeof(err)), 0);
    assert_int_equal(consume_commit(c, 3, 20000), 2);
    assert_int_equal(kq_consumer_resets(c), 0);
    kq_consumer_free(c);
    kq_producer_free(p);
}

/* "kq - a consumer whose committed offset the broker trimmed away says so, and goes on" */
static void test_offset_out_of_range(void **state)
{
    struct mock *m = *state;
    char err[256];
    kq_producer *p = kq_producer_new(&m->o, NULL, NULL, err, sizeof(err));
    assert_int_equal(kq_produce_sync(p, "t.trim", "k", "first", 5, 5000, err, sizeof(err)), 0);

    /* The group has read the first message (offset 1 committed, without joining). */
    kq_consumer *c = kq_consumer_new(&m->o, "g-trim", 0, NULL, NULL, err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(kq_consumer_commit_one(c, "t.trim", 0, 1, err, sizeof(err)), 0);
    kq_consumer_free(c);

    /* More than the embedded broker keeps per partition (about 5 MiB): the head goes. */
    static char big[16 * 1024];
    memset(big, 'x', sizeof(big));
    for (int i = 0; i < 450; i++)
        assert_int_equal(kq_produce(p, "t.trim", "k", 1, big, sizeof(big), NULL, err, sizeof(err)),
                         0);
    assert_int_equal(kq_producer_flush(p, 20000), 0);
    int64_t lo = 0, hi = 0;
    assert_int_equal(
        rd_kafka_query_watermark_offsets(kq_producer_handle(p), "t.trim", 0, &lo, &hi, 5000), 0);
    assert_true(lo > 1); /* offset 1 is gone */

    int before = kq_consumer_resets(NULL);
    c = kq_consumer_new(&m->o, "g-trim", 0, NULL, NULL, err, sizeof(err));
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, "t.trim", 0)->offset = RD_KAFKA_OFFSET_INVALID;
    assert_int_equal(kq_consumer_assign(c, l, err, sizeof(err)), 0);
    rd_kafka_topic_partition_list_destroy(l);
    int64_t first = -1;
    int64_t deadline = now_ms() + 10000;
    while (first < 0 && now_ms() < deadline) {
        rd_kafka_message_t *msg = kq_consumer_poll(c, 100);
        if (msg) {
            first = msg->offset;
            rd_kafka_message_destroy(msg);
        }
    }
    assert_int_equal(first, lo); /* restarted from the earliest offset kept */
    assert_int_equal(kq_consumer_resets(c), before + 1);
    kq_consumer_free(c);
    kq_producer_free(p);
}

int main(void)
{
    /* librdkafka's mock cluster: the embedded profile, as vela-broker's clients use. */
    setenv("VELA_KAFKA_PROFILE", "embedded", 1);
    log_threshold = LOG_WARN;
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_murmur2_java_values),
        cmocka_unit_test(test_partition_for),
        cmocka_unit_test(test_topic_names),
        cmocka_unit_test(test_conf),
    };
    const struct CMUnitTest mock[] = {
        cmocka_unit_test(test_produce_partitioning),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_group_commit),
        cmocka_unit_test(test_offset_out_of_range),
    };
    int rc = cmocka_run_group_tests_name("kq", pure, NULL, NULL);
    rc |= cmocka_run_group_tests_name("kq-mock", mock, mock_setup, mock_teardown);
    return rc;
}

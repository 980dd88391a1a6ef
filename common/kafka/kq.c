/* The Kafka layer: configuration and profiles, the murmur2 partitioner, topic creation, and
 * the producer and consumer wrappers. See kq.h for the contracts. */
#include "kafka/kq.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/util.h"
#include "base/clock.h"

/* ---- topics ------------------------------------------------------------------------------ */

int kq_topic_name(const vela_opts *o, const char *suffix, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s%s", o->topic_prefix ? o->topic_prefix : "vela.", suffix);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

int kq_tasks_topic(const vela_opts *o, const char *region, char *buf, size_t len)
{
    if (!region || !*region)
        return -1;
    int n = snprintf(buf, len, "%s" KQ_TOPIC_TASKS ".%s",
                     o->topic_prefix ? o->topic_prefix : "vela.", region);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

bool kq_suffix_is_compacted(const char *suffix)
{
    return strcmp(suffix, KQ_TOPIC_APPLICATIONS) == 0 || strcmp(suffix, KQ_TOPIC_CLUSTERS) == 0 ||
           strcmp(suffix, KQ_TOPIC_APP_STATUS) == 0;
}

/* ---- logging ----------------------------------------------------------------------------- */

/* "offset reset" warnings seen by this process (any handle). */
static int kq_resets;

/* librdkafka's log lines, routed into log.h. An offset reset caused by an error (the broker
 * trimmed what the consumer had not read yet) is the one line promoted to a loud error. */
static void kq_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    if (strcmp(fac, "OFFSET") == 0 && strstr(buf, "offset reset") && level <= 4) {
        __atomic_add_fetch(&kq_resets, 1, __ATOMIC_RELAXED);
        log_error("event=offset_out_of_range client=%s detail=\"%s\" "
                  "note=\"messages were trimmed by the broker before this consumer read them; "
                  "they are lost to it; it restarts from the earliest offset kept\"",
                  rd_kafka_name(rk), buf);
        return;
    }
    enum log_level l = level <= 3   ? LOG_ERROR
                       : level == 4 ? LOG_WARN
                       : level <= 6 ? LOG_INFO
                                    : LOG_DEBUG;
    LOG(l, "event=rdkafka client=%s fac=%s msg=\"%s\"", rd_kafka_name(rk), fac, buf);
}

void kq_conf_set_logger(rd_kafka_conf_t *conf)
{
    rd_kafka_conf_set_log_cb(conf, kq_log_cb);
}

/* ---- configuration ----------------------------------------------------------------------- */

int kq_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err, size_t errlen)
{
    char rerr[256];
    if (rd_kafka_conf_set(conf, key, value, rerr, sizeof(rerr)) != RD_KAFKA_CONF_OK)
        return err_set(err, errlen, "kafka property \"%s\": %s", key, rerr);
    return 0;
}

struct kq_kv {
    const char *key;
    const char *value;
};

/* The embedded broker (librdkafka 2.0.2's mock): it holds an empty Fetch for the whole
 * fetch.wait.max.ms, and a group rebalance takes about session.timeout.ms. */
static const struct kq_kv kq_embedded_common[] = {
    {"socket.nagle.disable", "true"},
};
static const struct kq_kv kq_embedded_consumer[] = {
    {"fetch.wait.max.ms", "10"},
    {"fetch.error.backoff.ms", "50"},
    {"session.timeout.ms", "6000"},
    {"heartbeat.interval.ms", "1000"},
};
static const struct kq_kv kq_producer_settings[] = {
    {"enable.idempotence", "true"},
    {"partitioner", "murmur2_random"},
};
static const struct kq_kv kq_consumer_settings[] = {
    {"enable.auto.commit", "false"},
    {"enable.auto.offset.store", "false"},
    {"auto.offset.reset", "earliest"},
    {"enable.partition.eof", "false"},
};

static int kq_conf_apply(rd_kafka_conf_t *conf, const struct kq_kv *kv, size_t n, char *err,
                         size_t errlen)
{
    for (size_t i = 0; i < n; i++)
        if (kq_conf_set(conf, kv[i].key, kv[i].value, err, errlen) < 0)
            return -1;
    return 0;
}

static rd_kafka_conf_t *kq_conf_build(const vela_opts *o, kq_role role, kq_profile prof, char *err,
                                      size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, kq_log_cb);
    if (kq_conf_set(conf, "bootstrap.servers", o->bootstrap_servers, err, errlen) < 0)
        goto fail;
    if (prof == KQ_PROFILE_EMBEDDED) {
        if (kq_conf_apply(conf, kq_embedded_common, ARRAY_LEN(kq_embedded_common), err, errlen) < 0)
            goto fail;
        if (role == KQ_ROLE_CONSUMER &&
            kq_conf_apply(conf, kq_embedded_consumer, ARRAY_LEN(kq_embedded_consumer), err,
                          errlen) < 0)
            goto fail;
    }
    if (role == KQ_ROLE_PRODUCER &&
        kq_conf_apply(conf, kq_producer_settings, ARRAY_LEN(kq_producer_settings), err, errlen) < 0)
        goto fail;
    if (role == KQ_ROLE_CONSUMER &&
        kq_conf_apply(conf, kq_consumer_settings, ARRAY_LEN(kq_consumer_settings), err, errlen) < 0)
        goto fail;
    for (size_t i = 0; i < o->nx; i++)
        if (kq_conf_set(conf, o->x_keys[i], o->x_values[i], err, errlen) < 0)
            goto fail;
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

static pthread_mutex_t kq_profile_lock = PTHREAD_MUTEX_INITIALIZER;
static int kq_profile_cached = -1;

static void kq_quiet_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    log_debug("event=rdkafka client=%s fac=%s msg=\"%s\"", rd_kafka_name(rk), fac, buf);
}

/* Asks the brokers for their cluster id: librdkafka's mock names its clusters "mockCluster...".
 * Quiet: the handle that will do the real work reports unreachable brokers. */
static kq_profile kq_profile_detect(const vela_opts *o)
{
    char err[256];
    rd_kafka_conf_t *conf = kq_conf_build(o, KQ_ROLE_ADMIN, KQ_PROFILE_KAFKA, err, sizeof(err));
    if (!conf)
        return KQ_PROFILE_KAFKA;
    rd_kafka_conf_set_log_cb(conf, kq_quiet_log_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return KQ_PROFILE_KAFKA;
    }
    kq_profile prof = KQ_PROFILE_KAFKA;
    char *id = rd_kafka_clusterid(rk, 3000);
    if (id && strncmp(id, "mockCluster", 11) == 0)
        prof = KQ_PROFILE_EMBEDDED;
    log_debug("event=kafka_profile_detected cluster_id=%s profile=%s", id ? id : "(none)",
              kq_profile_name(prof));
    if (id)
        rd_kafka_mem_free(rk, id);
    rd_kafka_destroy(rk);
    return prof;
}

kq_profile kq_profile_get(const vela_opts *o)
{
    pthread_mutex_lock(&kq_profile_lock);
    if (kq_profile_cached < 0) {
        const char *env = getenv("VELA_KAFKA_PROFILE");
        if (env && strcmp(env, "embedded") == 0)
            kq_profile_cached = KQ_PROFILE_EMBEDDED;
        else if (env && strcmp(env, "kafka") == 0)
            kq_profile_cached = KQ_PROFILE_KAFKA;
        else {
            if (env && *env)
                log_warn("event=bad_env VELA_KAFKA_PROFILE=\"%s\" expected=embedded|kafka", env);
            kq_profile_cached = (int)kq_profile_detect(o);
        }
    }
    kq_profile p = (kq_profile)kq_profile_cached;
    pthread_mutex_unlock(&kq_profile_lock);
    return p;
}

const char *kq_profile_name(kq_profile p)
{
    return p == KQ_PROFILE_EMBEDDED ? "embedded" : "kafka";
}

rd_kafka_conf_t *kq_conf_new(const vela_opts *o, kq_role role, char *err, size_t errlen)
{
    return kq_conf_build(o, role, kq_profile_get(o), err, errlen);
}

/* ---- partitioning ------------------------------------------------------------------------ */

int32_t kq_murmur2(const void *key, size_t len)
{
    const uint32_t m = 0x5bd1e995;
    const int r = 24;
    const unsigned char *data = key;
    uint32_t h = 0x9747b28cu ^ (uint32_t)len;
    size_t i;

    for (i = 0; i + 4 <= len; i += 4) {
        uint32_t k = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 | (uint32_t)data[i + 2] << 16 |
                     (uint32_t)data[i + 3] << 24;
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    switch (len & 3) {
    case 3:
        h ^= (uint32_t)data[i + 2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)data[i + 1] << 8;
        /* fall through */
    case 1: h ^= (uint32_t)data[i]; h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)h;
}

int32_t kq_partition_for(const void *key, size_t len, int32_t partition_count)
{
    if (partition_count <= 0)
        return -1;
    return (int32_t)(((uint32_t)kq_murmur2(key, len) & 0x7fffffffu) % (uint32_t)partition_count);
}

/* ---- topics on the brokers --------------------------------------------------------------- */

int kq_partition_count(rd_kafka_t *rk, const char *topic, int timeout_ms, char *err, size_t errlen)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms);
    if (e)
        return err_set(err, errlen, "cannot read the topics' metadata: %s", rd_kafka_err2str(e));
    int n = -1, seen = 0;
    for (int i = 0; i < md->topic_cnt && !seen; i++) {
        if (strcmp(md->topics[i].topic, topic) != 0)
            continue;
        seen = 1;
        if (md->topics[i].err)
            err_set(err, errlen, "topic \"%s\": %s", topic, rd_kafka_err2str(md->topics[i].err));
        else if (md->topics[i].partition_cnt <= 0)
            err_set(err, errlen, "topic \"%s\" has no partitions", topic);
        else
            n = md->topics[i].partition_cnt;
    }
    if (!seen)
        err_set(err, errlen, "topic \"%s\" does not exist", topic);
    rd_kafka_metadata_destroy(md);
    return n;
}

/* Topics this process already found or created (names joined by '\n'). */
static pthread_mutex_t kq_known_lock = PTHREAD_MUTEX_INITIALIZER;
static char kq_known[8192];

static bool kq_known_has(const char *topic)
{
    size_t n = strlen(topic);
    pthread_mutex_lock(&kq_known_lock);
    bool found = false;
    for (const char *p = kq_known; *p;) {
        const char *nl = strchr(p, '\n');
        if ((size_t)(nl - p) == n && memcmp(p, topic, n) == 0) {
            found = true;
            break;
        }
        p = nl + 1;
    }
    pthread_mutex_unlock(&kq_known_lock);
    return found;
}

static void kq_known_add(const char *topic)
{
    pthread_mutex_lock(&kq_known_lock);
    size_t used = strlen(kq_known);
    if (used + strlen(topic) + 2 < sizeof(kq_known))
        snprintf(kq_known + used, sizeof(kq_known) - used, "%s\n", topic);
    pthread_mutex_unlock(&kq_known_lock);
}

int kq_topic_ensure_name(rd_kafka_t *rk, const vela_opts *o, const char *topic, bool compact,
                         char *err, size_t errlen)
{
    char merr[256] = "";
    if (kq_known_has(topic) || kq_profile_get(o) == KQ_PROFILE_EMBEDDED)
        return 0;
    /* Unreachable brokers are the common failure: say so, rather than try to create. */
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t me = rd_kafka_metadata(rk, 1, NULL, &md, 5000);
    if (me)
        return err_set(err, errlen,
                       "cannot reach the Kafka brokers at %s (%s); is the broker running "
                       "(vela-broker) and --bootstrap-servers right?",
                       o->bootstrap_servers, rd_kafka_err2str(me));
    int exists = 0;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0 && !md->topics[i].err &&
            md->topics[i].partition_cnt > 0)
            exists = 1;
    rd_kafka_metadata_destroy(md);
    if (exists) {
        kq_known_add(topic);
        return 0;
    }

    char rerr[256];
    int rc = -1;
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, KQ_DEFAULT_PARTITIONS, -1, rerr,
                                                    sizeof(rerr));
    if (!nt)
        return err_set(err, errlen, "topic \"%s\": %s", topic, rerr);
    if (compact && rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact")) {
        rd_kafka_NewTopic_destroy(nt);
        return err_set(err, errlen, "topic \"%s\": cannot set cleanup.policy", topic);
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    /* A broker without CreateTopics may never answer (librdkafka's mock): bound the wait. */
    rd_kafka_AdminOptions_t *aopts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    if (aopts && rd_kafka_AdminOptions_set_request_timeout(aopts, 8000, rerr, sizeof(rerr)))
        log_warn("event=admin_option_rejected error=\"%s\"", rerr);
    rd_kafka_CreateTopics(rk, &nt, 1, aopts, q);
    if (aopts)
        rd_kafka_AdminOptions_destroy(aopts);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 15000);
    if (!ev) {
        err_set(err, errlen, "topic \"%s\": no answer to CreateTopics in 15 s", topic);
        goto cleanup;
    }
    rd_kafka_resp_err_t e = rd_kafka_event_error(ev);
    if (!e) {
        size_t cnt = 0;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
        e = cnt ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
        if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            err_set(err, errlen, "cannot create topic \"%s\": %s", topic,
                    rd_kafka_topic_result_error_string(res[0]));
            goto cleanup;
        }
        log_info("event=topic_created topic=%s partitions=%d compact=%d", topic,
                 KQ_DEFAULT_PARTITIONS, compact);
    } else if (kq_partition_count(rk, topic, 5000, merr, sizeof(merr)) <= 0) {
        /* A broker without CreateTopics (librdkafka's mock): use what exists. */
        err_set(err, errlen, "topic \"%s\" does not exist and cannot be created (%s)", topic,
                rd_kafka_event_error_string(ev));
        goto cleanup;
    }
    kq_known_add(topic);
    rc = 0;
cleanup:
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}

int kq_topics_ensure(rd_kafka_t *rk, const vela_opts *o, const char *const *suffixes, size_t n,
                     char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        char topic[256];
        if (kq_topic_name(o, suffixes[i], topic, sizeof(topic)) < 0)
            return err_set(err, errlen, "topic name too long");
        if (kq_topic_ensure_name(rk, o, topic, kq_suffix_is_compacted(suffixes[i]), err, errlen) <
            0)
            return -1;
    }
    return 0;
}

/* ---- producer ---------------------------------------------------------------------------- */

struct kq_producer {
    rd_kafka_t *rk;
    const vela_opts *opts;
    bool ensure; /* a real Kafka: make sure topics exist on first use */
    char bootstrap[256];
    kq_delivery_fn on_delivery;
    void *ctx;
    /* kq_produce_sync's one message in flight, recognised by its opaque. */
    int sync_done;
    rd_kafka_resp_err_t sync_err;
    char fatal[256];
    rd_kafka_resp_err_t fatal_err;
    /* Topics whose metadata this producer has asked for (kq_producer_warm). */
    pthread_mutex_t warm_lock;
    char **warm;
    size_t nwarm;
};

/* Makes sure the producer knows topic's partitions before its first message. librdkafka
 * leaves a message to an unknown topic waiting for its periodic scan, up to a second after
 * the produce call; one metadata request for the topic now takes a millisecond or two. Best
 * effort: on failure the message simply waits for the scan, as before. */
static void kq_producer_warm(struct kq_producer *p, const char *topic)
{
    pthread_mutex_lock(&p->warm_lock);
    for (size_t i = 0; i < p->nwarm; i++) {
        if (strcmp(p->warm[i], topic) == 0) {
            pthread_mutex_unlock(&p->warm_lock);
            return;
        }
    }
    p->warm = xrealloc(p->warm, (p->nwarm + 1) * sizeof(*p->warm));
    p->warm[p->nwarm++] = xstrdup(topic);
    pthread_mutex_unlock(&p->warm_lock);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(p->rk, topic, NULL);
    if (!rkt)
        return;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(p->rk, 0, rkt, &md, 2000);
    if (e)
        log_debug("event=topic_metadata topic=%s error=\"%s\"", topic, rd_kafka_err2str(e));
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
}

static void kq_producer_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct kq_producer *p = opaque;
    if (m->_private == &p->sync_done) {
        p->sync_done = 1;
        p->sync_err = m->err;
        return;
    }
    if (m->err)
        log_warn("event=delivery_failed topic=%s partition=%d error=\"%s\"",
                 rd_kafka_topic_name(m->rkt), (int)m->partition, rd_kafka_err2str(m->err));
    if (p->on_delivery)
        p->on_delivery(m, m->_private, p->ctx);
}

static void kq_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[256];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, buf, sizeof(buf));
        log_error("event=kafka_fatal client=%s error=%s reason=\"%s\"", rd_kafka_name(rk),
                  rd_kafka_err2name(orig), buf);
        return;
    }
    /* Everything else is retried by librdkafka; say it once in the log. */
    log_warn("event=kafka_error client=%s error=%s reason=\"%s\"", rd_kafka_name(rk),
             rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

kq_producer *kq_producer_new(const vela_opts *o, kq_delivery_fn on_delivery, void *ctx, char *err,
                             size_t errlen)
{
    rd_kafka_conf_t *conf = kq_conf_new(o, KQ_ROLE_PRODUCER, err, errlen);
    if (!conf)
        return NULL;
    struct kq_producer *p = xcalloc(1, sizeof(*p));
    snprintf(p->bootstrap, sizeof(p->bootstrap), "%s", o->bootstrap_servers);
    pthread_mutex_init(&p->warm_lock, NULL);
    p->opts = o;
    p->ensure = kq_profile_get(o) != KQ_PROFILE_EMBEDDED;
    p->on_delivery = on_delivery;
    p->ctx = ctx;
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_conf_set_dr_msg_cb(conf, kq_producer_dr);
    rd_kafka_conf_set_error_cb(conf, kq_error_cb);
    char rerr[256];
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, rerr, sizeof(rerr));
    if (!p->rk) {
        rd_kafka_conf_destroy(conf);
        pthread_mutex_destroy(&p->warm_lock);
        free(p);
        err_set(err, errlen, "cannot create a Kafka producer: %s", rerr);
        return NULL;
    }
    return p;
}

/* Whether topic is one of the prefix's compacted tables. */
static bool kq_topic_is_compacted(const vela_opts *o, const char *topic)
{
    static const char *const tables[] = {KQ_TOPIC_APPLICATIONS, KQ_TOPIC_CLUSTERS,
                                         KQ_TOPIC_APP_STATUS};
    char name[256];
    for (size_t i = 0; i < ARRAY_LEN(tables); i++)
        if (kq_topic_name(o, tables[i], name, sizeof(name)) == 0 && strcmp(name, topic) == 0)
            return true;
    return false;
}

int kq_produce(kq_producer *p, const char *topic, const char *key, size_t klen, const void *value,
               size_t vlen, void *msg_opaque, char *err, size_t errlen)
{
    /* First use of a topic on a real Kafka: create it (compacted when a table) rather than
     * let the broker auto-create it with its defaults. Free after the first time. */
    if (p->ensure && !kq_known_has(topic) &&
        kq_topic_ensure_name(p->rk, p->opts, topic, kq_topic_is_compacted(p->opts, topic), err,
                             errlen) < 0)
        return -1;
    kq_producer_warm(p, topic);
    int64_t deadline = now_ms() + 10000;
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(topic),
                                                  RD_KAFKA_V_KEY(key, klen),
                                                  RD_KAFKA_V_VALUE((void *)value, value ? vlen : 0),
                                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                                  RD_KAFKA_V_OPAQUE(msg_opaque), RD_KAFKA_V_END);
        if (!e)
            return 0;
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL && now_ms() < deadline) {
            rd_kafka_poll(p->rk, 100);
            continue;
        }
        return err_set(err, errlen, "cannot produce to \"%s\": %s", topic, rd_kafka_err2str(e));
    }
}

int kq_producer_poll(kq_producer *p, int timeout_ms)
{
    return rd_kafka_poll(p->rk, timeout_ms);
}

int kq_producer_flush(kq_producer *p, int timeout_ms)
{
    rd_kafka_flush(p->rk, timeout_ms);
    int left = rd_kafka_outq_len(p->rk);
    if (left > 0)
        log_error("event=undelivered client=%s messages=%d waited_ms=%d", rd_kafka_name(p->rk),
                  left, timeout_ms);
    return left;
}

int kq_produce_sync(kq_producer *p, const char *topic, const char *key, const void *value,
                    size_t vlen, int timeout_ms, char *err, size_t errlen)
{
    p->sync_done = 0;
    p->sync_err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (kq_produce(p, topic, key, strlen(key), value, vlen, &p->sync_done, err, errlen) < 0)
        return -1;
    int64_t deadline = now_ms() + timeout_ms;
    while (!p->sync_done && now_ms() < deadline) {
        rd_kafka_poll(p->rk, 50);
        if (kq_producer_fatal(p, err, errlen))
            return -1;
    }
    if (!p->sync_done) {
        /* Still queued: purge it so that a late delivery cannot surprise the caller. */
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(p->rk, 0);
        return err_set(err, errlen,
                       "no acknowledgement from the Kafka brokers at %s within %d ms; "
                       "is the broker running (vela-broker) and --bootstrap-servers right?",
                       p->bootstrap, timeout_ms);
    }
    if (p->sync_err)
        return err_set(err, errlen, "cannot write to \"%s\": %s", topic,
                       rd_kafka_err2str(p->sync_err));
    return 0;
}

rd_kafka_resp_err_t kq_producer_fatal(kq_producer *p, char *err, size_t errlen)
{
    char buf[256];
    rd_kafka_resp_err_t e = rd_kafka_fatal_error(p->rk, buf, sizeof(buf));
    if (e)
        err_set(err, errlen, "fatal Kafka producer error: %s", buf);
    return e;
}

rd_kafka_t *kq_producer_handle(kq_producer *p)
{
    return p->rk;
}

void kq_producer_free(kq_producer *p)
{
    if (!p)
        return;
    kq_producer_flush(p, 10000);
    rd_kafka_destroy(p->rk);
    for (size_t i = 0; i < p->nwarm; i++)
        free(p->warm[i]);
    free(p->warm);
    pthread_mutex_destroy(&p->warm_lock);
    free(p);
}

/* ---- consumer ---------------------------------------------------------------------------- */

struct kq_consumer {
    rd_kafka_t *rk;
    int flags;
    kq_rebalance_fn on_rebalance;
    void *ctx;
};

static void kq_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t e,
                            rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct kq_consumer *c = opaque;
    int coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    rd_kafka_error_t *error = NULL;
    rd_kafka_resp_err_t ae = RD_KAFKA_RESP_ERR_NO_ERROR;

    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        log_info("event=partitions_assigned client=%s count=%d", rd_kafka_name(rk), parts->cnt);
        if (coop)
            error = rd_kafka_incremental_assign(rk, parts);
        else
            ae = rd_kafka_assign(rk, parts);
        if (c->on_rebalance)
            c->on_rebalance(c, 1, parts, c->ctx);
    } else {
        if (e == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
            log_info("event=partitions_revoked client=%s count=%d", rd_kafka_name(rk), parts->cnt);
            if (c->on_rebalance)
                c->on_rebalance(c, 0, parts, c->ctx);
        } else {
            log_warn("event=rebalance_error client=%s error=\"%s\"", rd_kafka_name(rk),
                     rd_kafka_err2str(e));
        }
        if (coop)
            error = rd_kafka_incremental_unassign(rk, parts);
        else
            ae = rd_kafka_assign(rk, NULL);
    }
    if (error) {
        log_error("event=assign_failed client=%s error=\"%s\"", rd_kafka_name(rk),
                  rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    } else if (ae) {
        log_error("event=assign_failed client=%s error=\"%s\"", rd_kafka_name(rk),
                  rd_kafka_err2str(ae));
    }
}

kq_consumer *kq_consumer_new(const vela_opts *o, const char *group, int flags,
                             kq_rebalance_fn on_rebalance, void *ctx, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = kq_conf_new(o, KQ_ROLE_CONSUMER, err, errlen);
    if (!conf)
        return NULL;
    if ((flags & KQ_CONSUMER_EOF) &&
        kq_conf_set(conf, "enable.partition.eof", "true", err, errlen) < 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    /* librdkafka's consumer needs a group.id even to be assigned partitions; without
     * subscribe and commits it never joins that group, so one fixed name serves. */
    if (kq_conf_set(conf, "group.id", group ? group : "vela-assign-only", err, errlen) < 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    struct kq_consumer *c = xcalloc(1, sizeof(*c));
    c->flags = flags;
    c->on_rebalance = on_rebalance;
    c->ctx = ctx;
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_conf_set_error_cb(conf, kq_error_cb);
    if (group)
        rd_kafka_conf_set_rebalance_cb(conf, kq_rebalance_cb);
    char rerr[256];
    c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, rerr, sizeof(rerr));
    if (!c->rk) {
        rd_kafka_conf_destroy(conf);
        free(c);
        err_set(err, errlen, "cannot create a Kafka consumer: %s", rerr);
        return NULL;
    }
    rd_kafka_poll_set_consumer(c->rk);
    return c;
}

int kq_consumer_subscribe(kq_consumer *c, const char *const *topics, size_t n, char *err,
                          size_t errlen)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n);
    for (size_t i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(l, topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(c->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        return err_set(err, errlen, "cannot subscribe: %s", rd_kafka_err2str(e));
    return 0;
}

int kq_consumer_assign(kq_consumer *c, const rd_kafka_topic_partition_list_t *parts, char *err,
                       size_t errlen)
{
    rd_kafka_resp_err_t e = rd_kafka_assign(c->rk, parts);
    if (e)
        return err_set(err, errlen, "cannot assign partitions: %s", rd_kafka_err2str(e));
    return 0;
}

rd_kafka_message_t *kq_consumer_poll(kq_consumer *c, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        int64_t left = deadline - now_ms();
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, left > 0 ? (int)left : 0);
        if (!m)
            return NULL;
        if (!m->err || (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && (c->flags & KQ_CONSUMER_EOF)))
            return m;
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
                char buf[256];
                rd_kafka_fatal_error(c->rk, buf, sizeof(buf));
                log_error("event=kafka_fatal client=%s reason=\"%s\"", rd_kafka_name(c->rk), buf);
            } else {
                log_warn("event=consumer_error client=%s topic=%s partition=%d error=\"%s\"",
                         rd_kafka_name(c->rk), m->rkt ? rd_kafka_topic_name(m->rkt) : "-",
                         (int)m->partition, rd_kafka_message_errstr(m));
            }
        }
        rd_kafka_message_destroy(m);
        if (now_ms() >= deadline)
            return NULL;
    }
}

int kq_consumer_commit(kq_consumer *c, const rd_kafka_topic_partition_list_t *offsets, char *err,
                       size_t errlen)
{
    rd_kafka_resp_err_t e = rd_kafka_commit(c->rk, offsets, 0);
    if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
        return err_set(err, errlen, "cannot commit offsets: %s", rd_kafka_err2str(e));
    return 0;
}

int kq_consumer_commit_one(kq_consumer *c, const char *topic, int32_t partition, int64_t next,
                           char *err, size_t errlen)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = next;
    int rc = kq_consumer_commit(c, l, err, errlen);
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

int kq_consumer_resets(const kq_consumer *c)
{
    (void)c;
    return __atomic_load_n(&kq_resets, __ATOMIC_RELAXED);
}

rd_kafka_resp_err_t kq_consumer_fatal(kq_consumer *c, char *err, size_t errlen)
{
    char buf[256];
    rd_kafka_resp_err_t e = rd_kafka_fatal_error(c->rk, buf, sizeof(buf));
    if (e)
        err_set(err, errlen, "fatal Kafka consumer error: %s", buf);
    return e;
}

rd_kafka_t *kq_consumer_handle(kq_consumer *c)
{
    return c->rk;
}

/* Leaves the group within KQ_CLOSE_WAIT_MS: rd_kafka_consumer_close can wait forever when
 * the brokers went away. The close runs in the background; rebalance callbacks run while
 * its queue is polled. Returns whether the consumer is closed. */
#define KQ_CLOSE_WAIT_MS 10000
static bool kq_consumer_close_bounded(kq_consumer *c)
{
    rd_kafka_t *rk = c->rk;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_error_t *e = rd_kafka_consumer_close_queue(rk, q);
    if (e) {
        log_warn("event=consumer_close_failed client=%s error=\"%s\"", rd_kafka_name(rk),
                 rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        rd_kafka_queue_destroy(q);
        return true;
    }
    int64_t until = now_ms() + KQ_CLOSE_WAIT_MS;
    while (!rd_kafka_consumer_closed(rk) && now_ms() < until) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
        if (!ev)
            continue;
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE) /* the revocation */
            kq_rebalance_cb(rk, rd_kafka_event_error(ev), rd_kafka_event_topic_partition_list(ev),
                            c);
        rd_kafka_event_destroy(ev);
    }
    bool closed = rd_kafka_consumer_closed(rk);
    rd_kafka_queue_destroy(q);
    return closed;
}

void kq_consumer_free(kq_consumer *c)
{
    if (!c)
        return;
    if (kq_consumer_close_bounded(c)) {
        rd_kafka_destroy(c->rk);
    } else { /* the brokers are gone: destroy without a second close, which would hang */
        log_warn("event=consumer_close_timeout client=%s waited_ms=%d", rd_kafka_name(c->rk),
                 KQ_CLOSE_WAIT_MS);
        rd_kafka_destroy_flags(c->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    }
    free(c);
}

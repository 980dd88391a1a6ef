/* vela-scheduler: owns the Applications of the partitions it is assigned (consumer group
 * vela-scheduler on vela.events; the same partitions of vela.applications are read from the
 * beginning), rebuilds their state from vela.app-status, and runs the engine. Stateless: any
 * number of instances can be started, stopped or killed. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/cmdline.h"
#include "base/jpool.h"
#include "base/signals.h"
#include "registry/cluster_registry.h"
#include "engine.h"
#include "kafka/kq.h"
#include "kafka/kq_reject.h"
#include "kafka/kq_table.h"
#include "base/log.h"
#include "kafka/opts.h"
#include "base/util.h"
#include "base/clock.h"

static const cmdline_opt sched_opts[] = {
    {.name = "max-attempts",
     .kind = CMDLINE_INT,
     .min = 1,
     .max = 1000000,
     .arg = "N",
     .offset = offsetof(engine_opts, max_attempts),
     .help = "failed attempts of a step before the workflow fails (default 10)"},
    {.name = "backoff",
     .kind = CMDLINE_DURATION,
     .min = 1,
     .arg = "DURATION",
     .offset = offsetof(engine_opts, backoff_ms),
     .help = "first retry delay, doubled on every attempt up to 1m (default 1s)"},
    {.name = "resync",
     .kind = CMDLINE_DURATION,
     .min = 0,
     .arg = "DURATION",
     .offset = offsetof(engine_opts, resync_ms),
     .help = "re-apply finished Applications and judge their health again this\n"
             "often, correcting drift (default 5m; 0 turns it off)"},
    {0},
};

static const cmdline_cmd sched_cmd = {
    .name = "vela-scheduler",
    .about = "Turns Applications (vela.applications) into deploy tasks (vela.tasks.<region>),\n"
             "follows the workers' events (vela.events) and publishes each Application's\n"
             "status (vela.app-status). Start as many as you like: they share the partitions\n"
             "(consumer group vela-scheduler) and rebuild their state from the topics. The\n"
             "scheduler never opens credentials (no VELA_SECRET_KEY_FILE needed).\n",
};

#define SCHED_MAX_PARTITIONS 1024

/* A partition of vela.applications being read up to its end after an assignment. */
struct sched_loading {
    int active;
    int64_t end;     /* high watermark at assignment */
    json_t *latest;  /* key -> value string, or null for a tombstone */
    json_t *offsets; /* key -> the offset of that value, for reports about it */
};

struct sched {
    vela_opts *opts;
    engine *eng;
    kq_producer *prod;
    kq_consumer *events; /* group member */
    kq_consumer *apps;   /* assign-only reader of vela.applications */
    kq_table *status;    /* vela.app-status, all partitions */
    registry *reg;
    int clusters_dirty;
    char topic_apps[256], topic_events[256], topic_status[256];
    int32_t nparts;
    int owned[SCHED_MAX_PARTITIONS];
    struct sched_loading loading[SCHED_MAX_PARTITIONS];
    json_t *ensured_topics; /* tasks topics checked on a real Kafka */
    uint64_t tasks_sent, statuses_sent, events_seen;
};

/* ---- engine_io ---- */

static int sched_send_task(void *ctx, const char *cluster, const char *region, const json_t *task)
{
    struct sched *s = ctx;
    char topic[256], err[512];
    if (kq_tasks_topic(s->opts, region, topic, sizeof(topic)) < 0)
        return -1;
    if (!json_object_get(s->ensured_topics, topic)) {
        if (kq_topic_ensure_name(kq_producer_handle(s->prod), s->opts, topic, false, err,
                                 sizeof(err)) < 0)
            log_warn("event=topic-ensure topic=%s error=\"%s\"", topic, err);
        json_object_set_new(s->ensured_topics, topic, json_true());
    }
    char *value = vela_json_dumps(task, JSON_COMPACT);
    int rc = kq_produce(s->prod, topic, cluster, strlen(cluster), value, strlen(value), NULL, err,
                        sizeof(err));
    if (rc < 0)
        log_error("event=task-produce topic=%s cluster=%s error=\"%s\"", topic, cluster, err);
    else
        s->tasks_sent++;
    log_debug("event=task topic=%s cluster=%s task=%s", topic, cluster,
              json_string_value(json_object_get(task, "taskId")));
    free(value);
    return rc;
}

static int sched_send_status(void *ctx, const char *key, const json_t *status)
{
    struct sched *s = ctx;
    char err[512];
    char *value = status ? vela_json_dumps(status, JSON_COMPACT) : NULL;
    int rc = kq_produce(s->prod, s->topic_status, key, strlen(key), value,
                        value ? strlen(value) : 0, NULL, err, sizeof(err));
    if (rc < 0)
        log_error("event=status-produce app=%s error=\"%s\"", key, err);
    else
        s->statuses_sent++;
    free(value);
    return rc;
}

/* ---- clusters ---- */

static void sched_on_cluster(const char *key, const char *old, size_t old_len, const char *value,
                             size_t len, void *ctx)
{
    struct sched *s = ctx;
    (void)key, (void)old, (void)old_len, (void)value, (void)len;
    s->clusters_dirty = 1;
}

static void sched_load_clusters(struct sched *s)
{
    size_t n = 0;
    const char **names = registry_names(s->reg, &n);
    engine_cluster *list = xcalloc(n, sizeof(*list));
    cluster_record *recs = xcalloc(n, sizeof(*recs));
    size_t m = 0;
    char err[512];
    for (size_t i = 0; i < n; i++) {
        cluster_record_init(&recs[m]);
        if (registry_get(s->reg, names[i], &recs[m], err, sizeof(err)) != 0) {
            /* a bad record was reported when it arrived (registry.c); only a debug line */
            log_debug("event=cluster-skip cluster=%s error=\"%s\"", names[i], err);
            cluster_record_release(&recs[m]);
            continue;
        }
        list[m].name = recs[m].name;
        list[m].labels = recs[m].labels;
        list[m].region = recs[m].region;
        m++;
    }
    engine_set_clusters(s->eng, list, m, wall_ms());
    log_info("event=clusters count=%zu", m);
    for (size_t i = 0; i < m; i++)
        cluster_record_release(&recs[i]);
    free(recs);
    free(list);
    free(names);
    s->clusters_dirty = 0;
}

/* ---- partitions ---- */

static int32_t sched_partition_of(const struct sched *s, const char *key)
{
    return kq_partition_for(key, strlen(key), s->nparts);
}

static void sched_finish_loading(struct sched *s, int32_t p)
{
    struct sched_loading *l = &s->loading[p];
    const char *key;
    json_t *v;
    int64_t now = wall_ms();
    while (kq_table_poll(s->status, 0) > 0)
        ;
    json_object_foreach(l->latest, key, v) {
        size_t slen = 0;
        char serr[1024], rerr[1024];
        const char *raw = kq_table_get(s->status, key, &slen);
        json_t *pos = json_object_get(l->offsets, key);
        int refused = engine_app_load(s->eng, key, json_is_null(v) ? NULL : json_string_value(v),
                                      json_string_length(v), raw, slen, now, serr, rerr,
                                      sizeof(serr));
        if (refused & ENGINE_REFUSED_STATUS) {
            int32_t sp = -1;
            int64_t so = -1;
            kq_table_where(s->status, key, &sp, &so);
            kq_reject_report(s->topic_status, sp, so, key, strlen(key), serr);
        }
        if (refused & ENGINE_REFUSED_RECORD)
            kq_reject_report(s->topic_apps, p, json_integer_value(pos), key, strlen(key), rerr);
    }
    log_info("event=partition-loaded partition=%d apps=%zu", p, json_object_size(l->latest));
    json_decref(l->latest);
    json_decref(l->offsets);
    l->latest = NULL;
    l->offsets = NULL;
    l->active = 0;
}

struct sched_forget_ctx {
    struct sched *s;
    int32_t partition;
};

static void sched_forget_key(const char *key, void *ctx)
{
    struct sched_forget_ctx *f = ctx;
    if (sched_partition_of(f->s, key) == f->partition)
        engine_app_forget(f->s->eng, key);
}

static void sched_on_rebalance(kq_consumer *c, int assigned,
                               const rd_kafka_topic_partition_list_t *parts, void *ctx)
{
    struct sched *s = ctx;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(parts->cnt);
    (void)c;
    for (int i = 0; i < parts->cnt; i++) {
        int32_t p = parts->elems[i].partition;
        if (p < 0 || p >= SCHED_MAX_PARTITIONS || p >= s->nparts)
            continue;
        if (assigned && !s->owned[p]) {
            int64_t lo = 0, hi = 0;
            rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(kq_consumer_handle(s->apps),
                                                                     s->topic_apps, p, &lo, &hi,
                                                                     5000);
            if (e)
                log_warn("event=watermark partition=%d error=\"%s\"", p, rd_kafka_err2str(e));
            s->owned[p] = 1;
            s->loading[p].active = 1;
            s->loading[p].end = e ? 0 : hi;
            s->loading[p].latest = json_object();
            s->loading[p].offsets = json_object();
            rd_kafka_topic_partition_list_add(list, s->topic_apps, p)->offset =
                RD_KAFKA_OFFSET_BEGINNING;
            if (s->loading[p].end <= lo)
                sched_finish_loading(s, p);
        } else if (!assigned && s->owned[p]) {
            struct sched_forget_ctx f = {s, p};
            s->owned[p] = 0;
            json_decref(s->loading[p].latest);
            json_decref(s->loading[p].offsets);
            s->loading[p].latest = NULL;
            s->loading[p].offsets = NULL;
            s->loading[p].active = 0;
            engine_foreach_key(s->eng, sched_forget_key, &f);
            rd_kafka_topic_partition_list_add(list, s->topic_apps, p);
        }
    }
    if (list->cnt) {
        rd_kafka_error_t *err = assigned
                                    ? rd_kafka_incremental_assign(kq_consumer_handle(s->apps), list)
                                    : rd_kafka_incremental_unassign(kq_consumer_handle(s->apps),
                                                                    list);
        if (err) {
            log_error("event=apps-assign error=\"%s\"", rd_kafka_error_string(err));
            rd_kafka_error_destroy(err);
        }
        log_info("event=%s partitions=%d", assigned ? "assigned" : "revoked", list->cnt);
    }
    rd_kafka_topic_partition_list_destroy(list);
}

/* ---- messages ---- */

static void sched_on_application(struct sched *s, rd_kafka_message_t *m)
{
    char key[512];
    int32_t p = m->partition;
    if (!m->key || m->key_len == 0 || m->key_len >= sizeof(key)) {
        log_warn("event=bad-record partition=%d offset=%lld reason=\"missing or oversized key\"", p,
                 (long long)m->offset);
        return;
    }
    memcpy(key, m->key, m->key_len);
    key[m->key_len] = '\0';
    if (p < 0 || p >= SCHED_MAX_PARTITIONS || !s->owned[p])
        return;
    struct sched_loading *l = &s->loading[p];
    if (l->active) {
        json_object_set_new(l->latest, key,
                            m->payload ? json_stringn_nocheck(m->payload, m->len) : json_null());
        json_object_set_new(l->offsets, key, json_integer(m->offset));
        if (m->offset + 1 >= l->end)
            sched_finish_loading(s, p);
        return;
    }
    char err[1024];
    if (engine_app_record(s->eng, key, m->payload, m->payload ? m->len : 0, wall_ms(), err,
                          sizeof(err)) < 0)
        kq_reject_report(s->topic_apps, p, m->offset, m->key, m->key_len, err);
}

/* An event of vela.events through its codec. One that does not decode, or whose key is
 * not its app's, is refused (logged once and counted) and skipped. */
static void sched_on_event(struct sched *s, rd_kafka_message_t *m)
{
    char key[512], err[512];
    msg_event ev;
    if (!m->key || m->key_len == 0 || m->key_len >= sizeof(key)) {
        kq_reject_report(s->topic_events, m->partition, m->offset, m->key, m->key_len,
                         "the key must be <namespace>/<name>");
        return;
    }
    memcpy(key, m->key, m->key_len);
    key[m->key_len] = '\0';
    if (!m->payload) {
        kq_reject_report(s->topic_events, m->partition, m->offset, m->key, m->key_len,
                         "an event cannot be a tombstone");
        return;
    }
    if (msg_event_decode(m->payload, m->len, &ev, err, sizeof(err)) != 0) {
        kq_reject_report(s->topic_events, m->partition, m->offset, m->key, m->key_len, err);
        msg_event_release(&ev);
        return;
    }
    const char *slash = strchr(key, '/');
    if (!slash || strlen(ev.id.app.namespace) != (size_t)(slash - key) ||
        strncmp(key, ev.id.app.namespace, (size_t)(slash - key)) != 0 ||
        strcmp(slash + 1, ev.id.app.name) != 0) {
        snprintf(err, sizeof(err), "the key is not the event's app \"%s/%s\"", ev.id.app.namespace,
                 ev.id.app.name);
        kq_reject_report(s->topic_events, m->partition, m->offset, m->key, m->key_len, err);
        msg_event_release(&ev);
        return;
    }
    s->events_seen++;
    engine_event(s->eng, key, &ev, wall_ms());
    msg_event_release(&ev);
}

/* ---- main ---- */

static int sched_setup(struct sched *s, char *err, size_t errlen)
{
    static const char *const tables[] = {KQ_TOPIC_APPLICATIONS, KQ_TOPIC_EVENTS,
                                         KQ_TOPIC_APP_STATUS, KQ_TOPIC_CLUSTERS};
    kq_topic_name(s->opts, KQ_TOPIC_APPLICATIONS, s->topic_apps, sizeof(s->topic_apps));
    kq_topic_name(s->opts, KQ_TOPIC_EVENTS, s->topic_events, sizeof(s->topic_events));
    kq_topic_name(s->opts, KQ_TOPIC_APP_STATUS, s->topic_status, sizeof(s->topic_status));
    s->ensured_topics = json_object();
    if (!(s->prod = kq_producer_new(s->opts, NULL, NULL, err, errlen)))
        return -1;
    if (kq_topics_ensure(kq_producer_handle(s->prod), s->opts, tables, 4, err, errlen) < 0)
        return -1;
    s->nparts = kq_partition_count(kq_producer_handle(s->prod), s->topic_apps, 10000, err, errlen);
    if (s->nparts <= 0)
        return -1;
    char perr[256];
    int32_t ev_parts = kq_partition_count(kq_producer_handle(s->prod), s->topic_events, 10000, perr,
                                          sizeof(perr));
    if (ev_parts != s->nparts)
        return err_set(err, errlen,
                       "%s has %d partitions and %s %d: they must be co-partitioned (same count)",
                       s->topic_apps, s->nparts, s->topic_events, ev_parts);
    if (!(s->status = kq_table_new(s->opts, s->topic_status, NULL, NULL, err, errlen)) ||
        kq_table_sync(s->status, 30000, err, errlen) < 0)
        return -1;
    if (!(s->reg = registry_open(s->opts, sched_on_cluster, s, 30000, err, errlen)))
        return -1;
    if (!(s->apps = kq_consumer_new(s->opts, NULL, 0, NULL, NULL, err, errlen)))
        return -1;
    if (!(s->events = kq_consumer_new(s->opts, "vela-scheduler", 0, sched_on_rebalance, s, err,
                                      errlen)))
        return -1;
    const char *topics[] = {s->topic_events};
    if (kq_consumer_subscribe(s->events, topics, 1, err, errlen) < 0)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    vela_opts opts;
    engine_opts eopts;
    cmdline_args pos;
    struct sched s;
    char err[1024];

    jpool_init(); /* before any JSON value exists */
    log_set_program("vela-scheduler");
    if (log_set_level(getenv("VELA_LOG_LEVEL")) < 0)
        fprintf(stderr, "warning: VELA_LOG_LEVEL: unknown level, using info\n");
    opts_init(&opts);
    engine_opts_init(&eopts);
    cmdline_group groups[] = {{"Options", sched_opts, &eopts}, opts_group(&opts)};
    int rc = cmdline_parse(&sched_cmd, groups, ARRAY_LEN(groups), argc, argv, &pos);
    if (rc != CMDLINE_CONTINUE) {
        opts_release(&opts);
        return rc;
    }
    cmdline_args_release(&pos); /* takes no arguments */
    rc = 1;

    memset(&s, 0, sizeof(s));
    s.opts = &opts;
    engine_io io = {sched_send_task, sched_send_status, &s};
    s.eng = engine_new(&io, &eopts);
    if (signals_install() < 0) {
        fprintf(stderr, "error: cannot install the signal handlers\n");
        goto cleanup;
    }
    if (sched_setup(&s, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        log_error("event=start-failed error=\"%s\"", err);
        goto cleanup;
    }
    sched_load_clusters(&s);
    log_info("event=started partitions=%d bootstrap=%s", s.nparts, opts.bootstrap_servers);

    int64_t last_tick = 0, last_commit = wall_ms(), last_stats = wall_ms();
    while (!signals_stop) {
        /* events: wait briefly for the first, then take what is there (batches keep the
         * per-iteration work below from throttling a burst of events) */
        for (int i = 0; i < 1000; i++) {
            rd_kafka_message_t *m = kq_consumer_poll(s.events, i ? 0 : 10);
            if (!m)
                break;
            sched_on_event(&s, m);
            rd_kafka_message_destroy(m);
        }
        for (int i = 0; i < 500; i++) { /* applications: drain what is there */
            rd_kafka_message_t *am = kq_consumer_poll(s.apps, 0);
            if (!am)
                break;
            sched_on_application(&s, am);
            rd_kafka_message_destroy(am);
        }
        registry_poll(s.reg, 0);
        if (s.clusters_dirty)
            sched_load_clusters(&s);
        int64_t now = wall_ms();
        if (now - last_tick >= 20) {
            engine_tick(s.eng, now);
            last_tick = now;
        }
        kq_producer_poll(s.prod, 0);
        if (now - last_commit >= 2000) {
            rd_kafka_commit(kq_consumer_handle(s.events), NULL, 1);
            last_commit = now;
        }
        if (now - last_stats >= 30000) {
            log_info("event=stats apps=%zu tasks=%llu statuses=%llu events=%llu refused=%llu",
                     engine_app_count(s.eng), (unsigned long long)s.tasks_sent,
                     (unsigned long long)s.statuses_sent, (unsigned long long)s.events_seen,
                     (unsigned long long)kq_reject_count(NULL));
            last_stats = now;
        }
        if (kq_producer_fatal(s.prod, err, sizeof(err)) ||
            kq_consumer_fatal(s.events, err, sizeof(err))) {
            log_error("event=fatal error=\"%s\"", err);
            goto cleanup;
        }
    }
    rc = 0;
    log_info("event=stopping");
cleanup:
    if (s.events)
        kq_consumer_free(s.events); /* leaves the group: partitions go to the others */
    kq_consumer_free(s.apps);
    if (s.prod && kq_producer_flush(s.prod, 10000) > 0)
        rc = 1;
    kq_producer_free(s.prod);
    registry_close(s.reg);
    kq_table_free(s.status);
    engine_free(s.eng);
    for (int p = 0; p < SCHED_MAX_PARTITIONS; p++) {
        json_decref(s.loading[p].latest);
        json_decref(s.loading[p].offsets);
    }
    json_decref(s.ensured_topics);
    opts_release(&opts);
    return rc;
}

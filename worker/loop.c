/* The worker's loop: one thread consumes vela.tasks.<region> (group vela-worker-<region>),
 * drives every job's Kubernetes requests on one kube client, serves the producer's delivery
 * reports, and commits the offsets below which every task is finished. Flow control keeps a
 * backlog of tasks waiting for a slot and pauses the partitions while it is full; a
 * revocation commits what is finished and abandons the rest; a stop request drains for a few
 * seconds, then commits and leaves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/jpool.h"
#include "base/log.h"
#include "kafka/kq_reject.h"
#include "base/util.h"
#include "loop.h"
#include "job.h"
#include "watch.h"
#include "base/clock.h"

#define LOOP_COMMIT_EVERY_MS 100
#define LOOP_STATS_EVERY_MS 10000
#define LOOP_MAX_BATCH 64
#define LOOP_COMMIT_WAIT_MS 5000
/* The backlog's bounds: as many tasks as there are slots, and at most this many bytes. The
 * partitions are paused when either is reached and resumed when the backlog is down to half:
 * librdkafka fetches again only when its broker thread next wakes, up to a second after a
 * resume, and the half left must keep every slot busy meanwhile. */
#define LOOP_BACKLOG_MAX_BYTES (8 * 1024 * 1024)

/* ---- publishing ---------------------------------------------------------------------------- */

int worker_produce_raw(worker *w, const char *key, const char *json, job *final_of)
{
    char err[512];
    if (kq_produce(w->producer, w->events_topic, key, strlen(key), json, strlen(json), final_of,
                   err, sizeof(err)) < 0) {
        log_error("event=publish_failed key=%s error=\"%s\"", key, err);
        return -1;
    }
    return 0;
}

int worker_publish(worker *w, const task *t, const char *json)
{
    return worker_produce_raw(w, t->key, json, NULL);
}

static void loop_on_delivery(const rd_kafka_message_t *m, void *msg_opaque, void *ctx)
{
    worker *w = ctx;
    if (!m->err)
        w->events++;
    if (msg_opaque)
        job_delivered(msg_opaque, m->err);
}

/* ---- offsets ------------------------------------------------------------------------------- */

/* Commits l; sync: waits for the result, but at most LOOP_COMMIT_WAIT_MS (librdkafka's own
 * synchronous commit waits for a coordinator forever, and a worker must be able to stop
 * while the brokers are away). */
static rd_kafka_resp_err_t loop_commit_list(worker *w, const rd_kafka_topic_partition_list_t *l,
                                            bool sync)
{
    rd_kafka_t *rk = kq_consumer_handle(w->consumer);
    if (!sync)
        return rd_kafka_commit(rk, l, 1);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_resp_err_t e = rd_kafka_commit_queue(rk, l, q, NULL, NULL);
    if (!e) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, LOOP_COMMIT_WAIT_MS);
        if (!ev) {
            e = RD_KAFKA_RESP_ERR__TIMED_OUT;
        } else {
            e = rd_kafka_event_error(ev);
            rd_kafka_event_destroy(ev);
        }
    }
    rd_kafka_queue_destroy(q);
    return e;
}

/* Commits what is finished: partitions (NULL: every tracked one), synchronously or not.
 * force: commit the position even when it was committed before. */
static void loop_commit(worker *w, const rd_kafka_topic_partition_list_t *parts, bool sync,
                        bool force)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    int32_t n = parts ? parts->cnt : offtrack_partitions(w->offs);
    for (int32_t i = 0; i < n; i++) {
        int32_t p = parts ? parts->elems[i].partition : i;
        if (parts && strcmp(parts->elems[i].topic, w->tasks_topic) != 0)
            continue;
        int64_t next = force ? offtrack_position(w->offs, p) : offtrack_committable(w->offs, p);
        if (next >= 0)
            rd_kafka_topic_partition_list_add(l, w->tasks_topic, p)->offset = next;
    }
    if (l->cnt > 0) {
        rd_kafka_resp_err_t e = loop_commit_list(w, l, sync);
        if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET) {
            log_warn("event=commit_failed error=\"%s\"", rd_kafka_err2str(e));
        } else {
            for (int i = 0; i < l->cnt; i++) {
                offtrack_committed(w->offs, l->elems[i].partition, l->elems[i].offset);
                log_debug("event=committed partition=%d offset=%lld", (int)l->elems[i].partition,
                          (long long)l->elems[i].offset);
            }
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
}

/* ---- flow control -------------------------------------------------------------------------- */

static void loop_pause(worker *w, bool pause)
{
    rd_kafka_t *rk = kq_consumer_handle(w->consumer);
    rd_kafka_topic_partition_list_t *a = NULL;
    if (rd_kafka_assignment(rk, &a) || !a)
        return;
    if (a->cnt > 0) {
        if (pause)
            rd_kafka_pause_partitions(rk, a);
        else
            rd_kafka_resume_partitions(rk, a);
        log_debug("event=%s partitions=%d", pause ? "paused" : "resumed", a->cnt);
    }
    rd_kafka_topic_partition_list_destroy(a);
    w->paused = pause;
}

static void loop_backlog_push(worker *w, rd_kafka_message_t *m)
{
    if (w->nbacklog == w->backlog_alloc) {
        size_t alloc = w->backlog_alloc ? w->backlog_alloc * 2 : 64;
        w->backlog = xrealloc(w->backlog, alloc * sizeof(*w->backlog));
        w->backlog_alloc = alloc;
    }
    w->backlog[w->nbacklog++] = m;
    w->backlog_bytes += m->len;
}

static void loop_take(worker *w, rd_kafka_message_t *m)
{
    job_begin(w, m);
    rd_kafka_message_destroy(m);
}

static void loop_on_message(worker *w, rd_kafka_message_t *m)
{
    if (strcmp(rd_kafka_topic_name(m->rkt), w->tasks_topic) != 0 ||
        offtrack_add(w->offs, m->partition, m->offset) < 0) {
        /* Already taken in this assignment (librdkafka may hand a message over again
         * around a rebalance): the first one is running. */
        w->duplicates++;
        rd_kafka_message_destroy(m);
        return;
    }
    if (w->active < w->cfg.concurrency && w->nbacklog == 0)
        loop_take(w, m);
    else
        loop_backlog_push(w, m);
}

/* ---- rebalances ---------------------------------------------------------------------------- */

static bool loop_parts_has(const rd_kafka_topic_partition_list_t *parts, const char *topic,
                           int32_t partition)
{
    for (int i = 0; i < parts->cnt; i++)
        if (parts->elems[i].partition == partition && strcmp(parts->elems[i].topic, topic) == 0)
            return true;
    return false;
}

/* "0,1,5" */
static void loop_parts_str(const rd_kafka_topic_partition_list_t *parts, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < parts->cnt && used + 12 < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? "," : "",
                                 (int)parts->elems[i].partition);
    if (!parts->cnt)
        snprintf(buf, len, "none");
}

static void loop_on_rebalance(kq_consumer *c, int assigned,
                              const rd_kafka_topic_partition_list_t *parts, void *ctx)
{
    worker *w = ctx;
    if (assigned) {
        /* A fresh assignment starts unpaused; the loop pauses again if every slot is busy. */
        rd_kafka_topic_partition_list_t *copy = rd_kafka_topic_partition_list_copy(parts);
        rd_kafka_resume_partitions(kq_consumer_handle(c), copy);
        rd_kafka_topic_partition_list_destroy(copy);
        w->paused = false;
        char list[1024];
        loop_parts_str(parts, list, sizeof(list));
        log_info("event=assigned topic=%s partitions=%s", w->tasks_topic, list);
        return;
    }
    /* Final events on their way are given a moment to be acknowledged, so that the tasks
     * they finish are committed and not redone by the next owner. */
    kq_producer_flush(w->producer, 2000);
    loop_commit(w, parts, true, true);
    size_t abandoned = 0;
    for (job *j = w->jobs; j; j = j->next) {
        if (j->state != JOB_DONE && !j->abandoned &&
            loop_parts_has(parts, w->tasks_topic, j->partition)) {
            job_abandon(j);
            abandoned++;
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < w->nbacklog; i++) {
        rd_kafka_message_t *m = w->backlog[i];
        if (loop_parts_has(parts, rd_kafka_topic_name(m->rkt), m->partition)) {
            w->backlog_bytes -= m->len;
            rd_kafka_message_destroy(m);
        } else {
            w->backlog[kept++] = m;
        }
    }
    size_t dropped = w->nbacklog - kept;
    w->nbacklog = kept;
    for (int i = 0; i < parts->cnt; i++)
        if (strcmp(parts->elems[i].topic, w->tasks_topic) == 0)
            offtrack_drop(w->offs, parts->elems[i].partition);
    char list[1024];
    loop_parts_str(parts, list, sizeof(list));
    log_info("event=revoked topic=%s partitions=%s handed_back_running=%zu handed_back_queued=%zu",
             w->tasks_topic, list, abandoned, dropped);
}

/* ---- setup --------------------------------------------------------------------------------- */

static void loop_on_cluster_change(const char *key, const char *old, size_t old_len,
                                   const char *value, size_t len, void *ctx)
{
    worker *w = ctx;
    if (w->kc)
        job_cluster_changed(w, key);
}

worker *worker_new(const vela_opts *o, const worker_config *cfg, char *err, size_t errlen)
{
    worker *w = xcalloc(1, sizeof(*w));
    w->o = o;
    w->cfg = *cfg;
    char host[128] = "localhost";
    gethostname(host, sizeof(host) - 1);
    snprintf(w->id, sizeof(w->id), "vela-worker-%s@%s:%d", cfg->region, host, (int)getpid());
    if (kq_tasks_topic(o, cfg->region, w->tasks_topic, sizeof(w->tasks_topic)) < 0 ||
        kq_topic_name(o, KQ_TOPIC_EVENTS, w->events_topic, sizeof(w->events_topic)) < 0) {
        err_set(err, errlen, "topic names too long");
        goto fail;
    }
    w->offs = offtrack_new();
    char kerr[512];
    if (seal_key_load(NULL, 0, &w->key, kerr, sizeof(kerr)) == 0)
        w->key_loaded = true;
    else
        log_warn("event=no_secret_key error=\"%s\" note=\"tasks fail until the key exists\"", kerr);

    kube_client_opts ko;
    kube_client_opts_init(&ko);
    ko.max_inflight_per_cluster = cfg->cluster_inflight;
    ko.user_agent = "vela-worker/0.1";
    w->kc = kube_client_new(&ko, err, errlen);
    if (!w->kc)
        goto fail;
    w->producer = kq_producer_new(o, loop_on_delivery, w, err, errlen);
    if (!w->producer)
        goto fail;
    if (kq_topic_ensure_name(kq_producer_handle(w->producer), o, w->events_topic, false, err,
                             errlen) < 0 ||
        kq_topic_ensure_name(kq_producer_handle(w->producer), o, w->tasks_topic, false, err,
                             errlen) < 0)
        goto fail;
    w->reg = registry_open(o, loop_on_cluster_change, w, 15000, err, errlen);
    if (!w->reg)
        goto fail;
    char group[128];
    snprintf(group, sizeof(group), "vela-worker-%s", cfg->region);
    w->consumer = kq_consumer_new(o, group, 0, loop_on_rebalance, w, err, errlen);
    if (!w->consumer)
        goto fail;
    const char *topics[] = {w->tasks_topic};
    if (kq_consumer_subscribe(w->consumer, topics, 1, err, errlen) < 0)
        goto fail;
    log_info("event=worker_started id=%s group=%s topic=%s concurrency=%d clusters=%zu", w->id,
             group, w->tasks_topic, cfg->concurrency, registry_count(w->reg));
    return w;
fail:
    worker_free(w);
    return NULL;
}

/* ---- the loop ------------------------------------------------------------------------------ */

static void loop_reap(worker *w)
{
    for (job *j = w->jobs, *next; j; j = next) {
        next = j->next;
        if (!job_reapable(j))
            continue;
        if (j->prev)
            j->prev->next = j->next;
        else
            w->jobs = j->next;
        if (j->next)
            j->next->prev = j->prev;
        job_free(j);
    }
}

/* Ticks every job; returns ms until the earliest job wants a tick (capped at cap). */
static int64_t loop_tick(worker *w, int64_t now, int64_t cap)
{
    int64_t wait = cap;
    for (job *j = w->jobs; j; j = j->next) {
        job_tick(j, now);
        if (j->abandoned)
            continue;
        if ((j->state == JOB_FINAL || j->state == JOB_HOLD) && wait > 5)
            wait = 5; /* its delivery report frees a slot and moves the commit on */
        else if (j->state == JOB_CLUSTER && wait > 20)
            wait = 20;
        else if (j->state == JOB_WAIT && j->rejudge)
            wait = 0;
        else if (j->state == JOB_WAIT && j->next_poll - now < wait)
            wait = j->next_poll - now > 0 ? j->next_poll - now : 0;
    }
    return wait;
}

static void loop_stats(worker *w, const char *what)
{
    log_info("event=%s taken=%llu finished=%llu failed=%llu abandoned=%llu duplicates=%llu "
             "events=%llu running=%d queued=%zu kube_inflight=%d invalid=%llu refused=%llu",
             what, (unsigned long long)w->taken, (unsigned long long)w->finished,
             (unsigned long long)w->failed, (unsigned long long)w->abandoned_count,
             (unsigned long long)w->duplicates, (unsigned long long)w->events, w->active,
             w->nbacklog, kube_client_inflight(w->kc), (unsigned long long)w->invalid,
             (unsigned long long)kq_reject_count(NULL));
}

/* One turn: registry, backlog, Kafka, jobs, Kubernetes, delivery reports. consume: whether
 * to take new tasks. */
static void loop_turn(worker *w, bool consume)
{
    int64_t now = now_ms();
    registry_poll(w->reg, 0);
    size_t taken = 0;
    while (taken < w->nbacklog && w->active < w->cfg.concurrency) {
        rd_kafka_message_t *m = w->backlog[taken++];
        w->backlog_bytes -= m->len;
        loop_take(w, m);
    }
    if (taken > 0) {
        memmove(w->backlog, w->backlog + taken, (w->nbacklog - taken) * sizeof(*w->backlog));
        w->nbacklog -= taken;
    }
    /* Pause when the backlog is full; resume when it is down to half (LOOP_BACKLOG_*). */
    size_t max = (size_t)w->cfg.concurrency;
    if (consume && !w->paused && (w->nbacklog >= max || w->backlog_bytes >= LOOP_BACKLOG_MAX_BYTES))
        loop_pause(w, true);
    else if (consume && w->paused && w->nbacklog <= max / 2 &&
             w->backlog_bytes <= LOOP_BACKLOG_MAX_BYTES / 2)
        loop_pause(w, false);

    int64_t wait = loop_tick(w, now, 50);
    bool busy = kube_client_inflight(w->kc) > 0;
    if (consume) {
        for (int i = 0; i < LOOP_MAX_BATCH; i++) {
            rd_kafka_message_t *m = kq_consumer_poll(w->consumer, i == 0 && !busy ? (int)wait : 0);
            if (!m)
                break;
            loop_on_message(w, m);
        }
    } else if (!busy && wait > 0) {
        usleep((useconds_t)(wait > 10 ? 10 : wait) * 1000);
    }
    kube_client_run(w->kc, busy ? 3 : 0);
    kq_producer_poll(w->producer, 0);
    loop_reap(w);
}

int worker_run(worker *w, volatile sig_atomic_t *stop)
{
    int64_t last_stats = now_ms();
    uint64_t last_count = 0;
    int rc = 0;
    char err[512];
    while (!*stop) {
        loop_turn(w, true);
        int64_t now = now_ms();
        if (now - w->last_commit >= LOOP_COMMIT_EVERY_MS) {
            loop_commit(w, NULL, false, false);
            w->last_commit = now;
        }
        if (now - last_stats >= LOOP_STATS_EVERY_MS) {
            /* Only when something happened, so an idle worker's log stays quiet. */
            if (w->taken + w->finished + w->events + w->invalid != last_count)
                loop_stats(w, "stats");
            last_count = w->taken + w->finished + w->events + w->invalid;
            last_stats = now;
        }
        if (kq_consumer_fatal(w->consumer, err, sizeof(err)) ||
            kq_producer_fatal(w->producer, err, sizeof(err))) {
            log_error("event=fatal error=\"%s\"", err);
            rc = -1;
            break;
        }
    }

    /* Stop: no new tasks; those running get grace_ms to finish. */
    log_info("event=stopping running=%d queued=%zu grace_ms=%d", w->active, w->nbacklog,
             w->cfg.grace_ms);
    int64_t until = now_ms() + w->cfg.grace_ms;
    while (now_ms() < until) {
        bool left = false;
        for (job *j = w->jobs; j; j = j->next)
            if (!j->abandoned && j->state != JOB_DONE)
                left = true;
        if (!left)
            break;
        loop_turn(w, false);
    }
    /* The rest is abandoned (redelivered to whoever gets the partition next), except final
     * events already on their way, whose acknowledgement the flush below collects. */
    for (job *j = w->jobs; j; j = j->next)
        if (!j->abandoned && j->state != JOB_DONE && !j->final_inflight)
            job_abandon(j);
    kq_producer_flush(w->producer, 5000);
    loop_commit(w, NULL, true, true);
    for (size_t i = 0; i < w->nbacklog; i++)
        rd_kafka_message_destroy(w->backlog[i]);
    w->nbacklog = 0;
    w->backlog_bytes = 0;
    loop_stats(w, "stopped");
    return rc;
}

void worker_free(worker *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nbacklog; i++)
        rd_kafka_message_destroy(w->backlog[i]);
    w->nbacklog = 0;
    w->backlog_bytes = 0;
    /* Closing the consumer revokes its partitions through the callback (commit, abandon);
     * kq_consumer_free bounds the close when the brokers are gone. */
    kq_consumer_free(w->consumer);
    w->consumer = NULL;
    /* Cancels requests still queued; their callbacks see abandoned jobs. */
    for (job *j = w->jobs; j; j = j->next)
        if (!j->abandoned && j->state != JOB_DONE)
            job_abandon(j);
    kube_client_free(w->kc);
    w->kc = NULL;
    watch_free_all(w);
    kq_producer_free(w->producer);
    w->producer = NULL;
    for (job *j = w->jobs, *next; j; j = next) {
        next = j->next;
        job_free(j);
    }
    registry_close(w->reg);
    for (size_t i = 0; i < w->nresolved; i++)
        free(w->resolved[i]);
    free(w->resolved);
    free(w->backlog);
    offtrack_free(w->offs);
    seal_key_wipe(&w->key);
    free(w);
}

/* One task's life (job_): resolve the cluster from the registry, publish `applying`, apply
 * the manifests in order, poll the workloads and trait objects until they are healthy or the
 * deadline passes (publishing `progressing` whenever a message changes), or delete the
 * resources; then the final event, whose acknowledgement finishes the task's offset. All on
 * the loop's thread: kube callbacks run inside kube_client_run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/jpool.h"
#include "base/log.h"
#include "kafka/kq_reject.h"
#include "base/util.h"
#include "kube/request.h"
#include "kube/resource.h"
#include "job.h"
#include "loop.h"
#include "watch.h"
#include "base/clock.h"

/* Consecutive failed health polls (cluster unreachable, API errors) that fail the task. */
#define JOB_MAX_POLL_FAILURES 3
/* The first health polls come sooner than the interval: quick rollouts finish quickly. */
#define JOB_FIRST_POLL_MS 40
/* With watches, a GET now and then all the same, in case an event went astray. */
#define JOB_WATCH_CHECK_MS 5000

static const char *const job_state_names[] = {
#define JOB_STATE_NAME(id, name) name,
    JOB_STATES(JOB_STATE_NAME)
#undef JOB_STATE_NAME
};

const char *job_state_name(job_state s)
{
    return (size_t)s < ARRAY_LEN(job_state_names) ? job_state_names[s] : "?";
}

/* The task's id for logs ("-" for a task too malformed to have one). */
static const char *job_id(const job *j)
{
    return j->t.task_id ? j->t.task_id : "-";
}

/* Every state change goes through here, so the log tells a job's whole path. */
static void job_set_state(job *j, job_state s)
{
    if (j->state == s)
        return;
    log_debug("event=job_state task=%s from=%s to=%s", job_id(j), job_state_name(j->state),
              job_state_name(s));
    j->state = s;
}

/* ---- clusters ----------------------------------------------------------------------------- */

static bool job_resolved_has(worker *w, const char *name)
{
    for (size_t i = 0; i < w->nresolved; i++)
        if (strcmp(w->resolved[i], name) == 0)
            return true;
    return false;
}

void job_cluster_changed(worker *w, const char *name)
{
    for (size_t i = 0; i < w->nresolved; i++) {
        if (strcmp(w->resolved[i], name) == 0) {
            free(w->resolved[i]);
            w->resolved[i] = w->resolved[--w->nresolved];
            log_info("event=cluster_record_changed cluster=%s", name);
            watch_forget_cluster(w, name);
            return;
        }
    }
}

static void job_resolved_add(worker *w, const char *name)
{
    w->resolved = xrealloc(w->resolved, (w->nresolved + 1) * sizeof(*w->resolved));
    w->resolved[w->nresolved++] = xstrdup(name);
}

/* The cluster of the task: 0 and j->cl; 1 when the registry does not have it (yet); -1 with
 * the reason in j->err. */
static int job_resolve(job *j)
{
    worker *w = j->w;
    const char *name = j->t.cluster;
    if (job_resolved_has(w, name) && (j->cl = kube_client_find(w->kc, name)))
        return 0;
    cluster_record rec;
    char err[512] = "";
    int rc = registry_get(w->reg, name, &rec, err, sizeof(err));
    if (rc == 1) {
        cluster_record_release(&rec);
        snprintf(j->err, sizeof(j->err),
                 "cluster %s: not found in the cluster registry; "
                 "join it with 'vela cluster join'",
                 name);
        return 1;
    }
    if (rc < 0) {
        snprintf(j->err, sizeof(j->err), "cluster %s: %s", name, err);
        goto fail;
    }
    if (!rec.accepted) {
        snprintf(j->err, sizeof(j->err), "cluster %s: not accepted: %s", name,
                 rec.message && *rec.message ? rec.message : "the join could not reach it");
        goto fail;
    }
    if (rec.region && strcmp(rec.region, w->cfg.region) != 0)
        log_warn("event=cluster_in_other_region cluster=%s region=%s worker_region=%s", name,
                 rec.region, w->cfg.region);
    if (!w->key_loaded) {
        if (seal_key_load(NULL, 0, &w->key, err, sizeof(err)) < 0) {
            snprintf(j->err, sizeof(j->err), "cluster %s: cannot open its credentials: %s", name,
                     err);
            goto fail;
        }
        w->key_loaded = true;
    }
    kube_creds creds;
    if (cluster_record_creds(&rec, &w->key, &creds, err, sizeof(err)) < 0) {
        snprintf(j->err, sizeof(j->err), "cluster %s: %s", name, err);
        goto fail;
    }
    j->cl = kube_client_cluster(w->kc, name, &creds, err, sizeof(err));
    kube_creds_release(&creds);
    if (!j->cl) {
        snprintf(j->err, sizeof(j->err), "cluster %s: %s", name, err);
        goto fail;
    }
    job_resolved_add(w, name);
    cluster_record_release(&rec);
    return 0;
fail:
    cluster_record_release(&rec);
    return -1;
}

/* ---- events ------------------------------------------------------------------------------- */

/* A non-final event; with_services: the services of the last task_judge. */
static void job_publish(job *j, msg_event_phase phase, const char *message, bool with_services)
{
    char err[512] = "";
    char *json = task_event(&j->t, phase, false, message, with_services, j->w->id, wall_ms(), err,
                            sizeof(err));
    if (err[0])
        log_warn("event=event_degraded task=%s error=\"%s\"", job_id(j), err);
    worker_publish(j->w, &j->t, json);
    free(json);
}

/* Queues the stored final event; when it cannot be queued now, job_tick tries again (the
 * offset must not stay unfinished behind a task that is in fact over). */
static void job_send_final(job *j)
{
    if (worker_produce_raw(j->w, j->t.key, j->final_event, j) == 0) {
        j->final_inflight = true;
        j->final_retry = false;
    } else {
        j->final_retry = true;
    }
}

/* The final event: the job waits for its acknowledgement (job_delivered). */
static void job_finish(job *j, msg_event_phase phase, const char *message, bool with_services)
{
    worker *w = j->w;
    char err[512] = "";
    if (phase == MSG_PHASE_FAILED)
        w->failed++;
    log_info("event=task_final task=%s cluster=%s phase=%s ms=%lld message=\"%s\"", job_id(j),
             j->t.cluster ? j->t.cluster : "-", msg_event_phase_name(phase),
             (long long)(now_ms() - j->taken_ms), message ? message : "");
    job_set_state(j, JOB_FINAL);
    j->final_event = task_event(&j->t, phase, true, message, with_services, w->id, wall_ms(), err,
                                sizeof(err));
    if (err[0])
        log_warn("event=event_degraded task=%s error=\"%s\"", job_id(j), err);
    job_send_final(j);
}

static void job_fail(job *j, const char *message)
{
    job_finish(j, MSG_PHASE_FAILED, message, false);
}

/* Fails the task with why, said of its cluster. */
static void job_fail_cluster(job *j, const char *why)
{
    char msg[1200];
    snprintf(msg, sizeof(msg), "cluster %s: %s", j->t.cluster, why);
    job_fail(j, msg);
}

/* Keeps the first error of a round of requests to the task's cluster in j->err. */
static void job_keep_error(job *j, const char *why)
{
    if (!j->err[0])
        snprintf(j->err, sizeof(j->err), "cluster %s: %s", j->t.cluster, why);
}

void job_delivered(job *j, rd_kafka_resp_err_t err)
{
    worker *w = j->w;
    j->final_inflight = false;
    if (j->abandoned)
        return;
    if (err) {
        log_warn("event=final_event_retry task=%s error=\"%s\"", job_id(j), rd_kafka_err2str(err));
        job_send_final(j);
        return;
    }
    job_set_state(j, JOB_DONE);
    w->active--;
    w->finished++;
    if (offtrack_done(w->offs, j->partition, j->offset) < 0)
        log_debug("event=offset_untracked partition=%d offset=%lld", (int)j->partition,
                  (long long)j->offset);
}

void job_abandon(job *j)
{
    if (j->abandoned || j->state == JOB_DONE)
        return;
    j->abandoned = true;
    j->w->active--;
    j->w->abandoned_count++;
    log_info("event=task_abandoned task=%s partition=%d offset=%lld", job_id(j), (int)j->partition,
             (long long)j->offset);
}

bool job_reapable(const job *j)
{
    return j->pending == 0 && !j->final_inflight && (j->abandoned || j->state == JOB_DONE);
}

void job_free(job *j)
{
    if (!j)
        return;
    task_release(&j->t);
    free(j->final_event);
    free(j);
}

/* ---- deploy: apply ------------------------------------------------------------------------- */

static void job_apply_next(job *j);
static void job_poll(job *j);
static void job_judge(job *j);

static void job_on_apply(const kube_result *r, void *opaque)
{
    job *j = opaque;
    j->pending--;
    if (j->abandoned)
        return;
    if (r->status != KUBE_OK) {
        job_fail_cluster(j, r->message);
        return;
    }
    /* With watches, the answer is the object as it is now: an apply that changed nothing
     * makes no watch event, and this is then all there is to judge. */
    json_t **slot = j->w->cfg.health_watch
                        ? watch_slot(j, json_array_get(j->t.manifests, j->next_manifest - 1))
                        : NULL;
    if (slot) {
        json_t *obj = kube_result_parse(r);
        if (json_is_object(obj))
            watch_live_update(slot, obj, false);
        json_decref(obj);
    }
    job_apply_next(j);
}

/* Applies the next manifest, or starts watching when all are applied. */
static void job_apply_next(job *j)
{
    size_t n = json_array_size(j->t.manifests);
    if (j->next_manifest >= n) {
        job_set_state(j, JOB_WAIT);
        if (watch_covers(j)) { /* the applies' answers and the events so far */
            j->err[0] = '\0';
            job_judge(j);
        } else {
            j->next_poll = now_ms();
            job_poll(j);
        }
        return;
    }
    const json_t *m = json_array_get(j->t.manifests, j->next_manifest++);
    char err[512];
    json_t *obj = NULL;
    const json_t *meta = json_object_get(m, "metadata");
    /* A namespaced object without a namespace lands in the task's namespace (on a copy: the
     * scheduler's manifests usually carry it, and then nothing is copied). */
    const char *av = json_string_value(json_object_get(m, "apiVersion"));
    const char *kind = json_string_value(json_object_get(m, "kind"));
    if (json_is_object(meta) && !json_object_get(meta, "namespace") && av && kind &&
        kube_kind_namespaced(av, kind) == 1) {
        obj = json_deep_copy(m);
        json_object_set_new(json_object_get(obj, "metadata"), "namespace",
                            json_string(j->t.namespace));
    }
    int rc = kube_apply_async(j->cl, obj ? obj : m, job_on_apply, j, err, sizeof(err));
    json_decref(obj);
    if (rc < 0) {
        job_fail_cluster(j, err);
        return;
    }
    j->pending++;
}

/* ---- deploy: health ------------------------------------------------------------------------ */

typedef struct job_get {
    job *j;
    json_t **slot; /* where the live object goes */
} job_get;

static void job_judge(job *j);

static void job_on_get(const kube_result *r, void *opaque)
{
    job_get *g = opaque;
    job *j = g->j;
    json_t **slot = g->slot;
    free(g);
    j->pending--;
    if (j->abandoned)
        return;
    if (r->status == KUBE_OK) {
        watch_live_update(slot, r->obj, false); /* a watch event may be newer */
    } else if (r->status == KUBE_ERR_API && r->http_code == 404) {
        json_decref(*slot);
        *slot = NULL;
    } else {
        job_keep_error(j, r->message);
    }
    if (j->pending == 0 && j->state == JOB_POLL)
        job_judge(j);
}

static int job_get_one(job *j, const task_obj *o, json_t **slot)
{
    kube_ref ref = {o->api_version, o->kind, o->namespace, o->name};
    job_get *g = xmalloc(sizeof(*g));
    char err[512];
    g->j = j;
    g->slot = slot;
    if (kube_get_async(j->cl, &ref, job_on_get, g, err, sizeof(err)) < 0) {
        free(g);
        job_keep_error(j, err);
        return -1;
    }
    j->pending++;
    return 0;
}

/* Reads every watched object; job_judge runs when the last answer is in. */
static void job_poll(job *j)
{
    job_set_state(j, JOB_POLL);
    j->err[0] = '\0';
    j->polls++;
    for (size_t i = 0; i < j->t.ncomps; i++) {
        task_comp *c = &j->t.comps[i];
        job_get_one(j, &c->workload, &c->live);
        for (size_t k = 0; k < c->ntraits; k++)
            if (c->traits[k].has_object)
                job_get_one(j, &c->traits[k].object, &c->traits[k].live);
    }
    if (j->pending == 0)
        job_judge(j);
}

static void job_judge(job *j)
{
    j->rejudge = false;
    if (j->err[0]) {
        /* Transport or API trouble while reading: a few in a row fail the task. */
        if (++j->poll_failures >= JOB_MAX_POLL_FAILURES) {
            job_fail(j, j->err);
            return;
        }
        log_warn("event=health_poll_failed task=%s error=\"%s\"", j->t.task_id, j->err);
    } else {
        j->poll_failures = 0;
        bool healthy;
        char summary[1024];
        bool changed = task_judge(&j->t, &healthy, summary, sizeof(summary));
        if (healthy) {
            job_finish(j, MSG_PHASE_HEALTHY, "", true);
            return;
        }
        if (wall_ms() >= j->deadline_wall) {
            char msg[1100];
            snprintf(msg, sizeof(msg), "timed out waiting for health: %s", summary);
            job_finish(j, MSG_PHASE_FAILED, msg, true);
            return;
        }
        /* Every judgement that is not final is published when it changed, so "changed since
         * the last judgement" is "changed since the last progress event". */
        if (changed)
            job_publish(j, MSG_PHASE_PROGRESSING, "", true);
    }
    if (wall_ms() >= j->deadline_wall) {
        char msg[1200];
        snprintf(msg, sizeof(msg), "timed out waiting for health: %s", j->err);
        job_fail(j, msg);
        return;
    }
    job_set_state(j, JOB_WAIT);
    int64_t delay;
    if (watch_covers(j)) {
        delay = JOB_WATCH_CHECK_MS;
    } else {
        delay = (int64_t)JOB_FIRST_POLL_MS << (j->polls < 1 ? 0 : j->polls < 4 ? j->polls - 1 : 3);
        if (delay > j->w->cfg.poll_interval_ms)
            delay = j->w->cfg.poll_interval_ms;
    }
    j->next_poll = now_ms() + delay;
}

/* ---- delete ------------------------------------------------------------------------------- */

/* Every delete is answered: the task failed with the first error, or its resources are
 * gone. */
static void job_delete_done(job *j)
{
    if (j->err[0])
        job_fail(j, j->err);
    else
        job_finish(j, MSG_PHASE_DELETED, "", false);
}

static void job_on_delete(const kube_result *r, void *opaque)
{
    job *j = opaque;
    j->pending--;
    if (j->abandoned)
        return;
    bool gone = r->status == KUBE_OK || (r->status == KUBE_ERR_API && r->http_code == 404);
    if (!gone)
        job_keep_error(j, r->message);
    if (j->pending == 0)
        job_delete_done(j);
}

static void job_delete(job *j)
{
    job_set_state(j, JOB_DELETE);
    j->err[0] = '\0';
    /* pending is raised before the first request, so that no callback can finish the job
     * while requests are still being queued (callbacks only run inside kube_client_run, but
     * this keeps the rule local). */
    j->pending++;
    for (size_t i = 0; i < j->t.nresources; i++) {
        const task_obj *r = &j->t.resources[i];
        kube_ref ref = {r->api_version, r->kind, r->namespace, r->name};
        char err[512];
        if (kube_delete_async(j->cl, &ref, job_on_delete, j, err, sizeof(err)) < 0) {
            job_keep_error(j, err);
            continue;
        }
        j->pending++;
    }
    j->pending--;
    if (j->pending == 0)
        job_delete_done(j);
}

/* ---- the life of a job --------------------------------------------------------------------- */

/* The cluster is known: go. */
static void job_go(job *j)
{
    if (j->t.kind == MSG_KIND_DELETE) {
        job_delete(j);
    } else {
        job_set_state(j, JOB_APPLY);
        watch_need(j, now_ms());
        job_apply_next(j);
    }
}

static bool job_str_eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Tasks of one cluster keep their order (docs/topics.md): a task does not start applying while an
 * earlier one of the same partition, for the same app, cluster and namespace, is still
 * applying or deleting (revision N must not land after revision N+1). Later phases (health)
 * do not hold anything up. */
static bool job_blocked(const job *j)
{
    for (const job *o = j->w->jobs; o; o = o->next) {
        if (o == j || o->abandoned || o->partition != j->partition || o->offset >= j->offset)
            continue;
        if (o->state != JOB_CLUSTER && o->state != JOB_HOLD && o->state != JOB_APPLY &&
            o->state != JOB_DELETE)
            continue;
        if (job_str_eq(o->t.cluster, j->t.cluster) && job_str_eq(o->t.namespace, j->t.namespace) &&
            strcmp(o->t.key, j->t.key) == 0)
            return true;
    }
    return false;
}

static void job_try_cluster(job *j, int64_t now)
{
    int rc = job_resolve(j);
    if (rc == 0) {
        j->err[0] = '\0';
        if (job_blocked(j)) {
            log_debug("event=task_held task=%s cluster=%s reason=earlier_task_applying", job_id(j),
                      j->t.cluster);
            job_set_state(j, JOB_HOLD);
        } else
            job_go(j);
    } else if (rc < 0 || now >= j->cluster_until) {
        job_fail(j, j->err);
    }
}

job *job_begin(worker *w, const rd_kafka_message_t *m)
{
    job *j = xcalloc(1, sizeof(*j));
    j->w = w;
    j->state = JOB_CLUSTER; /* where every job starts; changes go through job_set_state */
    j->partition = m->partition;
    j->offset = m->offset;
    j->taken_ms = now_ms();
    char err[512];
    int parsed = task_parse(m->payload, m->len, &j->t, err, sizeof(err));
    if (parsed < 0) {
        /* Logged here once, counted, and skipped: a task that did not decode will not decode
         * when redelivered. With its identity known, a failed event tells its Application
         * why (the job ends once that is acknowledged); without it, no event could name the
         * placement (nor pass the event schema), and the offset is done with now. */
        bool reportable = task_reportable(&j->t);
        w->invalid++;
        char why[700];
        snprintf(why, sizeof(why), "%s; %s", err,
                 reportable ? "a failed event tells its Application" : "no Application to tell");
        kq_reject_report(w->tasks_topic, m->partition, m->offset, m->key, m->key_len, why);
        if (!reportable) {
            offtrack_done(w->offs, m->partition, m->offset);
            job_free(j);
            return NULL;
        }
    }
    /* From here on the job holds a slot until its final event is acknowledged. */
    j->next = w->jobs;
    if (w->jobs)
        w->jobs->prev = j;
    w->jobs = j;
    w->active++;
    w->taken++;
    if (parsed < 0) {
        char msg[600];
        snprintf(msg, sizeof(msg), "invalid task: %s", err);
        job_fail(j, msg);
        return j;
    }
    j->deadline_wall = j->t.deadline_ms > 0 ? j->t.deadline_ms : wall_ms() + TASK_DEFAULT_WAIT_MS;
    j->cluster_until = j->taken_ms + w->cfg.cluster_wait_ms;
    log_debug("event=task_taken task=%s cluster=%s partition=%d offset=%lld", j->t.task_id,
              j->t.cluster, (int)j->partition, (long long)j->offset);
    job_publish(j, MSG_PHASE_APPLYING, "", false);
    job_try_cluster(j, j->taken_ms);
    return j;
}

void job_tick(job *j, int64_t now)
{
    if (j->abandoned)
        return;
    switch (j->state) {
    case JOB_CLUSTER: job_try_cluster(j, now); break;
    case JOB_HOLD:
        if (!job_blocked(j))
            job_go(j);
        break;
    case JOB_WAIT:
        if (j->rejudge) {
            j->err[0] = '\0';
            job_judge(j);
        } else if (now >= j->next_poll) {
            watch_need(j, now);
            job_poll(j);
        }
        break;
    case JOB_FINAL:
        if (j->final_retry)
            job_send_final(j);
        break;
    default: break;
    }
}

/* Health by watch (watch_): one watch per (cluster, apiVersion, kind) that some task judges,
 * over every namespace, limited to the objects Applications render (label app.oam.dev/name).
 * Each event lands in the live slot of every job that waits for that object, and the job
 * judges again at its next tick; the answers of the job's own applies seed the slots, so an
 * object that an apply did not change (no event) is judged too. A watch starts with the
 * current state (ADDED events), so a change made before it was established is not lost;
 * when a watch ends it is started again (at once after a clean end, with backoff after a
 * failure), and meanwhile the jobs it served poll with GETs as without watches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/util.h"
#include "kube/request.h"
#include "kube/resource.h"
#include "watch.h"
#include "base/clock.h"

#define WATCH_SELECTOR "app.oam.dev/name"
#define WATCH_BACKOFF_MAX_MS 30000

enum { WW_IDLE, WW_STARTING, WW_LIVE, WW_DOWN };

struct wwatch {
    worker *w;
    char *cluster;
    char *api_version;
    char *kind;
    int state;
    int failures;
    int64_t retry_at; /* monotonic: when a WW_DOWN watch may start again */
};

static const char *meta_str(const json_t *obj, const char *field)
{
    return json_string_value(json_object_get(json_object_get(obj, "metadata"), field));
}

/* The resourceVersion as a number; -1 when absent or not a number (the API calls it opaque,
 * but etcd's revisions, like kubesim's, are integers that grow with every change). */
static long long rv_of(const json_t *obj)
{
    const char *rv = meta_str(obj, "resourceVersion");
    char *end = NULL;
    if (!rv || !*rv)
        return -1;
    long long v = strtoll(rv, &end, 10);
    return end && *end == '\0' && v >= 0 ? v : -1;
}

bool watch_live_update(json_t **slot, json_t *obj, bool deleted)
{
    long long have = *slot ? rv_of(*slot) : -1, got = rv_of(obj);
    if (*slot && have >= 0 && got >= 0 && got < have)
        return false; /* an older version than the one held */
    json_decref(*slot);
    *slot = deleted ? NULL : json_incref(obj);
    return true;
}

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool obj_is(const task_obj *o, const char *api_version, const char *kind, const char *ns,
                   const char *name)
{
    return str_eq(o->name, name) && str_eq(o->kind, kind) && str_eq(o->api_version, api_version) &&
           str_eq(o->namespace, ns);
}

/* ---- the watches --------------------------------------------------------------------------- */

static void watch_on_event(const char *type, json_t *obj, void *opaque)
{
    wwatch *ww = opaque;
    worker *w = ww->w;
    if (ww->state != WW_LIVE) {
        if (ww->failures > 0)
            log_info("event=watch_live cluster=%s kind=%s", ww->cluster, ww->kind);
        ww->state = WW_LIVE;
        ww->failures = 0;
    }
    bool deleted = strcmp(type, "DELETED") == 0;
    if (!deleted && strcmp(type, "ADDED") != 0 && strcmp(type, "MODIFIED") != 0)
        return; /* BOOKMARK, ERROR: the end callback says what went wrong */
    const char *ns = meta_str(obj, "namespace");
    const char *name = meta_str(obj, "name");
    if (!name)
        return;
    for (job *j = w->jobs; j; j = j->next) {
        if (j->abandoned || j->state == JOB_FINAL || j->state == JOB_DONE ||
            j->t.kind != MSG_KIND_DEPLOY || !str_eq(j->t.cluster, ww->cluster))
            continue;
        for (size_t i = 0; i < j->t.ncomps; i++) {
            task_comp *c = &j->t.comps[i];
            if (obj_is(&c->workload, ww->api_version, ww->kind, ns, name) &&
                watch_live_update(&c->live, obj, deleted))
                j->rejudge = true;
            for (size_t k = 0; k < c->ntraits; k++)
                if (c->traits[k].has_object &&
                    obj_is(&c->traits[k].object, ww->api_version, ww->kind, ns, name) &&
                    watch_live_update(&c->traits[k].live, obj, deleted))
                    j->rejudge = true;
        }
    }
}

static void watch_on_end(const kube_result *r, void *opaque)
{
    wwatch *ww = opaque;
    worker *w = ww->w;
    int64_t now = now_ms();
    ww->state = WW_DOWN;
    if (r->status == KUBE_OK) {
        /* the server ended it (its watch timeout): start again at once */
        ww->failures = 0;
        ww->retry_at = now;
        log_debug("event=watch_ended cluster=%s kind=%s", ww->cluster, ww->kind);
    } else if (r->status != KUBE_ERR_CANCELLED) {
        ww->failures++;
        int64_t delay = (int64_t)500 << (ww->failures < 7 ? ww->failures : 7);
        ww->retry_at = now + (delay < WATCH_BACKOFF_MAX_MS ? delay : WATCH_BACKOFF_MAX_MS);
        log_warn("event=watch_failed cluster=%s kind=%s failures=%d retry_ms=%lld "
                 "error=\"%s\" fallback=poll",
                 ww->cluster, ww->kind, ww->failures, (long long)(ww->retry_at - now), r->message);
    }
    /* Changes may come unseen until the watch is back: its jobs poll meanwhile. */
    for (job *j = w->jobs; j; j = j->next)
        if (j->state == JOB_WAIT && str_eq(j->t.cluster, ww->cluster))
            j->next_poll = now;
}

static wwatch *watch_find(worker *w, const char *cluster, const task_obj *o, bool add)
{
    for (size_t i = 0; i < w->nwatches; i++) {
        wwatch *ww = w->watches[i];
        if (str_eq(ww->cluster, cluster) && str_eq(ww->kind, o->kind) &&
            str_eq(ww->api_version, o->api_version))
            return ww;
    }
    if (!add || !cluster || !o->kind || !o->api_version)
        return NULL;
    w->watches = xrealloc(w->watches, (w->nwatches + 1) * sizeof(*w->watches));
    wwatch *ww = xcalloc(1, sizeof(*ww));
    ww->w = w;
    ww->cluster = xstrdup(cluster);
    ww->api_version = xstrdup(o->api_version);
    ww->kind = xstrdup(o->kind);
    w->watches[w->nwatches++] = ww;
    return ww;
}

static void watch_start(wwatch *ww, kube_cluster *cl, int64_t now)
{
    if (ww->state == WW_STARTING || ww->state == WW_LIVE ||
        (ww->state == WW_DOWN && now < ww->retry_at))
        return;
    kube_ref ref = {ww->api_version, ww->kind, NULL, NULL};
    char err[512];
    if (kube_watch_async(cl, &ref, WATCH_SELECTOR, watch_on_event, watch_on_end, ww, err,
                         sizeof(err)) < 0) {
        ww->state = WW_DOWN;
        ww->failures++;
        ww->retry_at = now + WATCH_BACKOFF_MAX_MS;
        log_warn("event=watch_failed cluster=%s kind=%s error=\"%s\" fallback=poll", ww->cluster,
                 ww->kind, err);
        return;
    }
    ww->state = WW_STARTING;
}

static void watch_obj(job *j, const task_obj *o, int64_t now)
{
    wwatch *ww = watch_find(j->w, j->t.cluster, o, true);
    if (ww)
        watch_start(ww, j->cl, now);
}

void watch_need(job *j, int64_t now)
{
    if (!j->w->cfg.health_watch || !j->cl)
        return;
    for (size_t i = 0; i < j->t.ncomps; i++) {
        task_comp *c = &j->t.comps[i];
        watch_obj(j, &c->workload, now);
        for (size_t k = 0; k < c->ntraits; k++)
            if (c->traits[k].has_object)
                watch_obj(j, &c->traits[k].object, now);
    }
}

static bool watch_obj_covered(const job *j, const task_obj *o)
{
    wwatch *ww = watch_find(j->w, j->t.cluster, o, false);
    /* starting counts: the watch begins with the current state, so nothing is missed */
    return ww && (ww->state == WW_STARTING || ww->state == WW_LIVE);
}

bool watch_covers(const job *j)
{
    if (!j->w->cfg.health_watch)
        return false;
    for (size_t i = 0; i < j->t.ncomps; i++) {
        const task_comp *c = &j->t.comps[i];
        if (!watch_obj_covered(j, &c->workload))
            return false;
        for (size_t k = 0; k < c->ntraits; k++)
            if (c->traits[k].has_object && !watch_obj_covered(j, &c->traits[k].object))
                return false;
    }
    return true;
}

json_t **watch_slot(job *j, const json_t *manifest)
{
    const json_t *meta = json_object_get(manifest, "metadata");
    const char *av = json_string_value(json_object_get(manifest, "apiVersion"));
    const char *kind = json_string_value(json_object_get(manifest, "kind"));
    const char *name = json_string_value(json_object_get(meta, "name"));
    const char *ns = json_string_value(json_object_get(meta, "namespace"));
    if (!ns && av && kind && kube_kind_namespaced(av, kind) != 0)
        ns = j->t.namespace;
    for (size_t i = 0; i < j->t.ncomps; i++) {
        task_comp *c = &j->t.comps[i];
        if (obj_is(&c->workload, av, kind, ns, name))
            return &c->live;
        for (size_t k = 0; k < c->ntraits; k++)
            if (c->traits[k].has_object && obj_is(&c->traits[k].object, av, kind, ns, name))
                return &c->traits[k].live;
    }
    return NULL;
}

void watch_forget_cluster(worker *w, const char *cluster)
{
    /* new credentials: the next job starts watches with them (the old ones end by
     * themselves or with the cluster's removal) */
    for (size_t i = 0; i < w->nwatches; i++)
        if (str_eq(w->watches[i]->cluster, cluster) && w->watches[i]->state != WW_STARTING &&
            w->watches[i]->state != WW_LIVE)
            w->watches[i]->state = WW_IDLE;
}

void watch_free_all(worker *w)
{
    for (size_t i = 0; i < w->nwatches; i++) {
        free(w->watches[i]->cluster);
        free(w->watches[i]->api_version);
        free(w->watches[i]->kind);
        free(w->watches[i]);
    }
    free(w->watches);
    w->watches = NULL;
    w->nwatches = 0;
}

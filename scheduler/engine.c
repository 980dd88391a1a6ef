/* The workflow engine's entry points (see engine.h) and its app table. Records, events and
 * registry changes come in here and are handed to the workflow (workflow.c), the revisions
 * (revision.c) and the inventory (inventory.c); engine_tick publishes status (status.c). */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/util.h"
#include "engine_int.h"
#include "inventory.h"
#include "revision.h"
#include "status.h"
#include "workflow.h"

void engine_opts_init(engine_opts *o)
{
    o->max_attempts = 10;
    o->backoff_ms = 1000;
    o->backoff_max_ms = 60000;
    o->status_min_ms = 1000;
    o->resync_ms = 5 * 60 * 1000;
}

/* ---- small helpers ---- */

void engine_strset(char **dst, const char *s)
{
    char *copy = s ? xstrdup(s) : NULL;
    free(*dst);
    *dst = copy;
}

void engine_random_id(char *out, size_t len)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char raw[32];
    if (len == 0)
        return;
    size_t n = len - 1 < sizeof(raw) ? len - 1 : sizeof(raw); /* characters, at most 32 */
    if (RAND_bytes(raw, (int)n) != 1)
        for (size_t i = 0; i < n; i++)
            raw[i] = (unsigned char)rand();
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
    out[n] = '\0';
}

int64_t engine_backoff(const engine *e, int attempt)
{
    int64_t d = e->opts.backoff_ms;
    for (int i = 1; i < attempt && d < e->opts.backoff_max_ms; i++)
        d *= 2;
    return d < e->opts.backoff_max_ms ? d : e->opts.backoff_max_ms;
}

const engine_cluster *engine_cluster_find(const engine *e, const char *name)
{
    for (size_t i = 0; i < e->nclusters; i++)
        if (strcmp(e->clusters[i].name, name) == 0)
            return &e->clusters[i];
    return NULL;
}

registry_view engine_view(const engine *e, cluster_ref *refs)
{
    for (size_t i = 0; i < e->nclusters; i++) {
        refs[i].name = e->clusters[i].name;
        refs[i].labels = e->clusters[i].labels;
    }
    return (registry_view){refs, e->nclusters, false};
}

/* ---- the app table ---- */

sapp *sapp_get(const engine *e, const char *key)
{
    json_t *idx = json_object_get(e->index, key);
    return idx ? e->apps[json_integer_value(idx)] : NULL;
}

static void sapp_free(sapp *a)
{
    workflow_free_steps(a);
    workflow_forget_restored(a);
    app_free(a->a);
    free(a->key);
    free(a->uid);
    free(a->error);
    free(a->created_at);
    free(a->resume_handled);
    free(a->resume_seen);
    free(a->restart_handled);
    free(a->restart_seen);
    inventory_release(&a->inventory);
    json_decref(a->restored_services);
    free(a);
}

sapp *sapp_add(engine *e, const char *key, int64_t now_ms)
{
    char uid[11], ts[32];
    sapp *a = xcalloc(1, sizeof(*a));
    a->key = xstrdup(key);
    engine_random_id(uid, sizeof(uid));
    a->uid = xstrdup(uid);
    clock_rfc3339(now_ms, 0, ts, sizeof(ts));
    a->created_at = xstrdup(ts);
    inventory_init(&a->inventory);
    if (e->napps == e->aapps) {
        e->aapps = e->aapps ? e->aapps * 2 : 64;
        e->apps = xrealloc(e->apps, e->aapps * sizeof(*e->apps));
    }
    json_object_set_new(e->index, key, json_integer((json_int_t)e->napps));
    e->apps[e->napps++] = a;
    return a;
}

void sapp_remove(engine *e, const char *key)
{
    json_t *idx = json_object_get(e->index, key);
    if (!idx)
        return;
    size_t i = (size_t)json_integer_value(idx);
    sapp *a = e->apps[i];
    json_object_del(e->index, key);
    e->apps[i] = e->apps[--e->napps];
    if (i < e->napps)
        json_object_set_new(e->index, e->apps[i]->key, json_integer((json_int_t)i));
    sapp_free(a);
}

/* ---- engine lifecycle ---- */

engine *engine_new(const engine_io *io, const engine_opts *opts)
{
    engine *e = xcalloc(1, sizeof(*e));
    e->io = *io;
    if (opts)
        e->opts = *opts;
    else
        engine_opts_init(&e->opts);
    e->index = json_object();
    e->cluster_store = json_array();
    return e;
}

void engine_free(engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->napps; i++)
        sapp_free(e->apps[i]);
    free(e->apps);
    json_decref(e->index);
    free(e->clusters);
    json_decref(e->cluster_store);
    free(e);
}

size_t engine_app_count(const engine *e)
{
    return e->napps;
}

void engine_foreach_key(const engine *e, void (*fn)(const char *key, void *ctx), void *ctx)
{
    /* keys are copied first: fn may forget apps */
    json_t *keys = json_array();
    const char *k;
    json_t *v;
    size_t i;
    json_object_foreach(e->index, k, v) {
        json_array_append_new(keys, json_string(k));
    }
    json_array_foreach(keys, i, v) {
        fn(json_string_value(v), ctx);
    }
    json_decref(keys);
}

void engine_app_forget(engine *e, const char *key)
{
    sapp_remove(e, key);
}

/* ---- inputs ---- */

/* A decoded record (or a refused one: rec NULL, refusal set) applied to the app of key.
 * Returns REVISION_UNREADABLE when the record is no Application at all (the reason is then
 * in err), else 0. */
static int engine_record(engine *e, const char *key, const revision_input *in, int64_t now_ms,
                         char *err, size_t errlen)
{
    sapp *a = sapp_get(e, key);
    if (a)
        a->quiet = false;
    bool deletion = in->rec && (in->rec->kind == MSG_APP_RECORD_DELETION ||
                                in->rec->kind == MSG_APP_RECORD_TOMBSTONE);
    if (deletion) {
        if (!a)
            return 0;
        if (in->rec->kind == MSG_APP_RECORD_DELETION && in->rec->force) {
            a->force_delete = true;
            /* give up at once on deletions that already failed; the others on their result */
            inventory_give_up_failed(a);
        }
        a->deleting = true;
        workflow_free_steps(a);
        inventory_delete_all(a);
        a->dirty = true;
        log_info("event=delete app=%s", key);
        return 0;
    }
    bool fresh = !a || a->deleting;
    if (!a)
        a = sapp_add(e, key, now_ms);
    if (a->deleting) /* re-created while being deleted: stop deleting, GC sorts it out */
        inventory_cancel_delete(a);
    if (revision_apply(a, in, fresh) != REVISION_UNREADABLE)
        return 0;
    err_set(err, errlen, "%s", a->error ? a->error : "not an Application");
    return REVISION_UNREADABLE;
}

int engine_app_record(engine *e, const char *key, const char *value, size_t len, int64_t now_ms,
                      char *err, size_t errlen)
{
    msg_app_record rec;
    char why[1024];
    int rc = msg_app_record_decode(value, len, &rec, why, sizeof(why));
    revision_input in = {rc == 0 ? &rec : NULL, why, value, len};
    rc = engine_record(e, key, &in, now_ms, err, errlen);
    msg_app_record_release(&rec);
    return rc < 0 ? -1 : 0;
}

/* A status record the engine cannot use: reported by the caller, and the Application starts
 * from its record as if there were no status (a deleted one has its status tombstoned; what
 * that status listed as applied is left where it is). */
static int engine_status_unusable(engine *e, const char *key, const revision_input *in,
                                  const char *why, int64_t now_ms, char *err, size_t errlen)
{
    log_info("event=status-unusable app=%s action=\"%s\" reason=\"%s\"", key,
             in->rec && in->rec->kind == MSG_APP_RECORD_TOMBSTONE
                 ? "dropping the status of a deleted Application"
                 : "starting from the Application record",
             why);
    sapp_remove(e, key);
    if (in->rec && in->rec->kind == MSG_APP_RECORD_TOMBSTONE)
        sapp_add(e, key, now_ms);
    return engine_record(e, key, in, now_ms, err, errlen);
}

int engine_app_load(engine *e, const char *key, const char *value, size_t len, const char *status,
                    size_t status_len, int64_t now_ms, char *status_err, char *record_err,
                    size_t errlen)
{
    msg_app_record rec;
    char why[1024];
    int refused = 0;
    int drc = msg_app_record_decode(value, len, &rec, why, sizeof(why));
    revision_input in = {drc == 0 ? &rec : NULL, why, value, len};
    bool gone = drc == 0 &&
                (rec.kind == MSG_APP_RECORD_TOMBSTONE || rec.kind == MSG_APP_RECORD_DELETION);
    sapp_remove(e, key);
    if (!status) {
        if (!gone && engine_record(e, key, &in, now_ms, record_err, errlen) < 0)
            refused |= ENGINE_REFUSED_RECORD;
        goto done;
    }
    sapp *a = sapp_add(e, key, now_ms);
    if (status_restore(a, status, status_len, now_ms, status_err, errlen) < 0) {
        refused |= ENGINE_REFUSED_STATUS;
        if (engine_status_unusable(e, key, &in, status_err ? status_err : "", now_ms, record_err,
                                   errlen) < 0)
            refused |= ENGINE_REFUSED_RECORD;
        goto done;
    }
    if (gone) {
        workflow_forget_restored(a);
        engine_record(e, key, &in, now_ms, NULL, 0);
        goto done;
    }
    char hash[17];
    app *parsed = NULL;
    json_t *doc = NULL;
    int rc = revision_parse(a, &in, hash, &parsed, &doc);
    if (rc == 0 && strcmp(hash, a->spec_hash) == 0) {
        /* the same revision: carry on where the status says */
        a->a = parsed;
        engine_strset(&a->resume_seen, revision_annotation(doc, ANN_RESUME));
        engine_strset(&a->restart_seen, revision_annotation(doc, ANN_RESTART));
        json_decref(doc);
        workflow_restore(a);
        a->gc_done = workflow_finished(a);
        a->checked_at = now_ms; /* the next resync is a full interval away */
        a->dirty = true;
        log_info("event=resume app=%s revision=%d", key, a->revision);
        goto done;
    }
    json_decref(doc);
    app_free(parsed);
    workflow_forget_restored(a);
    if (revision_apply(a, &in, false) == REVISION_UNREADABLE) {
        err_set(record_err, errlen, "%s", a->error ? a->error : "not an Application");
        refused |= ENGINE_REFUSED_RECORD;
    }
done:
    msg_app_record_release(&rec);
    return refused;
}

void engine_event(engine *e, const char *key, const msg_event *ev, int64_t now_ms)
{
    sapp *a = sapp_get(e, key);
    const char *task_id = ev->id.task_id;
    const char *phase = msg_event_phase_name(ev->phase);
    const char *message = ev->message;
    bool final = ev->final;
    if (!a)
        return;
    a->quiet = false;
    if (ev->id.kind == MSG_KIND_DELETE) {
        if (final)
            inventory_delete_event(e, a, task_id, phase, message, now_ms);
        return;
    }
    /* services and resources as the decoder checked them in the event's document */
    workflow_event(e, a, task_id, phase, message, final,
                   ev->has_services ? json_object_get(ev->doc, "services") : NULL,
                   ev->has_resources ? json_object_get(ev->doc, "resources") : NULL, now_ms);
}

void engine_set_clusters(engine *e, const engine_cluster *clusters, size_t n, int64_t now_ms)
{
    json_t *store = json_array();
    free(e->clusters);
    e->clusters = xcalloc(n, sizeof(*e->clusters));
    for (size_t i = 0; i < n; i++) {
        json_t *labels = clusters[i].labels ? json_incref((json_t *)clusters[i].labels)
                                            : json_object();
        json_t *entry = json_pack("{s:s,s:o,s:s}", "name", clusters[i].name, "labels", labels,
                                  "region", clusters[i].region ? clusters[i].region : "default");
        json_array_append_new(store, entry);
        e->clusters[i].name = json_string_value(json_object_get(entry, "name"));
        e->clusters[i].labels = json_object_get(entry, "labels");
        e->clusters[i].region = json_string_value(json_object_get(entry, "region"));
    }
    json_decref(e->cluster_store);
    e->cluster_store = store;
    e->nclusters = n;

    /* re-deploy Applications whose label selection changed (docs/scheduler.md) */
    cluster_ref *refs = xcalloc(n, sizeof(*refs));
    registry_view view = engine_view(e, refs);
    for (size_t ai = 0; ai < e->napps; ai++) {
        sapp *a = e->apps[ai];
        a->quiet = false; /* steps waiting for a cluster look again */
        if (!a->a || a->deleting || a->terminated || !workflow_selection_changed(a, &view))
            continue;
        log_info("event=reselect app=%s reason=\"cluster registry changed\"", a->key);
        workflow_reset(a);
        a->dirty = true;
    }
    free(refs);
    (void)now_ms;
}

/* ---- the tick ---- */

static bool token_new(const char *seen, const char *handled)
{
    return seen && (!handled || strcmp(seen, handled) != 0);
}

/* Whether the app has nothing to do on its own: no status to send, no deletion, a workflow
 * that is over (finished with its garbage collected, or terminated) or an invalid revision,
 * no task out, nothing to collect, no resume or restart unhandled. Such an app is skipped by
 * engine_tick until an input (record, event, registry change) or its resync wakes it. */
static bool sapp_idle(const sapp *a)
{
    if (a->dirty || a->deleting)
        return false;
    if (!a->a)
        return true;
    if (!a->terminated && !(workflow_finished(a) && a->gc_done))
        return false;
    if (token_new(a->resume_seen, a->resume_handled) ||
        token_new(a->restart_seen, a->restart_handled))
        return false;
    for (size_t si = 0; si < a->nsteps; si++)
        for (size_t i = 0; i < a->steps[si].npl; i++)
            if (a->steps[si].pl[i].checking || a->steps[si].pl[i].state == PL_DISPATCHED)
                return false;
    return !inventory_busy(a);
}

static bool sapp_resync_due(const engine *e, const sapp *a, int64_t now_ms)
{
    return a->a && !a->terminated && a->gc_done && e->opts.resync_ms > 0 &&
           now_ms - a->checked_at >= e->opts.resync_ms;
}

/* One tick of a live (not deleted) Application. */
static void sapp_tick(engine *e, sapp *a, int64_t now_ms)
{
    if (token_new(a->resume_seen, a->resume_handled)) {
        workflow_resume_steps(a);
        engine_strset(&a->resume_handled, a->resume_seen);
        a->dirty = true;
    }
    if (token_new(a->restart_seen, a->restart_handled)) {
        /* vela workflow restart: the same revision, from the first step */
        engine_strset(&a->restart_handled, a->restart_seen);
        workflow_reset(a);
        a->dirty = true;
        log_info("event=restart app=%s revision=%d", a->key, a->revision);
    }
    if (!a->terminated)
        workflow_tick(e, a, now_ms);
    if (!a->terminated && workflow_finished(a) && !a->gc_done) {
        inventory_gc_plan(a);
        a->gc_done = true;
        a->checked_at = now_ms;
        a->dirty = true;
    }
    if (sapp_resync_due(e, a, now_ms))
        workflow_resync(e, a, now_ms);
    inventory_gc_tick(e, a, now_ms);
}

/* Sends a's status when it is due: at once for a milestone, else at most once per
 * status_min_ms. */
static void sapp_publish(engine *e, sapp *a, int64_t now_ms)
{
    uint64_t m = status_milestone(a);
    if (m == a->sent_milestone && now_ms - a->last_sent < e->opts.status_min_ms)
        return;
    json_t *status = status_build(a, now_ms);
    int sent = e->io.send_status(e->io.ctx, a->key, status);
    json_decref(status);
    if (sent == 0) {
        a->dirty = false;
        a->last_sent = now_ms;
        a->sent_milestone = m;
    }
}

void engine_tick(engine *e, int64_t now_ms)
{
    for (size_t ai = 0; ai < e->napps; ai++) {
        sapp *a = e->apps[ai];
        if (a->quiet) {
            if (!sapp_resync_due(e, a, now_ms))
                continue;
            a->quiet = false;
        }
        if (a->deleting) {
            if (inventory_gc_tick(e, a, now_ms) == 0 && a->inventory.n == 0) {
                e->io.send_status(e->io.ctx, a->key, NULL);
                log_info("event=deleted app=%s", a->key);
                sapp_remove(e, a->key);
                ai--;
                continue;
            }
        } else if (a->a) {
            sapp_tick(e, a, now_ms);
        }
        if (a->dirty)
            sapp_publish(e, a, now_ms);
        a->quiet = sapp_idle(a);
    }
}

/* The workflow engine (see engine.h). One sapp per Application holds its revision, the
 * runtime state of its steps and placements, and the inventory of what its tasks applied;
 * the status record is both what users read and what a restarted scheduler resumes from. */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "model/application.h"
#include "model/definitions.h"
#include "base/log.h"
#include "model/policy.h"
#include "model/render.h"
#include "base/util.h"
#include "yaml/ydoc.h"
#include "base/clock.h"

#define ANN_RESUME "app.oam.dev/resume"
#define ANN_RESTART "app.oam.dev/restart"

enum pl_state { PL_PENDING, PL_DISPATCHED, PL_HEALTHY, PL_FAILED };
static const char *const pl_state_names[] = {"pending", "dispatched", "healthy", "failed"};

enum step_phase { SP_PENDING, SP_RUNNING, SP_SUCCEEDED, SP_FAILED, SP_SKIPPED, SP_SUSPENDING };
static const char *const step_phase_names[] = {"pending", "running", "succeeded",
                                               "failed", "skipped", "suspending"};

typedef struct placement {
    char *cluster;
    char *ns;
    enum pl_state state;
    int attempt;
    int64_t retry_at;
    char *task_id;
    char *message;
    int failures;     /* failed attempts of this placement */
    bool checking;    /* a resync task (re-apply and judge health) is out */
    json_t *services; /* from the last event, or NULL */
} placement;

typedef struct step_rt {
    char id[12];
    enum step_phase phase;
    char *message;
    int64_t started_at; /* wall ms, 0: not started */
    int failures;
    int64_t retry_at; /* resolution retry */
    bool resumed;
    bool resolved;
    json_t *tasks_components; /* components with workload/trait objects, for tasks */
    json_t *manifests_by_ns;  /* namespace -> manifests */
    json_t *restored;         /* placements of a restored status, until resolved */
    placement *pl;
    size_t npl;
} step_rt;

typedef struct sapp {
    char *key;
    char *uid;
    int revision;
    int generation;
    char spec_hash[17];
    app *a;
    char *error;
    char *created_at;
    char *resume_handled;
    char *resume_seen;
    char *restart_handled;
    char *restart_seen;
    bool deleting;
    bool force_delete;
    bool terminated;
    bool gc_done;
    step_rt *steps;
    size_t nsteps;
    json_t *inventory; /* [{cluster, namespace, generation, resources, delete...}] */
    bool dirty;
    int64_t last_sent;
    bool gone; /* deleted: drop after the tombstone */
    int64_t checked_at; /* last resync (or when the workflow finished) */
    json_t *restored_services; /* services of the status a restart resumed from */
    bool quiet; /* nothing to do until an input arrives or the resync is due (sapp_idle) */
    uint64_t sent_milestone; /* sapp_milestone of the last status sent */
} sapp;

struct engine {
    engine_io io;
    engine_opts opts;
    sapp **apps;
    size_t napps, aapps;
    json_t *index; /* key -> integer index into apps */
    engine_cluster *clusters;
    size_t nclusters;
    json_t *cluster_store; /* keeps copies of names, labels and regions */
};

void engine_opts_init(engine_opts *o)
{
    o->max_attempts = 10;
    o->backoff_ms = 1000;
    o->backoff_max_ms = 60000;
    o->status_min_ms = 1000;
    o->resync_ms = 5 * 60 * 1000;
}

/* ---- small helpers ---- */

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void set_str(char **dst, const char *s)
{
    char *copy = xstrdup(s);
    free(*dst);
    *dst = copy;
}

/* Status timestamps; 0 when absent or malformed (a record from an older scheduler). */
static int64_t engine_parse_time(const char *s)
{
    int64_t ms = clock_parse_rfc3339(s);
    return ms < 0 ? 0 : ms;
}

static void random_id(char *out, size_t len)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char raw[32];
    if (len > sizeof(raw) + 1)
        len = sizeof(raw) + 1;
    if (RAND_bytes(raw, (int)len) != 1)
        for (size_t i = 0; i < len; i++)
            raw[i] = (unsigned char)rand();
    for (size_t i = 0; i + 1 < len; i++)
        out[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
    out[len - 1] = '\0';
}

static int64_t backoff(const engine *e, int attempt)
{
    int64_t d = e->opts.backoff_ms;
    for (int i = 1; i < attempt && d < e->opts.backoff_max_ms; i++)
        d *= 2;
    return d < e->opts.backoff_max_ms ? d : e->opts.backoff_max_ms;
}

/* ---- the app table ---- */

static sapp *app_get(const engine *e, const char *key)
{
    json_t *idx = json_object_get(e->index, key);
    return idx ? e->apps[json_integer_value(idx)] : NULL;
}

static void placement_release(placement *p)
{
    free(p->cluster);
    free(p->ns);
    free(p->task_id);
    free(p->message);
    json_decref(p->services);
}

static void step_reset(step_rt *s)
{
    for (size_t i = 0; i < s->npl; i++)
        placement_release(&s->pl[i]);
    free(s->pl);
    free(s->message);
    json_decref(s->tasks_components);
    json_decref(s->manifests_by_ns);
    json_decref(s->restored);
    memset(s, 0, sizeof(*s));
}

static void sapp_steps_free(sapp *a)
{
    for (size_t i = 0; i < a->nsteps; i++)
        step_reset(&a->steps[i]);
    free(a->steps);
    a->steps = NULL;
    a->nsteps = 0;
}

static void sapp_free(sapp *a)
{
    sapp_steps_free(a);
    app_free(a->a);
    free(a->key);
    free(a->uid);
    free(a->error);
    free(a->created_at);
    free(a->resume_handled);
    free(a->resume_seen);
    free(a->restart_handled);
    free(a->restart_seen);
    json_decref(a->inventory);
    json_decref(a->restored_services);
    free(a);
}

static sapp *app_add(engine *e, const char *key, int64_t now_ms)
{
    char uid[11], ts[32];
    sapp *a = calloc(1, sizeof(*a));
    a->key = strdup(key);
    random_id(uid, sizeof(uid));
    a->uid = strdup(uid);
    clock_rfc3339(now_ms, 0, ts, sizeof(ts));
    a->created_at = strdup(ts);
    a->inventory = json_array();
    if (e->napps == e->aapps) {
        e->aapps = e->aapps ? e->aapps * 2 : 64;
        e->apps = realloc(e->apps, e->aapps * sizeof(*e->apps));
    }
    json_object_set_new(e->index, key, json_integer((json_int_t)e->napps));
    e->apps[e->napps++] = a;
    return a;
}

static void app_remove(engine *e, const char *key)
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
    engine *e = calloc(1, sizeof(*e));
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
    app_remove(e, key);
}

static const engine_cluster *cluster_find(const engine *e, const char *name)
{
    for (size_t i = 0; i < e->nclusters; i++)
        if (strcmp(e->clusters[i].name, name) == 0)
            return &e->clusters[i];
    return NULL;
}

static registry_view engine_view(const engine *e, cluster_ref *refs)
{
    for (size_t i = 0; i < e->nclusters; i++) {
        refs[i].name = e->clusters[i].name;
        refs[i].labels = e->clusters[i].labels;
    }
    return (registry_view){refs, e->nclusters, false};
}

/* ---- revisions ---- */

static void sapp_reset_workflow(sapp *a)
{
    sapp_steps_free(a);
    a->terminated = false;
    a->gc_done = false;
    a->generation++;
    if (!a->a)
        return;
    a->nsteps = a->a->nsteps;
    a->steps = calloc(a->nsteps ? a->nsteps : 1, sizeof(step_rt));
    for (size_t i = 0; i < a->nsteps; i++)
        random_id(a->steps[i].id, 11);
}

/* Reads a record into doc/app; 0 valid, -1 invalid (a->error set). *hash gets the digest of
 * the spec (or of the raw text when it is not even YAML). */
static int record_parse(sapp *a, const char *value, size_t len, char hash[17], app **out,
                        json_t **doc_out)
{
    char err[2048];
    json_t *doc = NULL;
    verr ve;
    *out = NULL;
    *doc_out = NULL;
    if (ydoc_parse(value, len, NULL, &doc, err, sizeof(err)) < 0) {
        json_t *raw = json_stringn(value, len);
        app_spec_hash(raw ? raw : json_null(), hash);
        json_decref(raw);
        char msg[2200];
        snprintf(msg, sizeof(msg), "invalid Application: %s", err);
        set_str(&a->error, msg);
        return -1;
    }
    /* the envelope {"schemaVersion", "application", "source"} that vela up writes: the
     * source text, when there, is read instead so that errors get lines and columns */
    json_t *envelope = NULL;
    if (json_is_object(json_object_get(doc, "application")) && json_object_get(doc, "schemaVersion")) {
        envelope = doc;
        doc = json_incref(json_object_get(envelope, "application"));
        json_t *src = json_object_get(envelope, "source");
        json_t *from_src = NULL;
        if (json_is_string(src) &&
            ydoc_parse(json_string_value(src), json_string_length(src), NULL, &from_src, err,
                       sizeof(err)) == 0 &&
            json_equal(from_src, doc)) {
            value = json_string_value(src);
            len = json_string_length(src);
        }
        json_decref(from_src);
    }
    app_spec_hash(json_object_get(doc, "spec") ? json_object_get(doc, "spec") : doc, hash);
    *doc_out = json_incref(doc);
    if (app_from_json(json_deep_copy(doc), out, &ve) < 0) {
        char msg[2048], where[64] = "";
        int line = 0, col = 0;
        if (ve.path[0] && ydoc_locate(value, len, ve.path, &line, &col) >= 0 && line)
            snprintf(where, sizeof(where), "%d:%d: ", line, col);
        snprintf(msg, sizeof(msg), "invalid Application: %s%s%s%s", where, ve.path,
                 ve.path[0] ? ": " : "", ve.msg);
        set_str(&a->error, msg);
        json_decref(doc);
        json_decref(envelope);
        return -1;
    }
    char want[300];
    snprintf(want, sizeof(want), "%s/%s", (*out)->ns, (*out)->name);
    if (strcmp(want, a->key) != 0) {
        char msg[700];
        snprintf(msg, sizeof(msg), "invalid Application: the record's key \"%s\" does not match "
                                   "metadata.namespace/name \"%s\"",
                 a->key, want);
        set_str(&a->error, msg);
        app_free(*out);
        *out = NULL;
        json_decref(doc);
        json_decref(envelope);
        return -1;
    }
    json_decref(doc);
    json_decref(envelope);
    return 0;
}

static const char *doc_annotation(const json_t *doc, const char *name)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(doc, "metadata"), "annotations"), name));
}

/* Applies a record's content: a new revision when the spec differs; resume tokens. */
static void sapp_apply_record(engine *e, sapp *a, const char *value, size_t len, bool fresh)
{
    char hash[17];
    app *parsed = NULL;
    json_t *doc = NULL;
    (void)e;
    free(a->error);
    a->error = NULL;
    int rc = record_parse(a, value, len, hash, &parsed, &doc);
    const char *resume = doc_annotation(doc, ANN_RESUME);
    set_str(&a->resume_seen, resume);
    set_str(&a->restart_seen, doc_annotation(doc, ANN_RESTART));
    if (fresh) { /* tokens already there when an Application is first seen are no requests */
        set_str(&a->restart_handled, a->restart_seen);
        set_str(&a->resume_handled, a->resume_seen);
    }
    a->force_delete = false; /* an Application record: not (or no longer) being deleted */
    json_decref(doc);
    a->deleting = false;
    if (!fresh && strcmp(hash, a->spec_hash) == 0 && (rc == 0) == (a->a != NULL)) {
        app_free(parsed); /* identical spec: nothing to do */
        a->dirty = true;
        return;
    }
    memcpy(a->spec_hash, hash, sizeof(a->spec_hash));
    a->revision++;
    app_free(a->a);
    a->a = rc == 0 ? parsed : NULL;
    sapp_reset_workflow(a);
    a->dirty = true;
    log_info("event=revision app=%s revision=%d valid=%s", a->key, a->revision,
             a->a ? "true" : "false");
}

/* ---- status ---- */

/* Whether the placement's last attempt failed: failed and waiting for its retry, or being
 * retried (its failure stays visible until an attempt succeeds, as the seed shows it). */
static bool placement_failing(const placement *p)
{
    return p->message &&
           (p->state == PL_FAILED || (p->state == PL_DISPATCHED && p->failures > 0));
}

static json_t *placement_services(const sapp *a, const step_rt *s, const placement *p)
{
    json_t *out = json_array();
    size_t i;
    json_t *svc;
    if (p->services) {
        json_array_foreach(p->services, i, svc) {
            json_t *c = json_deep_copy(svc);
            json_object_set_new(c, "cluster", json_string(p->cluster));
            json_object_set_new(c, "namespace", json_string(p->ns));
            json_array_append_new(out, c);
        }
        return out;
    }
    json_array_foreach(s->tasks_components, i, svc) {
        json_t *traits = json_array();
        size_t j;
        json_t *t;
        json_array_foreach(json_object_get(svc, "traits"), j, t) {
            json_array_append_new(traits, json_pack("{s:O,s:b,s:s}", "type",
                                                    json_object_get(t, "type"), "healthy", 0,
                                                    "message", ""));
        }
        json_array_append_new(
            out, json_pack("{s:O,s:s,s:s,s:O,s:b,s:s,s:o}", "name", json_object_get(svc, "name"),
                           "cluster", p->cluster, "namespace", p->ns, "type",
                           json_object_get(svc, "type"), "healthy", 0, "message",
                           placement_failing(p) ? p->message : "", "traits",
                           traits));
    }
    (void)a;
    return out;
}

static bool sapp_finished(const sapp *a)
{
    if (!a->a || a->nsteps == 0)
        return a->a != NULL;
    for (size_t i = 0; i < a->nsteps; i++)
        if (a->steps[i].phase != SP_SUCCEEDED && a->steps[i].phase != SP_SKIPPED)
            return false;
    return true;
}

static json_t *sapp_services(const sapp *a)
{
    json_t *out = json_array();
    for (size_t i = 0; i < a->nsteps; i++) {
        const step_rt *s = &a->steps[i];
        for (size_t j = 0; j < s->npl; j++) {
            json_t *svcs = placement_services(a, s, &s->pl[j]);
            size_t k, m;
            json_t *svc, *have;
            json_array_foreach(svcs, k, svc) { /* a later step's view of the same service wins */
                int replaced = 0;
                json_array_foreach(out, m, have) {
                    if (json_equal(json_object_get(have, "name"), json_object_get(svc, "name")) &&
                        json_equal(json_object_get(have, "cluster"), json_object_get(svc, "cluster")) &&
                        json_equal(json_object_get(have, "namespace"),
                                   json_object_get(svc, "namespace"))) {
                        json_array_set(out, m, svc);
                        replaced = 1;
                        break;
                    }
                }
                if (!replaced)
                    json_array_append(out, svc);
            }
            json_decref(svcs);
        }
    }
    return out;
}

static const char *sapp_phase(const sapp *a, const json_t *services)
{
    if (a->deleting)
        return "deleting";
    if (!a->a)
        return "rendering";
    if (a->terminated)
        return "workflowFailed";
    for (size_t i = 0; i < a->nsteps; i++)
        if (a->steps[i].phase == SP_SUSPENDING)
            return "workflowSuspending";
    if (!sapp_finished(a))
        return "runningWorkflow";
    size_t i;
    json_t *svc;
    json_array_foreach(services, i, svc) {
        if (!json_is_true(json_object_get(svc, "healthy")))
            return "unhealthy";
    }
    return "running";
}

/* What a status must not wait for: the revision, the application's phase and every step's
 * phase, folded into a number (FNV-1a). Other changes (placements' states, services'
 * messages) are coalesced to one record per status_min_ms. */
static uint64_t sapp_milestone(const sapp *a)
{
    uint64_t h = 1469598103934665603ULL;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ULL)
    MIX(a->revision);
    MIX(a->deleting);
    MIX(a->a != NULL);
    MIX(a->terminated);
    for (size_t i = 0; i < a->nsteps; i++)
        MIX(a->steps[i].phase + 1);
    if (a->a && !a->deleting && !a->terminated && sapp_finished(a)) {
        json_t *services = sapp_services(a);
        const char *phase = sapp_phase(a, services);
        json_decref(services);
        for (; *phase; phase++)
            MIX((unsigned char)*phase);
    }
#undef MIX
    return h;
}

/* The status record (new reference). Built when it is sent, never kept: a thousand
 * Applications' records are tens of megabytes as JSON trees. */
static json_t *sapp_build_status(const sapp *a, int64_t now_ms)
{
    char ts[32];
    json_t *steps = json_array();
    json_t *services = a->deleting ? json_array() : sapp_services(a);
    const char *phase = sapp_phase(a, services);
    bool suspend = strcmp(phase, "workflowSuspending") == 0;
    const char *slash = strchr(a->key, '/');
    const char *name = slash ? slash + 1 : a->key;
    char ns[256];
    snprintf(ns, sizeof(ns), "%.*s", slash ? (int)(slash - a->key) : 0, a->key);

    for (size_t i = 0; i < a->nsteps && a->a; i++) {
        const step_rt *s = &a->steps[i];
        json_t *pls = json_array();
        for (size_t j = 0; j < s->npl; j++)
            json_array_append_new(
                pls, json_pack("{s:s,s:s,s:s,s:i,s:i,s:s}", "cluster", s->pl[j].cluster,
                               "namespace", s->pl[j].ns, "state", pl_state_names[s->pl[j].state],
                               "attempt", s->pl[j].attempt, "failures", s->pl[j].failures,
                               "message", s->pl[j].message ? s->pl[j].message : ""));
        json_t *st = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:o}", "id", s->id, "name",
                               a->a->steps[i].name, "type", a->a->steps[i].type_name, "phase",
                               step_phase_names[s->phase], "message",
                               s->message ? s->message : "", "failures", s->failures,
                               "placements", pls);
        if (s->started_at) {
            clock_rfc3339(s->started_at, 0, ts, sizeof(ts));
            json_object_set_new(st, "startedAt", json_string(ts));
        }
        if (s->resumed)
            json_object_set_new(st, "resumed", json_true());
        json_array_append_new(steps, st);
    }
    const char *message = a->error ? a->error : "";
    for (size_t i = 0; !a->error && i < a->nsteps; i++)
        if (a->steps[i].phase == SP_FAILED && a->steps[i].message)
            message = a->steps[i].message;
    clock_rfc3339(now_ms, 0, ts, sizeof(ts));
    json_t *status = json_pack(
        "{s:i,s:s,s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:s}", "schemaVersion", 1, "name", name,
        "namespace", ns, "uid", a->uid, "revision", a->revision, "generation", a->generation,
        "specHash", a->spec_hash, "createdAt", a->created_at, "updatedAt", ts, "phase", phase,
        "message", message);
    json_object_set_new(status, "workflow",
                        json_pack("{s:s,s:b,s:b,s:b,s:o}", "mode",
                                  a->a ? wf_mode_name(a->a->mode) : "StepByStep", "finished",
                                  sapp_finished(a), "suspend", suspend, "terminated",
                                  a->terminated, "steps", steps));
    json_object_set_new(status, "services", services);
    json_object_set(status, "inventory", a->inventory);
    if (a->resume_handled)
        json_object_set_new(status, "resumeToken", json_string(a->resume_handled));
    if (a->restart_handled)
        json_object_set_new(status, "restartToken", json_string(a->restart_handled));
    return status;
}

/* ---- tasks ---- */

static json_t *task_app(const sapp *a)
{
    const char *name = strchr(a->key, '/') + 1;
    return json_pack("{s:s,s:s#,s:s,s:i}", "name", name, "namespace", a->key,
                     (int)(name - a->key - 1), "uid", a->uid, "revision", a->revision);
}

/* Components as tasks carry them: type, traits with properties, the objects to judge. */
static json_t *task_components(const json_t *components)
{
    json_t *out = json_array();
    json_t *ordered = render_order(components);
    size_t i, j;
    json_t *c, *t;
    json_array_foreach(ordered, i, c) {
        const char *name = json_string_value(json_object_get(c, "name"));
        const component_def *def = component_def_find(json_string_value(json_object_get(c, "type")));
        json_t *traits = json_array();
        json_array_foreach(json_object_get(c, "traits"), j, t) {
            const trait_def *td = trait_def_find(json_string_value(json_object_get(t, "type")));
            json_t *props = json_object_get(t, "properties");
            json_t *tr = json_pack("{s:O,s:o}", "type", json_object_get(t, "type"), "properties",
                                   json_is_object(props) ? json_deep_copy(props) : json_object());
            if (td && td->health_kind)
                json_object_set_new(tr, "object",
                                    json_pack("{s:s,s:s,s:s}", "apiVersion", td->health_api_version,
                                              "kind", td->health_kind, "name", name));
            json_array_append_new(traits, tr);
        }
        json_array_append_new(
            out, json_pack("{s:s,s:O,s:{s:s,s:s,s:s},s:o}", "name", name, "type",
                           json_object_get(c, "type"), "workload", "apiVersion",
                           def ? def->workload_api_version : "", "kind",
                           def ? def->workload_kind : "", "name", name, "traits", traits));
    }
    json_decref(ordered);
    return out;
}

static void dispatch_deploy(engine *e, sapp *a, size_t si, placement *p, int64_t now_ms,
                            int64_t deadline_ms)
{
    step_rt *s = &a->steps[si];
    const app_step *as = &a->a->steps[si];
    const engine_cluster *c = cluster_find(e, p->cluster);
    char task_id[512], ts[32], deadline[32];

    p->attempt++;
    snprintf(task_id, sizeof(task_id), "%s:%d.%d:%s:%s:%s:%d", a->uid, a->revision, a->generation,
             as->name, p->cluster, p->ns, p->attempt);
    set_str(&p->task_id, task_id);
    if (!c) {
        char msg[512];
        snprintf(msg, sizeof(msg), "cluster \"%s\" not found; run 'vela cluster list'", p->cluster);
        set_str(&p->message, msg);
        p->state = PL_FAILED;
        p->retry_at = now_ms + backoff(e, p->attempt);
        p->failures++;
        s->failures++;
        return;
    }
    clock_rfc3339(now_ms, 0, ts, sizeof(ts));
    clock_rfc3339(deadline_ms, 0, deadline, sizeof(deadline));
    json_t *task = json_pack("{s:i,s:s,s:s,s:o,s:s,s:s,s:i,s:s,s:s,s:s,s:O,s:O,s:s}",
                             "schemaVersion", 1, "kind", "deploy", "taskId", task_id, "app",
                             task_app(a), "step", as->name, "stepId", s->id, "attempt", p->attempt,
                             "cluster", p->cluster, "namespace", p->ns, "deadline", deadline,
                             "components", s->tasks_components, "manifests",
                             json_object_get(s->manifests_by_ns, p->ns), "createdAt", ts);
    if (e->io.send_task(e->io.ctx, p->cluster, c->region, task) < 0) {
        set_str(&p->message, "could not queue the task to Kafka; retrying");
        p->state = PL_FAILED;
        p->retry_at = now_ms + backoff(e, 1);
    } else {
        p->state = PL_DISPATCHED; /* p->message keeps the last failure while it retries */
    }
    json_decref(task);
}

/* The services of a status record that belong to (cluster, ns), without those two fields,
 * as a placement keeps them; NULL when there are none. */
static json_t *services_for(const json_t *services, const char *cluster, const char *ns)
{
    json_t *out = NULL;
    size_t i;
    json_t *svc;
    json_array_foreach(services, i, svc) {
        const char *sc = json_string_value(json_object_get(svc, "cluster"));
        const char *sn = json_string_value(json_object_get(svc, "namespace"));
        if (!sc || !sn || strcmp(sc, cluster) != 0 || strcmp(sn, ns) != 0)
            continue;
        if (!out)
            out = json_array();
        json_t *c = json_deep_copy(svc);
        json_object_del(c, "cluster");
        json_object_del(c, "namespace");
        json_array_append_new(out, c);
    }
    return out;
}

/* Resolves a deploy step's placements against the registry, renders its manifests. */
static int step_resolve(engine *e, sapp *a, size_t si, int64_t now_ms)
{
    step_rt *s = &a->steps[si];
    const app_step *as = &a->a->steps[si];
    cluster_ref *refs = calloc(e->nclusters ? e->nclusters : 1, sizeof(*refs));
    registry_view view = engine_view(e, refs);
    json_t *placements = NULL, *components = NULL;
    verr ve;
    size_t i;
    json_t *p;

    if (render_step(a->a, as, &view, &placements, &ve) < 0 ||
        policy_components(a->a, as, &components, &ve) < 0) {
        free(refs);
        json_decref(placements);
        s->failures++;
        s->phase = SP_FAILED;
        set_str(&s->message, ve.msg);
        s->retry_at = now_ms + backoff(e, s->failures);
        log_warn("event=step-unresolved app=%s step=%s reason=\"%s\"", a->key, as->name, ve.msg);
        return -1;
    }
    free(refs);
    s->tasks_components = task_components(components);
    json_decref(components);
    s->manifests_by_ns = json_object();
    s->npl = json_array_size(placements);
    s->pl = calloc(s->npl ? s->npl : 1, sizeof(placement));
    json_array_foreach(placements, i, p) {
        placement *pl = &s->pl[i];
        pl->cluster = strdup(json_string_value(json_object_get(p, "cluster")));
        pl->ns = strdup(json_string_value(json_object_get(p, "namespace")));
        json_object_set(s->manifests_by_ns, pl->ns, json_object_get(p, "manifests"));
        /* carry on from a restored status: healthy placements stay healthy */
        size_t j;
        json_t *r;
        json_array_foreach(s->restored, j, r) {
            if (strcmp(json_string_value(json_object_get(r, "cluster")), pl->cluster) == 0 &&
                strcmp(json_string_value(json_object_get(r, "namespace")), pl->ns) == 0) {
                pl->attempt = (int)json_integer_value(json_object_get(r, "attempt"));
                pl->failures = (int)json_integer_value(json_object_get(r, "failures"));
                if (strcmp(json_string_value(json_object_get(r, "state")), "healthy") == 0) {
                    pl->state = PL_HEALTHY; /* no event will come for it: keep its services */
                    pl->services = services_for(a->restored_services, pl->cluster, pl->ns);
                }
            }
        }
    }
    json_decref(s->restored);
    s->restored = NULL;
    json_decref(placements);
    s->resolved = true;
    s->phase = SP_RUNNING;
    free(s->message);
    s->message = NULL;
    return 0;
}

static bool step_deps_done(const sapp *a, size_t si)
{
    const app_step *as = &a->a->steps[si];
    size_t i;
    json_t *dep;
    if (a->a->mode == WF_STEP_BY_STEP && si > 0 && a->steps[si - 1].phase != SP_SUCCEEDED &&
        a->steps[si - 1].phase != SP_SKIPPED)
        return false;
    json_array_foreach(as->depends_on, i, dep) {
        for (size_t j = 0; j < a->nsteps; j++)
            if (strcmp(a->a->steps[j].name, json_string_value(dep)) == 0 &&
                a->steps[j].phase != SP_SUCCEEDED && a->steps[j].phase != SP_SKIPPED)
                return false;
    }
    return true;
}

static void sapp_terminate(sapp *a, step_rt *s, const char *why)
{
    a->terminated = true;
    s->phase = SP_FAILED;
    set_str(&s->message, why);
    log_warn("event=workflow-failed app=%s reason=\"%s\"", a->key, why);
}

static void step_tick(engine *e, sapp *a, size_t si, int64_t now_ms)
{
    step_rt *s = &a->steps[si];
    const app_step *as = &a->a->steps[si];
    char msg[1024];

    if (s->phase == SP_SUCCEEDED || s->phase == SP_SKIPPED)
        return;
    if (s->phase == SP_PENDING) {
        if (!step_deps_done(a, si))
            return;
        s->started_at = now_ms;
        s->phase = (as->type == STEP_SUSPEND || !as->auto_run) && !s->resumed ? SP_SUSPENDING
                                                                            : SP_RUNNING;
        a->dirty = true;
        log_info("event=step-start app=%s step=%s", a->key, as->name);
    }
    if (s->phase == SP_SUSPENDING) {
        bool elapsed = as->type == STEP_SUSPEND && as->duration_ms >= 0 &&
                       now_ms >= s->started_at + as->duration_ms;
        if (!s->resumed && !elapsed)
            return;
        a->dirty = true;
        if (as->type == STEP_SUSPEND) {
            s->phase = SP_SUCCEEDED;
            return;
        }
        s->phase = SP_RUNNING;
        s->started_at = now_ms; /* a deploy step's timeout starts when it may run */
    }
    if (as->type != STEP_DEPLOY)
        return;
    if (!s->resolved) {
        if (s->retry_at && now_ms < s->retry_at)
            return;
        a->dirty = true;
        if (step_resolve(e, a, si, now_ms) < 0) {
            if (s->failures >= e->opts.max_attempts) {
                snprintf(msg, sizeof(msg), "%s (gave up after %d attempts)",
                         s->message ? s->message : "", s->failures);
                sapp_terminate(a, s, msg);
            }
            return;
        }
    }
    if (now_ms > s->started_at + as->timeout_ms) {
        size_t len = (size_t)snprintf(msg, sizeof(msg), "step timed out after %llds",
                                      (long long)(as->timeout_ms / 1000));
        for (size_t i = 0; i < s->npl && len < sizeof(msg); i++)
            if (s->pl[i].state != PL_HEALTHY)
                len += (size_t)snprintf(msg + len, sizeof(msg) - len, "; cluster %s: %s",
                                        s->pl[i].cluster,
                                        s->pl[i].message && *s->pl[i].message ? s->pl[i].message
                                                                              : "not healthy");
        sapp_terminate(a, s, msg);
        a->dirty = true;
        return;
    }
    int inflight = 0, healthy = 0;
    for (size_t i = 0; i < s->npl; i++) {
        if (s->pl[i].state == PL_DISPATCHED)
            inflight++;
        if (s->pl[i].state == PL_HEALTHY)
            healthy++;
    }
    for (size_t i = 0; i < s->npl && inflight < as->parallelism; i++) {
        placement *p = &s->pl[i];
        if (p->state == PL_PENDING || (p->state == PL_FAILED && now_ms >= p->retry_at)) {
            dispatch_deploy(e, a, si, p, now_ms, s->started_at + as->timeout_ms);
            if (p->state == PL_DISPATCHED)
                inflight++;
            a->dirty = true;
        }
    }
    /* SEMANTICS §5: a placement that failed max_attempts times ends the workflow */
    for (size_t i = 0; i < s->npl; i++) {
        placement *p = &s->pl[i];
        if (p->state != PL_FAILED || p->failures < e->opts.max_attempts)
            continue;
        snprintf(msg, sizeof(msg), "%s (gave up after %d failed attempts)",
                 p->message ? p->message : "", p->failures);
        sapp_terminate(a, s, msg);
        a->dirty = true;
        return;
    }
    /* a step that failed stays failed, with the failure, while it is retried (as the seed
     * shows it), until every placement is healthy */
    enum step_phase want = SP_RUNNING;
    const char *why = NULL;
    for (size_t i = 0; i < s->npl; i++) {
        placement *p = &s->pl[i];
        if (p->state == PL_FAILED || placement_failing(p)) {
            want = SP_FAILED;
            why = p->message;
        }
    }
    if ((size_t)healthy == s->npl)
        want = SP_SUCCEEDED;
    if (want != s->phase || (why && (!s->message || strcmp(why, s->message) != 0)) ||
        (!why && s->message)) {
        s->phase = want;
        set_str(&s->message, want == SP_SUCCEEDED ? NULL : why);
        a->dirty = true;
        if (want == SP_SUCCEEDED)
            log_info("event=step-succeeded app=%s step=%s", a->key, as->name);
    }
}

/* ---- inventory and garbage collection ---- */

static bool resource_eq(const json_t *x, const json_t *y)
{
    static const char *const keys[] = {"apiVersion", "kind", "namespace", "name"};
    for (size_t i = 0; i < 4; i++)
        if (!json_equal(json_object_get(x, keys[i]), json_object_get(y, keys[i])))
            return false;
    return true;
}

static json_t *inventory_entry(sapp *a, const char *cluster, const char *ns, int generation)
{
    size_t i;
    json_t *en;
    json_array_foreach(a->inventory, i, en) {
        if (strcmp(json_string_value(json_object_get(en, "cluster")), cluster) == 0 &&
            strcmp(json_string_value(json_object_get(en, "namespace")), ns) == 0 &&
            json_integer_value(json_object_get(en, "generation")) == generation)
            return en;
    }
    en = json_pack("{s:s,s:s,s:i,s:[]}", "cluster", cluster, "namespace", ns, "generation",
                   generation, "resources");
    json_array_append_new(a->inventory, en);
    return en;
}

static void inventory_add(sapp *a, const char *cluster, const char *ns, const json_t *resources)
{
    json_t *en = inventory_entry(a, cluster, ns, a->generation);
    json_t *have = json_object_get(en, "resources");
    size_t i, j;
    json_t *r, *h;
    json_array_foreach(resources, i, r) {
        int found = 0;
        json_array_foreach(have, j, h) {
            if (resource_eq(r, h))
                found = 1;
        }
        if (!found)
            json_array_append_new(have, json_pack("{s:O,s:O,s:O,s:O}", "apiVersion",
                                                  json_object_get(r, "apiVersion"), "kind",
                                                  json_object_get(r, "kind"), "namespace",
                                                  json_object_get(r, "namespace"), "name",
                                                  json_object_get(r, "name")));
    }
}

/* Whether resource r on cluster is applied by the current generation. */
static bool inventory_current_has(const sapp *a, const char *cluster, const json_t *r)
{
    size_t i, j;
    json_t *en, *h;
    json_array_foreach(a->inventory, i, en) {
        if (json_integer_value(json_object_get(en, "generation")) != a->generation ||
            strcmp(json_string_value(json_object_get(en, "cluster")), cluster) != 0)
            continue;
        json_array_foreach(json_object_get(en, "resources"), j, h) {
            if (resource_eq(r, h))
                return true;
        }
    }
    return false;
}

static void dispatch_delete(engine *e, sapp *a, json_t *en, int64_t now_ms)
{
    const char *cluster = json_string_value(json_object_get(en, "cluster"));
    const char *ns = json_string_value(json_object_get(en, "namespace"));
    const engine_cluster *c = cluster_find(e, cluster);
    int attempt = (int)json_integer_value(json_object_get(en, "deleteAttempt")) + 1;
    char task_id[512], ts[32];

    json_object_set_new(en, "deleteAttempt", json_integer(attempt));
    snprintf(task_id, sizeof(task_id), "%s:%d.%d:gc:%s:%s:%d", a->uid, a->revision,
             (int)json_integer_value(json_object_get(en, "generation")), cluster, ns, attempt);
    json_object_set_new(en, "deleteTaskId", json_string(task_id));
    if (!c) { /* a detached cluster: nothing can be deleted there any more */
        log_warn("event=gc-skip app=%s cluster=%s reason=\"cluster not joined\"", a->key, cluster);
        json_object_set_new(en, "drop", json_true());
        return;
    }
    clock_rfc3339(now_ms, 0, ts, sizeof(ts));
    json_t *task = json_pack("{s:i,s:s,s:s,s:o,s:s,s:s,s:i,s:s,s:s,s:O,s:s}", "schemaVersion", 1,
                             "kind", "delete", "taskId", task_id, "app", task_app(a), "step",
                             "garbage-collect", "stepId", "gc", "attempt", attempt, "cluster",
                             cluster, "namespace", ns, "resources",
                             json_object_get(en, "deleteResources"), "createdAt", ts);
    if (e->io.send_task(e->io.ctx, cluster, c->region, task) < 0)
        json_object_set_new(en, "retryAt", json_integer(now_ms + backoff(e, attempt)));
    else
        json_object_set_new(en, "retryAt", json_integer(0));
    json_decref(task);
}

/* Sends delete tasks for entries marked with deleteResources, retries failed ones, and drops
 * the ones done. Returns the number of entries still being deleted. */
static size_t gc_tick(engine *e, sapp *a, int64_t now_ms)
{
    size_t i, pending = 0;
    json_t *en;
    for (i = 0; i < json_array_size(a->inventory);) {
        en = json_array_get(a->inventory, i);
        if (json_is_true(json_object_get(en, "drop"))) {
            json_array_remove(a->inventory, i);
            a->dirty = true;
            continue;
        }
        i++;
        if (!json_object_get(en, "deleteResources"))
            continue;
        pending++;
        json_int_t retry = json_integer_value(json_object_get(en, "retryAt"));
        if (!json_object_get(en, "deleteTaskId") || (retry && now_ms >= retry)) {
            dispatch_delete(e, a, en, now_ms);
            a->dirty = true;
        }
    }
    return pending;
}

/* After a generation's workflow succeeded: what earlier generations applied and the current
 * one does not is deleted. */
static void gc_plan(sapp *a)
{
    size_t i, j;
    json_t *en, *r;
    json_array_foreach(a->inventory, i, en) {
        if (json_integer_value(json_object_get(en, "generation")) >= a->generation ||
            json_object_get(en, "deleteResources"))
            continue;
        const char *cluster = json_string_value(json_object_get(en, "cluster"));
        json_t *stale = json_array();
        json_array_foreach(json_object_get(en, "resources"), j, r) {
            if (!inventory_current_has(a, cluster, r))
                json_array_append(stale, r);
        }
        if (json_array_size(stale))
            json_object_set_new(en, "deleteResources", stale);
        else {
            json_decref(stale);
            json_object_set_new(en, "drop", json_true());
        }
    }
}

/* ---- inputs ---- */

/* Whether a record is a deletion request ({"schemaVersion": 1, "deletion": {"force": b}},
 * what `vela delete --force` writes before its tombstone); *force gets the flag. */
static bool record_is_deletion(const char *value, size_t len, bool *force)
{
    json_t *doc;
    if (!value || len == 0 || value[0] != '{' || !memmem(value, len, "\"deletion\"", 10))
        return false;
    doc = json_loadb(value, len, 0, NULL);
    json_t *del = json_object_get(doc, "deletion");
    bool is = json_is_object(del) && !json_object_get(doc, "application");
    *force = is && json_is_true(json_object_get(del, "force"));
    json_decref(doc);
    return is;
}

void engine_app_record(engine *e, const char *key, const char *value, size_t len,
                       int64_t now_ms)
{
    sapp *a = app_get(e, key);
    bool force = false;
    if (a)
        a->quiet = false;
    if (record_is_deletion(value, len, &force)) {
        if (!a)
            return;
        if (force) {
            a->force_delete = true;
            /* give up at once on deletions that already failed; the others on their result */
            size_t i;
            json_t *en;
            json_array_foreach(a->inventory, i, en) {
                if (json_integer_value(json_object_get(en, "retryAt")) > 0)
                    json_object_set_new(en, "drop", json_true());
            }
        }
        value = NULL; /* and delete */
    }
    if (!value) {
        if (!a)
            return;
        a->deleting = true;
        sapp_steps_free(a);
        size_t i;
        json_t *en;
        json_array_foreach(a->inventory, i, en) {
            if (!json_object_get(en, "deleteResources"))
                json_object_set(en, "deleteResources", json_object_get(en, "resources"));
        }
        a->dirty = true;
        log_info("event=delete app=%s", key);
        return;
    }
    bool fresh = !a || a->deleting;
    if (!a)
        a = app_add(e, key, now_ms);
    if (a->deleting) { /* re-created while being deleted: stop deleting, GC sorts it out */
        size_t i;
        json_t *en;
        json_array_foreach(a->inventory, i, en) {
            json_object_del(en, "deleteResources");
            json_object_del(en, "deleteTaskId");
        }
    }
    sapp_apply_record(e, a, value, len, fresh);
}

static void restore_steps(sapp *a, const json_t *status)
{
    json_t *steps = json_object_get(json_object_get(status, "workflow"), "steps");
    size_t i;
    json_t *st;
    a->terminated = json_is_true(json_object_get(json_object_get(status, "workflow"), "terminated"));
    json_array_foreach(steps, i, st) {
        const char *name = json_string_value(json_object_get(st, "name"));
        for (size_t k = 0; k < a->nsteps; k++) {
            if (strcmp(a->a->steps[k].name, name) != 0)
                continue;
            step_rt *s = &a->steps[k];
            const char *phase = json_string_value(json_object_get(st, "phase"));
            snprintf(s->id, sizeof(s->id), "%s", json_string_value(json_object_get(st, "id")));
            s->failures = (int)json_integer_value(json_object_get(st, "failures"));
            s->started_at = engine_parse_time(json_string_value(json_object_get(st, "startedAt")));
            s->resumed = json_is_true(json_object_get(st, "resumed"));
            set_str(&s->message, json_string_value(json_object_get(st, "message")));
            if (phase && strcmp(phase, "succeeded") == 0)
                s->phase = SP_SUCCEEDED;
            else if (phase && strcmp(phase, "skipped") == 0)
                s->phase = SP_SKIPPED;
            else if (phase && strcmp(phase, "pending") == 0)
                s->phase = SP_PENDING;
            else if (phase && strcmp(phase, "suspending") == 0)
                s->phase = SP_SUSPENDING;
            else
                s->phase = SP_RUNNING;
            /* succeeded steps keep their placements for the services list */
            s->restored = json_incref(json_object_get(st, "placements"));
            if (s->phase == SP_SUCCEEDED || s->phase == SP_SKIPPED) {
                size_t j;
                json_t *p;
                s->npl = json_array_size(s->restored);
                s->pl = calloc(s->npl ? s->npl : 1, sizeof(placement));
                json_array_foreach(s->restored, j, p) {
                    s->pl[j].cluster = strdup(json_string_value(json_object_get(p, "cluster")));
                    s->pl[j].ns = strdup(json_string_value(json_object_get(p, "namespace")));
                    s->pl[j].state = PL_HEALTHY;
                    s->pl[j].attempt = (int)json_integer_value(json_object_get(p, "attempt"));
                }
                s->resolved = true;
            }
        }
    }
    /* the services as last reported, for placements that are done */
    json_decref(a->restored_services);
    a->restored_services = json_incref(json_object_get(status, "services"));
    for (size_t k = 0; k < a->nsteps; k++) {
        step_rt *s = &a->steps[k];
        for (size_t m = 0; m < s->npl; m++)
            s->pl[m].services = services_for(a->restored_services, s->pl[m].cluster, s->pl[m].ns);
    }
}

void engine_app_load(engine *e, const char *key, const char *value, size_t len,
                     const json_t *status, int64_t now_ms)
{
    app_remove(e, key);
    if (!status) {
        if (value)
            engine_app_record(e, key, value, len, now_ms);
        return;
    }
    sapp *a = app_add(e, key, now_ms);
    set_str(&a->uid, json_string_value(json_object_get(status, "uid")));
    if (!a->uid)
        set_str(&a->uid, "unknown");
    set_str(&a->created_at, json_string_value(json_object_get(status, "createdAt")));
    if (!a->created_at) {
        char ts[32];
        clock_rfc3339(now_ms, 0, ts, sizeof(ts));
        set_str(&a->created_at, ts);
    }
    a->revision = (int)json_integer_value(json_object_get(status, "revision"));
    a->generation = (int)json_integer_value(json_object_get(status, "generation"));
    set_str(&a->resume_handled, json_string_value(json_object_get(status, "resumeToken")));
    set_str(&a->restart_handled, json_string_value(json_object_get(status, "restartToken")));
    json_decref(a->inventory);
    a->inventory = json_is_array(json_object_get(status, "inventory"))
                       ? json_deep_copy(json_object_get(status, "inventory"))
                       : json_array();
    snprintf(a->spec_hash, sizeof(a->spec_hash), "%s",
             json_string_value(json_object_get(status, "specHash"))
                 ? json_string_value(json_object_get(status, "specHash"))
                 : "");
    if (!value) {
        engine_app_record(e, key, NULL, 0, now_ms);
        return;
    }
    char hash[17];
    app *parsed = NULL;
    json_t *doc = NULL;
    int rc = record_parse(a, value, len, hash, &parsed, &doc);
    json_decref(doc);
    app_free(parsed);
    if (rc == 0 && strcmp(hash, a->spec_hash) == 0) {
        /* the same revision: carry on where the status says */
        record_parse(a, value, len, hash, &a->a, &doc);
        set_str(&a->resume_seen, doc_annotation(doc, ANN_RESUME));
        set_str(&a->restart_seen, doc_annotation(doc, ANN_RESTART));
        json_decref(doc);
        a->nsteps = a->a->nsteps;
        a->steps = calloc(a->nsteps ? a->nsteps : 1, sizeof(step_rt));
        for (size_t i = 0; i < a->nsteps; i++)
            random_id(a->steps[i].id, 11);
        restore_steps(a, status);
        a->gc_done = sapp_finished(a);
        a->checked_at = now_ms; /* the next resync is a full interval away */
        a->dirty = true;
        log_info("event=resume app=%s revision=%d", key, a->revision);
        return;
    }
    sapp_apply_record(e, a, value, len, false);
}

void engine_event(engine *e, const char *key, const json_t *event, int64_t now_ms)
{
    sapp *a = app_get(e, key);
    const char *task_id = json_string_value(json_object_get(event, "taskId"));
    const char *phase = json_string_value(json_object_get(event, "phase"));
    const char *message = json_string_value(json_object_get(event, "message"));
    bool final = json_is_true(json_object_get(event, "final"));
    if (!a || !task_id || !phase)
        return;
    a->quiet = false;
    if (strcmp(json_string_value(json_object_get(event, "kind")) ? json_string_value(json_object_get(event, "kind")) : "", "delete") == 0) {
        size_t i;
        json_t *en;
        json_array_foreach(a->inventory, i, en) {
            const char *want = json_string_value(json_object_get(en, "deleteTaskId"));
            if (!want || strcmp(want, task_id) != 0 || !final)
                continue;
            if (strcmp(phase, "deleted") == 0 || a->force_delete) {
                json_object_set_new(en, "drop", json_true());
            } else {
                int attempt = (int)json_integer_value(json_object_get(en, "deleteAttempt"));
                json_object_set_new(en, "retryAt", json_integer(now_ms + backoff(e, attempt)));
                json_object_set_new(en, "message", json_string(message ? message : ""));
            }
            a->dirty = true;
        }
        return;
    }
    for (size_t si = 0; si < a->nsteps; si++) {
        step_rt *s = &a->steps[si];
        for (size_t i = 0; i < s->npl; i++) {
            placement *p = &s->pl[i];
            if (!p->task_id || strcmp(p->task_id, task_id) != 0)
                continue;
            json_t *services = json_object_get(event, "services");
            if (json_is_array(services) && json_array_size(services)) {
                json_decref(p->services);
                p->services = json_deep_copy(services);
            }
            json_t *resources = json_object_get(event, "resources");
            if (json_is_array(resources) && json_array_size(resources))
                inventory_add(a, p->cluster, p->ns, resources);
            if (p->checking) { /* a resync: the services above say how it went */
                if (final) {
                    p->checking = false;
                    set_str(&p->message, strcmp(phase, "healthy") == 0 ? NULL : message);
                }
                a->dirty = true;
                return;
            }
            if (p->state == PL_DISPATCHED && final && strcmp(phase, "healthy") == 0) {
                p->state = PL_HEALTHY;
                free(p->message);
                p->message = NULL;
            } else if (p->state == PL_DISPATCHED && final) {
                p->state = PL_FAILED;
                set_str(&p->message, message && *message ? message : "the task failed");
                p->retry_at = now_ms + backoff(e, p->attempt);
                p->failures++;
                s->failures++;
                log_warn("event=placement-failed app=%s cluster=%s attempt=%d reason=\"%s\"",
                         a->key, p->cluster, p->attempt, p->message);
            }
            a->dirty = true;
            return;
        }
    }
}

void engine_set_clusters(engine *e, const engine_cluster *clusters, size_t n, int64_t now_ms)
{
    json_t *store = json_array();
    free(e->clusters);
    e->clusters = calloc(n ? n : 1, sizeof(*e->clusters));
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

    /* re-deploy Applications whose label selection changed (SEMANTICS §4) */
    cluster_ref *refs = calloc(n ? n : 1, sizeof(*refs));
    registry_view view = engine_view(e, refs);
    for (size_t ai = 0; ai < e->napps; ai++) {
        sapp *a = e->apps[ai];
        bool changed = false;
        a->quiet = false; /* steps waiting for a cluster look again */
        if (!a->a || a->deleting || a->terminated)
            continue;
        for (size_t si = 0; si < a->nsteps && !changed; si++) {
            step_rt *s = &a->steps[si];
            const app_step *as = &a->a->steps[si];
            bool selector = false;
            size_t k;
            json_t *pn;
            if (as->type != STEP_DEPLOY || !s->resolved)
                continue;
            json_array_foreach(as->policies, k, pn) {
                json_t *pol = app_policy(a->a, json_string_value(pn));
                if (json_object_get(json_object_get(pol, "properties"), "clusterLabelSelector"))
                    selector = true;
            }
            if (!selector)
                continue;
            json_t *now_pl = NULL;
            verr ve;
            if (policy_placements(a->a, as, &view, &now_pl, &ve) < 0) {
                changed = s->npl > 0;
                continue;
            }
            if (json_array_size(now_pl) != s->npl)
                changed = true;
            for (size_t j = 0; j < s->npl && !changed; j++) {
                json_t *p = json_array_get(now_pl, j);
                if (strcmp(json_string_value(json_object_get(p, "cluster")), s->pl[j].cluster) != 0 ||
                    strcmp(json_string_value(json_object_get(p, "namespace")), s->pl[j].ns) != 0)
                    changed = true;
            }
            json_decref(now_pl);
        }
        if (changed) {
            log_info("event=reselect app=%s reason=\"cluster registry changed\"", a->key);
            sapp_reset_workflow(a);
            a->dirty = true;
        }
    }
    free(refs);
    (void)now_ms;
}

/* Re-applies every placement of a finished workflow and has the workers judge its health
 * again: drift is corrected, and a service that is no longer healthy shows (phase
 * unhealthy) without the steps changing. */
static void sapp_resync(engine *e, sapp *a, int64_t now_ms)
{
    a->checked_at = now_ms;
    for (size_t si = 0; si < a->nsteps; si++) {
        step_rt *s = &a->steps[si];
        if (a->a->steps[si].type != STEP_DEPLOY)
            continue;
        if (!s->manifests_by_ns && s->restored) { /* restored from a status: render again */
            json_t *restored = json_incref(s->restored);
            for (size_t i = 0; i < s->npl; i++)
                placement_release(&s->pl[i]);
            free(s->pl);
            s->pl = NULL;
            s->npl = 0;
            int rc = step_resolve(e, a, si, now_ms);
            json_decref(restored);
            s->phase = SP_SUCCEEDED;
            if (rc < 0)
                continue;
        }
        if (!s->manifests_by_ns)
            continue;
        for (size_t i = 0; i < s->npl; i++) {
            placement *p = &s->pl[i];
            if (p->state != PL_HEALTHY || p->checking)
                continue;
            int64_t limit = a->a->steps[si].timeout_ms < e->opts.resync_ms
                                ? a->a->steps[si].timeout_ms
                                : e->opts.resync_ms;
            dispatch_deploy(e, a, si, p, now_ms, now_ms + limit);
            if (p->state == PL_DISPATCHED) {
                p->state = PL_HEALTHY;
                p->checking = true;
            } else { /* could not be sent: stays healthy, tried again next time */
                p->state = PL_HEALTHY;
                p->failures = 0;
            }
        }
    }
    log_debug("event=resync app=%s", a->key);
}

/* ---- the tick ---- */

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
    if (!a->terminated && !(sapp_finished(a) && a->gc_done))
        return false;
    if (a->resume_seen && (!a->resume_handled || strcmp(a->resume_seen, a->resume_handled) != 0))
        return false;
    if (a->restart_seen &&
        (!a->restart_handled || strcmp(a->restart_seen, a->restart_handled) != 0))
        return false;
    for (size_t si = 0; si < a->nsteps; si++)
        for (size_t i = 0; i < a->steps[si].npl; i++)
            if (a->steps[si].pl[i].checking || a->steps[si].pl[i].state == PL_DISPATCHED)
                return false;
    size_t i;
    json_t *en;
    json_array_foreach(a->inventory, i, en) {
        if (json_object_get(en, "deleteResources") || json_object_get(en, "drop"))
            return false;
    }
    return true;
}

void engine_tick(engine *e, int64_t now_ms)
{
    for (size_t ai = 0; ai < e->napps; ai++) {
        sapp *a = e->apps[ai];
        if (a->quiet) {
            if (!(a->a && !a->terminated && a->gc_done && e->opts.resync_ms > 0 &&
                  now_ms - a->checked_at >= e->opts.resync_ms))
                continue;
            a->quiet = false;
        }
        if (a->deleting) {
            if (gc_tick(e, a, now_ms) == 0 && json_array_size(a->inventory) == 0) {
                e->io.send_status(e->io.ctx, a->key, NULL);
                log_info("event=deleted app=%s", a->key);
                app_remove(e, a->key);
                ai--;
                continue;
            }
        } else if (a->a) {
            if (a->resume_seen && (!a->resume_handled || strcmp(a->resume_seen, a->resume_handled) != 0)) {
                for (size_t si = 0; si < a->nsteps; si++)
                    if (a->steps[si].phase == SP_SUSPENDING || a->steps[si].phase == SP_PENDING)
                        a->steps[si].resumed = a->steps[si].resumed || a->steps[si].phase == SP_SUSPENDING;
                set_str(&a->resume_handled, a->resume_seen);
                a->dirty = true;
            }
            if (a->restart_seen &&
                (!a->restart_handled || strcmp(a->restart_seen, a->restart_handled) != 0)) {
                /* vela workflow restart: the same revision, from the first step */
                set_str(&a->restart_handled, a->restart_seen);
                sapp_reset_workflow(a);
                a->dirty = true;
                log_info("event=restart app=%s revision=%d", a->key, a->revision);
            }
            if (!a->terminated)
                for (size_t si = 0; si < a->nsteps; si++)
                    step_tick(e, a, si, now_ms);
            if (!a->terminated && sapp_finished(a) && !a->gc_done) {
                gc_plan(a);
                a->gc_done = true;
                a->checked_at = now_ms;
                a->dirty = true;
            }
            if (!a->terminated && a->gc_done && e->opts.resync_ms > 0 &&
                now_ms - a->checked_at >= e->opts.resync_ms)
                sapp_resync(e, a, now_ms);
            gc_tick(e, a, now_ms);
        }
        if (a->dirty) {
            uint64_t m = sapp_milestone(a);
            if (m != a->sent_milestone || now_ms - a->last_sent >= e->opts.status_min_ms) {
                json_t *status = sapp_build_status(a, now_ms);
                int sent = e->io.send_status(e->io.ctx, a->key, status);
                json_decref(status);
                if (sent == 0) {
                    a->dirty = false;
                    a->last_sent = now_ms;
                    a->sent_milestone = m;
                }
            }
        }
        a->quiet = sapp_idle(a);
    }
}

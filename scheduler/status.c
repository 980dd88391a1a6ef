/* The status record (see status.h): status_build turns the engine's state into a
 * msg_app_status for its codec to write; status_restore takes a record its codec decoded, so
 * every field was checked before anything changes. */
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/util.h"
#include "inventory.h"
#include "msg/app_status.h"
#include "workflow.h"

const char *status_phase_name(enum app_phase p)
{
    static const char *const names[] = {APP_PHASES(ENGINE_ENUM_NAME)};
    return (unsigned)p < AP_COUNT ? names[p] : "unknown";
}

/* ---- building ---- */

static json_t *status_placement_services(const step_rt *s, const placement *p)
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
    for (i = 0; i < s->ncomps; i++) {
        const msg_task_comp *c = &s->comps[i];
        json_t *traits = json_array();
        for (size_t j = 0; j < c->ntraits; j++)
            json_array_append_new(traits, json_pack("{s:s,s:b,s:s}", "type", c->traits[j].type,
                                                    "healthy", 0, "message", ""));
        json_array_append_new(
            out, json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:o}", "name", c->name, "cluster", p->cluster,
                           "namespace", p->ns, "type", c->type, "healthy", 0, "message",
                           placement_failing(p) ? p->message : "", "traits", traits));
    }
    return out;
}

/* Every placement's services; a later step's view of the same service wins. */
static json_t *status_services(const sapp *a)
{
    json_t *out = json_array();
    for (size_t i = 0; i < a->nsteps; i++) {
        const step_rt *s = &a->steps[i];
        for (size_t j = 0; j < s->npl; j++) {
            json_t *svcs = status_placement_services(s, &s->pl[j]);
            size_t k, m;
            json_t *svc, *have;
            json_array_foreach(svcs, k, svc) {
                int replaced = 0;
                json_array_foreach(out, m, have) {
                    if (json_equal(json_object_get(have, "name"), json_object_get(svc, "name")) &&
                        json_equal(json_object_get(have, "cluster"),
                                   json_object_get(svc, "cluster")) &&
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

static enum app_phase status_phase(const sapp *a, const json_t *services)
{
    if (a->deleting)
        return AP_DELETING;
    if (!a->a)
        return AP_RENDERING;
    if (a->terminated)
        return AP_WORKFLOW_FAILED;
    for (size_t i = 0; i < a->nsteps; i++)
        if (a->steps[i].phase == SP_SUSPENDING)
            return AP_WORKFLOW_SUSPENDING;
    if (!workflow_finished(a))
        return AP_RUNNING_WORKFLOW;
    size_t i;
    json_t *svc;
    json_array_foreach(services, i, svc) {
        if (!json_is_true(json_object_get(svc, "healthy")))
            return AP_UNHEALTHY;
    }
    return AP_RUNNING;
}

uint64_t status_milestone(const sapp *a)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ULL)
    MIX(a->revision);
    MIX(a->deleting);
    MIX(a->a != NULL);
    MIX(a->terminated);
    for (size_t i = 0; i < a->nsteps; i++)
        MIX(a->steps[i].phase + 1);
    if (a->a && !a->deleting && !a->terminated && workflow_finished(a)) {
        json_t *services = status_services(a);
        const char *phase = status_phase_name(status_phase(a, services));
        json_decref(services);
        for (; *phase; phase++)
            MIX((unsigned char)*phase);
    }
#undef MIX
    return h;
}

/* ---- building: the engine's state as a msg_app_status, encoded by the codec ---- */

static char *status_dup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void status_step_of(const sapp *a, size_t i, msg_app_status_step *out)
{
    const step_rt *s = &a->steps[i];
    char ts[CLOCK_RFC3339_LEN];
    out->id = xstrdup(s->id);
    out->name = xstrdup(a->a->steps[i].name);
    out->type = xstrdup(a->a->steps[i].type_name);
    msg_app_status_step_phase_parse(step_phase_name(s->phase), &out->phase);
    out->message = xstrdup(s->message ? s->message : "");
    out->failures = s->failures;
    if (s->started_at) {
        clock_rfc3339(s->started_at, 0, ts, sizeof(ts));
        out->started_at = xstrdup(ts);
    }
    out->resumed = s->resumed;
    out->nplacements = s->npl;
    out->placements = xcalloc(s->npl, sizeof(*out->placements));
    for (size_t j = 0; j < s->npl; j++) {
        const placement *p = &s->pl[j];
        msg_app_status_placement *mp = &out->placements[j];
        mp->cluster = xstrdup(p->cluster);
        mp->ns = xstrdup(p->ns);
        msg_app_status_placement_state_parse(placement_state_name(p->state), &mp->state);
        mp->attempt = p->attempt;
        mp->failures = p->failures;
        mp->message = xstrdup(p->message ? p->message : "");
    }
}

static msg_app_status_resource *status_resources_of(const inv_resource *r, size_t n)
{
    msg_app_status_resource *out = xcalloc(n, sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        out[i].api_version = xstrdup(r[i].api_version);
        out[i].kind = xstrdup(r[i].kind);
        out[i].ns = status_dup(r[i].ns);
        out[i].name = xstrdup(r[i].name);
    }
    return out;
}

static void status_inventory_of(const inv_entry *en, msg_app_status_inventory *out)
{
    out->cluster = xstrdup(en->cluster);
    out->ns = xstrdup(en->ns);
    out->generation = en->generation;
    out->resources = status_resources_of(en->res, en->nres);
    out->nresources = en->nres;
    out->deleting = en->deleting;
    if (en->deleting) {
        out->delete_resources = status_resources_of(en->del, en->ndel);
        out->ndelete_resources = en->ndel;
    }
    out->has_delete_attempt = en->delete_attempt != 0;
    out->delete_attempt = en->delete_attempt;
    out->delete_task_id = status_dup(en->delete_task_id);
    out->has_retry_at = en->has_retry_at;
    out->retry_at = en->retry_at;
    out->message = status_dup(en->message);
    out->drop = en->drop;
}

/* The services (JSON, as aggregated from events) into the typed form. A service the
 * aggregation got from an event is already checked by the event decoder. */
static void status_services_of(const json_t *services, msg_app_status *st)
{
    size_t i, j;
    json_t *svc, *t;
    st->nservices = json_array_size(services);
    st->services = xcalloc(st->nservices, sizeof(*st->services));
    json_array_foreach(services, i, svc) {
        msg_app_status_service *ms = &st->services[i];
        ms->name = status_dup(json_string_value(json_object_get(svc, "name")));
        ms->cluster = status_dup(json_string_value(json_object_get(svc, "cluster")));
        ms->ns = status_dup(json_string_value(json_object_get(svc, "namespace")));
        ms->type = status_dup(json_string_value(json_object_get(svc, "type")));
        ms->healthy = json_is_true(json_object_get(svc, "healthy"));
        ms->message = xstrdup(json_string_value(json_object_get(svc, "message"))
                                  ? json_string_value(json_object_get(svc, "message"))
                                  : "");
        json_t *traits = json_object_get(svc, "traits");
        ms->has_traits = traits != NULL;
        ms->ntraits = json_array_size(traits);
        ms->traits = xcalloc(ms->ntraits, sizeof(*ms->traits));
        json_array_foreach(traits, j, t) {
            ms->traits[j].type = status_dup(json_string_value(json_object_get(t, "type")));
            ms->traits[j].healthy = json_is_true(json_object_get(t, "healthy"));
            ms->traits[j].message = status_dup(json_string_value(json_object_get(t, "message")));
        }
    }
}

json_t *status_build(const sapp *a, int64_t now_ms)
{
    char ts[CLOCK_RFC3339_LEN];
    msg_app_status st;
    msg_app_status_init(&st);
    json_t *services = a->deleting ? json_array() : status_services(a);
    enum app_phase phase = status_phase(a, services);
    const char *slash = strchr(a->key, '/');
    st.name = xstrdup(slash ? slash + 1 : a->key);
    st.ns = xstrndup(a->key, slash ? (size_t)(slash - a->key) : 0);
    st.uid = status_dup(a->uid);
    st.revision = a->revision;
    st.generation = a->generation;
    st.spec_hash = xstrdup(a->spec_hash);
    st.created_at = status_dup(a->created_at);
    clock_rfc3339(now_ms, 0, ts, sizeof(ts));
    st.updated_at = xstrdup(ts);
    msg_app_status_phase_parse(status_phase_name(phase), &st.phase);
    const char *message = a->error ? a->error : "";
    for (size_t i = 0; !a->error && i < a->nsteps; i++)
        if (a->steps[i].phase == SP_FAILED && a->steps[i].message)
            message = a->steps[i].message;
    st.message = xstrdup(message);
    st.mode = a->a && a->a->mode == WF_DAG ? MSG_WORKFLOW_MODE_DAG : MSG_WORKFLOW_MODE_STEP_BY_STEP;
    st.finished = workflow_finished(a);
    st.suspend = phase == AP_WORKFLOW_SUSPENDING;
    st.terminated = a->terminated;
    st.nsteps = a->a ? a->nsteps : 0;
    st.steps = xcalloc(st.nsteps, sizeof(*st.steps));
    for (size_t i = 0; i < st.nsteps; i++)
        status_step_of(a, i, &st.steps[i]);
    status_services_of(services, &st);
    json_decref(services);
    st.ninventory = a->inventory.n;
    st.inventory = xcalloc(st.ninventory, sizeof(*st.inventory));
    for (size_t i = 0; i < a->inventory.n; i++)
        status_inventory_of(&a->inventory.v[i], &st.inventory[i]);
    st.resume_token = status_dup(a->resume_handled);
    st.restart_token = status_dup(a->restart_handled);
    json_t *out = msg_app_status_encode(&st);
    if (!out)
        log_error("event=status-unencodable app=%s", a->key);
    msg_app_status_release(&st);
    return out;
}

/* ---- reading back: a decoded record (msg_app_status_decode checked every field) ---- */

static void restore_resources(const msg_app_status_resource *r, size_t n, inv_resource **out,
                              size_t *nout)
{
    *out = n ? xcalloc(n, sizeof(**out)) : NULL;
    *nout = n;
    for (size_t i = 0; i < n; i++) {
        (*out)[i].api_version = xstrdup(r[i].api_version);
        (*out)[i].kind = xstrdup(r[i].kind);
        (*out)[i].ns = status_dup(r[i].ns);
        (*out)[i].name = xstrdup(r[i].name);
    }
}

static void restore_inventory(const msg_app_status *st, inventory *inv)
{
    for (size_t i = 0; i < st->ninventory; i++) {
        const msg_app_status_inventory *m = &st->inventory[i];
        inv_entry en;
        memset(&en, 0, sizeof(en));
        en.cluster = xstrdup(m->cluster);
        en.ns = xstrdup(m->ns);
        en.generation = m->generation;
        restore_resources(m->resources, m->nresources, &en.res, &en.nres);
        en.deleting = m->deleting;
        if (m->deleting)
            restore_resources(m->delete_resources, m->ndelete_resources, &en.del, &en.ndel);
        en.delete_attempt = m->has_delete_attempt ? m->delete_attempt : 0;
        en.delete_task_id = status_dup(m->delete_task_id);
        en.has_retry_at = m->has_retry_at;
        en.retry_at = m->retry_at;
        en.message = status_dup(m->message);
        en.drop = m->drop;
        inventory_append(inv, &en); /* now owned by inv */
    }
}

static void restore_step(const msg_app_status_step *m, step_record *r)
{
    step_rt *s = &r->rt;
    r->name = xstrdup(m->name);
    /* the codec's list and the engine's carry the same names */
    s->phase = (enum step_phase)step_phase_parse(msg_app_status_step_phase_name(m->phase));
    snprintf(s->id, sizeof(s->id), "%s", m->id);
    s->failures = m->failures;
    int64_t ms = m->started_at ? clock_parse_rfc3339(m->started_at) : 0;
    s->started_at = ms < 0 ? 0 : ms; /* malformed: a record from an older scheduler */
    s->message = status_dup(m->message);
    s->resumed = m->resumed;
    s->restored = true;
    s->prior = xcalloc(m->nplacements, sizeof(placement));
    s->nprior = m->nplacements;
    for (size_t i = 0; i < m->nplacements; i++) {
        const msg_app_status_placement *mp = &m->placements[i];
        placement *p = &s->prior[i];
        p->cluster = xstrdup(mp->cluster);
        p->ns = xstrdup(mp->ns);
        p->state = (enum pl_state)placement_state_parse(
            msg_app_status_placement_state_name(mp->state));
        p->attempt = mp->attempt;
        p->failures = mp->failures;
    }
}

/* The services as a placement keeps them (JSON, as events bring them). */
static json_t *restore_services(const msg_app_status *st)
{
    json_t *out = json_array();
    for (size_t i = 0; i < st->nservices; i++) {
        const msg_app_status_service *m = &st->services[i];
        json_t *traits = json_array();
        for (size_t j = 0; j < m->ntraits; j++) {
            json_t *t = json_pack("{s:s,s:b}", "type", m->traits[j].type, "healthy",
                                  m->traits[j].healthy);
            if (m->traits[j].message)
                json_object_set_new(t, "message", json_string(m->traits[j].message));
            json_array_append_new(traits, t);
        }
        json_array_append_new(out,
                              json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:o}", "name", m->name, "cluster",
                                        m->cluster, "namespace", m->ns, "type", m->type, "healthy",
                                        m->healthy, "message", m->message, "traits", traits));
    }
    return out;
}

int status_restore(sapp *a, const char *record, size_t len, int64_t now_ms, char *err,
                   size_t errlen)
{
    msg_app_status st;
    char why[1024];
    if (msg_app_status_decode(record, len, &st, why, sizeof(why)) < 0) {
        msg_app_status_release(&st);
        return err_set(err, errlen, "%s", why);
    }
    char want[600];
    snprintf(want, sizeof(want), "%s/%s", st.ns, st.name);
    if (strcmp(want, a->key) != 0) {
        msg_app_status_release(&st);
        return err_set(err, errlen, "the record is the status of \"%s\", not of its key", want);
    }
    engine_strset(&a->uid, st.uid ? st.uid : "unknown");
    if (st.created_at) {
        engine_strset(&a->created_at, st.created_at);
    } else {
        char ts[CLOCK_RFC3339_LEN];
        clock_rfc3339(now_ms, 0, ts, sizeof(ts));
        engine_strset(&a->created_at, ts);
    }
    a->revision = st.revision;
    a->generation = st.generation;
    engine_strset(&a->resume_handled, st.resume_token);
    engine_strset(&a->restart_handled, st.restart_token);
    snprintf(a->spec_hash, sizeof(a->spec_hash), "%s", st.spec_hash ? st.spec_hash : "");
    inventory_release(&a->inventory);
    inventory_init(&a->inventory);
    restore_inventory(&st, &a->inventory);
    workflow_forget_restored(a);
    a->restored.terminated = st.terminated;
    a->restored.steps = xcalloc(st.nsteps, sizeof(step_record));
    a->restored.nsteps = st.nsteps;
    for (size_t i = 0; i < st.nsteps; i++)
        restore_step(&st.steps[i], &a->restored.steps[i]);
    a->restored.services = restore_services(&st);
    msg_app_status_release(&st);
    return 0;
}

json_t *status_services_for(const json_t *services, const char *cluster, const char *ns)
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

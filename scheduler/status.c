/* The status record (see status.h): status_build and its parts write it, status_restore reads
 * it back, checking every field it uses before it changes anything. */
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/util.h"
#include "inventory.h"
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
            out, json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:o}", "name", c->name, "cluster",
                           p->cluster, "namespace", p->ns, "type", c->type, "healthy", 0,
                           "message", placement_failing(p) ? p->message : "", "traits",
                           traits));
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

static json_t *status_placement(const placement *p)
{
    return json_pack("{s:s,s:s,s:s,s:i,s:i,s:s}", "cluster", p->cluster, "namespace", p->ns,
                     "state", placement_state_name(p->state), "attempt", p->attempt,
                     "failures", p->failures, "message", p->message ? p->message : "");
}

static json_t *status_step(const sapp *a, size_t i)
{
    const step_rt *s = &a->steps[i];
    char ts[32];
    json_t *pls = json_array();
    for (size_t j = 0; j < s->npl; j++)
        json_array_append_new(pls, status_placement(&s->pl[j]));
    json_t *st = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:o}", "id", s->id, "name",
                           a->a->steps[i].name, "type", a->a->steps[i].type_name, "phase",
                           step_phase_name(s->phase), "message", s->message ? s->message : "",
                           "failures", s->failures, "placements", pls);
    if (s->started_at) {
        clock_rfc3339(s->started_at, 0, ts, sizeof(ts));
        json_object_set_new(st, "startedAt", json_string(ts));
    }
    if (s->resumed)
        json_object_set_new(st, "resumed", json_true());
    return st;
}

static json_t *status_inventory_entry(const inv_entry *en)
{
    json_t *out = json_pack("{s:s,s:s,s:i,s:o}", "cluster", en->cluster, "namespace", en->ns,
                            "generation", en->generation, "resources",
                            inventory_resources_json(en->res, en->nres));
    if (en->deleting)
        json_object_set_new(out, "deleteResources", inventory_resources_json(en->del, en->ndel));
    if (en->delete_attempt)
        json_object_set_new(out, "deleteAttempt", json_integer(en->delete_attempt));
    if (en->delete_task_id)
        json_object_set_new(out, "deleteTaskId", json_string(en->delete_task_id));
    if (en->has_retry_at)
        json_object_set_new(out, "retryAt", json_integer(en->retry_at));
    if (en->message)
        json_object_set_new(out, "message", json_string(en->message));
    if (en->drop)
        json_object_set_new(out, "drop", json_true());
    return out;
}

static json_t *status_inventory(const inventory *inv)
{
    json_t *out = json_array();
    for (size_t i = 0; i < inv->n; i++)
        json_array_append_new(out, status_inventory_entry(&inv->v[i]));
    return out;
}

json_t *status_build(const sapp *a, int64_t now_ms)
{
    char ts[32];
    json_t *steps = json_array();
    json_t *services = a->deleting ? json_array() : status_services(a);
    enum app_phase phase = status_phase(a, services);
    const char *slash = strchr(a->key, '/');
    const char *name = slash ? slash + 1 : a->key;
    char ns[256];
    snprintf(ns, sizeof(ns), "%.*s", slash ? (int)(slash - a->key) : 0, a->key);

    for (size_t i = 0; i < a->nsteps && a->a; i++)
        json_array_append_new(steps, status_step(a, i));
    const char *message = a->error ? a->error : "";
    for (size_t i = 0; !a->error && i < a->nsteps; i++)
        if (a->steps[i].phase == SP_FAILED && a->steps[i].message)
            message = a->steps[i].message;
    clock_rfc3339(now_ms, 0, ts, sizeof(ts));
    json_t *status = json_pack(
        "{s:i,s:s,s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:s}", "schemaVersion", 1, "name", name,
        "namespace", ns, "uid", a->uid, "revision", a->revision, "generation", a->generation,
        "specHash", a->spec_hash, "createdAt", a->created_at, "updatedAt", ts, "phase",
        status_phase_name(phase), "message", message);
    json_object_set_new(status, "workflow",
                        json_pack("{s:s,s:b,s:b,s:b,s:o}", "mode",
                                  a->a ? wf_mode_name(a->a->mode) : "StepByStep", "finished",
                                  workflow_finished(a), "suspend",
                                  phase == AP_WORKFLOW_SUSPENDING, "terminated", a->terminated,
                                  "steps", steps));
    json_object_set_new(status, "services", services);
    json_object_set_new(status, "inventory", status_inventory(&a->inventory));
    if (a->resume_handled)
        json_object_set_new(status, "resumeToken", json_string(a->resume_handled));
    if (a->restart_handled)
        json_object_set_new(status, "restartToken", json_string(a->restart_handled));
    return status;
}

/* ---- reading back ---- */

/* Field readers: 0 with the value (the default when the field is absent), -1 with the reason
 * in err when the field has another type, or is absent and required. where is the path of
 * obj in the record ("" for the record itself). */
static int field_get(const json_t *obj, const char *where, const char *key, bool required,
                     const json_t **out, char *err, size_t errlen)
{
    *out = json_object_get(obj, key);
    if (!*out && required)
        return err_set(err, errlen, "field \"%s%s%s\" is missing", where, *where ? "." : "",
                       key);
    return 0;
}

static int field_type_error(const char *where, const char *key, const char *want, char *err,
                            size_t errlen)
{
    return err_set(err, errlen, "field \"%s%s%s\" is not %s", where, *where ? "." : "", key,
                   want);
}

static int field_str(const json_t *obj, const char *where, const char *key, bool required,
                     const char **out, char *err, size_t errlen)
{
    const json_t *v;
    *out = NULL;
    if (field_get(obj, where, key, required, &v, err, errlen) < 0)
        return -1;
    if (v && !json_is_string(v))
        return field_type_error(where, key, "a string", err, errlen);
    *out = json_string_value(v);
    return 0;
}

static int field_int(const json_t *obj, const char *where, const char *key, int64_t *out,
                     char *err, size_t errlen)
{
    const json_t *v = json_object_get(obj, key);
    *out = 0;
    if (v && !json_is_integer(v))
        return field_type_error(where, key, "an integer", err, errlen);
    *out = json_integer_value(v);
    return 0;
}

static int field_bool(const json_t *obj, const char *where, const char *key, bool *out,
                      char *err, size_t errlen)
{
    const json_t *v = json_object_get(obj, key);
    *out = false;
    if (v && !json_is_boolean(v))
        return field_type_error(where, key, "a boolean", err, errlen);
    *out = json_is_true(v);
    return 0;
}

/* An array field (NULL when absent); with of_objects, every item must be an object. */
static int field_array(const json_t *obj, const char *where, const char *key, bool of_objects,
                       const json_t **out, char *err, size_t errlen)
{
    const json_t *v = json_object_get(obj, key);
    size_t i;
    json_t *item;
    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_array(v))
        return field_type_error(where, key, "an array", err, errlen);
    json_array_foreach(v, i, item) {
        if (of_objects && !json_is_object(item))
            return err_set(err, errlen, "field \"%s%s%s[%zu]\" is not an object", where,
                           *where ? "." : "", key, i);
    }
    *out = v;
    return 0;
}

static int restore_resources(const json_t *list, const char *where, inv_resource **out,
                             size_t *n, char *err, size_t errlen)
{
    size_t i;
    json_t *r;
    *out = NULL;
    *n = 0;
    if (!json_array_size(list))
        return 0;
    *out = calloc(json_array_size(list), sizeof(**out));
    json_array_foreach(list, i, r) {
        if (inventory_resource_from_json(r, &(*out)[i]) < 0)
            return err_set(err, errlen,
                           "field \"%s[%zu]\" needs apiVersion, kind, namespace and name "
                           "strings",
                           where, i);
        (*n)++;
    }
    return 0;
}

static int restore_inventory_entry(const json_t *j, const char *where, inv_entry *en,
                                   char *err, size_t errlen)
{
    const char *cluster, *ns, *task_id, *message;
    const json_t *res, *del;
    int64_t generation, attempt, retry_at;
    char path[96];
    memset(en, 0, sizeof(*en));
    if (field_str(j, where, "cluster", true, &cluster, err, errlen) < 0 ||
        field_str(j, where, "namespace", true, &ns, err, errlen) < 0 ||
        field_int(j, where, "generation", &generation, err, errlen) < 0 ||
        field_array(j, where, "resources", true, &res, err, errlen) < 0 ||
        field_array(j, where, "deleteResources", true, &del, err, errlen) < 0 ||
        field_int(j, where, "deleteAttempt", &attempt, err, errlen) < 0 ||
        field_str(j, where, "deleteTaskId", false, &task_id, err, errlen) < 0 ||
        field_int(j, where, "retryAt", &retry_at, err, errlen) < 0 ||
        field_str(j, where, "message", false, &message, err, errlen) < 0 ||
        field_bool(j, where, "drop", &en->drop, err, errlen) < 0)
        return -1;
    en->cluster = strdup(cluster);
    en->ns = strdup(ns);
    en->generation = (int)generation;
    snprintf(path, sizeof(path), "%s.resources", where);
    if (restore_resources(res, path, &en->res, &en->nres, err, errlen) < 0)
        return -1;
    en->deleting = del != NULL;
    snprintf(path, sizeof(path), "%s.deleteResources", where);
    if (restore_resources(del, path, &en->del, &en->ndel, err, errlen) < 0)
        return -1;
    en->delete_attempt = (int)attempt;
    en->delete_task_id = task_id ? strdup(task_id) : NULL;
    en->has_retry_at = json_object_get(j, "retryAt") != NULL;
    en->retry_at = retry_at;
    en->message = message ? strdup(message) : NULL;
    return 0;
}

static int restore_inventory(const json_t *status, inventory *inv, char *err, size_t errlen)
{
    const json_t *list;
    size_t i;
    json_t *j;
    if (field_array(status, "", "inventory", true, &list, err, errlen) < 0)
        return -1;
    json_array_foreach(list, i, j) {
        char where[48];
        inv_entry en;
        snprintf(where, sizeof(where), "inventory[%zu]", i);
        int rc = restore_inventory_entry(j, where, &en, err, errlen);
        inventory_append(inv, &en); /* owned by inv, also when incomplete */
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int restore_placement(const json_t *j, const char *where, placement *p, char *err,
                             size_t errlen)
{
    const char *cluster, *ns, *state;
    int64_t attempt, failures;
    memset(p, 0, sizeof(*p));
    if (field_str(j, where, "cluster", true, &cluster, err, errlen) < 0 ||
        field_str(j, where, "namespace", true, &ns, err, errlen) < 0 ||
        field_str(j, where, "state", true, &state, err, errlen) < 0 ||
        field_int(j, where, "attempt", &attempt, err, errlen) < 0 ||
        field_int(j, where, "failures", &failures, err, errlen) < 0)
        return -1;
    int st = placement_state_parse(state);
    if (st < 0)
        return err_set(err, errlen, "field \"%s.state\" is \"%s\", not a placement state",
                       where, state);
    p->cluster = strdup(cluster);
    p->ns = strdup(ns);
    p->state = (enum pl_state)st;
    p->attempt = (int)attempt;
    p->failures = (int)failures;
    return 0;
}

static int restore_step(const json_t *j, const char *where, step_record *r, char *err,
                        size_t errlen)
{
    const char *name, *phase, *id, *started, *message;
    const json_t *pls;
    int64_t failures;
    step_rt *s = &r->rt;
    if (field_str(j, where, "name", true, &name, err, errlen) < 0 ||
        field_str(j, where, "phase", true, &phase, err, errlen) < 0 ||
        field_str(j, where, "id", false, &id, err, errlen) < 0 ||
        field_str(j, where, "startedAt", false, &started, err, errlen) < 0 ||
        field_str(j, where, "message", false, &message, err, errlen) < 0 ||
        field_int(j, where, "failures", &failures, err, errlen) < 0 ||
        field_bool(j, where, "resumed", &s->resumed, err, errlen) < 0 ||
        field_array(j, where, "placements", true, &pls, err, errlen) < 0)
        return -1;
    int ph = step_phase_parse(phase);
    if (ph < 0)
        return err_set(err, errlen, "field \"%s.phase\" is \"%s\", not a step phase", where,
                       phase);
    r->name = strdup(name);
    s->phase = (enum step_phase)ph; /* a record: workflow_restore applies it (step_set_phase) */
    if (id)
        snprintf(s->id, sizeof(s->id), "%s", id);
    s->failures = (int)failures;
    /* 0 when malformed: a record from an older scheduler */
    int64_t ms = started ? clock_parse_rfc3339(started) : 0;
    s->started_at = ms < 0 ? 0 : ms;
    s->message = message ? strdup(message) : NULL;
    s->restored = true;
    s->prior = calloc(json_array_size(pls) + 1, sizeof(placement));
    size_t i;
    json_t *p;
    json_array_foreach(pls, i, p) {
        char pwhere[96];
        snprintf(pwhere, sizeof(pwhere), "%s.placements[%zu]", where, i);
        int rc = restore_placement(p, pwhere, &s->prior[i], err, errlen);
        s->nprior++; /* released with the step, also when incomplete */
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int restore_workflow(const json_t *status, sapp *a, char *err, size_t errlen)
{
    const json_t *wf = json_object_get(status, "workflow"), *steps, *services;
    size_t i;
    json_t *j;
    if (wf && !json_is_object(wf))
        return field_type_error("", "workflow", "an object", err, errlen);
    if (field_bool(wf, "workflow", "terminated", &a->restored.terminated, err, errlen) < 0 ||
        field_array(wf, "workflow", "steps", true, &steps, err, errlen) < 0 ||
        field_array(status, "", "services", true, &services, err, errlen) < 0)
        return -1;
    a->restored.steps = calloc(json_array_size(steps) + 1, sizeof(step_record));
    json_array_foreach(steps, i, j) {
        char where[48];
        snprintf(where, sizeof(where), "workflow.steps[%zu]", i);
        int rc = restore_step(j, where, &a->restored.steps[i], err, errlen);
        a->restored.nsteps++; /* released with a->restored, also when incomplete */
        if (rc < 0)
            return -1;
    }
    a->restored.services = services ? json_deep_copy(services) : NULL;
    return 0;
}

int status_restore(sapp *a, const json_t *status, int64_t now_ms, char *err, size_t errlen)
{
    const char *uid, *created, *hash, *resume, *restart;
    int64_t revision, generation;
    inventory inv;
    sapp probe = {0}; /* the workflow is read into it, moved into a when all is well */
    int rc = -1;
    inventory_init(&inv);
    if (!json_is_object(status))
        return err_set(err, errlen, "the record is not a JSON object");
    if (field_str(status, "", "uid", false, &uid, err, errlen) < 0 ||
        field_str(status, "", "createdAt", false, &created, err, errlen) < 0 ||
        field_str(status, "", "specHash", false, &hash, err, errlen) < 0 ||
        field_str(status, "", "resumeToken", false, &resume, err, errlen) < 0 ||
        field_str(status, "", "restartToken", false, &restart, err, errlen) < 0 ||
        field_int(status, "", "revision", &revision, err, errlen) < 0 ||
        field_int(status, "", "generation", &generation, err, errlen) < 0 ||
        restore_inventory(status, &inv, err, errlen) < 0 ||
        restore_workflow(status, &probe, err, errlen) < 0)
        goto cleanup;

    engine_strset(&a->uid, uid ? uid : "unknown");
    if (created) {
        engine_strset(&a->created_at, created);
    } else {
        char ts[32];
        clock_rfc3339(now_ms, 0, ts, sizeof(ts));
        engine_strset(&a->created_at, ts);
    }
    a->revision = (int)revision;
    a->generation = (int)generation;
    engine_strset(&a->resume_handled, resume);
    engine_strset(&a->restart_handled, restart);
    snprintf(a->spec_hash, sizeof(a->spec_hash), "%s", hash ? hash : "");
    inventory_release(&a->inventory);
    a->inventory = inv;
    inventory_init(&inv); /* now owned by a */
    workflow_forget_restored(a);
    a->restored = probe.restored;
    memset(&probe.restored, 0, sizeof(probe.restored)); /* now owned by a */
    rc = 0;
cleanup:
    inventory_release(&inv);
    workflow_forget_restored(&probe);
    return rc;
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

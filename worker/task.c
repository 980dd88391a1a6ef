/* The worker's view of a task: the message through msg_task_decode, the objects it judges
 * with their namespaces, health through the component and trait definitions, and events
 * through msg_event_encode. See task.h and docs/pipeline.md. */
#include "task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/util.h"
#include "kube/resource.h"

/* ---- the runtime view --------------------------------------------------------------------- */

/* o with the task's namespace for a namespaced (or unknown) kind given without one. */
static task_obj task_obj_in(const task *t, const msg_objref *o)
{
    task_obj r = *o;
    if (!r.namespace && kube_kind_namespaced(r.api_version, r.kind) != 0)
        r.namespace = t->namespace;
    return r;
}

/* A workload or trait object is read with GET, so it needs its apiVersion and kind (the
 * schema lets a scheduler that knows no workload for a type send ""). */
static int task_obj_usable(const task_obj *o, const char *path, char *err, size_t errlen)
{
    if (!*o->api_version || !*o->kind)
        return err_set(err, errlen, "%s: apiVersion and kind are required to judge health", path);
    return 0;
}

static int task_view_components(task *t, char *err, size_t errlen)
{
    size_t ntraits = 0;
    t->comps = xcalloc(t->m.ncomps, sizeof(*t->comps));
    t->services = xcalloc(t->m.ncomps, sizeof(*t->services));
    for (size_t i = 0; i < t->m.ncomps; i++)
        ntraits += t->m.comps[i].ntraits;
    t->service_traits = xcalloc(ntraits, sizeof(*t->service_traits));
    msg_event_trait *et = t->service_traits;
    for (size_t i = 0; i < t->m.ncomps; i++) {
        const msg_task_comp *mc = &t->m.comps[i];
        task_comp *c = &t->comps[t->ncomps++];
        char path[128];
        c->name = mc->name;
        c->type = mc->type;
        c->workload = task_obj_in(t, &mc->workload);
        snprintf(path, sizeof(path), "components[%zu].workload", i);
        if (task_obj_usable(&c->workload, path, err, errlen) < 0)
            return -1;
        c->traits = xcalloc(mc->ntraits, sizeof(*c->traits));
        t->services[i].traits = et;
        t->services[i].has_traits = true;
        t->services[i].ntraits = mc->ntraits;
        et += mc->ntraits;
        for (size_t k = 0; k < mc->ntraits; k++) {
            task_trait *tt = &c->traits[c->ntraits++];
            tt->type = mc->traits[k].type;
            tt->props = mc->traits[k].properties;
            tt->has_object = mc->traits[k].has_object;
            if (!tt->has_object)
                continue;
            tt->object = task_obj_in(t, &mc->traits[k].object);
            snprintf(path, sizeof(path), "components[%zu].traits[%zu].object", i, k);
            if (task_obj_usable(&tt->object, path, err, errlen) < 0)
                return -1;
        }
    }
    return 0;
}

/* The resources of the task: a deploy task's manifests' identities in order, or a delete
 * task's resources, namespaces filled in. */
static void task_view_resources(task *t)
{
    size_t n = t->kind == MSG_KIND_DELETE ? t->m.nresources : json_array_size(t->manifests);
    t->resources = xcalloc(n, sizeof(*t->resources));
    for (size_t i = 0; i < n; i++) {
        msg_objref o;
        if (t->kind == MSG_KIND_DELETE) {
            o = t->m.resources[i];
        } else {
            /* msg_task_decode checked the types: apiVersion, kind, metadata.name strings */
            const json_t *m = json_array_get(t->manifests, i);
            const json_t *meta = json_object_get(m, "metadata");
            o.api_version = json_string_value(json_object_get(m, "apiVersion"));
            o.kind = json_string_value(json_object_get(m, "kind"));
            o.namespace = json_string_value(json_object_get(meta, "namespace"));
            o.name = json_string_value(json_object_get(meta, "name"));
        }
        t->resources[t->nresources++] = task_obj_in(t, &o);
    }
}

int task_parse(const char *buf, size_t len, task *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    int rc = msg_task_decode(buf, len, &t->m, err, errlen);
    if (t->m.identified) {
        const msg_ident *id = &t->m.id;
        t->kind = id->kind;
        t->task_id = id->task_id;
        t->cluster = id->cluster;
        t->namespace = id->namespace;
        snprintf(t->key, sizeof(t->key), "%s/%s", id->app.namespace, id->app.name);
    }
    if (rc < 0)
        return -1;
    t->deadline_ms = t->m.deadline_ms;
    t->manifests = t->m.manifests;
    task_view_resources(t);
    return task_view_components(t, err, errlen);
}

bool task_reportable(const task *t)
{
    return t->m.identified;
}

void task_release(task *t)
{
    for (size_t i = 0; i < t->ncomps; i++) {
        json_decref(t->comps[i].live);
        for (size_t k = 0; k < t->comps[i].ntraits; k++)
            json_decref(t->comps[i].traits[k].live);
        free(t->comps[i].traits);
    }
    free(t->comps);
    free(t->resources);
    free(t->services);
    free(t->service_traits);
    msg_task_release(&t->m);
    memset(t, 0, sizeof(*t));
}

/* ---- health ------------------------------------------------------------------------------- */

static void task_summary_add(char *summary, size_t slen, const char *who, const char *msg)
{
    if (!summary || !slen)
        return;
    size_t used = strlen(summary);
    if (used + 1 >= slen)
        return;
    snprintf(summary + used, slen - used, "%s%s: %s", used ? ", " : "", who,
             *msg ? msg : "not healthy");
}

/* *old = h; true when that changed it. */
static bool task_health_set(health *old, const health *h)
{
    bool changed = old->healthy != h->healthy || strcmp(old->msg, h->msg) != 0;
    *old = *h;
    return changed;
}

bool task_judge(task *t, bool *healthy, char *summary, size_t slen)
{
    bool all = true, changed = !t->judged;
    t->judged = true;
    if (summary && slen)
        summary[0] = '\0';
    for (size_t i = 0; i < t->ncomps; i++) {
        task_comp *c = &t->comps[i];
        const component_def *def = component_def_find(c->type);
        health h = {false, ""};
        if (def && def->health)
            def->health(c->live, &h);
        else if (!def)
            snprintf(h.msg, sizeof(h.msg), "unknown component type \"%s\"", c->type);
        else
            h.healthy = c->live != NULL;
        if (!h.healthy) {
            all = false;
            task_summary_add(summary, slen, c->name, h.msg);
        }
        changed |= task_health_set(&c->h, &h);
        for (size_t k = 0; k < c->ntraits; k++) {
            task_trait *tt = &c->traits[k];
            health th = {true, ""};
            if (tt->has_object) {
                const trait_def *td = trait_def_find(tt->type);
                th.healthy = tt->live != NULL;
                if (td && td->health)
                    td->health(tt->props, tt->live, &th);
            }
            if (!th.healthy) {
                char who[600];
                snprintf(who, sizeof(who), "%s/%s", c->name, tt->type);
                all = false;
                task_summary_add(summary, slen, who, th.msg);
            }
            changed |= task_health_set(&tt->h, &th);
        }
    }
    *healthy = all;
    return changed;
}

/* ---- events ------------------------------------------------------------------------------- */

/* The services view of the last judgement. */
static void task_services_fill(const task *t)
{
    for (size_t i = 0; i < t->ncomps; i++) {
        const task_comp *c = &t->comps[i];
        msg_event_service *s = &t->services[i];
        s->name = c->name;
        s->type = c->type;
        s->healthy = c->h.healthy;
        s->message = c->h.msg;
        for (size_t k = 0; k < c->ntraits; k++) {
            s->traits[k].type = c->traits[k].type;
            s->traits[k].healthy = c->traits[k].h.healthy;
            s->traits[k].message = c->traits[k].h.msg;
        }
    }
}

char *task_event(const task *t, msg_event_phase phase, bool final, const char *message,
                 bool with_services, const char *worker, int64_t at_ms, char *err, size_t errlen)
{
    char at[CLOCK_RFC3339_LEN];
    clock_rfc3339(at_ms, 1, at, sizeof(at));
    msg_event ev = {
        .id = t->m.id,
        .phase = phase,
        .final = final,
        .message = message ? message : "",
        .has_services = true,
        .nservices = with_services && t->services ? t->ncomps : 0,
        .services = t->services,
        .has_resources = true,
        .nresources = t->nresources,
        .resources = t->resources,
        .worker = worker ? worker : "",
        .at = at,
    };
    if (with_services && t->services)
        task_services_fill(t);
    char *json = msg_event_encode_bytes(&ev, NULL, err, errlen);
    if (json)
        return json;
    /* A text cut inside a UTF-8 sequence, or an API's message in another encoding: the event
     * still goes out (a final one must), with a note instead. */
    char note[300];
    snprintf(note, sizeof(note), "(the event could not be encoded: %s)", err);
    ev.message = note;
    ev.nservices = 0;
    return msg_event_encode_bytes(&ev, NULL, NULL, 0);
}

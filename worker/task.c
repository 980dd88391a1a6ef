/* Tasks as the worker reads them, the events it writes, and the health judgement of live
 * objects through the component and trait definitions. See task.h and docs/pipeline.md. */
#include "task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/definitions.h"
#include "kube/resource.h"
#include "base/util.h"
#include "base/clock.h"

/* ---- parsing ------------------------------------------------------------------------------ */

static const char *task_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s && *s ? s : NULL;
}

/* Reads {apiVersion, kind, name[, namespace]} at path into *o. */
static int task_obj_parse(const json_t *j, const char *path, const char *default_ns,
                          task_obj *o, char *err, size_t errlen)
{
    if (!json_is_object(j))
        return err_set(err, errlen, "%s: expected an object", path);
    o->api_version = task_str(j, "apiVersion");
    o->kind = task_str(j, "kind");
    o->name = task_str(j, "name");
    if (!o->api_version || !o->kind || !o->name)
        return err_set(err, errlen, "%s: apiVersion, kind and name are required", path);
    o->namespace = task_str(j, "namespace");
    if (!o->namespace && kube_kind_namespaced(o->api_version, o->kind) != 0)
        o->namespace = default_ns;
    return 0;
}

static json_t *task_obj_json(const task_obj *o)
{
    json_t *j = json_pack("{s:s,s:s}", "apiVersion", o->api_version, "kind", o->kind);
    if (o->namespace)
        json_object_set_new(j, "namespace", json_string(o->namespace));
    json_object_set_new(j, "name", json_string(o->name));
    return j;
}

static int task_parse_components(task *t, const json_t *comps, char *err, size_t errlen)
{
    if (!comps)
        return 0;
    if (!json_is_array(comps))
        return err_set(err, errlen, "components: expected an array");
    t->comps = calloc(json_array_size(comps) + 1, sizeof(*t->comps));
    if (!t->comps)
        return err_set(err, errlen, "out of memory");
    size_t i;
    json_t *c;
    json_array_foreach(comps, i, c) {
        task_comp *tc = &t->comps[t->ncomps++];
        char path[128];
        tc->name = task_str(c, "name");
        tc->type = task_str(c, "type");
        if (!tc->name || !tc->type)
            return err_set(err, errlen, "components[%zu]: name and type are required", i);
        snprintf(path, sizeof(path), "components[%zu].workload", i);
        if (task_obj_parse(json_object_get(c, "workload"), path, t->namespace, &tc->workload,
                           err, errlen) < 0)
            return -1;
        json_t *traits = json_object_get(c, "traits");
        if (!traits)
            continue;
        if (!json_is_array(traits))
            return err_set(err, errlen, "components[%zu].traits: expected an array", i);
        tc->traits = calloc(json_array_size(traits) + 1, sizeof(*tc->traits));
        if (!tc->traits)
            return err_set(err, errlen, "out of memory");
        size_t k;
        json_t *tr;
        json_array_foreach(traits, k, tr) {
            task_trait *tt = &tc->traits[tc->ntraits++];
            tt->type = task_str(tr, "type");
            if (!tt->type)
                return err_set(err, errlen, "components[%zu].traits[%zu].type is required", i,
                               k);
            tt->props = json_object_get(tr, "properties");
            json_t *obj = json_object_get(tr, "object");
            if (obj && !json_is_null(obj)) {
                snprintf(path, sizeof(path), "components[%zu].traits[%zu].object", i, k);
                if (task_obj_parse(obj, path, t->namespace, &tt->object, err, errlen) < 0)
                    return -1;
                tt->has_object = true;
            }
        }
    }
    return 0;
}

/* The resources of a deploy task: its manifests' identities, in order. */
static int task_resources_from_manifests(task *t, char *err, size_t errlen)
{
    size_t i;
    json_t *m;
    json_array_foreach(t->manifests, i, m) {
        json_t *meta = json_object_get(m, "metadata");
        task_obj o = {task_str(m, "apiVersion"), task_str(m, "kind"), task_str(meta, "namespace"),
                      task_str(meta, "name")};
        if (!json_is_object(m) || !o.api_version || !o.kind || !o.name)
            return err_set(err, errlen,
                           "manifests[%zu]: apiVersion, kind and metadata.name are required", i);
        if (!o.namespace && kube_kind_namespaced(o.api_version, o.kind) != 0)
            o.namespace = t->namespace;
        json_array_append_new(t->resources, task_obj_json(&o));
    }
    return 0;
}

int task_parse(const char *buf, size_t len, task *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    json_error_t je;
    t->doc = json_loadb(buf, len, 0, &je);
    if (!t->doc)
        return err_set(err, errlen, "not valid JSON: line %d column %d: %s", je.line, je.column,
                       je.text);
    if (!json_is_object(t->doc))
        return err_set(err, errlen, "expected a JSON object");
    json_t *app = json_object_get(t->doc, "app");
    t->app_name = task_str(app, "name");
    t->app_namespace = task_str(app, "namespace");
    if (!t->app_name || !t->app_namespace)
        return err_set(err, errlen, "app.name and app.namespace are required");
    snprintf(t->key, sizeof(t->key), "%s/%s", t->app_namespace, t->app_name);

    json_t *sv = json_object_get(t->doc, "schemaVersion");
    if (!json_is_integer(sv) || json_integer_value(sv) != TASK_SCHEMA_VERSION)
        return err_set(err, errlen, "schemaVersion: expected %d", TASK_SCHEMA_VERSION);
    const char *kind = task_str(t->doc, "kind");
    if (kind && strcmp(kind, "deploy") == 0)
        t->kind = TASK_DEPLOY;
    else if (kind && strcmp(kind, "delete") == 0)
        t->kind = TASK_DELETE;
    else
        return err_set(err, errlen, "kind: expected \"deploy\" or \"delete\"");
    t->task_id = task_str(t->doc, "taskId");
    t->cluster = task_str(t->doc, "cluster");
    t->namespace = task_str(t->doc, "namespace");
    if (!t->task_id || !t->cluster || !t->namespace)
        return err_set(err, errlen, "taskId, cluster and namespace are required");
    const char *deadline = task_str(t->doc, "deadline");
    if (deadline) {
        t->deadline_ms = clock_parse_rfc3339(deadline);
        if (t->deadline_ms < 0)
            return err_set(err, errlen, "deadline: \"%s\" is not an RFC 3339 time", deadline);
    }

    if (t->kind == TASK_DELETE) {
        json_t *res = json_object_get(t->doc, "resources");
        if (!json_is_array(res))
            return err_set(err, errlen, "resources: expected an array");
        t->resources = json_array();
        size_t i;
        json_t *r;
        json_array_foreach(res, i, r) {
            task_obj o;
            char path[64];
            snprintf(path, sizeof(path), "resources[%zu]", i);
            if (task_obj_parse(r, path, t->namespace, &o, err, errlen) < 0)
                return -1;
            json_array_append_new(t->resources, task_obj_json(&o));
        }
        return 0;
    }
    t->manifests = json_object_get(t->doc, "manifests");
    if (!json_is_array(t->manifests))
        return err_set(err, errlen, "manifests: expected an array");
    t->resources = json_array();
    if (task_resources_from_manifests(t, err, errlen) < 0)
        return -1;
    return task_parse_components(t, json_object_get(t->doc, "components"), err, errlen);
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
    json_decref(t->resources);
    json_decref(t->doc);
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

json_t *task_judge(const task *t, bool *healthy, char *summary, size_t slen)
{
    json_t *services = json_array();
    bool all = true;
    if (summary && slen)
        summary[0] = '\0';
    for (size_t i = 0; i < t->ncomps; i++) {
        const task_comp *c = &t->comps[i];
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
        json_t *traits = json_array();
        for (size_t k = 0; k < c->ntraits; k++) {
            const task_trait *tt = &c->traits[k];
            health th = {true, ""};
            if (tt->has_object) {
                const trait_def *td = trait_def_find(tt->type);
                th.healthy = tt->live != NULL;
                if (td && td->health)
                    td->health(tt->props, tt->live, &th);
            }
            if (!th.healthy) {
                char who[300];
                snprintf(who, sizeof(who), "%s/%s", c->name, tt->type);
                all = false;
                task_summary_add(summary, slen, who, th.msg);
            }
            json_array_append_new(traits, json_pack("{s:s,s:b,s:s}", "type", tt->type, "healthy",
                                                    th.healthy, "message", th.msg));
        }
        json_array_append_new(services,
                              json_pack("{s:s,s:s,s:b,s:s,s:o}", "name", c->name, "type", c->type,
                                        "healthy", h.healthy, "message", h.msg, "traits",
                                        traits));
    }
    *healthy = all;
    return services;
}

/* ---- events ------------------------------------------------------------------------------- */

/* Copies doc[key] into ev when present. */
static void event_copy(json_t *ev, const json_t *doc, const char *key)
{
    json_t *v = json_object_get(doc, key);
    if (v)
        json_object_set(ev, key, v);
}

json_t *event_new(const task *t, const char *phase, bool final, const char *message,
                  json_t *services, const char *worker, int64_t at_ms)
{
    char at[40];
    clock_rfc3339(at_ms, 1, at, sizeof(at));
    json_t *ev = json_object();
    json_object_set_new(ev, "schemaVersion", json_integer(EVENT_SCHEMA_VERSION));
    event_copy(ev, t->doc, "taskId");
    event_copy(ev, t->doc, "kind");
    event_copy(ev, t->doc, "app");
    event_copy(ev, t->doc, "step");
    event_copy(ev, t->doc, "stepId");
    event_copy(ev, t->doc, "attempt");
    event_copy(ev, t->doc, "cluster");
    event_copy(ev, t->doc, "namespace");
    json_object_set_new(ev, "phase", json_string(phase));
    json_object_set_new(ev, "final", json_boolean(final));
    json_t *msg = json_string(message ? message : "");
    json_object_set_new(ev, "message", msg ? msg : json_string("(message is not UTF-8)"));
    json_object_set_new(ev, "services", services ? services : json_array());
    json_object_set_new(ev, "resources", t->resources ? json_incref(t->resources) : json_array());
    json_object_set_new(ev, "worker", json_string(worker ? worker : ""));
    json_object_set_new(ev, "at", json_string(at));
    return ev;
}

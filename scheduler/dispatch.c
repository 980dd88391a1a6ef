/* Deploy and delete tasks (see dispatch.h): each function builds one part of a task as
 * schemas/task.schema.json describes it, so that a typed codec can replace them one by one. */
#include "dispatch.h"

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "inventory.h"
#include "model/definitions.h"
#include "model/render.h"

/* The task's "app": whose task it is. */
static json_t *dispatch_app(const sapp *a)
{
    const char *name = strchr(a->key, '/') + 1;
    return json_pack("{s:s,s:s#,s:s,s:i}", "name", name, "namespace", a->key,
                     (int)(name - a->key - 1), "uid", a->uid, "revision", a->revision);
}

static json_t *dispatch_traits(const char *component, const json_t *traits)
{
    json_t *out = json_array();
    size_t j;
    json_t *t;
    json_array_foreach(traits, j, t) {
        const trait_def *td = trait_def_find(json_string_value(json_object_get(t, "type")));
        json_t *props = json_object_get(t, "properties");
        json_t *tr = json_pack("{s:O,s:o}", "type", json_object_get(t, "type"), "properties",
                               json_is_object(props) ? json_deep_copy(props) : json_object());
        if (td && td->health_kind)
            json_object_set_new(tr, "object",
                                json_pack("{s:s,s:s,s:s}", "apiVersion", td->health_api_version,
                                          "kind", td->health_kind, "name", component));
        json_array_append_new(out, tr);
    }
    return out;
}

json_t *dispatch_components(const json_t *components)
{
    json_t *out = json_array();
    json_t *ordered = render_order(components);
    size_t i;
    json_t *c;
    json_array_foreach(ordered, i, c) {
        const char *name = json_string_value(json_object_get(c, "name"));
        const component_def *def =
            component_def_find(json_string_value(json_object_get(c, "type")));
        json_array_append_new(
            out, json_pack("{s:s,s:O,s:{s:s,s:s,s:s},s:o}", "name", name, "type",
                           json_object_get(c, "type"), "workload", "apiVersion",
                           def ? def->workload_api_version : "", "kind",
                           def ? def->workload_kind : "", "name", name, "traits",
                           dispatch_traits(name, json_object_get(c, "traits"))));
    }
    json_decref(ordered);
    return out;
}

void dispatch_deploy_task_id(const sapp *a, size_t si, const placement *p, char *out,
                             size_t len)
{
    snprintf(out, len, "%s:%d.%d:%s:%s:%s:%d", a->uid, a->revision, a->generation,
             a->a->steps[si].name, p->cluster, p->ns, p->attempt);
}

int dispatch_deploy(engine *e, const sapp *a, size_t si, const placement *p, int64_t now_ms,
                    int64_t deadline_ms)
{
    const step_rt *s = &a->steps[si];
    const engine_cluster *c = engine_cluster_find(e, p->cluster);
    char ts[32], deadline[32];
    if (!c)
        return DISPATCH_NO_CLUSTER;
    clock_rfc3339(now_ms, 0, ts, sizeof(ts));
    clock_rfc3339(deadline_ms, 0, deadline, sizeof(deadline));
    json_t *task = json_pack("{s:i,s:s,s:s,s:o,s:s,s:s,s:i,s:s,s:s,s:s,s:O,s:O,s:s}",
                             "schemaVersion", 1, "kind", "deploy", "taskId", p->task_id, "app",
                             dispatch_app(a), "step", a->a->steps[si].name, "stepId", s->id,
                             "attempt", p->attempt, "cluster", p->cluster, "namespace", p->ns,
                             "deadline", deadline, "components", s->tasks_components,
                             "manifests", json_object_get(s->manifests_by_ns, p->ns),
                             "createdAt", ts);
    int rc = e->io.send_task(e->io.ctx, p->cluster, c->region, task) < 0 ? DISPATCH_NOT_QUEUED
                                                                         : DISPATCH_SENT;
    json_decref(task);
    return rc;
}

void dispatch_delete_task_id(const sapp *a, const inv_entry *en, int attempt, char *out,
                             size_t len)
{
    snprintf(out, len, "%s:%d.%d:gc:%s:%s:%d", a->uid, a->revision, en->generation,
             en->cluster, en->ns, attempt);
}

int dispatch_delete(engine *e, const sapp *a, const inv_entry *en, int64_t now_ms)
{
    const engine_cluster *c = engine_cluster_find(e, en->cluster);
    char ts[32];
    if (!c)
        return DISPATCH_NO_CLUSTER;
    clock_rfc3339(now_ms, 0, ts, sizeof(ts));
    json_t *task = json_pack("{s:i,s:s,s:s,s:o,s:s,s:s,s:i,s:s,s:s,s:o,s:s}", "schemaVersion",
                             1, "kind", "delete", "taskId", en->delete_task_id, "app",
                             dispatch_app(a), "step", "garbage-collect", "stepId", "gc",
                             "attempt", en->delete_attempt, "cluster", en->cluster,
                             "namespace", en->ns, "resources",
                             inventory_resources_json(en->del, en->ndel), "createdAt", ts);
    int rc = e->io.send_task(e->io.ctx, en->cluster, c->region, task) < 0
                 ? DISPATCH_NOT_QUEUED
                 : DISPATCH_SENT;
    json_decref(task);
    return rc;
}

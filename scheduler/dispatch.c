/* Deploy and delete tasks (see dispatch.h): each function builds one part of a task as
 * schemas/task.schema.json describes it, so that a typed codec can replace them one by one. */
#include "dispatch.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "inventory.h"
#include "model/definitions.h"
#include "model/render.h"

/* The task's "app": whose task it is (strings borrowed from a, the namespace copied into
 * ns, which holds DISPATCH_NS_LEN bytes). */
#define DISPATCH_NS_LEN 256
static msg_appref dispatch_app(const sapp *a, char *ns)
{
    const char *slash = strchr(a->key, '/');
    snprintf(ns, DISPATCH_NS_LEN, "%.*s", (int)(slash - a->key), a->key);
    return (msg_appref){.name = slash + 1, .namespace = ns, .uid = a->uid, .revision = a->revision};
}

msg_task_comp *dispatch_components(const json_t *components, size_t *n)
{
    json_t *ordered = render_order(components);
    size_t i, j;
    json_t *c, *t;
    *n = json_array_size(ordered);
    msg_task_comp *out = xcalloc(*n ? *n : 1, sizeof(*out));
    json_array_foreach(ordered, i, c) {
        msg_task_comp *mc = &out[i];
        const component_def *def = component_def_find(
            json_string_value(json_object_get(c, "type")));
        mc->name = json_string_value(json_object_get(c, "name"));
        mc->type = json_string_value(json_object_get(c, "type"));
        mc->workload = (msg_objref){.api_version = def ? def->workload_api_version : "",
                                    .kind = def ? def->workload_kind : "",
                                    .name = mc->name};
        /* raw, k8s-objects: the workload is whatever object the properties give first */
        if (def && def->workload_of &&
            def->workload_of(json_object_get(c, "properties"), &mc->workload.api_version,
                             &mc->workload.kind, &mc->workload.name) < 0)
            mc->workload.api_version = mc->workload.kind = "";
        json_t *traits = json_object_get(c, "traits");
        mc->ntraits = json_array_size(traits);
        mc->traits = xcalloc(mc->ntraits, sizeof(*mc->traits));
        json_array_foreach(traits, j, t) {
            msg_task_trait *tr = &mc->traits[j];
            const json_t *props = json_object_get(t, "properties");
            tr->type = json_string_value(json_object_get(t, "type"));
            tr->properties = json_is_object(props) ? props : NULL;
            const trait_def *td = trait_def_find(tr->type);
            if (td && td->health_kind) {
                tr->has_object = true;
                tr->object = (msg_objref){.api_version = td->health_api_version,
                                          .kind = td->health_kind,
                                          .name = mc->name};
            }
        }
    }
    json_decref(ordered); /* the strings belong to components, which the caller keeps */
    return out;
}

void dispatch_components_free(msg_task_comp *comps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(comps[i].traits);
    free(comps);
}

/* Encodes t and hands it to engine_io; a task the codec refuses is a bug in the engine,
 * logged and not sent (the placement then times out with the reason in the log). */
static int dispatch_send(engine *e, const char *cluster, const char *region, const msg_task *t)
{
    char err[512];
    json_t *task = msg_task_encode(t, err, sizeof(err));
    if (!task) {
        log_error("event=task-unencodable task=%s reason=\"%s\"", t->id.task_id, err);
        return DISPATCH_NOT_QUEUED;
    }
    int rc = e->io.send_task(e->io.ctx, cluster, region, task) < 0 ? DISPATCH_NOT_QUEUED
                                                                   : DISPATCH_SENT;
    json_decref(task);
    return rc;
}

void dispatch_deploy_task_id(const sapp *a, size_t si, const placement *p, char *out, size_t len)
{
    snprintf(out, len, "%s:%d.%d:%s:%s:%s:%d", a->uid, a->revision, a->generation,
             a->a->steps[si].name, p->cluster, p->ns, p->attempt);
}

int dispatch_deploy(engine *e, const sapp *a, size_t si, const placement *p, int64_t now_ms,
                    int64_t deadline_ms)
{
    const step_rt *s = &a->steps[si];
    const engine_cluster *c = engine_cluster_find(e, p->cluster);
    char ts[CLOCK_RFC3339_LEN], deadline[CLOCK_RFC3339_LEN], ns[DISPATCH_NS_LEN];
    if (!c)
        return DISPATCH_NO_CLUSTER;
    clock_rfc3339(now_ms, 0, ts, sizeof(ts));
    clock_rfc3339(deadline_ms, 0, deadline, sizeof(deadline));
    msg_task t = {
        .id = {.task_id = p->task_id,
               .kind = MSG_KIND_DEPLOY,
               .app = dispatch_app(a, ns),
               .step = a->a->steps[si].name,
               .step_id = s->id,
               .attempt = p->attempt,
               .has_attempt = true,
               .cluster = p->cluster,
               .namespace = p->ns},
        .deadline = deadline,
        .created_at = ts,
        .ncomps = s->ncomps,
        .comps = s->comps,
        .manifests = json_object_get(s->manifests_by_ns, p->ns),
    };
    return dispatch_send(e, p->cluster, c->region, &t);
}

void dispatch_delete_task_id(const sapp *a, const inv_entry *en, int attempt, char *out, size_t len)
{
    snprintf(out, len, "%s:%d.%d:gc:%s:%s:%d", a->uid, a->revision, en->generation, en->cluster,
             en->ns, attempt);
}

int dispatch_delete(engine *e, const sapp *a, const inv_entry *en, int64_t now_ms)
{
    const engine_cluster *c = engine_cluster_find(e, en->cluster);
    char ts[CLOCK_RFC3339_LEN], ns[DISPATCH_NS_LEN];
    if (!c)
        return DISPATCH_NO_CLUSTER;
    clock_rfc3339(now_ms, 0, ts, sizeof(ts));
    msg_objref *res = xcalloc(en->ndel, sizeof(*res));
    for (size_t i = 0; i < en->ndel; i++)
        res[i] = (msg_objref){.api_version = en->del[i].api_version,
                              .kind = en->del[i].kind,
                              .namespace = en->del[i].ns,
                              .name = en->del[i].name};
    msg_task t = {
        .id = {.task_id = en->delete_task_id,
               .kind = MSG_KIND_DELETE,
               .app = dispatch_app(a, ns),
               .step = "garbage-collect",
               .step_id = "gc",
               .attempt = en->delete_attempt,
               .has_attempt = true,
               .cluster = en->cluster,
               .namespace = en->ns},
        .created_at = ts,
        .nresources = en->ndel,
        .resources = res,
    };
    int rc = dispatch_send(e, en->cluster, c->region, &t);
    free(res);
    return rc;
}

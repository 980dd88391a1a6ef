/* worker: a long-running background process. A Deployment with no ports and no Service; unlike
 * webservice it takes no args, labels or annotations (docs/application.md). */
#include "model/components/components.h"
#include "model/definitions.h"
#include "model/render_util.h"

static const prop_spec worker_props[] = {
    {"image", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"imagePullPolicy", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"imagePullSecrets", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"cmd", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"env", PROP_LIST, 0, render_env_fields, NULL, 0, 0},
    {"cpu", PROP_QUANTITY, 0, NULL, NULL, 0, 0},
    {"memory", PROP_QUANTITY, 0, NULL, NULL, 0, 0},
    {"volumeMounts", PROP_OBJECT, 0, render_volume_mounts_fields, NULL, 0, 0},
    {"volumes", PROP_LIST, 0, render_volumes_fields, NULL, 0, 0},
    {"livenessProbe", PROP_OBJECT, 0, render_probe_fields, NULL, 0, 0},
    {"readinessProbe", PROP_OBJECT, 0, render_probe_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static int worker_render(const json_t *props, render_ctx *ctx, verr *e)
{
    /* only what the worker declares: an undeclared args, labels or annotations is ignored */
    json_t *declared = json_object();
    for (const prop_spec *f = worker_props; f->name; f++) {
        json_t *v = json_object_get(props, f->name);
        if (v)
            json_object_set(declared, f->name, v);
    }
    json_t *d = render_deployment_new(ctx, declared, render_container_new(ctx, declared));
    json_array_append_new(ctx->objects, d);
    int rc = render_pod_extras(ctx, json_object_get(json_object_get(d, "spec"), "template"),
                               declared, RENDER_VOLUME_MOUNTS | RENDER_PROBES, e);
    json_decref(declared);
    return rc;
}

const component_def component_worker = {
    .type = "worker",
    .props = worker_props,
    .workload_api_version = "apps/v1",
    .workload_kind = "Deployment",
    .render = worker_render,
    .health = render_deployment_health,
};

/* raw: one Kubernetes object, the properties themselves. KubeVela v1.9 still installs it
 * (deprecated in favour of k8s-objects); it is k8s-objects with a single object. */
#include <stdio.h>

#include "model/components/components.h"
#include "model/definitions.h"
#include "model/render_util.h"

/* Any keys: the properties are an object (checked by raw_check). */
static const prop_spec raw_props[] = {
    {"apiVersion", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0,
     "API version of the object"},
    {"kind", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0, "Kind of the object"},
    {"metadata", PROP_MAP, 0, NULL, NULL, 0, 0,
     "Metadata of the object; the name defaults to the component's"},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static int raw_check(const json_t *props, const char *path, bool enforce_required, verr *e)
{
    if (!enforce_required && (!props || json_is_null(props)))
        return 0;
    return comp_object_check(props, path, false, enforce_required, e);
}

static int raw_render(const json_t *props, render_ctx *ctx, verr *e)
{
    json_array_append_new(ctx->objects, comp_object_adopt(ctx, props, NULL));
    (void)e;
    return 0;
}

/* No healthPolicy in KubeVela's raw: healthy once the object exists. */
static void raw_health(const json_t *live, health *h)
{
    h->healthy = live != NULL;
    snprintf(h->msg, sizeof(h->msg), "%s", live ? "" : "workload object not found");
}

const component_def component_raw = {
    .type = "raw",
    .props = raw_props,
    .workload_api_version = "", /* from the properties: workload_of */
    .workload_kind = "",
    .render = raw_render,
    .health = raw_health,
    .check = raw_check,
    .workload_of = comp_object_workload_of,
    .description = "One Kubernetes object given whole (deprecated: use k8s-objects).",
};

/* scaler: sets the workload's spec.replicas (default 1). Always healthy, no message. */
#include <string.h>

#include "model/definitions.h"
#include "model/traits/traits.h"
#include "model/render_util.h"

static const prop_spec scaler_props[] = {
    {"replicas", PROP_INT, 0, NULL, NULL, 0, 1000000},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const scaler_applies_to[] = {"statefulset", "webservice", "worker", NULL};

static int scaler_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *replicas = json_object_get(props, "replicas");
    json_t *workload = render_workload(ctx);
    json_t *spec = json_object_get(workload, "spec");
    /* replicas first, where people look for it */
    json_t *ordered = json_pack("{s:I}", "replicas",
                                json_is_integer(replicas) ? json_integer_value(replicas) : 1);
    const char *k;
    json_t *v;
    json_object_foreach(spec, k, v) {
        if (strcmp(k, "replicas") != 0)
            json_object_set(ordered, k, v);
    }
    json_object_set_new(workload, "spec", ordered);
    (void)path;
    (void)e;
    return 0;
}

const trait_def trait_scaler = {
    .type = "scaler",
    .props = scaler_props,
    .applies_to = scaler_applies_to,
    .apply = scaler_apply,
};

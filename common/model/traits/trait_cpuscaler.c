/* cpuscaler: an autoscaling/v1 HorizontalPodAutoscaler for the component on cpu utilization
 * (cpuUtil percent, default 50). Always healthy. */
#include "model/definitions.h"
#include "model/patch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"

static const prop_spec cpuscaler_props[] = {
    {"min", PROP_INT, 0, NULL, NULL, 1, 1000000},
    {"max", PROP_INT, 0, NULL, NULL, 1, 1000000},
    {"cpuUtil", PROP_INT, 0, NULL, NULL, 1, 1000},
    {"targetAPIVersion", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"targetKind", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const cpuscaler_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS, NULL};

static int cpuscaler_check(const json_t *props, const char *path, verr *e)
{
    if (prop_check(props, cpuscaler_props, path, true, e) < 0)
        return -1;
    return patch_check_min_max(props, path, e);
}

static json_int_t cpuscaler_int(const json_t *props, const char *key, json_int_t def)
{
    json_t *v = json_object_get(props, key);
    return json_is_integer(v) ? json_integer_value(v) : def;
}

static int cpuscaler_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *hpa = render_trait_output_new(ctx, "cpuscaler", "cpuscaler", "autoscaling/v1",
                                          "HorizontalPodAutoscaler", ctx->component);
    json_object_set_new(hpa, "spec",
                        json_pack("{s:o,s:I,s:I,s:I}", "scaleTargetRef",
                                  patch_scale_target(ctx, props), "minReplicas",
                                  cpuscaler_int(props, "min", 1), "maxReplicas",
                                  cpuscaler_int(props, "max", 10), "targetCPUUtilizationPercentage",
                                  cpuscaler_int(props, "cpuUtil", 50)));
    json_array_append_new(ctx->objects, hpa);
    (void)path;
    (void)e;
    return 0;
}

const trait_def trait_cpuscaler = {
    .type = "cpuscaler",
    .props = cpuscaler_props,
    .applies_to = cpuscaler_applies_to,
    .apply = cpuscaler_apply,
    .check = cpuscaler_check,
};

/* hpa: an autoscaling/v2 HorizontalPodAutoscaler for the component on cpu (and memory)
 * utilization or average value, and per-pod custom metrics. Always healthy. */
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"

static const char *const hpa_target_types[] = {"Utilization", "AverageValue", NULL};

static const prop_spec hpa_target_fields[] = {
    {"type", PROP_STRING, 0, NULL, hpa_target_types, 0, 0},
    {"value", PROP_INT, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec hpa_custom_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"value", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec hpa_props[] = {
    {"min", PROP_INT, 0, NULL, NULL, 1, 1000000},
    {"max", PROP_INT, 0, NULL, NULL, 1, 1000000},
    {"targetAPIVersion", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"targetKind", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"cpu", PROP_OBJECT, 0, hpa_target_fields, NULL, 0, 0},
    {"mem", PROP_OBJECT, 0, hpa_target_fields, NULL, 0, 0},
    {"podCustomMetrics", PROP_LIST, 0, hpa_custom_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const hpa_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS, NULL};

static int hpa_check(const json_t *props, const char *path, verr *e)
{
    if (prop_check(props, hpa_props, path, true, e) < 0)
        return -1;
    return patch_check_min_max(props, path, e);
}

/* A Resource metric on name: Utilization (default) takes the value as averageUtilization,
 * AverageValue as averageValue; the value defaults to 50. */
static json_t *hpa_resource(const char *name, const json_t *t)
{
    const char *type = json_string_value(json_object_get(t, "type"));
    json_t *value = json_object_get(t, "value");
    json_t *target = json_object();
    if (!type)
        type = "Utilization";
    json_object_set_new(target, "type", json_string(type));
    json_object_set_new(target,
                        strcmp(type, "Utilization") == 0 ? "averageUtilization" : "averageValue",
                        json_is_integer(value) ? json_incref(value) : json_integer(50));
    return json_pack("{s:s,s:{s:s,s:o}}", "type", "Resource", "resource", "name", name, "target",
                     target);
}

static int hpa_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *min = json_object_get(props, "min");
    json_t *max = json_object_get(props, "max");
    json_t *metrics = json_array();
    json_t *m;
    size_t i;

    json_array_append_new(metrics, hpa_resource("cpu", json_object_get(props, "cpu")));
    if (json_is_object(json_object_get(props, "mem")))
        json_array_append_new(metrics, hpa_resource("memory", json_object_get(props, "mem")));
    json_array_foreach(json_object_get(props, "podCustomMetrics"), i, m) {
        json_array_append_new(
            metrics, json_pack("{s:s,s:{s:{s:O},s:{s:s,s:O}}}", "type", "Pods", "pods", "metric",
                               "name", json_object_get(m, "name"), "target", "type", "AverageValue",
                               "averageValue", json_object_get(m, "value")));
    }
    json_t *hpa = render_trait_output_new(ctx, "hpa", "hpa", "autoscaling/v2",
                                          "HorizontalPodAutoscaler", ctx->component);
    json_object_set_new(
        hpa, "spec",
        json_pack("{s:o,s:I,s:I,s:o}", "scaleTargetRef", patch_scale_target(ctx, props),
                  "minReplicas", json_is_integer(min) ? json_integer_value(min) : 1, "maxReplicas",
                  json_is_integer(max) ? json_integer_value(max) : 10, "metrics", metrics));
    json_array_append_new(ctx->objects, hpa);
    (void)path;
    (void)e;
    return 0;
}

const trait_def trait_hpa = {
    .type = "hpa",
    .props = hpa_props,
    .applies_to = hpa_applies_to,
    .apply = hpa_apply,
    .check = hpa_check,
};

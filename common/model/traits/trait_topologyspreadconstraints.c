/* topologyspreadconstraints: sets the pod template's topologySpreadConstraints, spreading the
 * component's pods over zones or nodes as KubeVela's trait does (docs/application.md). */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const char *const tsc_operators[] = {"In", "NotIn", "Exists", "DoesNotExist", NULL};
static const char *const tsc_unsatisfiable[] = {"DoNotSchedule", "ScheduleAnyway", NULL};
static const char *const tsc_policies[] = {"Honor", "Ignore", NULL};

static const prop_spec tsc_expression_fields[] = {
    {"key", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"operator", PROP_STRING, 0, NULL, tsc_operators, 0, 0},
    {"values", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec tsc_selector_fields[] = {
    {"matchLabels", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {"matchExpressions", PROP_LIST, 0, tsc_expression_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

/* maxSkew and minDomains must be positive in Kubernetes; KubeVela takes any integer. */
static const prop_spec tsc_constraint_fields[] = {
    {"maxSkew", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 2147483647},
    {"topologyKey", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"whenUnsatisfiable", PROP_STRING, 0, NULL, tsc_unsatisfiable, 0, 0},
    {"labelSelector", PROP_OBJECT, PROP_REQUIRED, tsc_selector_fields, NULL, 0, 0},
    {"minDomains", PROP_INT, 0, NULL, NULL, 1, 2147483647},
    {"matchLabelKeys", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"nodeAffinityPolicy", PROP_STRING, 0, NULL, tsc_policies, 0, 0},
    {"nodeTaintsPolicy", PROP_STRING, 0, NULL, tsc_policies, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec tsc_props[] = {
    {"constraints", PROP_LIST, PROP_REQUIRED, tsc_constraint_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const tsc_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                             PATCH_DAEMONSETS, PATCH_JOBS, NULL};

/* The selector with each expression's operator defaulting to In. New reference. */
static json_t *tsc_selector(const json_t *sel)
{
    json_t *out = json_object();
    json_t *v;
    size_t i;
    patch_copy(out, "matchLabels", sel, "matchLabels");
    if (json_is_array(json_object_get(sel, "matchExpressions"))) {
        json_t *list = json_array();
        json_array_foreach(json_object_get(sel, "matchExpressions"), i, v) {
            json_t *x = json_object();
            patch_copy(x, "key", v, "key");
            patch_copy(x, "operator", v, "operator");
            patch_default(x, "operator", json_string("In"));
            patch_copy(x, "values", v, "values");
            json_array_append_new(list, x);
        }
        json_object_set_new(out, "matchExpressions", list);
    }
    return out;
}

static int tsc_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *spec = patch_pod_spec(ctx);
    json_t *list = json_array();
    json_t *v;
    size_t i;
    char at[512];
    if (!spec) {
        json_decref(list);
        ydoc_path_key(at, sizeof(at), path, "constraints");
        return verr_set(e, at, "component \"%s\" has no pod template", ctx->component);
    }
    json_array_foreach(json_object_get(props, "constraints"), i, v) {
        json_t *c = json_object();
        patch_copy(c, "maxSkew", v, "maxSkew");
        patch_copy(c, "topologyKey", v, "topologyKey");
        patch_copy(c, "whenUnsatisfiable", v, "whenUnsatisfiable");
        patch_default(c, "whenUnsatisfiable", json_string("DoNotSchedule"));
        json_object_set_new(c, "labelSelector", tsc_selector(json_object_get(v, "labelSelector")));
        patch_copy(c, "nodeAffinityPolicy", v, "nodeAffinityPolicy");
        patch_copy(c, "nodeTaintsPolicy", v, "nodeTaintsPolicy");
        patch_copy(c, "minDomains", v, "minDomains");
        patch_copy(c, "matchLabelKeys", v, "matchLabelKeys");
        json_array_append_new(list, c);
    }
    json_object_set_new(spec, "topologySpreadConstraints", list);
    return 0;
}

const trait_def trait_topologyspreadconstraints = {
    .type = "topologyspreadconstraints",
    .props = tsc_props,
    .applies_to = tsc_applies_to,
    .apply = tsc_apply,
};

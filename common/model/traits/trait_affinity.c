/* affinity: sets the pod template's pod affinity, pod anti-affinity, node affinity and
 * tolerations, as KubeVela's affinity trait does (docs/application.md). */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const char *const affinity_label_ops[] = {"In", "NotIn", "Exists", "DoesNotExist", NULL};
static const char *const affinity_node_ops[] = {"In", "NotIn", "Exists", "DoesNotExist",
                                                "Gt", "Lt",    NULL};
static const char *const affinity_toleration_ops[] = {"Equal", "Exists", NULL};
static const char *const affinity_effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};

static const prop_spec affinity_label_expr_fields[] = {
    {"key", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"operator", PROP_STRING, 0, NULL, affinity_label_ops, 0, 0},
    {"values", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec affinity_selector_fields[] = {
    {"matchLabels", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {"matchExpressions", PROP_LIST, 0, affinity_label_expr_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec affinity_pod_term_fields[] = {
    {"labelSelector", PROP_OBJECT, 0, affinity_selector_fields, NULL, 0, 0},
    {"namespaces", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"topologyKey", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"namespaceSelector", PROP_OBJECT, 0, affinity_selector_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec affinity_pod_preferred_fields[] = {
    {"weight", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 100},
    {"podAffinityTerm", PROP_OBJECT, PROP_REQUIRED, affinity_pod_term_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec affinity_pod_fields[] = {
    {"required", PROP_LIST, 0, affinity_pod_term_fields, NULL, 0, 0},
    {"preferred", PROP_LIST, 0, affinity_pod_preferred_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec affinity_node_expr_fields[] = {
    {"key", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"operator", PROP_STRING, 0, NULL, affinity_node_ops, 0, 0},
    {"values", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec affinity_node_term_fields[] = {
    {"matchExpressions", PROP_LIST, 0, affinity_node_expr_fields, NULL, 0, 0},
    {"matchFields", PROP_LIST, 0, affinity_node_expr_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec affinity_node_required_fields[] = {
    {"nodeSelectorTerms", PROP_LIST, PROP_REQUIRED, affinity_node_term_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec affinity_node_preferred_fields[] = {
    {"weight", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 100},
    {"preference", PROP_OBJECT, PROP_REQUIRED, affinity_node_term_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec affinity_node_fields[] = {
    {"required", PROP_OBJECT, 0, affinity_node_required_fields, NULL, 0, 0},
    {"preferred", PROP_LIST, 0, affinity_node_preferred_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec affinity_toleration_fields[] = {
    {"key", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"operator", PROP_STRING, 0, NULL, affinity_toleration_ops, 0, 0},
    {"value", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"effect", PROP_STRING, 0, NULL, affinity_effects, 0, 0},
    {"tolerationSeconds", PROP_INT, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec affinity_props[] = {
    {"podAffinity", PROP_OBJECT, 0, affinity_pod_fields, NULL, 0, 0},
    {"podAntiAffinity", PROP_OBJECT, 0, affinity_pod_fields, NULL, 0, 0},
    {"nodeAffinity", PROP_OBJECT, 0, affinity_node_fields, NULL, 0, 0},
    {"tolerations", PROP_LIST, 0, affinity_toleration_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const affinity_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                                  PATCH_DAEMONSETS, PATCH_JOBS, NULL};

/* A list of match expressions with operator defaulting to In. New reference. */
static json_t *affinity_exprs(const json_t *list)
{
    json_t *out = json_array();
    json_t *v;
    size_t i;
    json_array_foreach(list, i, v) {
        json_t *x = json_object();
        patch_copy(x, "key", v, "key");
        patch_copy(x, "operator", v, "operator");
        patch_default(x, "operator", json_string("In"));
        patch_copy(x, "values", v, "values");
        json_array_append_new(out, x);
    }
    return out;
}

/* A label selector or node selector term: its expression lists get their defaults. */
static json_t *affinity_match(const json_t *sel)
{
    json_t *out = json_object();
    patch_copy(out, "matchLabels", sel, "matchLabels");
    if (json_is_array(json_object_get(sel, "matchExpressions")))
        json_object_set_new(out, "matchExpressions",
                            affinity_exprs(json_object_get(sel, "matchExpressions")));
    if (json_is_array(json_object_get(sel, "matchFields")))
        json_object_set_new(out, "matchFields",
                            affinity_exprs(json_object_get(sel, "matchFields")));
    return out;
}

static void affinity_set_match(json_t *dst, const char *key, const json_t *src)
{
    json_t *v = json_object_get(src, key);
    if (json_is_object(v))
        json_object_set_new(dst, key, affinity_match(v));
}

static json_t *affinity_pod_term(const json_t *t)
{
    json_t *out = json_object();
    affinity_set_match(out, "labelSelector", t);
    patch_copy(out, "namespaces", t, "namespaces");
    patch_copy(out, "topologyKey", t, "topologyKey");
    affinity_set_match(out, "namespaceSelector", t);
    return out;
}

static json_t *affinity_pod(const json_t *p)
{
    json_t *out = json_object();
    json_t *v;
    size_t i;
    if (json_is_array(json_object_get(p, "required"))) {
        json_t *list = json_array();
        json_array_foreach(json_object_get(p, "required"), i, v)
            json_array_append_new(list, affinity_pod_term(v));
        json_object_set_new(out, "requiredDuringSchedulingIgnoredDuringExecution", list);
    }
    if (json_is_array(json_object_get(p, "preferred"))) {
        json_t *list = json_array();
        json_array_foreach(json_object_get(p, "preferred"), i, v) {
            json_array_append_new(
                list,
                json_pack("{s:O,s:o}", "weight", json_object_get(v, "weight"), "podAffinityTerm",
                          affinity_pod_term(json_object_get(v, "podAffinityTerm"))));
        }
        json_object_set_new(out, "preferredDuringSchedulingIgnoredDuringExecution", list);
    }
    return out;
}

static json_t *affinity_node(const json_t *p)
{
    json_t *out = json_object();
    json_t *req = json_object_get(p, "required");
    json_t *v;
    size_t i;
    if (json_is_object(req)) {
        json_t *list = json_array();
        json_array_foreach(json_object_get(req, "nodeSelectorTerms"), i, v)
            json_array_append_new(list, affinity_match(v));
        json_object_set_new(out, "requiredDuringSchedulingIgnoredDuringExecution",
                            json_pack("{s:o}", "nodeSelectorTerms", list));
    }
    if (json_is_array(json_object_get(p, "preferred"))) {
        json_t *list = json_array();
        json_array_foreach(json_object_get(p, "preferred"), i, v) {
            json_array_append_new(
                list, json_pack("{s:O,s:o}", "weight", json_object_get(v, "weight"), "preference",
                                affinity_match(json_object_get(v, "preference"))));
        }
        json_object_set_new(out, "preferredDuringSchedulingIgnoredDuringExecution", list);
    }
    return out;
}

static json_t *affinity_tolerations(const json_t *list)
{
    json_t *out = json_array();
    json_t *v;
    size_t i;
    json_array_foreach(list, i, v) {
        json_t *t = json_object();
        patch_copy(t, "key", v, "key");
        patch_copy(t, "effect", v, "effect");
        patch_copy(t, "value", v, "value");
        patch_copy(t, "operator", v, "operator");
        patch_default(t, "operator", json_string("Equal"));
        patch_copy(t, "tolerationSeconds", v, "tolerationSeconds");
        json_array_append_new(out, t);
    }
    return out;
}

static int affinity_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *spec = patch_pod_spec(ctx);
    char at[512];
    if (!spec) {
        ydoc_path_key(at, sizeof(at), path, "podAffinity");
        return verr_set(e, at, "component \"%s\" has no pod template", ctx->component);
    }
    if (json_is_object(json_object_get(props, "podAffinity")))
        json_object_set_new(patch_object(spec, "affinity"), "podAffinity",
                            affinity_pod(json_object_get(props, "podAffinity")));
    if (json_is_object(json_object_get(props, "podAntiAffinity")))
        json_object_set_new(patch_object(spec, "affinity"), "podAntiAffinity",
                            affinity_pod(json_object_get(props, "podAntiAffinity")));
    if (json_is_object(json_object_get(props, "nodeAffinity")))
        json_object_set_new(patch_object(spec, "affinity"), "nodeAffinity",
                            affinity_node(json_object_get(props, "nodeAffinity")));
    if (json_is_array(json_object_get(props, "tolerations")))
        json_object_set_new(spec, "tolerations",
                            affinity_tolerations(json_object_get(props, "tolerations")));
    return 0;
}

const trait_def trait_affinity = {
    .type = "affinity",
    .props = affinity_props,
    .applies_to = affinity_applies_to,
    .apply = affinity_apply,
};

/* k8s-update-strategy: the workload's update strategy: a Deployment's spec.strategy, a
 * StatefulSet's or DaemonSet's spec.updateStrategy, replaced as a whole (KubeVela's
 * retainKeys), with the rolling update's parameters (docs/application.md). */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const char *const update_kinds[] = {"Deployment", "StatefulSet", "DaemonSet", NULL};
static const char *const update_types[] = {"RollingUpdate", "Recreate", "OnDelete", NULL};

static const prop_spec update_rolling_fields[] = {
    {"maxSurge", PROP_STRING, 0, NULL, NULL, 0, 0, "pods above the desired count", "25%"},
    {"maxUnavailable", PROP_STRING, 0, NULL, NULL, 0, 0, "pods that may be unavailable", "25%"},
    {"partition", PROP_INT, 0, NULL, NULL, 0, 1000000, "StatefulSet ordinal to update from", "0"},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL, NULL},
};

static const prop_spec update_strategy_fields[] = {
    {"type", PROP_STRING, 0, NULL, update_types, 0, 0, "the strategy", "RollingUpdate"},
    {"rollingStrategy", PROP_OBJECT, 0, update_rolling_fields, NULL, 0, 0,
     "the rolling update's parameters", NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL, NULL},
};

static const prop_spec update_props[] = {
    {"targetAPIVersion", PROP_STRING, 0, NULL, NULL, 0, 0, "apiVersion of the workload",
     "the workload's"},
    {"targetKind", PROP_STRING, 0, NULL, update_kinds, 0, 0, "kind of the workload",
     "the workload's"},
    {"strategy", PROP_OBJECT, 0, update_strategy_fields, NULL, 0, 0, "the update strategy", NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL, NULL},
};

static const char *const update_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                                PATCH_DAEMONSETS, NULL};

static const char *update_str(const json_t *obj, const char *key, const char *def)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : def;
}

static int update_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *w = render_workload(ctx);
    const char *kind = json_string_value(json_object_get(w, "kind"));
    const char *api = json_string_value(json_object_get(w, "apiVersion"));
    const char *want_kind = update_str(props, "targetKind", kind);
    const char *want_api = update_str(props, "targetAPIVersion", api);
    json_t *strategy = json_object_get(props, "strategy");
    json_t *rolling = json_object_get(strategy, "rollingStrategy");
    const char *type = update_str(strategy, "type", "RollingUpdate");
    bool deployment = kind && strcmp(kind, "Deployment") == 0;
    char at[512];

    if (!kind || !api)
        return 0;
    /* KubeVela patches whatever the target says; a field of another kind would be refused
     * by the API server, so say so here */
    if (strcmp(want_kind, kind) != 0 || strcmp(want_api, api) != 0) {
        ydoc_path_key(at, sizeof(at), path,
                      strcmp(want_kind, kind) != 0 ? "targetKind" : "targetAPIVersion");
        return verr_set(e, at,
                        "the workload of component \"%s\" is %s %s, not %s %s; set "
                        "targetAPIVersion %s and targetKind %s, or leave them out",
                        ctx->component, api, kind, want_api, want_kind, api, kind);
    }
    /* KubeVela leaves the strategy as it is for these; they are not a kind's strategies */
    if (strcmp(type, deployment ? "OnDelete" : "Recreate") == 0) {
        ydoc_path_key(at, sizeof(at), path, "strategy");
        ydoc_path_key(at, sizeof(at), at, "type");
        return verr_set(e, at, "a %s has no %s update strategy; use %s", kind, type,
                        deployment ? "RollingUpdate or Recreate" : "RollingUpdate or OnDelete");
    }

    json_t *out = json_pack("{s:s}", "type", type);
    if (strcmp(type, "RollingUpdate") == 0) {
        json_t *ru;
        if (strcmp(kind, "StatefulSet") == 0) {
            json_t *part = json_object_get(rolling, "partition");
            ru = json_pack("{s:I}", "partition",
                           json_is_integer(part) ? json_integer_value(part) : 0);
        } else {
            ru = json_pack("{s:s,s:s}", "maxSurge", update_str(rolling, "maxSurge", "25%"),
                           "maxUnavailable", update_str(rolling, "maxUnavailable", "25%"));
        }
        json_object_set_new(out, "rollingUpdate", ru);
    }
    json_object_set_new(patch_object(w, "spec"), deployment ? "strategy" : "updateStrategy", out);
    return 0;
}

const trait_def trait_k8s_update_strategy = {
    .type = "k8s-update-strategy",
    .props = update_props,
    .applies_to = update_applies_to,
    .apply = update_apply,
    .description = "Set the update strategy of a Deployment, StatefulSet or DaemonSet.",
};

/* env: KubeVela's env trait. Sets variables of a container from `env: {NAME: value}`, removes
 * those named in `unset`, and with `replace: true` drops the container's other variables;
 * `containerName` picks the container (default: the component's), or `containers: [...]`
 * patches several, each with its own containerName, env, replace and unset. */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/traits/traits.h"
#include "model/render_util.h"
#include "yaml/ydoc.h"

#define ENV_PATCH_FIELDS                                                                           \
    {"containerName", PROP_STRING, 0, NULL, NULL, 0, 0},                                           \
        {"replace", PROP_BOOL, 0, NULL, NULL, 0, 0},                                               \
        {"env", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},                                             \
    {                                                                                              \
        "unset", PROP_STRING_LIST, 0, NULL, NULL, 0, 0                                             \
    }

static const prop_spec env_container_fields[] = {
    ENV_PATCH_FIELDS,
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec env_props[] = {
    ENV_PATCH_FIELDS,
    {"containers", PROP_LIST, 0, env_container_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static bool env_listed(const json_t *list, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
            return true;
    }
    return false;
}

/* Patches one container's env with one set of parameters. */
static int env_patch(const json_t *params, render_ctx *ctx, const char *path, verr *e)
{
    const char *name = json_string_value(json_object_get(params, "containerName"));
    json_t *set = json_object_get(params, "env");
    json_t *unset = json_object_get(params, "unset");
    bool replace = json_is_true(json_object_get(params, "replace"));
    json_t *c, *base, *env = json_array();
    const char *k;
    json_t *v;
    size_t i;

    if (!name || !name[0])
        name = ctx->component;
    c = render_container(ctx, name);
    if (!c) {
        json_decref(env);
        return verr_set(e, path, "container \"%s\" not found in component \"%s\"", name,
                        ctx->component);
    }
    base = json_object_get(c, "env");
    json_array_foreach(replace ? NULL : base, i, v) {
        const char *have = json_string_value(json_object_get(v, "name"));
        if (!have || env_listed(unset, have))
            continue;
        json_t *item = json_pack("{s:s}", "name", have);
        json_t *nv = json_object_get(set, have);
        if (json_is_string(nv)) {
            json_object_set(item, "value", nv);
        } else {
            if (json_object_get(v, "value"))
                json_object_set(item, "value", json_object_get(v, "value"));
            if (json_object_get(v, "valueFrom"))
                json_object_set(item, "valueFrom", json_object_get(v, "valueFrom"));
        }
        json_array_append_new(env, item);
    }
    json_object_foreach(set, k, v) {
        bool in_base = false;
        size_t j;
        json_t *b;
        json_array_foreach(base, j, b) {
            in_base = in_base || strcmp(json_string_value(json_object_get(b, "name")), k) == 0;
        }
        if (!json_is_string(v) || env_listed(unset, k) || (in_base && !replace))
            continue;
        json_array_append_new(env, json_pack("{s:s,s:O}", "name", k, "value", v));
    }
    json_object_set_new(c, "env", env);
    return 0;
}

static int env_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *containers = json_object_get(props, "containers");
    char p[512];
    size_t i;
    json_t *c;

    if (!json_is_array(containers))
        return env_patch(props, ctx, path, e);
    json_array_foreach(containers, i, c) {
        snprintf(p, sizeof(p), "%s containers[%zu]", path, i);
        if (env_patch(c, ctx, p, e) < 0)
            return -1;
    }
    return 0;
}

/* The parameter is one patch or a list of them, not both; each listed one names its
 * container. */
static int env_check(const json_t *props, const char *path, verr *e)
{
    char p[512], ip[512];
    size_t i;
    json_t *c;
    if (prop_check(props, env_props, path, true, e) < 0)
        return -1;
    json_t *containers = json_object_get(props, "containers");
    if (!json_is_array(containers))
        return 0;
    if (json_object_size(props) > 1) {
        ydoc_path_key(p, sizeof(p), path, "containers");
        return verr_set(e, p,
                        "containers cannot be combined with containerName, env, replace or "
                        "unset; put those in each entry");
    }
    ydoc_path_key(p, sizeof(p), path, "containers");
    json_array_foreach(containers, i, c) {
        const char *name = json_string_value(json_object_get(c, "containerName"));
        if (!name || !name[0]) {
            ydoc_path_index(ip, sizeof(ip), p, i);
            return verr_set(e, ip, "containerName must be set for containers");
        }
    }
    return 0;
}

/* KubeVela's appliesToWorkloads: Deployments, StatefulSets, DaemonSets and Jobs. */
static const char *const env_applies_to[] = {"daemon",     "statefulset", "task",
                                             "webservice", "worker",      NULL};

const trait_def trait_env = {
    .type = "env",
    .applies_to = env_applies_to,
    .props = env_props,
    .check = env_check,
    .closed = true,
    .apply = env_apply,
};

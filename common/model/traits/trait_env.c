/* env: merges variables into a container's env by name, from `env: [{name, value}]` and/or
 * `set: {NAME: value}`; `containerName` picks the container (default: the component's). */
#include <stdio.h>

#include "model/definitions.h"
#include "model/traits/traits.h"
#include "model/render_util.h"

static const prop_spec env_props[] = {
    {"env", PROP_LIST, 0, render_env_fields, NULL, 0, 0},
    {"set", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {"containerName", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static int env_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    const char *name = json_string_value(json_object_get(props, "containerName"));
    json_t *c = render_container(ctx, name ? name : ctx->component);
    json_t *list = json_object_get(props, "env");
    json_t *set = json_object_get(props, "set");
    char field[512];

    if (!c) {
        snprintf(field, sizeof(field), "%s.containerName", path);
        return verr_set(e, field, "component \"%s\" has no container \"%s\"", ctx->component,
                        name ? name : ctx->component);
    }
    if (json_is_array(list))
        render_env_merge(c, list);
    if (json_is_object(set)) {
        json_t *entries = json_array();
        const char *k;
        json_t *v;
        json_object_foreach(set, k, v) {
            json_array_append_new(entries, json_pack("{s:s,s:O}", "name", k, "value", v));
        }
        render_env_merge(c, entries);
        json_decref(entries);
    }
    return 0;
}

const trait_def trait_env = {
    .type = "env",
    .props = env_props,
    .apply = env_apply,
};

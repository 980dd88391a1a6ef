/* hostalias: adds /etc/hosts entries (hostAliases) to the pod template; an entry for an IP
 * the pod already lists replaces it, as KubeVela merges the list by ip (docs/application.md). */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const prop_spec hostalias_entry_fields[] = {
    {"ip", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"hostnames", PROP_STRING_LIST, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec hostalias_props[] = {
    {"hostAliases", PROP_LIST, PROP_REQUIRED, hostalias_entry_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const hostalias_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                                   PATCH_DAEMONSETS, PATCH_JOBS, NULL};

/* Appends item to list, or replaces the entry with the same ip. Steals item. */
static void hostalias_put(json_t *list, json_t *item)
{
    const char *ip = json_string_value(json_object_get(item, "ip"));
    json_t *v;
    size_t i;
    json_array_foreach(list, i, v) {
        const char *have = json_string_value(json_object_get(v, "ip"));
        if (have && ip && strcmp(have, ip) == 0) {
            json_array_set_new(list, i, item);
            return;
        }
    }
    json_array_append_new(list, item);
}

static int hostalias_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *spec = patch_pod_spec(ctx);
    json_t *v;
    size_t i;
    char at[512];
    if (!spec) {
        ydoc_path_key(at, sizeof(at), path, "hostAliases");
        return verr_set(e, at, "component \"%s\" has no pod template", ctx->component);
    }
    json_t *list = patch_array(spec, "hostAliases");
    json_array_foreach(json_object_get(props, "hostAliases"), i, v) {
        hostalias_put(list, json_pack("{s:O,s:O}", "ip", json_object_get(v, "ip"), "hostnames",
                                      json_object_get(v, "hostnames")));
    }
    return 0;
}

const trait_def trait_hostalias = {
    .type = "hostalias",
    .props = hostalias_props,
    .applies_to = hostalias_applies_to,
    .apply = hostalias_apply,
};

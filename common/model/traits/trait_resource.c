/* resource: sets the first container's resources: `cpu` and `memory` as both requests and
 * limits, or `requests` and `limits` separately (docs/application.md). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const prop_spec resource_pair_fields[] = {
    {"cpu", PROP_QUANTITY, 0, NULL, NULL, 0, 0},
    {"memory", PROP_STRING, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec resource_props[] = {
    {"cpu", PROP_QUANTITY, 0, NULL, NULL, 0, 0},
    {"memory", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"requests", PROP_OBJECT, 0, resource_pair_fields, NULL, 0, 0},
    {"limits", PROP_OBJECT, 0, resource_pair_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const resource_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                                  PATCH_DAEMONSETS,  PATCH_JOBS,
                                                  PATCH_CRONJOBS,    NULL};

/* KubeVela's memory pattern: 1 to 64 digits without a leading 0, then a binary or decimal
 * suffix (E P T G M K, or with i). */
static bool resource_memory_ok(const char *s)
{
    static const char *const suffixes[] = {"E",  "P",  "T",  "G",  "M",  "K",
                                           "Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
    size_t n = 0;
    if (!s || *s < '1' || *s > '9')
        return false;
    while (isdigit((unsigned char)s[n]))
        n++;
    if (n > 64)
        return false;
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
        if (strcmp(s + n, suffixes[i]) == 0)
            return true;
    return false;
}

static int resource_check_memory(const json_t *obj, const char *path, verr *e)
{
    char at[512];
    json_t *m = json_object_get(obj, "memory");
    if (!json_is_string(m) || resource_memory_ok(json_string_value(m)))
        return 0;
    ydoc_path_key(at, sizeof(at), path, "memory");
    return verr_set(e, at, "\"%.60s\" is not a memory size such as \"512Mi\" or \"2Gi\"",
                    json_string_value(m));
}

static int resource_check(const json_t *props, const char *path, verr *e)
{
    char at[512];
    bool cpu = json_object_get(props, "cpu") && !json_is_null(json_object_get(props, "cpu"));
    bool mem = json_is_string(json_object_get(props, "memory"));

    if (prop_check(props, resource_props, path, true, e) < 0 ||
        resource_check_memory(props, path, e) < 0)
        return -1;
    ydoc_path_key(at, sizeof(at), path, "requests");
    if (resource_check_memory(json_object_get(props, "requests"), at, e) < 0)
        return -1;
    ydoc_path_key(at, sizeof(at), path, "limits");
    if (resource_check_memory(json_object_get(props, "limits"), at, e) < 0)
        return -1;
    /* KubeVela silently renders nothing for a lone cpu or memory */
    if (cpu != mem && !json_object_get(props, "requests") && !json_object_get(props, "limits")) {
        ydoc_path_key(at, sizeof(at), path, cpu ? "memory" : "cpu");
        return verr_set(e, at,
                        "set both \"cpu\" and \"memory\", or use \"requests\" and "
                        "\"limits\"");
    }
    return 0;
}

/* {cpu, memory} from a requests/limits entry, with KubeVela's defaults 1 and 2048Mi. */
static json_t *resource_pair(const json_t *from)
{
    json_t *cpu = json_object_get(from, "cpu");
    json_t *mem = json_object_get(from, "memory");
    json_t *out = json_object();
    json_t *one = json_integer(1);
    json_object_set_new(out, "cpu", patch_quantity(cpu && !json_is_null(cpu) ? cpu : one));
    json_object_set_new(out, "memory",
                        json_is_string(mem) ? json_incref(mem) : json_string("2048Mi"));
    json_decref(one);
    return out;
}

static int resource_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *c = patch_container_must(ctx, NULL, path, "cpu", e);
    json_t *req = json_object_get(props, "requests");
    json_t *lim = json_object_get(props, "limits");
    json_t *res = json_object();

    if (!c) {
        json_decref(res);
        return -1;
    }
    if (json_is_object(req) || json_is_object(lim)) {
        if (json_is_object(req))
            json_object_set_new(res, "requests", resource_pair(req));
        if (json_is_object(lim))
            json_object_set_new(res, "limits", resource_pair(lim));
    } else if (json_object_get(props, "cpu") && json_object_get(props, "memory")) {
        json_object_set_new(res, "requests", resource_pair(props));
        json_object_set_new(res, "limits", resource_pair(props));
    }
    json_object_set_new(c, "resources", res);
    return 0;
}

const trait_def trait_resource = {
    .type = "resource",
    .props = resource_props,
    .applies_to = resource_applies_to,
    .apply = resource_apply,
    .check = resource_check,
};

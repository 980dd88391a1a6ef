/* json-patch: RFC 6902 operations (add, remove, replace, move, copy, test) applied to the
 * component's workload, all or nothing (docs/application.md; the logic is model/jsonpatch.c). */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/jsonpatch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const char *const json_patch_ops[] = {"add",  "remove", "replace", "move",
                                             "copy", "test",   NULL};

static const prop_spec json_patch_op_fields[] = {
    {"op", PROP_STRING, PROP_REQUIRED, NULL, json_patch_ops, 0, 0},
    {"path", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"from", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"value", PROP_ANY, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec json_patch_props[] = {
    {"operations", PROP_LIST, 0, json_patch_op_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

/* What workers find the workload by: a patch may not move it elsewhere. */
static const char *const json_patch_identity[] = {"/apiVersion", "/kind", "/metadata/name",
                                                  "/metadata/namespace", NULL};

static int json_patch_check(const json_t *props, const char *path, verr *e)
{
    char at[512], item[512], why[256];
    json_t *op;
    size_t i;

    if (prop_check(props, json_patch_props, path, true, e) < 0)
        return -1;
    ydoc_path_key(at, sizeof(at), path, "operations");
    json_array_foreach(json_object_get(props, "operations"), i, op) {
        ydoc_path_index(item, sizeof(item), at, i);
        if (jsonpatch_check_op(op, why, sizeof(why)) < 0)
            return verr_set(e, item, "%s", why);
    }
    return 0;
}

static int json_patch_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *ops = json_object_get(props, "operations");
    json_t *workload = render_workload(ctx);
    json_t *out = NULL;
    const char *moved;
    char at[512], why[512];
    size_t failed = 0;

    if (json_array_size(ops) == 0 || !workload)
        return 0;
    ydoc_path_key(at, sizeof(at), path, "operations");
    if (jsonpatch_apply(workload, ops, &out, &failed, why, sizeof(why)) < 0) {
        char item[512];
        ydoc_path_index(item, sizeof(item), at, failed);
        return verr_set(e, item, "cannot patch %s \"%s\": %s",
                        json_string_value(json_object_get(workload, "kind")), ctx->component, why);
    }
    moved = jsonpatch_changed(workload, out, json_patch_identity);
    if (moved) {
        json_decref(out);
        return verr_set(e, at,
                        "the patch changes the workload's \"%s\"; it must stay as the component "
                        "renders it (patch other fields, or use another component)",
                        moved);
    }
    json_array_set_new(ctx->objects, 0, out);
    return 0;
}

const trait_def trait_json_patch = {
    .type = "json-patch",
    .props = json_patch_props,
    .applies_to = NULL, /* every type */
    .apply = json_patch_apply,
    .check = json_patch_check,
    .description = "Patch the workload with JSON Patch operations (RFC 6902).",
};

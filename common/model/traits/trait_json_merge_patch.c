/* json-merge-patch: the properties, any object, merged into the component's workload as an
 * RFC 7396 JSON merge patch: null deletes a key, objects merge, anything else replaces
 * (docs/application.md; the logic is model/jsonpatch.c). */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/jsonpatch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"

static const prop_spec json_merge_patch_props[] = {{NULL, 0, 0, NULL, NULL, 0, 0}};

/* What workers find the workload by: a patch may not move it elsewhere. */
static const char *const json_merge_patch_identity[] = {"/apiVersion", "/kind", "/metadata/name",
                                                        "/metadata/namespace", NULL};

/* Any object is a merge patch; a patch of the workload's identity is refused here, before
 * rendering, since the properties are the patch itself. */
static int json_merge_patch_check(const json_t *props, const char *path, verr *e)
{
    char at[512];

    if (props && !json_is_null(props) && !json_is_object(props))
        return verr_set(e, path, "expected a map (a JSON merge patch of the workload), got %s",
                        prop_json_type_name(props));
    for (const char *const *p = json_merge_patch_identity; *p; p++) {
        const json_t *v = jsonpatch_get((json_t *)props, *p);
        if (!v)
            continue;
        snprintf(at, sizeof(at), "%s%s", path, *p);
        for (char *c = at + strlen(path); *c; c++)
            if (*c == '/')
                *c = '.';
        return verr_set(e, at,
                        "the workload's \"%s\" cannot be patched: it must stay as the component "
                        "renders it (patch other fields)",
                        *p + 1);
    }
    return 0;
}

static int json_merge_patch_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *workload = render_workload(ctx);
    json_t *before;
    const char *moved;

    if (!json_is_object(props) || !workload)
        return 0;
    before = json_deep_copy(workload);
    jsonpatch_merge(workload, props);
    moved = jsonpatch_changed(before, workload, json_merge_patch_identity);
    json_decref(before);
    if (moved) /* e.g. metadata: null, which the check above lets through */
        return verr_set(e, path,
                        "the patch changes the workload's \"%s\"; it must stay as the component "
                        "renders it (patch other fields)",
                        moved);
    return 0;
}

const trait_def trait_json_merge_patch = {
    .type = "json-merge-patch",
    .props = json_merge_patch_props,
    .applies_to = NULL, /* every type */
    .apply = json_merge_patch_apply,
    .check = json_merge_patch_check,
    .description = "Merge the properties into the workload as a JSON merge patch (RFC 7396).",
};

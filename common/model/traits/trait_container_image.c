/* container-image: sets the image (and pull policy) of the component's container or of a list
 * of named containers. */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const char *const image_pull_policies[] = {"", "IfNotPresent", "Always", "Never", NULL};

/* image is required in each target; for the top level only without `containers` (checked
 * in image_check), so it is not PROP_REQUIRED there. */
static const prop_spec image_target_fields[] = {
    {"containerName", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"image", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"imagePullPolicy", PROP_STRING, 0, NULL, image_pull_policies, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec image_props[] = {
    {"containerName", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"image", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"imagePullPolicy", PROP_STRING, 0, NULL, image_pull_policies, 0, 0},
    {"containers", PROP_LIST, 0, image_target_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const image_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                               PATCH_DAEMONSETS, PATCH_JOBS, NULL};

static int image_check(const json_t *props, const char *path, verr *e)
{
    char at[512];
    if (patch_check_targets(props, image_props, "containers", "containerName", path, e) < 0)
        return -1;
    if (json_is_array(json_object_get(props, "containers")) ||
        json_is_string(json_object_get(props, "image")))
        return 0;
    ydoc_path_key(at, sizeof(at), path, "image");
    return verr_set(e, at, "required field \"image\" is missing (or list \"containers\")");
}

static int image_patch(const json_t *t, json_t *c, const render_ctx *ctx, verr *e)
{
    const char *policy = json_string_value(json_object_get(t, "imagePullPolicy"));
    patch_copy(c, "image", t, "image");
    if (policy && *policy)
        json_object_set_new(c, "imagePullPolicy", json_string(policy));
    (void)ctx;
    (void)e;
    return 0;
}

static int image_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    return patch_each_target(props, "containers", "containerName", ctx, path, image_patch, e);
}

const trait_def trait_container_image = {
    .type = "container-image",
    .props = image_props,
    .applies_to = image_applies_to,
    .apply = image_apply,
    .check = image_check,
};

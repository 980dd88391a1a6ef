/* init-container: an init container that shares an emptyDir volume with the component's
 * container (mounted at initMountPath and appMountPath), e.g. to fetch files before start. */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const char *const init_pull_policies[] = {"IfNotPresent", "Always", "Never", NULL};

static const prop_spec init_key_ref_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"key", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec init_value_from_fields[] = {
    {"secretKeyRef", PROP_OBJECT, 0, init_key_ref_fields, NULL, 0, 0},
    {"configMapKeyRef", PROP_OBJECT, 0, init_key_ref_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec init_env_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"value", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"valueFrom", PROP_OBJECT, 0, init_value_from_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec init_mount_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"mountPath", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec init_props[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"image", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"imagePullPolicy", PROP_STRING, 0, NULL, init_pull_policies, 0, 0},
    {"cmd", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"args", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"env", PROP_LIST, 0, init_env_fields, NULL, 0, 0},
    {"mountName", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"appMountPath", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"initMountPath", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"extraVolumeMounts", PROP_LIST, 0, init_mount_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const init_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                              PATCH_DAEMONSETS, PATCH_JOBS, NULL};

static int init_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    const char *mount = json_string_value(json_object_get(props, "mountName"));
    json_t *app = patch_container_must(ctx, ctx->component, path, "appMountPath", e);
    json_t *extra = json_object_get(props, "extraVolumeMounts");
    json_t *init = json_object();
    json_t *mounts;
    json_t *v;
    size_t i;

    if (!app) {
        json_decref(init);
        return -1;
    }
    if (!mount)
        mount = "workdir";
    json_array_append_new(patch_array(app, "volumeMounts"),
                          json_pack("{s:s,s:O}", "name", mount, "mountPath",
                                    json_object_get(props, "appMountPath")));

    patch_copy(init, "name", props, "name");
    patch_copy(init, "image", props, "image");
    patch_copy(init, "imagePullPolicy", props, "imagePullPolicy");
    patch_default(init, "imagePullPolicy", json_string("IfNotPresent"));
    patch_copy(init, "command", props, "cmd");
    patch_copy(init, "args", props, "args");
    patch_copy(init, "env", props, "env");
    mounts = json_pack("[{s:s,s:O}]", "name", mount, "mountPath",
                       json_object_get(props, "initMountPath"));
    json_array_foreach(extra, i, v) {
        json_array_append(mounts, v);
    }
    json_object_set_new(init, "volumeMounts", mounts);

    json_t *spec = patch_pod_spec(ctx);
    patch_put_by_name(patch_array(spec, "initContainers"), init);
    patch_put_by_name(patch_array(spec, "volumes"),
                      json_pack("{s:s,s:{}}", "name", mount, "emptyDir"));
    return 0;
}

const trait_def trait_init_container = {
    .type = "init-container",
    .props = init_props,
    .applies_to = init_applies_to,
    .apply = init_apply,
};

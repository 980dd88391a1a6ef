/* command: replaces a container's command and/or its args, or adds and removes single args,
 * for the component's container or a list of named ones (docs/application.md). */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

#define COMMAND_FIELDS                                                                             \
    {"containerName", PROP_STRING, 0, NULL, NULL, 0, 0},                                           \
        {"command", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},                                        \
        {"args", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},                                           \
        {"addArgs", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},                                        \
    {                                                                                              \
        "delArgs", PROP_STRING_LIST, 0, NULL, NULL, 0, 0                                           \
    }

static const prop_spec command_target_fields[] = {
    COMMAND_FIELDS,
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec command_props[] = {
    COMMAND_FIELDS,
    {"containers", PROP_LIST, 0, command_target_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const command_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                                 PATCH_DAEMONSETS, PATCH_JOBS, NULL};

static bool command_set(const json_t *v)
{
    return v && !json_is_null(v);
}

/* args replaces, addArgs/delArgs edit: both at once is ambiguous. */
static int command_check_one(const json_t *t, const char *path, verr *e)
{
    char at[512];
    if (!command_set(json_object_get(t, "args")) || (!command_set(json_object_get(t, "addArgs")) &&
                                                     !command_set(json_object_get(t, "delArgs"))))
        return 0;
    ydoc_path_key(at, sizeof(at), path, "args");
    return verr_set(e, at,
                    "\"args\" replaces the arguments and cannot be combined with "
                    "\"addArgs\" or \"delArgs\"; use one or the other");
}

static int command_check(const json_t *props, const char *path, verr *e)
{
    char at[512], item[512];
    json_t *list = json_object_get(props, "containers");
    json_t *t;
    size_t i;
    if (patch_check_targets(props, command_props, "containers", "containerName", path, e) < 0)
        return -1;
    if (!json_is_array(list))
        return command_check_one(props, path, e);
    ydoc_path_key(at, sizeof(at), path, "containers");
    json_array_foreach(list, i, t) {
        ydoc_path_index(item, sizeof(item), at, i);
        if (command_check_one(t, item, e) < 0)
            return -1;
    }
    return 0;
}

static bool command_has(const json_t *list, const json_t *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (json_equal(v, s))
            return true;
    }
    return false;
}

static int command_patch(const json_t *t, json_t *c, const render_ctx *ctx, verr *e)
{
    json_t *args = json_object_get(t, "args");
    json_t *add = json_object_get(t, "addArgs");
    json_t *del = json_object_get(t, "delArgs");
    json_t *out = json_array();
    json_t *v;
    size_t i;

    if (command_set(json_object_get(t, "command")))
        json_object_set(c, "command", json_object_get(t, "command"));
    if (!command_set(args))
        args = json_object_get(c, "args"); /* may be NULL: no args yet */
    json_array_foreach(args, i, v) {
        if (!command_has(del, v))
            json_array_append(out, v);
    }
    json_array_foreach(add, i, v) {
        if (!command_has(del, v) && !command_has(args, v))
            json_array_append(out, v);
    }
    json_object_set_new(c, "args", out);
    (void)ctx;
    (void)e;
    return 0;
}

static int command_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    return patch_each_target(props, "containers", "containerName", ctx, path, command_patch, e);
}

const trait_def trait_command = {
    .type = "command",
    .props = command_props,
    .applies_to = command_applies_to,
    .apply = command_apply,
    .check = command_check,
};

/* lifecycle: sets postStart and preStop hooks on every container of the pod template, as
 * KubeVela's lifecycle trait does (docs/application.md). */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const prop_spec lifecycle_exec_fields[] = {
    {"command", PROP_STRING_LIST, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec lifecycle_header_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"value", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const lifecycle_schemes[] = {"HTTP", "HTTPS", NULL};

static const prop_spec lifecycle_http_get_fields[] = {
    {"path", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {"host", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"scheme", PROP_STRING, 0, NULL, lifecycle_schemes, 0, 0},
    {"httpHeaders", PROP_LIST, 0, lifecycle_header_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec lifecycle_tcp_fields[] = {
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {"host", PROP_STRING, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec lifecycle_handler_fields[] = {
    {"exec", PROP_OBJECT, 0, lifecycle_exec_fields, NULL, 0, 0},
    {"httpGet", PROP_OBJECT, 0, lifecycle_http_get_fields, NULL, 0, 0},
    {"tcpSocket", PROP_OBJECT, 0, lifecycle_tcp_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec lifecycle_props[] = {
    {"postStart", PROP_OBJECT, 0, lifecycle_handler_fields, NULL, 0, 0},
    {"preStop", PROP_OBJECT, 0, lifecycle_handler_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const lifecycle_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                                   PATCH_DAEMONSETS, PATCH_JOBS, NULL};

/* Kubernetes needs exactly one action per hook; KubeVela's schema lets an empty one through
 * and the API server then refuses the workload. */
static int lifecycle_check_handler(const json_t *props, const char *key, const char *path, verr *e)
{
    char at[512];
    json_t *h = json_object_get(props, key);
    int n = 0;
    if (!json_is_object(h))
        return 0;
    n += json_object_get(h, "exec") && !json_is_null(json_object_get(h, "exec"));
    n += json_object_get(h, "httpGet") && !json_is_null(json_object_get(h, "httpGet"));
    n += json_object_get(h, "tcpSocket") && !json_is_null(json_object_get(h, "tcpSocket"));
    if (n == 1)
        return 0;
    ydoc_path_key(at, sizeof(at), path, key);
    return verr_set(e, at, "a hook needs exactly one of \"exec\", \"httpGet\" or \"tcpSocket\"");
}

static int lifecycle_check(const json_t *props, const char *path, verr *e)
{
    if (prop_check(props, lifecycle_props, path, true, e) < 0 ||
        lifecycle_check_handler(props, "postStart", path, e) < 0 ||
        lifecycle_check_handler(props, "preStop", path, e) < 0)
        return -1;
    return 0;
}

/* The hook as given, httpGet's scheme defaulting to HTTP as in KubeVela. New reference. */
static json_t *lifecycle_handler(const json_t *h)
{
    json_t *out = json_object();
    json_t *get = json_object_get(h, "httpGet");
    patch_copy(out, "exec", h, "exec");
    if (json_is_object(get)) {
        json_t *g = json_object();
        patch_copy(g, "path", get, "path");
        patch_copy(g, "port", get, "port");
        patch_copy(g, "host", get, "host");
        patch_copy(g, "scheme", get, "scheme");
        patch_default(g, "scheme", json_string("HTTP"));
        patch_copy(g, "httpHeaders", get, "httpHeaders");
        json_object_set_new(out, "httpGet", g);
    }
    patch_copy(out, "tcpSocket", h, "tcpSocket");
    return out;
}

static int lifecycle_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *spec = patch_pod_spec(ctx);
    json_t *c;
    size_t i;
    char at[512];
    if (!spec) {
        ydoc_path_key(at, sizeof(at), path, "postStart");
        return verr_set(e, at, "component \"%s\" has no pod template", ctx->component);
    }
    json_array_foreach(json_object_get(spec, "containers"), i, c) {
        json_t *lc = patch_object(c, "lifecycle");
        if (json_is_object(json_object_get(props, "postStart")))
            json_object_set_new(lc, "postStart",
                                lifecycle_handler(json_object_get(props, "postStart")));
        if (json_is_object(json_object_get(props, "preStop")))
            json_object_set_new(lc, "preStop",
                                lifecycle_handler(json_object_get(props, "preStop")));
    }
    return 0;
}

const trait_def trait_lifecycle = {
    .type = "lifecycle",
    .props = lifecycle_props,
    .applies_to = lifecycle_applies_to,
    .apply = lifecycle_apply,
    .check = lifecycle_check,
};

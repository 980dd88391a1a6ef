/* startup-probe: sets the startupProbe of the component's container (or of named containers),
 * with KubeVela's default delays and thresholds (docs/application.md). */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const prop_spec probe_exec_fields[] = {
    {"command", PROP_STRING_LIST, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec probe_header_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"value", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const probe_schemes[] = {"HTTP", "HTTPS", NULL};

static const prop_spec probe_http_get_fields[] = {
    {"path", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {"host", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"scheme", PROP_STRING, 0, NULL, probe_schemes, 0, 0},
    {"httpHeaders", PROP_LIST, 0, probe_header_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec probe_grpc_fields[] = {
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {"service", PROP_STRING, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec probe_tcp_fields[] = {
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {"host", PROP_STRING, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

#define PROBE_FIELDS                                                                               \
    {"containerName", PROP_STRING, 0, NULL, NULL, 0, 0},                                           \
        {"initialDelaySeconds", PROP_INT, 0, NULL, NULL, 0, 0},                                    \
        {"periodSeconds", PROP_INT, 0, NULL, NULL, 0, 0},                                          \
        {"timeoutSeconds", PROP_INT, 0, NULL, NULL, 0, 0},                                         \
        {"successThreshold", PROP_INT, 0, NULL, NULL, 0, 0},                                       \
        {"failureThreshold", PROP_INT, 0, NULL, NULL, 0, 0},                                       \
        {"terminationGracePeriodSeconds", PROP_INT, 0, NULL, NULL, 0, 0},                          \
        {"exec", PROP_OBJECT, 0, probe_exec_fields, NULL, 0, 0},                                   \
        {"httpGet", PROP_OBJECT, 0, probe_http_get_fields, NULL, 0, 0},                            \
        {"grpc", PROP_OBJECT, 0, probe_grpc_fields, NULL, 0, 0},                                   \
    {                                                                                              \
        "tcpSocket", PROP_OBJECT, 0, probe_tcp_fields, NULL, 0, 0                                  \
    }

static const prop_spec probe_target_fields[] = {
    PROBE_FIELDS,
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec probe_props[] = {
    PROBE_FIELDS,
    {"probes", PROP_LIST, 0, probe_target_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const probe_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                               PATCH_DAEMONSETS, PATCH_JOBS, NULL};

static bool probe_set(const json_t *t, const char *key)
{
    json_t *v = json_object_get(t, key);
    return v && !json_is_null(v);
}

/* Kubernetes needs exactly one handler per probe (KubeVela's description says so too, but its
 * schema lets none or several through). */
static int probe_check_one(const json_t *t, const char *path, verr *e)
{
    int n = probe_set(t, "exec") + probe_set(t, "httpGet") + probe_set(t, "grpc") +
            probe_set(t, "tcpSocket");
    if (n == 1)
        return 0;
    return verr_set(e, path,
                    "a startup probe needs exactly one of \"exec\", \"httpGet\", \"grpc\" or "
                    "\"tcpSocket\"");
}

static int probe_check(const json_t *props, const char *path, verr *e)
{
    char at[512], item[512];
    json_t *list = json_object_get(props, "probes");
    json_t *t;
    size_t i;
    if (patch_check_targets(props, probe_props, "probes", "containerName", path, e) < 0)
        return -1;
    if (!json_is_array(list))
        return probe_check_one(props, path, e);
    ydoc_path_key(at, sizeof(at), path, "probes");
    json_array_foreach(list, i, t) {
        ydoc_path_index(item, sizeof(item), at, i);
        if (probe_check_one(t, item, e) < 0)
            return -1;
    }
    return 0;
}

static void probe_int(json_t *out, const json_t *t, const char *key, long long dflt)
{
    patch_copy(out, key, t, key);
    patch_default(out, key, json_integer(dflt));
}

static int probe_patch(const json_t *t, json_t *c, const render_ctx *ctx, verr *e)
{
    json_t *p = json_object();
    patch_copy(p, "exec", t, "exec");
    patch_copy(p, "httpGet", t, "httpGet");
    patch_copy(p, "grpc", t, "grpc");
    patch_copy(p, "tcpSocket", t, "tcpSocket");
    probe_int(p, t, "initialDelaySeconds", 0);
    probe_int(p, t, "periodSeconds", 10);
    probe_int(p, t, "timeoutSeconds", 1);
    probe_int(p, t, "successThreshold", 1);
    probe_int(p, t, "failureThreshold", 3);
    patch_copy(p, "terminationGracePeriodSeconds", t, "terminationGracePeriodSeconds");
    json_object_set_new(c, "startupProbe", p);
    (void)ctx;
    (void)e;
    return 0;
}

static int probe_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    return patch_each_target(props, "probes", "containerName", ctx, path, probe_patch, e);
}

const trait_def trait_startup_probe = {
    .type = "startup-probe",
    .props = probe_props,
    .applies_to = probe_applies_to,
    .apply = probe_apply,
    .check = probe_check,
};

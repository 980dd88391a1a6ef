/* sidecar: adds a container next to the component's in its pod template, or replaces the one
 * of the same name another sidecar added (KubeVela merges containers by name). */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const prop_spec sidecar_key_ref_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"key", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec sidecar_field_ref_fields[] = {
    {"fieldPath", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec sidecar_value_from_fields[] = {
    {"secretKeyRef", PROP_OBJECT, 0, sidecar_key_ref_fields, NULL, 0, 0},
    {"configMapKeyRef", PROP_OBJECT, 0, sidecar_key_ref_fields, NULL, 0, 0},
    {"fieldRef", PROP_OBJECT, 0, sidecar_field_ref_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec sidecar_env_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"value", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"valueFrom", PROP_OBJECT, 0, sidecar_value_from_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec sidecar_volume_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"path", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec sidecar_exec_fields[] = {
    {"command", PROP_STRING_LIST, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec sidecar_header_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"value", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec sidecar_http_get_fields[] = {
    {"path", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {"httpHeaders", PROP_LIST, 0, sidecar_header_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec sidecar_tcp_fields[] = {
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec sidecar_probe_fields[] = {
    {"exec", PROP_OBJECT, 0, sidecar_exec_fields, NULL, 0, 0},
    {"httpGet", PROP_OBJECT, 0, sidecar_http_get_fields, NULL, 0, 0},
    {"tcpSocket", PROP_OBJECT, 0, sidecar_tcp_fields, NULL, 0, 0},
    {"initialDelaySeconds", PROP_INT, 0, NULL, NULL, 0, 0},
    {"periodSeconds", PROP_INT, 0, NULL, NULL, 0, 0},
    {"timeoutSeconds", PROP_INT, 0, NULL, NULL, 0, 0},
    {"successThreshold", PROP_INT, 0, NULL, NULL, 0, 0},
    {"failureThreshold", PROP_INT, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec sidecar_props[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"image", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"cmd", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"args", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"env", PROP_LIST, 0, sidecar_env_fields, NULL, 0, 0},
    {"volumes", PROP_LIST, 0, sidecar_volume_fields, NULL, 0, 0},
    {"livenessProbe", PROP_OBJECT, 0, sidecar_probe_fields, NULL, 0, 0},
    {"readinessProbe", PROP_OBJECT, 0, sidecar_probe_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const sidecar_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                                 PATCH_DAEMONSETS, PATCH_JOBS, NULL};

/* A probe needs a handler, as Kubernetes does. */
static int sidecar_check_probe(const json_t *props, const char *key, const char *path, verr *e)
{
    char at[512];
    json_t *p = json_object_get(props, key);
    if (!json_is_object(p) || json_object_get(p, "exec") || json_object_get(p, "httpGet") ||
        json_object_get(p, "tcpSocket"))
        return 0;
    ydoc_path_key(at, sizeof(at), path, key);
    return verr_set(e, at, "a probe needs one of \"exec\", \"httpGet\" or \"tcpSocket\"");
}

static int sidecar_check(const json_t *props, const char *path, verr *e)
{
    if (prop_check(props, sidecar_props, path, true, e) < 0 ||
        sidecar_check_probe(props, "livenessProbe", path, e) < 0 ||
        sidecar_check_probe(props, "readinessProbe", path, e) < 0)
        return -1;
    return 0;
}

/* The probe as given, in KubeVela's field order, with its defaults filled in. */
static json_t *sidecar_probe(const json_t *p)
{
    json_t *out = json_object();
    patch_copy(out, "exec", p, "exec");
    patch_copy(out, "httpGet", p, "httpGet");
    patch_copy(out, "tcpSocket", p, "tcpSocket");
    patch_copy(out, "initialDelaySeconds", p, "initialDelaySeconds");
    patch_default(out, "initialDelaySeconds", json_integer(0));
    patch_copy(out, "periodSeconds", p, "periodSeconds");
    patch_default(out, "periodSeconds", json_integer(10));
    patch_copy(out, "timeoutSeconds", p, "timeoutSeconds");
    patch_default(out, "timeoutSeconds", json_integer(1));
    patch_copy(out, "successThreshold", p, "successThreshold");
    patch_default(out, "successThreshold", json_integer(1));
    patch_copy(out, "failureThreshold", p, "failureThreshold");
    patch_default(out, "failureThreshold", json_integer(3));
    return out;
}

static int sidecar_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    const char *name = json_string_value(json_object_get(props, "name"));
    json_t *spec = patch_pod_spec(ctx);
    json_t *c = json_object();
    json_t *v;
    size_t i;
    char at[512];

    if (!spec) {
        ydoc_path_key(at, sizeof(at), path, "name");
        return verr_set(e, at, "component \"%s\" has no pod template to add a sidecar to",
                        ctx->component);
    }
    if (strcmp(name, ctx->component) == 0) {
        ydoc_path_key(at, sizeof(at), path, "name");
        return verr_set(e, at,
                        "\"%s\" is the component's own container; give the sidecar "
                        "another name",
                        name);
    }
    json_object_set_new(c, "name", json_string(name));
    patch_copy(c, "image", props, "image");
    patch_copy(c, "command", props, "cmd");
    patch_copy(c, "args", props, "args");
    patch_copy(c, "env", props, "env");
    json_t *vols = json_object_get(props, "volumes");
    if (json_is_array(vols)) {
        json_t *mounts = json_array();
        json_array_foreach(vols, i, v) {
            json_array_append_new(mounts,
                                  json_pack("{s:O,s:O}", "mountPath", json_object_get(v, "path"),
                                            "name", json_object_get(v, "name")));
        }
        json_object_set_new(c, "volumeMounts", mounts);
    }
    if (json_is_object(json_object_get(props, "livenessProbe")))
        json_object_set_new(c, "livenessProbe",
                            sidecar_probe(json_object_get(props, "livenessProbe")));
    if (json_is_object(json_object_get(props, "readinessProbe")))
        json_object_set_new(c, "readinessProbe",
                            sidecar_probe(json_object_get(props, "readinessProbe")));
    patch_put_by_name(patch_array(spec, "containers"), c);
    return 0;
}

const trait_def trait_sidecar = {
    .type = "sidecar",
    .props = sidecar_props,
    .applies_to = sidecar_applies_to,
    .apply = sidecar_apply,
    .check = sidecar_check,
};

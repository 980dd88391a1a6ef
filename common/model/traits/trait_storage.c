/* storage: volumes for the component's pods — PersistentVolumeClaims, ConfigMaps, Secrets,
 * emptyDirs and host paths — mounted into its first container, and the PVCs, ConfigMaps and
 * Secrets themselves unless mountOnly (docs/application.md). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const prop_spec storage_size_fields[] = {
    {"storage", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec storage_resources_fields[] = {
    {"requests", PROP_OBJECT, PROP_REQUIRED, storage_size_fields, NULL, 0, 0},
    {"limits", PROP_OBJECT, 0, storage_size_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec storage_source_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"kind", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"apiGroup", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec storage_expression_fields[] = {
    {"key", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"values", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"operator", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec storage_selector_fields[] = {
    {"matchLabels", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {"matchExpressions", PROP_LIST, 0, storage_expression_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec storage_pvc_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"mountOnly", PROP_BOOL, 0, NULL, NULL, 0, 0},
    {"mountPath", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"subPath", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"volumeMode", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"volumeName", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"accessModes", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"storageClassName", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"resources", PROP_OBJECT, 0, storage_resources_fields, NULL, 0, 0},
    {"dataSourceRef", PROP_OBJECT, 0, storage_source_fields, NULL, 0, 0},
    {"dataSource", PROP_OBJECT, 0, storage_source_fields, NULL, 0, 0},
    {"selector", PROP_OBJECT, 0, storage_selector_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec storage_cm_env_fields[] = {
    {"envName", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"configMapKey", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec storage_secret_env_fields[] = {
    {"envName", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"secretKey", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec storage_item_fields[] = {
    {"key", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"path", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"mode", PROP_INT, 0, NULL, NULL, 0, 0777},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

/* ConfigMap and Secret entries differ in their key field, the data fields and whether a
 * mountPath is required (a ConfigMap may only feed env). */
#define STORAGE_DATA_FIELDS(env_fields)                                                            \
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},                        \
        {"mountOnly", PROP_BOOL, 0, NULL, NULL, 0, 0},                                             \
        {"mountToEnv", PROP_OBJECT, 0, env_fields, NULL, 0, 0},                                    \
        {"mountToEnvs", PROP_LIST, 0, env_fields, NULL, 0, 0},                                     \
        {"subPath", PROP_STRING, 0, NULL, NULL, 0, 0},                                             \
        {"defaultMode", PROP_INT, 0, NULL, NULL, 0, 0777},                                         \
        {"readOnly", PROP_BOOL, 0, NULL, NULL, 0, 0}, {"data", PROP_MAP, 0, NULL, NULL, 0, 0},     \
    {                                                                                              \
        "items", PROP_LIST, 0, storage_item_fields, NULL, 0, 0                                     \
    }

static const prop_spec storage_cm_fields[] = {
    STORAGE_DATA_FIELDS(storage_cm_env_fields),
    {"mountPath", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec storage_secret_fields[] = {
    STORAGE_DATA_FIELDS(storage_secret_env_fields),
    {"mountPath", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"stringData", PROP_MAP, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const storage_media[] = {"", "Memory", NULL};

static const prop_spec storage_empty_dir_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"mountPath", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"subPath", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"medium", PROP_STRING, 0, NULL, storage_media, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const storage_host_path_types[] = {"Directory",    "DirectoryOrCreate",
                                                      "FileOrCreate", "File",
                                                      "Socket",       "CharDevice",
                                                      "BlockDevice",  NULL};

static const prop_spec storage_host_path_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"path", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"mountPath", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"type", PROP_STRING, 0, NULL, storage_host_path_types, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec storage_props[] = {
    {"pvc", PROP_LIST, 0, storage_pvc_fields, NULL, 0, 0},
    {"configMap", PROP_LIST, 0, storage_cm_fields, NULL, 0, 0},
    {"secret", PROP_LIST, 0, storage_secret_fields, NULL, 0, 0},
    {"emptyDir", PROP_LIST, 0, storage_empty_dir_fields, NULL, 0, 0},
    {"hostPath", PROP_LIST, 0, storage_host_path_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const storage_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                                 PATCH_DAEMONSETS, PATCH_JOBS, NULL};

/* KubeVela's storage size pattern, e.g. 8Gi: digits without a leading 0 and a suffix. */
static bool storage_size_ok(const char *s)
{
    static const char *const suffixes[] = {"E",  "P",  "T",  "G",  "M",  "K",
                                           "Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
    size_t n = 0;
    if (!s || *s < '1' || *s > '9')
        return false;
    while (isdigit((unsigned char)s[n]))
        n++;
    for (size_t i = 0; n <= 64 && i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
        if (strcmp(s + n, suffixes[i]) == 0)
            return true;
    return false;
}

static int storage_check(const json_t *props, const char *path, verr *e)
{
    static const char *const which[] = {"requests", "limits"};
    char at[512], item[512], field[512];
    json_t *v;
    size_t i;

    if (prop_check(props, storage_props, path, true, e) < 0)
        return -1;
    ydoc_path_key(at, sizeof(at), path, "pvc");
    json_array_foreach(json_object_get(props, "pvc"), i, v) {
        json_t *res = json_object_get(v, "resources");
        for (size_t k = 0; k < 2; k++) {
            json_t *size = json_object_get(json_object_get(res, which[k]), "storage");
            if (!json_is_string(size) || storage_size_ok(json_string_value(size)))
                continue;
            ydoc_path_index(item, sizeof(item), at, i);
            snprintf(field, sizeof(field), "%s.resources.%s.storage", item, which[k]);
            return verr_set(e, field, "\"%.60s\" is not a size such as \"8Gi\" or \"500Mi\"",
                            json_string_value(size));
        }
    }
    return 0;
}

/* A volumeMount named name for entry v, with its subPath and readOnly when set. */
static json_t *storage_mount(const char *name, const json_t *v)
{
    json_t *m = json_pack("{s:s,s:O}", "name", name, "mountPath", json_object_get(v, "mountPath"));
    patch_copy(m, "subPath", v, "subPath");
    if (json_is_true(json_object_get(v, "readOnly")))
        json_object_set_new(m, "readOnly", json_true());
    return m;
}

/* Adds a volume unless one of that name is there (the first wins, as in KubeVela). */
static void storage_volume(json_t *volumes, json_t *vol)
{
    const char *name = json_string_value(json_object_get(vol, "name"));
    size_t i;
    json_t *have;
    json_array_foreach(volumes, i, have) {
        if (strcmp(json_string_value(json_object_get(have, "name")), name) == 0) {
            json_decref(vol);
            return;
        }
    }
    json_array_append_new(volumes, vol);
}

/* items with their mode defaulted to 511, KubeVela's default. */
static json_t *storage_items(const json_t *items)
{
    json_t *out = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        json_t *c = json_deep_copy(it);
        patch_default(c, "mode", json_integer(511));
        json_array_append_new(out, c);
    }
    return out;
}

static void storage_env(json_t *env, const char *name, const char *ref, const json_t *m,
                        const char *src_key)
{
    json_array_append_new(env, json_pack("{s:O,s:{s:{s:s,s:O}}}", "name",
                                         json_object_get(m, "envName"), "valueFrom", ref, "name",
                                         name, "key", json_object_get(m, src_key)));
}

/* Volumes, mounts and env of the configMap or secret entries. */
static void storage_data(render_ctx *ctx, const json_t *list, bool secret, json_t *volumes,
                         json_t *mounts, json_t *env)
{
    const char *ref = secret ? "secretKeyRef" : "configMapKeyRef";
    const char *key = secret ? "secretKey" : "configMapKey";
    char vol[300];
    size_t i, k;
    json_t *v, *m;

    json_array_foreach(list, i, v) {
        const char *name = json_string_value(json_object_get(v, "name"));
        snprintf(vol, sizeof(vol), "%s-%s", secret ? "secret" : "configmap", name);
        if (json_is_string(json_object_get(v, "mountPath"))) {
            json_t *src = json_object();
            json_t *mode = json_object_get(v, "defaultMode");
            json_object_set_new(src, "defaultMode",
                                json_is_integer(mode) ? json_incref(mode) : json_integer(420));
            json_object_set_new(src, secret ? "secretName" : "name", json_string(name));
            if (json_is_array(json_object_get(v, "items")))
                json_object_set_new(src, "items", storage_items(json_object_get(v, "items")));
            storage_volume(volumes, json_pack("{s:s,s:o}", "name", vol,
                                              secret ? "secret" : "configMap", src));
            json_array_append_new(mounts, storage_mount(vol, v));
        }
        if (json_is_object(json_object_get(v, "mountToEnv")))
            storage_env(env, name, ref, json_object_get(v, "mountToEnv"), key);
        json_array_foreach(json_object_get(v, "mountToEnvs"), k, m) {
            storage_env(env, name, ref, m, key);
        }
        if (json_is_true(json_object_get(v, "mountOnly")))
            continue;
        json_t *obj = render_trait_output_new(ctx, "storage", vol, "v1",
                                              secret ? "Secret" : "ConfigMap", name);
        patch_copy(obj, "data", v, "data");
        if (secret)
            patch_copy(obj, "stringData", v, "stringData");
        json_array_append_new(ctx->objects, obj);
    }
}

static json_t *storage_pvc(render_ctx *ctx, const json_t *v, const char *output)
{
    const char *name = json_string_value(json_object_get(v, "name"));
    json_t *pvc = render_trait_output_new(ctx, "storage", output, "v1", "PersistentVolumeClaim",
                                          name);
    json_t *spec = json_object();
    json_t *res = json_object_get(v, "resources");
    json_t *limit = json_object_get(json_object_get(res, "limits"), "storage");

    patch_copy(spec, "accessModes", v, "accessModes");
    patch_default(spec, "accessModes", json_pack("[s]", "ReadWriteOnce"));
    patch_copy(spec, "volumeMode", v, "volumeMode");
    patch_default(spec, "volumeMode", json_string("Filesystem"));
    patch_copy(spec, "volumeName", v, "volumeName");
    patch_copy(spec, "storageClassName", v, "storageClassName");
    json_t *size = json_object_get(json_object_get(res, "requests"), "storage");
    json_t *r = json_pack("{s:{s:o}}", "requests", "storage",
                          size ? json_incref(size) : json_string("8Gi"));
    if (limit)
        json_object_set_new(r, "limits", json_pack("{s:O}", "storage", limit));
    json_object_set_new(spec, "resources", r);
    patch_copy(spec, "dataSourceRef", v, "dataSourceRef");
    patch_copy(spec, "dataSource", v, "dataSource");
    patch_copy(spec, "selector", v, "selector");
    json_object_set_new(pvc, "spec", spec);
    return pvc;
}

static int storage_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *c = patch_container_must(ctx, NULL, path, "pvc", e);
    json_t *volumes, *mounts, *devices, *env, *v;
    char vol[300];
    size_t i;

    if (!c)
        return -1;
    volumes = json_array();
    mounts = json_array();
    devices = json_array();
    env = json_array();
    json_array_foreach(json_object_get(props, "pvc"), i, v) {
        const char *name = json_string_value(json_object_get(v, "name"));
        const char *mode = json_string_value(json_object_get(v, "volumeMode"));
        snprintf(vol, sizeof(vol), "pvc-%s", name);
        storage_volume(volumes, json_pack("{s:s,s:{s:s}}", "name", vol, "persistentVolumeClaim",
                                          "claimName", name));
        if (!mode || strcmp(mode, "Filesystem") == 0) {
            json_array_append_new(mounts, storage_mount(vol, v));
        } else if (strcmp(mode, "Block") == 0) {
            json_t *d = json_pack("{s:s,s:O}", "name", vol, "devicePath",
                                  json_object_get(v, "mountPath"));
            patch_copy(d, "subPath", v, "subPath");
            json_array_append_new(devices, d);
        }
        if (!json_is_true(json_object_get(v, "mountOnly")))
            json_array_append_new(ctx->objects, storage_pvc(ctx, v, vol));
    }
    storage_data(ctx, json_object_get(props, "configMap"), false, volumes, mounts, env);
    storage_data(ctx, json_object_get(props, "secret"), true, volumes, mounts, env);
    json_array_foreach(json_object_get(props, "emptyDir"), i, v) {
        const char *medium = json_string_value(json_object_get(v, "medium"));
        snprintf(vol, sizeof(vol), "emptydir-%s", json_string_value(json_object_get(v, "name")));
        storage_volume(volumes, json_pack("{s:s,s:{s:s}}", "name", vol, "emptyDir", "medium",
                                          medium ? medium : ""));
        json_array_append_new(mounts, storage_mount(vol, v));
    }
    json_array_foreach(json_object_get(props, "hostPath"), i, v) {
        const char *type = json_string_value(json_object_get(v, "type"));
        snprintf(vol, sizeof(vol), "hostpath-%s", json_string_value(json_object_get(v, "name")));
        storage_volume(volumes,
                       json_pack("{s:s,s:{s:O,s:s}}", "name", vol, "hostPath", "path",
                                 json_object_get(v, "path"), "type", type ? type : "Directory"));
        json_array_append_new(mounts, json_pack("{s:s,s:O}", "name", vol, "mountPath",
                                                json_object_get(v, "mountPath")));
    }

    json_t *spec = patch_pod_spec(ctx);
    json_array_foreach(volumes, i, v) {
        storage_volume(patch_array(spec, "volumes"), json_incref(v));
    }
    if (json_array_size(env))
        json_array_extend(patch_array(c, "env"), env);
    if (json_array_size(devices))
        json_array_extend(patch_array(c, "volumeDevices"), devices);
    if (json_array_size(mounts))
        json_array_extend(patch_array(c, "volumeMounts"), mounts);
    json_decref(volumes);
    json_decref(mounts);
    json_decref(devices);
    json_decref(env);
    return 0;
}

const trait_def trait_storage = {
    .type = "storage",
    .props = storage_props,
    .applies_to = storage_applies_to,
    .apply = storage_apply,
    .check = storage_check,
};

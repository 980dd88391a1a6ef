/* Helpers the component and trait definitions share: object skeletons with the
 * app.oam.dev labels, container fields, env merging, and Deployment health. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/definitions.h"
#include "model/render_util.h"
#include "yaml/ydoc.h"

static const prop_spec render_key_ref_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"key", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec render_value_from_fields[] = {
    {"secretKeyRef", PROP_OBJECT, 0, render_key_ref_fields, NULL, 0, 0},
    {"configMapKeyRef", PROP_OBJECT, 0, render_key_ref_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

const prop_spec render_env_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"value", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"valueFrom", PROP_OBJECT, 0, render_value_from_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec render_exec_fields[] = {
    {"command", PROP_STRING_LIST, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec render_header_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"value", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec render_http_get_fields[] = {
    {"path", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {"host", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"scheme", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"httpHeaders", PROP_LIST, 0, render_header_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec render_tcp_socket_fields[] = {
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

const prop_spec render_probe_fields[] = {
    {"exec", PROP_OBJECT, 0, render_exec_fields, NULL, 0, 0},
    {"httpGet", PROP_OBJECT, 0, render_http_get_fields, NULL, 0, 0},
    {"tcpSocket", PROP_OBJECT, 0, render_tcp_socket_fields, NULL, 0, 0},
    {"initialDelaySeconds", PROP_INT, 0, NULL, NULL, 0, 0},
    {"periodSeconds", PROP_INT, 0, NULL, NULL, 0, 0},
    {"timeoutSeconds", PROP_INT, 0, NULL, NULL, 0, 0},
    {"successThreshold", PROP_INT, 0, NULL, NULL, 0, 0},
    {"failureThreshold", PROP_INT, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec render_item_fields[] = {
    {"key", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"path", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"mode", PROP_INT, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

#define RENDER_MOUNT_FIELDS                                                                        \
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},                        \
        {"mountPath", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},               \
    {                                                                                              \
        "subPath", PROP_STRING, 0, NULL, NULL, 0, 0                                                \
    }

static const prop_spec render_pvc_fields[] = {
    RENDER_MOUNT_FIELDS,
    {"claimName", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec render_config_map_fields[] = {
    RENDER_MOUNT_FIELDS,
    {"defaultMode", PROP_INT, 0, NULL, NULL, 0, 0},
    {"cmName", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"items", PROP_LIST, 0, render_item_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec render_secret_fields[] = {
    RENDER_MOUNT_FIELDS,
    {"defaultMode", PROP_INT, 0, NULL, NULL, 0, 0},
    {"secretName", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"items", PROP_LIST, 0, render_item_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const render_media[] = {"", "Memory", NULL};

static const prop_spec render_empty_dir_fields[] = {
    RENDER_MOUNT_FIELDS,
    {"medium", PROP_STRING, 0, NULL, render_media, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec render_host_path_fields[] = {
    RENDER_MOUNT_FIELDS,
    {"path", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

const prop_spec render_volume_mounts_fields[] = {
    {"pvc", PROP_LIST, 0, render_pvc_fields, NULL, 0, 0},
    {"configMap", PROP_LIST, 0, render_config_map_fields, NULL, 0, 0},
    {"secret", PROP_LIST, 0, render_secret_fields, NULL, 0, 0},
    {"emptyDir", PROP_LIST, 0, render_empty_dir_fields, NULL, 0, 0},
    {"hostPath", PROP_LIST, 0, render_host_path_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const render_volume_types[] = {"emptyDir", "pvc", "configMap", "secret", NULL};

/* The deprecated `volumes`: the union of each type's fields; render_volume_check adds which
 * fields a type requires. */
const prop_spec render_volumes_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"mountPath", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"type", PROP_STRING, 0, NULL, render_volume_types, 0, 0},
    {"claimName", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"defaultMode", PROP_INT, 0, NULL, NULL, 0, 0},
    {"cmName", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"secretName", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"items", PROP_LIST, 0, render_item_fields, NULL, 0, 0},
    {"medium", PROP_STRING, 0, NULL, render_media, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

const prop_spec render_host_aliases_fields[] = {
    {"ip", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"hostnames", PROP_STRING_LIST, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

const char *const render_pull_policies[] = {"Always", "IfNotPresent", "Never", NULL};

json_t *render_labels(const render_ctx *ctx)
{
    json_t *l = json_object();
    json_object_set_new(l, "app.oam.dev/name", json_string(ctx->app));
    if (ctx->ns_label)
        json_object_set_new(l, "app.oam.dev/namespace", json_string(ctx->app_ns));
    json_object_set_new(l, "app.oam.dev/component", json_string(ctx->component));
    if (ctx->app_revision)
        json_object_set_new(l, "app.oam.dev/appRevision", json_string(ctx->app_revision));
    return l;
}

json_t *render_object_new(const render_ctx *ctx, const char *api_version, const char *kind,
                          const char *name)
{
    json_t *obj = json_object();
    json_t *meta = json_object();
    json_object_set_new(obj, "apiVersion", json_string(api_version));
    json_object_set_new(obj, "kind", json_string(kind));
    json_object_set_new(meta, "name", json_string(name));
    json_object_set_new(meta, "namespace", json_string(ctx->ns));
    json_object_set_new(meta, "labels", render_labels(ctx));
    json_object_set_new(obj, "metadata", meta);
    return obj;
}

/* Adds key: value to obj.metadata.labels. */
static void render_label(json_t *obj, const char *key, const char *value)
{
    json_object_set_new(json_object_get(json_object_get(obj, "metadata"), "labels"), key,
                        json_string(value));
}

json_t *render_workload_new(const render_ctx *ctx, const char *api_version, const char *kind,
                            const char *name)
{
    json_t *obj = render_object_new(ctx, api_version, kind, name);
    render_label(obj, "app.oam.dev/resourceType", "WORKLOAD");
    render_label(obj, "workload.oam.dev/type", ctx->type);
    return obj;
}

json_t *render_trait_output_new(const render_ctx *ctx, const char *trait, const char *output,
                                const char *api_version, const char *kind, const char *name)
{
    json_t *obj = render_object_new(ctx, api_version, kind, name);
    render_label(obj, "app.oam.dev/resourceType", "TRAIT");
    render_label(obj, "trait.oam.dev/type", trait);
    render_label(obj, "trait.oam.dev/resource", output);
    return obj;
}

json_t *render_workload(const render_ctx *ctx)
{
    return json_array_get(ctx->objects, 0);
}

json_t *render_pod_template(const render_ctx *ctx)
{
    json_t *w = render_workload(ctx);
    return json_object_get(json_object_get(w, "spec"), "template");
}

json_t *render_container(const render_ctx *ctx, const char *name)
{
    json_t *containers = json_object_get(json_object_get(render_pod_template(ctx), "spec"),
                                         "containers");
    size_t i;
    json_t *c;
    json_array_foreach(containers, i, c) {
        if (!name || strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
            return c;
    }
    return NULL;
}

json_t *render_find(const render_ctx *ctx, const char *kind, const char *name)
{
    size_t i;
    json_t *o;
    json_array_foreach(ctx->objects, i, o) {
        const char *k = json_string_value(json_object_get(o, "kind"));
        const char *n = json_string_value(json_object_get(json_object_get(o, "metadata"), "name"));
        if (k && n && strcmp(k, kind) == 0 && strcmp(n, name) == 0)
            return o;
    }
    return NULL;
}

void render_merge_map(json_t *obj, const char *key, const json_t *map)
{
    json_t *dst = json_object_get(obj, key);
    if (!json_is_object(dst)) {
        dst = json_object();
        json_object_set_new(obj, key, dst);
    }
    json_object_update(dst, (json_t *)map);
}

void render_patch_map(json_t *obj, const char *key, const json_t *patch)
{
    json_t *dst = json_object_get(obj, key);
    const char *k;
    json_t *v;
    if (!json_is_object(dst)) {
        dst = json_object();
        json_object_set_new(obj, key, dst);
    }
    json_object_foreach((json_t *)patch, k, v) {
        if (json_is_null(v))
            json_object_del(dst, k);
        else
            json_object_set(dst, k, v);
    }
}

long long render_int_at(const json_t *obj, const char *dotted)
{
    char key[64];
    const char *p = dotted;
    const json_t *cur = obj;
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof(key))
            return 0;
        memcpy(key, p, n);
        key[n] = '\0';
        cur = json_object_get(cur, key);
        p = dot ? dot + 1 : p + n;
    }
    return json_is_integer(cur) ? (long long)json_integer_value(cur) : 0;
}

void render_env_merge(json_t *container, const json_t *entries)
{
    json_t *env = json_object_get(container, "env");
    size_t i, j;
    json_t *entry, *have;
    if (!json_is_array(env)) {
        env = json_array();
        json_object_set_new(container, "env", env);
    }
    json_array_foreach(entries, i, entry) {
        const char *name = json_string_value(json_object_get(entry, "name"));
        json_t *value = json_object_get(entry, "value");
        json_t *item = json_object();
        json_object_set_new(item, "name", json_string(name));
        json_object_set_new(item, "value",
                            json_is_string(value) ? json_incref(value) : json_string(""));
        int replaced = 0;
        json_array_foreach(env, j, have) {
            if (strcmp(json_string_value(json_object_get(have, "name")), name) == 0) {
                json_array_set(env, j, item);
                replaced = 1;
                break;
            }
        }
        if (!replaced)
            json_array_append(env, item);
        json_decref(item);
    }
}

static json_t *render_declared(const json_t *src, const prop_spec *fields);

static void set_if(json_t *dst, const char *key, const json_t *props, const char *prop)
{
    json_t *v = json_object_get(props, prop);
    if (v && !json_is_null(v))
        json_object_set(dst, key, v);
}

/* A fractional quantity (cpu: 0.1) becomes its shortest string ("0.1"): printed with 17
 * digits, 0.10000000000000001 would be rounded up by Kubernetes to 101m. */
static void set_quantity(json_t *dst, const char *key, const json_t *props, const char *prop)
{
    json_t *v = json_object_get(props, prop);
    char num[32];
    if (!json_is_real(v)) {
        set_if(dst, key, props, prop);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(num, sizeof(num), "%.*g", prec, json_real_value(v));
        if (strtod(num, NULL) == json_real_value(v))
            break;
    }
    json_object_set_new(dst, key, json_string(num));
}

json_t *render_container_new(const render_ctx *ctx, const json_t *props)
{
    json_t *c = json_object();
    json_object_set_new(c, "name", json_string(ctx->component));
    set_if(c, "image", props, "image");
    set_if(c, "imagePullPolicy", props, "imagePullPolicy");
    set_if(c, "command", props, "cmd");
    set_if(c, "args", props, "args");
    json_t *env = json_object_get(props, "env");
    if (json_is_array(env)) { /* as written: the definitions pass the list through */
        json_t *list = json_array();
        size_t i;
        json_t *item;
        json_array_foreach(env, i, item) {
            json_array_append_new(list, render_declared(item, render_env_fields));
        }
        json_object_set_new(c, "env", list);
    }
    json_t *cpu = json_object_get(props, "cpu");
    json_t *mem = json_object_get(props, "memory");
    if ((cpu && !json_is_null(cpu)) || (mem && !json_is_null(mem))) {
        json_t *res = json_object();
        json_t *req = json_object();
        json_t *lim = json_object();
        set_quantity(req, "cpu", props, "cpu");
        set_quantity(req, "memory", props, "memory");
        set_quantity(lim, "cpu", props, "cpu");
        set_quantity(lim, "memory", props, "memory");
        json_object_set_new(res, "limits", lim);
        json_object_set_new(res, "requests", req);
        json_object_set_new(c, "resources", res);
    }
    return c;
}

void render_deployment_health(const json_t *live, health *h)
{
    h->healthy = false;
    if (!live) {
        snprintf(h->msg, sizeof(h->msg), "Deployment not found");
        return;
    }
    long long want = render_int_at(live, "spec.replicas");
    long long ready = render_int_at(live, "status.readyReplicas");
    long long updated = render_int_at(live, "status.updatedReplicas");
    long long have = render_int_at(live, "status.replicas");
    long long observed = render_int_at(live, "status.observedGeneration");
    long long generation = render_int_at(live, "metadata.generation");
    h->healthy = want == ready && want == updated && want == have && observed >= generation;
    snprintf(h->msg, sizeof(h->msg), "Ready:%lld/%lld", ready, want);
}

json_t *render_pod_template_new(const render_ctx *ctx, const json_t *props, json_t *container)
{
    json_t *tmpl = json_object();
    json_t *meta = json_object();
    json_t *spec = json_object();
    json_t *labels = json_object();
    json_t *extra = json_object_get(props, "labels");
    json_t *ann = json_object_get(props, "annotations");

    /* the definitions' own two labels win over the labels property */
    json_object_set_new(labels, "app.oam.dev/name", json_string(ctx->app));
    json_object_set_new(labels, "app.oam.dev/component", json_string(ctx->component));
    if (json_is_object(extra))
        json_object_update_missing(labels, extra);
    json_object_set_new(meta, "labels", labels);
    if (json_is_object(ann) && json_object_size(ann))
        json_object_set(meta, "annotations", ann);
    json_object_set_new(tmpl, "metadata", meta);
    json_t *containers = json_array();
    json_array_append_new(containers, container);
    json_object_set_new(spec, "containers", containers);
    json_object_set_new(tmpl, "spec", spec);
    return tmpl;
}

json_t *render_deployment_new(const render_ctx *ctx, const json_t *props, json_t *container)
{
    json_t *d = render_workload_new(ctx, "apps/v1", "Deployment", ctx->component);
    json_t *spec = json_object();
    json_t *match = json_object();

    json_object_set_new(match, "app.oam.dev/component", json_string(ctx->component));
    json_object_set_new(spec, "selector", json_pack("{s:o}", "matchLabels", match));
    json_object_set_new(spec, "template", render_pod_template_new(ctx, props, container));
    json_object_set_new(d, "spec", spec);
    return d;
}

int render_check_string_map(const json_t *props, const char *path, verr *e)
{
    char child[512];
    const char *k;
    json_t *v;
    if (!props || json_is_null(props))
        return 0;
    if (!json_is_object(props))
        return verr_set(e, path, "expected a map of strings, got %s", prop_json_type_name(props));
    json_object_foreach((json_t *)props, k, v) {
        ydoc_path_key(child, sizeof(child), path, k);
        if (!json_is_string(v) && !json_is_null(v))
            return verr_set(e, child, "expected a string or null, got %s%s", prop_json_type_name(v),
                            json_is_number(v) || json_is_boolean(v) ? " (quote it, e.g. \"1\")"
                                                                    : "");
    }
    return 0;
}

/* A copy of the keys of src that fields declares (what a definition passes through). */
static json_t *render_declared(const json_t *src, const prop_spec *fields)
{
    json_t *out = json_object();
    for (const prop_spec *f = fields; f->name; f++) {
        json_t *v = json_object_get(src, f->name);
        if (!v || json_is_null(v))
            continue;
        if (f->kind == PROP_OBJECT && f->fields) {
            json_object_set_new(out, f->name, render_declared(v, f->fields));
        } else if (f->kind == PROP_LIST && f->fields) {
            json_t *list = json_array();
            size_t i;
            json_t *item;
            json_array_foreach(v, i, item) {
                json_array_append_new(list, render_declared(item, f->fields));
            }
            json_object_set_new(out, f->name, list);
        } else {
            json_object_set_new(out, f->name, json_deep_copy(v));
        }
    }
    return out;
}

/* A probe with the definitions' defaults filled in (httpGet.scheme HTTP for webservice). */
static json_t *render_probe(const json_t *p, bool scheme)
{
    static const struct {
        const char *key;
        int value;
    } defaults[] = {{"initialDelaySeconds", 0},
                    {"periodSeconds", 10},
                    {"timeoutSeconds", 1},
                    {"successThreshold", 1},
                    {"failureThreshold", 3}};
    json_t *out = render_declared(p, render_probe_fields);
    json_t *http = json_object_get(out, "httpGet");
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        if (!json_object_get(out, defaults[i].key))
            json_object_set_new(out, defaults[i].key, json_integer(defaults[i].value));
    if (http && scheme && !json_object_get(http, "scheme"))
        json_object_set_new(http, "scheme", json_string("HTTP"));
    return out;
}

/* configMap/secret items with mode defaulting to 511, as the definitions declare. */
static json_t *render_items(const json_t *items)
{
    json_t *out = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        json_t *o = render_declared(it, render_item_fields);
        if (!json_object_get(o, "mode"))
            json_object_set_new(o, "mode", json_integer(511));
        json_array_append_new(out, o);
    }
    return out;
}

/* The pod volume of one mount: kind is pvc, configMap, secret, emptyDir or hostPath. */
static json_t *render_volume(const char *kind, const json_t *v)
{
    json_t *vol = json_pack("{s:O}", "name", json_object_get(v, "name"));
    json_t *mode = json_object_get(v, "defaultMode");
    json_t *items = json_object_get(v, "items");
    json_t *src = json_object();
    if (strcmp(kind, "pvc") == 0) {
        json_object_set(src, "claimName", json_object_get(v, "claimName"));
        json_object_set_new(vol, "persistentVolumeClaim", src);
        return vol;
    }
    if (strcmp(kind, "configMap") == 0 || strcmp(kind, "secret") == 0) {
        bool cm = strcmp(kind, "configMap") == 0;
        json_object_set_new(src, "defaultMode",
                            json_is_integer(mode) ? json_incref(mode) : json_integer(420));
        json_object_set(src, cm ? "name" : "secretName",
                        json_object_get(v, cm ? "cmName" : "secretName"));
        if (json_is_array(items))
            json_object_set_new(src, "items", render_items(items));
        json_object_set_new(vol, kind, src);
        return vol;
    }
    if (strcmp(kind, "hostPath") == 0) {
        json_object_set(src, "path", json_object_get(v, "path"));
        json_object_set_new(vol, "hostPath", src);
        return vol;
    }
    json_t *medium = json_object_get(v, "medium");
    json_object_set_new(src, "medium",
                        json_is_string(medium) ? json_incref(medium) : json_string(""));
    json_object_set_new(vol, "emptyDir", src);
    return vol;
}

static void render_set_list(json_t *obj, const char *key, json_t *list)
{
    if (json_array_size(list))
        json_object_set(obj, key, list);
    json_decref(list);
}

/* volumeMounts: mounts in the order pvc, configMap, secret, emptyDir, hostPath; volumes the
 * same, the first of each name kept. */
static void render_volume_mounts(json_t *container, json_t *podspec, const json_t *vm)
{
    static const char *const kinds[] = {"pvc", "configMap", "secret", "emptyDir", "hostPath"};
    json_t *mounts = json_array();
    json_t *volumes = json_array();
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        size_t i, j;
        json_t *v, *have;
        json_array_foreach(json_object_get(vm, kinds[k]), i, v) {
            json_t *m = json_pack("{s:O}", "mountPath", json_object_get(v, "mountPath"));
            if (json_is_string(json_object_get(v, "subPath")))
                json_object_set(m, "subPath", json_object_get(v, "subPath"));
            json_object_set(m, "name", json_object_get(v, "name"));
            json_array_append_new(mounts, m);
            bool dup = false;
            json_array_foreach(volumes, j, have) {
                dup = dup || json_equal(json_object_get(have, "name"), json_object_get(v, "name"));
            }
            if (!dup)
                json_array_append_new(volumes, render_volume(kinds[k], v));
        }
    }
    json_object_set_new(container, "volumeMounts", mounts);
    render_set_list(podspec, "volumes", volumes);
}

/* The deprecated volumes: [{name, mountPath, type, ...}]. */
static int render_old_volumes(const render_ctx *ctx, json_t *container, json_t *podspec,
                              const json_t *list, verr *e)
{
    static const struct {
        const char *type, *needs;
    } needs[] = {{"pvc", "claimName"}, {"configMap", "cmName"}, {"secret", "secretName"}};
    json_t *mounts = json_array();
    json_t *volumes = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        const char *type = json_string_value(json_object_get(v, "type"));
        if (!type)
            type = "emptyDir";
        for (size_t n = 0; n < sizeof(needs) / sizeof(needs[0]); n++) {
            if (strcmp(type, needs[n].type) == 0 && !json_object_get(v, needs[n].needs)) {
                json_decref(mounts);
                json_decref(volumes);
                return verr_set(e, "", "component \"%s\": volumes[%zu] of type %s needs \"%s\"",
                                ctx->component, i, type, needs[n].needs);
            }
        }
        json_array_append_new(mounts,
                              json_pack("{s:O,s:O}", "mountPath", json_object_get(v, "mountPath"),
                                        "name", json_object_get(v, "name")));
        json_array_append_new(volumes, render_volume(type, v));
    }
    render_set_list(container, "volumeMounts", mounts);
    render_set_list(podspec, "volumes", volumes);
    return 0;
}

int render_pod_extras(const render_ctx *ctx, json_t *tmpl, const json_t *props, unsigned flags,
                      verr *e)
{
    json_t *podspec = json_object_get(tmpl, "spec");
    json_t *container = json_array_get(json_object_get(podspec, "containers"), 0);
    json_t *vm = json_object_get(props, "volumeMounts");
    json_t *old = json_object_get(props, "volumes");
    json_t *secrets = json_object_get(props, "imagePullSecrets");
    json_t *aliases = json_object_get(props, "hostAliases");

    if ((flags & RENDER_VOLUME_MOUNTS) && json_is_object(vm))
        render_volume_mounts(container, podspec, vm);
    else if (json_is_array(old) && render_old_volumes(ctx, container, podspec, old, e) < 0)
        return -1;
    if (flags & RENDER_PROBES) {
        static const char *const probes[] = {"livenessProbe", "readinessProbe"};
        for (size_t i = 0; i < 2; i++) {
            json_t *p = json_object_get(props, probes[i]);
            if (json_is_object(p))
                json_object_set_new(container, probes[i],
                                    render_probe(p, (flags & RENDER_PROBE_SCHEME) != 0));
        }
    }
    if ((flags & RENDER_HOST_ALIASES) && json_is_array(aliases)) {
        json_t *list = json_array();
        size_t i;
        json_t *a;
        json_array_foreach(aliases, i, a) {
            json_array_append_new(list, render_declared(a, render_host_aliases_fields));
        }
        json_object_set_new(podspec, "hostAliases", list);
    }
    if (json_is_array(secrets)) {
        json_t *list = json_array();
        size_t i;
        json_t *name;
        json_array_foreach(secrets, i, name) {
            json_array_append_new(list, json_pack("{s:O}", "name", name));
        }
        json_object_set_new(podspec, "imagePullSecrets", list);
    }
    return 0;
}

void render_pull_secrets(json_t *podspec, const json_t *secrets)
{
    size_t i;
    json_t *s;
    if (!json_array_size(secrets))
        return;
    json_t *refs = json_array();
    json_array_foreach(secrets, i, s) {
        json_array_append_new(refs, json_pack("{s:O}", "name", s));
    }
    json_object_set_new(podspec, "imagePullSecrets", refs);
}

json_t *render_selector_spec(const render_ctx *ctx, json_t *tmpl)
{
    return json_pack("{s:{s:{s:s}},s:o}", "selector", "matchLabels", "app.oam.dev/component",
                     ctx->component, "template", tmpl);
}

void render_expose_service(render_ctx *ctx, const char *output, const json_t *props, json_t *ports)
{
    if (!json_array_size(ports)) {
        json_decref(ports);
        return;
    }
    json_t *svc = render_trait_output_new(ctx, "AuxiliaryWorkload", output, "v1", "Service",
                                          ctx->component);
    const char *type = json_string_value(json_object_get(props, "exposeType"));
    json_object_set_new(svc, "spec",
                        json_pack("{s:{s:s},s:o,s:s}", "selector", "app.oam.dev/component",
                                  ctx->component, "ports", ports, "type",
                                  type ? type : "ClusterIP"));
    json_array_append_new(ctx->objects, svc);
}

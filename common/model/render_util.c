/* Helpers the component and trait definitions share: object skeletons with the
 * app.oam.dev labels, container fields, env merging, and Deployment health. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/definitions.h"
#include "model/render_util.h"
#include "yaml/ydoc.h"

const prop_spec render_env_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"value", PROP_STRING, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

const char *const render_pull_policies[] = {"Always", "IfNotPresent", "Never", NULL};

json_t *render_labels(const render_ctx *ctx)
{
    json_t *l = json_object();
    json_object_set_new(l, "app.oam.dev/name", json_string(ctx->app));
    json_object_set_new(l, "app.oam.dev/namespace", json_string(ctx->app_ns));
    json_object_set_new(l, "app.oam.dev/component", json_string(ctx->component));
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
    if (json_is_array(env) && json_array_size(env))
        render_env_merge(c, env);
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
    json_t *labels = render_labels(ctx);
    json_t *extra = json_object_get(props, "labels");
    json_t *ann = json_object_get(props, "annotations");

    if (json_is_object(extra))
        json_object_update(labels, extra);
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
    json_t *d = render_object_new(ctx, "apps/v1", "Deployment", ctx->component);
    json_t *meta = json_object_get(d, "metadata");
    json_t *extra = json_object_get(props, "labels");
    json_t *ann = json_object_get(props, "annotations");
    json_t *spec = json_object();
    json_t *match = json_object();

    if (json_is_object(extra))
        json_object_update(json_object_get(meta, "labels"), extra);
    if (json_is_object(ann) && json_object_size(ann))
        json_object_set(meta, "annotations", ann);
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
        if (!json_is_string(v))
            return verr_set(e, child, "expected a string, got %s%s", prop_json_type_name(v),
                            json_is_number(v) || json_is_boolean(v) ? " (quote it, e.g. \"1\")"
                                                                    : "");
    }
    return 0;
}

/* Helpers for traits that patch the rendered workload; see patch.h. They work on any workload
 * with a pod template, so a trait written with them fits every kind it applies to. */
#include "model/patch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/render_util.h"
#include "yaml/ydoc.h"

json_t *patch_pod_spec(const render_ctx *ctx)
{
    json_t *spec = json_object_get(render_workload(ctx), "spec");
    json_t *job = json_object_get(json_object_get(spec, "jobTemplate"), "spec");
    json_t *tmpl = json_object_get(job ? job : spec, "template");
    return json_object_get(tmpl, "spec");
}

json_t *patch_container(const render_ctx *ctx, const char *name)
{
    json_t *containers = json_object_get(patch_pod_spec(ctx), "containers");
    size_t i;
    json_t *c;
    json_array_foreach(containers, i, c) {
        const char *have = json_string_value(json_object_get(c, "name"));
        if (!name || (have && strcmp(have, name) == 0))
            return c;
    }
    return NULL;
}

json_t *patch_container_must(const render_ctx *ctx, const char *name, const char *path,
                             const char *field, verr *e)
{
    char at[512];
    json_t *c = patch_container(ctx, name);
    if (c)
        return c;
    ydoc_path_key(at, sizeof(at), path, field);
    if (!patch_pod_spec(ctx))
        verr_set(e, at, "component \"%s\" (type \"%s\") has no pod template to patch",
                 ctx->component, ctx->type);
    else
        verr_set(e, at, "component \"%s\" has no container \"%s\"", ctx->component,
                 name ? name : "");
    return NULL;
}

json_t *patch_array(json_t *obj, const char *key)
{
    json_t *a = json_object_get(obj, key);
    if (!json_is_array(a)) {
        a = json_array();
        json_object_set_new(obj, key, a);
    }
    return a;
}

json_t *patch_object(json_t *obj, const char *key)
{
    json_t *o = json_object_get(obj, key);
    if (!json_is_object(o)) {
        o = json_object();
        json_object_set_new(obj, key, o);
    }
    return o;
}

void patch_put_by_name(json_t *list, json_t *item)
{
    const char *name = json_string_value(json_object_get(item, "name"));
    size_t i;
    json_t *have;
    json_array_foreach(list, i, have) {
        const char *n = json_string_value(json_object_get(have, "name"));
        if (name && n && strcmp(n, name) == 0) {
            json_array_set_new(list, i, item);
            return;
        }
    }
    json_array_append_new(list, item);
}

void patch_copy(json_t *dst, const char *key, const json_t *src, const char *src_key)
{
    json_t *v = json_object_get(src, src_key);
    if (v && !json_is_null(v))
        json_object_set(dst, key, v);
}

void patch_default(json_t *obj, const char *key, json_t *value)
{
    json_t *have = json_object_get(obj, key);
    if (have && !json_is_null(have))
        json_decref(value);
    else
        json_object_set_new(obj, key, value);
}

json_t *patch_quantity(const json_t *v)
{
    char num[32];
    if (!json_is_real(v))
        return json_incref((json_t *)v);
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(num, sizeof(num), "%.*g", prec, json_real_value(v));
        if (strtod(num, NULL) == json_real_value(v))
            break;
    }
    return json_string(num);
}

void patch_append_cluster_scoped(render_ctx *ctx, json_t *obj)
{
    json_object_del(json_object_get(obj, "metadata"), "namespace");
    json_array_append_new(ctx->objects, obj);
}

json_t *patch_scale_target(const render_ctx *ctx, const json_t *props)
{
    json_t *w = render_workload(ctx);
    json_t *api = json_object_get(props, "targetAPIVersion");
    json_t *kind = json_object_get(props, "targetKind");
    return json_pack("{s:O,s:O,s:s}", "apiVersion",
                     json_is_string(api) ? api : json_object_get(w, "apiVersion"), "kind",
                     json_is_string(kind) ? kind : json_object_get(w, "kind"), "name",
                     ctx->component);
}

int patch_check_min_max(const json_t *props, const char *path, verr *e)
{
    char at[512];
    json_t *min = json_object_get(props, "min");
    json_t *max = json_object_get(props, "max");
    json_int_t lo = json_is_integer(min) ? json_integer_value(min) : 1;
    json_int_t hi = json_is_integer(max) ? json_integer_value(max) : 10;
    if (lo <= hi)
        return 0;
    ydoc_path_key(at, sizeof(at), path, "min");
    return verr_set(e, at, "min (%lld) is more than max (%lld); lower min or raise max",
                    (long long)lo, (long long)hi);
}

int patch_check_targets(const json_t *props, const prop_spec *all, const char *list_key,
                        const char *name_key, const char *path, verr *e)
{
    char at[512], item_at[512];
    const char *k;
    json_t *v, *item;
    size_t i;

    if (prop_check(props, all, path, true, e) < 0)
        return -1;
    json_t *list = json_object_get(props, list_key);
    if (!list || json_is_null(list))
        return 0;
    json_object_foreach((json_t *)props, k, v) {
        if (strcmp(k, list_key) == 0 || json_is_null(v))
            continue;
        ydoc_path_key(at, sizeof(at), path, k);
        return verr_set(e, at,
                        "\"%s\" cannot be combined with \"%s\"; set it in each entry of "
                        "\"%s\" instead",
                        k, list_key, list_key);
    }
    ydoc_path_key(at, sizeof(at), path, list_key);
    json_array_foreach(list, i, item) {
        const char *name = json_string_value(json_object_get(item, name_key));
        if (name && *name)
            continue;
        ydoc_path_index(item_at, sizeof(item_at), at, i);
        ydoc_path_key(at, sizeof(at), item_at, name_key);
        return verr_set(e, at, "each entry of \"%s\" must name its container in \"%s\"", list_key,
                        name_key);
    }
    return 0;
}

int patch_each_target(const json_t *props, const char *list_key, const char *name_key,
                      render_ctx *ctx, const char *path, patch_target_fn fn, verr *e)
{
    char at[512], item_at[512];
    json_t *list = json_object_get(props, list_key);
    json_t *item;
    size_t i;

    if (!json_is_array(list)) {
        const char *name = json_string_value(json_object_get(props, name_key));
        json_t *c = patch_container_must(ctx, name && *name ? name : ctx->component, path, name_key,
                                         e);
        return c ? fn(props, c, ctx, e) : -1;
    }
    ydoc_path_key(at, sizeof(at), path, list_key);
    json_array_foreach(list, i, item) {
        const char *name = json_string_value(json_object_get(item, name_key));
        ydoc_path_index(item_at, sizeof(item_at), at, i);
        json_t *c = patch_container_must(ctx, name, item_at, name_key, e);
        if (!c || fn(item, c, ctx, e) < 0)
            return -1;
    }
    return 0;
}

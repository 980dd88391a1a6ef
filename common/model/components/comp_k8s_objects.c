/* k8s-objects: Kubernetes objects given whole in the properties. The first is the workload,
 * the others are the component's auxiliary outputs ("objects-1", ...), as in KubeVela v1.9.
 * Also the object checks and adoption that raw (one object) shares. */
#include <stdio.h>
#include <string.h>

#include "model/components/components.h"
#include "model/definitions.h"
#include "model/render_util.h"
#include "yaml/ydoc.h"

static const prop_spec k8s_objects_props[] = {
    {"objects", PROP_LIST, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0,
     "Kubernetes objects (apiVersion, kind, metadata, ...); the first is the workload"},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

/* Checks obj[key] is a non-empty string when present; required when need. */
static int comp_object_string(const json_t *obj, const char *key, const char *path, bool need,
                              verr *e)
{
    char p[512];
    json_t *v = json_object_get(obj, key);
    ydoc_path_key(p, sizeof(p), path, key);
    if (!v && need)
        return verr_set(e, p, "required field \"%s\" is missing", key);
    if (v && (!json_is_string(v) || json_string_length(v) == 0))
        return verr_set(e, p, "expected a non-empty string, got %s", prop_json_type_name(v));
    return 0;
}

int comp_object_check(const json_t *obj, const char *path, bool need_name, bool enforce_required,
                      verr *e)
{
    char p[512], q[512];
    if (!json_is_object(obj))
        return verr_set(e, path,
                        "expected a Kubernetes object (a map with apiVersion and kind), "
                        "got %s",
                        obj ? prop_json_type_name(obj) : "nothing");
    if (comp_object_string(obj, "apiVersion", path, enforce_required, e) < 0 ||
        comp_object_string(obj, "kind", path, enforce_required, e) < 0)
        return -1;
    json_t *meta = json_object_get(obj, "metadata");
    ydoc_path_key(p, sizeof(p), path, "metadata");
    if (meta && !json_is_object(meta))
        return verr_set(e, p, "expected a map, got %s", prop_json_type_name(meta));
    if (need_name && enforce_required && !json_object_get(meta, "name")) {
        ydoc_path_key(q, sizeof(q), p, "name");
        return verr_set(e, q,
                        "required field \"name\" is missing (only the first object may "
                        "leave it out: it is then named after the component)");
    }
    if (meta && comp_object_string(meta, "name", p, false, e) < 0)
        return -1;
    ydoc_path_key(q, sizeof(q), p, "labels");
    if (render_check_string_map(json_object_get(meta, "labels"), q, e) < 0)
        return -1;
    ydoc_path_key(q, sizeof(q), p, "annotations");
    return render_check_string_map(json_object_get(meta, "annotations"), q, e);
}

json_t *comp_object_adopt(const render_ctx *ctx, const json_t *obj, const char *output)
{
    const char *av = json_string_value(json_object_get(obj, "apiVersion"));
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    json_t *meta = json_object_get(obj, "metadata");
    const char *name = json_string_value(json_object_get(meta, "name"));
    json_t *out = output ? render_trait_output_new(ctx, "AuxiliaryWorkload", output, av, kind,
                                                   name ? name : ctx->component)
                         : render_workload_new(ctx, av, kind, name ? name : ctx->component);
    json_t *out_meta = json_object_get(out, "metadata");
    const char *k;
    json_t *v;

    /* the object's own labels first, KubeVela's over them (as its appfile adds them) */
    json_t *labels = json_object_get(meta, "labels");
    if (json_is_object(labels)) {
        json_t *merged = json_deep_copy(labels);
        json_object_update(merged, json_object_get(out_meta, "labels"));
        json_object_set_new(out_meta, "labels", merged);
    }
    /* a Namespace has no namespace; every other object lands in the placement's */
    if (strcmp(av, "v1") == 0 && strcmp(kind, "Namespace") == 0)
        json_object_del(out_meta, "namespace");
    json_object_foreach(meta, k, v) {
        if (strcmp(k, "name") != 0 && strcmp(k, "namespace") != 0 && strcmp(k, "labels") != 0)
            json_object_set_new(out_meta, k, json_deep_copy(v));
    }
    json_object_foreach((json_t *)obj, k, v) {
        if (strcmp(k, "apiVersion") != 0 && strcmp(k, "kind") != 0 && strcmp(k, "metadata") != 0)
            json_object_set_new(out, k, json_deep_copy(v));
    }
    return out;
}

int comp_object_workload_of(const json_t *obj, const char **api_version, const char **kind,
                            const char **name)
{
    const char *av = json_string_value(json_object_get(obj, "apiVersion"));
    const char *k = json_string_value(json_object_get(obj, "kind"));
    const char *n = json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
    if (!av || !k)
        return -1;
    *api_version = av;
    *kind = k;
    if (n)
        *name = n;
    return 0;
}

static int k8s_objects_check(const json_t *props, const char *path, bool enforce_required, verr *e)
{
    char list[512], p[512];
    size_t i, j;
    json_t *o;
    if (prop_check(props, k8s_objects_props, path, enforce_required, e) < 0)
        return -1;
    json_t *objects = json_object_get(props, "objects");
    ydoc_path_key(list, sizeof(list), path, "objects");
    json_array_foreach(objects, i, o) {
        ydoc_path_index(p, sizeof(p), list, i);
        if (comp_object_check(o, p, i > 0, enforce_required, e) < 0)
            return -1;
    }
    /* two objects of one kind and name would overwrite each other when applied */
    json_array_foreach(objects, i, o) {
        const char *kind = json_string_value(json_object_get(o, "kind"));
        const char *name = json_string_value(
            json_object_get(json_object_get(o, "metadata"), "name"));
        for (j = 0; kind && name && j < i; j++) {
            json_t *other = json_array_get(objects, j);
            const char *okind = json_string_value(json_object_get(other, "kind"));
            const char *oname = json_string_value(
                json_object_get(json_object_get(other, "metadata"), "name"));
            if (okind && oname && strcmp(kind, okind) == 0 && strcmp(name, oname) == 0) {
                ydoc_path_index(p, sizeof(p), list, i);
                return verr_set(e, p,
                                "%s \"%s\" is also objects[%zu]; give each object its "
                                "own name",
                                kind, name, j);
            }
        }
    }
    return 0;
}

static int k8s_objects_render(const json_t *props, render_ctx *ctx, verr *e)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(props, "objects"), i, o) {
        char output[32];
        snprintf(output, sizeof(output), "objects-%zu", i);
        json_array_append_new(ctx->objects, comp_object_adopt(ctx, o, i ? output : NULL));
    }
    (void)e;
    return 0;
}

static int k8s_objects_workload_of(const json_t *props, const char **api_version, const char **kind,
                                   const char **name)
{
    return comp_object_workload_of(json_array_get(json_object_get(props, "objects"), 0),
                                   api_version, kind, name);
}

/* KubeVela's k8s-objects has no healthPolicy: healthy once the workload exists. */
static void k8s_objects_health(const json_t *live, health *h)
{
    h->healthy = live != NULL;
    snprintf(h->msg, sizeof(h->msg), "%s", live ? "" : "workload object not found");
}

const component_def component_k8s_objects = {
    .type = "k8s-objects",
    .props = k8s_objects_props,
    .workload_api_version = "", /* from the properties: workload_of */
    .workload_kind = "",
    .render = k8s_objects_render,
    .health = k8s_objects_health,
    .check = k8s_objects_check,
    .workload_of = k8s_objects_workload_of,
    .description = "Kubernetes objects given whole; the first one is the workload.",
};

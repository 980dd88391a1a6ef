/* The task message: decoding any bytes into a msg_task with errors that name the field, and
 * encoding a msg_task with the same rules. See task.h and docs/topics.md. */
#include "msg/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/util.h"
#include "msg/field.h"
#include "msg/schema.h"

/* ---- decoding ----------------------------------------------------------------------------- */

static int task_trait_decode(const json_t *j, const char *path, msg_task_trait *tr, char *err,
                             size_t errlen)
{
    const json_t *obj = NULL;
    if (msg_field_str(j, path, "type", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &tr->type,
                      err, errlen) < 0 ||
        msg_field_object(j, path, "properties", 0, &tr->properties, err, errlen) < 0 ||
        msg_field_object(j, path, "object", 0, &obj, err, errlen) < 0)
        return -1;
    if (obj) {
        char at[128];
        msg_field_path(at, sizeof(at), path, "object");
        if (msg_ref_obj_decode(obj, at, false, &tr->object, err, errlen) < 0)
            return -1;
        tr->has_object = true;
    }
    return 0;
}

static int task_comp_decode(const json_t *j, const char *path, msg_task_comp *c, char *err,
                            size_t errlen)
{
    const json_t *workload = NULL, *traits = NULL;
    char at[128];
    if (msg_field_str(j, path, "name", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &c->name, err,
                      errlen) < 0 ||
        msg_field_str(j, path, "type", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &c->type, err,
                      errlen) < 0 ||
        msg_field_object(j, path, "workload", MSG_REQUIRED, &workload, err, errlen) < 0)
        return -1;
    msg_field_path(at, sizeof(at), path, "workload");
    if (msg_ref_obj_decode(workload, at, false, &c->workload, err, errlen) < 0 ||
        msg_field_array(j, path, "traits", MSG_REQUIRED, MSG_TASK_MAX_TRAITS, &traits, err,
                        errlen) < 0)
        return -1;
    c->traits = xcalloc(json_array_size(traits) + 1, sizeof(*c->traits));
    msg_field_path(at, sizeof(at), path, "traits");
    for (size_t k = 0; k < json_array_size(traits); k++) {
        char tpath[160];
        const json_t *t;
        if (msg_field_item(traits, at, k, tpath, sizeof(tpath), &t, err, errlen) < 0 ||
            task_trait_decode(t, tpath, &c->traits[k], err, errlen) < 0)
            return -1;
        c->ntraits++;
    }
    return 0;
}

static int task_manifest_check(const json_t *m, const char *path, char *err, size_t errlen)
{
    const char *s;
    const json_t *meta = NULL;
    char at[128];
    msg_field_path(at, sizeof(at), path, "metadata");
    if (msg_field_is_object(m, path, err, errlen) < 0 ||
        msg_field_str(m, path, "apiVersion", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &s, err,
                      errlen) < 0 ||
        msg_field_str(m, path, "kind", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &s, err,
                      errlen) < 0 ||
        msg_field_object(m, path, "metadata", MSG_REQUIRED, &meta, err, errlen) < 0 ||
        msg_field_str(meta, at, "name", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &s, err,
                      errlen) < 0 ||
        msg_field_str(meta, at, "namespace", 0, MSG_MAX_NAME_LEN, &s, err, errlen) < 0)
        return -1;
    return 0;
}

static int task_deploy_decode(msg_task *t, char *err, size_t errlen)
{
    const json_t *comps = NULL, *manifests = NULL;
    if (msg_field_array(t->doc, "", "components", MSG_REQUIRED, MSG_TASK_MAX_COMPONENTS, &comps,
                        err, errlen) < 0)
        return -1;
    t->comps = xcalloc(json_array_size(comps) + 1, sizeof(*t->comps));
    size_t i;
    const json_t *j;
    for (i = 0; i < json_array_size(comps); i++) {
        char path[64];
        t->ncomps++; /* counted first: release frees the traits of a half-read component */
        if (msg_field_item(comps, "components", i, path, sizeof(path), &j, err, errlen) < 0 ||
            task_comp_decode(j, path, &t->comps[i], err, errlen) < 0)
            return -1;
    }
    if (msg_field_array(t->doc, "", "manifests", MSG_REQUIRED, MSG_TASK_MAX_MANIFESTS, &manifests,
                        err, errlen) < 0)
        return -1;
    json_array_foreach(manifests, i, j) {
        char path[64];
        msg_field_index(path, sizeof(path), "manifests", i);
        if (task_manifest_check(j, path, err, errlen) < 0)
            return -1;
    }
    t->manifests = manifests;
    return 0;
}

static int task_decode(const char *buf, size_t len, msg_task *t, char *err, size_t errlen)
{
    t->doc = msg_field_load(buf, len, err, errlen);
    if (!t->doc || msg_field_version(t->doc, MSG_TASK_SCHEMA_VERSION, err, errlen) < 0 ||
        msg_ref_ident_decode(t->doc, MSG_REF_TASK, &t->id, err, errlen) < 0)
        return -1;
    t->identified = true;
    if (msg_field_time(t->doc, "", "createdAt", MSG_REQUIRED, &t->created_at, &t->created_at_ms,
                       err, errlen) < 0 ||
        msg_field_time(t->doc, "", "deadline", 0, &t->deadline, &t->deadline_ms, err, errlen) < 0)
        return -1;
    if (t->id.kind == MSG_KIND_DEPLOY)
        return task_deploy_decode(t, err, errlen);
    return msg_ref_objs_decode(t->doc, "resources", MSG_REQUIRED, MSG_TASK_MAX_RESOURCES,
                               &t->resources, &t->nresources, err, errlen);
}

int msg_task_decode(const char *buf, size_t len, msg_task *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    return msg_field_finish(task_decode(buf, len, out, err, errlen), err);
}

void msg_task_release(msg_task *t)
{
    for (size_t i = 0; i < t->ncomps; i++)
        free(t->comps[i].traits);
    free(t->comps);
    free(t->resources);
    json_decref(t->doc);
    memset(t, 0, sizeof(*t));
}

/* ---- encoding ----------------------------------------------------------------------------- */

static json_t *task_trait_encode(const msg_task_trait *tr, const char *path, char *err,
                                 size_t errlen)
{
    json_t *j = json_object();
    char at[128];
    msg_field_path(at, sizeof(at), path, "object");
    if (msg_field_put_str(j, path, "type", tr->type, MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          err, errlen) < 0)
        goto fail;
    if (tr->properties) {
        if (!json_is_object(tr->properties)) {
            err_set(err, errlen, "%s.properties: expected an object", path);
            goto fail;
        }
        json_object_set(j, "properties", (json_t *)tr->properties);
    }
    if (tr->has_object) {
        json_t *o = msg_ref_obj_encode(&tr->object, at, false, err, errlen);
        if (!o)
            goto fail;
        json_object_set_new(j, "object", o);
    }
    return j;
fail:
    json_decref(j);
    return NULL;
}

static json_t *task_comp_encode(const msg_task_comp *c, const char *path, char *err, size_t errlen)
{
    json_t *j = json_object(), *traits = json_array();
    char at[128];
    msg_field_path(at, sizeof(at), path, "workload");
    if (msg_field_put_str(j, path, "name", c->name, MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          err, errlen) < 0 ||
        msg_field_put_str(j, path, "type", c->type, MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          err, errlen) < 0)
        goto fail;
    json_t *workload = msg_ref_obj_encode(&c->workload, at, false, err, errlen);
    if (!workload)
        goto fail;
    json_object_set_new(j, "workload", workload);
    if (c->ntraits > MSG_TASK_MAX_TRAITS) {
        err_set(err, errlen, "%s.traits: %zu items, more than the limit of %d", path, c->ntraits,
                MSG_TASK_MAX_TRAITS);
        goto fail;
    }
    for (size_t k = 0; k < c->ntraits; k++) {
        char tpath[128];
        snprintf(tpath, sizeof(tpath), "%s.traits[%zu]", path, k);
        json_t *tr = task_trait_encode(&c->traits[k], tpath, err, errlen);
        if (!tr)
            goto fail;
        json_array_append_new(traits, tr);
    }
    json_object_set_new(j, "traits", traits); /* now owned by j */
    return j;
fail:
    json_decref(traits);
    json_decref(j);
    return NULL;
}

static int task_deploy_encode(json_t *j, const msg_task *t, char *err, size_t errlen)
{
    if (!json_is_array(t->manifests))
        return err_set(err, errlen, "manifests: missing (required array)");
    if (json_array_size(t->manifests) > MSG_TASK_MAX_MANIFESTS)
        return err_set(err, errlen, "manifests: %zu items, more than the limit of %d",
                       json_array_size(t->manifests), MSG_TASK_MAX_MANIFESTS);
    size_t i;
    const json_t *m;
    json_array_foreach(t->manifests, i, m) {
        char path[64];
        msg_field_index(path, sizeof(path), "manifests", i);
        if (task_manifest_check(m, path, err, errlen) < 0)
            return -1;
    }
    if (t->ncomps > MSG_TASK_MAX_COMPONENTS)
        return err_set(err, errlen, "components: %zu items, more than the limit of %d", t->ncomps,
                       MSG_TASK_MAX_COMPONENTS);
    json_t *comps = json_array();
    json_object_set_new(j, "components", comps); /* now owned by j */
    for (i = 0; i < t->ncomps; i++) {
        char path[64];
        msg_field_index(path, sizeof(path), "components", i);
        json_t *c = task_comp_encode(&t->comps[i], path, err, errlen);
        if (!c)
            return -1;
        json_array_append_new(comps, c);
    }
    json_object_set(j, "manifests", (json_t *)t->manifests);
    return 0;
}

static int task_time_encode(json_t *j, const char *key, const char *s, unsigned flags, char *err,
                            size_t errlen)
{
    if (s && clock_parse_rfc3339(s) < 0)
        return err_set(err, errlen, "%s: not an RFC 3339 time such as 2026-11-26T02:10:00Z", key);
    return msg_field_put_str(j, "", key, s, flags | MSG_NONEMPTY, MSG_MAX_TIME_LEN, err, errlen);
}

json_t *msg_task_encode(const msg_task *t, char *err, size_t errlen)
{
    json_t *j = json_object();
    json_object_set_new(j, "schemaVersion", json_integer(MSG_TASK_SCHEMA_VERSION));
    if (msg_ref_ident_encode(j, &t->id, MSG_REF_TASK, err, errlen) < 0)
        goto fail;
    if (task_time_encode(j, "deadline", t->deadline, 0, err, errlen) < 0)
        goto fail;
    if (t->id.kind == MSG_KIND_DEPLOY) {
        if (task_deploy_encode(j, t, err, errlen) < 0)
            goto fail;
    } else {
        if (t->nresources > MSG_TASK_MAX_RESOURCES) {
            err_set(err, errlen, "resources: %zu items, more than the limit of %d", t->nresources,
                    MSG_TASK_MAX_RESOURCES);
            goto fail;
        }
        json_t *res = msg_ref_objs_encode(t->resources, t->nresources, "resources", true, err,
                                          errlen);
        if (!res)
            goto fail;
        json_object_set_new(j, "resources", res);
    }
    if (task_time_encode(j, "createdAt", t->created_at, MSG_REQUIRED, err, errlen) < 0)
        goto fail;
    return j;
fail:
    json_decref(j);
    return NULL;
}

char *msg_task_encode_bytes(const msg_task *t, size_t *len, char *err, size_t errlen)
{
    return msg_field_dump(msg_task_encode(t, err, errlen), len, err, errlen);
}

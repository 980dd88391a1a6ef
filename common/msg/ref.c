/* The task kind, Application and object references, and the identity tasks and events share.
 * See ref.h. */
#include "msg/ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "msg/field.h"

#define REF_INT_MAX 2147483647

/* In msg_kind's order. */
static const char *const ref_kind_names[] = {"deploy", "delete"};

const char *msg_ref_kind_name(msg_kind k)
{
    return k == MSG_KIND_DELETE ? "delete" : "deploy";
}

static int ref_app_decode(const json_t *root, msg_appref *a, char *err, size_t errlen)
{
    const json_t *app = NULL;
    if (msg_field_object(root, "", "app", MSG_REQUIRED, &app, err, errlen) < 0 ||
        msg_field_str(app, "app", "name", MSG_REQUIRED | MSG_DNS1123, 63, &a->name, err, errlen) <
            0 ||
        msg_field_str(app, "app", "namespace", MSG_REQUIRED | MSG_DNS1123, 63, &a->namespace, err,
                      errlen) < 0 ||
        msg_field_str(app, "app", "uid", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &a->uid,
                      err, errlen) < 0 ||
        msg_field_int(app, "app", "revision", MSG_REQUIRED, 0, REF_INT_MAX, &a->revision, NULL, err,
                      errlen) < 0)
        return -1;
    return 0;
}

int msg_ref_ident_decode(const json_t *root, msg_ref_mode mode, msg_ident *out, char *err,
                         size_t errlen)
{
    int kind = 0;
    if (msg_field_enum(root, "", "kind", MSG_REQUIRED, ref_kind_names, ARRAY_LEN(ref_kind_names),
                       &kind, err, errlen) < 0)
        return -1;
    out->kind = (msg_kind)kind;
    unsigned cluster = mode == MSG_REF_TASK ? MSG_DNS1123 : MSG_NONEMPTY;
    if (msg_field_str(root, "", "taskId", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_ID_LEN,
                      &out->task_id, err, errlen) < 0 ||
        ref_app_decode(root, &out->app, err, errlen) < 0 ||
        msg_field_str(root, "", "step", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &out->step,
                      err, errlen) < 0 ||
        msg_field_str(root, "", "stepId", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                      &out->step_id, err, errlen) < 0 ||
        msg_field_int(root, "", "attempt", mode == MSG_REF_TASK ? MSG_REQUIRED : 0, 0, REF_INT_MAX,
                      &out->attempt, &out->has_attempt, err, errlen) < 0 ||
        msg_field_str(root, "", "cluster", MSG_REQUIRED | cluster, MSG_MAX_NAME_LEN, &out->cluster,
                      err, errlen) < 0 ||
        msg_field_str(root, "", "namespace", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                      &out->namespace, err, errlen) < 0)
        return -1;
    return 0;
}

int msg_ref_obj_decode(const json_t *j, const char *path, bool resource, msg_objref *out, char *err,
                       size_t errlen)
{
    unsigned type = MSG_REQUIRED | (resource ? MSG_NONEMPTY : 0);
    memset(out, 0, sizeof(*out));
    if (msg_field_is_object(j, path, err, errlen) < 0 ||
        msg_field_str(j, path, "apiVersion", type, MSG_MAX_NAME_LEN, &out->api_version, err,
                      errlen) < 0 ||
        msg_field_str(j, path, "kind", type, MSG_MAX_NAME_LEN, &out->kind, err, errlen) < 0 ||
        msg_field_str(j, path, "namespace", 0, MSG_MAX_NAME_LEN, &out->namespace, err, errlen) <
            0 ||
        msg_field_str(j, path, "name", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &out->name,
                      err, errlen) < 0)
        return -1;
    return 0;
}

int msg_ref_objs_decode(const json_t *root, const char *key, unsigned flags, size_t max,
                        msg_objref **out, size_t *n, char *err, size_t errlen)
{
    const json_t *arr = NULL;
    *out = NULL;
    *n = 0;
    if (msg_field_array(root, "", key, flags, max, &arr, err, errlen) < 0)
        return -1;
    if (!arr)
        return 0;
    /* one more than needed: an empty array still allocates, so *out tells "present" */
    *out = xcalloc(json_array_size(arr) + 1, sizeof(**out));
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char path[64];
        const json_t *r;
        if (msg_field_item(arr, key, i, path, sizeof(path), &r, err, errlen) < 0 ||
            msg_ref_obj_decode(r, path, true, &(*out)[i], err, errlen) < 0)
            return -1;
        (*n)++;
    }
    return 0;
}

/* kind and taskId in the order the scheduler (kind first) and the worker (taskId first)
 * always wrote them, so that the bytes stay the same. */
static int ref_put_kind_and_id(json_t *obj, const msg_ident *id, msg_ref_mode mode, char *err,
                               size_t errlen)
{
    const char *kind = msg_ref_kind_name(id->kind);
    unsigned f = MSG_REQUIRED | MSG_NONEMPTY;
    if (mode == MSG_REF_TASK &&
        msg_field_put_str(obj, "", "kind", kind, f, MSG_MAX_NAME_LEN, err, errlen) < 0)
        return -1;
    if (msg_field_put_str(obj, "", "taskId", id->task_id, f, MSG_MAX_ID_LEN, err, errlen) < 0)
        return -1;
    if (mode == MSG_REF_EVENT &&
        msg_field_put_str(obj, "", "kind", kind, f, MSG_MAX_NAME_LEN, err, errlen) < 0)
        return -1;
    return 0;
}

int msg_ref_ident_encode(json_t *obj, const msg_ident *id, msg_ref_mode mode, char *err,
                         size_t errlen)
{
    if (id->kind != MSG_KIND_DEPLOY && id->kind != MSG_KIND_DELETE)
        return err_set(err, errlen, "kind: expected deploy or delete");
    if (id->app.revision < 0 || id->app.revision > REF_INT_MAX)
        return err_set(err, errlen, "app.revision: out of range");
    if ((mode == MSG_REF_TASK || id->has_attempt) && (id->attempt < 0 || id->attempt > REF_INT_MAX))
        return err_set(err, errlen, "attempt: out of range");
    unsigned cluster = mode == MSG_REF_TASK ? MSG_DNS1123 : MSG_NONEMPTY;
    if (ref_put_kind_and_id(obj, id, mode, err, errlen) < 0)
        return -1;
    json_t *app = json_object();
    json_object_set_new(obj, "app", app); /* now owned by obj */
    if (msg_field_put_str(app, "app", "name", id->app.name, MSG_REQUIRED | MSG_DNS1123, 63, err,
                          errlen) < 0 ||
        msg_field_put_str(app, "app", "namespace", id->app.namespace, MSG_REQUIRED | MSG_DNS1123,
                          63, err, errlen) < 0 ||
        msg_field_put_str(app, "app", "uid", id->app.uid, MSG_REQUIRED | MSG_NONEMPTY,
                          MSG_MAX_NAME_LEN, err, errlen) < 0)
        return -1;
    json_object_set_new(app, "revision", json_integer(id->app.revision));
    if (msg_field_put_str(obj, "", "step", id->step, MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          err, errlen) < 0 ||
        msg_field_put_str(obj, "", "stepId", id->step_id, MSG_REQUIRED | MSG_NONEMPTY,
                          MSG_MAX_NAME_LEN, err, errlen) < 0)
        return -1;
    if (mode == MSG_REF_TASK || id->has_attempt)
        json_object_set_new(obj, "attempt", json_integer(id->attempt));
    if (msg_field_put_str(obj, "", "cluster", id->cluster, MSG_REQUIRED | cluster, MSG_MAX_NAME_LEN,
                          err, errlen) < 0 ||
        msg_field_put_str(obj, "", "namespace", id->namespace, MSG_REQUIRED | MSG_NONEMPTY,
                          MSG_MAX_NAME_LEN, err, errlen) < 0)
        return -1;
    return 0;
}

json_t *msg_ref_obj_encode(const msg_objref *o, const char *path, bool resource, char *err,
                           size_t errlen)
{
    unsigned type = MSG_REQUIRED | (resource ? MSG_NONEMPTY : 0);
    json_t *j = json_object();
    if (msg_field_put_str(j, path, "apiVersion", o->api_version, type, MSG_MAX_NAME_LEN, err,
                          errlen) < 0 ||
        msg_field_put_str(j, path, "kind", o->kind, type, MSG_MAX_NAME_LEN, err, errlen) < 0 ||
        msg_field_put_str(j, path, "namespace", o->namespace, 0, MSG_MAX_NAME_LEN, err, errlen) <
            0 ||
        msg_field_put_str(j, path, "name", o->name, MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          err, errlen) < 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

json_t *msg_ref_objs_encode(const msg_objref *o, size_t n, const char *at, bool resource, char *err,
                            size_t errlen)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char path[64];
        msg_field_index(path, sizeof(path), at, i);
        json_t *j = msg_ref_obj_encode(&o[i], path, resource, err, errlen);
        if (!j) {
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, j);
    }
    return arr;
}

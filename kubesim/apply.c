/* PATCH in the simulated API: server-side apply (application/apply-patch+yaml: creates or
 * merges, records the field manager in managedFields), JSON merge patch (RFC 7386) and an
 * approximation of strategic merge patch (lists of named objects merge by name). */
#include "base/jpool.h"
#include "apply.h"
#include "api.h"
#include "misc.h"
#include "reply.h"
#include "resources.h"
#include "store.h"
#include "verbs.h"

#include "base/util.h"

#include <event2/http.h>
#include <stdio.h>
#include <string.h>

static bool named_list(json_t *a)
{
    size_t i;
    json_t *e;
    if (json_array_size(a) == 0)
        return false;
    json_array_foreach(a, i, e) {
        if (!json_is_string(json_object_get(e, "name")))
            return false;
    }
    return true;
}

static void merge_list(json_t *dst, json_t *patch)
{
    size_t i;
    json_t *pe;
    json_array_foreach(patch, i, pe) {
        const char *name = json_string_value(json_object_get(pe, "name"));
        size_t j;
        json_t *de;
        bool found = false;
        json_array_foreach(dst, j, de) {
            if (strcmp(json_string_value(json_object_get(de, "name")), name) == 0) {
                ks_apply_merge(de, pe, true);
                found = true;
                break;
            }
        }
        if (!found) {
            json_t *c = json_deep_copy(pe);
            json_t *tmp = json_object();
            ks_apply_merge(tmp, c, true);
            json_array_append_new(dst, tmp);
            json_decref(c);
        }
    }
}

void ks_apply_merge(json_t *dst, json_t *patch, bool strategic)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(patch, tmp, key, v) {
        if (strategic && key[0] == '$')
            continue;
        if (json_is_null(v)) {
            json_object_del(dst, key);
            continue;
        }
        json_t *cur = json_object_get(dst, key);
        if (json_is_object(v) && json_is_object(cur)) {
            ks_apply_merge(cur, v, strategic);
        } else if (strategic && json_is_array(v) && json_is_array(cur) && named_list(v) &&
                   named_list(cur)) {
            merge_list(cur, v);
        } else if (json_is_object(v)) {
            json_t *o = json_object();
            ks_apply_merge(o, v, strategic);
            json_object_set_new(dst, key, o);
        } else {
            json_object_set_new(dst, key, json_deep_copy(v));
        }
    }
}

void ks_apply_set_managed(json_t *obj, const char *manager, const char *op, enum ks_res r)
{
    if (!manager || !*manager)
        return;
    char ts[40];
    ks_now_rfc3339(ts, sizeof(ts));
    json_t *meta = json_object_get(obj, "metadata");
    json_t *mf = json_object_get(meta, "managedFields");
    if (!json_is_array(mf)) {
        mf = json_array();
        json_object_set_new(meta, "managedFields", mf);
    }
    size_t i;
    json_t *e;
    json_array_foreach(mf, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "manager")) ?: "", manager) == 0 &&
            strcmp(json_string_value(json_object_get(e, "operation")) ?: "", op) == 0) {
            json_object_set_new(e, "time", json_string(ts));
            return;
        }
    }
    json_array_append_new(mf, json_pack("{s:s,s:s,s:s,s:s,s:s,s:{}}", "manager", manager,
                                        "operation", op, "apiVersion", ks_res_api_version(r),
                                        "time", ts, "fieldsType", "FieldsV1", "fieldsV1"));
}

void ks_apply_patch(struct ks_req *k, enum ks_res r, const char *ns, const char *name,
                    bool status_only)
{
    struct ks_cluster *cl = k->cl;
    char key[512], err[300];
    const char *ct = ks_api_header(k, "Content-Type");
    char ctype[128];
    snprintf(ctype, sizeof(ctype), "%s", ct ? ct : "");
    char *semi = strchr(ctype, ';');
    if (semi)
        *semi = '\0';
    bool apply = strcmp(ctype, "application/apply-patch+yaml") == 0;
    bool merge = strcmp(ctype, "application/merge-patch+json") == 0;
    bool strategic = strcmp(ctype, "application/strategic-merge-patch+json") == 0;
    if (!apply && !merge && !strategic) {
        char msg[400];
        snprintf(msg, sizeof(msg),
                 "the body of the request was in an unknown format - accepted media types "
                 "include: application/merge-patch+json, application/strategic-merge-patch+json, "
                 "application/apply-patch+yaml");
        ks_reply_status(k->req, 415, "UnsupportedMediaType", msg, NULL);
        return;
    }
    const char *manager = ks_api_param(k, "fieldManager");
    if (apply && (!manager || !*manager)) {
        ks_reply_status(
            k->req, 422, "Invalid",
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required "
            "for apply patch",
            json_pack("{s:s,s:s,s:[{s:s,s:s,s:s}]}", "group", "meta.k8s.io", "kind", "PatchOptions",
                      "causes", "reason", "FieldValueRequired", "message",
                      "Required value: is required for apply patch", "field", "fieldManager"));
        return;
    }
    json_t *patch = ks_api_read_body(k, apply, err, sizeof(err));
    if (!patch) {
        char msg[400];
        snprintf(msg, sizeof(msg), "error decoding patch: %s", err);
        ks_reply_bad_request(k->req, msg);
        return;
    }
    ks_store_key(r, ns, name, key, sizeof(key));
    json_t *old = ks_store_get(cl, r, key);
    if (apply) {
        const char *bname = ks_api_meta_str(patch, "name");
        if (bname && strcmp(bname, name) != 0) {
            char msg[600];
            snprintf(msg, sizeof(msg),
                     "the name of the object (%s) does not match the name on the URL (%s)", bname,
                     name);
            json_decref(patch);
            ks_reply_bad_request(k->req, msg);
            return;
        }
        if (!json_is_object(json_object_get(patch, "metadata")))
            json_object_set_new(patch, "metadata", json_object());
        if (!old) {
            if (status_only) {
                json_decref(patch);
                ks_reply_not_found(k->req, r, name);
                return;
            }
            json_object_set_new(json_object_get(patch, "metadata"), "name", json_string(name));
            ks_verb_create(k, r, ns, patch, manager, "Apply");
            return;
        }
        json_t *av = json_object_get(patch, "apiVersion");
        json_t *kd = json_object_get(patch, "kind");
        if ((av && strcmp(json_string_value(av) ?: "", ks_res_api_version(r)) != 0) ||
            (kd && strcmp(json_string_value(kd) ?: "", ks_resources[r].kind) != 0)) {
            json_decref(patch);
            ks_reply_bad_request(k->req,
                                 "the apiVersion or kind of the patch does not match the resource");
            return;
        }
    } else if (!old) {
        json_decref(patch);
        ks_reply_not_found(k->req, r, name);
        return;
    }
    json_t *merged = json_deep_copy(old);
    json_t *pm = json_object_get(patch, "metadata");
    if (pm) {
        static const char *const drop[] = {"uid", "resourceVersion", "creationTimestamp",
                                           "generation", "managedFields"};
        for (size_t i = 0; i < ARRAY_LEN(drop); i++)
            json_object_del(pm, drop[i]);
    }
    ks_apply_merge(merged, patch, strategic || apply);
    json_decref(patch);
    ks_verb_update(k, r, key, old, merged, status_only,
                   manager ? manager : (apply ? NULL : "kubectl"), apply ? "Apply" : "Update");
}

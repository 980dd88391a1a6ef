/* The resource verbs of the simulated API: get, list (selectors, paging, tables) and watch,
 * create, update (PUT), delete and deletecollection, and the deployments/scale subresource.
 * PATCH is in apply.c. */
#include "base/jpool.h"
#include "verbs.h"
#include "api.h"
#include "apply.h"
#include "controller.h"
#include "misc.h"
#include "reply.h"
#include "resources.h"
#include "selector.h"
#include "store.h"
#include "table.h"

#include "base/alloc.h"
#include "base/base64.h"
#include "base/util.h"
#include "base/strbuf.h"

#include <event2/http.h>
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ns_exists(struct ks_cluster *cl, const char *ns)
{
    return ks_store_get(cl, RES_NAMESPACE, ns) != NULL;
}

static void strip_server_fields(json_t *meta)
{
    static const char *const drop[] = {"uid",        "resourceVersion", "creationTimestamp",
                                       "generation", "managedFields",   "deletionTimestamp",
                                       "selfLink"};
    for (size_t i = 0; i < ARRAY_LEN(drop); i++)
        json_object_del(meta, drop[i]);
}

void ks_verb_create(struct ks_req *k, enum ks_res r, const char *ns, json_t *obj,
                    const char *manager, const char *op)
{
    struct ks_cluster *cl = k->cl;
    const struct ks_resource *res = &ks_resources[r];
    char key[512], msg[700], uid[40], ts[40];

    if (ks_api_check_type(k, r, obj) != 0)
        goto cleanup;
    json_t *meta = json_object_get(obj, "metadata");
    const char *name = ks_api_meta_str(obj, "name");
    const char *gen = ks_api_meta_str(obj, "generateName");
    if ((!name || !*name) && gen && *gen) {
        char buf[300];
        static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
        size_t n = strlen(gen);
        snprintf(buf, sizeof(buf), "%s", gen);
        for (int i = 0; i < 5 && n + (size_t)i < sizeof(buf) - 1; i++)
            buf[n + (size_t)i] = alnum[ks_rand(cl) % (sizeof(alnum) - 1)];
        buf[n + 5 < sizeof(buf) ? n + 5 : sizeof(buf) - 1] = '\0';
        json_object_set_new(meta, "name", json_string(buf));
        name = ks_api_meta_str(obj, "name");
    }
    if (!name || !*name) {
        ks_reply_invalid(k->req, r, "",
                         json_pack("[{s:s,s:s,s:s}]", "reason", "FieldValueRequired", "message",
                                   "Required value: name or generateName is required", "field",
                                   "metadata.name"));
        goto cleanup;
    }
    if (res->namespaced) {
        const char *bns = ks_api_meta_str(obj, "namespace");
        if (bns && *bns && ns && strcmp(bns, ns) != 0) {
            ks_reply_bad_request(k->req, "the namespace of the provided object does not match the "
                                         "namespace sent on the request");
            goto cleanup;
        }
        if (!ns)
            ns = bns && *bns ? bns : "default";
        json_object_set_new(meta, "namespace", json_string(ns));
        if (!ns_exists(cl, ns)) {
            ks_reply_ns_not_found(k->req, ns);
            goto cleanup;
        }
    } else {
        json_object_del(meta, "namespace");
    }
    ks_store_key(r, ns, name, key, sizeof(key));
    if (ks_store_get(cl, r, key)) {
        char q[96];
        ks_res_qualified(r, q, sizeof(q));
        snprintf(msg, sizeof(msg), "%s \"%s\" already exists", q, name);
        ks_reply_status(k->req, 409, "AlreadyExists", msg, ks_reply_details(r, name));
        goto cleanup;
    }
    strip_server_fields(meta);
    json_object_del(obj, "status");
    ks_new_uid(cl, uid, sizeof(uid));
    ks_now_rfc3339(ts, sizeof(ts));
    json_object_set_new(meta, "uid", json_string(uid));
    json_object_set_new(meta, "resourceVersion", json_string("0"));
    if (res->has_generation)
        json_object_set_new(meta, "generation", json_integer(1));
    json_object_set_new(meta, "creationTimestamp", json_string(ts));
    ks_res_default(cl, r, obj, NULL);
    json_t *causes = ks_res_validate(r, obj);
    if (causes) {
        ks_reply_invalid(k->req, r, name, causes);
        goto cleanup;
    }
    ks_apply_set_managed(obj, manager, op, r);
    if (ks_api_param(k, "dryRun")) {
        ks_reply_json(k->req, 201, obj);
        return;
    }
    ks_store_put(cl, r, key, obj, "ADDED");
    obj = NULL; /* now owned by the store */
    ks_controller_changed(cl, r, key);
    /* the controller may have replaced the object (status): send what is stored now */
    ks_verb_send_obj(k, r, 201, json_incref(ks_store_get(cl, r, key)));
cleanup:
    json_decref(obj);
}

/* The autoscaling/v1 Scale of a deployment (reference returned). */
static json_t *scale_of(json_t *dep)
{
    json_t *meta = json_object_get(dep, "metadata");
    json_t *spec = json_object_get(dep, "spec"), *status = json_object_get(dep, "status");
    strbuf sb;
    strbuf_init(&sb, 4096);
    const char *lk;
    json_t *lv;
    json_object_foreach(json_object_get(json_object_get(spec, "selector"), "matchLabels"), lk,
                        lv) { /* the labels that fit in 4 KiB */
        if (strbuf_addf(&sb, "%s%s=%s", sb.len ? "," : "", lk, json_string_value(lv) ?: "") < 0)
            break;
    }
    json_t *sc = json_pack("{s:s,s:s,s:{s:O*,s:O*,s:O*,s:O*,s:O*},s:{s:I},s:{s:I,s:s}}", "kind",
                           "Scale", "apiVersion", "autoscaling/v1", "metadata", "name",
                           json_object_get(meta, "name"), "namespace",
                           json_object_get(meta, "namespace"), "uid", json_object_get(meta, "uid"),
                           "resourceVersion", json_object_get(meta, "resourceVersion"),
                           "creationTimestamp", json_object_get(meta, "creationTimestamp"), "spec",
                           "replicas", json_integer_value(json_object_get(spec, "replicas")),
                           "status", "replicas",
                           json_integer_value(json_object_get(status, "replicas")), "selector",
                           sb.data ? sb.data : "");
    strbuf_release(&sb);
    return sc;
}

/* Sends a stored object (reference stolen), as a Scale for the scale subresource. The
 * object's JSON comes from the store when it has it (serialised once, when stored). */
void ks_verb_send_obj(struct ks_req *k, enum ks_res r, int code, json_t *obj)
{
    size_t len = 0;
    const char *text = NULL;
    const char *ns = ks_api_meta_str(obj, "namespace");
    const char *name = ks_api_meta_str(obj, "name");
    if (!k->reply_scale && name) {
        char key[512];
        ks_store_key(r, ns, name, key, sizeof(key));
        if (ks_store_get(k->cl, r, key) == obj)
            text = ks_store_text(k->cl, r, key, &len);
    }
    if (text) {
        ks_reply_text(k->req, code, "application/json", text, len);
        json_decref(obj);
        return;
    }
    if (k->reply_scale) {
        json_t *sc = scale_of(obj);
        json_decref(obj);
        obj = sc;
    }
    ks_reply_json(k->req, code, obj);
}

static bool changed_field(json_t *a, json_t *b, const char *field)
{
    json_t *x = json_object_get(a, field), *y = json_object_get(b, field);
    if (!x && !y)
        return false;
    return !x || !y || !json_equal(x, y);
}

void ks_verb_get(struct ks_req *k, enum ks_res r, const char *ns, const char *name)
{
    char key[512];
    ks_store_key(r, ns, name, key, sizeof(key));
    json_t *obj = ks_store_get(k->cl, r, key);
    if (!obj) {
        ks_reply_not_found(k->req, r, name);
    } else if (k->want_table) {
        json_t *items = json_pack("[O]", obj);
        char rv[32];
        snprintf(rv, sizeof(rv), "%" PRId64, k->cl->rv);
        ks_reply_json(k->req, 200, ks_table_build(r, items, rv));
    } else {
        ks_verb_send_obj(k, r, 200, json_incref(obj));
    }
}

void ks_verb_post(struct ks_req *k, enum ks_res r, const char *ns)
{
    char err[300];
    const char *ct = ks_api_header(k, "Content-Type");
    json_t *obj = ks_api_read_body(k, ct && strstr(ct, "yaml"), err, sizeof(err));
    if (!obj) {
        ks_api_send_body_error(k, err);
        return;
    }
    if (!ks_resources[r].namespaced)
        ns = NULL;
    else if (!ns)
        ns = ks_api_meta_str(obj, "namespace") ? ks_api_meta_str(obj, "namespace") : "default";
    char nsbuf[256];
    if (ns) {
        snprintf(nsbuf, sizeof(nsbuf), "%s", ns);
        ns = nsbuf;
    }
    ks_verb_create(k, r, ns, obj, ks_api_param(k, "fieldManager"), "Update");
}

/* Stores `obj` (stolen) as the new version of `old`; status_only for the status subresource. */
void ks_verb_update(struct ks_req *k, enum ks_res r, const char *key, json_t *old, json_t *obj,
                    bool status_only, const char *manager, const char *op)
{
    struct ks_cluster *cl = k->cl;
    const struct ks_resource *res = &ks_resources[r];
    const char *name = ks_api_meta_str(old, "name");
    json_t *meta = json_object_get(obj, "metadata");
    json_t *ometa = json_object_get(old, "metadata");

    if (status_only) {
        json_t *st = json_incref(json_object_get(obj, "status"));
        json_decref(obj);
        obj = json_deep_copy(old);
        if (st)
            json_object_set_new(obj, "status", st);
        meta = json_object_get(obj, "metadata");
    } else {
        static const char *const keep[] = {"uid",  "creationTimestamp", "namespace",
                                           "name", "generation",        "deletionTimestamp"};
        for (size_t i = 0; i < ARRAY_LEN(keep); i++) {
            json_t *v = json_object_get(ometa, keep[i]);
            if (v)
                json_object_set(meta, keep[i], v);
            else
                json_object_del(meta, keep[i]);
        }
        if (!json_object_get(meta, "managedFields") && json_object_get(ometa, "managedFields"))
            json_object_set(meta, "managedFields", json_object_get(ometa, "managedFields"));
        if (res->has_status) {
            json_t *st = json_object_get(old, "status");
            if (st)
                json_object_set(obj, "status", st);
            else
                json_object_del(obj, "status");
        }
        ks_res_default(cl, r, obj, old);
        json_t *causes = ks_res_validate(r, obj);
        if (causes) {
            ks_reply_invalid(k->req, r, name, causes);
            goto cleanup;
        }
    }
    json_object_set(meta, "resourceVersion", json_object_get(ometa, "resourceVersion"));
    if (manager)
        ks_apply_set_managed(obj, manager, op, r);
    if (json_equal(obj, old)) {
        ks_verb_send_obj(k, r, 200, json_incref(old));
        goto cleanup;
    }
    if (res->has_generation && !status_only) {
        bool bump = changed_field(obj, old, "spec");
        if (r == RES_DEPLOYMENT)
            bump = bump || changed_field(meta, ometa, "annotations");
        if (bump) {
            json_int_t gen = json_integer_value(json_object_get(ometa, "generation"));
            json_object_set_new(meta, "generation", json_integer(gen + 1));
        }
    }
    if (ks_api_param(k, "dryRun")) {
        ks_reply_json(k->req, 200, obj);
        return;
    }
    ks_store_put(cl, r, key, obj, "MODIFIED");
    obj = NULL; /* now owned by the store */
    ks_controller_changed(cl, r, key);
    ks_verb_send_obj(k, r, 200, json_incref(ks_store_get(cl, r, key)));
cleanup:
    json_decref(obj);
}

static int match_field_selector(const char *fs, const char **name, const char **ns_out,
                                bool *name_neg, char *err, size_t errlen, char *buf, size_t buflen)
{
    /* supports metadata.name and metadata.namespace with =, == and != */
    snprintf(buf, buflen, "%s", fs);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        bool neg = false;
        char *op = strstr(t, "!=");
        char *val;
        if (op) {
            neg = true;
            *op = '\0';
            val = op + 2;
        } else if ((op = strstr(t, "=="))) {
            *op = '\0';
            val = op + 2;
        } else if ((op = strchr(t, '='))) {
            *op = '\0';
            val = op + 1;
        } else {
            return err_set(err, errlen, "invalid selector: '%s'; can't understand '%s'", fs, t);
        }
        if (strcmp(t, "metadata.name") == 0) {
            *name = val;
            *name_neg = neg;
        } else if (strcmp(t, "metadata.namespace") == 0 && !neg) {
            *ns_out = val;
        } else {
            return err_set(err, errlen, "field label not supported: %s", t);
        }
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An integer query parameter such as limit or timeoutSeconds: 0 when absent or empty, 400's
 * message (the API server's wording) when it is not a whole number that fits an int. */
static int param_int(struct ks_req *k, const char *name, int *out, char *err, size_t errlen)
{
    const char *s = ks_api_param(k, name);
    *out = 0;
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < INT_MIN || v > INT_MAX)
        return err_set(err, errlen, "strconv.ParseInt: parsing \"%s\": invalid syntax", s);
    *out = (int)v;
    return 0;
}

void ks_verb_list(struct ks_req *k, enum ks_res r, const char *ns)
{
    struct ks_cluster *cl = k->cl;
    const struct ks_resource *res = &ks_resources[r];
    char err[300], fsbuf[512];
    const char *name = NULL, *fns = NULL;
    bool name_neg = false;
    json_t *sel = NULL;
    const char *ls = ks_api_param(k, "labelSelector");
    const char *fs = ks_api_param(k, "fieldSelector");
    if (ls && *ls && !(sel = ks_selector_parse(ls, err, sizeof(err)))) {
        ks_reply_bad_request(k->req, err);
        return;
    }
    if (fs && *fs &&
        match_field_selector(fs, &name, &fns, &name_neg, err, sizeof(err), fsbuf, sizeof(fsbuf)) !=
            0) {
        json_decref(sel);
        ks_reply_bad_request(k->req, err);
        return;
    }
    int timeout_s, limit;
    if (param_int(k, "timeoutSeconds", &timeout_s, err, sizeof(err)) < 0 ||
        param_int(k, "limit", &limit, err, sizeof(err)) < 0) {
        json_decref(sel);
        ks_reply_bad_request(k->req, err);
        return;
    }
    if (fns) {
        if (ns && strcmp(ns, fns) != 0)
            ns = "\x01"; /* matches nothing */
        else
            ns = fns;
    }
    if (ks_api_param_true(k, "watch")) {
        if (name_neg) {
            json_decref(sel);
            ks_reply_bad_request(k->req,
                                 "field selector metadata.name!= is not supported for watch");
            return;
        }
        ks_watch_start(cl, k->req, k->conn, r, ns, name, sel, ks_api_param(k, "resourceVersion"),
                       timeout_s, k->want_table);
        return;
    }

    size_t n = json_object_size(cl->store[r]), m = 0;
    const char **keys = xcalloc(n ? n : 1, sizeof(*keys));
    const char *key;
    json_t *obj;
    json_object_foreach(cl->store[r], key, obj) {
        const char *ons = ks_api_meta_str(obj, "namespace");
        const char *oname = ks_api_meta_str(obj, "name");
        if (ns && (!ons || strcmp(ons, ns) != 0))
            continue;
        if (name && ((strcmp(oname, name) == 0) == name_neg))
            continue;
        if (sel && !ks_selector_match(sel, obj))
            continue;
        keys[m++] = key;
    }
    qsort(keys, m, sizeof(*keys), cmp_str);
    size_t start = 0;
    const char *cont = ks_api_param(k, "continue");
    if (cont && *cont) {
        /* the continue token is the base64 of the last key of the previous page */
        unsigned char *after = NULL;
        size_t alen;
        if (base64_decode(cont, strlen(cont), &after, &alen) < 0) {
            free(keys);
            json_decref(sel);
            ks_reply_bad_request(k->req, "continue key is not valid: illegal base64 data");
            return;
        }
        while (start < m && strcmp(keys[start], (const char *)after) <= 0)
            start++;
        free(after);
    }
    size_t end = m;
    if (limit > 0 && start + (size_t)limit < m)
        end = start + (size_t)limit;
    json_t *items = json_array();
    for (size_t i = start; i < end; i++)
        json_array_append(items, ks_store_get(cl, r, keys[i]));
    char rv[32];
    snprintf(rv, sizeof(rv), "%" PRId64, cl->rv);
    json_t *lmeta = json_pack("{s:s}", "resourceVersion", rv);
    if (end < m) {
        char *tok = base64_encode(keys[end - 1], strlen(keys[end - 1]));
        json_object_set_new(lmeta, "continue", json_string(tok));
        free(tok);
        json_object_set_new(lmeta, "remainingItemCount", json_integer((json_int_t)(m - end)));
    }
    free(keys);
    json_decref(sel);
    if (k->want_table) {
        json_t *t = ks_table_build(r, items, rv);
        if (json_object_get(lmeta, "continue"))
            json_object_set(json_object_get(t, "metadata"), "continue",
                            json_object_get(lmeta, "continue"));
        json_decref(lmeta);
        ks_reply_json(k->req, 200, t);
        return;
    }
    char kind[64];
    snprintf(kind, sizeof(kind), "%sList", res->kind);
    ks_reply_json(k->req, 200,
                  json_pack("{s:s,s:s,s:o,s:o}", "kind", kind, "apiVersion", ks_res_api_version(r),
                            "metadata", lmeta, "items", items));
}

void ks_verb_delete(struct ks_req *k, enum ks_res r, const char *ns, const char *name)
{
    struct ks_cluster *cl = k->cl;
    char key[512], msg[400];
    ks_store_key(r, ns, name, key, sizeof(key));
    json_t *old = ks_store_get(cl, r, key);
    if (!old) {
        ks_reply_not_found(k->req, r, name);
        return;
    }
    if (r == RES_NAMESPACE && (strcmp(name, "default") == 0 || strcmp(name, "kube-system") == 0 ||
                               strcmp(name, "kube-public") == 0)) {
        snprintf(msg, sizeof(msg),
                 "namespaces \"%s\" is forbidden: this namespace may not be deleted", name);
        ks_reply_status(k->req, 403, "Forbidden", msg, ks_reply_details(r, name));
        return;
    }
    json_t *uid = json_incref(json_object_get(json_object_get(old, "metadata"), "uid"));
    if (ks_api_param(k, "dryRun")) {
        json_t *d = ks_reply_details(r, name);
        json_object_set_new(d, "uid", uid);
        ks_reply_json(k->req, 200,
                      json_pack("{s:s,s:s,s:{},s:s,s:o}", "kind", "Status", "apiVersion", "v1",
                                "metadata", "status", "Success", "details", d));
        return;
    }
    if (r == RES_NAMESPACE) {
        /* namespace deletion takes everything in it along, at once */
        json_t *copy = json_deep_copy(old);
        for (int rr = 0; rr < RES_COUNT; rr++) {
            if (!ks_resources[rr].namespaced)
                continue;
            const char *kk;
            json_t *o;
            void *tmp;
            json_object_foreach_safe(cl->store[rr], tmp, kk, o) {
                const char *ons = ks_api_meta_str(o, "namespace");
                if (ons && strcmp(ons, name) == 0)
                    ks_store_delete(cl, (enum ks_res)rr, kk);
            }
        }
        ks_store_delete(cl, r, key);
        json_t *st = json_object_get(copy, "status");
        if (json_is_object(st))
            json_object_set_new(st, "phase", json_string("Terminating"));
        char ts[40];
        ks_now_rfc3339(ts, sizeof(ts));
        json_object_set_new(json_object_get(copy, "metadata"), "deletionTimestamp",
                            json_string(ts));
        json_decref(uid);
        ks_reply_json(k->req, 200, copy);
        return;
    }
    ks_store_delete(cl, r, key);
    json_t *d = ks_reply_details(r, name);
    json_object_set_new(d, "uid", uid);
    ks_reply_json(k->req, 200,
                  json_pack("{s:s,s:s,s:{},s:s,s:o}", "kind", "Status", "apiVersion", "v1",
                            "metadata", "status", "Success", "details", d));
}

void ks_verb_delete_collection(struct ks_req *k, enum ks_res r, const char *ns)
{
    struct ks_cluster *cl = k->cl;
    char err[300];
    json_t *sel = NULL;
    const char *ls = ks_api_param(k, "labelSelector");
    if (ls && *ls && !(sel = ks_selector_parse(ls, err, sizeof(err)))) {
        ks_reply_bad_request(k->req, err);
        return;
    }
    json_t *items = json_array();
    const char *key;
    json_t *obj;
    void *tmp;
    json_object_foreach_safe(cl->store[r], tmp, key, obj) {
        const char *ons = ks_api_meta_str(obj, "namespace");
        if (r == RES_NAMESPACE)
            continue;
        if (ns && (!ons || strcmp(ons, ns) != 0))
            continue;
        if (sel && !ks_selector_match(sel, obj))
            continue;
        json_array_append(items, obj);
        ks_store_delete(cl, r, key);
    }
    json_decref(sel);
    char kind[64];
    snprintf(kind, sizeof(kind), "%sList", ks_resources[r].kind);
    ks_reply_json(k->req, 200,
                  json_pack("{s:s,s:s,s:{},s:o}", "kind", kind, "apiVersion", ks_res_api_version(r),
                            "metadata", "items", items));
}

void ks_verb_put(struct ks_req *k, enum ks_res r, const char *ns, const char *name,
                 bool status_only)
{
    struct ks_cluster *cl = k->cl;
    char key[512], err[300], msg[600];
    const char *ct = ks_api_header(k, "Content-Type");
    json_t *obj = ks_api_read_body(k, ct && strstr(ct, "yaml"), err, sizeof(err));
    if (!obj) {
        ks_api_send_body_error(k, err);
        return;
    }
    if (ks_api_check_type(k, r, obj) != 0) {
        json_decref(obj);
        return;
    }
    const char *bname = ks_api_meta_str(obj, "name");
    if (!bname || strcmp(bname, name) != 0) {
        snprintf(msg, sizeof(msg),
                 "the name of the object (%s) does not match the name on the URL (%s)",
                 bname ? bname : "", name);
        json_decref(obj);
        ks_reply_bad_request(k->req, msg);
        return;
    }
    ks_store_key(r, ns, name, key, sizeof(key));
    json_t *old = ks_store_get(cl, r, key);
    if (!old) {
        json_decref(obj);
        ks_reply_not_found(k->req, r, name);
        return;
    }
    const char *brv = ks_api_meta_str(obj, "resourceVersion");
    const char *orv = ks_api_meta_str(old, "resourceVersion");
    if (brv && *brv && strcmp(brv, orv) != 0) {
        char q[96];
        ks_res_qualified(r, q, sizeof(q));
        snprintf(msg, sizeof(msg),
                 "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please "
                 "apply your changes to the latest version and try again",
                 q, name);
        json_decref(obj);
        ks_reply_status(k->req, 409, "Conflict", msg, ks_reply_details(r, name));
        return;
    }
    ks_verb_update(k, r, key, old, obj, status_only, ks_api_param(k, "fieldManager"), "Update");
}

/* GET, PUT and PATCH (merge or strategic) of deployments/NAME/scale. */
void ks_verb_scale(struct ks_req *k, const char *ns, const char *name)
{
    char key[512], err[300];
    ks_store_key(RES_DEPLOYMENT, ns, name, key, sizeof(key));
    json_t *dep = ks_store_get(k->cl, RES_DEPLOYMENT, key);
    if (!dep) {
        ks_reply_not_found(k->req, RES_DEPLOYMENT, name);
        return;
    }
    k->reply_scale = true;
    if (k->method == EVHTTP_REQ_GET) {
        ks_verb_send_obj(k, RES_DEPLOYMENT, 200, json_incref(dep));
        return;
    }
    if (k->method != EVHTTP_REQ_PUT && k->method != EVHTTP_REQ_PATCH) {
        ks_reply_status(k->req, 405, "MethodNotAllowed",
                        "the server does not allow this method on the requested resource", NULL);
        return;
    }
    json_t *body = ks_api_read_body(k, false, err, sizeof(err));
    if (!body) {
        ks_api_send_body_error(k, err);
        return;
    }
    json_t *cur = scale_of(dep);
    if (k->method == EVHTTP_REQ_PUT) {
        const char *brv = ks_api_meta_str(body, "resourceVersion");
        if (brv && *brv && strcmp(brv, ks_api_meta_str(dep, "resourceVersion")) != 0) {
            char msg[600];
            snprintf(msg, sizeof(msg),
                     "Operation cannot be fulfilled on deployments.apps \"%s\": the object has "
                     "been modified; please apply your changes to the latest version and try "
                     "again",
                     name);
            json_decref(body);
            json_decref(cur);
            ks_reply_status(k->req, 409, "Conflict", msg, ks_reply_details(RES_DEPLOYMENT, name));
            return;
        }
        json_decref(cur);
        cur = body;
    } else {
        ks_apply_merge(cur, body, false);
        json_decref(body);
    }
    json_t *rep = json_object_get(json_object_get(cur, "spec"), "replicas");
    if (!json_is_integer(rep) || json_integer_value(rep) < 0) {
        json_decref(cur);
        ks_reply_invalid(k->req, RES_DEPLOYMENT, name,
                         json_pack("[{s:s,s:s,s:s}]", "reason", "FieldValueInvalid", "message",
                                   "Invalid value: must be greater than or equal to 0", "field",
                                   "spec.replicas"));
        return;
    }
    json_t *next = json_deep_copy(dep);
    json_object_set(json_object_get(next, "spec"), "replicas", rep);
    json_decref(cur);
    ks_verb_update(k, RES_DEPLOYMENT, key, dep, next, false, ks_api_param(k, "fieldManager"),
                   "Update");
}

/* The Kubernetes API of one simulated cluster: discovery, the resource verbs (get, list,
 * watch, create, update, patch with apply/merge/strategic bodies, delete), and errors as
 * metav1.Status with the codes, reasons and messages kube-apiserver uses. */
#include "base/jpool.h"
#include "sim.h"

#include "base/log.h"
#include "base/util.h"
#include "base/strbuf.h"
#include "base/clock.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KS_MAX_SEGS 8

struct ks_req {
    struct ks_cluster *cl;
    struct evhttp_request *req;
    struct ks_conn *conn;
    enum evhttp_cmd_type method;
    struct evkeyvalq params;
    char *segs[KS_MAX_SEGS];
    int nsegs;
    char *pathbuf;
    bool want_table;
    bool reply_scale; /* the deployments/scale subresource: answer with an autoscaling/v1 Scale */
};

/* ---- replies ---- */

static const char *reason_phrase(int code)
{
    switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

struct evbuffer *ks_conn_output(struct evhttp_connection *evcon)
{
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    return bev ? bufferevent_get_output(bev) : NULL;
}

void ks_coalesce_output(struct evbuffer *out, size_t before)
{
    /* libevent's TLS bufferevent writes each chain of its output as a TLS record of its own,
     * with a write() each: the headers and the body would be two. One chain, one record;
     * only when nothing was pending before (a write that must be retried as it was). */
    if (out && before == 0 && evbuffer_get_length(out) <= 256 * 1024)
        evbuffer_pullup(out, -1);
}

static void send_text(struct evhttp_request *req, int code, const char *ctype, const char *body,
                      size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    struct evbuffer *out = ks_conn_output(evhttp_request_get_connection(req));
    size_t before = out ? evbuffer_get_length(out) : 1;
    evhttp_add_header(h, "Content-Type", ctype);
    evhttp_add_header(h, "Cache-Control", "no-cache, private");
    struct evbuffer *buf = evbuffer_new();
    if (buf)
        evbuffer_add(buf, body, len);
    evhttp_send_reply(req, code, reason_phrase(code), buf);
    if (buf)
        evbuffer_free(buf);
    ks_coalesce_output(out, before);
}

/* Sends obj (reference stolen) as JSON. */
static void send_json(struct evhttp_request *req, int code, json_t *obj)
{
    char *s = obj ? vela_json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    if (!s) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    send_text(req, code, "application/json", s, strlen(s));
    free(s);
}

void ks_api_send_status(struct evhttp_request *req, int code, const char *reason,
                        const char *message, json_t *details)
{
    json_t *st = json_pack("{s:s,s:s,s:{},s:s,s:s,s:s}", "kind", "Status", "apiVersion", "v1",
                           "metadata", "status", "Failure", "message", message, "reason", reason);
    if (st && details)
        json_object_set(st, "details", details);
    if (st)
        json_object_set_new(st, "code", json_integer(code));
    json_decref(details);
    send_json(req, code, st);
}

static json_t *details_of(enum ks_res r, const char *name)
{
    const struct ks_resource *res = &ks_resources[r];
    json_t *d = json_object();
    if (name && *name)
        json_object_set_new(d, "name", json_string(name));
    if (*res->group)
        json_object_set_new(d, "group", json_string(res->group));
    json_object_set_new(d, "kind", json_string(res->plural));
    return d;
}

static void send_not_found(struct evhttp_request *req, enum ks_res r, const char *name)
{
    char q[96], msg[512];
    ks_res_qualified(r, q, sizeof(q));
    snprintf(msg, sizeof(msg), "%s \"%s\" not found", q, name);
    ks_api_send_status(req, 404, "NotFound", msg, details_of(r, name));
}

static void send_bad_request(struct evhttp_request *req, const char *msg)
{
    ks_api_send_status(req, 400, "BadRequest", msg, NULL);
}

/* 422 with the causes from validation (stolen). */
static void send_invalid(struct evhttp_request *req, enum ks_res r, const char *name,
                         json_t *causes)
{
    const struct ks_resource *res = &ks_resources[r];
    strbuf sb;
    strbuf_init(&sb, 8192);
    strbuf_addf(&sb, "%s%s%s \"%s\" is invalid: ", res->kind, *res->group ? "." : "",
                res->group, name ? name : "");
    size_t n = json_array_size(causes);
    if (n > 1)
        strbuf_adds(&sb, "[");
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(causes, i);
        strbuf_addf(&sb, "%s%s: %s", i ? ", " : "", json_string_value(json_object_get(c, "field")),
                    json_string_value(json_object_get(c, "message")));
    }
    if (n > 1)
        strbuf_adds(&sb, "]");
    json_t *d = details_of(r, name);
    json_object_set_new(d, "kind", json_string(res->kind));
    json_object_set_new(d, "causes", causes);
    ks_api_send_status(req, 422, "Invalid", sb.data ? sb.data : "invalid", d);
    strbuf_release(&sb);
}

/* ---- discovery ---- */

static json_t *resource_list(const char *group, const char *version)
{
    json_t *list = json_array();
    for (int r = 0; r < RES_COUNT; r++) {
        const struct ks_resource *res = &ks_resources[r];
        if (strcmp(res->group, group) != 0 || strcmp(res->version, version) != 0)
            continue;
        json_t *verbs = json_pack("[s,s,s,s,s,s,s,s]", "create", "delete", "deletecollection",
                                  "get", "list", "patch", "update", "watch");
        json_t *e = json_pack("{s:s,s:s,s:b,s:s,s:o}", "name", res->plural, "singularName",
                              res->singular, "namespaced", res->namespaced, "kind", res->kind,
                              "verbs", verbs);
        if (*res->short_names) {
            json_t *sn = json_array();
            char tmp[64];
            snprintf(tmp, sizeof(tmp), "%s", res->short_names);
            for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
                json_array_append_new(sn, json_string(t));
            json_object_set_new(e, "shortNames", sn);
        }
        if (r == RES_DEPLOYMENT || r == RES_SERVICE || r == RES_JOB)
            json_object_set_new(e, "categories", json_pack("[s]", "all"));
        json_array_append_new(list, e);
        if (r == RES_DEPLOYMENT)
            json_array_append_new(list, json_pack("{s:s,s:s,s:b,s:s,s:s,s:s,s:s,s:[s,s,s]}", "name",
                                                  "deployments/scale", "singularName", "", "namespaced",
                                                  true, "group", "autoscaling", "version", "v1", "kind",
                                                  "Scale", "verbs", "get", "patch", "update"));
        if (res->has_status) {
            char sub[96];
            snprintf(sub, sizeof(sub), "%s/status", res->plural);
            json_array_append_new(list, json_pack("{s:s,s:s,s:b,s:s,s:[s,s,s]}", "name", sub,
                                                  "singularName", "", "namespaced",
                                                  res->namespaced, "kind", res->kind, "verbs",
                                                  "get", "patch", "update"));
        }
    }
    char gv[96];
    snprintf(gv, sizeof(gv), "%s%s%s", group, *group ? "/" : "", version);
    return json_pack("{s:s,s:s,s:s,s:o}", "kind", "APIResourceList", "apiVersion", "v1",
                     "groupVersion", gv, "resources", list);
}

static const char *const api_groups[] = {"apps", "batch", "networking.k8s.io"};

static json_t *group_of(const char *name)
{
    char gv[96];
    snprintf(gv, sizeof(gv), "%s/v1", name);
    return json_pack("{s:s,s:[{s:s,s:s}],s:{s:s,s:s}}", "name", name, "versions", "groupVersion",
                     gv, "version", "v1", "preferredVersion", "groupVersion", gv, "version", "v1");
}

static bool handle_discovery(struct ks_req *k)
{
    struct evhttp_request *req = k->req;
    char **s = k->segs;
    int n = k->nsegs;
    if (n == 1 && strcmp(s[0], "api") == 0) {
        char addr[64];
        snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned)k->cl->port);
        send_json(req, 200,
                  json_pack("{s:s,s:[s],s:[{s:s,s:s}]}", "kind", "APIVersions", "versions", "v1",
                            "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0",
                            "serverAddress", addr));
        return true;
    }
    if (n == 1 && strcmp(s[0], "apis") == 0) {
        json_t *groups = json_array();
        for (size_t i = 0; i < ARRAY_LEN(api_groups); i++)
            json_array_append_new(groups, group_of(api_groups[i]));
        send_json(req, 200,
                  json_pack("{s:s,s:s,s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups",
                            groups));
        return true;
    }
    if (n == 2 && strcmp(s[0], "api") == 0 && strcmp(s[1], "v1") == 0) {
        send_json(req, 200, resource_list("", "v1"));
        return true;
    }
    if ((n == 2 || n == 3) && strcmp(s[0], "apis") == 0) {
        for (size_t i = 0; i < ARRAY_LEN(api_groups); i++) {
            if (strcmp(s[1], api_groups[i]) != 0)
                continue;
            if (n == 2) {
                json_t *g = group_of(api_groups[i]);
                json_object_set_new(g, "kind", json_string("APIGroup"));
                json_object_set_new(g, "apiVersion", json_string("v1"));
                send_json(req, 200, g);
                return true;
            }
            if (strcmp(s[2], "v1") == 0) {
                send_json(req, 200, resource_list(api_groups[i], "v1"));
                return true;
            }
        }
    }
    return false;
}

/* ---- helpers ---- */

static const char *param(struct ks_req *k, const char *name)
{
    return evhttp_find_header(&k->params, name);
}

static bool param_true(struct ks_req *k, const char *name)
{
    const char *v = param(k, name);
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

static const char *header(struct ks_req *k, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(k->req), name);
}

static const char *meta_str(const json_t *obj, const char *field)
{
    return json_string_value(json_object_get(json_object_get(obj, "metadata"), field));
}

json_t *ks_proto_decode(const void *data, size_t len, char *err, size_t errlen);

/* Reads the body as JSON, or as YAML when the content type says so or JSON fails. */
static json_t *read_body(struct ks_req *k, bool yaml, char *err, size_t errlen)
{
    const char *ct = header(k, "Content-Type");
    struct evbuffer *in = evhttp_request_get_input_buffer(k->req);
    size_t len = evbuffer_get_length(in);
    if (ct && strstr(ct, "protobuf")) /* kubectl's generators: namespaces, configmaps, secrets */
        return ks_proto_decode(evbuffer_pullup(in, -1), len, err, errlen);
    if (len == 0) {
        err_set(err, errlen, "the body of the request was empty");
        return NULL;
    }
    const char *data = (const char *)evbuffer_pullup(in, -1);
    json_error_t jerr;
    json_t *v = NULL;
    /* JSON is YAML too, but jansson reads it several times faster than libyaml */
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (!yaml || (i < len && data[i] == '{'))
        v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        v = ks_yaml_load(data, len, err, errlen);
    if (v && !json_is_object(v)) {
        json_decref(v);
        err_set(err, errlen, "the body of the request is not an object");
        return NULL;
    }
    return v;
}

/* Answers a body that read_body refused: 415 for protobuf of kinds proto.c does not decode
 * (clients that can fall back to JSON do), 400 otherwise. */
static void send_body_error(struct ks_req *k, const char *err)
{
    if (strcmp(err, "protobuf") == 0)
        ks_api_send_status(k->req, 415, "UnsupportedMediaType",
                           "the body of the request was in an unknown format - accepted media "
                           "types include: application/json, application/yaml (protobuf only "
                           "for namespaces, configmaps and secrets)",
                           NULL);
    else
        send_bad_request(k->req, err);
}

static void now_rfc3339(char *out, size_t len)
{
    ks_now_rfc3339(out, len);
}

static bool ns_exists(struct ks_cluster *cl, const char *ns)
{
    return ks_store_get(cl, RES_NAMESPACE, ns) != NULL;
}

static void send_ns_not_found(struct evhttp_request *req, const char *ns)
{
    char msg[320];
    snprintf(msg, sizeof(msg), "namespaces \"%s\" not found", ns);
    ks_api_send_status(req, 404, "NotFound", msg, json_pack("{s:s,s:s}", "name", ns, "kind", "namespaces"));
}

/* Checks the body's apiVersion and kind and fills them in when missing. */
static int check_type(struct ks_req *k, enum ks_res r, json_t *obj)
{
    const struct ks_resource *res = &ks_resources[r];
    const char *av = json_string_value(json_object_get(obj, "apiVersion"));
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    char msg[256];
    if (av && strcmp(av, ks_res_api_version(r)) != 0) {
        snprintf(msg, sizeof(msg),
                 "the API version in the data (%s) does not match the expected API version (%s)",
                 av, ks_res_api_version(r));
        send_bad_request(k->req, msg);
        return -1;
    }
    if (kind && strcmp(kind, res->kind) != 0) {
        snprintf(msg, sizeof(msg), "the kind in the data (%s) does not match the expected kind (%s)",
                 kind, res->kind);
        send_bad_request(k->req, msg);
        return -1;
    }
    /* keep apiVersion and kind first, as the API server prints them */
    json_t *copy = json_deep_copy(obj);
    json_object_clear(obj);
    json_object_set_new(obj, "apiVersion", json_string(ks_res_api_version(r)));
    json_object_set_new(obj, "kind", json_string(res->kind));
    const char *key;
    json_t *v;
    json_object_foreach(copy, key, v)
    {
        if (strcmp(key, "apiVersion") != 0 && strcmp(key, "kind") != 0)
            json_object_set(obj, key, v);
    }
    json_decref(copy);
    if (!json_is_object(json_object_get(obj, "metadata")))
        json_object_set_new(obj, "metadata", json_object());
    return 0;
}

/* ---- merging ---- */

/* RFC 7386 merge patch; with `strategic`, lists of objects keyed by "name" merge by name and
 * "$" directives are dropped (an approximation of strategic merge patch). */
static void merge_into(json_t *dst, json_t *patch, bool strategic);

static bool named_list(json_t *a)
{
    size_t i;
    json_t *e;
    if (json_array_size(a) == 0)
        return false;
    json_array_foreach(a, i, e)
    {
        if (!json_is_string(json_object_get(e, "name")))
            return false;
    }
    return true;
}

static void merge_list(json_t *dst, json_t *patch)
{
    size_t i;
    json_t *pe;
    json_array_foreach(patch, i, pe)
    {
        const char *name = json_string_value(json_object_get(pe, "name"));
        size_t j;
        json_t *de;
        bool found = false;
        json_array_foreach(dst, j, de)
        {
            if (strcmp(json_string_value(json_object_get(de, "name")), name) == 0) {
                merge_into(de, pe, true);
                found = true;
                break;
            }
        }
        if (!found) {
            json_t *c = json_deep_copy(pe);
            json_t *tmp = json_object();
            merge_into(tmp, c, true);
            json_array_append_new(dst, tmp);
            json_decref(c);
        }
    }
}

static void merge_into(json_t *dst, json_t *patch, bool strategic)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(patch, tmp, key, v)
    {
        if (strategic && key[0] == '$')
            continue;
        if (json_is_null(v)) {
            json_object_del(dst, key);
            continue;
        }
        json_t *cur = json_object_get(dst, key);
        if (json_is_object(v) && json_is_object(cur)) {
            merge_into(cur, v, strategic);
        } else if (strategic && json_is_array(v) && json_is_array(cur) && named_list(v) &&
                   named_list(cur)) {
            merge_list(cur, v);
        } else if (json_is_object(v)) {
            json_t *o = json_object();
            merge_into(o, v, strategic);
            json_object_set_new(dst, key, o);
        } else {
            json_object_set_new(dst, key, json_deep_copy(v));
        }
    }
}

/* ---- create and update ---- */

static void strip_server_fields(json_t *meta)
{
    static const char *const drop[] = {"uid", "resourceVersion", "creationTimestamp",
                                       "generation", "managedFields", "deletionTimestamp",
                                       "selfLink"};
    for (size_t i = 0; i < ARRAY_LEN(drop); i++)
        json_object_del(meta, drop[i]);
}

static void set_managed(json_t *obj, const char *manager, const char *op, enum ks_res r)
{
    if (!manager || !*manager)
        return;
    char ts[40];
    now_rfc3339(ts, sizeof(ts));
    json_t *meta = json_object_get(obj, "metadata");
    json_t *mf = json_object_get(meta, "managedFields");
    if (!json_is_array(mf)) {
        mf = json_array();
        json_object_set_new(meta, "managedFields", mf);
    }
    size_t i;
    json_t *e;
    json_array_foreach(mf, i, e)
    {
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

/* Creates obj (stolen) in namespace ns. Sends the reply. */
static void send_obj(struct ks_req *k, enum ks_res r, int code, json_t *obj);

static void do_create(struct ks_req *k, enum ks_res r, const char *ns, json_t *obj,
                      const char *manager, const char *op)
{
    struct ks_cluster *cl = k->cl;
    const struct ks_resource *res = &ks_resources[r];
    char key[512], msg[700], uid[40], ts[40];

    if (check_type(k, r, obj) != 0)
        goto cleanup;
    json_t *meta = json_object_get(obj, "metadata");
    const char *name = meta_str(obj, "name");
    const char *gen = meta_str(obj, "generateName");
    if ((!name || !*name) && gen && *gen) {
        char buf[300];
        static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
        size_t n = strlen(gen);
        snprintf(buf, sizeof(buf), "%s", gen);
        for (int i = 0; i < 5 && n + (size_t)i < sizeof(buf) - 1; i++)
            buf[n + (size_t)i] = alnum[ks_rand(cl) % (sizeof(alnum) - 1)];
        buf[n + 5 < sizeof(buf) ? n + 5 : sizeof(buf) - 1] = '\0';
        json_object_set_new(meta, "name", json_string(buf));
        name = meta_str(obj, "name");
    }
    if (!name || !*name) {
        send_invalid(k->req, r, "",
                     json_pack("[{s:s,s:s,s:s}]", "reason", "FieldValueRequired", "message",
                               "Required value: name or generateName is required", "field",
                               "metadata.name"));
        goto cleanup;
    }
    if (res->namespaced) {
        const char *bns = meta_str(obj, "namespace");
        if (bns && *bns && ns && strcmp(bns, ns) != 0) {
            send_bad_request(k->req, "the namespace of the provided object does not match the "
                                     "namespace sent on the request");
            goto cleanup;
        }
        if (!ns)
            ns = bns && *bns ? bns : "default";
        json_object_set_new(meta, "namespace", json_string(ns));
        if (!ns_exists(cl, ns)) {
            send_ns_not_found(k->req, ns);
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
        ks_api_send_status(k->req, 409, "AlreadyExists", msg, details_of(r, name));
        goto cleanup;
    }
    strip_server_fields(meta);
    json_object_del(obj, "status");
    ks_new_uid(cl, uid, sizeof(uid));
    now_rfc3339(ts, sizeof(ts));
    json_object_set_new(meta, "uid", json_string(uid));
    json_object_set_new(meta, "resourceVersion", json_string("0"));
    if (res->has_generation)
        json_object_set_new(meta, "generation", json_integer(1));
    json_object_set_new(meta, "creationTimestamp", json_string(ts));
    ks_res_default(cl, r, obj, NULL);
    json_t *causes = ks_res_validate(r, obj);
    if (causes) {
        send_invalid(k->req, r, name, causes);
        goto cleanup;
    }
    set_managed(obj, manager, op, r);
    if (k->method == EVHTTP_REQ_POST && param(k, "dryRun")) {
        send_json(k->req, 201, obj);
        return;
    }
    if (param(k, "dryRun")) {
        send_json(k->req, 201, obj);
        return;
    }
    json_t *stored = ks_store_put(cl, r, key, obj, "ADDED");
    obj = NULL; /* now owned by the store */
    ks_controller_changed(cl, r, key);
    stored = ks_store_get(cl, r, key);
    send_obj(k, r, 201, json_incref(stored));
cleanup:
    json_decref(obj);
}

/* The autoscaling/v1 Scale of a deployment (reference returned). */
static json_t *scale_of(json_t *dep)
{
    json_t *meta = json_object_get(dep, "metadata");
    strbuf sb;
    strbuf_init(&sb, 4096);
    const char *lk;
    json_t *lv;
    json_object_foreach(json_object_get(json_object_get(json_object_get(dep, "spec"), "selector"), "matchLabels"), lk, lv)
        strbuf_addf(&sb, "%s%s=%s", sb.len ? "," : "", lk, json_string_value(lv) ?: "");
    json_t *sc = json_pack("{s:s,s:s,s:{s:O*,s:O*,s:O*,s:O*,s:O*},s:{s:I},s:{s:I,s:s}}", "kind",
                           "Scale", "apiVersion", "autoscaling/v1", "metadata", "name",
                           json_object_get(meta, "name"), "namespace", json_object_get(meta, "namespace"),
                           "uid", json_object_get(meta, "uid"), "resourceVersion",
                           json_object_get(meta, "resourceVersion"), "creationTimestamp",
                           json_object_get(meta, "creationTimestamp"), "spec", "replicas",
                           json_integer_value(json_object_get(json_object_get(dep, "spec"), "replicas")),
                           "status", "replicas",
                           json_integer_value(json_object_get(json_object_get(dep, "status"), "replicas")),
                           "selector", sb.data ? sb.data : "");
    strbuf_release(&sb);
    return sc;
}

/* Sends a stored object (reference stolen), as a Scale for the scale subresource. The
 * object's JSON comes from the store when it has it (serialised once, when stored). */
static void send_obj(struct ks_req *k, enum ks_res r, int code, json_t *obj)
{
    size_t len = 0;
    const char *text = NULL;
    const char *ns = meta_str(obj, "namespace");
    const char *name = meta_str(obj, "name");
    if (!k->reply_scale && name) {
        char key[512];
        ks_store_key(r, ns, name, key, sizeof(key));
        if (ks_store_get(k->cl, r, key) == obj)
            text = ks_store_text(k->cl, r, key, &len);
    }
    if (text) {
        send_text(k->req, code, "application/json", text, len);
        json_decref(obj);
        return;
    }
    if (k->reply_scale) {
        json_t *sc = scale_of(obj);
        json_decref(obj);
        obj = sc;
    }
    send_json(k->req, code, obj);
}

static bool changed_field(json_t *a, json_t *b, const char *field)
{
    json_t *x = json_object_get(a, field), *y = json_object_get(b, field);
    if (!x && !y)
        return false;
    return !x || !y || !json_equal(x, y);
}

/* Stores `obj` (stolen) as the new version of `old`; status_only for the status subresource. */
static void do_update(struct ks_req *k, enum ks_res r, const char *key, json_t *old, json_t *obj,
                      bool status_only, const char *manager, const char *op)
{
    struct ks_cluster *cl = k->cl;
    const struct ks_resource *res = &ks_resources[r];
    const char *name = meta_str(old, "name");
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
        static const char *const keep[] = {"uid", "creationTimestamp", "namespace", "name",
                                           "generation", "deletionTimestamp"};
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
            send_invalid(k->req, r, name, causes);
            goto cleanup;
        }
    }
    json_object_set(meta, "resourceVersion", json_object_get(ometa, "resourceVersion"));
    if (manager)
        set_managed(obj, manager, op, r);
    if (json_equal(obj, old)) {
        send_obj(k, r, 200, json_incref(old));
        goto cleanup;
    }
    if (res->has_generation && !status_only) {
        bool bump = changed_field(obj, old, "spec");
        if (r == RES_DEPLOYMENT)
            bump = bump || changed_field(meta, ometa, "annotations");
        if (bump)
            json_object_set_new(meta, "generation",
                                json_integer(json_integer_value(json_object_get(ometa, "generation")) + 1));
    }
    if (param(k, "dryRun")) {
        send_json(k->req, 200, obj);
        return;
    }
    ks_store_put(cl, r, key, obj, "MODIFIED");
    obj = NULL; /* now owned by the store */
    ks_controller_changed(cl, r, key);
    send_obj(k, r, 200, json_incref(ks_store_get(cl, r, key)));
cleanup:
    json_decref(obj);
}

/* ---- verbs ---- */

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

static char *b64enc(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
    return out;
}

static char *b64dec(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    int m = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
    if (m < 0) {
        free(out);
        return NULL;
    }
    while (n > 0 && s[n - 1] == '=' && m > 0) {
        n--;
        m--;
    }
    out[m] = '\0';
    return out;
}


static void do_list(struct ks_req *k, enum ks_res r, const char *ns)
{
    struct ks_cluster *cl = k->cl;
    const struct ks_resource *res = &ks_resources[r];
    char err[300], fsbuf[512];
    const char *name = NULL, *fns = NULL;
    bool name_neg = false;
    json_t *sel = NULL;
    const char *ls = param(k, "labelSelector");
    const char *fs = param(k, "fieldSelector");
    if (ls && *ls && !(sel = ks_selector_parse(ls, err, sizeof(err)))) {
        send_bad_request(k->req, err);
        return;
    }
    if (fs && *fs &&
        match_field_selector(fs, &name, &fns, &name_neg, err, sizeof(err), fsbuf, sizeof(fsbuf)) != 0) {
        json_decref(sel);
        send_bad_request(k->req, err);
        return;
    }
    if (fns) {
        if (ns && strcmp(ns, fns) != 0)
            ns = "\x01"; /* matches nothing */
        else
            ns = fns;
    }
    if (param_true(k, "watch")) {
        const char *ts = param(k, "timeoutSeconds");
        if (name_neg) {
            json_decref(sel);
            send_bad_request(k->req, "field selector metadata.name!= is not supported for watch");
            return;
        }
        ks_watch_start(cl, k->req, k->conn, r, ns, name, sel, param(k, "resourceVersion"),
                       ts ? atoi(ts) : 0, k->want_table);
        return;
    }

    size_t n = json_object_size(cl->store[r]), m = 0;
    const char **keys = calloc(n ? n : 1, sizeof(*keys));
    const char *key;
    json_t *obj;
    json_object_foreach(cl->store[r], key, obj)
    {
        const char *ons = meta_str(obj, "namespace");
        const char *oname = meta_str(obj, "name");
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
    const char *cont = param(k, "continue");
    if (cont && *cont) {
        char *after = b64dec(cont);
        if (!after) {
            free(keys);
            json_decref(sel);
            send_bad_request(k->req, "continue key is not valid: illegal base64 data");
            return;
        }
        while (start < m && strcmp(keys[start], after) <= 0)
            start++;
        free(after);
    }
    const char *lim = param(k, "limit");
    long limit = lim ? atol(lim) : 0;
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
        char *tok = b64enc(keys[end - 1]);
        if (tok)
            json_object_set_new(lmeta, "continue", json_string(tok));
        free(tok);
        json_object_set_new(lmeta, "remainingItemCount", json_integer((json_int_t)(m - end)));
    }
    free(keys);
    json_decref(sel);
    if (k->want_table) {
        json_t *t = ks_api_table(r, items, rv);
        if (json_object_get(lmeta, "continue"))
            json_object_set(json_object_get(t, "metadata"), "continue", json_object_get(lmeta, "continue"));
        json_decref(lmeta);
        send_json(k->req, 200, t);
        return;
    }
    char kind[64];
    snprintf(kind, sizeof(kind), "%sList", res->kind);
    send_json(k->req, 200,
              json_pack("{s:s,s:s,s:o,s:o}", "kind", kind, "apiVersion", ks_res_api_version(r),
                        "metadata", lmeta, "items", items));
}

static void do_delete(struct ks_req *k, enum ks_res r, const char *ns, const char *name)
{
    struct ks_cluster *cl = k->cl;
    char key[512], msg[400];
    ks_store_key(r, ns, name, key, sizeof(key));
    json_t *old = ks_store_get(cl, r, key);
    if (!old) {
        send_not_found(k->req, r, name);
        return;
    }
    if (r == RES_NAMESPACE && (strcmp(name, "default") == 0 || strcmp(name, "kube-system") == 0 ||
                               strcmp(name, "kube-public") == 0)) {
        snprintf(msg, sizeof(msg), "namespaces \"%s\" is forbidden: this namespace may not be deleted", name);
        ks_api_send_status(k->req, 403, "Forbidden", msg, details_of(r, name));
        return;
    }
    json_t *uid = json_incref(json_object_get(json_object_get(old, "metadata"), "uid"));
    if (param(k, "dryRun")) {
        json_t *d = details_of(r, name);
        json_object_set_new(d, "uid", uid);
        send_json(k->req, 200,
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
            json_object_foreach_safe(cl->store[rr], tmp, kk, o)
            {
                const char *ons = meta_str(o, "namespace");
                if (ons && strcmp(ons, name) == 0)
                    ks_store_delete(cl, (enum ks_res)rr, kk);
            }
        }
        ks_store_delete(cl, r, key);
        json_t *st = json_object_get(copy, "status");
        if (json_is_object(st))
            json_object_set_new(st, "phase", json_string("Terminating"));
        char ts[40];
        now_rfc3339(ts, sizeof(ts));
        json_object_set_new(json_object_get(copy, "metadata"), "deletionTimestamp", json_string(ts));
        json_decref(uid);
        send_json(k->req, 200, copy);
        return;
    }
    ks_store_delete(cl, r, key);
    json_t *d = details_of(r, name);
    json_object_set_new(d, "uid", uid);
    send_json(k->req, 200,
              json_pack("{s:s,s:s,s:{},s:s,s:o}", "kind", "Status", "apiVersion", "v1", "metadata",
                        "status", "Success", "details", d));
}

static void do_delete_collection(struct ks_req *k, enum ks_res r, const char *ns)
{
    struct ks_cluster *cl = k->cl;
    char err[300];
    json_t *sel = NULL;
    const char *ls = param(k, "labelSelector");
    if (ls && *ls && !(sel = ks_selector_parse(ls, err, sizeof(err)))) {
        send_bad_request(k->req, err);
        return;
    }
    json_t *items = json_array();
    const char *key;
    json_t *obj;
    void *tmp;
    json_object_foreach_safe(cl->store[r], tmp, key, obj)
    {
        const char *ons = meta_str(obj, "namespace");
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
    send_json(k->req, 200,
              json_pack("{s:s,s:s,s:{},s:o}", "kind", kind, "apiVersion", ks_res_api_version(r),
                        "metadata", "items", items));
}

static void do_patch(struct ks_req *k, enum ks_res r, const char *ns, const char *name,
                     bool status_only)
{
    struct ks_cluster *cl = k->cl;
    char key[512], err[300];
    const char *ct = header(k, "Content-Type");
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
        ks_api_send_status(k->req, 415, "UnsupportedMediaType", msg, NULL);
        return;
    }
    const char *manager = param(k, "fieldManager");
    if (apply && (!manager || !*manager)) {
        ks_api_send_status(
            k->req, 422, "Invalid",
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required "
            "for apply patch",
            json_pack("{s:s,s:s,s:[{s:s,s:s,s:s}]}", "group", "meta.k8s.io", "kind", "PatchOptions",
                      "causes", "reason", "FieldValueRequired", "message",
                      "Required value: is required for apply patch", "field", "fieldManager"));
        return;
    }
    json_t *patch = read_body(k, apply, err, sizeof(err));
    if (!patch) {
        char msg[400];
        snprintf(msg, sizeof(msg), "error decoding patch: %s", err);
        send_bad_request(k->req, msg);
        return;
    }
    ks_store_key(r, ns, name, key, sizeof(key));
    json_t *old = ks_store_get(cl, r, key);
    if (apply) {
        const char *bname = meta_str(patch, "name");
        if (bname && strcmp(bname, name) != 0) {
            char msg[600];
            snprintf(msg, sizeof(msg),
                     "the name of the object (%s) does not match the name on the URL (%s)", bname, name);
            json_decref(patch);
            send_bad_request(k->req, msg);
            return;
        }
        if (!json_is_object(json_object_get(patch, "metadata")))
            json_object_set_new(patch, "metadata", json_object());
        if (!old) {
            if (status_only) {
                json_decref(patch);
                send_not_found(k->req, r, name);
                return;
            }
            json_object_set_new(json_object_get(patch, "metadata"), "name", json_string(name));
            do_create(k, r, ns, patch, manager, "Apply");
            return;
        }
        json_t *av = json_object_get(patch, "apiVersion");
        json_t *kd = json_object_get(patch, "kind");
        if ((av && strcmp(json_string_value(av) ?: "", ks_res_api_version(r)) != 0) ||
            (kd && strcmp(json_string_value(kd) ?: "", ks_resources[r].kind) != 0)) {
            json_decref(patch);
            send_bad_request(k->req, "the apiVersion or kind of the patch does not match the resource");
            return;
        }
    } else if (!old) {
        json_decref(patch);
        send_not_found(k->req, r, name);
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
    merge_into(merged, patch, strategic || apply);
    json_decref(patch);
    do_update(k, r, key, old, merged, status_only, manager ? manager : (apply ? NULL : "kubectl"),
              apply ? "Apply" : "Update");
}

static void do_put(struct ks_req *k, enum ks_res r, const char *ns, const char *name,
                   bool status_only)
{
    struct ks_cluster *cl = k->cl;
    char key[512], err[300], msg[600];
    const char *ct = header(k, "Content-Type");
    json_t *obj = read_body(k, ct && strstr(ct, "yaml"), err, sizeof(err));
    if (!obj) {
        send_body_error(k, err);
        return;
    }
    if (check_type(k, r, obj) != 0) {
        json_decref(obj);
        return;
    }
    const char *bname = meta_str(obj, "name");
    if (!bname || strcmp(bname, name) != 0) {
        snprintf(msg, sizeof(msg), "the name of the object (%s) does not match the name on the URL (%s)",
                 bname ? bname : "", name);
        json_decref(obj);
        send_bad_request(k->req, msg);
        return;
    }
    ks_store_key(r, ns, name, key, sizeof(key));
    json_t *old = ks_store_get(cl, r, key);
    if (!old) {
        json_decref(obj);
        send_not_found(k->req, r, name);
        return;
    }
    const char *brv = meta_str(obj, "resourceVersion");
    const char *orv = meta_str(old, "resourceVersion");
    if (brv && *brv && strcmp(brv, orv) != 0) {
        char q[96];
        ks_res_qualified(r, q, sizeof(q));
        snprintf(msg, sizeof(msg),
                 "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please "
                 "apply your changes to the latest version and try again",
                 q, name);
        json_decref(obj);
        ks_api_send_status(k->req, 409, "Conflict", msg, details_of(r, name));
        return;
    }
    do_update(k, r, key, old, obj, status_only, param(k, "fieldManager"), "Update");
}

/* GET, PUT and PATCH (merge or strategic) of deployments/NAME/scale. */
static void do_scale(struct ks_req *k, const char *ns, const char *name)
{
    char key[512], err[300];
    ks_store_key(RES_DEPLOYMENT, ns, name, key, sizeof(key));
    json_t *dep = ks_store_get(k->cl, RES_DEPLOYMENT, key);
    if (!dep) {
        send_not_found(k->req, RES_DEPLOYMENT, name);
        return;
    }
    k->reply_scale = true;
    if (k->method == EVHTTP_REQ_GET) {
        send_obj(k, RES_DEPLOYMENT, 200, json_incref(dep));
        return;
    }
    if (k->method != EVHTTP_REQ_PUT && k->method != EVHTTP_REQ_PATCH) {
        ks_api_send_status(k->req, 405, "MethodNotAllowed",
                           "the server does not allow this method on the requested resource", NULL);
        return;
    }
    json_t *body = read_body(k, false, err, sizeof(err));
    if (!body) {
        send_body_error(k, err);
        return;
    }
    json_t *cur = scale_of(dep);
    if (k->method == EVHTTP_REQ_PUT) {
        const char *brv = meta_str(body, "resourceVersion");
        if (brv && *brv && strcmp(brv, meta_str(dep, "resourceVersion")) != 0) {
            char msg[600];
            snprintf(msg, sizeof(msg),
                     "Operation cannot be fulfilled on deployments.apps \"%s\": the object has been "
                     "modified; please apply your changes to the latest version and try again", name);
            json_decref(body);
            json_decref(cur);
            ks_api_send_status(k->req, 409, "Conflict", msg, details_of(RES_DEPLOYMENT, name));
            return;
        }
        json_decref(cur);
        cur = body;
    } else {
        merge_into(cur, body, false);
        json_decref(body);
    }
    json_t *rep = json_object_get(json_object_get(cur, "spec"), "replicas");
    if (!json_is_integer(rep) || json_integer_value(rep) < 0) {
        json_decref(cur);
        send_invalid(k->req, RES_DEPLOYMENT, name,
                     json_pack("[{s:s,s:s,s:s}]", "reason", "FieldValueInvalid", "message",
                               "Invalid value: must be greater than or equal to 0", "field", "spec.replicas"));
        return;
    }
    json_t *next = json_deep_copy(dep);
    json_object_set(json_object_get(next, "spec"), "replicas", rep);
    json_decref(cur);
    do_update(k, RES_DEPLOYMENT, key, dep, next, false, param(k, "fieldManager"), "Update");
}

/* ---- routing ---- */

static bool split_path(struct ks_req *k, const char *path)
{
    k->pathbuf = strdup(path);
    if (!k->pathbuf)
        return false;
    char *save = NULL;
    for (char *t = strtok_r(k->pathbuf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (k->nsegs == KS_MAX_SEGS)
            return false;
        k->segs[k->nsegs++] = t;
    }
    return true;
}

static void handle_resource(struct ks_req *k)
{
    char **s = k->segs;
    int n = k->nsegs;
    const char *group, *version;
    char **rest;
    int nrest;
    if (strcmp(s[0], "api") == 0 && n >= 3) {
        group = "";
        version = s[1];
        rest = s + 2;
        nrest = n - 2;
    } else if (strcmp(s[0], "apis") == 0 && n >= 4) {
        group = s[1];
        version = s[2];
        rest = s + 3;
        nrest = n - 3;
    } else {
        ks_api_send_status(k->req, 404, "NotFound", "the server could not find the requested resource", NULL);
        return;
    }
    const char *ns = NULL, *plural, *name = NULL, *sub = NULL;
    if (nrest >= 3 && strcmp(rest[0], "namespaces") == 0 && strcmp(rest[2], "status") != 0 &&
        strcmp(rest[2], "finalize") != 0) {
        ns = rest[1];
        plural = rest[2];
        name = nrest >= 4 ? rest[3] : NULL;
        sub = nrest >= 5 ? rest[4] : NULL;
        if (nrest > 5)
            goto notfound;
    } else {
        plural = rest[0];
        name = nrest >= 2 ? rest[1] : NULL;
        sub = nrest >= 3 ? rest[2] : NULL;
        if (nrest > 3)
            goto notfound;
    }
    int ri = ks_res_find(group, version, plural);
    if (ri < 0)
        goto notfound;
    enum ks_res r = (enum ks_res)ri;
    if (ns && !ks_resources[r].namespaced)
        goto notfound;
    bool status_only = false;
    if (sub && r == RES_DEPLOYMENT && strcmp(sub, "scale") == 0) {
        do_scale(k, ns, name);
        return;
    }
    if (sub) {
        if ((strcmp(sub, "status") != 0 && !(r == RES_NAMESPACE && strcmp(sub, "finalize") == 0)) ||
            !ks_resources[r].has_status)
            goto notfound;
        status_only = true;
    }
    switch (k->method) {
    case EVHTTP_REQ_GET:
    case EVHTTP_REQ_HEAD:
        if (!name) {
            do_list(k, r, ns);
        } else {
            char key[512];
            ks_store_key(r, ns, name, key, sizeof(key));
            json_t *obj = ks_store_get(k->cl, r, key);
            if (!obj) {
                send_not_found(k->req, r, name);
            } else if (k->want_table) {
                json_t *items = json_pack("[O]", obj);
                char rv[32];
                snprintf(rv, sizeof(rv), "%" PRId64, k->cl->rv);
                send_json(k->req, 200, ks_api_table(r, items, rv));
            } else {
                send_obj(k, r, 200, json_incref(obj));
            }
        }
        return;
    case EVHTTP_REQ_POST: {
        if (name)
            break;
        char err[300];
        const char *ct = header(k, "Content-Type");
        json_t *obj = read_body(k, ct && strstr(ct, "yaml"), err, sizeof(err));
        if (!obj) {
            send_body_error(k, err);
            return;
        }
        if (!ks_resources[r].namespaced)
            ns = NULL;
        else if (!ns)
            ns = meta_str(obj, "namespace") ? meta_str(obj, "namespace") : "default";
        char nsbuf[256];
        if (ns) {
            snprintf(nsbuf, sizeof(nsbuf), "%s", ns);
            ns = nsbuf;
        }
        do_create(k, r, ns, obj, param(k, "fieldManager"), "Update");
        return;
    }
    case EVHTTP_REQ_PUT:
        if (!name)
            break;
        do_put(k, r, ns, name, status_only);
        return;
    case EVHTTP_REQ_PATCH:
        if (!name)
            break;
        do_patch(k, r, ns, name, status_only);
        return;
    case EVHTTP_REQ_DELETE:
        if (!name)
            do_delete_collection(k, r, ns);
        else
            do_delete(k, r, ns, name);
        return;
    default:
        break;
    }
    ks_api_send_status(k->req, 405, "MethodNotAllowed",
                       "the server does not allow this method on the requested resource", NULL);
    return;
notfound:
    ks_api_send_status(k->req, 404, "NotFound", "the server could not find the requested resource", NULL);
}

static const char version_json[] =
    "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0-kubesim\","
    "\"gitCommit\":\"0000000000000000000000000000000000000000\",\"gitTreeState\":\"clean\","
    "\"buildDate\":\"2026-01-01T00:00:00Z\",\"goVersion\":\"go1.23.0\",\"compiler\":\"gc\","
    "\"platform\":\"linux/amd64\"}";

/* OpenAPI, as much as kubectl needs to apply with its default validation: /openapi/v3 lists
 * one document per group/version whose write operations carry the GVK extension and the
 * fieldValidation query parameter, so kubectl 1.2x+ leaves validation to the server (which
 * takes the parameter and does its own checks); /openapi/v2 is an empty document, so older
 * kubectl finds no schema for a kind and skips client-side validation, as it does for kinds
 * a server does not describe. No schemas: `kubectl explain` does not work. */
static json_t *openapi_op(enum ks_res r, const char *action)
{
    const struct ks_resource *res = &ks_resources[r];
    json_t *params = json_array();
    static const char *const names[] = {"fieldValidation", "fieldManager", "dryRun", "force"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        json_array_append_new(params, json_pack("{s:s,s:s,s:{s:s},s:b}", "name", names[i], "in",
                                                "query", "schema", "type",
                                                strcmp(names[i], "force") == 0 ? "boolean" : "string",
                                                "uniqueItems", 1));
    return json_pack("{s:s,s:o,s:{s:{s:s}},s:s,s:{s:s,s:s,s:s}}", "operationId", action,
                     "parameters", params, "responses", "200", "description", "OK",
                     "x-kubernetes-action", action, "x-kubernetes-group-version-kind", "group",
                     res->group, "version", res->version, "kind", res->kind);
}

static void ks_api_openapi(struct ks_req *k)
{
    char **s = k->segs;
    int n = k->nsegs;
    if (n == 2 && strcmp(s[1], "v2") == 0) {
        const char *accept = header(k, "Accept");
        if (accept && strstr(accept, "protobuf")) /* an empty openapi_v2.Document */
            send_text(k->req, 200, "application/octet-stream", "", 0);
        else
            send_json(k->req, 200,
                      json_pack("{s:s,s:{s:s,s:s},s:{},s:{}}", "swagger", "2.0", "info", "title",
                                "Kubernetes", "version", "v1.32.0", "paths", "definitions"));
        return;
    }
    if (n == 2 && strcmp(s[1], "v3") == 0) {
        json_t *paths = json_object();
        json_object_set_new(paths, "api/v1", json_pack("{s:s}", "serverRelativeURL", "/openapi/v3/api/v1?hash=kubesim"));
        for (size_t i = 0; i < ARRAY_LEN(api_groups); i++) {
            char key[96], url[160];
            snprintf(key, sizeof(key), "apis/%s/v1", api_groups[i]);
            snprintf(url, sizeof(url), "/openapi/v3/%s?hash=kubesim", key);
            json_object_set_new(paths, key, json_pack("{s:s}", "serverRelativeURL", url));
        }
        send_json(k->req, 200, json_pack("{s:o}", "paths", paths));
        return;
    }
    const char *group = NULL;
    if (n == 4 && strcmp(s[1], "v3") == 0 && strcmp(s[2], "api") == 0 && strcmp(s[3], "v1") == 0)
        group = "";
    else if (n == 5 && strcmp(s[1], "v3") == 0 && strcmp(s[2], "apis") == 0 && strcmp(s[4], "v1") == 0)
        group = s[3];
    if (!group) {
        ks_api_send_status(k->req, 404, "NotFound", "the server could not find the requested resource", NULL);
        return;
    }
    json_t *paths = json_object();
    for (int r = 0; r < RES_COUNT; r++) {
        const struct ks_resource *res = &ks_resources[r];
        if (strcmp(res->group, group) != 0)
            continue;
        char base[160], item[200];
        if (*group)
            snprintf(base, sizeof(base), "/apis/%s/v1%s/%s", group,
                     res->namespaced ? "/namespaces/{namespace}" : "", res->plural);
        else
            snprintf(base, sizeof(base), "/api/v1%s/%s", res->namespaced ? "/namespaces/{namespace}" : "",
                     res->plural);
        snprintf(item, sizeof(item), "%s/{name}", base);
        json_object_set_new(paths, base, json_pack("{s:o}", "post", openapi_op((enum ks_res)r, "post")));
        json_object_set_new(paths, item, json_pack("{s:o,s:o}", "put", openapi_op((enum ks_res)r, "put"),
                                                   "patch", openapi_op((enum ks_res)r, "patch")));
    }
    if (json_object_size(paths) == 0) {
        json_decref(paths);
        ks_api_send_status(k->req, 404, "NotFound", "the server could not find the requested resource", NULL);
        return;
    }
    send_json(k->req, 200,
              json_pack("{s:s,s:{s:s,s:s},s:o,s:{s:{}}}", "openapi", "3.0.0", "info", "title",
                        "Kubernetes", "version", "v1.32.0", "paths", paths, "components", "schemas"));
}

void ks_api_handle(struct ks_cluster *cl, struct evhttp_request *req, struct ks_conn *conn)
{
    struct ks_req k = {.cl = cl, .req = req, .conn = conn};
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    TAILQ_INIT(&k.params);
    k.method = evhttp_request_get_command(req);
    if (!path || !*path)
        path = "/";
    if (query && evhttp_parse_query_str(query, &k.params) != 0) {
        send_bad_request(req, "invalid query string");
        goto cleanup;
    }
    const char *accept = header(&k, "Accept");
    k.want_table = accept && strstr(accept, "as=Table") && k.method == EVHTTP_REQ_GET;
    if (!split_path(&k, path)) {
        ks_api_send_status(req, 404, "NotFound", "the server could not find the requested resource", NULL);
        goto cleanup;
    }
    log_debug("cluster=%s method=%d path=%s", cl->name, (int)k.method, path);
    if (k.nsegs == 0) {
        send_json(req, 200,
                  json_pack("{s:[s,s,s,s,s,s,s,s,s]}", "paths", "/api", "/api/v1", "/apis",
                            "/apis/apps/v1", "/apis/batch/v1", "/apis/networking.k8s.io/v1",
                            "/healthz", "/openapi/v2", "/version"));
        goto cleanup;
    }
    if (strcmp(k.segs[0], "version") == 0 && k.nsegs == 1) {
        send_text(req, 200, "application/json", version_json, sizeof(version_json) - 1);
        goto cleanup;
    }
    if (strcmp(k.segs[0], "healthz") == 0 || strcmp(k.segs[0], "readyz") == 0 ||
        strcmp(k.segs[0], "livez") == 0) {
        send_text(req, 200, "text/plain; charset=utf-8", "ok", 2);
        goto cleanup;
    }
    if (strcmp(k.segs[0], "openapi") == 0) {
        ks_api_openapi(&k);
        goto cleanup;
    }
    if (k.method == EVHTTP_REQ_GET && handle_discovery(&k))
        goto cleanup;
    handle_resource(&k);
cleanup:
    evhttp_clear_headers(&k.params);
    free(k.pathbuf);
}

/* ---- tables for kubectl get ---- */

static void age_of(const char *ts, char *out, size_t len)
{
    int64_t at = clock_parse_rfc3339(ts);
    if (at < 0) {
        snprintf(out, len, "<unknown>");
        return;
    }
    long d = (long)((wall_ms() - at) / 1000);
    if (d < 0)
        d = 0;
    if (d < 120)
        snprintf(out, len, "%lds", d);
    else if (d < 3600 * 3)
        snprintf(out, len, "%ldm", d / 60);
    else if (d < 86400 * 2)
        snprintf(out, len, "%ldh", d / 3600);
    else
        snprintf(out, len, "%ldd", d / 86400);
}

static json_t *col(const char *name, const char *type, const char *format, int priority)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:i}", "name", name, "type", type, "format", format,
                     "description", name, "priority", priority);
}

json_t *ks_api_table(enum ks_res r, json_t *items, const char *rv)
{
    json_t *cols = json_array();
    json_array_append_new(cols, col("Name", "string", "name", 0));
    switch (r) {
    case RES_NAMESPACE:
        json_array_append_new(cols, col("Status", "string", "", 0));
        break;
    case RES_DEPLOYMENT:
        json_array_append_new(cols, col("Ready", "string", "", 0));
        json_array_append_new(cols, col("Up-to-date", "integer", "", 0));
        json_array_append_new(cols, col("Available", "integer", "", 0));
        break;
    case RES_SERVICE:
        json_array_append_new(cols, col("Type", "string", "", 0));
        json_array_append_new(cols, col("Cluster-IP", "string", "", 0));
        json_array_append_new(cols, col("External-IP", "string", "", 0));
        json_array_append_new(cols, col("Port(s)", "string", "", 0));
        break;
    case RES_JOB:
        json_array_append_new(cols, col("Status", "string", "", 0));
        json_array_append_new(cols, col("Completions", "string", "", 0));
        break;
    case RES_INGRESS:
        json_array_append_new(cols, col("Class", "string", "", 0));
        json_array_append_new(cols, col("Hosts", "string", "", 0));
        json_array_append_new(cols, col("Address", "string", "", 0));
        break;
    case RES_CONFIGMAP:
    case RES_SECRET:
        if (r == RES_SECRET)
            json_array_append_new(cols, col("Type", "string", "", 0));
        json_array_append_new(cols, col("Data", "string", "", 0));
        break;
    default:
        break;
    }
    json_array_append_new(cols, col("Age", "string", "", 0));
    json_t *rows = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        json_t *cells = json_array();
        json_t *spec = json_object_get(o, "spec"), *st = json_object_get(o, "status");
        char buf[512], age[32];
        json_array_append_new(cells, json_string(meta_str(o, "name")));
        switch (r) {
        case RES_NAMESPACE:
            json_array_append_new(cells, json_string(json_string_value(json_object_get(st, "phase")) ?: ""));
            break;
        case RES_DEPLOYMENT:
            snprintf(buf, sizeof(buf), "%ld/%ld", (long)json_integer_value(json_object_get(st, "readyReplicas")),
                     (long)json_integer_value(json_object_get(spec, "replicas")));
            json_array_append_new(cells, json_string(buf));
            json_array_append_new(cells, json_integer(json_integer_value(json_object_get(st, "updatedReplicas"))));
            json_array_append_new(cells, json_integer(json_integer_value(json_object_get(st, "availableReplicas"))));
            break;
        case RES_SERVICE: {
            json_array_append_new(cells, json_string(json_string_value(json_object_get(spec, "type")) ?: ""));
            json_array_append_new(cells, json_string(json_string_value(json_object_get(spec, "clusterIP")) ?: ""));
            json_t *lbi = json_array_get(json_object_get(json_object_get(st, "loadBalancer"), "ingress"), 0);
            json_array_append_new(cells, json_string(json_string_value(json_object_get(lbi, "ip")) ?: "<none>"));
            strbuf sb;
            strbuf_init(&sb, 400);
            size_t j;
            json_t *p;
            json_array_foreach(json_object_get(spec, "ports"), j, p)
            {
                if (json_object_get(p, "nodePort"))
                    strbuf_addf(&sb, "%s%ld:%ld/%s", j ? "," : "",
                                (long)json_integer_value(json_object_get(p, "port")),
                                (long)json_integer_value(json_object_get(p, "nodePort")),
                                json_string_value(json_object_get(p, "protocol")) ?: "TCP");
                else
                    strbuf_addf(&sb, "%s%ld/%s", j ? "," : "",
                                (long)json_integer_value(json_object_get(p, "port")),
                                json_string_value(json_object_get(p, "protocol")) ?: "TCP");
            }
            json_array_append_new(cells, json_string(sb.data ? sb.data : "<none>"));
            strbuf_release(&sb);
            break;
        }
        case RES_JOB: {
            long succ = (long)json_integer_value(json_object_get(st, "succeeded"));
            long comp = (long)json_integer_value(json_object_get(spec, "completions"));
            json_array_append_new(cells, json_string(succ >= comp ? "Complete" : "Running"));
            snprintf(buf, sizeof(buf), "%ld/%ld", succ, comp);
            json_array_append_new(cells, json_string(buf));
            break;
        }
        case RES_INGRESS: {
            json_array_append_new(cells, json_string(json_string_value(json_object_get(spec, "ingressClassName")) ?: "<none>"));
            strbuf sb;
            strbuf_init(&sb, 400);
            size_t j;
            json_t *rule;
            json_array_foreach(json_object_get(spec, "rules"), j, rule)
                strbuf_addf(&sb, "%s%s", j ? "," : "", json_string_value(json_object_get(rule, "host")) ?: "*");
            json_array_append_new(cells, json_string(sb.data ? sb.data : "*"));
            strbuf_release(&sb);
            json_t *lbi = json_array_get(json_object_get(json_object_get(st, "loadBalancer"), "ingress"), 0);
            json_array_append_new(cells, json_string(json_string_value(json_object_get(lbi, "ip")) ?: ""));
            break;
        }
        case RES_CONFIGMAP:
        case RES_SECRET:
            if (r == RES_SECRET)
                json_array_append_new(cells, json_string(json_string_value(json_object_get(o, "type")) ?: "Opaque"));
            snprintf(buf, sizeof(buf), "%zu", json_object_size(json_object_get(o, "data")) +
                                                  json_object_size(json_object_get(o, "binaryData")));
            json_array_append_new(cells, json_string(buf));
            break;
        default:
            break;
        }
        age_of(meta_str(o, "creationTimestamp"), age, sizeof(age));
        json_array_append_new(cells, json_string(age));
        json_t *pom = json_pack("{s:s,s:s,s:O}", "kind", "PartialObjectMetadata", "apiVersion",
                                "meta.k8s.io/v1", "metadata", json_object_get(o, "metadata"));
        json_array_append_new(rows, json_pack("{s:o,s:o}", "cells", cells, "object", pom));
    }
    json_decref(items);
    return json_pack("{s:s,s:s,s:{s:s},s:o,s:o}", "kind", "Table", "apiVersion", "meta.k8s.io/v1",
                     "metadata", "resourceVersion", rv, "columnDefinitions", cols, "rows", rows);
}

/* ---- bootstrap ---- */

static json_t *bootstrap_put(struct ks_cluster *cl, enum ks_res r, const char *ns, json_t *obj)
{
    char key[512], uid[40], ts[40];
    json_t *meta = json_object_get(obj, "metadata");
    ks_new_uid(cl, uid, sizeof(uid));
    ks_now_rfc3339(ts, sizeof(ts));
    json_object_set_new(meta, "uid", json_string(uid));
    json_object_set_new(meta, "resourceVersion", json_string("0"));
    json_object_set_new(meta, "creationTimestamp", json_string(ts));
    ks_res_default(cl, r, obj, NULL);
    ks_store_key(r, ns, json_string_value(json_object_get(meta, "name")), key, sizeof(key));
    return ks_store_put(cl, r, key, obj, "ADDED");
}

void ks_api_bootstrap(struct ks_cluster *cl)
{
    static const char *const nss[] = {"default", "kube-system", "kube-public", "kube-node-lease"};
    for (size_t i = 0; i < ARRAY_LEN(nss); i++)
        bootstrap_put(cl, RES_NAMESPACE, NULL,
                      json_pack("{s:s,s:s,s:{s:s}}", "apiVersion", "v1", "kind", "Namespace",
                                "metadata", "name", nss[i]));
    bootstrap_put(cl, RES_SERVICE, "default",
                  json_pack("{s:s,s:s,s:{s:s,s:s,s:{s:s,s:s}},s:{s:s,s:[{s:s,s:i,s:s,s:i}]}}",
                            "apiVersion", "v1", "kind", "Service", "metadata", "name", "kubernetes",
                            "namespace", "default", "labels", "component", "apiserver", "provider",
                            "kubernetes", "spec", "type", "ClusterIP", "ports", "name", "https",
                            "port", 443, "protocol", "TCP", "targetPort", 6443));
    ks_store_forget_history(cl);
}

/* The Kubernetes API of one simulated cluster: the entry point of an authenticated request,
 * its routing to discovery (discovery.c), the verbs (verbs.c) and PATCH (apply.c), the
 * helpers they share to read a request, and the objects every cluster starts with. */
#include "base/jpool.h"
#include "api.h"
#include "apply.h"
#include "discovery.h"
#include "misc.h"
#include "proto.h"
#include "reply.h"
#include "resources.h"
#include "store.h"
#include "verbs.h"

#include "base/log.h"
#include "base/alloc.h"
#include "base/util.h"
#include "yaml/ydoc.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* YAML bodies: the size is capped by the server before (server.c), nesting and nodes here
 * (alias expansions count each time, against alias bombs). */
static const ydoc_limits yaml_body_limits = {4u << 20, 64, 1000000};

const char *ks_api_param(struct ks_req *k, const char *name)
{
    return evhttp_find_header(&k->params, name);
}

bool ks_api_param_true(struct ks_req *k, const char *name)
{
    const char *v = ks_api_param(k, name);
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

const char *ks_api_header(struct ks_req *k, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(k->req), name);
}

const char *ks_api_meta_str(const json_t *obj, const char *field)
{
    return json_string_value(json_object_get(json_object_get(obj, "metadata"), field));
}

/* Reads the body as JSON, or as YAML (common/yaml, the first document of the stream) when
 * the content type says so or JSON fails. */
json_t *ks_api_read_body(struct ks_req *k, bool yaml, char *err, size_t errlen)
{
    const char *ct = ks_api_header(k, "Content-Type");
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
    if (!v && ydoc_parse_first(data, len, &yaml_body_limits, &v, err, errlen) < 0)
        return NULL;
    if (v && !json_is_object(v)) {
        json_decref(v);
        err_set(err, errlen, "the body of the request is not an object");
        return NULL;
    }
    return v;
}

/* Answers a body that ks_api_read_body refused: 415 for protobuf of kinds proto.c does not decode
 * (clients that can fall back to JSON do), 400 otherwise. */
void ks_api_send_body_error(struct ks_req *k, const char *err)
{
    if (strcmp(err, "protobuf") == 0)
        ks_reply_status(k->req, 415, "UnsupportedMediaType",
                        "the body of the request was in an unknown format - accepted media "
                        "types include: application/json, application/yaml (protobuf only "
                        "for namespaces, configmaps and secrets)",
                        NULL);
    else
        ks_reply_bad_request(k->req, err);
}

/* Checks the body's apiVersion and kind and fills them in when missing. */
int ks_api_check_type(struct ks_req *k, enum ks_res r, json_t *obj)
{
    const struct ks_resource *res = &ks_resources[r];
    const char *av = json_string_value(json_object_get(obj, "apiVersion"));
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    char msg[256];
    if (av && strcmp(av, ks_res_api_version(r)) != 0) {
        snprintf(msg, sizeof(msg),
                 "the API version in the data (%s) does not match the expected API version (%s)",
                 av, ks_res_api_version(r));
        ks_reply_bad_request(k->req, msg);
        return -1;
    }
    if (kind && strcmp(kind, res->kind) != 0) {
        snprintf(msg, sizeof(msg),
                 "the kind in the data (%s) does not match the expected kind (%s)", kind,
                 res->kind);
        ks_reply_bad_request(k->req, msg);
        return -1;
    }
    /* keep apiVersion and kind first, as the API server prints them */
    json_t *copy = json_deep_copy(obj);
    json_object_clear(obj);
    json_object_set_new(obj, "apiVersion", json_string(ks_res_api_version(r)));
    json_object_set_new(obj, "kind", json_string(res->kind));
    const char *key;
    json_t *v;
    json_object_foreach(copy, key, v) {
        if (strcmp(key, "apiVersion") != 0 && strcmp(key, "kind") != 0)
            json_object_set(obj, key, v);
    }
    json_decref(copy);
    if (!json_is_object(json_object_get(obj, "metadata")))
        json_object_set_new(obj, "metadata", json_object());
    return 0;
}

static bool split_path(struct ks_req *k, const char *path)
{
    k->pathbuf = xstrdup(path);
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
        ks_reply_status(k->req, 404, "NotFound", "the server could not find the requested resource",
                        NULL);
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
        ks_verb_scale(k, ns, name);
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
        if (!name)
            ks_verb_list(k, r, ns);
        else
            ks_verb_get(k, r, ns, name);
        return;
    case EVHTTP_REQ_POST:
        if (name)
            break;
        ks_verb_post(k, r, ns);
        return;
    case EVHTTP_REQ_PUT:
        if (!name)
            break;
        ks_verb_put(k, r, ns, name, status_only);
        return;
    case EVHTTP_REQ_PATCH:
        if (!name)
            break;
        ks_apply_patch(k, r, ns, name, status_only);
        return;
    case EVHTTP_REQ_DELETE:
        if (!name)
            ks_verb_delete_collection(k, r, ns);
        else
            ks_verb_delete(k, r, ns, name);
        return;
    default: break;
    }
    ks_reply_status(k->req, 405, "MethodNotAllowed",
                    "the server does not allow this method on the requested resource", NULL);
    return;
notfound:
    ks_reply_status(k->req, 404, "NotFound", "the server could not find the requested resource",
                    NULL);
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
        ks_reply_bad_request(req, "invalid query string");
        goto cleanup;
    }
    const char *accept = ks_api_header(&k, "Accept");
    k.want_table = accept && strstr(accept, "as=Table") && k.method == EVHTTP_REQ_GET;
    if (!split_path(&k, path)) {
        ks_reply_status(req, 404, "NotFound", "the server could not find the requested resource",
                        NULL);
        goto cleanup;
    }
    log_debug("cluster=%s method=%d path=%s", cl->name, (int)k.method, path);
    if (ks_discovery_handle(&k))
        goto cleanup;
    handle_resource(&k);
cleanup:
    evhttp_clear_headers(&k.params);
    free(k.pathbuf);
}

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

/* Answers of the simulated API: JSON bodies and metav1.Status errors with the codes, reasons
 * and messages kube-apiserver uses, each answer leaving as one TLS record. */
#include "base/jpool.h"
#include "reply.h"
#include "resources.h"

#include "base/strbuf.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct evbuffer *ks_reply_output(struct evhttp_connection *evcon)
{
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    return bev ? bufferevent_get_output(bev) : NULL;
}

void ks_reply_coalesce(struct evbuffer *out, size_t before)
{
    /* libevent's TLS bufferevent writes each chain of its output as a TLS record of its own,
     * with a write() each: the headers and the body would be two. One chain, one record;
     * only when nothing was pending before (a write that must be retried as it was). */
    if (out && before == 0 && evbuffer_get_length(out) <= 256 * 1024)
        evbuffer_pullup(out, -1);
}

void ks_reply_text(struct evhttp_request *req, int code, const char *ctype, const char *body,
                   size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    struct evbuffer *out = ks_reply_output(evhttp_request_get_connection(req));
    size_t before = out ? evbuffer_get_length(out) : 1;
    evhttp_add_header(h, "Content-Type", ctype);
    evhttp_add_header(h, "Cache-Control", "no-cache, private");
    struct evbuffer *buf = evbuffer_new();
    if (buf)
        evbuffer_add(buf, body, len);
    evhttp_send_reply(req, code, reason_phrase(code), buf);
    if (buf)
        evbuffer_free(buf);
    ks_reply_coalesce(out, before);
}

/* Sends obj (reference stolen) as JSON. */
void ks_reply_json(struct evhttp_request *req, int code, json_t *obj)
{
    char *s = obj ? vela_json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    if (!s) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    ks_reply_text(req, code, "application/json", s, strlen(s));
    free(s);
}

void ks_reply_status(struct evhttp_request *req, int code, const char *reason, const char *message,
                     json_t *details)
{
    json_t *st = json_pack("{s:s,s:s,s:{},s:s,s:s,s:s}", "kind", "Status", "apiVersion", "v1",
                           "metadata", "status", "Failure", "message", message, "reason", reason);
    if (st && details)
        json_object_set(st, "details", details);
    if (st)
        json_object_set_new(st, "code", json_integer(code));
    json_decref(details);
    ks_reply_json(req, code, st);
}

json_t *ks_reply_details(enum ks_res r, const char *name)
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

void ks_reply_not_found(struct evhttp_request *req, enum ks_res r, const char *name)
{
    char q[96], msg[512];
    ks_res_qualified(r, q, sizeof(q));
    snprintf(msg, sizeof(msg), "%s \"%s\" not found", q, name);
    ks_reply_status(req, 404, "NotFound", msg, ks_reply_details(r, name));
}

void ks_reply_ns_not_found(struct evhttp_request *req, const char *ns)
{
    char msg[320];
    snprintf(msg, sizeof(msg), "namespaces \"%s\" not found", ns);
    ks_reply_status(req, 404, "NotFound", msg,
                    json_pack("{s:s,s:s}", "name", ns, "kind", "namespaces"));
}

void ks_reply_bad_request(struct evhttp_request *req, const char *msg)
{
    ks_reply_status(req, 400, "BadRequest", msg, NULL);
}

/* 422 with the causes from validation (stolen). The message lists the causes that fit in
 * 8 KiB (all of them are in details.causes). */
void ks_reply_invalid(struct evhttp_request *req, enum ks_res r, const char *name, json_t *causes)
{
    const struct ks_resource *res = &ks_resources[r];
    strbuf sb;
    strbuf_init(&sb, 8192);
    size_t n = json_array_size(causes);
    int full = strbuf_addf(&sb, "%s%s%s \"%s\" is invalid: %s", res->kind, *res->group ? "." : "",
                           res->group, name ? name : "", n > 1 ? "[" : "");
    for (size_t i = 0; i < n && !full; i++) {
        json_t *c = json_array_get(causes, i);
        full = strbuf_addf(&sb, "%s%s: %s%s", i ? ", " : "",
                           json_string_value(json_object_get(c, "field")) ?: "",
                           json_string_value(json_object_get(c, "message")) ?: "",
                           n > 1 && i + 1 == n ? "]" : "");
    }
    json_t *d = ks_reply_details(r, name);
    json_object_set_new(d, "kind", json_string(res->kind));
    json_object_set_new(d, "causes", causes);
    ks_reply_status(req, 422, "Invalid", sb.data ? sb.data : "invalid", d);
    strbuf_release(&sb);
}

/* A cluster's objects and their history: one map per resource type, a cluster-wide
 * resourceVersion counter, a ring of recent changes so that watches can resume from a
 * resourceVersion, and the watches themselves (chunked JSON lines over HTTP/1.1). */
#include "base/jpool.h"
#include "store.h"
#include "reply.h"
#include "resources.h"
#include "selector.h"
#include "table.h"

#include "base/log.h"
#include "base/alloc.h"
#include "base/util.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KS_HISTORY 256 /* changes kept per cluster, as compact JSON text */

void ks_store_init(struct ks_cluster *cl)
{
    for (int r = 0; r < RES_COUNT; r++) {
        cl->store[r] = json_object();
        cl->text[r] = json_object();
    }
    cl->rv = 0;
    cl->hist_floor = 0;
}

void ks_store_release(struct ks_cluster *cl)
{
    for (int r = 0; r < RES_COUNT; r++) {
        json_decref(cl->store[r]);
        cl->store[r] = NULL;
        json_decref(cl->text[r]);
        cl->text[r] = NULL;
    }
    ks_store_forget_history(cl);
    for (size_t i = 0; i < cl->npending; i++)
        free(cl->pending[i].key);
    free(cl->pending);
    cl->pending = NULL;
    cl->npending = cl->apending = 0;
}

static void event_clear(struct ks_event *e)
{
    free(e->ns);
    free(e->name);
    free(e->text);
    json_decref(e->labels);
    memset(e, 0, sizeof(*e));
}

void ks_store_forget_history(struct ks_cluster *cl)
{
    if (cl->history) {
        for (size_t i = 0; i < cl->hist_len; i++)
            event_clear(&cl->history[(cl->hist_head + i) % KS_HISTORY]);
        free(cl->history);
        cl->history = NULL;
    }
    cl->hist_head = cl->hist_len = 0;
    cl->hist_floor = cl->rv;
}

void ks_store_key(enum ks_res r, const char *ns, const char *name, char *out, size_t len)
{
    if (ks_resources[r].namespaced)
        snprintf(out, len, "%s/%s", ns ? ns : "", name);
    else
        snprintf(out, len, "%s", name);
}

json_t *ks_store_get(struct ks_cluster *cl, enum ks_res r, const char *key)
{
    return json_object_get(cl->store[r], key);
}

static const char *meta_rv(const json_t *obj)
{
    const char *rv = json_string_value(
        json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
    return rv ? rv : "";
}

static bool watch_matches_fields(const struct ks_watch *w, int r, const char *ns, const char *name,
                                 const json_t *labels)
{
    if (w->res != r)
        return false;
    if (w->ns && (!ns || strcmp(ns, w->ns) != 0))
        return false;
    if (w->name && (!name || strcmp(name, w->name) != 0))
        return false;
    return !w->selector || ks_selector_match_labels(w->selector, labels);
}

static bool watch_matches(const struct ks_watch *w, int r, const json_t *obj)
{
    const json_t *meta = json_object_get(obj, "metadata");
    return watch_matches_fields(w, r, json_string_value(json_object_get(meta, "namespace")),
                                json_string_value(json_object_get(meta, "name")),
                                json_object_get(meta, "labels"));
}

#define KS_WATCH_BACKLOG (16 * 1024 * 1024)

/* Sends one event line; `text` is the object's JSON. */
static void watch_send_text(struct ks_watch *w, const char *type, const char *text)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(w->req);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    if (bev && evbuffer_get_length(bufferevent_get_output(bev)) > KS_WATCH_BACKLOG) {
        /* a client that does not read its watch: the watch is ended (the caller does it) and
         * the client has to watch again, as after the API server's watch timeout */
        if (!w->stalled)
            log_warn("cluster=%s msg=\"watch client not reading; ending the watch\"", w->cl->name);
        w->stalled = true;
        return;
    }
    struct evbuffer *buf = evbuffer_new();
    if (!buf)
        return;
    if (w->table && strcmp(type, "ERROR") != 0) {
        json_t *obj = json_loads(text, 0, NULL);
        json_t *ev = obj ? json_pack("{s:s,s:o}", "type", type, "object",
                                     ks_table_build((enum ks_res)w->res, json_pack("[O]", obj),
                                                    meta_rv(obj)))
                         : NULL;
        json_decref(obj);
        char *s = ev ? vela_json_dumps(ev, JSON_COMPACT) : NULL;
        json_decref(ev);
        if (s)
            evbuffer_add_printf(buf, "%s\n", s);
        free(s);
    } else {
        evbuffer_add_printf(buf, "{\"type\":\"%s\",\"object\":", type);
        evbuffer_add(buf, text, strlen(text));
        evbuffer_add(buf, "}\n", 2);
    }
    if (evbuffer_get_length(buf) > 0) {
        struct evbuffer *out = ks_reply_output(evcon);
        size_t before = out ? evbuffer_get_length(out) : 1;
        evhttp_send_reply_chunk(w->req, buf);
        ks_reply_coalesce(out, before);
    }
    evbuffer_free(buf);
}

static void watch_send(struct ks_watch *w, const char *type, json_t *obj)
{
    char *s = vela_json_dumps(obj, JSON_COMPACT);
    if (s)
        watch_send_text(w, type, s);
    free(s);
}

/* Records the change and returns the event (NULL if obj could not be serialised). */
static struct ks_event *record(struct ks_cluster *cl, int r, const char *type, json_t *obj)
{
    if (!cl->history)
        cl->history = xcalloc(KS_HISTORY, sizeof(*cl->history));
    if (cl->hist_len == KS_HISTORY) {
        struct ks_event *old = &cl->history[cl->hist_head];
        cl->hist_floor = old->rv;
        event_clear(old);
        cl->hist_head = (cl->hist_head + 1) % KS_HISTORY;
        cl->hist_len--;
    }
    const json_t *meta = json_object_get(obj, "metadata");
    const char *ns = json_string_value(json_object_get(meta, "namespace"));
    const char *name = json_string_value(json_object_get(meta, "name"));
    struct ks_event *e = &cl->history[(cl->hist_head + cl->hist_len) % KS_HISTORY];
    e->rv = cl->rv;
    e->res = r;
    snprintf(e->type, sizeof(e->type), "%s", type);
    e->ns = ns ? xstrdup(ns) : NULL;
    e->name = name ? xstrdup(name) : NULL;
    e->labels = json_incref(json_object_get(meta, "labels"));
    e->text = vela_json_dumps(obj, JSON_COMPACT);
    if (!e->text) {
        event_clear(e);
        cl->hist_floor = cl->rv; /* a gap: older resumes must relist */
        return NULL;
    }
    cl->hist_len++;
    return e;
}

/* Tells the watches; returns the object's JSON as recorded (NULL if it could not be). */
static const char *notify(struct ks_cluster *cl, int r, const char *type, json_t *obj)
{
    struct ks_event *e = record(cl, r, type, obj);
    struct ks_watch *next;
    for (struct ks_watch *w = cl->watches; w; w = next) {
        next = w->next; /* sending never frees a watch now, but stay safe if it did */
        if (!watch_matches(w, r, obj))
            continue;
        if (e)
            watch_send_text(w, type, e->text);
        else
            watch_send(w, type, obj);
        if (w->stalled)
            ks_watch_end(w);
    }
    return e ? e->text : NULL;
}

static void stamp_rv(struct ks_cluster *cl, json_t *obj)
{
    char rv[32];
    cl->rv++;
    snprintf(rv, sizeof(rv), "%" PRId64, cl->rv);
    json_t *meta = json_object_get(obj, "metadata");
    if (meta)
        json_object_set_new(meta, "resourceVersion", json_string(rv));
}

json_t *ks_store_put(struct ks_cluster *cl, enum ks_res r, const char *key, json_t *obj,
                     const char *type)
{
    stamp_rv(cl, obj);
    json_object_set_new(cl->store[r], key, obj); /* obj now owned by the store */
    const char *text = notify(cl, (int)r, type, obj);
    char *own = text ? NULL : vela_json_dumps(obj, JSON_COMPACT);
    if (!text)
        text = own;
    if (text)
        json_object_set_new(cl->text[r], key, json_stringn_nocheck(text, strlen(text)));
    else
        json_object_del(cl->text[r], key); /* not serialisable: answered from the object */
    free(own);
    return obj;
}

const char *ks_store_text(struct ks_cluster *cl, enum ks_res r, const char *key, size_t *len)
{
    json_t *t = json_object_get(cl->text[r], key);
    if (!t)
        return NULL;
    *len = json_string_length(t);
    return json_string_value(t);
}

void ks_store_delete(struct ks_cluster *cl, enum ks_res r, const char *key)
{
    json_t *old = json_object_get(cl->store[r], key);
    if (!old)
        return;
    json_t *gone = json_deep_copy(old);
    json_object_del(cl->store[r], key);
    json_object_del(cl->text[r], key);
    if (!gone)
        return;
    stamp_rv(cl, gone);
    notify(cl, (int)r, "DELETED", gone);
    json_decref(gone);
}

static void unlink_watch(struct ks_watch *w)
{
    struct ks_cluster *cl = w->cl;
    if (w->prev)
        w->prev->next = w->next;
    else
        cl->watches = w->next;
    if (w->next)
        w->next->prev = w->prev;
    if (w->conn)
        w->conn->watch = NULL;
    if (w->timeout)
        event_free(w->timeout);
    free(w->ns);
    free(w->name);
    json_decref(w->selector);
}

void ks_watch_end(struct ks_watch *w)
{
    struct evhttp_request *req = w->req;
    unlink_watch(w);
    free(w);
    evhttp_send_reply_end(req);
}

void ks_watch_drop(struct ks_watch *w)
{
    struct evhttp_request *req = w->req;
    unlink_watch(w);
    free(w);
    /* a request that libevent detached from its dead connection is ours to free */
    if (!evhttp_request_get_connection(req))
        evhttp_send_reply_end(req);
}

static void watch_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ks_watch_end(arg);
}

void ks_watch_start(struct ks_cluster *cl, struct evhttp_request *req, struct ks_conn *conn,
                    enum ks_res r, const char *ns, const char *name, json_t *selector,
                    const char *rv, int timeout_s, bool table)
{
    struct ks_watch *w = xcalloc(1, sizeof(*w));
    w->cl = cl;
    w->req = req;
    w->conn = conn;
    w->res = (int)r;
    w->ns = ns ? xstrdup(ns) : NULL;
    w->name = name ? xstrdup(name) : NULL;
    w->selector = selector; /* now owned by the watch */
    w->table = table;

    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", "application/json");
    evhttp_add_header(h, "Cache-Control", "no-cache, private");
    evhttp_send_reply_start(req, 200, "OK");

    w->next = cl->watches;
    if (cl->watches)
        cl->watches->prev = w;
    cl->watches = w;
    if (conn)
        conn->watch = w;
    if (timeout_s <= 0)
        timeout_s = 1800;
    w->timeout = event_new(cl->thr->base, -1, 0, watch_timeout, w);
    if (w->timeout) {
        struct timeval tv = {timeout_s, 0};
        event_add(w->timeout, &tv);
    }

    char *end = NULL;
    long long from = (rv && *rv) ? strtoll(rv, &end, 10) : 0;
    if (rv && *rv && (!end || *end)) {
        from = -1;
    }
    if (from <= 0) {
        /* "" or "0": the current state as ADDED events, then changes */
        const char *key;
        json_t *obj;
        json_object_foreach(cl->store[r], key, obj) {
            if (watch_matches(w, (int)r, obj))
                watch_send(w, "ADDED", obj);
        }
        if (w->stalled)
            ks_watch_end(w);
        return;
    }
    if (from < cl->hist_floor) {
        char msg[128];
        snprintf(msg, sizeof(msg), "too old resource version: %lld (%" PRId64 ")", from,
                 cl->hist_floor + 1);
        json_t *st = json_pack("{s:s,s:s,s:{},s:s,s:s,s:s,s:i}", "kind", "Status", "apiVersion",
                               "v1", "metadata", "status", "Failure", "message", msg, "reason",
                               "Expired", "code", 410);
        if (st)
            watch_send(w, "ERROR", st);
        json_decref(st);
        ks_watch_end(w);
        return;
    }
    for (size_t i = 0; i < cl->hist_len; i++) {
        struct ks_event *e = &cl->history[(cl->hist_head + i) % KS_HISTORY];
        if (e->rv > from && watch_matches_fields(w, e->res, e->ns, e->name, e->labels))
            watch_send_text(w, e->type, e->text);
    }
    if (w->stalled)
        ks_watch_end(w);
}

void ks_pending_add(struct ks_cluster *cl, enum ks_res r, const char *key, int64_t due_ms,
                    int64_t gen, const char *uid)
{
    if (cl->npending == cl->apending) {
        size_t n = cl->apending ? cl->apending * 2 : 8;
        cl->pending = xrealloc(cl->pending, n * sizeof(*cl->pending));
        cl->apending = n;
    }
    struct ks_pending *p = &cl->pending[cl->npending++];
    *p = (struct ks_pending){.res = (int)r, .key = xstrdup(key), .due_ms = due_ms, .gen = gen};
    snprintf(p->uid, sizeof(p->uid), "%s", uid ? uid : "");
}

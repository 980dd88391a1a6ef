/* The admin endpoint: plain HTTP on loopback, served by the main thread, for fault injection
 * in tests and demos. POST /clusters/NAME/{down,up,latency?ms=N,errors?rate=F}, GET
 * /clusters; NAME "*" means every cluster. Settings are atomics read by the cluster threads;
 * taking a listener down or up is handed to the cluster's own thread. */
#include "base/jpool.h"
#include "admin.h"
#include "server.h"

#include "base/log.h"
#include "base/alloc.h"
#include "base/util.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ks_admin {
    struct evhttp *http;
    struct ks_cluster *clusters;
    size_t nclusters;
    const char *dir;
};

static void reply(struct evhttp_request *req, int code, const char *ctype, const char *body)
{
    struct evbuffer *b = evbuffer_new();
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
    if (b)
        evbuffer_add(b, body, strlen(body));
    evhttp_send_reply(req, code, code == 200 ? "OK" : code == 404 ? "Not Found" : "Bad Request", b);
    if (b)
        evbuffer_free(b);
}

static void reply_json(struct evhttp_request *req, int code, json_t *v)
{
    char *s = vela_json_dumps(v, JSON_COMPACT);
    json_decref(v);
    reply(req, code, "application/json", s ? s : "{}");
    free(s);
}

static void reply_error(struct evhttp_request *req, int code, const char *msg)
{
    reply_json(req, code, json_pack("{s:s}", "error", msg));
}

static json_t *cluster_json(struct ks_admin *a, struct ks_cluster *cl)
{
    char server[64], kc[4200];
    snprintf(server, sizeof(server), "https://127.0.0.1:%u", (unsigned)cl->port);
    snprintf(kc, sizeof(kc), "%s/%s.kubeconfig", a->dir, cl->name);
    return json_pack("{s:s,s:s,s:s,s:b,s:i,s:f,s:I}", "name", cl->name, "server", server,
                     "kubeconfig", kc, "down", atomic_load(&cl->down) != 0, "latencyMs",
                     atomic_load(&cl->latency_ms), "errorRate",
                     atomic_load(&cl->error_permille) / 1000.0, "requests",
                     (json_int_t)atomic_load(&cl->requests));
}

static void apply_down_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ks_server_apply_down(arg);
}

static int act(struct ks_cluster *cl, const char *action, struct evkeyvalq *q, char *err,
               size_t errlen)
{
    if (strcmp(action, "down") == 0 || strcmp(action, "up") == 0) {
        atomic_store(&cl->down, action[0] == 'd');
        if (event_base_once(cl->thr->base, -1, EV_TIMEOUT, apply_down_cb, cl, NULL) != 0)
            return err_set(err, errlen, "cannot reach the cluster's thread");
        log_info("cluster=%s msg=\"admin: %s\"", cl->name, action);
        return 0;
    }
    if (strcmp(action, "latency") == 0) {
        const char *ms = evhttp_find_header(q, "ms");
        char *end;
        long v = ms ? strtol(ms, &end, 10) : -1;
        if (!ms || *end || v < 0 || v > 600000)
            return err_set(err, errlen, "latency needs ?ms=N (0 to 600000)");
        atomic_store(&cl->latency_ms, (int)v);
        log_info("cluster=%s msg=\"admin: latency\" ms=%ld", cl->name, v);
        return 0;
    }
    if (strcmp(action, "errors") == 0) {
        const char *rate = evhttp_find_header(q, "rate");
        char *end;
        double v = rate ? strtod(rate, &end) : -1;
        if (!rate || *end || v < 0 || v > 1)
            return err_set(err, errlen, "errors needs ?rate=F (0 to 1)");
        atomic_store(&cl->error_permille, (int)(v * 1000 + 0.5));
        log_info("cluster=%s msg=\"admin: errors\" rate=%.3f", cl->name, v);
        return 0;
    }
    return err_set(err, errlen, "unknown action \"%s\": use down, up, latency or errors", action);
}

static void on_admin(struct evhttp_request *req, void *arg)
{
    struct ks_admin *a = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    enum evhttp_cmd_type m = evhttp_request_get_command(req);
    struct evkeyvalq q;
    char name[128], action[32], err[256];
    TAILQ_INIT(&q);
    if (!path) {
        reply_error(req, 400, "bad request");
        return;
    }
    if (query)
        evhttp_parse_query_str(query, &q);
    if (strcmp(path, "/healthz") == 0) {
        reply(req, 200, "text/plain", "ok");
    } else if (strcmp(path, "/clusters") == 0 && m == EVHTTP_REQ_GET) {
        json_t *list = json_array();
        for (size_t i = 0; i < a->nclusters; i++)
            json_array_append_new(list, cluster_json(a, &a->clusters[i]));
        reply_json(req, 200, list);
    } else if (sscanf(path, "/clusters/%127[^/]/%31s", name, action) == 2 && m == EVHTTP_REQ_POST) {
        bool all = strcmp(name, "*") == 0 || strcmp(name, "%2A") == 0;
        size_t hits = 0;
        int rc = 0;
        for (size_t i = 0; i < a->nclusters && rc == 0; i++) {
            if (!all && strcmp(a->clusters[i].name, name) != 0)
                continue;
            hits++;
            rc = act(&a->clusters[i], action, &q, err, sizeof(err));
        }
        if (rc != 0) {
            reply_error(req, 400, err);
        } else if (hits == 0) {
            snprintf(err, sizeof(err), "cluster \"%s\" not found", name);
            reply_error(req, 404, err);
        } else if (all) {
            reply_json(req, 200, json_pack("{s:I}", "clusters", (json_int_t)hits));
        } else {
            for (size_t i = 0; i < a->nclusters; i++)
                if (strcmp(a->clusters[i].name, name) == 0)
                    reply_json(req, 200, cluster_json(a, &a->clusters[i]));
        }
    } else if (sscanf(path, "/clusters/%127[^/]", name) == 1 && m == EVHTTP_REQ_GET) {
        size_t i;
        for (i = 0; i < a->nclusters; i++)
            if (strcmp(a->clusters[i].name, name) == 0)
                break;
        if (i == a->nclusters) {
            snprintf(err, sizeof(err), "cluster \"%s\" not found", name);
            reply_error(req, 404, err);
        } else {
            reply_json(req, 200, cluster_json(a, &a->clusters[i]));
        }
    } else {
        reply_error(req, 404, "not found; see docs/kubesim.md for the admin endpoint");
    }
    evhttp_clear_headers(&q);
}

struct ks_admin *ks_admin_new(struct event_base *base, const char *host, uint16_t port,
                              struct ks_cluster *clusters, size_t n, const char *dir,
                              uint16_t *bound_port, char *err, size_t errlen)
{
    struct ks_admin *a = xcalloc(1, sizeof(*a));
    a->clusters = clusters;
    a->nclusters = n;
    a->dir = dir;
    a->http = evhttp_new(base);
    struct evhttp_bound_socket *bs = a->http ? evhttp_bind_socket_with_handle(a->http, host, port)
                                             : NULL;
    if (!bs) {
        err_set(err, errlen, "admin endpoint: cannot listen on %s:%u", host, (unsigned)port);
        ks_admin_free(a);
        return NULL;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    *bound_port = port;
    if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &sl) == 0 &&
        ss.ss_family == AF_INET)
        *bound_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    evhttp_set_allowed_methods(a->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
    evhttp_set_gencb(a->http, on_admin, a);
    return a;
}

void ks_admin_free(struct ks_admin *a)
{
    if (!a)
        return;
    if (a->http)
        evhttp_free(a->http);
    free(a);
}

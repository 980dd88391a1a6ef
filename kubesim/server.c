/* A cluster's HTTPS listener: libevent's evhttp over OpenSSL bufferevents on the owning
 * thread's event base. Every request passes the fault injection (down, latency, error rate)
 * and authentication (client certificate of this cluster's CA, or its bearer token) before it
 * reaches the API in api.c. */
#include "server.h"
#include "api.h"
#include "misc.h"
#include "pki.h"
#include "reply.h"
#include "store.h"

#include "base/log.h"
#include "base/alloc.h"
#include "base/util.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define KS_MAX_BODY (3 * 1024 * 1024 + 65536)

static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
    struct ks_cluster *cl = arg;
    SSL *ssl = SSL_new(cl->ssl_ctx);
    if (!ssl)
        return NULL;
    struct bufferevent *bev = bufferevent_openssl_socket_new(base, -1, ssl,
                                                             BUFFEREVENT_SSL_ACCEPTING,
                                                             BEV_OPT_CLOSE_ON_FREE);
    if (bev)
        bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
}

static void conn_closed(struct evhttp_connection *evcon, void *arg)
{
    struct ks_conn *c = arg;
    (void)evcon;
    if (c->watch)
        ks_watch_drop(c->watch);
    if (c->prev)
        c->prev->next = c->next;
    else
        c->cl->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
}

static struct ks_conn *conn_of(struct ks_cluster *cl, struct evhttp_request *req)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    if (!evcon)
        return NULL;
    for (struct ks_conn *c = cl->conns; c; c = c->next)
        if (c->evcon == evcon)
            return c;
    struct ks_conn *c = xcalloc(1, sizeof(*c));
    c->cl = cl;
    c->evcon = evcon;
    struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->next = cl->conns;
    if (cl->conns)
        cl->conns->prev = c;
    cl->conns = c;
    evhttp_connection_set_closecb(evcon, conn_closed, c);
    return c;
}

static bool is_public_path(const char *path)
{
    static const char *const pub[] = {"/version", "/healthz", "/readyz", "/livez"};
    for (size_t i = 0; i < ARRAY_LEN(pub); i++) {
        size_t n = strlen(pub[i]);
        if (strncmp(path, pub[i], n) == 0 && (path[n] == '\0' || path[n] == '/' || path[n] == '?'))
            return true;
    }
    return false;
}

/* 1 authenticated, 0 no credentials, -1 credentials this cluster does not accept. */
static int authenticate(struct ks_cluster *cl, struct evhttp_request *req)
{
    const char *auth = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
    if (auth) {
        if (strncasecmp(auth, "Bearer ", 7) != 0)
            return -1;
        const char *tok = auth + 7;
        size_t n = strlen(cl->token);
        if (strlen(tok) != n || CRYPTO_memcmp(tok, cl->token, n) != 0)
            return -1;
        return 1;
    }
    char user[128];
    return ks_pki_peer_user(req, user, sizeof(user));
}

static void close_reply(struct evhttp_request *req)
{
    evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
    ks_reply_status(req, 503, "ServiceUnavailable",
                    "the server is currently unable to handle the request", NULL);
}

static void process(struct ks_cluster *cl, struct evhttp_request *req)
{
    struct ks_conn *conn = conn_of(cl, req);
    if (!conn) { /* the client went away while the request waited */
        evhttp_send_error(req, 503, NULL);
        return;
    }
    if (atomic_load(&cl->down)) {
        close_reply(req);
        return;
    }
    const char *path = evhttp_request_get_uri(req);
    int permille = atomic_load(&cl->error_permille);
    if (permille > 0 && (int)(ks_rand(cl) % 1000) < permille) {
        ks_reply_status(req, 500, "InternalError",
                        "Internal error occurred: injected fault (kubesim)", NULL);
        return;
    }
    int a = authenticate(cl, req);
    if (a < 0 || (a == 0 && !is_public_path(path))) {
        log_debug("cluster=%s msg=\"unauthorized request\" path=%s", cl->name, path);
        ks_reply_status(req, 401, "Unauthorized", "Unauthorized", NULL);
        return;
    }
    ks_api_handle(cl, req, conn);
}

static void delayed_fire(evutil_socket_t fd, short what, void *arg)
{
    struct ks_delayed *d = arg;
    struct ks_cluster *cl = d->cl;
    (void)fd;
    (void)what;
    if (d->prev)
        d->prev->next = d->next;
    else
        cl->delayed = d->next;
    if (d->next)
        d->next->prev = d->prev;
    struct evhttp_request *req = d->req;
    event_free(d->ev);
    free(d);
    process(cl, req);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct ks_cluster *cl = arg;
    if (!evhttp_request_get_uri(req)) { /* libevent reports a broken request this way */
        evhttp_send_error(req, 400, NULL);
        return;
    }
    atomic_fetch_add(&cl->requests, 1);
    conn_of(cl, req); /* known from now on, so that taking the cluster down closes it */
    if (atomic_load(&cl->down)) {
        close_reply(req);
        return;
    }
    int ms = atomic_load(&cl->latency_ms);
    if (ms > 0) {
        struct ks_delayed *d = xcalloc(1, sizeof(*d));
        d->cl = cl;
        d->req = req;
        d->ev = event_new(cl->thr->base, -1, 0, delayed_fire, d);
        if (d->ev) {
            struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
            /* from now, not from the start of this loop pass (libevent's cached time):
             * the response leaves at least ms after the request arrived */
            event_base_update_cache_time(cl->thr->base);
            d->next = cl->delayed;
            if (cl->delayed)
                cl->delayed->prev = d;
            cl->delayed = d;
            event_add(d->ev, &tv);
            return;
        }
        free(d); /* libevent could not make the timer: answer at once */
    }
    process(cl, req);
}

static int bind_listener(struct ks_cluster *cl, char *err, size_t errlen)
{
    cl->bound = evhttp_bind_socket_with_handle(cl->http, "127.0.0.1", cl->port);
    if (!cl->bound)
        return err_set(err, errlen, "cluster \"%s\": cannot listen on 127.0.0.1:%u: %s", cl->name,
                       (unsigned)cl->port, strerror(errno));
    /* accepted sockets inherit TCP_NODELAY on Linux: without it a response written in two
     * TLS records waits for the client's delayed ACK (40 ms per request) */
    int one = 1;
    setsockopt(evhttp_bound_socket_get_fd(cl->bound), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (cl->port == 0) {
        struct sockaddr_in sa;
        socklen_t sl = sizeof(sa);
        if (getsockname(evhttp_bound_socket_get_fd(cl->bound), (struct sockaddr *)&sa, &sl) == 0)
            cl->port = ntohs(sa.sin_port);
    }
    return 0;
}

int ks_server_start(struct ks_cluster *cl, char *err, size_t errlen)
{
    cl->http = evhttp_new(cl->thr->base);
    if (!cl->http)
        return err_set(err, errlen, "cluster \"%s\": cannot create the HTTP server", cl->name);
    evhttp_set_bevcb(cl->http, make_bev, cl);
    evhttp_set_gencb(cl->http, on_request, cl);
    evhttp_set_allowed_methods(cl->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                             EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE |
                                             EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
    evhttp_set_max_body_size(cl->http, KS_MAX_BODY);
    evhttp_set_max_headers_size(cl->http, 64 * 1024);
    evhttp_set_timeout(cl->http, 3600);
    evhttp_set_default_content_type(cl->http, "application/json");
    return bind_listener(cl, err, errlen);
}

void ks_server_apply_down(struct ks_cluster *cl)
{
    char err[256];
    if (atomic_load(&cl->down)) {
        if (cl->bound) {
            evhttp_del_accept_socket(cl->http, cl->bound);
            cl->bound = NULL;
        }
        while (cl->watches)
            ks_watch_end(cl->watches);
        for (struct ks_conn *c = cl->conns; c; c = c->next) {
            struct bufferevent *bev = evhttp_connection_get_bufferevent(c->evcon);
            evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
            if (fd >= 0)
                shutdown(fd, SHUT_RDWR);
        }
        log_info("cluster=%s msg=\"cluster down\"", cl->name);
    } else if (!cl->bound) {
        if (bind_listener(cl, err, sizeof(err)) != 0)
            log_error("msg=\"cannot bring cluster up\" error=\"%s\"", err);
        else
            log_info("cluster=%s msg=\"cluster up\" port=%u", cl->name, (unsigned)cl->port);
    }
}

void ks_server_stop(struct ks_cluster *cl)
{
    while (cl->watches)
        ks_watch_drop(cl->watches);
    while (cl->delayed) {
        struct ks_delayed *d = cl->delayed;
        cl->delayed = d->next;
        event_free(d->ev);
        /* an attached request is freed with its connection below; a detached one is ours */
        if (!evhttp_request_get_connection(d->req))
            evhttp_request_free(d->req);
        free(d);
    }
    if (cl->http) {
        /* our connection records go with their connections (closecb) */
        evhttp_free(cl->http);
        cl->http = NULL;
        cl->bound = NULL;
    }
    while (cl->conns) { /* connections that never reached the closecb */
        struct ks_conn *c = cl->conns;
        cl->conns = c->next;
        free(c);
    }
}

void ks_server_release(struct ks_cluster *cl)
{
    ks_server_stop(cl);
    SSL_CTX_free(cl->ssl_ctx);
    cl->ssl_ctx = NULL;
}

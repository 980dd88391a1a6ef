/* The Kubernetes API client's transport on libcurl's multi interface. One thread drives
 * every transfer; each cluster has a cap on requests on the wire and a FIFO queue beyond it,
 * and a pool of easy handles already set up with its credentials (curl blobs: nothing
 * touches the disk), so that connections and TLS sessions are reused across requests. */
#include "kube/client.h"
#include "kube/resource.h"
#include "base/jpool.h"

#include "base/alloc.h"
#include "base/log.h"
#include "base/util.h"
#include "base/strbuf.h"
#include "base/clock.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- structures ------------------------------------------------------------------------- */

enum { HDR_NONE, HDR_JSON, HDR_APPLY, HDR_MERGE, HDR_COUNT };

/* One set of credentials and the easy handles set up with them. Shared by the cluster (while
 * current) and by every request that uses one of its handles, hence the reference count: a
 * credential change leaves in-flight requests on the old set. */
typedef struct kube_conf {
    int refs;
    kube_creds creds;
    CURLSH *share; /* this set's TLS sessions and DNS cache, shared by its handles */
    struct curl_slist *hdr[HDR_COUNT]; /* common headers per content type */
    CURL **idle;                       /* pool of set-up easy handles */
    int nidle, idle_alloc;
} kube_conf;

typedef struct kube_req {
    struct kube_req *next, *prev; /* queue (next only) or the in-flight list */
    kube_cluster *cl;
    kube_conf *conf; /* while in flight: a reference */
    CURL *easy;      /* while in flight */
    char method[8];
    char *path;
    char *body; /* NULL: none */
    size_t body_len;
    int hdr;                      /* HDR_* */
    struct curl_slist *extra_hdr; /* custom content type: the full list, owned */
    kube_cb cb;
    void *opaque;
    kube_watch_cb on_event; /* a watch: events as they come; cb when it ends */
    strbuf resp;
    int too_big;
    int64_t start_ms;
    char errbuf[CURL_ERROR_SIZE];
} kube_req;

struct kube_cluster {
    kube_client *kc;
    char *name;
    kube_conf *conf;
    kube_req *q_head, *q_tail;
    int queued;
    kube_req *flying; /* doubly linked */
    int inflight;
    int warm; /* a response came back on this cluster's current connection(s) */
    int removing;
};

struct kube_client {
    CURLM *multi;
    kube_client_opts opts;
    char *field_manager, *user_agent;
    char *noproxy; /* $NO_PROXY plus loopback */
    kube_cluster **clusters;
    int nclusters, clusters_alloc;
    int total;                           /* queued + in flight + failed_* */
    int nwatch;                          /* watches open (not in total) */
    kube_req *failed_head, *failed_tail; /* could not start; callbacks still to run */
    int closing;
    atomic_int woken;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_init_rc;

static void curl_init_once(void)
{
    /* With CURLOPT_NOSIGNAL (needed in threaded programs) a write to a connection the server
     * closed raises SIGPIPE, which kills the process by default: ignore it unless the program
     * installed its own handler. */
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
        sa.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &sa, NULL);
    }
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

const char *kube_status_name(kube_status s)
{
    static const char *names[] = {"ok",      "api",       "connect", "tls",
                                  "timeout", "transport", "invalid", "cancelled"};
    return (unsigned)s < ARRAY_LEN(names) ? names[s] : "unknown";
}

json_t *kube_result_parse(const kube_result *r)
{
    if (r->obj)
        return json_incref(r->obj);
    if (!r->body || r->body_len == 0)
        return NULL;
    return json_loadb(r->body, r->body_len, 0, NULL);
}

void kube_client_opts_init(kube_client_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->connect_timeout_ms = 10000; /* TCP and TLS handshake, as client-go's 10 s TLS one */
    o->request_timeout_ms = 30000;
    o->max_inflight_per_cluster = 8;
    o->max_body_bytes = 16u << 20;
    o->field_manager = "vela";
    o->user_agent = "vela/0.1";
}

/* ---- credentials sets -------------------------------------------------------------------- */

static void conf_unref(kube_conf *cf)
{
    if (!cf || --cf->refs > 0)
        return;
    for (int i = 0; i < cf->nidle; i++)
        curl_easy_cleanup(cf->idle[i]);
    free(cf->idle);
    if (cf->share)
        curl_share_cleanup(cf->share); /* after the handles that use it */
    for (int i = 0; i < HDR_COUNT; i++)
        curl_slist_free_all(cf->hdr[i]);
    kube_creds_release(&cf->creds);
    free(cf);
}

static struct curl_slist *base_headers(const kube_creds *c, const char *content_type)
{
    struct curl_slist *l = NULL, *t;
    /* "Expect:" stops curl from waiting for 100-continue on bodies above 1 KiB. */
    if (!(t = curl_slist_append(l, "Accept: application/json")))
        goto fail;
    l = t;
    if (!(t = curl_slist_append(l, "Expect:")))
        goto fail;
    l = t;
    if (content_type) {
        char h[256];
        snprintf(h, sizeof(h), "Content-Type: %s", content_type);
        if (!(t = curl_slist_append(l, h)))
            goto fail;
        l = t;
    }
    if (c->token) {
        char *h = xasprintf("Authorization: Bearer %s", c->token);
        t = curl_slist_append(l, h);
        OPENSSL_cleanse(h, strlen(h));
        free(h);
        if (!t)
            goto fail;
        l = t;
    }
    return l;
fail:
    curl_slist_free_all(l);
    return NULL;
}

static kube_conf *conf_new(const kube_creds *c)
{
    static const char *ctypes[HDR_COUNT] = {NULL, "application/json",
                                            "application/apply-patch+yaml",
                                            "application/merge-patch+json"};
    kube_conf *cf = xcalloc(1, sizeof(*cf));
    cf->refs = 1;
    kube_creds_copy(&cf->creds, c);
    if (!(cf->share = curl_share_init()))
        goto fail;
    /* One TLS session cache per cluster (curl's holds 8 sessions): new connections to the
     * cluster resume a session instead of a full handshake with certificate checks. */
    curl_share_setopt(cf->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(cf->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    for (int i = 0; i < HDR_COUNT; i++)
        if (!(cf->hdr[i] = base_headers(c, ctypes[i])))
            goto fail;
    return cf;
fail:
    conf_unref(cf);
    return NULL;
}

static int creds_equal(const kube_creds *a, const kube_creds *b)
{
#define SEQ(x, y) ((!(x) && !(y)) || ((x) && (y) && strcmp((x), (y)) == 0))
    return SEQ(a->server, b->server) && SEQ(a->ca_pem, b->ca_pem) &&
           SEQ(a->cert_pem, b->cert_pem) && SEQ(a->key_pem, b->key_pem) &&
           SEQ(a->token, b->token) && !a->insecure == !b->insecure;
#undef SEQ
}

/* A watch's body: one JSON event per line, {"type": ..., "object": {...}}; each complete
 * line goes to on_event and leaves the buffer (only a partial line is kept, within the body
 * cap). A non-2xx answer (a Status) is kept whole for complete(). */
static void watch_lines(kube_req *r)
{
    long code = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
    if (code < 200 || code >= 300)
        return;
    size_t start = 0;
    char *nl;
    while ((nl = memchr(r->resp.data + start, '\n', r->resp.len - start)) != NULL) {
        size_t len = (size_t)(nl - (r->resp.data + start));
        json_t *ev = len ? json_loadb(r->resp.data + start, len, 0, NULL) : NULL;
        const char *type = json_string_value(json_object_get(ev, "type"));
        json_t *obj = json_object_get(ev, "object");
        if (type && json_is_object(obj))
            r->on_event(type, obj, r->opaque);
        json_decref(ev);
        start += len + 1;
    }
    if (start > 0) {
        memmove(r->resp.data, r->resp.data + start, r->resp.len - start);
        r->resp.len -= start;
        r->resp.data[r->resp.len] = '\0';
    }
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    kube_req *r = userdata;
    size_t n = size * nmemb;
    if (strbuf_add(&r->resp, ptr, n) < 0) {
        r->too_big = 1;
        return 0; /* CURLE_WRITE_ERROR */
    }
    if (r->on_event)
        watch_lines(r);
    return n;
}

/* An easy handle set up with the credentials and the client's options: what stays the same
 * from one request to the next. */
static CURL *easy_new(kube_client *kc, kube_conf *cf)
{
    CURL *e = curl_easy_init();
    const kube_creds *c = &cf->creds;
    int bad = 0;
    if (!e)
        return NULL;
    bad |= curl_easy_setopt(e, CURLOPT_SHARE, cf->share);
    bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    bad |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, kc->opts.connect_timeout_ms);
    bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, kc->opts.request_timeout_ms);
    bad |= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, kc->user_agent);
    bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    /* Proxies come from the environment as in client-go, which never proxies loopback. */
    bad |= curl_easy_setopt(e, CURLOPT_NOPROXY, kc->noproxy);
    if (c->insecure) {
        bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (c->ca_pem) {
        struct curl_blob b = {c->ca_pem, c->ca_len, CURL_BLOB_COPY};
        bad |= curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &b);
    }
    if (c->cert_pem) {
        struct curl_blob cb = {c->cert_pem, c->cert_len, CURL_BLOB_COPY};
        struct curl_blob kb = {c->key_pem, c->key_len, CURL_BLOB_COPY};
        bad |= curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
        bad |= curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cb);
        bad |= curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
        bad |= curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &kb);
    }
    if (bad) {
        curl_easy_cleanup(e);
        return NULL;
    }
    return e;
}

/* ---- client and clusters ----------------------------------------------------------------- */

kube_client *kube_client_new(const kube_client_opts *opts, char *err, size_t errlen)
{
    kube_client_opts defaults;
    kube_client *kc;

    pthread_once(&curl_once, curl_init_once);
    if (curl_init_rc < 0) {
        err_set(err, errlen, "libcurl initialisation failed");
        return NULL;
    }
    kube_client_opts_init(&defaults);
    kc = xcalloc(1, sizeof(*kc));
    kc->opts = opts ? *opts : defaults;
    if (kc->opts.connect_timeout_ms <= 0)
        kc->opts.connect_timeout_ms = defaults.connect_timeout_ms;
    if (kc->opts.request_timeout_ms <= 0)
        kc->opts.request_timeout_ms = defaults.request_timeout_ms;
    if (kc->opts.max_inflight_per_cluster <= 0)
        kc->opts.max_inflight_per_cluster = defaults.max_inflight_per_cluster;
    if (kc->opts.max_body_bytes == 0)
        kc->opts.max_body_bytes = defaults.max_body_bytes;
    kc->field_manager = xstrdup(kc->opts.field_manager ? kc->opts.field_manager
                                                       : defaults.field_manager);
    kc->user_agent = xstrdup(kc->opts.user_agent ? kc->opts.user_agent : defaults.user_agent);
    kc->opts.field_manager = kc->field_manager;
    kc->opts.user_agent = kc->user_agent;
    kc->multi = curl_multi_init();
    const char *np = getenv("NO_PROXY") ? getenv("NO_PROXY") : getenv("no_proxy");
    kc->noproxy = xasprintf("%s%slocalhost,127.0.0.1,::1", np && *np ? np : "",
                            np && *np ? "," : "");
    if (!kc->multi) {
        err_set(err, errlen, "libcurl could not create a multi handle");
        kube_client_free(kc);
        return NULL;
    }
    if (!kube_resource_name_ok(kc->field_manager)) {
        err_set(err, errlen, "field manager \"%s\" is not a valid name", kc->field_manager);
        kube_client_free(kc);
        return NULL;
    }
    /* Connections live in the multi handle's pool; TLS sessions in each cluster's share. */
    curl_multi_setopt(kc->multi, CURLMOPT_MAXCONNECTS, 64L);
    return kc;
}

/* A request leaves the wire: the counts req_start and kube_client_submit raised go down. */
static void req_uncount(kube_req *r)
{
    if (r->on_event) {
        r->cl->kc->nwatch--;
    } else {
        r->cl->inflight--;
        r->cl->kc->total--;
    }
}

static void req_free(kube_req *r)
{
    if (!r)
        return;
    free(r->path);
    free(r->body);
    curl_slist_free_all(r->extra_hdr);
    strbuf_release(&r->resp);
    free(r);
}

static void cancel_req(kube_req *r)
{
    kube_result res = {0};
    res.status = KUBE_ERR_CANCELLED;
    res.message = "request cancelled";
    res.reason = "";
    res.body = "";
    res.cluster = r->cl->name;
    res.method = r->method;
    res.path = r->path;
    if (r->cb)
        r->cb(&res, r->opaque);
}

/* Runs the callback and frees the request (already unlinked and not counted). */
static void finish_req(kube_req *r, kube_result *res, char *msg, size_t msglen)
{
    (void)msglen;
    res->message = msg ? msg : "";
    if (!res->reason)
        res->reason = "";
    if (!res->body) {
        res->body = r->resp.data ? r->resp.data : "";
        res->body_len = r->resp.len;
    }
    res->cluster = r->cl->name;
    res->method = r->method;
    res->path = r->path;
    if (r->cb)
        r->cb(res, r->opaque);
    req_free(r);
}

/* Runs the callbacks of requests that could not start (all, or only those of cl). */
static void deliver_failed(kube_client *kc, kube_cluster *only, kube_status status)
{
    /* Split first: callbacks may queue requests that fail and join kc's list meanwhile. */
    kube_req *r = kc->failed_head, *next, *deliver = NULL, **dtail = &deliver;
    kc->failed_head = kc->failed_tail = NULL;
    for (; r; r = next) {
        next = r->next;
        r->next = NULL;
        if (only && r->cl != only) {
            if (kc->failed_tail)
                kc->failed_tail->next = r;
            else
                kc->failed_head = r;
            kc->failed_tail = r;
        } else {
            *dtail = r;
            dtail = &r->next;
        }
    }
    for (r = deliver; r; r = next) {
        next = r->next;
        kc->total--;
        kube_result res = {0};
        char msg[256];
        res.status = status;
        if (status == KUBE_ERR_CANCELLED)
            snprintf(msg, sizeof(msg), "request cancelled");
        else
            snprintf(msg, sizeof(msg), "cannot start a request to %s: libcurl setup failed",
                     r->cl->conf->creds.server);
        finish_req(r, &res, msg, sizeof(msg));
    }
}

/* Cancels the cluster's requests; the cluster stays allocated. */
static void cluster_cancel_all(kube_cluster *cl)
{
    kube_client *kc = cl->kc;
    deliver_failed(kc, cl, KUBE_ERR_CANCELLED);
    while (cl->flying) {
        kube_req *r = cl->flying;
        cl->flying = r->next;
        if (cl->flying)
            cl->flying->prev = NULL;
        curl_multi_remove_handle(kc->multi, r->easy);
        curl_easy_cleanup(r->easy);
        conf_unref(r->conf);
        req_uncount(r);
        cancel_req(r);
        req_free(r);
    }
    while (cl->q_head) {
        kube_req *r = cl->q_head;
        cl->q_head = r->next;
        cl->queued--;
        kc->total--;
        cancel_req(r);
        req_free(r);
    }
    cl->q_tail = NULL;
}

static void cluster_free(kube_cluster *cl)
{
    conf_unref(cl->conf);
    free(cl->name);
    free(cl);
}

void kube_client_free(kube_client *kc)
{
    if (!kc)
        return;
    kc->closing = 1;
    for (int i = 0; i < kc->nclusters; i++) {
        kc->clusters[i]->removing = 1;
        cluster_cancel_all(kc->clusters[i]);
    }
    for (int i = 0; i < kc->nclusters; i++)
        cluster_free(kc->clusters[i]);
    free(kc->clusters);
    if (kc->multi)
        curl_multi_cleanup(kc->multi);
    free(kc->field_manager);
    free(kc->user_agent);
    free(kc->noproxy);
    free(kc);
}

kube_cluster *kube_client_find(kube_client *kc, const char *name)
{
    for (int i = 0; i < kc->nclusters; i++)
        if (strcmp(kc->clusters[i]->name, name) == 0)
            return kc->clusters[i];
    return NULL;
}

kube_cluster *kube_client_cluster(kube_client *kc, const char *name, const kube_creds *creds,
                                  char *err, size_t errlen)
{
    if (!name || !*name) {
        err_set(err, errlen, "a cluster needs a name");
        return NULL;
    }
    if (!creds || !creds->server) {
        err_set(err, errlen, "cluster \"%s\": no server in the credentials", name);
        return NULL;
    }
    kube_cluster *cl = kube_client_find(kc, name);
    if (cl) {
        if (creds_equal(&cl->conf->creds, creds))
            return cl;
        kube_conf *cf = conf_new(creds);
        if (!cf) {
            err_set(err, errlen, "cluster \"%s\": libcurl could not set up its handles", name);
            return NULL;
        }
        conf_unref(cl->conf); /* in-flight requests keep their reference */
        cl->conf = cf;
        return cl;
    }
    if (kc->nclusters == kc->clusters_alloc) {
        int n = kc->clusters_alloc ? kc->clusters_alloc * 2 : 16;
        kc->clusters = xrealloc(kc->clusters, (size_t)n * sizeof(*kc->clusters));
        kc->clusters_alloc = n;
    }
    kube_conf *cf = conf_new(creds);
    if (!cf) {
        err_set(err, errlen, "cluster \"%s\": libcurl could not set up its handles", name);
        return NULL;
    }
    cl = xcalloc(1, sizeof(*cl));
    cl->name = xstrdup(name);
    cl->conf = cf;
    cl->kc = kc;
    kc->clusters[kc->nclusters++] = cl;
    /* Room in the connection pool for every cluster's full window of connections. */
    long maxconn = (long)kc->nclusters * kc->opts.max_inflight_per_cluster;
    curl_multi_setopt(kc->multi, CURLMOPT_MAXCONNECTS, maxconn < 64 ? 64L : maxconn);
    return cl;
}

void kube_client_cluster_remove(kube_client *kc, kube_cluster *cl)
{
    if (!cl)
        return;
    cl->removing = 1;
    cluster_cancel_all(cl);
    for (int i = 0; i < kc->nclusters; i++) {
        if (kc->clusters[i] == cl) {
            kc->clusters[i] = kc->clusters[--kc->nclusters];
            break;
        }
    }
    cluster_free(cl);
}

const char *kube_cluster_name(const kube_cluster *cl)
{
    return cl->name;
}

int kube_cluster_inflight(const kube_cluster *cl)
{
    return cl->inflight;
}

int kube_cluster_queued(const kube_cluster *cl)
{
    return cl->queued;
}

kube_client *kube_cluster_client(const kube_cluster *cl)
{
    return cl->kc;
}

const char *kube_client_field_manager(const kube_client *kc)
{
    return kc->field_manager;
}

int kube_client_inflight(const kube_client *kc)
{
    return kc->total;
}

void kube_client_wakeup(kube_client *kc)
{
    atomic_store(&kc->woken, 1);
    curl_multi_wakeup(kc->multi);
}

/* ---- starting and finishing requests ----------------------------------------------------- */

static int req_start(kube_cluster *cl, kube_req *r)
{
    kube_client *kc = cl->kc;
    kube_conf *cf = cl->conf;
    CURL *e = cf->nidle > 0 ? cf->idle[--cf->nidle] : easy_new(kc, cf);
    int bad = 0;

    if (!e)
        return -1;
    char *url = xasprintf("%s%s", cf->creds.server, r->path);
    strbuf_init(&r->resp, kc->opts.max_body_bytes);
    r->errbuf[0] = '\0';
    bad |= curl_easy_setopt(e, CURLOPT_URL, url);
    bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->extra_hdr ? r->extra_hdr : cf->hdr[r->hdr]);
    if (r->body) {
        bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
        bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
    } else {
        bad |= curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    bad |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST,
                            strcmp(r->method, "GET") && strcmp(r->method, "POST") ? r->method
                                                                                  : NULL);
    if (r->on_event) /* a watch lasts: no transfer timeout (TCP keepalive finds dead peers) */
        bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 0L);
    free(url); /* curl copies strings set with setopt */
    if (bad || curl_multi_add_handle(kc->multi, e) != CURLM_OK) {
        curl_easy_cleanup(e);
        return -1;
    }
    r->easy = e;
    r->conf = cf;
    cf->refs++;
    r->start_ms = now_ms();
    r->prev = NULL;
    r->next = cl->flying;
    if (cl->flying)
        cl->flying->prev = r;
    cl->flying = r;
    if (r->on_event)
        cl->kc->nwatch++; /* a watch holds no slot and is not a request in flight */
    else
        cl->inflight++;
    return 0;
}

/* Starts queued requests while the cluster has room on the wire. */
static void pump(kube_cluster *cl)
{
    /* Slow start: one request on the wire until the cluster has answered, so that a batch
     * to a fresh or unreachable cluster makes one connection (one full TLS handshake) first
     * and the rest resume its TLS session, instead of a storm of handshakes or timeouts. */
    int cap = cl->warm ? cl->kc->opts.max_inflight_per_cluster : 1;
    while (cl->q_head && cl->inflight < cap) {
        kube_req *r = cl->q_head;
        cl->q_head = r->next;
        if (!cl->q_head)
            cl->q_tail = NULL;
        cl->queued--;
        if (req_start(cl, r) < 0) {
            /* Reported from kube_client_run, never from inside a request function. */
            kube_client *kc = cl->kc;
            r->next = NULL;
            if (kc->failed_tail)
                kc->failed_tail->next = r;
            else
                kc->failed_head = r;
            kc->failed_tail = r;
        }
    }
}

int kube_client_submit(kube_cluster *cl, const char *method, char *path, char *body,
                       size_t body_len, const char *content_type, kube_cb cb, void *opaque,
                       char *err, size_t errlen)
{
    kube_client *kc = cl->kc;
    struct curl_slist *extra_hdr = NULL;
    int hdr = body ? HDR_JSON : HDR_NONE;
    if (kc->closing || cl->removing) {
        err_set(err, errlen, "cluster \"%s\" is being removed", cl->name);
        goto fail;
    }
    /* The usual content types have their header lists made once per credentials set. */
    if (!content_type || !strcmp(content_type, "application/json")) {
        hdr = content_type ? HDR_JSON : hdr;
    } else if (!strcmp(content_type, "application/apply-patch+yaml")) {
        hdr = HDR_APPLY;
    } else if (!strcmp(content_type, "application/merge-patch+json")) {
        hdr = HDR_MERGE;
    } else if (!(extra_hdr = base_headers(&cl->conf->creds, content_type))) {
        err_set(err, errlen, "libcurl could not build the headers for a request to \"%s\"",
                cl->name);
        goto fail;
    }
    kube_req *r = xcalloc(1, sizeof(*r));
    snprintf(r->method, sizeof(r->method), "%s", method);
    r->cl = cl;
    r->path = path;
    r->body = body;
    r->body_len = body_len;
    r->hdr = hdr;
    r->extra_hdr = extra_hdr;
    r->cb = cb;
    r->opaque = opaque;
    strbuf_init(&r->resp, kc->opts.max_body_bytes);
    if (cl->q_tail)
        cl->q_tail->next = r;
    else
        cl->q_head = r;
    cl->q_tail = r;
    cl->queued++;
    kc->total++;
    pump(cl);
    return 0;
fail:
    free(path);
    free(body);
    curl_slist_free_all(extra_hdr);
    return -1;
}

int kube_client_watch(kube_cluster *cl, char *path, kube_watch_cb on_event, kube_cb on_end,
                      void *opaque, char *err, size_t errlen)
{
    kube_client *kc = cl->kc;
    if (kc->closing || cl->removing) {
        free(path);
        return err_set(err, errlen, "cluster \"%s\" is being removed", cl->name);
    }
    kube_req *w = xcalloc(1, sizeof(*w));
    snprintf(w->method, sizeof(w->method), "GET");
    w->cl = cl;
    w->path = path;
    w->hdr = HDR_NONE;
    w->cb = on_end;
    w->on_event = on_event;
    w->opaque = opaque;
    /* Started at once, beside the cluster's queue: a watch lasts and holds no slot. */
    if (req_start(cl, w) < 0) {
        req_free(w);
        return err_set(err, errlen, "cannot start a watch on %s", cl->name);
    }
    return 0;
}

static kube_status classify(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return KUBE_ERR_CONNECT;
    case CURLE_OPERATION_TIMEDOUT: return KUBE_ERR_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED: return KUBE_ERR_TLS;
    default: return KUBE_ERR_TRANSPORT;
    }
}

/* A transfer is done: unlink it, build the result, recycle the handle, run the callback. */
static void complete(kube_client *kc, CURL *e, CURLcode rc)
{
    kube_req *r = NULL;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
    kube_cluster *cl = r->cl;
    kube_conf *cf = r->conf;
    kube_result res = {0};
    char msg[1024];
    const char *server = cf->creds.server;
    long code = 0;
    int conn_failed = 0; /* no connection to the server: the queued requests would fail too */

    curl_multi_remove_handle(kc->multi, e);
    if (r->prev)
        r->prev->next = r->next;
    else
        cl->flying = r->next;
    if (r->next)
        r->next->prev = r->prev;
    req_uncount(r);

    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    res.http_code = code;
    if (rc == CURLE_OK && code > 0)
        cl->warm = 1;
    else if (classify(rc) != KUBE_ERR_TRANSPORT)
        cl->warm = 0; /* unreachable, TLS failure or timeout: back to one at a time */
    res.elapsed_ms = (long)(now_ms() - r->start_ms);
    msg[0] = '\0';
    if (rc != CURLE_OK) {
        const char *detail = r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc);
        long os_errno = 0;
        curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
        curl_off_t pretransfer = 0;
        curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
        res.status = classify(rc);
        res.http_code = 0;
        conn_failed = res.status == KUBE_ERR_CONNECT || res.status == KUBE_ERR_TLS ||
                      (res.status == KUBE_ERR_TIMEOUT && pretransfer == 0);
        if (r->too_big)
            snprintf(msg, sizeof(msg),
                     "the response from %s to %s %s is larger than the "
                     "limit of %zu bytes",
                     server, r->method, r->path, kc->opts.max_body_bytes);
        else if (res.status == KUBE_ERR_CONNECT && os_errno)
            snprintf(msg, sizeof(msg), "cannot connect to %s: %s (%s)", server,
                     strerror((int)os_errno), detail);
        else if (res.status == KUBE_ERR_CONNECT)
            snprintf(msg, sizeof(msg), "cannot connect to %s: %s", server, detail);
        else if (res.status == KUBE_ERR_TIMEOUT)
            snprintf(msg, sizeof(msg), "%s %s%s timed out: %s", r->method, server, r->path, detail);
        else if (res.status == KUBE_ERR_TLS)
            snprintf(msg, sizeof(msg), "TLS with %s failed: %s", server, detail);
        else
            snprintf(msg, sizeof(msg), "%s %s%s failed: %s", r->method, server, r->path, detail);
    } else {
        /* Successful writes are not parsed unless asked for: their callers rarely read the
         * echo, and parsing it is a good part of the client's CPU per apply. */
        int ok = code >= 200 && code < 300;
        int writes = !strcmp(r->method, "PATCH") || !strcmp(r->method, "DELETE") ||
                     !strcmp(r->method, "PUT");
        if (r->resp.len > 0 &&
            (!ok || (!writes && !r->on_event) || (writes && kc->opts.parse_write_responses)))
            res.obj = json_loadb(r->resp.data, r->resp.len, 0, NULL);
        if (ok) {
            res.status = KUBE_OK;
        } else {
            res.status = KUBE_ERR_API;
            const char *kind = json_string_value(json_object_get(res.obj, "kind"));
            const char *m = json_string_value(json_object_get(res.obj, "message"));
            if (kind && strcmp(kind, "Status") == 0 && m) {
                snprintf(msg, sizeof(msg), "%s", m);
                res.reason = json_string_value(json_object_get(res.obj, "reason"));
            } else {
                /* Not a metav1.Status: a proxy or a non-Kubernetes server. */
                int n = (int)(r->resp.len > 200 ? 200 : r->resp.len);
                snprintf(msg, sizeof(msg), "HTTP %ld from %s for %s %s%s%.*s", code, server,
                         r->method, r->path, n ? ": " : "", n, r->resp.data ? r->resp.data : "");
            }
        }
    }
    /* Recycle the handle while its credentials are current; drop it otherwise (and always
     * a watch's, whose timeout was changed). */
    if (cf == cl->conf && !cl->removing && !r->on_event) {
        if (cf->nidle == cf->idle_alloc) {
            int n = cf->idle_alloc ? cf->idle_alloc * 2 : 4;
            cf->idle = xrealloc(cf->idle, (size_t)n * sizeof(*cf->idle));
            cf->idle_alloc = n;
        }
        cf->idle[cf->nidle++] = e;
    } else {
        curl_easy_cleanup(e);
    }
    r->easy = NULL;
    r->conf = NULL;
    log_debug("cluster=%s msg=\"kube request\" method=%s path=\"%s\" status=%s code=%ld ms=%ld",
              cl->name, r->method, r->path, kube_status_name(res.status), res.http_code,
              res.elapsed_ms);
    /* Fail fast: requests queued behind a failed connection attempt get its error now
     * rather than one connect timeout each (slow start allows one attempt at a time). */
    kube_req *drain = NULL;
    if (conn_failed) {
        drain = cl->q_head;
        kc->total -= cl->queued;
        cl->q_head = cl->q_tail = NULL;
        cl->queued = 0;
    }
    pump(cl); /* keep the wire busy before the callback runs */
    kube_status st = res.status;
    finish_req(r, &res, msg, sizeof(msg));
    json_decref(res.obj);
    conf_unref(cf);
    if (drain) {
        char qmsg[1200];
        snprintf(qmsg, sizeof(qmsg), "not sent: %s", msg);
        while (drain) {
            kube_req *q = drain;
            drain = q->next;
            kube_result qres = {0};
            qres.status = st;
            finish_req(q, &qres, qmsg, sizeof(qmsg));
        }
    }
}

int kube_client_run(kube_client *kc, long timeout_ms)
{
    int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
    for (;;) {
        int running = 0, left = 0;
        CURLMsg *m;
        if (kc->failed_head)
            deliver_failed(kc, NULL, KUBE_ERR_TRANSPORT);
        curl_multi_perform(kc->multi, &running);
        while ((m = curl_multi_info_read(kc->multi, &left)) != NULL) {
            if (m->msg == CURLMSG_DONE)
                complete(kc, m->easy_handle, m->data.result);
        }
        /* A wakeup that came between two runs ends the next one after its first pass. */
        if (atomic_exchange(&kc->woken, 0) || (kc->total == 0 && kc->nwatch == 0) ||
            timeout_ms == 0)
            break;
        if (kc->failed_head)
            continue;
        long wait = 1000;
        if (timeout_ms > 0) {
            int64_t rem = deadline - now_ms();
            if (rem <= 0)
                break;
            if (rem < wait)
                wait = (long)rem;
        }
        curl_multi_poll(kc->multi, NULL, 0, (int)wait, NULL);
    }
    return kc->total;
}

/* The Kubernetes API client's transport: clients, clusters and their credentials, and the
 * requests in flight on libcurl's multi interface, driven by one thread. The requests
 * themselves are built in kube/request.h; blocking forms are in kube/blocking.h.
 * Credentials stay in memory (curl blobs). See docs/kube-client.md. */
#ifndef VELA_KUBE_CLIENT_H
#define VELA_KUBE_CLIENT_H

#include "kube/kubeconfig.h"

#include <jansson.h>
#include <stddef.h>

/* ---- errors ----------------------------------------------------------------------------- */

typedef enum {
    KUBE_OK = 0,        /* 2xx */
    KUBE_ERR_API,       /* the server answered non-2xx; http_code and message say why */
    KUBE_ERR_CONNECT,   /* could not connect (refused, unreachable, DNS) */
    KUBE_ERR_TLS,       /* TLS handshake or certificate verification failed */
    KUBE_ERR_TIMEOUT,   /* connect or request timeout */
    KUBE_ERR_TRANSPORT, /* any other transport failure (reset, bad response, too large) */
    KUBE_ERR_INVALID,   /* for callers' own records: request functions refuse a request
                           that cannot be built (unknown kind, missing name) by returning
                           -1, and no callback reports it */
    KUBE_ERR_CANCELLED, /* the cluster was removed or the client freed before completion */
} kube_status;

/* "ok", "api", "connect", "tls", "timeout", "transport", "invalid", "cancelled". */
const char *kube_status_name(kube_status s);

/* What a completion callback receives. Everything it points to is owned by the client and
 * valid only during the callback: json_incref(obj) or copy to keep something. */
typedef struct kube_result {
    kube_status status;
    long http_code;      /* 0 when no HTTP response arrived */
    const char *message; /* never NULL: "" on success; on KUBE_ERR_API the API's
                            metav1.Status message verbatim (e.g. `namespaces "x" not
                            found`), else a sentence naming the server and the cause */
    const char *reason;  /* metav1.Status reason ("NotFound", "AlreadyExists", ...) or "" */
    json_t *obj;         /* the parsed JSON response body (object, list, Status), or NULL;
                            NULL too for a successful PATCH/PUT/DELETE (apply, delete)
                            unless opts.parse_write_responses: use kube_result_parse */
    const char *body;    /* the raw response body (NUL-terminated), "" when none */
    size_t body_len;
    const char *cluster; /* the cluster's name */
    const char *method;  /* "PATCH", "GET", ... */
    const char *path;    /* request path and query, e.g. "/api/v1/namespaces/x" */
    long elapsed_ms;     /* from start of transfer (not queueing) to completion */
} kube_result;

/* The response body as JSON: a new reference (caller decrefs), parsing r->body when r->obj
 * was not filled; NULL when there is no body or it is not JSON. */
json_t *kube_result_parse(const kube_result *r);

/* Completion callback: runs on the thread inside kube_client_run (or a blocking wrapper, or
 * kube_client_free / kube_client_cluster_remove for cancellations). It may start new
 * requests; it must not free the client, remove clusters, or call kube_client_run or a
 * blocking wrapper. */
typedef void (*kube_cb)(const kube_result *r, void *opaque);

/* A watch event: type "ADDED", "MODIFIED", "DELETED", "BOOKMARK" or "ERROR"; obj is
 * borrowed (json_incref to keep it). It runs inside kube_client_run, from libcurl's write
 * callback: it must not start or cancel requests, only record what it learnt. */
typedef void (*kube_watch_cb)(const char *type, json_t *obj, void *opaque);

/* ---- client ----------------------------------------------------------------------------- */

typedef struct kube_client kube_client;
typedef struct kube_cluster kube_cluster;

typedef struct kube_client_opts {
    long connect_timeout_ms;      /* TCP connect and TLS handshake; default 10000 */
    long request_timeout_ms;      /* whole transfer, from start (not queueing); default 30000 */
    int max_inflight_per_cluster; /* requests on the wire per cluster; default 8; more queue
                                     (1 until the cluster first answers; a failed connection
                                     fails the queue at once: docs/kube-client.md) */
    size_t max_body_bytes;        /* response body cap; default 16 MiB */
    const char *field_manager;    /* server-side apply field manager; default "vela" (copied) */
    const char *user_agent;       /* default "vela/0.1" (copied) */
    int parse_write_responses;    /* fill kube_result.obj for successful applies and deletes
                                     too; default 0 (saves CPU; kube_result_parse does it) */
} kube_client_opts;

/* Fills the defaults above. */
void kube_client_opts_init(kube_client_opts *o);

/* A client (opts NULL: defaults). NULL with a message on failure. Free with kube_client_free.
 * Not thread-safe: every call but kube_client_wakeup comes from one thread. */
kube_client *kube_client_new(const kube_client_opts *opts, char *err, size_t errlen);

/* Cancels everything queued or in flight (callbacks run with KUBE_ERR_CANCELLED, so that
 * their opaque pointers can be freed) and frees the client and its clusters. */
void kube_client_free(kube_client *kc);

/* Adds a cluster by name with a copy of creds (the caller keeps creds). Returns the cluster
 * (owned by the client, valid until removed or the client is freed), or NULL with a message.
 * Adding an existing name with identical credentials returns the same cluster; with other
 * credentials it replaces them: requests already queued or in flight finish with the old
 * ones, new requests use the new ones. */
kube_cluster *kube_client_cluster(kube_client *kc, const char *name, const kube_creds *creds,
                                  char *err, size_t errlen);
/* Finds a cluster by name; NULL if absent. */
kube_cluster *kube_client_find(kube_client *kc, const char *name);
/* Cancels the cluster's requests (callbacks with KUBE_ERR_CANCELLED) and frees it. */
void kube_client_cluster_remove(kube_client *kc, kube_cluster *cl);
const char *kube_cluster_name(const kube_cluster *cl);
/* Requests of the cluster on the wire, and waiting in its queue. */
int kube_cluster_inflight(const kube_cluster *cl);
int kube_cluster_queued(const kube_cluster *cl);
/* The client a cluster belongs to. */
kube_client *kube_cluster_client(const kube_cluster *cl);

/* ---- driving ------------------------------------------------------------------------------ */

/* Drives transfers and runs callbacks for up to timeout_ms (0: one non-blocking pass; -1:
 * until nothing is left). Returns early when nothing is queued, in flight or watched, or after
 * kube_client_wakeup. Returns the number of requests still queued or in flight. */
int kube_client_run(kube_client *kc, long timeout_ms);
/* Requests queued or in flight over all clusters. */
int kube_client_inflight(const kube_client *kc);
/* Makes a kube_client_run in progress return early; safe from any thread. */
void kube_client_wakeup(kube_client *kc);

/* ---- for the request builders (kube/request.c) ------------------------------------------ */

/* Queues a request: method, path (with query), body (NULL: none) of body_len bytes, and its
 * Content-Type (NULL: application/json when there is a body). path (never NULL) and body
 * are malloc'd and handed over, freed here on failure too. 0 when queued (cb then runs
 * exactly once, from kube_client_run or a cancellation); -1 with a message, and cb never
 * runs, when the cluster is being removed or libcurl cannot build a custom header list. */
int kube_client_submit(kube_cluster *cl, const char *method, char *path, char *body,
                       size_t body_len, const char *content_type, kube_cb cb, void *opaque,
                       char *err, size_t errlen);
/* Starts a watch (GET path, handed over as above) at once, beside the cluster's queue: it
 * holds no slot of the cap and has no request timeout. on_event runs per event line; on_end
 * once when it ends. 0 when started; -1 with a message, and no callback runs, otherwise. */
int kube_client_watch(kube_cluster *cl, char *path, kube_watch_cb on_event, kube_cb on_end,
                      void *opaque, char *err, size_t errlen);
/* The server-side apply field manager of the client's options. */
const char *kube_client_field_manager(const kube_client *kc);

#endif

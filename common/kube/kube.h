/* The Kubernetes API client: server-side apply, get, list, delete, namespace creation and
 * /version against many clusters at once, on libcurl's multi interface driven by one thread.
 * Credentials stay in memory (curl blobs). See docs/kube-client.md for the models below. */
#ifndef VELA_KUBE_H
#define VELA_KUBE_H

#include "kube/kubeconfig.h"

#include <jansson.h>
#include <stddef.h>

/* ---- errors ----------------------------------------------------------------------------- */

typedef enum {
    KUBE_OK = 0,         /* 2xx */
    KUBE_ERR_API,        /* the server answered non-2xx; http_code and message say why */
    KUBE_ERR_CONNECT,    /* could not connect (refused, unreachable, DNS) */
    KUBE_ERR_TLS,        /* TLS handshake or certificate verification failed */
    KUBE_ERR_TIMEOUT,    /* connect or request timeout */
    KUBE_ERR_TRANSPORT,  /* any other transport failure (reset, bad response, too large) */
    KUBE_ERR_INVALID,    /* for callers' own records: request functions refuse a request
                            that cannot be built (unknown kind, missing name) by returning
                            -1, and no callback reports it */
    KUBE_ERR_CANCELLED,  /* the cluster was removed or the client freed before completion */
} kube_status;

/* "ok", "api", "connect", "tls", "timeout", "transport", "invalid", "cancelled". */
const char *kube_status_name(kube_status s);

/* What a completion callback receives. Everything it points to is owned by the client and
 * valid only during the callback: json_incref(obj) or copy to keep something. */
typedef struct kube_result {
    kube_status status;
    long http_code;         /* 0 when no HTTP response arrived */
    const char *message;    /* never NULL: "" on success; on KUBE_ERR_API the API's
                               metav1.Status message verbatim (e.g. `namespaces "x" not
                               found`), else a sentence naming the server and the cause */
    const char *reason;     /* metav1.Status reason ("NotFound", "AlreadyExists", ...) or "" */
    json_t *obj;            /* the parsed JSON response body (object, list, Status), or NULL;
                               NULL too for a successful PATCH/PUT/DELETE (apply, delete)
                               unless opts.parse_write_responses: use kube_result_parse */
    const char *body;       /* the raw response body (NUL-terminated), "" when none */
    size_t body_len;
    const char *cluster;    /* the cluster's name */
    const char *method;     /* "PATCH", "GET", ... */
    const char *path;       /* request path and query, e.g. "/api/v1/namespaces/x" */
    long elapsed_ms;        /* from start of transfer (not queueing) to completion */
} kube_result;

/* The response body as JSON: a new reference (caller decrefs), parsing r->body when r->obj
 * was not filled; NULL when there is no body or it is not JSON. */
json_t *kube_result_parse(const kube_result *r);

/* Completion callback: runs on the thread inside kube_client_run (or a blocking wrapper, or
 * kube_client_free / kube_client_cluster_remove for cancellations). It may start new
 * requests; it must not free the client, remove clusters, or call kube_client_run or a
 * blocking wrapper. */
typedef void (*kube_cb)(const kube_result *r, void *opaque);

/* ---- client ----------------------------------------------------------------------------- */

typedef struct kube_client kube_client;
typedef struct kube_cluster kube_cluster;

typedef struct kube_client_opts {
    long connect_timeout_ms;   /* TCP connect and TLS handshake; default 10000 */
    long request_timeout_ms;   /* whole transfer, from start (not queueing); default 30000 */
    int max_inflight_per_cluster; /* requests on the wire per cluster; default 8; more queue
                                     (1 until the cluster first answers; a failed connection
                                     fails the queue at once: docs/kube-client.md) */
    size_t max_body_bytes;     /* response body cap; default 16 MiB */
    const char *field_manager; /* server-side apply field manager; default "vela" (copied) */
    const char *user_agent;    /* default "vela/0.1" (copied) */
    int parse_write_responses; /* fill kube_result.obj for successful applies and deletes
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

/* ---- asynchronous requests ---------------------------------------------------------------
 * Each returns 0 when the request is queued: cb then runs exactly once, later, from
 * kube_client_run (or a cancellation). It returns -1 with a message, and cb never runs, when
 * the request cannot be built (unknown kind, missing name...). The arguments are copied;
 * the caller keeps ownership of obj, strings and opaque. */

/* Server-side apply: PATCH <object URL>?fieldManager=vela&force=true with Content-Type
 * application/apply-patch+yaml and the object as JSON. The URL comes from apiVersion, kind,
 * metadata.namespace (default "default" for namespaced kinds) and metadata.name. */
int kube_apply_async(kube_cluster *cl, const json_t *obj, kube_cb cb, void *opaque, char *err,
                     size_t errlen);

/* An object's identity. namespace NULL: "default" for namespaced kinds (all namespaces for
 * lists). */
typedef struct kube_ref {
    const char *api_version; /* "apps/v1", "v1", ... */
    const char *kind;        /* "Deployment", ... */
    const char *namespace;
    const char *name;
} kube_ref;

/* Fills ref with pointers into obj (borrowed: valid while obj lives). -1 if fields lack. */
int kube_ref_from_obj(const json_t *obj, kube_ref *ref, char *err, size_t errlen);

/* GET one object. */
int kube_get_async(kube_cluster *cl, const kube_ref *ref, kube_cb cb, void *opaque, char *err,
                   size_t errlen);
/* LIST objects of ref's kind (ref->name ignored) in ref->namespace (NULL: all namespaces)
 * matching label_selector (NULL or "": all), e.g. "app.oam.dev/name=web,tier!=db". */
int kube_list_async(kube_cluster *cl, const kube_ref *ref, const char *label_selector,
                    kube_cb cb, void *opaque, char *err, size_t errlen);
/* A watch event: type "ADDED", "MODIFIED", "DELETED", "BOOKMARK" or "ERROR"; obj is
 * borrowed (json_incref to keep it). It runs inside kube_client_run, from libcurl's write
 * callback: it must not start or cancel requests, only record what it learnt. */
typedef void (*kube_watch_cb)(const char *type, json_t *obj, void *opaque);
/* WATCH objects of ref's kind (ref->name ignored) in ref->namespace (NULL: all namespaces)
 * matching label_selector: the current ones first (ADDED), then every change. The watch
 * holds no slot of the cluster's cap and has no request timeout; on_end runs once when it
 * ends (the server closed it: KUBE_OK; refused, failed or cancelled: the error), after
 * which the caller starts another if it still wants one. */
int kube_watch_async(kube_cluster *cl, const kube_ref *ref, const char *label_selector,
                     kube_watch_cb on_event, kube_cb on_end, void *opaque, char *err,
                     size_t errlen);
/* DELETE one object with propagationPolicy Background. 404 is reported as an API error
 * (reason "NotFound"); callers deleting idempotently treat it as success. */
int kube_delete_async(kube_cluster *cl, const kube_ref *ref, kube_cb cb, void *opaque,
                      char *err, size_t errlen);
/* POST a Namespace; 409 (reason "AlreadyExists") means it exists. */
int kube_create_namespace_async(kube_cluster *cl, const char *name, kube_cb cb, void *opaque,
                                char *err, size_t errlen);
/* GET /version (reachability and credentials): obj holds {"gitVersion": ...}. */
int kube_version_async(kube_cluster *cl, kube_cb cb, void *opaque, char *err, size_t errlen);

/* Any other request: method, path (with query, starting with '/'), optional JSON body and
 * Content-Type (NULL: application/json when a body is given). */
int kube_request_async(kube_cluster *cl, const char *method, const char *path,
                       const char *body, const char *content_type, kube_cb cb, void *opaque,
                       char *err, size_t errlen);

/* ---- driving ------------------------------------------------------------------------------ */

/* Drives transfers and runs callbacks for up to timeout_ms (0: one non-blocking pass; -1:
 * until nothing is left). Returns early when nothing is queued, in flight or watched, or after
 * kube_client_wakeup. Returns the number of requests still queued or in flight. */
int kube_client_run(kube_client *kc, long timeout_ms);
/* Requests queued or in flight over all clusters. */
int kube_client_inflight(const kube_client *kc);
/* Makes a kube_client_run in progress return early; safe from any thread. */
void kube_client_wakeup(kube_client *kc);

/* ---- blocking wrappers --------------------------------------------------------------------
 * They queue the request and drive the client (other requests' callbacks run meanwhile)
 * until it completes. Return 0 on 2xx, else -1 with the message in err; *http_code (may be
 * NULL) gets the HTTP code or 0, *out (may be NULL) a new reference to the response body
 * (also on API errors: the Status), which the caller decrefs. */
int kube_apply(kube_cluster *cl, const json_t *obj, json_t **out, long *http_code, char *err,
               size_t errlen);
int kube_get(kube_cluster *cl, const kube_ref *ref, json_t **out, long *http_code, char *err,
             size_t errlen);
int kube_list(kube_cluster *cl, const kube_ref *ref, const char *label_selector, json_t **out,
              long *http_code, char *err, size_t errlen);
int kube_delete(kube_cluster *cl, const kube_ref *ref, long *http_code, char *err,
                size_t errlen);
/* Creates the namespace; an existing one counts as success. */
int kube_ensure_namespace(kube_cluster *cl, const char *name, char *err, size_t errlen);

/* Blocking convenience for the CLI: GET /version with the credentials, on a private client.
 * 0 and the gitVersion on success; -1 and a clear reason otherwise (unreachable, TLS
 * failure, 401 with the API's message...). */
int kube_check_version(const kube_creds *c, long timeout_ms, char *version, size_t vlen,
                       char *err, size_t errlen);

/* ---- resource paths ----------------------------------------------------------------------- */

/* The resource path of ref: "/apis/apps/v1/namespaces/ns/deployments/name" (name NULL: the
 * collection; namespace NULL for a namespaced kind: all namespaces). Writes into buf; -1
 * with a message for kinds outside the table or names that are not DNS-safe. */
int kube_resource_path(const kube_ref *ref, char *buf, size_t buflen, char *err,
                       size_t errlen);
/* Whether a kind is namespaced (1), cluster-scoped (0), or unknown (-1). */
int kube_kind_namespaced(const char *api_version, const char *kind);

#endif

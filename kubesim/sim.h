/* vela-kubesim: many simulated Kubernetes API servers in one process. This header holds the
 * structures the modules share: a cluster (its TLS identity, listener, object store, watches
 * and fault settings) and the worker threads that own clusters. A cluster is touched only by
 * the thread that owns it, except for its fault settings, which are atomics. */
#ifndef KUBESIM_SIM_H
#define KUBESIM_SIM_H

#include <jansson.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct event;
struct evhttp;
struct evhttp_request;
struct evhttp_connection;
struct evhttp_bound_socket;

/* The resource types the simulator serves (resources.c has the table). */
enum ks_res {
    RES_NAMESPACE = 0,
    RES_CONFIGMAP,
    RES_SECRET,
    RES_SERVICE,
    RES_DEPLOYMENT,
    RES_JOB,
    RES_INGRESS,
    RES_COUNT
};

struct ks_resource {
    const char *group;   /* "" for the core group */
    const char *version;
    const char *plural;
    const char *singular;
    const char *kind;
    const char *short_names; /* comma-separated, may be "" */
    bool namespaced;
    bool has_generation; /* metadata.generation is kept (objects with a spec) */
    bool has_status;     /* a status subresource exists */
};

extern const struct ks_resource ks_resources[RES_COUNT];

/* "apps/v1" or "v1". */
const char *ks_res_api_version(enum ks_res r);
/* "deployments.apps" or "configmaps": the name used in error messages. */
void ks_res_qualified(enum ks_res r, char *out, size_t len);
/* Finds a resource by group, version and plural; -1 if unknown. */
int ks_res_find(const char *group, const char *version, const char *plural);

/* One entry of a cluster's change history, for watches that resume from a resourceVersion.
 * The object is kept as compact JSON text (a fifth of a jansson tree's memory), with what
 * watches filter on beside it. */
struct ks_event {
    int64_t rv;
    int res;
    char type[10];  /* ADDED, MODIFIED, DELETED */
    char *ns, *name;
    json_t *labels; /* a reference to the object's labels, or NULL */
    char *text;     /* the object */
};

/* Work for the controllers: an object to look at again at `due_ms`. */
struct ks_pending {
    int res;
    char *key;
    int64_t due_ms;
    int64_t gen;  /* 0: look at the object; else: finish the rollout of this generation */
    char uid[40]; /* the object it is for (a re-created object is another one) */
};

/* A connection seen by a cluster, so that taking the cluster down can close it. */
struct ks_conn {
    struct ks_cluster *cl;
    struct evhttp_connection *evcon;
    struct ks_watch *watch; /* the watch streaming on it, if any */
    struct ks_conn *prev, *next;
};

struct ks_watch {
    struct ks_cluster *cl;
    struct evhttp_request *req;
    struct ks_conn *conn;
    int res;
    char *ns;         /* NULL: all namespaces */
    char *name;       /* fieldSelector metadata.name, or NULL */
    json_t *selector; /* parsed label selector (selector.c), or NULL */
    bool table;       /* events carry meta.k8s.io Tables (kubectl get -w) */
    bool stalled;     /* the client stopped reading: the watch is to be ended */
    struct event *timeout;
    struct ks_watch *prev, *next;
};

/* A request held back by injected latency. */
struct ks_delayed {
    struct ks_cluster *cl;
    struct evhttp_request *req;
    struct event *ev;
    struct ks_delayed *prev, *next;
};

struct ks_thread;

struct ks_cluster {
    char name[64];
    int index;
    uint16_t port;
    struct ks_thread *thr;

    /* TLS identity (pki.c). The key pair and certificate PEMs are freed after startup. */
    SSL_CTX *ssl_ctx;
    char token[48];  /* the bearer token this cluster accepts */
    char user[64];   /* the client certificate's CN */

    struct evhttp *http;
    struct evhttp_bound_socket *bound;

    /* fault injection, set by the admin endpoint from another thread */
    atomic_int down;
    atomic_int latency_ms;
    atomic_int error_permille;
    atomic_llong requests;

    /* the object store and its history (store.c) */
    int64_t rv;
    json_t *store[RES_COUNT]; /* key ("ns/name" or "name") -> object */
    json_t *text[RES_COUNT];  /* key -> the stored object as compact JSON (a json string) */
    struct ks_event *history; /* ring, allocated on the first change */
    size_t hist_head, hist_len;
    int64_t hist_floor; /* events with rv <= hist_floor are no longer kept */
    struct ks_watch *watches;
    struct ks_conn *conns;
    struct ks_delayed *delayed;
    struct ks_pending *pending;
    size_t npending, apending;

    /* allocators */
    uint32_t next_service_ip;
    uint32_t next_node_port;
    uint32_t next_lb_ip;
    uint64_t rng;
};

struct ks_thread {
    int index;
    pthread_t tid;
    struct event_base *base;
    struct event *tick;
    struct ks_cluster **clusters;
    size_t nclusters;
};

struct ks_config {
    int ready_delay_ms;
    bool token_auth;
};
extern struct ks_config ks_cfg;

/* pki.c: makes a cluster's CA, server and client credentials and its SSL_CTX, and writes
 * DIR/<name>.kubeconfig (mode 0600, atomically). */
struct ks_pki;
int ks_pki_create(struct ks_cluster *cl, struct ks_pki **out, char *err, size_t errlen);
int ks_pki_write_kubeconfig(const struct ks_cluster *cl, const struct ks_pki *pki,
                            const char *dir, char *err, size_t errlen);
void ks_pki_free(struct ks_pki *pki);
/* Returns the verified client certificate's CN on the request's connection: 1 verified
 * (user filled), 0 no certificate, -1 a certificate this cluster's CA did not sign. */
int ks_pki_peer_user(struct evhttp_request *req, char *user, size_t len);

/* server.c: the cluster's HTTPS listener and request entry point. */
int ks_server_start(struct ks_cluster *cl, char *err, size_t errlen);
void ks_server_stop(struct ks_cluster *cl);
/* Runs on the cluster's thread: closes or reopens the listener as `down` says. */
void ks_server_apply_down(struct ks_cluster *cl);
void ks_server_release(struct ks_cluster *cl);

/* store.c */
void ks_store_init(struct ks_cluster *cl);
void ks_store_release(struct ks_cluster *cl);
/* Drops the change history: watches from an older resourceVersion then get 410 Expired. */
void ks_store_forget_history(struct ks_cluster *cl);
void ks_store_key(enum ks_res r, const char *ns, const char *name, char *out, size_t len);
json_t *ks_store_get(struct ks_cluster *cl, enum ks_res r, const char *key); /* borrowed */
/* Stores obj (reference stolen) under key with a new resourceVersion, records the event and
 * tells the watches. Returns the stored object (borrowed). */
json_t *ks_store_put(struct ks_cluster *cl, enum ks_res r, const char *key, json_t *obj,
                     const char *type);
/* The stored object of key as compact JSON, serialised once when it was stored (borrowed,
 * valid until the next change of key); NULL when absent. */
const char *ks_store_text(struct ks_cluster *cl, enum ks_res r, const char *key, size_t *len);
/* Removes key, stamps a new resourceVersion on the removed object and tells the watches. */
void ks_store_delete(struct ks_cluster *cl, enum ks_res r, const char *key);
/* Starts a watch; the request is answered by the store from now on. */
void ks_watch_start(struct ks_cluster *cl, struct evhttp_request *req, struct ks_conn *conn,
                    enum ks_res r, const char *ns, const char *name, json_t *selector,
                    const char *rv, int timeout_s, bool table);
void ks_watch_end(struct ks_watch *w);
/* The connection went away: forget the watch without writing to it. */
void ks_watch_drop(struct ks_watch *w);
void ks_pending_add(struct ks_cluster *cl, enum ks_res r, const char *key, int64_t due_ms,
                    int64_t gen, const char *uid);

/* controller.c: deployments, jobs, ingresses; run on each thread's tick. */
void ks_controller_tick(struct ks_cluster *cl, int64_t now);
/* Called by the API after a create or update: defaults and controller bookkeeping. */
void ks_controller_changed(struct ks_cluster *cl, enum ks_res r, const char *key);

/* resources.c: defaults and validation. */
void ks_res_default(struct ks_cluster *cl, enum ks_res r, json_t *obj, json_t *old);
/* Validates obj; on failure returns a json array of causes ({field, reason, message}). */
json_t *ks_res_validate(enum ks_res r, json_t *obj);
/* The addresses a cluster hands out (a per-cluster range). */
void ks_cluster_lb_ip(const struct ks_cluster *cl, uint32_t n, char *out, size_t len);

/* selector.c: label selectors (=, ==, !=, in, notin, exists, !exists). */
json_t *ks_selector_parse(const char *s, char *err, size_t errlen);
bool ks_selector_match(const json_t *sel, const json_t *obj);
bool ks_selector_match_labels(const json_t *sel, const json_t *labels);
/* metav1.LabelSelector matchExpressions (In, NotIn, Exists, DoesNotExist) against labels. */
bool ks_selector_match_expressions(const json_t *exprs, const json_t *labels);

/* util */
void ks_now_rfc3339(char *out, size_t len);
void ks_new_uid(struct ks_cluster *cl, char *out, size_t len);
uint64_t ks_rand(struct ks_cluster *cl);

#endif

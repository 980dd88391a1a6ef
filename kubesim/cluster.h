/* vela-kubesim: many simulated Kubernetes API servers in one process. This header holds the
 * structures the modules share: a cluster (its TLS identity, listener, object store, watches
 * and fault settings), the worker threads that own clusters, and the process configuration.
 * A cluster is touched only by the thread that owns it, except for its fault settings, which
 * are atomics. Each module's functions are declared in its own header. */
#ifndef KUBESIM_CLUSTER_H
#define KUBESIM_CLUSTER_H

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

/* The resource types the simulator serves (resources.h has their table). */
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

/* One entry of a cluster's change history, for watches that resume from a resourceVersion.
 * The object is kept as compact JSON text (a fifth of a jansson tree's memory), with what
 * watches filter on beside it. */
struct ks_event {
    int64_t rv;
    int res;
    char type[10]; /* ADDED, MODIFIED, DELETED */
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
    char token[48]; /* the bearer token this cluster accepts */
    char user[64];  /* the client certificate's CN */

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

/* The process's settings, from the command line: main.c defines ks_cfg and fills it in
 * before the threads start; it is read-only from then on. */
struct ks_config {
    int ready_delay_ms;
    bool token_auth;
};
extern struct ks_config ks_cfg;

#endif

/* A cluster's objects (store.c): one map per resource type, the resourceVersion counter, the
 * change history watches resume from, the watches themselves, and the controllers' queue of
 * objects to look at again. */
#ifndef KUBESIM_STORE_H
#define KUBESIM_STORE_H

#include "cluster.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evhttp_request;

void ks_store_init(struct ks_cluster *cl);
void ks_store_release(struct ks_cluster *cl);
/* Drops the change history: watches from an older resourceVersion then get 410 Expired. */
void ks_store_forget_history(struct ks_cluster *cl);
/* An object's key: "ns/name" for namespaced types, "name" otherwise. */
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

/* Queues the object at key for the controllers at due_ms (struct ks_pending). */
void ks_pending_add(struct ks_cluster *cl, enum ks_res r, const char *key, int64_t due_ms,
                    int64_t gen, const char *uid);

#endif

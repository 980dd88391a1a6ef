/* The cluster registry (registry_): vela.clusters read as a table, with writes through a
 * producer; and what the registry does with cluster records (cluster_; the record and its
 * codec are msg/cluster_record.h). Credentials rest in the record only sealed (seal.h),
 * bound to the cluster's name. */
#ifndef VELA_CLUSTER_REGISTRY_H
#define VELA_CLUSTER_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "kafka/kq_table.h"
#include "kube/kubeconfig.h"
#include "kafka/opts.h"
#include "msg/cluster_record.h"
#include "registry/seal.h"

/* Seals creds (kube_creds_to_json) into r->credentials, bound to r->name. */
int cluster_record_seal(cluster_record *r, const seal_key *k, const kube_creds *creds, char *err,
                        size_t errlen);
/* Opens r->credentials into *out (the caller releases it). Errors say which cluster. */
int cluster_record_creds(const cluster_record *r, const seal_key *k, kube_creds *out, char *err,
                         size_t errlen);

/* Whether every pair of selector (an object of strings) is among the record's labels. */
bool cluster_labels_match(const cluster_record *r, const json_t *selector);

/* Parses "k=v,k2=v2" into an object (new reference); -1 with a message naming the bad pair.
 * Keys follow Kubernetes label syntax loosely: non-empty, no '=' or ','. */
int cluster_parse_labels(const char *s, json_t **out, char *err, size_t errlen);

/* Current time as RFC 3339 UTC ("2026-11-26T01:02:03Z") into buf. */
void cluster_now_rfc3339(char *buf, size_t len);

/* ---- the registry ------------------------------------------------------------------------ */

typedef struct registry registry;

/* Opens vela.clusters (under o's prefix) and reads it to its end (timeout_ms). on_change (may
 * be NULL) sees every later change through registry_poll. NULL with a message on failure. */
registry *registry_open(const vela_opts *o, kq_table_fn on_change, void *ctx, int timeout_ms,
                        char *err, size_t errlen);
void registry_close(registry *reg);

/* Applies changes that arrived since; returns how many. */
int registry_poll(registry *reg, int timeout_ms);

/* 0 and *out (overwritten as by cluster_record_from_json; the caller releases it in every
 * case) when name is registered; 1 when it is not (err then says so and lists the clusters
 * that exist); -1 on a malformed record. */
int registry_get(registry *reg, const char *name, cluster_record *out, char *err, size_t errlen);
/* The registered names in byte order (array freed by the caller; strings borrowed until the
 * next poll). */
const char **registry_names(registry *reg, size_t *n);
size_t registry_count(registry *reg);

/* Writes the record (r->updated_at is set now) and waits for the broker's acknowledgement. */
int registry_put(registry *reg, cluster_record *r, char *err, size_t errlen);
/* Writes the tombstone of name and waits for the acknowledgement. */
int registry_delete(registry *reg, const char *name, char *err, size_t errlen);

#endif

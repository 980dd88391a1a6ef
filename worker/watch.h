/* Health by watch (watch.c): one watch per (cluster, apiVersion, kind) that some job judges;
 * its events land in the live slots of the jobs that wait for those objects. */
#ifndef VELA_WORKER_WATCH_H
#define VELA_WORKER_WATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "worker.h"

/* Starts the watches the job's objects need (health_watch only; the job's cluster must be
 * resolved). now: monotonic ms. */
void watch_need(job *j, int64_t now);
/* Whether every object the job judges is watched (starting or live). */
bool watch_covers(const job *j);
/* The live slot of the job's object that manifest is, or NULL when the job does not judge
 * it. */
json_t **watch_slot(job *j, const json_t *manifest);
/* Stores obj (borrowed; deleted: store nothing) in *slot unless *slot holds a newer version
 * (by resourceVersion). true when the slot changed. */
bool watch_live_update(json_t **slot, json_t *obj, bool deleted);
/* A cluster's record changed: its ended watches start again with the new credentials. */
void watch_forget_cluster(worker *w, const char *cluster);
/* After kube_client_free (whose cancellations still reach the watches). */
void watch_free_all(worker *w);

#endif

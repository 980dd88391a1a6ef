/* The scheduler's workflow engine, without Kafka: Application records, worker events and
 * the cluster registry go in; tasks and status records come out through engine_io. Pure
 * and single-threaded, so it is unit-tested directly and the Kafka plumbing stays thin. */
#ifndef VELA_SCHED_ENGINE_H
#define VELA_SCHED_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg/event.h"

typedef struct engine_io {
    /* Sends a task (kind deploy or delete) to the tasks topic of cluster's region. The task
     * is borrowed for the call. Returns 0, or -1 when it could not be queued. */
    int (*send_task)(void *ctx, const char *cluster, const char *region, const json_t *task);
    /* Publishes the status record of key (NULL: the tombstone after a delete). */
    int (*send_status)(void *ctx, const char *key, const json_t *status);
    void *ctx;
} engine_io;

typedef struct engine_opts {
    int max_attempts;       /* failed attempts before a workflow is terminated (10) */
    int64_t backoff_ms;     /* first retry delay, doubled each attempt (1000) */
    int64_t backoff_max_ms; /* cap (60000) */
    int64_t status_min_ms;  /* progress (placements, services' messages) is coalesced to one
                               status record per app per interval (1000); phase changes of
                               the app or a step are sent at once */
    int64_t resync_ms;      /* re-apply and re-judge finished Applications (5m; 0: never) */
} engine_opts;

void engine_opts_init(engine_opts *o);

/* A cluster as the engine sees it: name, labels (borrowed), region. */
typedef struct engine_cluster {
    const char *name;
    const json_t *labels;
    const char *region;
} engine_cluster;

typedef struct engine engine;

engine *engine_new(const engine_io *io, const engine_opts *opts);
void engine_free(engine *e);

/* Replaces the registry (copied). Applications whose label selectors now select a different
 * set of clusters are re-deployed; failed steps waiting on a missing cluster retry. */
void engine_set_clusters(engine *e, const engine_cluster *clusters, size_t n, int64_t now_ms);

/* An Application after a partition was (re)assigned: its latest record (value NULL: a
 * tombstone) and the bytes of its last published status (NULL when none). The engine carries
 * on from the status without redoing finished steps. A status it cannot use (it does not
 * decode) makes the Application start from its record as if there were none. The return
 * says what was refused, for the caller to report where it came from: ENGINE_REFUSED_STATUS
 * (reason in status_err) and ENGINE_REFUSED_RECORD (reason in record_err; the record is
 * handled as engine_app_record does). 0 when both were fine. */
enum { ENGINE_REFUSED_STATUS = 1, ENGINE_REFUSED_RECORD = 2 };
int engine_app_load(engine *e, const char *key, const char *value, size_t len, const char *status,
                    size_t status_len, int64_t now_ms, char *status_err, char *record_err,
                    size_t errlen);

/* A new record of vela.applications (value NULL: delete). A record that does not decode as
 * an envelope or a deletion request (msg_app_record_decode) is a revision that cannot be
 * rendered: the Application's status says why. The return is then -1 with the reason in err
 * (err may be NULL), so that the caller can report where the record came from; else 0. */
int engine_app_record(engine *e, const char *key, const char *value, size_t len, int64_t now_ms,
                      char *err, size_t errlen);

/* An event of vela.events. Events of another uid, revision or attempt are ignored. */
void engine_event(engine *e, const char *key, const msg_event *ev, int64_t now_ms);

/* Forgets an Application (its partition was revoked); nothing is sent. */
void engine_app_forget(engine *e, const char *key);

/* Starts steps, dispatches tasks, retries, times out, collects garbage, publishes status. */
void engine_tick(engine *e, int64_t now_ms);

/* Number of Applications held. */
size_t engine_app_count(const engine *e);

/* Calls fn for every key held (for partition revocation). */
void engine_foreach_key(const engine *e, void (*fn)(const char *key, void *ctx), void *ctx);

#endif

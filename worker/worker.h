/* The worker's structures shared by its files: its configuration, the worker (loop.c: Kafka,
 * flow control, commits, rebalances, shutdown) and its jobs (job.c: one task's life against a
 * cluster). The functions are declared in loop.h, job.h and watch.h. */
#ifndef VELA_WORKER_WORKER_H
#define VELA_WORKER_WORKER_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>

#include "registry/cluster_registry.h"
#include "kafka/kq.h"
#include "kube/client.h"
#include "offsets.h"
#include "kafka/opts.h"
#include "registry/seal.h"
#include "task.h"

typedef struct worker_config {
    const char *region;
    int concurrency;      /* tasks in flight */
    int cluster_inflight; /* requests on the wire per cluster */
    int poll_interval_ms; /* health polls, at most this far apart */
    int grace_ms;         /* at shutdown: time given to tasks in flight */
    int cluster_wait_ms;  /* how long a task waits for an unknown cluster to be registered */
    bool health_watch;    /* judge health from watches (watch.c); false: GET polls only */
} worker_config;

/* A job's states, in the order a task goes through them: one list for the enum and the
 * names in the log (job_state_name). */
#define JOB_STATES(X)                                                                              \
    X(CLUSTER, "cluster") /* waiting for the cluster's record (the registry may lag) */            \
    X(HOLD, "hold")       /* an earlier task of the app, cluster and namespace applies */          \
    X(APPLY, "apply")     /* applying manifests, one at a time, in order */                        \
    X(WAIT, "wait")       /* applied; waiting for the next health poll */                          \
    X(POLL, "poll")       /* GETs of the watched objects in flight */                              \
    X(DELETE, "delete")   /* DELETEs in flight */                                                  \
    X(FINAL, "final")     /* final event produced, waiting for the broker's ack */                 \
    X(DONE, "done")       /* final event acknowledged */

typedef enum job_state {
#define JOB_STATE_ENUM(id, name) JOB_##id,
    JOB_STATES(JOB_STATE_ENUM)
#undef JOB_STATE_ENUM
} job_state;

typedef struct worker worker;
typedef struct wwatch wwatch;

typedef struct job {
    struct job *prev, *next;
    worker *w;
    task t;
    int32_t partition;
    int64_t offset;
    job_state state;
    int pending;         /* kube requests whose callback has not run */
    bool final_inflight; /* the final event awaits its delivery report */
    bool final_retry;    /* the final event could not be queued: job_tick tries again */
    bool abandoned;      /* partition revoked or shutdown: stop, never mark the offset done */
    bool rejudge;        /* a watch event changed a live object: judge again */
    char *final_event;   /* the final event's JSON, produced again if delivery fails */
    kube_cluster *cl;
    size_t next_manifest;
    int64_t taken_ms;      /* monotonic */
    int64_t deadline_wall; /* ms since the epoch */
    int64_t cluster_until; /* monotonic: give up waiting for the cluster's record */
    int64_t next_poll;     /* monotonic */
    int polls;
    int poll_failures; /* consecutive failed health polls */
    char err[1024];    /* the first error of a round of requests */
} job;

struct worker {
    const vela_opts *o;
    worker_config cfg;
    char tasks_topic[256];
    char events_topic[256];
    char id[256]; /* "vela-worker-<region>@<host>:<pid>" */
    kq_consumer *consumer;
    kq_producer *producer;
    registry *reg;
    kube_client *kc;
    seal_key key;
    bool key_loaded;
    offtrack *offs;
    job *jobs;  /* every job not yet freed */
    int active; /* jobs holding a slot: taken and neither acknowledged nor abandoned */
    rd_kafka_message_t **backlog; /* taken from Kafka, waiting for a free slot */
    size_t nbacklog, backlog_alloc;
    size_t backlog_bytes; /* their payloads' sizes */
    bool paused;
    char **resolved; /* cluster names whose credentials the kube client holds, current */
    size_t nresolved;
    wwatch **watches; /* watch.c: one per (cluster, apiVersion, kind) judged so far */
    size_t nwatches;
    int64_t last_commit;
    /* counters */
    uint64_t taken, finished, failed, events, duplicates, abandoned_count;
    uint64_t invalid; /* tasks that did not decode (reported or not) */
};

#endif

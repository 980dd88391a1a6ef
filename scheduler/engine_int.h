/* The workflow engine's shared state: one sapp per Application (its revision, the runtime
 * state of its steps and placements, the inventory of what its tasks applied), the state
 * machines' names, and the app table and helpers engine.c gives the other engine files. */
#ifndef VELA_SCHED_ENGINE_INT_H
#define VELA_SCHED_ENGINE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "model/application.h"
#include "model/policy.h"
#include "msg/task.h"

/* ---- state machines: one list of names per machine ---- */

/* The names are what the status record carries (schemas/app-status.schema.json); the first
 * of each list is the state a zeroed struct starts in. */
#define STEP_PHASES(X)                                                                             \
    X(SP_PENDING, "pending")                                                                       \
    X(SP_RUNNING, "running")                                                                       \
    X(SP_SUCCEEDED, "succeeded")                                                                   \
    X(SP_FAILED, "failed")                                                                         \
    X(SP_SKIPPED, "skipped")                                                                       \
    X(SP_SUSPENDING, "suspending")

#define PLACEMENT_STATES(X)                                                                        \
    X(PL_PENDING, "pending")                                                                       \
    X(PL_DISPATCHED, "dispatched")                                                                 \
    X(PL_HEALTHY, "healthy")                                                                       \
    X(PL_FAILED, "failed")

#define ENGINE_ENUM_ITEM(id, name) id,
#define ENGINE_ENUM_NAME(id, name) name,

enum step_phase { STEP_PHASES(ENGINE_ENUM_ITEM) SP_COUNT };
enum pl_state { PLACEMENT_STATES(ENGINE_ENUM_ITEM) PL_COUNT };

static inline const char *step_phase_name(enum step_phase p)
{
    static const char *const names[] = {STEP_PHASES(ENGINE_ENUM_NAME)};
    return (unsigned)p < SP_COUNT ? names[p] : "unknown";
}

/* The phase named s; -1 when s is NULL or names no phase. */
static inline int step_phase_parse(const char *s)
{
    for (int i = 0; s && i < SP_COUNT; i++)
        if (strcmp(s, step_phase_name((enum step_phase)i)) == 0)
            return i;
    return -1;
}

static inline const char *placement_state_name(enum pl_state st)
{
    static const char *const names[] = {PLACEMENT_STATES(ENGINE_ENUM_NAME)};
    return (unsigned)st < PL_COUNT ? names[st] : "unknown";
}

/* The state named s; -1 when s is NULL or names no state. */
static inline int placement_state_parse(const char *s)
{
    for (int i = 0; s && i < PL_COUNT; i++)
        if (strcmp(s, placement_state_name((enum pl_state)i)) == 0)
            return i;
    return -1;
}

/* ---- the runtime state of an Application ---- */

typedef struct placement {
    char *cluster;
    char *ns;
    enum pl_state state; /* changed through placement_set_state (workflow.c) only */
    int attempt;
    int64_t retry_at;
    char *task_id;
    char *message;
    int failures;     /* failed attempts of this placement */
    bool checking;    /* a resync task (re-apply and judge health) is out */
    json_t *services; /* from the last event, or NULL */
} placement;

typedef struct step_rt {
    char id[12];
    enum step_phase phase; /* changed through step_set_phase (workflow.c) only */
    char *message;
    int64_t started_at; /* wall ms, 0: not started */
    int failures;
    int64_t retry_at; /* resolution retry */
    bool resumed;
    bool resolved;
    json_t *components;   /* the resolved components (after overrides); comps point into it */
    msg_task_comp *comps; /* as tasks carry them: type, traits, the objects judged */
    size_t ncomps;
    json_t *manifests_by_ns; /* namespace -> manifests */
    /* restored from a status: the placements it listed (state, attempt, failures), kept
     * until the step is resolved (rendered) again */
    bool restored;
    placement *prior;
    size_t nprior;
    placement *pl;
    size_t npl;
} step_rt;

/* A step as a status record listed it, until the spec's steps are known (status_restore
 * fills them, workflow_restore matches them to the spec's steps by name). */
typedef struct step_record {
    char *name;
    step_rt rt;
} step_record;

/* A resource a task applied: the identity a delete task names. */
typedef struct inv_resource {
    char *api_version;
    char *kind;
    char *ns;
    char *name;
} inv_resource;

/* What one workflow run (generation) applied on (cluster, namespace), and the state of its
 * deletion once garbage collection or a delete wants it gone. Persisted in the status record
 * as {"cluster", "namespace", "generation", "resources", "deleteResources", "deleteAttempt",
 * "deleteTaskId", "retryAt", "message", "drop"} (the last six only when set). */
typedef struct inv_entry {
    char *cluster;
    char *ns;
    int generation;
    inv_resource *res;
    size_t nres;
    bool deleting; /* "deleteResources" is set: del lists what to delete */
    inv_resource *del;
    size_t ndel;
    int delete_attempt; /* 0: no delete task sent yet */
    char *delete_task_id;
    bool has_retry_at;
    int64_t retry_at; /* next delete attempt (0: the last task was queued) */
    char *message;    /* the last failed deletion's message */
    bool drop;        /* done: removed at the next garbage-collection tick */
} inv_entry;

typedef struct inventory {
    inv_entry *v;
    size_t n, cap;
} inventory;

typedef struct sapp {
    char *key;
    char *uid;
    int revision;
    int generation;
    char spec_hash[17];
    app *a;
    char *error;
    char *created_at;
    char *resume_handled;
    char *resume_seen;
    char *restart_handled;
    char *restart_seen;
    bool deleting;
    bool force_delete;
    bool terminated;
    bool gc_done;
    step_rt *steps;
    size_t nsteps;
    inventory inventory;
    bool dirty;
    int64_t last_sent;
    int64_t checked_at;        /* last resync (or when the workflow finished) */
    json_t *restored_services; /* services of the status a restart resumed from */
    struct { /* what a status record said of the workflow, until workflow_restore */
        bool terminated;
        step_record *steps;
        size_t nsteps;
        json_t *services;
    } restored;
    bool quiet; /* nothing to do until an input arrives or the resync is due (sapp_idle) */
    uint64_t sent_milestone; /* status_milestone of the last status sent */
} sapp;

struct engine {
    engine_io io;
    engine_opts opts;
    sapp **apps;
    size_t napps, aapps;
    json_t *index; /* key -> integer index into apps */
    engine_cluster *clusters;
    size_t nclusters;
    json_t *cluster_store; /* keeps copies of names, labels and regions */
};

/* ---- engine.c: the app table and small helpers ---- */

/* The app of key, or NULL. */
sapp *sapp_get(const engine *e, const char *key);
/* Adds a new app (uid and createdAt fresh); the table owns it. */
sapp *sapp_add(engine *e, const char *key, int64_t now_ms);
/* Removes and frees the app of key, if any. */
void sapp_remove(engine *e, const char *key);

/* Replaces *dst by a copy of s (NULL allowed). */
void engine_strset(char **dst, const char *s);
/* len-1 (at most 32) random characters of [a-z0-9] and a NUL; nothing when len is 0. */
void engine_random_id(char *out, size_t len);
/* The retry delay after attempt failures: backoff_ms doubled per attempt, capped. */
int64_t engine_backoff(const engine *e, int attempt);
/* The joined cluster of that name, or NULL. */
const engine_cluster *engine_cluster_find(const engine *e, const char *name);
/* The registry as policies see it; refs has room for e->nclusters entries. */
registry_view engine_view(const engine *e, cluster_ref *refs);

#endif

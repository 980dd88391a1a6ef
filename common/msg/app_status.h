/* The aggregated status of an Application, the value of vela.app-status (key
 * <namespace>/<name>; schemas/app-status.schema.json; null after delete): typed structs and
 * their codec. The scheduler writes it and rebuilds from it after a restart; `vela status`
 * and `vela ls` read it. Prefix msg_app_status_. */
#ifndef VELA_MSG_APP_STATUS_H
#define VELA_MSG_APP_STATUS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg/schema.h"

/* Each enum is one X-macro list: X(constant, name on the wire). The order is the engine's. */
#define MSG_APP_STATUS_PHASES(X)                                                                   \
    X(MSG_APP_PHASE_RENDERING, "rendering")                                                        \
    X(MSG_APP_PHASE_RUNNING_WORKFLOW, "runningWorkflow")                                           \
    X(MSG_APP_PHASE_WORKFLOW_SUSPENDING, "workflowSuspending")                                     \
    X(MSG_APP_PHASE_WORKFLOW_FAILED, "workflowFailed")                                             \
    X(MSG_APP_PHASE_WORKFLOW_TERMINATED, "workflowTerminated")                                     \
    X(MSG_APP_PHASE_RUNNING, "running")                                                            \
    X(MSG_APP_PHASE_UNHEALTHY, "unhealthy")                                                        \
    X(MSG_APP_PHASE_DELETING, "deleting")

#define MSG_APP_STATUS_STEP_PHASES(X)                                                              \
    X(MSG_STEP_PHASE_PENDING, "pending")                                                           \
    X(MSG_STEP_PHASE_RUNNING, "running")                                                           \
    X(MSG_STEP_PHASE_SUCCEEDED, "succeeded")                                                       \
    X(MSG_STEP_PHASE_FAILED, "failed")                                                             \
    X(MSG_STEP_PHASE_SKIPPED, "skipped")                                                           \
    X(MSG_STEP_PHASE_SUSPENDING, "suspending")

#define MSG_APP_STATUS_PLACEMENT_STATES(X)                                                         \
    X(MSG_PLACEMENT_PENDING, "pending")                                                            \
    X(MSG_PLACEMENT_DISPATCHED, "dispatched")                                                      \
    X(MSG_PLACEMENT_HEALTHY, "healthy")                                                            \
    X(MSG_PLACEMENT_FAILED, "failed")

#define MSG_APP_STATUS_MODES(X)                                                                    \
    X(MSG_WORKFLOW_MODE_DAG, "DAG")                                                                \
    X(MSG_WORKFLOW_MODE_STEP_BY_STEP, "StepByStep")

#define MSG_APP_STATUS_ENUM_CONSTANT(c, name) c,
typedef enum msg_app_status_phase {
    MSG_APP_STATUS_PHASES(MSG_APP_STATUS_ENUM_CONSTANT) MSG_APP_PHASE_COUNT
} msg_app_status_phase;
typedef enum msg_app_status_step_phase {
    MSG_APP_STATUS_STEP_PHASES(MSG_APP_STATUS_ENUM_CONSTANT) MSG_STEP_PHASE_COUNT
} msg_app_status_step_phase;
typedef enum msg_app_status_placement_state {
    MSG_APP_STATUS_PLACEMENT_STATES(MSG_APP_STATUS_ENUM_CONSTANT) MSG_PLACEMENT_STATE_COUNT
} msg_app_status_placement_state;
typedef enum msg_app_status_mode {
    MSG_APP_STATUS_MODES(MSG_APP_STATUS_ENUM_CONSTANT) MSG_WORKFLOW_MODE_COUNT
} msg_app_status_mode;
#undef MSG_APP_STATUS_ENUM_CONSTANT

/* The wire name of a value ("?" when out of range), and the value of a name: 0, or -1 when
 * name is none of them. */
const char *msg_app_status_phase_name(msg_app_status_phase p);
int msg_app_status_phase_parse(const char *name, msg_app_status_phase *out);
const char *msg_app_status_step_phase_name(msg_app_status_step_phase p);
int msg_app_status_step_phase_parse(const char *name, msg_app_status_step_phase *out);
const char *msg_app_status_placement_state_name(msg_app_status_placement_state s);
int msg_app_status_placement_state_parse(const char *name, msg_app_status_placement_state *out);
const char *msg_app_status_mode_name(msg_app_status_mode m);
int msg_app_status_mode_parse(const char *name, msg_app_status_mode *out);

/* Strings are malloc'd and owned by the struct that holds them. "optional" strings are NULL
 * when the record lacks them; the encoder then leaves them out, except the messages it
 * always writes ("" for NULL), as the scheduler does. */

typedef struct msg_app_status_placement {
    char *cluster;                        /* required, non-empty */
    char *ns;                             /* "namespace": required, non-empty */
    msg_app_status_placement_state state; /* required */
    int attempt;                          /* 0 when absent; always written */
    int failures;                         /* 0 when absent; always written */
    char *message;                        /* optional; written as "" when NULL */
} msg_app_status_placement;

typedef struct msg_app_status_step {
    char *id;                             /* required, non-empty */
    char *name;                           /* required, non-empty */
    char *type;                           /* required, non-empty */
    msg_app_status_step_phase phase;      /* required */
    char *message;                        /* optional; written as "" when NULL */
    int failures;                         /* 0 when absent; always written */
    char *started_at;                     /* optional */
    char *finished_at;                    /* optional */
    bool resumed;                         /* false when absent; written only when true */
    msg_app_status_placement *placements; /* "placements" (absent: none); always written */
    size_t nplacements;
} msg_app_status_step;

typedef struct msg_app_status_trait {
    char *type;    /* required, non-empty */
    bool healthy;  /* required */
    char *message; /* optional */
} msg_app_status_trait;

typedef struct msg_app_status_service {
    char *name;      /* required, non-empty */
    char *cluster;   /* required, non-empty */
    char *ns;        /* "namespace": required, non-empty */
    char *type;      /* required, non-empty */
    bool healthy;    /* required */
    char *message;   /* required (may be "") */
    bool has_traits; /* "traits" was there (services from workers' events may lack it) */
    msg_app_status_trait *traits;
    size_t ntraits;
} msg_app_status_service;

/* An object the scheduler applied (task.schema.json's resource). */
typedef struct msg_app_status_resource {
    char *api_version; /* required, non-empty */
    char *kind;        /* required, non-empty */
    char *ns;          /* optional: cluster-scoped objects have none */
    char *name;        /* required, non-empty */
} msg_app_status_resource;

/* What one generation applied on one cluster and namespace, and its garbage collection. */
typedef struct msg_app_status_inventory {
    char *cluster;                      /* required, non-empty */
    char *ns;                           /* required */
    int generation;                     /* 0 when absent; always written */
    msg_app_status_resource *resources; /* required */
    size_t nresources;
    bool deleting; /* "deleteResources" was there: these are to be deleted */
    msg_app_status_resource *delete_resources;
    size_t ndelete_resources;
    char *delete_task_id; /* optional */
    bool has_delete_attempt;
    int delete_attempt;
    bool has_retry_at;
    int64_t retry_at; /* wall ms of the next delete attempt, 0: none */
    char *message;    /* optional: why the last delete failed */
    bool drop;        /* done: removed at the next tick; written only when true */
} msg_app_status_inventory;

typedef struct msg_app_status {
    char *name;                 /* required, non-empty */
    char *ns;                   /* "namespace": required, non-empty */
    char *uid;                  /* optional */
    int revision;               /* required */
    int generation;             /* 0 when absent; always written */
    char *spec_hash;            /* "specHash": optional */
    char *created_at;           /* optional */
    char *updated_at;           /* optional */
    msg_app_status_phase phase; /* required */
    char *message;              /* optional; written as "" when NULL */
    /* workflow: required, and so are its members but steps */
    msg_app_status_mode mode;
    bool finished;
    bool suspend;
    bool terminated;
    msg_app_status_step *steps;
    size_t nsteps;
    msg_app_status_service *services; /* required */
    size_t nservices;
    msg_app_status_inventory *inventory; /* absent: none; always written */
    size_t ninventory;
    char *resume_token;  /* optional */
    char *restart_token; /* optional */
} msg_app_status;

/* init zeroes (it allocates nothing); release frees everything held and zeroes again. */
void msg_app_status_init(msg_app_status *st);
void msg_app_status_release(msg_app_status *st);

/* Decodes a value of vela.app-status (any bytes) into *st, which is overwritten (it need not
 * be initialised; one holding data would leak it); the caller releases it in every case.
 * 0, or -1 with an error naming the field path ("workflow.steps[2].name: missing"):
 * not a JSON object, over MSG_MAX_BYTES or MSG_MAX_DEPTH, a schemaVersion other than
 * MSG_APP_STATUS_SCHEMA_VERSION, a required field missing, a field of the wrong type, an
 * unknown phase, state or mode, a negative count, a string or array over its cap (field.h).
 * Unknown members are accepted and dropped: a newer scheduler may add some. */
int msg_app_status_decode(const char *buf, size_t len, msg_app_status *st, char *err,
                          size_t errlen);
/* The same from a parsed value (not checked for size or depth). */
int msg_app_status_from_json(const json_t *j, msg_app_status *st, char *err, size_t errlen);

/* The record as the scheduler writes it (a new reference); NULL when a required string is
 * NULL or a string is not UTF-8. */
json_t *msg_app_status_encode(const msg_app_status *st);

#endif

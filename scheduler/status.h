/* The status record of an Application (schemas/app-status.schema.json): built from the
 * engine's state when it is sent, and read back by a restarted scheduler. Every function that
 * writes or reads the record goes through its codec (common/msg/app_status.h). */
#ifndef VELA_SCHED_STATUS_H
#define VELA_SCHED_STATUS_H

#include "engine_int.h"

/* The Application's phase, derived from its state when a status is built. */
#define APP_PHASES(X)                                                                              \
    X(AP_DELETING, "deleting")                                                                     \
    X(AP_RENDERING, "rendering")                                                                   \
    X(AP_WORKFLOW_FAILED, "workflowFailed")                                                        \
    X(AP_WORKFLOW_SUSPENDING, "workflowSuspending")                                                \
    X(AP_RUNNING_WORKFLOW, "runningWorkflow")                                                      \
    X(AP_UNHEALTHY, "unhealthy")                                                                   \
    X(AP_RUNNING, "running")

enum app_phase { APP_PHASES(ENGINE_ENUM_ITEM) AP_COUNT };

const char *status_phase_name(enum app_phase p);

/* The status record of a (new reference). Built when it is sent, never kept: a thousand
 * Applications' records are tens of megabytes as JSON trees. */
json_t *status_build(const sapp *a, int64_t now_ms);

/* What a status must not wait for: the revision, the application's phase and every step's
 * phase, folded into a number. Other changes (placements' states, services' messages) are
 * coalesced to one record per status_min_ms. */
uint64_t status_milestone(const sapp *a);

/* Reads a status record (its bytes, decoded by msg_app_status_decode) into a, which must be
 * new (sapp_add): uid, createdAt, revision, generation, specHash, tokens and inventory at
 * once, the workflow's steps and services into a->restored for workflow_restore. On a record
 * it cannot use (not JSON, a field of the wrong type, a step without a name, an unknown phase
 * or state, a placement without a cluster, another app's status...) it returns -1 with the
 * reason, naming the field, in err, and a is untouched. */
int status_restore(sapp *a, const char *record, size_t len, int64_t now_ms, char *err,
                   size_t errlen);

/* The services of a status record that belong to (cluster, ns), without those two fields,
 * as a placement keeps them; NULL when there are none. */
json_t *status_services_for(const json_t *services, const char *cluster, const char *ns);

#endif

/* Tasks: the deploy and delete tasks the engine sends to workers (schemas/task.schema.json),
 * built and handed to engine_io here and nowhere else. The callers keep the bookkeeping
 * (attempts, task ids, states, retries). */
#ifndef VELA_SCHED_DISPATCH_H
#define VELA_SCHED_DISPATCH_H

#include "engine_int.h"

enum {
    DISPATCH_SENT = 0,
    DISPATCH_NOT_QUEUED = -1, /* engine_io could not queue it: retry later */
    DISPATCH_NO_CLUSTER = -2, /* the cluster is not joined: nothing was sent */
};

/* The components of a resolved step as tasks carry them, in dependsOn order: type, traits
 * with properties, the objects whose health the worker judges. A new array of *n (free it
 * with dispatch_components_free); its strings point into components, which must outlive it. */
msg_task_comp *dispatch_components(const json_t *components, size_t *n);
void dispatch_components_free(msg_task_comp *comps, size_t n);

/* The task id of p's current attempt of step si ("uid:revision.generation:step:cluster:
 * namespace:attempt"). */
void dispatch_deploy_task_id(const sapp *a, size_t si, const placement *p, char *out, size_t len);
/* Sends the deploy task of p's current attempt (p->task_id, p->attempt). */
int dispatch_deploy(engine *e, const sapp *a, size_t si, const placement *p, int64_t now_ms,
                    int64_t deadline_ms);

/* The task id of the delete attempt of en ("uid:revision.generation:gc:cluster:namespace:
 * attempt"). */
void dispatch_delete_task_id(const sapp *a, const inv_entry *en, int attempt, char *out,
                             size_t len);
/* Sends the delete task of en's current attempt (deleteTaskId, deleteAttempt,
 * deleteResources). */
int dispatch_delete(engine *e, const sapp *a, const inv_entry *en, int64_t now_ms);

#endif

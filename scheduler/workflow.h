/* The workflow of an Application: its steps' and placements' state machines, step
 * resolution against the registry, the tick that starts, dispatches, retries and times out,
 * worker events for deploy tasks, resync, and resuming from a status record. */
#ifndef VELA_SCHED_WORKFLOW_H
#define VELA_SCHED_WORKFLOW_H

#include "engine_int.h"

/* The only ways a step's phase and a placement's state change: the app becomes dirty (its
 * status is due) and the change is logged at debug level with why. */
void step_set_phase(sapp *a, step_rt *s, enum step_phase phase, const char *why);
void placement_set_state(sapp *a, placement *p, enum pl_state state, const char *why);

/* Frees what p holds (not p). */
void placement_release(placement *p);
/* Frees what s holds and zeroes it (phase pending, no placements). */
void step_reset(step_rt *s);

/* Whether the placement's last attempt failed: failed and waiting for its retry, or being
 * retried (its failure stays visible until an attempt succeeds). */
bool placement_failing(const placement *p);

/* Frees the steps' runtime state (a->nsteps becomes 0). */
void workflow_free_steps(sapp *a);
/* A new run of the current revision from its first step: generation + 1, fresh step ids. */
void workflow_reset(sapp *a);
/* Builds the steps of a->a and carries on from a->restored (what a status record said):
 * finished steps keep their phase, ids and placements; the others resume their attempts. */
void workflow_restore(sapp *a);
/* Frees a->restored. */
void workflow_forget_restored(sapp *a);
/* Whether every step succeeded or was skipped (true for a valid app without steps). */
bool workflow_finished(const sapp *a);

/* Starts steps, resolves, dispatches, retries and times out; the caller skips terminated
 * workflows. */
void workflow_tick(engine *e, sapp *a, int64_t now_ms);
/* A new resume request: every suspending step may go on. */
void workflow_resume_steps(sapp *a);
/* Re-applies every healthy placement of a finished workflow and has the workers judge its
 * health again. */
void workflow_resync(engine *e, sapp *a, int64_t now_ms);
/* A worker's event for a deploy task (an attempt or a resync): the placement it names moves
 * on, its services and resources are recorded. Events of other task ids are ignored. */
void workflow_event(engine *e, sapp *a, const char *task_id, const char *phase, const char *message,
                    bool final, const json_t *services, const json_t *resources, int64_t now_ms);
/* Whether a label-selected deploy step of a would now select other placements. */
bool workflow_selection_changed(const sapp *a, const registry_view *view);

#endif

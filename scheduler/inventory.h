/* The inventory of an Application: what each workflow run (generation) applied on each
 * (cluster, namespace), and garbage collection: what an earlier run applied and the current
 * one does not, and everything on delete, is deleted by delete tasks retried until done. */
#ifndef VELA_SCHED_INVENTORY_H
#define VELA_SCHED_INVENTORY_H

#include "engine_int.h"

void inventory_init(inventory *inv);
void inventory_release(inventory *inv);

/* Frees what en holds (not en). */
void inventory_entry_release(inv_entry *en);
/* Appends en; the inventory owns what en holds from now on. */
void inventory_append(inventory *inv, const inv_entry *en);

/* Copies the resource identity r ({apiVersion, kind, namespace, name}, strings) into out;
 * -1 (out zeroed) when a field is missing or not a string. */
int inventory_resource_from_json(const json_t *r, inv_resource *out);
/* Resources as tasks and status records carry them: a new array of
 * {apiVersion, kind, namespace, name}. */
json_t *inventory_resources_json(const inv_resource *r, size_t n);

/* Records resources (an event's array) as applied on (cluster, ns) by the current
 * generation. */
void inventory_add(sapp *a, const char *cluster, const char *ns, const json_t *resources);

/* After a run succeeded: marks for deletion what earlier runs applied and the current one
 * does not; entries with nothing left to delete are dropped. */
void inventory_gc_plan(sapp *a);
/* Sends delete tasks for entries marked for deletion, retries failed ones, and removes the
 * ones done. Returns the number of entries still being deleted. */
size_t inventory_gc_tick(engine *e, sapp *a, int64_t now_ms);
/* The Application is deleted: everything it applied is to be deleted. */
void inventory_delete_all(sapp *a);
/* The Application is re-created while being deleted: deletions stop (gc sorts it out). */
void inventory_cancel_delete(sapp *a);
/* vela delete --force: deletions that already failed are given up. */
void inventory_give_up_failed(sapp *a);
/* A worker's final event for a delete task: done (or given up when forced), or retried. */
void inventory_delete_event(engine *e, sapp *a, const char *task_id, const char *phase,
                            const char *message, int64_t now_ms);
/* Whether a deletion is in progress or an entry waits to be removed. */
bool inventory_busy(const sapp *a);

#endif

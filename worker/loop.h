/* The worker's loop (loop.c): its life (connect, run until stopped, free) and the producing
 * of events for its jobs. */
#ifndef VELA_WORKER_LOOP_H
#define VELA_WORKER_LOOP_H

#include <signal.h>
#include <stddef.h>

#include "worker.h"

/* Connects to Kafka (consumer group vela-worker-<region>, producer, cluster registry) and
 * makes the kube client. NULL with a message. */
worker *worker_new(const vela_opts *o, const worker_config *cfg, char *err, size_t errlen);
/* Runs until *stop is set, then shuts down cleanly (docs/worker.md). 0, or -1 on a fatal
 * Kafka error. */
int worker_run(worker *w, volatile sig_atomic_t *stop);
void worker_free(worker *w);

/* Publishes a non-final event's JSON on vela.events, keyed by the task's app. -1 when it
 * cannot be queued (logged; progress events are not retried). */
int worker_publish(worker *w, const task *t, const char *json);
/* Produces an event's JSON; a final event carries its job as the delivery opaque, so that
 * the delivery report reaches job_delivered. -1 when it cannot be queued. */
int worker_produce_raw(worker *w, const char *key, const char *json, job *final_of);

#endif

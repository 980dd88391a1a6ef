/* One task's life against a cluster (job.c): taking a task from Kafka, moving it on at each
 * tick, its final event's delivery, and stopping and freeing it. The job itself is declared
 * in worker.h. */
#ifndef VELA_WORKER_JOB_H
#define VELA_WORKER_JOB_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>

#include "worker.h"

/* "cluster", "hold", ... (JOB_STATES) */
const char *job_state_name(job_state s);
/* Takes the task in m (which the caller still owns and destroys): parses it, publishes
 * `applying`, and starts it. Returns the job, linked into w->jobs and holding a slot, or NULL
 * when the message is not a task that can be reported on (its offset is then done). */
job *job_begin(worker *w, const rd_kafka_message_t *m);
/* Moves a job on: cluster lookups, health polls and deadlines. now: monotonic ms. */
void job_tick(job *j, int64_t now);
/* The delivery report of a job's final event. */
void job_delivered(job *j, rd_kafka_resp_err_t err);
/* Stops a job: no more requests or events; its slot is released, its offset never done. */
void job_abandon(job *j);
/* Whether nothing refers to the job any more (it can be freed). */
bool job_reapable(const job *j);
void job_free(job *j);
/* A registry change: forget what was resolved for cluster name. */
void job_cluster_changed(worker *w, const char *name);

#endif

/* The worker's runtime view of one task (task_): the message as msg_task_decode read it
 * (common/msg/task.h), the objects to watch with their namespaces filled in, the live
 * objects read, the health judged from them, and the events about it (built with
 * msg_event_encode). Pure functions: no Kafka, no network, so unit tests drive them. */
#ifndef VELA_WORKER_TASK_H
#define VELA_WORKER_TASK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/definitions.h"
#include "msg/event.h"
#include "msg/task.h"

/* When a task has no deadline: how long the worker waits for health. */
#define TASK_DEFAULT_WAIT_MS (10 * 60 * 1000)

/* An object to watch, apply or delete: strings point into the task's message, or at the
 * task's namespace (filled in for namespaced kinds given without one). */
typedef msg_objref task_obj;

typedef struct task_trait {
    const char *type;
    const json_t *props; /* borrowed from the message; may be NULL */
    bool has_object;     /* a trait without object is healthy with no message */
    task_obj object;
    json_t *live; /* the last object read (owned), NULL when absent */
    health h;     /* the last judgement */
} task_trait;

typedef struct task_comp {
    const char *name;
    const char *type;
    task_obj workload;
    json_t *live; /* owned, NULL when absent or not read yet */
    health h;     /* the last judgement */
    size_t ntraits;
    task_trait *traits;
} task_comp;

typedef struct task {
    msg_task m; /* the message (owned); every string below points into it */
    /* Shortcuts into m.id, set whenever the identity was read (also for an invalid task). */
    msg_kind kind;
    const char *task_id;
    const char *cluster;
    const char *namespace;   /* the placement namespace */
    char key[256];           /* "<app namespace>/<app name>": the events' key; "" when unknown */
    int64_t deadline_ms;     /* wall clock (ms since the epoch); 0 when none was given */
    const json_t *manifests; /* deploy: array, in apply order (borrowed from m) */
    size_t nresources;       /* what the task applies (deploy, from its manifests) or */
    task_obj *resources;     /* deletes (delete), namespaces filled in (owned array) */
    size_t ncomps;
    task_comp *comps;
    bool judged; /* task_judge ran at least once */
    /* The events' view of comps[].h (owned arrays, pointing into comps). */
    msg_event_service *services;
    msg_event_trait *service_traits;
} task;

/* Reads a task message into *t (released with task_release, also on failure). -1 with a
 * message naming the field. On failure, task_reportable(t) tells whether the task's identity
 * was read in full, so that a failed event can still tell its Application why. */
int task_parse(const char *buf, size_t len, task *t, char *err, size_t errlen);
bool task_reportable(const task *t);
void task_release(task *t);

/* Judges health from the live objects held in t (comps[].live, traits[].live) with the
 * component and trait definitions, into comps[].h and traits[].h. *healthy tells whether
 * every service and trait is healthy; summary (may be NULL) gets the unhealthy ones'
 * messages, "web: Ready:1/3, web/gateway: Ingress not found". Returns true when a health or
 * message differs from the previous judgement (always the first time). */
bool task_judge(task *t, bool *healthy, char *summary, size_t slen);

/* The JSON of an event about t (malloc'd), keyed t->key on vela.events: phase, final,
 * message, the services of the last task_judge (with_services; otherwise []), the resources,
 * the worker's id and the time. A message or service text that cannot be encoded (not
 * UTF-8) is replaced by a note saying so, with err set to why. Never NULL: the note's form
 * carries only what the task's decoder and the worker's setup already checked. */
char *task_event(const task *t, msg_event_phase phase, bool final, const char *message,
                 bool with_services, const char *worker, int64_t at_ms, char *err, size_t errlen);

#endif

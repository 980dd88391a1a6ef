/* One task as the worker reads it (task_) from vela.tasks.<region> (docs/pipeline.md), the
 * events it publishes about it (event_), and the health judgement of its live objects. Pure
 * functions: no Kafka, no network, so the unit tests drive them with JSON. */
#ifndef VELA_WORKER_TASK_H
#define VELA_WORKER_TASK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TASK_SCHEMA_VERSION 1
#define EVENT_SCHEMA_VERSION 1

/* When a task has no deadline: how long the worker waits for health. */
#define TASK_DEFAULT_WAIT_MS (10 * 60 * 1000)

typedef enum { TASK_DEPLOY, TASK_DELETE } task_kind;

/* An object to watch or delete; the strings point into the task's document. */
typedef struct task_obj {
    const char *api_version;
    const char *kind;
    const char *namespace; /* NULL for cluster-scoped kinds */
    const char *name;
} task_obj;

typedef struct task_trait {
    const char *type;
    const json_t *props; /* borrowed from the document; may be NULL */
    bool has_object;     /* a trait without object is healthy with no message */
    task_obj object;
    json_t *live;        /* the last object read (owned), NULL when absent */
} task_trait;

typedef struct task_comp {
    const char *name;
    const char *type;
    task_obj workload;
    json_t *live; /* owned, NULL when absent or not read yet */
    size_t ntraits;
    task_trait *traits;
} task_comp;

typedef struct task {
    json_t *doc; /* the whole message (owned); every const char * below points into it */
    task_kind kind;
    const char *task_id;
    const char *cluster;
    const char *namespace; /* the placement namespace */
    const char *app_name;
    const char *app_namespace;
    char key[512];       /* "<app namespace>/<app name>": the events' key */
    int64_t deadline_ms; /* wall clock (ms since the epoch); 0 when none was given */
    const json_t *manifests; /* deploy: array, in apply order (borrowed) */
    json_t *resources;       /* what the task applies or deletes: [{apiVersion, kind,
                                namespace, name}] (owned) */
    size_t ncomps;
    task_comp *comps;
} task;

/* Parses a task message into *t (released with task_release, also on failure). -1 with a
 * message naming the field. t->key is set as soon as the app is known, so that a malformed
 * task can still be reported on (t->key[0] == 0 when it cannot). */
int task_parse(const char *buf, size_t len, task *t, char *err, size_t errlen);
void task_release(task *t);


/* Judges health from the live objects held in t (comps[].live, traits[].live) with the
 * definitions of common/defs.h. Returns the services array of the events (new reference);
 * *healthy tells whether every service and trait is healthy; summary (may be NULL) gets the
 * unhealthy ones' messages, "web: Ready:1/3, web/gateway: Ingress not found". */
json_t *task_judge(const task *t, bool *healthy, char *summary, size_t slen);

/* An event about t (new reference): phase ("applying", "progressing", "healthy", "failed",
 * "deleted"), final, message, services (stolen; NULL: []), the worker's id and the time. */
json_t *event_new(const task *t, const char *phase, bool final, const char *message,
                  json_t *services, const char *worker, int64_t at_ms);


#endif

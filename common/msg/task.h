/* The task message of vela.tasks.<region> (key: cluster name), typed: a deploy task (apply
 * manifests, judge components) or a delete task (delete resources). msg_task_decode takes
 * any bytes and either fills a msg_task or says which field is wrong; msg_task_encode is the
 * way back. Contract: schemas/task.schema.json, docs/pipeline.md; rules: docs/topics.md. */
#ifndef VELA_MSG_TASK_H
#define VELA_MSG_TASK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg/ref.h"

/* Caps on one task (a record within MSG_MAX_BYTES may still hold absurd counts). */
#define MSG_TASK_MAX_COMPONENTS 1000
#define MSG_TASK_MAX_TRAITS 100 /* per component */
#define MSG_TASK_MAX_MANIFESTS 10000
#define MSG_TASK_MAX_RESOURCES 10000

typedef struct msg_task_trait {
    const char *type;
    const json_t *properties; /* an object, or NULL when absent */
    bool has_object;          /* a trait without object is healthy with no message */
    msg_objref object;        /* the object whose status tells the trait's health */
} msg_task_trait;

typedef struct msg_task_comp {
    const char *name;
    const char *type;
    msg_objref workload;
    size_t ntraits;
    msg_task_trait *traits;
} msg_task_comp;

/* Every string and JSON value is borrowed: after msg_task_decode they point into doc; to
 * encode, the caller fills the struct with its own pointers (and never calls
 * msg_task_release on it). */
typedef struct msg_task {
    json_t *doc;          /* decode: the parsed record (owned); NULL in a task built to encode */
    msg_ident id;         /* taskId, kind, app, step, stepId, attempt, cluster, namespace */
    bool identified;      /* decode: the identity above was read in full (see msg_task_decode) */
    const char *deadline; /* deploy: when the step times out; NULL when absent */
    int64_t deadline_ms;  /* decode: deadline in ms since the epoch; 0 when absent */
    const char *created_at;
    int64_t created_at_ms; /* decode only */
    /* deploy */
    size_t ncomps;
    msg_task_comp *comps;    /* in apply order */
    const json_t *manifests; /* an array of objects with apiVersion, kind, metadata.name */
    /* delete */
    size_t nresources;
    msg_objref *resources;
} msg_task;

/* Decodes any bytes (len of them; buf may be NULL) into *out, which it first clears; out is
 * released with msg_task_release in every case. -1 with an error naming the field's path:
 * "components[1].traits[0].type: expected a string, got an integer". Refused: records over
 * MSG_MAX_BYTES, anything but a JSON object, a schemaVersion other than
 * MSG_TASK_SCHEMA_VERSION, a missing required field, a wrong type or value, a string or
 * array over its cap. Unknown fields are accepted and ignored (forward compatibility), and so
 * are the fields of the other kind (resources in a deploy task).
 * On failure out->identified tells whether the identity was complete before the faulty
 * field, so that the failure can be reported to the task's Application in an event. */
int msg_task_decode(const char *buf, size_t len, msg_task *out, char *err, size_t errlen);
void msg_task_release(msg_task *t);

/* The task as JSON (new reference), or NULL with the field that breaks the rules of the
 * decoder: what msg_task_encode writes, msg_task_decode reads back. JSON values (manifests,
 * properties) are shared, not copied. */
json_t *msg_task_encode(const msg_task *t, char *err, size_t errlen);
/* The same as compact JSON bytes (malloc'd; *len without the terminating NUL). */
char *msg_task_encode_bytes(const msg_task *t, size_t *len, char *err, size_t errlen);

#endif

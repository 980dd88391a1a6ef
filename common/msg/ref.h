/* What tasks and events share: the task kind, the Application reference, object references
 * and the identity an event echoes from its task (taskId, kind, app, step, stepId, attempt,
 * cluster, namespace). Strings are borrowed: they point into the decoded document, or, to
 * encode, into the caller's memory. Contracts: schemas/task.schema.json, docs/pipeline.md. */
#ifndef VELA_MSG_REF_H
#define VELA_MSG_REF_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum { MSG_KIND_DEPLOY, MSG_KIND_DELETE } msg_kind;

/* "deploy", "delete" */
const char *msg_ref_kind_name(msg_kind k);

/* {name, namespace, uid, revision}: name and namespace are DNS-1123 labels. */
typedef struct msg_appref {
    const char *name;
    const char *namespace;
    const char *uid;
    int64_t revision; /* 0 .. INT32_MAX */
} msg_appref;

/* {apiVersion, kind, [namespace], name}. As a task's objref (workload, trait object)
 * apiVersion and kind may be ""; as a resource (what is applied or deleted) they may not. */
typedef struct msg_objref {
    const char *api_version;
    const char *kind;
    const char *namespace; /* NULL when absent */
    const char *name;
} msg_objref;

/* The identity of a task, which its events echo. */
typedef struct msg_ident {
    const char *task_id;
    msg_kind kind;
    msg_appref app;
    const char *step;
    const char *step_id;
    int64_t attempt;  /* 0 .. INT32_MAX */
    bool has_attempt; /* required in a task, optional in an event */
    const char *cluster;
    const char *namespace; /* the placement's namespace */
} msg_ident;

/* How strict the identity is: a task requires attempt and a DNS-1123 cluster name; an
 * event takes any non-empty cluster and an optional attempt (schemas/event.schema.json). */
typedef enum { MSG_REF_TASK, MSG_REF_EVENT } msg_ref_mode;

/* Readers of the root object's identity fields and of one object reference at path. -1 with
 * the field's path in err. */
int msg_ref_ident_decode(const json_t *root, msg_ref_mode mode, msg_ident *out, char *err,
                         size_t errlen);
int msg_ref_obj_decode(const json_t *j, const char *path, bool resource, msg_objref *out, char *err,
                       size_t errlen);
/* Up to max items of the array at root[key] (absent: required or not by flags) into a new
 * array *out (free() it) of *n references. */
int msg_ref_objs_decode(const json_t *root, const char *key, unsigned flags, size_t max,
                        msg_objref **out, size_t *n, char *err, size_t errlen);

/* Writers into obj with the readers' rules: what they accept is what the readers take. */
int msg_ref_ident_encode(json_t *obj, const msg_ident *id, msg_ref_mode mode, char *err,
                         size_t errlen);
/* A new object, or NULL with err. */
json_t *msg_ref_obj_encode(const msg_objref *o, const char *path, bool resource, char *err,
                           size_t errlen);
/* A new array of n references, or NULL with err. */
json_t *msg_ref_objs_encode(const msg_objref *o, size_t n, const char *at, bool resource, char *err,
                            size_t errlen);

#endif

/* The status event of vela.events (key: <namespace>/<name> of the Application), typed: what a
 * worker reports about a task. Workers encode it; the scheduler and any consumer decode it
 * from any bytes, with errors that name the field. Contract: schemas/event.schema.json,
 * docs/pipeline.md; rules: docs/topics.md. */
#ifndef VELA_MSG_EVENT_H
#define VELA_MSG_EVENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg/ref.h"

#define MSG_EVENT_MAX_SERVICES 1000
#define MSG_EVENT_MAX_TRAITS 100 /* per service */
#define MSG_EVENT_MAX_RESOURCES 10000

/* One list for the phases and their names. */
#define MSG_EVENT_PHASES(X)                                                                        \
    X(APPLYING, "applying")                                                                        \
    X(PROGRESSING, "progressing")                                                                  \
    X(HEALTHY, "healthy")                                                                          \
    X(FAILED, "failed")                                                                            \
    X(DELETED, "deleted")

typedef enum {
#define MSG_EVENT_PHASE_ENUM(id, name) MSG_PHASE_##id,
    MSG_EVENT_PHASES(MSG_EVENT_PHASE_ENUM)
#undef MSG_EVENT_PHASE_ENUM
        MSG_PHASE_COUNT
} msg_event_phase;

/* "applying", ...; "?" out of range. */
const char *msg_event_phase_name(msg_event_phase p);

typedef struct msg_event_trait {
    const char *type;
    bool healthy;
    const char *message; /* NULL when absent */
} msg_event_trait;

typedef struct msg_event_service {
    const char *name;
    const char *type;
    bool healthy;
    const char *message; /* required, may be "" ("Ready:3/3") */
    bool has_traits;     /* traits is optional in the schema */
    size_t ntraits;
    msg_event_trait *traits;
} msg_event_service;

/* Strings are borrowed as in msg_task (task.h): into doc after decode, the caller's to
 * encode (then never msg_event_release). */
typedef struct msg_event {
    json_t *doc;  /* decode: the parsed record (owned) */
    msg_ident id; /* echoed from the task; attempt is optional here */
    msg_event_phase phase;
    bool final;
    const char *message; /* NULL when absent */
    bool has_services;
    size_t nservices;
    msg_event_service *services;
    bool has_resources;
    size_t nresources;
    msg_objref *resources;
    const char *worker; /* the reporting worker's id; NULL when absent */
    const char *at;     /* RFC 3339 */
    int64_t at_ms;      /* decode only */
} msg_event;

/* Decodes any bytes into *out (cleared first; release it in every case). -1 with the field's
 * path in err; the same rules as msg_task_decode: size cap, a JSON object,
 * MSG_EVENT_SCHEMA_VERSION, required fields and types, caps; unknown fields are ignored. */
int msg_event_decode(const char *buf, size_t len, msg_event *out, char *err, size_t errlen);
void msg_event_release(msg_event *ev);

/* The event as JSON (new reference) or NULL with the field that breaks the decoder's rules
 * (a message that is not UTF-8 among them). */
json_t *msg_event_encode(const msg_event *ev, char *err, size_t errlen);
/* The same as compact JSON bytes (malloc'd; *len may be NULL). */
char *msg_event_encode_bytes(const msg_event *ev, size_t *len, char *err, size_t errlen);

#endif

/* A record of vela.applications (key <namespace>/<name>; schemas/application.schema.json),
 * classified and decoded: a tombstone, a deletion request, the envelope `vela up` writes, or
 * a bare Application document (YAML or JSON), which is left as bytes for model/ to parse.
 * Also the encoder of the two JSON forms vela writes. Prefix msg_app_record_. */
#ifndef VELA_MSG_APP_RECORD_H
#define VELA_MSG_APP_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "msg/schema.h"

typedef enum msg_app_record_kind {
    MSG_APP_RECORD_TOMBSTONE, /* null value: delete the Application */
    MSG_APP_RECORD_DELETION,  /* {"schemaVersion":1,"deletion":{"force":bool}} */
    MSG_APP_RECORD_ENVELOPE,  /* {"schemaVersion":1,"application":{...},"source":"..."...} */
    MSG_APP_RECORD_DOCUMENT,  /* anything else: an Application document, for model/ */
} msg_app_record_kind;

typedef struct msg_app_record {
    msg_app_record_kind kind;
    /* DELETION */
    bool force; /* give up on clusters that cannot be reached */
    /* ENVELOPE */
    json_t *application; /* the Application document (owned reference) */
    char *source;        /* the text as submitted (YAML or JSON) or NULL; may hold NULs */
    size_t source_len;
    char *submitted_at; /* RFC 3339, or NULL */
    char *submitted_by; /* or NULL */
    /* DOCUMENT: the record's own bytes, borrowed from the decoded buffer */
    const char *doc;
    size_t doc_len;
} msg_app_record;

/* init zeroes (it allocates nothing); release frees what the record holds and zeroes it. */
void msg_app_record_init(msg_app_record *r);
void msg_app_record_release(msg_app_record *r);

/* Classifies and decodes a value of vela.applications (buf NULL: the tombstone; any bytes
 * otherwise) into *r, which is overwritten; the caller releases it in every case. A JSON
 * object with a member "deletion" or "application" (or only "schemaVersion") is a deletion
 * request or an envelope and is checked as such: -1 with an error naming the field
 * ("schemaVersion: expected 1, got 2...", "deletion.force: missing", "application:
 * expected an object, got a string"); so are empty records and records over MSG_MAX_BYTES. Any
 * other bytes are a DOCUMENT, whatever they hold: model/ judges them. Unknown members of
 * the two JSON forms are accepted (a newer writer may add some). */
int msg_app_record_decode(const char *buf, size_t len, msg_app_record *r, char *err, size_t errlen);

/* The JSON of a DELETION or an ENVELOPE record (a new reference; members in the order vela
 * up writes them); NULL for the other kinds, an envelope without application, or text not
 * UTF-8 in source, submittedAt or submittedBy. Serialise it with JSON_PRESERVE_ORDER. */
json_t *msg_app_record_encode(const msg_app_record *r);

#endif

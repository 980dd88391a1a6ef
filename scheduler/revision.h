/* Application records: reading one (YAML or the envelope `vela up` writes) into a model app,
 * its spec hash and its request annotations, and turning a changed spec into the next
 * revision. */
#ifndef VELA_SCHED_REVISION_H
#define VELA_SCHED_REVISION_H

#include "engine_int.h"
#include "msg/app_record.h"

#define ANN_RESUME "app.oam.dev/resume"
#define ANN_RESTART "app.oam.dev/restart"

/* What a record of vela.applications holds, as its codec decoded it: rec (an ENVELOPE or a
 * DOCUMENT), or, when the record was refused, rec NULL with the reason in refusal; value and
 * len are the record's bytes (for the hash of a refused record). */
typedef struct revision_input {
    const msg_app_record *rec;
    const char *refusal;
    const char *value;
    size_t len;
} revision_input;

/* Reads a record: 0 with *out (a new app) and *doc_out (the document, new reference), -1
 * when the Application is invalid, REVISION_UNREADABLE when the record is not even one
 * (refused by its codec, or not YAML), both with a->error set and *out NULL (*doc_out may
 * still be set). hash gets the digest of the spec (or of the raw bytes). */
#define REVISION_UNREADABLE (-2)
int revision_parse(sapp *a, const revision_input *in, char hash[17], app **out, json_t **doc_out);

/* The annotation name of the document doc (borrowed), or NULL. */
const char *revision_annotation(const json_t *doc, const char *name);

/* Applies a record's content: a new revision when the spec differs; resume and restart
 * tokens. fresh: the Application is first seen (tokens already there are no requests).
 * Returns what revision_parse said (0, -1 or REVISION_UNREADABLE). */
int revision_apply(sapp *a, const revision_input *in, bool fresh);

#endif

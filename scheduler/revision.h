/* Application records: reading one (YAML or the envelope `vela up` writes) into a model app,
 * its spec hash and its request annotations, and turning a changed spec into the next
 * revision. */
#ifndef VELA_SCHED_REVISION_H
#define VELA_SCHED_REVISION_H

#include "engine_int.h"

#define ANN_RESUME "app.oam.dev/resume"
#define ANN_RESTART "app.oam.dev/restart"

/* Reads a record: 0 with *out (a new app) and *doc_out (the document, new reference), -1
 * when it is invalid, with a->error set and *out NULL (*doc_out may still be set). hash gets
 * the digest of the spec (or of the raw text when it is not even YAML). */
int revision_parse(sapp *a, const char *value, size_t len, char hash[17], app **out,
                   json_t **doc_out);

/* The annotation name of the document doc (borrowed), or NULL. */
const char *revision_annotation(const json_t *doc, const char *name);

/* Applies a record's content: a new revision when the spec differs; resume and restart
 * tokens. fresh: the Application is first seen (tokens already there are no requests). */
void revision_apply(sapp *a, const char *value, size_t len, bool fresh);

/* Whether a record is a deletion request ({"schemaVersion": 1, "deletion": {"force": b}},
 * what `vela delete --force` writes before its tombstone); *force gets the flag. */
bool revision_is_deletion(const char *value, size_t len, bool *force);

#endif

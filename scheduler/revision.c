/* Application records and revisions (see revision.h). An invalid record is a revision too:
 * its reason (field path, line and column) is the Application's message. */
#include "revision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "workflow.h"
#include "yaml/ydoc.h"

static void revision_error(sapp *a, const char *msg)
{
    engine_strset(&a->error, msg);
}

/* The digest of bytes that are not even an Application, so that the same bad record twice
 * is one revision. */
static void revision_raw_hash(const char *value, size_t len, char hash[17])
{
    json_t *raw = json_stringn_nocheck(value ? value : "", value ? len : 0);
    app_spec_hash(raw ? raw : json_null(), hash);
    json_decref(raw);
}

int revision_parse(sapp *a, const revision_input *in, char hash[17], app **out, json_t **doc_out)
{
    char err[2048];
    json_t *doc = NULL;
    verr ve;
    const char *text = NULL; /* the text the document came from, for lines and columns */
    size_t text_len = 0;
    *out = NULL;
    *doc_out = NULL;
    if (!in->rec) {
        revision_raw_hash(in->value, in->len, hash);
        char msg[2200];
        snprintf(msg, sizeof(msg), "invalid Application record: %s", in->refusal);
        revision_error(a, msg);
        return REVISION_UNREADABLE;
    }
    if (in->rec->kind == MSG_APP_RECORD_ENVELOPE) {
        /* the source text, when it holds the same document, is read for lines and columns */
        doc = json_incref(in->rec->application);
        json_t *from_src = NULL;
        if (in->rec->source &&
            ydoc_parse(in->rec->source, in->rec->source_len, NULL, &from_src, err, sizeof(err)) ==
                0 &&
            json_equal(from_src, doc)) {
            text = in->rec->source;
            text_len = in->rec->source_len;
        }
        json_decref(from_src);
    } else {
        text = in->rec->doc;
        text_len = in->rec->doc_len;
        if (ydoc_parse(text, text_len, NULL, &doc, err, sizeof(err)) < 0) {
            revision_raw_hash(text, text_len, hash);
            char msg[2200];
            snprintf(msg, sizeof(msg), "invalid Application: %s", err);
            revision_error(a, msg);
            return REVISION_UNREADABLE;
        }
    }
    app_spec_hash(json_object_get(doc, "spec") ? json_object_get(doc, "spec") : doc, hash);
    *doc_out = json_incref(doc);
    if (app_from_json(json_deep_copy(doc), out, &ve) < 0) {
        char msg[2048], where[64] = "";
        int line = 0, col = 0;
        if (text && ve.path[0] && ydoc_locate(text, text_len, ve.path, &line, &col) >= 0 && line)
            snprintf(where, sizeof(where), "%d:%d: ", line, col);
        snprintf(msg, sizeof(msg), "invalid Application: %s%s%s%s", where, ve.path,
                 ve.path[0] ? ": " : "", ve.msg);
        revision_error(a, msg);
        json_decref(doc);
        return -1;
    }
    char want[300];
    snprintf(want, sizeof(want), "%s/%s", (*out)->ns, (*out)->name);
    if (strcmp(want, a->key) != 0) {
        char msg[700];
        snprintf(msg, sizeof(msg),
                 "invalid Application: the record's key \"%s\" does not match "
                 "metadata.namespace/name \"%s\"",
                 a->key, want);
        revision_error(a, msg);
        app_free(*out);
        *out = NULL;
        json_decref(doc);
        return -1;
    }
    json_decref(doc);
    return 0;
}

const char *revision_annotation(const json_t *doc, const char *name)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(doc, "metadata"), "annotations"), name));
}

int revision_apply(sapp *a, const revision_input *in, bool fresh)
{
    char hash[17];
    app *parsed = NULL;
    json_t *doc = NULL;
    free(a->error);
    a->error = NULL;
    int rc = revision_parse(a, in, hash, &parsed, &doc);
    engine_strset(&a->resume_seen, revision_annotation(doc, ANN_RESUME));
    engine_strset(&a->restart_seen, revision_annotation(doc, ANN_RESTART));
    if (fresh) { /* tokens already there when an Application is first seen are no requests */
        engine_strset(&a->restart_handled, a->restart_seen);
        engine_strset(&a->resume_handled, a->resume_seen);
    }
    a->force_delete = false; /* an Application record: not (or no longer) being deleted */
    json_decref(doc);
    a->deleting = false;
    if (!fresh && strcmp(hash, a->spec_hash) == 0 && (rc == 0) == (a->a != NULL)) {
        app_free(parsed); /* identical spec: nothing to do */
        a->dirty = true;
        return rc;
    }
    memcpy(a->spec_hash, hash, sizeof(a->spec_hash));
    a->revision++;
    app_free(a->a);
    a->a = rc == 0 ? parsed : NULL;
    workflow_reset(a);
    a->dirty = true;
    log_info("event=revision app=%s revision=%d valid=%s", a->key, a->revision,
             a->a ? "true" : "false");
    return rc;
}

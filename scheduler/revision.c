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

int revision_parse(sapp *a, const char *value, size_t len, char hash[17], app **out,
                   json_t **doc_out)
{
    char err[2048];
    json_t *doc = NULL;
    verr ve;
    *out = NULL;
    *doc_out = NULL;
    if (ydoc_parse(value, len, NULL, &doc, err, sizeof(err)) < 0) {
        json_t *raw = json_stringn(value, len);
        app_spec_hash(raw ? raw : json_null(), hash);
        json_decref(raw);
        char msg[2200];
        snprintf(msg, sizeof(msg), "invalid Application: %s", err);
        revision_error(a, msg);
        return -1;
    }
    /* the envelope {"schemaVersion", "application", "source"} that vela up writes: the
     * source text, when there, is read instead so that errors get lines and columns */
    json_t *envelope = NULL;
    if (json_is_object(json_object_get(doc, "application")) &&
        json_object_get(doc, "schemaVersion")) {
        envelope = doc;
        doc = json_incref(json_object_get(envelope, "application"));
        json_t *src = json_object_get(envelope, "source");
        json_t *from_src = NULL;
        if (json_is_string(src) &&
            ydoc_parse(json_string_value(src), json_string_length(src), NULL, &from_src, err,
                       sizeof(err)) == 0 &&
            json_equal(from_src, doc)) {
            value = json_string_value(src);
            len = json_string_length(src);
        }
        json_decref(from_src);
    }
    app_spec_hash(json_object_get(doc, "spec") ? json_object_get(doc, "spec") : doc, hash);
    *doc_out = json_incref(doc);
    if (app_from_json(json_deep_copy(doc), out, &ve) < 0) {
        char msg[2048], where[64] = "";
        int line = 0, col = 0;
        if (ve.path[0] && ydoc_locate(value, len, ve.path, &line, &col) >= 0 && line)
            snprintf(where, sizeof(where), "%d:%d: ", line, col);
        snprintf(msg, sizeof(msg), "invalid Application: %s%s%s%s", where, ve.path,
                 ve.path[0] ? ": " : "", ve.msg);
        revision_error(a, msg);
        json_decref(doc);
        json_decref(envelope);
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
        json_decref(envelope);
        return -1;
    }
    json_decref(doc);
    json_decref(envelope);
    return 0;
}

const char *revision_annotation(const json_t *doc, const char *name)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(doc, "metadata"), "annotations"), name));
}

void revision_apply(sapp *a, const char *value, size_t len, bool fresh)
{
    char hash[17];
    app *parsed = NULL;
    json_t *doc = NULL;
    free(a->error);
    a->error = NULL;
    int rc = revision_parse(a, value, len, hash, &parsed, &doc);
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
        return;
    }
    memcpy(a->spec_hash, hash, sizeof(a->spec_hash));
    a->revision++;
    app_free(a->a);
    a->a = rc == 0 ? parsed : NULL;
    workflow_reset(a);
    a->dirty = true;
    log_info("event=revision app=%s revision=%d valid=%s", a->key, a->revision,
             a->a ? "true" : "false");
}

bool revision_is_deletion(const char *value, size_t len, bool *force)
{
    json_t *doc;
    if (!value || len == 0 || value[0] != '{' || !memmem(value, len, "\"deletion\"", 10))
        return false;
    doc = json_loadb(value, len, 0, NULL);
    json_t *del = json_object_get(doc, "deletion");
    bool is = json_is_object(del) && !json_object_get(doc, "application");
    *force = is && json_is_true(json_object_get(del, "force"));
    json_decref(doc);
    return is;
}

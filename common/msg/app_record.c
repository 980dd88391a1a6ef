/* Records of vela.applications: classification, checks of the two JSON forms vela writes,
 * and their encoder. See app_record.h. */
#include "msg/app_record.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "msg/field.h"

void msg_app_record_init(msg_app_record *r)
{
    memset(r, 0, sizeof(*r));
}

void msg_app_record_release(msg_app_record *r)
{
    json_decref(r->application);
    free(r->source);
    free(r->submitted_at);
    free(r->submitted_by);
    memset(r, 0, sizeof(*r));
}

/* Whether j is one of the JSON forms rather than an Application document: an Application
 * has none of these members at its top. */
static bool app_record_is_vela_form(const json_t *j)
{
    return json_is_object(j) &&
           (json_object_get(j, "application") || json_object_get(j, "deletion") ||
            json_object_get(j, "schemaVersion"));
}

static int app_record_deletion(const json_t *j, msg_app_record *r, char *err, size_t errlen)
{
    const json_t *del = NULL;
    r->kind = MSG_APP_RECORD_DELETION;
    if (msg_field_object(j, "", "deletion", MSG_REQUIRED, &del, err, errlen) < 0 ||
        msg_field_bool(del, "deletion", "force", MSG_REQUIRED, &r->force, NULL, err, errlen) < 0)
        return -1;
    return 0;
}

static int app_record_envelope(const json_t *j, msg_app_record *r, char *err, size_t errlen)
{
    const json_t *app = NULL;
    const char *source = NULL;
    r->kind = MSG_APP_RECORD_ENVELOPE;
    /* source is as long as the record allows */
    if (msg_field_object(j, "", "application", MSG_REQUIRED, &app, err, errlen) < 0 ||
        msg_field_str(j, "", "source", 0, MSG_MAX_BYTES, &source, err, errlen) < 0 ||
        msg_field_str_dup(j, "", "submittedAt", 0, MSG_MAX_TIME_LEN, &r->submitted_at, err,
                          errlen) < 0 ||
        msg_field_str_dup(j, "", "submittedBy", 0, MSG_MAX_NAME_LEN, &r->submitted_by, err,
                          errlen) < 0)
        return -1;
    r->application = json_incref((json_t *)app);
    if (source) {
        /* copied with its length: it may hold NUL characters (model/ refuses them with a
         * position) */
        const json_t *src = json_object_get(j, "source");
        r->source_len = json_string_length(src);
        r->source = xmalloc(r->source_len + 1);
        memcpy(r->source, json_string_value(src), r->source_len + 1);
    }
    return 0;
}

int msg_app_record_decode(const char *buf, size_t len, msg_app_record *r, char *err, size_t errlen)
{
    msg_app_record_init(r);
    if (!buf) {
        r->kind = MSG_APP_RECORD_TOMBSTONE;
        return 0;
    }
    if (len == 0)
        return err_set(err, errlen, "empty record: a deletion is a null value (tombstone)");
    if (msg_field_check_size(len, err, errlen) < 0)
        return -1;
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    r->kind = MSG_APP_RECORD_DOCUMENT;
    r->doc = buf;
    r->doc_len = len;
    if (i == len || buf[i] != '{')
        return 0; /* YAML, or JSON that is not an object: model/ says what is wrong */
    /* JSON that does not parse may be a YAML flow mapping: also model/'s to judge */
    json_t *tree = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
    if (!app_record_is_vela_form(tree)) {
        json_decref(tree);
        return 0;
    }
    r->doc = NULL; /* a vela form: checked from here on */
    r->doc_len = 0;
    int rc = -1;
    if (msg_field_check_depth(tree, err, errlen) < 0 ||
        msg_field_version(tree, MSG_APPLICATION_SCHEMA_VERSION, err, errlen) < 0)
        goto cleanup;
    bool has_app = json_object_get(tree, "application") != NULL;
    bool has_del = json_object_get(tree, "deletion") != NULL;
    if (has_app && has_del) {
        err_set(err, errlen,
                "record has both application and deletion; it is an Application "
                "envelope or a deletion request, not both");
        goto cleanup;
    }
    if (!has_app && !has_del) {
        err_set(err, errlen, "application: missing (or deletion, in a deletion request)");
        goto cleanup;
    }
    rc = has_del ? app_record_deletion(tree, r, err, errlen)
                 : app_record_envelope(tree, r, err, errlen);
cleanup:
    json_decref(tree);
    return msg_field_finish(rc, err);
}

json_t *msg_app_record_encode(const msg_app_record *r)
{
    json_t *o = NULL;
    if (r->kind == MSG_APP_RECORD_DELETION)
        return json_pack("{s:i,s:{s:b}}", "schemaVersion", MSG_APPLICATION_SCHEMA_VERSION,
                         "deletion", "force", r->force);
    if (r->kind != MSG_APP_RECORD_ENVELOPE || !r->application)
        return NULL;
    o = json_pack("{s:i,s:O}", "schemaVersion", MSG_APPLICATION_SCHEMA_VERSION, "application",
                  r->application);
    /* json_stringn and json_string refuse text that is not UTF-8: then set_new fails */
    if ((r->source &&
         json_object_set_new(o, "source", json_stringn(r->source, r->source_len)) < 0) ||
        (r->submitted_at &&
         json_object_set_new(o, "submittedAt", json_string(r->submitted_at)) < 0) ||
        (r->submitted_by &&
         json_object_set_new(o, "submittedBy", json_string(r->submitted_by)) < 0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The cluster record's codec. See cluster_record.h. */
#include "msg/cluster_record.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "msg/field.h"

/* An endpoint is a URL: longer than a name, far shorter than free text. */
#define CLUSTER_ENDPOINT_MAX 2048

static const char *const cluster_types[] = {"X509Certificate", "ServiceAccountToken", "None"};

void cluster_record_init(cluster_record *r)
{
    /* Holds nothing: a record filled by cluster_record_from_json / registry_get right after
     * init leaks nothing, whether the caller initialised it or not. */
    memset(r, 0, sizeof(*r));
}

void cluster_record_release(cluster_record *r)
{
    free(r->name);
    free(r->type);
    free(r->endpoint);
    free(r->message);
    free(r->version);
    free(r->region);
    free(r->joined_at);
    free(r->updated_at);
    json_decref(r->labels);
    json_decref(r->credentials);
    memset(r, 0, sizeof(*r));
}

json_t *cluster_record_to_json(const cluster_record *r)
{
    if (!r->name)
        return NULL;
    json_t *j = json_pack("{s:i, s:s, s:s, s:s, s:b, s:s, s:s, s:o}", "schemaVersion",
                          MSG_CLUSTER_SCHEMA_VERSION, "name", r->name, "type",
                          r->type ? r->type : "None", "endpoint", r->endpoint ? r->endpoint : "",
                          "accepted", r->accepted, "message", r->message ? r->message : "",
                          "region", r->region ? r->region : "default", "labels",
                          r->labels ? json_incref(r->labels) : json_object());
    if (!j) /* a string that is not UTF-8 */
        return NULL;
    if (r->version)
        json_object_set_new(j, "kubernetesVersion", json_string(r->version));
    if (r->credentials)
        json_object_set(j, "credentials", r->credentials);
    if (r->joined_at)
        json_object_set_new(j, "joinedAt", json_string(r->joined_at));
    if (r->updated_at)
        json_object_set_new(j, "updatedAt", json_string(r->updated_at));
    return j;
}

/* labels: an object of strings, each key and value a name's length at most. */
static int cluster_labels_from_json(const json_t *j, cluster_record *r, char *err, size_t errlen)
{
    const json_t *labels = NULL;
    json_t *v;
    const char *k;
    if (msg_field_object(j, "", "labels", MSG_REQUIRED, &labels, err, errlen) < 0)
        return -1;
    if (json_object_size(labels) > MSG_MAX_ITEMS)
        return err_set(err, errlen, "labels: %zu items, more than the limit of %d",
                       json_object_size(labels), MSG_MAX_ITEMS);
    json_object_foreach((json_t *)labels, k, v) {
        const char *s = NULL;
        if (strlen(k) == 0 || strlen(k) > MSG_MAX_NAME_LEN)
            return err_set(err, errlen, "labels: a key is empty or longer than %d bytes",
                           MSG_MAX_NAME_LEN);
        if (msg_field_str(labels, "labels", k, MSG_REQUIRED, MSG_MAX_NAME_LEN, &s, err, errlen) < 0)
            return -1;
    }
    r->labels = json_deep_copy(labels);
    return 0;
}

static int cluster_from_json(const json_t *j, cluster_record *r, char *err, size_t errlen)
{
    int type = 0;
    const json_t *creds = NULL;
    if (msg_field_is_record(j, err, errlen) < 0 ||
        msg_field_version(j, MSG_CLUSTER_SCHEMA_VERSION, err, errlen) < 0 ||
        msg_field_str_dup(j, "", "name", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &r->name,
                          err, errlen) < 0 ||
        msg_field_enum(j, "", "type", MSG_REQUIRED, cluster_types, ARRAY_LEN(cluster_types), &type,
                       err, errlen) < 0 ||
        msg_field_str_dup(j, "", "endpoint", MSG_REQUIRED, CLUSTER_ENDPOINT_MAX, &r->endpoint, err,
                          errlen) < 0 ||
        msg_field_bool(j, "", "accepted", MSG_REQUIRED, &r->accepted, NULL, err, errlen) < 0 ||
        msg_field_str_dup(j, "", "message", 0, MSG_MAX_TEXT_LEN, &r->message, err, errlen) < 0 ||
        msg_field_str_dup(j, "", "kubernetesVersion", 0, MSG_MAX_NAME_LEN, &r->version, err,
                          errlen) < 0 ||
        msg_field_str_dup(j, "", "region", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          &r->region, err, errlen) < 0 ||
        cluster_labels_from_json(j, r, err, errlen) < 0 ||
        msg_field_object(j, "", "credentials", 0, &creds, err, errlen) < 0 ||
        msg_field_str_dup(j, "", "joinedAt", 0, MSG_MAX_TIME_LEN, &r->joined_at, err, errlen) < 0 ||
        msg_field_str_dup(j, "", "updatedAt", 0, MSG_MAX_TIME_LEN, &r->updated_at, err, errlen) < 0)
        return -1;
    r->type = xstrdup(cluster_types[type]);
    if (!r->message)
        r->message = xstrdup("");
    if (creds)
        r->credentials = json_incref((json_t *)creds);
    return 0;
}

int cluster_record_from_json(const json_t *j, cluster_record *r, char *err, size_t errlen)
{
    cluster_record_init(r);
    return msg_field_finish(cluster_from_json(j, r, err, errlen), err);
}

int cluster_record_parse(const char *buf, size_t len, cluster_record *r, char *err, size_t errlen)
{
    json_t *j = msg_field_load(buf, len, err, errlen);
    if (!j) {
        cluster_record_init(r);
        return msg_field_finish(-1, err);
    }
    int rc = cluster_record_from_json(j, r, err, errlen);
    json_decref(j);
    return rc;
}

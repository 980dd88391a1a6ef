/* Loading records and typed field readers and writers for every message codec, with errors
 * that name the field's path. See field.h. */
#include "msg/field.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/jpool.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "msg/schema.h"

/* A field's path in errors: room for a few levels and a label key of MSG_MAX_NAME_LEN. */
#define FIELD_PATH_LEN 512

int msg_field_check_size(size_t len, char *err, size_t errlen)
{
    if (len > MSG_MAX_BYTES)
        return err_set(err, errlen, "record is %zu bytes, more than the limit of %u", len,
                       (unsigned)MSG_MAX_BYTES);
    return 0;
}

/* The nesting depth of v (a scalar is 1), stopping once past limit. jansson's parser caps
 * its recursion, so this one is bounded too. */
static int field_depth(const json_t *v, int limit)
{
    int deepest = 0;
    size_t i;
    const char *k;
    json_t *c;
    if (limit <= 0)
        return 1;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, c) {
            int d = field_depth(c, limit - 1);
            if (d > deepest)
                deepest = d;
            if (deepest >= limit)
                break;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, c) {
            int d = field_depth(c, limit - 1);
            if (d > deepest)
                deepest = d;
            if (deepest >= limit)
                break;
        }
    }
    return deepest + 1;
}

static int field_depth_err(char *err, size_t errlen)
{
    return err_set(err, errlen, "record is nested deeper than %d levels", MSG_MAX_DEPTH);
}

int msg_field_check_depth(const json_t *j, char *err, size_t errlen)
{
    if (field_depth(j, MSG_MAX_DEPTH + 1) > MSG_MAX_DEPTH)
        return field_depth_err(err, errlen);
    return 0;
}

json_t *msg_field_load(const char *buf, size_t len, char *err, size_t errlen)
{
    if (!buf || len == 0) {
        err_set(err, errlen, "empty record: expected a JSON object");
        return NULL;
    }
    if (msg_field_check_size(len, err, errlen) < 0)
        return NULL;
    json_error_t je;
    /* DECODE_ANY: a bare null or string gets "expected a JSON object, got null" below
     * rather than jansson's "'[' or '{' expected". Duplicate keys are refused: readers in
     * other languages would not agree on which one wins. */
    json_t *root = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        /* past jansson's own depth limit: the same error as past ours */
        if (json_error_code(&je) == json_error_stack_overflow)
            field_depth_err(err, errlen);
        else
            err_set(err, errlen, "not valid JSON: line %d column %d: %s", je.line, je.column,
                    je.text);
        return NULL;
    }
    if (msg_field_check_depth(root, err, errlen) < 0 ||
        msg_field_is_record(root, err, errlen) < 0) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int msg_field_version(const json_t *root, int want, char *err, size_t errlen)
{
    int64_t v = 0;
    bool has = false;
    if (msg_field_int(root, "", "schemaVersion", MSG_REQUIRED, INT64_MIN, INT64_MAX, &v, &has, err,
                      errlen) < 0)
        return -1;
    if (v != want)
        return err_set(err, errlen,
                       "schemaVersion: expected %d, got %" PRId64 "; this program "
                       "reads only version %d (upgrade it to read newer records)",
                       want, v, want);
    return 0;
}

void msg_field_path(char *buf, size_t n, const char *at, const char *key)
{
    snprintf(buf, n, "%s%s%s", at, *at ? "." : "", key);
}

void msg_field_index(char *buf, size_t n, const char *at, size_t i)
{
    snprintf(buf, n, "%s[%zu]", at, i);
}

const char *msg_field_kind_of(const json_t *j)
{
    if (!j)
        return "nothing";
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* obj[key] when present; 1 when absent and optional, -1 when absent and required. */
static int field_get(const json_t *obj, const char *at, const char *key, unsigned flags,
                     const char *what, const json_t **out, char *err, size_t errlen)
{
    *out = json_object_get(obj, key);
    if (*out)
        return 0;
    if (!(flags & MSG_REQUIRED))
        return 1;
    char path[FIELD_PATH_LEN];
    msg_field_path(path, sizeof(path), at, key);
    return err_set(err, errlen, "%s: missing (required %s)", path, what);
}

static int field_type_err(const json_t *v, const char *at, const char *key, const char *what,
                          char *err, size_t errlen)
{
    char path[FIELD_PATH_LEN];
    msg_field_path(path, sizeof(path), at, key);
    return err_set(err, errlen, "%s: expected %s, got %s", path, what, msg_field_kind_of(v));
}

/* The rules of a string field, shared by reader and writer. */
static int field_str_check(const char *s, size_t len, const char *at, const char *key,
                           unsigned flags, size_t max_len, char *err, size_t errlen)
{
    char path[FIELD_PATH_LEN];
    msg_field_path(path, sizeof(path), at, key);
    if ((flags & (MSG_NONEMPTY | MSG_DNS1123)) && len == 0)
        return err_set(err, errlen, "%s: expected a non-empty string", path);
    if (len > max_len)
        return err_set(err, errlen, "%s: %zu bytes long, more than the limit of %zu", path, len,
                       max_len);
    if ((flags & MSG_DNS1123) && !is_dns1123_label(s))
        return err_set(err, errlen,
                       "%s: not a DNS-1123 label (lowercase letters, digits and '-', "
                       "at most 63)",
                       path);
    return 0;
}

int msg_field_str(const json_t *obj, const char *at, const char *key, unsigned flags,
                  size_t max_len, const char **out, char *err, size_t errlen)
{
    const json_t *v;
    int rc = field_get(obj, at, key, flags, "string", &v, err, errlen);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (!json_is_string(v))
        return field_type_err(v, at, key, "a string", err, errlen);
    const char *s = json_string_value(v);
    /* jansson refuses \u0000 without JSON_ALLOW_NUL, so length is strlen(s) */
    if (field_str_check(s, json_string_length(v), at, key, flags, max_len, err, errlen) < 0)
        return -1;
    *out = s;
    return 0;
}

int msg_field_str_dup(const json_t *obj, const char *at, const char *key, unsigned flags,
                      size_t max_len, char **out, char *err, size_t errlen)
{
    const char *s = NULL;
    if (msg_field_str(obj, at, key, flags, max_len, &s, err, errlen) < 0)
        return -1;
    if (!s)
        return 0;
    free(*out);
    *out = xstrdup(s); /* now owned by the caller */
    return 0;
}

int msg_field_enum(const json_t *obj, const char *at, const char *key, unsigned flags,
                   const char *const *names, size_t n, int *out, char *err, size_t errlen)
{
    const char *s = NULL;
    if (msg_field_str(obj, at, key, flags, MSG_MAX_BYTES, &s, err, errlen) < 0)
        return -1;
    if (!s)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    strbuf sb;
    strbuf_init(&sb, 1024);
    for (size_t i = 0; i < n; i++)
        if (strbuf_addf(&sb, "%s%s", i ? ", " : "", names[i]) < 0)
            break; /* the list is cut at 1 KiB, the message still says what is wrong */
    char path[FIELD_PATH_LEN];
    msg_field_path(path, sizeof(path), at, key);
    err_set(err, errlen, "%s: \"%.64s\" is not one of %s", path, s, sb.data ? sb.data : "");
    strbuf_release(&sb);
    return -1;
}

int msg_field_int(const json_t *obj, const char *at, const char *key, unsigned flags, int64_t min,
                  int64_t max, int64_t *out, bool *has, char *err, size_t errlen)
{
    const json_t *v;
    int rc = field_get(obj, at, key, flags, "integer", &v, err, errlen);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (!json_is_integer(v))
        return field_type_err(v, at, key, "an integer", err, errlen);
    json_int_t n = json_integer_value(v);
    if (n < min || n > max) {
        char path[FIELD_PATH_LEN];
        msg_field_path(path, sizeof(path), at, key);
        return err_set(err, errlen, "%s: %" PRId64 " is out of range (%" PRId64 " to %" PRId64 ")",
                       path, (int64_t)n, min, max);
    }
    *out = n;
    if (has)
        *has = true;
    return 0;
}

int msg_field_bool(const json_t *obj, const char *at, const char *key, unsigned flags, bool *out,
                   bool *has, char *err, size_t errlen)
{
    const json_t *v;
    int rc = field_get(obj, at, key, flags, "boolean", &v, err, errlen);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (!json_is_boolean(v))
        return field_type_err(v, at, key, "a boolean", err, errlen);
    *out = json_is_true(v);
    if (has)
        *has = true;
    return 0;
}

int msg_field_time(const json_t *obj, const char *at, const char *key, unsigned flags,
                   const char **out, int64_t *ms, char *err, size_t errlen)
{
    const char *s = NULL;
    if (msg_field_str(obj, at, key, flags | MSG_NONEMPTY, MSG_MAX_TIME_LEN, &s, err, errlen) < 0)
        return -1;
    if (!s)
        return 0;
    int64_t v = clock_parse_rfc3339(s);
    if (v < 0) {
        char path[FIELD_PATH_LEN];
        msg_field_path(path, sizeof(path), at, key);
        return err_set(err, errlen, "%s: not an RFC 3339 time such as 2026-11-26T02:10:00Z", path);
    }
    *out = s;
    if (ms)
        *ms = v;
    return 0;
}

int msg_field_array(const json_t *obj, const char *at, const char *key, unsigned flags,
                    size_t max_items, const json_t **out, char *err, size_t errlen)
{
    const json_t *v;
    int rc = field_get(obj, at, key, flags, "array", &v, err, errlen);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (!json_is_array(v))
        return field_type_err(v, at, key, "an array", err, errlen);
    if (json_array_size(v) > max_items) {
        char path[FIELD_PATH_LEN];
        msg_field_path(path, sizeof(path), at, key);
        return err_set(err, errlen, "%s: %zu items, more than the limit of %zu", path,
                       json_array_size(v), max_items);
    }
    *out = v;
    return 0;
}

int msg_field_object(const json_t *obj, const char *at, const char *key, unsigned flags,
                     const json_t **out, char *err, size_t errlen)
{
    const json_t *v;
    int rc = field_get(obj, at, key, flags, "object", &v, err, errlen);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (!json_is_object(v))
        return field_type_err(v, at, key, "an object", err, errlen);
    *out = v;
    return 0;
}

int msg_field_is_object(const json_t *j, const char *path, char *err, size_t errlen)
{
    if (json_is_object(j))
        return 0;
    return err_set(err, errlen, "%s: expected an object, got %s", path, msg_field_kind_of(j));
}

int msg_field_is_record(const json_t *j, char *err, size_t errlen)
{
    if (json_is_object(j))
        return 0;
    return err_set(err, errlen, "expected a JSON object, got %s", msg_field_kind_of(j));
}

int msg_field_item(const json_t *arr, const char *at, size_t i, char *path, size_t pathlen,
                   const json_t **out, char *err, size_t errlen)
{
    msg_field_index(path, pathlen, at, i);
    *out = json_array_get(arr, i);
    return msg_field_is_object(*out, path, err, errlen);
}

int msg_field_put_str(json_t *obj, const char *at, const char *key, const char *s, unsigned flags,
                      size_t max_len, char *err, size_t errlen)
{
    if (!s) {
        if (!(flags & MSG_REQUIRED))
            return 0;
        char path[FIELD_PATH_LEN];
        msg_field_path(path, sizeof(path), at, key);
        return err_set(err, errlen, "%s: missing (required string)", path);
    }
    if (field_str_check(s, strlen(s), at, key, flags, max_len, err, errlen) < 0)
        return -1;
    json_t *v = json_string(s);
    if (!v) {
        char path[FIELD_PATH_LEN];
        msg_field_path(path, sizeof(path), at, key);
        return err_set(err, errlen, "%s: not valid UTF-8", path);
    }
    json_object_set_new(obj, key, v);
    return 0;
}

char *msg_field_dump(json_t *j, size_t *len, char *err, size_t errlen)
{
    if (!j)
        return NULL;
    char *s = vela_json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s) { /* jansson refused the tree (a cycle, or nested past its dump limit) */
        err_set(err, errlen, "record cannot be written as JSON");
        return NULL;
    }
    if (len)
        *len = strlen(s);
    return s;
}

int msg_field_finish(int rc, char *err)
{
    if (rc < 0)
        msg_field_clean(err);
    return rc;
}

void msg_field_clean(char *err)
{
    if (!err)
        return;
    for (unsigned char *p = (unsigned char *)err; *p; p++)
        if (*p < 0x20 || *p >= 0x7f)
            *p = '?';
}

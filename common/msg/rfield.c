/* Field readers shared by the msg/ decoders. See field.h. */
#include "msg/rfield.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/util.h"
#include "msg/schema.h"

const char *msg_rfield_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

/* The nesting depth of v (a scalar is 1), stopping once past limit. jansson's parser caps
 * the recursion (2048 levels), so this one is bounded too. */
static int depth_of(const json_t *v, int limit)
{
    int deepest = 0;
    size_t i;
    const char *k;
    json_t *c;
    if (limit <= 0)
        return 1;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, c) {
            int d = depth_of(c, limit - 1);
            if (d > deepest)
                deepest = d;
            if (deepest >= limit)
                break;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, c) {
            int d = depth_of(c, limit - 1);
            if (d > deepest)
                deepest = d;
            if (deepest >= limit)
                break;
        }
    }
    return deepest + 1;
}

int msg_rfield_check_depth(const json_t *j, char *err, size_t errlen)
{
    if (depth_of(j, MSG_RMAX_DEPTH + 1) > MSG_RMAX_DEPTH)
        return err_set(err, errlen, "record is nested deeper than %d levels", MSG_RMAX_DEPTH);
    return 0;
}

int msg_rfield_load(const char *buf, size_t len, json_t **out, char *err, size_t errlen)
{
    json_error_t je;
    *out = NULL;
    if (!buf || len == 0)
        return err_set(err, errlen, "record is empty; expected a JSON object");
    if (len > MSG_MAX_BYTES)
        return err_set(err, errlen, "record is %zu bytes, more than the limit of %u", len,
                       MSG_MAX_BYTES);
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!j)
        return err_set(err, errlen, "record is not JSON: %s (line %d, column %d)", je.text,
                       je.line, je.column);
    if (msg_rfield_check_depth(j, err, errlen) < 0) {
        json_decref(j);
        return -1;
    }
    if (!json_is_object(j)) {
        err_set(err, errlen, "record is %s, expected a JSON object", msg_rfield_type_name(j));
        json_decref(j);
        return -1;
    }
    *out = j; /* now owned by the caller */
    return 0;
}

void msg_rfield_path(char *out, size_t len, const char *path, const char *key)
{
    snprintf(out, len, "%s%s%s", path, path[0] ? "." : "", key);
}

void msg_rfield_index(char *out, size_t len, const char *path, size_t i)
{
    snprintf(out, len, "%s[%zu]", path, i);
}

/* The member key of obj, or NULL when absent or null; -1 when required and absent. */
static int field_get(const json_t *obj, const char *path, const char *key, int flags,
                     json_t **v, char *err, size_t errlen)
{
    char p[512];
    *v = json_object_get(obj, key);
    if (json_is_null(*v))
        *v = NULL;
    if (!*v && (flags & MSG_RREQUIRED)) {
        msg_rfield_path(p, sizeof(p), path, key);
        return err_set(err, errlen, "%s: missing", p);
    }
    return 0;
}

static int field_wrong_type(const char *path, const char *key, const json_t *v,
                            const char *want, char *err, size_t errlen)
{
    char p[512];
    msg_rfield_path(p, sizeof(p), path, key);
    return err_set(err, errlen, "%s: is %s, expected %s", p, msg_rfield_type_name(v), want);
}

int msg_rfield_str(const json_t *obj, const char *path, const char *key, int flags, size_t max,
                  char **out, char *err, size_t errlen)
{
    json_t *v;
    char p[512];
    if (field_get(obj, path, key, flags, &v, err, errlen) < 0)
        return -1;
    if (!v)
        return 0;
    if (!json_is_string(v))
        return field_wrong_type(path, key, v, "a string", err, errlen);
    size_t n = json_string_length(v);
    msg_rfield_path(p, sizeof(p), path, key);
    if (n > max)
        return err_set(err, errlen, "%s: is %zu bytes long, more than the limit of %zu", p, n,
                       max);
    if (n == 0 && (flags & MSG_RNONEMPTY))
        return err_set(err, errlen, "%s: is empty", p);
    if (strlen(json_string_value(v)) != n) /* only with JSON_ALLOW_NUL; kept as a guard */
        return err_set(err, errlen, "%s: contains a NUL character", p);
    char *s = strdup(json_string_value(v));
    if (!s)
        return err_set(err, errlen, "out of memory");
    free(*out);
    *out = s; /* now owned by the caller */
    return 0;
}

int msg_rfield_int(const json_t *obj, const char *path, const char *key, int flags, int64_t min,
                  int64_t max, int64_t *out, bool *present, char *err, size_t errlen)
{
    json_t *v;
    char p[512];
    if (present)
        *present = false;
    if (field_get(obj, path, key, flags, &v, err, errlen) < 0)
        return -1;
    if (!v)
        return 0;
    if (!json_is_integer(v))
        return field_wrong_type(path, key, v, "an integer", err, errlen);
    int64_t n = (int64_t)json_integer_value(v);
    msg_rfield_path(p, sizeof(p), path, key);
    if (n < min || n > max)
        return err_set(err, errlen, "%s: %" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]",
                       p, n, min, max);
    *out = n;
    if (present)
        *present = true;
    return 0;
}

int msg_rfield_bool(const json_t *obj, const char *path, const char *key, int flags, bool *out,
                   bool *present, char *err, size_t errlen)
{
    json_t *v;
    if (present)
        *present = false;
    if (field_get(obj, path, key, flags, &v, err, errlen) < 0)
        return -1;
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return field_wrong_type(path, key, v, "a boolean", err, errlen);
    *out = json_is_true(v);
    if (present)
        *present = true;
    return 0;
}

int msg_rfield_enum(const json_t *obj, const char *path, const char *key, int flags,
                   const char *const *names, size_t n, int *out, char *err, size_t errlen)
{
    json_t *v;
    char p[512];
    if (field_get(obj, path, key, flags, &v, err, errlen) < 0)
        return -1;
    if (!v)
        return 0;
    if (!json_is_string(v))
        return field_wrong_type(path, key, v, "a string", err, errlen);
    const char *s = json_string_value(v);
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
    msg_rfield_path(p, sizeof(p), path, key);
    err_set(err, errlen, "%s: \"%.64s\" is not one of %s", p, s, sb.data ? sb.data : "");
    strbuf_release(&sb);
    return -1;
}

int msg_rfield_object(const json_t *obj, const char *path, const char *key, int flags,
                     json_t **out, char *err, size_t errlen)
{
    json_t *v;
    *out = NULL;
    if (field_get(obj, path, key, flags, &v, err, errlen) < 0)
        return -1;
    if (!v)
        return 0;
    if (!json_is_object(v))
        return field_wrong_type(path, key, v, "an object", err, errlen);
    *out = v;
    return 0;
}

int msg_rfield_array(const json_t *obj, const char *path, const char *key, int flags,
                    json_t **out, char *err, size_t errlen)
{
    json_t *v;
    char p[512];
    *out = NULL;
    if (field_get(obj, path, key, flags, &v, err, errlen) < 0)
        return -1;
    if (!v)
        return 0;
    if (!json_is_array(v))
        return field_wrong_type(path, key, v, "an array", err, errlen);
    if (json_array_size(v) > MSG_RMAX_ITEMS) {
        msg_rfield_path(p, sizeof(p), path, key);
        return err_set(err, errlen, "%s: has %zu items, more than the limit of %d", p,
                       json_array_size(v), MSG_RMAX_ITEMS);
    }
    *out = v;
    return 0;
}

int msg_rfield_version(const json_t *obj, int want, char *err, size_t errlen)
{
    int64_t v = 0;
    if (msg_rfield_int(obj, "", "schemaVersion", MSG_RREQUIRED, INT64_MIN, INT64_MAX, &v, NULL,
                      err, errlen) < 0)
        return -1;
    if (v != want)
        return err_set(err, errlen, "schemaVersion: %" PRId64 " is not supported; this "
                       "program reads version %d (upgrade it to read newer records)", v, want);
    return 0;
}

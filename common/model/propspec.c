/* Property validation against prop_spec tables, with field paths in every message. */
#include "model/propspec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "yaml/ydoc.h"

const char *prop_json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "map";
    case JSON_ARRAY: return "list";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "value";
}

static const char *const prop_kind_names[] = {
    [PROP_STRING] = "a string",
    [PROP_INT] = "an integer",
    [PROP_BOOL] = "a boolean (true or false)",
    [PROP_QUANTITY] = "a quantity (a string such as \"500m\" or a number)",
    [PROP_STRING_MAP] = "a map of strings",
    [PROP_INT_MAP] = "a map of integers",
    [PROP_STRING_LIST] = "a list of strings",
    [PROP_LIST] = "a list",
    [PROP_MAP] = "a map",
    [PROP_OBJECT] = "a map",
    [PROP_ANY] = "a value",
};

static void prop_field_names(const prop_spec *fields, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (const prop_spec *f = fields; f->name && len < n; f++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", f->name);
}

static int prop_wrong_type(const prop_spec *f, const json_t *v, const char *parent, const char *key,
                           verr *e)
{
    char path[512];
    ydoc_path_key(path, sizeof(path), parent, key);
    if (json_is_string(v))
        return verr_set(e, path, "expected %s, got string \"%.60s\"", prop_kind_names[f->kind],
                        json_string_value(v));
    return verr_set(e, path, "expected %s, got %s", prop_kind_names[f->kind],
                    prop_json_type_name(v));
}

/* Checks v, the value of field key in the object at parent. Paths are built only when an
 * error is reported or a nested value is checked: validation runs on every render. */
static int prop_check_fields(const json_t *obj, const prop_spec *fields, const char *path,
                             bool enforce_required, const prop_unknown *unknown, verr *e);

static int prop_check_value(const json_t *v, const prop_spec *f, const char *parent,
                            const char *key, bool enforce_required, const prop_unknown *unknown,
                            verr *e)
{
    char child[512], path[512];
#define PATH() ydoc_path_key(path, sizeof(path), parent, key)
    switch (f->kind) {
    case PROP_STRING:
        if (!json_is_string(v))
            return prop_wrong_type(f, v, parent, key, e);
        if ((f->flags & PROP_NONEMPTY) && json_string_length(v) == 0)
            return PATH(), verr_set(e, path, "must not be empty");
        if (f->one_of) {
            for (const char *const *o = f->one_of; *o; o++)
                if (strcmp(*o, json_string_value(v)) == 0)
                    return 0;
            char allowed[256];
            size_t len = 0;
            allowed[0] = '\0';
            for (const char *const *o = f->one_of; *o && len < sizeof(allowed); o++)
                len += (size_t)snprintf(allowed + len, sizeof(allowed) - len, "%s%s",
                                        len ? ", " : "", *o);
            return PATH(),
                   verr_set(e, path, "\"%.60s\" is not one of: %s", json_string_value(v), allowed);
        }
        return 0;
    case PROP_INT:
        if (!json_is_integer(v))
            return prop_wrong_type(f, v, parent, key, e);
        if (f->min < f->max && (json_integer_value(v) < f->min || json_integer_value(v) > f->max))
            return PATH(), verr_set(e, path, "%lld is out of range (%lld to %lld)",
                                    (long long)json_integer_value(v), f->min, f->max);
        return 0;
    case PROP_BOOL: return json_is_boolean(v) ? 0 : prop_wrong_type(f, v, parent, key, e);
    case PROP_MAP: return json_is_object(v) ? 0 : prop_wrong_type(f, v, parent, key, e);
    case PROP_ANY: return 0;
    case PROP_OBJECT:
        if (!json_is_object(v))
            return prop_wrong_type(f, v, parent, key, e);
        PATH();
        return prop_check_fields(v, f->fields, path, enforce_required, unknown, e);
    case PROP_QUANTITY:
        if (json_is_number(v))
            return 0;
        if (!json_is_string(v) || json_string_length(v) == 0)
            return prop_wrong_type(f, v, parent, key, e);
        return 0;
    case PROP_STRING_MAP:
    case PROP_INT_MAP: {
        const char *k;
        json_t *item;
        if (!json_is_object(v))
            return prop_wrong_type(f, v, parent, key, e);
        if ((f->flags & PROP_NONEMPTY) && json_object_size(v) == 0)
            return PATH(), verr_set(e, path, "must not be empty");
        json_object_foreach((json_t *)v, k, item) {
            int bad_type = f->kind == PROP_STRING_MAP ? !json_is_string(item)
                                                      : !json_is_integer(item);
            int bad_range = !bad_type && f->kind == PROP_INT_MAP && f->min < f->max &&
                            (json_integer_value(item) < f->min ||
                             json_integer_value(item) > f->max);
            if (!bad_type && !bad_range)
                continue;
            PATH();
            ydoc_path_key(child, sizeof(child), path, k);
            if (f->kind == PROP_STRING_MAP && !json_is_string(item))
                return verr_set(e, child, "expected a string, got %s%s", prop_json_type_name(item),
                                json_is_number(item) || json_is_boolean(item)
                                    ? " (quote it, e.g. \"1\")"
                                    : "");
            if (f->kind == PROP_INT_MAP && !json_is_integer(item))
                return verr_set(e, child, "expected an integer, got %s", prop_json_type_name(item));
            if (f->kind == PROP_INT_MAP && f->min < f->max &&
                (json_integer_value(item) < f->min || json_integer_value(item) > f->max))
                return verr_set(e, child, "%lld is out of range (%lld to %lld)",
                                (long long)json_integer_value(item), f->min, f->max);
        }
        return 0;
    }
    case PROP_STRING_LIST:
    case PROP_LIST: {
        size_t i;
        json_t *item;
        if (!json_is_array(v))
            return prop_wrong_type(f, v, parent, key, e);
        if ((f->flags & PROP_NONEMPTY) && json_array_size(v) == 0)
            return PATH(), verr_set(e, path, "must not be empty");
        if (f->kind == PROP_STRING_LIST || f->fields)
            PATH();
        json_array_foreach(v, i, item) {
            if (f->kind == PROP_LIST && !f->fields)
                break;
            ydoc_path_index(child, sizeof(child), path, i);
            if (f->kind == PROP_STRING_LIST && !json_is_string(item))
                return verr_set(e, child, "expected a string, got %s", prop_json_type_name(item));
            if (f->kind == PROP_LIST && f->fields) {
                if (!json_is_object(item))
                    return verr_set(e, child, "expected a map, got %s", prop_json_type_name(item));
                if (prop_check_fields(item, f->fields, child, enforce_required, unknown, e) < 0)
                    return -1;
            }
        }
        return 0;
    }
    }
    return 0;
}
#undef PATH

static int prop_check_fields(const json_t *obj, const prop_spec *fields, const char *path,
                             bool enforce_required, const prop_unknown *unknown, verr *e)
{
    char child[512];
    const char *k;
    json_t *v;

    if (obj && !json_is_null(obj) && !json_is_object(obj))
        return verr_set(e, path, "expected a map of properties, got %s", prop_json_type_name(obj));
    if (obj && json_is_object(obj)) {
        json_object_foreach((json_t *)obj, k, v) {
            const prop_spec *f = fields;
            while (f->name && strcmp(f->name, k) != 0)
                f++;
            if (!f->name && unknown) {
                if (unknown->warnings) {
                    char msg[256];
                    ydoc_path_key(child, sizeof(child), path, k);
                    snprintf(msg, sizeof(msg), "not a property of %s; ignored", unknown->owner);
                    json_array_append_new(unknown->warnings,
                                          json_pack("{s:s,s:s}", "path", child, "message", msg));
                }
                continue;
            }
            if (!f->name) {
                ydoc_path_key(child, sizeof(child), path, k);
                char known[512];
                prop_field_names(fields, known, sizeof(known));
                return verr_set(e, child, "unknown field \"%s\"; known fields: %s", k,
                                known[0] ? known : "(none)");
            }
            if (json_is_null(v))
                continue;
            if (prop_check_value(v, f, path, k, enforce_required, unknown, e) < 0)
                return -1;
        }
    }
    if (!enforce_required)
        return 0;
    for (const prop_spec *f = fields; f->name; f++) {
        json_t *have = obj && json_is_object(obj) ? json_object_get(obj, f->name) : NULL;
        if ((f->flags & PROP_REQUIRED) && (!have || json_is_null(have))) {
            ydoc_path_key(child, sizeof(child), path, f->name);
            return verr_set(e, child, "required field \"%s\" is missing", f->name);
        }
    }
    return 0;
}

int prop_check(const json_t *obj, const prop_spec *fields, const char *path, bool enforce_required,
               verr *e)
{
    return prop_check_fields(obj, fields, path, enforce_required, NULL, e);
}

int prop_check_open(const json_t *obj, const prop_spec *fields, const char *path,
                    bool enforce_required, const prop_unknown *unknown, verr *e)
{
    static const prop_unknown silent = {"", NULL};
    return prop_check_fields(obj, fields, path, enforce_required, unknown ? unknown : &silent, e);
}

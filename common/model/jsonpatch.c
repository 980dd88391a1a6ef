/* JSON Patch (RFC 6902), JSON Merge Patch (RFC 7396) and JSON Pointer (RFC 6901) over jansson
 * values. Patches are applied to a copy, so a failing operation leaves the document as it was
 * (RFC 6902 section 5). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/jsonpatch.h"

#define JP_TOKEN_MAX 512

void jsonpatch_merge(json_t *target, const json_t *patch)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)patch, k, v) {
        json_t *cur = json_object_get(target, k);
        if (json_is_null(v)) {
            json_object_del(target, k);
        } else if (json_is_object(v)) {
            if (!json_is_object(cur)) {
                json_object_set_new(target, k, json_object());
                cur = json_object_get(target, k);
            }
            jsonpatch_merge(cur, v);
        } else {
            json_object_set_new(target, k, json_deep_copy(v));
        }
    }
}

/* Reads the token after the '/' at *p into tok, decoding ~0 and ~1; *p moves to the next '/'
 * or the end. Returns 0, or -1 with why filled. */
static int jp_token(const char **p, char *tok, char *why, size_t whylen)
{
    const char *s = *p + 1;
    size_t n = 0;

    tok[0] = '\0';
    for (; *s && *s != '/'; s++) {
        char c = *s;
        if (c == '~') {
            if (s[1] != '0' && s[1] != '1') {
                err_set(why, whylen, "\"~\" must be followed by 0 or 1 (write ~0 for ~)");
                return -1;
            }
            c = s[1] == '0' ? '~' : '/';
            s++;
        }
        if (n + 1 >= JP_TOKEN_MAX) {
            err_set(why, whylen, "a path segment is longer than %d bytes", JP_TOKEN_MAX - 1);
            return -1;
        }
        tok[n++] = c;
    }
    tok[n] = '\0';
    *p = s;
    return 0;
}

/* tok as an index into a list of size elements: digits without a leading zero, or "-" (the
 * end, size) when allow_end. Indexes up to size (inclusive when allow_end) are valid. */
static int jp_index(const char *tok, size_t size, bool allow_end, size_t *idx, char *why,
                    size_t whylen)
{
    size_t v = 0;

    *idx = 0;
    if (strcmp(tok, "-") == 0 && allow_end) {
        *idx = size;
        return 0;
    }
    if (!tok[0] || (tok[0] == '0' && tok[1])) {
        err_set(why, whylen, "\"%s\" is not a list index", tok);
        return -1;
    }
    for (const char *c = tok; *c; c++) {
        if (*c < '0' || *c > '9' || v > size) {
            err_set(why, whylen, "\"%s\" is not a list index", tok);
            return -1;
        }
        v = v * 10 + (size_t)(*c - '0');
    }
    if (v > size || (v == size && !allow_end)) {
        err_set(why, whylen, "index %s is out of range (the list has %zu elements)", tok, size);
        return -1;
    }
    *idx = v;
    return 0;
}

/* Follows pointer up to its last token: *parent is the container that holds (or is to hold)
 * the target and last its decoded last token. pointer "" has no parent (*parent = NULL). */
static int jp_parent(json_t *doc, const char *pointer, json_t **parent, char *last, char *why,
                     size_t whylen)
{
    const char *p = pointer;
    json_t *cur = doc;

    *parent = NULL;
    last[0] = '\0';
    if (!pointer[0])
        return 0;
    if (pointer[0] != '/')
        return err_set(why, whylen, "a path must be empty or start with \"/\"");
    for (;;) {
        if (jp_token(&p, last, why, whylen) < 0)
            return -1;
        if (!*p)
            break;
        if (json_is_object(cur)) {
            cur = json_object_get(cur, last);
        } else if (json_is_array(cur)) {
            size_t i;
            if (jp_index(last, json_array_size(cur), false, &i, why, whylen) < 0)
                return -1;
            cur = json_array_get(cur, i);
        } else {
            cur = NULL;
        }
        if (!cur)
            return err_set(why, whylen, "no value at \"%.*s\"", (int)(p - pointer), pointer);
    }
    if (!json_is_object(cur) && !json_is_array(cur))
        return err_set(why, whylen, "the parent of the path is not an object or a list");
    *parent = cur;
    return 0;
}

/* The value at pointer, borrowed, or NULL with why filled. */
static json_t *jp_get(json_t *doc, const char *pointer, char *why, size_t whylen)
{
    char last[JP_TOKEN_MAX];
    json_t *parent, *v = NULL;
    size_t i;

    if (jp_parent(doc, pointer, &parent, last, why, whylen) < 0)
        return NULL;
    if (!parent)
        return doc;
    if (json_is_object(parent)) {
        v = json_object_get(parent, last);
    } else {
        if (jp_index(last, json_array_size(parent), false, &i, why, whylen) < 0)
            return NULL;
        v = json_array_get(parent, i);
    }
    if (!v)
        err_set(why, whylen, "no value at the path");
    return v;
}

json_t *jsonpatch_get(json_t *doc, const char *pointer)
{
    char why[256];
    return jp_get(doc, pointer, why, sizeof(why));
}

/* Adds value (stolen) at pointer; "" replaces the whole document. */
static int jp_add(json_t **root, const char *pointer, json_t *value, char *why, size_t whylen)
{
    char last[JP_TOKEN_MAX];
    json_t *parent;
    size_t i;

    if (jp_parent(*root, pointer, &parent, last, why, whylen) < 0) {
        json_decref(value);
        return -1;
    }
    if (!parent) {
        json_decref(*root);
        *root = value;
        return 0;
    }
    if (json_is_object(parent))
        return json_object_set_new(parent, last, value) == 0 ? 0 : -1;
    if (jp_index(last, json_array_size(parent), true, &i, why, whylen) < 0) {
        json_decref(value);
        return -1;
    }
    return json_array_insert_new(parent, i, value) == 0 ? 0 : -1;
}

/* Removes the value at pointer, which must exist. */
static int jp_remove(json_t *root, const char *pointer, char *why, size_t whylen)
{
    char last[JP_TOKEN_MAX];
    json_t *parent;
    size_t i;

    if (jp_parent(root, pointer, &parent, last, why, whylen) < 0)
        return -1;
    if (!parent)
        return err_set(why, whylen, "the whole document cannot be removed");
    if (json_is_object(parent)) {
        if (json_object_del(parent, last) < 0)
            return err_set(why, whylen, "no value at the path");
        return 0;
    }
    if (jp_index(last, json_array_size(parent), false, &i, why, whylen) < 0)
        return -1;
    return json_array_remove(parent, i);
}

/* Replaces the value at pointer, which must exist, in its place (a member keeps its
 * position among the object's keys). Steals value. */
static int jp_replace(json_t **root, const char *pointer, json_t *value, char *why, size_t whylen)
{
    char last[JP_TOKEN_MAX];
    json_t *parent;
    size_t i;

    if (jp_parent(*root, pointer, &parent, last, why, whylen) < 0) {
        json_decref(value);
        return -1;
    }
    if (!parent) {
        json_decref(*root);
        *root = value;
        return 0;
    }
    if (json_is_object(parent)) {
        if (!json_object_get(parent, last)) {
            json_decref(value);
            return err_set(why, whylen, "no value at the path");
        }
        return json_object_set_new(parent, last, value) == 0 ? 0 : -1;
    }
    if (jp_index(last, json_array_size(parent), false, &i, why, whylen) < 0) {
        json_decref(value);
        return -1;
    }
    return json_array_set_new(parent, i, value) == 0 ? 0 : -1;
}

/* Numbers are equal by value (1 and 1.0), objects whatever their key order (RFC 6902 4.6). */
static bool jp_equal(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return json_number_value(a) == json_number_value(b);
    }
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!jp_equal(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    if (json_is_object(a) && json_is_object(b)) {
        const char *k;
        json_t *v;
        if (json_object_size(a) != json_object_size(b))
            return false;
        json_object_foreach((json_t *)a, k, v) {
            json_t *w = json_object_get(b, k);
            if (!w || !jp_equal(v, w))
                return false;
        }
        return true;
    }
    return json_equal(a, b);
}

int jsonpatch_check_op(const json_t *op, char *err, size_t errlen)
{
    static const char *const known[] = {"add", "remove", "replace", "move", "copy", "test"};
    const char *name = json_string_value(json_object_get(op, "op"));
    size_t i;

    if (!json_is_object(op))
        return err_set(err, errlen, "an operation is an object {op, path, from, value}");
    if (!name)
        return err_set(err, errlen, "\"op\" is required: add, remove, replace, move, copy or test");
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(name, known[i]) == 0)
            break;
    if (i == sizeof(known) / sizeof(known[0]))
        return err_set(err, errlen,
                       "unknown operation \"%s\"; use add, remove, replace, move, copy or test",
                       name);
    if (!json_is_string(json_object_get(op, "path")))
        return err_set(err, errlen, "\"%s\" needs a \"path\" (a JSON pointer such as /spec)", name);
    if ((strcmp(name, "move") == 0 || strcmp(name, "copy") == 0) &&
        !json_is_string(json_object_get(op, "from")))
        return err_set(err, errlen, "\"%s\" needs a \"from\" (a JSON pointer)", name);
    if ((strcmp(name, "add") == 0 || strcmp(name, "replace") == 0 || strcmp(name, "test") == 0) &&
        !json_object_get(op, "value"))
        return err_set(err, errlen, "\"%s\" needs a \"value\"", name);
    return 0;
}

/* Applies one checked operation to *root. */
static int jp_apply_one(json_t **root, const json_t *op, char *why, size_t whylen)
{
    const char *name = json_string_value(json_object_get(op, "op"));
    const char *path = json_string_value(json_object_get(op, "path"));
    const char *from = json_string_value(json_object_get(op, "from"));
    json_t *value = json_object_get(op, "value");
    json_t *cur;
    size_t n;

    if (strcmp(name, "add") == 0)
        return jp_add(root, path, json_deep_copy(value), why, whylen);
    if (strcmp(name, "remove") == 0)
        return jp_remove(*root, path, why, whylen);
    if (strcmp(name, "replace") == 0)
        return jp_replace(root, path, json_deep_copy(value), why, whylen);
    if (strcmp(name, "test") == 0) {
        cur = jp_get(*root, path, why, whylen);
        if (!cur)
            return -1;
        if (!jp_equal(cur, value))
            return err_set(why, whylen, "test failed: the value there differs");
        return 0;
    }
    /* move and copy */
    cur = jp_get(*root, from, why, whylen);
    if (!cur)
        return err_set(why, whylen, "\"from\" \"%s\" leads nowhere", from);
    if (strcmp(name, "copy") == 0)
        return jp_add(root, path, json_deep_copy(cur), why, whylen);
    n = strlen(from);
    if (strcmp(from, path) == 0)
        return 0;
    if (strncmp(path, from, n) == 0 && path[n] == '/')
        return err_set(why, whylen, "a value cannot be moved into itself (\"from\" \"%s\")", from);
    json_incref(cur);
    if (jp_remove(*root, from, why, whylen) < 0) {
        json_decref(cur);
        return -1;
    }
    return jp_add(root, path, cur, why, whylen);
}

int jsonpatch_apply(const json_t *doc, const json_t *ops, json_t **out, size_t *failed, char *err,
                    size_t errlen)
{
    json_t *root = json_deep_copy(doc);
    json_t *op;
    size_t i;
    char why[512];

    *out = NULL;
    *failed = 0;
    if (!json_is_array(ops)) {
        json_decref(root);
        return err_set(err, errlen, "a JSON patch is a list of operations");
    }
    json_array_foreach(ops, i, op) {
        const char *name = json_string_value(json_object_get(op, "op"));
        const char *path = json_string_value(json_object_get(op, "path"));
        why[0] = '\0';
        if (jsonpatch_check_op(op, why, sizeof(why)) < 0 ||
            jp_apply_one(&root, op, why, sizeof(why)) < 0) {
            *failed = i;
            json_decref(root);
            return err_set(err, errlen, "operation %zu (%s) at \"%s\": %s", i, name ? name : "?",
                           path ? path : "", why[0] ? why : "failed");
        }
    }
    *out = root;
    return 0;
}

const char *jsonpatch_changed(json_t *a, json_t *b, const char *const *pointers)
{
    for (; *pointers; pointers++) {
        json_t *x = jsonpatch_get(a, *pointers), *y = jsonpatch_get(b, *pointers);
        if ((x || y) && (!x || !y || !jp_equal(x, y)))
            return *pointers;
    }
    return NULL;
}

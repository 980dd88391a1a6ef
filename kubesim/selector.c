/* Label selectors as the API server parses them: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a` (exists) and `!a` (does not exist), comma-separated. A parsed selector
 * is a JSON array of {key, op, values}. */
#include "selector.h"

#include "base/util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static bool key_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == '/';
}

static size_t read_token(const char *p, char *out, size_t len)
{
    size_t n = 0;
    while (key_char(p[n])) {
        if (n + 1 < len)
            out[n] = p[n];
        n++;
    }
    out[n < len ? n : len - 1] = '\0';
    return n;
}

json_t *ks_selector_parse(const char *s, char *err, size_t errlen)
{
    json_t *sel = json_array();
    const char *p = s;
    char key[256], val[256];
    while (1) {
        p = skip_ws(p);
        if (!*p)
            break;
        bool not_exists = false;
        if (*p == '!') {
            not_exists = true;
            p = skip_ws(p + 1);
        }
        size_t n = read_token(p, key, sizeof(key));
        if (n == 0 || n >= sizeof(key))
            goto bad;
        p = skip_ws(p + n);
        json_t *req = json_pack("{s:s}", "key", key);
        json_array_append_new(sel, req);
        if (not_exists) {
            json_object_set_new(req, "op", json_string("!"));
        } else if (*p == ',' || *p == '\0') {
            json_object_set_new(req, "op", json_string("exists"));
        } else if (*p == '=' || (*p == '!' && p[1] == '=')) {
            const char *op = *p == '!' ? "!=" : "=";
            p += (*p == '!' || p[1] == '=') ? 2 : 1;
            p = skip_ws(p);
            n = read_token(p, val, sizeof(val));
            if (n >= sizeof(val))
                goto bad;
            p = skip_ws(p + n);
            json_object_set_new(req, "op", json_string(op));
            json_object_set_new(req, "values", json_pack("[s]", val));
        } else if (strncmp(p, "in", 2) == 0 || strncmp(p, "notin", 5) == 0) {
            bool in = strncmp(p, "in", 2) == 0;
            p = skip_ws(p + (in ? 2 : 5));
            if (*p != '(')
                goto bad;
            p++;
            json_t *values = json_array();
            json_object_set_new(req, "op", json_string(in ? "in" : "notin"));
            json_object_set_new(req, "values", values);
            while (1) {
                p = skip_ws(p);
                n = read_token(p, val, sizeof(val));
                if (n >= sizeof(val))
                    goto bad;
                json_array_append_new(values, json_string(val));
                p = skip_ws(p + n);
                if (*p == ',') {
                    p++;
                    continue;
                }
                if (*p == ')') {
                    p++;
                    break;
                }
                goto bad;
            }
            p = skip_ws(p);
        } else {
            goto bad;
        }
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p)
            goto bad;
    }
    return sel;
bad:
    json_decref(sel);
    err_set(err, errlen,
            "unable to parse requirement: found '%s', expected: in, notin, =, ==, !=, gt, lt", p);
    return NULL;
}

static bool in_values(const json_t *values, const char *v)
{
    size_t i;
    json_t *e;
    json_array_foreach(values, i, e) {
        if (v && strcmp(json_string_value(e) ?: "", v) == 0)
            return true;
    }
    return false;
}

bool ks_selector_match(const json_t *sel, const json_t *obj)
{
    return ks_selector_match_labels(sel,
                                    json_object_get(json_object_get(obj, "metadata"), "labels"));
}

bool ks_selector_match_labels(const json_t *sel, const json_t *labels)
{
    size_t i;
    json_t *req;
    json_array_foreach(sel, i, req) {
        const char *key = json_string_value(json_object_get(req, "key"));
        const char *op = json_string_value(json_object_get(req, "op"));
        const json_t *values = json_object_get(req, "values");
        const char *v = json_string_value(json_object_get(labels, key));
        bool ok;
        if (strcmp(op, "exists") == 0)
            ok = v != NULL;
        else if (strcmp(op, "!") == 0)
            ok = v == NULL;
        else if (strcmp(op, "=") == 0 || strcmp(op, "in") == 0)
            ok = in_values(values, v);
        else /* != and notin also match objects without the label */
            ok = !in_values(values, v);
        if (!ok)
            return false;
    }
    return true;
}

bool ks_selector_match_expressions(const json_t *exprs, const json_t *labels)
{
    size_t i;
    json_t *e;
    json_array_foreach(exprs, i, e) {
        const char *key = json_string_value(json_object_get(e, "key"));
        const char *op = json_string_value(json_object_get(e, "operator"));
        const json_t *values = json_object_get(e, "values");
        const char *v = key ? json_string_value(json_object_get(labels, key)) : NULL;
        if (!op)
            return false;
        bool ok;
        if (strcmp(op, "In") == 0)
            ok = in_values(values, v);
        else if (strcmp(op, "NotIn") == 0)
            ok = !in_values(values, v);
        else if (strcmp(op, "Exists") == 0)
            ok = v != NULL;
        else if (strcmp(op, "DoesNotExist") == 0)
            ok = v == NULL;
        else
            ok = false;
        if (!ok)
            return false;
    }
    return true;
}

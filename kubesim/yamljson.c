/* YAML to JSON for apply-patch+yaml bodies: libyaml's event parser builds a jansson value.
 * Plain scalars resolve as YAML 1.2's core schema (null, booleans, integers, floats); quoted
 * scalars stay strings. Anchors and aliases work; only the first document is read. */
#include "sim.h"

#include "base/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define YJ_MAX_DEPTH 64

static json_t *scalar_value(const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        (ev->data.scalar.tag && strcmp((const char *)ev->data.scalar.tag, "tag:yaml.org,2002:str") == 0))
        return json_stringn(s, n);
    if (n == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
        strcmp(s, "NULL") == 0)
        return json_null();
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
        return json_true();
    if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
        return json_false();
    char *end;
    errno = 0;
    if ((s[0] == '-' || s[0] == '+' || (s[0] >= '0' && s[0] <= '9'))) {
        long long v;
        if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o'))
            v = strtoll(s + 2, &end, s[1] == 'x' ? 16 : 8);
        else
            v = strtoll(s, &end, 10);
        if (*end == '\0' && errno == 0)
            return json_integer(v);
        errno = 0;
        double d = strtod(s, &end);
        if (*end == '\0' && errno == 0 && strpbrk(s, ".eE"))
            return json_real(d);
    }
    if (strcmp(s, ".inf") == 0 || strcmp(s, ".Inf") == 0 || strcmp(s, ".nan") == 0)
        return json_stringn(s, n); /* JSON has no infinities; keep the text */
    return json_stringn(s, n);
}

struct yj {
    yaml_parser_t parser;
    json_t *anchors;
    char *err;
    size_t errlen;
};

static json_t *parse_node(struct yj *y, yaml_event_t *ev, int depth);

static int next(struct yj *y, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&y->parser, ev)) {
        err_set(y->err, y->errlen, "yaml: line %zu: %s", y->parser.problem_mark.line + 1,
                y->parser.problem ? y->parser.problem : "syntax error");
        return -1;
    }
    return 0;
}

static void remember(struct yj *y, const yaml_char_t *anchor, json_t *v)
{
    if (anchor && v)
        json_object_set(y->anchors, (const char *)anchor, v);
}

/* Parses the node that starts with *ev (consumed). Returns a new reference or NULL. */
static json_t *parse_node(struct yj *y, yaml_event_t *ev, int depth)
{
    json_t *v = NULL;
    if (depth > YJ_MAX_DEPTH) {
        err_set(y->err, y->errlen, "yaml: nesting too deep");
        yaml_event_delete(ev);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        v = scalar_value(ev);
        remember(y, ev->data.scalar.anchor, v);
        yaml_event_delete(ev);
        return v;
    case YAML_ALIAS_EVENT:
        v = json_object_get(y->anchors, (const char *)ev->data.alias.anchor);
        if (!v)
            err_set(y->err, y->errlen, "yaml: unknown anchor \"%s\"", (const char *)ev->data.alias.anchor);
        yaml_event_delete(ev);
        return v ? json_deep_copy(v) : NULL;
    case YAML_SEQUENCE_START_EVENT: {
        yaml_char_t *anchor = ev->data.sequence_start.anchor ? (yaml_char_t *)strdup((char *)ev->data.sequence_start.anchor) : NULL;
        yaml_event_delete(ev);
        v = json_array();
        while (1) {
            yaml_event_t e;
            if (next(y, &e) != 0)
                goto fail_seq;
            if (e.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&e);
                break;
            }
            json_t *item = parse_node(y, &e, depth + 1);
            if (!item)
                goto fail_seq;
            json_array_append_new(v, item);
        }
        remember(y, anchor, v);
        free(anchor);
        return v;
    fail_seq:
        free(anchor);
        json_decref(v);
        return NULL;
    }
    case YAML_MAPPING_START_EVENT: {
        yaml_char_t *anchor = ev->data.mapping_start.anchor ? (yaml_char_t *)strdup((char *)ev->data.mapping_start.anchor) : NULL;
        yaml_event_delete(ev);
        v = json_object();
        while (1) {
            yaml_event_t e;
            if (next(y, &e) != 0)
                goto fail_map;
            if (e.type == YAML_MAPPING_END_EVENT) {
                yaml_event_delete(&e);
                break;
            }
            json_t *k = parse_node(y, &e, depth + 1);
            if (!k)
                goto fail_map;
            char numbuf[64];
            const char *key = json_string_value(k);
            if (!key) {
                if (json_is_integer(k)) {
                    snprintf(numbuf, sizeof(numbuf), "%lld", (long long)json_integer_value(k));
                    key = numbuf;
                } else if (json_is_true(k) || json_is_false(k)) {
                    key = json_is_true(k) ? "true" : "false";
                } else if (json_is_null(k)) {
                    key = "null";
                } else {
                    json_decref(k);
                    err_set(y->err, y->errlen, "yaml: unsupported mapping key");
                    goto fail_map;
                }
            }
            if (next(y, &e) != 0) {
                json_decref(k);
                goto fail_map;
            }
            json_t *val = parse_node(y, &e, depth + 1);
            if (!val) {
                json_decref(k);
                goto fail_map;
            }
            if (strcmp(key, "<<") == 0 && json_is_object(val)) {
                const char *mk;
                json_t *mv;
                json_object_foreach(val, mk, mv)
                {
                    if (!json_object_get(v, mk))
                        json_object_set(v, mk, mv);
                }
                json_decref(val);
            } else {
                json_object_set_new(v, key, val);
            }
            json_decref(k);
        }
        remember(y, anchor, v);
        free(anchor);
        return v;
    fail_map:
        free(anchor);
        json_decref(v);
        return NULL;
    }
    default:
        err_set(y->err, y->errlen, "yaml: unexpected event");
        yaml_event_delete(ev);
        return NULL;
    }
}

json_t *ks_yaml_load(const char *text, size_t len, char *err, size_t errlen)
{
    struct yj y = {.err = err, .errlen = errlen};
    json_t *out = NULL;
    if (!yaml_parser_initialize(&y.parser))
        return NULL;
    y.anchors = json_object();
    yaml_parser_set_input_string(&y.parser, (const unsigned char *)text, len);
    yaml_event_t ev;
    /* stream start, document start (or stream end for an empty text) */
    while (1) {
        if (next(&y, &ev) != 0)
            goto cleanup;
        if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            err_set(err, errlen, "yaml: empty document");
            goto cleanup;
        }
        break;
    }
    out = parse_node(&y, &ev, 0);
cleanup:
    json_decref(y.anchors);
    yaml_parser_delete(&y.parser);
    return out;
}

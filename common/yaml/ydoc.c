/* YAML into jansson with libyaml's event parser. One recursive reader serves two uses: the
 * fast parse (no paths built), and ydoc_locate, which re-reads the text and builds the path
 * of every node to find where an error's field starts. Errors only pay for positions. */
#include "yaml/ydoc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/alloc.h"
#include "base/util.h"

const ydoc_limits ydoc_default_limits = {2u << 20, 64, 200000};

#define YP_PATH_MAX 1024

struct yp_anchor {
    char *name;
    json_t *node;
    size_t nodes;
};

struct yp {
    yaml_parser_t parser;
    ydoc_limits lim;
    size_t nodes;
    struct yp_anchor *anchors;
    size_t nanchors, aanchors;
    char *err;
    size_t errlen;
    int first_only; /* ydoc_parse_first: what follows the first document is not read */
    /* locate mode: target != NULL */
    const char *target;
    int found;
    int line, col;
};

static int yp_fail_mark(struct yp *p, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int yp_fail_mark(struct yp *p, yaml_mark_t m, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return err_set(p->err, p->errlen, "%zu:%zu: %s", m.line + 1, m.column + 1, msg);
}

static int yp_next(struct yp *p, yaml_event_t *ev)
{
    if (yaml_parser_parse(&p->parser, ev))
        return 0;
    yaml_parser_t *y = &p->parser;
    const char *problem = y->problem ? y->problem : "malformed YAML";
    if (y->error == YAML_READER_ERROR) { /* only a byte offset: count lines up to it */
        const unsigned char *s = y->input.string.start;
        size_t line = 1, col = 1, n = (size_t)(y->input.string.end - s);
        for (size_t i = 0; i < y->problem_offset && i < n; i++, col++)
            if (s[i] == '\n')
                line++, col = 0;
        return err_set(p->err, p->errlen, "%zu:%zu: invalid input at byte %zu: %s", line, col,
                       y->problem_offset, problem);
    }
    if (y->error == YAML_MEMORY_ERROR)
        return err_set(p->err, p->errlen, "out of memory while reading YAML");
    if (y->context)
        return err_set(p->err, p->errlen, "%zu:%zu: invalid YAML: %s %s (at %zu:%zu)",
                       y->problem_mark.line + 1, y->problem_mark.column + 1, problem, y->context,
                       y->context_mark.line + 1, y->context_mark.column + 1);
    return err_set(p->err, p->errlen, "%zu:%zu: invalid YAML: %s", y->problem_mark.line + 1,
                   y->problem_mark.column + 1, problem);
}

/* ---- paths ---- */

static int path_key_is_plain(const char *key)
{
    if (!*key)
        return 0;
    for (const char *c = key; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '-'))
            return 0;
    }
    return 1;
}

/* Paths are built on every validation step, so these avoid printf. */
static size_t path_copy_base(char *path, size_t n, const char *base)
{
    size_t len = strlen(base);
    if (len >= n)
        len = n - 1;
    if (path != base)
        memmove(path, base, len);
    path[len] = '\0';
    return len;
}

void ydoc_path_key(char *path, size_t n, const char *base, const char *key)
{
    size_t len = path_copy_base(path, n, base);
    size_t klen = strlen(key);
    if (path_key_is_plain(key)) {
        if (len + 1 + klen + 1 > n)
            return;
        if (len)
            path[len++] = '.';
        memcpy(path + len, key, klen + 1);
        return;
    }
    /* ["..."] with " and \ escaped */
    if (len + 3 > n)
        return;
    path[len++] = '[';
    path[len++] = '"';
    for (const char *c = key; *c && len + 4 < n; c++) {
        if (*c == '"' || *c == '\\')
            path[len++] = '\\';
        path[len++] = *c;
    }
    if (len + 3 <= n) {
        path[len++] = '"';
        path[len++] = ']';
    }
    path[len] = '\0';
}

void ydoc_path_index(char *path, size_t n, const char *base, size_t index)
{
    char digits[24];
    size_t nd = 0;
    size_t len = path_copy_base(path, n, base);
    do {
        digits[nd++] = (char)('0' + index % 10);
        index /= 10;
    } while (index);
    if (len + nd + 3 > n)
        return;
    path[len++] = '[';
    while (nd)
        path[len++] = digits[--nd];
    path[len++] = ']';
    path[len] = '\0';
}

static void yp_locate_check(struct yp *p, const char *path, yaml_mark_t m)
{
    size_t n = strlen(path);
    if (p->found)
        return;
    if (strcmp(path, p->target) == 0) {
        p->found = 1;
        p->line = (int)m.line + 1;
        p->col = (int)m.column + 1;
    } else if (strncmp(path, p->target, n) == 0 &&
               (n == 0 || p->target[n] == '.' || p->target[n] == '[')) {
        p->line = (int)m.line + 1; /* deepest ancestor so far */
        p->col = (int)m.column + 1;
    }
}

/* ---- scalars ---- */

static int str_eq_any(const char *s, size_t len, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == len && memcmp(s, *words, len) == 0)
            return 1;
    return 0;
}

static const char *const yaml_nulls[] = {"", "~", "null", "Null", "NULL", NULL};
static const char *const yaml_trues[] = {"true", "True", "TRUE", NULL};
static const char *const yaml_falses[] = {"false", "False", "FALSE", NULL};
static const char *const yaml_specials[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
                                            "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
                                            ".NaN",  ".NAN",  NULL};

static int is_int_syntax(const char *s, size_t len)
{
    size_t i = 0;
    if (len && (s[0] == '-' || s[0] == '+'))
        i = 1;
    if (i == len)
        return 0;
    if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'o')) {
        for (size_t j = i + 2; j < len; j++) {
            char c = s[j];
            int ok = s[i + 1] == 'x' ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                                        (c >= 'A' && c <= 'F'))
                                     : (c >= '0' && c <= '7');
            if (!ok)
                return 0;
        }
        return 1;
    }
    for (; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int is_float_syntax(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    if (len && (s[0] == '-' || s[0] == '+'))
        i = 1;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (!digits)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t exp = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, exp++;
        if (!exp)
            return 0;
    }
    return i == len;
}

int ydoc_plain_is_special(const char *s, size_t len)
{
    return str_eq_any(s, len, yaml_nulls) || str_eq_any(s, len, yaml_trues) ||
           str_eq_any(s, len, yaml_falses) || str_eq_any(s, len, yaml_specials) ||
           is_int_syntax(s, len) || is_float_syntax(s, len);
}

static json_t *scalar_int(const char *s, size_t len)
{
    char tmp[80];
    if (len >= sizeof(tmp))
        return NULL;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    int neg = tmp[0] == '-';
    const char *digits = (tmp[0] == '-' || tmp[0] == '+') ? tmp + 1 : tmp;
    int base = 10;
    if (digits[0] == '0' && digits[1] == 'x')
        base = 16, digits += 2;
    else if (digits[0] == '0' && digits[1] == 'o')
        base = 8, digits += 2;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(digits, &end, base);
    if (errno || *end || v > (unsigned long long)INT64_MAX + (neg ? 1u : 0u))
        return NULL;
    return json_integer(neg ? (json_int_t)(0 - v) : (json_int_t)v);
}

/* Resolves a scalar to a JSON value; NULL with err set when it cannot be represented. */
static json_t *yp_scalar(struct yp *p, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    json_t *v = NULL;

    if (memchr(s, '\0', len)) {
        yp_fail_mark(p, ev->start_mark, "a NUL character is not allowed in a string");
        return NULL;
    }
    if (tag && strcmp(tag, "!") != 0) {
        if (strcmp(tag, YAML_STR_TAG) == 0)
            return json_stringn(s, len);
        if (strcmp(tag, YAML_NULL_TAG) == 0 && str_eq_any(s, len, yaml_nulls))
            return json_null();
        if (strcmp(tag, YAML_BOOL_TAG) == 0 && str_eq_any(s, len, yaml_trues))
            return json_true();
        if (strcmp(tag, YAML_BOOL_TAG) == 0 && str_eq_any(s, len, yaml_falses))
            return json_false();
        if (strcmp(tag, YAML_INT_TAG) == 0 && is_int_syntax(s, len) && (v = scalar_int(s, len)))
            return v;
        if (strcmp(tag, YAML_FLOAT_TAG) == 0 && is_float_syntax(s, len))
            return json_real(strtod(s, NULL));
        yp_fail_mark(p, ev->start_mark,
                     "tag %s does not fit the value \"%.*s\" or is not supported", tag,
                     (int)(len > 40 ? 40 : len), s);
        return NULL;
    }
    if (!plain || tag)
        return json_stringn_nocheck(s, len);
    if (str_eq_any(s, len, yaml_nulls))
        return json_null();
    if (str_eq_any(s, len, yaml_trues))
        return json_true();
    if (str_eq_any(s, len, yaml_falses))
        return json_false();
    if (is_int_syntax(s, len)) {
        if ((v = scalar_int(s, len)))
            return v;
        yp_fail_mark(p, ev->start_mark, "integer %.*s is out of range", (int)(len > 40 ? 40 : len),
                     s);
        return NULL;
    }
    if (is_float_syntax(s, len)) {
        double d = strtod(s, NULL);
        if (isfinite(d))
            return json_real(d);
    }
    if (str_eq_any(s, len, yaml_specials) || is_float_syntax(s, len)) {
        yp_fail_mark(p, ev->start_mark, "%.*s cannot be represented in JSON", (int)len, s);
        return NULL;
    }
    return json_stringn_nocheck(s, len);
}

/* ---- nodes ---- */

static int yp_node(struct yp *p, yaml_event_t *ev, int depth, const char *path, json_t **out);

static int yp_count(struct yp *p, size_t n, yaml_mark_t m)
{
    p->nodes += n;
    if (p->nodes > p->lim.max_nodes)
        return yp_fail_mark(p, m,
                            "document has more than %zu nodes (aliases count each time "
                            "they are used)",
                            p->lim.max_nodes);
    return 0;
}

static void yp_anchor_add(struct yp *p, const char *name, json_t *node, size_t nodes)
{
    if (p->nanchors == p->aanchors) {
        size_t n = p->aanchors ? p->aanchors * 2 : 8;
        p->anchors = xrealloc(p->anchors, n * sizeof(*p->anchors));
        p->aanchors = n;
    }
    p->anchors[p->nanchors].name = xstrdup(name);
    p->anchors[p->nanchors].node = json_incref(node);
    p->anchors[p->nanchors].nodes = nodes;
    p->nanchors++;
}

static struct yp_anchor *yp_anchor_find(struct yp *p, const char *name)
{
    for (size_t i = p->nanchors; i-- > 0;)
        if (strcmp(p->anchors[i].name, name) == 0)
            return &p->anchors[i];
    return NULL;
}

/* Applies `<<` merges: keys of each source that the mapping does not set itself. */
static int yp_merge_into(struct yp *p, json_t *map, json_t *src, yaml_mark_t m)
{
    const char *k;
    json_t *v;
    if (json_is_array(src)) {
        size_t i;
        json_array_foreach(src, i, v) {
            if (yp_merge_into(p, map, v, m) < 0)
                return -1;
        }
        return 0;
    }
    if (!json_is_object(src))
        return yp_fail_mark(p, m,
                            "the value of a << merge key must be a mapping or a list of "
                            "mappings");
    json_object_foreach(src, k, v) {
        if (!json_object_get(map, k)) /* the mapping's own keys win */
            json_object_set(map, k, v);
    }
    return 0;
}

static int yp_mapping(struct yp *p, yaml_event_t *start, int depth, const char *path, json_t **out)
{
    json_t *map = json_object();
    json_t *merges = NULL;
    char child[YP_PATH_MAX];
    yaml_event_t ev;
    yaml_mark_t merge_mark = start->start_mark;
    int rc = -1;

    for (;;) {
        if (yp_next(p, &ev) < 0)
            goto cleanup;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type != YAML_SCALAR_EVENT) {
            yp_fail_mark(p, ev.start_mark, "a mapping key must be a plain string, not a %s",
                         ev.type == YAML_ALIAS_EVENT ? "alias" : "mapping or list");
            yaml_event_delete(&ev);
            goto cleanup;
        }
        /* the key event is kept until its value is stored: libyaml's NUL-terminated
         * value is the key, so it is not copied twice */
        yaml_event_t key_ev = ev;
        const char *key = (const char *)key_ev.data.scalar.value;
        yaml_mark_t key_mark = key_ev.start_mark;
        int is_merge = key_ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                       strcmp(key, "<<") == 0;
        if (memchr(key, '\0', key_ev.data.scalar.length)) {
            yaml_event_delete(&key_ev);
            yp_fail_mark(p, key_mark, "a NUL character is not allowed in a key");
            goto cleanup;
        }
        if (!is_merge && json_object_get(map, key)) { /* merges are applied at the end */
            yp_fail_mark(p, key_mark, "duplicate key \"%s\"%s%s", key, *path ? " in " : "", path);
            yaml_event_delete(&key_ev);
            goto cleanup;
        }
        if (p->target) {
            ydoc_path_key(child, sizeof(child), path, key);
            yp_locate_check(p, child, key_mark);
        } else {
            child[0] = '\0';
        }
        json_t *value = NULL;
        if (yp_next(p, &ev) < 0 || yp_node(p, &ev, depth, child, &value) < 0) {
            yaml_event_delete(&key_ev);
            goto cleanup;
        }
        if (is_merge) {
            if (!merges)
                merges = json_array();
            json_array_append_new(merges, value);
            merge_mark = key_mark;
        } else {
            /* libyaml has checked the input's UTF-8 */
            json_object_set_new_nocheck(map, key, value);
        }
        yaml_event_delete(&key_ev);
    }
    if (merges && yp_merge_into(p, map, merges, merge_mark) < 0)
        goto cleanup;
    *out = map;
    map = NULL;
    rc = 0;
cleanup:
    json_decref(map);
    json_decref(merges);
    return rc;
}

static int yp_sequence(struct yp *p, int depth, const char *path, json_t **out)
{
    json_t *arr = json_array();
    char child[YP_PATH_MAX];
    yaml_event_t ev;

    for (size_t i = 0;; i++) {
        if (yp_next(p, &ev) < 0)
            goto fail;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (p->target) {
            ydoc_path_index(child, sizeof(child), path, i);
            yp_locate_check(p, child, ev.start_mark);
        } else {
            child[0] = '\0';
        }
        json_t *item = NULL;
        if (yp_node(p, &ev, depth, child, &item) < 0)
            goto fail;
        json_array_append_new(arr, item);
    }
    *out = arr;
    return 0;
fail:
    json_decref(arr);
    return -1;
}

/* Builds the node that starts with *ev (which it consumes). */
static int yp_node(struct yp *p, yaml_event_t *ev, int depth, const char *path, json_t **out)
{
    size_t nodes_before = p->nodes;
    char *anchor = NULL;
    int rc = -1;

    *out = NULL;
    if (yp_count(p, 1, ev->start_mark) < 0)
        goto cleanup;
    switch (ev->type) {
    case YAML_ALIAS_EVENT: {
        struct yp_anchor *a = yp_anchor_find(p, (const char *)ev->data.alias.anchor);
        if (!a) {
            yp_fail_mark(p, ev->start_mark, "unknown anchor \"%s\"", ev->data.alias.anchor);
            goto cleanup;
        }
        if (yp_count(p, a->nodes, ev->start_mark) < 0)
            goto cleanup;
        *out = json_deep_copy(a->node);
        rc = 0;
        goto cleanup;
    }
    case YAML_SCALAR_EVENT:
        if (ev->data.scalar.anchor)
            anchor = xstrdup((const char *)ev->data.scalar.anchor);
        *out = yp_scalar(p, ev);
        break;
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT: {
        if (depth + 1 > p->lim.max_depth) {
            yp_fail_mark(p, ev->start_mark, "document is nested deeper than %d levels",
                         p->lim.max_depth);
            goto cleanup;
        }
        const yaml_char_t *a = ev->type == YAML_MAPPING_START_EVENT
                                   ? ev->data.mapping_start.anchor
                                   : ev->data.sequence_start.anchor;
        if (a)
            anchor = xstrdup((const char *)a);
        if (ev->type == YAML_MAPPING_START_EVENT)
            yp_mapping(p, ev, depth + 1, path, out);
        else
            yp_sequence(p, depth + 1, path, out);
        break;
    }
    default: yp_fail_mark(p, ev->start_mark, "unexpected YAML event"); goto cleanup;
    }
    if (!*out)
        goto cleanup;
    if (anchor)
        yp_anchor_add(p, anchor, *out, p->nodes - nodes_before);
    rc = 0;
cleanup:
    free(anchor);
    yaml_event_delete(ev);
    return rc;
}

static int yp_expect(struct yp *p, yaml_event_type_t type, const char *what)
{
    yaml_event_t ev;
    if (yp_next(p, &ev) < 0)
        return -1;
    int ok = ev.type == type;
    yaml_mark_t m = ev.start_mark;
    yaml_event_delete(&ev);
    if (!ok)
        return yp_fail_mark(p, m, "%s", what);
    return 0;
}

static int yp_run(struct yp *p, const char *buf, size_t len, json_t **out)
{
    yaml_event_t ev;
    int rc = -1;

    *out = NULL;
    if (!yaml_parser_initialize(&p->parser))
        return err_set(p->err, p->errlen, "libyaml could not set up a parser (out of memory)");
    yaml_parser_set_input_string(&p->parser, (const unsigned char *)buf, len);
    if (yp_expect(p, YAML_STREAM_START_EVENT, "expected the start of a YAML stream") < 0)
        goto cleanup;
    if (yp_next(p, &ev) < 0)
        goto cleanup;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        err_set(p->err, p->errlen, "1:1: the document is empty");
        goto cleanup;
    }
    yaml_event_delete(&ev); /* document start */
    if (p->target)
        yp_locate_check(p, "", (yaml_mark_t){0, 0, 0});
    if (yp_next(p, &ev) < 0 || yp_node(p, &ev, 0, "", out) < 0)
        goto cleanup;
    if (p->target || p->first_only) { /* the rest of the text does not matter */
        rc = 0;
        goto cleanup;
    }
    if (yp_expect(p, YAML_DOCUMENT_END_EVENT, "expected the end of the document") < 0)
        goto cleanup;
    if (yp_next(p, &ev) < 0)
        goto cleanup;
    if (ev.type != YAML_STREAM_END_EVENT) {
        yp_fail_mark(p, ev.start_mark,
                     "expected one YAML document, found another; submit one "
                     "Application per file");
        yaml_event_delete(&ev);
        goto cleanup;
    }
    yaml_event_delete(&ev);
    rc = 0;
cleanup:
    if (rc < 0) {
        json_decref(*out);
        *out = NULL;
    }
    for (size_t i = 0; i < p->nanchors; i++) {
        free(p->anchors[i].name);
        json_decref(p->anchors[i].node);
    }
    free(p->anchors);
    yaml_parser_delete(&p->parser);
    return rc;
}

static int yp_parse(const char *buf, size_t len, const ydoc_limits *limits, int first_only,
                    json_t **out, char *err, size_t errlen)
{
    struct yp p;
    memset(&p, 0, sizeof(p));
    p.first_only = first_only;
    p.lim = limits ? *limits : ydoc_default_limits;
    p.err = err;
    p.errlen = errlen;
    *out = NULL;
    if (len > p.lim.max_bytes)
        return err_set(err, errlen, "1:1: the document is %zu bytes, more than the limit of %zu",
                       len, p.lim.max_bytes);
    return yp_run(&p, buf, len, out);
}

int ydoc_parse(const char *buf, size_t len, const ydoc_limits *limits, json_t **out, char *err,
               size_t errlen)
{
    return yp_parse(buf, len, limits, 0, out, err, errlen);
}

int ydoc_parse_first(const char *buf, size_t len, const ydoc_limits *limits, json_t **out,
                     char *err, size_t errlen)
{
    return yp_parse(buf, len, limits, 1, out, err, errlen);
}

int ydoc_locate(const char *buf, size_t len, const char *path, int *line, int *col)
{
    struct yp p;
    char err[256];
    json_t *root = NULL;

    memset(&p, 0, sizeof(p));
    p.lim = ydoc_default_limits;
    p.err = err;
    p.errlen = sizeof(err);
    p.target = path;
    *line = *col = 0;
    if (len <= p.lim.max_bytes)
        yp_run(&p, buf, len, &root);
    json_decref(root);
    *line = p.line;
    *col = p.col;
    return p.found ? 0 : -1;
}

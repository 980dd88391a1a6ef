/* Writes jansson values as YAML documents with libyaml's emitter, for `vela dry-run -o yaml`
 * and anything else that shows manifests to people. */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "base/util.h"
#include "yaml/ydoc.h"
#include "yaml/yemit.h"
#include "base/strbuf.h"

static int yemit_write(void *data, unsigned char *buffer, size_t size)
{
    return strbuf_add((strbuf *)data, buffer, size) == 0;
}

/* Strings that YAML 1.1 readers (kubectl's sigs.k8s.io/yaml, PyYAML) would not read back as
 * strings when plain: yes/no/on/off/y/n, 1_000, 0b101, 12:30, "=", "<<". Quoted as well. */
static int yemit_yaml11_special(const char *s, size_t len)
{
    static const char *const words[] = {"y",   "Y",   "yes", "Yes", "YES", "n",  "N",
                                        "no",  "No",  "NO",  "on",  "On",  "ON", "off",
                                        "Off", "OFF", "=",   "<<",  NULL};
    for (const char *const *w = words; *w; w++)
        if (strlen(*w) == len && memcmp(*w, s, len) == 0)
            return 1;
    size_t i = len && (s[0] == '-' || s[0] == '+' || s[0] == '.') ? 1 : 0;
    if (i < len && s[i] >= '0' && s[i] <= '9') { /* number-like: quote unless clearly text */
        for (; i < len; i++)
            if (!strchr("0123456789abcdefABCDEFxXoO_:.+-", s[i]))
                return 0;
        return 1;
    }
    return 0;
}

static int yemit_needs_quotes(const char *s, size_t len)
{
    return ydoc_plain_is_special(s, len) || yemit_yaml11_special(s, len);
}

static int yemit_scalar(yaml_emitter_t *em, const char *s, size_t len, int force_quotes)
{
    yaml_event_t ev;
    yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
    if (force_quotes)
        style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    else if (memchr(s, '\n', len))
        style = YAML_LITERAL_SCALAR_STYLE;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1, style);
    return yaml_emitter_emit(em, &ev) ? 0 : -1;
}

static int yemit_value(yaml_emitter_t *em, const json_t *v)
{
    yaml_event_t ev;
    char num[64];

    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *item;
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        if (!yaml_emitter_emit(em, &ev))
            return -1;
        json_object_foreach((json_t *)v, k, item) {
            size_t kl = strlen(k);
            if (yemit_scalar(em, k, kl, yemit_needs_quotes(k, kl)) < 0 || yemit_value(em, item) < 0)
                return -1;
        }
        yaml_mapping_end_event_initialize(&ev);
        return yaml_emitter_emit(em, &ev) ? 0 : -1;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *item;
        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
        if (!yaml_emitter_emit(em, &ev))
            return -1;
        json_array_foreach(v, i, item) {
            if (yemit_value(em, item) < 0)
                return -1;
        }
        yaml_sequence_end_event_initialize(&ev);
        return yaml_emitter_emit(em, &ev) ? 0 : -1;
    }
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        return yemit_scalar(em, s, len, yemit_needs_quotes(s, len));
    }
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return yemit_scalar(em, num, strlen(num), 0);
    case JSON_REAL:
        /* %.17g writes at most 24 characters ("-1.2345678901234567e-308"), so the ".0" added
         * below always fits in num. */
        snprintf(num, sizeof(num), "%.17g", json_real_value(v));
        char *e = strchr(num, 'e');
        if (!strchr(num, '.')) { /* "1e-300" is a string to YAML 1.1: "1.0e-300" */
            char *at = e ? e : num + strlen(num);
            memmove(at + 2, at, strlen(at) + 1);
            memcpy(at, ".0", 2);
        }
        return yemit_scalar(em, num, strlen(num), 0);
    case JSON_TRUE: return yemit_scalar(em, "true", 4, 0);
    case JSON_FALSE: return yemit_scalar(em, "false", 5, 0);
    case JSON_NULL: return yemit_scalar(em, "null", 4, 0);
    }
    return -1;
}

int yemit_json(strbuf *out, const json_t *v)
{
    yaml_emitter_t em;
    yaml_event_t ev;
    int rc = -1;

    if (!yaml_emitter_initialize(&em))
        return -1;
    yaml_emitter_set_output(&em, yemit_write, out);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, 100);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    if (!yaml_emitter_emit(&em, &ev))
        goto cleanup;
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0);
    if (!yaml_emitter_emit(&em, &ev))
        goto cleanup;
    if (yemit_value(&em, v) < 0)
        goto cleanup;
    yaml_document_end_event_initialize(&ev, 1);
    if (!yaml_emitter_emit(&em, &ev))
        goto cleanup;
    yaml_stream_end_event_initialize(&ev);
    if (!yaml_emitter_emit(&em, &ev))
        goto cleanup;
    rc = yaml_emitter_flush(&em) ? 0 : -1;
cleanup:
    yaml_emitter_delete(&em);
    return rc;
}

/* Declarative property schemas for component types and traits: each definition lists its
 * fields once, and prop_check validates any properties object against that list. */
#ifndef VELA_PROPSPEC_H
#define VELA_PROPSPEC_H

#include <jansson.h>
#include <stdbool.h>

#include "base/verr.h"

enum prop_kind {
    PROP_STRING,
    PROP_INT,
    PROP_BOOL,
    PROP_QUANTITY,   /* string or number, e.g. cpu "500m" or 0.5 */
    PROP_STRING_MAP, /* map of string to string */
    PROP_INT_MAP,    /* map of string to integer, e.g. gateway http: {"/": 8000} */
    PROP_STRING_LIST,
    PROP_LIST,   /* list of objects described by .fields */
    PROP_MAP,    /* any map; checked elsewhere */
    PROP_OBJECT, /* a map whose keys are described by .fields (nested properties) */
    PROP_ANY,    /* any value (a JSON patch operation's value); checked elsewhere */
};

enum prop_flags {
    PROP_REQUIRED = 1 << 0,
    PROP_NONEMPTY = 1 << 1, /* strings, maps and lists must not be empty */
};

typedef struct prop_spec {
    const char *name;
    enum prop_kind kind;
    unsigned flags;
    const struct prop_spec *fields; /* PROP_LIST items, PROP_OBJECT keys; NULL name ends */
    const char *const *one_of;      /* allowed string values, NULL-terminated */
    long long min, max;             /* integer range, when min < max */
    /* For `vela show` (docs/cli.md): what the property means, and its default as shown
     * ("1", "ClusterIP"); NULL: none. Tables written before these existed leave them out. */
    const char *description;
    const char *default_text;
} prop_spec;

/* Checks obj (an object, or NULL/null for "no properties") against fields. Unknown keys,
 * wrong types and out-of-range values are errors; required fields are enforced only when
 * enforce_required (an override patch may be partial). An explicit null counts as absent.
 * path is obj's own field path. Returns 0 or -1 with e filled. */
int prop_check(const json_t *obj, const prop_spec *fields, const char *path, bool enforce_required,
               verr *e);

/* Where prop_check_open puts unknown keys instead of failing: KubeVela's parameter structs
 * are open, so a property no definition declares is ignored. warnings (may be NULL: ignore
 * them silently) gets {"path", "message"} items saying "not a property of OWNER; ignored". */
typedef struct prop_unknown {
    const char *owner; /* "webservice", "scaler" */
    json_t *warnings;
} prop_unknown;

/* prop_check, but unknown keys at any depth go to unknown (see prop_unknown). */
int prop_check_open(const json_t *obj, const prop_spec *fields, const char *path,
                    bool enforce_required, const prop_unknown *unknown, verr *e);

/* A word for a JSON value's type in messages: "string", "integer", "list"... */
const char *prop_json_type_name(const json_t *v);

#endif

/* Reading and checking the fields of a JSON message: the helpers every decoder in msg/ uses,
 * so that each refuses bad input the same way, with an error that names the field path
 * ("workflow.steps[2].name: missing"). Prefix msg_rfield_. */
#ifndef VELA_MSG_RFIELD_H
#define VELA_MSG_RFIELD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caps on what a decoder accepts besides MSG_MAX_BYTES (schema.h): identifiers (names,
 * namespaces, types, ids, timestamps), free text (messages, tokens), array items, and
 * nesting (the root is level 1, as for YAML documents). */
#define MSG_RMAX_NAME_LEN 253
#define MSG_RMAX_TEXT_LEN (64u * 1024)
#define MSG_RMAX_ITEMS 100000
#define MSG_RMAX_DEPTH 64

/* Flags of the field readers. */
#define MSG_ROPTIONAL 0
#define MSG_RREQUIRED 1 /* absent (or null) is an error, "PATH: missing" */
#define MSG_RNONEMPTY 2 /* strings: "" is an error */

/* Parses buf (len bytes) into a JSON object *out (a new reference; NULL on failure). Refuses
 * an empty buffer, one over MSG_MAX_BYTES (before parsing), text that is not JSON, duplicate
 * keys, nesting deeper than MSG_RMAX_DEPTH and a value that is not an object. */
int msg_rfield_load(const char *buf, size_t len, json_t **out, char *err, size_t errlen);

/* -1 with "record is nested deeper than MSG_RMAX_DEPTH levels" when j is (msg_rfield_load
 * checks it; this is for a tree parsed otherwise). */
int msg_rfield_check_depth(const json_t *j, char *err, size_t errlen);

/* "PATH.KEY" (or "KEY" at the root, path "") and "PATH[I]" into out (cut at len). */
void msg_rfield_path(char *out, size_t len, const char *path, const char *key);
void msg_rfield_index(char *out, size_t len, const char *path, size_t i);

/* Every reader: 0 with the value, or with *out left as it is (NULL or the caller's default)
 * when an optional field is absent; -1 with "PATH.KEY: why" otherwise. A JSON null counts as
 * absent. *present (may be NULL) says whether the field was there. */

/* A string of at most max bytes; *out (NULL or malloc'd: freed when replaced) becomes a
 * malloc'd copy that the caller frees. */
int msg_rfield_str(const json_t *obj, const char *path, const char *key, int flags, size_t max,
                  char **out, char *err, size_t errlen);
/* An integer in [min, max]. */
int msg_rfield_int(const json_t *obj, const char *path, const char *key, int flags, int64_t min,
                  int64_t max, int64_t *out, bool *present, char *err, size_t errlen);
int msg_rfield_bool(const json_t *obj, const char *path, const char *key, int flags, bool *out,
                   bool *present, char *err, size_t errlen);
/* A string among names[0..n-1]; *out is its index. The error lists the names. */
int msg_rfield_enum(const json_t *obj, const char *path, const char *key, int flags,
                   const char *const *names, size_t n, int *out, char *err, size_t errlen);
/* An object (borrowed, *out NULL when absent). */
int msg_rfield_object(const json_t *obj, const char *path, const char *key, int flags,
                     json_t **out, char *err, size_t errlen);
/* An array of at most MSG_RMAX_ITEMS items (borrowed, *out NULL when absent). */
int msg_rfield_array(const json_t *obj, const char *path, const char *key, int flags,
                    json_t **out, char *err, size_t errlen);
/* The schemaVersion member: required, an integer, equal to want. */
int msg_rfield_version(const json_t *obj, int want, char *err, size_t errlen);

/* A JSON type's name for messages: "a string", "an array"... */
const char *msg_rfield_type_name(const json_t *v);

#endif

/* The toolkit the message codecs share: loading a record with a size cap, typed field readers
 * whose errors name the field's path ("components[1].traits[0].type: expected a string, got
 * an integer"), and the matching writers. Rules are in docs/topics.md ("Decoding rules"). */
#ifndef VELA_MSG_FIELD_H
#define VELA_MSG_FIELD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Flags of a field. */
#define MSG_REQUIRED 0x1 /* absent is an error (otherwise absent leaves the output unset) */
#define MSG_NONEMPTY 0x2 /* strings: "" is an error */
#define MSG_DNS1123 0x4  /* strings: a DNS-1123 label (implies non-empty, at most 63) */

/* Caps on what one record may hold; a record within MSG_MAX_BYTES can still be absurd. */
#define MSG_MAX_ID_LEN 512        /* taskId (the schema's maxLength) */
#define MSG_MAX_NAME_LEN 253      /* names, namespaces, types, steps, uids, apiVersions */
#define MSG_MAX_TIME_LEN 64       /* RFC 3339 times */
#define MSG_MAX_MESSAGE_LEN 65536 /* free text: event messages, the worker's id */

/* Parses a record into a JSON object (new reference). NULL with the reason when buf is
 * empty or NULL, larger than MSG_MAX_BYTES (refused before parsing), not JSON (jansson's
 * nesting limit applies), has a duplicate key, or is not an object. */
json_t *msg_field_load(const char *buf, size_t len, char *err, size_t errlen);

/* Checks schemaVersion == want ("schemaVersion: expected 1, got 2"). */
int msg_field_version(const json_t *root, int want, char *err, size_t errlen);

/* "at.key", or "key" when at is "" (the root). */
void msg_field_path(char *buf, size_t n, const char *at, const char *key);
/* "at[i]" */
void msg_field_index(char *buf, size_t n, const char *at, size_t i);
/* "an object", "a string", "null", ... for "got ..." in errors. */
const char *msg_field_kind_of(const json_t *j);

/* Readers of obj[key] at path at. With flags lacking MSG_REQUIRED an absent field leaves
 * *out untouched (NULL pointers, *has = false) and returns 0. A present field of the wrong
 * type is always an error: null is not "absent". Strings point into obj. */
int msg_field_str(const json_t *obj, const char *at, const char *key, unsigned flags,
                  size_t max_len, const char **out, char *err, size_t errlen);
int msg_field_int(const json_t *obj, const char *at, const char *key, unsigned flags,
                  int64_t min, int64_t max, int64_t *out, bool *has, char *err, size_t errlen);
int msg_field_bool(const json_t *obj, const char *at, const char *key, unsigned flags,
                   bool *out, bool *has, char *err, size_t errlen);
/* An RFC 3339 time: the text and its value in ms since the epoch. */
int msg_field_time(const json_t *obj, const char *at, const char *key, unsigned flags,
                   const char **out, int64_t *ms, char *err, size_t errlen);
int msg_field_array(const json_t *obj, const char *at, const char *key, unsigned flags,
                    size_t max_items, const json_t **out, char *err, size_t errlen);
int msg_field_object(const json_t *obj, const char *at, const char *key, unsigned flags,
                     const json_t **out, char *err, size_t errlen);
/* j itself (an array element at path) must be an object. */
int msg_field_is_object(const json_t *j, const char *path, char *err, size_t errlen);

/* Writers: obj[key] = s, with the reader's rules (so that what is encoded decodes): a NULL s
 * is skipped unless MSG_REQUIRED, then an error; text that is not UTF-8 is an error. */
int msg_field_put_str(json_t *obj, const char *at, const char *key, const char *s,
                      unsigned flags, size_t max_len, char *err, size_t errlen);
/* obj[key] = v (stolen, also on failure); v NULL is out of memory. */
int msg_field_put(json_t *obj, const char *key, json_t *v, char *err, size_t errlen);

/* Replaces bytes of err that do not belong in a one-line log value (control characters, and
 * bytes >= 0x7f that jansson may quote from a broken input) with '?'. Decoders call it on
 * their errors. */
void msg_field_clean(char *err);

#endif

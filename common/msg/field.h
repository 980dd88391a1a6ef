/* The toolkit every message codec in msg/ shares, so that each refuses bad input the same
 * way: loading a record with size and depth caps, typed field readers whose errors name the
 * field's path ("components[1].traits[0].type: expected a string, got an integer"), and the
 * matching writers. Rules are in docs/topics.md ("Decoding rules"). */
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

/* Caps on what one record of any topic may hold besides MSG_MAX_BYTES (schema.h): a record
 * within MSG_MAX_BYTES can still be absurd. Some messages cap their arrays lower (task.h,
 * event.h). */
#define MSG_MAX_DEPTH 64       /* nesting; the root is level 1, as for YAML documents */
#define MSG_MAX_ITEMS 100000   /* items of any array, members of a map such as labels */
#define MSG_MAX_ID_LEN 512     /* task ids (the schema's maxLength) */
#define MSG_MAX_NAME_LEN 253   /* names, namespaces, types, steps, uids, apiVersions */
#define MSG_MAX_TIME_LEN 64    /* RFC 3339 times */
#define MSG_MAX_TEXT_LEN 65536 /* free text: messages, tokens, the worker's id */

/* Parses a record into a JSON object (new reference). NULL with the reason when buf is
 * empty or NULL, larger than MSG_MAX_BYTES (refused before parsing), not JSON, nested deeper
 * than MSG_MAX_DEPTH, has a duplicate key, or is not an object. */
json_t *msg_field_load(const char *buf, size_t len, char *err, size_t errlen);
/* -1 with "record is N bytes, more than the limit..." when len is over MSG_MAX_BYTES. */
int msg_field_check_size(size_t len, char *err, size_t errlen);
/* -1 with "record is nested deeper than MSG_MAX_DEPTH levels" when j is (msg_field_load
 * checks it; this is for a tree parsed otherwise). */
int msg_field_check_depth(const json_t *j, char *err, size_t errlen);

/* Checks schemaVersion: required, an integer, equal to want ("schemaVersion: expected 1, got
 * 2; this program reads only version 1 (upgrade it to read newer records)"). */
int msg_field_version(const json_t *root, int want, char *err, size_t errlen);

/* "at.key", or "key" when at is "" (the root). */
void msg_field_path(char *buf, size_t n, const char *at, const char *key);
/* "at[i]" */
void msg_field_index(char *buf, size_t n, const char *at, size_t i);
/* "an object", "a string", "null", ... for "got ..." in errors ("nothing" for NULL). */
const char *msg_field_kind_of(const json_t *j);

/* Readers of obj[key] at path at. With flags lacking MSG_REQUIRED an absent field leaves
 * *out untouched (NULL pointers, *has = false) and returns 0. A present field of the wrong
 * type is always an error: null is not "absent". Strings point into obj. */
int msg_field_str(const json_t *obj, const char *at, const char *key, unsigned flags,
                  size_t max_len, const char **out, char *err, size_t errlen);
/* The same into a malloc'd copy that the caller frees; *out (NULL or malloc'd) is freed
 * when replaced. Fails only as msg_field_str does. */
int msg_field_str_dup(const json_t *obj, const char *at, const char *key, unsigned flags,
                      size_t max_len, char **out, char *err, size_t errlen);
/* A string among names[0..n-1]; *out is its index. The error quotes the value and lists the
 * names: "phase: \"Done\" is not one of rendering, running, ...". */
int msg_field_enum(const json_t *obj, const char *at, const char *key, unsigned flags,
                   const char *const *names, size_t n, int *out, char *err, size_t errlen);
int msg_field_int(const json_t *obj, const char *at, const char *key, unsigned flags, int64_t min,
                  int64_t max, int64_t *out, bool *has, char *err, size_t errlen);
int msg_field_bool(const json_t *obj, const char *at, const char *key, unsigned flags, bool *out,
                   bool *has, char *err, size_t errlen);
/* An RFC 3339 time: the text and its value in ms since the epoch. */
int msg_field_time(const json_t *obj, const char *at, const char *key, unsigned flags,
                   const char **out, int64_t *ms, char *err, size_t errlen);
int msg_field_array(const json_t *obj, const char *at, const char *key, unsigned flags,
                    size_t max_items, const json_t **out, char *err, size_t errlen);
int msg_field_object(const json_t *obj, const char *at, const char *key, unsigned flags,
                     const json_t **out, char *err, size_t errlen);
/* j itself (an array element at path) must be an object. */
int msg_field_is_object(const json_t *j, const char *path, char *err, size_t errlen);
/* j (a whole record, or NULL) must be an object: "expected a JSON object, got an array". */
int msg_field_is_record(const json_t *j, char *err, size_t errlen);
/* Item i of arr (an array at path at) must be an object: *out is it, and its path
 * ("at[i]") goes to path. */
int msg_field_item(const json_t *arr, const char *at, size_t i, char *path, size_t pathlen,
                   const json_t **out, char *err, size_t errlen);

/* Writers: obj[key] = s, with the reader's rules (so that what is encoded decodes): a NULL s
 * is skipped unless MSG_REQUIRED, then an error; text that is not UTF-8 is an error. */
int msg_field_put_str(json_t *obj, const char *at, const char *key, const char *s, unsigned flags,
                      size_t max_len, char *err, size_t errlen);
/* j (stolen; NULL: an encoder failed, err says why) as compact JSON bytes (malloc'd; *len,
 * when len is not NULL, without the terminating NUL). */
char *msg_field_dump(json_t *j, size_t *len, char *err, size_t errlen);

/* Replaces bytes of err that do not belong in a one-line log value (control characters, and
 * bytes >= 0x7f that jansson may quote from a broken input) with '?'. Decoders call it on
 * their errors. */
void msg_field_clean(char *err);
/* rc, after cleaning err when rc < 0: a decoder's last step. */
int msg_field_finish(int rc, char *err);

#endif

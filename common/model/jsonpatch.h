/* JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7396) over jansson values, with JSON
 * Pointers (RFC 6901): what the json-patch and json-merge-patch traits apply to a workload. */
#ifndef VELA_JSONPATCH_H
#define VELA_JSONPATCH_H

#include <jansson.h>
#include <stddef.h>

/* RFC 7396: merges patch into target in place, both objects: a null member deletes the key,
 * an object member merges into an object (replacing anything else), other values replace. */
void jsonpatch_merge(json_t *target, const json_t *patch);

/* The value at pointer ("" is doc itself, "/a/0" a member then an element), borrowed, or
 * NULL when the pointer is malformed or leads nowhere. */
json_t *jsonpatch_get(json_t *doc, const char *pointer);

/* RFC 6902: applies ops (a list of {op, path, from, value}: add, remove, replace, move, copy,
 * test) to a copy of doc and returns it in *out (a new reference). The patch is atomic: on
 * the first failing operation nothing is returned, *failed is its index and err says which
 * operation, at which path, failed and why. Returns 0 or -1. */
int jsonpatch_apply(const json_t *doc, const json_t *ops, json_t **out, size_t *failed, char *err,
                    size_t errlen);

/* Checks one operation's shape (known op, string path, from and value where required)
 * without a document: err says what is wrong. Returns 0 or -1. */
int jsonpatch_check_op(const json_t *op, char *err, size_t errlen);

/* The first of pointers (NULL-terminated) whose value differs between a and b (a value
 * absent on one side only differs), or NULL when all are the same. */
const char *jsonpatch_changed(json_t *a, json_t *b, const char *const *pointers);

#endif

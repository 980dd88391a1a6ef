#include "base/strbuf.h"
/* YAML (and so JSON) documents into jansson trees, with limits against hostile input, a
 * way to find the line and column of any field path, and a YAML writer for manifests. */
#ifndef VELA_YDOC_H
#define VELA_YDOC_H

#include <jansson.h>
#include <stddef.h>

typedef struct ydoc_limits {
    size_t max_bytes; /* document size */
    int max_depth;    /* nesting of mappings and sequences */
    size_t max_nodes; /* nodes built, counting every alias expansion */
} ydoc_limits;

/* 2 MiB, depth 64, 200,000 nodes. */
extern const ydoc_limits ydoc_default_limits;

/* Parses exactly one YAML document into *out (a new reference; caller json_decref's it).
 * Plain scalars resolve as YAML 1.2's core schema (null, true/false, ints, floats), quoted
 * ones and !!str stay strings; anchors, aliases and `<<` merge keys work; duplicate keys,
 * non-scalar keys and several documents are errors. On failure returns -1 and writes
 * "LINE:COL: reason" into err. limits may be NULL for the defaults. */
int ydoc_parse(const char *buf, size_t len, const ydoc_limits *limits, json_t **out, char *err,
               size_t errlen);
/* As ydoc_parse, but reads the first document of a stream and ignores what follows it, as
 * Kubernetes API servers read YAML request bodies. */
int ydoc_parse_first(const char *buf, size_t len, const ydoc_limits *limits, json_t **out,
                     char *err, size_t errlen);

/* Finds where the node at path (e.g. `spec.components[0].traits[1].properties.http["/"]`)
 * starts in buf: 0 and 1-based *line, *col, or -1 when the path is not in the document
 * (then the outputs hold the deepest ancestor found, if any, else 0). */
int ydoc_locate(const char *buf, size_t len, const char *path, int *line, int *col);

/* Appends one path segment to a path being built in a buffer of size n: a key (`.key`, or
 * `["k.e/y"]` when it has other characters than [A-Za-z0-9_-]) or an index (`[3]`). */
void ydoc_path_key(char *path, size_t n, const char *base, const char *key);
void ydoc_path_index(char *path, size_t n, const char *base, size_t index);

/* True when the plain (unquoted) scalar s would not read back as a string. */
int ydoc_plain_is_special(const char *s, size_t len);

#endif

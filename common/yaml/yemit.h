/* Writes jansson values as YAML documents (libyaml's emitter), quoting what YAML 1.1
 * readers would not read back as strings. */
#ifndef VELA_YEMIT_H
#define VELA_YEMIT_H

#include <jansson.h>

#include "base/strbuf.h"

/* Appends v as one YAML document ("---" first) to out, block style, strings quoted where
 * a plain scalar would read back as something else. Returns 0, or -1 when out's cap is reached
 * or libyaml runs out of memory. */
int yemit_json(strbuf *out, const json_t *v);

#endif

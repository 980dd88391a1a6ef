/* Label selectors (selector.c): `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`
 * (exists) and `!a` (does not exist), and metav1.LabelSelector matchExpressions. */
#ifndef KUBESIM_SELECTOR_H
#define KUBESIM_SELECTOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Parses a selector into a JSON array of {key, op, values} (a new reference); NULL with a
 * message when malformed. */
json_t *ks_selector_parse(const char *s, char *err, size_t errlen);
/* Whether obj's metadata.labels match sel. */
bool ks_selector_match(const json_t *sel, const json_t *obj);
bool ks_selector_match_labels(const json_t *sel, const json_t *labels);
/* metav1.LabelSelector matchExpressions (In, NotIn, Exists, DoesNotExist) against labels. */
bool ks_selector_match_expressions(const json_t *exprs, const json_t *labels);

#endif

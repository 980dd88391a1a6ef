/* Policies (docs/application.md): topology turns a deploy step into placements against the cluster
 * registry; override patches the components a step deploys. */
#ifndef VELA_POLICY_H
#define VELA_POLICY_H

#include <jansson.h>
#include <stdbool.h>

#include "model/application.h"
#include "base/verr.h"

/* A view of the cluster registry: names and labels. `open` (dry-run with no --cluster)
 * accepts any listed cluster name as joined and matches no label selector. */
typedef struct cluster_ref {
    const char *name;
    const json_t *labels; /* map of strings, may be NULL */
} cluster_ref;

typedef struct registry_view {
    const cluster_ref *clusters;
    size_t n;
    bool open;
} registry_view;

/* The (cluster, namespace) placements of a deploy step, in order and de-duplicated: a new
 * array of {"cluster", "namespace"}. Errors use the messages of docs/application.md. */
int policy_placements(const app *a, const app_step *s, const registry_view *reg, json_t **out,
                      verr *e);

/* The components a deploy step deploys: spec.components with the step's override policies
 * applied in the order the step lists them. A new array. */
int policy_components(const app *a, const app_step *s, json_t **out, verr *e);

/* Applies one override policy's properties to components, in place. path is the policy's
 * properties path, for messages. */
int policy_override_apply(json_t *components, const json_t *props, const char *path, verr *e);

/* Deep merge of patch into dst: maps merge, lists and scalars replace, null sets null. */
void policy_merge(json_t *dst, const json_t *patch);

/* True when labels contain every pair of selector. */
bool policy_labels_match(const json_t *labels, const json_t *selector);

#endif

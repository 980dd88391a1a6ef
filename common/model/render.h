/* Rendering: components (after overrides) into Kubernetes manifests, and whole deploy steps
 * into per-placement plans: what the scheduler sends and what `vela dry-run` prints. */
#ifndef VELA_RENDER_H
#define VELA_RENDER_H

#include <jansson.h>

#include "model/application.h"
#include "model/policy.h"
#include "base/verr.h"

/* Appends the objects of one component, landing in namespace ns, to out. Its properties are
 * checked against its type first when check is true (after overrides). */
int render_component(const app *a, const json_t *comp, const char *ns, bool check, json_t *out,
                     verr *e);

/* Components in dependsOn order (stable otherwise): a new array of borrowed references, never
 * NULL (running out of memory ends the program, base/alloc.h). */
json_t *render_order(const json_t *components);

/* Plans one deploy step: a new array of placements
 * [{"cluster", "namespace", "components": [{"name", "type", "traits": [...]}],
 *   "manifests": [...]}]. Manifests are shared between placements of one namespace. */
int render_step(const app *a, const app_step *s, const registry_view *reg, json_t **out, verr *e);

/* The document `vela dry-run -o json` prints (docs/cli.md). */
int render_plan(const app *a, const registry_view *reg, json_t **out, verr *e);

#endif

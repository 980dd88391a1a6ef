/* Helpers the component and trait definitions share: object skeletons with the app.oam.dev
 * labels, container fields, env merging, and Deployment health. */
#ifndef VELA_RENDER_UTIL_H
#define VELA_RENDER_UTIL_H

#include <jansson.h>

#include "base/verr.h"
#include "model/definitions.h"
#include "model/propspec.h"

/* A new object {apiVersion, kind, metadata: {name, namespace, labels}} for ctx. */
json_t *render_object_new(const render_ctx *ctx, const char *api_version, const char *kind,
                          const char *name);
/* The workload (objects[0]) of a component type: render_object_new plus the labels KubeVela
 * puts on workloads (app.oam.dev/resourceType: WORKLOAD, workload.oam.dev/type). */
json_t *render_workload_new(const render_ctx *ctx, const char *api_version, const char *kind,
                            const char *name);

/* An object a trait outputs: render_object_new plus app.oam.dev/resourceType: TRAIT,
 * trait.oam.dev/type: trait and trait.oam.dev/resource: output (the output's name in the
 * definition, e.g. "service" for expose). */
json_t *render_trait_output_new(const render_ctx *ctx, const char *trait, const char *output,
                                const char *api_version, const char *kind, const char *name);

/* The three app.oam.dev labels of ctx, as a new object. */
json_t *render_labels(const render_ctx *ctx);
/* The workload (objects[0]); the pod template of a Deployment or Job; the container named
 * `name` (NULL: the first) in that template. Borrowed; NULL when absent. */
json_t *render_workload(const render_ctx *ctx);
json_t *render_pod_template(const render_ctx *ctx);
json_t *render_container(const render_ctx *ctx, const char *name);
/* The first object of the given kind and name in ctx->objects, borrowed, or NULL. */
json_t *render_find(const render_ctx *ctx, const char *kind, const char *name);
/* Sets obj[key] = map merged with the given string map (creating it). */
void render_merge_map(json_t *obj, const char *key, const json_t *map);
/* Integer field at a dotted path ("status.readyReplicas"); a missing one counts as 0. */
long long render_int_at(const json_t *obj, const char *dotted);

/* Container fields shared by webservice, worker and task: image, cmd, args, env, cpu,
 * memory, imagePullPolicy. Returns the container object (new reference). */
json_t *render_container_new(const render_ctx *ctx, const json_t *props);
/* A Deployment (selector and pod template labels as docs/application.md) or a Job pod template
 * around container, which it steals; props' labels and annotations are merged in. */
json_t *render_deployment_new(const render_ctx *ctx, const json_t *props, json_t *container);
json_t *render_pod_template_new(const render_ctx *ctx, const json_t *props, json_t *container);
/* Deployment health shared by webservice and worker (docs/application.md). */
void render_deployment_health(const json_t *live, health *h);
/* The common container property specs, to be included in each type's table. */
#define RENDER_CONTAINER_PROPS                                                                     \
    {"image", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},                       \
        {"cmd", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},                                            \
        {"args", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},                                           \
        {"env", PROP_LIST, 0, render_env_fields, NULL, 0, 0},                                      \
        {"cpu", PROP_QUANTITY, 0, NULL, NULL, 0, 0},                                               \
        {"memory", PROP_QUANTITY, 0, NULL, NULL, 0, 0},                                            \
        {"imagePullPolicy", PROP_STRING, 0, NULL, render_pull_policies, 0, 0},                     \
        {"labels", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},                                          \
    {                                                                                              \
        "annotations", PROP_STRING_MAP, 0, NULL, NULL, 0, 0                                        \
    }
extern const prop_spec render_env_fields[];
extern const char *const render_pull_policies[];
/* Checks that props is a map of strings (or absent), for labels and annotations. */
int render_check_string_map(const json_t *props, const char *path, verr *e);
/* Merges {name, value} entries into a container's env by name. */
void render_env_merge(json_t *container, const json_t *entries);

#endif

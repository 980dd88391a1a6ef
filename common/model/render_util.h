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

/* The app.oam.dev labels KubeVela puts on every object of ctx (name, namespace unless the
 * Application filters it, component, appRevision), as a new object. */
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
/* JSON merge patch of obj[key] (created when absent) with a map of strings: a null value
 * deletes its key. */
void render_patch_map(json_t *obj, const char *key, const json_t *patch);
/* Integer field at a dotted path ("status.readyReplicas"); a missing one counts as 0. */
long long render_int_at(const json_t *obj, const char *dotted);

/* Container fields shared by webservice, worker and task: image, cmd, args, env, cpu,
 * memory, imagePullPolicy. Returns the container object (new reference). */
json_t *render_container_new(const render_ctx *ctx, const json_t *props);
/* A Deployment (render_workload_new; selector and pod template labels as docs/application.md)
 * or a Job pod template around container, which it steals. The pod template is labelled
 * app.oam.dev/name and app.oam.dev/component, plus props' `labels`, and annotated with props'
 * `annotations` (NULL props: neither); the workload's own metadata gets neither, as in
 * KubeVela's definitions. */
json_t *render_deployment_new(const render_ctx *ctx, const json_t *props, json_t *container);
json_t *render_pod_template_new(const render_ctx *ctx, const json_t *props, json_t *container);
/* What render_pod_extras renders besides volumes and imagePullSecrets (every type has those;
 * volumeMounts, when allowed and given, replaces the deprecated volumes). */
enum render_extras {
    RENDER_VOLUME_MOUNTS = 1 << 0, /* volumeMounts */
    RENDER_PROBES = 1 << 1,        /* livenessProbe, readinessProbe */
    RENDER_PROBE_SCHEME = 1 << 2,  /* httpGet.scheme defaults to HTTP */
    RENDER_HOST_ALIASES = 1 << 3,  /* hostAliases */
};
/* Adds props' volumes, probes, imagePullSecrets and host aliases to a pod template (its first
 * container), as the KubeVela definitions render them (docs/application.md). */
int render_pod_extras(const render_ctx *ctx, json_t *tmpl, const json_t *props, unsigned flags,
                      verr *e);
/* Field tables of those properties, for the types' prop_spec tables. */
extern const prop_spec render_probe_fields[];
extern const prop_spec render_volume_mounts_fields[];
extern const prop_spec render_volumes_fields[];
extern const prop_spec render_host_aliases_fields[];
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
/* Checks that props is a map of strings or nulls (or absent), for labels and annotations. */
int render_check_string_map(const json_t *props, const char *path, verr *e);
/* Merges {name, value} entries into a container's env by name. */
void render_env_merge(json_t *container, const json_t *entries);

/* Sets podspec.imagePullSecrets to [{name}] for a non-empty list of secret names. */
void render_pull_secrets(json_t *podspec, const json_t *secrets);

/* The spec of a controller that selects its pods by component: {selector, template};
 * steals tmpl. */
json_t *render_selector_spec(const render_ctx *ctx, json_t *tmpl);

/* Appends the Service that exposes the component's ports (stolen; nothing when empty), of
 * props' exposeType (default ClusterIP), labelled as KubeVela's AuxiliaryWorkload output
 * named output ("webserviceExpose", "statefulsetsExpose"). */
void render_expose_service(render_ctx *ctx, const char *output, const json_t *props, json_t *ports);

#endif

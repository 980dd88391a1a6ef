/* Component types and traits are definitions in a table (definitions.c), one file each under
 * components/ and traits/: adding a type is adding a file and a table row. A definition
 * declares its properties, renders Kubernetes objects, and judges their health. */
#ifndef VELA_DEFS_H
#define VELA_DEFS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "propspec.h"
#include "verr.h"

/* What a component renders into. objects[0] is the workload; traits patch it and may
 * append objects (a Service, an Ingress). Every object carries the app.oam.dev labels. */
typedef struct render_ctx {
    const char *app;       /* Application name */
    const char *app_ns;    /* Application namespace */
    const char *ns;        /* placement namespace: where the objects land */
    const char *component; /* component name */
    const char *type;      /* component type */
    json_t *objects;       /* array, owned by the caller */
    const char *path;      /* field path of the component, for messages */
} render_ctx;

/* Health of one live object. msg gets the status message ("Ready:3/3"). */
typedef struct health {
    bool healthy;
    char msg[256];
} health;

typedef struct component_def {
    const char *type;
    const prop_spec *props;
    const char *workload_api_version; /* of objects[0], so workers know what to watch */
    const char *workload_kind;
    /* Appends the workload (and objects of its own, like an exposed Service) to ctx. */
    int (*render)(const json_t *props, render_ctx *ctx, verr *e);
    /* Judges the live workload (NULL when it does not exist). */
    void (*health)(const json_t *live, health *h);
} component_def;

typedef struct trait_def {
    const char *type;
    const prop_spec *props;
    const char *const *applies_to; /* component types, NULL-terminated; NULL = every type */
    int (*apply)(const json_t *props, render_ctx *ctx, const char *path, verr *e);
    /* Validates the properties instead of prop_check(props), for traits whose properties
     * are a free map (labels, annotations). NULL: prop_check against .props. */
    int (*check)(const json_t *props, const char *path, verr *e);
    /* The kind of the object whose health the trait reports (NULL: always healthy, no
     * message), and the judge of that live object (NULL when it does not exist). */
    const char *health_kind;
    const char *health_api_version;
    void (*health)(const json_t *props, const json_t *live, health *h);
} trait_def;

const component_def *component_def_find(const char *type);
const trait_def *trait_def_find(const char *type);
/* "task, webservice, worker": for "unknown type" messages. */
void defs_component_names(char *buf, size_t n);
void defs_trait_names(char *buf, size_t n);

/* ---- helpers for definitions (render_util.c) ---- */

/* A new object {apiVersion, kind, metadata: {name, namespace, labels}} for ctx. */
json_t *render_object_new(const render_ctx *ctx, const char *api_version, const char *kind,
                          const char *name);
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
/* A Deployment (selector and pod template labels as SEMANTICS §2) or a Job pod template
 * around container, which it steals; props' labels and annotations are merged in. */
json_t *render_deployment_new(const render_ctx *ctx, const json_t *props, json_t *container);
json_t *render_pod_template_new(const render_ctx *ctx, const json_t *props, json_t *container);
/* Deployment health shared by webservice and worker (SEMANTICS §2). */
void render_deployment_health(const json_t *live, health *h);
/* The common container property specs, to be included in each type's table. */
#define RENDER_CONTAINER_PROPS                                                               \
    {"image", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},               \
        {"cmd", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},                                      \
        {"args", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},                                     \
        {"env", PROP_LIST, 0, render_env_fields, NULL, 0, 0},                                \
        {"cpu", PROP_QUANTITY, 0, NULL, NULL, 0, 0},                                         \
        {"memory", PROP_QUANTITY, 0, NULL, NULL, 0, 0},                                      \
        {"imagePullPolicy", PROP_STRING, 0, NULL, render_pull_policies, 0, 0},               \
        {"labels", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},                                    \
        {"annotations", PROP_STRING_MAP, 0, NULL, NULL, 0, 0}
extern const prop_spec render_env_fields[];
extern const char *const render_pull_policies[];
/* Checks that props is a map of strings (or absent), for labels and annotations. */
int render_check_string_map(const json_t *props, const char *path, verr *e);
/* Merges {name, value} entries into a container's env by name. */
void render_env_merge(json_t *container, const json_t *entries);

#endif

/* Helpers for traits that patch the rendered workload: the pod spec of any workload kind, a
 * container by name, KubeVela's merge-by-name of lists, and the "one container or a list of
 * containers" parameter shape several traits share. */
#ifndef VELA_PATCH_H
#define VELA_PATCH_H

#include <jansson.h>
#include <stdbool.h>

#include "base/verr.h"
#include "model/definitions.h"
#include "model/propspec.h"

/* The pod spec of ctx's workload: spec.template.spec, or spec.jobTemplate.spec.template.spec
 * for a CronJob. Borrowed; NULL when the workload has no pod template. */
json_t *patch_pod_spec(const render_ctx *ctx);
/* The container named name (NULL: the first) in patch_pod_spec(ctx), borrowed, or NULL. */
json_t *patch_container(const render_ctx *ctx, const char *name);
/* patch_container, or an error at path.field naming the component and the container. */
json_t *patch_container_must(const render_ctx *ctx, const char *name, const char *path,
                             const char *field, verr *e);

/* obj[key] as an array / an object, created empty when absent or of another type. Borrowed. */
json_t *patch_array(json_t *obj, const char *key);
json_t *patch_object(json_t *obj, const char *key);
/* Appends item to list, or replaces the element whose "name" equals item's (KubeVela's
 * patchKey=name). Steals item. */
void patch_put_by_name(json_t *list, json_t *item);
/* dst[key] = src[src_key] when that is present and not null. */
void patch_copy(json_t *dst, const char *key, const json_t *src, const char *src_key);
/* obj[key] = value unless obj already has key (a parameter's default). Steals value. */
void patch_default(json_t *obj, const char *key, json_t *value);
/* A quantity property as Kubernetes reads it: a fraction becomes its shortest decimal string
 * (0.1, not 0.10000000000000001, which would round up to 101m); others are kept. New ref. */
json_t *patch_quantity(const json_t *v);
/* Appends obj, an output of a cluster-scoped kind, without metadata.namespace. Steals obj. */
void patch_append_cluster_scoped(render_ctx *ctx, json_t *obj);

/* The scaleTargetRef of an autoscaler trait: targetAPIVersion and targetKind from props, by
 * default the workload's own (KubeVela defaults to apps/v1 Deployment). New reference. */
json_t *patch_scale_target(const render_ctx *ctx, const json_t *props);
/* Checks props' min <= max (defaults 1 and 10), an error at path.min otherwise. */
int patch_check_min_max(const json_t *props, const char *path, verr *e);

/* The parameter shape of command, container-image, securitycontext, container-ports and
 * startup-probe: either the fields at the top level, targeting name_key (default: the
 * component's container), or a list of such field sets under list_key, each with a non-empty
 * name_key. fields describes one set; the trait's own table adds list_key. */
int patch_check_targets(const json_t *props, const prop_spec *all, const char *list_key,
                        const char *name_key, const char *path, verr *e);
/* Calls fn once per target set with its container (a missing container is an error). */
typedef int (*patch_target_fn)(const json_t *params, json_t *container, const render_ctx *ctx,
                               verr *e);
int patch_each_target(const json_t *props, const char *list_key, const char *name_key,
                      render_ctx *ctx, const char *path, patch_target_fn fn, verr *e);

/* The KubeVela names of component types by the kind of their workload, for appliesTo lists:
 * KubeVela's traits name workload kinds (deployments.apps), our tables name types. */
#define PATCH_DEPLOYMENTS "webservice", "worker"
#define PATCH_STATEFULSETS "statefulset"
#define PATCH_DAEMONSETS "daemon"
#define PATCH_JOBS "task"
#define PATCH_CRONJOBS "cron-task"

#endif

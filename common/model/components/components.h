/* The built-in component types, one file each in this folder; definitions.c lists them in
 * its table. Adding a type is adding a file, a line here and a table row. */
#ifndef VELA_MODEL_COMPONENTS_H
#define VELA_MODEL_COMPONENTS_H

#include "model/definitions.h"

extern const component_def component_cron_task;
extern const component_def component_daemon;
extern const component_def component_k8s_objects;
extern const component_def component_raw;
extern const component_def component_statefulset;
extern const component_def component_task;
extern const component_def component_webservice;
extern const component_def component_worker;

/* Shared by k8s-objects and raw (comp_k8s_objects.c), whose properties are whole Kubernetes
 * objects. comp_object_check: obj at path is a map with apiVersion and kind (required when
 * enforce_required), metadata a map whose name (required when need_name), labels and
 * annotations are well-typed. comp_object_adopt: a new copy of obj as rendered for ctx: named
 * after the component when it has no name, in the placement's namespace (a Namespace in
 * none), with KubeVela's workload labels (output NULL) or those of the auxiliary output named
 * output over its own. comp_object_workload_of: component_def.workload_of for one object. */
int comp_object_check(const json_t *obj, const char *path, bool need_name, bool enforce_required,
                      verr *e);
json_t *comp_object_adopt(const render_ctx *ctx, const json_t *obj, const char *output);
int comp_object_workload_of(const json_t *obj, const char **api_version, const char **kind,
                            const char **name);

#endif

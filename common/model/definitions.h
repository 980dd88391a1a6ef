/* Component types and traits are definitions in a table (definitions.c), one file each under
 * components/ and traits/: adding a type is adding a file and a table row. A definition
 * declares its properties, renders Kubernetes objects, and judges their health. */
#ifndef VELA_DEFS_H
#define VELA_DEFS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/propspec.h"
#include "base/verr.h"

/* What a component renders into. objects[0] is the workload; traits patch it and may
 * append objects (a Service, an Ingress). After the definitions, render_component adds
 * KubeVela's labels and the Application's labels and annotations to every object
 * (docs/application.md). */
typedef struct render_ctx {
    const char *app;          /* Application name */
    const char *app_ns;       /* Application namespace */
    const char *ns;           /* placement namespace: where the objects land */
    const char *component;    /* component name */
    const char *type;         /* component type */
    json_t *objects;          /* array, owned by the caller */
    const char *path;         /* field path of the component, for messages */
    const char *app_revision; /* the revision's name, "<app>-v<N>" */
    bool ns_label;            /* app.oam.dev/namespace is not filtered out */
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
    /* Validates the properties instead of prop_check(props, .props), for types whose
     * properties are Kubernetes objects (raw, k8s-objects); enforce_required is false for an
     * override's partial patch. NULL: prop_check against .props. */
    int (*check)(const json_t *props, const char *path, bool enforce_required, verr *e);
    /* For types whose workload is given in the properties (raw, k8s-objects): sets its
     * apiVersion, kind and name, borrowed from props (name stays as given, the component's,
     * when the object has none); returns -1 when the properties name none. NULL: the
     * workload is workload_api_version/kind named after the component. */
    int (*workload_of)(const json_t *props, const char **api_version, const char **kind,
                       const char **name);
    const char *description; /* one sentence for `vela def list`; NULL: none */
} component_def;

typedef struct trait_def {
    const char *type;
    const prop_spec *props;
    const char *const *applies_to; /* component types, NULL-terminated; NULL = every type */
    int (*apply)(const json_t *props, render_ctx *ctx, const char *path, verr *e);
    /* Validates the properties instead of prop_check(props), for traits whose properties
     * are a free map (labels, annotations). NULL: prop_check against .props. */
    int (*check)(const json_t *props, const char *path, verr *e);
    /* Unknown properties are errors (KubeVela closes this trait's parameter, e.g. env);
     * otherwise they are ignored with a warning like KubeVela's open parameters. */
    bool closed;
    /* The kind of the object whose health the trait reports (NULL: always healthy, no
     * message), and the judge of that live object (NULL when it does not exist). */
    const char *health_kind;
    const char *health_api_version;
    void (*health)(const json_t *props, const json_t *live, health *h);
    const char *description; /* one sentence for `vela def list`; NULL: none */
} trait_def;

const component_def *component_def_find(const char *type);
const trait_def *trait_def_find(const char *type);
/* The i-th definition in the table's (alphabetical) order, NULL past the end: for listing. */
const component_def *component_def_at(size_t i);
const trait_def *trait_def_at(size_t i);
/* "task, webservice, worker": for "unknown type" messages. */
void defs_component_names(char *buf, size_t n);
void defs_trait_names(char *buf, size_t n);

#endif

/* The Application model: parsing and strict validation (docs/application.md) into a
 * validated document plus its normalized workflow (explicit or generated). */
#ifndef VELA_APP_H
#define VELA_APP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/verr.h"

typedef enum { WF_DAG, WF_STEP_BY_STEP } wf_mode;
typedef enum { STEP_DEPLOY, STEP_SUSPEND } step_type;

#define APP_DEFAULT_STEP_TIMEOUT_MS (10 * 60 * 1000)
#define APP_DEFAULT_PARALLELISM 5

typedef struct app_step {
    const char *name; /* borrowed from app.workflow */
    step_type type;
    const char *type_name;
    json_t *policies;    /* deploy: array of policy names (borrowed; empty array when none) */
    int parallelism;     /* deploy: clusters in flight at once */
    bool auto_run;       /* deploy: false suspends the step until resumed */
    int64_t timeout_ms;  /* step timeout */
    int64_t duration_ms; /* suspend: -1 waits for resume */
    json_t *depends_on;  /* array of step names (borrowed; empty array when none) */
    char path[48];       /* "spec.workflow.steps[2]", "" for a generated step */
} app_step;

typedef struct app {
    json_t *doc; /* the whole document, owned */
    const char *name;
    const char *ns;
    json_t *components; /* spec.components, borrowed from doc */
    json_t *policies;   /* spec.policies, borrowed from doc or an owned empty array */
    json_t *workflow;   /* normalized {"mode", "steps": [...]}, owned */
    wf_mode mode;
    bool default_workflow;
    app_step *steps;
    size_t nsteps;
    /* The revision the objects are rendered for: app.oam.dev/appRevision is "<name>-v<N>".
     * 1 after parsing; the scheduler sets its own revision before rendering. */
    int revision;
    /* What was accepted but ignored (properties no definition declares), in document order:
     * an array of {"path", "message"}, and after app_parse also "text", the
     * "LINE:COL: path: message" to print after "warning: FILE:". Never NULL. */
    json_t *warnings;
} app;

/* Parses and validates buf (YAML or JSON). On success *out is a new app (app_free). On
 * failure returns -1 and writes "LINE:COL: field.path: reason" into err (line and column of
 * the field when it is in the text). */
int app_parse(const char *buf, size_t len, app **out, char *err, size_t errlen);

/* app_parse for a document already parsed from buf (doc is stolen, as app_from_json), for
 * callers that change it first: locations still come from buf. */
int app_parse_doc(json_t *doc, const char *buf, size_t len, app **out, char *err, size_t errlen);

/* Validates a document already in a tree (stolen: owned by the app, or freed on failure). */
int app_from_json(json_t *doc, app **out, verr *e);

void app_free(app *a);

/* The policy named name, or NULL. */
json_t *app_policy(const app *a, const char *name);
/* The component of spec.components named name, or NULL. */
json_t *app_component(const app *a, const char *name);
/* A step by name, or NULL. */
const app_step *app_step_find(const app *a, const char *name);

const char *wf_mode_name(wf_mode m); /* "DAG" or "StepByStep" */

/* A short stable digest of a spec (canonical JSON, SHA-256, 16 hex characters) into out[17]:
 * equal specs have equal digests whatever their key order or formatting. */
void app_spec_hash(const json_t *spec, char out[17]);

/* Checks one component (name, type, properties against its type, traits); path is its field
 * path. enforce_required is false before overrides fill properties in. Properties the
 * definitions do not declare are appended to warnings (NULL: ignored silently). */
int app_check_component(const json_t *c, const char *path, bool enforce_required, json_t *warnings,
                        verr *e);

/* Prints each of a's warnings as "warning: FILE:LINE:COL: path: message" to f. */
void app_warnings_print(const app *a, const char *file, FILE *f);

/* "<app>-v<revision>", the name KubeVela gives an application revision, into out. */
void app_revision_name(const app *a, char *out, size_t n);

#endif

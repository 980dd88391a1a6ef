/* Application parsing and validation. Every rule of docs/application.md that can be checked
 * without the cluster registry is checked here, with the field path of the offending node;
 * app_parse turns the path into a line and column. */
#include "base/jpool.h"
#include "model/application.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "model/definitions.h"
#include "model/propspec.h"
#include "base/alloc.h"
#include "base/util.h"
#include "yaml/ydoc.h"

#define P(path, base, key) ydoc_path_key(path, sizeof(path), base, key)
#define PI(path, base, i) ydoc_path_index(path, sizeof(path), base, i)

static const prop_spec app_top_fields[] = {
    {"apiVersion", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"kind", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"metadata", PROP_MAP, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"spec", PROP_MAP, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_meta_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"namespace", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"labels", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {"annotations", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_spec_fields[] = {
    {"components", PROP_LIST, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"policies", PROP_LIST, 0, NULL, NULL, 0, 0},
    {"workflow", PROP_MAP, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_trait_fields[] = {
    {"type", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"properties", PROP_MAP, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_component_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"type", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"properties", PROP_MAP, 0, NULL, NULL, 0, 0},
    {"traits", PROP_LIST, 0, app_trait_fields, NULL, 0, 0},
    {"dependsOn", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_policy_fields[] = {
    {"name", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"type", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"properties", PROP_MAP, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_topology_fields[] = {
    {"clusters", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"clusterLabelSelector", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {"namespace", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"allowEmpty", PROP_BOOL, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_override_trait_fields[] = {
    {"type", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"properties", PROP_MAP, 0, NULL, NULL, 0, 0},
    {"disable", PROP_BOOL, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_override_entry_fields[] = {
    {"name", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"type", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"properties", PROP_MAP, 0, NULL, NULL, 0, 0},
    {"traits", PROP_LIST, 0, app_override_trait_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_override_fields[] = {
    {"components", PROP_LIST, 0, app_override_entry_fields, NULL, 0, 0},
    {"selector", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const app_modes[] = {"DAG", "StepByStep", NULL};

static const prop_spec app_mode_fields[] = {
    {"steps", PROP_STRING, 0, NULL, app_modes, 0, 0},
    {"subSteps", PROP_STRING, 0, NULL, app_modes, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_workflow_fields[] = {
    {"mode", PROP_MAP, 0, NULL, NULL, 0, 0},
    {"steps", PROP_LIST, PROP_REQUIRED, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_step_fields[] = {
    {"name", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"type", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0},
    {"properties", PROP_MAP, 0, NULL, NULL, 0, 0},
    {"dependsOn", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"timeout", PROP_STRING, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_deploy_fields[] = {
    {"policies", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"parallelism", PROP_INT, 0, NULL, NULL, 1, 10000},
    {"auto", PROP_BOOL, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec app_suspend_fields[] = {
    {"duration", PROP_STRING, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

const char *wf_mode_name(wf_mode m)
{
    return m == WF_DAG ? "DAG" : "StepByStep";
}

static int app_check_name(const json_t *v, const char *path, const char *what, verr *e)
{
    const char *s = json_string_value(v);
    if (!is_dns1123_label(s))
        return verr_set(e, path,
                        "%s \"%.80s\" is not a valid name: use at most 63 lowercase letters, "
                        "digits and '-', starting and ending with a letter or digit",
                        what, s);
    return 0;
}

/* Checks that every item of list (objects with a "name") has a unique name. */
static int app_check_unique(const json_t *list, const char *path, const char *what, verr *e)
{
    char p[512];
    size_t i, j;
    json_t *a, *b;
    json_array_foreach(list, i, a) {
        const char *n = json_string_value(json_object_get(a, "name"));
        for (j = 0; j < i && (b = json_array_get(list, j)); j++) {
            if (n && strcmp(n, json_string_value(json_object_get(b, "name"))) == 0) {
                PI(p, path, i);
                P(p, p, "name");
                return verr_set(e, p, "duplicate %s name \"%s\" (also %s[%zu])", what, n, path, j);
            }
        }
    }
    return 0;
}

static int app_name_in(const json_t *list, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
            return 1;
    }
    return 0;
}

static void app_names(const json_t *list, char *buf, size_t n)
{
    size_t i, len = 0;
    json_t *v;
    buf[0] = '\0';
    json_array_foreach(list, i, v) {
        if (len < n)
            len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "",
                                    json_string_value(json_object_get(v, "name")));
    }
    if (!len)
        snprintf(buf, n, "(none)");
}

/* Finds a cycle in "dependsOn" among items of list; 0 when there is none. */
static int app_check_cycles(const json_t *list, const char *path, const char *what, verr *e)
{
    size_t n = json_array_size(list);
    int *state = xcalloc(n, sizeof(int)); /* 0 new, 1 on stack, 2 done */
    size_t *stack = xcalloc(n, sizeof(size_t));
    size_t *next = xcalloc(n, sizeof(size_t));
    int rc = 0;
    char p[512];

    for (size_t root = 0; root < n && rc == 0; root++) {
        if (state[root])
            continue;
        size_t top = 0;
        stack[top++] = root;
        state[root] = 1;
        next[root] = 0;
        while (top && rc == 0) {
            size_t cur = stack[top - 1];
            json_t *deps = json_object_get(json_array_get(list, cur), "dependsOn");
            if (next[cur] >= json_array_size(deps)) {
                state[cur] = 2;
                top--;
                continue;
            }
            const char *dep = json_string_value(json_array_get(deps, next[cur]++));
            size_t j;
            for (j = 0; j < n; j++)
                if (strcmp(json_string_value(json_object_get(json_array_get(list, j), "name")),
                           dep) == 0)
                    break;
            if (j == n)
                continue;
            if (state[j] == 1) {
                PI(p, path, cur);
                P(p, p, "dependsOn");
                rc = verr_set(e, p,
                              "%s \"%s\" depends on \"%s\", which depends back on it "
                              "(a cycle)",
                              what,
                              json_string_value(json_object_get(json_array_get(list, cur), "name")),
                              dep);
            } else if (state[j] == 0) {
                state[j] = 1;
                next[j] = 0;
                stack[top++] = j;
            }
        }
    }
    free(state);
    free(stack);
    free(next);
    return rc;
}

/* dependsOn entries must name other items of the same list. */
static int app_check_depends(const json_t *list, const char *path, const char *what, verr *e)
{
    char p[512], names[512];
    size_t i, j;
    json_t *item, *dep;
    json_array_foreach(list, i, item) {
        const char *self = json_string_value(json_object_get(item, "name"));
        json_array_foreach(json_object_get(item, "dependsOn"), j, dep) {
            PI(p, path, i);
            P(p, p, "dependsOn");
            PI(p, p, j);
            if (strcmp(json_string_value(dep), self) == 0)
                return verr_set(e, p, "%s \"%s\" cannot depend on itself", what, self);
            if (!app_name_in(list, json_string_value(dep))) {
                app_names(list, names, sizeof(names));
                return verr_set(e, p, "%s \"%s\" not found; defined: %s", what,
                                json_string_value(dep), names);
            }
        }
    }
    return app_check_cycles(list, path, what, e);
}

static int app_check_trait(const json_t *t, const char *comp_type, const char *path,
                           bool enforce_required, json_t *warnings, verr *e)
{
    char p[512], known[512];
    const char *type = json_string_value(json_object_get(t, "type"));
    const trait_def *def = trait_def_find(type);
    P(p, path, "type");
    if (!def) {
        defs_trait_names(known, sizeof(known));
        return verr_set(e, p, "unknown trait type \"%s\"; known types: %s", type, known);
    }
    if (comp_type && def->applies_to) {
        const char *const *a;
        for (a = def->applies_to; *a && strcmp(*a, comp_type) != 0; a++)
            ;
        if (!*a)
            return verr_set(e, p, "trait \"%s\" does not apply to component type \"%s\"", type,
                            comp_type);
    }
    P(p, path, "properties");
    json_t *props = json_object_get(t, "properties");
    if (def->check)
        return def->check(props, p, e);
    if (def->closed)
        return prop_check(props, def->props, p, enforce_required, e);
    prop_unknown unknown = {def->type, warnings};
    return prop_check_open(props, def->props, p, enforce_required, &unknown, e);
}

int app_check_component(const json_t *c, const char *path, bool enforce_required, json_t *warnings,
                        verr *e)
{
    char p[512], known[256];
    const char *type = json_string_value(json_object_get(c, "type"));
    const component_def *def = type ? component_def_find(type) : NULL;
    json_t *traits = json_object_get(c, "traits");
    size_t i, j;
    json_t *t;

    P(p, path, "type");
    if (!def) {
        defs_component_names(known, sizeof(known));
        return verr_set(e, p, "unknown component type \"%s\"; known types: %s", type, known);
    }
    P(p, path, "properties");
    prop_unknown unknown = {def->type, warnings};
    /* a type whose properties are whole objects (raw, k8s-objects) checks them itself */
    if (def->check ? def->check(json_object_get(c, "properties"), p, enforce_required, e) < 0
                   : prop_check_open(json_object_get(c, "properties"), def->props, p,
                                     enforce_required, &unknown, e) < 0)
        return -1;
    char tp[512];
    P(tp, path, "traits");
    json_array_foreach(traits, i, t) {
        PI(p, tp, i);
        if (app_check_trait(t, type, p, enforce_required, warnings, e) < 0)
            return -1;
        for (j = 0; j < i; j++) {
            if (strcmp(json_string_value(json_object_get(json_array_get(traits, j), "type")),
                       json_string_value(json_object_get(t, "type"))) == 0) {
                P(p, p, "type");
                return verr_set(e, p, "duplicate trait \"%s\" (also %s[%zu])",
                                json_string_value(json_object_get(t, "type")), tp, j);
            }
        }
    }
    return 0;
}

static int app_check_topology(const json_t *props, const char *path, verr *e)
{
    char p[512];
    if (prop_check(props, app_topology_fields, path, true, e) < 0)
        return -1;
    json_t *clusters = json_object_get(props, "clusters");
    json_t *selector = json_object_get(props, "clusterLabelSelector");
    int has_c = clusters && !json_is_null(clusters);
    int has_s = selector && !json_is_null(selector);
    if (has_c && has_s)
        return verr_set(e, path, "give either clusters or clusterLabelSelector, not both");
    if (!has_c && !has_s)
        return verr_set(e, path,
                        "give clusters (a list of names) or clusterLabelSelector "
                        "(a map of labels)");
    size_t i, j;
    json_t *c;
    json_array_foreach(clusters, i, c) {
        P(p, path, "clusters");
        PI(p, p, i);
        if (json_string_length(c) == 0)
            return verr_set(e, p, "a cluster name must not be empty");
        for (j = 0; j < i; j++)
            if (json_equal(c, json_array_get(clusters, j)))
                return verr_set(e, p, "cluster \"%s\" is listed twice", json_string_value(c));
    }
    json_t *ns = json_object_get(props, "namespace");
    if (json_is_string(ns)) {
        P(p, path, "namespace");
        return app_check_name(ns, p, "namespace", e);
    }
    return 0;
}

static int app_check_override(const json_t *props, const char *path, json_t *warnings, verr *e)
{
    char ep[512], p[512], known[256];
    size_t i, j;
    json_t *entry, *t;

    if (prop_check(props, app_override_fields, path, true, e) < 0)
        return -1;
    P(ep, path, "components");
    json_array_foreach(json_object_get(props, "components"), i, entry) {
        char base[512];
        PI(base, ep, i);
        const char *type = json_string_value(json_object_get(entry, "type"));
        const component_def *def = NULL;
        if (type) {
            def = component_def_find(type);
            if (!def) {
                P(p, base, "type");
                defs_component_names(known, sizeof(known));
                return verr_set(e, p, "unknown component type \"%s\"; known types: %s", type,
                                known);
            }
            P(p, base, "properties");
            json_t *patch = json_object_get(entry, "properties");
            prop_unknown unknown = {def->type, warnings};
            if (def->check ? def->check(patch, p, false, e) < 0
                           : prop_check_open(patch, def->props, p, false, &unknown, e) < 0)
                return -1;
        }
        char tp[512];
        P(tp, base, "traits");
        json_array_foreach(json_object_get(entry, "traits"), j, t) {
            PI(p, tp, j);
            if (app_check_trait(t, type, p, false, warnings, e) < 0)
                return -1;
        }
    }
    return 0;
}

static int app_check_policies(json_t *policies, json_t *warnings, verr *e)
{
    char p[512], base[512];
    size_t i;
    json_t *pol;
    json_array_foreach(policies, i, pol) {
        PI(base, "spec.policies", i);
        if (!json_is_object(pol))
            return verr_set(e, base, "expected a map, got %s", prop_json_type_name(pol));
        if (prop_check(pol, app_policy_fields, base, true, e) < 0)
            return -1;
        const char *type = json_string_value(json_object_get(pol, "type"));
        const char *name = json_string_value(json_object_get(pol, "name"));
        if (!name || !name[0]) {
            /* KubeVela names a policy without a name "<type>:auto-gen:<index>" */
            char gen[128];
            snprintf(gen, sizeof(gen), "%.80s:auto-gen:%zu", type, i);
            json_object_set_new(pol, "name", json_string(gen));
        } else {
            P(p, base, "name");
            if (app_check_name(json_object_get(pol, "name"), p, "policy", e) < 0)
                return -1;
        }
        json_t *props = json_object_get(pol, "properties");
        P(p, base, "properties");
        if (strcmp(type, "topology") == 0) {
            if (app_check_topology(props, p, e) < 0)
                return -1;
        } else if (strcmp(type, "override") == 0) {
            if (app_check_override(props, p, warnings, e) < 0)
                return -1;
        } else {
            P(p, base, "type");
            return verr_set(e, p, "unknown policy type \"%s\"; known types: override, topology",
                            type);
        }
    }
    return app_check_unique(policies, "spec.policies", "policy", e);
}

static int app_check_components(const json_t *components, json_t *warnings, verr *e)
{
    char p[512], base[512];
    size_t i;
    json_t *c;
    json_array_foreach(components, i, c) {
        PI(base, "spec.components", i);
        if (!json_is_object(c))
            return verr_set(e, base, "expected a map, got %s", prop_json_type_name(c));
        if (prop_check(c, app_component_fields, base, true, e) < 0)
            return -1;
        P(p, base, "name");
        if (app_check_name(json_object_get(c, "name"), p, "component", e) < 0)
            return -1;
        if (app_check_component(c, base, true, warnings, e) < 0)
            return -1;
    }
    if (app_check_unique(components, "spec.components", "component", e) < 0)
        return -1;
    return app_check_depends(components, "spec.components", "component", e);
}

/* ---- workflow ---- */

/* The default workflow (docs/application.md): one deploy step per topology policy, each with every
 * override then its topology; with no topology, one step "deploy" with every override. */
static json_t *app_default_workflow(const json_t *policies)
{
    json_t *overrides = json_array();
    json_t *steps = json_array();
    size_t i;
    json_t *pol;
    char name[96];

    json_array_foreach(policies, i, pol) {
        if (strcmp(json_string_value(json_object_get(pol, "type")), "override") == 0)
            json_array_append(overrides, json_object_get(pol, "name"));
    }
    json_array_foreach(policies, i, pol) {
        if (strcmp(json_string_value(json_object_get(pol, "type")), "topology") != 0)
            continue;
        json_t *list = json_deep_copy(overrides);
        json_array_append(list, json_object_get(pol, "name"));
        snprintf(name, sizeof(name), "deploy-%s", json_string_value(json_object_get(pol, "name")));
        json_array_append_new(steps, json_pack("{s:s,s:s,s:{s:o}}", "name", name, "type", "deploy",
                                               "properties", "policies", list));
    }
    if (json_array_size(steps) == 0)
        json_array_append_new(steps, json_pack("{s:s,s:s,s:{s:O}}", "name", "deploy", "type",
                                               "deploy", "properties", "policies", overrides));
    json_decref(overrides);
    return json_pack("{s:s,s:o}", "mode", "DAG", "steps", steps);
}

static int app_check_step(const app *a, const json_t *step, const char *base, app_step *out,
                          verr *e)
{
    char p[512], names[512];
    const char *type = json_string_value(json_object_get(step, "type"));
    json_t *props = json_object_get(step, "properties");
    json_t *timeout = json_object_get(step, "timeout");
    size_t i;
    json_t *v;

    if (prop_check(step, app_step_fields, base, true, e) < 0)
        return -1;
    P(p, base, "name");
    /* generated steps ("deploy-" + a 63-character topology name) may exceed 63 */
    if (base[0] && app_check_name(json_object_get(step, "name"), p, "step", e) < 0)
        return -1;
    memset(out, 0, sizeof(*out));
    out->name = json_string_value(json_object_get(step, "name"));
    out->type_name = type;
    out->timeout_ms = APP_DEFAULT_STEP_TIMEOUT_MS;
    out->duration_ms = -1;
    out->parallelism = APP_DEFAULT_PARALLELISM;
    out->auto_run = true;
    snprintf(out->path, sizeof(out->path), "%s", base);
    if (json_is_string(timeout)) {
        P(p, base, "timeout");
        if (parse_duration_ms(json_string_value(timeout), &out->timeout_ms) < 0 ||
            out->timeout_ms <= 0)
            return verr_set(e, p, "\"%s\" is not a duration; use e.g. 30s, 10m or 1h",
                            json_string_value(timeout));
    }
    P(p, base, "properties");
    if (strcmp(type, "deploy") == 0) {
        out->type = STEP_DEPLOY;
        if (prop_check(props, app_deploy_fields, p, true, e) < 0)
            return -1;
        json_t *par = json_object_get(props, "parallelism");
        if (json_is_integer(par))
            out->parallelism = (int)json_integer_value(par);
        if (json_is_false(json_object_get(props, "auto")))
            out->auto_run = false;
        out->policies = json_object_get(props, "policies");
        char pp[512];
        P(pp, p, "policies");
        json_array_foreach(out->policies, i, v) {
            char ip[512];
            PI(ip, pp, i);
            if (!app_policy(a, json_string_value(v))) {
                app_names(a->policies, names, sizeof(names));
                return verr_set(e, ip, "policy \"%s\" not found; defined policies: %s",
                                json_string_value(v), names);
            }
            for (size_t j = 0; j < i; j++)
                if (json_equal(v, json_array_get(out->policies, j)))
                    return verr_set(e, ip, "policy \"%s\" is listed twice", json_string_value(v));
        }
    } else if (strcmp(type, "suspend") == 0) {
        out->type = STEP_SUSPEND;
        if (prop_check(props, app_suspend_fields, p, true, e) < 0)
            return -1;
        json_t *d = json_object_get(props, "duration");
        if (json_is_string(d)) {
            P(p, p, "duration");
            if (parse_duration_ms(json_string_value(d), &out->duration_ms) < 0)
                return verr_set(e, p, "\"%s\" is not a duration; use e.g. 30s, 10m or 1h",
                                json_string_value(d));
        }
    } else {
        P(p, base, "type");
        return verr_set(e, p, "unknown step type \"%s\"; known types: deploy, suspend", type);
    }
    out->depends_on = json_object_get(step, "dependsOn");
    return 0;
}

static json_t *app_empty_array(json_t *holder, const char *key)
{
    json_t *arr = json_object_get(holder, key);
    if (!json_is_array(arr)) {
        arr = json_array();
        json_object_set_new(holder, key, arr);
    }
    return arr;
}

static int app_check_workflow(app *a, json_t *wf, verr *e)
{
    char base[512];
    size_t i;
    json_t *step;

    if (wf) {
        if (prop_check(wf, app_workflow_fields, "spec.workflow", true, e) < 0)
            return -1;
        json_t *mode = json_object_get(wf, "mode");
        if (mode && prop_check(mode, app_mode_fields, "spec.workflow.mode", true, e) < 0)
            return -1;
        const char *m = json_string_value(json_object_get(mode, "steps"));
        a->mode = m && strcmp(m, "DAG") == 0 ? WF_DAG : WF_STEP_BY_STEP;
        json_array_foreach(json_object_get(wf, "steps"), i, step) {
            PI(base, "spec.workflow.steps", i);
            if (!json_is_object(step))
                return verr_set(e, base, "expected a map, got %s", prop_json_type_name(step));
        }
        a->workflow = json_pack("{s:s,s:O}", "mode", wf_mode_name(a->mode), "steps",
                                json_object_get(wf, "steps"));
    } else {
        a->default_workflow = true;
        a->mode = WF_DAG;
        a->workflow = app_default_workflow(a->policies);
    }
    json_t *steps = json_object_get(a->workflow, "steps");
    a->nsteps = json_array_size(steps);
    a->steps = xcalloc(a->nsteps, sizeof(app_step));
    json_array_foreach(steps, i, step) {
        if (wf)
            PI(base, "spec.workflow.steps", i);
        else
            base[0] = '\0';
        if (app_check_step(a, step, base, &a->steps[i], e) < 0)
            return -1;
        if (!wf)
            a->steps[i].path[0] = '\0';
    }
    if (wf) {
        if (app_check_unique(steps, "spec.workflow.steps", "step", e) < 0 ||
            app_check_depends(steps, "spec.workflow.steps", "step", e) < 0)
            return -1;
    }
    /* borrowed empty arrays so callers never see NULL */
    json_array_foreach(steps, i, step) {
        json_t *props = json_object_get(step, "properties");
        if (!json_is_object(props)) {
            props = json_object();
            json_object_set_new(step, "properties", props);
        }
        if (a->steps[i].type == STEP_DEPLOY)
            a->steps[i].policies = app_empty_array(props, "policies");
        a->steps[i].depends_on = app_empty_array(step, "dependsOn");
    }
    return 0;
}

json_t *app_policy(const app *a, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(a->policies, i, p) {
        if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
            return p;
    }
    return NULL;
}

json_t *app_component(const app *a, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(a->components, i, c) {
        if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
            return c;
    }
    return NULL;
}

const app_step *app_step_find(const app *a, const char *name)
{
    for (size_t i = 0; i < a->nsteps; i++)
        if (strcmp(a->steps[i].name, name) == 0)
            return &a->steps[i];
    return NULL;
}

void app_free(app *a)
{
    if (!a)
        return;
    json_decref(a->workflow);
    json_decref(a->warnings);
    json_decref(a->doc);
    free(a->steps);
    free(a);
}

int app_from_json(json_t *doc, app **out, verr *e)
{
    app *a = xcalloc(1, sizeof(*a));
    json_t *meta, *spec;

    *out = NULL;
    a->doc = doc; /* now owned by a (on every path) */
    a->revision = 1;
    a->warnings = json_array();
    if (!json_is_object(doc)) {
        verr_set(e, "",
                 "an Application must be a map with apiVersion, kind, metadata and spec, "
                 "got %s",
                 prop_json_type_name(doc));
        goto fail;
    }
    if (prop_check(doc, app_top_fields, "", true, e) < 0)
        goto fail;
    if (strcmp(json_string_value(json_object_get(doc, "apiVersion")), "core.oam.dev/v1beta1") !=
        0) {
        verr_set(e, "apiVersion", "\"%s\" is not supported; use core.oam.dev/v1beta1",
                 json_string_value(json_object_get(doc, "apiVersion")));
        goto fail;
    }
    if (strcmp(json_string_value(json_object_get(doc, "kind")), "Application") != 0) {
        verr_set(e, "kind", "\"%s\" is not supported; use Application",
                 json_string_value(json_object_get(doc, "kind")));
        goto fail;
    }
    meta = json_object_get(doc, "metadata");
    if (prop_check(meta, app_meta_fields, "metadata", true, e) < 0 ||
        app_check_name(json_object_get(meta, "name"), "metadata.name", "application", e) < 0)
        goto fail;
    if (!json_is_string(json_object_get(meta, "namespace")))
        json_object_set_new(meta, "namespace", json_string("default"));
    else if (app_check_name(json_object_get(meta, "namespace"), "metadata.namespace", "namespace",
                            e) < 0)
        goto fail;
    a->name = json_string_value(json_object_get(meta, "name"));
    a->ns = json_string_value(json_object_get(meta, "namespace"));

    spec = json_object_get(doc, "spec");
    if (prop_check(spec, app_spec_fields, "spec", true, e) < 0)
        goto fail;
    a->components = json_object_get(spec, "components");
    a->policies = app_empty_array(spec, "policies");
    if (app_check_components(a->components, a->warnings, e) < 0 ||
        app_check_policies(a->policies, a->warnings, e) < 0)
        goto fail;
    json_t *wf = json_object_get(spec, "workflow");
    if (app_check_workflow(a, json_is_object(wf) ? wf : NULL, e) < 0)
        goto fail;
    *out = a;
    return 0;
fail:
    app_free(a);
    return -1;
}

int app_parse(const char *buf, size_t len, app **out, char *err, size_t errlen)
{
    json_t *doc = NULL;

    *out = NULL;
    if (ydoc_parse(buf, len, NULL, &doc, err, errlen) < 0)
        return -1;
    return app_parse_doc(doc, buf, len, out, err, errlen);
}

int app_parse_doc(json_t *doc, const char *buf, size_t len, app **out, char *err, size_t errlen)
{
    verr e;
    int line, col;

    *out = NULL;
    if (app_from_json(doc, out, &e) == 0) {
        size_t i;
        json_t *w;
        json_array_foreach((*out)->warnings, i, w) {
            const char *path = json_string_value(json_object_get(w, "path"));
            const char *msg = json_string_value(json_object_get(w, "message"));
            char text[1024];
            ydoc_locate(buf, len, path, &line, &col);
            if (line > 0)
                snprintf(text, sizeof(text), "%d:%d: %s: %s", line, col, path, msg);
            else
                snprintf(text, sizeof(text), "%s: %s", path, msg);
            json_object_set_new(w, "text", json_string(text));
        }
        return 0;
    }
    ydoc_locate(buf, len, e.path, &line, &col);
    if (line > 0 && e.path[0])
        return err_set(err, errlen, "%d:%d: %s: %s", line, col, e.path, e.msg);
    if (line > 0)
        return err_set(err, errlen, "%d:%d: %s", line, col, e.msg);
    if (e.path[0])
        return err_set(err, errlen, "%s: %s", e.path, e.msg);
    return err_set(err, errlen, "%s", e.msg);
}

void app_spec_hash(const json_t *spec, char out[17])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    char *canon = vela_json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    SHA256((const unsigned char *)(canon ? canon : ""), canon ? strlen(canon) : 0, md);
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    free(canon);
}

void app_revision_name(const app *a, char *out, size_t n)
{
    snprintf(out, n, "%s-v%d", a->name, a->revision);
}

void app_warnings_print(const app *a, const char *file, FILE *f)
{
    size_t i;
    json_t *w;
    json_array_foreach(a->warnings, i, w) {
        const char *text = json_string_value(json_object_get(w, "text"));
        if (text)
            fprintf(f, "warning: %s:%s\n", file, text);
        else
            fprintf(f, "warning: %s: %s: %s\n", file, json_string_value(json_object_get(w, "path")),
                    json_string_value(json_object_get(w, "message")));
    }
}

/* Component and step rendering; see render.h. Definitions do the per-type work; this file
 * checks, orders and assembles. */
#include "model/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "model/definitions.h"
#include "yaml/ydoc.h"

/* Splits a comma-separated list of keys (an Application's filter annotation) into a new
 * array of trimmed, non-empty keys. */
static json_t *render_key_list(const char *csv)
{
    json_t *keys = json_array();
    const char *p = csv;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *b = p;
        while (b < end && (*b == ' ' || *b == '\t'))
            b++;
        const char *q = end;
        while (q > b && (q[-1] == ' ' || q[-1] == '\t'))
            q--;
        if (q > b)
            json_array_append_new(keys, json_stringn(b, (size_t)(q - b)));
        p = comma ? comma + 1 : NULL;
    }
    return keys;
}

static bool render_key_in(const json_t *keys, const char *key)
{
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k) {
        if (strcmp(json_string_value(k), key) == 0)
            return true;
    }
    return false;
}

/* Annotations of the Application never copied to what it renders (KubeVela's defaults). */
static const char *const render_filtered_annotations[] = {
    "app.oam.dev/inplace-upgrade",
    "filter.oam.dev/label-keys",
    "filter.oam.dev/annotation-keys",
    "kubectl.kubernetes.io/last-applied-configuration",
    NULL,
};

/* KubeVela's contract on every rendered object (pkg/appfile SetOAMContract): the workload is
 * app.oam.dev/resourceType WORKLOAD, everything else TRAIT; the common labels (the
 * Application's labels under the app.oam.dev ones, minus filter.oam.dev/label-keys) are set,
 * overriding what definitions and traits put there; the Application's annotations are set,
 * then KubeVela's filtered keys and filter.oam.dev/annotation-keys removed. */
static void render_contract(const app *a, const render_ctx *ctx)
{
    json_t *meta = json_object_get(a->doc, "metadata");
    json_t *app_labels = json_object_get(meta, "labels");
    json_t *app_ann = json_object_get(meta, "annotations");
    json_t *label_filter = render_key_list(
        json_string_value(json_object_get(app_ann, "filter.oam.dev/label-keys")));
    json_t *ann_filter = render_key_list(
        json_string_value(json_object_get(app_ann, "filter.oam.dev/annotation-keys")));
    json_t *common = json_object();
    json_t *v, *o;
    size_t i;

    for (const char *const *f = render_filtered_annotations; *f; f++)
        json_array_append_new(ann_filter, json_string(*f));
    if (json_is_object(app_labels))
        json_object_update(common, app_labels);
    json_object_set_new(common, "app.oam.dev/name", json_string(ctx->app));
    json_object_set_new(common, "app.oam.dev/namespace", json_string(ctx->app_ns));
    json_object_set_new(common, "app.oam.dev/appRevision", json_string(ctx->app_revision));
    json_object_set_new(common, "app.oam.dev/component", json_string(ctx->component));
    json_array_foreach(label_filter, i, v) {
        json_object_del(common, json_string_value(v));
    }
    json_array_foreach(ctx->objects, i, o) {
        json_t *om = json_object_get(o, "metadata");
        if (!json_is_object(om)) {
            om = json_object();
            json_object_set_new(o, "metadata", om);
        }
        json_t *labels = json_object_get(om, "labels");
        if (!json_is_object(labels)) {
            labels = json_object();
            json_object_set_new(om, "labels", labels);
        }
        json_object_set_new(labels, "app.oam.dev/resourceType",
                            json_string(i == 0 ? "WORKLOAD" : "TRAIT"));
        if (i == 0)
            json_object_set_new(labels, "workload.oam.dev/type", json_string(ctx->type));
        json_object_update(labels, common);

        json_t *ann = json_object_get(om, "annotations");
        if (json_is_object(app_ann) && json_object_size(app_ann)) {
            if (!json_is_object(ann)) {
                ann = json_object();
                json_object_set_new(om, "annotations", ann);
            }
            json_object_update(ann, app_ann);
        }
        if (json_is_object(ann)) {
            json_t *f;
            size_t j;
            json_array_foreach(ann_filter, j, f) {
                json_object_del(ann, json_string_value(f));
            }
            if (json_object_size(ann) == 0)
                json_object_del(om, "annotations");
        }
    }
    json_decref(common);
    json_decref(label_filter);
    json_decref(ann_filter);
}

int render_component(const app *a, const json_t *comp, const char *ns, bool check, json_t *out,
                     verr *e)
{
    const char *name = json_string_value(json_object_get(comp, "name"));
    const char *type = json_string_value(json_object_get(comp, "type"));
    const component_def *def = component_def_find(type);
    json_t *props = json_object_get(comp, "properties");
    json_t *traits = json_object_get(comp, "traits");
    char revision[160];
    app_revision_name(a, revision, sizeof(revision));
    json_t *app_ann = json_object_get(json_object_get(a->doc, "metadata"), "annotations");
    json_t *label_filter = render_key_list(
        json_string_value(json_object_get(app_ann, "filter.oam.dev/label-keys")));
    render_ctx ctx = {
        .app = a->name,
        .app_ns = a->ns,
        .ns = ns,
        .component = name,
        .type = type,
        .objects = json_array(),
        .path = "",
        .app_revision = revision,
        .ns_label = !render_key_in(label_filter, "app.oam.dev/namespace"),
    };
    size_t i;
    json_t *t;
    char path[512];

    json_decref(label_filter);
    if (check && app_check_component(comp, "", true, NULL, e) < 0) {
        char inner[sizeof(e->msg)];
        verr_format(e, inner, sizeof(inner));
        json_t *orig = app_component(a, name);
        for (i = 0; orig && json_array_get(a->components, i) != orig; i++)
            ;
        if (orig)
            snprintf(path, sizeof(path), "spec.components[%zu]", i);
        else
            path[0] = '\0';
        verr_set(e, path, "component \"%s\" after overrides: %s", name, inner);
        json_decref(ctx.objects);
        return -1;
    }
    if (!def || def->render(props, &ctx, e) < 0)
        goto fail;
    json_array_foreach(traits, i, t) {
        const trait_def *td = trait_def_find(json_string_value(json_object_get(t, "type")));
        snprintf(path, sizeof(path), "component \"%s\" trait \"%s\"", name, td ? td->type : "?");
        if (!td || td->apply(json_object_get(t, "properties"), &ctx, path, e) < 0)
            goto fail;
    }
    render_contract(a, &ctx);
    json_array_extend(out, ctx.objects);
    json_decref(ctx.objects);
    return 0;
fail:
    json_decref(ctx.objects);
    return -1;
}

json_t *render_order(const json_t *components)
{
    size_t n = json_array_size(components);
    json_t *out = json_array();
    char *done = xcalloc(n, 1);
    size_t placed = 0;

    /* repeated passes: place every component whose present dependencies are placed */
    while (placed < n) {
        size_t before = placed;
        for (size_t i = 0; i < n; i++) {
            if (done[i])
                continue;
            json_t *deps = json_object_get(json_array_get(components, i), "dependsOn");
            int ready = 1;
            size_t k;
            json_t *dep;
            json_array_foreach(deps, k, dep) {
                for (size_t j = 0; j < n; j++) {
                    json_t *other = json_array_get(components, j);
                    if (!done[j] && json_equal(json_object_get(other, "name"), dep))
                        ready = 0;
                }
            }
            if (ready) {
                done[i] = 1;
                placed++;
                json_array_append(out, json_array_get(components, i));
            }
        }
        if (placed == before) { /* a cycle cannot pass validation; keep the rest in order */
            for (size_t i = 0; i < n; i++)
                if (!done[i])
                    json_array_append(out, json_array_get(components, i));
            break;
        }
    }
    free(done);
    return out;
}

static json_t *render_summary(const json_t *comp)
{
    json_t *traits = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(comp, "traits"), i, t) {
        json_array_append(traits, json_object_get(t, "type"));
    }
    return json_pack("{s:O,s:O,s:o}", "name", json_object_get(comp, "name"), "type",
                     json_object_get(comp, "type"), "traits", traits);
}

int render_step(const app *a, const app_step *s, const registry_view *reg, json_t **out, verr *e)
{
    json_t *placements = NULL, *components = NULL, *ordered = NULL, *summary = NULL;
    json_t *by_ns = json_object(); /* namespace -> manifests, rendered once per namespace */
    size_t i, j;
    json_t *p, *c;
    int rc = -1;
    bool overridden = false;

    *out = NULL;
    if (policy_placements(a, s, reg, &placements, e) < 0 ||
        policy_components(a, s, &components, e) < 0)
        goto cleanup;
    json_array_foreach(s->policies, i, p) {
        json_t *pol = app_policy(a, json_string_value(p));
        if (pol && strcmp(json_string_value(json_object_get(pol, "type")), "override") == 0)
            overridden = true;
    }
    ordered = render_order(components);
    summary = json_array();
    json_array_foreach(ordered, j, c) {
        json_array_append_new(summary, render_summary(c));
    }
    json_array_foreach(placements, i, p) {
        const char *ns = json_string_value(json_object_get(p, "namespace"));
        json_t *manifests = json_object_get(by_ns, ns);
        if (!manifests) {
            manifests = json_array();
            json_object_set_new(by_ns, ns, manifests);
            json_array_foreach(ordered, j, c) {
                if (render_component(a, c, ns, overridden, manifests, e) < 0)
                    goto cleanup;
            }
        }
        json_object_set(p, "components", summary);
        json_object_set(p, "manifests", manifests);
    }
    *out = placements;
    placements = NULL;
    rc = 0;
cleanup:
    json_decref(placements);
    json_decref(components);
    json_decref(ordered);
    json_decref(summary);
    json_decref(by_ns);
    return rc;
}

int render_plan(const app *a, const registry_view *reg, json_t **out, verr *e)
{
    json_t *steps = json_array();
    *out = NULL;
    for (size_t i = 0; i < a->nsteps; i++) {
        const app_step *s = &a->steps[i];
        json_t *step = json_pack("{s:s,s:s}", "name", s->name, "type", s->type_name);
        if (json_array_size(s->depends_on))
            json_object_set(step, "dependsOn", s->depends_on);
        if (s->type == STEP_DEPLOY) {
            json_t *placements;
            if (render_step(a, s, reg, &placements, e) < 0) {
                char inner[sizeof(e->msg)];
                snprintf(inner, sizeof(inner), "%s", e->msg);
                snprintf(e->msg, sizeof(e->msg), "step \"%s\": %s", s->name, inner);
                json_decref(step);
                json_decref(steps);
                return -1;
            }
            json_object_set(step, "policies", s->policies);
            if (!s->auto_run)
                json_object_set_new(step, "auto", json_false());
            json_object_set_new(step, "parallelism", json_integer(s->parallelism));
            json_object_set_new(step, "placements", placements);
        } else if (s->duration_ms >= 0) {
            json_object_set_new(step, "durationMs", json_integer(s->duration_ms));
        }
        json_array_append_new(steps, step);
    }
    *out = json_pack("{s:{s:s,s:s},s:{s:s,s:o}}", "application", "name", a->name, "namespace",
                     a->ns, "workflow", "mode", wf_mode_name(a->mode), "steps", steps);
    return 0;
}

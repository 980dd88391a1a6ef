/* annotations: a JSON merge patch of the workload's annotations and of its pod template's
 * (spec.template, or a CronJob's spec.jobTemplate and its template): a string sets a key,
 * null deletes it. */
#include "model/definitions.h"
#include "model/traits/traits.h"
#include "model/render_util.h"

static const prop_spec annotations_props[] = {{NULL, 0, 0, NULL, NULL, 0, 0}};

static void annotations_patch(json_t *holder, const json_t *props)
{
    json_t *meta = json_object_get(holder, "metadata");
    if (!json_is_object(meta)) {
        meta = json_object();
        json_object_set_new(holder, "metadata", meta);
    }
    render_patch_map(meta, "annotations", props);
}

static int annotations_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    json_t *w = render_workload(ctx);
    json_t *spec = json_object_get(w, "spec");
    json_t *job = json_object_get(spec, "jobTemplate");
    if (!json_is_object(props) || !w)
        return 0;
    annotations_patch(w, props);
    if (json_is_object(json_object_get(spec, "template")))
        annotations_patch(json_object_get(spec, "template"), props);
    if (json_is_object(job)) {
        annotations_patch(job, props);
        json_t *tmpl = json_object_get(json_object_get(job, "spec"), "template");
        if (json_is_object(tmpl))
            annotations_patch(tmpl, props);
    }
    (void)path;
    (void)e;
    return 0;
}

const trait_def trait_annotations = {
    .type = "annotations",
    .props = annotations_props,
    .check = render_check_string_map,
    .apply = annotations_apply,
};

/* annotations: merged into the workload's and its pod template's annotations. */
#include "model/definitions.h"
#include "model/traits/traits.h"
#include "model/render_util.h"

static const prop_spec annotations_props[] = {{NULL, 0, 0, NULL, NULL, 0, 0}};

static int annotations_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    if (!json_is_object(props))
        return 0;
    render_merge_map(json_object_get(render_workload(ctx), "metadata"), "annotations", props);
    json_t *tmpl = render_pod_template(ctx);
    if (tmpl)
        render_merge_map(json_object_get(tmpl, "metadata"), "annotations", props);
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

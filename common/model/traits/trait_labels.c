/* labels: a JSON merge patch of the workload's labels and, when it has a pod template, of the
 * template's labels: a string sets a key, null deletes it. */
#include "model/definitions.h"
#include "model/traits/traits.h"
#include "model/render_util.h"

static const prop_spec labels_props[] = {{NULL, 0, 0, NULL, NULL, 0, 0}};

static int labels_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    if (!json_is_object(props))
        return 0;
    render_patch_map(json_object_get(render_workload(ctx), "metadata"), "labels", props);
    json_t *tmpl = render_pod_template(ctx);
    if (tmpl)
        render_patch_map(json_object_get(tmpl, "metadata"), "labels", props);
    (void)path;
    (void)e;
    return 0;
}

const trait_def trait_labels = {
    .type = "labels",
    .props = labels_props,
    .check = render_check_string_map,
    .apply = labels_apply,
};

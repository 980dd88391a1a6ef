/* task: a run-to-completion workload. A batch/v1 Job whose `count` gives completions and
 * parallelism, restartPolicy Never unless `restart` says OnFailure. */
#include <stdio.h>

#include "model/components/components.h"
#include "model/definitions.h"
#include "model/render_util.h"

static const char *const task_restart_policies[] = {"Never", "OnFailure", NULL};

static const prop_spec task_props[] = {
    RENDER_CONTAINER_PROPS,
    {"count", PROP_INT, 0, NULL, NULL, 1, 100000},
    {"restart", PROP_STRING, 0, NULL, task_restart_policies, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static int task_render(const json_t *props, render_ctx *ctx, verr *e)
{
    json_t *job = render_object_new(ctx, "batch/v1", "Job", ctx->component);
    json_t *meta = json_object_get(job, "metadata");
    json_t *count = json_object_get(props, "count");
    json_int_t n = json_is_integer(count) ? json_integer_value(count) : 1;
    const char *restart = json_string_value(json_object_get(props, "restart"));
    json_t *extra = json_object_get(props, "labels");
    json_t *ann = json_object_get(props, "annotations");

    if (json_is_object(extra))
        json_object_update(json_object_get(meta, "labels"), extra);
    if (json_is_object(ann) && json_object_size(ann))
        json_object_set(meta, "annotations", ann);
    json_t *tmpl = render_pod_template_new(ctx, props, render_container_new(ctx, props));
    json_object_set_new(json_object_get(tmpl, "spec"), "restartPolicy",
                        json_string(restart ? restart : "Never"));
    json_object_set_new(job, "spec",
                        json_pack("{s:I,s:I,s:o}", "completions", n, "parallelism", n, "template",
                                  tmpl));
    json_array_append_new(ctx->objects, job);
    (void)e;
    return 0;
}

static void task_health(const json_t *live, health *h)
{
    h->healthy = false;
    if (!live) {
        snprintf(h->msg, sizeof(h->msg), "Job not found");
        return;
    }
    long long want = render_int_at(live, "spec.completions");
    long long done = render_int_at(live, "status.succeeded");
    if (!json_object_get(json_object_get(live, "spec"), "completions"))
        want = 1;
    h->healthy = done >= want;
    snprintf(h->msg, sizeof(h->msg), "Succeeded:%lld/%lld", done, want);
}

const component_def component_task = {
    .type = "task",
    .props = task_props,
    .workload_api_version = "batch/v1",
    .workload_kind = "Job",
    .render = task_render,
    .health = task_health,
};

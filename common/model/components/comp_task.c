/* task: a run-to-completion workload. A batch/v1 Job whose `count` gives completions and
 * parallelism, restartPolicy Never unless `restart` says OnFailure. Healthy when
 * status.succeeded equals spec.parallelism, as KubeVela's task. */
#include <stdio.h>

#include "model/components/components.h"
#include "model/definitions.h"
#include "model/render_util.h"

static const char *const task_restart_policies[] = {"Never", "OnFailure", NULL};

static const prop_spec task_props[] = {
    {"image", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"imagePullPolicy", PROP_STRING, 0, NULL, render_pull_policies, 0, 0},
    {"imagePullSecrets", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"cmd", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"env", PROP_LIST, 0, render_env_fields, NULL, 0, 0},
    {"cpu", PROP_QUANTITY, 0, NULL, NULL, 0, 0},
    {"memory", PROP_QUANTITY, 0, NULL, NULL, 0, 0},
    {"labels", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {"annotations", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {"count", PROP_INT, 0, NULL, NULL, 1, 100000},
    {"restart", PROP_STRING, 0, NULL, task_restart_policies, 0, 0},
    {"volumes", PROP_LIST, 0, render_volumes_fields, NULL, 0, 0},
    /* declared by KubeVela's task but not rendered by it either */
    {"livenessProbe", PROP_OBJECT, 0, render_probe_fields, NULL, 0, 0},
    {"readinessProbe", PROP_OBJECT, 0, render_probe_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static int task_render(const json_t *props, render_ctx *ctx, verr *e)
{
    json_t *job = render_workload_new(ctx, "batch/v1", "Job", ctx->component);
    json_t *count = json_object_get(props, "count");
    json_int_t n = json_is_integer(count) ? json_integer_value(count) : 1;
    const char *restart = json_string_value(json_object_get(props, "restart"));
    json_t *declared = json_object();

    /* args is no task property: render_container_new must not see it */
    for (const prop_spec *f = task_props; f->name; f++) {
        json_t *v = json_object_get(props, f->name);
        if (v)
            json_object_set(declared, f->name, v);
    }
    json_t *tmpl = render_pod_template_new(ctx, declared, render_container_new(ctx, declared));
    json_object_set_new(json_object_get(tmpl, "spec"), "restartPolicy",
                        json_string(restart ? restart : "Never"));
    json_object_set_new(job, "spec",
                        json_pack("{s:I,s:I,s:o}", "parallelism", n, "completions", n, "template",
                                  tmpl));
    json_array_append_new(ctx->objects, job);
    int rc = render_pod_extras(ctx, tmpl, declared, 0, e);
    json_decref(declared);
    return rc;
}

static void task_health(const json_t *live, health *h)
{
    h->healthy = false;
    if (!live) {
        snprintf(h->msg, sizeof(h->msg), "Job not found");
        return;
    }
    long long active = render_int_at(live, "status.active");
    long long failed = render_int_at(live, "status.failed");
    long long done = render_int_at(live, "status.succeeded");
    /* Kubernetes defaults parallelism to 1 */
    json_t *par = json_object_get(json_object_get(live, "spec"), "parallelism");
    h->healthy = done == (json_is_integer(par) ? json_integer_value(par) : 1);
    snprintf(h->msg, sizeof(h->msg), "Active/Failed/Succeeded:%lld/%lld/%lld", active, failed,
             done);
}

const component_def component_task = {
    .type = "task",
    .props = task_props,
    .workload_api_version = "batch/v1",
    .workload_kind = "Job",
    .render = task_render,
    .health = task_health,
};

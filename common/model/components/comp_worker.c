/* worker: a long-running background process. A Deployment with no ports and no Service. */
#include "model/components/components.h"
#include "model/definitions.h"
#include "model/render_util.h"

static const prop_spec worker_props[] = {
    RENDER_CONTAINER_PROPS,
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static int worker_render(const json_t *props, render_ctx *ctx, verr *e)
{
    json_array_append_new(ctx->objects,
                          render_deployment_new(ctx, props, render_container_new(ctx, props)));
    (void)e;
    return 0;
}

const component_def component_worker = {
    .type = "worker",
    .props = worker_props,
    .workload_api_version = "apps/v1",
    .workload_kind = "Deployment",
    .render = worker_render,
    .health = render_deployment_health,
};

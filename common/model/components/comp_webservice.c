/* webservice: a long-running, scalable service. A Deployment, and a Service when some
 * ports[].expose is true (docs/application.md). */
#include <stdio.h>
#include <string.h>

#include "model/components/components.h"
#include "model/definitions.h"
#include "model/render_util.h"

static const char *const webservice_protocols[] = {"TCP", "UDP", "SCTP", NULL};
static const char *const webservice_expose_types[] = {"ClusterIP", "NodePort", "LoadBalancer",
                                                      NULL};

static const prop_spec webservice_port_fields[] = {
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {"name", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"protocol", PROP_STRING, 0, NULL, webservice_protocols, 0, 0},
    {"expose", PROP_BOOL, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec webservice_props[] = {
    RENDER_CONTAINER_PROPS,
    {"port", PROP_INT, 0, NULL, NULL, 1, 65535},
    {"ports", PROP_LIST, 0, webservice_port_fields, NULL, 0, 0},
    {"exposeType", PROP_STRING, 0, NULL, webservice_expose_types, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static json_t *webservice_port(long long port, const char *name, const char *protocol)
{
    char def[32];
    snprintf(def, sizeof(def), "port-%lld", port);
    return json_pack("{s:I,s:s,s:s}", "containerPort", (json_int_t)port, "name", name ? name : def,
                     "protocol", protocol ? protocol : "TCP");
}

static int webservice_render(const json_t *props, render_ctx *ctx, verr *e)
{
    json_t *container = render_container_new(ctx, props);
    json_t *ports = json_object_get(props, "ports");
    json_t *port = json_object_get(props, "port");
    json_t *cports = json_array();
    json_t *sports = json_array();
    size_t i;
    json_t *p;

    if (json_is_array(ports)) {
        json_array_foreach(ports, i, p) {
            long long n = json_integer_value(json_object_get(p, "port"));
            const char *name = json_string_value(json_object_get(p, "name"));
            const char *proto = json_string_value(json_object_get(p, "protocol"));
            json_t *cp = webservice_port(n, name, proto);
            json_array_append_new(cports, cp);
            if (json_is_true(json_object_get(p, "expose")))
                json_array_append_new(
                    sports, json_pack("{s:O,s:I,s:I,s:O}", "name", json_object_get(cp, "name"),
                                      "port", (json_int_t)n, "targetPort", (json_int_t)n,
                                      "protocol", json_object_get(cp, "protocol")));
        }
    } else if (json_is_integer(port)) {
        json_array_append_new(cports, webservice_port(json_integer_value(port), NULL, NULL));
    }
    if (json_array_size(cports))
        json_object_set(container, "ports", cports);
    json_decref(cports);
    json_array_append_new(ctx->objects, render_deployment_new(ctx, props, container));

    if (json_array_size(sports)) {
        json_t *svc = render_object_new(ctx, "v1", "Service", ctx->component);
        const char *type = json_string_value(json_object_get(props, "exposeType"));
        json_object_set_new(svc, "spec",
                            json_pack("{s:{s:s},s:o,s:s}", "selector", "app.oam.dev/component",
                                      ctx->component, "ports", sports, "type",
                                      type ? type : "ClusterIP"));
        json_array_append_new(ctx->objects, svc);
    } else {
        json_decref(sports);
    }
    (void)e;
    return 0;
}

const component_def component_webservice = {
    .type = "webservice",
    .props = webservice_props,
    .workload_api_version = "apps/v1",
    .workload_kind = "Deployment",
    .render = webservice_render,
    .health = render_deployment_health,
};

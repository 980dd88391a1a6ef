/* gateway: exposes the component through a Service (one port per distinct http port) and an
 * Ingress with one ImplementationSpecific path per http entry (docs/application.md). Healthy when
 * the Ingress exists; its message shows the load balancer's IP once it has one. */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/traits/traits.h"
#include "model/render_util.h"

static const prop_spec gateway_props[] = {
    {"domain", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"http", PROP_INT_MAP, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 1, 65535},
    {"class", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"classInSpec", PROP_BOOL, 0, NULL, NULL, 0, 0},
    {"secretName", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const gateway_applies_to[] = {"webservice", "worker", NULL};

/* Adds port to the Service's ports unless it is there already. */
static void gateway_service_port(json_t *svc, json_int_t port)
{
    json_t *ports = json_object_get(json_object_get(svc, "spec"), "ports");
    size_t i;
    json_t *p;
    char name[32];
    json_array_foreach(ports, i, p) {
        if (json_integer_value(json_object_get(p, "port")) == port)
            return;
    }
    snprintf(name, sizeof(name), "port-%lld", (long long)port);
    json_array_append_new(ports, json_pack("{s:s,s:I,s:I,s:s}", "name", name, "port", port,
                                           "targetPort", port, "protocol", "TCP"));
}

static int gateway_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    const char *domain = json_string_value(json_object_get(props, "domain"));
    const char *cls = json_string_value(json_object_get(props, "class"));
    const char *secret = json_string_value(json_object_get(props, "secretName"));
    json_t *http = json_object_get(props, "http");
    json_t *svc = render_find(ctx, "Service", ctx->component);
    const char *route;
    json_t *port;

    if (!svc) { /* the webservice's own exposed Service is shared, else a new one */
        svc = render_object_new(ctx, "v1", "Service", ctx->component);
        json_object_set_new(svc, "spec",
                            json_pack("{s:{s:s},s:[],s:s}", "selector", "app.oam.dev/component",
                                      ctx->component, "ports", "type", "ClusterIP"));
        json_array_append_new(ctx->objects, svc);
    }
    json_t *paths = json_array();
    json_object_foreach(http, route, port) {
        gateway_service_port(svc, json_integer_value(port));
        json_array_append_new(paths, json_pack("{s:s,s:s,s:{s:{s:s,s:{s:I}}}}", "path", route,
                                               "pathType", "ImplementationSpecific", "backend",
                                               "service", "name", ctx->component, "port", "number",
                                               json_integer_value(port)));
    }
    json_t *ing = render_object_new(ctx, "networking.k8s.io/v1", "Ingress", ctx->component);
    json_t *spec = json_object();
    json_t *rule = json_object();
    if (domain)
        json_object_set_new(rule, "host", json_string(domain));
    json_object_set_new(rule, "http", json_pack("{s:o}", "paths", paths));
    if (json_is_true(json_object_get(props, "classInSpec")))
        json_object_set_new(spec, "ingressClassName", json_string(cls ? cls : "nginx"));
    else
        json_object_set_new(json_object_get(ing, "metadata"), "annotations",
                            json_pack("{s:s}", "kubernetes.io/ingress.class", cls ? cls : "nginx"));
    if (secret) {
        json_t *tls = json_pack("{s:s}", "secretName", secret);
        if (domain)
            json_object_set_new(tls, "hosts", json_pack("[s]", domain));
        json_object_set_new(spec, "tls", json_pack("[o]", tls));
    }
    json_object_set_new(spec, "rules", json_pack("[o]", rule));
    json_object_set_new(ing, "spec", spec);
    json_array_append_new(ctx->objects, ing);
    (void)path;
    (void)e;
    return 0;
}

static void gateway_health(const json_t *props, const json_t *live, health *h)
{
    const char *domain = json_string_value(json_object_get(props, "domain"));
    json_t *ing = json_object_get(json_object_get(json_object_get(live, "status"), "loadBalancer"),
                                  "ingress");
    const char *ip = json_string_value(json_object_get(json_array_get(ing, 0), "ip"));
    if (!ip)
        ip = json_string_value(json_object_get(json_array_get(ing, 0), "hostname"));

    h->healthy = live != NULL;
    if (!live)
        snprintf(h->msg, sizeof(h->msg), "Ingress not found");
    else if (ip)
        snprintf(h->msg, sizeof(h->msg), "Visiting URL: %s, IP: %s", domain ? domain : ip, ip);
    else
        snprintf(h->msg, sizeof(h->msg), "Visiting URL: %s", domain ? domain : "");
}

const trait_def trait_gateway = {
    .type = "gateway",
    .props = gateway_props,
    .applies_to = gateway_applies_to,
    .apply = gateway_apply,
    .health_kind = "Ingress",
    .health_api_version = "networking.k8s.io/v1",
    .health = gateway_health,
};

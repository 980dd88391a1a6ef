/* gateway: exposes the component through a Service (KubeVela output "service", one port per
 * distinct http port; none with existingServiceName) and an Ingress (output "ingress") with
 * one path per http entry (docs/application.md). Healthy when the Ingress exists; its message
 * shows the host and the load balancer's IP once it has one. */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/traits/traits.h"
#include "model/render_util.h"

static const char *const gateway_path_types[] = {"ImplementationSpecific", "Prefix", "Exact", NULL};

static const prop_spec gateway_props[] = {
    {"domain", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"http", PROP_INT_MAP, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 1, 65535},
    {"class", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"classInSpec", PROP_BOOL, 0, NULL, NULL, 0, 0},
    {"secretName", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"gatewayHost", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"name", PROP_STRING, 0, NULL, NULL, 0, 0},
    {"pathType", PROP_STRING, 0, NULL, gateway_path_types, 0, 0},
    {"annotations", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {"labels", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {"existingServiceName", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const gateway_applies_to[] = {"statefulset", "webservice", "worker", NULL};

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
    json_array_append_new(ports, json_pack("{s:s,s:I,s:I}", "name", name, "port", port,
                                           "targetPort", port));
}

static int gateway_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    const char *domain = json_string_value(json_object_get(props, "domain"));
    const char *cls = json_string_value(json_object_get(props, "class"));
    const char *secret = json_string_value(json_object_get(props, "secretName"));
    const char *host = json_string_value(json_object_get(props, "gatewayHost"));
    const char *path_type = json_string_value(json_object_get(props, "pathType"));
    const char *existing = json_string_value(json_object_get(props, "existingServiceName"));
    json_t *http = json_object_get(props, "http");
    json_t *svc = NULL;
    const char *route;
    json_t *port;
    char field[512];

    if (json_is_string(json_object_get(props, "name"))) {
        snprintf(field, sizeof(field), "%s.name", path);
        return verr_set(e, field,
                        "a gateway \"name\" (a second Ingress per component) is not supported; "
                        "remove it");
    }
    if (secret && !domain) {
        snprintf(field, sizeof(field), "%s.secretName", path);
        return verr_set(e, field, "secretName needs a domain for the TLS hosts; set domain");
    }
    if (!existing) {
        /* the webservice's own exposed Service (same name) is shared, else a new one */
        svc = render_find(ctx, "Service", ctx->component);
        if (!svc) {
            svc = render_trait_output_new(ctx, "gateway", "service", "v1", "Service",
                                          ctx->component);
            json_object_set_new(svc, "spec",
                                json_pack("{s:{s:s},s:[]}", "selector", "app.oam.dev/component",
                                          ctx->component, "ports"));
            json_array_append_new(ctx->objects, svc);
        }
    }
    json_t *paths = json_array();
    json_object_foreach(http, route, port) {
        if (svc)
            gateway_service_port(svc, json_integer_value(port));
        json_array_append_new(paths,
                              json_pack("{s:s,s:s,s:{s:{s:s,s:{s:I}}}}", "path", route, "pathType",
                                        path_type ? path_type : "ImplementationSpecific", "backend",
                                        "service", "name", existing ? existing : ctx->component,
                                        "port", "number", json_integer_value(port)));
    }
    json_t *ing = render_trait_output_new(ctx, "gateway", "ingress", "networking.k8s.io/v1",
                                          "Ingress", ctx->component);
    json_t *meta = json_object_get(ing, "metadata");
    json_t *spec = json_object();
    json_t *rule = json_object();
    json_t *ann = json_object();
    json_t *labels = json_object_get(props, "labels");
    if (json_is_object(labels))
        json_object_update(json_object_get(meta, "labels"), labels);
    if (!json_is_true(json_object_get(props, "classInSpec")))
        json_object_set_new(ann, "kubernetes.io/ingress.class", json_string(cls ? cls : "nginx"));
    if (host)
        json_object_set_new(ann, "ingress.controller/host", json_string(host));
    if (json_is_object(json_object_get(props, "annotations")))
        json_object_update(ann, json_object_get(props, "annotations"));
    if (json_object_size(ann))
        json_object_set_new(meta, "annotations", ann);
    else
        json_decref(ann);
    if (domain)
        json_object_set_new(rule, "host", json_string(domain));
    json_object_set_new(rule, "http", json_pack("{s:o}", "paths", paths));
    if (json_is_true(json_object_get(props, "classInSpec")))
        json_object_set_new(spec, "ingressClassName", json_string(cls ? cls : "nginx"));
    if (secret)
        json_object_set_new(spec, "tls",
                            json_pack("[{s:[s],s:s}]", "hosts", domain, "secretName", secret));
    json_object_set_new(spec, "rules", json_pack("[o]", rule));
    json_object_set_new(ing, "spec", spec);
    json_array_append_new(ctx->objects, ing);
    return 0;
}

/* KubeVela's gateway status: the Ingress exists; the message gives the host and the load
 * balancer's address, or how to reach the application without one. */
static void gateway_health(const json_t *props, const json_t *live, health *h)
{
    json_t *ing = json_object_get(json_object_get(json_object_get(live, "status"), "loadBalancer"),
                                  "ingress");
    json_t *first = json_array_get(ing, 0);
    const char *ip = json_string_value(json_object_get(first, "ip"));
    const char *host = json_string_value(json_object_get(
        json_array_get(json_object_get(json_object_get(live, "spec"), "rules"), 0), "host"));
    const char *app = json_string_value(json_object_get(
        json_object_get(json_object_get(live, "metadata"), "labels"), "app.oam.dev/name"));
    (void)props;

    h->healthy = live != NULL;
    if (!live)
        snprintf(h->msg, sizeof(h->msg), "Ingress not found");
    else if (!first)
        snprintf(h->msg, sizeof(h->msg),
                 "No loadBalancer found, visiting by using 'vela port-forward %s'", app ? app : "");
    else if (ip && host)
        snprintf(h->msg, sizeof(h->msg), "Visiting URL: %s, IP: %s", host, ip);
    else if (ip)
        snprintf(h->msg, sizeof(h->msg),
                 "Host not specified, visit the cluster or load balancer in front of the "
                 "cluster, IP: %s",
                 ip);
    else if (host)
        snprintf(h->msg, sizeof(h->msg), "Visiting URL: %s", host);
    else
        snprintf(h->msg, sizeof(h->msg),
                 "Host not specified, visit the cluster or load balancer in front of the "
                 "cluster");
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

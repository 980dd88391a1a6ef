/* pure-ingress (deprecated in KubeVela): an Ingress (output "ingress") for host `domain` with
 * one path per `http` entry, pointing at a Service named after the component that the trait
 * does not create; networking.k8s.io/v1beta1, as KubeVela renders it (docs/application.md).
 * Healthy when the Ingress exists; the message says where to visit it. */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/render_util.h"
#include "model/traits/traits.h"

static const prop_spec pure_ingress_props[] = {
    {"domain", PROP_STRING, PROP_REQUIRED, NULL, NULL, 0, 0, "the host to expose", NULL},
    {"http", PROP_INT_MAP, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 1, 65535,
     "http path to the component's port", NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, NULL, NULL},
};

static int pure_ingress_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    const char *domain = json_string_value(json_object_get(props, "domain"));
    json_t *paths = json_array();
    const char *route;
    json_t *port;

    json_object_foreach(json_object_get(props, "http"), route, port) {
        json_array_append_new(paths, json_pack("{s:s,s:{s:s,s:O}}", "path", route, "backend",
                                               "serviceName", ctx->component, "servicePort", port));
    }
    json_t *ing = render_trait_output_new(ctx, "pure-ingress", "ingress",
                                          "networking.k8s.io/v1beta1", "Ingress", ctx->component);
    json_object_set_new(ing, "spec",
                        json_pack("{s:[{s:s,s:{s:o}}]}", "rules", "host", domain ? domain : "",
                                  "http", "paths", paths));
    json_array_append_new(ctx->objects, ing);
    (void)path;
    (void)e;
    return 0;
}

/* KubeVela's custom status, without its trailing newline: the host and the load balancer's
 * IP, or how to reach the application before the load balancer answers. */
static void pure_ingress_health(const json_t *props, const json_t *live, health *h)
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
    h->msg[0] = '\0';
    if (!live)
        snprintf(h->msg, sizeof(h->msg), "Ingress not found");
    else if (!ing)
        snprintf(h->msg, sizeof(h->msg),
                 "No loadBalancer found, visiting by using 'vela port-forward %s --route'",
                 app ? app : "");
    else if (first && ip)
        snprintf(h->msg, sizeof(h->msg), "Visiting URL: %s, IP: %s", host ? host : "", ip);
    else if (first)
        snprintf(h->msg, sizeof(h->msg), "Visiting URL: %s", host ? host : "");
}

const trait_def trait_pure_ingress = {
    .type = "pure-ingress",
    .props = pure_ingress_props,
    .applies_to = NULL, /* every type */
    .apply = pure_ingress_apply,
    .health_kind = "Ingress",
    .health_api_version = "networking.k8s.io/v1beta1",
    .health = pure_ingress_health,
    .description = "Enable public web traffic for the component without creating a Service.",
};

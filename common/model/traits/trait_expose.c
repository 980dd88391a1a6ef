/* expose: a Service named after the component in front of its pods (docs/application.md).
 * A LoadBalancer Service is healthy once it has an external IP; the others always are, a
 * ClusterIP one with its cluster IP as the message. */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const char *const expose_protocols[] = {"TCP", "UDP", "SCTP", NULL};
static const char *const expose_types[] = {"ClusterIP", "NodePort", "LoadBalancer", "ExternalName",
                                           NULL};

static const prop_spec expose_port_fields[] = {
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {"name", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"protocol", PROP_STRING, 0, NULL, expose_protocols, 0, 0},
    {"nodePort", PROP_INT, 0, NULL, NULL, 1, 65535},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec expose_props[] = {
    {"port", PROP_LIST, 0, NULL, NULL, 0, 0},
    {"ports", PROP_LIST, 0, expose_port_fields, NULL, 0, 0},
    {"annotations", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {"matchLabels", PROP_STRING_MAP, 0, NULL, NULL, 0, 0},
    {"type", PROP_STRING, 0, NULL, expose_types, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const expose_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS, NULL};

static int expose_check(const json_t *props, const char *path, verr *e)
{
    char at[512], item[512];
    json_t *ports = json_object_get(props, "ports");
    json_t *port = json_object_get(props, "port");
    json_t *p;
    size_t i;

    if (prop_check(props, expose_props, path, true, e) < 0)
        return -1;
    /* the deprecated `port` is a list of port numbers */
    ydoc_path_key(at, sizeof(at), path, "port");
    json_array_foreach(port, i, p) {
        if (json_is_integer(p) && json_integer_value(p) >= 1 && json_integer_value(p) <= 65535)
            continue;
        ydoc_path_index(item, sizeof(item), at, i);
        return verr_set(e, item, "expected a port number (1 to 65535), got %s",
                        prop_json_type_name(p));
    }
    if (json_array_size(ports) == 0 && json_array_size(port) == 0) {
        ydoc_path_key(at, sizeof(at), path, "ports");
        return verr_set(e, at,
                        "a Service needs at least one port; set \"ports\" (e.g. "
                        "ports: [{port: 80}])");
    }
    return 0;
}

/* One Service port from a `ports` entry: named port-<n>, plus -<protocol> when not TCP. */
static json_t *expose_port(const json_t *p, const char *type)
{
    json_int_t n = json_integer_value(json_object_get(p, "port"));
    const char *proto = json_string_value(json_object_get(p, "protocol"));
    json_t *out = json_pack("{s:I,s:I}", "port", n, "targetPort", n);
    char name[48];

    if (!proto)
        proto = "TCP";
    if (json_is_string(json_object_get(p, "name"))) {
        patch_copy(out, "name", p, "name");
    } else {
        int len = snprintf(name, sizeof(name), "port-%lld", (long long)n);
        if (strcmp(proto, "TCP") != 0) {
            snprintf(name + len, sizeof(name) - (size_t)len, "-%s", proto);
            for (char *c = name + len; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c - 'A' + 'a');
        }
        json_object_set_new(out, "name", json_string(name));
    }
    if (strcmp(type, "NodePort") == 0)
        patch_copy(out, "nodePort", p, "nodePort");
    json_object_set_new(out, "protocol", json_string(proto));
    return out;
}

static int expose_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    const char *type = json_string_value(json_object_get(props, "type"));
    json_t *match = json_object_get(props, "matchLabels");
    json_t *ann = json_object_get(props, "annotations");
    json_t *ports = json_object_get(props, "ports");
    json_t *out = json_array();
    json_t *p;
    size_t i;
    char name[32];

    if (!type)
        type = "ClusterIP";
    if (json_is_array(ports)) {
        json_array_foreach(ports, i, p) {
            json_array_append_new(out, expose_port(p, type));
        }
    } else {
        json_array_foreach(json_object_get(props, "port"), i, p) {
            snprintf(name, sizeof(name), "port-%lld", (long long)json_integer_value(p));
            json_array_append_new(out, json_pack("{s:s,s:O,s:O}", "name", name, "port", p,
                                                 "targetPort", p));
        }
    }
    json_t *svc = render_trait_output_new(ctx, "expose", "service", "v1", "Service",
                                          ctx->component);
    if (json_object_size(ann))
        json_object_set(json_object_get(svc, "metadata"), "annotations", ann);
    json_t *spec = json_object();
    if (json_is_object(match))
        json_object_set(spec, "selector", match);
    else
        json_object_set_new(spec, "selector",
                            json_pack("{s:s}", "app.oam.dev/component", ctx->component));
    json_object_set_new(spec, "ports", out);
    json_object_set_new(spec, "type", json_string(type));
    json_object_set_new(svc, "spec", spec);

    /* the webservice's own exposed Service has the same name: the trait's takes its place */
    json_t *old = render_find(ctx, "Service", ctx->component);
    json_t *o;
    json_array_foreach(ctx->objects, i, o) {
        if (o == old) {
            json_array_set_new(ctx->objects, i, svc);
            return 0;
        }
    }
    json_array_append_new(ctx->objects, svc);
    (void)path;
    (void)e;
    return 0;
}

static void expose_health(const json_t *props, const json_t *live, health *h)
{
    json_t *spec = json_object_get(live, "spec");
    const char *type = json_string_value(json_object_get(spec, "type"));
    json_t *ing = json_object_get(json_object_get(json_object_get(live, "status"), "loadBalancer"),
                                  "ingress");
    const char *ip = json_string_value(json_object_get(json_array_get(ing, 0), "ip"));

    (void)props;
    h->healthy = live != NULL;
    h->msg[0] = '\0';
    if (!live) {
        snprintf(h->msg, sizeof(h->msg), "Service not found");
    } else if (type && strcmp(type, "ClusterIP") == 0) {
        const char *cip = json_string_value(json_object_get(spec, "clusterIP"));
        snprintf(h->msg, sizeof(h->msg), "ClusterIP: %s", cip ? cip : "");
    } else if (type && strcmp(type, "LoadBalancer") == 0) {
        h->healthy = ip != NULL;
        snprintf(h->msg, sizeof(h->msg), "ExternalIP: %s", ip ? ip : "Pending");
    }
}

const trait_def trait_expose = {
    .type = "expose",
    .props = expose_props,
    .applies_to = expose_applies_to,
    .apply = expose_apply,
    .check = expose_check,
    .health_kind = "Service",
    .health_api_version = "v1",
    .health = expose_health,
};

/* webservice: a long-running, scalable service. A Deployment, and a Service (KubeVela's
 * auxiliary output "webserviceExpose") when some ports[].expose is true
 * (docs/application.md). */
#include <ctype.h>
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
    {"containerPort", PROP_INT, 0, NULL, NULL, 1, 65535},
    {"name", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"protocol", PROP_STRING, 0, NULL, webservice_protocols, 0, 0},
    {"expose", PROP_BOOL, 0, NULL, NULL, 0, 0},
    {"nodePort", PROP_INT, 0, NULL, NULL, 1, 65535},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec webservice_props[] = {
    RENDER_CONTAINER_PROPS,
    {"port", PROP_INT, 0, NULL, NULL, 1, 65535},
    {"ports", PROP_LIST, 0, webservice_port_fields, NULL, 0, 0},
    {"exposeType", PROP_STRING, 0, NULL, webservice_expose_types, 0, 0},
    {"addRevisionLabel", PROP_BOOL, 0, NULL, NULL, 0, 0},
    {"imagePullSecrets", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"volumeMounts", PROP_OBJECT, 0, render_volume_mounts_fields, NULL, 0, 0},
    {"volumes", PROP_LIST, 0, render_volumes_fields, NULL, 0, 0},
    {"livenessProbe", PROP_OBJECT, 0, render_probe_fields, NULL, 0, 0},
    {"readinessProbe", PROP_OBJECT, 0, render_probe_fields, NULL, 0, 0},
    {"hostAliases", PROP_LIST, 0, render_host_aliases_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

/* A port's name when ports[] gives none: "port-<containerPort>", plus "-<protocol>" in
 * lowercase when the protocol is not TCP. */
static void webservice_port_name(const json_t *p, char *out, size_t n)
{
    json_t *cport = json_object_get(p, "containerPort");
    json_t *port = json_is_integer(cport) ? cport : json_object_get(p, "port");
    const char *proto = json_string_value(json_object_get(p, "protocol"));
    const char *name = json_string_value(json_object_get(p, "name"));
    char lower[8] = "";
    if (name) {
        snprintf(out, n, "%s", name);
        return;
    }
    for (size_t i = 0; proto && proto[i] && i + 1 < sizeof(lower); i++) {
        lower[i] = (char)tolower((unsigned char)proto[i]);
        lower[i + 1] = '\0';
    }
    snprintf(out, n, "port-%lld%s%s", (long long)json_integer_value(port),
             proto && strcmp(proto, "TCP") != 0 ? "-" : "",
             proto && strcmp(proto, "TCP") != 0 ? lower : "");
}

static int webservice_render(const json_t *props, render_ctx *ctx, verr *e)
{
    json_t *container = render_container_new(ctx, props);
    json_t *ports = json_object_get(props, "ports");
    json_t *port = json_object_get(props, "port");
    const char *type = json_string_value(json_object_get(props, "exposeType"));
    json_t *cports = json_array();
    json_t *sports = json_array();
    size_t i;
    json_t *p;
    char name[96];

    if (!type)
        type = "ClusterIP";
    if (json_is_array(ports)) {
        json_array_foreach(ports, i, p) {
            json_t *n = json_object_get(p, "port");
            json_t *cport = json_object_get(p, "containerPort");
            const char *proto = json_string_value(json_object_get(p, "protocol"));
            if (!json_is_integer(cport))
                cport = n;
            if (!proto)
                proto = "TCP";
            webservice_port_name(p, name, sizeof(name));
            json_array_append_new(cports, json_pack("{s:O,s:s,s:s}", "containerPort", cport, "name",
                                                    name, "protocol", proto));
            if (!json_is_true(json_object_get(p, "expose")))
                continue;
            json_t *sp = json_pack("{s:s,s:O,s:O}", "name", name, "port", n, "targetPort", cport);
            if (json_is_integer(json_object_get(p, "nodePort")) && strcmp(type, "NodePort") == 0)
                json_object_set(sp, "nodePort", json_object_get(p, "nodePort"));
            json_object_set_new(sp, "protocol", json_string(proto));
            json_array_append_new(sports, sp);
        }
    } else if (json_is_integer(port)) {
        json_array_append_new(cports, json_pack("{s:O}", "containerPort", port));
    }
    if (json_array_size(cports))
        json_object_set(container, "ports", cports);
    json_decref(cports);
    json_t *d = render_deployment_new(ctx, props, container);
    json_t *tmpl = json_object_get(json_object_get(d, "spec"), "template");
    if (json_is_true(json_object_get(props, "addRevisionLabel"))) {
        /* context.revision, the component's revision: named after the app's here */
        char rev[160];
        const char *v = strrchr(ctx->app_revision ? ctx->app_revision : "", '-');
        snprintf(rev, sizeof(rev), "%s%s", ctx->component, v ? v : "-v1");
        json_object_set_new(json_object_get(json_object_get(tmpl, "metadata"), "labels"),
                            "app.oam.dev/revision", json_string(rev));
    }
    json_array_append_new(ctx->objects, d);
    if (render_pod_extras(ctx, tmpl, props,
                          RENDER_VOLUME_MOUNTS | RENDER_PROBES | RENDER_PROBE_SCHEME |
                              RENDER_HOST_ALIASES,
                          e) < 0) {
        json_decref(sports);
        return -1;
    }

    if (json_array_size(sports)) {
        json_t *svc = render_trait_output_new(ctx, "AuxiliaryWorkload", "webserviceExpose", "v1",
                                              "Service", ctx->component);
        json_object_set_new(svc, "spec",
                            json_pack("{s:{s:s},s:o,s:s}", "selector", "app.oam.dev/component",
                                      ctx->component, "ports", sports, "type", type));
        json_array_append_new(ctx->objects, svc);
    } else {
        json_decref(sports);
    }
    return 0;
}

/* KubeVela's webservice health, plus its app.oam.dev/disable-health-check annotation. */
static void webservice_health(const json_t *live, health *h)
{
    render_deployment_health(live, h);
    json_t *ann = json_object_get(json_object_get(live, "metadata"), "annotations");
    if (json_object_get(ann, "app.oam.dev/disable-health-check"))
        h->healthy = true;
}

const component_def component_webservice = {
    .type = "webservice",
    .props = webservice_props,
    .workload_api_version = "apps/v1",
    .workload_kind = "Deployment",
    .render = webservice_render,
    .health = webservice_health,
};

/* daemon: one pod per node. A DaemonSet, and a Service when some ports[].expose is true, as
 * KubeVela v1.9's daemon definition renders them (docs/application.md lists what is left out:
 * volumes, probes, hostAliases, addRevisionLabel). */
#include <stdio.h>

#include "model/components/components.h"
#include "model/definitions.h"
#include "model/render_util.h"

static const char *const daemon_protocols[] = {"TCP", "UDP", "SCTP", NULL};
static const char *const daemon_expose_types[] = {"ClusterIP", "NodePort", "LoadBalancer",
                                                  "ExternalName", NULL};

static const prop_spec daemon_port_fields[] = {
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535, "Port number on the pod's IP address"},
    {"name", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0, "Name of the port", "port-<port>"},
    {"protocol", PROP_STRING, 0, NULL, daemon_protocols, 0, 0, "Protocol of the port", "TCP"},
    {"expose", PROP_BOOL, 0, NULL, NULL, 0, 0, "Whether a Service exposes the port", "false"},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec daemon_props[] = {
    {"labels", PROP_STRING_MAP, 0, NULL, NULL, 0, 0, "Labels added to the pods"},
    {"annotations", PROP_STRING_MAP, 0, NULL, NULL, 0, 0, "Annotations added to the pods"},
    {"image", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0,
     "Container image to run"},
    {"imagePullPolicy", PROP_STRING, 0, NULL, render_pull_policies, 0, 0,
     "When the image is pulled"},
    {"imagePullSecrets", PROP_STRING_LIST, 0, NULL, NULL, 0, 0,
     "Names of Secrets holding credentials for the image registry"},
    {"port", PROP_INT, 0, NULL, NULL, 1, 65535, "One container port (deprecated: use ports)"},
    {"ports", PROP_LIST, 0, daemon_port_fields, NULL, 0, 0, "Ports the container listens on"},
    {"exposeType", PROP_STRING, 0, NULL, daemon_expose_types, 0, 0,
     "Type of the Service of exposed ports", "ClusterIP"},
    {"cmd", PROP_STRING_LIST, 0, NULL, NULL, 0, 0, "Command run in the container"},
    {"env", PROP_LIST, 0, render_env_fields, NULL, 0, 0, "Environment variables of the container"},
    {"cpu", PROP_QUANTITY, 0, NULL, NULL, 0, 0,
     "CPU request and limit, like 0.5 (half a core) or \"500m\""},
    {"memory", PROP_QUANTITY, 0, NULL, NULL, 0, 0, "Memory request and limit, like \"256Mi\""},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

/* The Service port name KubeVela gives a port without one. */
static json_t *daemon_port_name(const json_t *p)
{
    json_t *name = json_object_get(p, "name");
    char def[32];
    if (json_is_string(name))
        return json_incref(name);
    snprintf(def, sizeof(def), "port-%lld",
             (long long)json_integer_value(json_object_get(p, "port")));
    return json_string(def);
}

static int daemon_render(const json_t *props, render_ctx *ctx, verr *e)
{
    json_t *ds = render_workload_new(ctx, "apps/v1", "DaemonSet", ctx->component);
    json_t *container = render_container_new(ctx, props);
    json_t *ports = json_object_get(props, "ports");
    json_t *port = json_object_get(props, "port");
    json_t *secrets = json_object_get(props, "imagePullSecrets");
    json_t *cports = json_array(), *sports = json_array();
    size_t i;
    json_t *p;

    if (json_is_array(ports)) {
        json_array_foreach(ports, i, p) {
            json_t *n = json_object_get(p, "port");
            json_t *proto = json_object_get(p, "protocol");
            json_t *name = daemon_port_name(p);
            json_array_append_new(
                cports, json_pack("{s:O,s:O,s:o}", "containerPort", n, "name", name, "protocol",
                                  proto ? json_incref(proto) : json_string("TCP")));
            if (json_is_true(json_object_get(p, "expose")))
                json_array_append_new(sports, json_pack("{s:O,s:O,s:O}", "name", name, "port", n,
                                                        "targetPort", n));
            json_decref(name);
        }
    } else if (json_is_integer(port)) {
        /* the deprecated single port: a bare containerPort, as KubeVela renders it */
        json_array_append_new(cports, json_pack("{s:O}", "containerPort", port));
    }
    if (json_array_size(cports))
        json_object_set(container, "ports", cports);
    json_decref(cports);

    json_t *tmpl = render_pod_template_new(ctx, props, container);
    render_pull_secrets(json_object_get(tmpl, "spec"), secrets);
    json_object_set_new(ds, "spec", render_selector_spec(ctx, tmpl));
    json_array_append_new(ctx->objects, ds);
    /* "webserviceExpose" is the output's name in KubeVela's daemon definition */
    render_expose_service(ctx, "webserviceExpose", props, sports);
    (void)e;
    return 0;
}

/* KubeVela's healthPolicy: desired = ready = updated = current scheduled pods and the
 * controller has seen the latest generation; missing counts are 0. */
static void daemon_health(const json_t *live, health *h)
{
    h->healthy = false;
    if (!live) {
        snprintf(h->msg, sizeof(h->msg), "DaemonSet not found");
        return;
    }
    long long desired = render_int_at(live, "status.desiredNumberScheduled");
    long long ready = render_int_at(live, "status.numberReady");
    long long current = render_int_at(live, "status.currentNumberScheduled");
    long long updated = render_int_at(live, "status.updatedNumberScheduled");
    long long observed = render_int_at(live, "status.observedGeneration");
    long long generation = render_int_at(live, "metadata.generation");
    h->healthy = desired == ready && desired == updated && desired == current &&
                 observed >= generation;
    snprintf(h->msg, sizeof(h->msg), "Ready:%lld/%lld", ready, desired);
}

const component_def component_daemon = {
    .type = "daemon",
    .props = daemon_props,
    .workload_api_version = "apps/v1",
    .workload_kind = "DaemonSet",
    .render = daemon_render,
    .health = daemon_health,
    .description = "A DaemonSet: one pod of the image on every node.",
};

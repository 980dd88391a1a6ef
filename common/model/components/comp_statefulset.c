/* statefulset: pods with stable identities (databases). A StatefulSet, and a Service when
 * some ports[].expose is true. KubeVela ships this type from v1.10.3 on (not in v1.9); this
 * follows that definition (docs/application.md lists what is left out). */
#include <stdio.h>
#include <string.h>

#include "model/components/components.h"
#include "model/definitions.h"
#include "model/render_util.h"

static const char *const sts_protocols[] = {"TCP", "UDP", "SCTP", NULL};
static const char *const sts_expose_types[] = {"ClusterIP", "NodePort", "LoadBalancer", NULL};

static const prop_spec sts_port_fields[] = {
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535, "Port number the Service listens on"},
    {"containerPort", PROP_INT, 0, NULL, NULL, 1, 65535, "Port number on the pod's IP address",
     "port"},
    {"name", PROP_STRING, PROP_NONEMPTY, NULL, NULL, 0, 0, "Name of the port",
     "port-<containerPort>[-<protocol>]"},
    {"protocol", PROP_STRING, 0, NULL, sts_protocols, 0, 0, "Protocol of the port", "TCP"},
    {"expose", PROP_BOOL, 0, NULL, NULL, 0, 0, "Whether a Service exposes the port", "false"},
    {"nodePort", PROP_INT, 0, NULL, NULL, 1, 65535,
     "Node port of the Service, when exposeType is NodePort"},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec sts_props[] = {
    {"labels", PROP_STRING_MAP, 0, NULL, NULL, 0, 0, "Labels added to the pods"},
    {"annotations", PROP_STRING_MAP, 0, NULL, NULL, 0, 0, "Annotations added to the pods"},
    {"image", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0,
     "Container image to run"},
    {"imagePullPolicy", PROP_STRING, 0, NULL, render_pull_policies, 0, 0,
     "When the image is pulled"},
    {"imagePullSecrets", PROP_STRING_LIST, 0, NULL, NULL, 0, 0,
     "Names of Secrets holding credentials for the image registry"},
    {"port", PROP_INT, 0, NULL, NULL, 1, 65535, "One container port (deprecated: use ports)"},
    {"ports", PROP_LIST, 0, sts_port_fields, NULL, 0, 0, "Ports the container listens on"},
    {"exposeType", PROP_STRING, 0, NULL, sts_expose_types, 0, 0,
     "Type of the Service of exposed ports", "ClusterIP"},
    {"cmd", PROP_STRING_LIST, 0, NULL, NULL, 0, 0, "Command run in the container"},
    {"args", PROP_STRING_LIST, 0, NULL, NULL, 0, 0, "Arguments of the command"},
    {"env", PROP_LIST, 0, render_env_fields, NULL, 0, 0, "Environment variables of the container"},
    {"cpu", PROP_QUANTITY, 0, NULL, NULL, 0, 0,
     "CPU request and limit, like 0.5 (half a core) or \"500m\""},
    {"memory", PROP_QUANTITY, 0, NULL, NULL, 0, 0, "Memory request and limit, like \"256Mi\""},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

/* A port's name: its own, or "port-<containerPort>" with "-udp"/"-sctp" for other protocols
 * than TCP, as KubeVela names it. */
static json_t *sts_port_name(const json_t *p, json_int_t cport, const char *proto)
{
    json_t *name = json_object_get(p, "name");
    char def[48];
    if (json_is_string(name))
        return json_incref(name);
    if (strcmp(proto, "UDP") == 0 || strcmp(proto, "SCTP") == 0)
        snprintf(def, sizeof(def), "port-%lld-%s", (long long)cport,
                 proto[0] == 'U' ? "udp" : "sctp");
    else
        snprintf(def, sizeof(def), "port-%lld", (long long)cport);
    return json_string(def);
}

static void sts_ports(const json_t *props, json_t *container, json_t *sports)
{
    json_t *ports = json_object_get(props, "ports");
    json_t *port = json_object_get(props, "port");
    const char *expose_type = json_string_value(json_object_get(props, "exposeType"));
    json_t *cports = json_array();
    size_t i;
    json_t *p;

    if (json_is_array(ports)) {
        json_array_foreach(ports, i, p) {
            json_int_t n = json_integer_value(json_object_get(p, "port"));
            json_t *cp = json_object_get(p, "containerPort");
            json_int_t cn = json_is_integer(cp) ? json_integer_value(cp) : n;
            const char *proto = json_string_value(json_object_get(p, "protocol"));
            json_t *node_port = json_object_get(p, "nodePort");
            proto = proto ? proto : "TCP";
            json_t *name = sts_port_name(p, cn, proto);
            json_array_append_new(cports, json_pack("{s:I,s:O,s:s}", "containerPort", cn, "name",
                                                    name, "protocol", proto));
            if (json_is_true(json_object_get(p, "expose"))) {
                json_t *sp = json_pack("{s:O,s:I,s:I,s:s}", "name", name, "port", n, "targetPort",
                                       cn, "protocol", proto);
                if (json_is_integer(node_port) && expose_type &&
                    strcmp(expose_type, "NodePort") == 0)
                    json_object_set(sp, "nodePort", node_port);
                json_array_append_new(sports, sp);
            }
            json_decref(name);
        }
    } else if (json_is_integer(port)) {
        json_array_append_new(cports, json_pack("{s:O}", "containerPort", port));
    }
    if (json_array_size(cports))
        json_object_set(container, "ports", cports);
    json_decref(cports);
}

static int sts_render(const json_t *props, render_ctx *ctx, verr *e)
{
    json_t *sts = render_workload_new(ctx, "apps/v1", "StatefulSet", ctx->component);
    json_t *container = render_container_new(ctx, props);
    json_t *secrets = json_object_get(props, "imagePullSecrets");
    json_t *sports = json_array();

    sts_ports(props, container, sports);
    json_t *tmpl = render_pod_template_new(ctx, props, container);
    render_pull_secrets(json_object_get(tmpl, "spec"), secrets);
    /* no serviceName and no headless Service: KubeVela's definition renders neither */
    json_object_set_new(sts, "spec", render_selector_spec(ctx, tmpl));
    json_array_append_new(ctx->objects, sts);
    /* "statefulsetsExpose" is the output's name in KubeVela's definition */
    render_expose_service(ctx, "statefulsetsExpose", props, sports);
    (void)e;
    return 0;
}

/* KubeVela's healthPolicy: spec.replicas = ready = updated = current replicas and the latest
 * generation observed; missing status counts are 0 and a missing spec.replicas is 1 (what
 * the API server defaults it to). The annotation app.oam.dev/disable-health-check on the
 * StatefulSet makes it healthy whatever its status. */
static void sts_health(const json_t *live, health *h)
{
    h->healthy = false;
    if (!live) {
        snprintf(h->msg, sizeof(h->msg), "StatefulSet not found");
        return;
    }
    json_t *spec_replicas = json_object_get(json_object_get(live, "spec"), "replicas");
    long long want = json_is_integer(spec_replicas) ? json_integer_value(spec_replicas) : 1;
    long long ready = render_int_at(live, "status.readyReplicas");
    long long updated = render_int_at(live, "status.updatedReplicas");
    long long have = render_int_at(live, "status.replicas");
    long long observed = render_int_at(live, "status.observedGeneration");
    long long generation = render_int_at(live, "metadata.generation");
    json_t *ann = json_object_get(json_object_get(live, "metadata"), "annotations");
    h->healthy = (want == ready && want == updated && want == have && observed >= generation) ||
                 json_object_get(ann, "app.oam.dev/disable-health-check") != NULL;
    snprintf(h->msg, sizeof(h->msg), "Ready:%lld/%lld", ready, want);
}

const component_def component_statefulset = {
    .type = "statefulset",
    .props = sts_props,
    .workload_api_version = "apps/v1",
    .workload_kind = "StatefulSet",
    .render = sts_render,
    .health = sts_health,
    .description = "A StatefulSet: replicated pods with stable names, for stateful services "
                   "such as databases.",
};

/* The resource types kubesim serves, the defaults kube-apiserver fills in that clients look
 * at (deployment replicas and strategy, service clusterIP and type, job completions, ...), and
 * the validation that turns a bad object into a 422 with field causes. */
#include "resources.h"
#include "selector.h"

#include "base/base64.h"
#include "base/util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

const struct ks_resource ks_resources[RES_COUNT] = {
    [RES_NAMESPACE] = {"", "v1", "namespaces", "namespace", "Namespace", "ns", false, false, true},
    [RES_CONFIGMAP] = {"", "v1", "configmaps", "configmap", "ConfigMap", "cm", true, false, false},
    [RES_SECRET] = {"", "v1", "secrets", "secret", "Secret", "", true, false, false},
    [RES_SERVICE] = {"", "v1", "services", "service", "Service", "svc", true, false, true},
    [RES_DEPLOYMENT] = {"apps", "v1", "deployments", "deployment", "Deployment", "deploy", true,
                        true, true},
    [RES_JOB] = {"batch", "v1", "jobs", "job", "Job", "", true, true, true},
    [RES_INGRESS] = {"networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", "ing", true,
                     true, true},
};

const char *ks_res_api_version(enum ks_res r)
{
    static const char *const av[RES_COUNT] = {
        [RES_NAMESPACE] = "v1",
        [RES_CONFIGMAP] = "v1",
        [RES_SECRET] = "v1",
        [RES_SERVICE] = "v1",
        [RES_DEPLOYMENT] = "apps/v1",
        [RES_JOB] = "batch/v1",
        [RES_INGRESS] = "networking.k8s.io/v1",
    };
    return av[r];
}

void ks_res_qualified(enum ks_res r, char *out, size_t len)
{
    const struct ks_resource *res = &ks_resources[r];
    snprintf(out, len, "%s%s%s", res->plural, *res->group ? "." : "", res->group);
}

int ks_res_find(const char *group, const char *version, const char *plural)
{
    for (int r = 0; r < RES_COUNT; r++) {
        const struct ks_resource *res = &ks_resources[r];
        if (strcmp(res->group, group) == 0 && strcmp(res->version, version) == 0 &&
            strcmp(res->plural, plural) == 0)
            return r;
    }
    return -1;
}

void ks_res_lb_ip(const struct ks_cluster *cl, uint32_t n, char *out, size_t len)
{
    /* 172.16.0.0/12 split into one /24 per cluster: 172.(16 + i/256).(i%256).n */
    snprintf(out, len, "172.%d.%d.%u", 16 + (cl->index / 256) % 16, cl->index % 256,
             (unsigned)(n % 254 + 1));
}

/* ---- defaults ---- */

static json_t *obj_child(json_t *o, const char *key)
{
    json_t *c = json_object_get(o, key);
    if (!json_is_object(c)) {
        c = json_object();
        json_object_set_new(o, key, c);
    }
    return c;
}

static void set_default(json_t *o, const char *key, json_t *v)
{
    if (!json_object_get(o, key))
        json_object_set_new(o, key, v);
    else
        json_decref(v);
}

static void default_pod_spec(json_t *tmpl, const char *restart)
{
    json_t *spec = obj_child(tmpl, "spec");
    obj_child(tmpl, "metadata");
    set_default(spec, "restartPolicy", json_string(restart));
    set_default(spec, "terminationGracePeriodSeconds", json_integer(30));
    set_default(spec, "dnsPolicy", json_string("ClusterFirst"));
    set_default(spec, "securityContext", json_object());
    set_default(spec, "schedulerName", json_string("default-scheduler"));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(spec, "containers"), i, c) {
        if (!json_is_object(c))
            continue;
        const char *image = json_string_value(json_object_get(c, "image"));
        bool latest = !image || !strchr(strrchr(image, '/') ? strrchr(image, '/') : image, ':') ||
                      (strlen(image) > 7 && strcmp(image + strlen(image) - 7, ":latest") == 0);
        if (image && strchr(image, '@'))
            latest = false;
        set_default(c, "imagePullPolicy", json_string(latest ? "Always" : "IfNotPresent"));
        set_default(c, "terminationMessagePath", json_string("/dev/termination-log"));
        set_default(c, "terminationMessagePolicy", json_string("File"));
        set_default(c, "resources", json_object());
        size_t j;
        json_t *p;
        json_array_foreach(json_object_get(c, "ports"), j, p) {
            if (json_is_object(p))
                set_default(p, "protocol", json_string("TCP"));
        }
    }
}

static void default_service(struct ks_cluster *cl, json_t *obj, json_t *old)
{
    json_t *spec = obj_child(obj, "spec");
    set_default(spec, "type", json_string("ClusterIP"));
    const char *type = json_string_value(json_object_get(spec, "type"));
    json_t *ospec = json_object_get(old, "spec");
    if (ospec && json_object_get(ospec, "clusterIP") && !json_object_get(spec, "clusterIP")) {
        json_object_set(spec, "clusterIP", json_object_get(ospec, "clusterIP"));
        json_object_set(spec, "clusterIPs", json_object_get(ospec, "clusterIPs"));
    }
    if (type && strcmp(type, "ExternalName") != 0 && !json_object_get(spec, "clusterIP")) {
        char ip[32];
        uint32_t n = cl->next_service_ip++;
        json_t *meta = json_object_get(obj, "metadata");
        const char *sname = json_string_value(json_object_get(meta, "name"));
        bool kube = strcmp(sname ?: "", "kubernetes") == 0 && !old;
        if (kube) {
            snprintf(ip, sizeof(ip), "10.96.0.1");
            cl->next_service_ip--;
        } else {
            n += 10; /* 10.96.0.10 is where kube-dns would be */
            snprintf(ip, sizeof(ip), "10.96.%u.%u", (n >> 8) & 255, n & 255);
        }
        json_object_set_new(spec, "clusterIP", json_string(ip));
        json_object_set_new(spec, "clusterIPs", json_pack("[s]", ip));
    }
    if (json_is_string(json_object_get(spec, "clusterIP")) && !json_object_get(spec, "clusterIPs"))
        json_object_set_new(spec, "clusterIPs",
                            json_pack("[O]", json_object_get(spec, "clusterIP")));
    set_default(spec, "sessionAffinity", json_string("None"));
    if (type && strcmp(type, "ExternalName") != 0) {
        set_default(spec, "ipFamilies", json_pack("[s]", "IPv4"));
        set_default(spec, "ipFamilyPolicy", json_string("SingleStack"));
        set_default(spec, "internalTrafficPolicy", json_string("Cluster"));
    }
    bool node_ports = type && (strcmp(type, "NodePort") == 0 || strcmp(type, "LoadBalancer") == 0);
    if (node_ports)
        set_default(spec, "externalTrafficPolicy", json_string("Cluster"));
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(spec, "ports"), i, p) {
        if (!json_is_object(p))
            continue;
        set_default(p, "protocol", json_string("TCP"));
        if (!json_object_get(p, "targetPort") && json_object_get(p, "port"))
            json_object_set(p, "targetPort", json_object_get(p, "port"));
        if (node_ports && !json_object_get(p, "nodePort")) {
            /* keep the old node port of the same port number */
            json_t *op;
            size_t j;
            json_array_foreach(json_object_get(ospec, "ports"), j, op) {
                if (json_equal(json_object_get(op, "port"), json_object_get(p, "port")) &&
                    json_object_get(op, "nodePort")) {
                    json_object_set(p, "nodePort", json_object_get(op, "nodePort"));
                    break;
                }
            }
            if (!json_object_get(p, "nodePort"))
                json_object_set_new(p, "nodePort",
                                    json_integer(30000 + (cl->next_node_port++ % 2768)));
        }
    }
    if (!json_object_get(obj, "status"))
        json_object_set_new(obj, "status", json_pack("{s:{}}", "loadBalancer"));
}

static void default_deployment(json_t *obj)
{
    json_t *spec = obj_child(obj, "spec");
    set_default(spec, "replicas", json_integer(1));
    set_default(spec, "revisionHistoryLimit", json_integer(10));
    set_default(spec, "progressDeadlineSeconds", json_integer(600));
    json_t *strategy = obj_child(spec, "strategy");
    set_default(strategy, "type", json_string("RollingUpdate"));
    const char *st = json_string_value(json_object_get(strategy, "type"));
    if (st && strcmp(st, "RollingUpdate") == 0) {
        json_t *ru = obj_child(strategy, "rollingUpdate");
        set_default(ru, "maxUnavailable", json_string("25%"));
        set_default(ru, "maxSurge", json_string("25%"));
    }
    default_pod_spec(obj_child(spec, "template"), "Always");
    if (!json_object_get(obj, "status"))
        json_object_set_new(obj, "status", json_object());
}

static void default_job(json_t *obj, json_t *old)
{
    json_t *spec = obj_child(obj, "spec");
    json_t *meta = json_object_get(obj, "metadata");
    const char *uid = json_string_value(json_object_get(meta, "uid"));
    const char *name = json_string_value(json_object_get(meta, "name"));
    set_default(spec, "parallelism", json_integer(1));
    set_default(spec, "completions", json_integer(1));
    set_default(spec, "backoffLimit", json_integer(6));
    set_default(spec, "completionMode", json_string("NonIndexed"));
    set_default(spec, "suspend", json_false());
    set_default(spec, "manualSelector", json_false());
    json_object_del(spec, "manualSelector");
    json_t *tmpl = obj_child(spec, "template");
    json_t *labels = obj_child(obj_child(tmpl, "metadata"), "labels");
    if (uid && name && !old) {
        json_object_set_new(labels, "batch.kubernetes.io/controller-uid", json_string(uid));
        json_object_set_new(labels, "batch.kubernetes.io/job-name", json_string(name));
        json_object_set_new(labels, "controller-uid", json_string(uid));
        json_object_set_new(labels, "job-name", json_string(name));
        if (!json_object_get(spec, "selector"))
            json_object_set_new(spec, "selector",
                                json_pack("{s:{s:s}}", "matchLabels",
                                          "batch.kubernetes.io/controller-uid", uid));
    } else if (old) {
        /* the selector and generated labels are immutable */
        json_t *ospec = json_object_get(old, "spec");
        if (json_object_get(ospec, "selector"))
            json_object_set(spec, "selector", json_object_get(ospec, "selector"));
        json_t *olabels = json_object_get(
            json_object_get(json_object_get(ospec, "template"), "metadata"), "labels");
        const char *k;
        json_t *v;
        json_object_foreach(olabels, k, v) {
            if (strstr(k, "controller-uid") || strstr(k, "job-name"))
                json_object_set(labels, k, v);
        }
    }
    default_pod_spec(tmpl, "Never");
    if (!json_object_get(obj, "status"))
        json_object_set_new(obj, "status", json_object());
}

static void default_secret(json_t *obj)
{
    set_default(obj, "type", json_string("Opaque"));
    json_t *sd = json_object_get(obj, "stringData");
    if (json_is_object(sd)) {
        json_t *data = obj_child(obj, "data");
        const char *k;
        json_t *v;
        json_object_foreach(sd, k, v) {
            const char *s = json_string_value(v);
            if (!s)
                continue;
            char *out = base64_encode(s, strlen(s));
            json_object_set_new(data, k, json_string(out));
            free(out);
        }
        json_object_del(obj, "stringData");
    }
}

void ks_res_default(struct ks_cluster *cl, enum ks_res r, json_t *obj, json_t *old)
{
    json_t *meta = json_object_get(obj, "metadata");
    switch (r) {
    case RES_NAMESPACE: {
        const char *name = json_string_value(json_object_get(meta, "name"));
        json_t *labels = obj_child(meta, "labels");
        if (name)
            json_object_set_new(labels, "kubernetes.io/metadata.name", json_string(name));
        json_t *spec = obj_child(obj, "spec");
        set_default(spec, "finalizers", json_pack("[s]", "kubernetes"));
        if (!json_object_get(obj, "status"))
            json_object_set_new(obj, "status", json_pack("{s:s}", "phase", "Active"));
        break;
    }
    case RES_SERVICE: default_service(cl, obj, old); break;
    case RES_DEPLOYMENT: default_deployment(obj); break;
    case RES_JOB: default_job(obj, old); break;
    case RES_SECRET: default_secret(obj); break;
    case RES_INGRESS:
        obj_child(obj, "spec");
        if (!json_object_get(obj, "status"))
            json_object_set_new(obj, "status", json_pack("{s:{}}", "loadBalancer"));
        break;
    default: break;
    }
}

/* ---- validation ---- */

static void cause(json_t *causes, const char *reason, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void cause(json_t *causes, const char *reason, const char *field, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_array_append_new(causes, json_pack("{s:s,s:s,s:s}", "reason", reason, "message", msg,
                                            "field", field));
}

static bool is_subdomain(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-' || c == '.'))
            return false;
        if ((c == '-' || c == '.') && (i == 0 || i == n - 1))
            return false;
        if (c == '.' && (s[i - 1] == '.' || s[i - 1] == '-' || s[i + 1] == '-'))
            return false;
    }
    return true;
}

static const char subdomain_msg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
static const char label_msg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

static void validate_labels(json_t *causes, json_t *labels, const char *field)
{
    const char *k;
    json_t *v;
    json_object_foreach(labels, k, v) {
        if (!json_is_string(v)) {
            cause(causes, "FieldValueInvalid", field,
                  "Invalid value: non-string label value for \"%s\"", k);
            continue;
        }
        if (strlen(json_string_value(v)) > 63)
            cause(causes, "FieldValueInvalid", field,
                  "Invalid value: \"%s\": must be no more than 63 characters",
                  json_string_value(v));
    }
}

static void validate_containers(json_t *causes, json_t *podspec, const char *prefix)
{
    char field[200];
    json_t *cs = json_object_get(podspec, "containers");
    if (json_array_size(cs) == 0) {
        snprintf(field, sizeof(field), "%s.containers", prefix);
        cause(causes, "FieldValueRequired", field, "Required value");
        return;
    }
    size_t i;
    json_t *c;
    json_array_foreach(cs, i, c) {
        const char *name = json_string_value(json_object_get(c, "name"));
        if (!name || !*name) {
            snprintf(field, sizeof(field), "%s.containers[%zu].name", prefix, i);
            cause(causes, "FieldValueRequired", field, "Required value");
        } else if (!is_dns1123_label(name)) {
            snprintf(field, sizeof(field), "%s.containers[%zu].name", prefix, i);
            cause(causes, "FieldValueInvalid", field, "Invalid value: \"%s\": %s", name, label_msg);
        }
        const char *image = json_string_value(json_object_get(c, "image"));
        if (!image || !*image) {
            snprintf(field, sizeof(field), "%s.containers[%zu].image", prefix, i);
            cause(causes, "FieldValueRequired", field, "Required value");
        }
    }
}

/* matchLabels must be a subset of the template labels. */
static bool selector_matches_labels(json_t *selector, json_t *labels)
{
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(selector, "matchLabels"), k, v) {
        json_t *l = json_object_get(labels, k);
        if (!l || !json_equal(l, v))
            return false;
    }
    return ks_selector_match_expressions(json_object_get(selector, "matchExpressions"), labels);
}

json_t *ks_res_validate(enum ks_res r, json_t *obj)
{
    json_t *causes = json_array();
    json_t *meta = json_object_get(obj, "metadata");
    const char *name = json_string_value(json_object_get(meta, "name"));
    if (!name || !*name) {
        cause(causes, "FieldValueRequired", "metadata.name",
              "Required value: name or generateName is required");
    } else if (r == RES_NAMESPACE || r == RES_SERVICE) {
        if (!is_dns1123_label(name))
            cause(causes, "FieldValueInvalid", "metadata.name", "Invalid value: \"%s\": %s", name,
                  r == RES_SERVICE
                      ? "a DNS-1035 label must consist of lower case alphanumeric characters or "
                        "'-', start with an alphabetic character, and end with an alphanumeric "
                        "character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
                        "'[a-z]([-a-z0-9]*[a-z0-9])?')"
                      : label_msg);
    } else if (!is_subdomain(name)) {
        cause(causes, "FieldValueInvalid", "metadata.name", "Invalid value: \"%s\": %s", name,
              subdomain_msg);
    }
    json_t *labels = json_object_get(meta, "labels");
    if (labels && !json_is_object(labels))
        cause(causes, "FieldValueInvalid", "metadata.labels", "Invalid value: must be a map");
    else
        validate_labels(causes, labels, "metadata.labels");
    json_t *ann = json_object_get(meta, "annotations");
    if (ann && !json_is_object(ann))
        cause(causes, "FieldValueInvalid", "metadata.annotations", "Invalid value: must be a map");

    json_t *spec = json_object_get(obj, "spec");
    switch (r) {
    case RES_DEPLOYMENT: {
        json_t *sel = json_object_get(spec, "selector");
        json_t *tmpl = json_object_get(spec, "template");
        json_t *tlabels = json_object_get(json_object_get(tmpl, "metadata"), "labels");
        if (!json_is_object(sel) ||
            (json_object_size(json_object_get(sel, "matchLabels")) == 0 &&
             json_array_size(json_object_get(sel, "matchExpressions")) == 0)) {
            cause(causes, "FieldValueRequired", "spec.selector", "Required value");
        } else if (!selector_matches_labels(sel, tlabels)) {
            cause(causes, "FieldValueInvalid", "spec.template.metadata.labels",
                  "Invalid value: %s: `selector` does not match template `labels`",
                  "map[string]string{...}");
        }
        json_t *rep = json_object_get(spec, "replicas");
        if (rep && (!json_is_integer(rep) || json_integer_value(rep) < 0))
            cause(causes, "FieldValueInvalid", "spec.replicas",
                  "Invalid value: %lld: must be greater than or equal to 0",
                  (long long)json_integer_value(rep));
        validate_containers(causes, json_object_get(tmpl, "spec"), "spec.template.spec");
        break;
    }
    case RES_JOB: {
        json_t *tspec = json_object_get(json_object_get(spec, "template"), "spec");
        const char *rp = json_string_value(json_object_get(tspec, "restartPolicy"));
        if (!rp || (strcmp(rp, "Never") != 0 && strcmp(rp, "OnFailure") != 0))
            cause(causes, "FieldValueNotSupported", "spec.template.spec.restartPolicy",
                  "Unsupported value: \"%s\": supported values: \"OnFailure\", \"Never\"",
                  rp ? rp : "");
        validate_containers(causes, tspec, "spec.template.spec");
        break;
    }
    case RES_SERVICE: {
        const char *type = json_string_value(json_object_get(spec, "type"));
        if (type && strcmp(type, "ClusterIP") != 0 && strcmp(type, "NodePort") != 0 &&
            strcmp(type, "LoadBalancer") != 0 && strcmp(type, "ExternalName") != 0)
            cause(causes, "FieldValueNotSupported", "spec.type",
                  "Unsupported value: \"%s\": supported values: \"ClusterIP\", \"ExternalName\", "
                  "\"LoadBalancer\", \"NodePort\"",
                  type);
        if (type && strcmp(type, "ExternalName") != 0 &&
            json_array_size(json_object_get(spec, "ports")) == 0) {
            const char *cip = json_string_value(json_object_get(spec, "clusterIP"));
            if (!cip || strcmp(cip, "None") != 0)
                cause(causes, "FieldValueRequired", "spec.ports", "Required value");
        }
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(spec, "ports"), i, p) {
            json_int_t port = json_integer_value(json_object_get(p, "port"));
            if (port < 1 || port > 65535) {
                char field[64];
                snprintf(field, sizeof(field), "spec.ports[%zu].port", i);
                cause(causes, "FieldValueInvalid", field,
                      "Invalid value: %lld: must be between 1 and 65535, inclusive",
                      (long long)port);
            }
        }
        break;
    }
    case RES_CONFIGMAP:
    case RES_SECRET: {
        json_t *data = json_object_get(obj, "data");
        if (data && !json_is_object(data))
            cause(causes, "FieldValueInvalid", "data", "Invalid value: must be a map");
        break;
    }
    default: break;
    }
    if (json_array_size(causes) == 0) {
        json_decref(causes);
        return NULL;
    }
    return causes;
}

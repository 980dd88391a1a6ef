/* The kinds the Kubernetes client knows and their resource paths: a table keyed by API group
 * and kind (plural, namespaced or not), the path of an object or a collection, and an
 * object's identity read from its manifest. */
#include "kube/resource.h"

#include "base/util.h"

#include <stdio.h>
#include <string.h>

/* Kinds we render (and a few neighbours), keyed by API group and kind. */
static const struct kube_kind {
    const char *group; /* "" for the core group */
    const char *kind;
    const char *resource;
    int namespaced;
} kube_kinds[] = {
    {"", "Namespace", "namespaces", 0},
    {"", "Service", "services", 1},
    {"", "ConfigMap", "configmaps", 1},
    {"", "Secret", "secrets", 1},
    {"", "ServiceAccount", "serviceaccounts", 1},
    {"", "PersistentVolumeClaim", "persistentvolumeclaims", 1},
    {"", "Pod", "pods", 1},
    {"apps", "Deployment", "deployments", 1},
    {"apps", "StatefulSet", "statefulsets", 1},
    {"apps", "DaemonSet", "daemonsets", 1},
    {"apps", "ReplicaSet", "replicasets", 1},
    {"batch", "Job", "jobs", 1},
    {"batch", "CronJob", "cronjobs", 1},
    {"networking.k8s.io", "Ingress", "ingresses", 1},
    {"networking.k8s.io", "NetworkPolicy", "networkpolicies", 1},
    {"autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", 1},
    {"policy", "PodDisruptionBudget", "poddisruptionbudgets", 1},
    {"rbac.authorization.k8s.io", "Role", "roles", 1},
    {"rbac.authorization.k8s.io", "RoleBinding", "rolebindings", 1},
    {"rbac.authorization.k8s.io", "ClusterRole", "clusterroles", 0},
    {"rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", 0},
};

static const struct kube_kind *kind_lookup(const char *api_version, const char *kind)
{
    const char *slash = strchr(api_version, '/');
    size_t glen = slash ? (size_t)(slash - api_version) : 0;
    for (size_t i = 0; i < ARRAY_LEN(kube_kinds); i++) {
        const struct kube_kind *k = &kube_kinds[i];
        if (strcmp(k->kind, kind) == 0 && strlen(k->group) == glen &&
            strncmp(k->group, api_version, glen) == 0)
            return k;
    }
    return NULL;
}

int kube_kind_namespaced(const char *api_version, const char *kind)
{
    const struct kube_kind *k = api_version && kind ? kind_lookup(api_version, kind) : NULL;
    return k ? k->namespaced : -1;
}

int kube_resource_name_ok(const char *s)
{
    if (!*s || strlen(s) > 253 || !strcmp(s, ".") || !strcmp(s, ".."))
        return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == ':'))
            return 0;
    }
    return 1;
}

int kube_resource_path(const kube_ref *ref, char *buf, size_t buflen, char *err, size_t errlen)
{
    if (!ref->api_version || !*ref->api_version)
        return err_set(err, errlen, "apiVersion is missing");
    if (!ref->kind || !*ref->kind)
        return err_set(err, errlen, "kind is missing");
    const struct kube_kind *k = kind_lookup(ref->api_version, ref->kind);
    if (!k)
        return err_set(err, errlen, "kind \"%s\" of apiVersion \"%s\" is not supported", ref->kind,
                       ref->api_version);
    const char *version = strchr(ref->api_version, '/');
    version = version ? version + 1 : ref->api_version;
    if (!*version || strchr(version, '/') || !kube_resource_name_ok(version))
        return err_set(err, errlen, "apiVersion \"%s\" is malformed", ref->api_version);
    if (ref->name && !kube_resource_name_ok(ref->name))
        return err_set(err, errlen, "%s name \"%s\" is not a valid object name", ref->kind,
                       ref->name);
    if (k->namespaced && ref->namespace && !is_dns1123_label(ref->namespace))
        return err_set(err, errlen, "namespace \"%s\" is not a valid namespace name",
                       ref->namespace);
    int n;
    const char *prefix = *k->group ? "/apis/" : "/api";
    const char *group = k->group;
    if (k->namespaced && ref->namespace)
        n = snprintf(buf, buflen, "%s%s/%s/namespaces/%s/%s%s%s", prefix, group, version,
                     ref->namespace, k->resource, ref->name ? "/" : "", ref->name ? ref->name : "");
    else
        n = snprintf(buf, buflen, "%s%s/%s/%s%s%s", prefix, group, version, k->resource,
                     ref->name ? "/" : "", ref->name ? ref->name : "");
    if (n < 0 || (size_t)n >= buflen)
        return err_set(err, errlen, "resource path too long");
    return 0;
}

int kube_ref_from_obj(const json_t *obj, kube_ref *ref, char *err, size_t errlen)
{
    memset(ref, 0, sizeof(*ref));
    if (!json_is_object(obj))
        return err_set(err, errlen, "the manifest is not a JSON object");
    const json_t *md = json_object_get(obj, "metadata");
    ref->api_version = json_string_value(json_object_get(obj, "apiVersion"));
    ref->kind = json_string_value(json_object_get(obj, "kind"));
    ref->name = json_string_value(json_object_get(md, "name"));
    ref->namespace = json_string_value(json_object_get(md, "namespace"));
    if (!ref->api_version)
        return err_set(err, errlen, "the manifest has no apiVersion");
    if (!ref->kind)
        return err_set(err, errlen, "the manifest has no kind");
    if (!ref->name || !*ref->name)
        return err_set(err, errlen, "%s has no metadata.name", ref->kind);
    if (ref->namespace && !*ref->namespace)
        ref->namespace = NULL;
    return 0;
}

/* service-account: runs the pods as the ServiceAccount `name`, optionally creating it, and
 * grants it privileges through a Role/RoleBinding (namespace scope) and a
 * ClusterRole/ClusterRoleBinding named "<namespace>:<name>" (cluster scope). */
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/render_util.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const char *const sa_scopes[] = {"namespace", "cluster", NULL};

static const prop_spec sa_privilege_fields[] = {
    {"verbs", PROP_STRING_LIST, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"apiGroups", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"resources", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"resourceNames", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"nonResourceURLs", PROP_STRING_LIST, 0, NULL, NULL, 0, 0},
    {"scope", PROP_STRING, 0, NULL, sa_scopes, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec sa_props[] = {
    {"name", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0},
    {"create", PROP_BOOL, 0, NULL, NULL, 0, 0},
    {"privileges", PROP_LIST, 0, sa_privilege_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const sa_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS, PATCH_DAEMONSETS,
                                            PATCH_JOBS, NULL};

/* The rules of the privileges of one scope. */
static json_t *sa_rules(const json_t *privileges, const char *scope)
{
    static const char *const fields[] = {"verbs", "apiGroups", "resources", "resourceNames",
                                         "nonResourceURLs"};
    json_t *rules = json_array();
    json_t *p;
    size_t i;
    json_array_foreach(privileges, i, p) {
        const char *s = json_string_value(json_object_get(p, "scope"));
        if (strcmp(s ? s : "namespace", scope) != 0)
            continue;
        json_t *rule = json_object();
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
            patch_copy(rule, fields[k], p, fields[k]);
        json_array_append_new(rules, rule);
    }
    return rules;
}

static int sa_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    const char *name = json_string_value(json_object_get(props, "name"));
    json_t *privileges = json_object_get(props, "privileges");
    json_t *spec = patch_pod_spec(ctx);
    char at[512], cluster_name[600];

    if (!spec) {
        ydoc_path_key(at, sizeof(at), path, "name");
        return verr_set(e, at, "component \"%s\" has no pod template", ctx->component);
    }
    json_object_set_new(spec, "serviceAccountName", json_string(name));
    if (json_is_true(json_object_get(props, "create")))
        json_array_append_new(ctx->objects,
                              render_trait_output_new(ctx, "service-account", "service-account",
                                                      "v1", "ServiceAccount", name));
    json_t *cluster = sa_rules(privileges, "cluster");
    json_t *ns = sa_rules(privileges, "namespace");
    if (json_array_size(cluster)) {
        snprintf(cluster_name, sizeof(cluster_name), "%s:%s", ctx->ns, name);
        json_t *role = render_trait_output_new(ctx, "service-account", "cluster-role",
                                               "rbac.authorization.k8s.io/v1", "ClusterRole",
                                               cluster_name);
        json_object_set(role, "rules", cluster);
        patch_append_cluster_scoped(ctx, role);
        json_t *binding = render_trait_output_new(ctx, "service-account", "cluster-role-binding",
                                                  "rbac.authorization.k8s.io/v1",
                                                  "ClusterRoleBinding", cluster_name);
        json_object_set_new(binding, "roleRef",
                            json_pack("{s:s,s:s,s:s}", "apiGroup", "rbac.authorization.k8s.io",
                                      "kind", "ClusterRole", "name", cluster_name));
        json_object_set_new(binding, "subjects",
                            json_pack("[{s:s,s:s,s:s}]", "kind", "ServiceAccount", "name", name,
                                      "namespace", ctx->ns));
        patch_append_cluster_scoped(ctx, binding);
    }
    if (json_array_size(ns)) {
        json_t *role = render_trait_output_new(ctx, "service-account", "role",
                                               "rbac.authorization.k8s.io/v1", "Role", name);
        json_object_set(role, "rules", ns);
        json_array_append_new(ctx->objects, role);
        json_t *binding = render_trait_output_new(ctx, "service-account", "role-binding",
                                                  "rbac.authorization.k8s.io/v1", "RoleBinding",
                                                  name);
        json_object_set_new(binding, "roleRef",
                            json_pack("{s:s,s:s,s:s}", "apiGroup", "rbac.authorization.k8s.io",
                                      "kind", "Role", "name", name));
        json_object_set_new(binding, "subjects",
                            json_pack("[{s:s,s:s}]", "kind", "ServiceAccount", "name", name));
        json_array_append_new(ctx->objects, binding);
    }
    json_decref(cluster);
    json_decref(ns);
    return 0;
}

const trait_def trait_service_account = {
    .type = "service-account",
    .props = sa_props,
    .applies_to = sa_applies_to,
    .apply = sa_apply,
};

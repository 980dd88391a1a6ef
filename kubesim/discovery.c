/* What clients read before they act: the root path list, /version, health checks, API
 * discovery (/api, /apis and each group's resource list) and the OpenAPI documents kubectl
 * asks for before it applies. */
#include "discovery.h"
#include "reply.h"
#include "resources.h"

#include "base/util.h"

#include <event2/http.h>
#include <stdio.h>
#include <string.h>

static json_t *resource_list(const char *group, const char *version)
{
    json_t *list = json_array();
    for (int r = 0; r < RES_COUNT; r++) {
        const struct ks_resource *res = &ks_resources[r];
        if (strcmp(res->group, group) != 0 || strcmp(res->version, version) != 0)
            continue;
        json_t *verbs = json_pack("[s,s,s,s,s,s,s,s]", "create", "delete", "deletecollection",
                                  "get", "list", "patch", "update", "watch");
        json_t *e = json_pack("{s:s,s:s,s:b,s:s,s:o}", "name", res->plural, "singularName",
                              res->singular, "namespaced", res->namespaced, "kind", res->kind,
                              "verbs", verbs);
        if (*res->short_names) {
            json_t *sn = json_array();
            char tmp[64];
            snprintf(tmp, sizeof(tmp), "%s", res->short_names);
            for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t;
                 t = strtok_r(NULL, ",", &save))
                json_array_append_new(sn, json_string(t));
            json_object_set_new(e, "shortNames", sn);
        }
        if (r == RES_DEPLOYMENT || r == RES_SERVICE || r == RES_JOB)
            json_object_set_new(e, "categories", json_pack("[s]", "all"));
        json_array_append_new(list, e);
        if (r == RES_DEPLOYMENT)
            json_array_append_new(list,
                                  json_pack("{s:s,s:s,s:b,s:s,s:s,s:s,s:s,s:[s,s,s]}", "name",
                                            "deployments/scale", "singularName", "", "namespaced",
                                            true, "group", "autoscaling", "version", "v1", "kind",
                                            "Scale", "verbs", "get", "patch", "update"));
        if (res->has_status) {
            char sub[96];
            snprintf(sub, sizeof(sub), "%s/status", res->plural);
            json_array_append_new(list,
                                  json_pack("{s:s,s:s,s:b,s:s,s:[s,s,s]}", "name", sub,
                                            "singularName", "", "namespaced", res->namespaced,
                                            "kind", res->kind, "verbs", "get", "patch", "update"));
        }
    }
    char gv[96];
    snprintf(gv, sizeof(gv), "%s%s%s", group, *group ? "/" : "", version);
    return json_pack("{s:s,s:s,s:s,s:o}", "kind", "APIResourceList", "apiVersion", "v1",
                     "groupVersion", gv, "resources", list);
}

static const char *const api_groups[] = {"apps", "batch", "networking.k8s.io"};

static json_t *group_of(const char *name)
{
    char gv[96];
    snprintf(gv, sizeof(gv), "%s/v1", name);
    return json_pack("{s:s,s:[{s:s,s:s}],s:{s:s,s:s}}", "name", name, "versions", "groupVersion",
                     gv, "version", "v1", "preferredVersion", "groupVersion", gv, "version", "v1");
}

static bool handle_discovery(struct ks_req *k)
{
    struct evhttp_request *req = k->req;
    char **s = k->segs;
    int n = k->nsegs;
    if (n == 1 && strcmp(s[0], "api") == 0) {
        char addr[64];
        snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned)k->cl->port);
        ks_reply_json(req, 200,
                      json_pack("{s:s,s:[s],s:[{s:s,s:s}]}", "kind", "APIVersions", "versions",
                                "v1", "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0",
                                "serverAddress", addr));
        return true;
    }
    if (n == 1 && strcmp(s[0], "apis") == 0) {
        json_t *groups = json_array();
        for (size_t i = 0; i < ARRAY_LEN(api_groups); i++)
            json_array_append_new(groups, group_of(api_groups[i]));
        ks_reply_json(req, 200,
                      json_pack("{s:s,s:s,s:o}", "kind", "APIGroupList", "apiVersion", "v1",
                                "groups", groups));
        return true;
    }
    if (n == 2 && strcmp(s[0], "api") == 0 && strcmp(s[1], "v1") == 0) {
        ks_reply_json(req, 200, resource_list("", "v1"));
        return true;
    }
    if ((n == 2 || n == 3) && strcmp(s[0], "apis") == 0) {
        for (size_t i = 0; i < ARRAY_LEN(api_groups); i++) {
            if (strcmp(s[1], api_groups[i]) != 0)
                continue;
            if (n == 2) {
                json_t *g = group_of(api_groups[i]);
                json_object_set_new(g, "kind", json_string("APIGroup"));
                json_object_set_new(g, "apiVersion", json_string("v1"));
                ks_reply_json(req, 200, g);
                return true;
            }
            if (strcmp(s[2], "v1") == 0) {
                ks_reply_json(req, 200, resource_list(api_groups[i], "v1"));
                return true;
            }
        }
    }
    return false;
}

static const char version_json[] =
    "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0-kubesim\","
    "\"gitCommit\":\"0000000000000000000000000000000000000000\",\"gitTreeState\":\"clean\","
    "\"buildDate\":\"2026-01-01T00:00:00Z\",\"goVersion\":\"go1.23.0\",\"compiler\":\"gc\","
    "\"platform\":\"linux/amd64\"}";

/* OpenAPI, as much as kubectl needs to apply with its default validation: /openapi/v3 lists
 * one document per group/version whose write operations carry the GVK extension and the
 * fieldValidation query parameter, so kubectl 1.2x+ leaves validation to the server (which
 * takes the parameter and does its own checks); /openapi/v2 is an empty document, so older
 * kubectl finds no schema for a kind and skips client-side validation, as it does for kinds
 * a server does not describe. No schemas: `kubectl explain` does not work. */
static json_t *openapi_op(enum ks_res r, const char *action)
{
    const struct ks_resource *res = &ks_resources[r];
    json_t *params = json_array();
    static const char *const names[] = {"fieldValidation", "fieldManager", "dryRun", "force"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        json_array_append_new(
            params,
            json_pack("{s:s,s:s,s:{s:s},s:b}", "name", names[i], "in", "query", "schema", "type",
                      strcmp(names[i], "force") == 0 ? "boolean" : "string", "uniqueItems", 1));
    return json_pack("{s:s,s:o,s:{s:{s:s}},s:s,s:{s:s,s:s,s:s}}", "operationId", action,
                     "parameters", params, "responses", "200", "description", "OK",
                     "x-kubernetes-action", action, "x-kubernetes-group-version-kind", "group",
                     res->group, "version", res->version, "kind", res->kind);
}

static void openapi(struct ks_req *k)
{
    char **s = k->segs;
    int n = k->nsegs;
    if (n == 2 && strcmp(s[1], "v2") == 0) {
        const char *accept = ks_api_header(k, "Accept");
        if (accept && strstr(accept, "protobuf")) /* an empty openapi_v2.Document */
            ks_reply_text(k->req, 200, "application/octet-stream", "", 0);
        else
            ks_reply_json(k->req, 200,
                          json_pack("{s:s,s:{s:s,s:s},s:{},s:{}}", "swagger", "2.0", "info",
                                    "title", "Kubernetes", "version", "v1.32.0", "paths",
                                    "definitions"));
        return;
    }
    if (n == 2 && strcmp(s[1], "v3") == 0) {
        json_t *paths = json_object();
        json_object_set_new(paths, "api/v1",
                            json_pack("{s:s}", "serverRelativeURL",
                                      "/openapi/v3/api/v1?hash=kubesim"));
        for (size_t i = 0; i < ARRAY_LEN(api_groups); i++) {
            char key[96], url[160];
            snprintf(key, sizeof(key), "apis/%s/v1", api_groups[i]);
            snprintf(url, sizeof(url), "/openapi/v3/%s?hash=kubesim", key);
            json_object_set_new(paths, key, json_pack("{s:s}", "serverRelativeURL", url));
        }
        ks_reply_json(k->req, 200, json_pack("{s:o}", "paths", paths));
        return;
    }
    const char *group = NULL;
    if (n == 4 && strcmp(s[1], "v3") == 0 && strcmp(s[2], "api") == 0 && strcmp(s[3], "v1") == 0)
        group = "";
    else if (n == 5 && strcmp(s[1], "v3") == 0 && strcmp(s[2], "apis") == 0 &&
             strcmp(s[4], "v1") == 0)
        group = s[3];
    if (!group) {
        ks_reply_status(k->req, 404, "NotFound", "the server could not find the requested resource",
                        NULL);
        return;
    }
    json_t *paths = json_object();
    for (int r = 0; r < RES_COUNT; r++) {
        const struct ks_resource *res = &ks_resources[r];
        if (strcmp(res->group, group) != 0)
            continue;
        char base[160], item[200];
        if (*group)
            snprintf(base, sizeof(base), "/apis/%s/v1%s/%s", group,
                     res->namespaced ? "/namespaces/{namespace}" : "", res->plural);
        else
            snprintf(base, sizeof(base), "/api/v1%s/%s",
                     res->namespaced ? "/namespaces/{namespace}" : "", res->plural);
        snprintf(item, sizeof(item), "%s/{name}", base);
        json_object_set_new(paths, base,
                            json_pack("{s:o}", "post", openapi_op((enum ks_res)r, "post")));
        json_object_set_new(paths, item,
                            json_pack("{s:o,s:o}", "put", openapi_op((enum ks_res)r, "put"),
                                      "patch", openapi_op((enum ks_res)r, "patch")));
    }
    if (json_object_size(paths) == 0) {
        json_decref(paths);
        ks_reply_status(k->req, 404, "NotFound", "the server could not find the requested resource",
                        NULL);
        return;
    }
    ks_reply_json(k->req, 200,
                  json_pack("{s:s,s:{s:s,s:s},s:o,s:{s:{}}}", "openapi", "3.0.0", "info", "title",
                            "Kubernetes", "version", "v1.32.0", "paths", paths, "components",
                            "schemas"));
}

bool ks_discovery_handle(struct ks_req *k)
{
    struct evhttp_request *req = k->req;
    if (k->nsegs == 0) {
        ks_reply_json(req, 200,
                      json_pack("{s:[s,s,s,s,s,s,s,s,s]}", "paths", "/api", "/api/v1", "/apis",
                                "/apis/apps/v1", "/apis/batch/v1", "/apis/networking.k8s.io/v1",
                                "/healthz", "/openapi/v2", "/version"));
        return true;
    }
    if (strcmp(k->segs[0], "version") == 0 && k->nsegs == 1) {
        ks_reply_text(req, 200, "application/json", version_json, sizeof(version_json) - 1);
        return true;
    }
    if (strcmp(k->segs[0], "healthz") == 0 || strcmp(k->segs[0], "readyz") == 0 ||
        strcmp(k->segs[0], "livez") == 0) {
        ks_reply_text(req, 200, "text/plain; charset=utf-8", "ok", 2);
        return true;
    }
    if (strcmp(k->segs[0], "openapi") == 0) {
        openapi(k);
        return true;
    }
    return k->method == EVHTTP_REQ_GET && handle_discovery(k);
}

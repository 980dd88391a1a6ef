/* The Kubernetes requests the client makes: server-side apply, get, list, watch, delete,
 * namespace creation, /version and any other, built into a method, a path and a body and
 * handed to the transport (kube/client.c). */
#include "kube/request.h"
#include "kube/resource.h"
#include "base/jpool.h"

#include "base/alloc.h"
#include "base/util.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *path_dup(const kube_ref *ref, const char *query, char *err, size_t errlen)
{
    char buf[1024];
    if (kube_resource_path(ref, buf, sizeof(buf), err, errlen) < 0)
        return NULL;
    return xasprintf("%s%s", buf, query ? query : "");
}

/* Appends s percent-encoded; -1 when sb's cap is reached. */
static int url_escape(strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            if (strbuf_add(sb, s, 1) < 0)
                return -1;
        } else {
            char h[3] = {'%', hex[c >> 4], hex[c & 15]};
            if (strbuf_add(sb, h, 3) < 0)
                return -1;
        }
    }
    return 0;
}

int kube_apply_async(kube_cluster *cl, const json_t *obj, kube_cb cb, void *opaque, char *err,
                     size_t errlen)
{
    kube_ref ref;
    char query[256];
    if (kube_ref_from_obj(obj, &ref, err, errlen) < 0)
        return -1;
    if (!ref.namespace && kube_kind_namespaced(ref.api_version, ref.kind) == 1)
        ref.namespace = "default";
    snprintf(query, sizeof(query), "?fieldManager=%s&force=true",
             kube_client_field_manager(kube_cluster_client(cl)));
    char *path = path_dup(&ref, query, err, errlen);
    if (!path)
        return -1;
    char *body = vela_json_dumps(obj, JSON_COMPACT); /* one pass */
    if (!body) {
        free(path);
        return err_set(err, errlen, "cannot serialise the %s \"%s\"", ref.kind, ref.name);
    }
    return kube_client_submit(cl, "PATCH", path, body, strlen(body), "application/apply-patch+yaml",
                              cb, opaque, err, errlen);
}

/* One object's path (malloc'd); namespaced kinds default to "default". NULL with a message
 * naming verb when ref has no name or its path cannot be built. */
static char *object_path(const kube_ref *ref, const char *verb, char *err, size_t errlen)
{
    kube_ref r = *ref;
    if (!r.name || !*r.name) {
        err_set(err, errlen, "%s: the %s has no name", verb, r.kind ? r.kind : "object");
        return NULL;
    }
    if (!r.namespace && kube_kind_namespaced(r.api_version, r.kind) == 1)
        r.namespace = "default";
    return path_dup(&r, NULL, err, errlen);
}

int kube_get_async(kube_cluster *cl, const kube_ref *ref, kube_cb cb, void *opaque, char *err,
                   size_t errlen)
{
    char *path = object_path(ref, "get", err, errlen);
    if (!path)
        return -1;
    return kube_client_submit(cl, "GET", path, NULL, 0, NULL, cb, opaque, err, errlen);
}

/* The collection of ref's kind, with an optional first parameter ("watch=1") and label
 * selector: "/apis/apps/v1/deployments?watch=1&labelSelector=a%3Db" (malloc'd). */
static char *collection_path(const kube_ref *ref, const char *param, const char *label_selector,
                             char *err, size_t errlen)
{
    kube_ref r = *ref;
    strbuf q;
    int bad = 0;
    r.name = NULL;
    strbuf_init(&q, 0); /* no cap: the appends cannot fail */
    if (param)
        bad |= strbuf_addf(&q, "?%s", param);
    if (label_selector && *label_selector) {
        bad |= strbuf_adds(&q, param ? "&labelSelector=" : "?labelSelector=");
        bad |= url_escape(&q, label_selector);
    }
    if (bad) {
        strbuf_release(&q);
        err_set(err, errlen, "the label selector \"%s\" is too long", label_selector);
        return NULL;
    }
    char *path = path_dup(&r, q.data, err, errlen);
    strbuf_release(&q);
    return path;
}

int kube_watch_async(kube_cluster *cl, const kube_ref *ref, const char *label_selector,
                     kube_watch_cb on_event, kube_cb on_end, void *opaque, char *err, size_t errlen)
{
    /* No resourceVersion: the server starts with the current state (ADDED events), then
     * sends every change. */
    char *path = collection_path(ref, "watch=1", label_selector, err, errlen);
    if (!path)
        return -1;
    return kube_client_watch(cl, path, on_event, on_end, opaque, err, errlen);
}

int kube_list_async(kube_cluster *cl, const kube_ref *ref, const char *label_selector, kube_cb cb,
                    void *opaque, char *err, size_t errlen)
{
    char *path = collection_path(ref, NULL, label_selector, err, errlen);
    if (!path)
        return -1;
    return kube_client_submit(cl, "GET", path, NULL, 0, NULL, cb, opaque, err, errlen);
}

int kube_delete_async(kube_cluster *cl, const kube_ref *ref, kube_cb cb, void *opaque, char *err,
                      size_t errlen)
{
    static const char body[] =
        "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Background\"}";
    char *path = object_path(ref, "delete", err, errlen);
    if (!path)
        return -1;
    return kube_client_submit(cl, "DELETE", path, xstrdup(body), sizeof(body) - 1, NULL, cb, opaque,
                              err, errlen);
}

int kube_create_namespace_async(kube_cluster *cl, const char *name, kube_cb cb, void *opaque,
                                char *err, size_t errlen)
{
    if (!name || !is_dns1123_label(name))
        return err_set(err, errlen, "namespace \"%s\" is not a valid namespace name",
                       name ? name : "");
    char *body = xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
                           "{\"name\":\"%s\"}}",
                           name);
    return kube_client_submit(cl, "POST", xstrdup("/api/v1/namespaces"), body, strlen(body), NULL,
                              cb, opaque, err, errlen);
}

int kube_version_async(kube_cluster *cl, kube_cb cb, void *opaque, char *err, size_t errlen)
{
    return kube_client_submit(cl, "GET", xstrdup("/version"), NULL, 0, NULL, cb, opaque, err,
                              errlen);
}

int kube_request_async(kube_cluster *cl, const char *method, const char *path, const char *body,
                       const char *content_type, kube_cb cb, void *opaque, char *err, size_t errlen)
{
    static const char *methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    int known = 0;
    for (size_t i = 0; i < ARRAY_LEN(methods); i++)
        known |= strcmp(methods[i], method) == 0;
    if (!known)
        return err_set(err, errlen, "method \"%s\" is not supported", method);
    if (!path || path[0] != '/' || strpbrk(path, " \r\n#"))
        return err_set(err, errlen, "path \"%s\" must start with '/' and hold no spaces",
                       path ? path : "");
    /* application/json is what the transport sends with a body anyway, and nothing without */
    if (content_type && !strcmp(content_type, "application/json"))
        content_type = NULL;
    if (content_type && strpbrk(content_type, "\r\n"))
        return err_set(err, errlen, "content type holds a line break");
    return kube_client_submit(cl, method, xstrdup(path), body ? xstrdup(body) : NULL,
                              body ? strlen(body) : 0, content_type, cb, opaque, err, errlen);
}

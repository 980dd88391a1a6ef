/* Blocking forms of the Kubernetes requests, for tests, tools and the CLI: each queues the
 * asynchronous request (kube/request.h) and drives the client until it completes. */
#include "kube/blocking.h"
#include "kube/request.h"

#include "base/util.h"

#include <stdio.h>
#include <string.h>

typedef struct sync_wait {
    int want_obj;
    int done;
    kube_status status;
    long code;
    char msg[1024];
    json_t *obj;
} sync_wait;

static void sync_cb(const kube_result *r, void *opaque)
{
    sync_wait *w = opaque;
    w->done = 1;
    w->status = r->status;
    w->code = r->http_code;
    snprintf(w->msg, sizeof(w->msg), "%s", r->message);
    w->obj = w->want_obj ? kube_result_parse(r) : NULL;
}

static int sync_finish(kube_cluster *cl, sync_wait *w, json_t **out, long *http_code, char *err,
                       size_t errlen)
{
    while (!w->done)
        kube_client_run(kube_cluster_client(cl), 1000);
    if (http_code)
        *http_code = w->code;
    if (out)
        *out = w->obj;
    else
        json_decref(w->obj);
    if (w->status != KUBE_OK)
        return err_set(err, errlen, "%s", w->msg);
    return 0;
}

#define SYNC_CALL(call, out)                                                                       \
    do {                                                                                           \
        sync_wait w = {0};                                                                         \
        w.want_obj = (out) != NULL;                                                                \
        if (out)                                                                                   \
            *(json_t **)(out) = NULL;                                                              \
        if (http_code)                                                                             \
            *http_code = 0;                                                                        \
        if ((call) < 0)                                                                            \
            return -1;                                                                             \
        return sync_finish(cl, &w, out, http_code, err, errlen);                                   \
    } while (0)

int kube_apply(kube_cluster *cl, const json_t *obj, json_t **out, long *http_code, char *err,
               size_t errlen)
{
    SYNC_CALL(kube_apply_async(cl, obj, sync_cb, &w, err, errlen), out);
}

int kube_get(kube_cluster *cl, const kube_ref *ref, json_t **out, long *http_code, char *err,
             size_t errlen)
{
    SYNC_CALL(kube_get_async(cl, ref, sync_cb, &w, err, errlen), out);
}

int kube_list(kube_cluster *cl, const kube_ref *ref, const char *label_selector, json_t **out,
              long *http_code, char *err, size_t errlen)
{
    SYNC_CALL(kube_list_async(cl, ref, label_selector, sync_cb, &w, err, errlen), out);
}

int kube_delete(kube_cluster *cl, const kube_ref *ref, long *http_code, char *err, size_t errlen)
{
    json_t **out = NULL;
    SYNC_CALL(kube_delete_async(cl, ref, sync_cb, &w, err, errlen), out);
}

int kube_ensure_namespace(kube_cluster *cl, const char *name, char *err, size_t errlen)
{
    sync_wait w = {0};
    if (kube_create_namespace_async(cl, name, sync_cb, &w, err, errlen) < 0)
        return -1;
    long code = 0;
    int rc = sync_finish(cl, &w, NULL, &code, err, errlen);
    if (rc < 0 && code == 409)
        return 0;
    return rc;
}

int kube_check_version(const kube_creds *c, long timeout_ms, char *version, size_t vlen, char *err,
                       size_t errlen)
{
    kube_client_opts o;
    sync_wait w = {0};
    int rc = -1;
    w.want_obj = 1;
    kube_client_opts_init(&o);
    if (timeout_ms > 0) {
        o.request_timeout_ms = timeout_ms;
        o.connect_timeout_ms = timeout_ms;
    }
    if (version && vlen)
        version[0] = '\0';
    kube_client *kc = kube_client_new(&o, err, errlen);
    if (!kc)
        return -1;
    kube_cluster *cl = kube_client_cluster(kc, "check", c, err, errlen);
    if (!cl || kube_version_async(cl, sync_cb, &w, err, errlen) < 0)
        goto cleanup;
    while (!w.done)
        kube_client_run(kc, 1000);
    if (w.status == KUBE_ERR_API) {
        if (w.code == 401 || w.code == 403)
            err_set(err, errlen, "%s refused the credentials (HTTP %ld): %s", c->server, w.code,
                    w.msg);
        else
            err_set(err, errlen, "GET %s/version: HTTP %ld: %s", c->server, w.code, w.msg);
        goto cleanup;
    }
    if (w.status == KUBE_ERR_TLS && strstr(w.msg, "certificate problem")) {
        err_set(err, errlen, "%s; is certificate-authority(-data) the cluster's CA?", w.msg);
        goto cleanup;
    }
    if (w.status != KUBE_OK) {
        err_set(err, errlen, "%s", w.msg);
        goto cleanup;
    }
    const char *gv = json_string_value(json_object_get(w.obj, "gitVersion"));
    if (!gv) {
        err_set(err, errlen,
                "%s/version answered without a gitVersion: is it a Kubernetes "
                "API server?",
                c->server);
        goto cleanup;
    }
    if (version && vlen)
        snprintf(version, vlen, "%s", gv);
    rc = 0;
cleanup:
    json_decref(w.obj);
    kube_client_free(kc);
    return rc;
}

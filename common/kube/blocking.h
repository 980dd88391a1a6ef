/* Blocking forms of the Kubernetes requests, for tests, tools and the CLI (the worker uses
 * the asynchronous ones of kube/request.h). See docs/kube-client.md. */
#ifndef VELA_KUBE_BLOCKING_H
#define VELA_KUBE_BLOCKING_H

#include "kube/client.h"
#include "kube/resource.h"

#include <jansson.h>
#include <stddef.h>

/* Each queues the request and drive the client (other requests' callbacks run meanwhile)
 * until it completes. Returns 0 on 2xx, else -1 with the message in err; *http_code (may be
 * NULL) gets the HTTP code or 0, *out (may be NULL) a new reference to the response body
 * (also on API errors: the Status), which the caller decrefs. */
int kube_apply(kube_cluster *cl, const json_t *obj, json_t **out, long *http_code, char *err,
               size_t errlen);
int kube_get(kube_cluster *cl, const kube_ref *ref, json_t **out, long *http_code, char *err,
             size_t errlen);
int kube_list(kube_cluster *cl, const kube_ref *ref, const char *label_selector, json_t **out,
              long *http_code, char *err, size_t errlen);
int kube_delete(kube_cluster *cl, const kube_ref *ref, long *http_code, char *err, size_t errlen);
/* Creates the namespace; an existing one counts as success. */
int kube_ensure_namespace(kube_cluster *cl, const char *name, char *err, size_t errlen);

/* Blocking convenience for the CLI: GET /version with the credentials, on a private client.
 * 0 and the gitVersion on success; -1 and a clear reason otherwise (unreachable, TLS
 * failure, 401 with the API's message...). */
int kube_check_version(const kube_creds *c, long timeout_ms, char *version, size_t vlen, char *err,
                       size_t errlen);

#endif

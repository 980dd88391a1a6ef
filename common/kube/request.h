/* The Kubernetes requests the client makes, asynchronous: each is queued on a cluster of a
 * kube_client (kube/client.h) and completes through a callback from kube_client_run. Blocking
 * forms are in kube/blocking.h. See docs/kube-client.md. */
#ifndef VELA_KUBE_REQUEST_H
#define VELA_KUBE_REQUEST_H

#include "kube/client.h"
#include "kube/resource.h"

#include <jansson.h>
#include <stddef.h>

/* Each returns 0 when the request is queued: cb then runs exactly once, later, from
 * kube_client_run (or a cancellation). It returns -1 with a message, and cb never runs, when
 * the request cannot be built (unknown kind, missing name...). The arguments are copied;
 * the caller keeps ownership of obj, strings and opaque. */

/* Server-side apply: PATCH <object URL>?fieldManager=vela&force=true with Content-Type
 * application/apply-patch+yaml and the object as JSON. The URL comes from apiVersion, kind,
 * metadata.namespace (default "default" for namespaced kinds) and metadata.name. */
int kube_apply_async(kube_cluster *cl, const json_t *obj, kube_cb cb, void *opaque, char *err,
                     size_t errlen);

/* GET one object. */
int kube_get_async(kube_cluster *cl, const kube_ref *ref, kube_cb cb, void *opaque, char *err,
                   size_t errlen);
/* LIST objects of ref's kind (ref->name ignored) in ref->namespace (NULL: all namespaces)
 * matching label_selector (NULL or "": all), e.g. "app.oam.dev/name=web,tier!=db". */
int kube_list_async(kube_cluster *cl, const kube_ref *ref, const char *label_selector, kube_cb cb,
                    void *opaque, char *err, size_t errlen);
/* WATCH objects of ref's kind (ref->name ignored) in ref->namespace (NULL: all namespaces)
 * matching label_selector: the current ones first (ADDED), then every change. The watch
 * holds no slot of the cluster's cap and has no request timeout; on_end runs once when it
 * ends (the server closed it: KUBE_OK; refused, failed or cancelled: the error), after
 * which the caller starts another if it still wants one. */
int kube_watch_async(kube_cluster *cl, const kube_ref *ref, const char *label_selector,
                     kube_watch_cb on_event, kube_cb on_end, void *opaque, char *err,
                     size_t errlen);
/* DELETE one object with propagationPolicy Background. 404 is reported as an API error
 * (reason "NotFound"); callers deleting idempotently treat it as success. */
int kube_delete_async(kube_cluster *cl, const kube_ref *ref, kube_cb cb, void *opaque, char *err,
                      size_t errlen);
/* POST a Namespace; 409 (reason "AlreadyExists") means it exists. */
int kube_create_namespace_async(kube_cluster *cl, const char *name, kube_cb cb, void *opaque,
                                char *err, size_t errlen);
/* GET /version (reachability and credentials): obj holds {"gitVersion": ...}. */
int kube_version_async(kube_cluster *cl, kube_cb cb, void *opaque, char *err, size_t errlen);

/* Any other request: method, path (with query, starting with '/'), optional JSON body and
 * Content-Type (NULL: application/json when a body is given). */
int kube_request_async(kube_cluster *cl, const char *method, const char *path, const char *body,
                       const char *content_type, kube_cb cb, void *opaque, char *err,
                       size_t errlen);

#endif

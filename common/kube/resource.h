/* The kinds the Kubernetes client knows (a table keyed by API group and kind) and the paths
 * of their objects and collections. See docs/kube-client.md. */
#ifndef VELA_KUBE_RESOURCE_H
#define VELA_KUBE_RESOURCE_H

#include <jansson.h>
#include <stddef.h>

/* An object's identity. namespace NULL: "default" for namespaced kinds (all namespaces for
 * lists). */
typedef struct kube_ref {
    const char *api_version; /* "apps/v1", "v1", ... */
    const char *kind;        /* "Deployment", ... */
    const char *namespace;
    const char *name;
} kube_ref;

/* Fills ref with pointers into obj (borrowed: valid while obj lives). -1 if fields lack. */
int kube_ref_from_obj(const json_t *obj, kube_ref *ref, char *err, size_t errlen);

/* The resource path of ref: "/apis/apps/v1/namespaces/ns/deployments/name" (name NULL: the
 * collection; namespace NULL for a namespaced kind: all namespaces). Writes into buf; -1
 * with a message for kinds outside the table or names that are not DNS-safe. */
int kube_resource_path(const kube_ref *ref, char *buf, size_t buflen, char *err, size_t errlen);
/* Whether a kind is namespaced (1), cluster-scoped (0), or unknown (-1). */
int kube_kind_namespaced(const char *api_version, const char *kind);

/* 1 when s may stand as one path segment (an object name, a version, a field manager):
 * 1 to 253 of [A-Za-z0-9._:-], not "." or ".."; else 0. */
int kube_resource_name_ok(const char *s);

#endif

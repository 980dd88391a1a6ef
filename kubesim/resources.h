/* The resource types kubesim serves (resources.c): their table, the names the API uses for
 * them, the defaults kube-apiserver fills in, validation, and the addresses a cluster hands
 * out to LoadBalancer Services and Ingresses. */
#ifndef KUBESIM_RESOURCES_H
#define KUBESIM_RESOURCES_H

#include "cluster.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ks_resource {
    const char *group; /* "" for the core group */
    const char *version;
    const char *plural;
    const char *singular;
    const char *kind;
    const char *short_names; /* comma-separated, may be "" */
    bool namespaced;
    bool has_generation; /* metadata.generation is kept (objects with a spec) */
    bool has_status;     /* a status subresource exists */
};

/* Indexed by enum ks_res. */
extern const struct ks_resource ks_resources[RES_COUNT];

/* "apps/v1" or "v1". */
const char *ks_res_api_version(enum ks_res r);
/* "deployments.apps" or "configmaps": the name used in error messages. */
void ks_res_qualified(enum ks_res r, char *out, size_t len);
/* Finds a resource by group, version and plural; -1 if unknown. */
int ks_res_find(const char *group, const char *version, const char *plural);

/* Fills in obj's defaults (old: the stored object it replaces, or NULL on create). */
void ks_res_default(struct ks_cluster *cl, enum ks_res r, json_t *obj, json_t *old);
/* Validates obj; on failure returns a json array of causes ({field, reason, message}). */
json_t *ks_res_validate(enum ks_res r, json_t *obj);
/* The n-th load-balancer address of the cluster, from its own /24 of 172.16.0.0/12
 * (n = 0: the ingress controller's). */
void ks_res_lb_ip(const struct ks_cluster *cl, uint32_t n, char *out, size_t len);

#endif

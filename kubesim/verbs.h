/* The resource verbs of the simulated API (verbs.c): get, list and watch, create, update,
 * delete and deletecollection, and deployments/scale. Each answers the request. */
#ifndef KUBESIM_VERBS_H
#define KUBESIM_VERBS_H

#include "api.h"

/* GET of one object (a Table when asked for). */
void ks_verb_get(struct ks_req *k, enum ks_res r, const char *ns, const char *name);
/* GET of a collection: label and field selectors, limit/continue, a Table when asked for;
 * with watch=1 it starts a watch instead. */
void ks_verb_list(struct ks_req *k, enum ks_res r, const char *ns);
/* POST: creates the object of the body in ns (NULL: the body's, else "default"). */
void ks_verb_post(struct ks_req *k, enum ks_res r, const char *ns);
/* Creates obj (stolen) in namespace ns, recording manager with operation op in
 * managedFields (manager NULL: none). */
void ks_verb_create(struct ks_req *k, enum ks_res r, const char *ns, json_t *obj,
                    const char *manager, const char *op);
/* Stores obj (stolen) as the new version of old (stored under key); status_only for the
 * status subresource. manager and op as for ks_verb_create. */
void ks_verb_update(struct ks_req *k, enum ks_res r, const char *key, json_t *old, json_t *obj,
                    bool status_only, const char *manager, const char *op);
/* PUT: replaces the object (resourceVersion, when given, must be the current one). */
void ks_verb_put(struct ks_req *k, enum ks_res r, const char *ns, const char *name,
                 bool status_only);
/* DELETE of one object (a namespace takes its objects along), and of a collection. */
void ks_verb_delete(struct ks_req *k, enum ks_res r, const char *ns, const char *name);
void ks_verb_delete_collection(struct ks_req *k, enum ks_res r, const char *ns);
/* GET, PUT and PATCH (merge) of deployments/NAME/scale. */
void ks_verb_scale(struct ks_req *k, const char *ns, const char *name);
/* Sends a stored object (reference stolen) with code, as a Scale for the scale subresource;
 * its JSON comes from the store when it has it (serialised once, when stored). */
void ks_verb_send_obj(struct ks_req *k, enum ks_res r, int code, json_t *obj);

#endif

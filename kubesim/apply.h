/* PATCH in the simulated API (apply.c): server-side apply, JSON merge patch and strategic
 * merge patch, and the managedFields entries of field managers. */
#ifndef KUBESIM_APPLY_H
#define KUBESIM_APPLY_H

#include "api.h"

/* PATCH of one object as its Content-Type says (apply-patch+yaml creates a missing object),
 * answered; 415 for other content types. */
void ks_apply_patch(struct ks_req *k, enum ks_res r, const char *ns, const char *name,
                    bool status_only);
/* RFC 7386 merge patch of patch into dst; with `strategic`, lists of objects keyed by "name"
 * merge by name and "$" directives are dropped (an approximation of strategic merge). */
void ks_apply_merge(json_t *dst, json_t *patch, bool strategic);
/* Records (or refreshes the time of) manager's entry for operation op ("Apply", "Update")
 * in obj's metadata.managedFields; nothing when manager is NULL or "". */
void ks_apply_set_managed(json_t *obj, const char *manager, const char *op, enum ks_res r);

#endif

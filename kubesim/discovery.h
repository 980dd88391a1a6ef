/* What clients read before they act (discovery.c): the root path list, /version, health
 * checks, API discovery and the OpenAPI documents. */
#ifndef KUBESIM_DISCOVERY_H
#define KUBESIM_DISCOVERY_H

#include "api.h"

/* Answers the request when its path is one of the above (discovery only for GET) and
 * returns true; false, without answering, for anything else (a resource path). */
bool ks_discovery_handle(struct ks_req *k);

#endif

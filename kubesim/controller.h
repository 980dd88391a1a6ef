/* The simulated controllers (controller.c): Deployments roll out and become ready, Jobs
 * complete, Ingresses and LoadBalancer Services get an address. */
#ifndef KUBESIM_CONTROLLER_H
#define KUBESIM_CONTROLLER_H

#include "cluster.h"

#include <stdint.h>

/* Runs on each thread's tick for the clusters it owns. now: monotonic ms. */
void ks_controller_tick(struct ks_cluster *cl, int64_t now);
/* Called by the API after a create or update: defaults and controller bookkeeping. */
void ks_controller_changed(struct ks_cluster *cl, enum ks_res r, const char *key);

#endif

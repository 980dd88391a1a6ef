/* A cluster's HTTPS listener (server.c): evhttp over OpenSSL on the owning thread, fault
 * injection and authentication in front of the API. */
#ifndef KUBESIM_SERVER_H
#define KUBESIM_SERVER_H

#include "cluster.h"

#include <stddef.h>

/* Opens the cluster's listener on its thread's event base (port 0: any free port, stored in
 * cl->port). */
int ks_server_start(struct ks_cluster *cl, char *err, size_t errlen);
void ks_server_stop(struct ks_cluster *cl);
/* Runs on the cluster's thread: closes or reopens the listener as `down` says. */
void ks_server_apply_down(struct ks_cluster *cl);
void ks_server_release(struct ks_cluster *cl);

#endif

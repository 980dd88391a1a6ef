/* The admin endpoint (plain HTTP on loopback) for fault injection; see admin.c. */
#ifndef KUBESIM_ADMIN_H
#define KUBESIM_ADMIN_H

#include "cluster.h"

#include <netinet/in.h>
#include <sys/socket.h>

struct ks_admin;

/* Listens on host:port (0 = any free port, reported in *bound_port). Returns NULL with a
 * message on failure. The clusters array and dir must outlive the endpoint. */
struct ks_admin *ks_admin_new(struct event_base *base, const char *host, uint16_t port,
                              struct ks_cluster *clusters, size_t n, const char *dir,
                              uint16_t *bound_port, char *err, size_t errlen);
void ks_admin_free(struct ks_admin *a);

#endif

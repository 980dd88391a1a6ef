/* Small helpers of the simulator (misc.c): timestamps as the API prints them, object uids,
 * and a per-cluster random generator. */
#ifndef KUBESIM_MISC_H
#define KUBESIM_MISC_H

#include "cluster.h"

#include <stddef.h>
#include <stdint.h>

/* Now as RFC 3339 in UTC, to the second ("2026-11-26T02:00:00Z"). */
void ks_now_rfc3339(char *out, size_t len);
/* A random version 4 UUID, from the cluster's generator. */
void ks_new_uid(struct ks_cluster *cl, char *out, size_t len);
/* The cluster's xorshift generator (seeded from OpenSSL on first use); only the cluster's
 * thread calls it. */
uint64_t ks_rand(struct ks_cluster *cl);

#endif

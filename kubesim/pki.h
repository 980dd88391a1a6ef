/* A cluster's TLS identity (pki.c): its CA, server and client credentials and SSL_CTX, the
 * kubeconfig handed to users, and the client certificate check of a request. */
#ifndef KUBESIM_PKI_H
#define KUBESIM_PKI_H

#include "cluster.h"

#include <stddef.h>

struct evhttp_request;

/* The key pairs and certificate PEMs made for one cluster, kept until its kubeconfig is
 * written. */
struct ks_pki;

/* Makes cl's CA, server and client credentials, its token and its SSL_CTX (in cl); *out
 * holds the PEMs for ks_pki_write_kubeconfig (ks_pki_free). */
int ks_pki_create(struct ks_cluster *cl, struct ks_pki **out, char *err, size_t errlen);
/* Writes DIR/<name>.kubeconfig (mode 0600, atomically). */
int ks_pki_write_kubeconfig(const struct ks_cluster *cl, const struct ks_pki *pki, const char *dir,
                            char *err, size_t errlen);
/* Frees pki, wiping the client key. NULL is ignored. */
void ks_pki_free(struct ks_pki *pki);
/* Returns the verified client certificate's CN on the request's connection: 1 verified
 * (user filled), 0 no certificate, -1 a certificate this cluster's CA did not sign. */
int ks_pki_peer_user(struct evhttp_request *req, char *user, size_t len);

#endif

/* Each simulated cluster's credentials, made in-process with OpenSSL 3: an EC P-256 CA, a
 * server certificate for 127.0.0.1 and localhost, a client certificate (CN = user) and a
 * bearer token; the TLS context that checks client certificates against the cluster's own
 * CA; and the kubeconfig file handed to users. No key is ever logged. */
#include "pki.h"
#include "base/alloc.h"
#include "base/base64.h"
#include "base/util.h"

#include <errno.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ks_pki {
    char *ca_pem;
    char *client_cert_pem;
    char *client_key_pem;
};

static char *pem_of_x509(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *out = NULL;
    if (b && PEM_write_bio_X509(b, x)) {
        char *p;
        long n = BIO_get_mem_data(b, &p);
        out = xstrndup(p, (size_t)n);
    }
    BIO_free(b);
    return out;
}

static char *pem_of_key(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *out = NULL;
    if (b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)) {
        char *p;
        long n = BIO_get_mem_data(b, &p);
        out = xstrndup(p, (size_t)n);
    }
    BIO_free(b);
    return out;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ex)
        return -1;
    int ok = X509_add_ext(cert, ex, -1);
    X509_EXTENSION_free(ex);
    return ok ? 0 : -1;
}

/* Makes a certificate for key `key` signed by (issuer, issuer_key); issuer NULL = self-signed. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, const char *org, X509 *issuer,
                       EVP_PKEY *issuer_key, int kind)
{
    X509 *x = X509_new();
    if (!x)
        return NULL;
    unsigned char serial[16];
    RAND_bytes(serial, sizeof(serial));
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);
    X509_set_version(x, 2);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), (long)10 * 365 * 24 * 3600);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    if (org)
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)org, -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509 *iss = issuer ? issuer : x;
    int rc = 0;
    if (kind == 0) {
        rc |= add_ext(x, iss, NID_basic_constraints, "critical,CA:TRUE");
        rc |= add_ext(x, iss, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign");
        rc |= add_ext(x, iss, NID_subject_key_identifier, "hash");
    } else {
        rc |= add_ext(x, iss, NID_basic_constraints, "critical,CA:FALSE");
        rc |= add_ext(x, iss, NID_key_usage, "critical,digitalSignature,keyEncipherment");
        rc |= add_ext(x, iss, NID_authority_key_identifier, "keyid");
        if (kind == 1) {
            rc |= add_ext(x, iss, NID_ext_key_usage, "serverAuth");
            rc |= add_ext(x, iss, NID_subject_alt_name,
                          "IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default");
        } else {
            rc |= add_ext(x, iss, NID_ext_key_usage, "clientAuth");
        }
    }
    if (rc != 0 || !X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256())) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Accepts every certificate during the handshake, like kube-apiserver (tls.RequestClientCert):
 * the verdict is kept in the SSL object and turned into a 401 per request. */
static int verify_accept(int ok, X509_STORE_CTX *ctx)
{
    (void)ok;
    (void)ctx;
    return 1;
}

int ks_pki_create(struct ks_cluster *cl, struct ks_pki **out, char *err, size_t errlen)
{
    EVP_PKEY *ca_key = NULL, *srv_key = NULL, *cli_key = NULL;
    X509 *ca = NULL, *srv = NULL, *cli = NULL;
    SSL_CTX *ctx = NULL;
    struct ks_pki *pki = xcalloc(1, sizeof(*pki));
    int ret = -1;
    char cn[128];

    *out = NULL;
    ca_key = EVP_EC_gen("P-256");
    srv_key = EVP_EC_gen("P-256");
    cli_key = EVP_EC_gen("P-256");
    if (!ca_key || !srv_key || !cli_key) {
        err_set(err, errlen, "cluster \"%s\": cannot generate keys", cl->name);
        goto cleanup;
    }
    snprintf(cn, sizeof(cn), "kubesim-ca-%s", cl->name);
    ca = make_cert(ca_key, cn, NULL, NULL, NULL, 0);
    srv = ca ? make_cert(srv_key, "kube-apiserver", NULL, ca, ca_key, 1) : NULL;
    cli = srv ? make_cert(cli_key, cl->user, "system:masters", ca, ca_key, 2) : NULL;
    if (!cli) {
        err_set(err, errlen, "cluster \"%s\": cannot make certificates", cl->name);
        goto cleanup;
    }

    ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate(ctx, srv) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, srv_key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        err_set(err, errlen, "cluster \"%s\": cannot set up TLS", cl->name);
        goto cleanup;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca);
    SSL_CTX_add_client_CA(ctx, ca);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_accept);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)cl->name,
                                   (unsigned int)strnlen(cl->name, SSL_MAX_SID_CTX_LENGTH));
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    /* ks_coalesce_output may move a pending write's bytes into one chain */
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

    pki->ca_pem = pem_of_x509(ca);
    pki->client_cert_pem = pem_of_x509(cli);
    pki->client_key_pem = pem_of_key(cli_key);
    if (!pki->ca_pem || !pki->client_cert_pem || !pki->client_key_pem) {
        err_set(err, errlen, "cluster \"%s\": cannot encode credentials", cl->name);
        goto cleanup;
    }
    unsigned char tok[18];
    RAND_bytes(tok, sizeof(tok));
    static const char hex[] = "0123456789abcdef";
    /* kubeadm-style token: 6 hex characters "." 16 hex characters */
    for (size_t i = 0; i < 3; i++) {
        cl->token[2 * i] = hex[tok[i] >> 4];
        cl->token[2 * i + 1] = hex[tok[i] & 15];
    }
    cl->token[6] = '.';
    for (size_t i = 0; i < 8; i++) {
        cl->token[7 + 2 * i] = hex[tok[3 + i] >> 4];
        cl->token[8 + 2 * i] = hex[tok[3 + i] & 15];
    }
    cl->token[23] = '\0';

    cl->ssl_ctx = ctx;
    ctx = NULL; /* now owned by the cluster */
    *out = pki;
    pki = NULL;
    ret = 0;
cleanup:
    SSL_CTX_free(ctx);
    X509_free(ca);
    X509_free(srv);
    X509_free(cli);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(srv_key);
    EVP_PKEY_free(cli_key);
    ks_pki_free(pki);
    return ret;
}

void ks_pki_free(struct ks_pki *pki)
{
    if (!pki)
        return;
    free(pki->ca_pem);
    free(pki->client_cert_pem);
    if (pki->client_key_pem) {
        OPENSSL_cleanse(pki->client_key_pem, strlen(pki->client_key_pem));
        free(pki->client_key_pem);
    }
    free(pki);
}

int ks_pki_write_kubeconfig(const struct ks_cluster *cl, const struct ks_pki *pki, const char *dir,
                            char *err, size_t errlen)
{
    char path[4096], tmp[4200];
    char *ca = base64_encode(pki->ca_pem, strlen(pki->ca_pem)), *crt = NULL, *key = NULL;
    FILE *f = NULL;
    int fd = -1, ret = -1;

    snprintf(path, sizeof(path), "%s/%s.kubeconfig", dir, cl->name);
    snprintf(tmp, sizeof(tmp), "%s/.%s.kubeconfig.tmp", dir, cl->name);
    if (!ks_cfg.token_auth) {
        crt = base64_encode(pki->client_cert_pem, strlen(pki->client_cert_pem));
        key = base64_encode(pki->client_key_pem, strlen(pki->client_key_pem));
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || !(f = fdopen(fd, "w"))) {
        err_set(err, errlen, "cannot write \"%s\": %s", tmp, strerror(errno));
        goto cleanup;
    }
    fd = -1; /* now owned by f */
    fprintf(f,
            "apiVersion: v1\n"
            "kind: Config\n"
            "clusters:\n"
            "- name: %s\n"
            "  cluster:\n"
            "    certificate-authority-data: %s\n"
            "    server: https://127.0.0.1:%u\n"
            "users:\n"
            "- name: %s\n"
            "  user:\n",
            cl->name, ca, (unsigned)cl->port, cl->user);
    if (ks_cfg.token_auth)
        fprintf(f, "    token: %s\n", cl->token);
    else
        fprintf(f, "    client-certificate-data: %s\n    client-key-data: %s\n", crt, key);
    fprintf(f,
            "contexts:\n"
            "- name: %s\n"
            "  context:\n"
            "    cluster: %s\n"
            "    user: %s\n"
            "    namespace: default\n"
            "current-context: %s\n"
            "preferences: {}\n",
            cl->name, cl->name, cl->user, cl->name);
    if (fflush(f) != 0 || ferror(f)) {
        err_set(err, errlen, "cannot write \"%s\": %s", tmp, strerror(errno));
        goto cleanup;
    }
    if (fclose(f) != 0) {
        f = NULL;
        err_set(err, errlen, "cannot write \"%s\": %s", tmp, strerror(errno));
        goto cleanup;
    }
    f = NULL;
    if (rename(tmp, path) != 0) {
        err_set(err, errlen, "cannot rename to \"%s\": %s", path, strerror(errno));
        goto cleanup;
    }
    ret = 0;
cleanup:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    if (ret != 0)
        unlink(tmp);
    free(ca);
    free(crt);
    if (key) {
        OPENSSL_cleanse(key, strlen(key));
        free(key);
    }
    return ret;
}

int ks_pki_peer_user(struct evhttp_request *req, char *user, size_t len)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    if (!evcon)
        return 0;
    struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
    SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
    if (!ssl)
        return 0;
    X509 *peer = SSL_get0_peer_certificate(ssl);
    if (!peer)
        return 0;
    if (SSL_get_verify_result(ssl) != X509_V_OK)
        return -1;
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, user, (int)len) < 0)
        return -1;
    return 1;
}

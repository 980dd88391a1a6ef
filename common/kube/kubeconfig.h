/* kubeconfig files: picks one context and resolves its cluster and user into credentials held
 * in memory (PEM text and tokens), which the Kubernetes client (kube.h) uses without ever
 * writing them to a file. Also the JSON form of credentials sealed into cluster records. */
#ifndef VELA_KUBECONFIG_H
#define VELA_KUBECONFIG_H

#include <jansson.h>
#include <stddef.h>

typedef enum { KUBE_AUTH_X509, KUBE_AUTH_TOKEN, KUBE_AUTH_NONE } kube_auth_type;

/* Every pointer is owned by the struct (free with kube_creds_release). PEM buffers are
 * NUL-terminated; *_len excludes the NUL. */
typedef struct kube_creds {
    char *server; /* "https://host:port" (no trailing slash) */
    char *ca_pem;
    size_t ca_len; /* NULL when insecure-skip-tls-verify or system CAs */
    int insecure;  /* insecure-skip-tls-verify: true */
    char *cert_pem;
    size_t cert_len; /* client certificate (X509 auth), else NULL */
    char *key_pem;
    size_t key_len;      /* its private key, else NULL */
    char *token;         /* bearer token (token or tokenFile), else NULL */
    kube_auth_type auth; /* X509 when a client certificate is set, else TOKEN when a
                            token is set, else NONE */
    char *context;       /* the context used (kubeconfig only; may be NULL) */
    char *namespace;     /* the context's namespace, else NULL */
} kube_creds;

/* Largest kubeconfig, certificate or token file read. */
#define KUBECONFIG_MAX_BYTES (4u << 20)

/* Reads the kubeconfig at path and resolves context (NULL: current-context). Relative file
 * paths in it resolve against the kubeconfig's folder. On success fills *out (the caller
 * releases it with kube_creds_release) and returns 0; on failure returns -1, leaves *out
 * zeroed and writes e.g. `kubeconfig "x": context "foo" not found` into err. */
int kubeconfig_load(const char *path, const char *context, kube_creds *out, char *err,
                    size_t errlen);

/* Same from a buffer (YAML or JSON). base_dir resolves relative paths (NULL: the current
 * directory). Errors name the entry and field, without the kubeconfig prefix, e.g.
 * `user "u": client-certificate-data is not valid base64`. */
int kubeconfig_parse(const char *buf, size_t len, const char *base_dir, const char *context,
                     kube_creds *out, char *err, size_t errlen);

/* Frees what the struct holds and zeroes it; safe on a zeroed struct. */
void kube_creds_release(kube_creds *c);

/* "X509Certificate", "ServiceAccountToken" or "None" (a static string). */
const char *kube_auth_type_name(kube_auth_type t);

/* To seal into cluster records: {"server","ca","cert","key","token","insecure"}, absent keys
 * meaning none (PEM as text). Returns a new reference (caller decrefs), NULL when a field is
 * not UTF-8. */
json_t *kube_creds_to_json(const kube_creds *c);

/* The reverse: fills *out (caller releases it) and returns 0, or -1 and a message naming the
 * field. The PEM blocks are checked as in kubeconfig_parse. */
int kube_creds_from_json(const json_t *j, kube_creds *out, char *err, size_t errlen);

/* Deep copy of src into *dst (caller releases it). Returns 0: it cannot fail (running out of
 * memory aborts, base/alloc.h). */
int kube_creds_copy(kube_creds *dst, const kube_creds *src);

#endif

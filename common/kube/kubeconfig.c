/* kubeconfig parsing: YAML (libyaml) into a jansson tree, then the context, cluster and user
 * it names are resolved into in-memory credentials. PEM blocks are checked with OpenSSL so
 * that a bad file is reported here, naming the field, rather than as a TLS failure later. */
#include "kube/kubeconfig.h"

#include "base/alloc.h"
#include "base/util.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define YAML_MAX_DEPTH 64
#define YAML_MAX_NODES 200000

/* ---- YAML to JSON ---------------------------------------------------------------------- */

/* Every scalar becomes a JSON string: kubeconfig fields are strings except a few booleans,
 * which the readers below interpret. */
static json_t *yaml_node_to_json(yaml_document_t *doc, yaml_node_t *node, int depth, size_t *budget)
{
    if (!node || depth > YAML_MAX_DEPTH || *budget == 0)
        return NULL;
    (*budget)--;
    switch (node->type) {
    case YAML_SCALAR_NODE:
        return json_stringn((const char *)node->data.scalar.value, node->data.scalar.length);
    case YAML_SEQUENCE_NODE: {
        json_t *arr = json_array();
        for (yaml_node_item_t *it = node->data.sequence.items.start;
             it < node->data.sequence.items.top; it++) {
            json_t *v = yaml_node_to_json(doc, yaml_document_get_node(doc, *it), depth + 1, budget);
            if (!v || json_array_append_new(arr, v) < 0) {
                json_decref(arr);
                return NULL;
            }
        }
        return arr;
    }
    case YAML_MAPPING_NODE: {
        json_t *obj = json_object();
        for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            if (!k || k->type != YAML_SCALAR_NODE) {
                json_decref(obj);
                return NULL;
            }
            json_t *v = yaml_node_to_json(doc, yaml_document_get_node(doc, p->value), depth + 1,
                                          budget);
            char *key = xstrndup((const char *)k->data.scalar.value, k->data.scalar.length);
            if (!v || json_object_set_new(obj, key, v) < 0) { /* not UTF-8 */
                free(key);
                json_decref(obj);
                return NULL;
            }
            free(key);
        }
        return obj;
    }
    default: return NULL;
    }
}

/* Parses the first YAML document of buf. Returns a new reference, or NULL with a message. */
static json_t *yaml_to_json(const char *buf, size_t len, char *err, size_t errlen)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    json_t *root = NULL;

    if (!yaml_parser_initialize(&parser)) {
        err_set(err, errlen, "libyaml could not set up a parser (out of memory)");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    if (!yaml_parser_load(&parser, &doc)) {
        err_set(err, errlen, "not valid YAML: line %zu column %zu: %s",
                parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                parser.problem ? parser.problem : "parse error");
        yaml_parser_delete(&parser);
        return NULL;
    }
    yaml_node_t *top = yaml_document_get_root_node(&doc);
    if (!top) {
        err_set(err, errlen, "the kubeconfig is empty");
    } else {
        size_t budget = YAML_MAX_NODES;
        root = yaml_node_to_json(&doc, top, 0, &budget);
        if (!root)
            err_set(err, errlen,
                    "not a usable kubeconfig: too deep, too large (aliases "
                    "count each time they are used), not UTF-8, or a "
                    "non-scalar mapping key");
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return root;
}

/* ---- helpers ---------------------------------------------------------------------------- */

/* Base64 as in kubeconfig *-data fields: standard alphabet, padding, newlines allowed.
 * Returns a NUL-terminated malloc'd buffer (caller frees), or NULL if invalid. */
static char *b64_decode(const char *in, size_t inlen, size_t *outlen)
{
    /* Drop whitespace first: EVP_DecodeUpdate accepts only newline-separated lines. */
    char *clean = xmalloc(inlen + 1);
    size_t n = 0;
    for (size_t i = 0; i < inlen; i++)
        if (!isspace((unsigned char)in[i]))
            clean[n++] = in[i];
    if (n == 0 || n % 4 != 0) {
        free(clean);
        return NULL;
    }
    unsigned char *out = xmalloc(n / 4 * 3 + 1);
    EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
    int l1 = 0, l2 = 0;
    if (!ctx || (EVP_DecodeInit(ctx), 0) ||
        EVP_DecodeUpdate(ctx, out, &l1, (unsigned char *)clean, (int)n) < 0 ||
        EVP_DecodeFinal(ctx, out + l1, &l2) < 0) {
        free(out);
        out = NULL;
    } else {
        out[l1 + l2] = '\0';
        *outlen = (size_t)(l1 + l2);
    }
    EVP_ENCODE_CTX_free(ctx);
    free(clean);
    return (char *)out;
}

static int count_pem_certs(const char *pem, size_t len)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    int n = 0;
    X509 *x;
    if (!bio)
        return 0;
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        X509_free(x);
        n++;
    }
    BIO_free(bio);
    ERR_clear_error();
    return n;
}

static EVP_PKEY *read_pem_key(const char *pem, size_t len)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"") : NULL;
    BIO_free(bio);
    ERR_clear_error();
    return k;
}

static X509 *read_pem_cert(const char *pem, size_t len)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    ERR_clear_error();
    return x;
}

/* Checks that the PEM blocks are what their fields say. what: "cluster \"c\"" or the like. */
static int check_pem(const kube_creds *c, const char *who, const char *ca_field,
                     const char *cert_field, const char *key_field, char *err, size_t errlen)
{
    if (c->ca_pem && count_pem_certs(c->ca_pem, c->ca_len) == 0)
        return err_set(err, errlen, "%s: %s holds no PEM certificate", who, ca_field);
    if (!c->cert_pem)
        return 0;
    X509 *x = read_pem_cert(c->cert_pem, c->cert_len);
    if (!x)
        return err_set(err, errlen, "%s: %s holds no PEM certificate", who, cert_field);
    EVP_PKEY *k = read_pem_key(c->key_pem, c->key_len);
    if (!k) {
        X509_free(x);
        return err_set(err, errlen, "%s: %s holds no PEM private key", who, key_field);
    }
    int ok = X509_check_private_key(x, k);
    X509_free(x);
    EVP_PKEY_free(k);
    ERR_clear_error();
    if (!ok)
        return err_set(err, errlen, "%s: %s does not match %s", who, key_field, cert_field);
    return 0;
}

static const char *get_str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A field that must be a string if present. Returns 0 (absent: *out NULL) or -1. */
static int opt_str(const json_t *obj, const char *key, const char **out, const char *who, char *err,
                   size_t errlen)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return err_set(err, errlen, "%s: %s must be a string", who, key);
    *out = json_string_value(v);
    if (**out == '\0')
        *out = NULL; /* an empty value counts as unset, as in client-go */
    return 0;
}

static int opt_bool(const json_t *obj, const char *key, int *out, const char *who, char *err,
                    size_t errlen)
{
    const json_t *v = json_object_get(obj, key);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    const char *s = json_is_string(v) ? json_string_value(v) : "?";
    if (!strcasecmp(s, "true") || !strcmp(s, "1"))
        *out = 1;
    else if (!strcasecmp(s, "false") || !strcmp(s, "0") || !*s)
        *out = 0;
    else
        return err_set(err, errlen, "%s: %s must be true or false, not \"%s\"", who, key, s);
    return 0;
}

static char *join_path(const char *base_dir, const char *path)
{
    if (path[0] == '/' || !base_dir || !*base_dir)
        return xstrdup(path);
    return xasprintf("%s/%s", base_dir, path);
}

/* Reads the "<field>-data" (base64) or "<field>" (file) variant into *pem. */
static int read_data_or_file(const json_t *obj, const char *field, const char *base_dir,
                             const char *who, char **pem, size_t *len, char *err, size_t errlen)
{
    char data_key[64];
    const char *data, *file;
    snprintf(data_key, sizeof(data_key), "%s-data", field);
    *pem = NULL;
    *len = 0;
    if (opt_str(obj, data_key, &data, who, err, errlen) < 0 ||
        opt_str(obj, field, &file, who, err, errlen) < 0)
        return -1;
    if (data && file)
        return err_set(err, errlen, "%s: %s and %s are both set; keep one", who, data_key, field);
    if (data) {
        *pem = b64_decode(data, strlen(data), len);
        if (!*pem)
            return err_set(err, errlen, "%s: %s is not valid base64", who, data_key);
        return 0;
    }
    if (file) {
        char *path = join_path(base_dir, file);
        char rerr[512];
        if (read_file(path, KUBECONFIG_MAX_BYTES, pem, len, rerr, sizeof(rerr)) < 0) {
            err_set(err, errlen, "%s: %s: %s", who, field, rerr);
            free(path);
            return -1;
        }
        free(path);
    }
    return 0;
}

/* Finds the entry named name in the list at root[list] ({"name":..., item: {...}}). Returns
 * the inner object, or NULL with *found = 0 when absent; -1 status on malformed lists. */
static int find_named(const json_t *root, const char *list, const char *item, const char *name,
                      const json_t **out, char *err, size_t errlen)
{
    const json_t *arr = json_object_get(root, list);
    size_t i;
    const json_t *e;
    *out = NULL;
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return err_set(err, errlen, "%s must be a list", list);
    json_array_foreach(arr, i, e) {
        const char *n = json_is_object(e) ? get_str(e, "name") : NULL;
        if (!n)
            return err_set(err, errlen, "%s[%zu] has no name", list, i);
        if (strcmp(n, name) != 0)
            continue;
        const json_t *inner = json_object_get(e, item);
        if (!json_is_object(inner))
            return err_set(err, errlen, "%s \"%s\": %s is missing or not a mapping", item, name,
                           item);
        *out = inner;
        return 0;
    }
    return 0;
}

/* ---- public ----------------------------------------------------------------------------- */

void kube_creds_release(kube_creds *c)
{
    if (!c)
        return;
    free(c->server);
    if (c->key_pem)
        OPENSSL_cleanse(c->key_pem, c->key_len);
    if (c->token)
        OPENSSL_cleanse(c->token, strlen(c->token));
    free(c->ca_pem);
    free(c->cert_pem);
    free(c->key_pem);
    free(c->token);
    free(c->context);
    free(c->namespace);
    memset(c, 0, sizeof(*c));
}

const char *kube_auth_type_name(kube_auth_type t)
{
    switch (t) {
    case KUBE_AUTH_X509: return "X509Certificate";
    case KUBE_AUTH_TOKEN: return "ServiceAccountToken";
    default: return "None";
    }
}

static int check_server(const char *server, const char *who, char **out, char *err, size_t errlen)
{
    if (strncmp(server, "https://", 8) != 0 && strncmp(server, "http://", 7) != 0)
        return err_set(err, errlen, "%s: server \"%s\" is not an http(s) URL", who, server);
    const char *host = strstr(server, "://") + 3;
    if (!*host || *host == '/')
        return err_set(err, errlen, "%s: server \"%s\" has no host", who, server);
    size_t n = strlen(server);
    while (n > 0 && server[n - 1] == '/')
        n--;
    *out = xstrndup(server, n);
    return 0;
}

static void set_auth(kube_creds *c)
{
    c->auth = c->cert_pem ? KUBE_AUTH_X509 : c->token ? KUBE_AUTH_TOKEN : KUBE_AUTH_NONE;
}

static int trim_token(char **tok)
{
    char *t = *tok;
    size_t n = strlen(t);
    while (n > 0 && isspace((unsigned char)t[n - 1]))
        t[--n] = '\0';
    size_t s = 0;
    while (t[s] && isspace((unsigned char)t[s]))
        s++;
    memmove(t, t + s, n - s + 1);
    return t[0] ? 0 : -1;
}

static int resolve_user(const json_t *user, const char *uname, const char *base_dir, kube_creds *c,
                        char *err, size_t errlen)
{
    char who[300];
    const char *token, *token_file;
    snprintf(who, sizeof(who), "user \"%s\"", uname);

    if (json_object_get(user, "exec"))
        return err_set(err, errlen,
                       "%s: exec credential plugins are not supported; use a "
                       "client certificate or a token",
                       who);
    if (json_object_get(user, "auth-provider"))
        return err_set(err, errlen,
                       "%s: auth-provider is not supported; use a client "
                       "certificate or a token",
                       who);
    if (get_str(user, "username") || get_str(user, "password"))
        return err_set(err, errlen,
                       "%s: basic authentication (username/password) is not "
                       "supported; use a client certificate or a token",
                       who);
    if (read_data_or_file(user, "client-certificate", base_dir, who, &c->cert_pem, &c->cert_len,
                          err, errlen) < 0 ||
        read_data_or_file(user, "client-key", base_dir, who, &c->key_pem, &c->key_len, err,
                          errlen) < 0)
        return -1;
    if (c->cert_pem && !c->key_pem)
        return err_set(err, errlen, "%s: client-certificate is set but client-key is missing", who);
    if (c->key_pem && !c->cert_pem)
        return err_set(err, errlen, "%s: client-key is set but client-certificate is missing", who);
    if (opt_str(user, "token", &token, who, err, errlen) < 0 ||
        opt_str(user, "tokenFile", &token_file, who, err, errlen) < 0)
        return -1;
    if (token) { /* token wins over tokenFile, as in client-go */
        c->token = xstrdup(token);
        if (trim_token(&c->token) < 0)
            return err_set(err, errlen, "%s: token is empty", who);
    } else if (token_file) {
        char *path = join_path(base_dir, token_file), rerr[512];
        size_t len;
        int rc = read_file(path, KUBECONFIG_MAX_BYTES, &c->token, &len, rerr, sizeof(rerr));
        free(path);
        if (rc < 0)
            return err_set(err, errlen, "%s: tokenFile: %s", who, rerr);
        if (strlen(c->token) != len)
            return err_set(err, errlen, "%s: tokenFile \"%s\" holds a NUL byte", who, token_file);
        if (trim_token(&c->token) < 0)
            return err_set(err, errlen, "%s: tokenFile \"%s\" is empty", who, token_file);
    }
    if (c->token) {
        for (const char *p = c->token; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return err_set(err, errlen, "%s: the token holds control characters", who);
    }
    return 0;
}

static int resolve_cluster(const json_t *cl, const char *cname, const char *base_dir, kube_creds *c,
                           char *err, size_t errlen)
{
    char who[300];
    const char *server;
    snprintf(who, sizeof(who), "cluster \"%s\"", cname);
    if (opt_str(cl, "server", &server, who, err, errlen) < 0)
        return -1;
    if (!server)
        return err_set(err, errlen, "%s: server is missing", who);
    if (check_server(server, who, &c->server, err, errlen) < 0)
        return -1;
    if (opt_bool(cl, "insecure-skip-tls-verify", &c->insecure, who, err, errlen) < 0)
        return -1;
    /* Refused rather than ignored: without them the client would go elsewhere or verify
     * another name, and fail with a confusing network or TLS error. */
    static const char *unsupported[] = {"proxy-url", "tls-server-name"};
    for (size_t i = 0; i < ARRAY_LEN(unsupported); i++)
        if (get_str(cl, unsupported[i]) && *get_str(cl, unsupported[i]))
            return err_set(err, errlen, "%s: %s is not supported", who, unsupported[i]);
    if (read_data_or_file(cl, "certificate-authority", base_dir, who, &c->ca_pem, &c->ca_len, err,
                          errlen) < 0)
        return -1;
    if (c->insecure && c->ca_pem)
        return err_set(err, errlen,
                       "%s: insecure-skip-tls-verify is true but a "
                       "certificate-authority is set; keep one",
                       who);
    return 0;
}

int kubeconfig_parse(const char *buf, size_t len, const char *base_dir, const char *context,
                     kube_creds *out, char *err, size_t errlen)
{
    kube_creds c = {0};
    const json_t *ctx, *cl, *user = NULL;
    const char *cname, *uname, *ns;
    json_t *root = yaml_to_json(buf, len, err, errlen);

    memset(out, 0, sizeof(*out));
    if (!root)
        return -1;
    if (!json_is_object(root)) {
        err_set(err, errlen, "not a kubeconfig: the top level is not a mapping");
        goto fail;
    }
    const char *kind = get_str(root, "kind");
    if (kind && strcmp(kind, "Config") != 0) {
        err_set(err, errlen, "not a kubeconfig: kind is \"%s\", not \"Config\"", kind);
        goto fail;
    }
    if (!context || !*context) {
        context = get_str(root, "current-context");
        if (!context || !*context) {
            err_set(err, errlen, "current-context is not set; name a context");
            goto fail;
        }
    }
    if (find_named(root, "contexts", "context", context, &ctx, err, errlen) < 0)
        goto fail;
    if (!ctx) {
        err_set(err, errlen, "context \"%s\" not found", context);
        goto fail;
    }
    char who[300];
    snprintf(who, sizeof(who), "context \"%s\"", context);
    if (opt_str(ctx, "cluster", &cname, who, err, errlen) < 0 ||
        opt_str(ctx, "user", &uname, who, err, errlen) < 0 ||
        opt_str(ctx, "namespace", &ns, who, err, errlen) < 0)
        goto fail;
    if (!cname) {
        err_set(err, errlen, "%s: cluster is missing", who);
        goto fail;
    }
    if (find_named(root, "clusters", "cluster", cname, &cl, err, errlen) < 0)
        goto fail;
    if (!cl) {
        err_set(err, errlen, "cluster \"%s\" (of context \"%s\") not found", cname, context);
        goto fail;
    }
    if (uname) {
        if (find_named(root, "users", "user", uname, &user, err, errlen) < 0)
            goto fail;
        if (!user) {
            err_set(err, errlen, "user \"%s\" (of context \"%s\") not found", uname, context);
            goto fail;
        }
    }
    if (resolve_cluster(cl, cname, base_dir, &c, err, errlen) < 0)
        goto fail;
    if (user && resolve_user(user, uname, base_dir, &c, err, errlen) < 0)
        goto fail;
    char cwho[300], uwho[300];
    snprintf(cwho, sizeof(cwho), "cluster \"%s\"", cname);
    snprintf(uwho, sizeof(uwho), "user \"%s\"", uname ? uname : "");
    if (c.ca_pem && count_pem_certs(c.ca_pem, c.ca_len) == 0) {
        err_set(err, errlen, "%s: certificate-authority%s holds no PEM certificate", cwho,
                json_object_get(cl, "certificate-authority-data") ? "-data" : "");
        goto fail;
    }
    if (c.cert_pem) {
        int cert_data = json_object_get(user, "client-certificate-data") != NULL;
        int key_data = json_object_get(user, "client-key-data") != NULL;
        if (check_pem(&c, uwho, "certificate-authority",
                      cert_data ? "client-certificate-data" : "client-certificate",
                      key_data ? "client-key-data" : "client-key", err, errlen) < 0)
            goto fail;
    }
    c.context = xstrdup(context);
    c.namespace = ns ? xstrdup(ns) : NULL;
    set_auth(&c);
    json_decref(root);
    *out = c;
    return 0;
fail:
    json_decref(root);
    kube_creds_release(&c);
    return -1;
}

int kubeconfig_load(const char *path, const char *context, kube_creds *out, char *err,
                    size_t errlen)
{
    char *buf = NULL, *dir = NULL, perr[1024];
    size_t len;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (read_file(path, KUBECONFIG_MAX_BYTES, &buf, &len, perr, sizeof(perr)) < 0)
        return err_set(err, errlen, "kubeconfig: %s", perr);
    dir = xstrdup(strchr(path, '/') ? path : ".");
    char *slash = strrchr(dir, '/');
    if (slash)
        slash == dir ? (void)(slash[1] = '\0') : (void)(*slash = '\0');
    if (kubeconfig_parse(buf, len, dir, context, out, perr, sizeof(perr)) < 0) {
        err_set(err, errlen, "kubeconfig \"%s\": %s", path, perr);
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(buf);
    free(dir);
    return rc;
}

/* ---- JSON form -------------------------------------------------------------------------- */

json_t *kube_creds_to_json(const kube_creds *c)
{
    json_t *j = json_object();
    int bad = 0; /* json_string and json_stringn refuse text that is not UTF-8 */
    if (c->server)
        bad |= json_object_set_new(j, "server", json_string(c->server));
    if (c->ca_pem)
        bad |= json_object_set_new(j, "ca", json_stringn(c->ca_pem, c->ca_len));
    if (c->cert_pem)
        bad |= json_object_set_new(j, "cert", json_stringn(c->cert_pem, c->cert_len));
    if (c->key_pem)
        bad |= json_object_set_new(j, "key", json_stringn(c->key_pem, c->key_len));
    if (c->token)
        bad |= json_object_set_new(j, "token", json_string(c->token));
    if (c->insecure)
        bad |= json_object_set_new(j, "insecure", json_true());
    if (bad) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static int dup_json_str(const json_t *j, const char *key, char **out, size_t *len, char *err,
                        size_t errlen)
{
    const json_t *v = json_object_get(j, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return err_set(err, errlen, "credentials: %s must be a string", key);
    *out = xstrndup(json_string_value(v), json_string_length(v));
    if (len)
        *len = json_string_length(v);
    return 0;
}

int kube_creds_from_json(const json_t *j, kube_creds *out, char *err, size_t errlen)
{
    kube_creds c = {0};
    char *server = NULL;
    memset(out, 0, sizeof(*out));
    if (!json_is_object(j))
        return err_set(err, errlen, "credentials: not a JSON object");
    if (dup_json_str(j, "server", &server, NULL, err, errlen) < 0)
        goto fail;
    if (!server) {
        err_set(err, errlen, "credentials: server is missing");
        goto fail;
    }
    if (check_server(server, "credentials", &c.server, err, errlen) < 0)
        goto fail;
    if (dup_json_str(j, "ca", &c.ca_pem, &c.ca_len, err, errlen) < 0 ||
        dup_json_str(j, "cert", &c.cert_pem, &c.cert_len, err, errlen) < 0 ||
        dup_json_str(j, "key", &c.key_pem, &c.key_len, err, errlen) < 0 ||
        dup_json_str(j, "token", &c.token, NULL, err, errlen) < 0)
        goto fail;
    const json_t *ins = json_object_get(j, "insecure");
    if (ins && !json_is_boolean(ins)) {
        err_set(err, errlen, "credentials: insecure must be true or false");
        goto fail;
    }
    c.insecure = json_is_true(ins);
    if (!c.cert_pem != !c.key_pem) {
        err_set(err, errlen, "credentials: cert and key go together");
        goto fail;
    }
    if (check_pem(&c, "credentials", "ca", "cert", "key", err, errlen) < 0)
        goto fail;
    set_auth(&c);
    free(server);
    *out = c;
    return 0;
fail:
    free(server);
    kube_creds_release(&c);
    return -1;
}

/* A NUL-terminated copy of len bytes of src (which may hold NULs); NULL for a NULL src. */
static char *dup_mem(const char *src, size_t len)
{
    if (!src)
        return NULL;
    char *d = xmalloc(len + 1);
    memcpy(d, src, len);
    d[len] = '\0';
    return d;
}

static char *dup_str(const char *src)
{
    return src ? xstrdup(src) : NULL;
}

int kube_creds_copy(kube_creds *dst, const kube_creds *src)
{
    kube_creds c = {0};
    c.insecure = src->insecure;
    c.auth = src->auth;
    c.ca_len = src->ca_len;
    c.cert_len = src->cert_len;
    c.key_len = src->key_len;
    c.server = dup_str(src->server);
    c.ca_pem = dup_mem(src->ca_pem, src->ca_len);
    c.cert_pem = dup_mem(src->cert_pem, src->cert_len);
    c.key_pem = dup_mem(src->key_pem, src->key_len);
    c.token = dup_str(src->token);
    c.context = dup_str(src->context);
    c.namespace = dup_str(src->namespace);
    *dst = c;
    return 0;
}

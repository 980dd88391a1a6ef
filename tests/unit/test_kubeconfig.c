/* kubeconfig parsing: every field, relative paths, tokenFile, the JSON form of credentials,
 * and a table of broken kubeconfigs with the exact error each must give. Keys and
 * certificates are generated here with OpenSSL, so the test needs no fixture files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/kubeconfig.h"
#include "base/util.h"

static char *ca_pem, *cert_pem, *key_pem, *other_key_pem;
static char *ca_b64, *cert_b64, *key_b64, *other_key_b64;
static char tmpdir[64];

static char *key_to_pem(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *out = strndup(p, (size_t)n);
    BIO_free(b);
    return out;
}

static char *self_signed(EVP_PKEY *k, const char *cn)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, k);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_sign(x, k, EVP_sha256());
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *out = strndup(p, (size_t)n);
    BIO_free(b);
    X509_free(x);
    return out;
}

static char *b64(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
    return out;
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    EVP_PKEY *ca = EVP_EC_gen("P-256"), *cl = EVP_EC_gen("P-256"), *other = EVP_EC_gen("P-256");
    ca_pem = self_signed(ca, "test-ca");
    cert_pem = self_signed(cl, "admin");
    key_pem = key_to_pem(cl);
    other_key_pem = key_to_pem(other);
    EVP_PKEY_free(ca);
    EVP_PKEY_free(cl);
    EVP_PKEY_free(other);
    ca_b64 = b64(ca_pem);
    cert_b64 = b64(cert_pem);
    key_b64 = b64(key_pem);
    other_key_b64 = b64(other_key_pem);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/vela-kubeconfig.XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/certs", tmpdir);
    mkdir(sub, 0700);
    write_text(sub, "ca.crt", ca_pem);
    write_text(sub, "client.crt", cert_pem);
    write_text(sub, "client.key", key_pem);
    write_text(tmpdir, "token", "  s3cret-token\n\n");
    write_text(tmpdir, "empty-token", "\n");
    (void)state;
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        return -1;
    free(ca_pem), free(cert_pem), free(key_pem), free(other_key_pem);
    free(ca_b64), free(cert_b64), free(key_b64), free(other_key_b64);
    (void)state;
    return 0;
}

/* A kubeconfig with one context "ctx" -> cluster "c", user "u", with the given bodies. */
static char *kc_text(const char *cluster_body, const char *user_body)
{
    char *s = NULL;
    if (asprintf(&s,
                 "apiVersion: v1\nkind: Config\ncurrent-context: ctx\n"
                 "clusters:\n- name: c\n  cluster:\n%s\n"
                 "users:\n- name: u\n  user:\n%s\n"
                 "contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n"
                 "    namespace: team-a\n",
                 cluster_body, user_body) < 0)
        return NULL;
    return s;
}

static int parse_text(const char *text, const char *context, kube_creds *c, char *err,
                      size_t errlen)
{
    return kubeconfig_parse(text, strlen(text), tmpdir, context, c, err, errlen);
}

static void test_x509_data_fields(void **state)
{
    char cb[4096], ub[8192], err[512] = "";
    kube_creds c;
    snprintf(cb, sizeof(cb),
             "    server: https://127.0.0.1:6443/\n"
             "    certificate-authority-data: %s",
             ca_b64);
    snprintf(ub, sizeof(ub), "    client-certificate-data: %s\n    client-key-data: %s", cert_b64,
             key_b64);
    char *text = kc_text(cb, ub);
    int rc = parse_text(text, NULL, &c, err, sizeof(err));
    assert_int_equal(rc, 0);
    assert_string_equal(c.server, "https://127.0.0.1:6443"); /* trailing slash dropped */
    assert_string_equal(c.ca_pem, ca_pem);
    assert_int_equal(c.ca_len, strlen(ca_pem));
    assert_string_equal(c.cert_pem, cert_pem);
    assert_string_equal(c.key_pem, key_pem);
    assert_null(c.token);
    assert_int_equal(c.insecure, 0);
    assert_int_equal(c.auth, KUBE_AUTH_X509);
    assert_string_equal(kube_auth_type_name(c.auth), "X509Certificate");
    assert_string_equal(c.context, "ctx");
    assert_string_equal(c.namespace, "team-a");
    kube_creds_release(&c);
    free(text);
    (void)state;
}

static void test_relative_files(void **state)
{
    char err[512] = "", path[256];
    kube_creds c;
    char *text = kc_text("    server: https://localhost:1\n"
                         "    certificate-authority: certs/ca.crt",
                         "    client-certificate: certs/client.crt\n"
                         "    client-key: certs/client.key");
    write_text(tmpdir, "rel.kubeconfig", text);
    snprintf(path, sizeof(path), "%s/rel.kubeconfig", tmpdir);
    int rc = kubeconfig_load(path, NULL, &c, err, sizeof(err));
    if (rc)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    assert_string_equal(c.ca_pem, ca_pem);
    assert_string_equal(c.cert_pem, cert_pem);
    assert_string_equal(c.key_pem, key_pem);
    assert_int_equal(c.auth, KUBE_AUTH_X509);
    kube_creds_release(&c);
    free(text);

    /* Absolute paths are taken as they are, whatever the base folder. */
    char cb[512];
    snprintf(cb, sizeof(cb),
             "    server: https://localhost:1\n"
             "    certificate-authority: %s/certs/ca.crt",
             tmpdir);
    text = kc_text(cb, "    token: t");
    rc = kubeconfig_parse(text, strlen(text), "/nonexistent", NULL, &c, err, sizeof(err));
    assert_int_equal(rc, 0);
    assert_string_equal(c.ca_pem, ca_pem);
    kube_creds_release(&c);
    free(text);
    (void)state;
}

static void test_token_and_token_file(void **state)
{
    char err[512] = "";
    kube_creds c;
    char *text = kc_text("    server: https://h:1\n    insecure-skip-tls-verify: true",
                         "    token: abc.def");
    assert_int_equal(parse_text(text, NULL, &c, err, sizeof(err)), 0);
    assert_string_equal(c.token, "abc.def");
    assert_int_equal(c.auth, KUBE_AUTH_TOKEN);
    assert_string_equal(kube_auth_type_name(c.auth), "ServiceAccountToken");
    assert_int_equal(c.insecure, 1);
    assert_null(c.ca_pem);
    assert_null(c.cert_pem);
    kube_creds_release(&c);
    free(text);

    /* tokenFile: relative to the kubeconfig's folder, surrounding whitespace trimmed. */
    text = kc_text("    server: https://h:1", "    tokenFile: token");
    assert_int_equal(parse_text(text, NULL, &c, err, sizeof(err)), 0);
    assert_string_equal(c.token, "s3cret-token");
    assert_int_equal(c.auth, KUBE_AUTH_TOKEN);
    assert_null(c.ca_pem); /* system CAs */
    kube_creds_release(&c);
    free(text);

    /* token wins over tokenFile, as in client-go. */
    text = kc_text("    server: https://h:1", "    token: inline\n    tokenFile: missing");
    assert_int_equal(parse_text(text, NULL, &c, err, sizeof(err)), 0);
    assert_string_equal(c.token, "inline");
    kube_creds_release(&c);
    free(text);
    (void)state;
}

static void test_contexts_and_json(void **state)
{
    char err[512] = "";
    kube_creds c;
    const char *text =
        "{\"apiVersion\":\"v1\",\"kind\":\"Config\",\"current-context\":\"a\","
        "\"clusters\":[{\"name\":\"ca\",\"cluster\":{\"server\":\"https://a:1\"}},"
        "{\"name\":\"cb\",\"cluster\":{\"server\":\"http://b:2\","
        "\"insecure-skip-tls-verify\":false}}],"
        "\"users\":[{\"name\":\"ua\",\"user\":{\"token\":\"ta\"}}],"
        "\"contexts\":[{\"name\":\"a\",\"context\":{\"cluster\":\"ca\",\"user\":\"ua\"}},"
        "{\"name\":\"b\",\"context\":{\"cluster\":\"cb\"}}]}";
    assert_int_equal(parse_text(text, NULL, &c, err, sizeof(err)), 0);
    assert_string_equal(c.server, "https://a:1");
    assert_string_equal(c.token, "ta");
    assert_null(c.namespace);
    kube_creds_release(&c);
    /* An explicit context overrides current-context; a context without user: no auth. */
    assert_int_equal(parse_text(text, "b", &c, err, sizeof(err)), 0);
    assert_string_equal(c.server, "http://b:2");
    assert_int_equal(c.auth, KUBE_AUTH_NONE);
    assert_string_equal(kube_auth_type_name(c.auth), "None");
    assert_string_equal(c.context, "b");
    kube_creds_release(&c);
    (void)state;
}

static void test_creds_json_round_trip(void **state)
{
    char cb[4096], ub[8192], err[512] = "";
    kube_creds c, d, e;
    snprintf(cb, sizeof(cb),
             "    server: https://127.0.0.1:6443\n"
             "    certificate-authority-data: %s",
             ca_b64);
    snprintf(ub, sizeof(ub),
             "    client-certificate-data: %s\n    client-key-data: %s\n"
             "    token: tok",
             cert_b64, key_b64);
    char *text = kc_text(cb, ub);
    assert_int_equal(parse_text(text, NULL, &c, err, sizeof(err)), 0);
    json_t *j = kube_creds_to_json(&c);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "server")), c.server);
    assert_string_equal(json_string_value(json_object_get(j, "ca")), ca_pem);
    assert_string_equal(json_string_value(json_object_get(j, "key")), key_pem);
    assert_null(json_object_get(j, "insecure"));
    assert_int_equal(kube_creds_from_json(j, &d, err, sizeof(err)), 0);
    assert_string_equal(d.server, c.server);
    assert_string_equal(d.ca_pem, c.ca_pem);
    assert_string_equal(d.cert_pem, c.cert_pem);
    assert_string_equal(d.key_pem, c.key_pem);
    assert_string_equal(d.token, "tok");
    assert_int_equal(d.auth, KUBE_AUTH_X509); /* a certificate wins the auth type */
    assert_int_equal(kube_creds_copy(&e, &d), 0);
    assert_string_equal(e.key_pem, key_pem);
    assert_int_equal(e.key_len, d.key_len);
    json_decref(j);
    kube_creds_release(&d);

    /* from_json errors name the field. */
    json_t *bad = json_pack("{s:s, s:s}", "server", "https://x:1", "ca", "not pem");
    assert_int_equal(kube_creds_from_json(bad, &d, err, sizeof(err)), -1);
    assert_string_equal(err, "credentials: ca holds no PEM certificate");
    json_decref(bad);
    bad = json_pack("{s:s}", "token", "t");
    assert_int_equal(kube_creds_from_json(bad, &d, err, sizeof(err)), -1);
    assert_string_equal(err, "credentials: server is missing");
    json_decref(bad);
    bad = json_pack("{s:s, s:s}", "server", "https://x:1", "cert", cert_pem);
    assert_int_equal(kube_creds_from_json(bad, &d, err, sizeof(err)), -1);
    assert_string_equal(err, "credentials: cert and key go together");
    json_decref(bad);

    kube_creds_release(&c);
    kube_creds_release(&d);
    kube_creds_release(&e);
    kube_creds_release(&e); /* twice is harmless */
    free(text);
    (void)state;
}

static void test_load_errors(void **state)
{
    char err[512] = "", path[256];
    kube_creds c;
    assert_int_equal(kubeconfig_load("/nonexistent/x", NULL, &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot open \"/nonexistent/x\""));
    char *text = kc_text("    server: https://h:1", "    token: t");
    write_text(tmpdir, "x", text);
    snprintf(path, sizeof(path), "%s/x", tmpdir);
    assert_int_equal(kubeconfig_load(path, "foo", &c, err, sizeof(err)), -1);
    char want[512];
    snprintf(want, sizeof(want), "kubeconfig \"%s\": context \"foo\" not found", path);
    assert_string_equal(err, want);
    assert_null(c.server); /* zeroed on failure */
    free(text);
    (void)state;
}

/* Broken kubeconfigs: cluster body, user body (kc_text), or a whole text; and the error. */
static void test_error_table(void **state)
{
    char bad_b64_user[256], mismatch_user[8192], both_ca[4096], ins_ca[4096], no_key[4096];
    snprintf(bad_b64_user, sizeof(bad_b64_user),
             "    client-certificate-data: '***not base64***'\n    client-key-data: x");
    snprintf(mismatch_user, sizeof(mismatch_user),
             "    client-certificate-data: %s\n    client-key-data: %s", cert_b64, other_key_b64);
    snprintf(both_ca, sizeof(both_ca),
             "    server: https://h:1\n    certificate-authority-data: %s\n"
             "    certificate-authority: certs/ca.crt",
             ca_b64);
    snprintf(ins_ca, sizeof(ins_ca),
             "    server: https://h:1\n    certificate-authority-data: %s\n"
             "    insecure-skip-tls-verify: true",
             ca_b64);
    snprintf(no_key, sizeof(no_key), "    client-certificate-data: %s", cert_b64);
    char not_pem_cert[256];
    snprintf(not_pem_cert, sizeof(not_pem_cert),
             "    client-certificate-data: aGVsbG8=\n    client-key-data: aGVsbG8=");
    char bad_key[8192];
    snprintf(bad_key, sizeof(bad_key),
             "    client-certificate-data: %s\n"
             "    client-key-data: aGVsbG8=",
             cert_b64);

    const struct {
        const char *name, *cluster, *user, *whole, *context, *want;
    } cases[] = {
        {"invalid base64", "    server: https://h:1", bad_b64_user, NULL, NULL,
         "user \"u\": client-certificate-data is not valid base64"},
        {"base64 with wrong padding",
         "    server: https://h:1\n"
         "    certificate-authority-data: aGVsbG8",
         "    token: t", NULL, NULL,
         "cluster \"c\": certificate-authority-data is not valid base64"},
        {"ca data not PEM",
         "    server: https://h:1\n    certificate-authority-data: aGVsbG8=", "    token: t", NULL,
         NULL, "cluster \"c\": certificate-authority-data holds no PEM certificate"},
        {"client certificate not PEM", "    server: https://h:1", not_pem_cert, NULL, NULL,
         "user \"u\": client-certificate-data holds no PEM certificate"},
        {"client key not PEM", "    server: https://h:1", bad_key, NULL, NULL,
         "user \"u\": client-key-data holds no PEM private key"},
        {"key does not match certificate", "    server: https://h:1", mismatch_user, NULL, NULL,
         "user \"u\": client-key-data does not match client-certificate-data"},
        {"certificate without key", "    server: https://h:1", no_key, NULL, NULL,
         "user \"u\": client-certificate is set but client-key is missing"},
        {"missing server", "    insecure-skip-tls-verify: true", "    token: t", NULL, NULL,
         "cluster \"c\": server is missing"},
        {"server not a URL", "    server: h:6443", "    token: t", NULL, NULL,
         "cluster \"c\": server \"h:6443\" is not an http(s) URL"},
        {"bad boolean", "    server: https://h:1\n    insecure-skip-tls-verify: maybe",
         "    token: t", NULL, NULL,
         "cluster \"c\": insecure-skip-tls-verify must be true or false, not \"maybe\""},
        {"both ca forms", both_ca, "    token: t", NULL, NULL,
         "cluster \"c\": certificate-authority-data and certificate-authority are both set; "
         "keep one"},
        {"insecure with ca", ins_ca, "    token: t", NULL, NULL,
         "cluster \"c\": insecure-skip-tls-verify is true but a certificate-authority is set; "
         "keep one"},
        {"missing ca file", "    server: https://h:1\n    certificate-authority: nope.crt",
         "    token: t", NULL, NULL, NULL /* checked by prefix below */},
        {"missing token file", "    server: https://h:1", "    tokenFile: nope", NULL, NULL, NULL},
        {"empty token file", "    server: https://h:1", "    tokenFile: empty-token", NULL, NULL,
         "user \"u\": tokenFile \"empty-token\" is empty"},
        {"proxy-url", "    server: https://h:1\n    proxy-url: http://proxy:3128", "    token: t",
         NULL, NULL, "cluster \"c\": proxy-url is not supported"},
        {"tls-server-name", "    server: https://h:1\n    tls-server-name: api.internal",
         "    token: t", NULL, NULL, "cluster \"c\": tls-server-name is not supported"},
        {"exec plugin", "    server: https://h:1",
         "    exec:\n      command: aws\n      apiVersion: client.authentication.k8s.io/v1", NULL,
         NULL,
         "user \"u\": exec credential plugins are not supported; use a client certificate or "
         "a token"},
        {"basic auth", "    server: https://h:1", "    username: a\n    password: b", NULL, NULL,
         "user \"u\": basic authentication (username/password) is not supported; use a "
         "client certificate or a token"},
        {"unknown context", "    server: https://h:1", "    token: t", NULL, "foo",
         "context \"foo\" not found"},
        {"no current-context", NULL, NULL, "clusters: []\ncontexts: []\nusers: []\n", NULL,
         "current-context is not set; name a context"},
        {"context names a missing cluster", NULL, NULL,
         "current-context: a\ncontexts:\n- name: a\n  context: {cluster: gone, user: u}\n", NULL,
         "cluster \"gone\" (of context \"a\") not found"},
        {"context names a missing user", NULL, NULL,
         "current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h:1'}\n"
         "contexts:\n- name: a\n  context: {cluster: c, user: who}\n",
         NULL, "user \"who\" (of context \"a\") not found"},
        {"context without cluster", NULL, NULL,
         "current-context: a\ncontexts:\n- name: a\n  context: {user: u}\n", NULL,
         "context \"a\": cluster is missing"},
        {"entry without name", NULL, NULL,
         "current-context: a\ncontexts:\n- context: {cluster: c}\n", NULL,
         "contexts[0] has no name"},
        {"clusters not a list", NULL, NULL,
         "current-context: a\nclusters: {}\ncontexts:\n- name: a\n  context: {cluster: c}\n", NULL,
         "clusters must be a list"},
        {"not a mapping", NULL, NULL, "- a\n- b\n", NULL,
         "not a kubeconfig: the top level is not a mapping"},
        {"wrong kind", NULL, NULL, "kind: Pod\n", NULL,
         "not a kubeconfig: kind is \"Pod\", not \"Config\""},
        {"bad YAML", NULL, NULL, "a: b: c\n", NULL,
         "not valid YAML: line 1 column 5: mapping values are not allowed in this context"},
        {"empty", NULL, NULL, "", NULL, "the kubeconfig is empty"},
        {"alias bomb", NULL, NULL,
         "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
         "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
         "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
         "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
         NULL,
         "not a usable kubeconfig: too deep, too large (aliases count each time they are "
         "used), not UTF-8, or a non-scalar mapping key"},
        {"not UTF-8", NULL, NULL, "current-context: \"\\xff\"\nx: \xc3\x28\n", NULL,
         NULL /* libyaml or the converter refuses it: checked by prefix below */},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char err[1024] = "";
        kube_creds c;
        char *text = cases[i].whole ? strdup(cases[i].whole)
                                    : kc_text(cases[i].cluster, cases[i].user);
        int rc = parse_text(text, cases[i].context, &c, err, sizeof(err));
        const char *want = cases[i].want;
        int ok = rc == -1 && c.server == NULL;
        if (want)
            ok = ok && strcmp(err, want) == 0;
        else if (strstr(cases[i].name, "UTF-8"))
            ok = ok && (strncmp(err, "not valid YAML: ", 16) == 0 ||
                        strncmp(err, "not a usable kubeconfig: ", 25) == 0);
        else if (strstr(cases[i].name, "ca file"))
            ok = ok && strstr(err, "cluster \"c\": certificate-authority: cannot open \"") == err &&
                 strstr(err, "/nope.crt\"");
        else
            ok = ok && strstr(err, "user \"u\": tokenFile: cannot open \"") == err;
        if (!ok) {
            fprintf(stderr, "case \"%s\": rc=%d\n  got:  %s\n  want: %s\n", cases[i].name, rc, err,
                    want ? want : "(prefix)");
            failures++;
        }
        if (rc == 0)
            kube_creds_release(&c);
        free(text);
    }
    assert_int_equal(failures, 0);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x509_data_fields),      cmocka_unit_test(test_relative_files),
        cmocka_unit_test(test_token_and_token_file),  cmocka_unit_test(test_contexts_and_json),
        cmocka_unit_test(test_creds_json_round_trip), cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_error_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

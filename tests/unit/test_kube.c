/* The Kubernetes client against a small TLS server inside the test (OpenSSL, one thread per
 * connection): request shapes (apply URL, headers, body), metav1.Status errors, transport
 * errors (refused, wrong CA, timeout, body cap), client certificates and tokens from memory,
 * connection reuse, the per-cluster cap and cancellation. kubesim tests live in
 * test_kube_sim.c; this one needs nothing outside the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kube/blocking.h"
#include "kube/client.h"
#include "kube/request.h"
#include "kube/resource.h"
#include "base/util.h"
#include "base/clock.h"

/* ---- PKI ---------------------------------------------------------------------------------- */

typedef struct pki {
    EVP_PKEY *ca_key;
    X509 *ca;
    char *ca_pem;
    EVP_PKEY *srv_key;
    X509 *srv;
    EVP_PKEY *cli_key;
    X509 *cli;
    char *cli_pem, *cli_key_pem;
} pki;

static char *x509_pem(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *out = strndup(p, (size_t)n);
    BIO_free(b);
    return out;
}

static char *key_pem(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *out = strndup(p, (size_t)n);
    BIO_free(b);
    return out;
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, int is_ca,
                       int serial)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    X509_EXTENSION *ext;
    if (is_ca) {
        ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
        ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    }
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
    return x;
}

static void pki_init(pki *p, const char *ca_cn)
{
    p->ca_key = EVP_EC_gen("P-256");
    p->ca = make_cert(p->ca_key, ca_cn, NULL, NULL, 1, 1);
    p->ca_pem = x509_pem(p->ca);
    p->srv_key = EVP_EC_gen("P-256");
    p->srv = make_cert(p->srv_key, "kube-apiserver", p->ca, p->ca_key, 0, 2);
    p->cli_key = EVP_EC_gen("P-256");
    p->cli = make_cert(p->cli_key, "admin", p->ca, p->ca_key, 0, 3);
    p->cli_pem = x509_pem(p->cli);
    p->cli_key_pem = key_pem(p->cli_key);
}

static void pki_release(pki *p)
{
    EVP_PKEY_free(p->ca_key);
    EVP_PKEY_free(p->srv_key);
    EVP_PKEY_free(p->cli_key);
    X509_free(p->ca);
    X509_free(p->srv);
    X509_free(p->cli);
    free(p->ca_pem);
    free(p->cli_pem);
    free(p->cli_key_pem);
}

/* ---- the test server ------------------------------------------------------------------------ */

#define MAX_CONNS 256

typedef struct server {
    pki *pki;
    SSL_CTX *ctx;
    int lfd;
    int port;
    pthread_t accept_thread;
    pthread_t conns[MAX_CONNS];
    atomic_int nconns; /* accepted connections */
    atomic_int active; /* requests being handled now */
    atomic_int max_active;
    atomic_int requests;
    atomic_int resumed; /* handshakes that resumed a TLS session */
    atomic_int stop;
    pthread_mutex_t mu;
    char last_method[16], last_target[512], last_ctype[128], last_auth[256];
    char *last_body;
    const char *token; /* accepted bearer token */
    int fds[MAX_CONNS];
} server;

static void send_resp(SSL *ssl, int code, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "\r\n",
                     code, strlen(body));
    SSL_write(ssl, head, n);
    if (*body)
        SSL_write(ssl, body, (int)strlen(body));
}

static void status_resp(SSL *ssl, int code, const char *reason, const char *message)
{
    char body[512];
    snprintf(body, sizeof(body),
             "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
             "\"message\":\"%s\",\"reason\":\"%s\",\"code\":%d}",
             message, reason, code);
    send_resp(ssl, code, body);
}

static void handle(server *s, SSL *ssl, const char *method, const char *target, const char *ctype,
                   const char *auth, const char *body)
{
    int authed = 0;
    X509 *peer = SSL_get1_peer_certificate(ssl);
    if (peer) {
        EVP_PKEY *ca_pub = X509_get_pubkey(s->pki->ca);
        authed = X509_verify(peer, ca_pub) == 1;
        EVP_PKEY_free(ca_pub);
        X509_free(peer);
    }
    if (s->token && auth && strncmp(auth, "Bearer ", 7) == 0 && strcmp(auth + 7, s->token) == 0)
        authed = 1;
    pthread_mutex_lock(&s->mu);
    snprintf(s->last_method, sizeof(s->last_method), "%s", method);
    snprintf(s->last_target, sizeof(s->last_target), "%s", target);
    snprintf(s->last_ctype, sizeof(s->last_ctype), "%s", ctype ? ctype : "");
    snprintf(s->last_auth, sizeof(s->last_auth), "%s", auth ? auth : "");
    free(s->last_body);
    s->last_body = strdup(body);
    pthread_mutex_unlock(&s->mu);
    if (!authed) {
        status_resp(ssl, 401, "Unauthorized", "Unauthorized");
        return;
    }
    if (strcmp(target, "/version") == 0) {
        send_resp(ssl, 200, "{\"major\":\"1\",\"minor\":\"29\",\"gitVersion\":\"v1.29.0-test\"}");
    } else if (strncmp(target, "/slow", 5) == 0) {
        usleep(1500 * 1000);
        send_resp(ssl, 200, "{}");
    } else if (strncmp(target, "/hold", 5) == 0) {
        usleep(100 * 1000); /* long enough for requests to pile up */
        send_resp(ssl, 200, "{}");
    } else if (strncmp(target, "/big", 4) == 0) {
        char *big = malloc(300001);
        memset(big, ' ', 300000);
        big[0] = '"';
        big[299999] = '"';
        big[300000] = '\0';
        send_resp(ssl, 200, big);
        free(big);
    } else if (strncmp(target, "/proxy", 6) == 0) {
        send_resp(ssl, 502, "<html>bad gateway</html>");
    } else if (strstr(target, "/namespaces/multi-cluster/")) {
        status_resp(ssl, 404, "NotFound", "namespaces \\\"multi-cluster\\\" not found");
    } else if (strcmp(method, "POST") == 0 && strcmp(target, "/api/v1/namespaces") == 0) {
        if (strstr(body, "\"exists\""))
            status_resp(ssl, 409, "AlreadyExists", "namespaces \\\"exists\\\" already exists");
        else
            send_resp(ssl, 201, body);
    } else if (strcmp(method, "PATCH") == 0) {
        send_resp(ssl, 200, body); /* echo, as an apply of a new object roughly does */
    } else if (strcmp(method, "DELETE") == 0) {
        send_resp(ssl, 200, "{\"kind\":\"Status\",\"status\":\"Success\"}");
    } else {
        send_resp(ssl, 200, "{\"kind\":\"List\",\"items\":[]}");
    }
}

typedef struct conn_arg {
    server *s;
    int fd;
} conn_arg;

static char *find_header(char *head, const char *name)
{
    size_t n = strlen(name);
    for (char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, name, n) == 0 && line[2 + n] == ':') {
            char *v = line + 3 + n;
            while (*v == ' ')
                v++;
            return v;
        }
    }
    return NULL;
}

static void *conn_main(void *arg)
{
    conn_arg *ca = arg;
    server *s = ca->s;
    SSL *ssl = SSL_new(s->ctx);
    SSL_set_fd(ssl, ca->fd);
    if (SSL_accept(ssl) <= 0)
        goto done;
    if (SSL_session_reused(ssl))
        atomic_fetch_add(&s->resumed, 1);
    char buf[65536];
    size_t have = 0;
    for (;;) {
        char *end;
        while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
            if (have >= sizeof(buf) - 1)
                goto done;
            int n = SSL_read(ssl, buf + have, (int)(sizeof(buf) - 1 - have));
            if (n <= 0)
                goto done;
            have += (size_t)n;
        }
        size_t head_len = (size_t)(end - buf) + 4;
        char head[8192];
        if (head_len >= sizeof(head))
            goto done;
        memcpy(head, buf, head_len);
        head[head_len] = '\0';
        /* Null-terminate header values in place. */
        char *cl = find_header(head, "Content-Length");
        size_t body_len = cl ? strtoul(cl, NULL, 10) : 0;
        while (have < head_len + body_len) {
            int n = SSL_read(ssl, buf + have, (int)(sizeof(buf) - 1 - have));
            if (n <= 0)
                goto done;
            have += (size_t)n;
        }
        char body[32768];
        snprintf(body, sizeof(body), "%.*s", (int)body_len, buf + head_len);
        char *ct = find_header(head, "Content-Type"), *au = find_header(head, "Authorization");
        char ctype[128] = "", auth[256] = "";
        if (ct)
            snprintf(ctype, sizeof(ctype), "%.*s", (int)strcspn(ct, "\r"), ct);
        if (au)
            snprintf(auth, sizeof(auth), "%.*s", (int)strcspn(au, "\r"), au);
        char method[16], target[512];
        if (sscanf(head, "%15s %511s", method, target) != 2)
            goto done;
        int a = atomic_fetch_add(&s->active, 1) + 1;
        int m = atomic_load(&s->max_active);
        while (a > m && !atomic_compare_exchange_weak(&s->max_active, &m, a))
            ;
        atomic_fetch_add(&s->requests, 1);
        handle(s, ssl, method, target, ctype, au ? auth : NULL, body);
        atomic_fetch_sub(&s->active, 1);
        memmove(buf, buf + head_len + body_len, have - head_len - body_len);
        have -= head_len + body_len;
    }
done:
    SSL_free(ssl);
    close(ca->fd);
    free(ca);
    return NULL;
}

static void *accept_main(void *arg)
{
    server *s = arg;
    while (!atomic_load(&s->stop)) {
        struct pollfd pfd = {s->lfd, POLLIN, 0};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        int i = atomic_load(&s->nconns);
        if (i >= MAX_CONNS) {
            close(fd);
            continue;
        }
        conn_arg *ca = malloc(sizeof(*ca));
        ca->s = s;
        ca->fd = fd;
        s->fds[i] = fd;
        pthread_create(&s->conns[i], NULL, conn_main, ca);
        atomic_store(&s->nconns, i + 1);
    }
    return NULL;
}

static int verify_any(int ok, X509_STORE_CTX *ctx)
{
    (void)ok;
    (void)ctx;
    return 1; /* checked per request, as an API server answers 401 rather than a TLS alert */
}

static void server_start(server *s, pki *p, const char *token)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    s->pki = p;
    s->token = token;
    s->ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(s->ctx, p->srv);
    SSL_CTX_use_PrivateKey(s->ctx, p->srv_key);
    SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, verify_any);
    SSL_CTX_set_session_id_context(s->ctx, (const unsigned char *)"test", 4);
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t al = sizeof(a);
    getsockname(s->lfd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    listen(s->lfd, 128);
    pthread_create(&s->accept_thread, NULL, accept_main, s);
}

static void server_stop(server *s)
{
    atomic_store(&s->stop, 1);
    pthread_join(s->accept_thread, NULL);
    int n = atomic_load(&s->nconns);
    for (int i = 0; i < n; i++)
        shutdown(s->fds[i], SHUT_RDWR);
    for (int i = 0; i < n; i++)
        pthread_join(s->conns[i], NULL);
    close(s->lfd);
    SSL_CTX_free(s->ctx);
    free(s->last_body);
    pthread_mutex_destroy(&s->mu);
}

/* ---- fixtures ------------------------------------------------------------------------------ */

static pki P, OTHER; /* the server's PKI, and another cluster's */
static server S;

static int group_setup(void **state)
{
    signal(SIGPIPE, SIG_IGN); /* the test server writes to connections the client dropped */
    pki_init(&P, "cluster-a-ca");
    pki_init(&OTHER, "cluster-b-ca");
    server_start(&S, &P, "tok-a");
    (void)state;
    return 0;
}

static int group_teardown(void **state)
{
    server_stop(&S);
    pki_release(&P);
    pki_release(&OTHER);
    (void)state;
    return 0;
}

/* Credentials pointing at the test server (borrowed strings: not released). */
static kube_creds creds_x509(pki *ca_of, pki *cert_of)
{
    static char server_url[64];
    kube_creds c = {0};
    snprintf(server_url, sizeof(server_url), "https://127.0.0.1:%d", S.port);
    c.server = server_url;
    c.ca_pem = ca_of->ca_pem;
    c.ca_len = strlen(ca_of->ca_pem);
    if (cert_of) {
        c.cert_pem = cert_of->cli_pem;
        c.cert_len = strlen(cert_of->cli_pem);
        c.key_pem = cert_of->cli_key_pem;
        c.key_len = strlen(cert_of->cli_key_pem);
        c.auth = KUBE_AUTH_X509;
    } else {
        c.auth = KUBE_AUTH_NONE;
    }
    return c;
}

static kube_client *client(long request_timeout_ms, int cap)
{
    kube_client_opts o;
    char err[256];
    kube_client_opts_init(&o);
    o.connect_timeout_ms = 2000;
    o.request_timeout_ms = request_timeout_ms;
    o.max_inflight_per_cluster = cap;
    o.max_body_bytes = 100000;
    kube_client *kc = kube_client_new(&o, err, sizeof(err));
    assert_non_null(kc);
    return kc;
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_resource_paths(void **state)
{
    const struct {
        const char *av, *kind, *ns, *name, *want;
    } cases[] = {
        {"v1", "Namespace", NULL, "x", "/api/v1/namespaces/x"},
        {"v1", "Namespace", "ignored", "x", "/api/v1/namespaces/x"},
        {"apps/v1", "Deployment", "prod", "web", "/apis/apps/v1/namespaces/prod/deployments/web"},
        {"v1", "Service", "prod", "web", "/api/v1/namespaces/prod/services/web"},
        {"networking.k8s.io/v1", "Ingress", "p", "i",
         "/apis/networking.k8s.io/v1/namespaces/p/ingresses/i"},
        {"batch/v1", "Job", "p", "j", "/apis/batch/v1/namespaces/p/jobs/j"},
        {"v1", "ConfigMap", "p", "c.conf", "/api/v1/namespaces/p/configmaps/c.conf"},
        {"v1", "Secret", "p", "s", "/api/v1/namespaces/p/secrets/s"},
        {"apps/v1", "Deployment", NULL, NULL, "/apis/apps/v1/deployments"},
        {"apps/v1", "Deployment", "p", NULL, "/apis/apps/v1/namespaces/p/deployments"},
        {"apps/v1", "Service", "p", "x",
         "error: kind \"Service\" of apiVersion \"apps/v1\" is "
         "not supported"},
        {"v1", "Gadget", "p", "x", "error: kind \"Gadget\" of apiVersion \"v1\" is not supported"},
        {"v1", "Secret", "p", "a/b", "error: Secret name \"a/b\" is not a valid object name"},
        {"v1", "Secret", "Bad_NS", "a",
         "error: namespace \"Bad_NS\" is not a valid namespace "
         "name"},
        {"apps/", "Deployment", "p", "a", "error: apiVersion \"apps/\" is malformed"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        kube_ref r = {cases[i].av, cases[i].kind, cases[i].ns, cases[i].name};
        char buf[256], err[256], got[300];
        if (kube_resource_path(&r, buf, sizeof(buf), err, sizeof(err)) == 0)
            snprintf(got, sizeof(got), "%s", buf);
        else
            snprintf(got, sizeof(got), "error: %s", err);
        if (strcmp(got, cases[i].want) != 0) {
            fprintf(stderr, "case %zu: got %s, want %s\n", i, got, cases[i].want);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
    assert_int_equal(kube_kind_namespaced("v1", "Namespace"), 0);
    assert_int_equal(kube_kind_namespaced("apps/v1", "Deployment"), 1);
    assert_int_equal(kube_kind_namespaced("v1", "Deployment"), -1);
    (void)state;
}

typedef struct got {
    int calls;
    kube_status status;
    long code;
    char msg[1024], reason[64], path[512];
    json_t *obj;
} got;

static void got_cb(const kube_result *r, void *opaque)
{
    got *g = opaque;
    g->calls++;
    g->status = r->status;
    g->code = r->http_code;
    snprintf(g->msg, sizeof(g->msg), "%s", r->message);
    snprintf(g->reason, sizeof(g->reason), "%s", r->reason);
    snprintf(g->path, sizeof(g->path), "%s", r->path);
    json_decref(g->obj);
    g->obj = r->obj ? json_incref(r->obj) : NULL;
}

/* Records whether r->obj was filled, then parses the body. */
static void parse_cb(const kube_result *r, void *opaque)
{
    got *g = opaque;
    g->calls++;
    g->status = r->status;
    snprintf(g->reason, sizeof(g->reason), "%s", r->obj ? "obj filled" : "");
    g->obj = kube_result_parse(r);
}

static void test_apply_request_shape(void **state)
{
    kube_client *kc = client(5000, 4);
    kube_creds c = creds_x509(&P, &P);
    char err[256];
    kube_cluster *cl = kube_client_cluster(kc, "a", &c, err, sizeof(err));
    assert_non_null(cl);
    json_t *obj = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:i}}", "apiVersion", "apps/v1", "kind",
                            "Deployment", "metadata", "name", "web", "namespace", "prod", "spec",
                            "replicas", 3);
    json_t *out = NULL;
    long code = 0;
    int rc = kube_apply(cl, obj, &out, &code, err, sizeof(err));
    if (rc)
        fprintf(stderr, "apply: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(code, 200);
    assert_string_equal(S.last_method, "PATCH");
    assert_string_equal(
        S.last_target,
        "/apis/apps/v1/namespaces/prod/deployments/web?fieldManager=vela&force=true");
    assert_string_equal(S.last_ctype, "application/apply-patch+yaml");
    assert_string_equal(S.last_auth, ""); /* x509: no token sent */
    json_t *sent = json_loads(S.last_body, 0, NULL);
    assert_true(json_equal(sent, obj));
    assert_true(json_equal(out, obj));
    json_decref(sent);
    json_decref(out);

    /* A namespaced object without a namespace goes to "default". */
    json_object_del(json_object_get(obj, "metadata"), "namespace");
    assert_int_equal(kube_apply(cl, obj, NULL, NULL, err, sizeof(err)), 0);
    assert_string_equal(
        S.last_target,
        "/apis/apps/v1/namespaces/default/deployments/web?fieldManager=vela&force=true");

    /* Asynchronously, a successful apply's echo is not parsed unless asked for. */
    got ga = {0};
    assert_int_equal(kube_apply_async(cl, obj, parse_cb, &ga, err, sizeof(err)), 0);
    kube_client_run(kc, 5000);
    assert_int_equal(ga.status, KUBE_OK);
    assert_null(ga.reason[0] ? (void *)1 : NULL);
    assert_int_equal(ga.calls, 1);
    assert_true(json_equal(ga.obj, obj)); /* from kube_result_parse */
    json_decref(ga.obj);

    /* Invalid requests fail at once, naming the problem; no callback runs. */
    got g = {0};
    json_t *bad = json_pack("{s:s, s:s, s:{}}", "apiVersion", "v1", "kind", "Secret", "metadata");
    assert_int_equal(kube_apply_async(cl, bad, got_cb, &g, err, sizeof(err)), -1);
    assert_string_equal(err, "Secret has no metadata.name");
    assert_int_equal(kube_client_inflight(kc), 0);
    assert_int_equal(g.calls, 0);
    json_decref(bad);

    /* Get, list with a selector (escaped), delete with Background propagation. */
    kube_ref ref = {"apps/v1", "Deployment", "prod", "web"};
    assert_int_equal(kube_get(cl, &ref, NULL, NULL, err, sizeof(err)), 0);
    assert_string_equal(S.last_method, "GET");
    assert_string_equal(S.last_target, "/apis/apps/v1/namespaces/prod/deployments/web");
    assert_int_equal(
        kube_list(cl, &ref, "app.oam.dev/name=web,tier!=db", &out, NULL, err, sizeof(err)), 0);
    assert_string_equal(S.last_target, "/apis/apps/v1/namespaces/prod/deployments"
                                       "?labelSelector=app.oam.dev%2Fname%3Dweb%2Ctier%21%3Ddb");
    assert_true(json_is_array(json_object_get(out, "items")));
    json_decref(out);
    assert_int_equal(kube_delete(cl, &ref, &code, err, sizeof(err)), 0);
    assert_string_equal(S.last_method, "DELETE");
    assert_string_equal(S.last_ctype, "application/json");
    assert_non_null(strstr(S.last_body, "\"propagationPolicy\":\"Background\""));
    assert_int_equal(kube_ensure_namespace(cl, "fresh", err, sizeof(err)), 0);
    assert_string_equal(S.last_method, "POST");
    assert_string_equal(S.last_target, "/api/v1/namespaces");
    assert_int_equal(kube_ensure_namespace(cl, "exists", err, sizeof(err)), 0); /* 409 is ok */

    json_decref(obj);
    kube_client_free(kc);
    (void)state;
}

static void test_api_errors_verbatim(void **state)
{
    kube_client *kc = client(5000, 4);
    kube_creds c = creds_x509(&P, &P);
    char err[512];
    long code = 0;
    kube_cluster *cl = kube_client_cluster(kc, "a", &c, err, sizeof(err));
    json_t *obj = json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "v1", "kind", "ConfigMap",
                            "metadata", "name", "cm", "namespace", "multi-cluster");
    json_t *out = NULL;
    assert_int_equal(kube_apply(cl, obj, &out, &code, err, sizeof(err)), -1);
    assert_int_equal(code, 404);
    assert_string_equal(err, "namespaces \"multi-cluster\" not found");
    assert_string_equal(json_string_value(json_object_get(out, "reason")), "NotFound");
    json_decref(out);

    got g = {0};
    assert_int_equal(kube_apply_async(cl, obj, got_cb, &g, err, sizeof(err)), 0);
    kube_client_run(kc, 5000);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.status, KUBE_ERR_API);
    assert_string_equal(g.reason, "NotFound");
    assert_string_equal(g.msg, "namespaces \"multi-cluster\" not found");
    json_decref(g.obj);

    /* A non-Status error body (a proxy) still gives the code and a readable message. */
    memset(&g, 0, sizeof(g));
    assert_int_equal(
        kube_request_async(cl, "GET", "/proxy", NULL, NULL, got_cb, &g, err, sizeof(err)), 0);
    kube_client_run(kc, 5000);
    assert_int_equal(g.code, 502);
    assert_int_equal(g.status, KUBE_ERR_API);
    char want[256];
    snprintf(want, sizeof(want),
             "HTTP 502 from https://127.0.0.1:%d for GET /proxy: "
             "<html>bad gateway</html>",
             S.port);
    assert_string_equal(g.msg, want);
    json_decref(g.obj);
    json_decref(obj);
    kube_client_free(kc);
    (void)state;
}

static void test_check_version_and_credentials(void **state)
{
    char ver[64], err[512], want[256];
    kube_creds c = creds_x509(&P, &P);
    assert_int_equal(kube_check_version(&c, 3000, ver, sizeof(ver), err, sizeof(err)), 0);
    assert_string_equal(ver, "v1.29.0-test");

    /* Another cluster's client certificate: TLS works (same CA for the server), 401. */
    c = creds_x509(&P, &OTHER);
    assert_int_equal(kube_check_version(&c, 3000, ver, sizeof(ver), err, sizeof(err)), -1);
    snprintf(want, sizeof(want),
             "https://127.0.0.1:%d refused the credentials (HTTP 401): "
             "Unauthorized",
             S.port);
    assert_string_equal(err, want);
    assert_string_equal(ver, "");

    /* Tokens: the right one works, a wrong one is refused. */
    c = creds_x509(&P, NULL);
    c.token = "tok-a";
    c.auth = KUBE_AUTH_TOKEN;
    assert_int_equal(kube_check_version(&c, 3000, ver, sizeof(ver), err, sizeof(err)), 0);
    assert_string_equal(S.last_auth, "Bearer tok-a");
    c.token = "tok-b";
    assert_int_equal(kube_check_version(&c, 3000, ver, sizeof(ver), err, sizeof(err)), -1);
    assert_string_equal(err, want);

    /* The wrong CA: TLS verification fails, and the message says so. */
    c = creds_x509(&OTHER, &P);
    assert_int_equal(kube_check_version(&c, 3000, ver, sizeof(ver), err, sizeof(err)), -1);
    snprintf(want, sizeof(want),
             "TLS with https://127.0.0.1:%d failed: SSL certificate "
             "problem: ",
             S.port);
    if (strncmp(err, want, strlen(want)) != 0 ||
        !strstr(err, "; is certificate-authority(-data) the cluster's CA?"))
        fail_msg("got \"%s\"", err);

    /* insecure-skip-tls-verify gets past the wrong CA. */
    c.ca_pem = NULL;
    c.insecure = 1;
    assert_int_equal(kube_check_version(&c, 3000, ver, sizeof(ver), err, sizeof(err)), 0);

    /* Nothing listening. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t al = sizeof(a);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd); /* the port is now free and closed */
    char url[64];
    snprintf(url, sizeof(url), "https://127.0.0.1:%d", ntohs(a.sin_port));
    c.server = url;
    assert_int_equal(kube_check_version(&c, 3000, ver, sizeof(ver), err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "cannot connect to %s: ", url);
    if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, "refused"))
        fail_msg("got \"%s\"", err);
    (void)state;
}

static void test_timeout_and_body_cap(void **state)
{
    kube_client *kc = client(500, 4);
    kube_creds c = creds_x509(&P, &P);
    char err[512], want[256];
    kube_cluster *cl = kube_client_cluster(kc, "a", &c, err, sizeof(err));
    got g = {0};
    int64_t t0 = now_ms();
    assert_int_equal(
        kube_request_async(cl, "GET", "/slow", NULL, NULL, got_cb, &g, err, sizeof(err)), 0);
    kube_client_run(kc, 5000);
    int64_t took = now_ms() - t0;
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.status, KUBE_ERR_TIMEOUT);
    assert_int_equal(g.code, 0);
    snprintf(want, sizeof(want), "GET https://127.0.0.1:%d/slow timed out: ", S.port);
    if (strncmp(g.msg, want, strlen(want)) != 0)
        fail_msg("got \"%s\"", g.msg);
    assert_true(took >= 450 && took < 1400);

    memset(&g, 0, sizeof(g));
    assert_int_equal(
        kube_request_async(cl, "GET", "/big", NULL, NULL, got_cb, &g, err, sizeof(err)), 0);
    kube_client_run(kc, 5000);
    if (g.status != KUBE_ERR_TRANSPORT)
        fail_msg("got %d \"%s\"", g.status, g.msg);
    snprintf(want, sizeof(want),
             "the response from https://127.0.0.1:%d to GET /big is larger "
             "than the limit of 100000 bytes",
             S.port);
    assert_string_equal(g.msg, want);
    kube_client_free(kc);
    (void)state;
}

static int cb_count;
static void count_cb(const kube_result *r, void *opaque)
{
    (void)opaque;
    if (r->status == KUBE_OK)
        cb_count++;
}

static void test_cap_reuse_and_cancel(void **state)
{
    kube_client *kc = client(5000, 3);
    kube_creds c = creds_x509(&P, &P);
    char err[256];
    kube_cluster *cl = kube_client_cluster(kc, "a", &c, err, sizeof(err));
    for (int i = 0; i < 100 && atomic_load(&S.active) > 0; i++)
        usleep(50 * 1000); /* the previous test's slow request */
    int conns0 = atomic_load(&S.nconns), resumed0 = atomic_load(&S.resumed);
    atomic_store(&S.max_active, 0);
    cb_count = 0;
    /* Slow start: one request at a time until the cluster has answered once. */
    for (int i = 0; i < 3; i++)
        kube_version_async(cl, count_cb, NULL, err, sizeof(err));
    assert_int_equal(kube_cluster_inflight(cl), 1);
    assert_int_equal(kube_cluster_queued(cl), 2);
    kube_client_run(kc, 5000);
    assert_int_equal(cb_count, 3);
    cb_count = 0;
    for (int i = 0; i < 12; i++)
        assert_int_equal(kube_request_async(cl, "GET", "/hold", NULL, NULL, count_cb, NULL, err,
                                            sizeof(err)),
                         0);
    assert_int_equal(kube_cluster_inflight(cl), 3);
    assert_int_equal(kube_cluster_queued(cl), 9);
    assert_int_equal(kube_client_inflight(kc), 12);
    assert_int_equal(kube_client_run(kc, 10000), 0);
    assert_int_equal(cb_count, 12);
    if (atomic_load(&S.max_active) > 3)
        fail_msg("max_active %d", atomic_load(&S.max_active));
    /* 12 requests, at most 3 at a time: 3 connections, reused. */
    assert_true(atomic_load(&S.nconns) - conns0 <= 3);
    /* The client's connections after its first one resumed a TLS session. */
    assert_int_equal(atomic_load(&S.resumed) - resumed0, atomic_load(&S.nconns) - conns0 - 1);

    /* A second round reuses the same connections. */
    int conns1 = atomic_load(&S.nconns);
    for (int i = 0; i < 6; i++)
        kube_version_async(cl, count_cb, NULL, err, sizeof(err));
    kube_client_run(kc, 10000);
    assert_int_equal(cb_count, 18);
    assert_true(atomic_load(&S.requests) > 0);
    assert_int_equal(atomic_load(&S.nconns), conns1);

    /* Removing a cluster cancels what it has queued and in flight. */
    got g[5] = {{0}};
    for (int i = 0; i < 5; i++)
        kube_request_async(cl, "GET", "/hold", NULL, NULL, got_cb, &g[i], err, sizeof(err));
    kube_client_run(kc, 0);
    kube_client_cluster_remove(kc, cl);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(g[i].calls, 1);
        assert_int_equal(g[i].status, KUBE_ERR_CANCELLED);
    }
    assert_int_equal(kube_client_inflight(kc), 0);
    assert_null(kube_client_find(kc, "a"));

    /* Freeing the client cancels too. */
    cl = kube_client_cluster(kc, "b", &c, err, sizeof(err));
    got h = {0};
    kube_version_async(cl, got_cb, &h, err, sizeof(err));
    kube_client_free(kc);
    assert_int_equal(h.calls, 1);
    assert_int_equal(h.status, KUBE_ERR_CANCELLED);
    (void)state;
}

/* A request that libcurl refuses to start (a URL over its 8 MB input limit) fails through
 * its callback from kube_client_run, never from inside the request function. */
static void test_start_failure_is_deferred(void **state)
{
    kube_client *kc = client(5000, 2);
    kube_creds c = creds_x509(&P, &P);
    char err[256];
    kube_cluster *cl = kube_client_cluster(kc, "a", &c, err, sizeof(err));
    size_t n = 9u << 20;
    char *path = malloc(n + 1);
    memset(path, 'x', n);
    path[0] = '/';
    path[n] = '\0';
    got g = {0};
    assert_int_equal(kube_request_async(cl, "GET", path, NULL, NULL, got_cb, &g, err, sizeof(err)),
                     0);
    assert_int_equal(g.calls, 0);
    assert_int_equal(kube_client_inflight(kc), 1);
    kube_client_run(kc, 1000);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.status, KUBE_ERR_TRANSPORT);
    assert_non_null(strstr(g.msg, "cannot start a request to https://127.0.0.1:"));
    assert_int_equal(kube_client_inflight(kc), 0);
    /* The cluster still works. */
    got h = {0};
    kube_version_async(cl, got_cb, &h, err, sizeof(err));
    kube_client_run(kc, 5000);
    assert_int_equal(h.status, KUBE_OK);
    json_decref(h.obj);
    free(path);
    kube_client_free(kc);
    (void)state;
}

/* A server that accepts TCP but never answers the TLS handshake: the first request times
 * out after the connect timeout, and those queued behind it fail at once with its error
 * instead of one timeout each. */
static void test_dead_server_fails_queue_fast(void **state)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t al = sizeof(a);
    getsockname(lfd, (struct sockaddr *)&a, &al);
    listen(lfd, 16); /* never accepted: the kernel completes TCP, nobody speaks TLS */
    char url[64], err[256];
    snprintf(url, sizeof(url), "https://127.0.0.1:%d", ntohs(a.sin_port));

    kube_client_opts o;
    kube_client_opts_init(&o);
    o.connect_timeout_ms = 300;
    kube_client *kc = kube_client_new(&o, err, sizeof(err));
    kube_creds c = creds_x509(&P, &P);
    c.server = url;
    kube_cluster *cl = kube_client_cluster(kc, "dead", &c, err, sizeof(err));
    got g[5] = {{0}};
    for (int i = 0; i < 5; i++)
        assert_int_equal(kube_version_async(cl, got_cb, &g[i], err, sizeof(err)), 0);
    assert_int_equal(kube_cluster_inflight(cl), 1); /* slow start: one attempt */
    int64_t t0 = now_ms();
    assert_int_equal(kube_client_run(kc, 5000), 0);
    int64_t took = now_ms() - t0;
    if (took > 1000)
        fail_msg("took %lld ms", (long long)took);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(g[i].calls, 1);
        assert_int_equal(g[i].status, KUBE_ERR_TIMEOUT);
    }
    char want[128];
    snprintf(want, sizeof(want), "GET %s/version timed out: ", url);
    if (strncmp(g[0].msg, want, strlen(want)) != 0)
        fail_msg("got \"%s\"", g[0].msg);
    snprintf(want, sizeof(want), "not sent: GET %s/version timed out: ", url);
    if (strncmp(g[4].msg, want, strlen(want)) != 0)
        fail_msg("got \"%s\"", g[4].msg);
    kube_client_free(kc);
    close(lfd);
    (void)state;
}

static void *wake_later(void *arg)
{
    usleep(150 * 1000);
    kube_client_wakeup(arg);
    return NULL;
}

/* kube_client_wakeup from another thread makes a running kube_client_run return early. */
static void test_wakeup(void **state)
{
    kube_client *kc = client(5000, 2);
    kube_creds c = creds_x509(&P, &P);
    char err[256];
    kube_cluster *cl = kube_client_cluster(kc, "a", &c, err, sizeof(err));
    got g = {0};
    kube_request_async(cl, "GET", "/slow", NULL, NULL, got_cb, &g, err, sizeof(err));
    pthread_t t;
    pthread_create(&t, NULL, wake_later, kc);
    int64_t t0 = now_ms();
    assert_int_equal(kube_client_run(kc, 5000), 1);
    int64_t took = now_ms() - t0;
    pthread_join(t, NULL);
    if (took < 100 || took > 1000)
        fail_msg("run returned after %lld ms", (long long)took);
    assert_int_equal(g.calls, 0);
    kube_client_run(kc, 5000);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.status, KUBE_OK);
    json_decref(g.obj);
    kube_client_free(kc);
    (void)state;
}

static void test_credential_change(void **state)
{
    kube_client *kc = client(5000, 2);
    kube_creds good = creds_x509(&P, &P), bad = creds_x509(&P, &OTHER);
    char err[256];
    kube_cluster *cl = kube_client_cluster(kc, "a", &bad, err, sizeof(err));
    assert_ptr_equal(kube_client_cluster(kc, "a", &bad, err, sizeof(err)), cl);
    got g1 = {0}, g2 = {0};
    kube_version_async(cl, got_cb, &g1, err, sizeof(err));
    /* New credentials for new requests; the one already started keeps the old ones. */
    assert_ptr_equal(kube_client_cluster(kc, "a", &good, err, sizeof(err)), cl);
    kube_version_async(cl, got_cb, &g2, err, sizeof(err));
    kube_client_run(kc, 5000);
    assert_int_equal(g1.code, 401);
    assert_int_equal(g2.code, 200);
    json_decref(g1.obj);
    json_decref(g2.obj);
    kube_client_free(kc);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resource_paths),
        cmocka_unit_test(test_apply_request_shape),
        cmocka_unit_test(test_api_errors_verbatim),
        cmocka_unit_test(test_check_version_and_credentials),
        cmocka_unit_test(test_timeout_and_body_cap),
        cmocka_unit_test(test_cap_reuse_and_cancel),
        cmocka_unit_test(test_start_failure_is_deferred),
        cmocka_unit_test(test_dead_server_fails_queue_fast),
        cmocka_unit_test(test_wakeup),
        cmocka_unit_test(test_credential_change),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

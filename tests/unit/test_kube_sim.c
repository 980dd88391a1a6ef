/* The Kubernetes client against real vela-kubesim processes: apply, get, list, delete, the
 * exact error texts, TLS failure with another cluster's CA, another cluster's credentials
 * refused, token auth, a timeout against injected latency, and many requests in flight.
 * vela-kubesim comes from $VELA_BIN, the build this test belongs to, or
 * $VELA_SOURCE_DIR/build*\/bin; without one the tests are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kube/blocking.h"
#include "kube/client.h"
#include "kube/request.h"
#include "kube/resource.h"
#include "base/util.h"
#include "base/clock.h"

#ifndef VELA_SOURCE_DIR
#define VELA_SOURCE_DIR "."
#endif

typedef struct sim {
    pid_t pid;
    char dir[64];
    int admin_port;
} sim;

static char kubesim_bin[PATH_MAX];
static sim CERT, TOKEN; /* clusters a, b (client certificates); t (tokens) */

static int find_kubesim(void)
{
    const char *env = getenv("VELA_BIN");
    if (env) {
        snprintf(kubesim_bin, sizeof(kubesim_bin), "%s/vela-kubesim", env);
        if (access(kubesim_bin, X_OK) == 0)
            return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        /* <build>/tests/test_kube_sim -> <build>/bin/vela-kubesim */
        char *d = dirname(dirname(exe));
        snprintf(kubesim_bin, sizeof(kubesim_bin), "%s/bin/vela-kubesim", d);
        if (access(kubesim_bin, X_OK) == 0)
            return 0;
    }
    glob_t g;
    const char *src = getenv("VELA_SOURCE_DIR") ? getenv("VELA_SOURCE_DIR") : VELA_SOURCE_DIR;
    char pattern[PATH_MAX];
    snprintf(pattern, sizeof(pattern), "%s/build*/bin/vela-kubesim", src);
    int rc = -1;
    if (glob(pattern, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc && rc < 0; i++) {
            if (access(g.gl_pathv[i], X_OK) == 0) {
                snprintf(kubesim_bin, sizeof(kubesim_bin), "%s", g.gl_pathv[i]);
                rc = 0;
            }
        }
        globfree(&g);
    }
    return rc;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

static int load(const sim *s, const char *cluster, kube_creds *c)
{
    char path[256], err[512];
    snprintf(path, sizeof(path), "%s/%s.kubeconfig", s->dir, cluster);
    return kubeconfig_load(path, NULL, c, err, sizeof(err));
}

static int sim_start(sim *s, const char *clusters, const char *auth, const char *first)
{
    char admin[64], log[128];
    snprintf(s->dir, sizeof(s->dir), "/tmp/vela-kubeclient.XXXXXX");
    if (!mkdtemp(s->dir))
        return -1;
    s->admin_port = free_port();
    snprintf(admin, sizeof(admin), "127.0.0.1:%d", s->admin_port);
    snprintf(log, sizeof(log), "%s/kubesim.log", s->dir);
    s->pid = fork();
    if (s->pid == 0) {
        if (freopen(log, "w", stderr) == NULL)
            _exit(126);
        dup2(2, 1);
        execl(kubesim_bin, kubesim_bin, "--clusters", clusters, "--dir", s->dir, "--auth", auth,
              "--admin", admin, "--ready-delay-ms", "100", "--threads", "1", (char *)NULL);
        _exit(127);
    }
    /* Ready when the kubeconfig is there and /version answers. */
    for (int i = 0; i < 150; i++) {
        kube_creds c;
        char ver[64], err[512];
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            fprintf(stderr, "vela-kubesim exited; see %s\n", log);
            return -1;
        }
        if (load(s, first, &c) == 0) {
            int ok = kube_check_version(&c, 1000, ver, sizeof(ver), err, sizeof(err)) == 0;
            kube_creds_release(&c);
            if (ok)
                return 0;
        }
        usleep(100 * 1000);
    }
    return -1;
}

static void sim_stop(sim *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
    if (s->dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", s->dir);
        s->dir[0] = '\0';
    }
}

/* POST http://127.0.0.1:<admin>/clusters/<name>/<action> */
static int sim_admin(const sim *s, const char *name, const char *action)
{
    char url[256];
    long code = 0;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/clusters/%s/%s", s->admin_port, name, action);
    CURL *e = curl_easy_init();
    FILE *devnull = fopen("/dev/null", "w");
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(e, CURLOPT_WRITEDATA, devnull);
    CURLcode rc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(e);
    fclose(devnull);
    return rc == CURLE_OK && code == 200 ? 0 : -1;
}

static int have_sim;

static int group_setup(void **state)
{
    (void)state;
    if (find_kubesim() < 0) {
        fprintf(stderr, "vela-kubesim not found: the tests are skipped\n");
        return 0;
    }
    if (sim_start(&CERT, "a,b", "cert", "a") < 0 || sim_start(&TOKEN, "t", "token", "t") < 0) {
        fprintf(stderr, "vela-kubesim did not start (%s)\n", kubesim_bin);
        return -1;
    }
    have_sim = 1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    sim_stop(&CERT);
    sim_stop(&TOKEN);
    return 0;
}

#define NEED_SIM()                                                                                 \
    do {                                                                                           \
        if (!have_sim)                                                                             \
            skip();                                                                                \
    } while (0)

static kube_client *client(long request_timeout_ms)
{
    kube_client_opts o;
    char err[256];
    kube_client_opts_init(&o);
    o.connect_timeout_ms = 2000;
    o.request_timeout_ms = request_timeout_ms;
    kube_client *kc = kube_client_new(&o, err, sizeof(err));
    assert_non_null(kc);
    return kc;
}

static kube_cluster *add(kube_client *kc, const sim *s, const char *name)
{
    kube_creds c;
    char err[512];
    assert_int_equal(load(s, name, &c), 0);
    kube_cluster *cl = kube_client_cluster(kc, name, &c, err, sizeof(err));
    kube_creds_release(&c);
    assert_non_null(cl);
    return cl;
}

static json_t *deployment(const char *ns, const char *name, int replicas, const char *image)
{
    return json_pack("{s:s, s:s, s:{s:s, s:s, s:{s:s}}, s:{s:i, s:{s:{s:s}}, s:{s:{s:{s:s}}, "
                     "s:{s:[{s:s, s:s}]}}}}",
                     "apiVersion", "apps/v1", "kind", "Deployment", "metadata", "name", name,
                     "namespace", ns, "labels", "app.oam.dev/name", name, "spec", "replicas",
                     replicas, "selector", "matchLabels", "app", name, "template", "metadata",
                     "labels", "app", name, "spec", "containers", "name", "main", "image", image);
}

typedef struct tally {
    int ok, failed, timeouts, calls;
    long code;
    char first[512], reason[64];
} tally;

static void tally_cb(const kube_result *r, void *opaque)
{
    tally *t = opaque;
    t->calls++;
    if (r->status == KUBE_OK) {
        t->ok++;
    } else {
        if (r->status == KUBE_ERR_TIMEOUT)
            t->timeouts++;
        if (t->failed++ == 0) {
            snprintf(t->first, sizeof(t->first), "%s: %s", r->cluster, r->message);
            snprintf(t->reason, sizeof(t->reason), "%s", r->reason);
            t->code = r->http_code;
        }
    }
}

static void test_apply_get_list_delete(void **state)
{
    NEED_SIM();
    kube_client *kc = client(5000);
    kube_cluster *cl = add(kc, &CERT, "a");
    char err[512];
    long code = 0;
    json_t *out = NULL;

    json_t *d = deployment("default", "web", 2, "nginx:1");
    int rc = kube_apply(cl, d, &out, &code, err, sizeof(err));
    if (rc)
        fail_msg("apply: %s", err);
    assert_true(code == 200 || code == 201);
    json_t *md = json_object_get(out, "metadata");
    assert_string_equal(json_string_value(json_object_get(md, "name")), "web");
    assert_non_null(json_string_value(json_object_get(md, "uid")));
    assert_non_null(json_string_value(json_object_get(md, "resourceVersion")));
    json_int_t gen1 = json_integer_value(json_object_get(md, "generation"));
    json_decref(out);

    /* A spec change bumps the generation. */
    json_decref(d);
    d = deployment("default", "web", 3, "nginx:2");
    assert_int_equal(kube_apply(cl, d, &out, &code, err, sizeof(err)), 0);
    assert_int_equal(code, 200);
    md = json_object_get(out, "metadata");
    assert_int_equal(json_integer_value(json_object_get(md, "generation")), gen1 + 1);
    json_decref(out);

    kube_ref ref = {"apps/v1", "Deployment", "default", "web"};
    assert_int_equal(kube_get(cl, &ref, &out, &code, err, sizeof(err)), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "spec"), "replicas")),
                     3);
    json_decref(out);

    /* Lists by label selector: one match, then none. */
    assert_int_equal(kube_list(cl, &ref, "app.oam.dev/name=web", &out, NULL, err, sizeof(err)), 0);
    json_t *items = json_object_get(out, "items");
    assert_int_equal(json_array_size(items), 1);
    json_decref(out);
    assert_int_equal(kube_list(cl, &ref, "app.oam.dev/name=other", &out, NULL, err, sizeof(err)),
                     0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 0);
    json_decref(out);
    /* All namespaces. */
    kube_ref all = {"apps/v1", "Deployment", NULL, NULL};
    assert_int_equal(kube_list(cl, &all, NULL, &out, NULL, err, sizeof(err)), 0);
    assert_true(json_array_size(json_object_get(out, "items")) >= 1);
    json_decref(out);

    assert_int_equal(kube_delete(cl, &ref, &code, err, sizeof(err)), 0);
    assert_int_equal(code, 200);
    assert_int_equal(kube_get(cl, &ref, &out, &code, err, sizeof(err)), -1);
    assert_int_equal(code, 404);
    assert_string_equal(err, "deployments.apps \"web\" not found");
    assert_string_equal(json_string_value(json_object_get(out, "reason")), "NotFound");
    json_decref(out);
    assert_int_equal(kube_delete(cl, &ref, &code, err, sizeof(err)), -1);
    assert_int_equal(code, 404);

    json_decref(d);
    kube_client_free(kc);
    (void)state;
}

static void test_namespaces_and_error_texts(void **state)
{
    NEED_SIM();
    kube_client *kc = client(5000);
    kube_cluster *cl = add(kc, &CERT, "a");
    char err[512];
    long code = 0;
    json_t *cm = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s}}", "apiVersion", "v1", "kind",
                           "ConfigMap", "metadata", "name", "cfg", "namespace", "multi-cluster",
                           "data", "k", "v");
    assert_int_equal(kube_apply(cl, cm, NULL, &code, err, sizeof(err)), -1);
    assert_int_equal(code, 404);
    assert_string_equal(err, "namespaces \"multi-cluster\" not found");

    assert_int_equal(kube_ensure_namespace(cl, "multi-cluster", err, sizeof(err)), 0);
    assert_int_equal(kube_ensure_namespace(cl, "multi-cluster", err, sizeof(err)), 0);
    assert_int_equal(kube_apply(cl, cm, NULL, &code, err, sizeof(err)), 0);

    /* Creating it again: 409 with the API's message and reason. */
    tally t = {0};
    assert_int_equal(
        kube_create_namespace_async(cl, "multi-cluster", tally_cb, &t, err, sizeof(err)), 0);
    kube_client_run(kc, 5000);
    assert_int_equal(t.failed, 1);
    assert_int_equal(t.code, 409);
    assert_string_equal(t.reason, "AlreadyExists");
    assert_string_equal(t.first, "a: namespaces \"multi-cluster\" already exists");

    kube_ref ns = {"v1", "Namespace", NULL, "multi-cluster"};
    json_t *out = NULL;
    assert_int_equal(kube_get(cl, &ns, &out, &code, err, sizeof(err)), 0);
    assert_string_equal(json_string_value(
                            json_object_get(json_object_get(out, "metadata"), "name")),
                        "multi-cluster");
    json_decref(out);

    /* An unknown kind is refused before any request. */
    json_t *odd = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "example.com/v1", "kind", "Gadget",
                            "metadata", "name", "g");
    assert_int_equal(kube_apply(cl, odd, NULL, &code, err, sizeof(err)), -1);
    assert_string_equal(err, "kind \"Gadget\" of apiVersion \"example.com/v1\" is not supported");
    assert_int_equal(code, 0);
    json_decref(odd);
    json_decref(cm);
    kube_client_free(kc);
    (void)state;
}

static void test_tls_and_credentials(void **state)
{
    NEED_SIM();
    kube_creds a, b, t, mix;
    char ver[64], err[512], want[512];
    assert_int_equal(load(&CERT, "a", &a), 0);
    assert_int_equal(load(&CERT, "b", &b), 0);
    assert_int_equal(load(&TOKEN, "t", &t), 0);
    assert_int_equal(a.auth, KUBE_AUTH_X509);
    assert_int_equal(t.auth, KUBE_AUTH_TOKEN);
    assert_int_equal(kube_check_version(&a, 3000, ver, sizeof(ver), err, sizeof(err)), 0);
    assert_true(ver[0] == 'v');
    assert_int_equal(kube_check_version(&t, 3000, ver, sizeof(ver), err, sizeof(err)), 0);

    /* a's server and CA with b's client certificate: refused with 401. */
    assert_int_equal(kube_creds_copy(&mix, &a), 0);
    free(mix.cert_pem);
    free(mix.key_pem);
    mix.cert_pem = strdup(b.cert_pem);
    mix.cert_len = b.cert_len;
    mix.key_pem = strdup(b.key_pem);
    mix.key_len = b.key_len;
    assert_int_equal(kube_check_version(&mix, 3000, ver, sizeof(ver), err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s refused the credentials (HTTP 401): Unauthorized", a.server);
    assert_string_equal(err, want);
    kube_creds_release(&mix);

    /* a's server and CA with t's token (another simulator): refused with 401 too. */
    assert_int_equal(kube_creds_copy(&mix, &a), 0);
    free(mix.cert_pem);
    free(mix.key_pem);
    mix.cert_pem = mix.key_pem = NULL;
    mix.token = strdup(t.token);
    mix.auth = KUBE_AUTH_TOKEN;
    assert_int_equal(kube_check_version(&mix, 3000, ver, sizeof(ver), err, sizeof(err)), -1);
    assert_string_equal(err, want);
    kube_creds_release(&mix);

    /* a's server with b's CA: TLS verification fails. */
    assert_int_equal(kube_creds_copy(&mix, &a), 0);
    free(mix.ca_pem);
    mix.ca_pem = strdup(b.ca_pem);
    mix.ca_len = b.ca_len;
    assert_int_equal(kube_check_version(&mix, 3000, ver, sizeof(ver), err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "TLS with %s failed: SSL certificate problem: ", a.server);
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("got \"%s\"", err);
    kube_creds_release(&mix);

    kube_creds_release(&a);
    kube_creds_release(&b);
    kube_creds_release(&t);
    (void)state;
}

static void test_timeout_and_down(void **state)
{
    NEED_SIM();
    kube_client *kc = client(500);
    kube_cluster *a = add(kc, &CERT, "a"), *b = add(kc, &CERT, "b");
    char err[512];
    assert_int_equal(sim_admin(&CERT, "a", "latency?ms=2000"), 0);
    tally ta = {0}, tb = {0};
    int64_t t0 = now_ms();
    assert_int_equal(kube_version_async(a, tally_cb, &ta, err, sizeof(err)), 0);
    assert_int_equal(kube_version_async(b, tally_cb, &tb, err, sizeof(err)), 0);
    kube_client_run(kc, 5000);
    int64_t took = now_ms() - t0;
    assert_int_equal(sim_admin(&CERT, "a", "latency?ms=0"), 0);
    assert_int_equal(ta.timeouts, 1);
    if (!strstr(ta.first, "/version timed out: "))
        fail_msg("got \"%s\"", ta.first);
    assert_int_equal(tb.ok, 1); /* the slow cluster does not hold up the other one */
    assert_true(took >= 450 && took < 1900);

    /* A cluster taken down: connection refused, then back. */
    assert_int_equal(sim_admin(&CERT, "b", "down"), 0);
    memset(&tb, 0, sizeof(tb));
    kube_version_async(b, tally_cb, &tb, err, sizeof(err));
    kube_client_run(kc, 5000);
    assert_int_equal(tb.failed, 1);
    /* "b: cannot connect to https://127.0.0.1:N: Connection refused (Failed to connect...)" */
    if (!strstr(tb.first, "b: cannot connect to https://127.0.0.1:") ||
        !strstr(tb.first, ": Connection refused ("))
        fail_msg("got \"%s\"", tb.first);
    assert_int_equal(sim_admin(&CERT, "b", "up"), 0);
    memset(&tb, 0, sizeof(tb));
    for (int i = 0; i < 20 && tb.ok == 0; i++) {
        kube_version_async(b, tally_cb, &tb, err, sizeof(err));
        kube_client_run(kc, 5000);
        if (!tb.ok)
            usleep(100 * 1000);
    }
    assert_int_equal(tb.ok, 1);
    kube_client_free(kc);
    (void)state;
}

typedef struct seen {
    int events, ended, end_status;
    char types[256]; /* "ADDED web,MODIFIED web,..." */
    char end_msg[512];
} seen;

static void seen_event(const char *type, json_t *obj, void *opaque)
{
    seen *s = opaque;
    const char *name = json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
    size_t n = strlen(s->types);
    snprintf(s->types + n, sizeof(s->types) - n, "%s%s %s", n ? "," : "", type, name ? name : "?");
    s->events++;
}

static void seen_end(const kube_result *r, void *opaque)
{
    seen *s = opaque;
    s->ended++;
    s->end_status = r->status;
    snprintf(s->end_msg, sizeof(s->end_msg), "%s", r->message);
}

/* A watch over all namespaces with a label selector: the current objects, then changes, in
 * order; it holds no slot of the cluster's cap and outlives the request timeout; it ends with
 * the reason when the cluster goes down. */
static void test_watch(void **state)
{
    NEED_SIM();
    kube_client *kc = client(1000);
    kube_cluster *a = add(kc, &CERT, "a");
    char err[512];
    json_t *d1 = deployment("default", "w-one", 1, "nginx:1");
    assert_int_equal(kube_apply(a, d1, NULL, NULL, err, sizeof(err)), 0);
    seen s = {0};
    kube_ref kind = {"apps/v1", "Deployment", NULL, NULL};
    assert_int_equal(kube_watch_async(a, &kind, "app.oam.dev/name", seen_event, seen_end, &s, err,
                                      sizeof(err)),
                     0);
    assert_int_equal(kube_client_inflight(kc), 0); /* not a request in flight */
    for (int i = 0; i < 50 && !strstr(s.types, "ADDED w-one"); i++)
        kube_client_run(kc, 100);
    if (!strstr(s.types, "ADDED w-one"))
        fail_msg("no ADDED for the existing object: \"%s\"", s.types);
    /* Requests still flow beside it, up to the cap (1 in flight per cluster here: 8 default) */
    json_t *d2 = deployment("kube-public", "w-two", 2, "nginx:1");
    tally t = {0};
    assert_int_equal(kube_apply_async(a, d2, tally_cb, &t, err, sizeof(err)), 0);
    for (int i = 0; i < 50 && (!t.calls || !strstr(s.types, "ADDED w-two")); i++)
        kube_client_run(kc, 100);
    assert_int_equal(t.ok, 1);
    if (!strstr(s.types, "ADDED w-two"))
        fail_msg("no ADDED for the new object: \"%s\"", s.types);
    /* Outlives the 1 s request timeout, and the controller's status writes come through */
    kube_client_run(kc, 1500);
    assert_int_equal(s.ended, 0);
    if (!strstr(s.types, "MODIFIED w-two"))
        fail_msg("no MODIFIED after the rollout: \"%s\"", s.types);
    /* An object without the label is not sent */
    json_t *plain = json_pack("{s:s,s:s,s:{s:s,s:s},s:{s:s}}", "apiVersion", "v1", "kind",
                              "ConfigMap", "metadata", "name", "w-plain", "namespace", "default",
                              "data", "k", "v");
    kube_apply(a, plain, NULL, NULL, err, sizeof(err));
    /* The cluster goes down: the watch ends with the reason */
    assert_int_equal(sim_admin(&CERT, "a", "down"), 0);
    for (int i = 0; i < 50 && !s.ended; i++)
        kube_client_run(kc, 100);
    assert_int_equal(sim_admin(&CERT, "a", "up"), 0);
    assert_int_equal(s.ended, 1);
    assert_true(s.end_status != KUBE_ERR_CANCELLED);
    assert_null(strstr(s.types, "w-plain"));
    /* The cluster listens again asynchronously: wait until it answers (as after a restart) */
    tally up = {0};
    for (int i = 0; i < 50 && up.ok == 0; i++) {
        memset(&up, 0, sizeof(up));
        kube_version_async(a, tally_cb, &up, err, sizeof(err));
        kube_client_run(kc, 2000);
        if (!up.ok)
            usleep(100 * 1000);
    }
    assert_int_equal(up.ok, 1);
    kube_ref dref = {"apps/v1", "Deployment", "default", "w-one"};
    kube_delete(a, &dref, NULL, err, sizeof(err));
    dref.namespace = "kube-public";
    dref.name = "w-two";
    kube_delete(a, &dref, NULL, err, sizeof(err));
    /* A watch still open when the client is freed ends as cancelled */
    seen s2 = {0};
    assert_int_equal(kube_watch_async(a, &kind, NULL, seen_event, seen_end, &s2, err, sizeof(err)),
                     0);
    kube_client_run(kc, 200);
    kube_client_free(kc);
    assert_int_equal(s2.ended, 1);
    assert_int_equal(s2.end_status, KUBE_ERR_CANCELLED);
    json_decref(d1);
    json_decref(d2);
    json_decref(plain);
    (void)state;
}

static void test_many_in_flight(void **state)
{
    NEED_SIM();
    kube_client *kc = client(10000);
    kube_cluster *cls[3] = {add(kc, &CERT, "a"), add(kc, &CERT, "b"), add(kc, &TOKEN, "t")};
    char err[512];
    tally t = {0};
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof(name), "cm-%d", i % 40);
        json_t *cm = json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:i}}", "apiVersion", "v1", "kind",
                               "ConfigMap", "metadata", "name", name, "labels", "bench", "yes",
                               "data", "i", i);
        /* data values must be strings: make it one */
        json_object_set_new(json_object_get(cm, "data"), "i", json_sprintf("%d", i));
        assert_int_equal(kube_apply_async(cls[i % 3], cm, tally_cb, &t, err, sizeof(err)), 0);
        json_decref(cm);
    }
    assert_int_equal(kube_client_inflight(kc), 300);
    for (int i = 0; i < 3; i++)
        assert_true(kube_cluster_inflight(cls[i]) <= 8);
    kube_client_run(kc, 30000);
    if (t.failed)
        fail_msg("%d failed; first: %s", t.failed, t.first);
    assert_int_equal(t.ok, 300);
    json_t *out = NULL;
    kube_ref ref = {"v1", "ConfigMap", "default", NULL};
    assert_int_equal(kube_list(cls[2], &ref, "bench=yes", &out, NULL, err, sizeof(err)), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 40);
    json_decref(out);
    kube_client_free(kc);
    (void)state;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_get_list_delete),
        cmocka_unit_test(test_namespaces_and_error_texts),
        cmocka_unit_test(test_tls_and_credentials),
        cmocka_unit_test(test_timeout_and_down),
        cmocka_unit_test(test_many_in_flight),
        cmocka_unit_test(test_watch),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

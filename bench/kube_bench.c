/* kube_bench: server-side applies per second against simulated clusters, through our client
 * (kube.h: queue, per-cluster cap, callbacks) and, in the same run, through a plain libcurl
 * multi loop with the same requests, connections and concurrency (the "raw" rate). Prints
 * both rates and their ratio. It starts vela-kubesim itself (--kubesim) or uses the
 * kubeconfigs of a running one (--dir). */
#include "base/jpool.h"
#include "kube/blocking.h"
#include "kube/client.h"
#include "kube/request.h"
#include "base/alloc.h"
#include "base/util.h"
#include "base/clock.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "Usage: kube_bench (--kubesim PATH | --dir DIR) [options]\n"
    "  --kubesim PATH     start this vela-kubesim with --count N (free ports)\n"
    "  --dir DIR          use DIR/*.kubeconfig of a running simulator instead\n"
    "  --clusters N       clusters (default 100)\n"
    "  --applies N        applies per measured phase (default 6000)\n"
    "  --inflight N       requests in flight per cluster, both clients (default 4)\n"
    "  --rounds N         measured phases of each client, alternating (default 2)\n"
    "  --objects N        distinct ConfigMaps per cluster, applied in turn (default 20)\n"
    "  --kubesim-arg ARG  extra argument for vela-kubesim (repeatable)\n";

typedef struct target {
    char name[128];
    kube_creds creds;
} target;

static target *targets;
static int ntargets;
static int n_objects = 20;

/* ---- the simulator ------------------------------------------------------------------------- */

static pid_t start_kubesim(const char *bin, int n, const char *dir, char **extra, int nextra)
{
    char count[16], log[512];
    snprintf(count, sizeof(count), "%d", n);
    snprintf(log, sizeof(log), "%s/kubesim.log", dir);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "w", stdout);
        if (f)
            dup2(fileno(stdout), 2);
        /* No --base-port: each cluster takes a free port, written into its kubeconfig. */
        char *argv[64] = {(char *)bin, "--count", count, "--dir", (char *)dir};
        int argc = 5;
        for (int i = 0; i < nextra && argc < 62; i++)
            argv[argc++] = extra[i];
        argv[argc] = NULL;
        execv(bin, argv);
        _exit(127);
    }
    return pid;
}

static int is_kubeconfig(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 11 && strcmp(d->d_name + n - 11, ".kubeconfig") == 0;
}

/* Loads up to want kubeconfigs from dir; returns how many. */
static int load_targets(const char *dir, int want, char *err, size_t errlen)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, is_kubeconfig, alphasort);
    if (n < 0)
        return err_set(err, errlen, "cannot read %s: %s", dir, strerror(errno));
    targets = xcalloc((size_t)(n ? n : 1), sizeof(*targets));
    ntargets = 0;
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
        if (ntargets < want) {
            target *t = &targets[ntargets];
            snprintf(t->name, sizeof(t->name), "%.*s", (int)(strlen(list[i]->d_name) - 11),
                     list[i]->d_name);
            if (kubeconfig_load(path, NULL, &t->creds, err, errlen) == 0)
                ntargets++;
        }
        free(list[i]);
    }
    free(list);
    return ntargets;
}

static void free_targets(void)
{
    for (int i = 0; i < ntargets; i++)
        kube_creds_release(&targets[i].creds);
    free(targets);
    targets = NULL;
    ntargets = 0;
}

/* ---- the requests -------------------------------------------------------------------------- */

static long seq;

/* CPU time of this process (the client side only: the simulator is another process). */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static json_t *manifest(int obj)
{
    char name[32], val[32];
    snprintf(name, sizeof(name), "bench-%d", obj);
    snprintf(val, sizeof(val), "%ld", seq++);
    return json_pack("{s:s, s:s, s:{s:s, s:s, s:{s:s}}, s:{s:s, s:s}}", "apiVersion", "v1", "kind",
                     "ConfigMap", "metadata", "name", name, "namespace", "default", "labels",
                     "app.oam.dev/name", "bench", "data", "seq", val, "payload",
                     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
}

/* ---- ours ------------------------------------------------------------------------------------ */

typedef struct ours_state {
    long done, errors;
    char first_error[512];
} ours_state;

static void ours_cb(const kube_result *r, void *opaque)
{
    ours_state *st = opaque;
    st->done++;
    if (r->status != KUBE_OK) {
        if (st->errors++ == 0)
            snprintf(st->first_error, sizeof(st->first_error), "%s: %s", r->cluster, r->message);
    }
}

/* Queues every apply up front (the worker's pattern: a batch of tasks), the client keeps
 * inflight per cluster on the wire. */
static double run_ours(kube_client *kc, kube_cluster **cls, long applies, ours_state *st)
{
    char err[256];
    memset(st, 0, sizeof(*st));
    int64_t t0 = now_ms();
    for (long i = 0; i < applies; i++) {
        json_t *m = manifest((int)((i / ntargets) % n_objects));
        if (kube_apply_async(cls[i % ntargets], m, ours_cb, st, err, sizeof(err)) < 0) {
            fprintf(stderr, "kube_bench: %s\n", err);
            st->errors++;
            st->done++;
        }
        json_decref(m);
    }
    while (kube_client_inflight(kc) > 0)
        kube_client_run(kc, 1000);
    return (double)(now_ms() - t0) / 1000.0;
}

/* ---- raw ------------------------------------------------------------------------------------- */

typedef struct raw_handle {
    CURL *e;
    int cluster;
    struct curl_slist *hdr;
    char *body;
    char errbuf[CURL_ERROR_SIZE];
} raw_handle;

static size_t raw_write(char *p, size_t s, size_t n, void *u)
{
    (void)p;
    (void)u;
    return s * n;
}

static void raw_set_request(raw_handle *h, long i)
{
    json_t *m = manifest((int)((i / ntargets) % n_objects));
    const kube_creds *c = &targets[h->cluster].creds;
    char url[512];
    snprintf(url, sizeof(url),
             "%s/api/v1/namespaces/default/configmaps/bench-%d"
             "?fieldManager=vela&force=true",
             c->server, (int)((i / ntargets) % n_objects));
    free(h->body);
    h->body = vela_json_dumps(m, JSON_COMPACT);
    json_decref(m);
    curl_easy_setopt(h->e, CURLOPT_URL, url);
    curl_easy_setopt(h->e, CURLOPT_POSTFIELDS, h->body);
}

/* A plain multi with inflight easy handles per cluster, each re-added as soon as it is done.
 * The multi and its handles live across phases, like our client's, so both run on warm
 * connections. */
static CURLM *raw_multi;
static raw_handle *raw_hs;
static int raw_nh;

static void raw_init(int inflight)
{
    raw_multi = curl_multi_init();
    raw_nh = ntargets * inflight;
    raw_hs = xcalloc((size_t)raw_nh, sizeof(*raw_hs));
    curl_multi_setopt(raw_multi, CURLMOPT_MAXCONNECTS, (long)raw_nh);
    for (int i = 0; i < raw_nh; i++) {
        raw_handle *h = &raw_hs[i];
        const kube_creds *c = &targets[i % ntargets].creds;
        h->cluster = i % ntargets;
        h->e = curl_easy_init();
        curl_easy_setopt(h->e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h->e, CURLOPT_CUSTOMREQUEST, "PATCH");
        curl_easy_setopt(h->e, CURLOPT_WRITEFUNCTION, raw_write);
        curl_easy_setopt(h->e, CURLOPT_ERRORBUFFER, h->errbuf);
        h->hdr = curl_slist_append(h->hdr, "Content-Type: application/apply-patch+yaml");
        h->hdr = curl_slist_append(h->hdr, "Accept: application/json");
        h->hdr = curl_slist_append(h->hdr, "Expect:");
        if (c->token) {
            char a[4096];
            snprintf(a, sizeof(a), "Authorization: Bearer %s", c->token);
            h->hdr = curl_slist_append(h->hdr, a);
        }
        curl_easy_setopt(h->e, CURLOPT_HTTPHEADER, h->hdr);
        if (c->ca_pem) {
            struct curl_blob b = {c->ca_pem, c->ca_len, CURL_BLOB_COPY};
            curl_easy_setopt(h->e, CURLOPT_CAINFO_BLOB, &b);
        }
        if (c->insecure) {
            curl_easy_setopt(h->e, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(h->e, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (c->cert_pem) {
            struct curl_blob cb = {c->cert_pem, c->cert_len, CURL_BLOB_COPY};
            struct curl_blob kb = {c->key_pem, c->key_len, CURL_BLOB_COPY};
            curl_easy_setopt(h->e, CURLOPT_SSLCERT_BLOB, &cb);
            curl_easy_setopt(h->e, CURLOPT_SSLKEY_BLOB, &kb);
        }
        curl_easy_setopt(h->e, CURLOPT_PRIVATE, h);
    }
}

static void raw_free(void)
{
    for (int i = 0; i < raw_nh; i++) {
        curl_easy_cleanup(raw_hs[i].e);
        curl_slist_free_all(raw_hs[i].hdr);
        free(raw_hs[i].body);
    }
    free(raw_hs);
    if (raw_multi)
        curl_multi_cleanup(raw_multi);
}

static double run_raw(long applies, long *errors, long *done)
{
    CURLM *m = raw_multi;
    long started = 0;
    *errors = *done = 0;
    int64_t t0 = now_ms();
    for (int i = 0; i < raw_nh && started < applies; i++) {
        raw_set_request(&raw_hs[i], started++);
        curl_multi_add_handle(m, raw_hs[i].e);
    }
    int running = 1;
    while (*done < applies) {
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            raw_handle *h;
            long code = 0;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&h);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
            if (msg->data.result != CURLE_OK || code < 200 || code >= 300) {
                if ((*errors)++ == 0)
                    fprintf(stderr, "kube_bench: raw: %s (HTTP %ld)\n", h->errbuf, code);
            }
            (*done)++;
            curl_multi_remove_handle(m, h->e);
            if (started < applies) {
                raw_set_request(h, started++);
                curl_multi_add_handle(m, h->e);
            }
        }
        if (*done < applies)
            curl_multi_poll(m, NULL, 0, 1000, NULL);
    }
    return (double)(now_ms() - t0) / 1000.0;
}

/* ---- main ------------------------------------------------------------------------------------ */

/* A positive count from the command line, at most max; -1 when it is not one (usage error). */
static long kb_count(const char *s, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v <= 0 || v > max)
        return -1;
    return v;
}

int main(int argc, char **argv)
{
    const char *kubesim = NULL, *dir = NULL;
    int clusters = 100, inflight = 4, rounds = 2;
    long applies = 6000;
    char *extra[32];
    int nextra = 0;
    static const struct option longopts[] = {
        {"kubesim", required_argument, NULL, 'k'},  {"dir", required_argument, NULL, 'd'},
        {"clusters", required_argument, NULL, 'c'}, {"applies", required_argument, NULL, 'a'},
        {"inflight", required_argument, NULL, 'i'}, {"rounds", required_argument, NULL, 'r'},
        {"objects", required_argument, NULL, 'o'},  {"kubesim-arg", required_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'k': kubesim = optarg; break;
        case 'd': dir = optarg; break;
        case 'c': clusters = (int)kb_count(optarg, 100000); break;
        case 'a': applies = kb_count(optarg, LONG_MAX); break;
        case 'i': inflight = (int)kb_count(optarg, 10000); break;
        case 'r': rounds = (int)kb_count(optarg, 10000); break;
        case 'o': n_objects = (int)kb_count(optarg, 100000); break;
        case 'x':
            if (nextra < 32)
                extra[nextra++] = optarg;
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if ((!kubesim) == (!dir) || clusters < 1 || applies < 1 || inflight < 1 || rounds < 1 ||
        n_objects < 1) {
        fputs(usage, stderr);
        return 2;
    }

    char tmp[] = "/tmp/kube_bench.XXXXXX", err[512] = "";
    pid_t sim = 0;
    int rc = 1;
    kube_client *kc = NULL;
    kube_cluster **cls = NULL;
    if (kubesim) {
        if (!mkdtemp(tmp)) {
            perror("mkdtemp");
            return 1;
        }
        dir = tmp;
        sim = start_kubesim(kubesim, clusters, dir, extra, nextra);
        if (sim <= 0) {
            fprintf(stderr, "kube_bench: cannot start %s\n", kubesim);
            return 1;
        }
    }
    /* Wait until every cluster has a kubeconfig and answers /version. */
    int64_t deadline = now_ms() + 60000;
    int ready = 0;
    while (now_ms() < deadline) {
        int status;
        if (sim > 0 && waitpid(sim, &status, WNOHANG) == sim) {
            fprintf(stderr, "kube_bench: vela-kubesim exited; see %s/kubesim.log\n", dir);
            sim = 0;
            goto cleanup;
        }
        free_targets();
        if (load_targets(dir, clusters, err, sizeof(err)) >= clusters) {
            char ver[64];
            ready = kube_check_version(&targets[ntargets - 1].creds, 2000, ver, sizeof(ver), err,
                                       sizeof(err)) == 0 &&
                    kube_check_version(&targets[0].creds, 2000, ver, sizeof(ver), err,
                                       sizeof(err)) == 0;
            if (ready)
                break;
        }
        usleep(200 * 1000);
    }
    if (!ready) {
        fprintf(stderr, "kube_bench: %d of %d clusters ready in %s (%s)\n", ntargets, clusters, dir,
                err[0] ? err : "timed out");
        goto cleanup;
    }

    kube_client_opts o;
    kube_client_opts_init(&o);
    o.max_inflight_per_cluster = inflight;
    kc = kube_client_new(&o, err, sizeof(err));
    cls = xcalloc((size_t)ntargets, sizeof(*cls));
    if (!kc) {
        fprintf(stderr, "kube_bench: %s\n", err);
        goto cleanup;
    }
    for (int i = 0; i < ntargets; i++)
        if (!(cls[i] = kube_client_cluster(kc, targets[i].name, &targets[i].creds, err,
                                           sizeof(err)))) {
            fprintf(stderr, "kube_bench: %s\n", err);
            goto cleanup;
        }

    printf("kube_bench: %d clusters, %d in flight per cluster, %ld applies per phase, "
           "%d rounds\n",
           ntargets, inflight, applies, rounds);
    /* Warm-up (connections, TLS, first creation of the objects), not measured. */
    ours_state st;
    long raw_err = 0, raw_done = 0;
    long warm = (long)ntargets * inflight * n_objects;
    run_ours(kc, cls, warm, &st);
    raw_init(inflight);
    run_raw((long)ntargets * inflight * n_objects, &raw_err, &raw_done);
    if (st.errors || raw_err) /* e.g. handshakes timing out on a loaded machine */
        fprintf(stderr, "kube_bench: warm-up errors (not counted): ours %ld (%s), raw %ld\n",
                st.errors, st.first_error, raw_err);
    double ours_s = 0, raw_s = 0, ours_cpu = 0, raw_cpu = 0;
    long ours_errors = 0, raw_errors = 0;
    for (int r = 0; r < rounds; r++) {
        /* Alternate the order so neither client always runs on a warmer simulator. */
        for (int k = 0; k < 2; k++) {
            if ((r + k) % 2 == 0) {
                double c0 = cpu_s();
                double s = run_ours(kc, cls, applies, &st);
                ours_cpu += cpu_s() - c0;
                ours_s += s;
                ours_errors += st.errors;
                printf("  round %d ours: %ld applies in %.2f s = %.0f/s%s%s\n", r + 1, applies, s,
                       (double)applies / s, st.errors ? "; first error: " : "",
                       st.errors ? st.first_error : "");
            } else {
                double c0 = cpu_s();
                double s = run_raw(applies, &raw_err, &raw_done);
                raw_cpu += cpu_s() - c0;
                raw_s += s;
                raw_errors += raw_err;
                printf("  round %d raw:  %ld applies in %.2f s = %.0f/s\n", r + 1, applies, s,
                       (double)applies / s);
            }
            fflush(stdout);
        }
    }
    double ours_rate = (double)applies * rounds / ours_s;
    double raw_rate = (double)applies * rounds / raw_s;
    printf("ours (kube client, curl multi): %.0f applies/s (errors %ld)\n", ours_rate, ours_errors);
    printf("raw (plain libcurl multi):      %.0f applies/s (errors %ld)\n", raw_rate, raw_errors);
    printf("ratio ours/raw: %.2f (target >= 0.80)\n", ours_rate / raw_rate);
    /* Client CPU per request does not depend on what else runs on the machine. */
    printf("client CPU per apply: ours %.1f us, raw %.1f us\n",
           ours_cpu * 1e6 / ((double)applies * rounds), raw_cpu * 1e6 / ((double)applies * rounds));
    rc = ours_errors || raw_errors ? 1 : 0;
cleanup:
    raw_free();
    kube_client_free(kc);
    free(cls);
    free_targets();
    if (sim > 0) {
        kill(sim, SIGTERM);
        waitpid(sim, NULL, 0);
    }
    if (kubesim) {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        if (rc == 0 && system(cmd) != 0)
            fprintf(stderr, "kube_bench: could not remove %s\n", tmp);
    }
    return rc;
}

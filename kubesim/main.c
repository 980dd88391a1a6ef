/* vela-kubesim: serves many simulated Kubernetes API servers from one process. Parses the
 * command line, makes each cluster's credentials and kubeconfig, spreads the clusters over a
 * few event-loop threads, and runs the admin endpoint and signal handling on the main one. */
#include "cluster.h"
#include "admin.h"
#include "api.h"
#include "controller.h"
#include "pki.h"
#include "server.h"
#include "store.h"

#include "base/cmdline.h"
#include "base/log.h"
#include "base/alloc.h"
#include "base/util.h"
#include "base/clock.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define KS_TICK_MS 20
#define KS_MAX_CLUSTERS 20000

/* Options; values land in struct ks_args, then main checks what the table cannot. */
struct ks_args {
    const char *clusters, *prefix, *dir, *admin, *user, *auth;
    int count, base_port, threads, ready_delay_ms;
};

static const char *const ks_auth_modes[] = {"cert", "token", NULL};

/* Declared in cluster.h; filled in from the options before any thread starts. */
struct ks_config ks_cfg;

static const cmdline_opt ks_opts[] = {
    {.name = "clusters",
     .kind = CMDLINE_STRING,
     .arg = "a,b,c",
     .offset = offsetof(struct ks_args, clusters),
     .help = "cluster names (DNS-1123 labels)"},
    {.name = "count",
     .kind = CMDLINE_INT,
     .min = 1,
     .max = KS_MAX_CLUSTERS,
     .arg = "N",
     .offset = offsetof(struct ks_args, count),
     .help = "N clusters named <prefix>1 .. <prefix>N"},
    {.name = "name-prefix",
     .kind = CMDLINE_STRING,
     .arg = "P",
     .offset = offsetof(struct ks_args, prefix),
     .help = "prefix for --count (default \"cluster-\")"},
    {.name = "dir",
     .kind = CMDLINE_STRING,
     .arg = "DIR",
     .flags = CMDLINE_REQUIRED,
     .offset = offsetof(struct ks_args, dir),
     .help = "where the kubeconfigs go (created if missing)"},
    {.name = "ready-delay-ms",
     .kind = CMDLINE_INT,
     .min = 0,
     .max = 86400000,
     .arg = "MS",
     .offset = offsetof(struct ks_args, ready_delay_ms),
     .help = "time until a Deployment is ready and a Job completes (default 1000;\n"
             "0 = on the next controller tick)"},
    {.name = "base-port",
     .kind = CMDLINE_INT,
     .min = 0,
     .max = 65535,
     .arg = "PORT",
     .offset = offsetof(struct ks_args, base_port),
     .help = "cluster i listens on PORT+i (default 0: any free port each)"},
    {.name = "auth",
     .kind = CMDLINE_ENUM,
     .choices = ks_auth_modes,
     .offset = offsetof(struct ks_args, auth),
     .help = "credentials in the kubeconfigs: client certificate (default) or\n"
             "bearer token; the server accepts both"},
    {.name = "admin",
     .kind = CMDLINE_STRING,
     .arg = "HOST:PORT",
     .offset = offsetof(struct ks_args, admin),
     .help = "fault-injection endpoint (plain HTTP, loopback only; PORT 0 = any)"},
    {.name = "threads",
     .kind = CMDLINE_INT,
     .min = 1,
     .max = 64,
     .arg = "N",
     .offset = offsetof(struct ks_args, threads),
     .help = "event-loop threads serving the clusters (default: CPUs, max 8)"},
    {.name = "user",
     .kind = CMDLINE_STRING,
     .arg = "NAME",
     .offset = offsetof(struct ks_args, user),
     .help = "the client certificate's CN (default \"kubesim-admin\")"},
    {0},
};

static const cmdline_cmd ks_cmd = {
    .name = "vela-kubesim",
    .about = "Serves simulated Kubernetes API servers on 127.0.0.1, one HTTPS port per cluster,\n"
             "and writes DIR/<cluster>.kubeconfig for each. Give one of --clusters or --count.\n",
    .footer = "Logs go to stderr. See docs/kubesim.md.\n",
};

static struct ks_thread *threads;
static int nthreads;

/* Credentials are made in parallel at start: OpenSSL 3's key encoders are slow enough that
 * 1,000 clusters would otherwise take several seconds on one core. */
struct pki_job {
    struct ks_cluster *clusters;
    struct ks_pki **pkis;
    size_t n, next;
    pthread_mutex_t lock;
    int failed;
    char err[512];
};

static void *pki_worker(void *arg)
{
    struct pki_job *j = arg;
    char err[512];
    while (1) {
        pthread_mutex_lock(&j->lock);
        size_t i = j->next++;
        int stop = j->failed;
        pthread_mutex_unlock(&j->lock);
        if (i >= j->n || stop)
            return NULL;
        if (ks_pki_create(&j->clusters[i], &j->pkis[i], err, sizeof(err)) != 0) {
            pthread_mutex_lock(&j->lock);
            if (!j->failed)
                snprintf(j->err, sizeof(j->err), "%s", err);
            j->failed = 1;
            pthread_mutex_unlock(&j->lock);
            return NULL;
        }
    }
}

static int make_pkis(struct ks_cluster *clusters, struct ks_pki **pkis, size_t n, int workers,
                     char *err, size_t errlen)
{
    struct pki_job j = {.clusters = clusters, .pkis = pkis, .n = n};
    pthread_t tids[16];
    int started = 0;
    pthread_mutex_init(&j.lock, NULL);
    if (workers > 16)
        workers = 16;
    for (int i = 0; i < workers; i++)
        if (pthread_create(&tids[i], NULL, pki_worker, &j) == 0)
            started++;
    if (started == 0)
        pki_worker(&j);
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    pthread_mutex_destroy(&j.lock);
    if (j.failed)
        return err_set(err, errlen, "%s", j.err);
    return 0;
}

static void *thread_main(void *arg)
{
    struct ks_thread *t = arg;
    event_base_dispatch(t->base);
    return NULL;
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
    struct ks_thread *t = arg;
    (void)fd;
    (void)what;
    int64_t now = now_ms();
    for (size_t i = 0; i < t->nclusters; i++)
        if (t->clusters[i]->npending)
            ks_controller_tick(t->clusters[i], now);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    log_info("msg=\"shutting down\" signal=%d", (int)sig);
    event_base_loopbreak(arg);
}

static int parse_names(const char *list, char ***names, size_t *n, char *err, size_t errlen)
{
    char *copy = xstrdup(list);
    size_t cap = 8;
    *names = xcalloc(cap, sizeof(char *));
    *n = 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!is_dns1123_label(t)) {
            err_set(err, errlen,
                    "invalid cluster name \"%s\": use lowercase letters, digits and '-'", t);
            free(copy);
            return -1;
        }
        for (size_t i = 0; i < *n; i++)
            if (strcmp((*names)[i], t) == 0) {
                err_set(err, errlen, "cluster name \"%s\" given twice", t);
                free(copy);
                return -1;
            }
        if (*n == cap) {
            cap *= 2;
            *names = xrealloc(*names, cap * sizeof(char *));
        }
        (*names)[(*n)++] = xstrdup(t);
    }
    free(copy);
    if (*n == 0)
        return err_set(err, errlen, "--clusters needs at least one name");
    return 0;
}

static void raise_nofile(size_t need)
{
    unsigned long long limit = raise_nofile_limit();
    if (limit && limit < need + 64)
        log_warn("msg=\"open file limit may be too low\" limit=%llu clusters_need=%zu", limit,
                 need);
}

int main(int argc, char **argv)
{
    struct event_config *ecfg = NULL;
    char err[512];
    const char *cluster_list = NULL, *prefix = "cluster-", *dir = NULL, *admin = NULL;
    const char *user = "kubesim-admin";
    long count = 0, base_port = 0;
    int exit_code = 1;
    char **names = NULL;
    size_t nnames = 0;
    struct ks_cluster *clusters = NULL;
    struct event_base *main_base = NULL;
    struct event *sigint = NULL, *sigterm = NULL;
    struct ks_admin *adm = NULL;
    int started_threads = 0;
    struct ks_pki **pkis = NULL;

    log_set_program("vela-kubesim");
    if (log_set_level(getenv("VELA_LOG_LEVEL")) != 0)
        log_warn("msg=\"unknown VELA_LOG_LEVEL; using info\"");
    long n_threads = sysconf(_SC_NPROCESSORS_ONLN);
    if (n_threads < 1)
        n_threads = 1;
    if (n_threads > 8)
        n_threads = 8;

    struct ks_args a = {.prefix = "cluster-", .user = "kubesim-admin", .ready_delay_ms = 1000};
    cmdline_group groups[] = {{"Options", ks_opts, &a}};
    cmdline_args args;
    int rc = cmdline_parse(&ks_cmd, groups, 1, argc, argv, &args);
    if (rc != CMDLINE_CONTINUE)
        return rc;
    cmdline_args_release(&args);
    cluster_list = a.clusters;
    count = a.count;
    prefix = a.prefix;
    dir = a.dir;
    admin = a.admin;
    user = a.user;
    base_port = a.base_port;
    ks_cfg.ready_delay_ms = a.ready_delay_ms;
    ks_cfg.token_auth = a.auth && strcmp(a.auth, "token") == 0;
    if (a.threads)
        n_threads = a.threads;
    if (!cluster_list == !count) {
        fprintf(stderr, "error: give one of --clusters or --count; see 'vela-kubesim --help'\n");
        goto usage_error;
    }
    if (cluster_list) {
        if (parse_names(cluster_list, &names, &nnames, err, sizeof(err)) != 0) {
            fprintf(stderr, "error: %s\n", err);
            goto usage_error;
        }
    } else {
        names = xcalloc((size_t)count, sizeof(char *));
        for (long i = 0; i < count; i++) {
            char buf[128];
            snprintf(buf, sizeof(buf), "%s%ld", prefix, i + 1);
            if (!is_dns1123_label(buf)) {
                fprintf(stderr,
                        "error: cluster name \"%s\" from --name-prefix is not a DNS-1123 label\n",
                        buf);
                goto usage_error;
            }
            names[nnames++] = xstrdup(buf);
        }
    }
    if (base_port > 0 && base_port + (long)nnames - 1 > 65535) {
        fprintf(stderr, "error: --base-port %ld leaves no room for %zu clusters\n", base_port,
                nnames);
        goto usage_error;
    }
    if ((long)nnames < n_threads)
        n_threads = (long)nnames;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "error: cannot create \"%s\": %s\n", dir, strerror(errno));
        goto cleanup;
    }
    raise_nofile(nnames);
    signal(SIGPIPE, SIG_IGN);
    if (evthread_use_pthreads() != 0) {
        fprintf(stderr, "error: libevent has no thread support\n");
        goto cleanup;
    }
    int64_t t0 = now_ms();
    nthreads = (int)n_threads;
    threads = xcalloc((size_t)nthreads, sizeof(*threads));
    clusters = xcalloc(nnames, sizeof(*clusters));
    main_base = event_base_new();
    if (!main_base)
        goto cleanup;
    /* epoll changelist: a connection's write interest, added for a reply and dropped once it
     * is written within the same loop pass, costs no epoll_ctl at all. Precise timers: by
     * default libevent reads CLOCK_MONOTONIC_COARSE (one tick, 4 ms at HZ=250), so an
     * injected latency of N ms fired up to a tick early, shorter than asked. */
    ecfg = event_config_new();
    if (ecfg) {
        event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
        event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
    }
    for (int i = 0; i < nthreads; i++) {
        threads[i].index = i;
        threads[i].base = ecfg ? event_base_new_with_config(ecfg) : event_base_new();
        threads[i].clusters = xcalloc(nnames / (size_t)nthreads + 1, sizeof(struct ks_cluster *));
        if (!threads[i].base)
            goto cleanup;
        threads[i].tick = event_new(threads[i].base, -1, EV_PERSIST, tick, &threads[i]);

        struct timeval tv = {0, KS_TICK_MS * 1000};
        if (!threads[i].tick || event_add(threads[i].tick, &tv) != 0)
            goto cleanup;
    }

    for (size_t i = 0; i < nnames; i++) {
        struct ks_cluster *cl = &clusters[i];
        snprintf(cl->name, sizeof(cl->name), "%s", names[i]);
        snprintf(cl->user, sizeof(cl->user), "%s", user);
        cl->index = (int)i;
        cl->port = base_port ? (uint16_t)(base_port + (long)i) : 0;
        struct ks_thread *t = &threads[i % (size_t)nthreads];
        cl->thr = t;
        t->clusters[t->nclusters++] = cl;
    }
    pkis = xcalloc(nnames, sizeof(*pkis));
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (make_pkis(clusters, pkis, nnames, ncpu > 1 ? (int)ncpu : 1, err, sizeof(err)) != 0) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    for (size_t i = 0; i < nnames; i++) {
        struct ks_cluster *cl = &clusters[i];
        ks_store_init(cl);
        ks_api_bootstrap(cl);
        if (ks_server_start(cl, err, sizeof(err)) != 0 ||
            ks_pki_write_kubeconfig(cl, pkis[i], dir, err, sizeof(err)) != 0) {
            fprintf(stderr, "error: %s\n", err);
            goto cleanup;
        }
        ks_pki_free(pkis[i]);
        pkis[i] = NULL;
        log_debug("cluster=%s msg=\"serving\" server=https://127.0.0.1:%u", cl->name,
                  (unsigned)cl->port);
    }

    if (admin) {
        char host[256];
        const char *colon = strrchr(admin, ':');
        char *end = NULL;
        long aport = colon ? strtol(colon + 1, &end, 10) : -1;
        if (!colon || *end || aport < 0 || aport > 65535 ||
            (size_t)(colon - admin) >= sizeof(host)) {
            fprintf(stderr, "error: --admin needs HOST:PORT, e.g. 127.0.0.1:7070\n");
            exit_code = 2;
            goto cleanup;
        }
        snprintf(host, sizeof(host), "%.*s", (int)(colon - admin), admin);
        if (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "localhost") != 0 &&
            strcmp(host, "::1") != 0) {
            fprintf(stderr, "error: --admin must listen on loopback (127.0.0.1)\n");
            exit_code = 2;
            goto cleanup;
        }
        uint16_t bound = 0;
        adm = ks_admin_new(main_base, host, (uint16_t)aport, clusters, nnames, dir, &bound, err,
                           sizeof(err));
        if (!adm) {
            fprintf(stderr, "error: %s\n", err);
            goto cleanup;
        }
        log_info("msg=\"admin endpoint\" url=http://%s:%u", host, (unsigned)bound);
    }

    sigint = evsignal_new(main_base, SIGINT, on_signal, main_base);
    sigterm = evsignal_new(main_base, SIGTERM, on_signal, main_base);
    if (!sigint || !sigterm || event_add(sigint, NULL) != 0 || event_add(sigterm, NULL) != 0)
        goto cleanup;
    for (int i = 0; i < nthreads; i++) {
        if (pthread_create(&threads[i].tid, NULL, thread_main, &threads[i]) != 0) {
            fprintf(stderr, "error: cannot start threads\n");
            goto cleanup;
        }
        started_threads++;
    }
    log_info("msg=\"ready\" clusters=%zu threads=%d dir=%s first=https://127.0.0.1:%u "
             "startup_ms=%lld",
             nnames, nthreads, dir, (unsigned)clusters[0].port, (long long)(now_ms() - t0));
    event_base_dispatch(main_base);
    exit_code = 0;

cleanup:
    if (ecfg)
        event_config_free(ecfg);
    for (int i = 0; i < started_threads; i++)
        event_base_loopbreak(threads[i].base);
    for (int i = 0; i < started_threads; i++)
        pthread_join(threads[i].tid, NULL);
    ks_admin_free(adm);
    if (sigint)
        event_free(sigint);
    if (sigterm)
        event_free(sigterm);
    if (clusters) {
        for (size_t i = 0; i < nnames; i++) {
            ks_server_release(&clusters[i]);
            ks_store_release(&clusters[i]);
        }
    }
    if (threads) {
        for (int i = 0; i < nthreads; i++) {
            if (threads[i].tick)
                event_free(threads[i].tick);
            if (threads[i].base)
                event_base_free(threads[i].base);
            free(threads[i].clusters);
        }
        free(threads);
    }
    if (main_base)
        event_base_free(main_base);
    free(clusters);
    for (size_t i = 0; pkis && i < nnames; i++)
        ks_pki_free(pkis[i]);
    free(pkis);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    libevent_global_shutdown();
    return exit_code;

usage_error:
    exit_code = 2;
    goto cleanup;
}

/* vela-worker: one region's worker. Takes deploy and delete tasks from vela.tasks.<region>
 * (consumer group vela-worker-<region>), applies them to the clusters of the registry, and
 * publishes status events on vela.events. Options and signals here; see docs/worker.md. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jpool.h"
#include "base/log.h"
#include "kafka/opts.h"
#include "base/util.h"
#include "worker.h"

static const char worker_usage[] =
    "Usage: vela-worker --region REGION [--concurrency N] [options]\n"
    "\n"
    "One region's worker: takes the tasks of vela.tasks.<REGION> (consumer group\n"
    "vela-worker-<REGION>), applies them to the clusters joined with 'vela cluster join', and\n"
    "reports status events on vela.events. Start more workers of a region to share its\n"
    "partitions. Credentials are opened with the key in $VELA_SECRET_KEY_FILE (default\n"
    "~/.vela/secret.key). Stops cleanly on SIGTERM or SIGINT.\n"
    "\n"
    "Options:\n"
    "  --region REGION         the region to serve (required)\n"
    "  --concurrency N         tasks in flight at once (default 256)\n"
    "  --cluster-inflight N    requests on the wire per cluster (default 8)\n"
    "  --health MODE           watch (default): watches report the objects' changes, with a\n"
    "                          GET now and then; poll: GETs only, every --poll-interval\n"
    "  --poll-interval MS      health polls at most this far apart (default 200)\n"
    "  --grace-period MS       at shutdown, time given to running tasks (default 3000)\n"
    "  --log-level LEVEL       debug, info, warn or error (default info; env VELA_LOG_LEVEL)\n"
    "  -h, --help              this text\n"
    "\n";

static const char worker_hint[] = "Run 'vela-worker --help' for the options.\n";

static volatile sig_atomic_t worker_stop;

static void worker_on_signal(int sig)
{
    (void)sig;
    worker_stop = 1;
}

static int worker_int_opt(const char *name, const char *v, int min, int max, int *out)
{
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || *end || n < min || n > max) {
        fprintf(stderr, "error: %s expects a number from %d to %d, got \"%s\"\n", name, min, max,
                v ? v : "");
        return -1;
    }
    *out = (int)n;
    return 0;
}

int main(int argc, char **argv)
{
    vela_opts o;
    char err[1024];
    int rc = 1;
    worker_config cfg = {
        .region = NULL,
        .concurrency = 256,
        .cluster_inflight = 8,
        .poll_interval_ms = 200,
        .grace_ms = 3000,
        .cluster_wait_ms = 3000,
        .health_watch = true,
    };

    jpool_init(); /* before any JSON value exists; JSON stays on this thread */
    raise_nofile_limit(); /* up to --cluster-inflight connections and a few watches a cluster */
    log_set_program("vela-worker");
    const char *lvl = getenv("VELA_LOG_LEVEL");
    if (lvl && *lvl && log_set_level(lvl) < 0)
        fprintf(stderr, "warning: VELA_LOG_LEVEL=\"%s\" is not a level\n", lvl);
    opts_init(&o);
    if (opts_parse_global(&o, &argc, argv, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        opts_release(&o);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(worker_usage, stdout);
            fputs(opts_global_help, stdout);
            opts_release(&o);
            return 0;
        } else if (strcmp(a, "--region") == 0 && v) {
            cfg.region = v;
        } else if (strcmp(a, "--concurrency") == 0) {
            bad = worker_int_opt(a, v, 1, 100000, &cfg.concurrency);
        } else if (strcmp(a, "--cluster-inflight") == 0) {
            bad = worker_int_opt(a, v, 1, 1024, &cfg.cluster_inflight);
        } else if (strcmp(a, "--poll-interval") == 0) {
            bad = worker_int_opt(a, v, 10, 60000, &cfg.poll_interval_ms);
        } else if (strcmp(a, "--health") == 0 && v &&
                   (strcmp(v, "watch") == 0 || strcmp(v, "poll") == 0)) {
            cfg.health_watch = strcmp(v, "watch") == 0;
        } else if (strcmp(a, "--health") == 0) {
            fprintf(stderr, "error: --health expects watch or poll, got \"%s\"\n", v ? v : "");
            bad = -1;
        } else if (strcmp(a, "--grace-period") == 0) {
            bad = worker_int_opt(a, v, 0, 600000, &cfg.grace_ms);
        } else if (strcmp(a, "--log-level") == 0 && v) {
            if (log_set_level(v) < 0) {
                fprintf(stderr, "error: --log-level: \"%s\" is not debug, info, warn or error\n",
                        v);
                bad = -1;
            }
        } else {
            fprintf(stderr, "error: unknown or incomplete option \"%s\"\n%s", a, worker_hint);
            bad = -1;
        }
        if (bad) {
            opts_release(&o);
            return 2;
        }
        i++;
    }
    if (!cfg.region || !is_dns1123_label(cfg.region)) {
        fprintf(stderr, "error: --region REGION is required (a DNS-1123 label)\n%s",
                worker_hint);
        opts_release(&o);
        return 2;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = worker_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    worker *w = worker_new(&o, &cfg, err, sizeof(err));
    if (!w) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    rc = worker_run(w, &worker_stop) == 0 ? 0 : 1;
    worker_free(w);
cleanup:
    opts_release(&o);
    return rc;
}

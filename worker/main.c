/* vela-worker: one region's worker. Takes deploy and delete tasks from vela.tasks.<region>
 * (consumer group vela-worker-<region>), applies them to the clusters of the registry, and
 * publishes status events on vela.events. Options and signals here; see docs/worker.md. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cmdline.h"
#include "base/jpool.h"
#include "base/log.h"
#include "base/signals.h"
#include "base/util.h"
#include "kafka/opts.h"
#include "loop.h"

/* The configuration, and --health before it becomes cfg.health_watch. */
struct worker_args {
    worker_config cfg;
    const char *health;
};

static const char *const worker_health_modes[] = {"watch", "poll", NULL};

static const cmdline_opt worker_opts[] = {
    {.name = "region",
     .kind = CMDLINE_STRING,
     .flags = CMDLINE_REQUIRED,
     .arg = "REGION",
     .offset = offsetof(struct worker_args, cfg.region),
     .help = "the region to serve (a DNS-1123 label)"},
    {.name = "concurrency",
     .kind = CMDLINE_INT,
     .min = 1,
     .max = 100000,
     .arg = "N",
     .offset = offsetof(struct worker_args, cfg.concurrency),
     .help = "tasks in flight at once (default 256)"},
    {.name = "cluster-inflight",
     .kind = CMDLINE_INT,
     .min = 1,
     .max = 1024,
     .arg = "N",
     .offset = offsetof(struct worker_args, cfg.cluster_inflight),
     .help = "requests on the wire per cluster (default 8)"},
    {.name = "health",
     .kind = CMDLINE_ENUM,
     .choices = worker_health_modes,
     .offset = offsetof(struct worker_args, health),
     .help = "watch (default): watches report the objects' changes, with a GET\n"
             "now and then; poll: GETs only, every --poll-interval"},
    {.name = "poll-interval",
     .kind = CMDLINE_INT,
     .min = 10,
     .max = 60000,
     .arg = "MS",
     .offset = offsetof(struct worker_args, cfg.poll_interval_ms),
     .help = "health polls at most this far apart (default 200)"},
    {.name = "grace-period",
     .kind = CMDLINE_INT,
     .min = 0,
     .max = 600000,
     .arg = "MS",
     .offset = offsetof(struct worker_args, cfg.grace_ms),
     .help = "at shutdown, time given to running tasks (default 3000)"},
    {0},
};

static const cmdline_cmd worker_cmd = {
    .name = "vela-worker",
    .about = "One region's worker: takes the tasks of vela.tasks.<REGION> (consumer group\n"
             "vela-worker-<REGION>), applies them to the clusters joined with 'vela cluster\n"
             "join', and reports status events on vela.events. Start more workers of a region\n"
             "to share its partitions. Credentials are opened with the key in\n"
             "$VELA_SECRET_KEY_FILE (default ~/.vela/secret.key). Stops cleanly on SIGTERM or\n"
             "SIGINT.\n",
};

int main(int argc, char **argv)
{
    vela_opts o;
    cmdline_args pos;
    char err[1024];
    struct worker_args args = {
        .cfg =
            {
                .region = NULL,
                .concurrency = 256,
                .cluster_inflight = 8,
                .poll_interval_ms = 200,
                .grace_ms = 3000,
                .cluster_wait_ms = 3000,
                .health_watch = true,
            },
        .health = "watch",
    };

    jpool_init(); /* before any JSON value exists; JSON stays on this thread */
    log_set_program("vela-worker");
    const char *lvl = getenv("VELA_LOG_LEVEL");
    if (lvl && *lvl && log_set_level(lvl) < 0)
        fprintf(stderr, "warning: VELA_LOG_LEVEL=\"%s\" is not a level\n", lvl);
    opts_init(&o);
    cmdline_group groups[] = {{"Options", worker_opts, &args}, opts_group(&o)};
    int rc = cmdline_parse(&worker_cmd, groups, ARRAY_LEN(groups), argc, argv, &pos);
    if (rc != CMDLINE_CONTINUE)
        goto cleanup;
    cmdline_args_release(&pos); /* takes no arguments */
    if (!is_dns1123_label(args.cfg.region)) {
        rc = cmdline_usage_error("--region: \"%s\" is not a DNS-1123 label", args.cfg.region);
        goto cleanup;
    }
    args.cfg.health_watch = strcmp(args.health, "watch") == 0;
    rc = 1;
    raise_nofile_limit(); /* up to --cluster-inflight connections and a few watches a cluster */
    if (signals_install() < 0) {
        fprintf(stderr, "error: cannot install the signal handlers\n");
        goto cleanup;
    }

    worker *w = worker_new(&o, &args.cfg, err, sizeof(err));
    if (!w) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    rc = worker_run(w, &signals_stop) == 0 ? 0 : 1;
    worker_free(w);
cleanup:
    opts_release(&o);
    return rc;
}

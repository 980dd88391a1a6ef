/* vela-broker: an embedded Kafka broker for development, demos and tests. It runs librdkafka's
 * mock cluster (N brokers on ephemeral loopback ports), creates vela's topics, and serves a
 * fixed bootstrap address through a TCP forwarder. Memory only; see docs/broker.md. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forward.h"
#include "kafka/kq.h"
#include "base/log.h"
#include "kafka/opts.h"
#include "base/util.h"

static const char broker_usage[] =
    "Usage: vela-broker [--listen HOST:PORT] [--brokers N] [--partitions N] [--regions a,b]\n"
    "\n"
    "An embedded Kafka broker (librdkafka's mock cluster) for development, demos and tests.\n"
    "Memory only, loopback only, plaintext, no compaction. Production uses Apache Kafka.\n"
    "\n"
    "Options:\n"
    "  --listen HOST:PORT  fixed bootstrap address (default 127.0.0.1:9092)\n"
    "  --brokers N         brokers in the cluster (default 1)\n"
    "  --partitions N      partitions of every topic it creates (default 12)\n"
    "  --regions a,b       regions whose vela.tasks.<region> topics are created at start,\n"
    "                      besides \"default\"; other regions' task topics are auto-created\n"
    "                      with 4 partitions on first use\n"
    "  -h, --help          this text\n"
    "\n";

static volatile sig_atomic_t broker_stop;

static void broker_on_signal(int sig)
{
    (void)sig;
    broker_stop = 1;
}

static int broker_parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static int broker_create_topic(rd_kafka_mock_cluster_t *mc, const char *topic, int partitions)
{
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, topic, partitions, 1);
    if (e) {
        fprintf(stderr, "error: cannot create topic \"%s\": %s\n", topic, rd_kafka_err2str(e));
        return -1;
    }
    log_info("event=topic_created topic=%s partitions=%d", topic, partitions);
    return 0;
}

/* Creates every topic of DESIGN.md: the tables, events, and the tasks topics of "default"
 * and the given regions. */
static int broker_create_topics(rd_kafka_mock_cluster_t *mc, const vela_opts *o, int partitions,
                                const char *regions)
{
    static const char *const suffixes[] = {KQ_TOPIC_APPLICATIONS, KQ_TOPIC_CLUSTERS,
                                           KQ_TOPIC_EVENTS, KQ_TOPIC_APP_STATUS};
    char topic[256];
    for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
        if (kq_topic_name(o, suffixes[i], topic, sizeof(topic)) < 0 ||
            broker_create_topic(mc, topic, partitions) < 0)
            return -1;
    }
    if (kq_tasks_topic(o, "default", topic, sizeof(topic)) < 0 ||
        broker_create_topic(mc, topic, partitions) < 0)
        return -1;
    for (const char *p = regions; p && *p;) {
        size_t n = strcspn(p, ",");
        char region[128];
        if (n > 0 && n < sizeof(region)) {
            memcpy(region, p, n);
            region[n] = '\0';
            if (strcmp(region, "default") != 0 &&
                (kq_tasks_topic(o, region, topic, sizeof(topic)) < 0 ||
                 broker_create_topic(mc, topic, partitions) < 0))
                return -1;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    vela_opts opts;
    char err[512];
    const char *listen_addr = "127.0.0.1:9092";
    const char *regions = NULL;
    int brokers = 1, partitions = KQ_DEFAULT_PARTITIONS;
    int rc = EXIT_FAILURE;
    rd_kafka_t *rk = NULL;
    rd_kafka_mock_cluster_t *mc = NULL;
    fwd *f = NULL;

    log_set_program("vela-broker");
    log_set_level(getenv("VELA_LOG_LEVEL"));
    opts_init(&opts);
    if (opts_parse_global(&opts, &argc, argv, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        opts_release(&opts);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(broker_usage, stdout);
            fputs(opts_global_help, stdout);
            opts_release(&opts);
            return 0;
        } else if (strcmp(a, "--listen") == 0 && v) {
            listen_addr = v;
            i++;
        } else if (strcmp(a, "--brokers") == 0 && v) {
            if (broker_parse_int(v, 1, 16, &brokers) < 0) {
                fprintf(stderr, "error: --brokers expects 1..16, got \"%s\"\n", v);
                opts_release(&opts);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--partitions") == 0 && v) {
            if (broker_parse_int(v, 1, 1000, &partitions) < 0) {
                fprintf(stderr, "error: --partitions expects 1..1000, got \"%s\"\n", v);
                opts_release(&opts);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--regions") == 0 && v) {
            regions = v;
            i++;
        } else {
            fprintf(stderr, "error: unexpected argument \"%s\"\nRun 'vela-broker -h' for usage.\n",
                    a);
            opts_release(&opts);
            return 2;
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = broker_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* The mock cluster lives inside a client handle; this one never connects anywhere. */
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    kq_conf_set_logger(conf);
    /* Only warnings and errors: the handle's own notices ("no bootstrap.servers") are noise. */
    if (rd_kafka_conf_set(conf, "log_level", "4", err, sizeof(err)) != RD_KAFKA_CONF_OK)
        log_warn("event=conf_rejected key=log_level error=\"%s\"", err);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        fprintf(stderr, "error: cannot create the mock cluster's handle: %s\n", err);
        goto cleanup;
    }
    mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        fprintf(stderr, "error: cannot start the mock cluster\n");
        goto cleanup;
    }
    if (broker_create_topics(mc, &opts, partitions, regions) < 0)
        goto cleanup;
    const char *boot = rd_kafka_mock_cluster_bootstraps(mc);
    f = fwd_new(listen_addr, boot, err, sizeof(err));
    if (!f) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    log_info("event=started listen=%s brokers=%d partitions=%d broker_ports=%s", listen_addr,
             brokers, partitions, boot);
    printf("vela-broker: bootstrap %s (brokers %s)\n", listen_addr, boot);
    fflush(stdout);

    while (!broker_stop)
        usleep(100 * 1000);
    log_info("event=stopping");
    rc = EXIT_SUCCESS;

cleanup:
    fwd_free(f);
    if (mc)
        rd_kafka_mock_cluster_destroy(mc);
    if (rk)
        rd_kafka_destroy(rk);
    opts_release(&opts);
    return rc;
}

/* vela-broker: an embedded Kafka broker for development, demos and tests. It runs librdkafka's
 * mock cluster (N brokers on ephemeral loopback ports), creates vela's topics, and serves a
 * fixed bootstrap address through a TCP forwarder. Memory only; see docs/broker.md. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cmdline.h"
#include "base/signals.h"
#include "forward.h"
#include "kafka/kq.h"
#include "base/log.h"
#include "kafka/opts.h"
#include "base/util.h"

struct broker_args {
    const char *listen;
    const char *regions;
    int brokers, partitions;
};

static const cmdline_opt broker_opts[] = {
    {.name = "listen",
     .kind = CMDLINE_STRING,
     .arg = "HOST:PORT",
     .offset = offsetof(struct broker_args, listen),
     .help = "fixed bootstrap address (default 127.0.0.1:9092)"},
    {.name = "brokers",
     .kind = CMDLINE_INT,
     .min = 1,
     .max = 16,
     .arg = "N",
     .offset = offsetof(struct broker_args, brokers),
     .help = "brokers in the cluster (default 1)"},
    {.name = "partitions",
     .kind = CMDLINE_INT,
     .min = 1,
     .max = 1000,
     .arg = "N",
     .offset = offsetof(struct broker_args, partitions),
     .help = "partitions of every topic it creates (default 12)"},
    {.name = "regions",
     .kind = CMDLINE_STRING,
     .arg = "a,b",
     .offset = offsetof(struct broker_args, regions),
     .help = "regions whose vela.tasks.<region> topics are created at start,\n"
             "besides \"default\"; other regions' task topics are auto-created\n"
             "with 4 partitions on first use"},
    {0},
};

static const cmdline_cmd broker_cmd = {
    .name = "vela-broker",
    .about = "An embedded Kafka broker (librdkafka's mock cluster) for development, demos and\n"
             "tests. Memory only, loopback only, plaintext, no compaction. Production uses\n"
             "Apache Kafka. Of the Kafka options only --topic-prefix applies (the names of\n"
             "the topics it creates).\n",
};

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

/* Creates every topic of docs/topics.md: the tables, events, and the tasks topics of "default"
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
    cmdline_args pos;
    char err[512];
    struct broker_args args = {
        .listen = "127.0.0.1:9092",
        .brokers = 1,
        .partitions = KQ_DEFAULT_PARTITIONS,
    };
    rd_kafka_t *rk = NULL;
    rd_kafka_mock_cluster_t *mc = NULL;
    fwd *f = NULL;

    log_set_program("vela-broker");
    log_set_level(getenv("VELA_LOG_LEVEL"));
    opts_init(&opts);
    cmdline_group groups[] = {{"Options", broker_opts, &args}, opts_group(&opts)};
    int rc = cmdline_parse(&broker_cmd, groups, ARRAY_LEN(groups), argc, argv, &pos);
    if (rc != CMDLINE_CONTINUE)
        goto cleanup;
    cmdline_args_release(&pos); /* takes no arguments */
    rc = EXIT_FAILURE;
    const char *listen_addr = args.listen;
    int brokers = args.brokers, partitions = args.partitions;
    if (signals_install() < 0) {
        fprintf(stderr, "error: cannot install the signal handlers\n");
        goto cleanup;
    }

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
    if (broker_create_topics(mc, &opts, partitions, args.regions) < 0)
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

    while (!signals_stop)
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

/* The Kafka layer (kq_): topic names, client configuration and profiles, the Java-compatible
 * partitioner, and thin wrappers over librdkafka's producer and consumer that follow
 * the Kafka habits of docs/development.md. Compacted topics read as tables live in kq_table.h.
 * See docs/topics.md for the topics and docs/broker.md for the embedded profile. */
#ifndef VELA_KQ_H
#define VELA_KQ_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafka/opts.h"

/* ---- topics ------------------------------------------------------------------------------ */

/* Topic suffixes; the full name is the --topic-prefix (default "vela.") plus the suffix. */
#define KQ_TOPIC_APPLICATIONS "applications"
#define KQ_TOPIC_CLUSTERS "clusters"
#define KQ_TOPIC_EVENTS "events"
#define KQ_TOPIC_APP_STATUS "app-status"
#define KQ_TOPIC_TASKS "tasks" /* vela.tasks.<region> */

/* Partitions of the topics vela creates (the embedded broker and the Admin API). applications,
 * events and app-status must share a count: they are co-partitioned. */
#define KQ_DEFAULT_PARTITIONS 12

/* prefix + suffix into buf; -1 when it does not fit. */
int kq_topic_name(const vela_opts *o, const char *suffix, char *buf, size_t len);
/* prefix + "tasks." + region into buf; -1 when it does not fit or region is empty. */
int kq_tasks_topic(const vela_opts *o, const char *region, char *buf, size_t len);
/* Whether the topic (suffix) is a compacted table: applications, clusters, app-status. */
bool kq_suffix_is_compacted(const char *suffix);

/* ---- configuration and profiles --------------------------------------------------------- */

typedef enum {
    KQ_PROFILE_KAFKA = 0, /* a real Apache Kafka: librdkafka's defaults */
    KQ_PROFILE_EMBEDDED,  /* vela-broker (librdkafka's mock cluster): see docs/broker.md */
} kq_profile;

typedef enum { KQ_ROLE_PRODUCER, KQ_ROLE_CONSUMER, KQ_ROLE_ADMIN } kq_role;

/* The profile: VELA_KAFKA_PROFILE=embedded|kafka when set; otherwise detected once per process
 * from the cluster id in the brokers' metadata (the mock's starts with "mockCluster"), falling
 * back to "kafka" when the brokers cannot be asked within 3 seconds. */
kq_profile kq_profile_get(const vela_opts *o);
const char *kq_profile_name(kq_profile p);

/* A new librdkafka configuration for role: bootstrap.servers from o, the profile's settings,
 * the role's settings (producers: idempotence and the murmur2_random partitioner; consumers:
 * manual commits, auto.offset.reset=error), the log callback routed into log.h, and then the
 * -X pairs as given, so the user has the last word. Returns NULL with a message naming the
 * property on any rejected setting. The caller owns the result (rd_kafka_new takes it). */
rd_kafka_conf_t *kq_conf_new(const vela_opts *o, kq_role role, char *err, size_t errlen);

/* Routes a configuration's librdkafka log lines into log.h (kq_conf_new does it already). */
void kq_conf_set_logger(rd_kafka_conf_t *conf);

/* Sets one property, -1 with librdkafka's message (naming the property) when rejected. */
int kq_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                size_t errlen);

/* ---- partitioning ------------------------------------------------------------------------ */

/* Kafka's murmur2 (Utils.murmur2 of the Java client), as a signed 32-bit value. */
int32_t kq_murmur2(const void *key, size_t len);
/* The partition the Java client's default partitioner (and librdkafka's murmur2_random)
 * picks for a non-empty key: (murmur2(key) & 0x7fffffff) % partition_count. */
int32_t kq_partition_for(const void *key, size_t len, int32_t partition_count);

/* ---- topics on the brokers --------------------------------------------------------------- */

/* Partition count of topic, or -1 with a message (unknown topic, unreachable brokers). */
int kq_partition_count(rd_kafka_t *rk, const char *topic, int timeout_ms, char *err, size_t errlen);

/* Makes sure the vela topics given by suffix exist (kq_topic_ensure_name for one topic by
 * full name, compacted or not). Kafka profile: creates the missing ones through the Admin API
 * with KQ_DEFAULT_PARTITIONS, the broker's replication factor, and cleanup.policy=compact for
 * the tables; against a broker without CreateTopics, a topic that exists is used and a
 * missing one is an error. Unreachable brokers are an error that says so (within 5 s).
 * Embedded profile: nothing to do (vela-broker created them). Remembers what it found, so
 * repeated calls in a process are free. Returns 0, or -1 with a message. */
int kq_topics_ensure(rd_kafka_t *rk, const vela_opts *o, const char *const *suffixes, size_t n,
                     char *err, size_t errlen);
int kq_topic_ensure_name(rd_kafka_t *rk, const vela_opts *o, const char *topic, bool compact,
                         char *err, size_t errlen);

/* ---- producer ---------------------------------------------------------------------------- */

typedef struct kq_producer kq_producer;

/* Delivery report: err is RD_KAFKA_RESP_ERR_NO_ERROR when the broker acknowledged the
 * message. msg_opaque is what kq_produce was given. Runs inside kq_producer_poll/flush. */
typedef void (*kq_delivery_fn)(const rd_kafka_message_t *m, void *msg_opaque, void *ctx);

/* An idempotent producer (enable.idempotence=true unless -X says otherwise) with the
 * murmur2_random partitioner. on_delivery may be NULL. o must outlive the producer. NULL with
 * a message on failure. Thread-safe like librdkafka's producer, except kq_produce_sync. */
kq_producer *kq_producer_new(const vela_opts *o, kq_delivery_fn on_delivery, void *ctx, char *err,
                             size_t errlen);

/* Queues one message (copies key and value). value NULL produces a tombstone. The first
 * message to a topic makes sure it exists (kq_topic_ensure_name; compacted for the tables).
 * On QUEUE_FULL it polls and retries for up to 10 s. -1 with a message when the message
 * cannot be queued. */
int kq_produce(kq_producer *p, const char *topic, const char *key, size_t klen, const void *value,
               size_t vlen, void *msg_opaque, char *err, size_t errlen);

/* Serves delivery reports for up to timeout_ms; returns the number served. */
int kq_producer_poll(kq_producer *p, int timeout_ms);

/* Waits up to timeout_ms for every queued message; returns the number still undelivered
 * (0 when all were acknowledged) and logs them when any. */
int kq_producer_flush(kq_producer *p, int timeout_ms);

/* Produces one message and waits (up to timeout_ms) for its delivery report. 0 when the
 * broker acknowledged it, else -1 with the reason. For the CLI: one call at a time per
 * producer (it serves the producer's delivery reports while it waits). */
int kq_produce_sync(kq_producer *p, const char *topic, const char *key, const void *value,
                    size_t vlen, int timeout_ms, char *err, size_t errlen);

/* The fatal error (idempotence violated, fenced...) or RD_KAFKA_RESP_ERR_NO_ERROR; the message
 * goes to err. Only __FATAL errors are fatal: every other error is retried by librdkafka. */
rd_kafka_resp_err_t kq_producer_fatal(kq_producer *p, char *err, size_t errlen);

rd_kafka_t *kq_producer_handle(kq_producer *p);

/* Flushes for up to 10 s, logs what was not delivered, and frees. NULL is a no-op. */
void kq_producer_free(kq_producer *p);

/* ---- consumer ---------------------------------------------------------------------------- */

typedef struct kq_consumer kq_consumer;

/* Rebalance callback: assigned != 0 with the partitions just assigned (after the assignment,
 * so the callback may seek), or assigned == 0 with the partitions about to be revoked (before
 * they go, so the callback can finish work and commit). */
typedef void (*kq_rebalance_fn)(kq_consumer *c, int assigned,
                                const rd_kafka_topic_partition_list_t *parts, void *ctx);

enum kq_consumer_flags {
    KQ_CONSUMER_EOF = 1 << 0, /* kq_consumer_poll also returns partition-EOF events
                                 (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) */
};

/* A group member with manual commits (enable.auto.commit=false,
 * enable.auto.offset.store=false, auto.offset.reset=earliest). group NULL: a consumer that is
 * only assigned partitions (kq_consumer_assign) and never joins a group, as the table reader
 * does. flags: enum kq_consumer_flags. NULL with a message on failure. */
kq_consumer *kq_consumer_new(const vela_opts *o, const char *group, int flags,
                             kq_rebalance_fn on_rebalance, void *ctx, char *err, size_t errlen);

int kq_consumer_subscribe(kq_consumer *c, const char *const *topics, size_t n, char *err,
                          size_t errlen);
/* Assigns the partitions (no group); -1 with a message. */
int kq_consumer_assign(kq_consumer *c, const rd_kafka_topic_partition_list_t *parts, char *err,
                       size_t errlen);

/* Returns the next message (the caller frees it with rd_kafka_message_destroy) or NULL after
 * timeout_ms. Errors are handled here and not returned: partition EOF is skipped (unless
 * KQ_CONSUMER_EOF), an offset reset caused by "offset out of range" (the broker trimmed
 * messages this consumer had not read) is logged as an error naming the partition and offsets
 * and the partition restarts from its earliest offset; a fatal error is logged and stays in
 * kq_consumer_fatal. */
rd_kafka_message_t *kq_consumer_poll(kq_consumer *c, int timeout_ms);

/* Commits offsets (the next offset to read, i.e. last processed + 1) synchronously; -1 with a
 * message. */
int kq_consumer_commit(kq_consumer *c, const rd_kafka_topic_partition_list_t *offsets, char *err,
                       size_t errlen);
/* Commits one partition's offset (next to read). */
int kq_consumer_commit_one(kq_consumer *c, const char *topic, int32_t partition, int64_t next,
                           char *err, size_t errlen);

/* Number of "offset out of range" resets seen by this process, over every consumer (for
 * tests and metrics). */
int kq_consumer_resets(const kq_consumer *c);
rd_kafka_resp_err_t kq_consumer_fatal(kq_consumer *c, char *err, size_t errlen);
rd_kafka_t *kq_consumer_handle(kq_consumer *c);

/* Closes (leaving the group, revoking through the callback; at most 10 s, so a dead broker
 * cannot hang a shutdown) and frees. NULL is a no-op. */
void kq_consumer_free(kq_consumer *c);

#endif

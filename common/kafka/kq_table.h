/* Compacted topics read as tables (kq_table_): the latest value per key, tombstones delete.
 * A table reads its topic from the beginning to the end it had when kq_table_sync was called,
 * then stays up to date with kq_table_poll. Used for vela.clusters and vela.app-status.
 * Not thread-safe: one thread owns a table. */
#ifndef VELA_KQ_TABLE_H
#define VELA_KQ_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "kafka/opts.h"

typedef struct kq_table kq_table;

/* Called for every change a message makes, after the table has it: old is NULL when the key
 * was absent, value NULL when a tombstone deleted it. The pointers are valid during the call. */
typedef void (*kq_table_fn)(const char *key, const char *old, size_t old_len, const char *value,
                            size_t len, void *ctx);

/* A table over topic (a full name; created as a compacted topic on a real Kafka when missing,
 * see kq_topic_ensure_name). o must outlive the table. on_change may be NULL. Nothing is read
 * until kq_table_sync. NULL with a message on failure. */
kq_table *kq_table_new(const vela_opts *o, const char *topic, kq_table_fn on_change, void *ctx,
                       char *err, size_t errlen);

/* Reads every partition up to the end offsets it has now (so a new process sees everything
 * written before). -1 with a message when the topic cannot be read or the end is not reached
 * within timeout_ms. */
int kq_table_sync(kq_table *t, int timeout_ms, char *err, size_t errlen);

/* Applies whatever arrived since, waiting up to timeout_ms for the first message. Returns the
 * number of messages applied. */
int kq_table_poll(kq_table *t, int timeout_ms);

/* The value of key (NUL-terminated; *len may be NULL) or NULL; valid until the next
 * kq_table_poll/sync/free. */
const char *kq_table_get(const kq_table *t, const char *key, size_t *len);

/* The table's topic (its full name). */
const char *kq_table_topic(const kq_table *t);

/* Where the value of key was read (its partition and offset), for reports about a value
 * that turns out to be bad; also right for the key inside an on_change callback. Returns 0,
 * or -1 when the table has no such key. */
int kq_table_where(const kq_table *t, const char *key, int32_t *partition, int64_t *offset);

/* Number of keys. */
size_t kq_table_count(const kq_table *t);

/* The keys in byte order, in a new array of *n borrowed pointers (the caller frees the array,
 * not the strings; they are valid until the next poll/sync/free). NULL when empty. */
const char **kq_table_keys(const kq_table *t, size_t *n);

/* Messages applied since the table was created. */
uint64_t kq_table_applied(const kq_table *t);

void kq_table_free(kq_table *t);

#endif

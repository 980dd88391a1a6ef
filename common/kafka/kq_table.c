/* Compacted topics as tables: a group-less consumer assigned every partition from the
 * beginning, and a hash map of the latest value per key. See kq_table.h. */
#include "kafka/kq_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/kq.h"
#include "kafka/kq_reject.h"
#include "base/alloc.h"
#include "base/log.h"
#include "base/util.h"
#include "base/clock.h"

/* Largest key and value kept (a larger message is skipped with an error in the log). */
#define KQ_TABLE_MAX_KEY 1024
#define KQ_TABLE_MAX_VALUE (4u << 20)

struct kq_entry {
    char *key;
    char *value;
    size_t len;
    int32_t partition; /* where the value was read, for reports about it */
    int64_t offset;
    struct kq_entry *next;
};

struct kq_table {
    const vela_opts *opts;
    kq_consumer *c;
    char *topic;
    kq_table_fn on_change;
    void *ctx;
    struct kq_entry **buckets;
    size_t nbuckets;
    size_t count;
    int assigned;
    int32_t npart;
    int64_t *next; /* next offset to read, per partition (-1: unknown) */
    char *at_end;  /* per partition: reached its end (EOF event) with nothing read since */
    int synced;    /* the first kq_table_sync finished */
    uint64_t applied;
};

static uint64_t kq_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void kq_table_grow(struct kq_table *t)
{
    size_t nb = t->nbuckets ? t->nbuckets * 2 : 64;
    struct kq_entry **b = xcalloc(nb, sizeof(struct kq_entry *));
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct kq_entry *e = t->buckets[i];
        while (e) {
            struct kq_entry *nx = e->next;
            size_t j = kq_hash(e->key) & (nb - 1);
            e->next = b[j];
            b[j] = e;
            e = nx;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = nb;
}

static struct kq_entry **kq_table_slot(const struct kq_table *t, const char *key)
{
    if (!t->nbuckets)
        return NULL;
    struct kq_entry **pp = &t->buckets[kq_hash(key) & (t->nbuckets - 1)];
    while (*pp && strcmp((*pp)->key, key) != 0)
        pp = &(*pp)->next;
    return pp;
}

/* Applies one record: value NULL deletes. */
static void kq_table_apply(struct kq_table *t, const char *key, const char *value, size_t len,
                           int32_t partition, int64_t offset)
{
    struct kq_entry **pp = kq_table_slot(t, key);
    struct kq_entry *e = pp ? *pp : NULL;
    t->applied++;
    if (!value) {
        if (!e)
            return;
        *pp = e->next;
        t->count--;
        if (t->on_change)
            t->on_change(key, e->value, e->len, NULL, 0, t->ctx);
        free(e->key);
        free(e->value);
        free(e);
        return;
    }
    char *copy = xmalloc(len + 1);
    memcpy(copy, value, len);
    copy[len] = '\0';
    if (e) {
        char *old = e->value;
        size_t old_len = e->len;
        e->value = copy;
        e->len = len;
        e->partition = partition;
        e->offset = offset;
        if (t->on_change)
            t->on_change(key, old, old_len, copy, len, t->ctx);
        free(old);
        return;
    }
    if (t->count + 1 > t->nbuckets)
        kq_table_grow(t);
    e = xcalloc(1, sizeof(*e));
    e->key = xstrdup(key);
    e->value = copy;
    e->len = len;
    e->partition = partition;
    e->offset = offset;
    pp = &t->buckets[kq_hash(key) & (t->nbuckets - 1)];
    e->next = *pp;
    *pp = e;
    t->count++;
    if (t->on_change)
        t->on_change(key, NULL, 0, copy, len, t->ctx);
}

static void kq_table_message(struct kq_table *t, const rd_kafka_message_t *m)
{
    int known = m->partition >= 0 && m->partition < t->npart;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (known) {
            t->at_end[m->partition] = 1;
            t->next[m->partition] = m->offset;
        }
        return;
    }
    if (known) {
        t->next[m->partition] = m->offset + 1;
        t->at_end[m->partition] = 0;
    }
    if (!m->key || m->key_len == 0 || m->key_len > KQ_TABLE_MAX_KEY ||
        memchr(m->key, '\0', m->key_len)) {
        kq_reject_report(t->topic, m->partition, m->offset, m->key, m->key_len,
                         "a table record needs a key without NUL bytes, at most 1 KiB");
        return;
    }
    if (m->payload && m->len > KQ_TABLE_MAX_VALUE) {
        char why[128];
        snprintf(why, sizeof(why), "the value has %zu bytes; a table keeps at most %d", m->len,
                 (int)KQ_TABLE_MAX_VALUE);
        kq_reject_report(t->topic, m->partition, m->offset, m->key, m->key_len, why);
        return;
    }
    char key[KQ_TABLE_MAX_KEY + 1];
    memcpy(key, m->key, m->key_len);
    key[m->key_len] = '\0';
    kq_table_apply(t, key, m->payload, m->payload ? m->len : 0, m->partition, m->offset);
}

kq_table *kq_table_new(const vela_opts *o, const char *topic, kq_table_fn on_change, void *ctx,
                       char *err, size_t errlen)
{
    struct kq_table *t = xcalloc(1, sizeof(*t));
    t->topic = xstrdup(topic);
    t->opts = o;
    t->on_change = on_change;
    t->ctx = ctx;
    t->c = kq_consumer_new(o, NULL, KQ_CONSUMER_EOF, NULL, NULL, err, errlen);
    if (!t->c) {
        free(t->topic);
        free(t);
        return NULL;
    }
    return t;
}

/* Learns the partitions of the topic, once. */
static int kq_table_partitions(struct kq_table *t, int timeout_ms, char *err, size_t errlen)
{
    if (t->npart)
        return 0;
    rd_kafka_t *rk = kq_consumer_handle(t->c);
    if (kq_topic_ensure_name(rk, t->opts, t->topic, true, err, errlen) < 0)
        return -1;
    int n = kq_partition_count(rk, t->topic, timeout_ms, err, errlen);
    if (n <= 0)
        return -1;
    free(t->next);
    free(t->at_end);
    t->next = xmalloc((size_t)n * sizeof(*t->next));
    t->at_end = xcalloc((size_t)n, 1);
    for (int p = 0; p < n; p++)
        t->next[p] = -1;
    t->npart = n;
    return 0;
}

/* Assigns every partition from offset 0, once. Offset 0 rather than the logical "beginning"
 * spares one ListOffsets round trip per partition (about 40 ms each on the embedded broker);
 * when the broker trimmed the head, the reset to the earliest offset is logged loudly. */
static int kq_table_assign(struct kq_table *t, char *err, size_t errlen)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(t->npart);
    for (int p = 0; p < t->npart; p++)
        rd_kafka_topic_partition_list_add(l, t->topic, p)->offset = 0;
    int rc = kq_consumer_assign(t->c, l, err, errlen);
    rd_kafka_topic_partition_list_destroy(l);
    if (rc == 0)
        t->assigned = 1;
    return rc;
}

/* Polls until every partition is at its end: pos[p] >= end[p] when end is given, else an EOF
 * event with nothing read after it. */
static int kq_table_read_to(struct kq_table *t, const int64_t *end, int64_t deadline,
                            int timeout_ms, char *err, size_t errlen)
{
    for (;;) {
        int32_t p;
        for (p = 0; p < t->npart; p++)
            if (end ? t->next[p] < end[p] : !t->at_end[p])
                break;
        if (p == t->npart)
            return 0;
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return err_set(err, errlen,
                           "could not read topic \"%s\" to its end within %d ms (partition %d "
                           "at offset %lld)",
                           t->topic, timeout_ms, (int)p, (long long)t->next[p]);
        rd_kafka_message_t *m = kq_consumer_poll(t->c, left < 100 ? (int)left : 100);
        if (!m)
            continue;
        kq_table_message(t, m);
        rd_kafka_message_destroy(m);
    }
}

int kq_table_sync(kq_table *t, int timeout_ms, char *err, size_t errlen)
{
    int64_t deadline = now_ms() + timeout_ms;
    if (kq_table_partitions(t, timeout_ms, err, errlen) < 0)
        return -1;
    if (!t->assigned && kq_table_assign(t, err, errlen) < 0)
        return -1;
    if (!t->synced) {
        /* A fresh table: every partition's first EOF marks the end as of that fetch. */
        if (kq_table_read_to(t, NULL, deadline, timeout_ms, err, errlen) < 0)
            return -1;
        t->synced = 1;
        return 0;
    }
    /* Later: an EOF seen earlier says nothing about what was written since, so ask for the
     * end offsets now. */
    rd_kafka_t *rk = kq_consumer_handle(t->c);
    int64_t *end = xcalloc((size_t)t->npart, sizeof(*end));
    int rc = -1;
    for (int32_t p = 0; p < t->npart; p++) {
        int64_t lo, hi;
        int64_t left = deadline - now_ms();
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk, t->topic, p, &lo, &hi,
                                                                 left > 0 ? (int)left : 1);
        if (e) {
            err_set(err, errlen, "cannot read the end offsets of \"%s\": %s", t->topic,
                    rd_kafka_err2str(e));
            goto cleanup;
        }
        end[p] = hi;
    }
    rc = kq_table_read_to(t, end, deadline, timeout_ms, err, errlen);
cleanup:
    free(end);
    return rc;
}

int kq_table_poll(kq_table *t, int timeout_ms)
{
    int n = 0;
    if (!t->assigned &&
        (kq_table_partitions(t, timeout_ms, NULL, 0) < 0 || kq_table_assign(t, NULL, 0) < 0))
        return 0;
    rd_kafka_message_t *m = kq_consumer_poll(t->c, timeout_ms);
    while (m) {
        if (!m->err)
            n++;
        kq_table_message(t, m);
        rd_kafka_message_destroy(m);
        m = kq_consumer_poll(t->c, 0);
    }
    return n;
}

const char *kq_table_get(const kq_table *t, const char *key, size_t *len)
{
    struct kq_entry **pp = kq_table_slot(t, key);
    if (!pp || !*pp)
        return NULL;
    if (len)
        *len = (*pp)->len;
    return (*pp)->value;
}

const char *kq_table_topic(const kq_table *t)
{
    return t->topic;
}

int kq_table_where(const kq_table *t, const char *key, int32_t *partition, int64_t *offset)
{
    struct kq_entry **pp = kq_table_slot(t, key);
    if (!pp || !*pp)
        return -1;
    *partition = (*pp)->partition;
    *offset = (*pp)->offset;
    return 0;
}

size_t kq_table_count(const kq_table *t)
{
    return t->count;
}

static int kq_key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **kq_table_keys(const kq_table *t, size_t *n)
{
    *n = 0;
    if (!t->count)
        return NULL;
    const char **keys = xmalloc(t->count * sizeof(*keys));
    for (size_t i = 0; i < t->nbuckets; i++)
        for (struct kq_entry *e = t->buckets[i]; e; e = e->next)
            keys[(*n)++] = e->key;
    qsort(keys, *n, sizeof(*keys), kq_key_cmp);
    return keys;
}

uint64_t kq_table_applied(const kq_table *t)
{
    return t->applied;
}

void kq_table_free(kq_table *t)
{
    if (!t)
        return;
    kq_consumer_free(t->c);
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct kq_entry *e = t->buckets[i];
        while (e) {
            struct kq_entry *nx = e->next;
            free(e->key);
            free(e->value);
            free(e);
            e = nx;
        }
    }
    free(t->buckets);
    free(t->next);
    free(t->at_end);
    free(t->topic);
    free(t);
}

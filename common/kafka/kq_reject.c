/* Refused records: one log line and a per-topic count each; see kq_reject.h. A small fixed
 * table of topics is enough: a process reads at most a handful of topics. */
#include "kafka/kq_reject.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"

#define REJECT_TOPICS 32

static pthread_mutex_t reject_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char topic[128];
    uint64_t count;
} reject_table[REJECT_TOPICS];
static uint64_t reject_total;

/* Copies up to 200 bytes of key, '?' for what would break a log line. */
static void reject_key(const void *key, size_t klen, char *out, size_t n)
{
    const unsigned char *k = key;
    size_t j = 0;
    if (!key) {
        snprintf(out, n, "(none)");
        return;
    }
    for (size_t i = 0; i < klen && i < 200 && j + 1 < n; i++)
        out[j++] = (char)(k[i] >= 0x21 && k[i] < 0x7f && k[i] != '"' ? k[i] : '?');
    out[j] = '\0';
}

/* The reason with '"' and '\\' escaped and control characters as spaces, for one line. */
static void reject_reason(const char *reason, char *out, size_t n)
{
    size_t j = 0;
    for (const char *p = reason ? reason : ""; *p && j + 2 < n; p++) {
        if (*p == '"' || *p == '\\')
            out[j++] = '\\';
        out[j++] = (char)((unsigned char)*p < 0x20 ? ' ' : *p);
    }
    out[j] = '\0';
}

void kq_reject_report(const char *topic, int32_t partition, int64_t offset, const void *key,
                      size_t klen, const char *reason)
{
    char k[256], r[1100];
    reject_key(key, klen, k, sizeof(k));
    reject_reason(reason, r, sizeof(r));
    log_warn("msg=\"record refused\" topic=%s partition=%d offset=%lld key=%s reason=\"%s\"",
             topic ? topic : "?", (int)partition, (long long)offset, k, r);
    pthread_mutex_lock(&reject_lock);
    reject_total++;
    for (size_t i = 0; topic && i < REJECT_TOPICS; i++) {
        if (reject_table[i].topic[0] == '\0')
            snprintf(reject_table[i].topic, sizeof(reject_table[i].topic), "%s", topic);
        if (strcmp(reject_table[i].topic, topic) == 0) {
            reject_table[i].count++;
            break;
        }
    }
    pthread_mutex_unlock(&reject_lock);
}

uint64_t kq_reject_count(const char *topic)
{
    uint64_t n = 0;
    pthread_mutex_lock(&reject_lock);
    if (!topic) {
        n = reject_total;
    } else {
        for (size_t i = 0; i < REJECT_TOPICS && reject_table[i].topic[0]; i++)
            if (strcmp(reject_table[i].topic, topic) == 0)
                n = reject_table[i].count;
    }
    pthread_mutex_unlock(&reject_lock);
    return n;
}

/* Cluster records and the registry over vela.clusters. See cluster_registry.h. */
#include "base/jpool.h"
#include "registry/cluster_registry.h"

#include "kafka/kq_reject.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/kq.h"
#include "base/alloc.h"
#include "base/log.h"
#include "base/util.h"
#include "base/strbuf.h"
#include "base/clock.h"

/* How long a registry write waits for the broker's acknowledgement. */
#define REGISTRY_PUT_TIMEOUT_MS 15000

void cluster_now_rfc3339(char *buf, size_t len)
{
    clock_rfc3339(wall_ms(), 0, buf, len);
}

int cluster_record_seal(cluster_record *r, const seal_key *k, const kube_creds *creds, char *err,
                        size_t errlen)
{
    json_t *cj = kube_creds_to_json(creds);
    if (!cj)
        return err_set(err, errlen,
                       "cluster \"%s\": its credentials hold text that is not "
                       "UTF-8; check the kubeconfig",
                       r->name);
    char *plain = vela_json_dumps(cj, JSON_COMPACT);
    json_decref(cj); /* holds no more than the plain text: freed at once */
    if (!plain)
        return err_set(err, errlen, "cluster \"%s\": its credentials cannot be written as JSON",
                       r->name);
    size_t len = strlen(plain);
    json_t *sealed = seal_encrypt(k, r->name, plain, len, err, errlen);
    seal_free_plain(plain, len);
    if (!sealed)
        return -1;
    json_decref(r->credentials);
    r->credentials = sealed; /* now owned by r */
    return 0;
}

int cluster_record_creds(const cluster_record *r, const seal_key *k, kube_creds *out, char *err,
                         size_t errlen)
{
    char *plain = NULL;
    size_t len = 0;
    char why[512];
    memset(out, 0, sizeof(*out));
    if (!r->credentials)
        return err_set(err, errlen, "cluster \"%s\" has no credentials", r->name);
    if (seal_decrypt(k, r->name, r->credentials, &plain, &len, why, sizeof(why)) < 0)
        return err_set(err, errlen, "cluster \"%s\": %s", r->name, why);
    json_error_t je;
    json_t *cj = json_loadb(plain, len, 0, &je);
    seal_free_plain(plain, len);
    if (!cj)
        return err_set(err, errlen, "cluster \"%s\": sealed credentials are not JSON", r->name);
    int rc = kube_creds_from_json(cj, out, why, sizeof(why));
    json_decref(cj);
    if (rc < 0)
        return err_set(err, errlen, "cluster \"%s\": %s", r->name, why);
    return 0;
}

bool cluster_labels_match(const cluster_record *r, const json_t *selector)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)selector, k, v) {
        json_t *have = json_object_get(r->labels, k);
        if (!json_is_string(have) || !json_is_string(v) ||
            strcmp(json_string_value(have), json_string_value(v)) != 0)
            return false;
    }
    return true;
}

int cluster_parse_labels(const char *s, json_t **out, char *err, size_t errlen)
{
    json_t *obj = json_object();
    *out = NULL;
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        if (!eq || eq == p) {
            json_decref(obj);
            return err_set(err, errlen, "label \"%.*s\" is not key=value", (int)n, p);
        }
        char *key = xstrndup(p, (size_t)(eq - p));
        char *val = xstrndup(eq + 1, n - (size_t)(eq - p) - 1);
        if (strchr(val, '=')) {
            json_decref(obj);
            free(key);
            free(val);
            return err_set(err, errlen, "label \"%.*s\" is not key=value", (int)n, p);
        }
        json_object_set_new(obj, key, json_string(val));
        free(key);
        free(val);
        p += n;
        if (*p == ',')
            p++;
    }
    *out = obj;
    return 0;
}

/* ---- the registry ------------------------------------------------------------------------ */

struct registry {
    const vela_opts *opts;
    char topic[256];
    kq_table *table;
    kq_producer *producer; /* created on the first write */
    kq_table_fn on_change; /* the owner's callback, after a record is checked */
    void *ctx;
};

/* Every record is checked as it arrives, so that a bad one is reported once, with where it
 * came from, by each process that reads it (registry_get then fails for that cluster). */
static void registry_on_change(const char *key, const char *old, size_t old_len, const char *value,
                               size_t len, void *ctx)
{
    struct registry *reg = ctx;
    if (value) {
        cluster_record r;
        char why[1024];
        int32_t partition = -1;
        int64_t offset = -1;
        if (cluster_record_parse(value, len, &r, why, sizeof(why)) < 0) {
            kq_table_where(reg->table, key, &partition, &offset);
            kq_reject_report(reg->topic, partition, offset, key, strlen(key), why);
        }
        cluster_record_release(&r);
    }
    if (reg->on_change)
        reg->on_change(key, old, old_len, value, len, reg->ctx);
}

registry *registry_open(const vela_opts *o, kq_table_fn on_change, void *ctx, int timeout_ms,
                        char *err, size_t errlen)
{
    struct registry *reg = xcalloc(1, sizeof(*reg));
    reg->opts = o;
    reg->on_change = on_change;
    reg->ctx = ctx;
    if (kq_topic_name(o, KQ_TOPIC_CLUSTERS, reg->topic, sizeof(reg->topic)) < 0) {
        err_set(err, errlen, "topic prefix too long");
        free(reg);
        return NULL;
    }
    reg->table = kq_table_new(o, reg->topic, registry_on_change, reg, err, errlen);
    if (!reg->table) {
        free(reg);
        return NULL;
    }
    if (kq_table_sync(reg->table, timeout_ms, err, errlen) < 0) {
        registry_close(reg);
        return NULL;
    }
    return reg;
}

void registry_close(registry *reg)
{
    if (!reg)
        return;
    kq_table_free(reg->table);
    kq_producer_free(reg->producer);
    free(reg);
}

int registry_poll(registry *reg, int timeout_ms)
{
    return kq_table_poll(reg->table, timeout_ms);
}

const char **registry_names(registry *reg, size_t *n)
{
    return kq_table_keys(reg->table, n);
}

size_t registry_count(registry *reg)
{
    return kq_table_count(reg->table);
}

int registry_get(registry *reg, const char *name, cluster_record *out, char *err, size_t errlen)
{
    size_t len;
    const char *v = kq_table_get(reg->table, name, &len);
    if (!v) {
        cluster_record_init(out);
        strbuf sb;
        size_t n = 0;
        const char **names = registry_names(reg, &n);
        strbuf_init(&sb, 4096);
        size_t shown = 0; /* the names that fit in 4 KiB */
        while (shown < n && strbuf_addf(&sb, "%s%s", shown ? ", " : "", names[shown]) == 0)
            shown++;
        free(names);
        if (n)
            err_set(err, errlen,
                    "cluster \"%s\" not found; joined clusters: %s%s (see 'vela "
                    "cluster list')",
                    name, sb.data ? sb.data : "", shown < n ? (shown ? ", ..." : "...") : "");
        else
            err_set(err, errlen,
                    "cluster \"%s\" not found; no cluster is joined yet (use "
                    "'vela cluster join')",
                    name);
        strbuf_release(&sb);
        return 1;
    }
    char why[1024];
    if (cluster_record_parse(v, len, out, why, sizeof(why)) < 0)
        return err_set(err, errlen,
                       "cluster \"%s\": its record in vela.clusters is malformed: "
                       "%s; join the cluster again",
                       name, why);
    return 0;
}

static int registry_producer(registry *reg, char *err, size_t errlen)
{
    if (!reg->producer)
        reg->producer = kq_producer_new(reg->opts, NULL, NULL, err, errlen);
    return reg->producer ? 0 : -1;
}

int registry_put(registry *reg, cluster_record *r, char *err, size_t errlen)
{
    char now[32];
    cluster_now_rfc3339(now, sizeof(now));
    free(r->updated_at);
    r->updated_at = xstrdup(now);
    if (!r->joined_at)
        r->joined_at = xstrdup(now);
    if (registry_producer(reg, err, errlen) < 0)
        return -1;
    json_t *j = cluster_record_to_json(r);
    if (!j)
        return err_set(err, errlen,
                       "cluster \"%s\": its record has no name or holds text that "
                       "is not UTF-8",
                       r->name ? r->name : "?");
    char *val = vela_json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!val)
        return err_set(err, errlen, "cluster \"%s\": its record cannot be written as JSON",
                       r->name);
    int rc = kq_produce_sync(reg->producer, reg->topic, r->name, val, strlen(val),
                             REGISTRY_PUT_TIMEOUT_MS, err, errlen);
    free(val);
    if (rc == 0)
        log_info("event=cluster_record_written cluster=%s accepted=%d", r->name, r->accepted);
    return rc;
}

int registry_delete(registry *reg, const char *name, char *err, size_t errlen)
{
    if (registry_producer(reg, err, errlen) < 0)
        return -1;
    int rc = kq_produce_sync(reg->producer, reg->topic, name, NULL, 0, REGISTRY_PUT_TIMEOUT_MS, err,
                             errlen);
    if (rc == 0)
        log_info("event=cluster_record_deleted cluster=%s", name);
    return rc;
}

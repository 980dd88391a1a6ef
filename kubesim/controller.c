/* The simulated controllers, run on each thread's tick for the clusters it owns: Deployments
 * roll out (status as the deployment controller writes it) and become ready after
 * --ready-delay-ms, Jobs complete after the same delay, Ingresses and LoadBalancer Services
 * get an address from the cluster's own range. Only status changes here; generation stays. */
#include "base/jpool.h"
#include "controller.h"
#include "misc.h"
#include "resources.h"
#include "store.h"

#include "base/util.h"
#include "base/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *meta_s(json_t *obj, const char *f)
{
    return json_string_value(json_object_get(json_object_get(obj, "metadata"), f));
}

static int64_t generation(json_t *obj)
{
    return json_integer_value(json_object_get(json_object_get(obj, "metadata"), "generation"));
}

void ks_controller_changed(struct ks_cluster *cl, enum ks_res r, const char *key)
{
    if (r != RES_DEPLOYMENT && r != RES_JOB && r != RES_INGRESS && r != RES_SERVICE)
        return;
    json_t *obj = ks_store_get(cl, r, key);
    if (!obj)
        return;
    if (r == RES_SERVICE) {
        const char *type = json_string_value(json_object_get(json_object_get(obj, "spec"), "type"));
        if (!type || strcmp(type, "LoadBalancer") != 0)
            return;
    }
    ks_pending_add(cl, r, key, now_ms(), 0, meta_s(obj, "uid"));
}

/* Sets status (stolen) on a copy of the stored object and stores it. */
static void write_status(struct ks_cluster *cl, enum ks_res r, const char *key, json_t *obj,
                         json_t *status)
{
    json_t *next = json_deep_copy(obj);
    json_object_set_new(next, "status", status);
    if (json_equal(next, obj)) {
        json_decref(next);
        return;
    }
    ks_store_put(cl, r, key, next, "MODIFIED");
}

static void set_nonzero(json_t *o, const char *k, json_int_t v)
{
    if (v)
        json_object_set_new(o, k, json_integer(v));
}

/* A condition; keeps lastTransitionTime from the old one when the status did not change. */
static json_t *condition(json_t *old_status, const char *type, const char *status,
                         const char *reason, const char *message, const char *now, bool update_time)
{
    const char *ltt = now;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(old_status, "conditions"), i, c) {
        if (strcmp(json_string_value(json_object_get(c, "type")) ?: "", type) == 0 &&
            strcmp(json_string_value(json_object_get(c, "status")) ?: "", status) == 0)
            ltt = json_string_value(json_object_get(c, "lastTransitionTime")) ?: now;
    }
    json_t *out = json_pack("{s:s,s:s}", "type", type, "status", status);
    if (update_time)
        json_object_set_new(out, "lastUpdateTime", json_string(now));
    else
        json_object_set_new(out, "lastProbeTime", json_null());
    json_object_set_new(out, "lastTransitionTime", json_string(ltt));
    json_object_set_new(out, "reason", json_string(reason));
    json_object_set_new(out, "message", json_string(message));
    return out;
}

/* The ReplicaSet name the controller would use: name-<hash of the pod template>. */
static void rs_name(json_t *obj, char *out, size_t len)
{
    char *s = vela_json_dumps(json_object_get(json_object_get(obj, "spec"), "template"),
                              JSON_COMPACT);
    uint32_t h = 2166136261u;
    for (const char *p = s ? s : ""; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    free(s);
    static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
    char hash[11];
    for (int i = 0; i < 10; i++) {
        hash[i] = alnum[h % 27];
        h = h / 27 + (uint32_t)i * 2654435761u;
    }
    hash[10] = '\0';
    snprintf(out, len, "%s-%s", meta_s(obj, "name") ?: "", hash);
}

static void deployment_status(struct ks_cluster *cl, const char *key, json_t *obj, bool ready)
{
    json_t *spec = json_object_get(obj, "spec");
    json_t *old = json_object_get(obj, "status");
    json_int_t n = json_integer_value(json_object_get(spec, "replicas"));
    char now[40], msg[400], rs[300];
    ks_now_rfc3339(now, sizeof(now));
    rs_name(obj, rs, sizeof(rs));
    json_t *st = json_object();
    json_object_set_new(st, "observedGeneration", json_integer(generation(obj)));
    json_int_t avail;
    if (ready) {
        avail = n;
        set_nonzero(st, "replicas", n);
        set_nonzero(st, "updatedReplicas", n);
        set_nonzero(st, "readyReplicas", n);
        set_nonzero(st, "availableReplicas", n);
    } else {
        /* a new template starts from nothing ready; a scale keeps what was ready */
        json_int_t was = json_integer_value(json_object_get(old, "readyReplicas"));
        json_int_t old_obs = json_integer_value(json_object_get(old, "observedGeneration"));
        bool template_changed = old_obs == 0 || old_obs != generation(obj);
        json_t *lastrs = NULL;
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(old, "conditions"), i, c) {
            if (strcmp(json_string_value(json_object_get(c, "type")) ?: "", "Progressing") == 0)
                lastrs = json_object_get(c, "message");
        }
        if (lastrs && strstr(json_string_value(lastrs) ?: "", rs))
            template_changed = false;
        json_int_t r = template_changed ? 0 : (was < n ? was : n);
        avail = r;
        set_nonzero(st, "replicas", n);
        set_nonzero(st, "updatedReplicas", n);
        set_nonzero(st, "readyReplicas", r);
        set_nonzero(st, "availableReplicas", r);
        set_nonzero(st, "unavailableReplicas", n - r);
    }
    /* Available: at least replicas - maxUnavailable (25%, rounded down) are available */
    json_int_t min_avail = n - n / 4;
    bool available = avail >= min_avail;
    json_t *conds = json_array();
    json_array_append_new(
        conds, condition(old, "Available", available ? "True" : "False",
                         available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                         available ? "Deployment has minimum availability."
                                   : "Deployment does not have minimum availability.",
                         now, true));
    if (ready)
        snprintf(msg, sizeof(msg), "ReplicaSet \"%s\" has successfully progressed.", rs);
    else
        snprintf(msg, sizeof(msg), "ReplicaSet \"%s\" is progressing.", rs);
    json_array_append_new(conds, condition(old, "Progressing", "True",
                                           ready ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                                           msg, now, true));
    json_object_set_new(st, "conditions", conds);
    write_status(cl, RES_DEPLOYMENT, key, obj, st);
}

static bool deployment_done(json_t *obj)
{
    json_t *st = json_object_get(obj, "status");
    json_int_t n = json_integer_value(json_object_get(json_object_get(obj, "spec"), "replicas"));
    return json_integer_value(json_object_get(st, "observedGeneration")) == generation(obj) &&
           json_integer_value(json_object_get(st, "readyReplicas")) == n &&
           json_integer_value(json_object_get(st, "updatedReplicas")) == n &&
           json_integer_value(json_object_get(st, "replicas")) == n &&
           json_integer_value(json_object_get(st, "availableReplicas")) == n;
}

static void job_status(struct ks_cluster *cl, const char *key, json_t *obj, bool done)
{
    json_t *spec = json_object_get(obj, "spec");
    json_t *old = json_object_get(obj, "status");
    char now[40];
    ks_now_rfc3339(now, sizeof(now));
    json_t *st = json_object();
    const char *start = json_string_value(json_object_get(old, "startTime"));
    if (done) {
        json_t *conds = json_array();
        json_array_append_new(conds,
                              condition(old, "SuccessCriteriaMet", "True", "CompletionsReached",
                                        "Reached expected number of succeeded pods", now, false));
        json_array_append_new(conds,
                              condition(old, "Complete", "True", "CompletionsReached",
                                        "Reached expected number of succeeded pods", now, false));
        json_object_set_new(st, "conditions", conds);
    }
    json_object_set_new(st, "startTime", json_string(start ? start : now));
    if (done) {
        json_object_set_new(st, "completionTime", json_string(now));
        set_nonzero(st, "succeeded", json_integer_value(json_object_get(spec, "completions")));
    } else {
        set_nonzero(st, "active", json_integer_value(json_object_get(spec, "parallelism")));
    }
    json_object_set_new(st, "terminating", json_integer(0));
    json_object_set_new(st, "uncountedTerminatedPods", json_object());
    json_object_set_new(st, "ready", json_integer(0));
    write_status(cl, RES_JOB, key, obj, st);
}

static bool job_done(json_t *obj)
{
    return json_object_get(json_object_get(obj, "status"), "completionTime") != NULL;
}

static void lb_status(struct ks_cluster *cl, enum ks_res r, const char *key, json_t *obj)
{
    json_t *ing = json_object_get(json_object_get(json_object_get(obj, "status"), "loadBalancer"),
                                  "ingress");
    if (json_array_size(ing) > 0)
        return;
    char ip[32];
    if (r == RES_INGRESS)
        ks_res_lb_ip(cl, 0, ip, sizeof(ip)); /* the ingress controller's address */
    else
        ks_res_lb_ip(cl, ++cl->next_lb_ip, ip, sizeof(ip));
    json_t *e = json_pack("{s:s}", "ip", ip);
    if (r == RES_SERVICE)
        json_object_set_new(e, "ipMode", json_string("VIP"));
    write_status(cl, r, key, obj, json_pack("{s:{s:[o]}}", "loadBalancer", "ingress", e));
}

static void handle(struct ks_cluster *cl, struct ks_pending *p, int64_t now)
{
    json_t *obj = ks_store_get(cl, (enum ks_res)p->res, p->key);
    if (!obj || strcmp(meta_s(obj, "uid") ?: "", p->uid) != 0)
        return;
    int64_t delay = ks_cfg.ready_delay_ms;
    /* writing a status replaces (and may free) obj: read what is needed first */
    int64_t gen = generation(obj);
    switch (p->res) {
    case RES_DEPLOYMENT:
        if (p->gen == 0) {
            if (deployment_done(obj))
                return;
            if (delay <= 0) {
                deployment_status(cl, p->key, obj, true);
                return;
            }
            deployment_status(cl, p->key, obj, false);
            ks_pending_add(cl, RES_DEPLOYMENT, p->key, now + delay, gen, p->uid);
        } else if (p->gen == gen) {
            deployment_status(cl, p->key, obj, true);
        }
        return;
    case RES_JOB: {
        if (job_done(obj))
            return;
        json_t *suspend = json_object_get(json_object_get(obj, "spec"), "suspend");
        if (json_is_true(suspend))
            return;
        if (p->gen == 0) {
            if (delay <= 0) {
                job_status(cl, p->key, obj, true);
                return;
            }
            if (!json_object_get(json_object_get(obj, "status"), "startTime"))
                job_status(cl, p->key, obj, false);
            ks_pending_add(cl, RES_JOB, p->key, now + delay, gen, p->uid);
        } else {
            job_status(cl, p->key, obj, true);
        }
        return;
    }
    case RES_INGRESS:
    case RES_SERVICE: lb_status(cl, (enum ks_res)p->res, p->key, obj); return;
    default: return;
    }
}

void ks_controller_tick(struct ks_cluster *cl, int64_t now)
{
    size_t i = 0;
    while (i < cl->npending) {
        if (cl->pending[i].due_ms > now) {
            i++;
            continue;
        }
        struct ks_pending p = cl->pending[i];
        cl->pending[i] = cl->pending[--cl->npending];
        handle(cl, &p, now); /* may add entries at the end */
        free(p.key);
    }
}

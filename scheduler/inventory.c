/* The inventory and garbage collection (see inventory.h). Entries are kept in the order they
 * were made, which is the order the status record lists them in. */
#include "inventory.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "dispatch.h"

void inventory_init(inventory *inv)
{
    memset(inv, 0, sizeof(*inv));
}

static void resource_release(inv_resource *r)
{
    free(r->api_version);
    free(r->kind);
    free(r->ns);
    free(r->name);
}

static void resources_free(inv_resource *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        resource_release(&r[i]);
    free(r);
}

void inventory_entry_release(inv_entry *en)
{
    free(en->cluster);
    free(en->ns);
    resources_free(en->res, en->nres);
    resources_free(en->del, en->ndel);
    free(en->delete_task_id);
    free(en->message);
}

void inventory_release(inventory *inv)
{
    for (size_t i = 0; i < inv->n; i++)
        inventory_entry_release(&inv->v[i]);
    free(inv->v);
    inventory_init(inv);
}

void inventory_append(inventory *inv, const inv_entry *en)
{
    if (inv->n == inv->cap) {
        inv->cap = inv->cap ? inv->cap * 2 : 4;
        inv->v = xrealloc(inv->v, inv->cap * sizeof(*inv->v));
    }
    inv->v[inv->n++] = *en;
}

/* Removes entry i, keeping the others' order. */
static void inventory_remove(inventory *inv, size_t i)
{
    inventory_entry_release(&inv->v[i]);
    memmove(&inv->v[i], &inv->v[i + 1], (inv->n - i - 1) * sizeof(*inv->v));
    inv->n--;
}

/* ---- resources ---- */

static void resource_set(inv_resource *to, const char *api_version, const char *kind,
                         const char *ns, const char *name)
{
    to->api_version = xstrdup(api_version);
    to->kind = xstrdup(kind);
    to->ns = xstrdup(ns);
    to->name = xstrdup(name);
}

int inventory_resource_from_json(const json_t *r, inv_resource *out)
{
    const char *api = json_string_value(json_object_get(r, "apiVersion"));
    const char *kind = json_string_value(json_object_get(r, "kind"));
    const char *ns = json_string_value(json_object_get(r, "namespace"));
    const char *name = json_string_value(json_object_get(r, "name"));
    memset(out, 0, sizeof(*out));
    if (!api || !kind || !ns || !name)
        return -1;
    resource_set(out, api, kind, ns, name);
    return 0;
}

json_t *inventory_resources_json(const inv_resource *r, size_t n)
{
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out,
                              json_pack("{s:s,s:s,s:s,s:s}", "apiVersion", r[i].api_version, "kind",
                                        r[i].kind, "namespace", r[i].ns, "name", r[i].name));
    return out;
}

static bool resource_eq(const inv_resource *x, const inv_resource *y)
{
    return strcmp(x->api_version, y->api_version) == 0 && strcmp(x->kind, y->kind) == 0 &&
           strcmp(x->ns, y->ns) == 0 && strcmp(x->name, y->name) == 0;
}

static bool resources_have(const inv_resource *list, size_t n, const inv_resource *r)
{
    for (size_t i = 0; i < n; i++)
        if (resource_eq(&list[i], r))
            return true;
    return false;
}

static void resources_push(inv_resource **list, size_t *n, const inv_resource *r)
{
    *list = xrealloc(*list, (*n + 1) * sizeof(**list));
    resource_set(&(*list)[(*n)++], r->api_version, r->kind, r->ns, r->name);
}

/* ---- what was applied ---- */

static inv_entry *inventory_entry(sapp *a, const char *cluster, const char *ns, int generation)
{
    inventory *inv = &a->inventory;
    for (size_t i = 0; i < inv->n; i++) {
        inv_entry *en = &inv->v[i];
        if (strcmp(en->cluster, cluster) == 0 && strcmp(en->ns, ns) == 0 &&
            en->generation == generation)
            return en;
    }
    inv_entry en = {.cluster = xstrdup(cluster), .ns = xstrdup(ns), .generation = generation};
    inventory_append(inv, &en);
    return &inv->v[inv->n - 1];
}

void inventory_add(sapp *a, const char *cluster, const char *ns, const json_t *resources)
{
    inv_entry *en = inventory_entry(a, cluster, ns, a->generation);
    size_t i;
    json_t *r;
    json_array_foreach(resources, i, r) {
        inv_resource res;
        /* a resource without all four strings (one without a namespace) is not recorded */
        if (inventory_resource_from_json(r, &res) < 0)
            continue;
        if (!resources_have(en->res, en->nres, &res))
            resources_push(&en->res, &en->nres, &res);
        resource_release(&res);
    }
}

/* Whether resource r on cluster is applied by the current generation. */
static bool inventory_current_has(const sapp *a, const char *cluster, const inv_resource *r)
{
    for (size_t i = 0; i < a->inventory.n; i++) {
        const inv_entry *en = &a->inventory.v[i];
        if (en->generation == a->generation && strcmp(en->cluster, cluster) == 0 &&
            resources_have(en->res, en->nres, r))
            return true;
    }
    return false;
}

/* ---- garbage collection ---- */

void inventory_gc_plan(sapp *a)
{
    for (size_t i = 0; i < a->inventory.n; i++) {
        inv_entry *en = &a->inventory.v[i];
        if (en->generation >= a->generation || en->deleting)
            continue;
        inv_resource *stale = NULL;
        size_t nstale = 0;
        for (size_t j = 0; j < en->nres; j++)
            if (!inventory_current_has(a, en->cluster, &en->res[j]))
                resources_push(&stale, &nstale, &en->res[j]);
        if (nstale) {
            en->deleting = true;
            en->del = stale;
            en->ndel = nstale;
        } else {
            en->drop = true;
        }
    }
}

/* Sends the next delete attempt of en. */
static void inventory_dispatch_delete(engine *e, sapp *a, inv_entry *en, int64_t now_ms)
{
    char task_id[512];
    en->delete_attempt++;
    dispatch_delete_task_id(a, en, en->delete_attempt, task_id, sizeof(task_id));
    engine_strset(&en->delete_task_id, task_id);
    int rc = dispatch_delete(e, a, en, now_ms);
    if (rc == DISPATCH_NO_CLUSTER) { /* a detached cluster: nothing can be deleted there */
        log_warn("event=gc-skip app=%s cluster=%s reason=\"cluster not joined\"", a->key,
                 en->cluster);
        en->drop = true;
        return;
    }
    en->has_retry_at = true;
    en->retry_at = rc == DISPATCH_SENT ? 0 : now_ms + engine_backoff(e, en->delete_attempt);
}

size_t inventory_gc_tick(engine *e, sapp *a, int64_t now_ms)
{
    size_t pending = 0;
    for (size_t i = 0; i < a->inventory.n;) {
        inv_entry *en = &a->inventory.v[i];
        if (en->drop) {
            inventory_remove(&a->inventory, i);
            a->dirty = true;
            continue;
        }
        i++;
        if (!en->deleting)
            continue;
        pending++;
        if (!en->delete_task_id || (en->retry_at && now_ms >= en->retry_at)) {
            inventory_dispatch_delete(e, a, en, now_ms);
            a->dirty = true;
        }
    }
    return pending;
}

void inventory_delete_all(sapp *a)
{
    for (size_t i = 0; i < a->inventory.n; i++) {
        inv_entry *en = &a->inventory.v[i];
        if (en->deleting)
            continue;
        en->deleting = true;
        for (size_t j = 0; j < en->nres; j++)
            resources_push(&en->del, &en->ndel, &en->res[j]);
    }
}

void inventory_cancel_delete(sapp *a)
{
    for (size_t i = 0; i < a->inventory.n; i++) {
        inv_entry *en = &a->inventory.v[i];
        en->deleting = false;
        resources_free(en->del, en->ndel);
        en->del = NULL;
        en->ndel = 0;
        free(en->delete_task_id);
        en->delete_task_id = NULL;
    }
}

void inventory_give_up_failed(sapp *a)
{
    for (size_t i = 0; i < a->inventory.n; i++)
        if (a->inventory.v[i].retry_at > 0)
            a->inventory.v[i].drop = true;
}

void inventory_delete_event(engine *e, sapp *a, const char *task_id, const char *phase,
                            const char *message, int64_t now_ms)
{
    for (size_t i = 0; i < a->inventory.n; i++) {
        inv_entry *en = &a->inventory.v[i];
        if (!en->delete_task_id || strcmp(en->delete_task_id, task_id) != 0)
            continue;
        if (strcmp(phase, "deleted") == 0 || a->force_delete) {
            en->drop = true;
        } else {
            en->has_retry_at = true;
            en->retry_at = now_ms + engine_backoff(e, en->delete_attempt);
            engine_strset(&en->message, message ? message : "");
        }
        a->dirty = true;
    }
}

bool inventory_busy(const sapp *a)
{
    for (size_t i = 0; i < a->inventory.n; i++)
        if (a->inventory.v[i].deleting || a->inventory.v[i].drop)
            return true;
    return false;
}

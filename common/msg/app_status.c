/* The codec of vela.app-status records. See app_status.h. Decoding checks every field it
 * reads, so that what reaches the scheduler's restore code is complete and typed. */
#include "msg/app_status.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "msg/rfield.h"

#define ENUM_NAME(c, name) name,
static const char *const phase_names[] = {MSG_APP_STATUS_PHASES(ENUM_NAME)};
static const char *const step_phase_names[] = {MSG_APP_STATUS_STEP_PHASES(ENUM_NAME)};
static const char *const placement_state_names[] = {MSG_APP_STATUS_PLACEMENT_STATES(ENUM_NAME)};
static const char *const mode_names[] = {MSG_APP_STATUS_MODES(ENUM_NAME)};
#undef ENUM_NAME

/* ---- enums ---- */

static const char *enum_name(const char *const *names, size_t n, int v)
{
    return v >= 0 && (size_t)v < n ? names[v] : "?";
}

static int enum_parse(const char *const *names, size_t n, const char *name, int *out)
{
    for (size_t i = 0; name && i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return -1;
}

#define ENUM_FUNCS(fn, type, names)                                                           \
    const char *msg_app_status_##fn##_name(type v)                                            \
    {                                                                                         \
        return enum_name(names, ARRAY_LEN(names), (int)v);                                    \
    }                                                                                         \
    int msg_app_status_##fn##_parse(const char *name, type *out)                              \
    {                                                                                         \
        int v;                                                                                \
        if (enum_parse(names, ARRAY_LEN(names), name, &v) < 0)                                \
            return -1;                                                                        \
        *out = (type)v;                                                                       \
        return 0;                                                                             \
    }

ENUM_FUNCS(phase, msg_app_status_phase, phase_names)
ENUM_FUNCS(step_phase, msg_app_status_step_phase, step_phase_names)
ENUM_FUNCS(placement_state, msg_app_status_placement_state, placement_state_names)
ENUM_FUNCS(mode, msg_app_status_mode, mode_names)
#undef ENUM_FUNCS

/* ---- release ---- */

static void resources_free(msg_app_status_resource *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++) {
        free(r[i].api_version);
        free(r[i].kind);
        free(r[i].ns);
        free(r[i].name);
    }
    free(r);
}

static void step_release(msg_app_status_step *s)
{
    for (size_t i = 0; i < s->nplacements; i++) {
        free(s->placements[i].cluster);
        free(s->placements[i].ns);
        free(s->placements[i].message);
    }
    free(s->placements);
    free(s->id);
    free(s->name);
    free(s->type);
    free(s->message);
    free(s->started_at);
    free(s->finished_at);
}

static void service_release(msg_app_status_service *s)
{
    for (size_t i = 0; i < s->ntraits; i++) {
        free(s->traits[i].type);
        free(s->traits[i].message);
    }
    free(s->traits);
    free(s->name);
    free(s->cluster);
    free(s->ns);
    free(s->type);
    free(s->message);
}

static void inventory_release(msg_app_status_inventory *e)
{
    free(e->cluster);
    free(e->ns);
    resources_free(e->resources, e->nresources);
    resources_free(e->delete_resources, e->ndelete_resources);
    free(e->delete_task_id);
    free(e->message);
}

void msg_app_status_init(msg_app_status *st)
{
    memset(st, 0, sizeof(*st));
}

void msg_app_status_release(msg_app_status *st)
{
    for (size_t i = 0; st->steps && i < st->nsteps; i++)
        step_release(&st->steps[i]);
    for (size_t i = 0; st->services && i < st->nservices; i++)
        service_release(&st->services[i]);
    for (size_t i = 0; st->inventory && i < st->ninventory; i++)
        inventory_release(&st->inventory[i]);
    free(st->steps);
    free(st->services);
    free(st->inventory);
    free(st->name);
    free(st->ns);
    free(st->uid);
    free(st->spec_hash);
    free(st->created_at);
    free(st->updated_at);
    free(st->message);
    free(st->resume_token);
    free(st->restart_token);
    memset(st, 0, sizeof(*st));
}

/* ---- decode ---- */

/* Reads an int member in [0, INT_MAX]. */
static int get_count(const json_t *o, const char *path, const char *key, int flags, int *out,
                     bool *present, char *err, size_t errlen)
{
    int64_t v = *out;
    if (msg_rfield_int(o, path, key, flags, 0, INT_MAX, &v, present, err, errlen) < 0)
        return -1;
    *out = (int)v;
    return 0;
}

/* Checks that item i of array arr (at path) is an object; its path goes to item. */
static int get_item(const json_t *arr, const char *path, size_t i, char *item, size_t itemlen,
                    json_t **out, char *err, size_t errlen)
{
    msg_rfield_index(item, itemlen, path, i);
    *out = json_array_get(arr, i);
    if (!json_is_object(*out))
        return err_set(err, errlen, "%s: is %s, expected an object", item,
                       msg_rfield_type_name(*out));
    return 0;
}

/* Allocates *items for the n items of arr (at least one slot, zeroed). */
static int alloc_items(void **items, size_t n, size_t size, char *err, size_t errlen)
{
    *items = calloc(n ? n : 1, size);
    return *items ? 0 : err_set(err, errlen, "out of memory");
}

static int resources_decode(const json_t *arr, const char *path, msg_app_status_resource **out,
                            size_t *nout, char *err, size_t errlen)
{
    size_t n = json_array_size(arr);
    if (alloc_items((void **)out, n, sizeof(**out), err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char p[512];
        json_t *o;
        msg_app_status_resource *r = &(*out)[i];
        *nout = i + 1; /* released with what it holds, also on failure */
        if (get_item(arr, path, i, p, sizeof(p), &o, err, errlen) < 0 ||
            msg_rfield_str(o, p, "apiVersion", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN,
                          &r->api_version, err, errlen) < 0 ||
            msg_rfield_str(o, p, "kind", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN,
                          &r->kind, err, errlen) < 0 ||
            msg_rfield_str(o, p, "namespace", MSG_ROPTIONAL, MSG_RMAX_NAME_LEN, &r->ns, err,
                          errlen) < 0 ||
            msg_rfield_str(o, p, "name", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN,
                          &r->name, err, errlen) < 0)
            return -1;
    }
    return 0;
}

static int placement_decode(const json_t *o, const char *p, msg_app_status_placement *pl,
                            char *err, size_t errlen)
{
    int state = 0;
    if (msg_rfield_str(o, p, "cluster", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN,
                      &pl->cluster, err, errlen) < 0 ||
        msg_rfield_str(o, p, "namespace", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN, &pl->ns,
                      err, errlen) < 0 ||
        msg_rfield_enum(o, p, "state", MSG_RREQUIRED, placement_state_names,
                       ARRAY_LEN(placement_state_names), &state, err, errlen) < 0 ||
        get_count(o, p, "attempt", MSG_ROPTIONAL, &pl->attempt, NULL, err, errlen) < 0 ||
        get_count(o, p, "failures", MSG_ROPTIONAL, &pl->failures, NULL, err, errlen) < 0 ||
        msg_rfield_str(o, p, "message", MSG_ROPTIONAL, MSG_RMAX_TEXT_LEN, &pl->message, err,
                      errlen) < 0)
        return -1;
    pl->state = (msg_app_status_placement_state)state;
    return 0;
}

static int step_decode(const json_t *o, const char *p, msg_app_status_step *s, char *err,
                       size_t errlen)
{
    int phase = 0;
    json_t *pls;
    char pp[512];
    if (msg_rfield_str(o, p, "id", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN, &s->id, err,
                      errlen) < 0 ||
        msg_rfield_str(o, p, "name", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN, &s->name,
                      err, errlen) < 0 ||
        msg_rfield_str(o, p, "type", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN, &s->type,
                      err, errlen) < 0 ||
        msg_rfield_enum(o, p, "phase", MSG_RREQUIRED, step_phase_names,
                       ARRAY_LEN(step_phase_names), &phase, err, errlen) < 0 ||
        msg_rfield_str(o, p, "message", MSG_ROPTIONAL, MSG_RMAX_TEXT_LEN, &s->message, err,
                      errlen) < 0 ||
        get_count(o, p, "failures", MSG_ROPTIONAL, &s->failures, NULL, err, errlen) < 0 ||
        msg_rfield_str(o, p, "startedAt", MSG_ROPTIONAL, MSG_RMAX_NAME_LEN, &s->started_at, err,
                      errlen) < 0 ||
        msg_rfield_str(o, p, "finishedAt", MSG_ROPTIONAL, MSG_RMAX_NAME_LEN, &s->finished_at,
                      err, errlen) < 0 ||
        msg_rfield_bool(o, p, "resumed", MSG_ROPTIONAL, &s->resumed, NULL, err, errlen) < 0 ||
        msg_rfield_array(o, p, "placements", MSG_ROPTIONAL, &pls, err, errlen) < 0)
        return -1;
    s->phase = (msg_app_status_step_phase)phase;
    size_t n = json_array_size(pls);
    if (alloc_items((void **)&s->placements, n, sizeof(*s->placements), err, errlen) < 0)
        return -1;
    msg_rfield_path(pp, sizeof(pp), p, "placements");
    for (size_t i = 0; i < n; i++) {
        char ip[512];
        json_t *item;
        s->nplacements = i + 1;
        if (get_item(pls, pp, i, ip, sizeof(ip), &item, err, errlen) < 0 ||
            placement_decode(item, ip, &s->placements[i], err, errlen) < 0)
            return -1;
    }
    return 0;
}

static int service_decode(const json_t *o, const char *p, msg_app_status_service *s, char *err,
                          size_t errlen)
{
    json_t *traits;
    char tp[512];
    if (msg_rfield_str(o, p, "name", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN, &s->name,
                      err, errlen) < 0 ||
        msg_rfield_str(o, p, "cluster", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN,
                      &s->cluster, err, errlen) < 0 ||
        msg_rfield_str(o, p, "namespace", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN, &s->ns,
                      err, errlen) < 0 ||
        msg_rfield_str(o, p, "type", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN, &s->type,
                      err, errlen) < 0 ||
        msg_rfield_bool(o, p, "healthy", MSG_RREQUIRED, &s->healthy, NULL, err, errlen) < 0 ||
        msg_rfield_str(o, p, "message", MSG_RREQUIRED, MSG_RMAX_TEXT_LEN, &s->message, err,
                      errlen) < 0 ||
        msg_rfield_array(o, p, "traits", MSG_ROPTIONAL, &traits, err, errlen) < 0)
        return -1;
    s->has_traits = traits != NULL;
    size_t n = json_array_size(traits);
    if (alloc_items((void **)&s->traits, n, sizeof(*s->traits), err, errlen) < 0)
        return -1;
    msg_rfield_path(tp, sizeof(tp), p, "traits");
    for (size_t i = 0; i < n; i++) {
        char ip[512];
        json_t *item;
        msg_app_status_trait *t = &s->traits[i];
        s->ntraits = i + 1;
        if (get_item(traits, tp, i, ip, sizeof(ip), &item, err, errlen) < 0 ||
            msg_rfield_str(item, ip, "type", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN,
                          &t->type, err, errlen) < 0 ||
            msg_rfield_bool(item, ip, "healthy", MSG_RREQUIRED, &t->healthy, NULL, err,
                           errlen) < 0 ||
            msg_rfield_str(item, ip, "message", MSG_ROPTIONAL, MSG_RMAX_TEXT_LEN, &t->message,
                          err, errlen) < 0)
            return -1;
    }
    return 0;
}

static int inventory_decode(const json_t *o, const char *p, msg_app_status_inventory *e,
                            char *err, size_t errlen)
{
    json_t *res, *del;
    char rp[512];
    if (msg_rfield_str(o, p, "cluster", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN,
                      &e->cluster, err, errlen) < 0 ||
        msg_rfield_str(o, p, "namespace", MSG_RREQUIRED, MSG_RMAX_NAME_LEN, &e->ns, err,
                      errlen) < 0 ||
        get_count(o, p, "generation", MSG_ROPTIONAL, &e->generation, NULL, err, errlen) < 0 ||
        msg_rfield_array(o, p, "resources", MSG_RREQUIRED, &res, err, errlen) < 0 ||
        msg_rfield_array(o, p, "deleteResources", MSG_ROPTIONAL, &del, err, errlen) < 0 ||
        msg_rfield_str(o, p, "deleteTaskId", MSG_ROPTIONAL, MSG_RMAX_TEXT_LEN, &e->delete_task_id,
                      err, errlen) < 0 ||
        get_count(o, p, "deleteAttempt", MSG_ROPTIONAL, &e->delete_attempt,
                  &e->has_delete_attempt, err, errlen) < 0 ||
        msg_rfield_int(o, p, "retryAt", MSG_ROPTIONAL, 0, INT64_MAX, &e->retry_at,
                      &e->has_retry_at, err, errlen) < 0 ||
        msg_rfield_str(o, p, "message", MSG_ROPTIONAL, MSG_RMAX_TEXT_LEN, &e->message, err,
                      errlen) < 0 ||
        msg_rfield_bool(o, p, "drop", MSG_ROPTIONAL, &e->drop, NULL, err, errlen) < 0)
        return -1;
    msg_rfield_path(rp, sizeof(rp), p, "resources");
    if (resources_decode(res, rp, &e->resources, &e->nresources, err, errlen) < 0)
        return -1;
    e->deleting = del != NULL;
    msg_rfield_path(rp, sizeof(rp), p, "deleteResources");
    return resources_decode(del, rp, &e->delete_resources, &e->ndelete_resources, err, errlen);
}

/* Decodes each item of member key of o (an array, already checked) with fn into *items. */
typedef int (*item_fn)(const json_t *o, const char *path, void *item, char *err,
                       size_t errlen);

static int items_decode(const json_t *arr, const char *path, size_t size, item_fn fn,
                        void **items, size_t *n, char *err, size_t errlen)
{
    size_t count = json_array_size(arr);
    if (alloc_items(items, count, size, err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < count; i++) {
        char ip[512];
        json_t *item;
        *n = i + 1; /* released with what it holds, also on failure */
        if (get_item(arr, path, i, ip, sizeof(ip), &item, err, errlen) < 0 ||
            fn(item, ip, (char *)*items + i * size, err, errlen) < 0)
            return -1;
    }
    return 0;
}

static int step_item(const json_t *o, const char *p, void *item, char *err, size_t errlen)
{
    return step_decode(o, p, item, err, errlen);
}

static int service_item(const json_t *o, const char *p, void *item, char *err, size_t errlen)
{
    return service_decode(o, p, item, err, errlen);
}

static int inventory_item(const json_t *o, const char *p, void *item, char *err, size_t errlen)
{
    return inventory_decode(o, p, item, err, errlen);
}

int msg_app_status_from_json(const json_t *j, msg_app_status *st, char *err, size_t errlen)
{
    json_t *wf, *steps, *services, *inventory;
    int phase = 0, mode = 0;
    msg_app_status_init(st);
    if (!json_is_object(j))
        return err_set(err, errlen, "record is %s, expected a JSON object",
                       j ? msg_rfield_type_name(j) : "nothing");
    if (msg_rfield_version(j, MSG_APP_STATUS_SCHEMA_VERSION, err, errlen) < 0 ||
        msg_rfield_str(j, "", "name", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN, &st->name,
                      err, errlen) < 0 ||
        msg_rfield_str(j, "", "namespace", MSG_RREQUIRED | MSG_RNONEMPTY, MSG_RMAX_NAME_LEN,
                      &st->ns, err, errlen) < 0 ||
        msg_rfield_str(j, "", "uid", MSG_ROPTIONAL, MSG_RMAX_NAME_LEN, &st->uid, err, errlen) < 0 ||
        get_count(j, "", "revision", MSG_RREQUIRED, &st->revision, NULL, err, errlen) < 0 ||
        get_count(j, "", "generation", MSG_ROPTIONAL, &st->generation, NULL, err, errlen) < 0 ||
        msg_rfield_str(j, "", "specHash", MSG_ROPTIONAL, MSG_RMAX_NAME_LEN, &st->spec_hash, err,
                      errlen) < 0 ||
        msg_rfield_str(j, "", "createdAt", MSG_ROPTIONAL, MSG_RMAX_NAME_LEN, &st->created_at, err,
                      errlen) < 0 ||
        msg_rfield_str(j, "", "updatedAt", MSG_ROPTIONAL, MSG_RMAX_NAME_LEN, &st->updated_at, err,
                      errlen) < 0 ||
        msg_rfield_enum(j, "", "phase", MSG_RREQUIRED, phase_names, ARRAY_LEN(phase_names),
                       &phase, err, errlen) < 0 ||
        msg_rfield_str(j, "", "message", MSG_ROPTIONAL, MSG_RMAX_TEXT_LEN, &st->message, err,
                      errlen) < 0 ||
        msg_rfield_object(j, "", "workflow", MSG_RREQUIRED, &wf, err, errlen) < 0 ||
        msg_rfield_enum(wf, "workflow", "mode", MSG_RREQUIRED, mode_names, ARRAY_LEN(mode_names),
                       &mode, err, errlen) < 0 ||
        msg_rfield_bool(wf, "workflow", "finished", MSG_RREQUIRED, &st->finished, NULL, err,
                       errlen) < 0 ||
        msg_rfield_bool(wf, "workflow", "suspend", MSG_RREQUIRED, &st->suspend, NULL, err,
                       errlen) < 0 ||
        msg_rfield_bool(wf, "workflow", "terminated", MSG_RREQUIRED, &st->terminated, NULL, err,
                       errlen) < 0 ||
        msg_rfield_array(wf, "workflow", "steps", MSG_RREQUIRED, &steps, err, errlen) < 0 ||
        msg_rfield_array(j, "", "services", MSG_RREQUIRED, &services, err, errlen) < 0 ||
        msg_rfield_array(j, "", "inventory", MSG_ROPTIONAL, &inventory, err, errlen) < 0 ||
        msg_rfield_str(j, "", "resumeToken", MSG_ROPTIONAL, MSG_RMAX_TEXT_LEN, &st->resume_token,
                      err, errlen) < 0 ||
        msg_rfield_str(j, "", "restartToken", MSG_ROPTIONAL, MSG_RMAX_TEXT_LEN,
                      &st->restart_token, err, errlen) < 0)
        return -1;
    st->phase = (msg_app_status_phase)phase;
    st->mode = (msg_app_status_mode)mode;
    if (items_decode(steps, "workflow.steps", sizeof(*st->steps), step_item,
                     (void **)&st->steps, &st->nsteps, err, errlen) < 0 ||
        items_decode(services, "services", sizeof(*st->services), service_item,
                     (void **)&st->services, &st->nservices, err, errlen) < 0 ||
        items_decode(inventory, "inventory", sizeof(*st->inventory), inventory_item,
                     (void **)&st->inventory, &st->ninventory, err, errlen) < 0)
        return -1;
    return 0;
}

int msg_app_status_decode(const char *buf, size_t len, msg_app_status *st, char *err,
                          size_t errlen)
{
    json_t *j;
    if (msg_rfield_load(buf, len, &j, err, errlen) < 0) {
        msg_app_status_init(st);
        return -1;
    }
    int rc = msg_app_status_from_json(j, st, err, errlen);
    json_decref(j);
    return rc;
}

/* ---- encode ---- */

/* Sets key to a copy of s; a NULL s leaves the member out. Returns -1 out of memory. */
static int set_str(json_t *o, const char *key, const char *s)
{
    return s ? json_object_set_new(o, key, json_string(s)) : 0;
}

static json_t *resources_encode(const msg_app_status_resource *r, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *o = json_pack("{s:s,s:s}", "apiVersion", r[i].api_version, "kind", r[i].kind);
        if (!o || set_str(o, "namespace", r[i].ns) < 0 || set_str(o, "name", r[i].name) < 0 ||
            !r[i].name || json_array_append_new(arr, o) < 0) {
            json_decref(o);
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *placements_encode(const msg_app_status_step *s)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < s->nplacements; i++) {
        const msg_app_status_placement *p = &s->placements[i];
        json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:i,s:s}", "cluster", p->cluster, "namespace",
                              p->ns, "state", msg_app_status_placement_state_name(p->state),
                              "attempt", p->attempt, "failures", p->failures, "message",
                              p->message ? p->message : "");
        if (json_array_append_new(arr, o) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *step_encode(const msg_app_status_step *s)
{
    json_t *pls = placements_encode(s);
    if (!pls)
        return NULL;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:o}", "id", s->id, "name", s->name,
                          "type", s->type, "phase", msg_app_status_step_phase_name(s->phase),
                          "message", s->message ? s->message : "", "failures", s->failures,
                          "placements", pls);
    if (!o || set_str(o, "startedAt", s->started_at) < 0 ||
        set_str(o, "finishedAt", s->finished_at) < 0 ||
        (s->resumed && json_object_set_new(o, "resumed", json_true()) < 0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *service_encode(const msg_app_status_service *s)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "name", s->name, "cluster", s->cluster,
                          "namespace", s->ns, "type", s->type, "healthy", s->healthy,
                          "message", s->message ? s->message : "");
    if (!o || !s->has_traits)
        return o;
    json_t *traits = json_array();
    for (size_t i = 0; traits && i < s->ntraits; i++) {
        const msg_app_status_trait *t = &s->traits[i];
        json_t *to = json_pack("{s:s,s:b}", "type", t->type, "healthy", t->healthy);
        if (!to || set_str(to, "message", t->message) < 0 ||
            json_array_append_new(traits, to) < 0) {
            json_decref(to);
            json_decref(traits);
            traits = NULL;
        }
    }
    if (json_object_set_new(o, "traits", traits) < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *inventory_encode(const msg_app_status_inventory *e)
{
    json_t *res = resources_encode(e->resources, e->nresources);
    json_t *o = res ? json_pack("{s:s,s:s,s:i,s:o}", "cluster", e->cluster, "namespace", e->ns,
                                "generation", e->generation, "resources", res)
                    : NULL;
    if (!o)
        return NULL;
    if ((e->deleting &&
         json_object_set_new(o, "deleteResources",
                             resources_encode(e->delete_resources, e->ndelete_resources)) < 0) ||
        set_str(o, "deleteTaskId", e->delete_task_id) < 0 ||
        (e->has_delete_attempt &&
         json_object_set_new(o, "deleteAttempt", json_integer(e->delete_attempt)) < 0) ||
        (e->has_retry_at && json_object_set_new(o, "retryAt", json_integer(e->retry_at)) < 0) ||
        set_str(o, "message", e->message) < 0 ||
        (e->drop && json_object_set_new(o, "drop", json_true()) < 0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Appends fn(item) for each of n items to a new array; NULL when one fails. */
static json_t *array_encode(const void *items, size_t n, size_t size,
                            json_t *(*fn)(const void *item))
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        if (json_array_append_new(arr, fn((const char *)items + i * size)) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *step_any(const void *item) { return step_encode(item); }
static json_t *service_any(const void *item) { return service_encode(item); }
static json_t *inventory_any(const void *item) { return inventory_encode(item); }

json_t *msg_app_status_encode(const msg_app_status *st)
{
    json_t *steps = array_encode(st->steps, st->nsteps, sizeof(*st->steps), step_any);
    json_t *services = array_encode(st->services, st->nservices, sizeof(*st->services),
                                    service_any);
    json_t *inventory = array_encode(st->inventory, st->ninventory, sizeof(*st->inventory),
                                     inventory_any);
    json_t *o = NULL, *wf = NULL;
    if (!steps || !services || !inventory || !st->name || !st->ns)
        goto fail;
    /* the scheduler's order of members, so that a record reads the same either way */
    o = json_pack("{s:i,s:s,s:s}", "schemaVersion", MSG_APP_STATUS_SCHEMA_VERSION, "name",
                  st->name, "namespace", st->ns);
    if (!o || set_str(o, "uid", st->uid) < 0 ||
        json_object_set_new(o, "revision", json_integer(st->revision)) < 0 ||
        json_object_set_new(o, "generation", json_integer(st->generation)) < 0 ||
        set_str(o, "specHash", st->spec_hash) < 0 || set_str(o, "createdAt", st->created_at) < 0 ||
        set_str(o, "updatedAt", st->updated_at) < 0 ||
        set_str(o, "phase", msg_app_status_phase_name(st->phase)) < 0 ||
        set_str(o, "message", st->message ? st->message : "") < 0)
        goto fail;
    wf = json_pack("{s:s,s:b,s:b,s:b,s:o}", "mode", msg_app_status_mode_name(st->mode),
                   "finished", st->finished, "suspend", st->suspend, "terminated",
                   st->terminated, "steps", steps);
    steps = NULL; /* now owned by wf (json_pack's "o" takes it even when packing fails) */
    if (!wf || json_object_set_new(o, "workflow", wf) < 0)
        goto fail;
    json_object_set_new(o, "services", services);
    json_object_set_new(o, "inventory", inventory);
    services = inventory = NULL; /* now owned by o */
    if (set_str(o, "resumeToken", st->resume_token) < 0 ||
        set_str(o, "restartToken", st->restart_token) < 0)
        goto fail;
    return o;
fail:
    json_decref(steps);
    json_decref(services);
    json_decref(inventory);
    json_decref(o);
    return NULL;
}

/* The codec of vela.app-status records. See app_status.h. Decoding checks every field it
 * reads, so that what reaches the scheduler's restore code is complete and typed. */
#include "msg/app_status.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "msg/field.h"

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

/* type is a type name, as in `type *out`, where parentheses cannot go: clang-tidy's
 * bugprone-macro-parentheses takes the `*` for a multiplication.
 * NOLINTBEGIN(bugprone-macro-parentheses) */
#define ENUM_FUNCS(fn, type, names)                                                                \
    const char *msg_app_status_##fn##_name(type v)                                                 \
    {                                                                                              \
        return enum_name(names, ARRAY_LEN(names), (int)v);                                         \
    }                                                                                              \
    int msg_app_status_##fn##_parse(const char *name, type *out)                                   \
    {                                                                                              \
        int v;                                                                                     \
        if (enum_parse(names, ARRAY_LEN(names), name, &v) < 0)                                     \
            return -1;                                                                             \
        *out = (type)v;                                                                            \
        return 0;                                                                                  \
    }
/* NOLINTEND(bugprone-macro-parentheses) */

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
static int get_count(const json_t *o, const char *path, const char *key, unsigned flags, int *out,
                     bool *present, char *err, size_t errlen)
{
    int64_t v = *out;
    if (msg_field_int(o, path, key, flags, 0, INT_MAX, &v, present, err, errlen) < 0)
        return -1;
    *out = (int)v;
    return 0;
}

/* Decodes one item (an object at path) into *item, a zeroed struct. */
typedef int (*item_fn)(const json_t *o, const char *path, void *item, char *err, size_t errlen);

/* Decodes each item of arr (an array at path, or NULL: none) with fn into a new array
 * *items of *n structs of size bytes (at least one slot, zeroed); *n counts the items begun,
 * so that releasing frees what a half-read item holds. */
static int items_decode(const json_t *arr, const char *path, size_t size, item_fn fn, void **items,
                        size_t *n, char *err, size_t errlen)
{
    size_t count = json_array_size(arr);
    *items = xcalloc(count ? count : 1, size);
    for (size_t i = 0; i < count; i++) {
        char ip[512];
        const json_t *item;
        *n = i + 1;
        if (msg_field_item(arr, path, i, ip, sizeof(ip), &item, err, errlen) < 0 ||
            fn(item, ip, (char *)*items + i * size, err, errlen) < 0)
            return -1;
    }
    return 0;
}

/* The array member key of o at path p, decoded item by item (absent: none). */
static int array_decode(const json_t *o, const char *p, const char *key, unsigned flags,
                        size_t size, item_fn fn, void **items, size_t *n, bool *present, char *err,
                        size_t errlen)
{
    const json_t *arr = NULL;
    char ap[512];
    if (msg_field_array(o, p, key, flags, MSG_MAX_ITEMS, &arr, err, errlen) < 0)
        return -1;
    if (present)
        *present = arr != NULL;
    msg_field_path(ap, sizeof(ap), p, key);
    return items_decode(arr, ap, size, fn, items, n, err, errlen);
}

static int resource_item(const json_t *o, const char *p, void *item, char *err, size_t errlen)
{
    msg_app_status_resource *r = item;
    if (msg_field_str_dup(o, p, "apiVersion", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          &r->api_version, err, errlen) < 0 ||
        msg_field_str_dup(o, p, "kind", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &r->kind,
                          err, errlen) < 0 ||
        msg_field_str_dup(o, p, "namespace", 0, MSG_MAX_NAME_LEN, &r->ns, err, errlen) < 0 ||
        msg_field_str_dup(o, p, "name", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &r->name,
                          err, errlen) < 0)
        return -1;
    return 0;
}

static int placement_item(const json_t *o, const char *p, void *item, char *err, size_t errlen)
{
    msg_app_status_placement *pl = item;
    int state = 0;
    if (msg_field_str_dup(o, p, "cluster", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          &pl->cluster, err, errlen) < 0 ||
        msg_field_str_dup(o, p, "namespace", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &pl->ns,
                          err, errlen) < 0 ||
        msg_field_enum(o, p, "state", MSG_REQUIRED, placement_state_names,
                       ARRAY_LEN(placement_state_names), &state, err, errlen) < 0 ||
        get_count(o, p, "attempt", 0, &pl->attempt, NULL, err, errlen) < 0 ||
        get_count(o, p, "failures", 0, &pl->failures, NULL, err, errlen) < 0 ||
        msg_field_str_dup(o, p, "message", 0, MSG_MAX_TEXT_LEN, &pl->message, err, errlen) < 0)
        return -1;
    pl->state = (msg_app_status_placement_state)state;
    return 0;
}

static int step_item(const json_t *o, const char *p, void *item, char *err, size_t errlen)
{
    msg_app_status_step *s = item;
    int phase = 0;
    if (msg_field_str_dup(o, p, "id", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &s->id, err,
                          errlen) < 0 ||
        msg_field_str_dup(o, p, "name", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &s->name,
                          err, errlen) < 0 ||
        msg_field_str_dup(o, p, "type", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &s->type,
                          err, errlen) < 0 ||
        msg_field_enum(o, p, "phase", MSG_REQUIRED, step_phase_names, ARRAY_LEN(step_phase_names),
                       &phase, err, errlen) < 0 ||
        msg_field_str_dup(o, p, "message", 0, MSG_MAX_TEXT_LEN, &s->message, err, errlen) < 0 ||
        get_count(o, p, "failures", 0, &s->failures, NULL, err, errlen) < 0 ||
        msg_field_str_dup(o, p, "startedAt", 0, MSG_MAX_TIME_LEN, &s->started_at, err, errlen) <
            0 ||
        msg_field_str_dup(o, p, "finishedAt", 0, MSG_MAX_TIME_LEN, &s->finished_at, err, errlen) <
            0 ||
        msg_field_bool(o, p, "resumed", 0, &s->resumed, NULL, err, errlen) < 0)
        return -1;
    s->phase = (msg_app_status_step_phase)phase;
    return array_decode(o, p, "placements", 0, sizeof(*s->placements), placement_item,
                        (void **)&s->placements, &s->nplacements, NULL, err, errlen);
}

static int trait_item(const json_t *o, const char *p, void *item, char *err, size_t errlen)
{
    msg_app_status_trait *t = item;
    if (msg_field_str_dup(o, p, "type", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &t->type,
                          err, errlen) < 0 ||
        msg_field_bool(o, p, "healthy", MSG_REQUIRED, &t->healthy, NULL, err, errlen) < 0 ||
        msg_field_str_dup(o, p, "message", 0, MSG_MAX_TEXT_LEN, &t->message, err, errlen) < 0)
        return -1;
    return 0;
}

static int service_item(const json_t *o, const char *p, void *item, char *err, size_t errlen)
{
    msg_app_status_service *s = item;
    if (msg_field_str_dup(o, p, "name", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &s->name,
                          err, errlen) < 0 ||
        msg_field_str_dup(o, p, "cluster", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          &s->cluster, err, errlen) < 0 ||
        msg_field_str_dup(o, p, "namespace", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &s->ns,
                          err, errlen) < 0 ||
        msg_field_str_dup(o, p, "type", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &s->type,
                          err, errlen) < 0 ||
        msg_field_bool(o, p, "healthy", MSG_REQUIRED, &s->healthy, NULL, err, errlen) < 0 ||
        msg_field_str_dup(o, p, "message", MSG_REQUIRED, MSG_MAX_TEXT_LEN, &s->message, err,
                          errlen) < 0)
        return -1;
    return array_decode(o, p, "traits", 0, sizeof(*s->traits), trait_item, (void **)&s->traits,
                        &s->ntraits, &s->has_traits, err, errlen);
}

static int inventory_item(const json_t *o, const char *p, void *item, char *err, size_t errlen)
{
    msg_app_status_inventory *e = item;
    if (msg_field_str_dup(o, p, "cluster", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          &e->cluster, err, errlen) < 0 ||
        msg_field_str_dup(o, p, "namespace", MSG_REQUIRED, MSG_MAX_NAME_LEN, &e->ns, err, errlen) <
            0 ||
        get_count(o, p, "generation", 0, &e->generation, NULL, err, errlen) < 0 ||
        array_decode(o, p, "resources", MSG_REQUIRED, sizeof(*e->resources), resource_item,
                     (void **)&e->resources, &e->nresources, NULL, err, errlen) < 0 ||
        array_decode(o, p, "deleteResources", 0, sizeof(*e->delete_resources), resource_item,
                     (void **)&e->delete_resources, &e->ndelete_resources, &e->deleting, err,
                     errlen) < 0 ||
        msg_field_str_dup(o, p, "deleteTaskId", 0, MSG_MAX_ID_LEN, &e->delete_task_id, err,
                          errlen) < 0 ||
        get_count(o, p, "deleteAttempt", 0, &e->delete_attempt, &e->has_delete_attempt, err,
                  errlen) < 0 ||
        msg_field_int(o, p, "retryAt", 0, 0, INT64_MAX, &e->retry_at, &e->has_retry_at, err,
                      errlen) < 0 ||
        msg_field_str_dup(o, p, "message", 0, MSG_MAX_TEXT_LEN, &e->message, err, errlen) < 0 ||
        msg_field_bool(o, p, "drop", 0, &e->drop, NULL, err, errlen) < 0)
        return -1;
    return 0;
}

static int status_from_json(const json_t *j, msg_app_status *st, char *err, size_t errlen)
{
    const json_t *wf = NULL;
    int phase = 0, mode = 0;
    if (msg_field_is_record(j, err, errlen) < 0 ||
        msg_field_version(j, MSG_APP_STATUS_SCHEMA_VERSION, err, errlen) < 0 ||
        msg_field_str_dup(j, "", "name", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &st->name,
                          err, errlen) < 0 ||
        msg_field_str_dup(j, "", "namespace", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          &st->ns, err, errlen) < 0 ||
        msg_field_str_dup(j, "", "uid", 0, MSG_MAX_NAME_LEN, &st->uid, err, errlen) < 0 ||
        get_count(j, "", "revision", MSG_REQUIRED, &st->revision, NULL, err, errlen) < 0 ||
        get_count(j, "", "generation", 0, &st->generation, NULL, err, errlen) < 0 ||
        msg_field_str_dup(j, "", "specHash", 0, MSG_MAX_NAME_LEN, &st->spec_hash, err, errlen) <
            0 ||
        msg_field_str_dup(j, "", "createdAt", 0, MSG_MAX_TIME_LEN, &st->created_at, err, errlen) <
            0 ||
        msg_field_str_dup(j, "", "updatedAt", 0, MSG_MAX_TIME_LEN, &st->updated_at, err, errlen) <
            0 ||
        msg_field_enum(j, "", "phase", MSG_REQUIRED, phase_names, ARRAY_LEN(phase_names), &phase,
                       err, errlen) < 0 ||
        msg_field_str_dup(j, "", "message", 0, MSG_MAX_TEXT_LEN, &st->message, err, errlen) < 0 ||
        msg_field_object(j, "", "workflow", MSG_REQUIRED, &wf, err, errlen) < 0 ||
        msg_field_enum(wf, "workflow", "mode", MSG_REQUIRED, mode_names, ARRAY_LEN(mode_names),
                       &mode, err, errlen) < 0 ||
        msg_field_bool(wf, "workflow", "finished", MSG_REQUIRED, &st->finished, NULL, err, errlen) <
            0 ||
        msg_field_bool(wf, "workflow", "suspend", MSG_REQUIRED, &st->suspend, NULL, err, errlen) <
            0 ||
        msg_field_bool(wf, "workflow", "terminated", MSG_REQUIRED, &st->terminated, NULL, err,
                       errlen) < 0 ||
        array_decode(wf, "workflow", "steps", MSG_REQUIRED, sizeof(*st->steps), step_item,
                     (void **)&st->steps, &st->nsteps, NULL, err, errlen) < 0 ||
        array_decode(j, "", "services", MSG_REQUIRED, sizeof(*st->services), service_item,
                     (void **)&st->services, &st->nservices, NULL, err, errlen) < 0 ||
        array_decode(j, "", "inventory", 0, sizeof(*st->inventory), inventory_item,
                     (void **)&st->inventory, &st->ninventory, NULL, err, errlen) < 0 ||
        msg_field_str_dup(j, "", "resumeToken", 0, MSG_MAX_TEXT_LEN, &st->resume_token, err,
                          errlen) < 0 ||
        msg_field_str_dup(j, "", "restartToken", 0, MSG_MAX_TEXT_LEN, &st->restart_token, err,
                          errlen) < 0)
        return -1;
    st->phase = (msg_app_status_phase)phase;
    st->mode = (msg_app_status_mode)mode;
    return 0;
}

int msg_app_status_from_json(const json_t *j, msg_app_status *st, char *err, size_t errlen)
{
    msg_app_status_init(st);
    return msg_field_finish(status_from_json(j, st, err, errlen), err);
}

int msg_app_status_decode(const char *buf, size_t len, msg_app_status *st, char *err, size_t errlen)
{
    json_t *j = msg_field_load(buf, len, err, errlen);
    if (!j) {
        msg_app_status_init(st);
        return msg_field_finish(-1, err);
    }
    int rc = msg_app_status_from_json(j, st, err, errlen);
    json_decref(j);
    return rc;
}

/* ---- encode ---- */

/* Sets key to a copy of s; a NULL s leaves the member out. -1 when s is not UTF-8. */
static int set_str(json_t *o, const char *key, const char *s)
{
    return s ? json_object_set_new(o, key, json_string(s)) : 0;
}

static json_t *resources_encode(const msg_app_status_resource *r, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s,s:s}", "apiVersion", r[i].api_version, "kind", r[i].kind);
        if (!o || set_str(o, "namespace", r[i].ns) < 0 || set_str(o, "name", r[i].name) < 0 ||
            !r[i].name) {
            json_decref(o);
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *placements_encode(const msg_app_status_step *s)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < s->nplacements; i++) {
        const msg_app_status_placement *p = &s->placements[i];
        json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:i,s:s}", "cluster", p->cluster, "namespace",
                              p->ns, "state", msg_app_status_placement_state_name(p->state),
                              "attempt", p->attempt, "failures", p->failures, "message",
                              p->message ? p->message : "");
        if (!o) { /* a NULL or non-UTF-8 string */
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *step_encode(const msg_app_status_step *s)
{
    json_t *pls = placements_encode(s);
    if (!pls)
        return NULL;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:o}", "id", s->id, "name", s->name, "type",
                          s->type, "phase", msg_app_status_step_phase_name(s->phase), "message",
                          s->message ? s->message : "", "failures", s->failures, "placements", pls);
    if (!o || set_str(o, "startedAt", s->started_at) < 0 ||
        set_str(o, "finishedAt", s->finished_at) < 0) {
        json_decref(o);
        return NULL;
    }
    if (s->resumed)
        json_object_set_new(o, "resumed", json_true());
    return o;
}

static json_t *service_encode(const msg_app_status_service *s)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "name", s->name, "cluster", s->cluster,
                          "namespace", s->ns, "type", s->type, "healthy", s->healthy, "message",
                          s->message ? s->message : "");
    if (!o || !s->has_traits)
        return o;
    json_t *traits = json_array();
    json_object_set_new(o, "traits", traits); /* now owned by o */
    for (size_t i = 0; i < s->ntraits; i++) {
        const msg_app_status_trait *t = &s->traits[i];
        json_t *to = json_pack("{s:s,s:b}", "type", t->type, "healthy", t->healthy);
        if (!to || set_str(to, "message", t->message) < 0) {
            json_decref(to);
            json_decref(o);
            return NULL;
        }
        json_array_append_new(traits, to);
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
    /* a set_new of NULL fails: deleteResources with a NULL or non-UTF-8 string */
    if ((e->deleting &&
         json_object_set_new(o, "deleteResources",
                             resources_encode(e->delete_resources, e->ndelete_resources)) < 0) ||
        set_str(o, "deleteTaskId", e->delete_task_id) < 0)
        goto fail;
    if (e->has_delete_attempt)
        json_object_set_new(o, "deleteAttempt", json_integer(e->delete_attempt));
    if (e->has_retry_at)
        json_object_set_new(o, "retryAt", json_integer(e->retry_at));
    if (set_str(o, "message", e->message) < 0)
        goto fail;
    if (e->drop)
        json_object_set_new(o, "drop", json_true());
    return o;
fail:
    json_decref(o);
    return NULL;
}

/* Appends fn(item) for each of n items to a new array; NULL when one fails. */
static json_t *array_encode(const void *items, size_t n, size_t size,
                            json_t *(*fn)(const void *item))
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *v = fn((const char *)items + i * size);
        if (!v) {
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, v);
    }
    return arr;
}

static json_t *step_any(const void *item)
{
    return step_encode(item);
}
static json_t *service_any(const void *item)
{
    return service_encode(item);
}
static json_t *inventory_any(const void *item)
{
    return inventory_encode(item);
}

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
    o = json_pack("{s:i,s:s,s:s}", "schemaVersion", MSG_APP_STATUS_SCHEMA_VERSION, "name", st->name,
                  "namespace", st->ns);
    if (!o || set_str(o, "uid", st->uid) < 0)
        goto fail;
    json_object_set_new(o, "revision", json_integer(st->revision));
    json_object_set_new(o, "generation", json_integer(st->generation));
    if (set_str(o, "specHash", st->spec_hash) < 0 || set_str(o, "createdAt", st->created_at) < 0 ||
        set_str(o, "updatedAt", st->updated_at) < 0 ||
        set_str(o, "phase", msg_app_status_phase_name(st->phase)) < 0 ||
        set_str(o, "message", st->message ? st->message : "") < 0)
        goto fail;
    wf = json_pack("{s:s,s:b,s:b,s:b,s:o}", "mode", msg_app_status_mode_name(st->mode), "finished",
                   st->finished, "suspend", st->suspend, "terminated", st->terminated, "steps",
                   steps);
    steps = NULL; /* now owned by wf (json_pack's "o" takes it even when packing fails) */
    if (!wf)
        goto fail;
    json_object_set_new(o, "workflow", wf);
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

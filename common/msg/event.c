/* The status event: decoding any bytes into a msg_event with errors that name the field, and
 * encoding one with the same rules. See event.h and docs/topics.md. */
#include "msg/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/util.h"
#include "msg/field.h"
#include "msg/schema.h"

static const char *const event_phase_names[] = {
#define MSG_EVENT_PHASE_NAME(id, name) name,
    MSG_EVENT_PHASES(MSG_EVENT_PHASE_NAME)
#undef MSG_EVENT_PHASE_NAME
};

const char *msg_event_phase_name(msg_event_phase p)
{
    return (unsigned)p < MSG_PHASE_COUNT ? event_phase_names[p] : "?";
}

/* ---- decoding ----------------------------------------------------------------------------- */

static int event_service_decode(const json_t *j, const char *path, msg_event_service *s, char *err,
                                size_t errlen)
{
    const json_t *traits = NULL;
    char at[128];
    if (msg_field_str(j, path, "name", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &s->name, err,
                      errlen) < 0 ||
        msg_field_str(j, path, "type", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &s->type, err,
                      errlen) < 0 ||
        msg_field_bool(j, path, "healthy", MSG_REQUIRED, &s->healthy, NULL, err, errlen) < 0 ||
        msg_field_str(j, path, "message", MSG_REQUIRED, MSG_MAX_TEXT_LEN, &s->message, err,
                      errlen) < 0 ||
        msg_field_array(j, path, "traits", 0, MSG_EVENT_MAX_TRAITS, &traits, err, errlen) < 0)
        return -1;
    if (!traits)
        return 0;
    s->has_traits = true;
    s->traits = xcalloc(json_array_size(traits) + 1, sizeof(*s->traits));
    msg_field_path(at, sizeof(at), path, "traits");
    for (size_t k = 0; k < json_array_size(traits); k++) {
        char tp[160];
        const json_t *t;
        msg_event_trait *tr = &s->traits[k];
        if (msg_field_item(traits, at, k, tp, sizeof(tp), &t, err, errlen) < 0 ||
            msg_field_str(t, tp, "type", MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN, &tr->type,
                          err, errlen) < 0 ||
            msg_field_bool(t, tp, "healthy", MSG_REQUIRED, &tr->healthy, NULL, err, errlen) < 0 ||
            msg_field_str(t, tp, "message", 0, MSG_MAX_TEXT_LEN, &tr->message, err, errlen) < 0)
            return -1;
        s->ntraits++;
    }
    return 0;
}

static int event_decode(const char *buf, size_t len, msg_event *ev, char *err, size_t errlen)
{
    int phase = 0;
    const json_t *services = NULL;
    ev->doc = msg_field_load(buf, len, err, errlen);
    if (!ev->doc || msg_field_version(ev->doc, MSG_EVENT_SCHEMA_VERSION, err, errlen) < 0 ||
        msg_ref_ident_decode(ev->doc, MSG_REF_EVENT, &ev->id, err, errlen) < 0 ||
        msg_field_enum(ev->doc, "", "phase", MSG_REQUIRED, event_phase_names, MSG_PHASE_COUNT,
                       &phase, err, errlen) < 0)
        return -1;
    ev->phase = (msg_event_phase)phase;
    if (msg_field_bool(ev->doc, "", "final", MSG_REQUIRED, &ev->final, NULL, err, errlen) < 0 ||
        msg_field_str(ev->doc, "", "message", 0, MSG_MAX_TEXT_LEN, &ev->message, err, errlen) < 0 ||
        msg_field_array(ev->doc, "", "services", 0, MSG_EVENT_MAX_SERVICES, &services, err,
                        errlen) < 0)
        return -1;
    if (services) {
        ev->has_services = true;
        ev->services = xcalloc(json_array_size(services) + 1, sizeof(*ev->services));
        for (size_t i = 0; i < json_array_size(services); i++) {
            char path[64];
            const json_t *s;
            ev->nservices++; /* counted first: release frees a half-read service's traits */
            if (msg_field_item(services, "services", i, path, sizeof(path), &s, err, errlen) < 0 ||
                event_service_decode(s, path, &ev->services[i], err, errlen) < 0)
                return -1;
        }
    }
    if (msg_ref_objs_decode(ev->doc, "resources", 0, MSG_EVENT_MAX_RESOURCES, &ev->resources,
                            &ev->nresources, err, errlen) < 0)
        return -1;
    ev->has_resources = ev->resources != NULL;
    if (msg_field_str(ev->doc, "", "worker", 0, MSG_MAX_TEXT_LEN, &ev->worker, err, errlen) < 0 ||
        msg_field_time(ev->doc, "", "at", MSG_REQUIRED, &ev->at, &ev->at_ms, err, errlen) < 0)
        return -1;
    return 0;
}

int msg_event_decode(const char *buf, size_t len, msg_event *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    return msg_field_finish(event_decode(buf, len, out, err, errlen), err);
}

void msg_event_release(msg_event *ev)
{
    for (size_t i = 0; i < ev->nservices; i++)
        free(ev->services[i].traits);
    free(ev->services);
    free(ev->resources);
    json_decref(ev->doc);
    memset(ev, 0, sizeof(*ev));
}

/* ---- encoding ----------------------------------------------------------------------------- */

static json_t *event_service_encode(const msg_event_service *s, const char *path, char *err,
                                    size_t errlen)
{
    json_t *j = json_object(), *traits = NULL;
    if (msg_field_put_str(j, path, "name", s->name, MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          err, errlen) < 0 ||
        msg_field_put_str(j, path, "type", s->type, MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_NAME_LEN,
                          err, errlen) < 0)
        goto fail;
    json_object_set_new(j, "healthy", json_boolean(s->healthy));
    if (msg_field_put_str(j, path, "message", s->message, MSG_REQUIRED, MSG_MAX_TEXT_LEN, err,
                          errlen) < 0)
        goto fail;
    if (!s->has_traits)
        return j;
    if (s->ntraits > MSG_EVENT_MAX_TRAITS) {
        err_set(err, errlen, "%s.traits: %zu items, more than the limit of %d", path, s->ntraits,
                MSG_EVENT_MAX_TRAITS);
        goto fail;
    }
    traits = json_array();
    json_object_set_new(j, "traits", traits); /* now owned by j */
    for (size_t k = 0; k < s->ntraits; k++) {
        char tp[128];
        const msg_event_trait *tr = &s->traits[k];
        json_t *t = json_object();
        snprintf(tp, sizeof(tp), "%s.traits[%zu]", path, k);
        json_array_append_new(traits, t); /* now owned by traits */
        if (msg_field_put_str(t, tp, "type", tr->type, MSG_REQUIRED | MSG_NONEMPTY,
                              MSG_MAX_NAME_LEN, err, errlen) < 0)
            goto fail;
        json_object_set_new(t, "healthy", json_boolean(tr->healthy));
        if (msg_field_put_str(t, tp, "message", tr->message, 0, MSG_MAX_TEXT_LEN, err, errlen) < 0)
            goto fail;
    }
    return j;
fail:
    json_decref(j);
    return NULL;
}

static int event_services_encode(json_t *j, const msg_event *ev, char *err, size_t errlen)
{
    if (ev->nservices > MSG_EVENT_MAX_SERVICES)
        return err_set(err, errlen, "services: %zu items, more than the limit of %d", ev->nservices,
                       MSG_EVENT_MAX_SERVICES);
    json_t *services = json_array();
    json_object_set_new(j, "services", services); /* now owned by j */
    for (size_t i = 0; i < ev->nservices; i++) {
        char path[64];
        msg_field_index(path, sizeof(path), "services", i);
        json_t *s = event_service_encode(&ev->services[i], path, err, errlen);
        if (!s)
            return -1;
        json_array_append_new(services, s);
    }
    return 0;
}

json_t *msg_event_encode(const msg_event *ev, char *err, size_t errlen)
{
    json_t *j = json_object();
    if ((unsigned)ev->phase >= MSG_PHASE_COUNT) {
        err_set(err, errlen,
                "phase: expected one of applying, progressing, healthy, failed, "
                "deleted");
        goto fail;
    }
    if (ev->at && clock_parse_rfc3339(ev->at) < 0) {
        err_set(err, errlen, "at: not an RFC 3339 time such as 2026-11-26T02:10:00Z");
        goto fail;
    }
    json_object_set_new(j, "schemaVersion", json_integer(MSG_EVENT_SCHEMA_VERSION));
    if (msg_ref_ident_encode(j, &ev->id, MSG_REF_EVENT, err, errlen) < 0 ||
        msg_field_put_str(j, "", "phase", msg_event_phase_name(ev->phase), MSG_REQUIRED, 32, err,
                          errlen) < 0)
        goto fail;
    json_object_set_new(j, "final", json_boolean(ev->final));
    if (msg_field_put_str(j, "", "message", ev->message, 0, MSG_MAX_TEXT_LEN, err, errlen) < 0)
        goto fail;
    if (ev->has_services && event_services_encode(j, ev, err, errlen) < 0)
        goto fail;
    if (ev->has_resources) {
        if (ev->nresources > MSG_EVENT_MAX_RESOURCES) {
            err_set(err, errlen, "resources: %zu items, more than the limit of %d", ev->nresources,
                    MSG_EVENT_MAX_RESOURCES);
            goto fail;
        }
        json_t *res = msg_ref_objs_encode(ev->resources, ev->nresources, "resources", true, err,
                                          errlen);
        if (!res)
            goto fail;
        json_object_set_new(j, "resources", res);
    }
    if (msg_field_put_str(j, "", "worker", ev->worker, 0, MSG_MAX_TEXT_LEN, err, errlen) < 0 ||
        msg_field_put_str(j, "", "at", ev->at, MSG_REQUIRED | MSG_NONEMPTY, MSG_MAX_TIME_LEN, err,
                          errlen) < 0)
        goto fail;
    return j;
fail:
    json_decref(j);
    return NULL;
}

char *msg_event_encode_bytes(const msg_event *ev, size_t *len, char *err, size_t errlen)
{
    return msg_field_dump(msg_event_encode(ev, err, errlen), len, err, errlen);
}

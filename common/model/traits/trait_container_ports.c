/* container-ports: sets ports of the component's container (or of named containers), adding
 * a host port or host IP to a port the container already declares (docs/application.md). */
#include <strings.h>
#include <stdio.h>
#include <string.h>

#include "model/definitions.h"
#include "model/patch.h"
#include "model/traits/traits.h"
#include "yaml/ydoc.h"

static const char *const ports_protocols[] = {"TCP", "UDP", "SCTP", NULL};

static const prop_spec ports_port_fields[] = {
    {"containerPort", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {"protocol", PROP_STRING, 0, NULL, ports_protocols, 0, 0},
    {"hostPort", PROP_INT, 0, NULL, NULL, 1, 65535},
    {"hostIP", PROP_STRING, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

#define PORTS_FIELDS                                                                               \
    {"containerName", PROP_STRING, 0, NULL, NULL, 0, 0},                                           \
    {                                                                                              \
        "ports", PROP_LIST, 0, ports_port_fields, NULL, 0, 0                                       \
    }

static const prop_spec ports_target_fields[] = {
    PORTS_FIELDS,
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec ports_props[] = {
    PORTS_FIELDS,
    {"containers", PROP_LIST, 0, ports_target_fields, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const ports_applies_to[] = {PATCH_DEPLOYMENTS, PATCH_STATEFULSETS,
                                               PATCH_DAEMONSETS, PATCH_JOBS, NULL};

static int ports_check(const json_t *props, const char *path, verr *e)
{
    return patch_check_targets(props, ports_props, "containers", "containerName", path, e);
}

/* KubeVela matches ports by protocol and number; the protocol defaults to TCP. */
static const char *ports_protocol(const json_t *p)
{
    const char *s = json_string_value(json_object_get(p, "protocol"));
    return s ? s : "TCP";
}

static bool ports_same(const json_t *a, const json_t *b)
{
    return json_integer_value(json_object_get(a, "containerPort")) ==
               json_integer_value(json_object_get(b, "containerPort")) &&
           strcasecmp(ports_protocol(a), ports_protocol(b)) == 0;
}

static json_t *ports_find(const json_t *list, const json_t *p)
{
    json_t *v;
    size_t i;
    json_array_foreach(list, i, v) {
        if (ports_same(v, p))
            return v;
    }
    return NULL;
}

static int ports_patch(const json_t *t, json_t *c, const render_ctx *ctx, verr *e)
{
    json_t *base = json_object_get(c, "ports");
    json_t *given = json_object_get(t, "ports");
    json_t *out = json_array();
    json_t *v, *m;
    size_t i;

    /* The container's own ports first, in order, with the host fields of a matching one. */
    json_array_foreach(base, i, v) {
        json_t *p = json_object();
        patch_copy(p, "containerPort", v, "containerPort");
        json_object_set_new(p, "protocol", json_string(ports_protocol(v)));
        patch_copy(p, "name", v, "name");
        if ((m = ports_find(given, v)) != NULL) {
            patch_copy(p, "hostPort", m, "hostPort");
            patch_copy(p, "hostIP", m, "hostIP");
        }
        json_array_append_new(out, p);
    }
    json_array_foreach(given, i, v) {
        if (ports_find(base, v))
            continue;
        json_t *p = json_object();
        patch_copy(p, "containerPort", v, "containerPort");
        json_object_set_new(p, "protocol", json_string(ports_protocol(v)));
        patch_copy(p, "hostPort", v, "hostPort");
        patch_copy(p, "hostIP", v, "hostIP");
        json_array_append_new(out, p);
    }
    json_object_set_new(c, "ports", out);
    (void)ctx;
    (void)e;
    return 0;
}

static int ports_apply(const json_t *props, render_ctx *ctx, const char *path, verr *e)
{
    return patch_each_target(props, "containers", "containerName", ctx, path, ports_patch, e);
}

const trait_def trait_container_ports = {
    .type = "container-ports",
    .props = ports_props,
    .applies_to = ports_applies_to,
    .apply = ports_apply,
    .check = ports_check,
};

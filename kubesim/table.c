/* meta.k8s.io/v1 Tables, as `kubectl get` asks for them (Accept: ...;as=Table): the columns
 * kubectl prints per kind, one row per object with its cells and metadata. */
#include "base/jpool.h"
#include "table.h"
#include "api.h"

#include "base/clock.h"
#include "base/strbuf.h"

#include <stdio.h>

static void age_of(const char *ts, char *out, size_t len)
{
    int64_t at = clock_parse_rfc3339(ts);
    if (at < 0) {
        snprintf(out, len, "<unknown>");
        return;
    }
    long d = (long)((wall_ms() - at) / 1000);
    if (d < 0)
        d = 0;
    if (d < 120)
        snprintf(out, len, "%lds", d);
    else if (d < 3600 * 3)
        snprintf(out, len, "%ldm", d / 60);
    else if (d < 86400 * 2)
        snprintf(out, len, "%ldh", d / 3600);
    else
        snprintf(out, len, "%ldd", d / 86400);
}

static json_t *col(const char *name, const char *type, const char *format, int priority)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:i}", "name", name, "type", type, "format", format,
                     "description", name, "priority", priority);
}

/* A text cell: obj[key] when it is a string, else dflt. */
static json_t *cell_str(const json_t *obj, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return json_string(s ? s : dflt);
}

/* A number cell: obj[key] (0 when absent). */
static json_t *cell_int(const json_t *obj, const char *key)
{
    return json_integer(json_integer_value(json_object_get(obj, key)));
}

json_t *ks_table_build(enum ks_res r, json_t *items, const char *rv)
{
    json_t *cols = json_array();
    json_array_append_new(cols, col("Name", "string", "name", 0));
    switch (r) {
    case RES_NAMESPACE: json_array_append_new(cols, col("Status", "string", "", 0)); break;
    case RES_DEPLOYMENT:
        json_array_append_new(cols, col("Ready", "string", "", 0));
        json_array_append_new(cols, col("Up-to-date", "integer", "", 0));
        json_array_append_new(cols, col("Available", "integer", "", 0));
        break;
    case RES_SERVICE:
        json_array_append_new(cols, col("Type", "string", "", 0));
        json_array_append_new(cols, col("Cluster-IP", "string", "", 0));
        json_array_append_new(cols, col("External-IP", "string", "", 0));
        json_array_append_new(cols, col("Port(s)", "string", "", 0));
        break;
    case RES_JOB:
        json_array_append_new(cols, col("Status", "string", "", 0));
        json_array_append_new(cols, col("Completions", "string", "", 0));
        break;
    case RES_INGRESS:
        json_array_append_new(cols, col("Class", "string", "", 0));
        json_array_append_new(cols, col("Hosts", "string", "", 0));
        json_array_append_new(cols, col("Address", "string", "", 0));
        break;
    case RES_CONFIGMAP:
    case RES_SECRET:
        if (r == RES_SECRET)
            json_array_append_new(cols, col("Type", "string", "", 0));
        json_array_append_new(cols, col("Data", "string", "", 0));
        break;
    default: break;
    }
    json_array_append_new(cols, col("Age", "string", "", 0));
    json_t *rows = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o) {
        json_t *cells = json_array();
        json_t *spec = json_object_get(o, "spec"), *st = json_object_get(o, "status");
        char buf[512], age[32];
        json_array_append_new(cells, json_string(ks_api_meta_str(o, "name")));
        switch (r) {
        case RES_NAMESPACE: json_array_append_new(cells, cell_str(st, "phase", "")); break;
        case RES_DEPLOYMENT:
            snprintf(buf, sizeof(buf), "%ld/%ld",
                     (long)json_integer_value(json_object_get(st, "readyReplicas")),
                     (long)json_integer_value(json_object_get(spec, "replicas")));
            json_array_append_new(cells, json_string(buf));
            json_array_append_new(cells, cell_int(st, "updatedReplicas"));
            json_array_append_new(cells, cell_int(st, "availableReplicas"));
            break;
        case RES_SERVICE: {
            json_array_append_new(cells, cell_str(spec, "type", ""));
            json_array_append_new(cells, cell_str(spec, "clusterIP", ""));
            json_t *lb = json_object_get(st, "loadBalancer");
            json_t *lbi = json_array_get(json_object_get(lb, "ingress"), 0);
            json_array_append_new(cells, cell_str(lbi, "ip", "<none>"));
            strbuf sb;
            strbuf_init(&sb, 400);
            size_t j;
            json_t *p;
            /* the ports that fit in 400 bytes */
            json_array_foreach(json_object_get(spec, "ports"), j, p) {
                const char *proto = json_string_value(json_object_get(p, "protocol")) ?: "TCP";
                long port = (long)json_integer_value(json_object_get(p, "port"));
                int full;
                if (json_object_get(p, "nodePort"))
                    full = strbuf_addf(&sb, "%s%ld:%ld/%s", j ? "," : "", port,
                                       (long)json_integer_value(json_object_get(p, "nodePort")),
                                       proto);
                else
                    full = strbuf_addf(&sb, "%s%ld/%s", j ? "," : "", port, proto);
                if (full)
                    break;
            }
            json_array_append_new(cells, json_string(sb.data ? sb.data : "<none>"));
            strbuf_release(&sb);
            break;
        }
        case RES_JOB: {
            long succ = (long)json_integer_value(json_object_get(st, "succeeded"));
            long comp = (long)json_integer_value(json_object_get(spec, "completions"));
            json_array_append_new(cells, json_string(succ >= comp ? "Complete" : "Running"));
            snprintf(buf, sizeof(buf), "%ld/%ld", succ, comp);
            json_array_append_new(cells, json_string(buf));
            break;
        }
        case RES_INGRESS: {
            json_array_append_new(cells, cell_str(spec, "ingressClassName", "<none>"));
            strbuf sb;
            strbuf_init(&sb, 400);
            size_t j;
            json_t *rule;
            json_array_foreach(json_object_get(spec, "rules"), j,
                               rule) { /* the hosts that fit in 400 bytes */
                if (strbuf_addf(&sb, "%s%s", j ? "," : "",
                                json_string_value(json_object_get(rule, "host")) ?: "*") < 0)
                    break;
            }
            json_array_append_new(cells, json_string(sb.data ? sb.data : "*"));
            strbuf_release(&sb);
            json_t *lb = json_object_get(st, "loadBalancer");
            json_t *lbi = json_array_get(json_object_get(lb, "ingress"), 0);
            json_array_append_new(cells, cell_str(lbi, "ip", ""));
            break;
        }
        case RES_CONFIGMAP:
        case RES_SECRET:
            if (r == RES_SECRET)
                json_array_append_new(cells, cell_str(o, "type", "Opaque"));
            snprintf(buf, sizeof(buf), "%zu",
                     json_object_size(json_object_get(o, "data")) +
                         json_object_size(json_object_get(o, "binaryData")));
            json_array_append_new(cells, json_string(buf));
            break;
        default: break;
        }
        age_of(ks_api_meta_str(o, "creationTimestamp"), age, sizeof(age));
        json_array_append_new(cells, json_string(age));
        json_t *pom = json_pack("{s:s,s:s,s:O}", "kind", "PartialObjectMetadata", "apiVersion",
                                "meta.k8s.io/v1", "metadata", json_object_get(o, "metadata"));
        json_array_append_new(rows, json_pack("{s:o,s:o}", "cells", cells, "object", pom));
    }
    json_decref(items);
    return json_pack("{s:s,s:s,s:{s:s},s:o,s:o}", "kind", "Table", "apiVersion", "meta.k8s.io/v1",
                     "metadata", "resourceVersion", rv, "columnDefinitions", cols, "rows", rows);
}

/* Kubernetes' protobuf request bodies, for the few kinds that kubectl's generators send that
 * way (`kubectl create namespace|configmap|secret`): the "k8s\0" envelope (runtime.Unknown)
 * and the fields of those kinds, decoded into the JSON the rest of kubesim speaks. Other
 * kinds are refused with 415, and clients that can fall back send JSON. */
#include "proto.h"

#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "base/alloc.h"
#include "base/base64.h"
#include "base/util.h"

struct pb {
    const unsigned char *p, *end;
};

/* A varint at b->p into *v; -1 when it is cut short or longer than 64 bits. */
static int pb_varint(struct pb *b, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
        if (b->p >= b->end)
            return -1;
        unsigned char c = *b->p++;
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return 0;
    }
    return -1;
}

/* Reads one field: its number, wire type, and (wire type 2) its bytes or (0) its value.
 * 1 for a field, 0 at the end, -1 when malformed. */
static int pb_next(struct pb *b, uint32_t *field, int *wt, const unsigned char **bytes, size_t *n,
                   uint64_t *value)
{
    uint64_t key, v;
    if (b->p >= b->end)
        return 0;
    if (pb_varint(b, &key) < 0)
        return -1;
    *field = (uint32_t)(key >> 3);
    *wt = (int)(key & 7);
    switch (*wt) {
    case 0: return pb_varint(b, value) < 0 ? -1 : 1;
    case 1:
    case 5: {
        size_t width = *wt == 1 ? 8 : 4;
        if ((size_t)(b->end - b->p) < width)
            return -1;
        b->p += width;
        return 1;
    }
    case 2:
        if (pb_varint(b, &v) < 0 || v > (uint64_t)(b->end - b->p))
            return -1;
        *bytes = b->p;
        *n = (size_t)v;
        b->p += v;
        return 1;
    default: return -1;
    }
}

static json_t *pb_string(const unsigned char *s, size_t n)
{
    json_t *v = json_stringn((const char *)s, n);
    return v ? v : json_string(""); /* not UTF-8: kept empty rather than failing */
}

static json_t *pb_base64(const unsigned char *s, size_t n)
{
    char *out = base64_encode(s, n);
    json_t *v = json_string(out);
    free(out);
    return v;
}

/* A map<string, string|bytes> entry (key = 1, value = 2) into obj. */
static int pb_map_entry(const unsigned char *s, size_t n, json_t *obj, int value_bytes)
{
    struct pb b = {s, s + n};
    uint32_t f;
    int wt, rc;
    const unsigned char *bytes = NULL, *key = NULL, *val = NULL;
    size_t len = 0, klen = 0, vlen = 0;
    uint64_t u;
    while ((rc = pb_next(&b, &f, &wt, &bytes, &len, &u)) > 0) {
        if (wt == 2 && f == 1)
            key = bytes, klen = len;
        else if (wt == 2 && f == 2)
            val = bytes, vlen = len;
    }
    if (rc < 0 || !key)
        return -1;
    char *k = xstrndup((const char *)key, klen);
    json_object_set_new(obj, k,
                        value_bytes ? pb_base64(val ? val : (const unsigned char *)"", vlen)
                                    : pb_string(val ? val : (const unsigned char *)"", vlen));
    free(k);
    return 0;
}

static int pb_object_meta(const unsigned char *s, size_t n, json_t *meta)
{
    struct pb b = {s, s + n};
    uint32_t f;
    int wt, rc;
    const unsigned char *bytes;
    size_t len;
    uint64_t u;
    while ((rc = pb_next(&b, &f, &wt, &bytes, &len, &u)) > 0) {
        if (wt != 2)
            continue;
        if (f == 1)
            json_object_set_new(meta, "name", pb_string(bytes, len));
        else if (f == 2)
            json_object_set_new(meta, "generateName", pb_string(bytes, len));
        else if (f == 3)
            json_object_set_new(meta, "namespace", pb_string(bytes, len));
        else if (f == 11 || f == 12) {
            const char *key = f == 11 ? "labels" : "annotations";
            json_t *m = json_object_get(meta, key);
            if (!m) {
                m = json_object();
                json_object_set_new(meta, key, m);
            }
            if (pb_map_entry(bytes, len, m, 0) < 0)
                return -1;
        }
    }
    return rc;
}

/* The object of kind from its protobuf bytes. */
static json_t *pb_kind(const char *api_version, const char *kind, const unsigned char *s, size_t n,
                       char *err, size_t errlen)
{
    int cm = strcmp(kind, "ConfigMap") == 0, secret = strcmp(kind, "Secret") == 0;
    if (strcmp(kind, "Namespace") != 0 && !cm && !secret) {
        err_set(err, errlen, "protobuf");
        return NULL;
    }
    json_t *obj = json_pack("{s:s,s:s,s:{}}", "apiVersion", api_version, "kind", kind, "metadata");
    struct pb b = {s, s + n};
    uint32_t f;
    int wt, rc;
    const unsigned char *bytes;
    size_t len;
    uint64_t u;
    while ((rc = pb_next(&b, &f, &wt, &bytes, &len, &u)) > 0) {
        if (f == 1 && wt == 2) {
            if (pb_object_meta(bytes, len, json_object_get(obj, "metadata")) < 0)
                rc = -1;
        } else if ((cm || secret) && f == 2 && wt == 2) { /* data */
            json_t *d = json_object_get(obj, "data");
            if (!d) {
                d = json_object();
                json_object_set_new(obj, "data", d);
            }
            if (pb_map_entry(bytes, len, d, secret) < 0)
                rc = -1;
        } else if (cm && f == 3 && wt == 2) { /* binaryData */
            json_t *d = json_object_get(obj, "binaryData");
            if (!d) {
                d = json_object();
                json_object_set_new(obj, "binaryData", d);
            }
            if (pb_map_entry(bytes, len, d, 1) < 0)
                rc = -1;
        } else if (secret && f == 3 && wt == 2) {
            json_object_set_new(obj, "type", pb_string(bytes, len));
        }
        if (rc < 0)
            break;
    }
    if (rc < 0) {
        json_decref(obj);
        err_set(err, errlen, "the protobuf body of the %s is malformed", kind);
        return NULL;
    }
    return obj;
}

json_t *ks_proto_decode(const void *data, size_t len, char *err, size_t errlen)
{
    const unsigned char *d = data;
    if (len < 4 || memcmp(d, "k8s\0", 4) != 0) {
        err_set(err, errlen, "the protobuf body does not start with the k8s envelope");
        return NULL;
    }
    struct pb b = {d + 4, d + len};
    uint32_t f;
    int wt, rc;
    const unsigned char *bytes, *raw = NULL;
    size_t n, raw_len = 0;
    uint64_t u;
    char api_version[128] = "", kind[64] = "";
    while ((rc = pb_next(&b, &f, &wt, &bytes, &n, &u)) > 0) {
        if (f == 1 && wt == 2) { /* TypeMeta */
            struct pb t = {bytes, bytes + n};
            uint32_t tf;
            int twt;
            const unsigned char *tb;
            size_t tn;
            while (pb_next(&t, &tf, &twt, &tb, &tn, &u) > 0) {
                if (twt == 2 && tf == 1 && tn < sizeof(api_version))
                    memcpy(api_version, tb, tn), api_version[tn] = '\0';
                if (twt == 2 && tf == 2 && tn < sizeof(kind))
                    memcpy(kind, tb, tn), kind[tn] = '\0';
            }
        } else if (f == 2 && wt == 2) {
            raw = bytes;
            raw_len = n;
        }
    }
    if (rc < 0 || !raw || !kind[0]) {
        err_set(err, errlen, "the protobuf body is malformed");
        return NULL;
    }
    return pb_kind(api_version, kind, raw, raw_len, err, errlen);
}

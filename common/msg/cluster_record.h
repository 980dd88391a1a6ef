/* The cluster record, the value of vela.clusters (key: the cluster name; value:
 * schemas/cluster-record.schema.json; null: detached): its struct and JSON codec. Sealing
 * and opening its credentials, and the registry over the topic, are registry/. */
#ifndef VELA_MSG_CLUSTER_RECORD_H
#define VELA_MSG_CLUSTER_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "msg/schema.h"

typedef struct cluster_record {
    char *name;
    char *type;          /* "X509Certificate", "ServiceAccountToken" or "None" */
    char *endpoint;      /* "https://host:port" */
    bool accepted;       /* the join reached /version with the credentials */
    char *message;       /* why not accepted, else "" */
    char *version;       /* the API server's gitVersion when accepted, else NULL */
    char *region;        /* "default" unless --region */
    json_t *labels;      /* object of string values (owned reference); NULL after init, never
                            NULL in a parsed record */
    json_t *credentials; /* the sealed credentials (owned reference) or NULL */
    char *joined_at;     /* RFC 3339 UTC */
    char *updated_at;
} cluster_record;

/* init zeroes (it allocates nothing); release frees what the record holds and zeroes it. */
void cluster_record_init(cluster_record *r);
void cluster_record_release(cluster_record *r);

/* The record as the JSON value of vela.clusters (a new reference), NULL without a name or
 * when name, type, endpoint, message or region is not UTF-8. */
json_t *cluster_record_to_json(const cluster_record *r);

/* Parses a value of vela.clusters into *r, which is overwritten (uninitialised, initialised
 * or released records are all fine; one holding data would leak it); the caller releases it,
 * also on failure. Refuses, with an error naming the field ("labels.zone: expected a string,
 * got an integer"): another schemaVersion than MSG_CLUSTER_SCHEMA_VERSION, a missing or
 * mistyped name, type (one of the three above), endpoint, accepted, region or labels, and
 * over-long values. Unknown members are ignored (a newer writer may add some). The sealed
 * credentials are kept as they are; opening them checks them. */
int cluster_record_from_json(const json_t *j, cluster_record *r, char *err, size_t errlen);
/* The same from the bytes of a record (any bytes: not JSON, over MSG_MAX_BYTES, nested too
 * deep... are refused). */
int cluster_record_parse(const char *buf, size_t len, cluster_record *r, char *err, size_t errlen);

#endif

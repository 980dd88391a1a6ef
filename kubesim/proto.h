/* Kubernetes' protobuf request bodies (proto.c), for the kinds kubectl's generators send as
 * protobuf: Namespace, ConfigMap and Secret. */
#ifndef KUBESIM_PROTO_H
#define KUBESIM_PROTO_H

#include <jansson.h>
#include <stddef.h>

/* The object encoded in data (len bytes, with the "k8s\0" envelope) as JSON (a new
 * reference). NULL with a message on malformed input, or with the message "protobuf" for
 * kinds it does not decode (answered 415, so that clients fall back to JSON). */
json_t *ks_proto_decode(const void *data, size_t len, char *err, size_t errlen);

#endif

/* A small TCP forwarder: accepts on a fixed address and relays each connection to one of the
 * mock brokers' ephemeral loopback ports, round robin. Kafka clients only bootstrap through
 * it; the metadata then sends them to the brokers' own ports. */
#ifndef VELA_BROKER_FORWARD_H
#define VELA_BROKER_FORWARD_H

#include <stddef.h>

typedef struct fwd fwd;

/* Listens on listen_addr ("HOST:PORT", HOST an IPv4 address) and relays to the comma-separated
 * "HOST:PORT" list in upstreams. Returns NULL with a message (e.g. the address is in use). */
fwd *fwd_new(const char *listen_addr, const char *upstreams, char *err, size_t errlen);

/* Stops accepting, closes every relayed connection and joins the threads. NULL is a no-op. */
void fwd_free(fwd *f);

#endif

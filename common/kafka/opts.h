/* The Kafka options every program takes (docs/ of each program): --bootstrap-servers (or
 * VELA_BOOTSTRAP_SERVERS), -X key=value for librdkafka, --topic-prefix. The parsing is
 * base/cmdline's: opts_table is the rows, vela_opts is where their values go; kq.c turns
 * a vela_opts into a librdkafka configuration. */
#ifndef VELA_OPTS_H
#define VELA_OPTS_H

#include <stddef.h>

#include "base/cmdline.h"

#define OPTS_MAX_X 64

typedef struct vela_opts {
    const char *bootstrap_servers; /* points into argv or the environment */
    const char *topic_prefix;      /* default "vela." */
    size_t nx;
    const char *x_keys[OPTS_MAX_X]; /* owned by the struct (copies of argv) */
    const char *x_values[OPTS_MAX_X];
} vela_opts;

/* Defaults, from VELA_BOOTSTRAP_SERVERS and VELA_TOPIC_PREFIX when set. */
void opts_init(vela_opts *o);
void opts_release(vela_opts *o);

/* The Kafka options as a cmdline table whose base is a vela_opts (opts_group does the
 * pairing: the group to merge with a command's own). */
extern const cmdline_opt opts_table[];
cmdline_group opts_group(vela_opts *o);

#endif

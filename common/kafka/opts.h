/* Global options every program takes (DESIGN.md "Command lines"): --bootstrap-servers
 * (or VELA_BOOTSTRAP_SERVERS), -X key=value for librdkafka, --topic-prefix. */
#ifndef VELA_OPTS_H
#define VELA_OPTS_H

#include <stddef.h>

#define OPTS_MAX_X 64

typedef struct vela_opts {
    const char *bootstrap_servers; /* points into argv or the environment */
    const char *topic_prefix;      /* default "vela." */
    size_t nx;
    const char *x_keys[OPTS_MAX_X]; /* owned by the struct (strndup of argv) */
    const char *x_values[OPTS_MAX_X];
} vela_opts;

void opts_init(vela_opts *o);
void opts_release(vela_opts *o);

/* Removes the global options from argv (anywhere on the line, up to a "--"), leaving the
 * rest in order; *argc is updated. Returns 0, or -1 with a message on a malformed option. */
int opts_parse_global(vela_opts *o, int *argc, char **argv, char *err, size_t errlen);

/* The help text for the global options, for every program's --help. */
extern const char opts_global_help[];

#endif

/* Validation errors: the field path they are about and the message. Callers turn the path
 * into a line and column with ydoc_locate when they still have the text. */
#ifndef VELA_VERR_H
#define VELA_VERR_H

#include <stddef.h>

typedef struct verr {
    char path[512];
    char msg[1024];
} verr;

/* Records path and message; returns -1 for `return verr_set(...)`. e may be NULL. */
int verr_set(verr *e, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "spec.x: message" (or the message alone when there is no path) into buf. */
void verr_format(const verr *e, char *buf, size_t n);

#endif

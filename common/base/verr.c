/* Validation errors: a field path and a message, formatted as "path: message". */
#include "base/verr.h"

#include <stdarg.h>
#include <stdio.h>

int verr_set(verr *e, const char *path, const char *fmt, ...)
{
    if (!e)
        return -1;
    snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return -1;
}

void verr_format(const verr *e, char *buf, size_t n)
{
    if (e->path[0])
        snprintf(buf, n, "%s: %s", e->path, e->msg);
    else
        snprintf(buf, n, "%s", e->msg);
}

/* A growable byte buffer with a hard cap; see strbuf.h. */
#include "base/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

void strbuf_init(strbuf *sb, size_t cap)
{
    sb->data = NULL;
    sb->len = 0;
    sb->alloc = 0;
    sb->cap = cap ? cap : SIZE_MAX / 2;
}

void strbuf_release(strbuf *sb)
{
    free(sb->data);
    strbuf_init(sb, sb->cap);
}

void strbuf_reset(strbuf *sb)
{
    sb->len = 0;
    if (sb->data)
        sb->data[0] = '\0';
}

static int strbuf_grow(strbuf *sb, size_t extra)
{
    if (extra > sb->cap || sb->len > sb->cap - extra)
        return -1;
    size_t need = sb->len + extra + 1;
    if (need <= sb->alloc)
        return 0;
    size_t alloc = sb->alloc ? sb->alloc : 64;
    while (alloc < need)
        alloc *= 2;
    sb->data = xrealloc(sb->data, alloc);
    sb->alloc = alloc;
    return 0;
}

int strbuf_add(strbuf *sb, const void *data, size_t len)
{
    if (strbuf_grow(sb, len) < 0)
        return -1;
    if (len)
        memcpy(sb->data + sb->len, data, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
    return 0;
}

int strbuf_adds(strbuf *sb, const char *s)
{
    return strbuf_add(sb, s, strlen(s));
}

int strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0 || strbuf_grow(sb, (size_t)n) < 0)
        return -1;
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
    return 0;
}

int strbuf_addf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
    return rc;
}

char *strbuf_detach(strbuf *sb, size_t *len)
{
    char *d = sb->data;
    if (!d)
        d = xcalloc(1, 1);
    if (len)
        *len = sb->len;
    strbuf_init(sb, sb->cap);
    return d;
}

#ifndef VELA_STRBUF_H
#define VELA_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/* A growable byte buffer with a hard cap (curl's dynbuf "toobig"): appends past the cap fail
 * (-1) and leave the buffer as it was; running out of memory aborts (base/alloc.h). The
 * data is always NUL-terminated. */
typedef struct strbuf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
} strbuf;

void strbuf_init(strbuf *sb, size_t cap);
void strbuf_release(strbuf *sb);
void strbuf_reset(strbuf *sb);
int strbuf_add(strbuf *sb, const void *data, size_t len);
int strbuf_adds(strbuf *sb, const char *s);
int strbuf_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the data over to the caller (who frees it) and re-initialises the buffer. */
char *strbuf_detach(strbuf *sb, size_t *len);

#endif

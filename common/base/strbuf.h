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

/* An append fails (returns -1) when the cap or memory runs out, and the buffer then lacks the
 * text: a caller must check, or the output is silently cut. The compiler enforces this
 * (warn_unused_result; with gcc a (void) cast does not silence it, so handle the error). */
#define STRBUF_MUST_CHECK __attribute__((warn_unused_result))

void strbuf_init(strbuf *sb, size_t cap);
void strbuf_release(strbuf *sb);
void strbuf_reset(strbuf *sb);
/* Append len bytes, a string, or printf-formatted text. 0 on success, -1 (buffer unchanged)
 * when it would pass the cap or memory runs out. */
STRBUF_MUST_CHECK int strbuf_add(strbuf *sb, const void *data, size_t len);
STRBUF_MUST_CHECK int strbuf_adds(strbuf *sb, const char *s);
STRBUF_MUST_CHECK int strbuf_addf(strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
STRBUF_MUST_CHECK int strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Hands the data over to the caller (who frees it) and re-initialises the buffer. */
char *strbuf_detach(strbuf *sb, size_t *len);

#endif

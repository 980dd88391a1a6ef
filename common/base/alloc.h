/* The one out-of-memory policy: allocation failure is not an error callers handle, it ends
 * the program. These wrappers print "fatal: out of memory (N bytes)" and abort(), so code
 * using them never checks for NULL. */
#ifndef VELA_ALLOC_H
#define VELA_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
/* Fails (aborts) on n * size overflow too. */
void *xcalloc(size_t n, size_t size);
/* xrealloc(NULL, n) is xmalloc(n); a zero size still returns a block. */
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
/* At most n bytes of s, always terminated. */
char *xstrndup(const char *s, size_t n);
/* A new string formatted as printf would (caller frees). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the fatal message for a failed allocation of size bytes and aborts. For code that
 * must call an allocator of its own (e.g. a pool) and shares the policy. */
_Noreturn void alloc_fail(size_t size);

#endif

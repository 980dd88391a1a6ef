/* The jansson pool (see jpool.h): blocks up to 256 bytes in 16-byte classes, kept on
 * per-thread free lists of at most JPOOL_KEEP blocks per class; a header before each block
 * remembers its class. Larger blocks go straight to malloc (with the same header). Like
 * every allocation (base/alloc.h), a failed one aborts: jansson never sees NULL. */
#include "base/jpool.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "base/util.h"
#include "base/strbuf.h"

#if defined(__SANITIZE_ADDRESS__)
#define JPOOL_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JPOOL_OFF 1
#endif
#endif

#define JPOOL_CLASSES 16 /* 16, 32, ... 256 bytes */
#define JPOOL_KEEP 4096
#define JPOOL_HDR 16 /* keeps blocks 16-byte aligned */

#ifndef JPOOL_OFF
struct jpool_free {
    struct jpool_free *next;
};

static _Thread_local struct jpool_free *jpool_lists[JPOOL_CLASSES];
static _Thread_local unsigned jpool_counts[JPOOL_CLASSES];

static void *jpool_malloc(size_t size)
{
    size_t cls = size ? (size - 1) / 16 : 0;
    if (cls < JPOOL_CLASSES && jpool_lists[cls]) {
        struct jpool_free *f = jpool_lists[cls];
        jpool_lists[cls] = f->next;
        jpool_counts[cls]--;
        return f;
    }
    if (cls > JPOOL_CLASSES)
        cls = JPOOL_CLASSES; /* "from malloc, not pooled" */
    unsigned char *p = xmalloc((cls < JPOOL_CLASSES ? (cls + 1) * 16 : size) + JPOOL_HDR);
    *(size_t *)p = cls;
    return p + JPOOL_HDR;
}

static void jpool_free(void *ptr)
{
    if (!ptr)
        return;
    unsigned char *p = (unsigned char *)ptr - JPOOL_HDR;
    size_t cls = *(size_t *)p;
    if (cls >= JPOOL_CLASSES || jpool_counts[cls] >= JPOOL_KEEP) {
        free(p);
        return;
    }
    struct jpool_free *f = ptr;
    f->next = jpool_lists[cls];
    jpool_lists[cls] = f;
    jpool_counts[cls]++;
}

void jpool_init(void)
{
    json_set_alloc_funcs(jpool_malloc, jpool_free);
}
#else
void jpool_init(void)
{
    /* sanitizer builds: every allocation stays visible to ASan, and still aborts on failure */
    json_set_alloc_funcs(xmalloc, free);
}
#endif

static int jpool_dump_cb(const char *buffer, size_t size, void *data)
{
    return strbuf_add(data, buffer, size);
}

char *vela_json_dumps(const json_t *json, size_t flags)
{
    strbuf sb;
    strbuf_init(&sb, 0);
    if (json_dump_callback(json, jpool_dump_cb, &sb, flags) < 0) {
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, NULL); /* one pass, into memory from malloc */
}

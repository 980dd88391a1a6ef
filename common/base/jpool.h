/* A small size-class pool for jansson's allocations. JSON trees are built and freed by the
 * hundred per Application; recycling their nodes keeps glibc's fastbins empty, so the large
 * buffers libyaml allocates per parse do not trigger malloc_consolidate each time (the
 * render benchmark: 52 -> 38 us). */
#ifndef VELA_JPOOL_H
#define VELA_JPOOL_H

#include <jansson.h>

/* Routes jansson's allocations through the pool (json_set_alloc_funcs). Call first thing in
 * main, before any JSON value exists, in single-JSON-thread programs; a no-op in sanitizer
 * builds, which must see every allocation. */
void jpool_init(void);

/* json_dumps into memory from malloc (free() it), whatever allocator jansson uses: call
 * this instead of json_dumps everywhere. NULL on failure. */
char *vela_json_dumps(const json_t *json, size_t flags);

#endif

/* The committed-offset tracker: per partition, the offsets taken in order, each finished or
 * not; finished ones at the front are popped, and the commit point is the first unfinished
 * offset (or one past the last finished when none is left). See offsets.h. */
#include "offsets.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

typedef struct off_entry {
    int64_t offset;
    bool done;
} off_entry;

typedef struct off_part {
    bool used;
    off_entry *e; /* ring of taken offsets in increasing order: e[head .. head+n) */
    size_t head, n, alloc;
    int64_t last;      /* highest offset taken, -1 when none */
    int64_t next;      /* one past the last offset popped as finished, -1 when none */
    int64_t committed; /* last commit recorded, -1 when none */
} off_part;

struct offtrack {
    off_part *p;
    int32_t np;
};

offtrack *offtrack_new(void)
{
    return xcalloc(1, sizeof(offtrack));
}

void offtrack_free(offtrack *t)
{
    if (!t)
        return;
    for (int32_t i = 0; i < t->np; i++)
        free(t->p[i].e);
    free(t->p);
    free(t);
}

static off_part *off_part_get(offtrack *t, int32_t partition, bool create)
{
    if (partition < 0)
        return NULL;
    if (partition >= t->np) {
        if (!create)
            return NULL;
        int32_t np = partition + 1 > t->np * 2 ? partition + 1 : t->np * 2;
        t->p = xrealloc(t->p, (size_t)np * sizeof(*t->p));
        memset(t->p + t->np, 0, (size_t)(np - t->np) * sizeof(*t->p));
        t->np = np;
    }
    off_part *p = &t->p[partition];
    if (!p->used) {
        if (!create)
            return NULL;
        p->used = true;
        p->last = p->next = p->committed = -1;
        p->head = p->n = 0;
    }
    return p;
}

static off_entry *off_at(off_part *p, size_t i)
{
    return &p->e[(p->head + i) % p->alloc];
}

int offtrack_add(offtrack *t, int32_t partition, int64_t offset)
{
    off_part *p = off_part_get(t, partition, true);
    if (!p || offset < 0 || offset <= p->last)
        return -1;
    if (p->n == p->alloc) {
        size_t alloc = p->alloc ? p->alloc * 2 : 16;
        off_entry *e = xmalloc(alloc * sizeof(*e));
        for (size_t i = 0; i < p->n; i++)
            e[i] = *off_at(p, i);
        free(p->e);
        p->e = e;
        p->alloc = alloc;
        p->head = 0;
    }
    off_entry *slot = &p->e[(p->head + p->n) % p->alloc];
    slot->offset = offset;
    slot->done = false;
    p->n++;
    p->last = offset;
    return 0;
}

int offtrack_done(offtrack *t, int32_t partition, int64_t offset)
{
    off_part *p = off_part_get(t, partition, false);
    if (!p || p->n == 0)
        return -1;
    /* Binary search: the ring holds increasing offsets. */
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (off_at(p, mid)->offset < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == p->n || off_at(p, lo)->offset != offset || off_at(p, lo)->done)
        return -1;
    off_at(p, lo)->done = true;
    while (p->n > 0 && off_at(p, 0)->done) {
        p->next = off_at(p, 0)->offset + 1;
        p->head = (p->head + 1) % p->alloc;
        p->n--;
    }
    return 0;
}

static int64_t off_point(const off_part *p)
{
    if (p->n > 0)
        return p->e[p->head % p->alloc].offset;
    return p->next;
}

int64_t offtrack_committable(const offtrack *t, int32_t partition)
{
    if (partition < 0 || partition >= t->np || !t->p[partition].used)
        return -1;
    const off_part *p = &t->p[partition];
    int64_t point = off_point(p);
    return point > p->committed ? point : -1;
}

int64_t offtrack_position(const offtrack *t, int32_t partition)
{
    if (partition < 0 || partition >= t->np || !t->p[partition].used)
        return -1;
    return off_point(&t->p[partition]);
}

void offtrack_committed(offtrack *t, int32_t partition, int64_t next)
{
    off_part *p = off_part_get(t, partition, false);
    if (p && next > p->committed)
        p->committed = next;
}

size_t offtrack_pending(const offtrack *t, int32_t partition)
{
    if (partition < 0 || partition >= t->np || !t->p[partition].used)
        return 0;
    return t->p[partition].n;
}

size_t offtrack_pending_all(const offtrack *t)
{
    size_t n = 0;
    for (int32_t i = 0; i < t->np; i++)
        n += t->p[i].used ? t->p[i].n : 0;
    return n;
}

void offtrack_drop(offtrack *t, int32_t partition)
{
    off_part *p = off_part_get(t, partition, false);
    if (!p)
        return;
    free(p->e);
    memset(p, 0, sizeof(*p));
}

int32_t offtrack_partitions(const offtrack *t)
{
    return t->np;
}

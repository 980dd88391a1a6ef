/* The committed-offset tracker (offtrack_): tasks of one partition run at the same time and
 * finish in any order; the offset a worker may commit for a partition is the one below which
 * every task it took is finished. Pure bookkeeping, no Kafka calls. */
#ifndef VELA_WORKER_OFFSETS_H
#define VELA_WORKER_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

typedef struct offtrack offtrack;

/* A new, empty tracker; free with offtrack_free. */
offtrack *offtrack_new(void);
void offtrack_free(offtrack *t);

/* A task at offset of partition was taken. Offsets of a partition must come in increasing
 * order: 0, or -1 for an offset not above the last one taken (a duplicate delivery, which
 * the caller skips) or a negative partition or offset. */
int offtrack_add(offtrack *t, int32_t partition, int64_t offset);

/* The task at offset finished (its final event was acknowledged). 0, or -1 when that offset
 * is not being tracked (already finished, or its partition was dropped). */
int offtrack_done(offtrack *t, int32_t partition, int64_t offset);

/* The offset to commit for partition (the next one to read: every task below it finished),
 * or -1 when there is nothing new to commit since offtrack_committed. */
int64_t offtrack_committable(const offtrack *t, int32_t partition);

/* The commit point of partition whether or not it was committed already, -1 when the
 * partition has none (nothing taken, or only unfinished tasks and nothing before them). */
int64_t offtrack_position(const offtrack *t, int32_t partition);

/* Records that next was committed for partition. */
void offtrack_committed(offtrack *t, int32_t partition, int64_t next);

/* Tasks of partition taken and not finished. */
size_t offtrack_pending(const offtrack *t, int32_t partition);
/* Over every partition. */
size_t offtrack_pending_all(const offtrack *t);

/* Forgets partition (it was revoked): its unfinished tasks will be redelivered elsewhere. */
void offtrack_drop(offtrack *t, int32_t partition);

/* The highest partition number tracked + 1 (to iterate 0 .. n-1). */
int32_t offtrack_partitions(const offtrack *t);

#endif

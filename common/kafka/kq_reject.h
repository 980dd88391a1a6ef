/* Refused records: a record that does not decode (wrong JSON, wrong schema version, a
 * missing field) is skipped, never fatal. kq_reject_report logs it once, with where it came
 * from and why, and counts it per topic, so that nothing is lost silently. */
#ifndef VELA_KQ_REJECT_H
#define VELA_KQ_REJECT_H

#include <stddef.h>
#include <stdint.h>

/* Logs `msg="record refused" topic=T partition=P offset=O key=K reason="..."` at warn level
 * and counts it. key may be NULL (no key); it is shown up to 200 bytes, non-printable bytes as
 * '?'. Thread-safe. */
void kq_reject_report(const char *topic, int32_t partition, int64_t offset, const void *key,
                      size_t klen, const char *reason);

/* Records refused so far by this process: on topic (full name), or on all topics when NULL. */
uint64_t kq_reject_count(const char *topic);

#endif

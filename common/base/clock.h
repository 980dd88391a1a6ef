/* Clocks and timestamps: a monotonic millisecond clock and RFC 3339 (UTC, seconds)
 * written and read in one place. */
#ifndef VELA_CLOCK_H
#define VELA_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Monotonic clock in milliseconds. */
int64_t now_ms(void);

/* Wall clock (CLOCK_REALTIME) in milliseconds since the epoch. */
int64_t wall_ms(void);

/* Writes wall_ms as RFC 3339 in UTC: "2006-01-02T15:04:05Z", or with millis
 * "2006-01-02T15:04:05.000Z". buf needs CLOCK_RFC3339_LEN bytes. */
#define CLOCK_RFC3339_LEN 32
void clock_rfc3339(int64_t wall_ms, int millis, char *buf, size_t n);

/* Reads RFC 3339 ("YYYY-MM-DDTHH:MM:SS", optional fraction, then "Z" or "+hh:mm"/"-hh:mm",
 * nothing after) into milliseconds since the epoch. Returns -1 when s is NULL or malformed. */
int64_t clock_parse_rfc3339(const char *s);

#endif

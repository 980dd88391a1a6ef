/* Small helpers every module uses: error buffers, reading files with a size cap, durations,
 * DNS-1123 names, globs and the open-file limit. */
#ifndef VELA_UTIL_H
#define VELA_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Formats into a caller's error buffer (errstr, errlen), like librdkafka. Returns -1 so
 * callers can write `return err_set(err, errlen, ...)`. err may be NULL. */
int err_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads a whole file ("-" is stdin) into *out (caller frees), failing past max bytes. */
int read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen);

/* Parses a duration such as "30s", "10m", "1h30m", "500ms" into milliseconds. */
int parse_duration_ms(const char *s, int64_t *ms);

/* Raises the soft limit of open files to the hard one (connections to many clusters) and
 * returns the limit now in force (0 when unknown). */
unsigned long long raise_nofile_limit(void);

/* DNS-1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters. */
bool is_dns1123_label(const char *s);

/* Shell-style glob with only '*' (any run of characters), matched against the whole string. */
bool glob_match(const char *pattern, const char *s);

#endif

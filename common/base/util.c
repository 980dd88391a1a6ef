/* Shared helpers: error buffers, capped buffers, file reading, durations, names, globs. */
#include "base/util.h"
#include "base/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

int err_set(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    strbuf sb;
    char chunk[65536];
    size_t n;
    int rc = -1;

    *out = NULL;
    if (!f)
        return err_set(err, errlen, "cannot open \"%s\": %s", path, strerror(errno));
    strbuf_init(&sb, max);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (strbuf_add(&sb, chunk, n) < 0) {
            err_set(err, errlen, "\"%s\" is larger than the limit of %zu bytes", path, max);
            goto cleanup;
        }
    }
    if (ferror(f)) {
        err_set(err, errlen, "cannot read \"%s\": %s", path, strerror(errno));
        goto cleanup;
    }
    *out = strbuf_detach(&sb, len);
    rc = 0;
cleanup:
    strbuf_release(&sb);
    if (f != stdin)
        fclose(f);
    return rc;
}

int parse_duration_ms(const char *s, int64_t *ms)
{
    int64_t total = 0;
    const char *p = s;

    if (!s || !*s)
        return -1;
    while (*p) {
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno || v < 0)
            return -1;
        double unit;
        if (strncmp(end, "ms", 2) == 0) {
            unit = 1;
            end += 2;
        } else if (*end == 's') {
            unit = 1000;
            end++;
        } else if (*end == 'm') {
            unit = 60000;
            end++;
        } else if (*end == 'h') {
            unit = 3600000;
            end++;
        } else {
            return -1;
        }
        if (v * unit > 9e15)
            return -1;
        total += (int64_t)(v * unit);
        p = end;
    }
    *ms = total;
    return 0;
}

bool is_dns1123_label(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && !(c == '-' && i > 0 && i < n - 1))
            return false;
    }
    return true;
}

bool glob_match(const char *pattern, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*pattern == '*') {
            star = pattern++;
            resume = s;
        } else if (*pattern == *s) {
            pattern++;
            s++;
        } else if (star) {
            pattern = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

unsigned long long raise_nofile_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return (unsigned long long)rl.rlim_cur;
}

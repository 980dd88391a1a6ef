/* Shared helpers: error buffers, capped buffers, file reading, durations, names, globs. */
#include "util.h"

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

void strbuf_init(strbuf *sb, size_t cap)
{
    sb->data = NULL;
    sb->len = 0;
    sb->alloc = 0;
    sb->cap = cap ? cap : SIZE_MAX / 2;
}

void strbuf_release(strbuf *sb)
{
    free(sb->data);
    strbuf_init(sb, sb->cap);
}

void strbuf_reset(strbuf *sb)
{
    sb->len = 0;
    if (sb->data)
        sb->data[0] = '\0';
}

static int strbuf_grow(strbuf *sb, size_t extra)
{
    if (extra > sb->cap || sb->len > sb->cap - extra)
        return -1;
    size_t need = sb->len + extra + 1;
    if (need <= sb->alloc)
        return 0;
    size_t alloc = sb->alloc ? sb->alloc : 64;
    while (alloc < need)
        alloc *= 2;
    char *p = realloc(sb->data, alloc);
    if (!p)
        return -1;
    sb->data = p;
    sb->alloc = alloc;
    return 0;
}

int strbuf_add(strbuf *sb, const void *data, size_t len)
{
    if (strbuf_grow(sb, len) < 0)
        return -1;
    if (len)
        memcpy(sb->data + sb->len, data, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
    return 0;
}

int strbuf_adds(strbuf *sb, const char *s)
{
    return strbuf_add(sb, s, strlen(s));
}

int strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0 || strbuf_grow(sb, (size_t)n) < 0)
        return -1;
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
    return 0;
}

int strbuf_addf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
    return rc;
}

char *strbuf_detach(strbuf *sb, size_t *len)
{
    char *d = sb->data;
    if (!d)
        d = calloc(1, 1);
    if (len)
        *len = sb->len;
    strbuf_init(sb, sb->cap);
    return d;
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

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

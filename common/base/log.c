/* The logger: ts=... level=... prog=... followed by the caller's key=value text, on stderr.
 * The level is read from VELA_LOG_LEVEL when a program calls log_set_level(getenv(...)). */
#include "base/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum log_level log_threshold = LOG_INFO;
static const char *log_program = "vela";
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const log_names[] = {"debug", "info", "warn", "error", "off"};

int log_set_level(const char *name)
{
    if (!name || !*name)
        return 0;
    for (int i = 0; i <= LOG_OFF; i++) {
        if (strcmp(name, log_names[i]) == 0) {
            log_threshold = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

void log_set_program(const char *program)
{
    log_program = program;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    va_list ap;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof(line),
                     "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s prog=%s ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, log_names[level], log_program);
    if (n < 0 || (size_t)n >= sizeof(line))
        n = 0;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "%s\n", line);
    pthread_mutex_unlock(&log_lock);
}

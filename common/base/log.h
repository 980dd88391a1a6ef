/* One logger for every program: levels checked before formatting, one line per event,
 * key=value fields. Never pass a credential or a private key to it. */
#ifndef VELA_LOG_H
#define VELA_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

extern enum log_level log_threshold;

/* Sets the threshold from a name (debug, info, warn, error, off); returns -1 if unknown. */
int log_set_level(const char *name);
/* Sets the program name printed on every line (a static string, not copied). */
void log_set_program(const char *program);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG(level, ...)                                                                            \
    do {                                                                                           \
        if ((level) >= log_threshold)                                                              \
            log_msg((level), __VA_ARGS__);                                                         \
    } while (0)
#define log_debug(...) LOG(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) LOG(LOG_INFO, __VA_ARGS__)
#define log_warn(...) LOG(LOG_WARN, __VA_ARGS__)
#define log_error(...) LOG(LOG_ERROR, __VA_ARGS__)

#endif

/* core/log.h — one line per event on stderr: time, level, message.
 *
 * Each line is written with a single write(2), so lines of concurrent threads never
 * interleave. Messages are for operators: SQL text and errno go here, never to clients. */
#ifndef CORRAL_CORE_LOG_H
#define CORRAL_CORE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* The level names in enum order, NULL-terminated (the choices of --log-level). */
extern const char *const log_level_names[];
/* Parse "debug", "info", "warn", "error"; -1 when unknown. */
int log_parse_level(const char *s);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif

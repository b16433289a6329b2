/*
 * JSON-lines logging on stderr: one object per line with the time, level,
 * program and message.  The level threshold and the program name are set
 * once at start by log_init() and only read afterwards.
 */
#ifndef GL_LOG_H
#define GL_LOG_H

#include <stdarg.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Set the program name (copied) and the threshold ("debug", "info", …). */
void log_init(const char *program, const char *level);
int log_enabled(enum log_level level);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends strerror(errno); log_warnx does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log at error level and exit(1). */
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Append s to buf (size n) as the body of a JSON string, truncating. */
void log_json_escape(char *buf, size_t n, const char *s);

#endif

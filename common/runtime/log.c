/*
 * JSON-lines logging.  Every line is written with a single write(2) so lines
 * from several threads never interleave.  Messages never carry secrets: the
 * callers log at most a short prefix of a token's hash.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "runtime/log.h"

#define LOG_LINE_MAX 4096

static char log_program[32] = "goldilocks";
static enum log_level log_threshold = LOG_INFO;

void log_init(const char *program, const char *level)
{
	snprintf(log_program, sizeof(log_program), "%s", program);
	if (level == NULL || *level == '\0' || strcasecmp(level, "info") == 0)
		log_threshold = LOG_INFO;
	else if (strcasecmp(level, "debug") == 0)
		log_threshold = LOG_DEBUG;
	else if (strcasecmp(level, "warn") == 0 ||
		 strcasecmp(level, "warning") == 0)
		log_threshold = LOG_WARN;
	else if (strcasecmp(level, "error") == 0)
		log_threshold = LOG_ERROR;
}

int log_enabled(enum log_level level)
{
	return level >= log_threshold;
}

void log_json_escape(char *buf, size_t n, const char *s)
{
	size_t len = strlen(buf);
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0' && len + 7 < n; p++) {
		if (*p == '"' || *p == '\\') {
			buf[len++] = '\\';
			buf[len++] = (char)*p;
		} else if (*p == '\n') {
			buf[len++] = '\\';
			buf[len++] = 'n';
		} else if (*p < 0x20 || *p == 0x7f) {
			len += (size_t)snprintf(buf + len, n - len, "\\u%04x",
						*p);
		} else {
			buf[len++] = (char)*p;
		}
	}
	buf[len] = '\0';
}

static void log_emit(enum log_level level, int with_errno, const char *fmt,
		     va_list ap)
{
	static const char *const names[] = { "debug", "info", "warn",
					     "error" };
	char msg[LOG_LINE_MAX / 2];
	char line[LOG_LINE_MAX];
	struct timeval tv;
	struct tm tm;
	int saved = errno;
	size_t len;

	if (!log_enabled(level))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, ": %s",
			 strerror(saved));
	}
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	len = strftime(line, sizeof(line), "{\"ts\":\"%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(line + len, sizeof(line) - len,
		 ".%03ldZ\",\"level\":\"%s\",\"program\":\"%s\",\"msg\":\"",
		 (long)(tv.tv_usec / 1000), names[level], log_program);
	log_json_escape(line, sizeof(line) - 3, msg);
	len = strlen(line);
	memcpy(line + len, "\"}\n", 4);
	if (write(STDERR_FILENO, line, len + 3) < 0) {
		/* Nowhere left to report it. */
	}
	errno = saved;
}

#define LOG_FN(fn, level, with_errno)                                   \
	void fn(const char *fmt, ...)                                   \
	{                                                               \
		va_list ap;                                             \
		va_start(ap, fmt);                                      \
		log_emit(level, with_errno, fmt, ap);                   \
		va_end(ap);                                             \
	}

LOG_FN(log_debug, LOG_DEBUG, 0)
LOG_FN(log_info, LOG_INFO, 0)
LOG_FN(log_warn, LOG_WARN, 1)
LOG_FN(log_warnx, LOG_WARN, 0)
LOG_FN(log_error, LOG_ERROR, 0)

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

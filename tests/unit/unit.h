/*
 * Helpers shared by the unit tests: table length, a note naming the case
 * a table loop is on (printed only with TEST_VERBOSE=1 in the environment,
 * so a failing row can be found without flooding the normal run), and
 * substring assertions with readable failure messages.  Include after
 * <cmocka.h>.
 */
#ifndef GL_TEST_UNIT_H
#define GL_TEST_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static inline void case_note(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static inline void case_note(const char *fmt, ...)
{
	const char *v = getenv("TEST_VERBOSE");
	va_list ap;

	if (v == NULL || strcmp(v, "1") != 0)
		return;
	va_start(ap, fmt);
	fputs("case: ", stdout);
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

static inline void assert_contains(const char *haystack, const char *needle)
{
	if (haystack == NULL || strstr(haystack, needle) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"",
			 haystack ? haystack : "(null)", needle);
}

static inline void assert_not_contains(const char *haystack,
				       const char *needle)
{
	if (haystack != NULL && strstr(haystack, needle) != NULL)
		fail_msg("\"%s\" contains \"%s\"", haystack, needle);
}

#endif

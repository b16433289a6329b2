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
#include <stddef.h>
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

/*
 * JSON from test text written with single quotes ("{'a': 1}"), so tables
 * of cases stay readable; a new reference, or the test fails.  Needs
 * <jansson.h> before this header.
 */
#ifdef JANSSON_H
static inline json_t *unit_json(const char *text)
{
	char *s = strdup(text), *p;
	json_error_t jerr;
	json_t *v;

	assert_non_null(s);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	v = json_loads(s, JSON_DECODE_ANY, &jerr);
	if (v == NULL)
		fail_msg("bad test JSON %s: %s", s, jerr.text);
	free(s);
	return v;
}
#endif

/* unit repeated count times, malloc()ed (the caller frees). */
static inline char *unit_repeat(const char *unit, size_t count)
{
	size_t ul = strlen(unit), i;
	char *s = malloc(ul * count + 1);

	assert_non_null(s);
	for (i = 0; i < count; i++)
		memcpy(s + i * ul, unit, ul);
	s[ul * count] = '\0';
	return s;
}

#endif

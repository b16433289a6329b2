/*
 * Unit tests of the pure checks of common/note: a note's text (blank,
 * the character limit counted in characters, not bytes, invalid UTF-8,
 * NUL and control characters) and review tags (shape, count, type,
 * trimming, length, control characters, de-duplication in first order).
 * The database functions are covered by the integration tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "sharing/note.h"
#include "support/unit.h"

#define E_ACUTE "\xc3\xa9"		/* é, two bytes */
#define EMOJI	"\xf0\x9f\x98\x80"	/* U+1F600, four bytes */

/* n copies of unit, NUL-terminated; malloc()ed. */
static void text_ok(const char *text, size_t len)
{
	char err[256] = "";

	if (note_check_text(text, len, err, sizeof(err)) != 0)
		fail_msg("text of %zu bytes refused: %s", len, err);
	assert_string_equal(err, "");
}

static void text_refused(const char *text, size_t len, const char *want)
{
	char err[256] = "";

	assert_int_equal(note_check_text(text, len, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void test_text_ok(void **state)
{
	static const char *const ok[] = {
		"x",
		"Called her back, refund approved.",
		"  leading and trailing blanks are kept  ",
		"line one\nline two\r\nline three\ttabbed",
		"caf" E_ACUTE " " EMOJI,
		"<script>alert(1)</script>", /* the page escapes it */
		"\xc2\xa0",		     /* a no-break space is not blank */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(ok); i++) {
		case_note("ok \"%s\"", ok[i]);
		text_ok(ok[i], strlen(ok[i]));
	}
}

static void test_text_blank(void **state)
{
	static const char *const blank[] = {
		"", " ", "   ", "\n", "\r\n", "\t", " \t\r\n \n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(blank); i++) {
		case_note("blank #%zu", i);
		text_refused(blank[i], strlen(blank[i]), "text: empty");
	}
}

static void test_text_length(void **state)
{
	static const struct {
		const char *unit;
		size_t n;
		int ok;
	} cases[] = {
		{ "a", NOTE_TEXT_MAX_CHARS, 1 },
		{ "a", NOTE_TEXT_MAX_CHARS + 1, 0 },
		{ E_ACUTE, NOTE_TEXT_MAX_CHARS, 1 }, /* 8000 bytes */
		{ E_ACUTE, NOTE_TEXT_MAX_CHARS + 1, 0 },
		{ EMOJI, NOTE_TEXT_MAX_CHARS, 1 }, /* 16000 bytes */
		{ EMOJI, NOTE_TEXT_MAX_CHARS + 1, 0 },
		{ "\n", NOTE_TEXT_MAX_CHARS, 0 }, /* blank */
	};
	size_t i;

	(void)state;
	assert_int_equal(NOTE_TEXT_MAX_CHARS, 4000);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *s = unit_repeat(cases[i].unit, cases[i].n);

		case_note("%zu x \"%s\"", cases[i].n, cases[i].unit);
		if (cases[i].ok)
			text_ok(s, strlen(s));
		else if (strcmp(cases[i].unit, "\n") == 0)
			text_refused(s, strlen(s), "text: empty");
		else
			text_refused(s, strlen(s),
				     "text: longer than 4000 characters");
		free(s);
	}
}

/* 3999 ASCII characters and one é: 4000 characters in 4001 bytes. */
static void test_text_counts_characters(void **state)
{
	char *a = unit_repeat("a", NOTE_TEXT_MAX_CHARS - 1);
	size_t n = strlen(a);
	char *s = malloc(n + 3 + 4);

	(void)state;
	assert_non_null(s);
	memcpy(s, a, n);
	memcpy(s + n, E_ACUTE, 3);
	assert_int_equal(strlen(s), NOTE_TEXT_MAX_CHARS + 1);
	text_ok(s, strlen(s));
	/* One more é: 4001 characters. */
	memcpy(s + n + 2, E_ACUTE, 3);
	text_refused(s, strlen(s), "text: longer than 4000 characters");
	free(s);
	free(a);
}

static void test_text_bad_utf8(void **state)
{
	static const char *const bad[] = {
		"\xff",
		"abc\xfe",
		"caf\xc3",	     /* cut short */
		"\xc3\x28",	     /* bad continuation */
		"\xc0\xaf",	     /* overlong '/' */
		"\xe0\x80\xaf",	     /* overlong */
		"\xed\xa0\x80",	     /* a surrogate */
		"\xf4\x90\x80\x80",  /* beyond U+10FFFF */
		"\x80",		     /* a lone continuation */
		"ok \xf0\x9f\x98",   /* emoji cut short */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		case_note("bad utf-8 #%zu", i);
		text_refused(bad[i], strlen(bad[i]),
			     "text: not valid UTF-8 text");
	}
}

static void test_text_nul_and_controls(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} bad[] = {
		{ "ab\0cd", 5 },
		{ "\0", 1 },
		{ "abc\0", 4 },
		{ "a\x01", 2 },
		{ "\x1b[31mred", 8 },
		{ "bell\x07", 5 },
		{ "a\x7f", 2 },
		{ "form\x0c", 5 },
		{ "vertical\x0b", 9 },
		{ "back\x08space", 10 },
		{ "x\x1f", 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		case_note("control #%zu", i);
		text_refused(bad[i].s, bad[i].len,
			     "text: not valid UTF-8 text");
	}
	/* Newline, carriage return and tab are fine. */
	text_ok("a\nb", 3);
	text_ok("a\rb", 3);
	text_ok("a\tb", 3);
}

static void test_text_err_truncated(void **state)
{
	char err[6];

	(void)state;
	/* A short buffer gets a cut, NUL-terminated reason. */
	memset(err, 'X', sizeof(err));
	assert_int_equal(note_check_text("", 0, err, sizeof(err)), -1);
	assert_string_equal(err, "text:");
}

/* Check tags given as JSON text; returns the result (new reference). */
static json_t *tags_of(const char *text, char *err, size_t errlen)
{
	json_error_t e;
	json_t *in = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	json_t *out;

	if (in == NULL)
		fail_msg("bad test JSON: %s", e.text);
	out = note_check_tags(in, err, errlen);
	json_decref(in);
	return out;
}

static void tags_ok(const char *text, const char *want)
{
	char err[256] = "";
	json_t *out = tags_of(text, err, sizeof(err));
	char *got;

	if (out == NULL)
		fail_msg("tags %s refused: %s", text, err);
	got = json_dumps(out, JSON_COMPACT);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("tags %s\n  got  %s\n  want %s", text, got, want);
	free(got);
	json_decref(out);
}

static void tags_refused(const char *text, const char *want)
{
	char err[256] = "";
	json_t *out = tags_of(text, err, sizeof(err));

	if (out != NULL)
		fail_msg("tags %s accepted, want \"%s\"", text, want);
	assert_string_equal(err, want);
}

/* C1 controls (U+0080 to U+009F) are refused; the letters after are not. */
static void test_text_c1_controls(void **state)
{
	(void)state;
	text_refused("line\xc2\x85" "break", 11, "text: not valid UTF-8 text");
	text_refused("\xc2\x80", 2, "text: not valid UTF-8 text");
	text_refused("x\xc2\x9f", 3, "text: not valid UTF-8 text");
	text_ok("\xc2\xa0no-break space", 16);
	text_ok("\xc2\xa9 2026", 7);
}

/* note_check_body(): what the API's note body must be. */
static void body_refused(const char *json, const char *want)
{
	const char *text = "x", *mid = "x";
	char err[256] = "";
	json_t *b = json_loads(json, 0, NULL);

	assert_non_null(b);
	assert_int_equal(note_check_body(b, &text, &mid, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	json_decref(b);
}

static void test_body(void **state)
{
	const char *text, *mid;
	char err[256] = "";
	json_t *b = json_loads("{\"text\":\"see #2\",\"message_id\":\"m-2\"}",
			       0, NULL);

	(void)state;
	assert_int_equal(note_check_body(b, &text, &mid, err, sizeof(err)), 0);
	assert_string_equal(text, "see #2");
	assert_string_equal(mid, "m-2");
	json_decref(b);
	b = json_loads("{\"text\":\"whole\",\"message_id\":null}", 0, NULL);
	assert_int_equal(note_check_body(b, &text, &mid, err, sizeof(err)), 0);
	assert_null(mid);
	json_decref(b);
	body_refused("{}", "text: required");
	body_refused("{\"text\":7}", "text: required");
	body_refused("{\"text\":\"  \"}", "text: empty");
	body_refused("{\"text\":\"a\",\"message_id\":5}",
		     "message_id: not an id");
	body_refused("{\"text\":\"a\",\"message_id\":\"m 1\"}",
		     "message_id: not an id");
	body_refused("{\"text\":\"a\",\"message_id\":\"\"}",
		     "message_id: not an id");
}

static void test_tags_ok(void **state)
{
	static const char *const cases[][2] = {
		{ "[]", "[]" },
		{ "[\"billing\"]", "[\"billing\"]" },
		{ "[\"billing\",\"vip\"]", "[\"billing\",\"vip\"]" },
		/* Surrounding spaces trimmed, inner ones kept. */
		{ "[\"  billing \",\" follow up \"]",
		  "[\"billing\",\"follow up\"]" },
		/* Repeats dropped, first order kept. */
		{ "[\"b\",\"a\",\"b\",\" a \",\"c\",\"a\"]",
		  "[\"b\",\"a\",\"c\"]" },
		{ "[\"vip\",\"vip \",\" vip\"]", "[\"vip\"]" },
		/* Case matters. */
		{ "[\"VIP\",\"vip\"]", "[\"VIP\",\"vip\"]" },
		{ "[\"caf\\u00e9\",\"cafe\"]",
		  "[\"caf" E_ACUTE "\",\"cafe\"]" },
		{ "[\"<b>\"]", "[\"<b>\"]" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("tags %s", cases[i][0]);
		tags_ok(cases[i][0], cases[i][1]);
	}
}

static void test_tags_refused(void **state)
{
	static const char *const cases[][2] = {
		{ "null", "tags: not an array" },
		{ "{\"a\":1}", "tags: not an array" },
		{ "\"billing\"", "tags: not an array" },
		{ "7", "tags: not an array" },
		{ "[1]", "tags[0]: not a string" },
		{ "[\"a\",null]", "tags[1]: not a string" },
		{ "[\"a\",[\"b\"]]", "tags[1]: not a string" },
		{ "[\"a\",true]", "tags[1]: not a string" },
		{ "[\"\"]", "tags[0]: empty or not printable text" },
		{ "[\"ok\",\"   \"]", "tags[1]: empty or not printable text" },
		{ "[\"a\\tb\"]", "tags[0]: empty or not printable text" },
		{ "[\"\\ta\"]", "tags[0]: empty or not printable text" },
		{ "[\"a\\nb\"]", "tags[0]: empty or not printable text" },
		{ "[\"a\\r\"]", "tags[0]: empty or not printable text" },
		{ "[\"a\\u0001\"]", "tags[0]: empty or not printable text" },
		{ "[\"a\\u007f\"]", "tags[0]: empty or not printable text" },
		{ "[\"a\\u0000b\"]", "tags[0]: empty or not printable text" },
		{ "[\"\\u001b[31m\"]", "tags[0]: empty or not printable text" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("tags %s", cases[i][0]);
		tags_refused(cases[i][0], cases[i][1]);
	}
	{
		char err[256] = "";

		assert_null(note_check_tags(NULL, err, sizeof(err)));
		assert_string_equal(err, "tags: not an array");
	}
}

/* A list of n tags "t0", "t1", … (or all "same"), as JSON text. */
static char *tag_list(size_t n, int same)
{
	size_t cap = n * 16 + 3, o = 0, i;
	char *s = malloc(cap);

	assert_non_null(s);
	s[o++] = '[';
	for (i = 0; i < n; i++) {
		o += (size_t)snprintf(s + o, cap - o, "%s\"%s%zu\"",
				      i > 0 ? "," : "", same ? "same" : "t",
				      same ? (size_t)0 : i);
	}
	s[o++] = ']';
	s[o] = '\0';
	return s;
}

static void test_tags_count(void **state)
{
	char err[256] = "";
	char *text;
	json_t *out;

	(void)state;
	assert_int_equal(NOTE_TAGS_MAX, 100);
	text = tag_list(NOTE_TAGS_MAX, 0);
	out = tags_of(text, err, sizeof(err));
	assert_non_null(out);
	assert_int_equal(json_array_size(out), 100);
	assert_string_equal(json_string_value(json_array_get(out, 0)), "t0");
	assert_string_equal(json_string_value(json_array_get(out, 99)),
			    "t99");
	json_decref(out);
	free(text);

	text = tag_list(NOTE_TAGS_MAX + 1, 0);
	tags_refused(text, "tags: more than 100");
	free(text);

	/* The limit is on what was sent, repeats included. */
	text = tag_list(NOTE_TAGS_MAX + 1, 1);
	tags_refused(text, "tags: more than 100");
	free(text);
	text = tag_list(NOTE_TAGS_MAX, 1);
	tags_ok(text, "[\"same0\"]");
	free(text);
}

static void test_tags_length(void **state)
{
	static const struct {
		const char *unit;
		size_t n;
		int ok;
	} cases[] = {
		{ "a", NOTE_TAG_MAX_CHARS, 1 },
		{ "a", NOTE_TAG_MAX_CHARS + 1, 0 },
		{ E_ACUTE, NOTE_TAG_MAX_CHARS, 1 }, /* 128 bytes */
		{ E_ACUTE, NOTE_TAG_MAX_CHARS + 1, 0 },
		{ EMOJI, NOTE_TAG_MAX_CHARS, 1 },
		{ EMOJI, NOTE_TAG_MAX_CHARS + 1, 0 },
	};
	size_t i;

	(void)state;
	assert_int_equal(NOTE_TAG_MAX_CHARS, 64);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *s = unit_repeat(cases[i].unit, cases[i].n);
		json_t *in = json_pack("[s]", s);
		char err[256] = "";
		json_t *out;

		case_note("%zu x \"%s\"", cases[i].n, cases[i].unit);
		assert_non_null(in);
		out = note_check_tags(in, err, sizeof(err));
		if (cases[i].ok) {
			assert_non_null(out);
			assert_int_equal(json_array_size(out), 1);
			assert_string_equal(
				json_string_value(json_array_get(out, 0)), s);
		} else {
			assert_null(out);
			assert_string_equal(err, "tags[0]: longer than 64 "
						 "characters");
		}
		json_decref(out);
		json_decref(in);
		free(s);
	}
}

/* Spaces trimmed before the length is counted. */
static void test_tags_trim_then_count(void **state)
{
	char *a = unit_repeat("a", NOTE_TAG_MAX_CHARS);
	char padded[NOTE_TAG_MAX_CHARS + 8];
	json_t *in, *out;
	char err[256] = "";

	(void)state;
	snprintf(padded, sizeof(padded), "   %s   ", a);
	in = json_pack("[s]", padded);
	out = note_check_tags(in, err, sizeof(err));
	assert_non_null(out);
	assert_string_equal(json_string_value(json_array_get(out, 0)), a);
	json_decref(out);
	json_decref(in);
	free(a);
}

/* The input array is left as it was; the result is a new array. */
static void test_tags_input_unchanged(void **state)
{
	json_t *in = json_loads("[\" x \",\"x\",\"y\"]", 0, NULL);
	json_t *copy = json_deep_copy(in);
	char err[256] = "";
	json_t *out;

	(void)state;
	assert_non_null(in);
	out = note_check_tags(in, err, sizeof(err));
	assert_non_null(out);
	assert_ptr_not_equal(out, in);
	assert_true(json_equal(in, copy));
	assert_int_equal(json_array_size(out), 2);
	json_decref(out);
	json_decref(in);
	json_decref(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_ok),
		cmocka_unit_test(test_text_blank),
		cmocka_unit_test(test_text_length),
		cmocka_unit_test(test_text_counts_characters),
		cmocka_unit_test(test_text_bad_utf8),
		cmocka_unit_test(test_text_nul_and_controls),
		cmocka_unit_test(test_text_err_truncated),
		cmocka_unit_test(test_text_c1_controls),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_tags_ok),
		cmocka_unit_test(test_tags_refused),
		cmocka_unit_test(test_tags_count),
		cmocka_unit_test(test_tags_length),
		cmocka_unit_test(test_tags_trim_then_count),
		cmocka_unit_test(test_tags_input_unchanged),
	};

	return cmocka_run_group_tests_name("note", tests, NULL, NULL);
}

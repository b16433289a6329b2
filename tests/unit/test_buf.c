/*
 * Unit tests of common/buf: appends of bytes and strings, printf growth
 * over many kilobytes, HTML escaping of the five special characters with
 * every other byte (UTF-8 included) left alone, buf_str and buf_steal on
 * empty and full buffers, and the sticky failure state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/buf.h"
#include "support/unit.h"

static void test_append_puts(void **state)
{
	buf_t b = BUF_INIT;

	(void)state;
	buf_puts(&b, "hello");
	buf_append(&b, ", world!!!", 7);
	assert_string_equal(buf_str(&b), "hello, world");
	assert_int_equal(b.len, 12);
	buf_puts(&b, "");
	buf_append(&b, "xyz", 0);
	assert_string_equal(buf_str(&b), "hello, world");
	assert_int_equal(b.len, 12);
	buf_puts(&b, "\n");
	assert_string_equal(buf_str(&b), "hello, world\n");
	assert_int_equal(b.len, strlen(buf_str(&b)));
	buf_free(&b);
}

static void test_append_binary(void **state)
{
	/* Bytes with a length: NUL bytes are kept and counted. */
	buf_t b = BUF_INIT;

	(void)state;
	buf_append(&b, "a\0b", 3);
	buf_append(&b, "\0", 1);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "a\0b\0", 5);
	buf_free(&b);
}

static void test_append_many_kb(void **state)
{
	/* 100 KB through small appends, compared byte for byte. */
	buf_t b = BUF_INIT;
	size_t i, total = 0;
	char *want = malloc(100 * 1024 + 1);
	const char *unit = "0123456789abcdefghijklmnopqrstuvwxyz";

	(void)state;
	assert_non_null(want);
	for (i = 0; total < 100 * 1024; i++) {
		size_t n = 1 + i % strlen(unit);

		if (total + n > 100 * 1024)
			n = 100 * 1024 - total;
		buf_append(&b, unit, n);
		memcpy(want + total, unit, n);
		total += n;
	}
	want[total] = '\0';
	assert_int_equal(b.len, total);
	assert_true(b.cap > b.len);
	assert_string_equal(buf_str(&b), want);
	free(want);
	buf_free(&b);
}

static void test_printf_growth(void **state)
{
	/* Thousands of formatted appends, checked against snprintf. */
	buf_t b = BUF_INIT;
	char *want = malloc(64 * 1024);
	size_t off = 0;
	int i, n;

	(void)state;
	assert_non_null(want);
	for (i = 0; i < 5000; i++) {
		buf_printf(&b, "%05d:%s,", i, i % 2 ? "odd" : "even");
		n = snprintf(want + off, 64 * 1024 - off, "%05d:%s,", i,
			     i % 2 ? "odd" : "even");
		assert_true(n > 0);
		off += (size_t)n;
		assert_int_equal(b.len, off);
	}
	assert_true(off > 40 * 1024);
	assert_string_equal(buf_str(&b), want);
	free(want);
	buf_free(&b);
}

static void test_printf_one_large(void **state)
{
	/* One printf far bigger than the first allocation. */
	buf_t b = BUF_INIT;
	char *big = malloc(20001);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', 20000);
	big[20000] = '\0';
	buf_puts(&b, "<");
	buf_printf(&b, "%s|%d", big, 42);
	assert_int_equal(b.len, 1 + 20000 + 3);
	assert_memory_equal(b.data, "<", 1);
	assert_memory_equal(b.data + 1, big, 20000);
	assert_string_equal(b.data + 20001, "|42");
	free(big);
	buf_free(&b);
}

static void test_printf_empty(void **state)
{
	buf_t b = BUF_INIT;

	(void)state;
	buf_printf(&b, "%s", "");
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	buf_printf(&b, "%d-%s", 7, "x");
	assert_string_equal(buf_str(&b), "7-x");
	buf_free(&b);
}

/* buf_html: input and what it appends. */
static const struct html_case {
	const char *desc;
	const char *in;
	const char *out;
} html_cases[] = {
	{ "empty", "", "" },
	{ "plain", "hello world", "hello world" },
	{ "ampersand", "&", "&amp;" },
	{ "less than", "<", "&lt;" },
	{ "greater than", ">", "&gt;" },
	{ "double quote", "\"", "&quot;" },
	{ "single quote", "'", "&#39;" },
	{ "all five", "&<>\"'", "&amp;&lt;&gt;&quot;&#39;" },
	{ "script tag", "<script>alert('x')</script>",
	  "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
	{ "attribute break", "\" onmouseover=\"x",
	  "&quot; onmouseover=&quot;x" },
	{ "already escaped", "&amp;", "&amp;amp;" },
	{ "at the ends", "<a>", "&lt;a&gt;" },
	{ "repeated", "<<&&", "&lt;&lt;&amp;&amp;" },
	{ "UTF-8 untouched", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
			     "\xe6\x97\xa5\xe6\x9c\xac",
	  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	  "\xe6\x97\xa5\xe6\x9c\xac" },
	{ "UTF-8 beside escapes", "\xc3\xa9<\xc3\xa9>\xc3\xa9",
	  "\xc3\xa9&lt;\xc3\xa9&gt;\xc3\xa9" },
	{ "other punctuation", "a=b; c/d #e `f` (g) [h] {i} %j \\k",
	  "a=b; c/d #e `f` (g) [h] {i} %j \\k" },
	{ "controls and high bytes", "\t\n\r\x01\x7f\x80\xff",
	  "\t\n\r\x01\x7f\x80\xff" },
};

static void test_html_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(html_cases); i++) {
		buf_t b = BUF_INIT;

		case_note("%s", html_cases[i].desc);
		buf_html(&b, html_cases[i].in);
		assert_string_equal(buf_str(&b), html_cases[i].out);
		assert_int_equal(b.len, strlen(html_cases[i].out));
		buf_free(&b);
	}
}

static void test_html_appends(void **state)
{
	/* Escaping appends after what is there and leaves it alone. */
	buf_t b = BUF_INIT;

	(void)state;
	buf_puts(&b, "<p>");
	buf_html(&b, "Tom & Jerry's <b>");
	buf_puts(&b, "</p>");
	assert_string_equal(buf_str(&b),
			    "<p>Tom &amp; Jerry&#39;s &lt;b&gt;</p>");
	buf_free(&b);
}

static void test_html_large(void **state)
{
	/* 10,000 '<' grow the buffer to 40,000 bytes. */
	buf_t b = BUF_INIT;
	char *in = malloc(10001);
	size_t i;

	(void)state;
	assert_non_null(in);
	memset(in, '<', 10000);
	in[10000] = '\0';
	buf_html(&b, in);
	assert_int_equal(b.len, 40000);
	for (i = 0; i < 10000; i++)
		assert_memory_equal(b.data + 4 * i, "&lt;", 4);
	assert_int_equal(b.data[40000], '\0');
	free(in);
	buf_free(&b);
}

static void test_str_empty(void **state)
{
	buf_t b = BUF_INIT;

	(void)state;
	assert_non_null(buf_str(&b));
	assert_string_equal(buf_str(&b), "");
	buf_puts(&b, "x");
	buf_free(&b);
	/* Freed is empty again. */
	assert_non_null(buf_str(&b));
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void test_steal(void **state)
{
	buf_t b = BUF_INIT;
	char *s;

	(void)state;
	buf_printf(&b, "share %s", "sh-1");
	s = buf_steal(&b);
	assert_non_null(s);
	assert_string_equal(s, "share sh-1");
	/* The buffer is empty and no longer holds the text. */
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_string_equal(buf_str(&b), "");
	/* It can be used again, independently of the stolen text. */
	buf_puts(&b, "next");
	assert_string_equal(buf_str(&b), "next");
	assert_string_equal(s, "share sh-1");
	free(s);
	buf_free(&b);
}

static void test_steal_empty(void **state)
{
	/* An empty buffer gives a malloc()ed "" that the caller frees. */
	buf_t b = BUF_INIT;
	char *s = buf_steal(&b);

	(void)state;
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
}

static void test_failed_sticky(void **state)
{
	/*
	 * After a failure (simulated: the flag is what an allocation failure
	 * sets) appends are no-ops, buf_str is NULL and buf_steal gives NULL
	 * and resets the buffer.
	 */
	buf_t b = BUF_INIT;

	(void)state;
	buf_puts(&b, "before");
	b.failed = 1;
	buf_puts(&b, "after");
	buf_printf(&b, "%d", 1);
	buf_html(&b, "<x>");
	assert_int_equal(b.len, 6);
	assert_null(buf_str(&b));
	assert_null(buf_steal(&b));
	assert_int_equal(b.failed, 0);
	assert_null(b.data);
	assert_string_equal(buf_str(&b), "");
	buf_puts(&b, "again");
	assert_string_equal(buf_str(&b), "again");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_puts),
		cmocka_unit_test(test_append_binary),
		cmocka_unit_test(test_append_many_kb),
		cmocka_unit_test(test_printf_growth),
		cmocka_unit_test(test_printf_one_large),
		cmocka_unit_test(test_printf_empty),
		cmocka_unit_test(test_html_table),
		cmocka_unit_test(test_html_appends),
		cmocka_unit_test(test_html_large),
		cmocka_unit_test(test_str_empty),
		cmocka_unit_test(test_steal),
		cmocka_unit_test(test_steal_empty),
		cmocka_unit_test(test_failed_sticky),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}

/*
 * The typesetter's two passes (typeset.h): the counting pass tells how
 * many pages the drawing pass makes, a document drawn without being
 * counted, counted twice or laid out differently the second time is
 * refused, and a document long enough to make the drawing side wait for
 * room still comes out whole.  What the pages read like is tested through
 * the transcript document in test_render_pdf.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pdf/typeset.h"
#include "support/pdf_leaks.h"
#include "support/unit.h"

static const struct typeset_rgb ink = { 0, 0, 0 };
static const struct typeset_opts opts = { "Test", "test", "Header",
					  "Sans 8", { 0.3, 0.3, 0.3 },
					  { 0.8, 0.8, 0.8 } };

static typeset_t *doc_new(int *font)
{
	char err[128] = "";
	typeset_t *ts = typeset_new(&opts, err, sizeof(err));

	if (ts == NULL)
		fail_msg("typeset_new: %s", err);
	*font = typeset_font(ts, "Sans 10");
	assert_true(*font >= 0);
	return ts;
}

/* n lines of text, each its own paragraph, flowed one after another. */
static void lines(typeset_t *ts, int font, int n)
{
	typeset_text_t *t = typeset_text_new();
	char line[64];
	int i, k;

	assert_non_null(t);
	for (i = 0; i < n; i++) {
		k = snprintf(line, sizeof(line), "Line %d of the document", i);
		assert_int_equal(typeset_lay(ts, t, line, (size_t)k, font, 0,
					     NULL, 0),
				 0);
		assert_int_equal(typeset_flow(ts, t, &ink, NULL, NULL), 0);
	}
	typeset_text_free(t);
}

/* How many page objects a PDF from cairo holds. */
static int pdf_pages(const unsigned char *pdf, size_t len)
{
	static const char tag[] = "/Type /Page";
	size_t n = sizeof(tag) - 1, i;
	int k = 0;

	for (i = 0; i + n < len; i++)
		if (memcmp(pdf + i, tag, n) == 0 && pdf[i + n] != 's')
			k++;
	return k;
}

static void test_counted_then_drawn(void **state)
{
	unsigned char *pdf = NULL;
	char err[128] = "";
	size_t len = 0;
	typeset_t *ts;
	int font, pages;

	(void)state;
	ts = doc_new(&font);
	lines(ts, font, 400);
	pages = typeset_pages(ts);
	assert_true(pages >= 3);
	assert_int_equal(typeset_rewind(ts), 0);
	assert_int_equal(typeset_pages(ts), pages);
	lines(ts, font, 400);
	assert_int_equal(typeset_finish(ts, &pdf, &len, err, sizeof(err)), 0);
	assert_memory_equal(pdf, "%PDF-", 5);
	assert_int_equal(pdf_pages(pdf, len), pages);
	free(pdf);
	typeset_free(ts);
}

static void test_never_counted(void **state)
{
	unsigned char *pdf = (unsigned char *)"x";
	char err[128] = "";
	size_t len = 1;
	typeset_t *ts;
	int font;

	(void)state;
	ts = doc_new(&font);
	lines(ts, font, 10);
	assert_int_equal(typeset_finish(ts, &pdf, &len, err, sizeof(err)),
			 -1);
	assert_null(pdf);
	assert_int_equal(len, 0);
	assert_contains(err, "never counted");
	typeset_free(ts);
}

static void test_rewound_twice(void **state)
{
	typeset_t *ts;
	int font;

	(void)state;
	ts = doc_new(&font);
	lines(ts, font, 10);
	assert_int_equal(typeset_rewind(ts), 0);
	assert_int_equal(typeset_rewind(ts), -1);
	typeset_free(ts);
}

/* A drawing pass with more or fewer pages than counted is refused: its
 * footers would lie. */
static void test_other_pages(void **state)
{
	static const int second[] = { 200, 20 };
	unsigned char *pdf;
	char err[128];
	typeset_t *ts;
	size_t len, i;
	int font;

	(void)state;
	for (i = 0; i < ARRAY_LEN(second); i++) {
		case_note("second pass of %d lines", second[i]);
		ts = doc_new(&font);
		lines(ts, font, 100);
		assert_int_equal(typeset_rewind(ts), 0);
		lines(ts, font, second[i]);
		err[0] = '\0';
		assert_int_equal(
			typeset_finish(ts, &pdf, &len, err, sizeof(err)), -1);
		assert_null(pdf);
		assert_contains(err, "other pages");
		typeset_free(ts);
	}
}

/* Freed before the drawing pass (and before counting ends): nothing is
 * left running. */
static void test_freed_midway(void **state)
{
	typeset_t *ts;
	int font;

	(void)state;
	ts = doc_new(&font);
	lines(ts, font, 50);
	typeset_free(ts);
	ts = doc_new(&font);
	lines(ts, font, 50);
	assert_int_equal(typeset_rewind(ts), 0);
	lines(ts, font, 3000);
	typeset_free(ts);
}

/* Long enough to spend the budget of kept texts (the drawing pass shapes
 * the rest again) and to make the laying out wait for the drawing side
 * now and then: every page still arrives. */
static void test_long_document(void **state)
{
	unsigned char *pdf = NULL;
	char err[128] = "";
	size_t len = 0;
	typeset_t *ts;
	int font, pages;

	(void)state;
	ts = doc_new(&font);
	lines(ts, font, 20000);
	pages = typeset_pages(ts);
	assert_int_equal(typeset_rewind(ts), 0);
	lines(ts, font, 20000);
	assert_int_equal(typeset_finish(ts, &pdf, &len, err, sizeof(err)), 0);
	assert_int_equal(pdf_pages(pdf, len), pages);
	free(pdf);
	typeset_free(ts);
}

static int teardown_all(void **state)
{
	(void)state;
	typeset_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counted_then_drawn),
		cmocka_unit_test(test_never_counted),
		cmocka_unit_test(test_rewound_twice),
		cmocka_unit_test(test_other_pages),
		cmocka_unit_test(test_freed_midway),
		cmocka_unit_test(test_long_document),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_all);
}

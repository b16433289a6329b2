/*
 * Unit tests of common/pdf/render_pdf: a view written here by hand with mixed
 * scripts (Latin with diacritics, Japanese, Chinese, an emoji), a
 * 3,000-character message, a message longer than a page and 300 messages
 * in all, rendered plain and annotated.  What a reader gets back is read
 * with pdftotext (poppler-utils, required): the text of every script, the
 * header and page numbers, every label, the first and last message, every
 * word of the long messages exactly once (no line lost or drawn twice at
 * a page break), content that looks like markup verbatim, and what only
 * the annotated export shows.  The PDF's own bytes show the citation
 * links.  Every PDF rendered here passes `qpdf --check` (qpdf, required),
 * links included.  An empty transcript still makes a one-page PDF, and
 * rendering works again after render_pdf_cleanup().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>

#include "pdf/render_pdf.h"
#include "sharing/transcript.h"
#include "support/pdf_leaks.h"
#include "support/unit.h"
#include "support/planted.h"

#define CONV_ID	     "c-render-1001"
#define N_MESSAGES   300
#define LONG_WORDS   500 /* "w0001 " … : 3,000 characters */
#define TALL_LINES   150 /* one line each: more than a page */
#define LATIN	     "Grüße, São Paulo, Łódź"
#define JAPANESE     "日本語のテキスト"
#define CHINESE	     "中文消息"
#define ARABIC	     "مرحبا"
#define HINDI	     "नमस्ते"
#define MARKUP	     "<b>not bold</b> & <i>"
#define CITE_URL     "https://help.example.com/refunds?a=1&b='x'"
#define BAD_URL	     "javascript:alert(1)"
#define NOTE_TEXT    "Coach on the refund wording"
#define REVIEW_TAG   "needs-coaching"
#define CTX_REASON   "Customer asked twice about the refund"
#define FIRST_TEXT   "Hello, I need help with order 1001"
#define LAST_TEXT    "Last message of the transcript"

static const struct render_opts plain_opts = {
	0, "t-acme", "e-42", "2026-11-20T10:05:00Z"
};
static const struct render_opts annotated_opts = {
	1, "t-acme", "e-43", "2026-11-20T10:05:00Z"
};

static const char *const senders[][2] = {
	{ "contact", "Contact" },
	{ "ai", "AI" },
	{ "agent", "Agent" },
	{ "system", "System" },
};

/* A rendered PDF and what pdftotext reads from it. */
struct doc {
	unsigned char *pdf;
	size_t len;
	char *text;
};

struct state {
	struct doc plain, annotated;
};

static char *long_text(const char *fmt, int n, const char *sep)
{
	size_t cap = (size_t)n * 16 + 1, off = 0;
	char *s = malloc(cap);
	int i;

	assert_non_null(s);
	s[0] = '\0';
	for (i = 1; i <= n; i++)
		off += (size_t)snprintf(s + off, cap - off, fmt, i, sep);
	return s;
}

static json_t *message(int seq, const char *text)
{
	const char *const *who = senders[(seq - 1) % 4];
	char id[32], at[32];
	json_t *m;

	snprintf(id, sizeof(id), "m-%d", seq);
	snprintf(at, sizeof(at), "2026-11-20T%02d:%02d:00Z", 8 + seq / 60,
		 seq % 60);
	m = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s}", "seq", seq,
		      "message_id", id, "sender", who[0], "label", who[1],
		      "sent_at", at, "text", text);
	assert_non_null(m);
	return m;
}

/* The view: N_MESSAGES messages, or none when empty. */
static json_t *make_view(int empty)
{
	json_t *view, *msgs, *m;
	char *s, text[64];
	int seq;

	view = json_pack(
		"{s:{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:{s:i, s:i}, s:s,"
		" s:s, s:s, s:[s]}},"
		" s:{s:s, s:s, s:s, s:{s:s, s:s}, s:[s]},"
		" s:[], s:[{s:s, s:s, s:s, s:s, s:s}], s:[s]}",
		"share", "share_id", "s-1", "audience", "team", "permission",
		"comment", "min_role", "agent", "expires_at",
		"2026-12-20T10:00:00Z", "snapshot", 0, "context", "reason",
		CTX_REASON, "focus", "from_seq", 2, "to_seq", 4, "action",
		"Confirm the refund", "priority", "high", "summary",
		"Refund not received", "ai_attempts", "Sent the refund policy",
		"conversation", "conversation_id", CONV_ID, "status",
		"escalated", "channel", "chat", "contact", "id", "p-7", "name",
		"Ana", "tags", "refund", "messages", "notes", "note_id", "n-1",
		"author", "u-9", "message_id", "m-2", "text", NOTE_TEXT,
		"created_at", "2026-11-20T10:04:00Z", "review_tags",
		REVIEW_TAG);
	assert_non_null(view);
	if (empty)
		return view;
	msgs = json_object_get(view, "messages");
	for (seq = 1; seq <= N_MESSAGES; seq++) {
		s = NULL;
		switch (seq) {
		case 1:
			m = message(seq, FIRST_TEXT);
			break;
		case 2:
			m = message(seq, LATIN);
			break;
		case 3:
			m = message(seq, JAPANESE);
			break;
		case 4:
			m = message(seq, CHINESE " \xf0\x9f\x91\x8d");
			break;
		case 5:
			m = message(seq, MARKUP);
			break;
		case 6:
			s = long_text("w%04d%s", LONG_WORDS, " ");
			m = message(seq, s);
			break;
		case 7:
			m = message(seq, "See these sources");
			assert_int_equal(
				json_object_set_new(
					m, "citations",
					json_pack("[{s:s, s:s}, {s:s, s:s}]",
						  "title", "Refund policy",
						  "url", CITE_URL, "title",
						  "Not a link", "url",
						  BAD_URL)),
				0);
			json_object_set_new(m, "internal", json_true());
			json_object_set_new(m, "sender_name",
					    json_string("Maria"));
			break;
		case 150:
			s = long_text("p%04d%s", TALL_LINES, "\n");
			m = message(seq, s);
			break;
		case N_MESSAGES:
			m = message(seq, LAST_TEXT);
			break;
		default:
			snprintf(text, sizeof(text),
				 "Message number %d of the transcript", seq);
			m = message(seq, text);
			break;
		}
		if (seq >= 2 && seq <= 4)
			json_object_set_new(m, "focus", json_true());
		assert_int_equal(json_array_append_new(msgs, m), 0);
		free(s);
	}
	return view;
}

/* A PDF's bytes in a new temporary file, whose path goes into path. */
static void pdf_file(const unsigned char *pdf, size_t len, char *path)
{
	int fd;

	strcpy(path, "/tmp/test_render_pdf_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, pdf, len), (ssize_t)len);
	close(fd);
}

/*
 * `qpdf --check` finds nothing wrong with the PDF: exit status 0 (2 is an
 * error, 3 a warning such as "file is damaged").
 */
static void assert_qpdf_clean(const unsigned char *pdf, size_t len)
{
	char path[32], cmd[96], out[4096];
	size_t n;
	FILE *f;
	int rc;

	pdf_file(pdf, len, path);
	snprintf(cmd, sizeof(cmd), "qpdf --check %s 2>&1", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	rc = pclose(f);
	unlink(path);
	if (rc != 0)
		fail_msg("qpdf --check failed (status %d; is qpdf installed?): "
			 "%s",
			 WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out);
}

/* pdftotext's reading of a PDF with options opts, malloc()ed. */
static char *pdf_to(const unsigned char *pdf, size_t len, const char *opts)
{
	size_t cap = 1 << 16, off = 0, n;
	char path[32], cmd[160];
	char *out = malloc(cap);
	FILE *f;

	assert_non_null(out);
	pdf_file(pdf, len, path);
	snprintf(cmd, sizeof(cmd), "pdftotext %s -enc UTF-8 %s - 2>&1", opts,
		 path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((n = fread(out + off, 1, cap - off - 1, f)) > 0) {
		off += n;
		if (cap - off < 4096) {
			cap *= 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
	}
	out[off] = '\0';
	unlink(path);
	if (pclose(f) != 0)
		fail_msg("pdftotext failed (is poppler-utils installed?): %s",
			 out);
	return out;
}

/* pdftotext's reading of a PDF as plain text, malloc()ed. */
static char *pdf_to_text(const unsigned char *pdf, size_t len)
{
	return pdf_to(pdf, len, "");
}

static void render(const json_t *view, const struct render_opts *o,
		   struct doc *d)
{
	char err[256] = "";

	assert_int_equal(render_pdf(view, o, &d->pdf, &d->len, err,
				    sizeof(err)),
			 0);
	assert_non_null(d->pdf);
	assert_true(d->len > 5);
	assert_qpdf_clean(d->pdf, d->len);
	d->text = pdf_to_text(d->pdf, d->len);
}

static void doc_free(struct doc *d)
{
	free(d->pdf);
	free(d->text);
}

static int count(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	int k = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		k++;
		hay += n;
	}
	return k;
}

static int bytes_contain(const unsigned char *b, size_t len, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(b + i, s, n) == 0)
			return 1;
	return 0;
}

static int setup(void **state)
{
	struct state *st = calloc(1, sizeof(*st));
	json_t *view;

	if (st == NULL)
		return -1;
	view = make_view(0);
	render(view, &plain_opts, &st->plain);
	render(view, &annotated_opts, &st->annotated);
	json_decref(view);
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	struct state *st = *state;

	doc_free(&st->plain);
	doc_free(&st->annotated);
	free(st);
	render_pdf_cleanup();
	return 0;
}

static void test_is_pdf(void **state)
{
	struct state *st = *state;

	assert_memory_equal(st->plain.pdf, "%PDF-", 5);
	assert_memory_equal(st->annotated.pdf, "%PDF-", 5);
}

static void test_scripts(void **state)
{
	const char *t = ((struct state *)*state)->plain.text;

	assert_contains(t, LATIN);
	assert_contains(t, JAPANESE);
	assert_contains(t, CHINESE);
	assert_contains(t, FIRST_TEXT);
	assert_contains(t, LAST_TEXT);
	assert_contains(t, "Message number 299 of the transcript");
}

static void test_header_and_pages(void **state)
{
	const char *t = ((struct state *)*state)->plain.text;
	char page[48];
	int pages = count(t, "\f"), i;

	assert_contains(t, "Conversation " CONV_ID);
	assert_contains(t, "Exported 2026-11-20T10:05:00Z");
	assert_contains(t, "Tenant t-acme");
	assert_contains(t, "Export e-42");
	assert_true(pages >= 2);
	/* One header and one page number a page. */
	assert_int_equal(count(t, "Exported 2026-11-20T10:05:00Z"), pages);
	/* "Page N of M" on every page, M the real count. */
	for (i = 1; i <= pages; i++) {
		snprintf(page, sizeof(page), "Page %d of %d\n", i, pages);
		assert_contains(t, page);
	}
	snprintf(page, sizeof(page), "Page %d of", pages + 1);
	assert_not_contains(t, page);
	assert_contains(t, "Status: escalated");
	assert_contains(t, "Channel: chat");
	assert_contains(t, "Messages: 300");
}

static void test_labels_and_heads(void **state)
{
	const char *t = ((struct state *)*state)->plain.text;
	size_t i;

	for (i = 0; i < ARRAY_LEN(senders); i++)
		assert_true(count(t, senders[i][1]) >= N_MESSAGES / 4);
	assert_contains(t, "#1 ");
	assert_contains(t, "#300 ");
	assert_contains(t, "2026-11-20T08:01:00Z");
	assert_contains(t, "Maria");
	assert_contains(t, "Internal note");
}

/* Every word of the wrapped and the page-long message, each once. */
static void test_no_line_lost_or_doubled(void **state)
{
	const char *t = ((struct state *)*state)->plain.text;
	char w[16];
	int i;

	for (i = 1; i <= LONG_WORDS; i++) {
		snprintf(w, sizeof(w), "w%04d", i);
		case_note("%s", w);
		assert_int_equal(count(t, w), 1);
	}
	for (i = 1; i <= TALL_LINES; i++) {
		snprintf(w, sizeof(w), "p%04d", i);
		case_note("%s", w);
		assert_int_equal(count(t, w), 1);
	}
	for (i = 8; i < N_MESSAGES; i++) {
		if (i == 150)
			continue;
		snprintf(w, sizeof(w), "number %d of", i);
		case_note("%s", w);
		assert_int_equal(count(t, w), 1);
	}
}

static void test_content_is_not_markup(void **state)
{
	struct state *st = *state;

	assert_contains(st->plain.text, MARKUP);
	assert_contains(st->annotated.text, MARKUP);
}

static void test_citation_links(void **state)
{
	struct state *st = *state;

	assert_true(bytes_contain(st->plain.pdf, st->plain.len, "/URI"));
	assert_true(bytes_contain(st->plain.pdf, st->plain.len, CITE_URL));
	/* Only http(s) becomes a link; the other URL is text only. */
	assert_false(bytes_contain(st->plain.pdf, st->plain.len, BAD_URL));
	assert_contains(st->plain.text, "Refund policy");
	assert_contains(st->plain.text, BAD_URL);
}

static void test_annotated_only(void **state)
{
	struct state *st = *state;
	const char *only[] = { NOTE_TEXT, REVIEW_TAG, CTX_REASON, "Focus",
			       "Messages 2\xe2\x80\x93"
			       "4",
			       "on #2", "Signal tags: refund", "Notes" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(only); i++) {
		case_note("%s", only[i]);
		assert_contains(st->annotated.text, only[i]);
		assert_not_contains(st->plain.text, only[i]);
	}
	assert_contains(st->annotated.text, "Export e-43");
	assert_contains(st->annotated.text, LAST_TEXT);
}

static void test_empty_transcript(void **state)
{
	json_t *view = make_view(1);
	struct doc d = { NULL, 0, NULL };

	(void)state;
	render(view, &annotated_opts, &d);
	assert_memory_equal(d.pdf, "%PDF-", 5);
	assert_int_equal(count(d.text, "\f"), 1);
	assert_contains(d.text, "Page 1 of 1\n");
	assert_not_contains(d.text, "Page 2");
	assert_contains(d.text, "Messages: 0");
	assert_contains(d.text, "No messages.");
	doc_free(&d);
	json_decref(view);
}

static void test_no_options_and_bad_view(void **state)
{
	json_t *view = make_view(1);
	struct doc d = { NULL, 0, NULL };
	char err[128] = "";

	(void)state;
	/* No options: plain, without header details. */
	render(view, NULL, &d);
	assert_contains(d.text, "Conversation " CONV_ID);
	assert_not_contains(d.text, REVIEW_TAG);
	doc_free(&d);
	json_decref(view);

	d.pdf = (unsigned char *)"x";
	d.len = 7;
	assert_int_equal(render_pdf(NULL, &plain_opts, &d.pdf, &d.len, err,
				    sizeof(err)),
			 -1);
	assert_null(d.pdf);
	assert_int_equal(d.len, 0);
	assert_true(err[0] != '\0');
}

/*
 * A transcript whose citations are links (http and https, one URL with
 * quotes and a backslash, one link on a focus highlight, an annotated
 * export across pages) passes qpdf's check; cairo 1.16 leaves a link
 * outside any structure tag pointing at an object it never writes.
 */
static void test_links_pass_qpdf(void **state)
{
	json_t *view = make_view(1), *msgs = json_object_get(view, "messages");
	struct doc d = { NULL, 0, NULL };
	json_t *m;
	int seq;

	(void)state;
	for (seq = 1; seq <= 80; seq++) {
		m = message(seq, "A message with a source");
		if (seq % 4 == 1)
			json_object_set_new(
				m, "citations",
				json_pack("[{s:s, s:s}, {s:s, s:s}]", "title",
					  "Refund policy", "url", CITE_URL,
					  "title", "Plain",
					  "url", "http://example.com/a\\b"));
		if (seq == 2)
			json_object_set_new(m, "focus", json_true());
		assert_int_equal(json_array_append_new(msgs, m), 0);
	}
	render(view, &annotated_opts, &d);
	assert_true(count(d.text, "\f") >= 2);
	assert_true(bytes_contain(d.pdf, d.len, "/URI"));
	doc_free(&d);
	json_decref(view);
}

/* The caches dropped, the next call builds them again. */
static void test_cleanup_then_render(void **state)
{
	json_t *view = make_view(1);
	struct doc d = { NULL, 0, NULL };

	(void)state;
	render_pdf_cleanup();
	render(view, &plain_opts, &d);
	assert_contains(d.text, "Conversation " CONV_ID);
	assert_contains(d.text, "Page 1");
	doc_free(&d);
	json_decref(view);
}

/*
 * Every word pdftotext finds ends within the right margin (A4 less 48
 * points), the page number included: no text runs past the width.
 */
static void assert_within_width(const struct doc *d)
{
	const double limit = 595.28 - 48 + 0.5;
	char *b = pdf_to(d->pdf, d->len, "-bbox"), *s = b;
	int words = 0;
	double x;

	while ((s = strstr(s, "xMax=\"")) != NULL) {
		s += 6;
		x = strtod(s, NULL);
		if (x > limit)
			fail_msg("word %d ends at %.2f, past %.2f", words, x,
				 limit);
		words++;
	}
	assert_true(words > 0);
	free(b);
}

static void test_wrapped_to_width(void **state)
{
	struct state *st = *state;

	assert_within_width(&st->plain);
	assert_within_width(&st->annotated);
}

/* "abcdefghij" 60 times: one word of 600 characters. */
static char *long_word(void)
{
	char *w = malloc(601);
	int i;

	assert_non_null(w);
	for (i = 0; i < 60; i++)
		memcpy(w + i * 10, "abcdefghij", 10);
	w[600] = '\0';
	return w;
}

/* s without its line ends, malloc()ed. */
static char *unwrapped(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	assert_non_null(out);
	for (; *s != '\0'; s++)
		if (*s != '\n')
			*o++ = *s;
	*o = '\0';
	return out;
}

/*
 * Text that is hard to lay out: right-to-left Arabic alone and inside a
 * Latin line, Devanagari (shaped by HarfBuzz), a message of newlines
 * only, a word longer than a line, an emoji, tabs, the Unicode line
 * separator and control characters.  All of it comes back from pdftotext; the long word is
 * broken between lines yet whole once the line ends are taken out.
 */
static void test_hard_text(void **state)
{
	const char *texts[] = {
		ARABIC " بالعالم",
		"Order 1001 " ARABIC " end",
		HINDI " दुनिया",
		"\n\n\n\n",
		"After the newlines",
		NULL,
		"Thanks! \xf0\x9f\x91\x8d ok",
		"tab\tseparated",
		"first line\xe2\x80\xa8second line",
		"control\x01\x07 characters",
	};
	json_t *view = make_view(1), *msgs = json_object_get(view, "messages");
	struct doc d = { NULL, 0, NULL };
	char *word = long_word(), *flat;
	size_t i;

	(void)state;
	texts[5] = word;
	for (i = 0; i < ARRAY_LEN(texts); i++)
		assert_int_equal(json_array_append_new(
					 msgs, message((int)i + 1, texts[i])),
				 0);
	render(view, &plain_opts, &d);
	assert_contains(d.text, ARABIC);
	assert_contains(d.text, "Order 1001");
	assert_contains(d.text, HINDI);
	assert_contains(d.text, "After the newlines");
	assert_contains(d.text, "Thanks!");
	assert_contains(d.text, "tab separated");
	assert_contains(d.text, "first line\nsecond line");
	assert_contains(d.text, "control");
	assert_contains(d.text, "characters");
	assert_not_contains(d.text, word);
	flat = unwrapped(d.text);
	assert_int_equal(count(flat, word), 1);
	assert_within_width(&d);
	free(flat);
	free(word);
	doc_free(&d);
	json_decref(view);
}

/*
 * The PDF of the planted view (support/planted.h), annotated, read back
 * with pdftotext (line ends taken out, since long fields wrap): an
 * external link shows none of the PII planted in its fields, neither in
 * the text nor in a link, a team link without redaction each field's own.
 */
static void test_planted_every_field(void **state)
{
	struct doc d;
	json_t *v;
	char *flat;
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		v = planted_view(pass == 0 ? "external" : "team", 0);
		render(v, &annotated_opts, &d);
		flat = unwrapped(d.text);
		assert_contains(flat, "see this");
		if (pass == 0) {
			planted_assert_absent(d.text);
			planted_assert_absent(flat);
			assert_false(bytes_contain(d.pdf, d.len, "example.org"));
		} else {
			planted_assert_present(flat, NULL);
		}
		free(flat);
		doc_free(&d);
		json_decref(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_pdf),
		cmocka_unit_test(test_scripts),
		cmocka_unit_test(test_header_and_pages),
		cmocka_unit_test(test_labels_and_heads),
		cmocka_unit_test(test_no_line_lost_or_doubled),
		cmocka_unit_test(test_content_is_not_markup),
		cmocka_unit_test(test_citation_links),
		cmocka_unit_test(test_annotated_only),
		cmocka_unit_test(test_empty_transcript),
		cmocka_unit_test(test_no_options_and_bad_view),
		cmocka_unit_test(test_wrapped_to_width),
		cmocka_unit_test(test_hard_text),
		cmocka_unit_test(test_links_pass_qpdf),
		cmocka_unit_test(test_cleanup_then_render),
		cmocka_unit_test(test_planted_every_field),
	};

	return cmocka_run_group_tests_name("render_pdf", tests, setup,
					   teardown);
}

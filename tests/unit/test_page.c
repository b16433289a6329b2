/*
 * Unit tests of common/page: the transcript page and the error pages.
 * A view in the shape transcript_view() returns is written here by hand;
 * the tests check the exact markup of a message (anchor, time, classes,
 * badges), the context box and its focus link, citations (a link only
 * for http and https), the note form and its CSRF field, that every piece
 * of content is escaped (markup payloads in every field, quotes inside
 * attributes, and a scan that finds no tag outside the page's own set),
 * the Content-Security-Policy and the hash of the inline style sheet
 * (recomputed here with OpenSSL), the error pages, and the query
 * escaping of sign-in links.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "sharing/page.h"
#include "sharing/transcript.h"
#include "support/unit.h"
#include "support/planted.h"

#define XSS_SCRIPT "<script>alert(1)</script>"
#define XSS_SCRIPT_ESC "&lt;script&gt;alert(1)&lt;/script&gt;"
#define XSS_IMG "<img src=x onerror=alert(1)>"
#define XSS_IMG_ESC "&lt;img src=x onerror=alert(1)&gt;"
/* Breaks out of a double-quoted attribute when not escaped. */
#define XSS_QUOTE "x\" onmouseover=\"alert(1)"
#define XSS_QUOTE_ESC "x&quot; onmouseover=&quot;alert(1)"
#define XSS_APOS "x' onfocus='alert(1)"
#define XSS_APOS_ESC "x&#39; onfocus=&#39;alert(1)"

static const char base_view[] =
	"{'share':{'share_id':'7b0e2f4c-1d2a-4c5b-9e8f-0a1b2c3d4e5f',"
	"'audience':'team','permission':'comment','min_role':'agent',"
	"'expires_at':'2026-12-01T00:00:00Z','snapshot':false,"
	"'context':{'priority':'high','reason':'Refund dispute',"
	"'summary':'Customer wants a refund',"
	"'focus':{'from_seq':3,'to_seq':5},'action':'Approve the refund',"
	"'ai_attempts':['Sent the FAQ','Offered a coupon']}},"
	"'conversation':{'conversation_id':'conv-1001',"
	"'status':'escalated','channel':'chat',"
	"'contact':{'id':'c-9','name':'Jane Roe','email':'[REDACTED]',"
	"'phone':'[REDACTED]'},'tags':['refund','urgent']},"
	"'messages':["
	"{'seq':1,'message_id':'m-1','sender':'contact','label':'Contact',"
	"'sender_name':'Jane Roe','sent_at':'2026-11-20T10:01:00Z',"
	"'text':'Hi there'},"
	"{'seq':2,'message_id':'m-2','sender':'ai','label':'AI',"
	"'sender_name':'Goldi','sent_at':'2026-11-20T10:02:00Z',"
	"'text':'Here is our policy','citations':["
	"{'title':'Refund policy','url':'https://kb.example.com/refunds'},"
	"{'title':'Bad','url':'javascript:alert(1)'}]},"
	"{'seq':3,'message_id':'m-3','sender':'agent','label':'Agent',"
	"'sender_name':'Sam Agent','sent_at':'2026-11-20T10:03:00Z',"
	"'text':'Looking into it','focus':true},"
	"{'seq':4,'message_id':'m-4','sender':'agent','label':'Agent',"
	"'sender_name':'Sam Agent','sent_at':'2026-11-20T10:04:00Z',"
	"'text':'VIP','internal':true,'focus':true},"
	"{'seq':5,'message_id':'m-5','sender':'system','label':'System',"
	"'sent_at':'2026-11-20T10:05:00Z','text':'Conversation escalated',"
	"'focus':true},"
	"{'seq':6,'message_id':'m-6','sender':'contact','label':'Contact',"
	"'sender_name':'Jane Roe','sent_at':'2026-11-20T10:06:00Z',"
	"'text':'Thanks'}],"
	"'notes':[{'note_id':'n-1','author':'Sam Agent','message_id':'m-1',"
	"'text':'Called her back','created_at':'2026-11-20T11:00:00Z'},"
	"{'note_id':'n-2','author':'Ann Lead','message_id':null,"
	"'text':'Looks fine','created_at':'2026-11-20T11:05:00Z'}],"
	"'review_tags':['billing']}";

/* JSON text with ' for " (test data holds no apostrophe); new reference. */
static json_t *js(const char *text)
{
	json_error_t e;
	char *s = strdup(text);
	json_t *v;
	char *p;

	assert_non_null(s);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	v = json_loads(s, JSON_REJECT_DUPLICATES, &e);
	free(s);
	if (v == NULL)
		fail_msg("bad test JSON at %d: %s", e.position, e.text);
	return v;
}

/* Set the string at a dotted path of objects and array indexes. */
static void set_str(json_t *root, const char *path, const char *value)
{
	char buf[128];
	char *key = buf, *dot;
	json_t *obj = root;

	assert_true(strlen(path) < sizeof(buf));
	strcpy(buf, path);
	for (;;) {
		dot = strchr(key, '.');
		if (dot != NULL)
			*dot = '\0';
		if (json_is_array(obj)) {
			size_t i = strtoul(key, NULL, 10);

			assert_true(i < json_array_size(obj));
			if (dot == NULL) {
				assert_int_equal(json_array_set_new(
							 obj, i,
							 json_string(value)),
						 0);
				return;
			}
			obj = json_array_get(obj, i);
		} else {
			assert_true(json_is_object(obj));
			if (dot == NULL) {
				assert_int_equal(json_object_set_new(
							 obj, key,
							 json_string(value)),
						 0);
				return;
			}
			obj = json_object_get(obj, key);
		}
		key = dot + 1;
	}
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p;

	for (p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* The page of view with opts; the caller frees it. */
static char *render(const json_t *view, const struct page_opts *o)
{
	char *html = page_transcript(view, o);

	assert_non_null(html);
	return html;
}

/*
 * Every '<' of the page opens one of the page's own tags: content can
 * add none.
 */
static void assert_only_own_tags(const char *html)
{
	static const char *const own[] = {
		"!DOCTYPE", "html",	"head",	    "meta",	"title",
		"style",    "body",	"main",	    "header",	"h1",
		"h2",	    "p",	"span",	    "code",	"section",
		"dl",	    "dt",	"dd",	    "a",	"ol",
		"ul",	    "li",	"div",	    "time",	"form",
		"label",    "textarea", "select",   "option",	"input",
		"button",   "footer",
	};
	const char *p;

	for (p = strchr(html, '<'); p != NULL; p = strchr(p + 1, '<')) {
		const char *name = p + 1;
		size_t n = 0, i;

		if (*name == '/')
			name++;
		while (name[n] == '!' || isalnum((unsigned char)name[n]))
			n++;
		for (i = 0; i < ARRAY_LEN(own); i++) {
			if (strlen(own[i]) == n &&
			    strncmp(own[i], name, n) == 0)
				break;
		}
		if (i == ARRAY_LEN(own))
			fail_msg("unexpected tag at \"%.40s\"", p);
		/* A tag name ends at a space, '>' or the end of a void tag. */
		if (name[n] != ' ' && name[n] != '>' && name[n] != '\n')
			fail_msg("odd tag at \"%.40s\"", p);
	}
}

/* No markup from the payloads, only their escaped forms. */
static void assert_no_injection(const char *html)
{
	assert_only_own_tags(html);
	assert_not_contains(html, "<script");
	assert_not_contains(html, "<img");
	assert_not_contains(html, "\" onmouseover=\"");
	assert_not_contains(html, "' onfocus='");
	assert_not_contains(html, "href=\"javascript");
	/* Every handler attribute is inside an escaped payload. */
	assert_int_equal(count(html, "onerror="),
			 count(html, "&lt;img src=x onerror="));
	assert_int_equal(count(html, "onmouseover="),
			 count(html, "&quot; onmouseover=&quot;"));
	assert_int_equal(count(html, "onfocus="),
			 count(html, "&#39; onfocus=&#39;"));
	/* The page carries no inline style attribute (the CSP blocks it). */
	assert_not_contains(html, " style=");
}

static void test_csp(void **state)
{
	const char *csp = page_csp();

	(void)state;
	assert_non_null(csp);
	assert_contains(csp, "default-src 'none'");
	assert_contains(csp, "frame-ancestors 'none'");
	assert_contains(csp, "form-action 'self'");
	assert_contains(csp, "base-uri 'none'");
	assert_contains(csp, "img-src 'none'");
	assert_contains(csp, "style-src 'sha256-");
	assert_not_contains(csp, "unsafe-inline");
	assert_not_contains(csp, "script-src");
	/* A static string: the same each time. */
	assert_ptr_equal(page_csp(), csp);
}

/* The hash the CSP names is the one of the page's <style> text. */
static void check_style_hash(const char *html)
{
	unsigned char digest[SHA256_DIGEST_LENGTH];
	unsigned char b64[64];
	char want[128];
	const char *start = strstr(html, "<style>"), *end;

	assert_non_null(start);
	start += strlen("<style>");
	end = strstr(start, "</style>");
	assert_non_null(end);
	/* One style sheet only. */
	assert_int_equal(count(html, "<style"), 1);
	assert_true(end - start > 100);
	SHA256((const unsigned char *)start, (size_t)(end - start), digest);
	assert_int_equal(EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH),
			 44);
	snprintf(want, sizeof(want), "style-src 'sha256-%s';", b64);
	assert_contains(page_csp(), want);
}

static void test_style_hash(void **state)
{
	const struct page_opts o = { 0 };
	json_t *v = js(base_view);
	char *html = render(v, &o);
	char *err = page_error(404, NULL, NULL);

	(void)state;
	check_style_hash(html);
	assert_non_null(err);
	check_style_hash(err);
	free(err);
	free(html);
	json_decref(v);
}

static void test_messages_markup(void **state)
{
	const struct page_opts o = { 0 };
	json_t *v = js(base_view);
	char *html = render(v, &o);
	json_int_t seq;

	(void)state;
	assert_contains(html, "<!DOCTYPE html>\n<html lang=\"en\">");
	assert_contains(html,
			"<title>Conversation conv-1001 · Goldilocks Share"
			"</title>");
	assert_contains(html, "<h1>Conversation <code>conv-1001</code></h1>");
	/* Each message has its anchor and its time. */
	for (seq = 1; seq <= 6; seq++) {
		char want[128];

		snprintf(want, sizeof(want), "<li id=\"m%lld\" class=\"msg s-",
			 (long long)seq);
		assert_int_equal(count(html, want), 1);
		snprintf(want, sizeof(want), "data-seq=\"%lld\"",
			 (long long)seq);
		assert_int_equal(count(html, want), 1);
		snprintf(want, sizeof(want),
			 "<time datetime=\"2026-11-20T10:0%lld:00Z\">"
			 "2026-11-20 10:0%lld UTC</time>"
			 "<a class=\"anchor\" href=\"#m%lld\">#%lld</a>",
			 (long long)seq, (long long)seq, (long long)seq,
			 (long long)seq);
		assert_int_equal(count(html, want), 1);
	}
	/* A whole message, exactly. */
	assert_contains(html,
			"\n<li id=\"m3\" class=\"msg s-agent focus\" "
			"data-seq=\"3\" data-sender=\"agent\">"
			"<div class=\"head\"><span class=\"label\">Agent</span>"
			"<span class=\"name\">Sam Agent</span>"
			"<span class=\"badge\">Focus</span>"
			"<time datetime=\"2026-11-20T10:03:00Z\">"
			"2026-11-20 10:03 UTC</time>"
			"<a class=\"anchor\" href=\"#m3\">#3</a></div>"
			"<div class=\"text\">Looking into it</div></li>");
	assert_contains(html,
			"\n<li id=\"m1\" class=\"msg s-contact\" "
			"data-seq=\"1\" data-sender=\"contact\">"
			"<div class=\"head\"><span class=\"label\">Contact"
			"</span><span class=\"name\">Jane Roe</span>"
			"<time datetime=\"2026-11-20T10:01:00Z\">");
	/* Internal and focus: both classes and both badges. */
	assert_contains(html,
			"<li id=\"m4\" class=\"msg s-agent internal focus\" "
			"data-seq=\"4\" data-sender=\"agent\">"
			"<div class=\"head\"><span class=\"label\">Agent</span>"
			"<span class=\"name\">Sam Agent</span>"
			"<span class=\"badge\">Internal note</span>"
			"<span class=\"badge\">Focus</span>");
	/* A system message without a name. */
	assert_contains(html,
			"<li id=\"m5\" class=\"msg s-system focus\" "
			"data-seq=\"5\" data-sender=\"system\">"
			"<div class=\"head\"><span class=\"label\">System"
			"</span><span class=\"badge\">Focus</span><time ");
	/* Only the focus messages carry the class. */
	assert_int_equal(count(html, " focus\" data-seq"), 3);
	assert_int_equal(count(html, "<span class=\"badge\">Focus</span>"), 3);
	assert_int_equal(count(html, " internal"), 1);
	/* Messages in order. */
	assert_true(strstr(html, "id=\"m1\"") < strstr(html, "id=\"m2\""));
	assert_true(strstr(html, "id=\"m5\"") < strstr(html, "id=\"m6\""));
	assert_no_injection(html);
	free(html);
	json_decref(v);
}

static void test_header(void **state)
{
	struct page_opts o = { 0 };
	json_t *v = js(base_view);
	char *html = render(v, &o);

	(void)state;
	assert_contains(html,
			"Status <span class=\"badge status st-escalated\">"
			"escalated</span> · Channel chat · 6 messages"
			" · Live</p>");
	assert_contains(html,
			"<p class=\"meta\">Shared with the team · you can view "
			"and comment · expires <time datetime=\"2026-12-01T00:"
			"00:00Z\">2026-12-01 00:00 UTC</time></p>");
	assert_contains(html,
			"<p class=\"meta signal-tags\">Signal tags: <span "
			"class=\"badge tag\">refund</span> <span class=\"badge "
			"tag\">urgent</span> </p>");
	assert_contains(html,
			"<p class=\"meta review-tags\">Review tags: <span "
			"class=\"badge tag\">billing</span> </p>");
	assert_contains(html,
			"<section class=\"card contact\" "
			"aria-label=\"Contact\"><h2>Contact</h2><dl>"
			"<dt>Name</dt><dd>Jane Roe</dd>"
			"<dt>Email</dt><dd>[REDACTED]</dd><dt>Phone</dt>"
			"<dd>[REDACTED]</dd><dt>Contact id</dt><dd>c-9</dd>"
			"</dl></section>");
	assert_not_contains(html, "signed in as");
	assert_not_contains(html, "class=\"notice\"");
	free(html);

	/* Snapshot, external, view only, one message, viewer, notice. */
	json_object_set_new(json_object_get(v, "share"), "snapshot",
			    json_true());
	set_str(v, "share.audience", "external");
	set_str(v, "share.permission", "view");
	json_object_del(json_object_get(v, "share"), "expires_at");
	json_array_remove(json_object_get(v, "messages"), 5);
	json_array_remove(json_object_get(v, "messages"), 4);
	json_array_remove(json_object_get(v, "messages"), 3);
	json_array_remove(json_object_get(v, "messages"), 2);
	json_array_remove(json_object_get(v, "messages"), 1);
	json_object_del(json_object_get(v, "conversation"), "tags");
	json_object_del(json_object_get(v, "conversation"), "contact");
	json_object_set_new(v, "review_tags", json_array());
	o.viewer = "sam@example.com";
	o.notice = "Your note was added.";
	html = render(v, &o);
	assert_contains(html, " · 1 message · Snapshot at share time</p>");
	assert_contains(html, "<p class=\"meta\">Shared externally · you can "
			      "view · signed in as sam@example.com</p>");
	assert_contains(html, "<p class=\"notice\" role=\"status\">Your note "
			      "was added.</p>");
	assert_not_contains(html, "expires");
	assert_not_contains(html, "Signal tags");
	assert_not_contains(html, "Review tags");
	assert_not_contains(html, "<h2>Contact</h2>");
	free(html);

	set_str(v, "share.permission", "edit");
	html = render(v, &o);
	assert_contains(html, "you can view, comment and edit tags");
	free(html);
	json_decref(v);
}

/* A page of a longer conversation: its range, and links both ways. */
static void test_pager(void **state)
{
	struct page_opts o = { 0 };
	json_t *v = js(base_view);
	char *html;
	const char *top, *list, *bottom;

	(void)state;
	/* One page only: no links, the count as before. */
	json_object_set_new(v, "page", js("{'after':0,'next_after':null,"
					  "'previous_after':null,"
					  "'messages_total':6}"));
	html = render(v, &o);
	assert_contains(html, " · 6 messages · Live");
	assert_not_contains(html, "class=\"pager");
	assert_not_contains(html, "this page");
	free(html);

	/* A middle page: the total, the range shown, both links around
	 * the transcript, the links relative to the page itself. */
	json_object_set_new(v, "page", js("{'after':500,'next_after':1006,"
					  "'previous_after':0,"
					  "'messages_total':12000}"));
	html = render(v, &o);
	assert_contains(html, " · 12000 messages (this page: #1\xe2\x80\x93"
			      "#6) · Live");
	assert_contains(html, "<nav class=\"pager meta\" aria-label=\"Pages\">"
			      "<a rel=\"prev\" href=\"?after=0\">\xe2\x86\x90 "
			      "Earlier messages</a> <a rel=\"next\" "
			      "href=\"?after=1006\">Later messages \xe2\x86\x92"
			      "</a></nav>");
	top = strstr(html, "<nav class=\"pager");
	list = strstr(html, "<ol class=\"transcript\">");
	assert_non_null(list);
	bottom = strstr(list, "<nav class=\"pager");
	assert_true(top != NULL && top < list && bottom != NULL);
	free(html);

	/* The last page: only the way back. */
	json_object_set_new(v, "page", js("{'after':11990,'next_after':null,"
					  "'previous_after':11490,"
					  "'messages_total':12000}"));
	html = render(v, &o);
	assert_contains(html, "href=\"?after=11490\"");
	assert_not_contains(html, "rel=\"next\"");
	free(html);
	json_decref(v);
}

static void test_context_box(void **state)
{
	const struct page_opts o = { 0 };
	json_t *v = js(base_view);
	json_t *ctx = json_object_get(json_object_get(v, "share"), "context");
	char *html = render(v, &o);

	(void)state;
	assert_contains(html,
			"<section class=\"context\" id=\"context\" "
			"aria-label=\"Context\"><dl>"
			"<dt>Priority</dt><dd>high</dd>"
			"<dt>Why it is shared</dt><dd>Refund dispute</dd>"
			"<dt>Summary</dt><dd>Customer wants a refund</dd>"
			"<dt>Focus</dt><dd><a href=\"#m3\">"
			"Messages 3\xe2\x80\x93"
			"5</a></dd>"
			"<dt>Action needed</dt><dd>Approve the refund</dd>"
			"<dt>What the AI tried</dt><dd><ul class=\"tried\">"
			"<li>Sent the FAQ</li><li>Offered a coupon</li></ul>"
			"</dd></dl></section>");
	free(html);

	/* One message in focus; empty values are left out. */
	json_object_set_new(ctx, "focus", js("{'from_seq':4,'to_seq':4}"));
	set_str(ctx, "summary", "");
	json_object_del(ctx, "priority");
	json_object_set_new(ctx, "ai_attempts", json_array());
	html = render(v, &o);
	assert_contains(html, "<dl><dt>Why it is shared</dt><dd>Refund "
			      "dispute</dd><dt>Focus</dt><dd><a href=\"#m4\">"
			      "Message 4</a></dd><dt>Action needed</dt>");
	assert_not_contains(html, "Summary");
	assert_not_contains(html, "Priority");
	assert_not_contains(html, "What the AI tried");
	free(html);

	/* No context: no box. */
	json_object_set_new(json_object_get(v, "share"), "context",
			    json_null());
	html = render(v, &o);
	assert_not_contains(html, "class=\"context\"");
	free(html);
	json_object_set_new(json_object_get(v, "share"), "context",
			    json_object());
	html = render(v, &o);
	assert_not_contains(html, "class=\"context\"");
	free(html);
	json_decref(v);
}

static void test_citations(void **state)
{
	static const struct {
		const char *title, *url, *want;
	} cases[] = {
		{ "Refund policy", "https://kb.example.com/refunds",
		  "<li><a rel=\"noopener noreferrer nofollow\" "
		  "href=\"https://kb.example.com/refunds\">Refund policy</a>"
		  "</li>" },
		{ "Old page", "http://kb.example.com/old",
		  "<li><a rel=\"noopener noreferrer nofollow\" "
		  "href=\"http://kb.example.com/old\">Old page</a></li>" },
		{ "Bad", "javascript:alert(1)",
		  "<li>Bad (javascript:alert(1))</li>" },
		{ "Bad", "JavaScript:alert(1)",
		  "<li>Bad (JavaScript:alert(1))</li>" },
		{ "Bad", " https://x.example",
		  "<li>Bad ( https://x.example)</li>" },
		{ "Data", "data:text/html,<b>x</b>",
		  "<li>Data (data:text/html,&lt;b&gt;x&lt;/b&gt;)</li>" },
		{ "Rel", "/relative/path", "<li>Rel (/relative/path)</li>" },
		{ "", "https://kb.example.com/a?b=1&c=2",
		  "<li><a rel=\"noopener noreferrer nofollow\" "
		  "href=\"https://kb.example.com/a?b=1&amp;c=2\">"
		  "https://kb.example.com/a?b=1&amp;c=2</a></li>" },
		{ "Quote", "https://x.example/\" onmouseover=\"alert(1)",
		  "<li><a rel=\"noopener noreferrer nofollow\" "
		  "href=\"https://x.example/&quot; onmouseover=&quot;alert(1)"
		  "\">Quote</a></li>" },
		{ NULL, NULL, "<li>source</li>" },
		{ "No url", NULL, "<li>No url</li>" },
	};
	const struct page_opts o = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *v = js(base_view);
		json_t *c = json_object();
		json_t *m = json_array_get(json_object_get(v, "messages"), 2);
		char want[512];
		char *html;

		case_note("citation %s", cases[i].url ? cases[i].url : "-");
		if (cases[i].title != NULL)
			json_object_set_new(c, "title",
					    json_string(cases[i].title));
		if (cases[i].url != NULL)
			json_object_set_new(c, "url",
					    json_string(cases[i].url));
		json_object_set_new(m, "citations", json_pack("[o]", c));
		html = render(v, &o);
		snprintf(want, sizeof(want),
			 "<div class=\"text\">Looking into it</div>"
			 "<ul class=\"citations\" aria-label=\"Sources\">%s"
			 "</ul></li>",
			 cases[i].want);
		assert_contains(html, want);
		assert_not_contains(html, "href=\"javascript");
		assert_not_contains(html, "href=\"JavaScript");
		assert_not_contains(html, "href=\"data:");
		assert_not_contains(html, "href=\"/relative");
		assert_no_injection(html);
		free(html);
		json_decref(v);
	}
}

static void test_citations_in_base(void **state)
{
	const struct page_opts o = { 0 };
	json_t *v = js(base_view);
	char *html = render(v, &o);

	(void)state;
	/* The javascript: one of message 2 is text; no empty list shown. */
	assert_contains(html,
			"<div class=\"text\">Here is our policy</div>"
			"<ul class=\"citations\" aria-label=\"Sources\">"
			"<li><a rel=\"noopener noreferrer nofollow\" "
			"href=\"https://kb.example.com/refunds\">Refund policy"
			"</a></li><li>Bad (javascript:alert(1))</li></ul>");
	assert_int_equal(count(html, "class=\"citations\""), 1);
	assert_int_equal(count(html, "href=\"https://"), 1);
	free(html);
	json_decref(v);
}

static void test_note_form(void **state)
{
	static const struct {
		const char *csrf, *action;
		int form;
	} cases[] = {
		{ "tok-123", "/s/abc/notes", 1 },
		{ NULL, "/s/abc/notes", 0 },
		{ "tok-123", NULL, 0 },
		{ NULL, NULL, 0 },
	};
	json_t *v = js(base_view);
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct page_opts o = { 0 };
		char *html;

		case_note("form #%zu", i);
		o.csrf = cases[i].csrf;
		o.note_action = cases[i].action;
		html = render(v, &o);
		/* The notes list is there either way. */
		assert_contains(html, "<section class=\"notes\" id=\"notes\">"
				      "<h2>Notes (2)</h2>");
		if (!cases[i].form) {
			assert_not_contains(html, "<form");
			assert_not_contains(html, "name=\"csrf\"");
			assert_contains(html, "</ol></section><footer>");
			free(html);
			continue;
		}
		assert_int_equal(count(html, "<form"), 1);
		assert_contains(html, "<form class=\"card\" method=\"post\" "
				      "action=\"/s/abc/notes\">");
		assert_contains(html, "<input type=\"hidden\" name=\"csrf\" "
				      "value=\"tok-123\">");
		assert_contains(html, "<option value=\"\">the whole "
				      "conversation</option>"
				      "<option value=\"m-1\">message #1 "
				      "(Contact)</option>"
				      "<option value=\"m-2\">message #2 (AI)"
				      "</option>");
		assert_contains(html, "<option value=\"m-6\">message #6 "
				      "(Contact)</option></select>");
		assert_contains(html, "maxlength=\"4000\"");
		assert_contains(html, "</form></section><footer>");
		free(html);
	}
	json_decref(v);
}

static void test_notes_list(void **state)
{
	const struct page_opts o = { 0 };
	json_t *v = js(base_view);
	char *html = render(v, &o);

	(void)state;
	assert_contains(html,
			"<ol class=\"notes\"><li class=\"note card\">"
			"<div class=\"head\"><span class=\"label\">Sam Agent"
			"</span><time datetime=\"2026-11-20T11:00:00Z\">"
			"2026-11-20 11:00 UTC</time>"
			"<a class=\"anchor\" href=\"#m1\">on #1</a></div>"
			"<div class=\"text\">Called her back</div></li>"
			"<li class=\"note card\"><div class=\"head\">"
			"<span class=\"label\">Ann Lead</span>"
			"<time datetime=\"2026-11-20T11:05:00Z\">"
			"2026-11-20 11:05 UTC</time></div>"
			"<div class=\"text\">Looks fine</div></li></ol>");
	free(html);

	/* A note about a message the view does not show: no link. */
	set_str(v, "notes.0.message_id", "m-99");
	html = render(v, &o);
	assert_not_contains(html, "on #");
	free(html);

	json_object_set_new(v, "notes", json_array());
	html = render(v, &o);
	assert_contains(html, "<h2>Notes (0)</h2></section>");
	assert_not_contains(html, "class=\"note card\"");
	free(html);
	json_decref(v);
}

/* A markup payload in every field that reaches the page. */
static void test_xss_everywhere(void **state)
{
	static const char *const paths[] = {
		"conversation.conversation_id",
		"conversation.status",
		"conversation.channel",
		"conversation.tags.0",
		"conversation.contact.name",
		"conversation.contact.email",
		"share.context.reason",
		"share.context.action",
		"share.context.summary",
		"share.context.priority",
		"share.context.ai_attempts.1",
		"share.expires_at",
		"messages.0.text",
		"messages.0.sender_name",
		"messages.1.message_id",
		"messages.2.label",
		"messages.2.sender",
		"messages.3.sent_at",
		"messages.1.citations.0.title",
		"notes.0.text",
		"notes.0.author",
		"notes.1.created_at",
		"review_tags.0",
	};
	static const char *const payloads[][2] = {
		{ XSS_SCRIPT, XSS_SCRIPT_ESC },
		{ XSS_IMG, XSS_IMG_ESC },
		{ XSS_QUOTE, XSS_QUOTE_ESC },
		{ XSS_APOS, XSS_APOS_ESC },
	};
	size_t i, k;

	(void)state;
	for (k = 0; k < ARRAY_LEN(payloads); k++) {
		for (i = 0; i < ARRAY_LEN(paths); i++) {
			struct page_opts o = { 0 };
			json_t *v = js(base_view);
			char *html;

			case_note("%s in %s", payloads[k][0], paths[i]);
			set_str(v, paths[i], payloads[k][0]);
			o.csrf = "tok";
			o.note_action = "/s/abc/notes";
			html = render(v, &o);
			assert_no_injection(html);
			assert_contains(html, payloads[k][1]);
			free(html);
			json_decref(v);
		}
	}
}

/* Payloads in the options (csrf, form action, viewer, notice). */
static void test_xss_opts(void **state)
{
	json_t *v = js(base_view);
	struct page_opts o = { 0 };
	char *html;

	(void)state;
	o.csrf = XSS_QUOTE;
	o.note_action = "/s/" XSS_SCRIPT "/notes";
	o.viewer = XSS_IMG;
	o.notice = XSS_APOS XSS_SCRIPT;
	html = render(v, &o);
	assert_no_injection(html);
	assert_contains(html, "<input type=\"hidden\" name=\"csrf\" value=\""
			      XSS_QUOTE_ESC "\">");
	assert_contains(html, "action=\"/s/" XSS_SCRIPT_ESC "/notes\">");
	assert_contains(html, "signed in as " XSS_IMG_ESC "</p>");
	assert_contains(html, "role=\"status\">" XSS_APOS_ESC XSS_SCRIPT_ESC
			      "</p>");
	free(html);
	json_decref(v);
}

/* Exact escaped forms in the places the brief names. */
static void test_xss_exact(void **state)
{
	json_t *v = js(base_view);
	struct page_opts o = { 0 };
	char *html;

	(void)state;
	set_str(v, "conversation.conversation_id", XSS_SCRIPT);
	set_str(v, "messages.0.text", XSS_IMG);
	set_str(v, "messages.0.sender_name", XSS_SCRIPT);
	set_str(v, "notes.0.text", XSS_SCRIPT);
	set_str(v, "notes.0.author", XSS_IMG);
	set_str(v, "conversation.tags.1", XSS_QUOTE);
	set_str(v, "share.context.reason", XSS_IMG);
	set_str(v, "messages.1.message_id", XSS_QUOTE);
	set_str(v, "conversation.status", XSS_QUOTE);
	o.csrf = "tok";
	o.note_action = "/s/abc/notes";
	html = render(v, &o);
	assert_no_injection(html);
	assert_contains(html, "<title>Conversation " XSS_SCRIPT_ESC
			      " · Goldilocks Share</title>");
	assert_contains(html, "<h1>Conversation <code>" XSS_SCRIPT_ESC
			      "</code></h1>");
	assert_contains(html, "<span class=\"name\">" XSS_SCRIPT_ESC
			      "</span>");
	assert_contains(html, "<div class=\"text\">" XSS_IMG_ESC "</div>");
	assert_contains(html, "<span class=\"label\">" XSS_IMG_ESC
			      "</span>");
	assert_contains(html, "<div class=\"text\">" XSS_SCRIPT_ESC
			      "</div></li>");
	assert_contains(html, "<span class=\"badge tag\">" XSS_QUOTE_ESC
			      "</span>");
	assert_contains(html, "<dt>Why it is shared</dt><dd>" XSS_IMG_ESC
			      "</dd>");
	assert_contains(html, "<option value=\"" XSS_QUOTE_ESC
			      "\">message #2 (AI)</option>");
	assert_contains(html, "class=\"badge status st-" XSS_QUOTE_ESC
			      "\">" XSS_QUOTE_ESC "</span>");
	free(html);
	json_decref(v);
}

/* A page from transcript_view(): redacted text is what reaches it. */
static void test_from_transcript_view(void **state)
{
	json_t *share = js(
		"{'share_id':'s-1','audience':'external','permission':'view',"
		"'min_role':'viewer','expires_at':null,"
		"'include':{'contact_identifier':false,'signal_tags':false,"
		"'internal_notes':false,'source_citations':true},"
		"'redact':{'pii':false,'message_ids':[],'terms':[]},"
		"'context':{'reason':'Mail from jane@example.com',"
		"'focus':{'from_seq':2,'to_seq':2}},"
		"'snapshot_seq':2,'review_tags':[]}");
	json_t *conv = js(
		"{'conversation_id':'conv-7','status':'open','channel':'email',"
		"'contact':{'id':'c','name':'Jane','email':'jane@example.com',"
		"'phone':null},'tags':[],'messages':["
		"{'message_id':'a','seq':1,'sender':'contact',"
		"'sender_name':'Jane','text':'I am jane@example.com',"
		"'sent_at':'2026-11-20T10:01:00Z','internal':false,"
		"'citations':[]},"
		"{'message_id':'b','seq':2,'sender':'ai','sender_name':'Goldi',"
		"'text':'See <b>this</b>','sent_at':'2026-11-20T10:02:00Z',"
		"'internal':false,'citations':[{'title':'FAQ',"
		"'url':'javascript:alert(1)'}]},"
		"{'message_id':'c','seq':3,'sender':'agent',"
		"'text':'after the snapshot','sent_at':'2026-11-20T10:03:00Z',"
		"'internal':false,'citations':[]}]}");
	const struct page_opts o = { 0 };
	char err[256] = "";
	json_t *view;
	char *html;

	(void)state;
	view = transcript_view(share, conv, NULL, NULL, err, sizeof(err));
	if (view == NULL)
		fail_msg("transcript_view: %s", err);
	html = render(view, &o);
	assert_no_injection(html);
	assert_not_contains(html, "jane@example.com");
	assert_contains(html, "<div class=\"text\">I am [REDACTED]</div>");
	assert_contains(html, "<dd>Mail from [REDACTED]</dd>");
	assert_contains(html, "<div class=\"text\">See &lt;b&gt;this&lt;/b&gt;"
			      "</div>");
	assert_contains(html, "<li>FAQ (javascript:alert(1))</li>");
	assert_contains(html, "<li id=\"m2\" class=\"msg s-ai focus\"");
	assert_contains(html, "<span class=\"label\">Contact</span><time");
	assert_not_contains(html, "after the snapshot");
	assert_not_contains(html, "id=\"m3\"");
	assert_contains(html, " · 2 messages · Snapshot at share time</p>");
	assert_contains(html, "<a href=\"#m2\">Message 2</a>");
	free(html);
	json_decref(view);
	json_decref(share);
	json_decref(conv);
}

/*
 * The page of the planted view (support/planted.h): an external link
 * shows none of the PII planted in its fields, a team link without
 * redaction shows each field's own.
 */
static void test_planted_every_field(void **state)
{
	const struct page_opts o = { 0 };
	json_t *v;
	char *html;

	(void)state;
	v = planted_view("external", 0);
	html = render(v, &o);
	assert_contains(html, "see this");
	planted_assert_absent(html);
	free(html);
	json_decref(v);
	v = planted_view("team", 0);
	html = render(v, &o);
	planted_assert_present(html, NULL);
	free(html);
	json_decref(v);
}

static void test_time_format(void **state)
{
	static const struct {
		const char *ts, *want;
	} cases[] = {
		{ "2026-11-20T10:03:00Z",
		  "<time datetime=\"2026-11-20T10:03:00Z\">2026-11-20 10:03 "
		  "UTC</time>" },
		{ "2026-11-20T23:59:59Z",
		  "<time datetime=\"2026-11-20T23:59:59Z\">2026-11-20 23:59 "
		  "UTC</time>" },
		/* Not the expected shape: shown as it is. */
		{ "yesterday",
		  "<time datetime=\"yesterday\">yesterday</time>" },
		{ "2026-11-20 10:03",
		  "<time datetime=\"2026-11-20 10:03\">2026-11-20 10:03"
		  "</time>" },
	};
	const struct page_opts o = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *v = js(base_view);
		char *html;

		case_note("time %s", cases[i].ts);
		set_str(v, "messages.2.sent_at", cases[i].ts);
		html = render(v, &o);
		assert_contains(html, cases[i].want);
		free(html);
		json_decref(v);
	}
	{
		json_t *v = js(base_view);
		char *html;

		/* No time: no <time> element for that message. */
		set_str(v, "messages.2.sent_at", "");
		html = render(v, &o);
		assert_contains(html, "<span class=\"badge\">Focus</span>"
				      "<a class=\"anchor\" href=\"#m3\">");
		free(html);
		json_decref(v);
	}
}

static void test_error_pages(void **state)
{
	static const struct {
		int status;
		const char *title;
	} cases[] = {
		{ 400, "That did not work" },
		{ 401, "Sign in to see this conversation" },
		{ 403, "You do not have access" },
		{ 404, "This link does not exist" },
		{ 410, "This link is no longer available" },
		{ 413, "That was too long" },
		{ 429, "Too many attempts" },
		{ 503, "Temporarily unavailable" },
		{ 500, "Something went wrong" },
		{ 418, "Something went wrong" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char want[256];
		char *html = page_error(cases[i].status, NULL, NULL);

		case_note("status %d", cases[i].status);
		assert_non_null(html);
		snprintf(want, sizeof(want), "<title>%s · Goldilocks Share"
			 "</title>", cases[i].title);
		assert_contains(html, want);
		snprintf(want, sizeof(want),
			 "<main class=\"error\" data-status=\"%d\"><h1>%s</h1>"
			 "<p>", cases[i].status, cases[i].title);
		assert_contains(html, want);
		snprintf(want, sizeof(want), "<p class=\"meta\">Error %d</p>"
			 "</main></body></html>\n", cases[i].status);
		assert_contains(html, want);
		assert_not_contains(html, "class=\"login\"");
		assert_only_own_tags(html);
		free(html);
	}
}

static void test_error_detail_and_login(void **state)
{
	char *html;

	(void)state;
	html = page_error(401, NULL,
			  "https://sso.example.com/login?return="
			  "https%3A%2F%2Fa%2Fs%2Fx&x=\"<y>");
	assert_non_null(html);
	assert_contains(html, "data-status=\"401\"");
	assert_contains(html,
			"<p><a class=\"login\" href=\"https://sso.example.com/"
			"login?return=https%3A%2F%2Fa%2Fs%2Fx&amp;x=&quot;"
			"&lt;y&gt;\">Sign in</a></p>");
	assert_only_own_tags(html);
	free(html);

	html = page_error(410, XSS_SCRIPT, NULL);
	assert_non_null(html);
	assert_contains(html, "It has expired or was revoked.");
	assert_contains(html, "<p class=\"meta\">" XSS_SCRIPT_ESC "</p>");
	assert_not_contains(html, "<script");
	assert_not_contains(html, "class=\"login\"");
	free(html);

	html = page_error(429, NULL, NULL);
	assert_non_null(html);
	assert_contains(html, "Wait a minute and try again.");
	assert_int_equal(count(html, "<p class=\"meta\">"), 1);
	free(html);
}

static void test_query_escape(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "http://a/s/x?y=1&z", "http%3A%2F%2Fa%2Fs%2Fx%3Fy%3D1%26z" },
		{ "", "" },
		{ "AZaz09-._~", "AZaz09-._~" },
		{ "a b+c", "a%20b%2Bc" },
		{ "#%/?", "%23%25%2F%3F" },
		{ "\xc3\xa9", "%C3%A9" },
		{ "\x7f\x01", "%7F%01" },
		{ "<\"'>", "%3C%22%27%3E" },
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		size_t need = strlen(cases[i].want) + 1;

		case_note("escape \"%s\"", cases[i].in);
		memset(buf, 'X', sizeof(buf));
		assert_int_equal(page_query_escape(cases[i].in, buf,
						   sizeof(buf)),
				 0);
		assert_string_equal(buf, cases[i].want);
		/* Exactly enough room fits; one byte less does not. */
		memset(buf, 'X', sizeof(buf));
		assert_int_equal(page_query_escape(cases[i].in, buf, need), 0);
		assert_string_equal(buf, cases[i].want);
		memset(buf, 'X', sizeof(buf));
		assert_int_equal(page_query_escape(cases[i].in, buf, need - 1),
				 -1);
		/* Nothing written past the given length. */
		assert_int_equal(buf[need - 1], 'X');
	}
	assert_int_equal(page_query_escape("abc", buf, 3), -1);
	assert_int_equal(page_query_escape("/", buf, 3), -1);
	assert_int_equal(page_query_escape("/", buf, 4), 0);
	assert_string_equal(buf, "%2F");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csp),
		cmocka_unit_test(test_style_hash),
		cmocka_unit_test(test_messages_markup),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_context_box),
		cmocka_unit_test(test_citations),
		cmocka_unit_test(test_citations_in_base),
		cmocka_unit_test(test_note_form),
		cmocka_unit_test(test_notes_list),
		cmocka_unit_test(test_xss_everywhere),
		cmocka_unit_test(test_xss_opts),
		cmocka_unit_test(test_xss_exact),
		cmocka_unit_test(test_from_transcript_view),
		cmocka_unit_test(test_planted_every_field),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_error_pages),
		cmocka_unit_test(test_error_detail_and_login),
		cmocka_unit_test(test_query_escape),
		cmocka_unit_test(test_pager),
	};

	return cmocka_run_group_tests_name("page", tests, NULL, NULL);
}

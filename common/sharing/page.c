/*
 * HTML pages.  The style sheet is one static string inlined in every page;
 * its SHA-256 (computed once) goes into the Content-Security-Policy so no
 * other style and no script can run.  Content only ever reaches the
 * output through buf_html(), and a citation becomes a link only when its
 * URL is http or https.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/buf.h"
#include "runtime/digest.h"
#include "sharing/page.h"
#include "sharing/transcript.h"

static const char page_style[] =
	"*{box-sizing:border-box}"
	"body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',"
	"Roboto,'Noto Sans',sans-serif;color:#1f2328;background:#f6f7f9}"
	"main{max-width:48rem;margin:0 auto;padding:1rem}"
	"header.top{border-bottom:1px solid #d0d7de;margin-bottom:1rem}"
	"h1{font-size:1.35rem;margin:.5rem 0}"
	"h2{font-size:1.05rem;margin:1.25rem 0 .5rem}"
	".meta{color:#57606a;font-size:.9rem;margin:.25rem 0 .75rem}"
	".badge{display:inline-block;padding:0 .45em;border-radius:.6em;"
	"font-size:.8rem;background:#eaeef2;color:#24292f}"
	".st-open,.st-pending{background:#dafbe1}"
	".st-escalated{background:#ffebe9}"
	".context{background:#fff8c5;border:1px solid #d4a72c;"
	"border-radius:.5rem;padding:.5rem 1rem}"
	".context dl{margin:.25rem 0}.context dt{font-weight:600}"
	".context dd{margin:0 0 .5rem}"
	".card{background:#fff;border:1px solid #d0d7de;border-radius:.5rem;"
	"padding:.5rem 1rem;margin:.75rem 0}"
	"ol.transcript{list-style:none;padding:0;margin:0}"
	".msg{background:#fff;border:1px solid #d0d7de;border-left-width:4px;"
	"border-radius:.5rem;padding:.5rem .75rem;margin:.6rem 0}"
	".msg.s-contact{border-left-color:#0969da}"
	".msg.s-ai{border-left-color:#8250df}"
	".msg.s-agent{border-left-color:#1a7f37}"
	".msg.s-system{border-left-color:#8c959f;background:#f6f8fa}"
	".msg.internal{background:#fff1e5}"
	".msg.focus{box-shadow:0 0 0 3px #d4a72c;background:#fffbdd}"
	".msg:target{box-shadow:0 0 0 3px #0969da}"
	".head{display:flex;flex-wrap:wrap;gap:.5rem;align-items:baseline;"
	"font-size:.85rem;color:#57606a}"
	".label{font-weight:700;color:#1f2328}"
	".anchor{color:#57606a;text-decoration:none}"
	".text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.25rem 0}"
	".citations{font-size:.85rem;margin:.25rem 0;padding-left:1.2rem}"
	".notes li{margin:.5rem 0}"
	"form textarea{width:100%;min-height:6rem;font:inherit}"
	"form select,form button{font:inherit;margin:.25rem 0}"
	".notice{background:#dafbe1;border-radius:.5rem;padding:.5rem 1rem}"
	".error{max-width:32rem;margin:15vh auto;background:#fff;"
	"border:1px solid #d0d7de;border-radius:.5rem;padding:1.5rem}"
	"footer{color:#57606a;font-size:.8rem;margin:2rem 0}"
	"@media print{body{background:#fff}form,.noprint{display:none}"
	".msg{break-inside:avoid;box-shadow:none}a{color:inherit}}";

static pthread_once_t page_once = PTHREAD_ONCE_INIT;
static char page_csp_value[256];

static void page_csp_init(void)
{
	unsigned char digest[DIGEST_SHA256_LEN];
	char b64[DIGEST_B64_LEN(DIGEST_SHA256_LEN) + 1];

	digest_sha256(page_style, sizeof(page_style) - 1, digest);
	digest_b64(digest, sizeof(digest), b64);
	snprintf(page_csp_value, sizeof(page_csp_value),
		 "default-src 'none'; style-src 'sha256-%s'; img-src 'none';"
		 " frame-ancestors 'none'; form-action 'self';"
		 " base-uri 'none'",
		 b64);
}

const char *page_csp(void)
{
	pthread_once(&page_once, page_csp_init);
	return page_csp_value;
}

int page_query_escape(const char *s, char *buf, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
			if (o + 1 >= len)
				return -1;
			buf[o++] = (char)c;
			continue;
		}
		if (o + 3 >= len)
			return -1;
		buf[o++] = '%';
		buf[o++] = hex[c >> 4];
		buf[o++] = hex[c & 15];
	}
	if (o >= len)
		return -1;
	buf[o] = '\0';
	return 0;
}

static void page_head(buf_t *b, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		    "<meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width,"
		    " initial-scale=1\">"
		    "<meta name=\"referrer\" content=\"no-referrer\">"
		    "<meta name=\"robots\" content=\"noindex, nofollow\">"
		    "<title>");
	buf_html(b, title);
	buf_puts(b, " · Goldilocks Share</title><style>");
	buf_puts(b, page_style);
	buf_puts(b, "</style></head>\n<body>");
}

/* "2026-11-20T10:03:00Z" as <time datetime="…">2026-11-20 10:03 UTC</time>. */
static void page_time(buf_t *b, const char *ts)
{
	size_t n = ts != NULL ? strlen(ts) : 0;

	if (n == 0)
		return;
	buf_puts(b, "<time datetime=\"");
	buf_html(b, ts);
	buf_puts(b, "\">");
	if (n >= 16 && ts[10] == 'T') {
		char shown[24];

		snprintf(shown, sizeof(shown), "%.10s %.5s UTC", ts, ts + 11);
		buf_html(b, shown);
	} else {
		buf_html(b, ts);
	}
	buf_puts(b, "</time>");
}

static const char *page_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* A citation: a link only for an http(s) URL, else its text. */
static void page_citation(buf_t *b, const json_t *c)
{
	const char *title = page_str(c, "title"), *url = page_str(c, "url");

	if (title == NULL || *title == '\0')
		title = url != NULL ? url : "source";
	buf_puts(b, "<li>");
	if (url != NULL && (strncmp(url, "https://", 8) == 0 ||
			    strncmp(url, "http://", 7) == 0)) {
		buf_puts(b, "<a rel=\"noopener noreferrer nofollow\" href=\"");
		buf_html(b, url);
		buf_puts(b, "\">");
		buf_html(b, title);
		buf_puts(b, "</a>");
	} else {
		buf_html(b, title);
		if (url != NULL) {
			buf_puts(b, " (");
			buf_html(b, url);
			buf_puts(b, ")");
		}
	}
	buf_puts(b, "</li>");
}

static void page_message(buf_t *b, const json_t *m)
{
	json_int_t seq = json_integer_value(json_object_get(m, "seq"));
	const char *sender = page_str(m, "sender");
	const char *name = page_str(m, "sender_name");
	json_t *cites = json_object_get(m, "citations");
	int internal = json_is_true(json_object_get(m, "internal"));
	int focus = json_is_true(json_object_get(m, "focus"));
	size_t i;
	json_t *c;

	buf_printf(b, "\n<li id=\"m%lld\" class=\"msg s-", (long long)seq);
	buf_html(b, sender != NULL ? sender : "");
	buf_printf(b, "%s%s\" data-seq=\"%lld\" data-sender=\"",
		   internal ? " internal" : "", focus ? " focus" : "",
		   (long long)seq);
	buf_html(b, sender != NULL ? sender : "");
	buf_puts(b, "\"><div class=\"head\"><span class=\"label\">");
	buf_html(b, page_str(m, "label") != NULL ? page_str(m, "label") : "");
	buf_puts(b, "</span>");
	if (name != NULL) {
		buf_puts(b, "<span class=\"name\">");
		buf_html(b, name);
		buf_puts(b, "</span>");
	}
	if (internal)
		buf_puts(b, "<span class=\"badge\">Internal note</span>");
	if (focus)
		buf_puts(b, "<span class=\"badge\">Focus</span>");
	page_time(b, page_str(m, "sent_at"));
	buf_printf(b, "<a class=\"anchor\" href=\"#m%lld\">#%lld</a></div>",
		   (long long)seq, (long long)seq);
	buf_puts(b, "<div class=\"text\">");
	buf_html(b, page_str(m, "text") != NULL ? page_str(m, "text") : "");
	buf_puts(b, "</div>");
	if (json_array_size(cites) > 0) {
		buf_puts(b, "<ul class=\"citations\" aria-label=\"Sources\">");
		json_array_foreach(cites, i, c)
			page_citation(b, c);
		buf_puts(b, "</ul>");
	}
	buf_puts(b, "</li>");
}

/* A definition in the context box, when the value is a non-empty string. */
static void page_dt(buf_t *b, const char *term, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	buf_puts(b, "<dt>");
	buf_html(b, term);
	buf_puts(b, "</dt><dd>");
	buf_html(b, value);
	buf_puts(b, "</dd>");
}

static void page_context(buf_t *b, const json_t *ctx)
{
	json_t *focus = json_object_get(ctx, "focus");
	json_t *tried = json_object_get(ctx, "ai_attempts"), *v;
	size_t i;

	if (!json_is_object(ctx) || json_object_size(ctx) == 0)
		return;
	buf_puts(b, "<section class=\"context\" id=\"context\" "
		    "aria-label=\"Context\"><dl>");
	page_dt(b, "Priority", page_str(ctx, "priority"));
	page_dt(b, "Why it is shared", page_str(ctx, "reason"));
	page_dt(b, "Summary", page_str(ctx, "summary"));
	if (json_is_integer(json_object_get(focus, "from_seq"))) {
		long long from = json_integer_value(
			json_object_get(focus, "from_seq"));
		long long to = json_integer_value(
			json_object_get(focus, "to_seq"));

		buf_printf(b, "<dt>Focus</dt><dd><a href=\"#m%lld\">", from);
		if (to > from)
			buf_printf(b, "Messages %lld\xe2\x80\x93%lld", from, to);
		else
			buf_printf(b, "Message %lld", from);
		buf_puts(b, "</a></dd>");
	}
	page_dt(b, "Action needed", page_str(ctx, "action"));
	if (json_array_size(tried) > 0) {
		buf_puts(b, "<dt>What the AI tried</dt><dd><ul class=\"tried\">");
		json_array_foreach(tried, i, v) {
			buf_puts(b, "<li>");
			buf_html(b, json_string_value(v) != NULL
					    ? json_string_value(v)
					    : "");
			buf_puts(b, "</li>");
		}
		buf_puts(b, "</ul></dd>");
	}
	buf_puts(b, "</dl></section>");
}

static void page_tags(buf_t *b, const char *title, const char *cls,
		      const json_t *tags)
{
	size_t i;
	json_t *t;

	if (json_array_size(tags) == 0)
		return;
	buf_printf(b, "<p class=\"meta %s\">%s: ", cls, title);
	json_array_foreach(tags, i, t) {
		buf_puts(b, "<span class=\"badge tag\">");
		buf_html(b, json_string_value(t) != NULL ? json_string_value(t)
							 : "");
		buf_puts(b, "</span> ");
	}
	buf_puts(b, "</p>");
}

static void page_contact(buf_t *b, const json_t *c)
{
	static const char *const fields[][2] = {
		{ "name", "Name" },
		{ "email", "Email" },
		{ "phone", "Phone" },
		{ "id", "Contact id" },
	};
	size_t i;

	if (!json_is_object(c))
		return;
	buf_puts(b, "<section class=\"card contact\" aria-label=\"Contact\">"
		    "<h2>Contact</h2><dl>");
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		page_dt(b, fields[i][1], page_str(c, fields[i][0]));
	buf_puts(b, "</dl></section>");
}

static void page_notes(buf_t *b, const json_t *view,
		       const struct page_opts *o)
{
	long long seq;
	json_t *notes = json_object_get(view, "notes");
	json_t *msgs = json_object_get(view, "messages"), *n, *m, *idx;
	size_t i;

	buf_printf(b, "<section class=\"notes\" id=\"notes\"><h2>Notes "
		      "(%zu)</h2>",
		   json_array_size(notes));
	idx = json_array_size(notes) > 0 ? transcript_seq_index(msgs) : NULL;
	if (idx != NULL) {
		buf_puts(b, "<ol class=\"notes\">");
		json_array_foreach(notes, i, n) {
			const char *mid = page_str(n, "message_id");

			buf_puts(b, "<li class=\"note card\"><div class=\"head\">"
				    "<span class=\"label\">");
			buf_html(b, page_str(n, "author") != NULL
					    ? page_str(n, "author")
					    : "");
			buf_puts(b, "</span>");
			page_time(b, page_str(n, "created_at"));
			seq = mid != NULL && json_object_get(idx, mid) != NULL
				      ? (long long)json_integer_value(
						json_object_get(idx, mid))
				      : -1;
			if (seq >= 0)
				buf_printf(b,
					   "<a class=\"anchor\" href=\"#m%lld\">"
					   "on #%lld</a>",
					   seq, seq);
			buf_puts(b, "</div><div class=\"text\">");
			buf_html(b, page_str(n, "text") != NULL
					    ? page_str(n, "text")
					    : "");
			buf_puts(b, "</div></li>");
		}
		buf_puts(b, "</ol>");
		json_decref(idx);
	} else if (json_array_size(notes) > 0) {
		b->failed = 1; /* out of memory */
	}
	if (o->csrf == NULL || o->note_action == NULL) {
		buf_puts(b, "</section>");
		return;
	}
	buf_puts(b, "<form class=\"card\" method=\"post\" action=\"");
	buf_html(b, o->note_action);
	buf_puts(b, "\"><h2><label for=\"note-text\">Add a note</label></h2>"
		    "<textarea id=\"note-text\" name=\"text\" required "
		    "maxlength=\"4000\"></textarea>"
		    "<label for=\"note-msg\">About</label> "
		    "<select id=\"note-msg\" name=\"message_id\">"
		    "<option value=\"\">the whole conversation</option>");
	json_array_foreach(msgs, i, m) {
		if (i >= 1000)
			break;
		if (page_str(m, "message_id") == NULL ||
		    page_str(m, "label") == NULL)
			continue;
		buf_puts(b, "<option value=\"");
		buf_html(b, page_str(m, "message_id"));
		buf_printf(b, "\">message #%lld (",
			   (long long)json_integer_value(
				   json_object_get(m, "seq")));
		buf_html(b, page_str(m, "label"));
		buf_puts(b, ")</option>");
	}
	buf_puts(b, "</select><input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, o->csrf);
	buf_puts(b, "\"> <button type=\"submit\">Add note</button></form>"
		    "</section>");
}

/*
 * How many messages the conversation has and, on a page of a longer one
 * (SPEC §5 paging), which of them this page shows.
 */
static void page_count(buf_t *b, const json_t *page, const json_t *msgs)
{
	json_t *total = json_object_get(page, "messages_total");
	size_t n = json_array_size(msgs);
	long long all = json_is_integer(total)
				? (long long)json_integer_value(total)
				: (long long)n;

	buf_printf(b, " · %lld message%s", all, all == 1 ? "" : "s");
	if (n > 0 && (long long)n < all)
		buf_printf(b, " (this page: #%lld\xe2\x80\x93#%lld)",
			   (long long)json_integer_value(json_object_get(
				   json_array_get(msgs, 0), "seq")),
			   (long long)json_integer_value(json_object_get(
				   json_array_get(msgs, n - 1), "seq")));
}

/* The links to the previous and next page, when there are such. */
static void page_pager(buf_t *b, const json_t *page)
{
	json_t *prev = json_object_get(page, "previous_after");
	json_t *next = json_object_get(page, "next_after");

	if (!json_is_integer(prev) && !json_is_integer(next))
		return;
	buf_puts(b, "<nav class=\"pager meta\" aria-label=\"Pages\">");
	if (json_is_integer(prev))
		buf_printf(b, "<a rel=\"prev\" href=\"?after=%lld\">"
			      "\xe2\x86\x90 Earlier messages</a> ",
			   (long long)json_integer_value(prev));
	if (json_is_integer(next))
		buf_printf(b, "<a rel=\"next\" href=\"?after=%lld\">"
			      "Later messages \xe2\x86\x92</a>",
			   (long long)json_integer_value(next));
	buf_puts(b, "</nav>");
}

char *page_transcript(const json_t *view, const struct page_opts *o)
{
	json_t *share = json_object_get(view, "share");
	json_t *conv = json_object_get(view, "conversation");
	json_t *msgs = json_object_get(view, "messages"), *m;
	const char *id = page_str(conv, "conversation_id");
	const char *status = page_str(conv, "status");
	const char *channel = page_str(conv, "channel");
	const char *perm = page_str(share, "permission");
	const char *expires = page_str(share, "expires_at");
	buf_t b = BUF_INIT;
	char title[200];
	size_t i;

	snprintf(title, sizeof(title), "Conversation %s",
		 id != NULL ? id : "");
	page_head(&b, title);
	buf_puts(&b, "<main><header class=\"top\"><h1>Conversation <code>");
	buf_html(&b, id != NULL ? id : "");
	buf_puts(&b, "</code></h1><p class=\"meta\">Status <span class=\"badge"
		     " status st-");
	buf_html(&b, status != NULL ? status : "");
	buf_puts(&b, "\">");
	buf_html(&b, status != NULL ? status : "unknown");
	buf_puts(&b, "</span>");
	if (channel != NULL) {
		buf_puts(&b, " · Channel ");
		buf_html(&b, channel);
	}
	page_count(&b, json_object_get(view, "page"), msgs);
	buf_puts(&b, json_is_true(json_object_get(share, "snapshot"))
			     ? " · Snapshot at share time"
			     : " · Live");
	buf_puts(&b, "</p><p class=\"meta\">Shared ");
	buf_html(&b, page_str(share, "audience") != NULL &&
				     strcmp(page_str(share, "audience"),
					    "external") == 0
			     ? "externally"
			     : "with the team");
	buf_puts(&b, " · you can ");
	buf_html(&b, perm != NULL && strcmp(perm, "view") != 0
			     ? (strcmp(perm, "edit") == 0 ? "view, comment and "
							    "edit tags"
							  : "view and comment")
			     : "view");
	if (expires != NULL) {
		buf_puts(&b, " · expires ");
		page_time(&b, expires);
	}
	if (o->viewer != NULL) {
		buf_puts(&b, " · signed in as ");
		buf_html(&b, o->viewer);
	}
	buf_puts(&b, "</p>");
	page_tags(&b, "Signal tags", "signal-tags", json_object_get(conv, "tags"));
	page_tags(&b, "Review tags", "review-tags",
		  json_object_get(view, "review_tags"));
	buf_puts(&b, "</header>");
	if (o->notice != NULL) {
		buf_puts(&b, "<p class=\"notice\" role=\"status\">");
		buf_html(&b, o->notice);
		buf_puts(&b, "</p>");
	}
	page_context(&b, json_object_get(share, "context"));
	page_contact(&b, json_object_get(conv, "contact"));
	buf_puts(&b, "<h2>Transcript</h2>");
	page_pager(&b, json_object_get(view, "page"));
	buf_puts(&b, "<ol class=\"transcript\">");
	json_array_foreach(msgs, i, m)
		page_message(&b, m);
	buf_puts(&b, "</ol>");
	page_pager(&b, json_object_get(view, "page"));
	page_notes(&b, view, o);
	buf_puts(&b, "<footer>Shared through Goldilocks Share. Do not forward "
		     "this link.</footer></main></body></html>\n");
	return buf_steal(&b);
}

char *page_error(int status, const char *detail, const char *login_url)
{
	static const struct {
		int status;
		const char *title, *text;
	} pages[] = {
		{ 400, "That did not work",
		  "The request was not complete or not valid." },
		{ 401, "Sign in to see this conversation",
		  "This link is for team members. Sign in with your "
		  "work account, then you come back here." },
		{ 403, "You do not have access",
		  "This link is not open to your account. Ask the person "
		  "who shared it." },
		{ 404, "This link does not exist",
		  "Check that you copied the whole link." },
		{ 410, "This link is no longer available",
		  "It has expired or was revoked. Ask the person who "
		  "shared it for a new one." },
		{ 413, "That was too long", "Please send something shorter." },
		{ 429, "Too many attempts",
		  "Too many unknown links were opened from your address. "
		  "Wait a minute and try again." },
		{ 503, "Temporarily unavailable",
		  "We could not reach our storage. Try again shortly." },
	};
	const char *title = "Something went wrong";
	const char *text = "Please try again later.";
	buf_t b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		if (pages[i].status == status) {
			title = pages[i].title;
			text = pages[i].text;
		}
	}
	page_head(&b, title);
	buf_printf(&b, "<main class=\"error\" data-status=\"%d\"><h1>", status);
	buf_html(&b, title);
	buf_puts(&b, "</h1><p>");
	buf_html(&b, text);
	buf_puts(&b, "</p>");
	if (detail != NULL) {
		buf_puts(&b, "<p class=\"meta\">");
		buf_html(&b, detail);
		buf_puts(&b, "</p>");
	}
	if (login_url != NULL) {
		buf_puts(&b, "<p><a class=\"login\" href=\"");
		buf_html(&b, login_url);
		buf_puts(&b, "\">Sign in</a></p>");
	}
	buf_printf(&b, "<p class=\"meta\">Error %d</p></main></body></html>\n",
		   status);
	return buf_steal(&b);
}

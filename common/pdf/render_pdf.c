/*
 * The PDF export of a transcript view (render.h): the header with the
 * conversation and the export, the summary, the annotated context and
 * tags, every message with its head, text and citations, and the
 * annotated notes thread, set on pages by the typesetter (typeset.h).
 * This file decides what goes on the page, in which words, fonts and
 * colours; typeset.c how it is shaped, broken into lines and drawn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/buf.h"
#include "sharing/transcript.h"
#include "pdf/typeset.h"
#include "pdf/render_pdf.h"

/* Message text and list items are indented under their heading. */
#define PDF_INDENT 12.0

#define PDF_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct typeset_rgb pdf_black = { 0.12, 0.14, 0.16 };
static const struct typeset_rgb pdf_grey = { 0.34, 0.38, 0.42 };
static const struct typeset_rgb pdf_rule = { 0.82, 0.84, 0.87 };
static const struct typeset_rgb pdf_link = { 0.04, 0.41, 0.85 };
static const struct typeset_rgb pdf_focus_bg = { 1.0, 0.98, 0.87 };
static const struct typeset_rgb pdf_internal = { 0.74, 0.30, 0.0 };
static const struct typeset_rgb pdf_focus_fg = { 0.60, 0.45, 0.0 };

/* Each sender's label colour; an unknown sender's label stays black. */
static const struct {
	const char *sender;
	struct typeset_rgb rgb;
} pdf_senders[] = {
	{ "contact", { 0.04, 0.41, 0.85 } },
	{ "ai", { 0.51, 0.31, 0.85 } },
	{ "agent", { 0.10, 0.50, 0.22 } },
	{ "system", { 0.40, 0.40, 0.40 } },
};

/* A document being made: the typesetter and the text being composed. */
struct pdf {
	typeset_t *ts;
	typeset_text_t *main, *body; /* a heading and the text below */
	int f_title, f_text, f_head; /* the typesetter's fonts */
	buf_t text;		     /* the text being composed */
	struct typeset_span spans[8]; /* its bold parts */
	size_t nspans;
};

/*
 * Lay out len bytes of s in font into t, indent points in; the spans
 * added since the last layout are bold.  -1 when out of memory.
 */
static int pdf_lay(struct pdf *p, typeset_text_t *t, const char *s,
		   size_t len, int font, double indent)
{
	size_t n = p->nspans;

	p->nspans = 0;
	return typeset_lay(p->ts, t, s, len, font, indent, p->spans, n);
}

/* Lay out the composed text p->text. */
static int pdf_lay_text(struct pdf *p, typeset_text_t *t, int font,
			double indent)
{
	if (p->text.failed) {
		p->nspans = 0;
		return -1;
	}
	return pdf_lay(p, t, buf_str(&p->text), p->text.len, font, indent);
}

/* Mark [from, to) of the composed text bold, in colour fg when given. */
static void pdf_span(struct pdf *p, size_t from, size_t to,
		     const struct typeset_rgb *fg)
{
	if (p->nspans == PDF_LEN(p->spans))
		return;
	p->spans[p->nspans].from = from;
	p->spans[p->nspans].to = to;
	p->spans[p->nspans].fg = fg;
	p->nspans++;
}

/* ------------------------------------------------------------------ */
/* The document's parts                                               */

/* The one reason the document itself fails, in err. */
static void pdf_oom(char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "could not render the pdf: %s",
			 "out of memory");
}

static const char *pdf_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int pdf_set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static void pdf_reset(buf_t *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/*
 * Append a one-line value: every character pango would break a line at
 * (CR, LF, VT, FF, NEL, U+2028, U+2029) becomes a space, so a name or a
 * title cannot start a line that looks like a heading.
 */
static void pdf_inline(buf_t *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		n = strcspn((const char *)p, "\r\n\v\f\xc2\xe2");
		buf_append(b, (const char *)p, n);
		p += n;
		if (*p == '\0')
			break;
		if (*p == 0xc2 && p[1] == 0x85) {
			p += 2;
		} else if (*p == 0xe2 && p[1] == 0x80 &&
			   (p[2] == 0xa8 || p[2] == 0xa9)) {
			p += 3;
		} else if (*p == 0xc2 || *p == 0xe2) {
			buf_append(b, (const char *)p, 1);
			p++;
			continue;
		} else {
			p++;
		}
		buf_append(b, " ", 1);
	}
}

static int pdf_section(struct pdf *p, const char *title)
{
	/* A title is kept with at least two lines of what follows. */
	if (typeset_gap(p->ts, 10, NULL) < 0 ||
	    pdf_lay(p, p->main, title, strlen(title), p->f_title, 0) < 0 ||
	    typeset_need(p->ts, typeset_text_first_line(p->main) + 30) < 0 ||
	    typeset_flow(p->ts, p->main, &pdf_black, NULL, NULL) < 0)
		return -1;
	return typeset_gap(p->ts, 3, NULL);
}

/* Start a "Term: " field in the text; returns where its value begins. */
static size_t pdf_term(struct pdf *p, const char *term)
{
	pdf_reset(&p->text);
	buf_puts(&p->text, term);
	buf_puts(&p->text, ": ");
	return p->text.len;
}

/* Draw the field begun by pdf_term(), its term in bold. */
static int pdf_term_end(struct pdf *p, size_t n)
{
	pdf_span(p, 0, n, NULL);
	if (pdf_lay_text(p, p->main, p->f_text, 0) < 0)
		return -1;
	return typeset_flow(p->ts, p->main, &pdf_black, NULL, NULL);
}

/* "Term: value" when value is set; multiline keeps its line breaks. */
static int pdf_field(struct pdf *p, const char *term, const char *value,
		     int multiline)
{
	size_t n;

	if (!pdf_set(value))
		return 0;
	n = pdf_term(p, term);
	if (multiline)
		buf_puts(&p->text, value);
	else
		pdf_inline(&p->text, value);
	return pdf_term_end(p, n);
}

/* "Title: a, b" when tags holds at least one non-empty string. */
static int pdf_tags(struct pdf *p, const char *title, const json_t *tags)
{
	const char *sep = "";
	size_t i, n;
	json_t *t;

	n = pdf_term(p, title);
	json_array_foreach(tags, i, t) {
		if (!pdf_set(json_string_value(t)))
			continue;
		buf_puts(&p->text, sep);
		pdf_inline(&p->text, json_string_value(t));
		sep = ", ";
	}
	if (sep[0] == '\0')
		return 0;
	return pdf_term_end(p, n);
}

/* Plain text (no bold) in the body font, indented. */
static int pdf_body(struct pdf *p, const char *s,
		    const struct typeset_rgb *fg, const struct typeset_rgb *bg)
{
	if (pdf_lay(p, p->body, s, strlen(s), p->f_text, PDF_INDENT) < 0)
		return -1;
	return typeset_flow(p->ts, p->body, fg, bg, NULL);
}

/* "What the AI tried": the list's title, then one bullet a try. */
static int pdf_tries(struct pdf *p, const json_t *tried)
{
	size_t i, n = 0;
	json_t *v;

	json_array_foreach(tried, i, v) {
		if (!pdf_set(json_string_value(v)))
			continue;
		/* The list's title, before its first item. */
		if (n++ == 0 &&
		    pdf_term_end(p, pdf_term(p, "What the AI tried")) < 0)
			return -1;
		pdf_reset(&p->text);
		buf_puts(&p->text, "\xe2\x80\xa2 ");
		buf_puts(&p->text, json_string_value(v));
		if (buf_str(&p->text) == NULL ||
		    pdf_body(p, buf_str(&p->text), &pdf_black, NULL) < 0)
			return -1;
	}
	return 0;
}

/* The annotated context: why, focus, action, priority, summary, tries. */
static int pdf_context(struct pdf *p, const json_t *ctx)
{
	const json_t *focus = json_object_get(ctx, "focus");
	long long from, to;
	size_t n;

	if (!json_is_object(ctx) || json_object_size(ctx) == 0)
		return 0;
	if (pdf_section(p, "Context") < 0 ||
	    pdf_field(p, "Priority", pdf_str(ctx, "priority"), 0) < 0 ||
	    pdf_field(p, "Why it is shared", pdf_str(ctx, "reason"), 1) < 0 ||
	    pdf_field(p, "Summary", pdf_str(ctx, "summary"), 1) < 0)
		return -1;
	if (json_is_integer(json_object_get(focus, "from_seq"))) {
		from = json_integer_value(json_object_get(focus, "from_seq"));
		to = json_is_integer(json_object_get(focus, "to_seq"))
			     ? json_integer_value(
				       json_object_get(focus, "to_seq"))
			     : from;
		n = pdf_term(p, "Focus");
		if (to > from)
			buf_printf(&p->text, "Messages %lld\xe2\x80\x93%lld",
				   from, to);
		else
			buf_printf(&p->text, "Message %lld", from);
		if (pdf_term_end(p, n) < 0)
			return -1;
	}
	if (pdf_field(p, "Action needed", pdf_str(ctx, "action"), 1) < 0)
		return -1;
	return pdf_tries(p, json_object_get(ctx, "ai_attempts"));
}

/* Append "Term: value  ·  " with the term bold, when value is set. */
static void pdf_stat(struct pdf *p, const char *term, const char *value)
{
	size_t n = p->text.len;

	if (!pdf_set(value))
		return;
	buf_puts(&p->text, term);
	pdf_span(p, n, p->text.len, NULL);
	buf_puts(&p->text, " ");
	pdf_inline(&p->text, value);
	buf_puts(&p->text, "  \xc2\xb7  ");
}

/* The first page's summary: title, status, channel, count, contact. */
static int pdf_summary(struct pdf *p, const json_t *view, int annotated)
{
	const json_t *conv = json_object_get(view, "conversation");
	const json_t *contact = json_object_get(conv, "contact");
	const char *id = pdf_str(conv, "conversation_id");
	size_t count = json_array_size(json_object_get(view, "messages"));
	static const char *const who[] = { "name", "email", "phone", "id" };
	const char *sep = "";
	size_t i, n;

	pdf_reset(&p->text);
	buf_puts(&p->text, "Conversation ");
	pdf_inline(&p->text, id != NULL ? id : "");
	if (pdf_lay_text(p, p->main, p->f_title, 0) < 0 ||
	    typeset_flow(p->ts, p->main, &pdf_black, NULL, NULL) < 0 ||
	    typeset_gap(p->ts, 3, NULL) < 0)
		return -1;

	/* "Status: open  ·  Channel: chat  ·  Messages: 3", terms bold. */
	pdf_reset(&p->text);
	pdf_stat(p, "Status:", pdf_str(conv, "status"));
	pdf_stat(p, "Channel:", pdf_str(conv, "channel"));
	n = p->text.len;
	buf_puts(&p->text, "Messages:");
	pdf_span(p, n, p->text.len, NULL);
	buf_printf(&p->text, " %zu", count);
	if (pdf_lay_text(p, p->main, p->f_text, 0) < 0 ||
	    typeset_flow(p->ts, p->main, &pdf_black, NULL, NULL) < 0)
		return -1;

	if (json_is_object(contact)) {
		n = pdf_term(p, "Contact");
		for (i = 0; i < PDF_LEN(who); i++) {
			if (!pdf_set(pdf_str(contact, who[i])))
				continue;
			buf_puts(&p->text, sep);
			pdf_inline(&p->text, pdf_str(contact, who[i]));
			sep = "  \xc2\xb7  ";
		}
		if (sep[0] != '\0' && pdf_term_end(p, n) < 0)
			return -1;
	}
	if (!annotated)
		return 0;
	if (pdf_context(p, json_object_get(json_object_get(view, "share"),
					   "context")) < 0 ||
	    typeset_gap(p->ts, 4, NULL) < 0 ||
	    pdf_tags(p, "Signal tags", json_object_get(conv, "tags")) < 0 ||
	    pdf_tags(p, "Review tags", json_object_get(view, "review_tags")) <
		    0)
		return -1;
	return 0;
}

/* A citation: "Title — url", a link only when the URL is http(s). */
static int pdf_citation(struct pdf *p, const json_t *c,
			const struct typeset_rgb *bg)
{
	const char *title = pdf_str(c, "title"), *url = pdf_str(c, "url");
	const char *link = NULL;

	if (!pdf_set(title) && !pdf_set(url))
		return 0;
	pdf_reset(&p->text);
	buf_puts(&p->text, "\xe2\x86\x97 ");
	if (pdf_set(title))
		pdf_inline(&p->text, title);
	if (pdf_set(title) && pdf_set(url))
		buf_puts(&p->text, " \xe2\x80\x94 ");
	if (pdf_set(url))
		pdf_inline(&p->text, url);
	if (pdf_set(url) && (strncmp(url, "https://", 8) == 0 ||
			     strncmp(url, "http://", 7) == 0))
		link = url;
	if (pdf_lay_text(p, p->main, p->f_head, PDF_INDENT) < 0)
		return -1;
	return typeset_flow(p->ts, p->main,
			    link != NULL ? &pdf_link : &pdf_grey, bg, link);
}

/* Append a head mark ("  ·  Focus") in colour c and bold. */
static void pdf_mark(struct pdf *p, const char *mark,
		     const struct typeset_rgb *c)
{
	size_t n;

	buf_puts(&p->text, "  \xc2\xb7  ");
	n = p->text.len;
	buf_puts(&p->text, mark);
	pdf_span(p, n, p->text.len, c);
}

/* Compose a message's head: "#seq  Label  name  ·  sent_at  ·  marks". */
static void pdf_head(struct pdf *p, const json_t *m, int focus)
{
	const char *label = pdf_str(m, "label"), *sender = pdf_str(m, "sender");
	const char *name = pdf_str(m, "sender_name");
	const char *sent = pdf_str(m, "sent_at");
	const struct typeset_rgb *colour = &pdf_black;
	size_t i, n;

	for (i = 0; sender != NULL && i < PDF_LEN(pdf_senders); i++)
		if (strcmp(sender, pdf_senders[i].sender) == 0)
			colour = &pdf_senders[i].rgb;
	if (label == NULL)
		label = sender != NULL ? sender : "";
	pdf_reset(&p->text);
	buf_printf(&p->text, "#%lld  ",
		   (long long)json_integer_value(json_object_get(m, "seq")));
	n = p->text.len;
	pdf_inline(&p->text, label);
	pdf_span(p, n, p->text.len, colour);
	if (pdf_set(name)) {
		buf_puts(&p->text, "  ");
		pdf_inline(&p->text, name);
	}
	if (pdf_set(sent)) {
		buf_puts(&p->text, "  \xc2\xb7  ");
		pdf_inline(&p->text, sent);
	}
	if (json_is_true(json_object_get(m, "internal")))
		pdf_mark(p, "Internal note", &pdf_internal);
	if (focus)
		pdf_mark(p, "Focus", &pdf_focus_fg);
}

/*
 * One message: its head, the text and the citations; on a highlight when
 * annotated and in the focus range.  The head is kept on the page of the
 * text's first line.
 */
static int pdf_message(struct pdf *p, const json_t *m, int annotated)
{
	const char *text = pdf_str(m, "text");
	const json_t *cites = json_object_get(m, "citations");
	int focus = annotated && json_is_true(json_object_get(m, "focus"));
	const struct typeset_rgb *bg = focus ? &pdf_focus_bg : NULL;
	double need;
	size_t i;
	json_t *c;

	pdf_head(p, m, focus);
	if (pdf_lay_text(p, p->main, p->f_head, 0) < 0 ||
	    typeset_gap(p->ts, 8, NULL) < 0)
		return -1;
	need = typeset_text_height(p->main) + 4;
	if (pdf_set(text)) {
		if (pdf_lay(p, p->body, text, strlen(text), p->f_text,
			    PDF_INDENT) < 0)
			return -1;
		need += typeset_text_first_line(p->body);
	}
	if (typeset_need(p->ts, need) < 0 || typeset_gap(p->ts, 2, bg) < 0 ||
	    typeset_flow(p->ts, p->main, &pdf_grey, bg, NULL) < 0)
		return -1;
	if (pdf_set(text) &&
	    (typeset_gap(p->ts, 1, bg) < 0 ||
	     typeset_flow(p->ts, p->body, &pdf_black, bg, NULL) < 0))
		return -1;
	json_array_foreach(cites, i, c) {
		if (pdf_citation(p, c, bg) < 0)
			return -1;
	}
	return typeset_gap(p->ts, 2, bg);
}

/* One note: "author  ·  created_at  ·  on #seq" (seq may be NULL), text. */
static int pdf_note(struct pdf *p, const json_t *n, const json_t *seq)
{
	const char *author = pdf_str(n, "author");
	const char *at = pdf_str(n, "created_at"), *text = pdf_str(n, "text");
	size_t k;

	pdf_reset(&p->text);
	pdf_inline(&p->text, pdf_set(author) ? author : "Note");
	pdf_span(p, 0, p->text.len, &pdf_black);
	if (pdf_set(at)) {
		buf_puts(&p->text, "  \xc2\xb7  ");
		pdf_inline(&p->text, at);
	}
	if (seq != NULL) {
		buf_puts(&p->text, "  \xc2\xb7  ");
		k = p->text.len;
		buf_printf(&p->text, "on #%lld",
			   (long long)json_integer_value(seq));
		pdf_span(p, k, p->text.len, NULL);
	}
	if (pdf_lay_text(p, p->main, p->f_head, 0) < 0 ||
	    typeset_gap(p->ts, 6, NULL) < 0 ||
	    typeset_need(p->ts, 2 * typeset_text_first_line(p->main) + 2) <
		    0 ||
	    typeset_flow(p->ts, p->main, &pdf_grey, NULL, NULL) < 0)
		return -1;
	if (pdf_set(text) && pdf_body(p, text, &pdf_black, NULL) < 0)
		return -1;
	return 0;
}

/* The annotated notes thread. */
static int pdf_notes(struct pdf *p, const json_t *notes, const json_t *msgs)
{
	const char *mid;
	json_t *idx, *n;
	size_t i;

	if (pdf_section(p, "Notes") < 0)
		return -1;
	if (json_array_size(notes) == 0)
		return pdf_body(p, "No notes.", &pdf_grey, NULL);
	idx = transcript_seq_index(msgs);
	if (idx == NULL)
		return -1;
	json_array_foreach(notes, i, n) {
		mid = pdf_str(n, "message_id");
		if (pdf_note(p, n, mid != NULL ? json_object_get(idx, mid)
					       : NULL) < 0) {
			json_decref(idx);
			return -1;
		}
	}
	json_decref(idx);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The document                                                       */

/*
 * The header's text in p->text and the document's title in title: the
 * conversation, then the export's details.  -1 when out of memory.
 */
static int pdf_header(struct pdf *p, buf_t *title, const json_t *view,
		      const struct render_opts *o)
{
	const char *id = pdf_str(json_object_get(view, "conversation"),
				 "conversation_id");
	const char *sep = "";

	buf_puts(title, "Conversation ");
	pdf_inline(title, id != NULL ? id : "");
	pdf_reset(&p->text);
	buf_puts(&p->text, buf_str(title) != NULL ? buf_str(title) : "");
	buf_puts(&p->text, "\n");
	if (pdf_set(o->exported_at)) {
		buf_puts(&p->text, "Exported ");
		pdf_inline(&p->text, o->exported_at);
		sep = "  \xc2\xb7  ";
	}
	if (pdf_set(o->tenant)) {
		buf_puts(&p->text, sep);
		buf_puts(&p->text, "Tenant ");
		pdf_inline(&p->text, o->tenant);
		sep = "  \xc2\xb7  ";
	}
	if (pdf_set(o->export_id)) {
		buf_puts(&p->text, sep);
		buf_puts(&p->text, "Export ");
		pdf_inline(&p->text, o->export_id);
	}
	return buf_str(title) == NULL || buf_str(&p->text) == NULL ? -1 : 0;
}

/* The typesetter with its header and fonts, and the two texts. */
static int pdf_open(struct pdf *p, const json_t *view,
		    const struct render_opts *o, char *err, size_t errlen)
{
	struct typeset_opts to = { NULL, "Goldilocks Share", NULL,
				   "Noto Sans 8", pdf_grey, pdf_rule };
	buf_t title = BUF_INIT;
	int rc = -1;

	if (pdf_header(p, &title, view, o) < 0)
		goto oom;
	to.title = buf_str(&title);
	to.header = buf_str(&p->text);
	p->ts = typeset_new(&to, err, errlen);
	if (p->ts == NULL)
		goto done;
	p->f_title = typeset_font(p->ts, "Noto Sans Bold 12");
	p->f_text = typeset_font(p->ts, "Noto Sans 10");
	p->f_head = typeset_font(p->ts, "Noto Sans 9");
	p->main = typeset_text_new();
	p->body = typeset_text_new();
	if (p->f_title < 0 || p->f_text < 0 || p->f_head < 0 ||
	    p->main == NULL || p->body == NULL)
		goto oom;
	rc = 0;
	goto done;
oom:
	pdf_oom(err, errlen);
done:
	buf_free(&title);
	return rc;
}

/* Free what pdf_open() made (any part may be missing). */
static void pdf_close(struct pdf *p)
{
	typeset_text_free(p->main);
	typeset_text_free(p->body);
	typeset_free(p->ts);
	buf_free(&p->text);
}

/* Everything on the pages, in order. */
static int pdf_document(struct pdf *p, const json_t *view, int annotated)
{
	const json_t *msgs = json_object_get(view, "messages");
	size_t i;
	json_t *m;

	if (pdf_summary(p, view, annotated) < 0 ||
	    pdf_section(p, "Transcript") < 0)
		return -1;
	if (json_array_size(msgs) == 0 &&
	    pdf_body(p, "No messages.", &pdf_grey, NULL) < 0)
		return -1;
	json_array_foreach(msgs, i, m) {
		if (pdf_message(p, m, annotated) < 0)
			return -1;
	}
	if (annotated &&
	    pdf_notes(p, json_object_get(view, "notes"), msgs) < 0)
		return -1;
	return 0;
}

int render_pdf(const json_t *view, const struct render_opts *o,
	       unsigned char **out, size_t *len, char *err, size_t errlen)
{
	static const struct render_opts none;
	struct pdf p;
	int rc = -1;

	*out = NULL;
	*len = 0;
	memset(&p, 0, sizeof(p));
	if (!json_is_object(view)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "no transcript view to render");
		return -1;
	}
	if (o == NULL)
		o = &none;
	if (pdf_open(&p, view, o, err, errlen) < 0)
		goto done;
	/* Every failure on the way is a lack of memory.  The first pass
	 * counts the pages, the second draws them. */
	if (pdf_document(&p, view, o->annotated) < 0 ||
	    typeset_rewind(p.ts) < 0 ||
	    pdf_document(&p, view, o->annotated) < 0) {
		pdf_oom(err, errlen);
		goto done;
	}
	rc = typeset_finish(p.ts, out, len, err, errlen);
done:
	pdf_close(&p);
	return rc;
}

void render_pdf_cleanup(void)
{
	typeset_cleanup();
}

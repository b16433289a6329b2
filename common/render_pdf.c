/*
 * The PDF export of a transcript view (render.h), drawn with cairo's PDF
 * surface into memory and pango for the text, so every script stays real,
 * selectable text (fontconfig falls back from Noto Sans to Noto Sans CJK
 * and Noto Color Emoji).  Content is only ever handed to pango as plain
 * text, never as markup.  One pango context and one layout per kind of
 * text (title, field, message head, message body, page header, page
 * footer) serve the whole document; text flows line by line, so a message
 * longer than the room left on a page continues on the next one, and the
 * header and the page number are drawn when a page begins.  Pango is not
 * thread-safe: everything here runs on the calling thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "buf.h"
#include "render.h"

/* A4 in PDF units (points), with pango set to 72 dpi so 1 pt is 1 unit. */
#define PDF_PAGE_W  595.28
#define PDF_PAGE_H  841.89
#define PDF_MARGIN  48.0
#define PDF_TEXT_W  (PDF_PAGE_W - 2 * PDF_MARGIN)
/* The header sits in the top margin, the page number in the bottom one. */
#define PDF_HEADER_Y 18.0
#define PDF_RULE_Y   44.0
#define PDF_TOP      56.0
#define PDF_BOTTOM   (PDF_PAGE_H - PDF_MARGIN)
#define PDF_FOOTER_Y (PDF_PAGE_H - 34.0)
/* Message text and list items are indented under their heading. */
#define PDF_INDENT 12.0
/* The focus highlight reaches this far outside the text. */
#define PDF_PAD 4.0

#define PDF_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct pdf_rgb {
	double r, g, b;
};

static const struct pdf_rgb pdf_black = { 0.12, 0.14, 0.16 };
static const struct pdf_rgb pdf_grey = { 0.34, 0.38, 0.42 };
static const struct pdf_rgb pdf_rule = { 0.82, 0.84, 0.87 };
static const struct pdf_rgb pdf_link = { 0.04, 0.41, 0.85 };
static const struct pdf_rgb pdf_focus_bg = { 1.0, 0.98, 0.87 };
static const struct pdf_rgb pdf_internal = { 0.74, 0.30, 0.0 };
static const struct pdf_rgb pdf_focus_fg = { 0.60, 0.45, 0.0 };

/* Each sender's label colour; an unknown sender's label stays black. */
static const struct {
	const char *sender;
	struct pdf_rgb rgb;
} pdf_senders[] = {
	{ "contact", { 0.04, 0.41, 0.85 } },
	{ "ai", { 0.51, 0.31, 0.85 } },
	{ "agent", { 0.10, 0.50, 0.22 } },
	{ "system", { 0.40, 0.40, 0.40 } },
};

struct pdf {
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoContext *pc;
	PangoFontDescription *f_title, *f_text, *f_head, *f_small;
	/* title: section titles; meta: fields and lists; head: a message's
	 * first line, citations and note heads; body: message and note
	 * text; header and footer: the page furniture. */
	PangoLayout *title, *meta, *head, *body, *header, *footer;
	buf_t out;  /* the PDF bytes, written by cairo */
	buf_t text; /* the text being composed for a layout */
	buf_t attr; /* a link's tag attributes */
	double y;   /* where the next line goes */
	int page;
	int oom;
};

/* cairo's output: appended to the memory buffer. */
static cairo_status_t pdf_write(void *closure, const unsigned char *data,
				unsigned int n)
{
	buf_t *b = closure;

	buf_append(b, (const char *)data, n);
	return b->failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
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

static void pdf_color(struct pdf *p, const struct pdf_rgb *c)
{
	cairo_set_source_rgb(p->cr, c->r, c->g, c->b);
}

static PangoAttribute *pdf_fg(const struct pdf_rgb *c, size_t from,
			      size_t to)
{
	PangoAttribute *a = pango_attr_foreground_new(
		(guint16)(c->r * 65535), (guint16)(c->g * 65535),
		(guint16)(c->b * 65535));

	a->start_index = (guint)from;
	a->end_index = (guint)to;
	return a;
}

static PangoAttribute *pdf_bold(size_t from, size_t to)
{
	PangoAttribute *a = pango_attr_weight_new(PANGO_WEIGHT_BOLD);

	a->start_index = (guint)from;
	a->end_index = (guint)to;
	return a;
}

/* The page furniture: header, rule and page number. */
static void pdf_page_begin(struct pdf *p)
{
	char num[32];

	p->page++;
	pdf_color(p, &pdf_grey);
	cairo_move_to(p->cr, PDF_MARGIN, PDF_HEADER_Y);
	pango_cairo_show_layout(p->cr, p->header);
	snprintf(num, sizeof(num), "Page %d", p->page);
	pango_layout_set_text(p->footer, num, -1);
	cairo_move_to(p->cr, PDF_MARGIN, PDF_FOOTER_Y);
	pango_cairo_show_layout(p->cr, p->footer);
	pdf_color(p, &pdf_rule);
	cairo_set_line_width(p->cr, 0.5);
	cairo_move_to(p->cr, PDF_MARGIN, PDF_RULE_Y);
	cairo_line_to(p->cr, PDF_MARGIN + PDF_TEXT_W, PDF_RULE_Y);
	cairo_stroke(p->cr);
	p->y = PDF_TOP;
}

static void pdf_page_break(struct pdf *p)
{
	cairo_show_page(p->cr);
	pdf_page_begin(p);
}

/* Start a new page unless h more points fit on this one. */
static void pdf_need(struct pdf *p, double h)
{
	if (p->y + h > PDF_BOTTOM && p->y > PDF_TOP)
		pdf_page_break(p);
}

/* Move down by h, filling the gap with bg when given. */
static void pdf_gap(struct pdf *p, double h, const struct pdf_rgb *bg)
{
	if (p->y + h > PDF_BOTTOM) {
		p->y = PDF_BOTTOM;
		return;
	}
	if (bg != NULL) {
		pdf_color(p, bg);
		cairo_rectangle(p->cr, PDF_MARGIN - PDF_PAD, p->y,
				PDF_TEXT_W + 2 * PDF_PAD, h);
		cairo_fill(p->cr);
	}
	p->y += h;
}

/*
 * Draw a layout's lines from the current position at x, in colour fg
 * (attributes may override it), each on a highlight of colour bg when
 * given, each inside a link to the tag attributes link when given.  A
 * line that does not fit goes to the next page, so a layout of any length
 * is split between pages with every line drawn once.
 */
static void pdf_flow(struct pdf *p, PangoLayout *l, double x,
		     const struct pdf_rgb *fg, const struct pdf_rgb *bg,
		     const char *link)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	PangoRectangle r;
	double h, base;

	do {
		pango_layout_iter_get_line_extents(it, NULL, &r);
		h = (double)r.height / PANGO_SCALE;
		base = (double)(pango_layout_iter_get_baseline(it) - r.y) /
		       PANGO_SCALE;
		pdf_need(p, h);
		if (bg != NULL) {
			pdf_color(p, bg);
			cairo_rectangle(p->cr, PDF_MARGIN - PDF_PAD, p->y,
					PDF_TEXT_W + 2 * PDF_PAD, h);
			cairo_fill(p->cr);
		}
		if (link != NULL)
			cairo_tag_begin(p->cr, CAIRO_TAG_LINK, link);
		pdf_color(p, fg);
		cairo_move_to(p->cr, x + (double)r.x / PANGO_SCALE,
			      p->y + base);
		pango_cairo_show_layout_line(
			p->cr, pango_layout_iter_get_line_readonly(it));
		if (link != NULL)
			cairo_tag_end(p->cr, CAIRO_TAG_LINK);
		p->y += h;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

/* The height of a layout's first line. */
static double pdf_first_line(PangoLayout *l)
{
	PangoRectangle r;

	pango_layout_line_get_extents(pango_layout_get_line_readonly(l, 0),
				      NULL, &r);
	return (double)r.height / PANGO_SCALE;
}

/*
 * Set the composed text on a layout with attrs (taken; may be NULL).
 * -1 when composing ran out of memory.
 */
static int pdf_text(struct pdf *p, PangoLayout *l, PangoAttrList *attrs)
{
	const char *s = buf_str(&p->text);

	if (s == NULL) {
		if (attrs != NULL)
			pango_attr_list_unref(attrs);
		p->oom = 1;
		return -1;
	}
	pango_layout_set_attributes(l, attrs);
	if (attrs != NULL)
		pango_attr_list_unref(attrs);
	pango_layout_set_text(l, s, -1);
	return 0;
}

static int pdf_section(struct pdf *p, const char *title)
{
	pdf_gap(p, 10, NULL);
	pdf_reset(&p->text);
	buf_puts(&p->text, title);
	if (pdf_text(p, p->title, NULL) < 0)
		return -1;
	/* A title is kept with at least two lines of what follows. */
	pdf_need(p, pdf_first_line(p->title) + 30);
	pdf_flow(p, p->title, PDF_MARGIN, &pdf_black, NULL, NULL);
	pdf_gap(p, 3, NULL);
	return 0;
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
	PangoAttrList *attrs = pango_attr_list_new();

	pango_attr_list_insert(attrs, pdf_bold(0, n));
	if (pdf_text(p, p->meta, attrs) < 0)
		return -1;
	pdf_flow(p, p->meta, PDF_MARGIN, &pdf_black, NULL, NULL);
	return 0;
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

/* Plain text (no attributes) in the body layout, indented. */
static void pdf_body(struct pdf *p, const char *s, const struct pdf_rgb *fg,
		     const struct pdf_rgb *bg)
{
	pango_layout_set_text(p->body, s, -1);
	pdf_flow(p, p->body, PDF_MARGIN + PDF_INDENT, fg, bg, NULL);
}

/* The annotated context: why, focus, action, priority, summary, tries. */
static int pdf_context(struct pdf *p, const json_t *ctx)
{
	const json_t *focus = json_object_get(ctx, "focus");
	const json_t *tried = json_object_get(ctx, "ai_attempts");
	long long from, to;
	size_t i, n;
	json_t *v;

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
	n = 0;
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
		if (buf_str(&p->text) == NULL) {
			p->oom = 1;
			return -1;
		}
		pdf_body(p, buf_str(&p->text), &pdf_black, NULL);
	}
	return 0;
}

/* The first page's summary: title, status, channel, count, contact. */
static int pdf_summary(struct pdf *p, const json_t *view, int annotated)
{
	const json_t *conv = json_object_get(view, "conversation");
	const json_t *contact = json_object_get(conv, "contact");
	const char *status = pdf_str(conv, "status");
	const char *channel = pdf_str(conv, "channel");
	const char *id = pdf_str(conv, "conversation_id");
	size_t count = json_array_size(json_object_get(view, "messages"));
	static const char *const who[] = { "name", "email", "phone", "id" };
	PangoAttrList *attrs;
	const char *sep = "";
	size_t i, n;

	pdf_reset(&p->text);
	buf_puts(&p->text, "Conversation ");
	pdf_inline(&p->text, id != NULL ? id : "");
	if (pdf_text(p, p->title, NULL) < 0)
		return -1;
	pdf_flow(p, p->title, PDF_MARGIN, &pdf_black, NULL, NULL);
	pdf_gap(p, 3, NULL);

	/* "Status: open  ·  Channel: chat  ·  Messages: 3", terms bold. */
	pdf_reset(&p->text);
	attrs = pango_attr_list_new();
	if (pdf_set(status)) {
		n = p->text.len;
		buf_puts(&p->text, "Status:");
		pango_attr_list_insert(attrs, pdf_bold(n, p->text.len));
		buf_puts(&p->text, " ");
		pdf_inline(&p->text, status);
		buf_puts(&p->text, "  \xc2\xb7  ");
	}
	if (pdf_set(channel)) {
		n = p->text.len;
		buf_puts(&p->text, "Channel:");
		pango_attr_list_insert(attrs, pdf_bold(n, p->text.len));
		buf_puts(&p->text, " ");
		pdf_inline(&p->text, channel);
		buf_puts(&p->text, "  \xc2\xb7  ");
	}
	n = p->text.len;
	buf_puts(&p->text, "Messages:");
	pango_attr_list_insert(attrs, pdf_bold(n, p->text.len));
	buf_printf(&p->text, " %zu", count);
	if (pdf_text(p, p->meta, attrs) < 0)
		return -1;
	pdf_flow(p, p->meta, PDF_MARGIN, &pdf_black, NULL, NULL);

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
					   "context")) < 0)
		return -1;
	pdf_gap(p, 4, NULL);
	if (pdf_tags(p, "Signal tags", json_object_get(conv, "tags")) < 0 ||
	    pdf_tags(p, "Review tags", json_object_get(view, "review_tags")) <
		    0)
		return -1;
	return 0;
}

/*
 * The attributes of a link to url: "uri='…'" with ' and \ escaped as
 * cairo's attribute parser wants them.  The string lives in p->attr until
 * the next link; NULL when out of memory.
 */
static const char *pdf_link_attr(struct pdf *p, const char *url)
{
	const char *s;

	pdf_reset(&p->attr);
	buf_puts(&p->attr, "uri='");
	for (s = url; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			buf_append(&p->attr, "\\", 1);
		buf_append(&p->attr, s, 1);
	}
	buf_puts(&p->attr, "'");
	return buf_str(&p->attr);
}

/* A citation: "Title — url", a link only when the URL is http(s). */
static int pdf_citation(struct pdf *p, const json_t *c,
			const struct pdf_rgb *bg)
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
			     strncmp(url, "http://", 7) == 0)) {
		link = pdf_link_attr(p, url);
		if (link == NULL) {
			p->oom = 1;
			return -1;
		}
	}
	if (pdf_text(p, p->head, NULL) < 0)
		return -1;
	pango_layout_set_width(p->head,
			       (int)((PDF_TEXT_W - PDF_INDENT) * PANGO_SCALE));
	pdf_flow(p, p->head, PDF_MARGIN + PDF_INDENT,
		 link != NULL ? &pdf_link : &pdf_grey, bg, link);
	return 0;
}

/* Append a head mark ("  ·  Focus") in colour c and bold. */
static void pdf_mark(struct pdf *p, PangoAttrList *attrs, const char *mark,
		     const struct pdf_rgb *c)
{
	size_t n;

	buf_puts(&p->text, "  \xc2\xb7  ");
	n = p->text.len;
	buf_puts(&p->text, mark);
	pango_attr_list_insert(attrs, pdf_bold(n, p->text.len));
	pango_attr_list_insert(attrs, pdf_fg(c, n, p->text.len));
}

/*
 * One message: "#seq  Label  name  ·  sent_at  ·  marks", the text and
 * the citations; on a highlight when annotated and in the focus range.
 * The head is kept on the page of the text's first line.
 */
static int pdf_message(struct pdf *p, const json_t *m, int annotated)
{
	const char *label = pdf_str(m, "label"), *sender = pdf_str(m, "sender");
	const char *name = pdf_str(m, "sender_name");
	const char *sent = pdf_str(m, "sent_at"), *text = pdf_str(m, "text");
	const json_t *cites = json_object_get(m, "citations");
	int focus = annotated && json_is_true(json_object_get(m, "focus"));
	const struct pdf_rgb *bg = focus ? &pdf_focus_bg : NULL;
	const struct pdf_rgb *colour = &pdf_black;
	PangoAttrList *attrs;
	PangoRectangle r;
	double need;
	size_t i, n;
	json_t *c;

	for (i = 0; sender != NULL && i < PDF_LEN(pdf_senders); i++)
		if (strcmp(sender, pdf_senders[i].sender) == 0)
			colour = &pdf_senders[i].rgb;
	if (label == NULL)
		label = sender != NULL ? sender : "";
	pdf_reset(&p->text);
	attrs = pango_attr_list_new();
	buf_printf(&p->text, "#%lld  ",
		   (long long)json_integer_value(json_object_get(m, "seq")));
	n = p->text.len;
	pdf_inline(&p->text, label);
	pango_attr_list_insert(attrs, pdf_bold(n, p->text.len));
	pango_attr_list_insert(attrs, pdf_fg(colour, n, p->text.len));
	if (pdf_set(name)) {
		buf_puts(&p->text, "  ");
		pdf_inline(&p->text, name);
	}
	if (pdf_set(sent)) {
		buf_puts(&p->text, "  \xc2\xb7  ");
		pdf_inline(&p->text, sent);
	}
	if (json_is_true(json_object_get(m, "internal")))
		pdf_mark(p, attrs, "Internal note", &pdf_internal);
	if (focus)
		pdf_mark(p, attrs, "Focus", &pdf_focus_fg);
	if (pdf_text(p, p->head, attrs) < 0)
		return -1;
	pango_layout_set_width(p->head, (int)(PDF_TEXT_W * PANGO_SCALE));

	pdf_gap(p, 8, NULL);
	pango_layout_get_extents(p->head, NULL, &r);
	need = (double)r.height / PANGO_SCALE + 4;
	if (pdf_set(text)) {
		pango_layout_set_text(p->body, text, -1);
		need += pdf_first_line(p->body);
	}
	pdf_need(p, need);
	pdf_gap(p, 2, bg);
	pdf_flow(p, p->head, PDF_MARGIN, &pdf_grey, bg, NULL);
	if (pdf_set(text)) {
		pdf_gap(p, 1, bg);
		pdf_flow(p, p->body, PDF_MARGIN + PDF_INDENT, &pdf_black, bg,
			 NULL);
	}
	json_array_foreach(cites, i, c) {
		if (pdf_citation(p, c, bg) < 0)
			return -1;
	}
	pdf_gap(p, 2, bg);
	return 0;
}

/*
 * The seq of each message by its id (the first message wins), for the
 * notes' "on #seq".  A new reference, or NULL when out of memory.
 */
static json_t *pdf_seq_index(const json_t *msgs)
{
	json_t *idx = json_object(), *m, *seq;
	const char *id;
	size_t i;

	if (idx == NULL)
		return NULL;
	json_array_foreach(msgs, i, m) {
		id = pdf_str(m, "message_id");
		seq = json_object_get(m, "seq");
		if (id == NULL || !json_is_integer(seq) ||
		    json_object_get(idx, id) != NULL)
			continue;
		if (json_object_set_new(idx, id,
					json_integer(json_integer_value(seq))) <
		    0) {
			json_decref(idx);
			return NULL;
		}
	}
	return idx;
}

/* The annotated notes thread: "author  ·  created_at  ·  on #seq", text. */
static int pdf_notes(struct pdf *p, const json_t *notes, const json_t *msgs)
{
	const char *author, *at, *mid, *text;
	PangoAttrList *attrs;
	json_t *idx, *n, *seq;
	size_t i, k;

	if (pdf_section(p, "Notes") < 0)
		return -1;
	if (json_array_size(notes) == 0) {
		pdf_body(p, "No notes.", &pdf_grey, NULL);
		return 0;
	}
	idx = pdf_seq_index(msgs);
	if (idx == NULL) {
		p->oom = 1;
		return -1;
	}
	json_array_foreach(notes, i, n) {
		author = pdf_str(n, "author");
		at = pdf_str(n, "created_at");
		mid = pdf_str(n, "message_id");
		text = pdf_str(n, "text");
		seq = mid != NULL ? json_object_get(idx, mid) : NULL;
		pdf_reset(&p->text);
		attrs = pango_attr_list_new();
		pdf_inline(&p->text, pdf_set(author) ? author : "Note");
		pango_attr_list_insert(attrs, pdf_bold(0, p->text.len));
		pango_attr_list_insert(attrs,
				       pdf_fg(&pdf_black, 0, p->text.len));
		if (pdf_set(at)) {
			buf_puts(&p->text, "  \xc2\xb7  ");
			pdf_inline(&p->text, at);
		}
		if (seq != NULL) {
			buf_puts(&p->text, "  \xc2\xb7  ");
			k = p->text.len;
			buf_printf(&p->text, "on #%lld",
				   (long long)json_integer_value(seq));
			pango_attr_list_insert(attrs,
					       pdf_bold(k, p->text.len));
		}
		if (pdf_text(p, p->head, attrs) < 0) {
			json_decref(idx);
			return -1;
		}
		pango_layout_set_width(p->head,
				       (int)(PDF_TEXT_W * PANGO_SCALE));
		pdf_gap(p, 6, NULL);
		pdf_need(p, 2 * pdf_first_line(p->head) + 2);
		pdf_flow(p, p->head, PDF_MARGIN, &pdf_grey, NULL, NULL);
		if (pdf_set(text))
			pdf_body(p, text, &pdf_black, NULL);
	}
	json_decref(idx);
	return 0;
}

static PangoLayout *pdf_layout(struct pdf *p, const PangoFontDescription *f,
			       double width)
{
	PangoLayout *l = pango_layout_new(p->pc);

	pango_layout_set_font_description(l, f);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	return l;
}

/* The surface, the context, the fonts and the layouts. */
static int pdf_open(struct pdf *p, const json_t *view,
		    const struct render_opts *o)
{
	const char *id = pdf_str(json_object_get(view, "conversation"),
				 "conversation_id");
	const char *sep = "";

	p->surface = cairo_pdf_surface_create_for_stream(pdf_write, &p->out,
							 PDF_PAGE_W,
							 PDF_PAGE_H);
	if (cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS)
		return -1;
	p->cr = cairo_create(p->surface);
	if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS)
		return -1;
	/* The thread's default font map keeps its font cache between
	 * calls. */
	p->pc = pango_font_map_create_context(
		pango_cairo_font_map_get_default());
	pango_cairo_update_context(p->cr, p->pc);
	pango_cairo_context_set_resolution(p->pc, 72);
	pango_context_set_round_glyph_positions(p->pc, FALSE);

	p->f_title = pango_font_description_from_string("Noto Sans Bold 12");
	p->f_text = pango_font_description_from_string("Noto Sans 10");
	p->f_head = pango_font_description_from_string("Noto Sans 9");
	p->f_small = pango_font_description_from_string("Noto Sans 8");
	p->title = pdf_layout(p, p->f_title, PDF_TEXT_W);
	p->meta = pdf_layout(p, p->f_text, PDF_TEXT_W);
	p->head = pdf_layout(p, p->f_head, PDF_TEXT_W);
	p->body = pdf_layout(p, p->f_text, PDF_TEXT_W - PDF_INDENT);
	p->header = pdf_layout(p, p->f_small, PDF_TEXT_W);
	p->footer = pdf_layout(p, p->f_small, PDF_TEXT_W);
	pango_layout_set_ellipsize(p->header, PANGO_ELLIPSIZE_END);
	pango_layout_set_alignment(p->footer, PANGO_ALIGN_RIGHT);

	/* The header is the same on every page: laid out once.  Its first
	 * line is the document's title too. */
	pdf_reset(&p->text);
	buf_puts(&p->text, "Conversation ");
	pdf_inline(&p->text, id != NULL ? id : "");
	if (buf_str(&p->text) == NULL) {
		p->oom = 1;
		return -1;
	}
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE,
				       buf_str(&p->text));
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR,
				       "Goldilocks Share");
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
	return pdf_text(p, p->header, NULL);
}

static void pdf_unref(void *obj)
{
	if (obj != NULL)
		g_object_unref(obj);
}

/* Free everything pdf_open() made (any part may be missing). */
static void pdf_close(struct pdf *p)
{
	pdf_unref(p->title);
	pdf_unref(p->meta);
	pdf_unref(p->head);
	pdf_unref(p->body);
	pdf_unref(p->header);
	pdf_unref(p->footer);
	pdf_unref(p->pc);
	pango_font_description_free(p->f_title);
	pango_font_description_free(p->f_text);
	pango_font_description_free(p->f_head);
	pango_font_description_free(p->f_small);
	cairo_destroy(p->cr);
	cairo_surface_destroy(p->surface);
	buf_free(&p->out);
	buf_free(&p->text);
	buf_free(&p->attr);
}

/* Why rendering failed, in err. */
static void pdf_error(const struct pdf *p, char *err, size_t errlen)
{
	cairo_status_t st = CAIRO_STATUS_SUCCESS;

	if (err == NULL || errlen == 0)
		return;
	if (p->cr != NULL)
		st = cairo_status(p->cr);
	if (st == CAIRO_STATUS_SUCCESS && p->surface != NULL)
		st = cairo_surface_status(p->surface);
	if (p->oom || p->out.failed || st == CAIRO_STATUS_NO_MEMORY)
		snprintf(err, errlen, "could not render the pdf: %s",
			 "out of memory");
	else if (st != CAIRO_STATUS_SUCCESS)
		snprintf(err, errlen, "could not render the pdf: %s",
			 cairo_status_to_string(st));
	else
		snprintf(err, errlen, "could not render the pdf");
}

int render_pdf(const json_t *view, const struct render_opts *o,
	       unsigned char **out, size_t *len, char *err, size_t errlen)
{
	static const struct render_opts none;
	const json_t *msgs = json_object_get(view, "messages");
	struct pdf p;
	size_t i;
	json_t *m;

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
	if (pdf_open(&p, view, o) < 0)
		goto fail;
	pdf_page_begin(&p);
	if (pdf_summary(&p, view, o->annotated) < 0 ||
	    pdf_section(&p, "Transcript") < 0)
		goto fail;
	if (json_array_size(msgs) == 0)
		pdf_body(&p, "No messages.", &pdf_grey, NULL);
	json_array_foreach(msgs, i, m) {
		if (pdf_message(&p, m, o->annotated) < 0 ||
		    cairo_status(p.cr) != CAIRO_STATUS_SUCCESS)
			goto fail;
	}
	if (o->annotated &&
	    pdf_notes(&p, json_object_get(view, "notes"), msgs) < 0)
		goto fail;
	cairo_show_page(p.cr);
	if (cairo_status(p.cr) != CAIRO_STATUS_SUCCESS)
		goto fail;
	cairo_surface_finish(p.surface);
	if (cairo_surface_status(p.surface) != CAIRO_STATUS_SUCCESS ||
	    p.out.failed)
		goto fail;
	*len = p.out.len;
	*out = (unsigned char *)buf_steal(&p.out);
	pdf_close(&p);
	return 0;
fail:
	pdf_error(&p, err, errlen);
	pdf_close(&p);
	return -1;
}

void render_pdf_cleanup(void)
{
	/* A new default font map is made on demand by the next call. */
	pango_cairo_font_map_set_default(NULL);
}

/*
 * The PDF export of a transcript view (render.h), drawn with cairo's PDF
 * surface into memory and pango for the text, so every script stays real,
 * selectable text (fontconfig falls back from Noto Sans to Noto Sans CJK
 * and Noto Color Emoji).  Content is only ever handed to pango as plain
 * text, never as markup.
 *
 * The work is split in two sides.  The pango side (the calling thread)
 * itemizes and shapes each piece of text once (pango_itemize,
 * pango_shape_with_flags, pango_get_log_attrs) and breaks its lines
 * itself, instead of a PangoLayout that reshapes the rest of a paragraph
 * after every line break; text flows line by line, so a message longer
 * than the room left on a page continues on the next one.  What it
 * decides to draw goes into batches of drawing steps: glyph runs with
 * their cairo scaled font, the text they stand for and its clusters (so
 * the PDF keeps the text), fills, rules, links and page breaks.  The cairo
 * side replays the batches with cairo_show_text_glyphs on a second
 * thread, so pango and cairo work at the same time; pango is not
 * thread-safe and stays on the calling thread, and the cairo side only
 * holds cairo objects (scaled fonts are thread-safe and referenced).  When
 * no thread can be started the batches are replayed on the calling
 * thread.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "runtime/buf.h"
#include "sharing/transcript.h"
#include "pdf/render_pdf.h"

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
/* A batch goes to the cairo side once it holds this many steps. */
#define PDF_BATCH_OPS 512

#define PDF_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PDF_PT(u)  ((double)(u) / PANGO_SCALE)

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

/* ------------------------------------------------------------------ */
/* Drawing steps, made on the pango side and replayed by the cairo side */

enum pdf_op_kind {
	PDF_OP_PAGE,	 /* end the page, a new one begins */
	PDF_OP_FILL,	 /* a rectangle x, y, w, h in rgb */
	PDF_OP_RULE,	 /* a 0.5 pt line from x, y to x + w, y in rgb */
	PDF_OP_TEXT,	 /* a glyph run in rgb */
	PDF_OP_LINK,	 /* a link begins; text holds its attributes */
	PDF_OP_LINK_END, /* the link ends */
};

struct pdf_op {
	enum pdf_op_kind kind;
	const struct pdf_rgb *rgb;
	double x, y, w, h;
	cairo_scaled_font_t *font; /* TEXT: a reference the batch drops */
	size_t glyph, nglyph;	   /* TEXT: in the batch's glyphs */
	size_t cluster, ncluster;  /* TEXT: in the batch's clusters */
	size_t text, ntext;	   /* TEXT, LINK: in the batch's text */
	int backward;		   /* TEXT: right-to-left clusters */
};

struct pdf_batch {
	struct pdf_op *ops;
	size_t nops, capops;
	cairo_glyph_t *glyphs;
	size_t nglyphs, capglyphs;
	cairo_text_cluster_t *clusters;
	size_t nclusters, capclusters;
	buf_t text;
	int last; /* the document ends after this batch */
	struct pdf_batch *next;
};

/* The cairo side: the surface, its state and the queue it drains. */
struct pdf_draw {
	cairo_surface_t *surface;
	cairo_t *cr;
	buf_t out; /* the PDF bytes, written by cairo */
	const struct pdf_rgb *rgb;
	cairo_scaled_font_t *font;
	pthread_mutex_t lock;
	pthread_cond_t ready;
	struct pdf_batch *head, *tail; /* batches waiting, under lock */
	struct pdf_batch *stop; /* kept to end the thread without memory */
	pthread_t thread;
	int threaded;
};

/* ------------------------------------------------------------------ */
/* Shaped text, made and broken into lines on the pango side          */

/* One pango item, shaped; fg overrides the colour of the text. */
struct pdf_shape {
	PangoItem *item;
	PangoGlyphString *glyphs;
	const struct pdf_rgb *fg;
	int ascent, descent;
};

/* The glyphs [g0, g1) of a shape on one line, x from the line's start. */
struct pdf_run {
	size_t shape;
	int g0, g1;
	int x;
};

struct pdf_line {
	size_t run, nrun;
	int x; /* where the line starts (right-to-left lines are aligned
		* right) */
	int ascent, descent;
};

/* A piece of text laid out to a width: its shapes, runs and lines. */
struct pdf_block {
	buf_t text;
	struct pdf_shape *shapes;
	size_t nshapes, capshapes;
	size_t made; /* slots with a glyph string */
	struct pdf_run *runs;
	size_t nruns, capruns;
	struct pdf_line *lines;
	size_t nlines, caplines;
};

/* A bold part of the composed text, in colour fg when given. */
struct pdf_span {
	size_t from, to;
	const struct pdf_rgb *fg;
};

struct pdf {
	struct pdf_draw d;
	PangoContext *pc;
	PangoLanguage *lang;
	PangoFontDescription *f_title, *f_text, *f_head, *f_small;
	/* The page furniture keeps pango's layouts: the header is
	 * ellipsized and the page number aligned right. */
	PangoLayout *header, *footer;
	struct pdf_block b_main, b_body; /* a heading and the text below */
	buf_t text;			 /* the text being composed */
	buf_t attr;			 /* a link's tag attributes */
	struct pdf_span spans[8];
	size_t nspans;
	/* Scratch for one paragraph: char widths, each byte's char, the
	 * first byte of each char, the log attributes, which chars begin
	 * a glyph cluster. */
	int *widths, *chars, *bytes;
	PangoLogAttr *attrs;
	char *cstart;
	size_t capbytes;
	struct {
		const PangoFontDescription *font;
		int ascent, descent;
	} empty[4]; /* the height of an empty line in each font */
	struct pdf_batch *batch; /* the batch being filled */
	double y;		 /* where the next line goes */
	int page;
	int oom;
};

/* Make room for need elements of size in *arr; -1 when out of memory. */
static int pdf_grow(void *arr, size_t *cap, size_t need, size_t size)
{
	void **a = arr;
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if (n > SIZE_MAX / size)
		return -1;
	q = realloc(*a, n * size);
	if (q == NULL)
		return -1;
	*a = q;
	*cap = n;
	return 0;
}

/* cairo's output: appended to the memory buffer. */
static cairo_status_t pdf_write(void *closure, const unsigned char *data,
				unsigned int n)
{
	buf_t *b = closure;

	buf_append(b, (const char *)data, n);
	return b->failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* The cairo side                                                     */

static struct pdf_batch *pdf_batch_new(void)
{
	return calloc(1, sizeof(struct pdf_batch));
}

/* Free a batch and drop its font references (NULL is a no-op). */
static void pdf_batch_free(struct pdf_batch *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nops; i++)
		if (b->ops[i].font != NULL)
			cairo_scaled_font_destroy(b->ops[i].font);
	free(b->ops);
	free(b->glyphs);
	free(b->clusters);
	buf_free(&b->text);
	free(b);
}

static void pdf_draw_color(struct pdf_draw *d, const struct pdf_rgb *c)
{
	if (d->rgb == c)
		return;
	cairo_set_source_rgb(d->cr, c->r, c->g, c->b);
	d->rgb = c;
}

static void pdf_draw_text(struct pdf_draw *d, const struct pdf_batch *b,
			  const struct pdf_op *op)
{
	pdf_draw_color(d, op->rgb);
	if (d->font != op->font) {
		cairo_set_scaled_font(d->cr, op->font);
		d->font = op->font;
	}
	cairo_show_text_glyphs(d->cr, b->text.data + op->text,
			       (int)op->ntext, b->glyphs + op->glyph,
			       (int)op->nglyph, b->clusters + op->cluster,
			       (int)op->ncluster,
			       op->backward ? CAIRO_TEXT_CLUSTER_FLAG_BACKWARD
					    : 0);
}

/* Draw a batch's steps; the last one ends the document. */
static void pdf_draw_batch(struct pdf_draw *d, const struct pdf_batch *b)
{
	const struct pdf_op *op;
	size_t i;

	for (i = 0; i < b->nops; i++) {
		op = &b->ops[i];
		switch (op->kind) {
		case PDF_OP_PAGE:
			cairo_show_page(d->cr);
			break;
		case PDF_OP_FILL:
			pdf_draw_color(d, op->rgb);
			cairo_rectangle(d->cr, op->x, op->y, op->w, op->h);
			cairo_fill(d->cr);
			break;
		case PDF_OP_RULE:
			pdf_draw_color(d, op->rgb);
			cairo_set_line_width(d->cr, 0.5);
			cairo_move_to(d->cr, op->x, op->y);
			cairo_line_to(d->cr, op->x + op->w, op->y);
			cairo_stroke(d->cr);
			break;
		case PDF_OP_TEXT:
			pdf_draw_text(d, b, op);
			break;
		case PDF_OP_LINK:
			cairo_tag_begin(d->cr, CAIRO_TAG_LINK,
					b->text.data + op->text);
			break;
		case PDF_OP_LINK_END:
			cairo_tag_end(d->cr, CAIRO_TAG_LINK);
			break;
		}
	}
	if (b->last) {
		cairo_show_page(d->cr);
		cairo_surface_finish(d->surface);
	}
}

/* The cairo thread: replay batches until the last one. */
static void *pdf_draw_main(void *arg)
{
	struct pdf_draw *d = arg;
	struct pdf_batch *b;
	int last = 0;

	while (!last) {
		pthread_mutex_lock(&d->lock);
		while (d->head == NULL)
			pthread_cond_wait(&d->ready, &d->lock);
		b = d->head;
		d->head = b->next;
		if (d->head == NULL)
			d->tail = NULL;
		pthread_mutex_unlock(&d->lock);
		pdf_draw_batch(d, b);
		last = b->last;
		pdf_batch_free(b);
	}
	return NULL;
}

/*
 * Hand a batch to the cairo side (taken): queued for its thread, or
 * drawn here when there is none.
 */
static void pdf_draw_push(struct pdf_draw *d, struct pdf_batch *b)
{
	if (!d->threaded) {
		pdf_draw_batch(d, b);
		pdf_batch_free(b);
		return;
	}
	pthread_mutex_lock(&d->lock);
	if (d->tail != NULL)
		d->tail->next = b;
	else
		d->head = b;
	d->tail = b;
	pthread_cond_signal(&d->ready);
	pthread_mutex_unlock(&d->lock);
}

/*
 * Start the cairo thread; without one, batches are drawn inline.  It
 * blocks every signal, so the caller's thread keeps receiving them.
 */
static void pdf_draw_start(struct pdf_draw *d)
{
	sigset_t all, old;
	int rc;

	d->stop = pdf_batch_new();
	if (d->stop == NULL || pthread_mutex_init(&d->lock, NULL) != 0)
		return;
	if (pthread_cond_init(&d->ready, NULL) != 0) {
		pthread_mutex_destroy(&d->lock);
		return;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&d->thread, NULL, pdf_draw_main, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&d->ready);
		pthread_mutex_destroy(&d->lock);
		return;
	}
	d->threaded = 1;
}

/*
 * End the document: the last batch (taken; NULL when out of memory, then
 * the empty one kept for this goes instead) is drawn, and the cairo
 * thread joined.
 */
static void pdf_draw_end(struct pdf_draw *d, struct pdf_batch *last)
{
	if (last == NULL) {
		last = d->stop;
		d->stop = NULL;
	}
	if (last != NULL) {
		last->last = 1;
		pdf_draw_push(d, last);
	}
	if (d->threaded) {
		pthread_join(d->thread, NULL);
		pthread_cond_destroy(&d->ready);
		pthread_mutex_destroy(&d->lock);
		d->threaded = 0;
	}
	pdf_batch_free(d->stop);
	d->stop = NULL;
}

/* ------------------------------------------------------------------ */
/* Filling batches on the pango side                                  */

/* A new step in the batch being filled; NULL when out of memory. */
static struct pdf_op *pdf_op(struct pdf *p, enum pdf_op_kind kind,
			     const struct pdf_rgb *rgb)
{
	struct pdf_batch *b = p->batch;
	struct pdf_op *op;

	if (b == NULL || pdf_grow(&b->ops, &b->capops, b->nops + 1,
				  sizeof(*b->ops)) < 0) {
		p->oom = 1;
		return NULL;
	}
	op = &b->ops[b->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->rgb = rgb;
	return op;
}

/* Send the batch to the cairo side once it is big enough. */
static void pdf_flush(struct pdf *p)
{
	if (p->oom || p->batch == NULL || p->batch->nops < PDF_BATCH_OPS)
		return;
	pdf_draw_push(&p->d, p->batch);
	p->batch = pdf_batch_new();
	if (p->batch == NULL)
		p->oom = 1;
}

static void pdf_fill(struct pdf *p, double x, double y, double w, double h,
		     const struct pdf_rgb *c)
{
	struct pdf_op *op = pdf_op(p, PDF_OP_FILL, c);

	if (op == NULL)
		return;
	op->x = x;
	op->y = y;
	op->w = w;
	op->h = h;
}

/* A link's attributes are kept NUL-terminated in the batch's text. */
static void pdf_link_begin(struct pdf *p, const char *attr)
{
	struct pdf_op *op = pdf_op(p, PDF_OP_LINK, NULL);

	if (op == NULL)
		return;
	op->text = p->batch->text.len;
	buf_append(&p->batch->text, attr, strlen(attr) + 1);
	if (p->batch->text.failed)
		p->oom = 1;
}

/* Whether cairo can draw a glyph: pango's empty and unknown ones not. */
static int pdf_drawable(PangoGlyph g)
{
	return g != PANGO_GLYPH_EMPTY && !(g & PANGO_GLYPH_UNKNOWN_FLAG);
}

/*
 * The clusters of the glyphs [g0, g1) of a shaped item, in the order of
 * the text (from the last glyph back when right-to-left), into the batch;
 * the first byte they cover in *from.  end is where the text after the
 * last cluster begins.  Glyphs cairo cannot draw are left out, their
 * bytes stay in their cluster.
 */
static int pdf_clusters(struct pdf_batch *b, const PangoGlyphString *gs,
			int g0, int g1, int end, int rtl, int *from)
{
	int step = rtl ? -1 : 1, g = rtl ? g1 - 1 : g0;
	int stop = rtl ? g0 - 1 : g1, c, n, next;

	*from = gs->log_clusters[g];
	while (g != stop) {
		c = gs->log_clusters[g];
		n = 0;
		while (g != stop && gs->log_clusters[g] == c) {
			n += pdf_drawable(gs->glyphs[g].glyph);
			g += step;
		}
		next = g != stop ? gs->log_clusters[g] : end;
		if (pdf_grow(&b->clusters, &b->capclusters,
			     b->nclusters + 1, sizeof(*b->clusters)) < 0)
			return -1;
		b->clusters[b->nclusters].num_bytes = next - c;
		b->clusters[b->nclusters].num_glyphs = n;
		b->nclusters++;
	}
	return 0;
}

/* The glyphs [g0, g1) placed from x on the baseline y, into the batch. */
static int pdf_place(struct pdf_batch *b, const PangoGlyphString *gs, int g0,
		     int g1, double x, double y)
{
	const PangoGlyphInfo *gi;
	int g, pos = 0;

	if (pdf_grow(&b->glyphs, &b->capglyphs, b->nglyphs + (size_t)(g1 - g0),
		     sizeof(*b->glyphs)) < 0)
		return -1;
	for (g = g0; g < g1; g++) {
		gi = &gs->glyphs[g];
		if (pdf_drawable(gi->glyph)) {
			b->glyphs[b->nglyphs].index = gi->glyph;
			b->glyphs[b->nglyphs].x =
				x + PDF_PT(pos + gi->geometry.x_offset);
			b->glyphs[b->nglyphs].y =
				y + PDF_PT(gi->geometry.y_offset);
			b->nglyphs++;
		}
		pos += gi->geometry.width;
	}
	return 0;
}

/*
 * A glyph run: the glyphs [g0, g1) of item (its text at text +
 * item->offset, end where the text after the run begins within the item)
 * drawn from x on the baseline y, with the text they stand for, in
 * colour fg.  The step holds a reference to the item's cairo font.
 */
static void pdf_glyphs(struct pdf *p, const PangoItem *item,
		       const PangoGlyphString *gs, int g0, int g1, int end,
		       const char *text, double x, double y,
		       const struct pdf_rgb *fg)
{
	struct pdf_batch *b = p->batch;
	size_t glyph, cluster, at;
	int rtl = item->analysis.level % 2, from;
	struct pdf_op *op;

	if (b == NULL || g0 >= g1 || item->analysis.font == NULL)
		return;
	glyph = b->nglyphs;
	cluster = b->nclusters;
	at = b->text.len;
	if (pdf_clusters(b, gs, g0, g1, end, rtl, &from) < 0 ||
	    pdf_place(b, gs, g0, g1, x, y) < 0) {
		p->oom = 1;
		return;
	}
	buf_append(&b->text, text + item->offset + from, (size_t)(end - from));
	if (b->text.failed) {
		p->oom = 1;
		return;
	}
	op = pdf_op(p, PDF_OP_TEXT, fg);
	if (op == NULL)
		return;
	op->glyph = glyph;
	op->nglyph = b->nglyphs - glyph;
	op->cluster = cluster;
	op->ncluster = b->nclusters - cluster;
	op->text = at;
	op->ntext = b->text.len - at;
	op->backward = rtl;
	op->font = cairo_scaled_font_reference(pango_cairo_font_get_scaled_font(
		PANGO_CAIRO_FONT(item->analysis.font)));
}

/* A PangoLayout's lines (the page furniture) from its top left x, y. */
static void pdf_layout_glyphs(struct pdf *p, PangoLayout *l, double x,
			      double y, const struct pdf_rgb *fg)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	const char *text = pango_layout_get_text(l);
	PangoLayoutRun *run;
	PangoRectangle r;
	double base;

	do {
		run = pango_layout_iter_get_run_readonly(it);
		if (run == NULL)
			continue;
		pango_layout_iter_get_run_extents(it, NULL, &r);
		base = y + PDF_PT(pango_layout_iter_get_baseline(it));
		pdf_glyphs(p, run->item, run->glyphs, 0,
			   run->glyphs->num_glyphs, run->item->length, text,
			   x + PDF_PT(r.x), base, fg);
	} while (pango_layout_iter_next_run(it));
	pango_layout_iter_free(it);
}

/* ------------------------------------------------------------------ */
/* Shaping and line breaking                                          */

/* Forget a block's text and shapes, keeping its glyph strings. */
static void pdf_block_reset(struct pdf_block *b)
{
	size_t i;

	for (i = 0; i < b->nshapes; i++) {
		pango_item_free(b->shapes[i].item);
		b->shapes[i].item = NULL;
	}
	b->nshapes = 0;
	b->nruns = 0;
	b->nlines = 0;
	b->text.len = 0;
}

static void pdf_block_free(struct pdf_block *b)
{
	size_t i;

	pdf_block_reset(b);
	for (i = 0; i < b->made; i++)
		pango_glyph_string_free(b->shapes[i].glyphs);
	free(b->shapes);
	free(b->runs);
	free(b->lines);
	buf_free(&b->text);
}

/* realloc() *arr to n elements of size; -1 when out of memory. */
static int pdf_resize(void *arr, size_t n, size_t size)
{
	void **a = arr;
	void *q = realloc(*a, n * size);

	if (q == NULL)
		return -1;
	*a = q;
	return 0;
}

/* Scratch for a paragraph of nbytes bytes; -1 when out of memory. */
static int pdf_scratch(struct pdf *p, size_t nbytes)
{
	size_t n = nbytes + 1;

	if (n <= p->capbytes)
		return 0;
	if (pdf_resize(&p->chars, n, sizeof(int)) < 0 ||
	    pdf_resize(&p->bytes, n, sizeof(int)) < 0 ||
	    pdf_resize(&p->widths, n, sizeof(int)) < 0 ||
	    pdf_resize(&p->attrs, n, sizeof(PangoLogAttr)) < 0 ||
	    pdf_resize(&p->cstart, n, 1) < 0)
		return -1;
	p->capbytes = n;
	return 0;
}

/* The colour of the span holding byte i, or NULL. */
static const struct pdf_rgb *pdf_span_fg(const struct pdf *p, size_t i)
{
	size_t k;

	for (k = 0; k < p->nspans; k++)
		if (i >= p->spans[k].from && i < p->spans[k].to)
			return p->spans[k].fg;
	return NULL;
}

/*
 * Shape the item (taken) into a new shape of b; its chars' widths and
 * cluster starts go into the scratch, para being the paragraph's first
 * byte in b's text.
 */
static int pdf_shape(struct pdf *p, struct pdf_block *b, PangoItem *item,
		     size_t para, int plen)
{
	const char *t = b->text.data;
	struct pdf_shape *s;
	PangoGlyphItem gi;
	PangoRectangle r;
	int g;

	if (pdf_grow(&b->shapes, &b->capshapes, b->nshapes + 1,
		     sizeof(*b->shapes)) < 0) {
		pango_item_free(item);
		return -1;
	}
	if (b->nshapes == b->made) {
		/* Glyph strings stay with their slots from call to call. */
		b->shapes[b->made++].glyphs = pango_glyph_string_new();
	}
	s = &b->shapes[b->nshapes++];
	s->item = item;
	s->fg = pdf_span_fg(p, (size_t)item->offset);
	pango_shape_with_flags(t + item->offset, item->length, t + para, plen,
			       &item->analysis, s->glyphs, PANGO_SHAPE_NONE);
	gi.item = item;
	gi.glyphs = s->glyphs;
	pango_glyph_item_get_logical_widths(
		&gi, t, p->widths + p->chars[(size_t)item->offset - para]);
	for (g = 0; g < s->glyphs->num_glyphs; g++)
		p->cstart[p->chars[(size_t)item->offset - para +
				   (size_t)s->glyphs->log_clusters[g]]] = 1;
	s->ascent = s->descent = 0;
	if (item->analysis.font != NULL) {
		/* A cairo font's empty glyph has the font's logical
		 * extents, as every glyph of the run. */
		pango_font_get_glyph_extents(item->analysis.font,
					     PANGO_GLYPH_EMPTY, NULL, &r);
		s->ascent = -r.y;
		s->descent = r.y + r.height;
	}
	return 0;
}

/* The level of a run's item: odd is right-to-left. */
static int pdf_level(const struct pdf_block *b, const struct pdf_run *r)
{
	return b->shapes[r->shape].item->analysis.level;
}

/*
 * Put a line's runs from the order of the text into the order they are
 * drawn in (Unicode's rule L2): from the highest embedding level down to
 * the lowest odd one, every stretch of runs at least that high reverses.
 */
static void pdf_reorder(const struct pdf_block *b, struct pdf_run *r,
			size_t n)
{
	int max = 0, minodd = 255, lev;
	struct pdf_run t;
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		lev = pdf_level(b, &r[i]);
		if (lev > max)
			max = lev;
		if (lev % 2 == 1 && lev < minodd)
			minodd = lev;
	}
	for (lev = max; lev >= minodd; lev--) {
		for (i = 0; i < n; i = j + 1) {
			/* The stretch [i, j) at lev or higher, reversed. */
			for (j = i; j < n && pdf_level(b, &r[j]) >= lev; j++)
				;
			for (k = j; i + 1 < k; i++, k--) {
				t = r[i];
				r[i] = r[k - 1];
				r[k - 1] = t;
			}
		}
	}
}

/* Place a line's runs one after the other; returns the line's width. */
static int pdf_advance(const struct pdf_block *b, const struct pdf_line *ln)
{
	const PangoGlyphString *gs;
	struct pdf_run *r;
	int g, x = 0;
	size_t k;

	for (k = 0; k < ln->nrun; k++) {
		r = &b->runs[ln->run + k];
		gs = b->shapes[r->shape].glyphs;
		r->x = x;
		for (g = r->g0; g < r->g1; g++)
			x += gs->glyphs[g].geometry.width;
	}
	return x;
}

/*
 * A new line of b holding the bytes [from, to) of its text, made of the
 * shapes [s0, s1) of the paragraph; in a right-to-left paragraph it is
 * aligned right within width.  asc and desc are the height of a line
 * without glyphs.
 */
static int pdf_line(struct pdf_block *b, size_t s0, size_t s1, int from,
		    int to, int rtl, int width, int asc, int desc)
{
	const struct pdf_shape *sh;
	struct pdf_line *ln;
	struct pdf_run *r;
	int g, lo, hi, at, x;
	size_t k;

	if (pdf_grow(&b->lines, &b->caplines, b->nlines + 1,
		     sizeof(*b->lines)) < 0)
		return -1;
	ln = &b->lines[b->nlines];
	ln->run = b->nruns;
	ln->nrun = 0;
	ln->ascent = asc;
	ln->descent = desc;
	for (k = s0; k < s1; k++) {
		sh = &b->shapes[k];
		if (sh->item->offset >= to ||
		    sh->item->offset + sh->item->length <= from)
			continue;
		lo = sh->glyphs->num_glyphs;
		hi = -1;
		for (g = 0; g < sh->glyphs->num_glyphs; g++) {
			at = sh->item->offset + sh->glyphs->log_clusters[g];
			if (at < from || at >= to)
				continue;
			lo = g < lo ? g : lo;
			hi = g;
		}
		if (hi < 0)
			continue;
		if (pdf_grow(&b->runs, &b->capruns, b->nruns + 1,
			     sizeof(*b->runs)) < 0)
			return -1;
		r = &b->runs[b->nruns++];
		r->shape = k;
		r->g0 = lo;
		r->g1 = hi + 1;
		if (ln->nrun++ == 0)
			ln->ascent = ln->descent = 0;
		ln->ascent = sh->ascent > ln->ascent ? sh->ascent : ln->ascent;
		ln->descent =
			sh->descent > ln->descent ? sh->descent : ln->descent;
	}
	pdf_reorder(b, b->runs + ln->run, ln->nrun);
	x = pdf_advance(b, ln);
	ln->x = rtl && x < width ? width - x : 0;
	b->nlines++;
	return 0;
}

/*
 * Where to break within the chars [i, n] when char i does not fit: the
 * last place between clusters before it, else the first after it (a
 * line holds at least one cluster).
 */
static int pdf_char_break(const struct pdf *p, int s, int i, int n)
{
	int j;

	for (j = i; j > s; j--)
		if (p->attrs[j].is_cursor_position && p->cstart[j])
			return j;
	for (j = i + 1; j < n; j++)
		if (p->attrs[j].is_cursor_position && p->cstart[j])
			return j;
	return n;
}

/*
 * Where the line beginning at char s of the paragraph's n chars ends:
 * at a forced break, else at the last break opportunity that keeps it
 * within width (white space at its end may hang over), else between
 * clusters of a word too long for a line (pango's PANGO_WRAP_WORD_CHAR).
 */
static int pdf_break(const struct pdf *p, int s, int n, int width)
{
	int i, x = 0, white = 0, brk = -1;

	for (i = s; i < n; i++) {
		if (i > s && p->attrs[i].is_mandatory_break)
			return i;
		if (i > s && p->attrs[i].is_line_break)
			brk = i;
		if (p->attrs[i].is_white) {
			white += p->widths[i];
		} else {
			x += white + p->widths[i];
			white = 0;
		}
		if (x > width && i > s)
			return brk > s ? brk : pdf_char_break(p, s, i, n);
	}
	return n;
}

/*
 * Whether a paragraph's first strong character is right-to-left, as
 * PangoLayout decides its direction (with the same, deprecated, call).
 */
static int pdf_rtl(const char *t, int len)
{
	PangoDirection dir;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	dir = pango_find_base_dir(t, len);
#pragma GCC diagnostic pop
	return dir == PANGO_DIRECTION_RTL;
}

/*
 * Lay out the paragraph of plen bytes at byte para of b's text: itemize
 * it (attrs give the bold parts), shape each item once, find its break
 * opportunities and break it into lines of at most width.
 */
static int pdf_para(struct pdf *p, struct pdf_block *b, int para, int plen,
		    PangoAttrList *attrs, int width, int asc, int desc)
{
	const char *t = buf_str(&b->text) + para;
	int rtl = pdf_rtl(t, plen), n = 0, k, s, e, rc = 0;
	size_t s0 = b->nshapes;
	GList *items, *l;

	if (plen == 0)
		return pdf_line(b, s0, s0, para, para, 0, width, asc, desc);
	if (pdf_scratch(p, (size_t)plen) < 0)
		return -1;
	/* Each byte's char, and each char's first byte. */
	for (k = 0; k < plen; k++) {
		if (((unsigned char)t[k] & 0xc0) != 0x80)
			p->bytes[n++] = k;
		p->chars[k] = n - 1;
	}
	p->chars[plen] = n;
	p->bytes[n] = plen;
	memset(p->cstart, 0, (size_t)n + 1);
	memset(p->widths, 0, ((size_t)n + 1) * sizeof(int));
	items = pango_itemize_with_base_dir(
		p->pc, rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR,
		b->text.data, para, plen, attrs, NULL);
	for (l = items; l != NULL; l = l->next) {
		if (rc == 0)
			rc = pdf_shape(p, b, l->data, (size_t)para, plen);
		else
			pango_item_free(l->data);
	}
	g_list_free(items);
	if (rc < 0)
		return -1;
	pango_get_log_attrs(t, plen, rtl, p->lang, p->attrs, n + 1);
	for (s = 0; s < n; s = e) {
		e = pdf_break(p, s, n, width);
		if (pdf_line(b, s0, b->nshapes, para + p->bytes[s],
			     para + p->bytes[e], rtl, width, asc, desc) < 0)
			return -1;
	}
	return 0;
}

/* The height of an empty line in font (pango units), cached. */
static void pdf_empty(struct pdf *p, const PangoFontDescription *font,
		      int *asc, int *desc)
{
	PangoRectangle r = { 0, 0, 0, 0 };
	PangoFont *f;
	size_t i;

	for (i = 0; i < PDF_LEN(p->empty) && p->empty[i].font != NULL; i++) {
		if (p->empty[i].font == font) {
			*asc = p->empty[i].ascent;
			*desc = p->empty[i].descent;
			return;
		}
	}
	f = pango_context_load_font(p->pc, font);
	if (f != NULL) {
		pango_font_get_glyph_extents(f, PANGO_GLYPH_EMPTY, NULL, &r);
		g_object_unref(f);
	}
	*asc = -r.y;
	*desc = r.y + r.height;
	if (i < PDF_LEN(p->empty)) {
		p->empty[i].font = font;
		p->empty[i].ascent = *asc;
		p->empty[i].descent = *desc;
	}
}

/*
 * Lay out len bytes of s (copied) in font, width points wide, into b;
 * the spans added since the last layout are bold.  Tabs become spaces.
 * -1 when out of memory.
 */
static int pdf_lay(struct pdf *p, struct pdf_block *b, const char *s,
		   size_t len, const PangoFontDescription *font, double width)
{
	PangoAttrList *attrs = NULL;
	PangoAttribute *a;
	int delim, next, pos = 0, asc, desc, rc = 0;
	size_t k;

	pdf_block_reset(b);
	buf_append(&b->text, s, len);
	if (b->text.failed || len > INT32_MAX / 2) {
		p->oom = 1;
		p->nspans = 0;
		return -1;
	}
	for (k = 0; k < len; k++)
		if (b->text.data[k] == '\t')
			b->text.data[k] = ' ';
	pango_context_set_font_description(p->pc, font);
	if (p->nspans > 0)
		attrs = pango_attr_list_new();
	for (k = 0; k < p->nspans; k++) {
		a = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
		a->start_index = (guint)p->spans[k].from;
		a->end_index = (guint)p->spans[k].to;
		pango_attr_list_insert(attrs, a);
	}
	pdf_empty(p, font, &asc, &desc);
	for (;;) {
		pango_find_paragraph_boundary(buf_str(&b->text) + pos,
					      (int)len - pos, &delim, &next);
		rc = pdf_para(p, b, pos, delim, attrs,
			      (int)(width * PANGO_SCALE), asc, desc);
		if (rc < 0 || next == delim)
			break;
		pos += next;
	}
	if (attrs != NULL)
		pango_attr_list_unref(attrs);
	p->nspans = 0;
	if (rc < 0)
		p->oom = 1;
	return rc;
}

/* Lay out the composed text p->text. */
static int pdf_lay_text(struct pdf *p, struct pdf_block *b,
			const PangoFontDescription *font, double width)
{
	if (p->text.failed) {
		p->oom = 1;
		p->nspans = 0;
		return -1;
	}
	return pdf_lay(p, b, buf_str(&p->text), p->text.len, font, width);
}

/* Mark [from, to) of the composed text bold, in colour fg when given. */
static void pdf_span(struct pdf *p, size_t from, size_t to,
		     const struct pdf_rgb *fg)
{
	if (p->nspans == PDF_LEN(p->spans))
		return;
	p->spans[p->nspans].from = from;
	p->spans[p->nspans].to = to;
	p->spans[p->nspans].fg = fg;
	p->nspans++;
}

static double pdf_line_h(const struct pdf_line *ln)
{
	return PDF_PT(ln->ascent + ln->descent);
}

/* The height of a block's first line, and of all its lines. */
static double pdf_first_line(const struct pdf_block *b)
{
	return b->nlines > 0 ? pdf_line_h(&b->lines[0]) : 0;
}

static double pdf_height(const struct pdf_block *b)
{
	double h = 0;
	size_t i;

	for (i = 0; i < b->nlines; i++)
		h += pdf_line_h(&b->lines[i]);
	return h;
}

/* ------------------------------------------------------------------ */
/* Pages and the flow of lines                                        */

/* The page furniture: header, rule and page number. */
static void pdf_page_begin(struct pdf *p)
{
	struct pdf_op *op;
	char num[32];

	p->page++;
	pdf_layout_glyphs(p, p->header, PDF_MARGIN, PDF_HEADER_Y, &pdf_grey);
	snprintf(num, sizeof(num), "Page %d", p->page);
	pango_layout_set_text(p->footer, num, -1);
	pdf_layout_glyphs(p, p->footer, PDF_MARGIN, PDF_FOOTER_Y, &pdf_grey);
	op = pdf_op(p, PDF_OP_RULE, &pdf_rule);
	if (op != NULL) {
		op->x = PDF_MARGIN;
		op->y = PDF_RULE_Y;
		op->w = PDF_TEXT_W;
	}
	p->y = PDF_TOP;
}

static void pdf_page_break(struct pdf *p)
{
	pdf_op(p, PDF_OP_PAGE, NULL);
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
	if (bg != NULL)
		pdf_fill(p, PDF_MARGIN - PDF_PAD, p->y,
			 PDF_TEXT_W + 2 * PDF_PAD, h, bg);
	p->y += h;
}

/* A run's end within its item: where the text after its glyphs begins. */
static int pdf_run_end(const struct pdf_shape *sh, const struct pdf_run *r)
{
	const PangoGlyphString *gs = sh->glyphs;

	if (sh->item->analysis.level % 2 == 1)
		return r->g0 > 0 ? gs->log_clusters[r->g0 - 1]
				 : sh->item->length;
	return r->g1 < gs->num_glyphs ? gs->log_clusters[r->g1]
				      : sh->item->length;
}

/*
 * Draw a block's lines from the current position at x, in colour fg
 * (bold spans may have their own), each on a highlight of colour bg when
 * given, each inside a link to the tag attributes link when given.  A
 * line that does not fit goes to the next page, so a block of any length
 * is split between pages with every line drawn once.
 */
static void pdf_flow(struct pdf *p, const struct pdf_block *b, double x,
		     const struct pdf_rgb *fg, const struct pdf_rgb *bg,
		     const char *link)
{
	const struct pdf_shape *sh;
	const struct pdf_line *ln;
	const struct pdf_run *r;
	double h, base;
	size_t i, k;

	for (i = 0; i < b->nlines; i++) {
		ln = &b->lines[i];
		h = pdf_line_h(ln);
		pdf_need(p, h);
		if (bg != NULL)
			pdf_fill(p, PDF_MARGIN - PDF_PAD, p->y,
				 PDF_TEXT_W + 2 * PDF_PAD, h, bg);
		if (link != NULL)
			pdf_link_begin(p, link);
		base = p->y + PDF_PT(ln->ascent);
		for (k = 0; k < ln->nrun; k++) {
			r = &b->runs[ln->run + k];
			sh = &b->shapes[r->shape];
			pdf_glyphs(p, sh->item, sh->glyphs, r->g0, r->g1,
				   pdf_run_end(sh, r), b->text.data,
				   x + PDF_PT(ln->x + r->x), base,
				   sh->fg != NULL ? sh->fg : fg);
		}
		if (link != NULL)
			pdf_op(p, PDF_OP_LINK_END, NULL);
		p->y += h;
	}
}

/* ------------------------------------------------------------------ */
/* The document's parts                                               */

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
	pdf_gap(p, 10, NULL);
	if (pdf_lay(p, &p->b_main, title, strlen(title), p->f_title,
		    PDF_TEXT_W) < 0)
		return -1;
	/* A title is kept with at least two lines of what follows. */
	pdf_need(p, pdf_first_line(&p->b_main) + 30);
	pdf_flow(p, &p->b_main, PDF_MARGIN, &pdf_black, NULL, NULL);
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
	pdf_span(p, 0, n, NULL);
	if (pdf_lay_text(p, &p->b_main, p->f_text, PDF_TEXT_W) < 0)
		return -1;
	pdf_flow(p, &p->b_main, PDF_MARGIN, &pdf_black, NULL, NULL);
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

/* Plain text (no bold) in the body font, indented. */
static int pdf_body(struct pdf *p, const char *s, const struct pdf_rgb *fg,
		    const struct pdf_rgb *bg)
{
	if (pdf_lay(p, &p->b_body, s, strlen(s), p->f_text,
		    PDF_TEXT_W - PDF_INDENT) < 0)
		return -1;
	pdf_flow(p, &p->b_body, PDF_MARGIN + PDF_INDENT, fg, bg, NULL);
	return 0;
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
		if (buf_str(&p->text) == NULL) {
			p->oom = 1;
			return -1;
		}
		if (pdf_body(p, buf_str(&p->text), &pdf_black, NULL) < 0)
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
	if (pdf_lay_text(p, &p->b_main, p->f_title, PDF_TEXT_W) < 0)
		return -1;
	pdf_flow(p, &p->b_main, PDF_MARGIN, &pdf_black, NULL, NULL);
	pdf_gap(p, 3, NULL);

	/* "Status: open  ·  Channel: chat  ·  Messages: 3", terms bold. */
	pdf_reset(&p->text);
	pdf_stat(p, "Status:", pdf_str(conv, "status"));
	pdf_stat(p, "Channel:", pdf_str(conv, "channel"));
	n = p->text.len;
	buf_puts(&p->text, "Messages:");
	pdf_span(p, n, p->text.len, NULL);
	buf_printf(&p->text, " %zu", count);
	if (pdf_lay_text(p, &p->b_main, p->f_text, PDF_TEXT_W) < 0)
		return -1;
	pdf_flow(p, &p->b_main, PDF_MARGIN, &pdf_black, NULL, NULL);

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
	if (pdf_lay_text(p, &p->b_main, p->f_head, PDF_TEXT_W - PDF_INDENT) <
	    0)
		return -1;
	pdf_flow(p, &p->b_main, PDF_MARGIN + PDF_INDENT,
		 link != NULL ? &pdf_link : &pdf_grey, bg, link);
	return 0;
}

/* Append a head mark ("  ·  Focus") in colour c and bold. */
static void pdf_mark(struct pdf *p, const char *mark, const struct pdf_rgb *c)
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
	const struct pdf_rgb *colour = &pdf_black;
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
	const struct pdf_rgb *bg = focus ? &pdf_focus_bg : NULL;
	double need;
	size_t i;
	json_t *c;

	pdf_head(p, m, focus);
	if (pdf_lay_text(p, &p->b_main, p->f_head, PDF_TEXT_W) < 0)
		return -1;
	pdf_gap(p, 8, NULL);
	need = pdf_height(&p->b_main) + 4;
	if (pdf_set(text)) {
		if (pdf_lay(p, &p->b_body, text, strlen(text), p->f_text,
			    PDF_TEXT_W - PDF_INDENT) < 0)
			return -1;
		need += pdf_first_line(&p->b_body);
	}
	pdf_need(p, need);
	pdf_gap(p, 2, bg);
	pdf_flow(p, &p->b_main, PDF_MARGIN, &pdf_grey, bg, NULL);
	if (pdf_set(text)) {
		pdf_gap(p, 1, bg);
		pdf_flow(p, &p->b_body, PDF_MARGIN + PDF_INDENT, &pdf_black,
			 bg, NULL);
	}
	json_array_foreach(cites, i, c) {
		if (pdf_citation(p, c, bg) < 0)
			return -1;
	}
	pdf_gap(p, 2, bg);
	return 0;
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
	if (pdf_lay_text(p, &p->b_main, p->f_head, PDF_TEXT_W) < 0)
		return -1;
	pdf_gap(p, 6, NULL);
	pdf_need(p, 2 * pdf_first_line(&p->b_main) + 2);
	pdf_flow(p, &p->b_main, PDF_MARGIN, &pdf_grey, NULL, NULL);
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
	if (idx == NULL) {
		p->oom = 1;
		return -1;
	}
	json_array_foreach(notes, i, n) {
		mid = pdf_str(n, "message_id");
		if (pdf_note(p, n, mid != NULL ? json_object_get(idx, mid)
					       : NULL) < 0) {
			json_decref(idx);
			return -1;
		}
		pdf_flush(p);
	}
	json_decref(idx);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The document                                                       */

static PangoLayout *pdf_layout(struct pdf *p, const PangoFontDescription *f)
{
	PangoLayout *l = pango_layout_new(p->pc);

	pango_layout_set_font_description(l, f);
	pango_layout_set_width(l, (int)(PDF_TEXT_W * PANGO_SCALE));
	return l;
}

/* The header's text: the title, then the export's details. */
static int pdf_header(struct pdf *p, const json_t *view,
		      const struct render_opts *o)
{
	const char *id = pdf_str(json_object_get(view, "conversation"),
				 "conversation_id");
	const char *sep = "";

	pdf_reset(&p->text);
	buf_puts(&p->text, "Conversation ");
	pdf_inline(&p->text, id != NULL ? id : "");
	if (buf_str(&p->text) == NULL) {
		p->oom = 1;
		return -1;
	}
	cairo_pdf_surface_set_metadata(p->d.surface, CAIRO_PDF_METADATA_TITLE,
				       buf_str(&p->text));
	cairo_pdf_surface_set_metadata(p->d.surface,
				       CAIRO_PDF_METADATA_CREATOR,
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
	if (buf_str(&p->text) == NULL) {
		p->oom = 1;
		return -1;
	}
	pango_layout_set_text(p->header, buf_str(&p->text), -1);
	return 0;
}

/*
 * The surface, the context, the fonts, the furniture's layouts and the
 * first batch.  The cairo side is set up before its thread starts.
 */
static int pdf_open(struct pdf *p, const json_t *view,
		    const struct render_opts *o)
{
	p->d.surface = cairo_pdf_surface_create_for_stream(
		pdf_write, &p->d.out, PDF_PAGE_W, PDF_PAGE_H);
	if (cairo_surface_status(p->d.surface) != CAIRO_STATUS_SUCCESS)
		return -1;
	p->d.cr = cairo_create(p->d.surface);
	if (cairo_status(p->d.cr) != CAIRO_STATUS_SUCCESS)
		return -1;
	/* The thread's default font map keeps its font cache between
	 * calls. */
	p->pc = pango_font_map_create_context(
		pango_cairo_font_map_get_default());
	pango_cairo_update_context(p->d.cr, p->pc);
	pango_cairo_context_set_resolution(p->pc, 72);
	pango_context_set_round_glyph_positions(p->pc, FALSE);
	p->lang = pango_context_get_language(p->pc);

	p->f_title = pango_font_description_from_string("Noto Sans Bold 12");
	p->f_text = pango_font_description_from_string("Noto Sans 10");
	p->f_head = pango_font_description_from_string("Noto Sans 9");
	p->f_small = pango_font_description_from_string("Noto Sans 8");
	p->header = pdf_layout(p, p->f_small);
	p->footer = pdf_layout(p, p->f_small);
	pango_layout_set_ellipsize(p->header, PANGO_ELLIPSIZE_END);
	pango_layout_set_alignment(p->footer, PANGO_ALIGN_RIGHT);
	p->batch = pdf_batch_new();
	if (p->batch == NULL) {
		p->oom = 1;
		return -1;
	}
	return pdf_header(p, view, o);
}

static void pdf_unref(void *obj)
{
	if (obj != NULL)
		g_object_unref(obj);
}

/*
 * Free everything pdf_open() made (any part may be missing), after the
 * cairo side has ended.
 */
static void pdf_close(struct pdf *p)
{
	pdf_batch_free(p->batch);
	p->batch = NULL;
	pdf_draw_end(&p->d, NULL);
	pdf_block_free(&p->b_main);
	pdf_block_free(&p->b_body);
	pdf_unref(p->header);
	pdf_unref(p->footer);
	pdf_unref(p->pc);
	pango_font_description_free(p->f_title);
	pango_font_description_free(p->f_text);
	pango_font_description_free(p->f_head);
	pango_font_description_free(p->f_small);
	cairo_destroy(p->d.cr);
	cairo_surface_destroy(p->d.surface);
	buf_free(&p->d.out);
	buf_free(&p->text);
	buf_free(&p->attr);
	free(p->widths);
	free(p->chars);
	free(p->bytes);
	free(p->attrs);
	free(p->cstart);
}

/* Why rendering failed, in err (the cairo side has ended). */
static void pdf_error(const struct pdf *p, char *err, size_t errlen)
{
	cairo_status_t st = CAIRO_STATUS_SUCCESS;

	if (err == NULL || errlen == 0)
		return;
	if (p->d.cr != NULL)
		st = cairo_status(p->d.cr);
	if (st == CAIRO_STATUS_SUCCESS && p->d.surface != NULL)
		st = cairo_surface_status(p->d.surface);
	if (p->oom || p->d.out.failed || st == CAIRO_STATUS_NO_MEMORY)
		snprintf(err, errlen, "could not render the pdf: %s",
			 "out of memory");
	else if (st != CAIRO_STATUS_SUCCESS)
		snprintf(err, errlen, "could not render the pdf: %s",
			 cairo_status_to_string(st));
	else
		snprintf(err, errlen, "could not render the pdf");
}

/* Everything on the pages, handed to the cairo side batch by batch. */
static int pdf_document(struct pdf *p, const json_t *view, int annotated)
{
	const json_t *msgs = json_object_get(view, "messages");
	size_t i;
	json_t *m;

	pdf_page_begin(p);
	if (pdf_summary(p, view, annotated) < 0 ||
	    pdf_section(p, "Transcript") < 0)
		return -1;
	if (json_array_size(msgs) == 0 &&
	    pdf_body(p, "No messages.", &pdf_grey, NULL) < 0)
		return -1;
	json_array_foreach(msgs, i, m) {
		if (pdf_message(p, m, annotated) < 0)
			return -1;
		pdf_flush(p);
		if (p->oom)
			return -1;
	}
	if (annotated &&
	    pdf_notes(p, json_object_get(view, "notes"), msgs) < 0)
		return -1;
	return p->oom ? -1 : 0;
}

int render_pdf(const json_t *view, const struct render_opts *o,
	       unsigned char **out, size_t *len, char *err, size_t errlen)
{
	static const struct render_opts none;
	struct pdf p;

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
	pdf_draw_start(&p.d);
	if (pdf_document(&p, view, o->annotated) < 0)
		goto fail;
	/* The last batch ends the document; the cairo side is done. */
	pdf_draw_end(&p.d, p.batch);
	p.batch = NULL;
	if (cairo_status(p.d.cr) != CAIRO_STATUS_SUCCESS ||
	    cairo_surface_status(p.d.surface) != CAIRO_STATUS_SUCCESS ||
	    p.d.out.failed)
		goto fail;
	*len = p.d.out.len;
	*out = (unsigned char *)buf_steal(&p.d.out);
	pdf_close(&p);
	return 0;
fail:
	pdf_batch_free(p.batch);
	p.batch = NULL;
	pdf_draw_end(&p.d, NULL);
	pdf_error(&p, err, errlen);
	pdf_close(&p);
	return -1;
}

void render_pdf_cleanup(void)
{
	/* A new default font map is made on demand by the next call. */
	pango_cairo_font_map_set_default(NULL);
}

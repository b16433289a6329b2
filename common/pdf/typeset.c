/*
 * The typesetter (typeset.h): cairo's PDF surface drawn into memory and
 * pango for the text, so every script stays real, selectable text
 * (fontconfig falls back from Noto Sans to Noto Sans CJK and Noto Color
 * Emoji).  Text is only ever handed to pango as plain text, never as
 * markup.
 *
 * The work is split in two sides.  The pango side (the calling thread)
 * itemizes and shapes each piece of text once (pango_itemize,
 * pango_shape_with_flags, pango_get_log_attrs) and breaks its lines
 * itself, instead of a PangoLayout that reshapes the rest of a paragraph
 * after every line break; text flows line by line, so a text longer than
 * the room left on a page continues on the next one.  What it decides to
 * draw goes into batches of drawing steps: glyph runs with their cairo
 * scaled font, the text they stand for and its clusters (so the PDF keeps
 * the text), fills, rules, links and page breaks.  The cairo side replays
 * the batches with cairo_show_text_glyphs on a second thread, so pango
 * and cairo work at the same time; pango is not thread-safe and stays on
 * the calling thread, and the cairo side only holds cairo objects (scaled
 * fonts are thread-safe and referenced).  When no thread can be started
 * the batches are replayed on the calling thread.
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
#include "pdf/typeset.h"

/* A4 in PDF units (points), with pango set to 72 dpi so 1 pt is 1 unit. */
#define TS_PAGE_W 595.28
#define TS_PAGE_H 841.89
#define TS_MARGIN 48.0
#define TS_TEXT_W (TS_PAGE_W - 2 * TS_MARGIN)
/* The header sits in the top margin, the page number in the bottom one. */
#define TS_HEADER_Y 18.0
#define TS_RULE_Y   44.0
#define TS_TOP	    56.0
#define TS_BOTTOM   (TS_PAGE_H - TS_MARGIN)
#define TS_FOOTER_Y (TS_PAGE_H - 34.0)
/* A highlight reaches this far outside the text. */
#define TS_PAD 4.0
/* The structure element that holds the whole document. */
#define TS_TAG_DOCUMENT "Document"
/* A batch goes to the cairo side once it holds this many steps. */
#define TS_BATCH_OPS 512
/* How many batches may wait for the cairo side before the pango side
 * waits for it (so memory stays bounded whatever the length). */
#define TS_QUEUE_MAX 16
/* The counting pass keeps the texts it lays out, for the drawing pass to
 * use instead of shaping them again, up to about this many bytes; texts
 * past that are shaped again. */
#define TS_KEEP_BYTES (8u << 20)
/* How many fonts a document may have. */
#define TS_FONTS 8

#define TS_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define TS_PT(u)  ((double)(u) / PANGO_SCALE)

/* ------------------------------------------------------------------ */
/* Drawing steps, made on the pango side and replayed by the cairo side */

enum ts_op_kind {
	TS_OP_PAGE,	/* end the page, a new one begins */
	TS_OP_FILL,	/* a rectangle x, y, w, h in rgb */
	TS_OP_RULE,	/* a 0.5 pt line from x, y to x + w, y in rgb */
	TS_OP_TEXT,	/* a glyph run in rgb */
	TS_OP_LINK,	/* a link begins; text holds its attributes */
	TS_OP_LINK_END, /* the link ends */
};

struct ts_op {
	enum ts_op_kind kind;
	struct typeset_rgb rgb;
	double x, y, w, h;
	cairo_scaled_font_t *font; /* TEXT: a reference the batch drops */
	size_t glyph, nglyph;	   /* TEXT: in the batch's glyphs */
	size_t cluster, ncluster;  /* TEXT: in the batch's clusters */
	size_t text, ntext;	   /* TEXT, LINK: in the batch's text */
	int backward;		   /* TEXT: right-to-left clusters */
};

struct ts_batch {
	struct ts_op *ops;
	size_t nops, capops;
	cairo_glyph_t *glyphs;
	size_t nglyphs, capglyphs;
	cairo_text_cluster_t *clusters;
	size_t nclusters, capclusters;
	buf_t text;
	int last; /* the document ends after this batch */
	struct ts_batch *next;
};

/* The cairo side: the surface, its state and the queue it drains. */
struct ts_draw {
	cairo_surface_t *surface;
	cairo_t *cr;
	buf_t out; /* the PDF bytes, written by cairo */
	struct typeset_rgb rgb; /* the source colour, when has_rgb */
	int has_rgb;
	cairo_scaled_font_t *font;
	pthread_mutex_t lock;
	pthread_cond_t ready; /* a batch is waiting */
	pthread_cond_t room;  /* the queue has room again */
	struct ts_batch *head, *tail; /* batches waiting, under lock */
	size_t queued;		      /* how many, under lock */
	struct ts_batch *stop; /* kept to end the thread without memory */
	pthread_t thread;
	int threaded;
};

/* ------------------------------------------------------------------ */
/* Shaped text, made and broken into lines on the pango side          */

/* One pango item, shaped; fg (when has_fg) overrides the text colour. */
struct ts_shape {
	PangoItem *item;
	PangoGlyphString *glyphs;
	struct typeset_rgb fg;
	int has_fg;
	int ascent, descent;
};

/* The glyphs [g0, g1) of a shape on one line, x from the line's start. */
struct ts_run {
	size_t shape;
	int g0, g1;
	int x;
};

struct ts_line {
	size_t run, nrun;
	int x; /* where the line starts (right-to-left lines are aligned
		* right) */
	int ascent, descent;
};

/* A piece of text laid out to a width: its shapes, runs and lines. */
struct typeset_text {
	buf_t text;
	struct ts_shape *shapes;
	size_t nshapes, capshapes;
	size_t made; /* slots with a glyph string */
	struct ts_run *runs;
	size_t nruns, capruns;
	struct ts_line *lines;
	size_t nlines, caplines;
	double indent; /* from the left margin */
};

/* A text the counting pass laid out, and what it was laid out from. */
struct ts_kept {
	typeset_text_t *t; /* a copy, owned */
	int font;
	struct typeset_span *spans; /* copied, fg pointing into fgs */
	struct typeset_rgb *fgs;
	size_t nspans;
};

/* A font and the height of an empty line in it (once measured). */
struct ts_font {
	PangoFontDescription *desc;
	int measured;
	int ascent, descent;
};

struct typeset {
	struct ts_draw d;
	PangoContext *pc;
	PangoLanguage *lang;
	struct ts_font fonts[TS_FONTS];
	size_t nfonts;
	PangoFontDescription *f_furniture;
	struct typeset_rgb c_furniture, c_rule;
	/* The page furniture keeps pango's layouts: the header is
	 * ellipsized and the page number aligned right. */
	PangoLayout *header, *footer;
	buf_t attr; /* a link's tag attributes */
	/* The spans of the text being laid out (borrowed during
	 * typeset_lay). */
	const struct typeset_span *spans;
	size_t nspans;
	/* Scratch for one paragraph: char widths, each byte's char, the
	 * first byte of each char, the log attributes, which chars begin
	 * a glyph cluster. */
	int *widths, *chars, *bytes;
	PangoLogAttr *attrs;
	char *cstart;
	size_t capbytes;
	struct ts_batch *batch; /* the batch being filled */
	double y;		/* where the next line goes */
	int page;
	/* The first pass only counts the pages (nothing is drawn); the
	 * second draws them, knowing how many there are. */
	int counting;
	int pages; /* counted by the first pass */
	/* The counting pass's texts, in the order laid out, and which
	 * typeset_lay() call of the drawing pass this is. */
	struct ts_kept *kept;
	size_t nkept, capkept, kept_bytes, lays;
	int keep_full; /* the budget is spent: keep no more */
	int oom;
	int finished;
};

/* Make room for need elements of size in *arr; -1 when out of memory. */
static int ts_grow(void *arr, size_t *cap, size_t need, size_t size)
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
static cairo_status_t ts_write(void *closure, const unsigned char *data,
			       unsigned int n)
{
	buf_t *b = closure;

	buf_append(b, (const char *)data, n);
	return b->failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* The cairo side                                                     */

static struct ts_batch *ts_batch_new(void)
{
	return calloc(1, sizeof(struct ts_batch));
}

/* Free a batch and drop its font references (NULL is a no-op). */
static void ts_batch_free(struct ts_batch *b)
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

static void ts_draw_color(struct ts_draw *d, const struct typeset_rgb *c)
{
	if (d->has_rgb && d->rgb.r == c->r && d->rgb.g == c->g &&
	    d->rgb.b == c->b)
		return;
	cairo_set_source_rgb(d->cr, c->r, c->g, c->b);
	d->rgb = *c;
	d->has_rgb = 1;
}

static void ts_draw_text(struct ts_draw *d, const struct ts_batch *b,
			 const struct ts_op *op)
{
	ts_draw_color(d, &op->rgb);
	if (d->font != op->font) {
		cairo_set_scaled_font(d->cr, op->font);
		d->font = op->font;
	}
	cairo_show_text_glyphs(d->cr, b->text.data + op->text, (int)op->ntext,
			       b->glyphs + op->glyph, (int)op->nglyph,
			       b->clusters + op->cluster, (int)op->ncluster,
			       op->backward ? CAIRO_TEXT_CLUSTER_FLAG_BACKWARD
					    : 0);
}

/* Draw a batch's steps; the last one ends the document. */
static void ts_draw_batch(struct ts_draw *d, const struct ts_batch *b)
{
	const struct ts_op *op;
	size_t i;

	for (i = 0; i < b->nops; i++) {
		op = &b->ops[i];
		switch (op->kind) {
		case TS_OP_PAGE:
			cairo_show_page(d->cr);
			break;
		case TS_OP_FILL:
			ts_draw_color(d, &op->rgb);
			cairo_rectangle(d->cr, op->x, op->y, op->w, op->h);
			cairo_fill(d->cr);
			break;
		case TS_OP_RULE:
			ts_draw_color(d, &op->rgb);
			cairo_set_line_width(d->cr, 0.5);
			cairo_move_to(d->cr, op->x, op->y);
			cairo_line_to(d->cr, op->x + op->w, op->y);
			cairo_stroke(d->cr);
			break;
		case TS_OP_TEXT:
			ts_draw_text(d, b, op);
			break;
		case TS_OP_LINK:
			cairo_tag_begin(d->cr, CAIRO_TAG_LINK,
					b->text.data + op->text);
			break;
		case TS_OP_LINK_END:
			cairo_tag_end(d->cr, CAIRO_TAG_LINK);
			break;
		}
	}
	if (b->last) {
		cairo_tag_end(d->cr, TS_TAG_DOCUMENT);
		cairo_show_page(d->cr);
		cairo_surface_finish(d->surface);
	}
}

/* The cairo thread: replay batches until the last one. */
static void *ts_draw_main(void *arg)
{
	struct ts_draw *d = arg;
	struct ts_batch *b;
	int last = 0;

	while (!last) {
		pthread_mutex_lock(&d->lock);
		while (d->head == NULL)
			pthread_cond_wait(&d->ready, &d->lock);
		b = d->head;
		d->head = b->next;
		if (d->head == NULL)
			d->tail = NULL;
		d->queued--;
		pthread_cond_signal(&d->room);
		pthread_mutex_unlock(&d->lock);
		ts_draw_batch(d, b);
		last = b->last;
		ts_batch_free(b);
	}
	return NULL;
}

/*
 * Hand a batch to the cairo side (taken): queued for its thread (waiting
 * while TS_QUEUE_MAX batches are queued), or drawn here when there is
 * none.
 */
static void ts_draw_push(struct ts_draw *d, struct ts_batch *b)
{
	if (!d->threaded) {
		ts_draw_batch(d, b);
		ts_batch_free(b);
		return;
	}
	pthread_mutex_lock(&d->lock);
	while (d->queued >= TS_QUEUE_MAX)
		pthread_cond_wait(&d->room, &d->lock);
	d->queued++;
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
static void ts_draw_start(struct ts_draw *d)
{
	sigset_t all, old;
	int rc;

	d->stop = ts_batch_new();
	if (d->stop == NULL || pthread_mutex_init(&d->lock, NULL) != 0)
		return;
	if (pthread_cond_init(&d->ready, NULL) != 0) {
		pthread_mutex_destroy(&d->lock);
		return;
	}
	if (pthread_cond_init(&d->room, NULL) != 0) {
		pthread_cond_destroy(&d->ready);
		pthread_mutex_destroy(&d->lock);
		return;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&d->thread, NULL, ts_draw_main, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&d->room);
		pthread_cond_destroy(&d->ready);
		pthread_mutex_destroy(&d->lock);
		return;
	}
	d->threaded = 1;
}

/*
 * End the document: the last batch (taken; NULL when out of memory, then
 * the empty one kept for this goes instead) is drawn, and the cairo
 * thread joined.  Once ended, a second call does nothing.
 */
static void ts_draw_end(struct ts_draw *d, struct ts_batch *last)
{
	if (last == NULL) {
		last = d->stop;
		d->stop = NULL;
	}
	if (last != NULL) {
		last->last = 1;
		ts_draw_push(d, last);
	}
	if (d->threaded) {
		pthread_join(d->thread, NULL);
		pthread_cond_destroy(&d->room);
		pthread_cond_destroy(&d->ready);
		pthread_mutex_destroy(&d->lock);
		d->threaded = 0;
	}
	ts_batch_free(d->stop);
	d->stop = NULL;
}

/* ------------------------------------------------------------------ */
/* Filling batches on the pango side                                  */

/* A new step in the batch being filled; NULL when out of memory, or
 * while counting (nothing is drawn then). */
static struct ts_op *ts_op(typeset_t *ts, enum ts_op_kind kind,
			   const struct typeset_rgb *rgb)
{
	struct ts_batch *b = ts->batch;
	struct ts_op *op;

	if (ts->counting)
		return NULL;
	if (b == NULL ||
	    ts_grow(&b->ops, &b->capops, b->nops + 1, sizeof(*b->ops)) < 0) {
		ts->oom = 1;
		return NULL;
	}
	op = &b->ops[b->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	if (rgb != NULL)
		op->rgb = *rgb;
	return op;
}

/* Send the batch to the cairo side once it is big enough. */
static void ts_flush(typeset_t *ts)
{
	if (ts->oom || ts->counting || ts->batch == NULL ||
	    ts->batch->nops < TS_BATCH_OPS)
		return;
	ts_draw_push(&ts->d, ts->batch);
	ts->batch = ts_batch_new();
	if (ts->batch == NULL)
		ts->oom = 1;
}

static void ts_fill(typeset_t *ts, double x, double y, double w, double h,
		    const struct typeset_rgb *c)
{
	struct ts_op *op = ts_op(ts, TS_OP_FILL, c);

	if (op == NULL)
		return;
	op->x = x;
	op->y = y;
	op->w = w;
	op->h = h;
}

/* A link's attributes are kept NUL-terminated in the batch's text. */
static void ts_link_begin(typeset_t *ts, const char *attr)
{
	struct ts_op *op = ts_op(ts, TS_OP_LINK, NULL);

	if (op == NULL)
		return;
	op->text = ts->batch->text.len;
	buf_append(&ts->batch->text, attr, strlen(attr) + 1);
	if (ts->batch->text.failed)
		ts->oom = 1;
}

/* Whether cairo can draw a glyph: pango's empty and unknown ones not. */
static int ts_drawable(PangoGlyph g)
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
static int ts_clusters(struct ts_batch *b, const PangoGlyphString *gs,
		       int g0, int g1, int end, int rtl, int *from)
{
	int step = rtl ? -1 : 1, g = rtl ? g1 - 1 : g0;
	int stop = rtl ? g0 - 1 : g1, c, n, next;

	*from = gs->log_clusters[g];
	while (g != stop) {
		c = gs->log_clusters[g];
		n = 0;
		while (g != stop && gs->log_clusters[g] == c) {
			n += ts_drawable(gs->glyphs[g].glyph);
			g += step;
		}
		next = g != stop ? gs->log_clusters[g] : end;
		if (ts_grow(&b->clusters, &b->capclusters, b->nclusters + 1,
			    sizeof(*b->clusters)) < 0)
			return -1;
		b->clusters[b->nclusters].num_bytes = next - c;
		b->clusters[b->nclusters].num_glyphs = n;
		b->nclusters++;
	}
	return 0;
}

/* The glyphs [g0, g1) placed from x on the baseline y, into the batch. */
static int ts_place(struct ts_batch *b, const PangoGlyphString *gs, int g0,
		    int g1, double x, double y)
{
	const PangoGlyphInfo *gi;
	int g, pos = 0;

	if (ts_grow(&b->glyphs, &b->capglyphs, b->nglyphs + (size_t)(g1 - g0),
		    sizeof(*b->glyphs)) < 0)
		return -1;
	for (g = g0; g < g1; g++) {
		gi = &gs->glyphs[g];
		if (ts_drawable(gi->glyph)) {
			b->glyphs[b->nglyphs].index = gi->glyph;
			b->glyphs[b->nglyphs].x =
				x + TS_PT(pos + gi->geometry.x_offset);
			b->glyphs[b->nglyphs].y =
				y + TS_PT(gi->geometry.y_offset);
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
static void ts_glyphs(typeset_t *ts, const PangoItem *item,
		      const PangoGlyphString *gs, int g0, int g1, int end,
		      const char *text, double x, double y,
		      const struct typeset_rgb *fg)
{
	struct ts_batch *b = ts->batch;
	size_t glyph, cluster, at;
	int rtl = item->analysis.level % 2, from;
	struct ts_op *op;

	if (ts->counting || b == NULL || g0 >= g1 ||
	    item->analysis.font == NULL)
		return;
	glyph = b->nglyphs;
	cluster = b->nclusters;
	at = b->text.len;
	if (ts_clusters(b, gs, g0, g1, end, rtl, &from) < 0 ||
	    ts_place(b, gs, g0, g1, x, y) < 0) {
		ts->oom = 1;
		return;
	}
	buf_append(&b->text, text + item->offset + from, (size_t)(end - from));
	if (b->text.failed) {
		ts->oom = 1;
		return;
	}
	op = ts_op(ts, TS_OP_TEXT, fg);
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
static void ts_layout_glyphs(typeset_t *ts, PangoLayout *l, double x,
			     double y, const struct typeset_rgb *fg)
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
		base = y + TS_PT(pango_layout_iter_get_baseline(it));
		ts_glyphs(ts, run->item, run->glyphs, 0,
			  run->glyphs->num_glyphs, run->item->length, text,
			  x + TS_PT(r.x), base, fg);
	} while (pango_layout_iter_next_run(it));
	pango_layout_iter_free(it);
}

/* ------------------------------------------------------------------ */
/* Shaping and line breaking                                          */

/* Forget a text's bytes and shapes, keeping its glyph strings. */
static void ts_text_reset(typeset_text_t *t)
{
	size_t i;

	for (i = 0; i < t->nshapes; i++) {
		pango_item_free(t->shapes[i].item);
		t->shapes[i].item = NULL;
	}
	t->nshapes = 0;
	t->nruns = 0;
	t->nlines = 0;
	t->text.len = 0;
}

typeset_text_t *typeset_text_new(void)
{
	return calloc(1, sizeof(typeset_text_t));
}

void typeset_text_free(typeset_text_t *t)
{
	size_t i;

	if (t == NULL)
		return;
	ts_text_reset(t);
	for (i = 0; i < t->made; i++)
		pango_glyph_string_free(t->shapes[i].glyphs);
	free(t->shapes);
	free(t->runs);
	free(t->lines);
	buf_free(&t->text);
	free(t);
}

/* realloc() *arr to n elements of size; -1 when out of memory. */
static int ts_resize(void *arr, size_t n, size_t size)
{
	void **a = arr;
	void *q = realloc(*a, n * size);

	if (q == NULL)
		return -1;
	*a = q;
	return 0;
}

/* Scratch for a paragraph of nbytes bytes; -1 when out of memory. */
static int ts_scratch(typeset_t *ts, size_t nbytes)
{
	size_t n = nbytes + 1;

	if (n <= ts->capbytes)
		return 0;
	if (ts_resize(&ts->chars, n, sizeof(int)) < 0 ||
	    ts_resize(&ts->bytes, n, sizeof(int)) < 0 ||
	    ts_resize(&ts->widths, n, sizeof(int)) < 0 ||
	    ts_resize(&ts->attrs, n, sizeof(PangoLogAttr)) < 0 ||
	    ts_resize(&ts->cstart, n, 1) < 0)
		return -1;
	ts->capbytes = n;
	return 0;
}

/* The colour of the span holding byte i, or NULL. */
static const struct typeset_rgb *ts_span_fg(const typeset_t *ts, size_t i)
{
	size_t k;

	for (k = 0; k < ts->nspans; k++)
		if (i >= ts->spans[k].from && i < ts->spans[k].to)
			return ts->spans[k].fg;
	return NULL;
}

/*
 * Shape the item (taken) into a new shape of t; its chars' widths and
 * cluster starts go into the scratch, para being the paragraph's first
 * byte in t's text.
 */
static int ts_shape(typeset_t *ts, typeset_text_t *t, PangoItem *item,
		    size_t para, int plen)
{
	const char *s = t->text.data;
	const struct typeset_rgb *fg;
	struct ts_shape *sh;
	PangoGlyphItem gi;
	PangoRectangle r;
	int g;

	if (ts_grow(&t->shapes, &t->capshapes, t->nshapes + 1,
		    sizeof(*t->shapes)) < 0) {
		pango_item_free(item);
		return -1;
	}
	if (t->nshapes == t->made) {
		/* Glyph strings stay with their slots from call to call. */
		t->shapes[t->made++].glyphs = pango_glyph_string_new();
	}
	sh = &t->shapes[t->nshapes++];
	sh->item = item;
	fg = ts_span_fg(ts, (size_t)item->offset);
	sh->has_fg = fg != NULL;
	if (fg != NULL)
		sh->fg = *fg;
	pango_shape_with_flags(s + item->offset, item->length, s + para, plen,
			       &item->analysis, sh->glyphs, PANGO_SHAPE_NONE);
	gi.item = item;
	gi.glyphs = sh->glyphs;
	pango_glyph_item_get_logical_widths(
		&gi, s, ts->widths + ts->chars[(size_t)item->offset - para]);
	for (g = 0; g < sh->glyphs->num_glyphs; g++)
		ts->cstart[ts->chars[(size_t)item->offset - para +
				     (size_t)sh->glyphs->log_clusters[g]]] = 1;
	sh->ascent = sh->descent = 0;
	if (item->analysis.font != NULL) {
		/* A cairo font's empty glyph has the font's logical
		 * extents, as every glyph of the run. */
		pango_font_get_glyph_extents(item->analysis.font,
					     PANGO_GLYPH_EMPTY, NULL, &r);
		sh->ascent = -r.y;
		sh->descent = r.y + r.height;
	}
	return 0;
}

/* The level of a run's item: odd is right-to-left. */
static int ts_level(const typeset_text_t *t, const struct ts_run *r)
{
	return t->shapes[r->shape].item->analysis.level;
}

/*
 * Put a line's runs from the order of the text into the order they are
 * drawn in (Unicode's rule L2): from the highest embedding level down to
 * the lowest odd one, every stretch of runs at least that high reverses.
 */
static void ts_reorder(const typeset_text_t *t, struct ts_run *r, size_t n)
{
	int max = 0, minodd = 255, lev;
	struct ts_run tmp;
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		lev = ts_level(t, &r[i]);
		if (lev > max)
			max = lev;
		if (lev % 2 == 1 && lev < minodd)
			minodd = lev;
	}
	for (lev = max; lev >= minodd; lev--) {
		for (i = 0; i < n; i = j + 1) {
			/* The stretch [i, j) at lev or higher, reversed. */
			for (j = i; j < n && ts_level(t, &r[j]) >= lev; j++)
				;
			for (k = j; i + 1 < k; i++, k--) {
				tmp = r[i];
				r[i] = r[k - 1];
				r[k - 1] = tmp;
			}
		}
	}
}

/* Place a line's runs one after the other; returns the line's width. */
static int ts_advance(const typeset_text_t *t, const struct ts_line *ln)
{
	const PangoGlyphString *gs;
	struct ts_run *r;
	int g, x = 0;
	size_t k;

	for (k = 0; k < ln->nrun; k++) {
		r = &t->runs[ln->run + k];
		gs = t->shapes[r->shape].glyphs;
		r->x = x;
		for (g = r->g0; g < r->g1; g++)
			x += gs->glyphs[g].geometry.width;
	}
	return x;
}

/*
 * A new line of t holding the bytes [from, to) of its text, made of the
 * shapes [s0, s1) of the paragraph; in a right-to-left paragraph it is
 * aligned right within width.  asc and desc are the height of a line
 * without glyphs.
 */
static int ts_line(typeset_text_t *t, size_t s0, size_t s1, int from, int to,
		   int rtl, int width, int asc, int desc)
{
	const struct ts_shape *sh;
	struct ts_line *ln;
	struct ts_run *r;
	int g, lo, hi, at, x;
	size_t k;

	if (ts_grow(&t->lines, &t->caplines, t->nlines + 1,
		    sizeof(*t->lines)) < 0)
		return -1;
	ln = &t->lines[t->nlines];
	ln->run = t->nruns;
	ln->nrun = 0;
	ln->ascent = asc;
	ln->descent = desc;
	for (k = s0; k < s1; k++) {
		sh = &t->shapes[k];
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
		if (ts_grow(&t->runs, &t->capruns, t->nruns + 1,
			    sizeof(*t->runs)) < 0)
			return -1;
		r = &t->runs[t->nruns++];
		r->shape = k;
		r->g0 = lo;
		r->g1 = hi + 1;
		if (ln->nrun++ == 0)
			ln->ascent = ln->descent = 0;
		ln->ascent = sh->ascent > ln->ascent ? sh->ascent : ln->ascent;
		ln->descent =
			sh->descent > ln->descent ? sh->descent : ln->descent;
	}
	ts_reorder(t, t->runs + ln->run, ln->nrun);
	x = ts_advance(t, ln);
	ln->x = rtl && x < width ? width - x : 0;
	t->nlines++;
	return 0;
}

/*
 * Where to break within the chars [i, n] when char i does not fit: the
 * last place between clusters before it, else the first after it (a
 * line holds at least one cluster).
 */
static int ts_char_break(const typeset_t *ts, int s, int i, int n)
{
	int j;

	for (j = i; j > s; j--)
		if (ts->attrs[j].is_cursor_position && ts->cstart[j])
			return j;
	for (j = i + 1; j < n; j++)
		if (ts->attrs[j].is_cursor_position && ts->cstart[j])
			return j;
	return n;
}

/*
 * Where the line beginning at char s of the paragraph's n chars ends:
 * at a forced break, else at the last break opportunity that keeps it
 * within width (white space at its end may hang over), else between
 * clusters of a word too long for a line (pango's PANGO_WRAP_WORD_CHAR).
 */
static int ts_break(const typeset_t *ts, int s, int n, int width)
{
	int i, x = 0, white = 0, brk = -1;

	for (i = s; i < n; i++) {
		if (i > s && ts->attrs[i].is_mandatory_break)
			return i;
		if (i > s && ts->attrs[i].is_line_break)
			brk = i;
		if (ts->attrs[i].is_white) {
			white += ts->widths[i];
		} else {
			x += white + ts->widths[i];
			white = 0;
		}
		if (x > width && i > s)
			return brk > s ? brk : ts_char_break(ts, s, i, n);
	}
	return n;
}

/*
 * Whether a paragraph's first strong character is right-to-left, as
 * PangoLayout decides its direction (with the same, deprecated, call).
 */
static int ts_rtl(const char *t, int len)
{
	PangoDirection dir;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	dir = pango_find_base_dir(t, len);
#pragma GCC diagnostic pop
	return dir == PANGO_DIRECTION_RTL;
}

/*
 * Lay out the paragraph of plen bytes at byte para of t's text: itemize
 * it (attrs give the bold parts), shape each item once, find its break
 * opportunities and break it into lines of at most width.
 */
static int ts_para(typeset_t *ts, typeset_text_t *t, int para, int plen,
		   PangoAttrList *attrs, int width, int asc, int desc)
{
	const char *s = buf_str(&t->text) + para;
	int rtl = ts_rtl(s, plen), n = 0, k, c, e, rc = 0;
	size_t s0 = t->nshapes;
	GList *items, *l;

	if (plen == 0)
		return ts_line(t, s0, s0, para, para, 0, width, asc, desc);
	if (ts_scratch(ts, (size_t)plen) < 0)
		return -1;
	/* Each byte's char, and each char's first byte. */
	for (k = 0; k < plen; k++) {
		if (((unsigned char)s[k] & 0xc0) != 0x80)
			ts->bytes[n++] = k;
		ts->chars[k] = n - 1;
	}
	ts->chars[plen] = n;
	ts->bytes[n] = plen;
	memset(ts->cstart, 0, (size_t)n + 1);
	memset(ts->widths, 0, ((size_t)n + 1) * sizeof(int));
	items = pango_itemize_with_base_dir(
		ts->pc, rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR,
		t->text.data, para, plen, attrs, NULL);
	for (l = items; l != NULL; l = l->next) {
		if (rc == 0)
			rc = ts_shape(ts, t, l->data, (size_t)para, plen);
		else
			pango_item_free(l->data);
	}
	g_list_free(items);
	if (rc < 0)
		return -1;
	pango_get_log_attrs(s, plen, rtl, ts->lang, ts->attrs, n + 1);
	for (c = 0; c < n; c = e) {
		e = ts_break(ts, c, n, width);
		if (ts_line(t, s0, t->nshapes, para + ts->bytes[c],
			    para + ts->bytes[e], rtl, width, asc, desc) < 0)
			return -1;
	}
	return 0;
}

/* The height of an empty line in font f (pango units), measured once. */
static void ts_empty(typeset_t *ts, struct ts_font *f, int *asc, int *desc)
{
	PangoRectangle r = { 0, 0, 0, 0 };
	PangoFont *pf;

	if (!f->measured) {
		pf = pango_context_load_font(ts->pc, f->desc);
		if (pf != NULL) {
			pango_font_get_glyph_extents(pf, PANGO_GLYPH_EMPTY,
						     NULL, &r);
			g_object_unref(pf);
		}
		f->ascent = -r.y;
		f->descent = r.y + r.height;
		f->measured = 1;
	}
	*asc = f->ascent;
	*desc = f->descent;
}

/* Shape and break the text into t (typeset_lay() without the kept
 * texts). */
static int ts_lay(typeset_t *ts, typeset_text_t *t, const char *s, size_t len,
		  int font, double indent, const struct typeset_span *spans,
		  size_t nspans)
{
	PangoAttrList *attrs = NULL;
	PangoAttribute *a;
	int delim, next, pos = 0, asc, desc, rc = 0;
	struct ts_font *f;
	size_t k;

	if (ts->oom || font < 0 || (size_t)font >= ts->nfonts) {
		ts->oom = 1;
		return -1;
	}
	f = &ts->fonts[font];
	ts_text_reset(t);
	t->indent = indent;
	buf_append(&t->text, s, len);
	if (t->text.failed || len > INT32_MAX / 2) {
		ts->oom = 1;
		return -1;
	}
	for (k = 0; k < len; k++)
		if (t->text.data[k] == '\t')
			t->text.data[k] = ' ';
	pango_context_set_font_description(ts->pc, f->desc);
	if (nspans > 0)
		attrs = pango_attr_list_new();
	for (k = 0; k < nspans; k++) {
		a = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
		a->start_index = (guint)spans[k].from;
		a->end_index = (guint)spans[k].to;
		pango_attr_list_insert(attrs, a);
	}
	ts->spans = spans;
	ts->nspans = nspans;
	ts_empty(ts, f, &asc, &desc);
	for (;;) {
		pango_find_paragraph_boundary(buf_str(&t->text) + pos,
					      (int)len - pos, &delim, &next);
		rc = ts_para(ts, t, pos, delim, attrs,
			     (int)((TS_TEXT_W - indent) * PANGO_SCALE), asc,
			     desc);
		if (rc < 0 || next == delim)
			break;
		pos += next;
	}
	if (attrs != NULL)
		pango_attr_list_unref(attrs);
	ts->spans = NULL;
	ts->nspans = 0;
	if (rc < 0)
		ts->oom = 1;
	return rc;
}

/*
 * About how many bytes a copy of laid-out t holds (ts_text_copy()), with
 * what the allocator adds: each block's header and rounding, and for each
 * item pango's private part and attributes.
 */
static size_t ts_text_bytes(const typeset_text_t *t)
{
	size_t n = sizeof(*t) + t->text.len +
		   (t->nshapes + 1) * sizeof(*t->shapes) +
		   (t->nruns + 1) * sizeof(*t->runs) +
		   (t->nlines + 1) * sizeof(*t->lines) + 8 * 32, i;

	for (i = 0; i < t->nshapes; i++)
		n += 256 + (size_t)t->shapes[i].glyphs->num_glyphs * 2 *
				   (sizeof(PangoGlyphInfo) + sizeof(int));
	return n;
}

/* A copy of a glyph string with about the room its glyphs need. */
static PangoGlyphString *ts_glyphs_copy(const PangoGlyphString *gs)
{
	PangoGlyphString *c = pango_glyph_string_new();

	pango_glyph_string_set_size(c, gs->num_glyphs);
	memcpy(c->glyphs, gs->glyphs,
	       (size_t)gs->num_glyphs * sizeof(*gs->glyphs));
	memcpy(c->log_clusters, gs->log_clusters,
	       (size_t)gs->num_glyphs * sizeof(*gs->log_clusters));
	return c;
}

/* A copy of laid-out t, its arrays just as long as needed; NULL when out
 * of memory. */
static typeset_text_t *ts_text_copy(const typeset_text_t *t)
{
	typeset_text_t *c = typeset_text_new();
	size_t i;

	if (c == NULL)
		return NULL;
	c->indent = t->indent;
	buf_append(&c->text, t->text.data, t->text.len);
	if (c->text.failed ||
	    ts_grow(&c->shapes, &c->capshapes, t->nshapes + 1,
		    sizeof(*c->shapes)) < 0 ||
	    ts_grow(&c->runs, &c->capruns, t->nruns + 1, sizeof(*c->runs)) <
		    0 ||
	    ts_grow(&c->lines, &c->caplines, t->nlines + 1,
		    sizeof(*c->lines)) < 0)
		goto fail;
	for (i = 0; i < t->nshapes; i++) {
		c->shapes[i] = t->shapes[i];
		c->shapes[i].item = pango_item_copy(t->shapes[i].item);
		/* Not pango_glyph_string_copy(): it copies all the room a
		 * reused string once grew to. */
		c->shapes[i].glyphs = ts_glyphs_copy(t->shapes[i].glyphs);
		c->nshapes = c->made = i + 1;
	}
	memcpy(c->runs, t->runs, t->nruns * sizeof(*t->runs));
	c->nruns = t->nruns;
	memcpy(c->lines, t->lines, t->nlines * sizeof(*t->lines));
	c->nlines = t->nlines;
	return c;
fail:
	typeset_text_free(c);
	return NULL;
}

static void ts_kept_free(struct ts_kept *k)
{
	typeset_text_free(k->t);
	free(k->spans);
	free(k->fgs);
	memset(k, 0, sizeof(*k));
}

/* Keep laid-out t for the drawing pass, within TS_KEEP_BYTES; past the
 * budget (or out of memory) nothing more is kept. */
static void ts_keep(typeset_t *ts, const typeset_text_t *t, int font,
		    const struct typeset_span *spans, size_t nspans)
{
	size_t bytes = ts_text_bytes(t) + nspans * 64, i;
	struct ts_kept *k;

	if (ts->keep_full || ts->kept_bytes + bytes > TS_KEEP_BYTES ||
	    ts_grow(&ts->kept, &ts->capkept, ts->nkept + 1,
		    sizeof(*ts->kept)) < 0) {
		ts->keep_full = 1;
		return;
	}
	k = &ts->kept[ts->nkept];
	memset(k, 0, sizeof(*k));
	k->font = font;
	k->nspans = nspans;
	k->t = ts_text_copy(t);
	if (nspans > 0) {
		k->spans = calloc(nspans, sizeof(*k->spans));
		k->fgs = calloc(nspans, sizeof(*k->fgs));
	}
	if (k->t == NULL || (nspans > 0 && (k->spans == NULL ||
					   k->fgs == NULL))) {
		ts_kept_free(k);
		ts->keep_full = 1;
		return;
	}
	for (i = 0; i < nspans; i++) {
		k->spans[i] = spans[i];
		if (spans[i].fg != NULL) {
			k->fgs[i] = *spans[i].fg;
			k->spans[i].fg = &k->fgs[i];
		}
	}
	ts->nkept++;
	ts->kept_bytes += bytes;
}

/* Whether kept text k was laid out from the same call. */
static int ts_kept_same(const struct ts_kept *k, const char *s, size_t len,
			int font, double indent,
			const struct typeset_span *spans, size_t nspans)
{
	const struct typeset_span *a, *b;
	size_t i;

	if (k->t == NULL || k->font != font || k->t->indent != indent ||
	    k->t->text.len != len || k->nspans != nspans)
		return 0;
	for (i = 0; i < len; i++)
		if (k->t->text.data[i] != (s[i] == '\t' ? ' ' : s[i]))
			return 0;
	for (i = 0; i < nspans; i++) {
		a = &k->spans[i];
		b = &spans[i];
		if (a->from != b->from || a->to != b->to ||
		    (a->fg == NULL) != (b->fg == NULL) ||
		    (a->fg != NULL && memcmp(a->fg, b->fg, sizeof(*a->fg))))
			return 0;
	}
	return 1;
}

int typeset_lay(typeset_t *ts, typeset_text_t *t, const char *s, size_t len,
		int font, double indent, const struct typeset_span *spans,
		size_t nspans)
{
	struct ts_kept *k;
	typeset_text_t tmp;
	size_t at = ts->lays++;

	if (ts->oom)
		return -1;
	if (!ts->counting && at < ts->nkept) {
		k = &ts->kept[at];
		if (ts_kept_same(k, s, len, font, indent, spans, nspans)) {
			/* t takes the kept layout; its own is freed. */
			tmp = *t;
			*t = *k->t;
			*k->t = tmp;
			ts_kept_free(k);
			return 0;
		}
		ts_kept_free(k);
	}
	if (ts_lay(ts, t, s, len, font, indent, spans, nspans) < 0)
		return -1;
	if (ts->counting)
		ts_keep(ts, t, font, spans, nspans);
	return 0;
}

static double ts_line_h(const struct ts_line *ln)
{
	return TS_PT(ln->ascent + ln->descent);
}

double typeset_text_first_line(const typeset_text_t *t)
{
	return t->nlines > 0 ? ts_line_h(&t->lines[0]) : 0;
}

double typeset_text_height(const typeset_text_t *t)
{
	double h = 0;
	size_t i;

	for (i = 0; i < t->nlines; i++)
		h += ts_line_h(&t->lines[i]);
	return h;
}

/* ------------------------------------------------------------------ */
/* Pages and the flow of lines                                        */

/* The page furniture: header, rule and page number (none while
 * counting). */
static void ts_page_begin(typeset_t *ts)
{
	struct ts_op *op;
	char num[48];

	ts->page++;
	ts->y = TS_TOP;
	if (ts->counting)
		return;
	ts_layout_glyphs(ts, ts->header, TS_MARGIN, TS_HEADER_Y,
			 &ts->c_furniture);
	snprintf(num, sizeof(num), "Page %d of %d", ts->page, ts->pages);
	pango_layout_set_text(ts->footer, num, -1);
	ts_layout_glyphs(ts, ts->footer, TS_MARGIN, TS_FOOTER_Y,
			 &ts->c_furniture);
	op = ts_op(ts, TS_OP_RULE, &ts->c_rule);
	if (op != NULL) {
		op->x = TS_MARGIN;
		op->y = TS_RULE_Y;
		op->w = TS_TEXT_W;
	}
}

static void ts_page_break(typeset_t *ts)
{
	ts_op(ts, TS_OP_PAGE, NULL);
	ts_page_begin(ts);
}

int typeset_need(typeset_t *ts, double h)
{
	if (ts->oom)
		return -1;
	if (ts->y + h > TS_BOTTOM && ts->y > TS_TOP)
		ts_page_break(ts);
	return ts->oom ? -1 : 0;
}

int typeset_gap(typeset_t *ts, double h, const struct typeset_rgb *bg)
{
	if (ts->oom)
		return -1;
	if (ts->y + h > TS_BOTTOM) {
		ts->y = TS_BOTTOM;
		return 0;
	}
	if (bg != NULL)
		ts_fill(ts, TS_MARGIN - TS_PAD, ts->y, TS_TEXT_W + 2 * TS_PAD,
			h, bg);
	ts->y += h;
	return ts->oom ? -1 : 0;
}

/* A run's end within its item: where the text after its glyphs begins. */
static int ts_run_end(const struct ts_shape *sh, const struct ts_run *r)
{
	const PangoGlyphString *gs = sh->glyphs;

	if (sh->item->analysis.level % 2 == 1)
		return r->g0 > 0 ? gs->log_clusters[r->g0 - 1]
				 : sh->item->length;
	return r->g1 < gs->num_glyphs ? gs->log_clusters[r->g1]
				      : sh->item->length;
}

/*
 * The attributes of a link to uri: "uri='…'" with ' and \ escaped as
 * cairo's attribute parser wants them.  The string lives in ts->attr
 * until the next link; NULL when out of memory.
 */
static const char *ts_link_attr(typeset_t *ts, const char *uri)
{
	const char *s;

	ts->attr.len = 0;
	if (ts->attr.data != NULL)
		ts->attr.data[0] = '\0';
	buf_puts(&ts->attr, "uri='");
	for (s = uri; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			buf_append(&ts->attr, "\\", 1);
		buf_append(&ts->attr, s, 1);
	}
	buf_puts(&ts->attr, "'");
	return buf_str(&ts->attr);
}

int typeset_flow(typeset_t *ts, const typeset_text_t *t,
		 const struct typeset_rgb *fg, const struct typeset_rgb *bg,
		 const char *uri)
{
	const char *link = NULL;
	const struct ts_shape *sh;
	const struct ts_line *ln;
	const struct ts_run *r;
	double h, base, x = TS_MARGIN + t->indent;
	size_t i, k;

	if (ts->oom)
		return -1;
	if (uri != NULL && !ts->counting) {
		link = ts_link_attr(ts, uri);
		if (link == NULL) {
			ts->oom = 1;
			return -1;
		}
	}
	for (i = 0; i < t->nlines; i++) {
		ln = &t->lines[i];
		h = ts_line_h(ln);
		if (typeset_need(ts, h) < 0)
			return -1;
		if (bg != NULL)
			ts_fill(ts, TS_MARGIN - TS_PAD, ts->y,
				TS_TEXT_W + 2 * TS_PAD, h, bg);
		if (link != NULL)
			ts_link_begin(ts, link);
		base = ts->y + TS_PT(ln->ascent);
		for (k = 0; k < ln->nrun; k++) {
			r = &t->runs[ln->run + k];
			sh = &t->shapes[r->shape];
			ts_glyphs(ts, sh->item, sh->glyphs, r->g0, r->g1,
				  ts_run_end(sh, r), t->text.data,
				  x + TS_PT(ln->x + r->x), base,
				  sh->has_fg ? &sh->fg : fg);
		}
		if (link != NULL)
			ts_op(ts, TS_OP_LINK_END, NULL);
		ts->y += h;
	}
	ts_flush(ts);
	return ts->oom ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* The document                                                       */

int typeset_font(typeset_t *ts, const char *desc)
{
	PangoFontDescription *f;

	if (ts->nfonts == TS_LEN(ts->fonts))
		return -1;
	f = pango_font_description_from_string(desc);
	if (f == NULL)
		return -1;
	ts->fonts[ts->nfonts].desc = f;
	ts->fonts[ts->nfonts].measured = 0;
	return (int)ts->nfonts++;
}

static PangoLayout *ts_layout(typeset_t *ts, const PangoFontDescription *f)
{
	PangoLayout *l = pango_layout_new(ts->pc);

	pango_layout_set_font_description(l, f);
	pango_layout_set_width(l, (int)(TS_TEXT_W * PANGO_SCALE));
	return l;
}

/*
 * The surface, its metadata, the context, the furniture's layouts and
 * the first batch.  The cairo side is set up before its thread starts.
 */
static int ts_open(typeset_t *ts, const struct typeset_opts *o)
{
	ts->d.surface = cairo_pdf_surface_create_for_stream(
		ts_write, &ts->d.out, TS_PAGE_W, TS_PAGE_H);
	if (cairo_surface_status(ts->d.surface) != CAIRO_STATUS_SUCCESS)
		return -1;
	ts->d.cr = cairo_create(ts->d.surface);
	if (cairo_status(ts->d.cr) != CAIRO_STATUS_SUCCESS)
		return -1;
	/* Everything drawn is inside one structure element (a tagged PDF):
	 * cairo 1.16 gives a link outside any a /StructParent whose object
	 * it never writes, and qpdf calls such a file damaged. */
	cairo_tag_begin(ts->d.cr, TS_TAG_DOCUMENT, "");
	if (o->title != NULL)
		cairo_pdf_surface_set_metadata(
			ts->d.surface, CAIRO_PDF_METADATA_TITLE, o->title);
	if (o->creator != NULL)
		cairo_pdf_surface_set_metadata(ts->d.surface,
					       CAIRO_PDF_METADATA_CREATOR,
					       o->creator);
	/* The thread's default font map keeps its font cache between
	 * calls. */
	ts->pc = pango_font_map_create_context(
		pango_cairo_font_map_get_default());
	pango_cairo_update_context(ts->d.cr, ts->pc);
	pango_cairo_context_set_resolution(ts->pc, 72);
	pango_context_set_round_glyph_positions(ts->pc, FALSE);
	ts->lang = pango_context_get_language(ts->pc);

	ts->f_furniture = pango_font_description_from_string(
		o->furniture_font != NULL ? o->furniture_font : "Sans 8");
	ts->c_furniture = o->furniture;
	ts->c_rule = o->rule;
	ts->header = ts_layout(ts, ts->f_furniture);
	ts->footer = ts_layout(ts, ts->f_furniture);
	pango_layout_set_ellipsize(ts->header, PANGO_ELLIPSIZE_END);
	pango_layout_set_alignment(ts->footer, PANGO_ALIGN_RIGHT);
	pango_layout_set_text(ts->header, o->header != NULL ? o->header : "",
			      -1);
	ts->batch = ts_batch_new();
	if (ts->batch == NULL) {
		ts->oom = 1;
		return -1;
	}
	return 0;
}

/* Why the document failed, in err (the cairo side has ended). */
static void ts_error(const typeset_t *ts, char *err, size_t errlen)
{
	cairo_status_t st = CAIRO_STATUS_SUCCESS;

	if (err == NULL || errlen == 0)
		return;
	if (ts->d.cr != NULL)
		st = cairo_status(ts->d.cr);
	if (st == CAIRO_STATUS_SUCCESS && ts->d.surface != NULL)
		st = cairo_surface_status(ts->d.surface);
	if (ts->oom || ts->d.out.failed || st == CAIRO_STATUS_NO_MEMORY)
		snprintf(err, errlen, "could not render the pdf: %s",
			 "out of memory");
	else if (st != CAIRO_STATUS_SUCCESS)
		snprintf(err, errlen, "could not render the pdf: %s",
			 cairo_status_to_string(st));
	else
		snprintf(err, errlen, "could not render the pdf");
}

/* End the cairo side without drawing what is left (NULL is a no-op). */
static void ts_stop(typeset_t *ts)
{
	ts_batch_free(ts->batch);
	ts->batch = NULL;
	ts_draw_end(&ts->d, NULL);
}

typeset_t *typeset_new(const struct typeset_opts *o, char *err,
		       size_t errlen)
{
	typeset_t *ts = calloc(1, sizeof(*ts));

	if (ts == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "could not render the pdf: %s",
				 "out of memory");
		return NULL;
	}
	ts->counting = 1;
	if (ts_open(ts, o) < 0)
		goto fail;
	ts_page_begin(ts);
	return ts;
fail:
	ts_stop(ts);
	ts_error(ts, err, errlen);
	typeset_free(ts);
	return NULL;
}

int typeset_pages(const typeset_t *ts)
{
	return ts->counting ? ts->page : ts->pages;
}

int typeset_rewind(typeset_t *ts)
{
	if (ts->oom || ts->finished || !ts->counting)
		return -1;
	ts->pages = ts->page;
	ts->page = 0;
	ts->counting = 0;
	ts->lays = 0;
	ts_draw_start(&ts->d);
	ts_page_begin(ts);
	return ts->oom ? -1 : 0;
}

int typeset_finish(typeset_t *ts, unsigned char **out, size_t *len,
		   char *err, size_t errlen)
{
	*out = NULL;
	*len = 0;
	if (ts->finished || ts->oom)
		goto fail;
	if (ts->counting || ts->page != ts->pages) {
		ts->finished = 1;
		ts_stop(ts);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen,
				 "could not render the pdf: %s",
				 ts->counting ? "the pages were never counted"
					      : "the second pass laid out "
						"other pages than the first");
		return -1;
	}
	ts->finished = 1;
	/* The last batch ends the document; the cairo side is done. */
	ts_draw_end(&ts->d, ts->batch);
	ts->batch = NULL;
	if (cairo_status(ts->d.cr) != CAIRO_STATUS_SUCCESS ||
	    cairo_surface_status(ts->d.surface) != CAIRO_STATUS_SUCCESS ||
	    ts->d.out.failed)
		goto fail;
	*len = ts->d.out.len;
	*out = (unsigned char *)buf_steal(&ts->d.out);
	return 0;
fail:
	ts->finished = 1;
	ts_stop(ts);
	ts_error(ts, err, errlen);
	return -1;
}

static void ts_unref(void *obj)
{
	if (obj != NULL)
		g_object_unref(obj);
}

void typeset_free(typeset_t *ts)
{
	size_t i;

	if (ts == NULL)
		return;
	ts_stop(ts);
	for (i = 0; i < ts->nkept; i++)
		ts_kept_free(&ts->kept[i]);
	free(ts->kept);
	ts_unref(ts->header);
	ts_unref(ts->footer);
	ts_unref(ts->pc);
	for (i = 0; i < ts->nfonts; i++)
		pango_font_description_free(ts->fonts[i].desc);
	pango_font_description_free(ts->f_furniture);
	cairo_destroy(ts->d.cr);
	cairo_surface_destroy(ts->d.surface);
	buf_free(&ts->d.out);
	buf_free(&ts->attr);
	free(ts->widths);
	free(ts->chars);
	free(ts->bytes);
	free(ts->attrs);
	free(ts->cstart);
	free(ts);
}

void typeset_cleanup(void)
{
	/* A new default font map is made on demand by the next call. */
	pango_cairo_font_map_set_default(NULL);
}

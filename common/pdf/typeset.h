/*
 * The typesetter of the PDF layer: text in any script shaped with pango,
 * broken into lines of a width, flowed down A4 pages with a header, a
 * rule and "Page N of M" on each, and drawn with cairo into a PDF in
 * memory, with links over text.  It knows pages, fonts, colours and
 * links, nothing of what the text means.  Not thread-safe (pango): one
 * thread calls it; the drawing runs on a second thread of its own.
 *
 * A document is laid out twice, the same calls each time: the first pass
 * only counts the pages (cairo 1.16 cannot go back to a page, so the
 * count must be known before the first footer is drawn), then
 * typeset_rewind(), then the second pass draws.  Nothing of the first
 * pass is kept, so memory stays bounded however long the document is.
 */
#ifndef GL_TYPESET_H
#define GL_TYPESET_H

#include <stddef.h>

/* A PDF being typeset. */
typedef struct typeset typeset_t;
/* A piece of text laid out to a width, ready to flow onto the pages. */
typedef struct typeset_text typeset_text_t;

/* A colour, each part from 0 to 1. */
struct typeset_rgb {
	double r, g, b;
};

/* The bytes [from, to) of a text set in bold, in colour *fg when given. */
struct typeset_span {
	size_t from, to;
	const struct typeset_rgb *fg;
};

/*
 * A document's settings.  Strings may be NULL (none); everything is
 * copied by typeset_new().
 */
struct typeset_opts {
	const char *title;   /* the PDF's Title */
	const char *creator; /* the PDF's Creator */
	const char *header;  /* on top of every page, cut with an ellipsis
			      * to the text's width; may hold a line break */
	const char *furniture_font; /* pango font of the header and the page
				     * number, e.g. "Noto Sans 8" */
	struct typeset_rgb furniture; /* colour of the header and page number */
	struct typeset_rgb rule;      /* colour of the rule under the header */
};

/*
 * A new document of one page, ready for text, in its counting pass.  NULL
 * with the reason in err.  The caller frees it with typeset_free().
 */
typeset_t *typeset_new(const struct typeset_opts *o, char *err,
		       size_t errlen) __attribute__((warn_unused_result));

/*
 * End the counting pass and start the drawing one from the first page:
 * starts the drawing thread (when none can be started, drawing happens on
 * the caller's thread).  Lay the same document out again afterwards.
 * 0, or -1 when an earlier call failed or the pass was already ended.
 */
int typeset_rewind(typeset_t *ts) __attribute__((warn_unused_result));

/* The pages counted so far in the counting pass; in the drawing pass,
 * the count it draws to ("of M"). */
int typeset_pages(const typeset_t *ts);

/*
 * End the document: *out is the PDF, malloc()ed (the caller frees), of
 * *len bytes.  0, or -1 with the reason in err, also when an earlier call
 * failed, typeset_rewind() was not called or the drawing pass made another
 * number of pages than the counting one (then *out is NULL).  Call once;
 * afterwards only typeset_free() is allowed.
 */
int typeset_finish(typeset_t *ts, unsigned char **out, size_t *len,
		   char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Free the document, finished or not (then its drawing thread is ended
 * and the PDF dropped).  NULL is a no-op.  Free the texts laid out with
 * it before or after, as you like.
 */
void typeset_free(typeset_t *ts);

/*
 * Drop the font caches pango keeps for the calling thread between
 * documents, so a program's cleanup at exit leaves leak checkers quiet.
 * A later typeset_new() builds them again.
 */
void typeset_cleanup(void);

/*
 * Add the pango font desc ("Noto Sans Bold 12"; copied); returns the
 * number that names it in typeset_lay(), or -1 (out of memory, or more
 * than 8 fonts).
 */
int typeset_font(typeset_t *ts, const char *desc)
	__attribute__((warn_unused_result));

/* A text to lay out again and again (reusing its memory).  NULL when out
 * of memory; the caller frees it with typeset_text_free() (NULL is a
 * no-op). */
typeset_text_t *typeset_text_new(void) __attribute__((warn_unused_result));
void typeset_text_free(typeset_text_t *t);

/*
 * Lay out len bytes of s (UTF-8; copied) into t in font, as wide as the
 * text column less indent points, to be drawn indent points in from the
 * left margin; what t held before is dropped.  The nspans spans (read
 * during the call only) are bold.  Tabs become spaces; line breaks in s
 * start new lines.  0, or -1 when out of memory or font is not one of
 * ts's (the document fails).  t may then be drawn only by typeset_flow()
 * of the same ts.
 */
int typeset_lay(typeset_t *ts, typeset_text_t *t, const char *s, size_t len,
		int font, double indent, const struct typeset_span *spans,
		size_t nspans) __attribute__((warn_unused_result));

/* The height in points of t's first line (0 without lines), and of all
 * its lines. */
double typeset_text_first_line(const typeset_text_t *t);
double typeset_text_height(const typeset_text_t *t);

/*
 * Draw t's lines from the current position down in colour *fg (its bold
 * spans may have their own), each line on a highlight of colour *bg when
 * bg is not NULL (reaching a little outside the text column), each line a
 * link to uri when uri is not NULL.  A line that does not fit on the page
 * goes to the next one.  Colours and uri are copied.  0, or -1 when out of
 * memory (the document fails).
 */
int typeset_flow(typeset_t *ts, const typeset_text_t *t,
		 const struct typeset_rgb *fg, const struct typeset_rgb *bg,
		 const char *uri) __attribute__((warn_unused_result));

/*
 * Move down h points, filling the gap across the text column (as a
 * highlight) with *bg when bg is not NULL; at the bottom of a page, stay
 * there.  0, or -1 when out of memory.
 */
int typeset_gap(typeset_t *ts, double h, const struct typeset_rgb *bg)
	__attribute__((warn_unused_result));

/* Start a new page unless h more points fit on this one (or nothing is
 * on it yet).  0, or -1 when out of memory. */
int typeset_need(typeset_t *ts, double h) __attribute__((warn_unused_result));

#endif

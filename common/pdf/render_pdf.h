/*
 * The PDF export of a transcript view, set by the typesetter of the PDF
 * layer (typeset.h, cairo + pango); exportd and its tests link it.
 */
#ifndef GL_RENDER_PDF_H
#define GL_RENDER_PDF_H

#include <stddef.h>

#include <jansson.h>

#include "sharing/render.h"

/*
 * PDF (cairo + pango, A4): real selectable text in any script, wrapped
 * lines, page breaks, a header with the conversation id and the export
 * time and a page number on every page, sender labels in distinct
 * colours, citations as links; annotated, the context note, tags, focus
 * messages highlighted and the notes thread.  *out is malloc()ed (the
 * caller frees) with *len bytes.  0, or -1 with the reason in err.
 * Not thread-safe (pango): call from one thread.
 */
int render_pdf(const json_t *view, const struct render_opts *o,
	       unsigned char **out, size_t *len, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Drop the font caches render_pdf() keeps between calls (pango's default
 * font map of the calling thread), so a program's cleanup at exit leaves
 * leak checkers quiet.  A later render_pdf() builds them again.  Call from
 * the thread that renders.
 */
void render_pdf_cleanup(void);

#endif

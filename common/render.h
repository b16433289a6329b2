/*
 * Export renderers (SPEC §1 exports): a transcript view (transcript.h) as
 * TXT, JSON or PDF.  Pure functions of the view and the options, so each
 * format is unit-tested without servers.  render_pdf() lives in
 * render_pdf.c and needs cairo + pango (only exportd links it).
 */
#ifndef GL_RENDER_H
#define GL_RENDER_H

#include <stddef.h>

#include <jansson.h>

struct render_opts {
	int annotated;		 /* notes, tags, context, focus highlight */
	const char *tenant;	 /* shown in the header */
	const char *export_id;	 /* shown in the header */
	const char *exported_at; /* RFC 3339 UTC, shown in the header */
};

/*
 * TXT: a header (conversation, status, channel, tenant, export id and
 * time) and one block per message: "#seq  sent_at  Label (sender_name)"
 * then the text, each line indented by two spaces.  Internal notes are
 * marked.  Annotated: the context note and the signal and review tags
 * after the header, focus messages marked, and the notes thread at the
 * end.  UTF-8, "\n" line ends.  malloc()ed; NULL when out of memory.
 */
char *render_txt(const json_t *view, const struct render_opts *o)
	__attribute__((warn_unused_result));

/*
 * JSON: {schema, export_id, exported_at, tenant, share, conversation,
 * messages} and, annotated, notes and review_tags (share.context and the
 * messages' focus flags only when annotated).  A new reference; NULL when
 * out of memory.
 */
json_t *render_json(const json_t *view, const struct render_opts *o)
	__attribute__((warn_unused_result));

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

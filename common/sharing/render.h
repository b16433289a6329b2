/*
 * Export renderers (SPEC §1 exports): a transcript view (transcript.h) as
 * TXT or JSON.  Pure functions of the view and the options, so each
 * format is unit-tested without servers.  The PDF renderer is in
 * pdf/render_pdf.h (cairo + pango; only exportd links it).
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

#endif

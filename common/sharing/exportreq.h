/*
 * Export requests (SPEC §3 export-requests): parsing and the pure rules
 * (well-formed, then viewers may not export), and the share-shaped
 * settings an export renders with: a share's own view plus any redaction
 * the request adds, or, for a bare conversation, the request's includes
 * and redaction.  No I/O.
 */
#ifndef GL_EXPORTREQ_H
#define GL_EXPORTREQ_H

#include <stddef.h>

#include <jansson.h>

#include "sharing/sharereq.h"

#define EXPORT_REQUESTED "goldilocks.export.requested"

struct export_request {
	const char *conversation_id; /* exactly one of these two */
	const char *share_id;
	const char *format; /* txt, pdf, json */
	int annotated;
	const char *user_id;
	const char *role;
	struct share_include include;
	int redact_pii;
	json_t *redact_message_ids; /* borrowed; may be NULL */
	json_t *redact_terms;	    /* borrowed; may be NULL */
	const char *message;	    /* a note for the email, or NULL */
	int email;		    /* delivery.method = email */
	json_t *to;		    /* delivery.to: [{email}], borrowed */
};

/*
 * Parse data (borrowed into *out).  REPLY_OK; REPLY_INVALID_REQUEST (malformed,
 * with msg); REPLY_FORBIDDEN for a viewer, checked after the rest is
 * well-formed.
 */
enum reply_code exportreq_parse(json_t *data, struct export_request *out,
				char *msg, size_t msglen);

/*
 * The settings to render with (new reference), shaped as share_load()'s
 * share for transcript_view().  share: the share of a share export
 * (borrowed), or NULL for a conversation export; review_tags: the tags
 * of the conversation's links for an annotated conversation export, or
 * NULL.  A share export keeps the share's includes, snapshot and context
 * and adds the request's redaction (PII, message ids and terms); it can
 * never remove any.
 */
json_t *exportreq_settings(const struct export_request *r,
			   const json_t *share, const json_t *review_tags)
	__attribute__((warn_unused_result));

/* "text/plain; charset=utf-8", "application/pdf", "application/json". */
const char *exportreq_content_type(const char *format);

/*
 * The download's file name: "conversation-<id>.<format>" with every
 * character outside [A-Za-z0-9._-] replaced by '_'.
 */
void exportreq_filename(const char *conversation, const char *format,
			char *out, size_t len);

#endif

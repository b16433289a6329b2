/*
 * A share's view of a conversation (SPEC §4, §5): which messages and
 * fields it shows (snapshot, includes), with redaction applied, its
 * context and focus, its notes and review tags.  The one source for the
 * page, the JSON API and every export format.  Pure: the caller loads the
 * share, the conversation and the notes; no I/O here.
 */
#ifndef GL_TRANSCRIPT_H
#define GL_TRANSCRIPT_H

#include <stddef.h>

#include <jansson.h>

#include "redact/redact.h"

/* The schema version of the JSON view (exports carry it). */
#define TRANSCRIPT_SCHEMA 1

/*
 * The label of a sender ("Contact", "AI", "Agent", "System"), or NULL for
 * an unknown sender.  A static string.
 */
const char *transcript_label(const char *sender);

/*
 * Build the view.
 *  share: a share as share_load() returns it (audience, permission,
 *    min_role, expires_at, include, redact, context, snapshot,
 *    snapshot_seq, review_tags); exports of a bare conversation pass an
 *    object of the same shape.  Borrowed.
 *  conv: a conversation as conversation_load() returns it.  Borrowed.
 *  notes: the share's notes (note_list_share()), or NULL.  Borrowed.
 *  pii: a redactor without terms that the caller keeps between calls, or
 *    NULL (one is made when needed).  Used by this thread only.
 * The view is {share {share_id, audience, permission, min_role,
 * expires_at, snapshot, context}, conversation {conversation_id, status,
 * channel, contact?, tags?}, messages [{seq, message_id, sender, label,
 * sender_name?, sent_at, text, internal?, citations?, focus?}], notes
 * [...], review_tags [...]}: messages after a snapshot's point are left
 * out, internal notes unless included, the contact's identity unless
 * included (its messages then carry no sender_name).  Redaction (always
 * PII on external links; per the share otherwise; its terms; whole
 * messages by id) covers every field a recipient sees: message text,
 * sender names, citation titles and URLs (nothing else of a citation is
 * copied), notes (text and author), the context's free text, the contact
 * block (id, name, email, phone: nothing else of it), tags and review
 * tags; a message redacted whole keeps neither name nor citations.  Returns a new reference, or NULL with the reason
 * in err.
 */
/*
 * The redactor a share's settings ask for: its terms (a JSON array of
 * strings) and PII when pii; NULL when it redacts nothing (err empty) or
 * on failure (the reason in err: then nothing may be shown).  shared, a
 * redactor without terms, is returned when it serves; *own says whether
 * the caller frees the result.
 */
redactor_t *transcript_redactor(const json_t *terms, int pii,
				redactor_t *shared, int *own, char *err,
				size_t errlen) __attribute__((warn_unused_result));

/*
 * The redactor a share (or an export's settings, of the same shape) asks
 * for: PII on an external link or with redact.pii, its redact.terms; the
 * same as transcript_redactor() otherwise, for what is shown outside the
 * view (emails) to be redacted as the view is.
 */
redactor_t *transcript_share_redactor(const json_t *share,
				      redactor_t *shared, int *own, char *err,
				      size_t errlen)
	__attribute__((warn_unused_result));

/*
 * s through r (NULL: a plain copy).  malloc()ed, the caller frees; NULL
 * when s is NULL or out of memory (then nothing may be shown).
 */
char *transcript_redact_str(redactor_t *r, const char *s)
	__attribute__((warn_unused_result));

json_t *transcript_view(const json_t *share, const json_t *conv,
			const json_t *notes, redactor_t *pii, char *err,
			size_t errlen) __attribute__((warn_unused_result));

/*
 * The seq of each message of a view's messages by its message_id (the
 * first wins), so notes can say "on #seq" without a search per note.  A
 * new reference (an object of integers), or NULL when out of memory.
 */
json_t *transcript_seq_index(const json_t *messages)
	__attribute__((warn_unused_result));

#endif

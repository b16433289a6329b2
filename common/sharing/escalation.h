/*
 * Escalations (SPEC §3 `escalations`): the checks of a
 * goldilocks.conversation.escalated event, the context note its team link
 * carries, and the escalation email.  Pure: no I/O, so every rule and
 * every line of the email is unit-tested.
 */
#ifndef GL_ESCALATION_H
#define GL_ESCALATION_H

#include <stddef.h>

#include <jansson.h>

#define ESCALATION_EVENT "goldilocks.conversation.escalated"
/* The actor of the links escalations create, in the audit trail. */
#define ESCALATION_ACTOR "escalation-pipeline"

struct escalation {
	const char *conversation_id;
	const char *escalation_id;
	const char *reason;
	const char *priority; /* low, normal, high, urgent */
	const char *summary;  /* "" when absent */
	json_t *ai_attempts;  /* array of strings, borrowed; may be NULL */
	json_t *notify;	      /* array of {email} | {user_id}; may be NULL */
};

/*
 * Read and check the event's data (borrowed into *out, valid while data
 * lives): identifiers, reason (required), free text at most 4,000
 * characters, lists at most 100 entries, priority one of the four.  0, or
 * -1 with "field: reason" in err.
 */
int escalation_parse(json_t *data, struct escalation *out, char *err,
		     size_t errlen) __attribute__((warn_unused_result));

/*
 * The context note of the escalation's link: {escalation_id, reason,
 * priority, summary, ai_attempts} (new reference).
 */
json_t *escalation_context(const struct escalation *e)
	__attribute__((warn_unused_result));

struct escalation_email {
	char *subject, *text, *html; /* malloc()ed */
};

/*
 * The escalation email: a subject naming the priority and the
 * conversation; text and HTML bodies (HTML escaped) with the link, the
 * reason, the priority, the summary, every AI attempt, the contact's
 * name, email and phone (contact: the read model's contact object or
 * NULL) and the link's expiry (RFC 3339, or NULL).  0, or -1 when out of
 * memory.  Free with escalation_email_free(), which wipes the bodies
 * (they hold the link's token).
 */
int escalation_email_build(const struct escalation *e, const json_t *contact,
			   const char *url, const char *expires_at,
			   struct escalation_email *out)
	__attribute__((warn_unused_result));
void escalation_email_free(struct escalation_email *m);

#endif
